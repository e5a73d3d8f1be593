"""Quality of moderation: gold items and double-review settings per policy (policy admins),
and the quality dashboard (policy admins see their policies; moderators their own figures)."""

from datetime import timedelta

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.pagination import PAGE_PARAMETERS, paginated, paginated_response
from moderation.api import quality_serializers as s
from moderation.models import Content, GoldItem
from moderation.selectors.access import (
    MODERATE_ROLES,
    POLICY_ADMIN_ROLES,
    policy_get_for_user,
)
from moderation.selectors.quality import gold_items_of_policy, quality_dashboard
from moderation.services import quality as services

DEFAULT_PERIOD = timedelta(days=30)


class QualitySettingsApi(APIView):
    @extend_schema(responses=s.QualitySettingsSerializer)
    def get(self, request, policy_id: int):
        """The policy's gold rate and double-review rate (policy admins)."""
        policy = policy_get_for_user(
            policy_id=policy_id, user=request.user, roles=POLICY_ADMIN_ROLES
        )
        return Response(
            s.QualitySettingsSerializer(services.quality_settings_get(policy=policy)).data
        )

    @extend_schema(request=s.QualitySettingsInputSerializer, responses=s.QualitySettingsSerializer)
    def patch(self, request, policy_id: int):
        """Set the gold rate (0 to 0.5) and/or the double-review rate (0 to 1); audited as
        ``quality_settings.update``."""
        policy = policy_get_for_user(
            policy_id=policy_id, user=request.user, roles=POLICY_ADMIN_ROLES
        )
        data = s.QualitySettingsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.quality_settings_update(
            policy=policy, user=request.user, **data.validated_data
        )
        return Response(s.QualitySettingsSerializer(row).data)


class GoldItemListCreateApi(APIView):
    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses=paginated(s.GoldItemSerializer),
        operation_id="moderation_policies_gold_items_list",
    )
    def get(self, request, policy_id: int):
        """The policy's gold items with how many answers they had and how many were right
        (policy admins)."""
        policy = policy_get_for_user(
            policy_id=policy_id, user=request.user, roles=POLICY_ADMIN_ROLES
        )
        return paginated_response(
            request, self, gold_items_of_policy(policy_id=policy.pk), s.GoldItemSerializer
        )

    @extend_schema(request=s.GoldItemInputSerializer, responses={201: s.GoldItemSerializer})
    def post(self, request, policy_id: int):
        """Make a decided content of the policy a gold item: it is mixed into moderators'
        queues at the policy's gold rate, looking like any content, and answers to it are
        measured against ``expected_action`` (default: its standing decision). 400 for content
        still open or of another policy; 409 when it is a gold item already."""
        policy = policy_get_for_user(
            policy_id=policy_id, user=request.user, roles=POLICY_ADMIN_ROLES
        )
        data = s.GoldItemInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        content = Content.objects.filter(pk=data.validated_data["content"], policy=policy).first()
        if content is None:
            raise Http404
        gold = services.gold_item_create(
            policy=policy,
            user=request.user,
            content=content,
            expected_action=data.validated_data.get("expected_action", ""),
            note=data.validated_data["note"],
        )
        gold = gold_items_of_policy(policy_id=policy.pk).get(pk=gold.pk)
        return Response(s.GoldItemSerializer(gold).data, status=status.HTTP_201_CREATED)


class GoldItemRetireApi(APIView):
    @extend_schema(request=None, responses=s.GoldItemSerializer)
    def post(self, request, gold_id: int):
        """Stop serving a gold item; its answers stay counted (audited as
        ``gold_item.retire``)."""
        gold = GoldItem.objects.filter(pk=gold_id).first()
        if gold is None:
            raise Http404
        policy = policy_get_for_user(
            policy_id=gold.policy_id, user=request.user, roles=POLICY_ADMIN_ROLES
        )
        services.gold_item_retire(gold=gold, user=request.user)
        gold = gold_items_of_policy(policy_id=policy.pk).get(pk=gold.pk)
        return Response(s.GoldItemSerializer(gold).data)


class QualityDashboardApi(APIView):
    @extend_schema(
        parameters=[s.QualityDashboardFilterSerializer], responses=s.QualityDashboardSerializer
    )
    def get(self, request):
        """Moderation quality over a period (default: the last 30 days). Per moderator:
        accuracy on gold items only (with the count), agreement with peers on second reviews,
        appeal overturn rate, decisions. Per policy: automated vs manual share, SLA met share,
        rule hits. Policy admins see their policies; moderators see their own row only."""
        filters = s.QualityDashboardFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        f = filters.validated_data
        policy_id = f.get("policy")
        if policy_id is not None:
            policy_get_for_user(policy_id=policy_id, user=request.user, roles=MODERATE_ROLES)
        until = f.get("until") or timezone.now()
        since = f.get("since") or until - DEFAULT_PERIOD
        figures = quality_dashboard(
            user=request.user, since=since, until=until, policy_id=policy_id
        )
        return Response(s.QualityDashboardSerializer(figures).data)
