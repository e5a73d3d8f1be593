"""Labels given by people (and, through them, the retraining trigger)."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from core.exceptions import ApplicationError
from labeling.choices import AnnotationSource, TaskType
from labeling.models import Annotation, Item


def _clean_labels(*, item: Item, labels: list[str]) -> list[str]:
    project = item.project
    cleaned = list(dict.fromkeys(label.strip() for label in labels if label and label.strip()))
    if not cleaned:
        raise ApplicationError("Give at least one label.", extra={"labels": labels})
    known = set(project.label_classes.values_list("name", flat=True))
    unknown = [label for label in cleaned if label not in known]
    if unknown:
        raise ApplicationError(
            f"Not a label class of this project: {', '.join(map(repr, unknown))}.",
            extra={"unknown": unknown, "label_classes": sorted(known)},
        )
    if len(cleaned) > 1 and project.task_type != TaskType.MULTILABEL:
        raise ApplicationError(
            f"A {project.task_type} project takes one label per item; got {len(cleaned)}.",
            extra={"labels": cleaned},
        )
    return cleaned


@transaction.atomic
def annotation_create(*, item: Item, annotator: AbstractBaseUser, labels: list[str]) -> Annotation:
    """Record a person's label(s) for an item (source = human).

    Side effects: after commit, checks whether enough new human labels arrived to retrain
    (``project.retrain_every``) and, if so, requests a training run.
    """
    cleaned = _clean_labels(item=item, labels=labels)
    annotation = Annotation.objects.create(
        item=item, annotator=annotator, labels=cleaned, source=AnnotationSource.HUMAN
    )
    project_id = item.project_id

    def check_retrain() -> None:
        from labeling.services.retraining import project_retrain_if_due

        project_retrain_if_due(project_id=project_id)

    transaction.on_commit(check_retrain)
    return annotation
