"""Laptop defaults: SQLite and a filesystem broker under ``var/``, debug on, loopback only.

Never the default: ``make run`` (and the benchmarks) set ``DJANGO_SETTINGS_MODULE`` to this
module themselves. Nothing here may reach another machine: ``runserver`` and ``runtandem``
refuse to bind anything but a loopback address, and a request from another address gets 403.
"""

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F403
from config.settings.base import LOG_FORMATS, LOGGING, env

DEBUG = env.bool("DEBUG", default=True)
# A development-only key; production settings refuse to start without SECRET_KEY.
SECRET_KEY = env.str("SECRET_KEY", default="tandem-local-development-key-not-for-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
TANDEM_LOOPBACK_ONLY = True

# `make run`'s console is read by a person: plain lines (time, level, logger, [request id],
# message) read faster than JSON objects. TANDEM_LOG_FORMAT=json switches to production's.
TANDEM_LOG_FORMAT = env.str("TANDEM_LOG_FORMAT", default="plain")
if TANDEM_LOG_FORMAT not in LOG_FORMATS:
    raise ImproperlyConfigured(f"TANDEM_LOG_FORMAT is json or plain, not {TANDEM_LOG_FORMAT!r}")
LOGGING["handlers"]["console"]["formatter"] = TANDEM_LOG_FORMAT
