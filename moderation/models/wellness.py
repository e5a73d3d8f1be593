"""Reviewer wellness: how the review panel shows content to each moderator (organisation
defaults, each person's own overrides), and how much graphic content they have been shown."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from moderation.choices import BlurStrength, BreakAction, RevealKind

# Break reminders: at most every eight hours of active time on graphic content.
BREAK_MINUTES_MAX = 480


class WellnessDefaults(models.Model):
    """The organisation's defaults (one row, pk 1), set by site staff. A moderator's own value
    in ``WellnessSettings`` wins over these; a null there follows them."""

    blur = models.CharField(max_length=8, choices=BlurStrength.choices, default=BlurStrength.LIGHT)
    grayscale = models.BooleanField(default=False)
    sepia = models.BooleanField(default=False)
    hide_flagged_terms = models.BooleanField(default=False)
    mute_media = models.BooleanField(default=True)
    # Minutes of active time on graphic content before a break reminder; 0 = no reminders.
    break_reminder_minutes = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(BREAK_MINUTES_MAX)]
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "wellness defaults"

    def __str__(self) -> str:
        return "Wellness defaults"


class WellnessSettings(models.Model):
    """A person's own wellness settings: each field null follows the organisation's default."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wellness_settings"
    )
    blur = models.CharField(max_length=8, choices=BlurStrength.choices, null=True, blank=True)
    grayscale = models.BooleanField(null=True, blank=True)
    sepia = models.BooleanField(null=True, blank=True)
    hide_flagged_terms = models.BooleanField(null=True, blank=True)
    mute_media = models.BooleanField(null=True, blank=True)
    break_reminder_minutes = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(BREAK_MINUTES_MAX)],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "wellness settings"

    def __str__(self) -> str:
        return f"Wellness settings of {self.user}"


class ExposureEvent(models.Model):
    """A moderator was shown graphic content (revealed its image or its flagged text): one row
    per person, content and day, however often they reveal it that day."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    content = models.ForeignKey(
        "moderation.Content", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # The day in the server's time zone (settings.TIME_ZONE) when it was first revealed.
    day = models.DateField()
    kind = models.CharField(max_length=8, choices=RevealKind.choices)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-day", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "day", "content"], name="exposure_unique_per_day"
            ),
        ]
        indexes = [models.Index(fields=["day", "user"], name="exposure_day_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} saw {self.content_id} on {self.day}"


class WellnessBreak(models.Model):
    """A break reminder the moderator answered: dismissed it, or took a break."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=12, choices=BreakAction.choices)
    # Active seconds on graphic content since the last reminder, as the browser counted them.
    graphic_seconds = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.action} at {self.created_at}"
