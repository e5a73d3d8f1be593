"""Writes to projects and their label classes (memberships: ``labeling.services.memberships``)."""

from typing import Any

import markdown
import nh3
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import Q

from core.exceptions import ApplicationError
from core.services.audit import audit_record, changed_fields
from labeling.choices import DataType, Role, TaskType
from labeling.models import LabelClass, Project, ProjectMembership
from labeling.models.project import LABEL_CLASS_DESCRIPTION_MAX_CHARS
from labeling.selectors.audit import project_audit_scope
from models_app.selectors.registry import model_version_list

# Settings of the active-learning loop and auto-labeling, set on create or update.
LEARNING_SETTINGS = (
    "sampling_strategy",
    "embedder",
    "retrain_every",
    "min_labels_per_class",
    "few_shot_enabled",
    "few_shot_budget_seconds",
    "auto_label_enabled",
    "auto_label_target_precision",
    "audit_rate",
    "train_on_auto_labels",
    "new_versions_start_in_shadow",
)
# What a ``project.update`` audit record compares (guidelines_html follows guidelines).
AUDITED_SETTINGS = ("name", "description", "annotations_per_item", "guidelines", *LEARNING_SETTINGS)

DEFAULT_COLOURS = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#eeca3b", "#b279a2"]


def guidelines_render(*, markdown_text: str) -> str:
    """Markdown to HTML with every script, handler and unknown tag removed."""
    html = markdown.markdown(markdown_text, extensions=["extra", "sane_lists"])
    return nh3.clean(html)


def _validate_label_classes(*, task_type: str, label_classes: list[dict[str, Any]]) -> None:
    names = [lc["name"].strip() for lc in label_classes]
    if any(not n for n in names):
        raise ApplicationError("Label class names cannot be empty.")
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ApplicationError(
            "Label class names must be unique.", extra={"duplicates": duplicates}
        )
    too_long = sorted(
        lc["name"].strip()
        for lc in label_classes
        if len(lc.get("description", "")) > LABEL_CLASS_DESCRIPTION_MAX_CHARS
    )
    if too_long:
        raise ApplicationError(
            f"A label class description has at most {LABEL_CLASS_DESCRIPTION_MAX_CHARS:,} "
            "characters.",
            extra={"field": "label_classes", "classes": too_long},
        )
    hotkeys = [lc.get("hotkey", "") for lc in label_classes if lc.get("hotkey")]
    if len(hotkeys) != len(set(hotkeys)):
        raise ApplicationError("Label class hotkeys must be unique.")
    if task_type == TaskType.BINARY and len(names) != 2:
        raise ApplicationError("A binary project needs exactly two label classes.")
    if task_type != TaskType.BINARY and len(names) < 2:
        raise ApplicationError("A project needs at least two label classes.")


def _validate_embedder(*, data_type: str, embedder: str) -> None:
    """Blank (the default for the data type) or an embedder made for this data type."""
    if not embedder:
        return
    from models_app.ml.embedders.base import EmbedderUnavailable
    from models_app.ml.embedders.registry import EMBEDDER_NAMES, get_embedder

    if embedder not in EMBEDDER_NAMES:
        raise ApplicationError(
            f"Unknown embedder {embedder!r}.", extra={"embedders": list(EMBEDDER_NAMES)}
        )
    try:
        # Cheap: weights load on the first embed, not here.
        kind = get_embedder(embedder).data_type
    except EmbedderUnavailable as exc:
        raise ApplicationError(str(exc), extra={"embedder": embedder}) from exc
    if kind != data_type:
        raise ApplicationError(
            f"The {embedder!r} embedder reads {kind}; this is a {data_type} project.",
            extra={"embedder": embedder},
        )


def _validate_few_shot(*, data_type: str, enabled: bool) -> None:
    """The few-shot model fine-tunes a text encoder: text projects only."""
    if enabled and data_type != DataType.TEXT:
        raise ApplicationError(
            "The few-shot model fine-tunes a text encoder: it is for text projects only.",
            extra={"few_shot_enabled": enabled},
        )


def _default_hotkey(*, order: int, taken: set[str]) -> str:
    """The class's position (1-9) as its key, or the first digit no other class uses."""
    if order >= 9:
        return ""
    for key in [str(order + 1), *(str(n) for n in range(1, 10))]:
        if key not in taken:
            return key
    return ""


def _settings_snapshot(project: Project) -> dict[str, Any]:
    snapshot = {field: getattr(project, field) for field in AUDITED_SETTINGS}
    snapshot["label_classes"] = [
        {"name": lc.name, "colour": lc.colour, "hotkey": lc.hotkey, "description": lc.description}
        for lc in project.label_classes.order_by("order", "id")
    ]
    return snapshot


def _label_usage(*, project: Project, names: set[str]) -> dict[str, int]:
    """How many items' annotations (any source) give each of ``names``, counted only for
    names some annotation uses."""
    if not names or project.pk is None:
        return {}
    if connection.vendor == "postgresql":
        labels_of = "CROSS JOIN LATERAL jsonb_array_elements_text(a.labels) AS l(value)"
    else:
        labels_of = "CROSS JOIN json_each(a.labels) AS l"
    placeholders = ", ".join(["%s"] * len(names))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT l.value, COUNT(DISTINCT a.item_id) FROM labeling_annotation AS a "  # noqa: S608 - placeholders only
            f"JOIN labeling_item AS i ON i.id = a.item_id {labels_of} "
            f"WHERE i.project_id = %s AND l.value IN ({placeholders}) GROUP BY l.value",
            [project.pk, *sorted(names)],
        )
        return {str(name): int(count) for name, count in cursor.fetchall()}


def _label_classes_write(*, project: Project, label_classes: list[dict[str, Any]]) -> None:
    """Write the classes in this order: a row with an ``id`` is that class (renamed when its
    name changed), a row without one the class of that name or a new class; classes left out
    are removed. A row without ``description`` keeps the class's description.

    Refuses to remove or rename a class that labels use: annotations, exports and trained
    models name classes by their name, so either would orphan those labels.
    """
    current = list(project.label_classes.all()) if project.pk else []
    by_id = {lc.pk: lc for lc in current}
    by_name = {lc.name: lc for lc in current}
    unknown_ids = sorted({lc["id"] for lc in label_classes if lc.get("id")} - set(by_id))
    if unknown_ids:
        raise ApplicationError(
            "Some label classes are not in this project.",
            extra={"field": "label_classes", "ids": unknown_ids},
        )
    given_ids = [lc["id"] for lc in label_classes if lc.get("id")]
    if len(given_ids) != len(set(given_ids)):
        raise ApplicationError(
            "Each label class may appear once.", extra={"field": "label_classes"}
        )
    targets: list[LabelClass] = []
    for data in label_classes:
        name = data["name"].strip()
        label_class = by_id.get(data.get("id") or 0)
        if label_class is None and name in by_name and by_name[name].pk not in given_ids:
            label_class = by_name[name]
        targets.append(label_class or LabelClass(project=project, name=name))
    kept_ids = {lc.pk for lc in targets if lc.pk}
    removed = [lc.name for lc in current if lc.pk not in kept_ids]
    renamed = [
        lc.name
        for lc, data in zip(targets, label_classes, strict=True)
        if lc.pk and lc.name != data["name"].strip()
    ]
    usage = _label_usage(project=project, names={*removed, *renamed})
    if usage:
        used = ", ".join(f"'{name}' ({count:,} items)" for name, count in sorted(usage.items()))
        raise ApplicationError(
            f"Labels use {used}: a class that labels use cannot be removed or renamed.",
            extra={"field": "label_classes", "used": usage},
        )
    project.label_classes.exclude(pk__in=kept_ids).delete()
    # Clear hotkeys and move renamed classes out of the way first, so swapping two keys or
    # two names does not trip the unique constraints.
    project.label_classes.update(hotkey="")
    for label_class in targets:
        if label_class.name in renamed:
            LabelClass.objects.filter(pk=label_class.pk).update(name=f"(renaming {label_class.pk})")
    # A default key must not take a key another class was explicitly given.
    taken = {lc["hotkey"] for lc in label_classes if lc.get("hotkey")}
    for order, (label_class, data) in enumerate(zip(targets, label_classes, strict=True)):
        hotkey = data.get("hotkey") or _default_hotkey(order=order, taken=taken)
        taken.add(hotkey)
        label_class.colour = (
            data.get("colour")
            or (label_class.colour if label_class.pk else None)
            or DEFAULT_COLOURS[order % len(DEFAULT_COLOURS)]
        )
        label_class.name = data["name"].strip()
        if "description" in data:
            label_class.description = data["description"]
        label_class.hotkey = hotkey
        label_class.order = order
        label_class.full_clean(exclude=["project"], validate_unique=False)
        label_class.save()


@transaction.atomic
def project_create(
    *,
    created_by: User,
    name: str,
    data_type: str,
    task_type: str,
    label_classes: list[dict[str, Any]],
    description: str = "",
    guidelines: str = "",
    annotations_per_item: int = 1,
    **learning_settings: Any,
) -> Project:
    """Create a project with its label classes; the creator becomes its admin.

    ``learning_settings``: any of ``LEARNING_SETTINGS`` (defaults from the model).

    Side effects: one ``project.create`` audit record (the settings, in ``after``).
    """
    _validate_label_classes(task_type=task_type, label_classes=label_classes)
    unknown = set(learning_settings) - set(LEARNING_SETTINGS)
    if unknown:
        raise TypeError(f"unknown project settings: {sorted(unknown)}")
    _validate_embedder(data_type=data_type, embedder=learning_settings.get("embedder", ""))
    _validate_few_shot(
        data_type=data_type, enabled=bool(learning_settings.get("few_shot_enabled", False))
    )
    project = Project.objects.create(
        **learning_settings,
        name=name.strip(),
        description=description,
        data_type=data_type,
        task_type=task_type,
        guidelines=guidelines,
        guidelines_html=guidelines_render(markdown_text=guidelines),
        annotations_per_item=annotations_per_item,
        created_by=created_by,
    )
    _label_classes_write(project=project, label_classes=label_classes)
    ProjectMembership.objects.create(project=project, user=created_by, role=Role.ADMIN)
    audit_record(
        actor=created_by,
        action="project.create",
        object_type="labeling.project",
        object_id=project.pk,
        scope=project_audit_scope(project_id=project.pk),
        after=_settings_snapshot(project),
    )
    return project


@transaction.atomic
def project_update(*, project: Project, data: dict[str, Any], actor: User | None = None) -> Project:
    """Update fields; ``label_classes`` replaces the list (classes are matched by name).

    ``actor`` is who made the change (None: the system).

    Side effects: one ``project.update`` audit record with the changed settings before and
    after (none when nothing changed); a new embedder queues an embedding job (after commit)
    for the new vectors, and so do new class names, descriptions or guidelines while the
    project has no model version (the job ends by recomputing the zero-shot proposals; with
    every vector stored it embeds nothing); a new ``annotations_per_item`` marks again which
    items have all their annotations (queue).
    """
    settings_before = _settings_snapshot(project)
    per_item_before = project.annotations_per_item
    for field in ("name", "description", "annotations_per_item"):
        if field in data:
            setattr(project, field, data[field].strip() if field == "name" else data[field])
    embedder_before = project.embedder
    if "embedder" in data:
        _validate_embedder(data_type=project.data_type, embedder=data["embedder"])
    for field in LEARNING_SETTINGS:
        if field in data:
            setattr(project, field, data[field])
    _validate_few_shot(data_type=project.data_type, enabled=project.few_shot_enabled)
    if "guidelines" in data:
        project.guidelines = data["guidelines"]
        project.guidelines_html = guidelines_render(markdown_text=data["guidelines"])
    if "label_classes" in data:
        _validate_label_classes(task_type=project.task_type, label_classes=data["label_classes"])
        _label_classes_write(project=project, label_classes=data["label_classes"])
    project.full_clean(exclude=["created_by"], validate_unique=False, validate_constraints=False)
    project.save()
    settings_after = _settings_snapshot(project)
    before, after = changed_fields(settings_before, settings_after)
    if after:
        audit_record(
            actor=actor,
            action="project.update",
            object_type="labeling.project",
            object_id=project.pk,
            scope=project_audit_scope(project_id=project.pk),
            before=before,
            after=after,
        )
    if project.annotations_per_item != per_item_before:
        # Items enter or leave the annotation queue at the new number of annotations per item.
        k = project.annotations_per_item
        project.items.filter(
            Q(queue_done=False, queue_annotations__gte=k)
            | Q(queue_done=True, queue_annotations__lt=k)
        ).update(queue_done=Q(queue_annotations__gte=k))
    prompts_changed = _zero_shot_prompts(settings_before) != _zero_shot_prompts(settings_after)
    if (
        project.embedder != embedder_before
        or (prompts_changed and not model_version_list(owner=project.owner_key).exists())
    ) and project.items.exists():
        from labeling.services.learning_jobs import project_embedding_request
        from models_app.choices import JobTrigger

        project_embedding_request(project=project, trigger=JobTrigger.SETTINGS)
    return project


def _zero_shot_prompts(snapshot: dict[str, Any]) -> tuple[str, list[tuple[str, str]]]:
    """What zero-shot proposals read from the settings: the guidelines and each class's name
    and description."""
    classes = [(lc["name"], lc["description"]) for lc in snapshot["label_classes"]]
    return snapshot["guidelines"], classes


@transaction.atomic
def project_delete(*, project: Project, actor: User | None = None) -> None:
    """Delete the project with its items, and what models_app keeps for it (vectors, jobs,
    model versions and their artifacts).

    Refuses (409) a project that something else still builds on (a moderation policy and its
    content keep their items here).

    Side effects: one ``project.delete`` audit record (the audit log keeps the project's
    history; only staff see it once the project's members are gone); after commit, the
    project's files (item images, thumbnails, import uploads, model artefacts) are deleted
    from storage.
    """
    from django.db.models import ProtectedError

    from models_app.services.jobs import owner_forget

    owner = project.owner_key
    project_id = project.pk  # delete() clears the instance's pk
    try:
        with transaction.atomic():
            project.delete()
    except ProtectedError as exc:
        kinds = sorted({str(obj._meta.verbose_name_plural) for obj in exc.protected_objects})
        raise ApplicationError(
            f"This project is still used by {', '.join(kinds)}; remove those first.",
            extra={"used_by": kinds},
            status_code=409,
        ) from exc
    audit_record(
        actor=actor,
        action="project.delete",
        object_type="labeling.project",
        object_id=project_id,
        scope=project_audit_scope(project_id=project_id),
        before={"name": project.name},
    )
    owner_forget(owner=owner)
    project_files_delete_on_commit(project_id=project_id, owner=owner)


def project_files_delete_on_commit(*, project_id: int, owner: str) -> None:
    """Delete the folders holding a project's files once the transaction commits.

    Every file of a project is stored under its id (``items/<id>/``, ``thumbnails/<id>/``,
    ``imports/<id>/``) or its models_app owner key (``models/<owner>/``), so this reaches them
    all without listing millions of rows first.
    """
    from core.files import folder_delete
    from models_app.models.registry import artifact_folder

    folders = [f"{folder}/{project_id}" for folder in PROJECT_FILE_FOLDERS]
    folders.append(f"models/{artifact_folder(owner)}")

    def delete() -> None:
        for folder in folders:
            folder_delete(folder)

    transaction.on_commit(delete)


PROJECT_FILE_FOLDERS = ("items", "thumbnails", "imports")
