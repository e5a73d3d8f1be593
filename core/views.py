from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import ensure_csrf_cookie


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
