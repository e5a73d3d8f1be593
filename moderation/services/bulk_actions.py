"""Bulk actions: one action over the contents of a search result or a selection, as a job.

Requesting one (``bulk_action_request``) fixes the contents there and then, checked against
what the moderator confirmed: at most ``MAX_CONTENTS``, exactly ``expected_count`` of them
(the count the page showed; a mismatch means the result changed since), each in a policy where
the caller is a senior moderator or an admin. Refusals change nothing.

Running it (``bulk_action_run``, the Celery task's body) handles each content in its own
transaction together with its ``BulkActionItem`` row: a content either gets the whole action
(its decision, annotation, webhook outbox row, strike and audit record) or nothing, and a
failure is counted on its row without stopping the others. A retried run skips the rows
already done, so no content is decided twice and no webhook is queued twice.

Decisions go through ``decision_create_in_bulk`` (``moderation.services.decisions``), so they
are labelled, sent and audited as a person's single decision is.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Collection
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone

from core.exceptions import ApplicationError
from core.limits import task_attempts_exhausted, worker_lost_message
from core.services.audit import audit_record
from core.tasks import enqueue_on_commit
from labeling.choices import JobState
from moderation.choices import (
    BulkActionKind,
    BulkItemOutcome,
    DecisionAction,
    HashKind,
)
from moderation.models import (
    BulkAction,
    BulkActionItem,
    Content,
    HashEntry,
    Policy,
    PolicyCategory,
    ReasonCode,
    TextBank,
)
from moderation.ruleset.banks import MAX_TERM_CHARS, MAX_TERMS
from moderation.selectors.access import (
    POLICY_ADMIN_ROLES,
    SENIOR_ROLES,
    policy_get_for_user,
    policy_role,
)
from moderation.selectors.search import COUNT_CAP, SearchFilters, content_search_queryset

logger = logging.getLogger(__name__)

MAX_CONTENTS = COUNT_CAP
CHUNK = 200
DECIDING: dict[str, str] = {BulkActionKind.REMOVE: DecisionAction.REMOVE,
            BulkActionKind.APPROVE: DecisionAction.APPROVE}  # fmt: skip


# --- request -----------------------------------------------------------------------------------


def _selected_ids(
    *, user: User, query: str, filters: SearchFilters, content_ids: Collection[int] | None
) -> list[int]:
    if content_ids is not None:
        wanted = set(content_ids)
        visible = list(
            content_search_queryset(user=user, query="", filters=SearchFilters())
            .filter(pk__in=wanted)
            .values_list("pk", flat=True)
        )
        if len(visible) != len(wanted):
            raise ApplicationError(
                f"{len(wanted) - len(visible)} of the selected contents do not exist or are "
                "not yours to moderate. Nothing was done.",
                extra={"field": "content_ids", "unknown": len(wanted) - len(visible)},
            )
        return sorted(visible)
    rows = content_search_queryset(user=user, query=query, filters=filters)
    return list(rows.values_list("pk", flat=True)[: MAX_CONTENTS + 1])


def _check_roles(user: User, policy_ids: set[int]) -> list[Policy]:
    policies = list(Policy.objects.filter(pk__in=policy_ids).order_by("pk"))
    refused = [p for p in policies if policy_role(policy=p, user=user) not in SENIOR_ROLES]
    if refused:
        raise ApplicationError(
            "Bulk actions are for senior moderators and admins of every policy covered; "
            f"you are not one in {', '.join(repr(p.name) for p in refused[:5])}. "
            "Nothing was done.",
            extra={"policies": [p.pk for p in refused]},
            status_code=403,
        )
    return policies


def _reason_codes(policies: list[Policy], code: str, action: str) -> dict[int, ReasonCode]:
    if not code:
        raise ApplicationError(
            "Give the reason code of this decision.", extra={"field": "reason_code"}
        )
    codes = {
        r.policy_id: r
        for r in ReasonCode.objects.filter(
            policy__in=policies, code=code, action=action
        ).select_related("category")
    }
    missing = [p for p in policies if p.pk not in codes]
    if missing:
        raise ApplicationError(
            f"Reason code {code!r} ({action}) is not defined in "
            f"{', '.join(repr(p.name) for p in missing[:5])}. Nothing was done.",
            extra={"field": "reason_code", "policies": [p.pk for p in missing]},
        )
    return codes


def _audit(bulk: BulkAction, *, action: str, after: dict[str, Any], policy_ids: set[int]) -> None:
    """One record per policy covered: each policy's readers of the audit log see it."""
    for policy_id in sorted(policy_ids):
        audit_record(
            actor=bulk.created_by,
            action=action,
            object_type="moderation.bulk_action",
            object_id=bulk.pk,
            scope=f"moderation.policy:{policy_id}",
            after=after,
        )


@transaction.atomic
def bulk_action_request(
    *,
    user: User,
    kind: str,
    expected_count: int,
    query: str = "",
    filters: SearchFilters | None = None,
    content_ids: Collection[int] | None = None,
    reason_code: str = "",
    note: str = "",
    hash_category_id: int | None = None,
    text_bank_id: int | None = None,
) -> BulkAction:
    """Queue ``kind`` over the contents of a search (``query`` and ``filters``) or of a
    selection (``content_ids``). See the module's docstring for the checks.

    Refuses (nothing stored): more than ``MAX_CONTENTS`` contents, or none (400); a count other
    than ``expected_count`` (400); selected ids the caller cannot moderate (400); a policy
    covered where the caller is not senior (403); a reason code missing from a policy covered
    (400); a bank the caller does not administer (404 / 403).
    Side effects: audit ``bulk_action.create`` (one record per policy covered); the job after
    commit (``bulk_action_run_task``).
    """
    filters = filters or SearchFilters()
    ids = _selected_ids(user=user, query=query, filters=filters, content_ids=content_ids)
    if len(ids) > MAX_CONTENTS:
        raise ApplicationError(
            f"A bulk action covers at most {MAX_CONTENTS:,} contents and this search finds "
            "more. Narrow it (a policy, a period, a state) and try again. Nothing was done.",
            extra={"limit": MAX_CONTENTS},
        )
    if not ids:
        raise ApplicationError("Nothing is selected: no content to act on.")
    if len(ids) != expected_count:
        raise ApplicationError(
            f"The selection now holds {len(ids):,} contents, not the {expected_count:,} you "
            "confirmed (content arrived or changed meanwhile). Look at it again and confirm "
            "the new count. Nothing was done.",
            extra={"field": "expected_count", "expected": expected_count, "actual": len(ids)},
        )
    policy_ids = set(Content.objects.filter(pk__in=ids).values_list("policy_id", flat=True))
    policies = _check_roles(user, policy_ids)
    category = bank = None
    if kind in DECIDING:
        _reason_codes(policies, reason_code, DECIDING[kind])
    elif kind == BulkActionKind.HASH_BANK:
        category = (
            PolicyCategory.objects.filter(pk=hash_category_id).first() if hash_category_id else None
        )
        if category is None:
            raise ApplicationError(
                "Say which category's hash bank to add to.", extra={"field": "hash_category"}
            )
        policy_get_for_user(policy_id=category.policy_id, user=user, roles=POLICY_ADMIN_ROLES)
    elif kind == BulkActionKind.TEXT_BANK:
        bank = TextBank.objects.filter(pk=text_bank_id).first() if text_bank_id else None
        if bank is None:
            raise ApplicationError("Say which text bank to add to.", extra={"field": "text_bank"})
        policy_get_for_user(policy_id=bank.policy_id, user=user, roles=POLICY_ADMIN_ROLES)
    selection: dict[str, Any] = (
        {"ids": len(ids)} if content_ids is not None
        else {"query": query, "filters": filters.as_dict()}
    )  # fmt: skip
    bulk = BulkAction.objects.create(
        kind=kind, selection=selection, reason_code=reason_code if kind in DECIDING else "",
        note=note, hash_category=category, text_bank=bank, total=len(ids), created_by=user,
        created_by_name=user.get_username(),
    )  # fmt: skip
    BulkActionItem.objects.bulk_create(
        [BulkActionItem(bulk_action=bulk, content_id=pk) for pk in ids], batch_size=1000
    )
    _audit(
        bulk,
        action="bulk_action.create",
        after={
            "kind": kind, "contents": len(ids), "selection": selection,
            "reason_code": bulk.reason_code, "note": note,
            "hash_category": category.pk if category else None,
            "text_bank": bank.pk if bank else None,
        },
        policy_ids=policy_ids,
    )  # fmt: skip
    from moderation.tasks import bulk_action_run_task

    enqueue_on_commit(bulk_action_run_task, bulk.pk)
    return bulk


# --- run ---------------------------------------------------------------------------------------


def _counts(bulk: BulkAction) -> dict[str, int]:
    by_outcome = Counter(
        dict(
            BulkActionItem.objects.filter(bulk_action=bulk)
            .values("outcome")
            .annotate(n=Count("pk"))
            .values_list("outcome", "n")
        )
    )
    return {
        "done_count": by_outcome[BulkItemOutcome.DONE],
        "unchanged_count": by_outcome[BulkItemOutcome.UNCHANGED],
        "failed_count": by_outcome[BulkItemOutcome.FAILED],
    }


def _finish(bulk: BulkAction, state: str, message: str = "") -> BulkAction:
    BulkAction.objects.filter(pk=bulk.pk).update(
        state=state, error_message=message[:2000], finished_at=timezone.now(), **_counts(bulk)
    )
    bulk.refresh_from_db()
    return bulk


def bulk_action_run(*, bulk_action_id: int) -> BulkAction | None:
    """Run a queued bulk action (the Celery task's body); safe to run again after a crash:
    contents done are skipped. Counts the attempt first; never raises for one content's
    failure (its row says why). Audit ``bulk_action.finish`` with the counts."""
    bulk = (
        BulkAction.objects.select_related("created_by", "hash_category", "text_bank")
        .filter(pk=bulk_action_id)
        .first()
    )
    if bulk is None or bulk.state in (JobState.SUCCEEDED, JobState.FAILED):
        return bulk
    BulkAction.objects.filter(pk=bulk.pk).update(
        state=JobState.RUNNING, started_at=timezone.now(), attempts=F("attempts") + 1
    )
    bulk.refresh_from_db()
    if task_attempts_exhausted(bulk.attempts):
        return _finish(bulk, JobState.FAILED, worker_lost_message(
            what="this bulk action", attempts=bulk.attempts,
            retry="The contents not done yet are left as they were; start a new bulk action.",
        ))  # fmt: skip
    user = bulk.created_by
    if user is None or not user.is_active:
        return _finish(bulk, JobState.FAILED, "The person who asked for it can no longer act.")
    runner = _Runner(bulk, user)
    pending = BulkActionItem.objects.filter(bulk_action=bulk, outcome=BulkItemOutcome.PENDING)
    last = 0
    while True:
        chunk = list(
            pending.filter(pk__gt=last).order_by("pk").values_list("pk", "content_id")[:CHUNK]
        )
        if not chunk:
            break
        for item_id, content_id in chunk:
            runner.one(item_id, content_id)
        last = chunk[-1][0]
        BulkAction.objects.filter(pk=bulk.pk).update(**_counts(bulk))
    bulk = _finish(bulk, JobState.SUCCEEDED)
    _audit(
        bulk,
        action="bulk_action.finish",
        after={"kind": bulk.kind, "total": bulk.total, "done": bulk.done_count,
               "unchanged": bulk.unchanged_count, "failed": bulk.failed_count},
        policy_ids=runner.policy_ids_seen,
    )  # fmt: skip
    return bulk


class _Runner:
    """Applies the bulk action to one content at a time (roles checked once per policy)."""

    def __init__(self, bulk: BulkAction, user: User) -> None:
        self.bulk = bulk
        self.user = user
        self.allowed: dict[int, bool] = {}
        self.reasons: dict[int, ReasonCode | None] = {}
        self.policy_ids_seen: set[int] = set()

    def one(self, item_id: int, content_id: int) -> None:
        now = timezone.now()
        try:
            with transaction.atomic():
                item = BulkActionItem.objects.select_for_update().get(pk=item_id)
                if item.outcome != BulkItemOutcome.PENDING:
                    return  # done by an earlier run
                changed = self._apply(content_id)
                item.outcome = BulkItemOutcome.DONE if changed else BulkItemOutcome.UNCHANGED
                item.finished_at = now
                item.save(update_fields=["outcome", "finished_at"])
        except ApplicationError as exc:
            self._failed(item_id, exc.message, now)
        except Exception as exc:  # one content's failure is not the others'
            logger.exception("bulk action %s: content %s failed", self.bulk.pk, content_id)
            self._failed(item_id, f"Could not be done: {type(exc).__name__}.", now)

    def _failed(self, item_id: int, message: str, now) -> None:
        BulkActionItem.objects.filter(pk=item_id, outcome=BulkItemOutcome.PENDING).update(
            outcome=BulkItemOutcome.FAILED, message=message[:500], finished_at=now
        )

    def _policy_allowed(self, policy: Policy) -> None:
        self.policy_ids_seen.add(policy.pk)
        if policy.pk not in self.allowed:
            self.allowed[policy.pk] = policy_role(policy=policy, user=self.user) in SENIOR_ROLES
        if not self.allowed[policy.pk]:
            raise ApplicationError("Your role in this policy no longer allows bulk actions.")

    def _apply(self, content_id: int) -> bool:
        content = Content.objects.select_related("policy", "item").get(pk=content_id)
        self._policy_allowed(content.policy)
        kind = self.bulk.kind
        if kind in DECIDING:
            return self._decide(content, DECIDING[kind])
        if kind == BulkActionKind.REQUEUE:
            from moderation.services.requeue import content_requeue_in_bulk

            return content_requeue_in_bulk(
                content_id=content.pk, user=self.user, bulk_action_id=self.bulk.pk
            )
        if kind == BulkActionKind.HASH_BANK:
            return self._hash_add(content)
        return self._term_add(content)

    def _decide(self, content: Content, action: str) -> bool:
        from moderation.services.decisions import decision_create_in_bulk

        if content.policy_id not in self.reasons:
            self.reasons[content.policy_id] = (
                ReasonCode.objects.select_related("category")
                .filter(policy_id=content.policy_id, code=self.bulk.reason_code, action=action)
                .first()
            )
        reason = self.reasons[content.policy_id]
        if reason is None:
            raise ApplicationError(f"The policy no longer has reason code {self.bulk.reason_code}.")
        return decision_create_in_bulk(
            content_id=content.pk, user=self.user, action=action, reason=reason,
            note=self.bulk.note, bulk_action_id=self.bulk.pk,
        )  # fmt: skip

    def _hash_add(self, content: Content) -> bool:
        from moderation.services.hashbank import image_phash, sha256_hex
        from moderation.services.policies import policy_touch

        category = self.bulk.hash_category
        if category is None:
            raise ApplicationError("The hash bank's category was deleted.")
        item = content.item
        if item.image:
            with item.image.open("rb") as image:
                data = image.read()
            values = [(HashKind.SHA256, sha256_hex(data)), (HashKind.PHASH, image_phash(data))]
        else:
            text = item.text or ""
            if not text:
                raise ApplicationError("This content has neither text nor an image.")
            values = [(HashKind.SHA256, hashlib.sha256(text.encode("utf-8")).hexdigest())]
        existing = HashEntry.objects.filter(category=category, value__in=[v for _, v in values])
        before = existing.count()
        HashEntry.objects.bulk_create(
            [
                HashEntry(kind=kind, value=value, category=category,
                          note=f"Bulk action {self.bulk.pk}: content {content.pk}",
                          created_by=self.user)
                for kind, value in values
            ],
            ignore_conflicts=True,
        )  # fmt: skip
        if existing.count() == before:
            return False
        policy_touch(policy_id=category.policy_id)
        audit_record(
            actor=self.user, action="hash.add", object_type="moderation.policy",
            object_id=category.policy_id, scope=f"moderation.policy:{category.policy_id}",
            after={"content": content.pk, "category": category.name,
                   "hashes": [{"kind": k, "value": v} for k, v in values],
                   "bulk_action": self.bulk.pk},
        )  # fmt: skip
        return True

    def _term_add(self, content: Content) -> bool:
        if self.bulk.text_bank_id is None:
            raise ApplicationError("The text bank was deleted.")
        term = " ".join((content.item.text or "").split())
        if not term:
            raise ApplicationError("This content has no text to add.")
        if len(term) > MAX_TERM_CHARS:
            raise ApplicationError(
                f"The text is longer than a term may be ({MAX_TERM_CHARS} characters)."
            )
        bank = TextBank.objects.select_for_update().get(pk=self.bulk.text_bank_id)
        if term in bank.terms:
            return False
        if len(bank.terms) >= MAX_TERMS:
            raise ApplicationError(f"The bank holds {MAX_TERMS:,} terms already.")
        bank.terms = [*bank.terms, term]
        bank.save(update_fields=["terms", "updated_at"])
        Policy.objects.filter(pk=bank.policy_id).update(rules_changed_at=timezone.now())
        audit_record(
            actor=self.user, action="text_bank.add_term", object_type="moderation.text_bank",
            object_id=bank.pk, scope=f"moderation.policy:{bank.policy_id}",
            after={"term": term, "content": content.pk, "bulk_action": self.bulk.pk},
        )  # fmt: skip
        return True
