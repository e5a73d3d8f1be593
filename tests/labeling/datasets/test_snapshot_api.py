"""The dataset snapshot API as an ML engineer uses it (Celery runs eagerly in tests): cut,
follow, read, compare; who may; what bad input gets."""

import pytest
from django.urls import reverse

from core.models import AuditEvent
from labeling.choices import AnnotationSource, JobState, Role
from labeling.models import Annotation, DatasetSnapshot
from tests.factories import MembershipFactory, ProjectFactory, UserFactory
from tests.labeling.datasets.conftest import make_sms_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(dataset_path):
    project, items, _annotator, truth = make_sms_project(dataset_path, 150, labeled=120)
    engineer = UserFactory()
    MembershipFactory(project=project, user=engineer, role=Role.ML_ENGINEER)
    return project, items, engineer, truth


def url(project, name="snapshots", **kwargs):
    return reverse(name, kwargs={"project_id": project.pk, **kwargs})


@pytest.fixture
def cut(django_capture_on_commit_callbacks):
    """POST a snapshot and let its (eager) task run when the request's transaction commits."""

    def post(client, project, body):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url(project), body, format="json")

    return post


def test_cut_follow_and_read_a_snapshot(api, setup, cut):
    project, _items, engineer, _truth = setup
    client = api.as_user(engineer)

    created = cut(client, project, {"name": "v1 <script>alert(1)</script>"})

    assert created.status_code == 202, created.content
    body = created.json()
    assert body["number"] == 1
    assert body["name"] == "v1 <script>alert(1)</script>"  # stored as text
    assert body["created_by"] == engineer.username
    assert body["filters"]["sources"] == ["human", "import", "moderation", "appeal"]
    detail = client.get(url(project, "snapshot-detail", number=1)).json()
    assert detail["state"] == JobState.SUCCEEDED
    assert detail["progress"] == 1.0
    assert detail["counts"]["items"] == 120
    # A text project's Parquet export is written by the cut: ready with the snapshot.
    assert [(row["format"], row["state"]) for row in detail["exports"]] == [
        ("parquet", JobState.SUCCEEDED)
    ]
    assert detail["model_versions"] == []
    manifest = client.get(url(project, "snapshot-manifest", number=1)).json()
    assert manifest["files"][0]["sha256"] == detail["file_sha256"]
    listed = client.get(url(project)).json()
    assert [row["number"] for row in listed["results"]] == [1]
    audit = AuditEvent.objects.get(action="dataset_snapshot.create")
    assert audit.actor == engineer
    assert audit.scope == f"labeling.project:{project.pk}"


def test_preview_counts_without_cutting(api, setup):
    project, _items, engineer, truth = setup
    client = api.as_user(engineer)

    answer = client.post(
        url(project, "snapshot-preview"), {"filters": {"classes": ["spam"]}}, format="json"
    )

    assert answer.status_code == 200, answer.content
    counts = answer.json()
    labeled = list(truth.values())[:120]
    assert counts["items"] == labeled.count("spam")
    assert counts["classes"] == {"ham": 0, "spam": labeled.count("spam")}
    assert "items" in counts["exact"]
    assert not DatasetSnapshot.objects.exists()


def test_diff_of_two_snapshots(api, setup, cut):
    project, items, engineer, truth = setup
    client = api.as_user(engineer)
    cut(client, project, {})
    flipped = items[0]
    other = "ham" if truth[flipped.pk] == "spam" else "spam"
    Annotation.objects.create(
        item=flipped, labels=[other], source=AnnotationSource.MODERATION, annotator=engineer
    )
    Annotation.objects.create(item=items[130], labels=["spam"], annotator=engineer)
    Annotation.objects.filter(item=items[5]).delete()
    cut(client, project, {})

    diff = client.get(url(project, "snapshot-diff"), {"a": 1, "b": 2})

    assert diff.status_code == 200, diff.content
    body = diff.json()
    assert (body["added"]["count"], body["removed"]["count"], body["relabeled"]["count"]) == (
        1, 1, 1,
    )  # fmt: skip
    assert body["unchanged"]["count"] == 118
    assert body["relabeled"]["sample"] == [
        {"id": flipped.pk, "external_id": "sms-0", "before": [truth[flipped.pk]],
         "after": [other]}
    ]  # fmt: skip
    assert body["added"]["sample"][0]["external_id"] == "sms-130"
    assert body["removed"]["sample"][0]["after"] is None
    assert sum(body["distribution"]["b"].values()) == 120


@pytest.mark.parametrize("role", [Role.ANNOTATOR, Role.MODERATOR, Role.SENIOR_MODERATOR])
def test_members_without_data_roles_are_refused(api, setup, role):
    project = setup[0]
    member = UserFactory()
    MembershipFactory(project=project, user=member, role=role)
    client = api.as_user(member)

    assert client.get(url(project)).status_code == 403
    assert client.post(url(project), {}, format="json").status_code == 403
    assert client.post(url(project, "snapshot-preview"), {}, format="json").status_code == 403
    assert not DatasetSnapshot.objects.exists()


def test_outsiders_and_anonymous_are_refused(api, setup):
    project, _items, engineer, _truth = setup
    api.as_user(engineer).post(url(project), {}, format="json")
    outsider = UserFactory()
    MembershipFactory(project=ProjectFactory(), user=outsider, role=Role.ADMIN)
    client = api.as_user(outsider)
    for path in (url(project), url(project, "snapshot-detail", number=1),
                 url(project, "snapshot-manifest", number=1)):  # fmt: skip
        assert client.get(path).status_code == 404
    assert client.post(url(project), {}, format="json").status_code == 404

    api.logout()
    assert api.get(url(project)).status_code in (401, 403)
    assert api.post(url(project), {}, format="json").status_code in (401, 403)
    assert DatasetSnapshot.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"name": "x" * 100_000}, "name"),
        ({"filters": "everything"}, "filters"),
        ({"filters": {"sources": ["human", "gossip"]}}, "gossip"),
        ({"filters": {"classes": ["eggs"]}}, "eggs"),
        ({"filters": {"labeled_only": "no"}}, "labeled_only"),
        ({"filters": {"shape": "round"}}, "shape"),
        ({"filters": {"metadata": {"length": ["long"] * 10_000}}}, "metadata"),
        ({"filters": {"splits": ["train"], "classes": ["spam"], "metadata": {"length": ["x"]}}},
         "select no items"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_with_nothing_stored(api, setup, body, says):
    project, _items, engineer, _truth = setup

    answer = api.as_user(engineer).post(url(project), body, format="json")

    assert answer.status_code == 400, answer.content
    assert says in answer.json()["message"]
    assert not DatasetSnapshot.objects.exists()
    assert not AuditEvent.objects.filter(action="dataset_snapshot.create").exists()


def test_a_project_without_labels_cannot_be_snapshotted_labeled_only(api, dataset_path):
    project, _items, _annotator, _truth = make_sms_project(dataset_path, 10, labeled=0)
    admin = UserFactory()
    MembershipFactory(project=project, user=admin, role=Role.ADMIN)
    client = api.as_user(admin)

    refused = client.post(url(project), {}, format="json")
    assert refused.status_code == 400
    assert "no labels" in refused.json()["message"]

    allowed = client.post(url(project), {"filters": {"labeled_only": False}}, format="json")
    assert allowed.status_code == 202
    assert allowed.json()["number"] == 1


def test_unknown_snapshot_numbers_are_404(api, setup):
    project, _items, engineer, _truth = setup
    client = api.as_user(engineer)
    assert client.get(url(project, "snapshot-detail", number=7)).status_code == 404
    assert client.get(url(project, "snapshot-diff"), {"a": 1, "b": 2}).status_code == 404
    assert client.get(url(project, "snapshot-diff"), {"a": "x"}).status_code == 400


@pytest.mark.django_db(transaction=True)
def test_a_snapshot_asked_for_while_the_broker_is_down_is_cut_later(api, dataset_path):
    from datetime import timedelta

    from django.utils import timezone

    from labeling.tasks import jobs_resend_unsent
    from tests.broker import broker_unreachable

    project, _items, _annotator, _truth = make_sms_project(dataset_path, 30)
    engineer = UserFactory()
    MembershipFactory(project=project, user=engineer, role=Role.ML_ENGINEER)

    with broker_unreachable():
        answer = api.as_user(engineer).post(url(project), {}, format="json")

    assert answer.status_code == 202, answer.content
    snapshot = DatasetSnapshot.objects.get(pk=answer.json()["id"])
    assert (snapshot.state, snapshot.task_id) == (JobState.QUEUED, "")
    DatasetSnapshot.objects.filter(pk=snapshot.pk).update(
        created_at=timezone.now() - timedelta(minutes=2)
    )

    assert jobs_resend_unsent()["snapshots"] == 1  # eager here: cut now
    snapshot.refresh_from_db()
    assert snapshot.state == JobState.SUCCEEDED
    assert snapshot.task_id
    assert jobs_resend_unsent()["snapshots"] == 0
