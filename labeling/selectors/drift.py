"""Reads of drift monitoring: a project's settings (defaults when never changed), its windows,
and whether it is in alarm now."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from labeling.models import DriftSettings, DriftWindow, Project


def drift_settings_get(*, project: Project) -> DriftSettings:
    """The project's drift settings; an unsaved row with the defaults when none was stored (a
    read never writes)."""
    settings = DriftSettings.objects.filter(project=project).first()
    return settings if settings is not None else DriftSettings(project=project)


def drift_window_list(*, project: Project) -> QuerySet[DriftWindow]:
    """The project's windows, newest first, with the model version they were measured against."""
    return DriftWindow.objects.filter(project=project).select_related("model_version")


@dataclass
class DriftState:
    """Whether the project is in alarm: its newest window large enough to judge crossed a
    threshold. ``alarm_since`` is the first window of the current run of alarms."""

    alarm: bool
    alarms: list[str]
    window: DriftWindow | None
    alarm_since: DriftWindow | None
    windows: int


def drift_state(*, project: Project) -> DriftState:
    settings = drift_settings_get(project=project)
    windows = drift_window_list(project=project)
    judged = windows.filter(items__gte=settings.min_window_items)
    latest = judged.first()
    count = windows.count()
    if latest is None or not latest.alarms:
        return DriftState(alarm=False, alarms=[], window=latest, alarm_since=None, windows=count)
    calm = judged.filter(alarms=[]).values_list("number", flat=True).first()
    run = judged.filter(number__gt=calm) if calm is not None else judged
    since = run.order_by("number").first()
    return DriftState(
        alarm=True, alarms=list(latest.alarms), window=latest, alarm_since=since, windows=count
    )
