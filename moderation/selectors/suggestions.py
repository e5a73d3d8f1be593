"""What the model suggests about a content as moderators are shown it, and which label class
"allowed" means in the policy's project."""

from typing import Any

from labeling.selectors.projects import label_class_names
from moderation.choices import AutomationLevel, DecisionAction
from moderation.models import Content

# Levels at which moderators see the model's suggestion (human-only has none; shadow keeps it
# from them so their decisions measure the model independently).
SUGGESTION_LEVELS = frozenset(
    {AutomationLevel.ASSIST, AutomationLevel.PARTIAL, AutomationLevel.FULL}
)


def non_violating_label(*, content: Content) -> str | None:
    """The label class of the policy's project that no category maps to (e.g. ``ham``); None
    when there is none, or more than one (it is then not clear which one "allowed" means)."""
    mapped = set(content.policy.categories.values_list("label_class", flat=True))
    free = [
        name for name in label_class_names(project_id=content.item.project_id) if name not in mapped
    ]
    return free[0] if len(free) == 1 else None


def model_suggestion_shown(*, content: Content) -> dict[str, Any]:
    """What the review panel shows of the model for this content, or {} when nothing is shown
    (a human-only or shadow policy, or no model scored it).

    ``{"level", "category", "label_class", "action", "score", "model_version_id",
    "model_version", "model_stage"}``: ``model_stage`` is the version's stage now
    (production, shadow, …); ``action`` is what the model would do at 0.5 (remove at or
    above).
    """
    level = content.policy.automation_level
    if level not in SUGGESTION_LEVELS or content.model_score is None:
        return {}
    category = content.top_category
    removes = content.model_score >= 0.5
    if removes:
        label_class = category.label_class if category is not None else None
    else:
        label_class = non_violating_label(content=content)
    version = content.model_version
    return {
        "level": level,
        "category": category.name if category is not None else None,
        "label_class": label_class,
        "action": DecisionAction.REMOVE if removes else DecisionAction.APPROVE,
        "score": content.model_score,
        "model_version_id": version.pk if version is not None else None,
        "model_version": version.version if version is not None else None,
        "model_stage": version.stage if version is not None else None,
    }
