"""The review panel lists where the policy's text banks match the text as posted (obfuscations
included) and flags those pieces, so "hide flagged terms" masks them until revealed."""

import pytest
from rest_framework.test import APIClient

from labeling.choices import Role
from moderation.choices import AutomationLevel
from moderation.models import Content
from tests.factories import MembershipFactory, UserFactory
from tests.factories.intake import auth, platform_with_key
from tests.factories.moderation import IntakePolicyFactory

pytestmark = pytest.mark.django_db
ZWJ, CYRILLIC_E = "\u200d", "\u0435"


def _client(policy, role=Role.ADMIN) -> APIClient:
    user = UserFactory()
    MembershipFactory(project=policy.project, user=user, role=role)
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def world():
    policy = IntakePolicyFactory(automation_level=AutomationLevel.ASSIST)
    platform, key = platform_with_key()
    policy.grants.create(platform=platform)
    admin = _client(policy)
    created = admin.post(
        f"/api/v1/moderation/policies/{policy.pk}/text-banks/",
        {"name": "scam", "terms": ["free money"], "patterns": [r"wa\.me/\d+"]},
        format="json",
    )
    assert created.status_code == 201, created.content
    return policy, key


def _intake(key, policy, text):
    response = APIClient().post(
        "/api/v1/platform/intake/",
        {"policy": policy.pk, "external_id": "c1", "author_id": "a-1", "text": text},
        format="json",
        **auth(key),
    )
    assert response.status_code == 201, response.content
    return Content.objects.get(external_id="c1")


def test_the_panel_lists_bank_terms_where_they_were_posted_and_flags_those_pieces(world):
    policy, key = world
    text = f"Hi! F R E E m0ney, fr{CYRILLIC_E}{ZWJ}e m0n3y: wa.me/4471 ok"
    content = _intake(key, policy, text)
    moderator = _client(policy, Role.MODERATOR)

    detail = moderator.get(f"/api/v1/moderation/contents/{content.pk}/").json()

    assert [(t["bank"], t["kind"], t["text"]) for t in detail["flagged_terms"]] == [
        ("scam", "term", "F R E E m0ney"),
        ("scam", "term", f"fr{CYRILLIC_E}{ZWJ}e m0n3y"),
        ("scam", "pattern", "wa.me/4471"),
    ]
    first = detail["flagged_terms"][0]
    assert text[first["start"] : first["end"]] == "F R E E m0ney"
    assert detail["flagged_segments"] == [
        {"text": "Hi! ", "flagged": False},
        {"text": "F R E E m0ney", "flagged": True},
        {"text": ", ", "flagged": False},
        {"text": f"fr{CYRILLIC_E}{ZWJ}e m0n3y", "flagged": True},
        {"text": ": ", "flagged": False},
        {"text": "wa.me/4471", "flagged": True},
        {"text": " ok", "flagged": False},
    ]
    assert "".join(s["text"] for s in detail["flagged_segments"]) == text


def test_text_without_bank_terms_has_nothing_to_mask(world):
    policy, key = world
    content = _intake(key, policy, "a carefree moneylender")

    detail = _client(policy, Role.MODERATOR).get(f"/api/v1/moderation/contents/{content.pk}/")

    assert detail.json()["flagged_terms"] == []
    assert detail.json()["flagged_segments"] == []


def test_thread_messages_carry_their_flagged_pieces_so_they_are_masked_too(world):
    policy, key = world

    def send(external_id, text, parent_id=None):
        body = {"policy": policy.pk, "external_id": external_id, "author_id": "a-2", "text": text}
        if parent_id:
            body["parent_id"] = parent_id
        response = APIClient().post("/api/v1/platform/intake/", body, format="json", **auth(key))
        assert response.status_code == 201, response.content
        return Content.objects.get(external_id=external_id)

    send("post-1", "Selling my bike")
    send("reply-1", "g3t FREE m0ney at wa.me/4471", parent_id="post-1")
    mine = send("reply-2", "Is it still there?", parent_id="post-1")

    detail = _client(policy, Role.MODERATOR).get(f"/api/v1/moderation/contents/{mine.pk}/")

    thread = detail.json()["thread"]
    assert thread["ancestors"][0]["flagged_segments"] == []
    sibling = thread["siblings"][0]
    assert [(s["text"], s["flagged"]) for s in sibling["flagged_segments"]] == [
        ("g3t ", False),
        ("FREE m0ney", True),
        (" at ", False),
        ("wa.me/4471", True),
    ]
