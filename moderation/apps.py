from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "moderation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # core imports no app: moderation tells the audit log who may read a policy's events.
        from core.selectors.audit import audit_scope_resolver_register
        from core.selectors.audit_objects import audit_object_resolver_register
        from moderation.selectors.access import audit_scopes_of_policies
        from moderation.selectors.audit_objects import AUDIT_OBJECT_RESOLVERS

        audit_scope_resolver_register(audit_scopes_of_policies)
        for object_type, resolver in AUDIT_OBJECT_RESOLVERS.items():
            audit_object_resolver_register(object_type=object_type, resolver=resolver)

        # ... nor do its metrics and readiness probe: moderation adds its own.
        from core.observability.health import readiness_check_register
        from core.observability.metrics import gauge_source_register
        from moderation.selectors.metrics import review_queue_gauges, webhook_backlog_gauges
        from moderation.services.warmup import intake_models_readiness

        gauge_source_register("review_queue", review_queue_gauges)
        gauge_source_register("webhooks", webhook_backlog_gauges)
        readiness_check_register("models", intake_models_readiness)

        # ... and labeling's dataset snapshots include automatic decisions only through this.
        from labeling.services.datasets.automatic import automatic_decision_provider_register
        from moderation.services.dataset_labels import PROVIDER

        automatic_decision_provider_register(PROVIDER)

        # ... and its drift alarms reach platforms' webhooks only through this.
        from labeling.services.drift import drift_alarm_listener_register
        from moderation.services.drift_webhooks import drift_alarm_webhooks

        drift_alarm_listener_register(drift_alarm_webhooks)
