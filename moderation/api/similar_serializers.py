from rest_framework import serializers

from moderation.selectors.similar import DEFAULT_LIMIT, MAX_LIMIT


class SimilarContentQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=DEFAULT_LIMIT)


class SimilarContentRowSerializer(serializers.Serializer):
    """A content near the one shown, with how near."""

    id = serializers.IntegerField(source="content.id")
    external_id = serializers.CharField(source="content.external_id")
    policy = serializers.IntegerField(source="content.policy.id")
    policy_name = serializers.CharField(source="content.policy.name")
    category = serializers.CharField(
        source="content.top_category.name", default=None, allow_null=True
    )
    state = serializers.CharField(source="content.state")
    created_at = serializers.DateTimeField(source="content.created_at")
    decided_at = serializers.DateTimeField(source="content.decided_at", allow_null=True)
    excerpt = serializers.CharField(
        allow_null=True, help_text="The start of its text (… when cut); null without text."
    )
    score = serializers.FloatField(
        source="similarity", help_text="Cosine similarity of the embeddings (1: the same)."
    )


class SimilarContentsSerializer(serializers.Serializer):
    embedder = serializers.CharField(
        help_text="The embedder whose vectors answered; empty while the content has none."
    )
    exact = serializers.BooleanField(
        help_text="False while the project's fast-pass vectors answer for its own embedder's."
    )
    contents = SimilarContentRowSerializer(many=True)
