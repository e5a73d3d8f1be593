"""Automatic moderation decisions as snapshot labels, provided by the moderation app.

Labeling never imports moderation (the apps' layering: moderation builds on labeling). A
snapshot whose filters name the source ``automatic_decision`` asks the provider that
moderation registers here when it starts (``ModerationConfig.ready``). Without one (moderation
not installed) there are no automatic decisions to include.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class AutomaticDecisionLabel:
    """The label an automatic decision gives an item, when it was made, and the model version
    whose score it acted on (None when a rule or hash match decided)."""

    labels: list[str]
    decided_at_us: int  # microseconds since the epoch, UTC
    model_version_id: int | None


@dataclass(frozen=True)
class AutomaticDecisionProvider:
    # (project id, item id above, item id up to) -> {item id: label}; items of that range only.
    labels: Callable[[int, int, int], dict[int, AutomaticDecisionLabel]]
    # project id -> how many of its items have an automatic decision that maps to a label.
    count: Callable[[int], int]


_provider: list[AutomaticDecisionProvider] = []


def automatic_decision_provider_register(provider: AutomaticDecisionProvider) -> None:
    """Set the provider (called once, by moderation's AppConfig)."""
    _provider[:] = [provider]


def automatic_decision_labels(
    *, project_id: int, after_id: int, up_to_id: int
) -> dict[int, AutomaticDecisionLabel]:
    if not _provider:
        return {}
    return _provider[0].labels(project_id, after_id, up_to_id)


def automatic_decision_count(*, project_id: int) -> int:
    return _provider[0].count(project_id) if _provider else 0
