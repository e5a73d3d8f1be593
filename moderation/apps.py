from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "moderation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # core imports no app: moderation tells the audit log who may read a policy's events.
        from core.selectors.audit import audit_scope_resolver_register
        from moderation.selectors.access import audit_scopes_of_policies

        audit_scope_resolver_register(audit_scopes_of_policies)
