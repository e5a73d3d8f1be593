from django.urls import include, path

# Platform-facing routes (API keys) live under /api/v1/platform/, people's under
# /api/v1/moderation/. Each part of the app keeps its own list.
urlpatterns = [
    path("", include("moderation.api.intake_urls")),
    path("", include("moderation.api.review_urls")),
]
