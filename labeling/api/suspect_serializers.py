"""Shapes of the suspect-label endpoints: the ranked list, sending a batch, the summary."""

from rest_framework import serializers

from labeling.api.learning_serializers import TrainingJobOutputSerializer
from labeling.choices import DATA_ROLES, SuspectStatus
from labeling.models import SuspectLabel
from labeling.services.suspect_reviews import MAX_BATCH

# What the list shows of an item's text: enough to judge it; the item page has the rest.
TEXT_PREVIEW_CHARS = 1_000


class SuspectOutputSerializer(serializers.ModelSerializer):
    item = serializers.IntegerField(source="item_id", read_only=True)
    external_id = serializers.CharField(source="item.external_id", read_only=True)
    text = serializers.SerializerMethodField()
    given_label = serializers.SerializerMethodField(
        help_text="The judged label; null for members who may not see it while the item is out "
        "for a blind second opinion."
    )
    suggested_label = serializers.SerializerMethodField()
    annotator = serializers.CharField(
        source="annotator.username", default=None, allow_null=True, read_only=True
    )
    reviewer = serializers.CharField(
        source="reviewer.username", default=None, allow_null=True, read_only=True
    )

    class Meta:
        model = SuspectLabel
        fields = [
            "id",
            "item",
            "external_id",
            "text",
            "given_label",
            "suggested_label",
            "score",
            "suggested_probability",
            "rank",
            "status",
            "annotator",
            "sent_at",
            "reviewer",
            "review_labels",
            "reviewed_at",
            "created_at",
        ]
        read_only_fields = fields

    def _hidden(self, suspect: SuspectLabel) -> bool:
        # A member who might be handed the item must not see the first label (blind review).
        role = self.context.get("role")
        return suspect.status == SuspectStatus.SENT and role not in DATA_ROLES

    def get_text(self, suspect: SuspectLabel) -> str | None:
        text = suspect.item.text
        return None if text is None else text[:TEXT_PREVIEW_CHARS]

    def get_given_label(self, suspect: SuspectLabel) -> str | None:
        return None if self._hidden(suspect) else suspect.given_label

    def get_suggested_label(self, suspect: SuspectLabel) -> str | None:
        return None if self._hidden(suspect) else suspect.suggested_label


class SuspectFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=SuspectStatus.choices, required=False)


class SecondOpinionInputSerializer(serializers.Serializer):
    suspects = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        min_length=1,
        max_length=MAX_BATCH,
        help_text=f"Ids of open suspect labels (at most {MAX_BATCH}).",
    )


class SecondOpinionOutputSerializer(serializers.Serializer):
    sent = serializers.IntegerField()
    suspects = SuspectOutputSerializer(many=True)


class ClassErrorSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field: DRF's metaclass takes it off the class
    labels = serializers.IntegerField(help_text="People's labels of this class judged.")
    suspects = serializers.IntegerField()
    estimated_error_rate = serializers.FloatField(
        help_text="Off-diagonal share of the class's row of the calibrated confident joint."
    )
    threshold = serializers.FloatField()


class AnnotatorErrorSerializer(serializers.Serializer):
    annotator_id = serializers.IntegerField(allow_null=True)
    annotator = serializers.CharField()
    labels = serializers.IntegerField(help_text="Their labels among the judged items (support).")
    flagged = serializers.IntegerField()
    flagged_share = serializers.FloatField()


class LabelQualityOutputSerializer(serializers.Serializer):
    job = TrainingJobOutputSerializer(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    judged = serializers.IntegerField(allow_null=True)
    suspects = serializers.IntegerField(allow_null=True)
    estimated_error_rate = serializers.FloatField(allow_null=True)
    per_class = ClassErrorSerializer(many=True)
    per_annotator = AnnotatorErrorSerializer(many=True)
    status_counts = serializers.DictField(child=serializers.IntegerField())
