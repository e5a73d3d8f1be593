from django.apps import AppConfig


class LabelingConfig(AppConfig):
    name = "labeling"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # core imports no app: labeling tells the audit log who may read a project's events.
        from core.selectors.audit import audit_scope_resolver_register
        from labeling.selectors.audit import audit_scopes_of_projects

        audit_scope_resolver_register(audit_scopes_of_projects)
