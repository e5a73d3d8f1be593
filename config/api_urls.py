from django.urls import include, path

urlpatterns = [
    path("", include("core.api.urls")),
    path("", include("labeling.api.urls")),
    path("", include("moderation.api.urls")),
]
