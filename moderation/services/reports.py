"""Flags from a platform's users: each reporter counts once per content."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from moderation.choices import ContentState, ReportSource
from moderation.models import Content, Report
from moderation.services.review import content_priority_refresh


def content_refresh_flags(*, content: Content) -> Content:
    """Recount the content's distinct flags and, while it waits for review, its priority.

    Must run in the caller's transaction with the content row locked.
    """
    content.report_count = Report.objects.filter(content=content).count()
    content.save(update_fields=["report_count"])
    if content.state in (ContentState.PENDING, ContentState.ESCALATED):
        content_priority_refresh(content=content)
    return content


@transaction.atomic
def report_create(
    *, content: Content, reporter_id: str, reason: str = ""
) -> tuple[Report, bool, Content]:
    """Record a user's report of ``content``; the same reporter again changes nothing.

    Returns ``(report, created, content)``. Side effects: recounts ``report_count`` (distinct
    flags of every source) and the review priority of pending content.
    """
    content = (
        Content.objects.select_for_update(of=("self",))
        .select_related("top_category")
        .get(pk=content.pk)
    )
    try:
        with transaction.atomic():
            report = Report.objects.create(
                content=content, source=ReportSource.USER, reporter=reporter_id, reason=reason
            )
        created = True
    except IntegrityError:
        report = Report.objects.get(content=content, source=ReportSource.USER, reporter=reporter_id)
        created = False
    if created:
        content_refresh_flags(content=content)
    return report, created, content


def user_report_count(*, content: Content) -> int:
    return Report.objects.filter(content=content, source=ReportSource.USER).count()
