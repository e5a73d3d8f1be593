"""Laptop defaults: SQLite and a filesystem broker under ``var/``, debug on, loopback only.

Never the default: ``make run`` (and the benchmarks) set ``DJANGO_SETTINGS_MODULE`` to this
module themselves. Nothing here may reach another machine: ``runserver`` and ``runtandem``
refuse to bind anything but a loopback address, and a request from another address gets 403.
"""

from config.settings.base import *  # noqa: F403
from config.settings.base import env

DEBUG = env.bool("DEBUG", default=True)
# A development-only key; production settings refuse to start without SECRET_KEY.
SECRET_KEY = env.str("SECRET_KEY", default="tandem-local-development-key-not-for-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
TANDEM_LOOPBACK_ONLY = True
