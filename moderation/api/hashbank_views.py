"""A policy's hash bank: listed and imported by senior moderators and admins."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.pagination import PAGE_PARAMETERS, paginated, paginated_response
from core.parsers import JSONParser
from moderation.api import hashbank_serializers as s
from moderation.selectors.access import POLICY_ADMIN_ROLES, policy_get_for_user
from moderation.selectors.policies import hash_entry_list
from moderation.services import hashbank


class HashEntryListImportApi(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    body_limit = "hash_import"  # TANDEM_HASH_IMPORT_MAX_BYTES

    @extend_schema(
        parameters=[s.HashFilterSerializer, *PAGE_PARAMETERS],
        responses=paginated(s.HashEntryOutputSerializer),
        operation_id="moderation_policies_hashes_list",
    )
    def get(self, request, policy_id: int):
        """The policy's hash bank, newest first (senior moderators and admins)."""
        policy = policy_get_for_user(
            policy_id=policy_id, user=request.user, roles=POLICY_ADMIN_ROLES
        )
        filters = s.HashFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        entries = hash_entry_list(policy=policy, kind=filters.validated_data.get("kind"))
        return paginated_response(request, self, entries, s.HashEntryOutputSerializer)

    @extend_schema(
        request={
            "application/json": s.HashImportInputSerializer,
            "multipart/form-data": s.HashImportInputSerializer,
        },
        responses={201: s.HashImportOutputSerializer},
    )
    def post(self, request, policy_id: int):
        """Import known-bad hashes: JSON ``entries`` ({kind, value, category}), or image
        ``files`` with a ``category`` (both hashes of each are computed). All or nothing;
        entries already in the bank are counted as existing. Audited (``hash.import``)."""
        policy = policy_get_for_user(
            policy_id=policy_id, user=request.user, roles=POLICY_ADMIN_ROLES
        )
        payload = request.data
        if hasattr(payload, "getlist"):
            payload = {
                **{key: payload.get(key) for key in ("category", "note") if key in payload},
                "files": request.FILES.getlist("files"),
            }
        data = s.HashImportInputSerializer(data=payload)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        entries = list(values.get("entries") or [])
        if values.get("files"):
            entries += hashbank.hash_entries_from_images(
                images=[(upload.name, upload.read()) for upload in values["files"]],
                category=values["category"],
            )
        counts = hashbank.hash_entries_import(
            policy=policy, user=request.user, entries=entries, note=values["note"]
        )
        return Response(counts, status=status.HTTP_201_CREATED)
