"""Review queues as moderators and their admins use them: who may work which queue (a
moderator never leases from a queue they may not work, asked for or not), the picker's
figures, audited changes, and refusals that change nothing."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import AuditEvent
from labeling.choices import Role
from moderation.choices import ContentState, QueueKind
from moderation.models import Content, ReviewQueue, ReviewQueueMember
from moderation.services.appeals import appeal_create
from moderation.services.queues import review_queue_create, review_queue_member_add
from moderation.services.review import review_next
from tests.factories.moderation import (
    AppealFactory,
    ContentFactory,
    DecisionFactory,
    PlatformFactory,
    PolicyMemberFactory,
    ReviewPolicyFactory,
)

pytestmark = pytest.mark.django_db
NEXT = "/api/v1/moderation/queue/next/"
QUEUES = "/api/v1/moderation/queues/"


def _client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def world():
    """A policy with an open queue and a restricted one (one member), an item in each
    (the restricted one's is the most urgent), and people of every role."""
    policy = ReviewPolicyFactory()
    platform = PlatformFactory()
    admin = PolicyMemberFactory(policy=policy, role=Role.ADMIN)
    default = ReviewQueue.objects.get(policy=policy, kind=QueueKind.DEFAULT)
    graphic = review_queue_create(policy=policy, user=admin, name="Graphic", restricted=True)
    member = PolicyMemberFactory(policy=policy)
    review_queue_member_add(queue=graphic, user=admin, member=member)
    outsider = PolicyMemberFactory(policy=policy)
    senior = PolicyMemberFactory(policy=policy, role=Role.SENIOR_MODERATOR)
    open_item = ContentFactory(policy=policy, platform=platform, priority=1.0, queue=default)
    restricted_item = ContentFactory(policy=policy, platform=platform, priority=9.0, queue=graphic)
    return {
        "policy": policy, "platform": platform, "admin": admin, "default": default,
        "graphic": graphic, "member": member, "outsider": outsider, "senior": senior,
        "open_item": open_item, "restricted_item": restricted_item,
    }  # fmt: skip


# --- leasing: the service ----------------------------------------------------------------------


def test_moderator_never_leases_from_a_restricted_queue_they_are_not_in(world):
    outsider, policy = world["outsider"], world["policy"]

    first = review_next(user=outsider, tier="standard", policy_ids=[policy.pk])
    second = review_next(user=outsider, tier="standard", policy_ids=[policy.pk], exclude=[first.pk])
    asked = review_next(
        user=outsider, tier="standard", policy_ids=[policy.pk], queue=world["graphic"]
    )

    # The restricted item is the most urgent, yet the outsider only ever gets the open one.
    assert first.pk == world["open_item"].pk
    assert second is None
    assert asked is None
    world["restricted_item"].refresh_from_db()
    assert world["restricted_item"].leased_by_id is None


def test_members_and_policy_admins_work_the_restricted_queue(world):
    policy = world["policy"]
    for who in ("member", "senior", "admin"):
        got = review_next(user=world[who], tier="standard", policy_ids=[policy.pk])
        assert got.pk == world["restricted_item"].pk, who
        Content.objects.filter(pk=got.pk).update(leased_by=None, lease_expires_at=None)


def test_working_one_queue_leases_only_its_content(world):
    got = review_next(
        user=world["member"], tier="standard", policy_ids=[world["policy"].pk],
        queue=world["default"],
    )  # fmt: skip
    assert got.pk == world["open_item"].pk


def test_content_without_a_queue_is_in_the_default_queue(world):
    policy = world["policy"]
    loose = ContentFactory(policy=policy, platform=world["platform"], priority=5.0, queue=None)
    got = review_next(
        user=world["outsider"], tier="standard", policy_ids=[policy.pk], queue=world["default"]
    )
    assert got.pk == loose.pk


# --- leasing: the API --------------------------------------------------------------------------


def test_next_without_a_queue_skips_restricted_queues_the_caller_cannot_work(world):
    client = _client(world["outsider"])
    got = [client.post(NEXT, {}, format="json").json()["content"] for _ in range(2)]
    excluded = client.post(NEXT, {"exclude": [world["open_item"].pk]}, format="json")

    assert [c["id"] for c in got] == [world["open_item"].pk] * 2
    assert excluded.json()["content"] is None


def test_next_in_a_restricted_queue_is_refused_to_non_members(world):
    response = _client(world["outsider"]).post(NEXT, {"queue": world["graphic"].pk}, format="json")
    assert response.status_code == 403
    assert "restricted" in response.json()["message"]
    world["restricted_item"].refresh_from_db()
    assert world["restricted_item"].leased_by_id is None


def test_next_in_a_restricted_queue_serves_its_members(world):
    response = _client(world["member"]).post(NEXT, {"queue": world["graphic"].pk}, format="json")
    assert response.status_code == 200
    assert response.json()["content"]["id"] == world["restricted_item"].pk


def test_next_in_another_policys_queue_is_not_found_and_leases_nothing(world):
    other = ReviewPolicyFactory()
    other_queue = ReviewQueue.objects.get(policy=other, kind=QueueKind.DEFAULT)
    theirs = ContentFactory(policy=other, queue=other_queue)

    response = _client(world["member"]).post(NEXT, {"queue": other_queue.pk}, format="json")
    mismatched = _client(world["admin"]).post(
        NEXT, {"queue": world["graphic"].pk, "policy": other.pk}, format="json"
    )

    assert response.status_code == 404
    assert mismatched.status_code in (400, 404)
    theirs.refresh_from_db()
    assert theirs.leased_by_id is None
    assert not Content.objects.filter(leased_by__isnull=False).exists()


def test_the_appeals_queue_is_not_leased(world):
    appeals = ReviewQueue.objects.get(policy=world["policy"], kind=QueueKind.APPEALS)
    response = _client(world["senior"]).post(NEXT, {"queue": appeals.pk}, format="json")
    assert response.status_code == 400


def test_queue_list_leaves_out_restricted_content_of_other_teams(world):
    listed = _client(world["outsider"]).get("/api/v1/moderation/queue/").json()["results"]
    member = _client(world["member"]).get(
        "/api/v1/moderation/queue/", {"queue": world["graphic"].pk}
    )
    refused = _client(world["outsider"]).get(
        "/api/v1/moderation/queue/", {"queue": world["graphic"].pk}
    )

    assert [row["id"] for row in listed] == [world["open_item"].pk]
    assert [row["id"] for row in member.json()["results"]] == [world["restricted_item"].pk]
    assert refused.status_code == 403


def test_restricted_content_opened_by_id_is_refused_to_non_members(world):
    item = world["restricted_item"]
    path = f"/api/v1/moderation/contents/{item.pk}/"
    refused = _client(world["outsider"]).get(path)
    member = _client(world["member"]).get(path)
    senior = _client(world["senior"]).get(path)

    assert refused.status_code == 403
    assert "restricted" in refused.json()["message"]
    assert item.item.text not in refused.content.decode()
    assert (member.status_code, senior.status_code) == (200, 200)


def test_reassigning_to_someone_outside_a_restricted_queue_is_refused(world):
    response = _client(world["senior"]).post(
        f"/api/v1/moderation/contents/{world['restricted_item'].pk}/reassign/",
        {"user_id": world["outsider"].pk},
        format="json",
    )
    assert response.status_code == 400
    world["restricted_item"].refresh_from_db()
    assert world["restricted_item"].leased_by_id is None


# --- the picker's figures ----------------------------------------------------------------------


def test_queue_stats_show_depth_oldest_and_sla_at_risk_of_the_queues_one_may_work(world):
    policy, platform, default = world["policy"], world["platform"], world["default"]
    now = timezone.now()
    Content.objects.filter(pk=world["open_item"].pk).update(
        created_at=now - timedelta(hours=3), sla_due_at=now + timedelta(hours=5)
    )
    ContentFactory(policy=policy, platform=platform, queue=default,
                   sla_due_at=now + timedelta(minutes=30))  # fmt: skip
    ContentFactory(policy=policy, platform=platform, queue=default,
                   sla_due_at=now - timedelta(minutes=5))  # fmt: skip
    ContentFactory(policy=policy, platform=platform, queue=default, state=ContentState.REMOVED)

    outsider = {q["name"]: q for q in _client(world["outsider"]).get(QUEUES).json()}
    member = {q["name"]: q for q in _client(world["member"]).get(QUEUES).json()}
    senior = {q["name"]: q for q in _client(world["senior"]).get(QUEUES).json()}

    assert set(outsider) == {"Default"}
    assert set(member) == {"Default", "Graphic"}
    assert set(senior) == {"Default", "Graphic", "Appeals"}
    row = outsider["Default"]
    assert (row["depth"], row["sla_at_risk"], row["overdue"]) == (3, 2, 1)
    assert row["oldest_created_at"].startswith(str((now - timedelta(hours=3)).date()))
    assert member["Graphic"]["depth"] == 1
    assert member["Graphic"]["restricted"] is True


def test_the_queue_figures_take_as_many_queries_for_many_queues_and_policies_as_for_one(
    world, django_assert_max_num_queries
):
    """The picker polls this: its cost must not grow with the number of queues or policies
    (one aggregate over the contents, not a query per queue)."""
    client = _client(world["senior"])
    with CaptureQueriesContext(connection) as one_policy:
        assert client.get(QUEUES).status_code == 200
    for n in range(3):
        policy = ReviewPolicyFactory(project=world["policy"].project)
        for k in range(3):
            queue = review_queue_create(
                policy=policy, user=world["admin"], name=f"Team {n}-{k}", restricted=bool(k % 2)
            )
            ContentFactory(policy=policy, platform=world["platform"], queue=queue)
    with django_assert_max_num_queries(len(one_policy.captured_queries)):
        answer = client.get(QUEUES)
    assert answer.status_code == 200
    assert len(answer.json()) == 3 + 3 * 5  # each policy: default, appeals and three teams


def test_the_warning_window_is_the_policys(world):
    policy = world["policy"]
    ContentFactory(policy=policy, platform=world["platform"], queue=world["default"],
                   sla_due_at=timezone.now() + timedelta(minutes=90))  # fmt: skip
    client = _client(world["admin"])
    before = {q["name"]: q for q in client.get(QUEUES).json()}["Default"]["sla_at_risk"]
    patched = client.patch(
        f"/api/v1/moderation/policies/{policy.pk}/", {"sla_warning_minutes": 120}, format="json"
    )
    after = {q["name"]: q for q in client.get(QUEUES).json()}["Default"]["sla_at_risk"]
    assert patched.status_code == 200
    assert (before, after) == (0, 1)


@pytest.mark.parametrize("value", [-1, 7 * 24 * 60 + 1, "soon", None, 1.5, [60]])
def test_a_warning_window_out_of_range_is_refused_and_nothing_changes(world, value):
    policy = world["policy"]
    client = _client(world["admin"])
    answer = client.patch(
        f"/api/v1/moderation/policies/{policy.pk}/", {"sla_warning_minutes": value}, format="json"
    )
    assert answer.status_code == 400, answer.content
    assert "sla_warning_minutes" in answer.content.decode()
    policy.refresh_from_db()
    assert policy.sla_warning_minutes == 60
    refused = _client(world["member"]).patch(
        f"/api/v1/moderation/policies/{policy.pk}/", {"sla_warning_minutes": 5}, format="json"
    )
    assert refused.status_code == 403
    policy.refresh_from_db()
    assert policy.sla_warning_minutes == 60


def test_an_appeal_moves_its_content_to_the_appeals_queue_and_counts_there(world):
    policy, platform = world["policy"], world["platform"]
    decided = ContentFactory(
        policy=policy, platform=platform, state=ContentState.REMOVED, queue=world["default"]
    )
    DecisionFactory(content=decided)
    AppealFactory(decision__content__policy=policy)  # a decision of another content

    appeal_create(platform=platform, external_id=decided.external_id, statement="mine")

    decided.refresh_from_db()
    assert decided.queue.kind == QueueKind.APPEALS
    senior = {q["name"]: q for q in _client(world["senior"]).get(QUEUES).json()}
    assert senior["Appeals"]["depth"] == 1


# --- managing queues ---------------------------------------------------------------------------


def test_admins_create_restrict_and_staff_a_queue_and_every_change_is_audited(world):
    client = _client(world["senior"])
    policy = world["policy"]
    created = client.post(
        f"/api/v1/moderation/policies/{policy.pk}/queues/",
        {"name": "Spanish", "description": "Hablantes"},
        format="json",
    )
    queue_id = created.json()["id"]
    restricted = client.patch(
        f"/api/v1/moderation/queues/{queue_id}/", {"restricted": True, "name": "Español"},
        format="json",
    )  # fmt: skip
    added = client.post(
        f"/api/v1/moderation/queues/{queue_id}/members/",
        {"user_id": world["outsider"].pk},
        format="json",
    )
    removed = client.delete(f"/api/v1/moderation/queues/{queue_id}/members/{world['outsider'].pk}/")

    assert created.status_code == 201
    assert restricted.json()["name"] == "Español"
    assert restricted.json()["restricted"] is True
    assert [m["username"] for m in added.json()["members"]] == [world["outsider"].username]
    assert removed.status_code == 204
    actions = list(
        AuditEvent.objects.filter(object_type="moderation.review_queue", object_id=str(queue_id))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "review_queue.create",
        "review_queue.update",
        "review_queue.member_add",
        "review_queue.member_remove",
    ]
    assert AuditEvent.objects.get(action="review_queue.update").before == {
        "name": "Spanish", "restricted": False,
    }  # fmt: skip


def test_deleting_a_queue_moves_its_content_to_the_default_queue(world):
    response = _client(world["admin"]).delete(f"/api/v1/moderation/queues/{world['graphic'].pk}/")
    assert response.status_code == 204
    world["restricted_item"].refresh_from_db()
    assert world["restricted_item"].queue_id == world["default"].pk
    event = AuditEvent.objects.get(action="review_queue.delete")
    assert event.after["contents_moved"] == 1


@pytest.mark.parametrize("kind", [QueueKind.DEFAULT, QueueKind.APPEALS])
def test_the_default_and_appeals_queues_cannot_be_deleted(world, kind):
    queue = ReviewQueue.objects.get(policy=world["policy"], kind=kind)
    response = _client(world["admin"]).delete(f"/api/v1/moderation/queues/{queue.pk}/")
    assert response.status_code == 400
    assert ReviewQueue.objects.filter(pk=queue.pk).exists()


def test_only_moderators_of_the_policy_can_be_members(world):
    stranger = PolicyMemberFactory()  # a moderator of another policy
    annotator = PolicyMemberFactory(policy=world["policy"], role=Role.ANNOTATOR)
    client = _client(world["admin"])
    for user in (stranger, annotator):
        response = client.post(
            f"/api/v1/moderation/queues/{world['graphic'].pk}/members/",
            {"user_id": user.pk},
            format="json",
        )
        assert response.status_code == 400
    assert list(
        ReviewQueueMember.objects.filter(queue=world["graphic"]).values_list("user_id", flat=True)
    ) == [world["member"].pk]


def test_a_duplicate_queue_name_is_refused(world):
    response = _client(world["admin"]).post(
        f"/api/v1/moderation/policies/{world['policy'].pk}/queues/",
        {"name": "Graphic"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["extra"]["field"] == "name"


def test_admins_of_another_policy_cannot_touch_this_ones_queues(world):
    other_admin = PolicyMemberFactory(role=Role.ADMIN)
    client = _client(other_admin)
    graphic = world["graphic"]
    responses = [
        client.patch(f"/api/v1/moderation/queues/{graphic.pk}/", {"name": "Mine"}, format="json"),
        client.delete(f"/api/v1/moderation/queues/{graphic.pk}/"),
        client.post(
            f"/api/v1/moderation/queues/{graphic.pk}/members/",
            {"user_id": other_admin.pk},
            format="json",
        ),
        client.get(f"/api/v1/moderation/policies/{world['policy'].pk}/queues/"),
    ]
    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    graphic.refresh_from_db()
    assert graphic.name == "Graphic"
    assert not AuditEvent.objects.filter(action__startswith="review_queue.", actor=other_admin)


@pytest.mark.parametrize(
    "name",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "\u202eevil\u202c",
        "'; DROP TABLE moderation_reviewqueue; --",
    ],
)
def test_hostile_queue_names_are_kept_as_plain_text(world, name):
    client = _client(world["admin"])
    created = client.post(
        f"/api/v1/moderation/policies/{world['policy'].pk}/queues/", {"name": name}, format="json"
    )
    listed = {q["id"]: q["name"] for q in _client(world["senior"]).get(QUEUES).json()}

    assert created.status_code == 201
    assert listed[created.json()["id"]] == name
    assert created["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    "body",
    [{"name": ""}, {"name": "x" * 101}, {"name": "nul\x00byte"}, {"name": ["list"]}],
    ids=["empty", "too-long", "nul", "not-text"],
)
def test_bad_queue_names_are_refused_and_nothing_is_stored(world, body):
    before = ReviewQueue.objects.count()
    response = _client(world["admin"]).post(
        f"/api/v1/moderation/policies/{world['policy'].pk}/queues/", body, format="json"
    )
    assert response.status_code == 400
    assert ReviewQueue.objects.count() == before


# --- restricted content stays out of search, similar content and threads ----------------------


def _search_ids(user, **params) -> list[int]:
    response = _client(user).get("/api/v1/moderation/search/", params)
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_search_finds_restricted_content_only_for_those_who_may_work_its_queue(world):
    everything = {"policy": world["policy"].pk}

    assert _search_ids(world["outsider"], **everything) == [world["open_item"].pk]
    assert world["restricted_item"].pk in _search_ids(world["member"], **everything)
    assert world["restricted_item"].pk in _search_ids(world["admin"], **everything)


def test_similar_content_leaves_out_restricted_content_for_non_members(world, settings, tmp_path):
    import numpy as np

    from labeling.selectors.embedders import project_embedder
    from models_app.services.embeddings import embedding_store
    from models_app.services.neighbours import neighbours_forget_open

    settings.TANDEM_ANN_DIR = tmp_path / "ann"
    neighbours_forget_open()
    project = world["policy"].project
    asked = ContentFactory(
        policy=world["policy"], platform=world["platform"], queue=world["default"]
    )
    items = [asked.item, world["restricted_item"].item, world["open_item"].item]
    rows = np.asarray([[1, 0, 0], [0.99, 0.01, 0], [0.5, 0.5, 0]], dtype=np.float32)
    embedding_store(
        owner=project.owner_key,
        embedder=project_embedder(project=project).key,
        object_ids=[item.pk for item in items],
        vectors=rows / np.linalg.norm(rows, axis=1, keepdims=True),
    )
    path = f"/api/v1/moderation/contents/{asked.pk}/similar/"

    outsider = _client(world["outsider"]).get(path).json()["contents"]
    member = _client(world["member"]).get(path).json()["contents"]
    neighbours_forget_open()

    assert [row["id"] for row in outsider] == [world["open_item"].pk]
    assert [row["id"] for row in member] == [world["restricted_item"].pk, world["open_item"].pk]


def test_a_thread_leaves_out_restricted_parents_and_replies_for_non_members(world):
    parent = world["restricted_item"]
    reply = ContentFactory(
        policy=world["policy"],
        platform=world["platform"],
        queue=world["default"],
        parent_external_id=parent.external_id,
    )
    hidden_sibling = ContentFactory(
        policy=world["policy"],
        platform=world["platform"],
        queue=world["graphic"],
        parent_external_id=parent.external_id,
    )
    path = f"/api/v1/moderation/contents/{reply.pk}/"

    outsider = _client(world["outsider"]).get(path).json()["thread"]
    member = _client(world["member"]).get(path).json()["thread"]

    assert outsider["ancestors"] == []
    assert outsider["siblings"] == []
    assert [row["id"] for row in member["ancestors"]] == [parent.pk]
    assert [row["id"] for row in member["siblings"]] == [hidden_sibling.pk]
