"""People's final decisions back into training: which label a decision means, and recording it
as an annotation on the content's item (through labeling's service)."""

from django.contrib.auth.models import User

from labeling.models import Annotation, LabelClass
from labeling.services.external_labels import annotation_record_external
from moderation.choices import DecisionAction
from moderation.models import Content, Decision


def non_violating_label(*, content: Content) -> str | None:
    """The label class of the policy's project that no category maps to (e.g. ``ham``); None
    when there is none, or more than one (it is then not clear which one "allowed" means)."""
    mapped = set(content.policy.categories.values_list("label_class", flat=True))
    free = [
        name
        for name in LabelClass.objects.filter(project_id=content.item.project_id)
        .order_by("order", "id")
        .values_list("name", flat=True)
        if name not in mapped
    ]
    return free[0] if len(free) == 1 else None


def decision_label(*, content: Content, decision: Decision) -> str | None:
    """The label a final decision gives the content's item.

    remove → the label class of the content's top category (the model's), else of the reason
    code's category; approve → the project's non-violating class. None when the policy does not
    say (no category to map a removal to, or no single non-violating class).
    """
    if decision.action == DecisionAction.REMOVE:
        category = content.top_category
        if category is None and decision.reason_code is not None:
            category = decision.reason_code.category
        return category.label_class if category is not None else None
    if decision.action == DecisionAction.APPROVE:
        return non_violating_label(content=content)
    return None


def decision_annotate(
    *, content: Content, decision: Decision, source: str, annotator: User
) -> Annotation | None:
    """Record a person's final decision as an annotation (source ``moderation`` or ``appeal``)
    on the content's item, with the model suggestion they were shown.

    Returns None, writing nothing, when:
    - the decision was made automatically (feedback-loop guard: the model's own verdicts never
      come back to it as people's labels);
    - the decision maps to no label class (see ``decision_label``), e.g. an approval in a
      project whose every class is a violation category.

    Side effects (through ``annotation_record_external``): the item's queue counters, and the
    retraining check after commit.
    """
    if decision.automated or not decision.is_final:
        return None
    label = decision_label(content=content, decision=decision)
    if label is None:
        return None
    suggestion = decision.model_suggestion or {}
    suggested_category = suggestion.get("label_class")
    return annotation_record_external(
        item=content.item,
        labels=[label],
        source=source,
        annotator=annotator,
        suggested_labels=[suggested_category] if suggested_category else [],
        suggested_by_id=suggestion.get("model_version_id"),
        time_on_item_ms=decision.time_spent_ms,
    )
