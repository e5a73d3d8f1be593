"""Reviewer wellness: settings, organisation defaults, exposure counts, break reminders."""

from rest_framework import serializers

from moderation.choices import BlurStrength, BreakAction, RevealKind
from moderation.models.wellness import BREAK_MINUTES_MAX
from moderation.selectors.wellness import WELLNESS_FIELDS

BLUR_HELP = (
    "How much images are blurred in the review panel: over the server's blurred thumbnail, and "
    "over a revealed image until the pointer rests on it."
)
BREAK_HELP = (
    "Minutes of active time on graphic content before a break reminder; 0 turns reminders off."
)


class _StrictInput(serializers.Serializer):
    """Refuses fields it does not know (a typo must not be silently ignored)."""

    def validate(self, attrs):
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({unknown[0]: ["Unknown field."]})
        return attrs

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError(
                {"non_field_errors": ["Expected a JSON object of settings."]}
            )
        return super().to_internal_value(data)


class WellnessValuesSerializer(serializers.Serializer):
    blur = serializers.ChoiceField(choices=BlurStrength.choices, help_text=BLUR_HELP)
    grayscale = serializers.BooleanField()
    sepia = serializers.BooleanField()
    hide_flagged_terms = serializers.BooleanField(
        help_text="Mask the words that rules flagged in a text until the moderator reveals them."
    )
    mute_media = serializers.BooleanField(help_text="Start video and audio muted.")
    break_reminder_minutes = serializers.IntegerField(
        min_value=0, max_value=BREAK_MINUTES_MAX, help_text=BREAK_HELP
    )


class WellnessOwnSerializer(serializers.Serializer):
    """A person's own values; null follows the organisation's default."""

    blur = serializers.ChoiceField(choices=BlurStrength.choices, allow_null=True)
    grayscale = serializers.BooleanField(allow_null=True)
    sepia = serializers.BooleanField(allow_null=True)
    hide_flagged_terms = serializers.BooleanField(allow_null=True)
    mute_media = serializers.BooleanField(allow_null=True)
    break_reminder_minutes = serializers.IntegerField(
        min_value=0, max_value=BREAK_MINUTES_MAX, allow_null=True
    )


class WellnessSerializer(serializers.Serializer):
    effective = WellnessValuesSerializer(help_text="What the review panel applies.")
    own = WellnessOwnSerializer(help_text="Your own values; null follows the default.")
    defaults = WellnessValuesSerializer(help_text="The organisation's defaults.")


class WellnessSettingsInputSerializer(_StrictInput, WellnessOwnSerializer):
    """Any of the settings; null goes back to the organisation's default."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in WELLNESS_FIELDS:
            self.fields[name].required = False


class WellnessDefaultsInputSerializer(_StrictInput, WellnessValuesSerializer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in WELLNESS_FIELDS:
            self.fields[name].required = False


class WellnessDefaultsSerializer(WellnessValuesSerializer):
    updated_by = serializers.CharField(source="updated_by.username", default=None, allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)


class ExposureDaySerializer(serializers.Serializer):
    day = serializers.DateField()
    count = serializers.IntegerField()


class ExposureSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    username = serializers.CharField()
    day = serializers.DateField(help_text="Today, in the server's time zone.")
    today = serializers.IntegerField(
        help_text="Graphic contents revealed today (each content once a day)."
    )
    last_7_days = serializers.IntegerField(help_text="The same over the last seven days.")
    days = ExposureDaySerializer(many=True, help_text="Per day of the last seven, oldest first.")
    breaks_today = serializers.IntegerField(help_text="Break reminders answered today.")


class ExposureFilterSerializer(serializers.Serializer):
    user = serializers.IntegerField(
        required=False, min_value=1, help_text="Another moderator's id (managers only)."
    )


class RevealInputSerializer(_StrictInput):
    kind = serializers.ChoiceField(
        choices=[(RevealKind.TEXT.value, RevealKind.TEXT.label)],
        help_text="What was revealed (images are recorded by fetching them through image/).",
    )


class RevealOutputSerializer(serializers.Serializer):
    counted = serializers.BooleanField(
        help_text="Whether this reveal added to today's exposure (graphic content, first time "
        "today)."
    )
    graphic = serializers.BooleanField()


class BreakInputSerializer(_StrictInput):
    action = serializers.ChoiceField(choices=BreakAction.choices)
    graphic_seconds = serializers.IntegerField(
        min_value=0,
        max_value=7 * 24 * 3600,
        default=0,
        help_text="Active seconds on graphic content since the last reminder.",
    )


class BreakSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    action = serializers.CharField()
    graphic_seconds = serializers.IntegerField()
    created_at = serializers.DateTimeField()
