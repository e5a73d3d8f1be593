"""A platform's webhook endpoints and their deliveries (site staff)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAdminUser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.pagination import PAGE_PARAMETERS, paginated, paginated_response
from moderation.api import webhook_serializers as s
from moderation.models import Platform, WebhookEndpoint
from moderation.selectors.webhooks import webhook_delivery_list, webhook_endpoint_list
from moderation.services.webhooks import webhook_endpoint_create


class WebhookEndpointListCreateApi(APIView):
    permission_classes = [IsAdminUser]

    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses=paginated(s.WebhookEndpointSerializer),
        operation_id="moderation_platforms_webhooks_list",
    )
    def get(self, request, platform_id: int):
        """The platform's webhook endpoints (site staff only)."""
        platform = get_object_or_404(Platform, pk=platform_id)
        return paginated_response(
            request,
            self,
            webhook_endpoint_list(platform_id=platform.pk),
            s.WebhookEndpointSerializer,
        )

    @extend_schema(
        request=s.WebhookEndpointInputSerializer,
        responses={201: s.WebhookEndpointCreatedSerializer},
    )
    def post(self, request, platform_id: int):
        """Add a destination for the platform's decisions (site staff only). The answer shows
        the signing secret once. 400 for a URL resolving to a private, loopback or link-local
        address (unless the operator allowed the host)."""
        platform = get_object_or_404(Platform, pk=platform_id)
        data = s.WebhookEndpointInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint = webhook_endpoint_create(
            platform=platform, actor=request.user, **data.validated_data
        )
        return Response(
            s.WebhookEndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED
        )


class WebhookDeliveryListApi(APIView):
    permission_classes = [IsAdminUser]

    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses=paginated(s.WebhookDeliverySerializer),
        operation_id="moderation_webhooks_deliveries_list",
    )
    def get(self, request, endpoint_id: int):
        """The endpoint's deliveries, newest first, each with its log of attempts."""
        endpoint = get_object_or_404(WebhookEndpoint, pk=endpoint_id)
        return paginated_response(
            request,
            self,
            webhook_delivery_list(endpoint_id=endpoint.pk),
            s.WebhookDeliverySerializer,
        )
