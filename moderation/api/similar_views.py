"""Investigation: content similar to a given one, by embedding (an approximate
nearest-neighbour index), limited to what the caller may moderate."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core.exceptions import ApplicationError
from moderation.api import similar_serializers as s
from moderation.selectors.access import MODERATE_ROLES
from moderation.selectors.contents import content_get_for_user
from moderation.selectors.similar import content_similar_list


class ContentSimilarListApi(APIView):
    @extend_schema(
        parameters=[s.SimilarContentQuerySerializer],
        responses=s.SimilarContentsSerializer,
        operation_id="moderation_contents_similar_list",
    )
    def get(self, request, content_id: int):
        """The contents nearest this one by their embeddings, most similar first, with their
        cosine similarity (``score``): only content of policies the caller moderates (404 for
        content outside them). ``contents`` is empty while the content has no vector; 503
        while a very large project's index is being built."""
        from models_app.ml.embedders.base import EmbedderUnavailable
        from models_app.services.neighbours import IndexNotReady

        content = content_get_for_user(
            content_id=content_id, user=request.user, roles=MODERATE_ROLES
        )
        query = s.SimilarContentQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            found = content_similar_list(
                content=content, user=request.user, limit=query.validated_data["limit"]
            )
        except EmbedderUnavailable as exc:
            raise ApplicationError(
                f"Similar content needs the policy's embedder, which cannot run here: {exc}",
                status_code=503,
            ) from exc
        except IndexNotReady as exc:
            raise ApplicationError(
                "The similarity index of this policy is still being built; try again in a "
                "few minutes.",
                status_code=503,
            ) from exc
        return Response(s.SimilarContentsSerializer(found).data)
