"""Celery tasks of moderation: webhook deliveries (``webhooks`` queue) and the review queue's
periodic priority refresh. Tasks take ids and call one service."""

from celery import shared_task


@shared_task(
    name="moderation.tasks.webhook_deliver", ignore_result=True, soft_time_limit=50, time_limit=60
)
def webhook_deliver(delivery_id: int) -> None:
    """One attempt at a webhook delivery; schedules the next after the backoff wait if it
    failed and attempts remain (the wait and the attempt count live on the delivery row, so a
    lost message loses no attempt history)."""
    from moderation.services.webhooks import webhook_attempt

    wait = webhook_attempt(delivery_id=delivery_id)
    if wait is not None:
        webhook_deliver.apply_async((delivery_id,), countdown=wait)


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
