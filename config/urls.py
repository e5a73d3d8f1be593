from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

from core.views import media_gone, spa_index

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularRedocView.as_view(url_name="schema"), name="api-docs"),
    # Stored files are private: each is fetched through an API endpoint that checks the
    # caller's role (core.files). The old public /media/ paths answer 404, never a file.
    re_path(r"^media/", media_gone, name="media-gone"),
    # Everything else is the single-page app; its router decides what to show.
    re_path(r"^(?!api/|admin/|static/|media/).*$", spa_index, name="spa"),
]
