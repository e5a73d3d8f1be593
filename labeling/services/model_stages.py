"""A project's model versions through their life: shadow → canary → production, and rollback.

Each action is one call, one transaction and one ``model.stage`` audit record holding the
stage before and after and the held-out metrics that justify the change (the version's and
those of the production version it replaces). Who may act: ``STAGE_ROLES``.
"""

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from core.exceptions import ApplicationError
from core.services.audit import audit_record
from labeling.choices import DATA_ROLES, Role
from labeling.models import Project
from labeling.selectors.audit import project_audit_scope
from models_app.choices import Stage
from models_app.models import ModelVersion
from models_app.selectors.registry import model_version_production
from models_app.services.registry import model_version_set_stage

# Project admins and ML engineers run the models; senior moderators answer for what they do.
STAGE_ROLES = DATA_ROLES | {Role.SENIOR_MODERATOR}
# The held-out figures an audit record keeps to show why a stage changed.
JUSTIFYING_METRICS = ("n", "roc_auc", "f1_macro", "accuracy", "ece")


def model_version_metrics_summary(version: ModelVersion | None) -> dict[str, Any] | None:
    if version is None:
        return None
    return {
        "version": version.version,
        **{key: version.metrics.get(key) for key in JUSTIFYING_METRICS},
    }


def _stage_audit(
    *,
    project: Project,
    version: ModelVersion,
    user: User | None,
    operation: str,
    stage_before: str,
    production_before: ModelVersion | None,
    reason: str,
) -> None:
    production_after = model_version_production(owner=project.owner_key)
    audit_record(
        actor=user,
        action="model.stage",
        object_type="models_app.modelversion",
        object_id=version.pk,
        scope=project_audit_scope(project_id=project.pk),
        before={
            "version": version.version,
            "stage": stage_before,
            "production_version": production_before.version if production_before else None,
        },
        after={
            "version": version.version,
            "stage": version.stage,
            "production_version": production_after.version if production_after else None,
            "operation": operation,
            "reason": reason,
            "metrics": model_version_metrics_summary(version),
            "production_before_metrics": model_version_metrics_summary(production_before),
        },
    )


@transaction.atomic
def model_version_stage_change(
    *,
    project: Project,
    version: ModelVersion,
    stage: str,
    user: User | None,
    reason: str = "",
) -> ModelVersion:
    """Move one of the project's versions to ``stage`` (shadow, canary, production, archived).

    Promoting to production archives the version serving until now. Setting the stage a
    version already has changes nothing and records nothing. ``user`` None: the system (a
    training run).

    Side effects: one ``model.stage`` audit record.
    """
    if version.owner != project.owner_key:
        raise ApplicationError("This model version belongs to another project.", status_code=404)
    stage_before = version.stage
    production_before = model_version_production(owner=project.owner_key)
    version = model_version_set_stage(version=version, stage=stage, user=user)
    if version.stage == stage_before:
        return version
    operation = "promote" if stage in (Stage.CANARY, Stage.PRODUCTION) else "stage"
    _stage_audit(
        project=project,
        version=version,
        user=user,
        operation=operation,
        stage_before=stage_before,
        production_before=production_before if production_before != version else None,
        reason=reason,
    )
    return version


def model_version_rollback_target(*, project: Project) -> ModelVersion | None:
    """The version that served before the current production one: the archived version most
    recently promoted before it. (Rolling back twice returns to where it started.)"""
    current = model_version_production(owner=project.owner_key)
    earlier = ModelVersion.objects.filter(
        owner=project.owner_key, stage=Stage.ARCHIVED, promoted_at__isnull=False
    )
    if current is not None and current.promoted_at is not None:
        earlier = earlier.filter(promoted_at__lt=current.promoted_at)
    return earlier.order_by("-promoted_at", "-version").first()


@transaction.atomic
def model_version_rollback(
    *, project: Project, user: User | None, reason: str = ""
) -> ModelVersion:
    """Put the previous production version back into production; the current one is archived.

    Refuses (409) when no version served before the current one.

    Side effects: one ``model.stage`` audit record (operation ``rollback``) on the version
    that serves again, naming the version it replaced and both versions' metrics.
    """
    previous = model_version_rollback_target(project=project)
    if previous is None:
        raise ApplicationError(
            "There is no earlier production version to roll back to.", status_code=409
        )
    stage_before = previous.stage
    production_before = model_version_production(owner=project.owner_key)
    version = model_version_set_stage(version=previous, stage=Stage.PRODUCTION, user=user)
    _stage_audit(
        project=project,
        version=version,
        user=user,
        operation="rollback",
        stage_before=stage_before,
        production_before=production_before,
        reason=reason,
    )
    return version
