"""Laptop defaults: SQLite and a filesystem broker under ``var/``, debug on, loopback only."""

from config.settings.base import *  # noqa: F403
from config.settings.base import env

DEBUG = env.bool("DEBUG", default=True)
# A development-only key; production settings refuse to start without SECRET_KEY.
SECRET_KEY = env.str("SECRET_KEY", default="tandem-local-development-key-not-for-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
