"""Bulk actions on a search result or a selection: one audited job, all-or-nothing per content,
each webhook queued (and delivered) once even when the job runs again; capped and confirmed, and
refused with nothing changed otherwise."""

import pytest
from django.db import connection
from rest_framework.test import APIClient

from core.models import AuditEvent
from labeling.choices import JobState, Role
from labeling.models import Annotation, Item
from moderation.choices import BulkItemOutcome, ContentState, DecisionAction, HashKind
from moderation.models import (
    BulkAction,
    BulkActionItem,
    Content,
    Decision,
    HashEntry,
    TextBank,
    WebhookDelivery,
)
from moderation.services.bulk_actions import MAX_CONTENTS
from moderation.services.search_index import content_search_index
from moderation.tasks import bulk_action_run_task
from tests.factories import MembershipFactory, UserFactory
from tests.factories.moderation import (
    AuthorFactory,
    ContentFactory,
    DecisionFactory,
    PlatformFactory,
    ReviewPolicyFactory,
    WebhookEndpointFactory,
    grant,
)
from tests.webhook_receiver import SECRET, Receiver

pytestmark = pytest.mark.django_db

URL = "/api/v1/moderation/bulk-actions/"


def _member(policy, role=Role.SENIOR_MODERATOR):
    user = UserFactory()
    MembershipFactory(project=policy.project, user=user, role=role)
    return user


def _client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def _many(policy, platform, n: int, text: str, **fields) -> list[int]:
    """``n`` pending contents of ``policy`` holding ``text``, stored in bulk (as intake's batch
    does) with their search words."""
    items = Item.objects.bulk_create(
        [
            Item(project=policy.project, external_id=f"bulk:{policy.pk}:{i}",
                 text=f"{text} #{i}", content_hash=f"{policy.pk:032x}{i:032x}")
            for i in range(n)
        ],
        batch_size=1000,
    )  # fmt: skip
    contents = Content.objects.bulk_create(
        [
            Content(platform=platform, policy=policy, external_id=f"m-{policy.pk}-{i}",
                    item=item, top_category=policy.spam, model_score=0.8, **fields)
            for i, item in enumerate(items)
        ],
        batch_size=1000,
    )  # fmt: skip
    grant(policy, platform)
    content_search_index(content_ids=[c.pk for c in contents])
    return [c.pk for c in contents]


def _remove(filters=None, expected=0, **extra):
    return {"kind": "remove", "reason_code": "SPAM-1", "filters": filters or {},
            "expected_count": expected, **extra}  # fmt: skip


def test_bulk_remove_of_1000_contents_is_one_audited_job_with_one_webhook_each_even_when_rerun():
    policy, platform = ReviewPolicyFactory(), PlatformFactory()
    WebhookEndpointFactory(platform=platform)
    ids = _many(policy, platform, 1000, "cheap watches from our shop")
    ContentFactory(policy=policy, platform=platform, text="a normal holiday photo")
    senior = _member(policy)
    client = _client(senior)

    found = client.get("/api/v1/moderation/search/", {"q": "watches"}).json()
    assert (found["total"], found["total_capped"]) == (1000, False)
    response = client.post(URL, _remove({"q": "watches"}, found["total"]), format="json")
    assert response.status_code == 202, response.content
    assert BulkAction.objects.count() == 1
    bulk = BulkAction.objects.get()
    assert (bulk.total, bulk.state, bulk.created_by_name) == (1000, JobState.QUEUED,
                                                             senior.username)  # fmt: skip
    assert BulkActionItem.objects.filter(bulk_action=bulk).count() == 1000

    bulk_action_run_task(bulk.pk)  # the job, as the worker runs it

    shown = client.get(f"{URL}{bulk.pk}/").json()
    assert shown["state"] == "succeeded"
    assert (shown["done_count"], shown["failed_count"], shown["unchanged_count"]) == (1000, 0, 0)
    assert Content.objects.filter(pk__in=ids, state=ContentState.REMOVED).count() == 1000
    assert Content.objects.filter(state=ContentState.PENDING).count() == 1  # not selected
    assert Decision.objects.filter(content_id__in=ids, action=DecisionAction.REMOVE,
                                   moderator=senior, is_final=True).count() == 1000  # fmt: skip
    assert Annotation.objects.filter(item__moderation_content__in=ids).count() == 1000
    deliveries = WebhookDelivery.objects.filter(event="content.decided")
    assert deliveries.count() == 1000
    assert {d.payload["content"]["external_id"] for d in deliveries} == {
        f"m-{policy.pk}-{i}" for i in range(1000)
    }
    audits = AuditEvent.objects.filter(scope=f"moderation.policy:{policy.pk}")
    assert audits.filter(action="bulk_action.create", object_id=str(bulk.pk)).count() == 1
    assert audits.filter(action="bulk_action.finish", object_id=str(bulk.pk)).count() == 1
    assert audits.filter(action="decision.create", after__bulk_action=bulk.pk).count() == 1000

    # The worker died after the last content but before the job was marked finished: the
    # broker hands the message out again. Nothing is decided or sent twice.
    BulkAction.objects.filter(pk=bulk.pk).update(state=JobState.RUNNING)
    bulk_action_run_task(bulk.pk)
    bulk.refresh_from_db()
    assert (bulk.state, bulk.attempts, bulk.done_count) == (JobState.SUCCEEDED, 2, 1000)
    assert Decision.objects.filter(content_id__in=ids).count() == 1000
    assert WebhookDelivery.objects.filter(event="content.decided").count() == 1000


def test_a_content_failing_midway_is_left_untouched_and_the_others_are_done():
    policy, platform = ReviewPolicyFactory(), PlatformFactory()
    WebhookEndpointFactory(platform=platform)
    ids = _many(policy, platform, 5, "buy followers now")
    broken = ids[2]
    # The database refuses the audit record of one content's decision: its decision, state,
    # annotation and webhook were already written in its transaction and must all go.
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION test_refuse_audit() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'audit store unavailable'; END; $$ LANGUAGE plpgsql"
        )
        cursor.execute(
            "CREATE TRIGGER test_refuse_audit BEFORE INSERT ON core_auditevent FOR EACH ROW "
            f"WHEN (NEW.action = 'decision.create' AND NEW.object_id = '{broken}') "
            "EXECUTE FUNCTION test_refuse_audit()"
        )
    client = _client(_member(policy))
    response = client.post(URL, _remove({"q": "followers"}, 5), format="json")
    assert response.status_code == 202, response.content
    bulk_action_run_task(response.json()["id"])

    bulk = BulkAction.objects.get()
    assert (bulk.state, bulk.done_count, bulk.failed_count) == (JobState.SUCCEEDED, 4, 1)
    untouched = Content.objects.get(pk=broken)
    assert untouched.state == ContentState.PENDING
    assert not Decision.objects.filter(content=untouched).exists()
    assert not Annotation.objects.filter(item=untouched.item).exists()
    assert WebhookDelivery.objects.count() == 4
    failed = BulkActionItem.objects.get(outcome=BulkItemOutcome.FAILED)
    assert failed.content_id == broken
    assert client.get(f"{URL}{bulk.pk}/").json()["failures"] == [
        {"content": broken, "message": failed.message}
    ]


@pytest.mark.django_db(transaction=True)
def test_webhooks_of_a_bulk_action_reach_the_platform_once_each_even_when_the_job_runs_twice(
    loopback, django_capture_on_commit_callbacks
):
    policy, platform = ReviewPolicyFactory(), PlatformFactory()
    with Receiver(200) as receiver:
        WebhookEndpointFactory(platform=platform, url=receiver.url, secret=SECRET)
        _many(policy, platform, 6, "fake invoices attached")
        client = _client(_member(policy))
        response = client.post(URL, _remove({"q": "invoices"}, 6), format="json")
        assert response.status_code == 202, response.content
        bulk_id = response.json()["id"]
        assert client.get(f"{URL}{bulk_id}/").json()["state"] == "succeeded"
        BulkAction.objects.filter(pk=bulk_id).update(state=JobState.RUNNING)
        bulk_action_run_task(bulk_id)
        deliveries = receiver.deliveries()
    assert len(deliveries) == 6
    assert set(deliveries.values()) == {1}
    assert all(got["signature_ok"] for got in receiver.received)


def test_a_selection_larger_than_the_cap_is_refused_with_nothing_done():
    policy, platform = ReviewPolicyFactory(), PlatformFactory()
    _many(policy, platform, MAX_CONTENTS + 1, "mass mailing")
    client = _client(_member(policy))
    found = client.get("/api/v1/moderation/search/", {"q": "mailing"}).json()
    assert (found["total"], found["total_capped"]) == (MAX_CONTENTS, True)
    response = client.post(URL, _remove({"q": "mailing"}, MAX_CONTENTS + 1), format="json")
    assert response.status_code == 400
    assert "at most 5,000 contents" in response.json()["message"]
    assert not BulkAction.objects.exists()
    assert not Decision.objects.exists()
    # A selection of ids is capped too (by the field).
    response = client.post(
        URL, {**_remove(expected=5001), "content_ids": list(range(1, 5002))}, format="json"
    )
    assert response.status_code == 400
    assert not BulkAction.objects.exists()


def test_a_count_other_than_the_confirmed_one_is_refused_with_nothing_done():
    policy, platform = ReviewPolicyFactory(), PlatformFactory()
    ids = _many(policy, platform, 3, "click this link")
    client = _client(_member(policy))
    response = client.post(URL, _remove({"q": "link"}, 2), format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["extra"] == {"field": "expected_count", "expected": 2, "actual": 3}
    assert "Nothing was done" in body["message"]
    response = client.post(URL, {**_remove(expected=2), "content_ids": ids}, format="json")
    assert response.status_code == 400
    assert not BulkAction.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="bulk_action").exists()
    assert Content.objects.filter(state=ContentState.PENDING).count() == 3


def test_only_senior_moderators_of_every_policy_covered_may_act():
    a, b = ReviewPolicyFactory(name="A"), ReviewPolicyFactory(name="B")
    platform = PlatformFactory()
    ids_a = _many(a, platform, 2, "lottery win")
    ids_b = _many(b, platform, 2, "lottery win")
    moderator = _client(_member(a, Role.MODERATOR))
    response = moderator.post(URL, _remove({"q": "lottery"}, 2), format="json")
    assert response.status_code == 403
    # Senior in A, moderator in B: a search over both is refused, naming B.
    both = _member(a)
    MembershipFactory(project=b.project, user=both, role=Role.MODERATOR)
    response = _client(both).post(URL, _remove({"q": "lottery"}, 4), format="json")
    assert response.status_code == 403
    assert "'B'" in response.json()["message"]
    # Someone of B only cannot name A's content by id.
    outsider = _client(_member(b))
    response = outsider.post(URL, {**_remove(expected=2), "content_ids": ids_a}, format="json")
    assert response.status_code == 400
    assert not BulkAction.objects.exists()
    assert Content.objects.filter(pk__in=ids_a + ids_b, state=ContentState.PENDING).count() == 4
    assert APIClient().post(URL, _remove({}, 2), format="json").status_code in (401, 403)


def test_a_bulk_action_is_shown_only_to_who_asked_for_it():
    policy, platform = ReviewPolicyFactory(), PlatformFactory()
    ids = _many(policy, platform, 1, "spam spam")
    client = _client(_member(policy))
    bulk_id = client.post(URL, {**_remove(expected=1), "content_ids": ids},
                          format="json").json()["id"]  # fmt: skip
    assert client.get(f"{URL}{bulk_id}/").status_code == 200
    assert _client(_member(policy)).get(f"{URL}{bulk_id}/").status_code == 404


def test_bulk_approve_requeue_and_banks_each_do_what_they_say():
    policy, platform = ReviewPolicyFactory(), PlatformFactory()
    WebhookEndpointFactory(platform=platform)
    senior = _member(policy, Role.ADMIN)
    client = _client(senior)
    pending = ContentFactory(policy=policy, platform=platform, text="harmless greeting")
    removed = ContentFactory(policy=policy, platform=platform, text="harmless but removed",
                             state=ContentState.REMOVED)  # fmt: skip
    DecisionFactory(content=removed)
    allowed = ContentFactory(policy=policy, platform=platform, text="harmless allowed note",
                             state=ContentState.ALLOWED)  # fmt: skip
    DecisionFactory(content=allowed, action=DecisionAction.APPROVE, automated=True)

    def run(body):
        response = client.post(URL, body, format="json")
        assert response.status_code == 202, response.content
        bulk_action_run_task(response.json()["id"])
        return BulkAction.objects.get(pk=response.json()["id"])

    # Approve: pending → allowed; already allowed → unchanged; removed → failed (appeals).
    bulk = run({"kind": "approve", "reason_code": "OK-1", "filters": {"q": "harmless"},
                "expected_count": 3})  # fmt: skip
    assert (bulk.done_count, bulk.unchanged_count, bulk.failed_count) == (1, 1, 1)
    pending.refresh_from_db()
    assert pending.state == ContentState.ALLOWED
    assert "appeal" in BulkActionItem.objects.get(bulk_action=bulk, content=removed).message

    # Re-queue the allowed ones: their decisions are superseded, people decide again.
    bulk = run({"kind": "requeue", "filters": {"q": "harmless", "state": "allowed"},
                "expected_count": 2})  # fmt: skip
    assert bulk.done_count == 2
    allowed.refresh_from_db()
    assert (allowed.state, allowed.decided_at) == (ContentState.PENDING, None)
    assert allowed.sla_due_at is not None
    assert not Decision.objects.filter(content=allowed, superseded=False).exists()
    assert WebhookDelivery.objects.filter(event="content.requeued").count() == 2
    assert AuditEvent.objects.filter(action="content.requeue").count() == 2

    # Hash bank: the text's SHA-256 goes into the category's bank (once).
    body = {"kind": "hash_bank", "hash_category": policy.spam.pk, "content_ids": [pending.pk],
            "expected_count": 1}  # fmt: skip
    assert run(body).done_count == 1
    import hashlib

    sha = hashlib.sha256(pending.item.text.encode()).hexdigest()
    assert HashEntry.objects.filter(kind=HashKind.SHA256, value=sha, category=policy.spam).exists()
    assert run(body).unchanged_count == 1

    # Text bank: the text becomes a term (once).
    bank = TextBank.objects.create(policy=policy, name="greetings", terms=[])
    body = {"kind": "text_bank", "text_bank": bank.pk, "content_ids": [pending.pk],
            "expected_count": 1}  # fmt: skip
    assert run(body).done_count == 1
    bank.refresh_from_db()
    assert bank.terms == [pending.item.text]
    assert run(body).unchanged_count == 1
    assert AuditEvent.objects.filter(action="text_bank.add_term").count() == 1


def test_bulk_remove_strikes_authors_as_a_single_removal_does():
    policy, platform = ReviewPolicyFactory(), PlatformFactory()
    author = AuthorFactory(platform=platform)
    contents = [ContentFactory(policy=policy, platform=platform, author=author,
                               text=f"casino bonus {n}") for n in range(2)]  # fmt: skip
    client = _client(_member(policy))
    response = client.post(URL, _remove({"q": "casino"}, 2), format="json")
    bulk_action_run_task(response.json()["id"])
    record = client.get(f"/api/v1/moderation/authors/{author.pk}/").json()
    assert len(record["strikes"]) == len(contents)


def test_a_reason_code_missing_from_a_policy_covered_is_refused():
    policy, platform = ReviewPolicyFactory(), PlatformFactory()
    _many(policy, platform, 2, "hello there")
    client = _client(_member(policy))
    response = client.post(URL, {**_remove({"q": "hello"}, 2), "reason_code": "NOPE"},
                           format="json")  # fmt: skip
    assert response.status_code == 400
    assert response.json()["extra"]["field"] == "reason_code"
    response = client.post(URL, {"kind": "text_bank", "text_bank": 999999,
                                 "filters": {"q": "hello"}, "expected_count": 2},
                           format="json")  # fmt: skip
    assert response.status_code == 400
    assert not BulkAction.objects.exists()
