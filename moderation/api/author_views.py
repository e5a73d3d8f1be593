"""Authors' records: moderators read the authors of policies they moderate; a platform reads
its own authors (API key, scope ``intake``), under the policies granted to it."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core.limits import text_problem
from moderation.api.auth import PlatformApi
from moderation.api.author_serializers import AuthorRecordSerializer
from moderation.models import Author
from moderation.selectors.access import MODERATE_ROLES, policies_for_user
from moderation.selectors.grants import policies_granted
from moderation.selectors.strikes import author_get_for_moderator, author_record


class AuthorRecordApi(APIView):
    @extend_schema(responses={200: AuthorRecordSerializer, 404: None})
    def get(self, request, author_id: int):
        """The author's live strike points, strikes (with expiry) and actions, under the
        policies the caller moderates. 404 for an author who never posted under one of them."""
        policy_ids = list(
            policies_for_user(user=request.user, roles=MODERATE_ROLES).values_list("pk", flat=True)
        )
        author = author_get_for_moderator(author_id=author_id, policy_ids=policy_ids)
        if author is None:
            raise Http404
        return Response(
            AuthorRecordSerializer(author_record(author=author, policy_ids=policy_ids)).data
        )


class PlatformAuthorRecordApi(PlatformApi):
    required_scope = "intake"

    @extend_schema(responses={200: AuthorRecordSerializer, 404: None})
    def get(self, request, external_id: str):
        """The platform's author (its own id): live strike points, strikes with expiry and the
        actions taken, under the policies granted to the platform (API key with scope
        ``intake``). 404 for an id the platform never sent."""
        platform = request.user.platform
        if text_problem(external_id):
            raise Http404  # no stored id holds such text (and the database refuses to look)
        author = (
            Author.objects.select_related("platform")
            .filter(platform=platform, external_id=external_id)
            .first()
        )
        if author is None:
            raise Http404
        policy_ids = list(policies_granted(platform=platform).values_list("pk", flat=True))
        return Response(
            AuthorRecordSerializer(author_record(author=author, policy_ids=policy_ids)).data
        )
