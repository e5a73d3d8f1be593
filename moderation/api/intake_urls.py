from django.urls import path

from moderation.api import admin_views, intake_views

urlpatterns = [
    # Platforms, with API keys (Authorization: Bearer <key>).
    path("platform/intake/", intake_views.IntakeApi.as_view(), name="platform-intake"),
    path(
        "platform/intake/batch/",
        intake_views.IntakeBatchApi.as_view(),
        name="platform-intake-batch",
    ),
    path("platform/reports/", intake_views.ReportCreateApi.as_view(), name="platform-reports"),
    path(
        "platform/contents/<str:external_id>/",
        intake_views.ContentStatusApi.as_view(),
        name="platform-content-detail",
    ),
    # People (session / token).
    path(
        "moderation/platforms/",
        admin_views.PlatformListCreateApi.as_view(),
        name="moderation-platforms",
    ),
    path(
        "moderation/platforms/<int:platform_id>/keys/",
        admin_views.ApiKeyListCreateApi.as_view(),
        name="moderation-platform-keys",
    ),
    path(
        "moderation/platforms/<int:platform_id>/keys/<int:key_id>/revoke/",
        admin_views.ApiKeyRevokeApi.as_view(),
        name="moderation-platform-key-revoke",
    ),
    path(
        "moderation/platforms/<int:platform_id>/grants/",
        admin_views.PlatformGrantListApi.as_view(),
        name="moderation-platform-grants",
    ),
    path(
        "moderation/platforms/<int:platform_id>/grants/<int:policy_id>/",
        admin_views.PlatformGrantApi.as_view(),
        name="moderation-platform-grant",
    ),
    path(
        "moderation/policies/",
        admin_views.PolicyListCreateApi.as_view(),
        name="moderation-policies",
    ),
    path(
        "moderation/policies/<int:policy_id>/",
        admin_views.PolicyDetailApi.as_view(),
        name="moderation-policy-detail",
    ),
    path(
        "moderation/policies/<int:policy_id>/hashes/",
        admin_views.HashEntryListImportApi.as_view(),
        name="moderation-policy-hashes",
    ),
]
