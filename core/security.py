"""Security headers on every response: the SPA, the API, errors, static files, downloads.

The Content-Security-Policy allows what each part of the site actually loads and nothing else:

- the SPA and the API: scripts, styles, images, fonts and requests from this origin only (no
  inline script or style, no eval, no plugins); ``data:`` images for the SPA's empty favicon;
- ``/api/docs/`` (Redoc): its script from this origin, inline styles (Redoc renders with
  styled-components, which writes ``<style>`` elements) and a ``blob:`` web worker (its search);
- ``/admin/``: Django's admin sets a few inline ``style`` attributes.

Everywhere: no framing (``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``), no ``<base>``,
forms post only here. A response that brings its own policy keeps it: stored files are served
with a ``sandbox`` policy (``core.files.file_response``).
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

_COMMON = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def _policy(**overrides: str) -> str:
    directives = {**_COMMON, **{k.replace("_", "-"): v for k, v in overrides.items()}}
    return "; ".join(f"{name} {value}" for name, value in directives.items())


CSP_DEFAULT = _policy()
CSP_API_DOCS = _policy(style_src="'self' 'unsafe-inline'", worker_src="'self' blob:")
CSP_ADMIN = _policy(style_src="'self' 'unsafe-inline'")
# (path prefix, policy): the first that matches wins.
CSP_BY_PATH = (
    ("/api/docs/", CSP_API_DOCS),
    ("/admin/", CSP_ADMIN),
)

# Powerful browser features nothing in Tandem uses are off for every page.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)

STATIC_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
}


def content_security_policy(path: str) -> str:
    for prefix, policy in CSP_BY_PATH:
        if path.startswith(prefix):
            return policy
    return CSP_DEFAULT


class SecurityHeadersMiddleware:
    """Sets the headers above on every response. Listed first in ``MIDDLEWARE``, so it also
    sees the responses other middleware answer by themselves (static files, errors)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = content_security_policy(request.path)
        for header, value in STATIC_HEADERS.items():
            response[header] = value
        return response
