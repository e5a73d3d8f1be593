"""Investigation: search over moderated content and bulk actions on what it finds. Roles come
from the policies' labeling projects (moderation.selectors.access)."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from moderation.api import search_serializers as s
from moderation.models import BulkAction
from moderation.selectors.search import COUNT_CAP, content_search
from moderation.services.bulk_actions import bulk_action_request


class ContentSearchApi(APIView):
    @extend_schema(
        parameters=[s.SearchQuerySerializer],
        responses=s.SearchPageSerializer,
        operation_id="moderation_search",
    )
    def get(self, request):
        """Full-text search over the content of the policies the caller moderates, newest
        first, with filters; ``next_cursor`` pages on. ``total`` counts up to ``cap`` (what
        one bulk action may cover); ``total_capped`` says there are more."""
        data = s.SearchQuerySerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        query, filters = data.to_filters()
        page = content_search(
            user=request.user,
            query=query,
            filters=filters,
            cursor=data.validated_data.get("cursor"),
            limit=data.validated_data["limit"],
        )
        return Response(
            s.SearchPageSerializer(
                {
                    "results": page.results,
                    "next_cursor": page.next_cursor,
                    "total": page.total,
                    "total_capped": page.total_capped,
                    "cap": COUNT_CAP,
                }
            ).data
        )


class BulkActionCreateApi(APIView):
    @extend_schema(request=s.BulkActionInputSerializer, responses={202: s.BulkActionSerializer})
    def post(self, request):
        """Remove, approve, re-queue, or add to a hash / text bank every content of a search
        (``filters``) or of a selection (``content_ids``), as one job with progress. At most
        5,000 contents; ``expected_count`` must equal what the selection holds now; the caller
        must be a senior moderator or admin of every policy covered. Any refusal changes
        nothing."""
        data = s.BulkActionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        query, filters = "", None
        if "filters" in d:
            nested = s.SearchFiltersSerializer(data=request.data.get("filters") or {})
            nested.is_valid(raise_exception=True)
            query, filters = nested.to_filters()
        bulk = bulk_action_request(
            user=request.user,
            kind=d["kind"],
            expected_count=d["expected_count"],
            query=query,
            filters=filters,
            content_ids=d.get("content_ids"),
            reason_code=d["reason_code"],
            note=d["note"],
            hash_category_id=d.get("hash_category"),
            text_bank_id=d.get("text_bank"),
        )
        return Response(s.BulkActionSerializer(bulk).data, status=status.HTTP_202_ACCEPTED)


class BulkActionDetailApi(APIView):
    @extend_schema(responses={200: s.BulkActionSerializer, 404: None})
    def get(self, request, bulk_action_id: int):
        """A bulk action's progress and counts: for the person who asked for it (and
        superusers); 404 for anyone else."""
        bulk = BulkAction.objects.filter(pk=bulk_action_id).first()
        if bulk is None or not (request.user.is_superuser or bulk.created_by_id == request.user.pk):
            raise Http404
        return Response(s.BulkActionSerializer(bulk).data)
