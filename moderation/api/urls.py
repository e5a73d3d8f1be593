"""Moderation's routes: platforms' (API keys) under /api/v1/platform/, people's under
/api/v1/moderation/. Grouped by resource, each served by ``<resource>_views``."""

from django.urls import path

from moderation.api import (
    appeal_views,
    author_views,
    grant_views,
    hashbank_views,
    intake_views,
    platform_views,
    policy_views,
    report_views,
    review_views,
    rule_views,
    search_views,
    webhook_views,
    wellness_views,
)

urlpatterns = [
    # --- platforms, with API keys (Authorization: Bearer <key>) ------------------------------
    path("platform/intake/", intake_views.IntakeApi.as_view(), name="platform-intake"),
    path(
        "platform/intake/batch/",
        intake_views.IntakeBatchApi.as_view(),
        name="platform-intake-batch",
    ),
    path(
        "platform/contents/<str:external_id>/",
        intake_views.ContentStatusApi.as_view(),
        name="platform-content-detail",
    ),
    path(
        "platform/authors/<str:external_id>/",
        author_views.PlatformAuthorRecordApi.as_view(),
        name="platform-author-detail",
    ),
    path("platform/reports/", report_views.ReportCreateApi.as_view(), name="platform-reports"),
    path(
        "platform/appeals/",
        appeal_views.PlatformAppealCreateApi.as_view(),
        name="platform-appeals",
    ),
    # --- people (session / token): platforms and their keys ----------------------------------
    path(
        "moderation/platforms/",
        platform_views.PlatformListCreateApi.as_view(),
        name="moderation-platforms",
    ),
    path(
        "moderation/platforms/<int:platform_id>/keys/",
        platform_views.ApiKeyListCreateApi.as_view(),
        name="moderation-platform-keys",
    ),
    path(
        "moderation/platforms/<int:platform_id>/keys/<int:key_id>/revoke/",
        platform_views.ApiKeyRevokeApi.as_view(),
        name="moderation-platform-key-revoke",
    ),
    # --- policy grants ---------------------------------------------------------------------------
    path(
        "moderation/platforms/<int:platform_id>/grants/",
        grant_views.PlatformGrantListApi.as_view(),
        name="moderation-platform-grants",
    ),
    path(
        "moderation/platforms/<int:platform_id>/grants/<int:policy_id>/",
        grant_views.PlatformGrantApi.as_view(),
        name="moderation-platform-grant",
    ),
    # --- webhooks --------------------------------------------------------------------------------
    path(
        "moderation/platforms/<int:platform_id>/webhooks/",
        webhook_views.WebhookEndpointListCreateApi.as_view(),
        name="moderation-platform-webhooks",
    ),
    path(
        "moderation/webhooks/<int:endpoint_id>/deliveries/",
        webhook_views.WebhookDeliveryListApi.as_view(),
        name="moderation-webhook-deliveries",
    ),
    # --- policies and their hash banks -----------------------------------------------------------
    path(
        "moderation/policies/",
        policy_views.PolicyListCreateApi.as_view(),
        name="moderation-policies",
    ),
    path(
        "moderation/policies/<int:policy_id>/",
        policy_views.PolicyDetailApi.as_view(),
        name="moderation-policy-detail",
    ),
    path(
        "moderation/policies/<int:policy_id>/rules/",
        rule_views.RuleListCreateApi.as_view(),
        name="moderation-policy-rules",
    ),
    path(
        "moderation/rules/<int:rule_id>/",
        rule_views.RuleDetailApi.as_view(),
        name="moderation-rule",
    ),
    path(
        "moderation/policies/<int:policy_id>/backtests/",
        rule_views.BacktestListCreateApi.as_view(),
        name="moderation-policy-backtests",
    ),
    path(
        "moderation/backtests/<int:backtest_id>/",
        rule_views.BacktestDetailApi.as_view(),
        name="moderation-backtest",
    ),
    path(
        "moderation/policies/<int:policy_id>/text-banks/",
        rule_views.TextBankListCreateApi.as_view(),
        name="moderation-policy-text-banks",
    ),
    path(
        "moderation/text-banks/<int:bank_id>/",
        rule_views.TextBankDetailApi.as_view(),
        name="moderation-text-bank",
    ),
    path(
        "moderation/policies/<int:policy_id>/hashes/",
        hashbank_views.HashEntryListImportApi.as_view(),
        name="moderation-policy-hashes",
    ),
    # --- review: the queue, contents, decisions ----------------------------------------------
    path("moderation/queue/", review_views.ReviewQueueListApi.as_view(), name="moderation-queue"),
    path(
        "moderation/queue/next/",
        review_views.ReviewQueueNextApi.as_view(),
        name="moderation-queue-next",
    ),
    path(
        "moderation/contents/<int:content_id>/",
        review_views.ContentDetailApi.as_view(),
        name="moderation-content-detail",
    ),
    path(
        "moderation/contents/<int:content_id>/image/",
        review_views.ContentImageApi.as_view(),
        name="moderation-content-image",
    ),
    path(
        "moderation/contents/<int:content_id>/blurred/",
        review_views.ContentBlurredThumbnailApi.as_view(),
        name="moderation-content-blurred",
    ),
    path(
        "moderation/contents/<int:content_id>/renew/",
        review_views.ContentRenewApi.as_view(),
        name="moderation-content-renew",
    ),
    path(
        "moderation/contents/<int:content_id>/release/",
        review_views.ContentReleaseApi.as_view(),
        name="moderation-content-release",
    ),
    path(
        "moderation/contents/<int:content_id>/reassign/",
        review_views.ContentReassignApi.as_view(),
        name="moderation-content-reassign",
    ),
    path(
        "moderation/contents/<int:content_id>/decide/",
        review_views.ContentDecideApi.as_view(),
        name="moderation-content-decide",
    ),
    # --- investigation: search and bulk actions ----------------------------------------------
    path("moderation/search/", search_views.ContentSearchApi.as_view(), name="moderation-search"),
    path(
        "moderation/bulk-actions/",
        search_views.BulkActionCreateApi.as_view(),
        name="moderation-bulk-actions",
    ),
    path(
        "moderation/bulk-actions/<int:bulk_action_id>/",
        search_views.BulkActionDetailApi.as_view(),
        name="moderation-bulk-action",
    ),
    # --- authors: strikes and actions ------------------------------------------------------------
    path(
        "moderation/authors/<int:author_id>/",
        author_views.AuthorRecordApi.as_view(),
        name="moderation-author-detail",
    ),
    path(
        "moderation/contents/<int:content_id>/reveal/",
        wellness_views.ContentRevealApi.as_view(),
        name="moderation-content-reveal",
    ),
    # --- reviewer wellness -----------------------------------------------------------------------
    path(
        "moderation/wellness/me/",
        wellness_views.WellnessSettingsApi.as_view(),
        name="moderation-wellness-me",
    ),
    path(
        "moderation/wellness/me/reset/",
        wellness_views.WellnessSettingsResetApi.as_view(),
        name="moderation-wellness-me-reset",
    ),
    path(
        "moderation/wellness/defaults/",
        wellness_views.WellnessDefaultsApi.as_view(),
        name="moderation-wellness-defaults",
    ),
    path(
        "moderation/wellness/exposure/",
        wellness_views.ExposureApi.as_view(),
        name="moderation-wellness-exposure",
    ),
    path(
        "moderation/wellness/exposure/moderators/",
        wellness_views.ExposureModeratorsApi.as_view(),
        name="moderation-wellness-exposure-moderators",
    ),
    path(
        "moderation/wellness/breaks/",
        wellness_views.WellnessBreakApi.as_view(),
        name="moderation-wellness-breaks",
    ),
    # --- appeals ---------------------------------------------------------------------------------
    path("moderation/appeals/", appeal_views.AppealListApi.as_view(), name="moderation-appeals"),
    path(
        "moderation/appeals/<int:appeal_id>/decide/",
        appeal_views.AppealDecideApi.as_view(),
        name="moderation-appeal-decide",
    ),
]
