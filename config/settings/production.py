"""Production: no defaults for secrets or hosts, secure cookies and headers.

The default settings module of every entry point (``manage.py``, ``config.wsgi``, the Celery
app): a process started without ``DJANGO_SETTINGS_MODULE`` runs these, and stops with a clear
message when ``SECRET_KEY`` or ``ALLOWED_HOSTS`` is missing.
"""

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F403
from config.settings.base import env

# What to do instead, for whoever started a process without meaning production.
_HINT = (
    " Tandem runs config.settings.production unless DJANGO_SETTINGS_MODULE says otherwise; "
    "on a laptop use `make run`, or DJANGO_SETTINGS_MODULE=config.settings.local."
)

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set in production (a long random string)." + _HINT
    )
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS must be set in production (comma-separated hosts)." + _HINT
    )

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 30)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
