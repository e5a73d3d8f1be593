"""Celery tasks of moderation: webhook deliveries (``webhooks`` queue) and the review queue's
periodic priority refresh. Tasks take ids and call one service."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

# The claim lease of a delivery (TANDEM_WEBHOOK_CLAIM_SECONDS, 120 s by default) must outlast
# these limits: a claim still held then belongs to a sender that may still be working.
WEBHOOK_SOFT_TIME_LIMIT = 50
WEBHOOK_TIME_LIMIT = 60


@shared_task(
    name="moderation.tasks.webhook_deliver",
    ignore_result=True,
    soft_time_limit=WEBHOOK_SOFT_TIME_LIMIT,
    time_limit=WEBHOOK_TIME_LIMIT,
)
def webhook_deliver(delivery_id: int) -> None:
    """One attempt at a webhook delivery, sent after the decision commits; schedules the next
    after the backoff wait if it failed and attempts remain. The wait, the attempt count and
    the due time live on the delivery row: when this message (or the retry's) is lost, the
    periodic ``webhook_send_due`` sends the row once it is due."""
    from core.tasks import enqueue
    from moderation.services.webhooks import webhook_attempt

    try:
        wait = webhook_attempt(delivery_id=delivery_id)
    except SoftTimeLimitExceeded:
        return  # the attempt is logged and rescheduled; the periodic sender retries it
    if wait is not None:
        enqueue(webhook_deliver, delivery_id, countdown=wait)


@shared_task(
    name="moderation.tasks.webhook_send_due",
    ignore_result=True,
    soft_time_limit=WEBHOOK_SOFT_TIME_LIMIT,
    time_limit=WEBHOOK_TIME_LIMIT,
)
def webhook_send_due() -> int:
    """Periodic (beat, every 15 s): send every webhook delivery that is due (the outbox
    sweep). Returns the number of attempts made."""
    from moderation.services.webhooks import webhook_send_due as send_due

    try:
        return send_due()
    except SoftTimeLimitExceeded:
        return 0  # a slow receiver used up this run; its attempt is logged, the next run goes on


@shared_task(
    name="moderation.tasks.review_priorities_refresh",
    ignore_result=True,
    soft_time_limit=50,
    time_limit=55,
)
def review_priorities_refresh() -> int:
    """Recompute the priority of open content (its age moved on)."""
    from moderation.services.review import review_priorities_refresh as refresh

    return refresh()


@shared_task(name="moderation.tasks.rule_backtest_run_task", acks_late=True)
def rule_backtest_run_task(backtest_id: int) -> dict[str, int | str | None]:
    """Run one queued rule backtest. Safe to run twice: a finished backtest is left alone."""
    from moderation.services.backtests import backtest_run

    backtest = backtest_run(backtest_id=backtest_id)
    return {"backtest": backtest_id, "state": backtest.state if backtest else None}


@shared_task(name="moderation.tasks.bulk_action_run_task", acks_late=True)
def bulk_action_run_task(bulk_action_id: int) -> dict[str, int | str | None]:
    """Run one bulk action. Safe to run twice: contents done are skipped, a finished bulk
    action is left alone."""
    from moderation.services.bulk_actions import bulk_action_run

    bulk = bulk_action_run(bulk_action_id=bulk_action_id)
    return {"bulk_action": bulk_action_id, "state": bulk.state if bulk else None}
