"""Author enforcement: strikes, warnings and suspensions that go with decisions."""

from datetime import timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from core.services.audit import audit_record
from moderation.choices import AuthorAction
from moderation.models import Author, Decision


def author_enforce(
    *,
    author: Author,
    action: str,
    suspend_days: int | None,
    actor: User | None,
    decision_id: int,
    scope: str,
) -> Author:
    """Apply an author action decided with a removal: ``warn`` adds a strike; ``suspend`` adds
    a strike and suspends the author for ``suspend_days`` from now (a longer suspension already
    running is kept). Runs in the decision's transaction, on the locked author row.

    Side effects: audit record ``author.warn`` or ``author.suspend``.
    """
    if action == AuthorAction.NONE:
        return author
    author = Author.objects.select_for_update().get(pk=author.pk)
    before = {"strikes": author.strikes, "suspended_until": author.suspended_until}
    author.strikes += 1
    if action == AuthorAction.SUSPEND:
        until = timezone.now() + timedelta(days=suspend_days or 0)
        if author.suspended_until is None or author.suspended_until < until:
            author.suspended_until = until
    author.save(update_fields=["strikes", "suspended_until"])
    audit_record(
        actor=actor,
        action=f"author.{action}",
        object_type="moderation.author",
        object_id=author.pk,
        scope=scope,
        before=before,
        after={
            "strikes": author.strikes,
            "suspended_until": author.suspended_until,
            "decision": decision_id,
        },
    )
    return author


def author_strike_remove(*, decision: Decision) -> dict | None:
    """Take back the strike (and the suspension) a decision gave its content's author, when an
    appeal overturns it. Returns ``{"author", "strikes", "suspended_until"}`` as they are now
    for the caller's audit record, or None when the decision gave no strike.
    """
    author_id = decision.content.author_id
    if decision.author_action == AuthorAction.NONE or author_id is None:
        return None
    author = Author.objects.select_for_update().get(pk=author_id)
    author.strikes = max(author.strikes - 1, 0)
    if decision.author_action == AuthorAction.SUSPEND:
        # The suspension came with this decision; one from a later decision would have been
        # at least as long, and is lifted too only if it is the same one.
        end = decision.created_at + timedelta(days=decision.suspend_days or 0)
        if author.suspended_until is not None and author.suspended_until <= end + timedelta(
            minutes=1
        ):
            author.suspended_until = None
    author.save(update_fields=["strikes", "suspended_until"])
    return {
        "author": author.pk,
        "strikes": author.strikes,
        "suspended_until": author.suspended_until,
    }
