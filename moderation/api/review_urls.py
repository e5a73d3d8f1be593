from django.urls import path

from moderation.api import review_views as views

urlpatterns = [
    path("moderation/queue/", views.ReviewQueueListApi.as_view(), name="moderation-queue"),
    path(
        "moderation/queue/next/", views.ReviewQueueNextApi.as_view(), name="moderation-queue-next"
    ),
    path(
        "moderation/contents/<int:content_id>/",
        views.ContentDetailApi.as_view(),
        name="moderation-content-detail",
    ),
    path(
        "moderation/contents/<int:content_id>/image/",
        views.ContentImageApi.as_view(),
        name="moderation-content-image",
    ),
    path(
        "moderation/contents/<int:content_id>/blurred/",
        views.ContentBlurredThumbnailApi.as_view(),
        name="moderation-content-blurred",
    ),
    path(
        "moderation/contents/<int:content_id>/renew/",
        views.ContentRenewApi.as_view(),
        name="moderation-content-renew",
    ),
    path(
        "moderation/contents/<int:content_id>/release/",
        views.ContentReleaseApi.as_view(),
        name="moderation-content-release",
    ),
    path(
        "moderation/contents/<int:content_id>/reassign/",
        views.ContentReassignApi.as_view(),
        name="moderation-content-reassign",
    ),
    path(
        "moderation/contents/<int:content_id>/decide/",
        views.ContentDecideApi.as_view(),
        name="moderation-content-decide",
    ),
    path("moderation/appeals/", views.AppealListApi.as_view(), name="moderation-appeals"),
    path(
        "moderation/appeals/<int:appeal_id>/decide/",
        views.AppealDecideApi.as_view(),
        name="moderation-appeal-decide",
    ),
    path(
        "moderation/platforms/<int:platform_id>/webhooks/",
        views.WebhookEndpointListCreateApi.as_view(),
        name="moderation-platform-webhooks",
    ),
    path(
        "moderation/webhooks/<int:endpoint_id>/deliveries/",
        views.WebhookDeliveryListApi.as_view(),
        name="moderation-webhook-deliveries",
    ),
    path("platform/appeals/", views.PlatformAppealCreateApi.as_view(), name="platform-appeals"),
]
