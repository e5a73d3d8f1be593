"""A project's items: the browser's list, one item, and labeling an item directly."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.exceptions import ApplicationError
from core.pagination import PAGE_PARAMETERS, paginated, paginated_response
from labeling.api import item_serializers as s
from labeling.api.file_urls import item_thumbnail_url
from labeling.choices import ALL_ROLES, LABEL_ROLES, Role
from labeling.models import Item
from labeling.selectors.items import item_get, item_list
from labeling.selectors.projects import project_get_for_user
from labeling.selectors.similar import SimilarItems, item_similar_list
from labeling.services.annotations import annotation_create


class ItemListApi(APIView):
    @extend_schema(
        parameters=[s.ItemFilterSerializer, *PAGE_PARAMETERS],
        responses=paginated(s.ItemOutputSerializer),
        operation_id="projects_items_list",
    )
    def get(self, request, project_id: int):
        project = project_get_for_user(project_id=project_id, user=request.user, roles=ALL_ROLES)
        filters = s.ItemFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        items = item_list(project=project, filters=filters.validated_data)
        return paginated_response(request, self, items, s.ItemOutputSerializer)


class ItemDetailApi(APIView):
    @extend_schema(responses=s.ItemOutputSerializer)
    def get(self, request, project_id: int, item_id: int):
        project = project_get_for_user(project_id=project_id, user=request.user, roles=ALL_ROLES)
        try:
            item = item_get(project=project, item_id=item_id)
        except project.items.model.DoesNotExist as exc:
            raise ApplicationError("Item not found.", status_code=404) from exc
        return Response(s.ItemOutputSerializer(item).data)


class ItemAnnotationCreateApi(APIView):
    class AnnotationCreateInputSerializer(serializers.Serializer):
        labels = serializers.ListField(
            child=serializers.CharField(max_length=100, allow_blank=True),
            allow_empty=True,
            max_length=100,
            help_text="Label class names: one, or several in a multilabel project.",
        )
        client_key = serializers.CharField(
            required=False,
            allow_blank=True,
            default="",
            max_length=64,
            help_text="Chosen by the client, new for each label: sending the same key again "
            "returns the stored annotation (200) instead of storing a second one. Without "
            "it, every request stores a label.",
        )

    @extend_schema(
        request=AnnotationCreateInputSerializer,
        responses={201: s.AnnotationOutputSerializer, 200: s.AnnotationOutputSerializer},
    )
    def post(self, request, project_id: int, item_id: int):
        """Label an item (source = human). Every ``retrain_every`` new labels start training.

        201 when stored; 200 with the stored annotation when this ``client_key`` was already
        sent (nothing is stored twice); 409 when the key was used for another item."""
        project = project_get_for_user(project_id=project_id, user=request.user, roles=LABEL_ROLES)
        item = get_object_or_404(project.items.select_related("project"), pk=item_id)
        data = self.AnnotationCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        annotation, created = annotation_create(
            item=item, annotator=request.user, **data.validated_data
        )
        return Response(
            s.AnnotationOutputSerializer(annotation).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


def _similar_output(found: SimilarItems, *, labels_hidden: bool) -> dict:
    return {
        "embedder": found.embedder,
        "exact": found.exact,
        "labels_hidden": labels_hidden,
        "items": [
            {
                "id": entry.item.pk,
                "external_id": entry.item.external_id,
                "excerpt": entry.excerpt,
                "thumbnail": item_thumbnail_url(entry.item),
                "media_restricted": entry.item.media_restricted,
                "labels": [] if labels_hidden else entry.labels,
                "predicted_label": entry.item.predicted_label,
                "confidence": entry.item.confidence,
                "similarity": round(entry.similarity, 4),
            }
            for entry in found.items
        ],
    }


class ItemSimilarListApi(APIView):
    @extend_schema(
        parameters=[s.SimilarItemsQuerySerializer],
        responses=s.SimilarItemsOutputSerializer,
        operation_id="projects_items_similar_list",
    )
    def get(self, request, project_id: int, item_id: int):
        """The project's items nearest this one by their embeddings, most similar first.

        Answered from the fast pass's vectors (``exact`` false) while the project's embedder
        has not embedded every item yet; ``items`` is empty while the item has no vector.
        503 while a very large project's index is being built."""
        from models_app.ml.embedders.base import EmbedderUnavailable
        from models_app.services.neighbours import IndexNotReady

        project = project_get_for_user(project_id=project_id, user=request.user, roles=ALL_ROLES)
        query = s.SimilarItemsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        item = Item.objects.filter(project=project, pk=item_id).only("id", "project_id").first()
        if item is None:
            raise ApplicationError("Item not found.", status_code=404)
        try:
            found = item_similar_list(
                project=project, item=item, limit=query.validated_data["limit"]
            )
        except EmbedderUnavailable as exc:
            raise ApplicationError(
                f"Similar items need the project's embedder, which cannot run here: {exc}",
                status_code=503,
            ) from exc
        except IndexNotReady as exc:
            raise ApplicationError(
                "The similarity index of this project is still being built; try again in a "
                "few minutes.",
                status_code=503,
            ) from exc
        # With several annotations per item, annotators label blind (agreement is measured):
        # the panel must not show them the labels others gave.
        labels_hidden = project.annotations_per_item > 1 and project.caller_role == Role.ANNOTATOR
        output = _similar_output(found, labels_hidden=labels_hidden)
        return Response(s.SimilarItemsOutputSerializer(output).data)
