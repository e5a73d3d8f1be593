# Importing the Celery app here binds @shared_task to it in every process. config.celery sets
# the default settings module (production, like manage.py and config.wsgi): whichever entry
# point loads first, a process without DJANGO_SETTINGS_MODULE runs production settings.
from config.celery import app as celery_app

__all__ = ("celery_app",)
