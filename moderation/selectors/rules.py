"""A policy's rules and text banks, and what each rule has hit in live traffic."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from moderation.choices import ContentState
from moderation.models import Policy, Rule, RuleBacktest, TextBank

# How far back a rule's live-traffic figures look.
RULE_FIGURES_DAYS = 30


def rule_list(*, policy: Policy) -> QuerySet[Rule]:
    """The policy's rules in evaluation order, each with its live-traffic figures over the
    last ``RULE_FIGURES_DAYS`` days (``hits``, ``acted``, and of the contents hit, how many
    people removed and allowed: ``human_removed``, ``human_allowed``)."""
    since = timezone.now() - timedelta(days=RULE_FIGURES_DAYS)
    recent = Q(hits__created_at__gte=since)
    by_people = Q(hits__content__decided_automatically=False)
    return (
        Rule.objects.filter(policy=policy)
        .select_related("category", "queue")
        .annotate(
            hit_count=Count("hits", filter=recent),
            acted_count=Count("hits", filter=recent & Q(hits__acted=True)),
            human_removed=Count(
                "hits",
                filter=recent & by_people & Q(hits__content__state=ContentState.REMOVED),
            ),
            human_allowed=Count(
                "hits",
                filter=recent & by_people & Q(hits__content__state=ContentState.ALLOWED),
            ),
        )
        .order_by("position", "id")
    )


def rule_get(*, policy: Policy, rule_id: int) -> Rule:
    rule = rule_list(policy=policy).filter(pk=rule_id).first()
    if rule is None:
        raise Http404
    return rule


def _policy_of(model: type[Rule | TextBank | RuleBacktest], pk: int) -> Policy:
    """The policy a row belongs to (404 when there is no such row): access is then checked on
    the policy, so a row of a policy the caller cannot see reads as missing."""
    policy_id = model.objects.filter(pk=pk).values_list("policy_id", flat=True).first()
    if policy_id is None:
        raise Http404
    return Policy(pk=policy_id)


def policy_of_rule(*, rule_id: int) -> Policy:
    return _policy_of(Rule, rule_id)


def policy_of_text_bank(*, bank_id: int) -> Policy:
    return _policy_of(TextBank, bank_id)


def text_bank_list(*, policy: Policy) -> QuerySet[TextBank]:
    return TextBank.objects.filter(policy=policy).order_by("name")


def text_bank_get(*, policy: Policy, bank_id: int) -> TextBank:
    bank = TextBank.objects.filter(policy=policy, pk=bank_id).select_related("policy").first()
    if bank is None:
        raise Http404
    return bank


def backtest_list(*, policy: Policy) -> QuerySet[RuleBacktest]:
    return RuleBacktest.objects.filter(policy=policy).order_by("-id")


def backtest_get(*, policy: Policy, backtest_id: int) -> RuleBacktest:
    backtest = RuleBacktest.objects.filter(policy=policy, pk=backtest_id).first()
    if backtest is None:
        raise Http404
    return backtest


def policy_of_backtest(*, backtest_id: int) -> Policy:
    return _policy_of(RuleBacktest, backtest_id)
