"""Per-platform intake rate (``TANDEM_INTAKE_RATE``): every item counts, batch items too."""

from django.conf import settings
from rest_framework.throttling import BaseThrottle

from core.limits import rate_take


class IntakeRateThrottle(BaseThrottle):
    """Counts the items of an intake request against its platform's allowance; over it, 429
    with ``Retry-After`` and nothing stored. Keyed on the platform, whatever address the
    requests come from, and kept in the cache (Redis shares it between web hosts)."""

    def allow_request(self, request, view) -> bool:
        platform = getattr(request.user, "platform", None)
        if platform is None:
            return True  # not a platform key: authentication refuses the request
        amount = 1
        if getattr(view, "body_limit", "") == "intake_batch":
            items = request.data.get("items") if isinstance(request.data, dict) else None
            if not isinstance(items, list) or len(items) > settings.TANDEM_INTAKE_BATCH_MAX:
                return True  # refused by the view's validation, which stores nothing
            amount = max(1, len(items))
        rate_take(
            key=f"intake:platform:{platform.pk}",
            amount=amount,
            rate=settings.TANDEM_INTAKE_RATE,
            what="Intake for each platform",
            unit="items",
        )
        return True
