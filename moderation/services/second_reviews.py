"""Independent second reviews: a share of final human decisions goes, blind, to another
moderator (served by ``moderation.services.quality.review_quality_next``)."""

import random

from moderation.choices import QualityTaskKind
from moderation.models import Decision, QualitySettings, QualityTask


def second_review_maybe_create(*, decision: Decision, rng: random.Random | None = None) -> None:
    """With the policy's double-review rate as probability, queue an independent second review
    of a final human ``decision`` (called in the deciding transaction)."""
    if decision.automated or not decision.is_final or decision.moderator_id is None:
        return
    rate = (
        QualitySettings.objects.filter(policy_id=decision.content.policy_id)
        .values_list("double_review_rate", flat=True)
        .first()
    )
    if not rate or (rng or random).random() >= rate:
        return
    QualityTask.objects.create(
        kind=QualityTaskKind.DOUBLE, content_id=decision.content_id, first_decision=decision
    )
