"""Intake (API keys with scope ``intake``): a platform submits content, one or a batch, and
polls where its content stands."""

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from core.exceptions import ApplicationError
from moderation.api import intake_serializers as s
from moderation.api.auth import PlatformApi
from moderation.api.throttling import IntakeRateThrottle
from moderation.selectors.contents import content_exists, content_get_for_platform
from moderation.services import intake as intake_services
from moderation.services.intake_prepare import IntakeInput

ERRORS = {
    400: OpenApiResponse(description="Bad input: {message, extra}"),
    401: OpenApiResponse(description="Unknown or revoked API key"),
    403: OpenApiResponse(description="The key lacks the scope"),
}


def _input(index: int, data) -> IntakeInput:
    parsed = s.IntakeItemInputSerializer(data=data)
    parsed.is_valid(raise_exception=True)
    return IntakeInput(index=index, **parsed.validated_data)


class IntakeApi(PlatformApi):
    required_scope = "intake"
    body_limit = "intake"  # an image of TANDEM_IMAGE_MAX_BYTES (base64) and the longest text
    throttle_classes = [IntakeRateThrottle]

    @extend_schema(
        request=s.IntakeItemInputSerializer,
        responses={
            201: s.IntakeAnswerSerializer,
            200: s.IntakeAnswerSerializer,
            404: OpenApiResponse(description="Unknown policy (or not granted to the platform)"),
            413: OpenApiResponse(description="Body, text or image over the limit"),
            429: OpenApiResponse(description="Over the platform's intake rate (Retry-After)"),
            **ERRORS,
        },
        operation_id="platform_intake_create",
    )
    def post(self, request):
        """Submit one content; the answer says allow / remove / pending review, with the
        model version and score that decided. 201 when new; 200 with the stored answer when
        this ``external_id`` was submitted before (nothing is stored twice). 404 for a policy
        that does not exist or is not granted to the key's platform (answered alike)."""
        entry = _input(0, request.data)
        existing = content_exists(platform=request.user.platform, external_id=entry.external_id)
        result = intake_services.intake_submit(platform=request.user.platform, entries=[entry])
        if result.errors:
            error = result.errors[0]
            raise ApplicationError(error.message, extra=error.extra, status_code=error.status_code)
        answer = result.answers[0][1]
        code = status.HTTP_200_OK if existing else status.HTTP_201_CREATED
        return Response(answer, status=code)


class IntakeBatchApi(PlatformApi):
    required_scope = "intake"
    body_limit = "intake_batch"  # TANDEM_INTAKE_BATCH_MAX_BYTES
    throttle_classes = [IntakeRateThrottle]

    @extend_schema(
        request=s.IntakeBatchInputSerializer,
        responses={
            200: s.IntakeBatchOutputSerializer,
            413: OpenApiResponse(description="Body or batch over the limit"),
            429: OpenApiResponse(description="Over the platform's intake rate (Retry-After)"),
            **ERRORS,
        },
        operation_id="platform_intake_batch_create",
    )
    def post(self, request):
        """Submit up to 500 contents at once. Good entries are accepted and answered in
        ``results`` (with their ``index``); bad ones are listed in ``errors`` by index, with
        the status a single intake would answer (an unknown or ungranted policy: 404) and
        nothing stored for them."""
        data = s.IntakeBatchInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        items = data.validated_data["items"]
        limit = settings.TANDEM_INTAKE_BATCH_MAX
        if len(items) > limit:
            raise ApplicationError(
                f"A batch holds at most {limit} items; got {len(items)}.",
                extra={"limit": limit},
                status_code=413,
            )
        entries, errors = [], []
        for index, item in enumerate(items):
            try:
                entries.append(_input(index, item))
            except serializers.ValidationError as exc:
                errors.append(
                    {
                        "index": index,
                        "status": status.HTTP_400_BAD_REQUEST,
                        "message": _first_error(exc.detail),
                        "extra": {"fields": exc.detail},
                    }
                )
        result = intake_services.intake_submit(platform=request.user.platform, entries=entries)
        errors.extend(error.as_dict() for error in result.errors)
        errors.sort(key=lambda error: error["index"])
        results = [{"index": index, **answer} for index, answer in result.answers]
        return Response(
            {
                "results": results,
                "errors": errors,
                "accepted": len(results),
                "rejected": len(errors),
            }
        )


def _first_error(detail) -> str:
    from core.exceptions import _first_message

    return _first_message(detail)


class ContentStatusApi(PlatformApi):
    @extend_schema(responses={200: s.IntakeAnswerSerializer, 404: None, **ERRORS})
    def get(self, request, external_id: str):
        """Where the platform's content stands now (platforms poll this; decisions made later
        by people show here and arrive by webhook). 404 for content the platform never sent
        or sent under a policy it is no longer granted."""
        content = content_get_for_platform(platform=request.user.platform, external_id=external_id)
        return Response(intake_services.content_answer(content))
