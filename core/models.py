from django.conf import settings
from django.db import models

from core.exceptions import ApplicationError


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ApplicationError("The audit log is append-only.", status_code=405)

    def delete(self):
        raise ApplicationError("The audit log is append-only.", status_code=405)


class AuditEvent(models.Model):
    """One line of the append-only audit log: who did what to which object, before and after.

    Written only through ``core.services.audit.audit_record``; the database refuses UPDATE and
    DELETE on this table (triggers in the migration), and no API edits or deletes it.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,  # the log outlives users; the name below keeps who it was
        related_name="+",
    )
    actor_name = models.CharField(max_length=150, blank=True, default="")
    # e.g. decision.create, appeal.decide, policy.update, hash.import, member.role, project.update
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64, blank=True, default="")
    # The project / policy the event belongs to, for filtering ("labeling.project:3").
    scope = models.CharField(max_length=64, blank=True, default="")
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="audit_recent_idx"),
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["scope", "-created_at"], name="audit_scope_idx"),
            models.Index(fields=["action", "-created_at"], name="audit_action_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_name or 'system'} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ApplicationError("The audit log is append-only.", status_code=405)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ApplicationError("The audit log is append-only.", status_code=405)


class ApiToken(models.Model):
    """A person's API token for scripts, sent as ``Authorization: Token <key>``.

    Only the SHA-256 of the key is kept (the key is random and long, so a fast hash is enough:
    nothing can be guessed from it), with its first characters to tell tokens apart. The key
    itself is shown once, when it is created. One token per person: creating a new one
    replaces the old.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_token"
    )
    key_hash = models.CharField(max_length=64, unique=True)  # SHA-256 hex of the whole key
    # The first characters of the key, shown to its owner to recognise it.
    prefix = models.CharField(max_length=16)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user} token {self.prefix}…"
