"""People's final decisions back into training: which label a decision means, and recording it
as an annotation on the content's item (through labeling's service)."""

from django.contrib.auth.models import User

from labeling.services.external_labels import annotation_record_external
from moderation.choices import DecisionAction
from moderation.models import Content, Decision
from moderation.selectors.suggestions import non_violating_label


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
) -> int | None:
    """Record a person's final decision as an annotation (source ``moderation`` or ``appeal``)
    on the content's item, with the model suggestion they were shown; returns its id.

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
    annotation = annotation_record_external(
        item=content.item,
        labels=[label],
        source=source,
        annotator=annotator,
        suggested_labels=[suggested_category] if suggested_category else [],
        suggested_by_id=suggestion.get("model_version_id"),
        time_on_item_ms=decision.time_spent_ms,
    )
    return annotation.pk
