from moderation.models.content import Author, Content, Report
from moderation.models.decision import Appeal, Decision, HashEntry
from moderation.models.investigation import BulkAction, BulkActionItem
from moderation.models.platform import Platform, PlatformApiKey, WebhookDelivery, WebhookEndpoint
from moderation.models.policy import Policy, PolicyCategory, PolicyGrant, ReasonCode
from moderation.models.quality import GoldItem, QualitySettings, QualityTask
from moderation.models.rules import Rule, RuleBacktest, RuleHitLog, TextBank
from moderation.models.strikes import AuthorSanction, Strike
from moderation.models.wellness import (
    ExposureEvent,
    WellnessBreak,
    WellnessDefaults,
    WellnessSettings,
)

__all__ = [
    "Appeal",
    "Author",
    "AuthorSanction",
    "BulkAction",
    "BulkActionItem",
    "Content",
    "Decision",
    "ExposureEvent",
    "GoldItem",
    "HashEntry",
    "Platform",
    "PlatformApiKey",
    "Policy",
    "PolicyCategory",
    "PolicyGrant",
    "QualitySettings",
    "QualityTask",
    "ReasonCode",
    "Report",
    "Rule",
    "RuleBacktest",
    "RuleHitLog",
    "Strike",
    "TextBank",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WellnessBreak",
    "WellnessDefaults",
    "WellnessSettings",
]
