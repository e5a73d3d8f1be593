"""Thread context: a platform names the parent of what it sends and the author's display
name; the review panel shows the conversation around the content, only of the same platform
and of policies the moderator may see, texts exactly as sent."""

import pytest
from rest_framework.test import APIClient

from labeling.choices import Role
from moderation.choices import AutomationLevel
from moderation.models import Content
from tests.factories.intake import auth, platform_with_key
from tests.factories.moderation import IntakePolicyFactory, PolicyMemberFactory, grant

pytestmark = pytest.mark.django_db

HOSTILE = '<img src=x onerror="alert(1)"><script>alert("thread")</script>'


def submit(key, policy, external_id, text, parent_id=None, name=None):
    body = {
        "policy": policy.pk,
        "external_id": external_id,
        "author_id": f"a-{external_id}",
        "text": text,
    }
    if parent_id is not None:
        body["parent_id"] = parent_id
    if name is not None:
        body["context"] = {"author_display_name": name, "account_age_days": 3}
    response = APIClient().post("/api/v1/platform/intake/", body, format="json", **auth(key))
    assert response.status_code == 201, response.content
    return response.json()["content_id"]


@pytest.fixture
def forum():
    policy = IntakePolicyFactory(automation_level=AutomationLevel.HUMAN_ONLY)
    platform, key = platform_with_key("Forum")
    grant(policy, platform)
    moderator = PolicyMemberFactory(policy=policy, role=Role.MODERATOR)
    client = APIClient()
    client.force_login(moderator)
    return policy, platform, key, client


def panel(client, content_id):
    response = client.get(f"/api/v1/moderation/contents/{content_id}/")
    assert response.status_code == 200, response.content
    return response.json()


def test_the_review_panel_shows_ancestors_and_the_nearest_replies_with_their_state(forum):
    policy, _platform, key, client = forum
    submit(key, policy, "post-1", "Selling my old bike, 50 quid", name="Rider")
    submit(key, policy, "reply-1", "Is it still available?", parent_id="post-1", name="Bo")
    replies = [
        submit(key, policy, f"reply-{n}", f"Reply number {n}", parent_id="reply-1")
        for n in range(2, 10)
    ]
    focus = replies[4]  # reply-6: three before and three after it are shown

    thread = panel(client, focus)["thread"]

    assert thread["parent_id"] == "reply-1"
    assert thread["parent_missing"] is False
    assert [a["external_id"] for a in thread["ancestors"]] == ["post-1", "reply-1"]
    assert thread["ancestors"][0]["author_name"] == "Rider"
    assert thread["ancestors"][1]["text"] == "Is it still available?"
    assert [s["external_id"] for s in thread["siblings"]] == [
        "reply-3", "reply-4", "reply-5", "reply-7", "reply-8", "reply-9",
    ]  # fmt: skip
    assert thread["position"] == 3
    assert {s["state"] for s in thread["siblings"]} == {"pending"}


def test_a_parent_of_another_platform_is_never_shown(forum):
    policy, _platform, key, client = forum
    other_platform, other_key = platform_with_key("Elsewhere")
    grant(policy, other_platform)
    submit(other_key, policy, "post-9", "Another platform's secret post")

    child = submit(key, policy, "reply-9", "What a post", parent_id="post-9")
    thread = panel(client, child)["thread"]

    # The id is kept as sent (the platform may send the parent later), but nothing of the
    # other platform is looked up: the panel says the parent is not known.
    assert Content.objects.get(pk=child).parent_external_id == "post-9"
    assert thread["parent_missing"] is True
    assert thread["ancestors"] == []
    assert "secret" not in str(thread)


def test_thread_content_of_a_policy_the_moderator_cannot_see_is_left_out(forum):
    policy, platform, key, client = forum
    hidden_policy = IntakePolicyFactory(automation_level=AutomationLevel.HUMAN_ONLY)
    grant(hidden_policy, platform)
    submit(key, hidden_policy, "dm-1", "A private message under another team's policy")
    submit(key, hidden_policy, "dm-2", "Another private reply", parent_id="dm-1")
    mine = submit(key, policy, "dm-3", "A visible reply", parent_id="dm-1")

    thread = panel(client, mine)["thread"]

    assert thread["ancestors"] == []
    assert thread["parent_missing"] is True
    assert thread["siblings"] == []


def test_hostile_text_and_names_come_back_exactly_as_sent(forum):
    policy, _platform, key, client = forum
    submit(key, policy, "post-x", HOSTILE, name=HOSTILE)
    child = submit(key, policy, "reply-x", "fine", parent_id="post-x", name="</script><b>x</b>")

    detail = panel(client, child)

    [parent] = detail["thread"]["ancestors"]
    assert parent["text"] == HOSTILE
    assert parent["author_name"] == HOSTILE
    assert detail["context"]["author_display_name"] == "</script><b>x</b>"


def test_intake_refuses_an_overlong_parent_or_display_name(forum):
    policy, _platform, key, _client = forum
    base = {"policy": policy.pk, "external_id": "z-1", "author_id": "a", "text": "hi"}
    client = APIClient()

    long_parent = client.post(
        "/api/v1/platform/intake/", {**base, "parent_id": "p" * 201}, format="json", **auth(key)
    )
    long_name = client.post(
        "/api/v1/platform/intake/",
        {**base, "context": {"author_display_name": "n" * 201}},
        format="json",
        **auth(key),
    )

    assert long_parent.status_code == 400
    assert "parent_id" in str(long_parent.json())
    assert long_name.status_code == 400
    assert not Content.objects.filter(external_id="z-1").exists()


def test_a_content_naming_itself_as_parent_has_no_parent(forum):
    policy, _platform, key, client = forum
    own = submit(key, policy, "loop-1", "me", parent_id="loop-1")

    assert panel(client, own)["thread"]["parent_id"] is None
