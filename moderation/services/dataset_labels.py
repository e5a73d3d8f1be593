"""Automatic decisions as labels of a dataset snapshot, for labeling's snapshot cut.

Labeling never imports moderation; it asks the provider registered here (``ModerationConfig``)
for the labels automatic decisions give items, only when a snapshot's filters name the source
``automatic_decision``. They are never annotations (the feedback-loop guard in ``feedback``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db.models import QuerySet

from labeling.services.datasets.automatic import (
    AutomaticDecisionLabel,
    AutomaticDecisionProvider,
)
from moderation.choices import DecisionAction
from moderation.models import Decision
from moderation.selectors.suggestions import non_violating_label
from moderation.services.feedback import decision_label

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _automatic(project_id: int) -> QuerySet[Decision]:
    return Decision.objects.filter(
        automated=True, is_final=True, superseded=False, content__item__project_id=project_id
    )


def automatic_decision_labels(
    project_id: int, after_id: int, up_to_id: int
) -> dict[int, AutomaticDecisionLabel]:
    """``{item id: label}`` for the project's items in ``(after_id, up_to_id]`` that have an
    automatic final decision mapping to a label class (see ``decision_label``)."""
    decisions = (
        _automatic(project_id)
        .filter(content__item_id__gt=after_id, content__item_id__lte=up_to_id)
        .select_related("content__top_category", "content__policy", "reason_code__category")
        .order_by("content__item_id")
    )
    allowed: dict[int, str | None] = {}  # the non-violating class, once per policy
    found: dict[int, AutomaticDecisionLabel] = {}
    for decision in decisions:
        content = decision.content
        if decision.action == DecisionAction.APPROVE:
            if content.policy_id not in allowed:
                allowed[content.policy_id] = non_violating_label(content=content)
            label = allowed[content.policy_id]
        else:
            label = decision_label(content=content, decision=decision)
        if label is None or content.item_id is None:
            continue
        version = (decision.model_suggestion or {}).get("model_version_id")
        found[content.item_id] = AutomaticDecisionLabel(
            labels=[label],
            decided_at_us=(decision.created_at - _EPOCH) // timedelta(microseconds=1),
            model_version_id=version if isinstance(version, int) else None,
        )
    return found


def automatic_decision_count(project_id: int) -> int:
    return _automatic(project_id).count()


PROVIDER = AutomaticDecisionProvider(
    labels=automatic_decision_labels, count=automatic_decision_count
)
