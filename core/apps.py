from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        import logging

        from django.core.signals import got_request_exception

        from core import checks  # noqa: F401 - registers the system checks
        from core.observability.middleware import database_error_mark
        from core.observability.multiprocess import metrics_dir_prepare

        # Before any metric exists, and so that processes started from this one share it.
        metrics_dir_prepare()
        # Python warnings become log lines in LOGGING's shape (JSON lines in production).
        logging.captureWarnings(True)
        got_request_exception.connect(
            database_error_mark, dispatch_uid="tandem.observability.database_error"
        )

        # The audit log names core's own objects; the apps add theirs (see audit_objects).
        from core.selectors.audit_objects import (
            audit_object_resolver_register,
            audit_objects_of_api_tokens,
            audit_objects_of_users,
        )

        audit_object_resolver_register(object_type="auth.user", resolver=audit_objects_of_users)
        audit_object_resolver_register(
            object_type="core.api_token", resolver=audit_objects_of_api_tokens
        )
