from django.apps import AppConfig


class LabelingConfig(AppConfig):
    name = "labeling"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # core imports no app: labeling tells the audit log who may read a project's events.
        from core.selectors.audit import audit_scope_resolver_register
        from core.selectors.audit_objects import audit_object_resolver_register
        from labeling.selectors.audit import AUDIT_OBJECT_RESOLVERS, audit_scopes_of_projects

        audit_scope_resolver_register(audit_scopes_of_projects)
        for object_type, resolver in AUDIT_OBJECT_RESOLVERS.items():
            audit_object_resolver_register(object_type=object_type, resolver=resolver)

        # ... nor do its metrics: labeling adds the annotation queue and embedding backlog.
        from core.observability.metrics import gauge_source_register
        from labeling.selectors.metrics import annotation_queue_gauges, embedding_backlog_gauges

        gauge_source_register("annotation_queue", annotation_queue_gauges)
        gauge_source_register("embedding_backlog", embedding_backlog_gauges)
