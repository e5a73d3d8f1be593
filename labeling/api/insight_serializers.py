"""Shapes of the agreement, adjudication and dashboard endpoints (data owners' views)."""

from rest_framework import serializers

from labeling.api.file_urls import item_image_url, item_thumbnail_url
from labeling.models import Adjudication, Annotation, Item

# --- agreement ---------------------------------------------------------------------------------


class AgreementFiguresSerializer(serializers.Serializer):
    """Over items that two or more people labeled (each person's latest answer counts)."""

    items_compared = serializers.IntegerField()
    annotators = serializers.IntegerField(help_text="People who labeled the compared items.")
    percent_agreement = serializers.FloatField(
        allow_null=True, help_text="Share of pairs of people who gave an item the same labels."
    )
    cohen_kappa = serializers.FloatField(
        allow_null=True, help_text="Only when exactly two people labeled the compared items."
    )
    fleiss_kappa = serializers.FloatField(allow_null=True)
    krippendorff_alpha = serializers.FloatField(
        allow_null=True, help_text="Nominal; items may have different numbers of answers."
    )


class AnnotatorAgreementSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    username = serializers.CharField()
    annotations = serializers.IntegerField(help_text="Items this person labeled.")
    items_shared = serializers.IntegerField(help_text="... of which someone else labeled too.")
    kappa = serializers.FloatField(
        allow_null=True,
        help_text="Mean Cohen's kappa with each other person over the items both labeled "
        "(pairs sharing fewer than five items are left out).",
    )


class AgreementOutputSerializer(serializers.Serializer):
    project = AgreementFiguresSerializer()
    annotators = AnnotatorAgreementSerializer(many=True)


# --- adjudication ------------------------------------------------------------------------------


class AdjudicationItemSerializer(serializers.ModelSerializer):
    image_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = Item
        fields = ["id", "external_id", "text", "image_url", "thumbnail_url", "media_restricted"]
        read_only_fields = fields

    def get_image_url(self, item: Item) -> str | None:
        return item_image_url(item)

    def get_thumbnail_url(self, item: Item) -> str | None:
        return item_thumbnail_url(item)


class AdjudicationAnswerSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="annotator.username", read_only=True)
    labels = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Annotation
        fields = ["username", "labels", "created_at"]
        read_only_fields = fields


class GoldLabelSerializer(serializers.ModelSerializer):
    resolved_by = serializers.CharField(
        source="resolved_by.username", default=None, allow_null=True, read_only=True
    )
    labels = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Adjudication
        fields = ["labels", "resolved_by", "note", "updated_at"]
        read_only_fields = fields


class AdjudicationOutputSerializer(serializers.Serializer):
    item = AdjudicationItemSerializer()
    annotations = AdjudicationAnswerSerializer(
        many=True, help_text="Each person's latest answer, oldest first."
    )
    gold = GoldLabelSerializer(allow_null=True, help_text="The resolved label training uses.")


class AdjudicationFilterSerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=[("open", "open"), ("resolved", "resolved")],
        default="open",
        help_text="open: people disagree and no gold label yet (oldest item first); "
        "resolved: items with a gold label (most recently resolved first).",
    )


class AdjudicationResolveInputSerializer(serializers.Serializer):
    labels = serializers.ListField(
        child=serializers.CharField(max_length=100, allow_blank=True),
        allow_empty=True,
        max_length=100,
        help_text="Label class names: one, or several in a multilabel project.",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


# --- dashboard ---------------------------------------------------------------------------------


class DashboardQueueSerializer(serializers.Serializer):
    total_items = serializers.IntegerField()
    open_items = serializers.IntegerField(help_text="Still need annotations.")
    done_items = serializers.IntegerField(help_text="Have all the annotations they need.")
    leased_items = serializers.IntegerField(help_text="Held by someone right now.")
    audit_items = serializers.IntegerField()


class DashboardLabelCountSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field: DRF's metaclass takes it off the class
    count = serializers.IntegerField(
        help_text="Items that a person's annotation (any source but auto) gives this label."
    )


class DashboardAnnotatorSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    username = serializers.CharField()
    done_today = serializers.IntegerField()
    done_total = serializers.IntegerField()
    rate_per_hour = serializers.FloatField(
        allow_null=True,
        help_text="Today's annotations per hour since the first of them (null: none today).",
    )
    acceptance_rate = serializers.FloatField(
        allow_null=True, help_text="Accepted proposals / (accepted + corrected)."
    )
    kappa = serializers.FloatField(allow_null=True)


class DashboardAcceptanceDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    accepted = serializers.IntegerField()
    corrected = serializers.IntegerField()
    no_suggestion = serializers.IntegerField()
    acceptance_rate = serializers.FloatField(allow_null=True)


class DashboardThroughputDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    annotations = serializers.IntegerField()


class DashboardOutputSerializer(serializers.Serializer):
    queue = DashboardQueueSerializer()
    label_distribution = DashboardLabelCountSerializer(many=True)
    annotators = DashboardAnnotatorSerializer(many=True)
    acceptance_over_time = DashboardAcceptanceDaySerializer(
        many=True, help_text="The last 30 days, oldest first, in the server's time zone."
    )
    throughput = DashboardThroughputDaySerializer(many=True, help_text="People's annotations.")
    agreement = AgreementFiguresSerializer()
