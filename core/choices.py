"""Enumerations of core, used by its models, API and the generated frontend types."""

from django.db import models


class AuditObjectPage(models.TextChoices):
    """The page of the single-page app that shows an audit event's object."""

    PROJECT = "project", "Project overview"
    ITEM = "item", "Item (labeling item, or the item of moderated content)"
    MEMBERS = "members", "Project members"
    MODELS = "models", "Project models"
    POLICY = "policy", "Moderation policy"
    PLATFORM = "platform", "Platform"
    USERS = "users", "Users"


class AuditObjectState(models.TextChoices):
    PRESENT = "present", "The object exists"
    DELETED = "deleted", "The object has been deleted"
    UNKNOWN = "unknown", "No app describes objects of this type"


class AuditExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    JSONL = "jsonl", "JSON Lines"
