"""Each audit event names its object as it is now: its name and the page that shows it, that
it was deleted, or (for a type no app describes) just its type and id."""

import pytest
from django.contrib.auth import get_user_model

from core.services.audit import audit_record
from tests.factories import ItemFactory, ProjectFactory, UserFactory
from tests.factories.moderation import (
    AppealFactory,
    AuthorFactory,
    ContentFactory,
    PlatformFactory,
    ReviewPolicyFactory,
)

pytestmark = pytest.mark.django_db

AUDIT_URL = "/api/v1/audit/"


@pytest.fixture
def staff_client(api):
    return api.as_user(UserFactory(is_staff=True))


def objects_by_action(response) -> dict[str, dict]:
    assert response.status_code == 200, response.content
    return {event["action"]: event["object"] for event in response.json()["results"]}


def record(action: str, object_type: str, object_id) -> None:
    audit_record(actor=None, action=action, object_type=object_type, object_id=object_id)


def test_objects_link_to_the_page_that_shows_them(staff_client):
    project = ProjectFactory(name="Support inbox")
    item = ItemFactory(project=project, external_id="mail-0042")
    policy = ReviewPolicyFactory(name="Spam on chat")
    platform = PlatformFactory(name="Chatter")
    content = ContentFactory(policy=policy, platform=platform, external_id="msg-77")
    appeal = AppealFactory(decision__content=content)
    user = UserFactory(username="newcomer")
    record("project.update", "labeling.project", project.pk)
    record("adjudication.resolve", "labeling.item", item.pk)
    record("policy.update", "moderation.policy", policy.pk)
    record("platform.create", "moderation.platform", platform.pk)
    record("content.reveal", "moderation.content", content.pk)
    record("appeal.create", "moderation.appeal", appeal.pk)
    record("user.create", "auth.user", user.pk)

    objects = objects_by_action(staff_client.get(AUDIT_URL))

    def link(action):
        found = objects[action]
        assert found["state"] == "present", action
        return (
            found["page"],
            found["label"],
            {key: value for key, value in found.items() if key.endswith("_id") and value},
        )

    assert link("project.update") == ("project", "Support inbox", {"project_id": project.pk})
    assert link("adjudication.resolve") == (
        "item",
        "mail-0042",
        {"project_id": project.pk, "item_id": item.pk},
    )
    assert link("policy.update") == ("policy", "Spam on chat", {"policy_id": policy.pk})
    assert link("platform.create") == ("platform", "Chatter", {"platform_id": platform.pk})
    # Moderated content (and its appeals) open on the content's labeling item.
    content_item = {"project_id": policy.project_id, "item_id": content.item_id}
    assert link("content.reveal") == ("item", "msg-77", content_item)
    assert link("appeal.create") == ("item", "appeal on msg-77", content_item)
    assert link("user.create") == ("users", "newcomer", {})


def test_deleted_objects_say_so_and_unknown_ones_keep_their_type_and_id(staff_client):
    leaver = UserFactory(username="leaver")
    author = AuthorFactory(external_id="u-9", platform__name="Chatter")
    record("user.create", "auth.user", leaver.pk)
    record("author.strike", "moderation.author", author.pk)
    record("thing.happen", "elsewhere.thing", 5)
    record("platform.create", "moderation.platform", "not-a-number")
    get_user_model().objects.filter(pk=leaver.pk).delete()

    response = staff_client.get(AUDIT_URL)
    objects = objects_by_action(response)

    assert objects["user.create"]["state"] == "deleted"
    assert objects["user.create"]["page"] == ""
    # An author has no page: named, but not a link.
    assert (objects["author.strike"]["state"], objects["author.strike"]["label"]) == (
        "present",
        "Chatter author u-9",
    )
    assert objects["author.strike"]["page"] == ""
    assert objects["thing.happen"]["state"] == "unknown"
    assert objects["platform.create"]["state"] == "unknown"
    unknown = next(e for e in response.json()["results"] if e["action"] == "thing.happen")
    assert (unknown["object_type"], unknown["object_id"]) == ("elsewhere.thing", "5")


def test_one_event_names_its_object_too(staff_client):
    project = ProjectFactory(name="Reviews")
    record("project.update", "labeling.project", project.pk)
    event_id = staff_client.get(AUDIT_URL).json()["results"][0]["id"]

    response = staff_client.get(f"{AUDIT_URL}{event_id}/")

    assert response.json()["object"]["label"] == "Reviews"


def test_naming_objects_costs_one_query_per_object_type_on_the_page(api, django_assert_num_queries):
    staff = UserFactory(is_staff=True)
    client = api.as_user(staff)
    for _ in range(10):
        record("project.update", "labeling.project", ProjectFactory().pk)
        record("platform.create", "moderation.platform", PlatformFactory().pk)
        record("user.create", "auth.user", UserFactory().pk)
    client.get(AUDIT_URL)  # warm the session

    # session, user, count, page, then one query each for projects, platforms and users
    with django_assert_num_queries(7):
        response = client.get(AUDIT_URL)

    assert {event["object"]["state"] for event in response.json()["results"]} == {"present"}
