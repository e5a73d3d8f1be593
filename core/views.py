from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import ensure_csrf_cookie

from core.exceptions import error_response


def media_gone(request: HttpRequest) -> HttpResponse:
    """Files are not served from public paths any more: a JSON 404 that says where they are."""
    return error_response(
        "Not found. Stored files are fetched through the API (an item's image/ or thumbnail/, "
        "an import's file/, a model version's artifact/), which checks who is asking.",
        status=404,
    )


@ensure_csrf_cookie
def spa_index(request: HttpRequest) -> HttpResponse:
    """Serve the built single-page app; its client-side router handles the path."""
    index = settings.FRONTEND_DIST / "index.html"
    if not index.is_file():
        return HttpResponse(
            "<!doctype html><title>Tandem</title><p>The frontend is not built yet. Run "
            "<code>make run</code> (or <code>npm --prefix frontend run build</code>).</p>",
            status=503,
        )
    return HttpResponse(index.read_bytes(), content_type="text/html; charset=utf-8")
