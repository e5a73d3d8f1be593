"""Quality of moderation as moderators and policy admins see it: gold items served like any
content and never acting, second reviews by someone else, blind, and the dashboard's figures."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import AuditEvent
from labeling.choices import Role
from labeling.models import Annotation
from moderation.choices import AppealState, ContentState, DecisionAction, RuleStatus
from moderation.models import (
    Content,
    Decision,
    GoldItem,
    QualitySettings,
    QualityTask,
    Rule,
    RuleHitLog,
    Strike,
    WebhookDelivery,
)
from moderation.services.decisions import decision_create
from moderation.services.quality import quality_answer_record, review_quality_next
from moderation.services.review import review_next
from tests.factories.moderation import (
    AppealFactory,
    AuthorFactory,
    ContentFactory,
    PlatformFactory,
    PolicyMemberFactory,
    ReviewPolicyFactory,
    WebhookEndpointFactory,
    decide_body,
)

pytestmark = pytest.mark.django_db

NEXT = "/api/v1/moderation/queue/next/"


def client_of(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def lease(client) -> dict | None:
    response = client.post(NEXT, {}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["content"]


def decide(client, content_id: int, body: dict):
    return client.post(f"/api/v1/moderation/contents/{content_id}/decide/", body, format="json")


def keys_of(value):
    """The shape of a JSON value: keys of objects, recursively (lists as lists: their entries
    are other contents, compared by the fields that differ below)."""
    if isinstance(value, dict):
        return {k: keys_of(v) for k, v in value.items()}
    if isinstance(value, list):
        return "list"
    return type(value).__name__ if value is not None else None


@pytest.fixture
def team():
    """A review policy on a platform with a webhook, its admin and two moderators."""
    policy = ReviewPolicyFactory()
    platform = PlatformFactory()
    WebhookEndpointFactory(platform=platform)
    admin = PolicyMemberFactory(policy=policy, role=Role.SENIOR_MODERATOR, username="lead")
    ana = PolicyMemberFactory(policy=policy, role=Role.MODERATOR, username="ana")
    ben = PolicyMemberFactory(policy=policy, role=Role.MODERATOR, username="ben")
    return policy, platform, admin, ana, ben


def decided_by(user, policy, platform, action=DecisionAction.REMOVE, **content_fields) -> Content:
    """Content ``user`` leased and decided through the service (a real decision: label,
    webhook, state)."""
    content = ContentFactory(policy=policy, platform=platform, priority=99.0, **content_fields)
    leased = review_next(user=user, tier="standard", policy_ids=[policy.pk])
    assert leased.pk == content.pk
    code = "SPAM-1" if action == DecisionAction.REMOVE else "OK-1"
    decision_create(content=content, user=user, action=action, reason_code=code)
    content.refresh_from_db()
    return content


def make_gold(admin, policy, content, expected=None) -> int:
    body = {"content": content.pk, "note": "Textbook prize scam"}
    if expected:
        body["expected_action"] = expected
    response = client_of(admin).post(
        f"/api/v1/moderation/policies/{policy.pk}/gold-items/", body, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


def set_rates(admin, policy, **rates):
    response = client_of(admin).patch(
        f"/api/v1/moderation/policies/{policy.pk}/quality/", rates, format="json"
    )
    assert response.status_code == 200, response.content


# --- gold items -----------------------------------------------------------------------------


def test_gold_item_reads_exactly_like_queue_content_in_the_next_item(team):
    policy, platform, admin, ana, ben = team
    author = AuthorFactory(platform=platform)
    gold_content = decided_by(ben, policy, platform, author=author)
    AppealFactory(
        decision=Decision.objects.get(content=gold_content),
        state=AppealState.UPHELD,
        decided_at=timezone.now(),
    )
    make_gold(admin, policy, gold_content)
    real = ContentFactory(policy=policy, platform=platform, author=author, priority=5.0)
    set_rates(admin, policy, gold_rate=1.0)
    ana_client = client_of(ana)

    served_gold = lease(ana_client)
    assert served_gold["id"] == gold_content.pk
    detail = ana_client.get(f"/api/v1/moderation/contents/{gold_content.pk}/").json()

    set_rates(admin, policy, gold_rate=0.0)
    ana_client.post(f"/api/v1/moderation/contents/{gold_content.pk}/release/")
    served_real = lease(ana_client)
    assert served_real["id"] == real.pk

    for shown in (served_gold, detail):
        assert keys_of(shown) == keys_of(served_real)
        for field in ("state", "tier", "decided_at", "decisions", "appeals", "leased_by"):
            assert shown[field] == served_real[field], field
        assert shown["lease_expires_at"] is not None
    assert served_gold["state"] == "pending"
    assert served_gold["decisions"] == []
    assert served_gold["appeals"] == []
    assert "gold" not in str(keys_of(served_gold))


def test_gold_answer_sends_no_webhook_changes_nothing_and_makes_no_second_label(team):
    policy, platform, admin, ana, ben = team
    author = AuthorFactory(platform=platform)
    gold_content = decided_by(ben, policy, platform, author=author)
    make_gold(admin, policy, gold_content)
    set_rates(admin, policy, gold_rate=1.0)
    deliveries = WebhookDelivery.objects.count()
    labels = Annotation.objects.filter(item=gold_content.item).count()
    strikes = Strike.objects.count()
    assert labels == 1  # ben's decision labeled the item once
    ana_client = client_of(ana)
    assert lease(ana_client)["id"] == gold_content.pk

    response = decide(
        ana_client,
        gold_content.pk,
        decide_body(DecisionAction.APPROVE, "OK-1", note="looks fine", time_spent_ms=900),
    )

    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["action"] == "approve"
    assert answer["reason_code"] == "OK-1"
    assert answer["moderator_name"] == "ana"
    assert answer["is_final"] is True
    assert WebhookDelivery.objects.count() == deliveries
    assert Annotation.objects.filter(item=gold_content.item).count() == labels
    assert Strike.objects.count() == strikes
    before = Content.objects.get(pk=gold_content.pk)
    assert before.state == ContentState.REMOVED
    assert before.decided_at == gold_content.decided_at
    assert before.leased_by is None
    assert list(
        Decision.objects.filter(content=gold_content).values_list("moderator__username", flat=True)
    ) == ["ben"]
    task = QualityTask.objects.get(reviewer=ana)
    assert task.action == "approve"
    assert task.matches is False
    assert AuditEvent.objects.filter(action="quality_task.answer", object_id=str(task.pk)).exists()
    # Answered: a second answer is refused like deciding content one no longer holds.
    again = decide(ana_client, gold_content.pk, decide_body())
    assert again.status_code == 409
    assert again.json()["message"].startswith("You do not hold this content")
    # And the same gold item is never served to ana again.
    assert lease(ana_client) is None


def test_a_bad_reason_code_on_a_gold_item_is_refused_like_on_real_content(team):
    policy, platform, admin, ana, ben = team
    gold_content = decided_by(ben, policy, platform)
    make_gold(admin, policy, gold_content)
    set_rates(admin, policy, gold_rate=1.0)
    ana_client = client_of(ana)
    lease(ana_client)

    response = decide(ana_client, gold_content.pk, decide_body(DecisionAction.APPROVE, "SPAM-1"))

    assert response.status_code == 400
    assert "justifies remove" in response.json()["message"]
    assert not QualityTask.objects.filter(answered_at__isnull=False).exists()


def test_gold_items_are_never_served_to_the_moderator_who_decided_them(team):
    policy, platform, admin, ana, _ben = team
    gold_content = decided_by(ana, policy, platform)
    make_gold(admin, policy, gold_content)
    set_rates(admin, policy, gold_rate=1.0)

    assert lease(client_of(ana)) is None


def test_gold_items_of_another_policy_are_never_served(team):
    policy, platform, admin, _ana, ben = team
    gold_content = decided_by(ben, policy, platform)
    make_gold(admin, policy, gold_content)
    set_rates(admin, policy, gold_rate=1.0)
    outsider = PolicyMemberFactory(policy=(other := ReviewPolicyFactory()), role=Role.MODERATOR)
    theirs = ContentFactory(policy=other, platform=platform)

    served = lease(client_of(outsider))

    assert served["id"] == theirs.pk
    assert not QualityTask.objects.filter(reviewer=outsider).exists()
    assert (
        client_of(outsider).get(f"/api/v1/moderation/contents/{gold_content.pk}/").status_code
        == 404
    )


def test_skipping_a_gold_item_hands_out_the_queue_and_gives_the_gold_item_back(team):
    policy, platform, admin, ana, ben = team
    gold_content = decided_by(ben, policy, platform)
    make_gold(admin, policy, gold_content)
    set_rates(admin, policy, gold_rate=1.0)
    real = ContentFactory(policy=policy, platform=platform)
    ana_client = client_of(ana)
    assert lease(ana_client)["id"] == gold_content.pk

    response = ana_client.post(NEXT, {"exclude": [gold_content.pk]}, format="json")
    ana_client.post(f"/api/v1/moderation/contents/{gold_content.pk}/release/")

    assert response.json()["content"]["id"] == real.pk
    task = QualityTask.objects.get(reviewer=ana)
    assert task.answered_at is None
    assert task.lease_expires_at is None
    # Deciding it now is refused as for any content one gave back (not "already decided").
    refused = decide(ana_client, gold_content.pk, decide_body())
    assert refused.status_code == 409
    assert refused.json()["message"].startswith("You do not hold this content")
    # Shown once, never served to her again (she may have looked it up since).
    ana_client.post(f"/api/v1/moderation/contents/{real.pk}/release/")
    assert lease(ana_client)["id"] == real.pk


def test_only_decided_content_of_the_policy_becomes_a_gold_item(team):
    policy, platform, admin, _ana, ben = team
    open_content = ContentFactory(policy=policy, platform=platform)
    other_policy_content = decided_by(
        PolicyMemberFactory(policy=(other := ReviewPolicyFactory())), other, platform
    )
    admin_client = client_of(admin)
    url = f"/api/v1/moderation/policies/{policy.pk}/gold-items/"

    still_open = admin_client.post(url, {"content": open_content.pk}, format="json")
    elsewhere = admin_client.post(url, {"content": other_policy_content.pk}, format="json")
    decided = decided_by(ben, policy, platform)
    first = admin_client.post(url, {"content": decided.pk}, format="json")
    again = admin_client.post(url, {"content": decided.pk}, format="json")

    assert still_open.status_code == 400
    assert "decide it first" in still_open.json()["message"]
    assert elsewhere.status_code == 404
    assert first.status_code == 201
    assert first.json()["expected_action"] == "remove"
    assert again.status_code == 409
    assert GoldItem.objects.count() == 1
    assert AuditEvent.objects.filter(action="gold_item.create").count() == 1


def test_gold_rate_is_respected_roughly(team):
    policy, platform, _admin, ana, ben = team
    for _ in range(80):
        content = ContentFactory(policy=policy, platform=platform, state=ContentState.REMOVED)
        Decision.objects.create(
            content=content, moderator=ben, action=DecisionAction.REMOVE, is_final=True
        )
        GoldItem.objects.create(policy=policy, content=content, expected_action="remove")
    for _ in range(300):
        ContentFactory(policy=policy, platform=platform)
    QualitySettings.objects.create(policy=policy, gold_rate=0.2)
    rng = random.Random(15)
    skipped: list[int] = []
    gold_served = 0
    draws = 250

    for _ in range(draws):
        content = review_quality_next(
            user=ana, tier="standard", policy_ids=[policy.pk], exclude=skipped, rng=rng
        )
        task = QualityTask.objects.filter(
            content=content, reviewer=ana, answered_at__isnull=True
        ).first()
        if task is not None:
            gold_served += 1
            quality_answer_record(task=task, user=ana, action="remove", reason_code="SPAM-1")
        else:
            skipped.append(content.pk)

    assert 0.13 * draws <= gold_served <= 0.27 * draws


# --- second reviews -------------------------------------------------------------------------


def test_a_second_review_goes_blind_to_another_moderator_and_measures_agreement(team):
    policy, platform, admin, ana, ben = team
    set_rates(admin, policy, double_review_rate=1.0)
    ContentFactory(policy=policy, platform=platform, priority=1.0)  # what else is queued
    first = ContentFactory(policy=policy, platform=platform, priority=50.0)
    ana_client, ben_client = client_of(ana), client_of(ben)
    assert lease(ana_client)["id"] == first.pk
    assert decide(ana_client, first.pk, decide_body()).status_code == 201
    deliveries = WebhookDelivery.objects.count()

    assert lease(ana_client)["id"] != first.pk  # never her own decision again
    shown = lease(ben_client)
    assert shown["id"] == first.pk
    assert shown["state"] == "pending"
    assert shown["decisions"] == []
    response = decide(ben_client, first.pk, decide_body(DecisionAction.APPROVE, "OK-1"))

    assert response.status_code == 201, response.content
    assert Decision.objects.filter(content=first).count() == 1
    assert Content.objects.get(pk=first.pk).state == ContentState.REMOVED
    assert WebhookDelivery.objects.count() == deliveries
    dashboard = client_of(admin).get("/api/v1/moderation/quality/").json()
    rows = {r["username"]: r for r in dashboard["moderators"]}
    for name in ("ana", "ben"):
        assert rows[name]["second_reviews"] == 1
        assert rows[name]["agreements"] == 0
        assert rows[name]["agreement"] == 0.0


def test_no_second_review_when_the_rate_is_zero(team):
    policy, platform, _admin, ana, _ben = team
    decided_by(ana, policy, platform)
    assert not QualityTask.objects.exists()


# --- the dashboard ----------------------------------------------------------------------------


@pytest.fixture
def history(team):
    """A hand-counted week of a policy: see the numbers in the test."""
    policy, platform, _admin, ana, ben = team
    now = timezone.now()
    # Ana: 3 human decisions (2 final in time, 1 final late), Ben: 1 escalation.
    for minutes_late in (-30, -10, 60):
        content = ContentFactory(
            policy=policy,
            platform=platform,
            state=ContentState.REMOVED,
            sla_due_at=now - timedelta(minutes=minutes_late) - timedelta(hours=1),
        )
        decision = Decision.objects.create(
            content=content, moderator=ana, action="remove", is_final=True
        )
        Decision.objects.filter(pk=decision.pk).update(created_at=now - timedelta(hours=1))
    ana_decisions = list(Decision.objects.filter(moderator=ana).order_by("id"))
    escalated = ContentFactory(policy=policy, platform=platform, state=ContentState.ESCALATED)
    Decision.objects.create(content=escalated, moderator=ben, action="escalate", is_final=False)
    # 2 automatic final decisions.
    for _ in range(2):
        content = ContentFactory(policy=policy, platform=platform, state=ContentState.ALLOWED)
        Decision.objects.create(content=content, automated=True, action="approve", is_final=True)
    # Appeals on Ana's decisions: one overturned, one upheld, one still open.
    for decision, state in zip(
        ana_decisions, [AppealState.OVERTURNED, AppealState.UPHELD, AppealState.OPEN], strict=True
    ):
        AppealFactory(
            decision=decision,
            state=state,
            decided_at=None if state == AppealState.OPEN else now,
        )
    # Gold: Ben answers 3 (2 right), Ana 1 (right).
    gold_contents = [
        ContentFactory(policy=policy, platform=platform, state=ContentState.REMOVED)
        for _ in range(3)
    ]
    golds = [
        GoldItem.objects.create(policy=policy, content=c, expected_action="remove")
        for c in gold_contents
    ]
    for gold, action in zip(golds, ["remove", "remove", "approve"], strict=True):
        QualityTask.objects.create(
            kind="gold", content=gold.content, gold_item=gold, reviewer=ben,
            action=action, matches=action == "remove", answered_at=now,
        )  # fmt: skip
    QualityTask.objects.create(
        kind="gold", content=golds[0].content, gold_item=golds[0], reviewer=ana,
        action="remove", matches=True, answered_at=now,
    )  # fmt: skip
    # A second review of Ana's first decision by Ben: they agree.
    QualityTask.objects.create(
        kind="double", content=ana_decisions[0].content, first_decision=ana_decisions[0],
        reviewer=ben, action="remove", matches=True, answered_at=now,
    )  # fmt: skip
    # An old gold answer, outside the period asked for.
    QualityTask.objects.filter(reviewer=ben, matches=False).update(
        answered_at=now - timedelta(days=40)
    )
    rule = Rule.objects.create(
        policy=policy, name="prize words", condition={"all": []}, action="remove",
        status=RuleStatus.LIVE,
    )  # fmt: skip
    for content in Content.objects.filter(policy=policy)[:4]:
        RuleHitLog.objects.create(rule=rule, content=content, status=RuleStatus.LIVE, acted=True)
    return team


def test_dashboard_figures_equal_the_hand_counted_numbers(history):
    policy, _platform, admin, _ana, _ben = history

    response = client_of(admin).get("/api/v1/moderation/quality/")

    assert response.status_code == 200, response.content
    figures = response.json()
    assert figures["scope"] == "managed"
    rows = {r["username"]: r for r in figures["moderators"]}
    assert set(rows) == {"ana", "ben"}
    ana, ben = rows["ana"], rows["ben"]
    # Accuracy on gold only: Ben's late wrong answer is outside the 30 days; decisions do not count.
    assert (ben["gold_answered"], ben["gold_correct"], ben["gold_accuracy"]) == (2, 2, 1.0)
    assert (ana["gold_answered"], ana["gold_correct"], ana["gold_accuracy"]) == (1, 1, 1.0)
    assert (ana["second_reviews"], ana["agreements"], ana["agreement"]) == (1, 1, 1.0)
    assert (ben["second_reviews"], ben["agreement"]) == (1, 1.0)
    assert (ana["appeals_decided"], ana["overturned"], ana["overturn_rate"]) == (2, 1, 0.5)
    assert (ben["appeals_decided"], ben["overturn_rate"]) == (0, None)
    assert (ana["decisions"], ben["decisions"]) == (3, 1)
    [row] = figures["policies"]
    assert row["policy"] == policy.pk
    assert (row["automated"], row["manual"], row["automated_share"]) == (2, 3, 0.4)
    assert (row["sla_total"], row["sla_met"]) == (3, 2)
    assert row["sla_met_share"] == pytest.approx(0.6667)
    assert row["rule_hits"] == [
        {"rule": row["rule_hits"][0]["rule"], "rule_name": "prize words", "status": "live",
         "hits": 4, "acted": 4},
    ]  # fmt: skip


def test_a_moderator_sees_their_own_figures_only(history):
    _policy, _platform, _admin, ana, _ben = history

    figures = client_of(ana).get("/api/v1/moderation/quality/").json()

    assert figures["scope"] == "own"
    assert [r["username"] for r in figures["moderators"]] == ["ana"]
    assert figures["policies"] == []


def test_another_policys_admin_sees_nothing(history):
    outsider = PolicyMemberFactory(policy=ReviewPolicyFactory(), role=Role.ADMIN)
    policy = history[0]
    client = client_of(outsider)

    figures = client.get("/api/v1/moderation/quality/").json()

    assert figures["moderators"] == []
    assert all(p["policy"] != policy.pk for p in figures["policies"])
    assert all(p["automated"] == 0 for p in figures["policies"])
    assert all(p["rule_hits"] == [] for p in figures["policies"])
    assert client.get(f"/api/v1/moderation/quality/?policy={policy.pk}").status_code == 404
    assert client.get(f"/api/v1/moderation/policies/{policy.pk}/gold-items/").status_code == 404
    assert (
        client.patch(
            f"/api/v1/moderation/policies/{policy.pk}/quality/", {"gold_rate": 1}, format="json"
        ).status_code
        == 404
    )


def test_the_period_filter_counts_only_the_period(history):
    _policy, _platform, admin, _ana, _ben = history
    client = client_of(admin)
    old = timezone.now() - timedelta(days=45)

    figures = client.get(
        "/api/v1/moderation/quality/",
        {"since": old.isoformat(), "until": (old + timedelta(days=10)).isoformat()},
    ).json()
    bad = client.get("/api/v1/moderation/quality/", {"since": "2026-05-01T00:00:00Z\x00x"})
    backwards = client.get(
        "/api/v1/moderation/quality/",
        {"since": "2026-05-02T00:00:00Z", "until": "2026-05-01T00:00:00Z"},
    )

    [ben] = figures["moderators"]
    assert (ben["username"], ben["gold_answered"], ben["gold_correct"]) == ("ben", 1, 0)
    assert bad.status_code == 400
    assert backwards.status_code == 400


def test_moderators_may_not_change_quality_settings_or_gold_items(team):
    policy, _platform, _admin, ana, _ben = team
    client = client_of(ana)

    assert (
        client.patch(
            f"/api/v1/moderation/policies/{policy.pk}/quality/", {"gold_rate": 1}, format="json"
        ).status_code
        == 403
    )
    assert client.get(f"/api/v1/moderation/policies/{policy.pk}/gold-items/").status_code == 403
    assert not QualitySettings.objects.exists()
