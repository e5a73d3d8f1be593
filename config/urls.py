from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

from core.views import media_gone, spa_index

urlpatterns = [
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularRedocView.as_view(url_name="schema"), name="api-docs"),
    # Stored files are private: each is fetched through an API endpoint that checks the
    # caller's role (core.files). The old public /media/ paths answer 404, never a file.
    re_path(r"^media/", media_gone, name="media-gone"),
    # Everything else is the single-page app; its router decides what to show. admin/ is
    # never the SPA: with the admin off, /admin/ is a plain 404. The probes and /metrics are
    # answered by core.observability's middleware; paths under them are not the SPA's either.
    re_path(
        r"^(?!(?:api|admin|static|media|healthz|readyz|metrics)(?:/|$)).*$",
        spa_index,
        name="spa",
    ),
]
if settings.TANDEM_ADMIN_ENABLED:
    # Off by default: one more login form and a second way into every object is attack
    # surface most installs never use. Its login is throttled like the API's.
    urlpatterns.insert(0, path("admin/", admin.site.urls))

# Under /api/ these answer with the API's JSON error body; elsewhere with Django's pages.
handler400 = "core.errors.bad_request"
handler403 = "core.errors.permission_denied"
handler404 = "core.errors.page_not_found"
handler500 = "core.errors.server_error"
