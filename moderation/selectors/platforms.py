from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from moderation.models import Platform, PlatformApiKey


def platform_list() -> QuerySet[Platform]:
    """Platforms by name, with how many live keys each has."""
    return (
        Platform.objects.select_related("created_by")
        .annotate(active_key_count=Count("api_keys", filter=Q(api_keys__revoked_at__isnull=True)))
        .order_by("name")
    )


def platform_get(*, platform_id: int) -> Platform:
    return get_object_or_404(Platform, pk=platform_id)


def api_key_list(*, platform: Platform) -> QuerySet[PlatformApiKey]:
    return PlatformApiKey.objects.filter(platform=platform).select_related("created_by")


def api_key_get(*, platform: Platform, key_id: int) -> PlatformApiKey:
    return get_object_or_404(PlatformApiKey, platform=platform, pk=key_id)
