"""The annotation queue's services: who gets which item, what a submission records, and how the
item counters follow every lease, answer, skip, release and expiry."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.exceptions import ApplicationError
from labeling.choices import (
    AnnotationClient,
    AnnotationOutcome,
    AnnotationSource,
    AssignmentState,
    Role,
    TaskType,
)
from labeling.models import Annotation, Item, QueueAssignment
from labeling.services.annotations import (
    annotation_create,
    annotation_get_for_edit,
    annotation_update,
)
from labeling.services.flags import item_flag_create, item_flag_resolve
from labeling.services.imports.jobs import import_job_create
from labeling.services.imports.run import import_job_run
from labeling.services.lease_expiry import queue_leases_expire
from labeling.services.projects import project_update
from labeling.services.queue import (
    MAX_OPEN_LEASES,
    queue_next,
    queue_release,
    queue_renew,
    queue_skip,
    queue_submit,
)
from models_app.models import ModelVersion
from models_app.services.registry import model_version_register
from tests.factories import ItemFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    return ProjectFactory(retrain_every=0)


@pytest.fixture
def ann(make_member, project):
    return make_member(Role.ANNOTATOR, proj=project)


@pytest.fixture
def ben(make_member, project):
    return make_member(Role.ANNOTATOR, proj=project)


@pytest.fixture
def cy(make_member, project):
    return make_member(Role.ANNOTATOR, proj=project)


def make_items(project, n, **fields):
    """``n`` items, the first with the highest priority."""
    return [ItemFactory(project=project, priority=float(n - i), **fields) for i in range(n)]


def model_version(project) -> ModelVersion:
    return model_version_register(
        owner=project.owner_key,
        algorithm="logreg",
        embedder="hashing@v1",
        snapshot_id="s",
        snapshot_hash="h",
        label_count=10,
        hyperparameters={},
        metrics={"roc_auc": 0.8},
        artifact=b"npz",
    )


def counters(item) -> tuple[int, int, bool]:
    item.refresh_from_db()
    return item.queue_annotations, item.queue_leases, item.queue_done


def submit(item, user, labels, key=None, **kwargs):
    annotation, _ = queue_submit(
        item=item, user=user, labels=labels, client_key=key or f"{user.pk}-{item.pk}", **kwargs
    )
    return annotation


def expire(assignment):
    QueueAssignment.objects.filter(pk=assignment.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )


# --- next --------------------------------------------------------------------------------------


def test_next_leases_the_highest_priority_item_and_counts_the_lease(project, ann):
    low = ItemFactory(project=project, priority=0.1)
    high = ItemFactory(project=project, priority=0.9)

    assignment = queue_next(project=project, user=ann)

    assert assignment.item_id == high.pk
    assert assignment.state == AssignmentState.LEASED
    assert assignment.expires_at > timezone.now() + timedelta(seconds=200)
    assert counters(high) == (0, 1, False)
    assert counters(low) == (0, 0, False)


def test_next_skips_items_leased_by_others(project, ann, ben):
    first, second = make_items(project, 2)

    a = queue_next(project=project, user=ann)
    b = queue_next(project=project, user=ben)

    assert (a.item_id, b.item_id) == (first.pk, second.pk)


def test_next_hands_out_a_new_item_each_call_for_prefetching(project, ann):
    items = make_items(project, 3)

    got = [queue_next(project=project, user=ann).item_id for _ in range(3)]

    assert got == [item.pk for item in items]
    assert queue_next(project=project, user=ann) is None


def test_next_refuses_more_than_the_open_lease_limit(project, ann):
    make_items(project, MAX_OPEN_LEASES + 2)
    for _ in range(MAX_OPEN_LEASES):
        queue_next(project=project, user=ann)

    with pytest.raises(ApplicationError) as refused:
        queue_next(project=project, user=ann)

    assert refused.value.status_code == 409
    assert QueueAssignment.objects.filter(user=ann).count() == MAX_OPEN_LEASES


def test_next_returns_none_when_everything_is_done(project, ann):
    (item,) = make_items(project, 1)
    queue_next(project=project, user=ann)
    submit(item, ann, ["ham"])

    assert queue_next(project=project, user=ann) is None


def test_next_records_the_models_proposal_shown_with_the_item(project, ann):
    version = model_version(project)
    ItemFactory(
        project=project, priority=1, predicted_label="spam", confidence=0.7, scored_by=version
    )

    assignment = queue_next(project=project, user=ann)

    assert assignment.suggested_labels == ["spam"]
    assert assignment.suggested_confidence == 0.7
    assert assignment.suggested_by == version


def test_no_proposal_is_shown_for_a_predicted_label_that_is_no_longer_a_class(project, ann):
    version = model_version(project)
    ItemFactory(project=project, predicted_label="junk", confidence=0.9, scored_by=version)

    assignment = queue_next(project=project, user=ann)

    assert (assignment.suggested_labels, assignment.suggested_by_id) == ([], None)


# --- overlap -----------------------------------------------------------------------------------


def test_with_overlap_an_item_goes_to_k_different_people_and_never_twice_to_one(
    project, ann, ben, cy
):
    project.annotations_per_item = 2
    project.save()
    first, second = make_items(project, 2)

    got = {user.username: queue_next(project=project, user=user).item_id for user in (ann, ben, cy)}
    again = queue_next(project=project, user=ann)

    assert got == {ann.username: first.pk, ben.username: first.pk, cy.username: second.pk}
    assert again.item_id == second.pk
    assert counters(first) == (0, 2, False)


def test_with_overlap_an_item_leaves_the_queue_after_k_annotations(project, ann, ben, cy):
    project.annotations_per_item = 2
    project.save()
    (item,) = make_items(project, 1)

    queue_next(project=project, user=ann)
    submit(item, ann, ["ham"])
    after_one = counters(item)
    queue_next(project=project, user=ben)
    submit(item, ben, ["spam"])

    assert after_one == (1, 0, False)
    assert counters(item) == (2, 0, True)
    assert queue_next(project=project, user=cy) is None


# --- submit ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("predicted", "labels", "outcome"),
    [
        ("spam", ["spam"], AnnotationOutcome.ACCEPTED),
        ("spam", ["ham"], AnnotationOutcome.CORRECTED),
        ("", ["ham"], AnnotationOutcome.NO_SUGGESTION),
    ],
)
def test_submit_records_the_proposal_and_the_outcome(project, ann, predicted, labels, outcome):
    version = model_version(project)
    item = ItemFactory(
        project=project, predicted_label=predicted, confidence=0.6, scored_by=version
    )
    queue_next(project=project, user=ann)

    annotation = submit(item, ann, labels, time_on_item_ms=1234, client=AnnotationClient.WEB)

    annotation.refresh_from_db()
    assert annotation.outcome == outcome
    assert annotation.labels == labels
    assert annotation.suggested_labels == ([predicted] if predicted else [])
    assert annotation.suggested_by_id == (version.pk if predicted else None)
    assert (annotation.source, annotation.annotator_id) == (AnnotationSource.HUMAN, ann.pk)
    assert (annotation.time_on_item_ms, annotation.client) == (1234, AnnotationClient.WEB)


def test_outcome_is_measured_against_the_proposal_shown_not_a_later_one(project, ann):
    first, second = model_version(project), model_version(project)
    item = ItemFactory(project=project, predicted_label="spam", scored_by=first)
    queue_next(project=project, user=ann)
    # A new model rescored the pool while the annotator looked at the item.
    Item.objects.filter(pk=item.pk).update(predicted_label="ham", scored_by=second)

    annotation = submit(item, ann, ["spam"])

    assert (annotation.outcome, annotation.suggested_by_id) == (
        AnnotationOutcome.ACCEPTED,
        first.pk,
    )


def test_multilabel_acceptance_ignores_the_order_of_labels(make_member):
    project = ProjectFactory(
        task_type=TaskType.MULTILABEL, label_classes=["a", "b", "c"], retrain_every=0
    )
    user = make_member(Role.ANNOTATOR, proj=project)
    item = ItemFactory(project=project, predicted_label="a")
    assignment = queue_next(project=project, user=user)
    QueueAssignment.objects.filter(pk=assignment.pk).update(suggested_labels=["a", "b"])

    annotation = submit(item, user, ["b", "a"])

    assert annotation.outcome == AnnotationOutcome.ACCEPTED


def test_submit_moves_the_counters_and_finishes_the_assignment(project, ann):
    (item,) = make_items(project, 1)
    assignment = queue_next(project=project, user=ann)

    submit(item, ann, ["ham"])

    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.SUBMITTED
    assert assignment.finished_at is not None
    assert counters(item) == (1, 0, True)


def test_the_same_client_key_stores_one_annotation(project, ann):
    (item,) = make_items(project, 1)
    queue_next(project=project, user=ann)

    first, created = queue_submit(item=item, user=ann, labels=["ham"], client_key="k1")
    again, created_again = queue_submit(item=item, user=ann, labels=["spam"], client_key="k1")

    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert again.labels == ["ham"]
    assert Annotation.objects.count() == 1
    assert counters(item) == (1, 0, True)


def test_a_client_key_used_for_another_item_is_refused(project, ann):
    first, second = make_items(project, 2)
    queue_next(project=project, user=ann)
    queue_next(project=project, user=ann)
    queue_submit(item=first, user=ann, labels=["ham"], client_key="k1")

    with pytest.raises(ApplicationError) as refused:
        queue_submit(item=second, user=ann, labels=["ham"], client_key="k1")

    assert refused.value.status_code == 409
    assert counters(second) == (0, 1, False)


@pytest.mark.parametrize(
    ("labels", "problem"),
    [(["nope"], "Not a label class"), (["ham", "spam"], "one label per item"), ([" "], "at least")],
)
def test_submit_refuses_bad_labels_and_keeps_the_lease(project, ann, labels, problem):
    (item,) = make_items(project, 1)
    queue_next(project=project, user=ann)

    with pytest.raises(ApplicationError, match=problem) as refused:
        submit(item, ann, labels)

    assert refused.value.status_code == 400
    assert Annotation.objects.count() == 0
    assert counters(item) == (0, 1, False)


def test_submit_without_a_lease_is_refused(project, ann):
    (item,) = make_items(project, 1)

    with pytest.raises(ApplicationError, match="do not hold a lease") as refused:
        submit(item, ann, ["ham"])

    assert refused.value.status_code == 409
    assert Annotation.objects.count() == 0


def test_submit_on_an_expired_lease_is_refused_and_stores_nothing(project, ann):
    (item,) = make_items(project, 1)
    expire(queue_next(project=project, user=ann))

    with pytest.raises(ApplicationError, match="expired") as refused:
        submit(item, ann, ["ham"])

    assert refused.value.status_code == 409
    assert Annotation.objects.count() == 0


def test_submit_after_a_skip_is_refused(project, ann):
    (item,) = make_items(project, 1)
    queue_next(project=project, user=ann)
    queue_skip(item=item, user=ann)

    with pytest.raises(ApplicationError, match="skipped"):
        submit(item, ann, ["ham"])

    assert counters(item) == (0, 0, False)


def test_submit_checks_whether_retraining_is_due_after_commit(
    project, ann, django_capture_on_commit_callbacks
):
    project.retrain_every = 1
    project.save()
    (item,) = make_items(project, 1)
    queue_next(project=project, user=ann)

    with django_capture_on_commit_callbacks() as callbacks:
        submit(item, ann, ["ham"])

    assert len(callbacks) == 1


# --- skip, release, renew, expiry -------------------------------------------------------------


def test_a_skipped_item_goes_to_others_and_never_back_to_the_skipper(project, ann, ben):
    (item,) = make_items(project, 1)
    queue_next(project=project, user=ann)

    assignment = queue_skip(item=item, user=ann, reason="can't read the language")

    assert (assignment.state, assignment.skip_reason) == (
        AssignmentState.SKIPPED,
        "can't read the language",
    )
    assert counters(item) == (0, 0, False)
    assert queue_next(project=project, user=ann) is None
    assert queue_next(project=project, user=ben).item_id == item.pk


def test_skipping_twice_is_a_no_op_and_a_labeled_item_cannot_be_skipped(project, ann):
    first, second = make_items(project, 2)
    queue_next(project=project, user=ann)
    queue_next(project=project, user=ann)
    queue_skip(item=first, user=ann)
    submit(second, ann, ["ham"])

    queue_skip(item=first, user=ann)
    with pytest.raises(ApplicationError) as refused:
        queue_skip(item=second, user=ann)

    assert refused.value.status_code == 409
    assert counters(first) == (0, 0, False)
    assert counters(second) == (1, 0, True)


def test_a_released_item_goes_back_to_the_queue(project, ann, ben):
    first, second = make_items(project, 2)
    queue_next(project=project, user=ann)

    queue_release(item=first, user=ann)

    assert counters(first) == (0, 0, False)
    assert queue_next(project=project, user=ben).item_id == first.pk
    # The releaser gets other items first ...
    assert queue_next(project=project, user=ann).item_id == second.pk


def test_a_lone_annotator_gets_a_released_item_back_when_nothing_else_is_left(project, ann):
    (item,) = make_items(project, 1)
    queue_next(project=project, user=ann)
    queue_release(item=item, user=ann)

    again = queue_next(project=project, user=ann)

    assert again.item_id == item.pk
    assert QueueAssignment.objects.filter(user=ann).count() == 1
    submit(item, ann, ["spam"])
    assert counters(item) == (1, 0, True)


def test_releasing_what_one_does_not_hold_changes_nothing(project, ann, ben):
    (item,) = make_items(project, 1)
    queue_next(project=project, user=ann)

    queue_release(item=item, user=ben)

    assert counters(item) == (0, 1, False)


def test_renew_extends_a_running_lease(project, ann):
    (item,) = make_items(project, 1)
    assignment = queue_next(project=project, user=ann)
    QueueAssignment.objects.filter(pk=assignment.pk).update(
        expires_at=timezone.now() + timedelta(seconds=5)
    )

    renewed = queue_renew(item=item, user=ann)

    assert renewed.expires_at > timezone.now() + timedelta(seconds=200)


def test_renew_refuses_an_expired_or_finished_lease(project, ann, ben):
    first, second = make_items(project, 2)
    held = queue_next(project=project, user=ann)
    queue_next(project=project, user=ben)
    expire(held)
    submit(second, ben, ["ham"])

    for item, user in ((first, ann), (second, ben), (second, ann)):
        with pytest.raises(ApplicationError) as refused:
            queue_renew(item=item, user=user)
        assert refused.value.status_code == 409


def test_an_abandoned_item_returns_to_the_queue_and_the_first_annotator_never_sees_it_again(
    project, ann, ben
):
    abandoned, other = make_items(project, 2)
    expire(queue_next(project=project, user=ann))

    expired = queue_leases_expire()

    assert expired == 1
    assert counters(abandoned) == (0, 0, False)
    assert queue_next(project=project, user=ben).item_id == abandoned.pk
    assert queue_next(project=project, user=ann).item_id == other.pk
    submit(abandoned, ben, ["ham"])
    assert queue_next(project=project, user=ann) is None
    assert QueueAssignment.objects.get(item=abandoned, user=ann).state == AssignmentState.EXPIRED


def test_next_expires_the_projects_leases_first(project, ann, ben):
    (item,) = make_items(project, 1)
    expire(queue_next(project=project, user=ann))

    assignment = queue_next(project=project, user=ben)

    assert assignment.item_id == item.pk
    assert counters(item) == (0, 1, False)


def test_expiring_counts_each_of_several_leases_on_one_item(project, ann, ben, cy):
    project.annotations_per_item = 3
    project.save()
    (item,) = make_items(project, 1)
    for user in (ann, ben, cy):
        queue_next(project=project, user=user)
    QueueAssignment.objects.filter(user__in=[ann, ben]).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )

    assert queue_leases_expire() == 2
    assert counters(item) == (0, 1, False)
    assert queue_leases_expire() == 0


# --- direct labels, undo, flags ---------------------------------------------------------------


def test_a_direct_label_counts_and_keeps_the_item_from_the_labelers_queue(project, ann, ben):
    first, second = make_items(project, 2)

    annotation_create(item=first, annotator=ann, labels=["ham"])

    assert counters(first) == (1, 0, True)
    assert queue_next(project=project, user=ann).item_id == second.pk
    assert QueueAssignment.objects.get(item=first, user=ann).state == AssignmentState.SUBMITTED


def test_a_direct_label_on_a_held_item_finishes_the_lease(project, ann):
    version = model_version(project)
    item = ItemFactory(project=project, predicted_label="spam", scored_by=version)
    queue_next(project=project, user=ann)

    annotation, _ = annotation_create(item=item, annotator=ann, labels=["spam"])

    assert counters(item) == (1, 0, True)
    assert (annotation.outcome, annotation.suggested_by_id) == (
        AnnotationOutcome.ACCEPTED,
        version.pk,
    )


def test_undo_changes_the_label_and_the_outcome_but_not_the_counts(project, ann):
    item = ItemFactory(project=project, predicted_label="spam")
    queue_next(project=project, user=ann)
    annotation = submit(item, ann, ["spam"])

    editable = annotation_get_for_edit(project=project, annotation_id=annotation.pk, user=ann)
    changed = annotation_update(annotation=editable, labels=["ham"])

    changed.refresh_from_db()
    assert (changed.labels, changed.outcome) == (["ham"], AnnotationOutcome.CORRECTED)
    assert counters(item) == (1, 0, True)


def test_undo_is_refused_after_the_edit_window_and_for_someone_elses_label(project, ann, ben):
    (item,) = make_items(project, 1)
    queue_next(project=project, user=ann)
    annotation = submit(item, ann, ["spam"])

    with pytest.raises(ApplicationError) as others:
        annotation_get_for_edit(project=project, annotation_id=annotation.pk, user=ben)
    with pytest.raises(ApplicationError) as late:
        annotation_get_for_edit(
            project=project,
            annotation_id=annotation.pk,
            user=ann,
            now=timezone.now() + timedelta(hours=25),
        )

    assert (others.value.status_code, late.value.status_code) == (403, 409)


def test_flagging_twice_keeps_one_flag_and_resolving_twice_keeps_the_first_resolution(
    project, ann, ben
):
    (item,) = make_items(project, 1)

    flag, created = item_flag_create(item=item, user=ann, reason="sarcasm?")
    again, created_again = item_flag_create(item=item, user=ann, reason="other")
    resolved = item_flag_resolve(flag=flag, user=ben)
    resolved_at = resolved.resolved_at
    resolved_again = item_flag_resolve(flag=flag, user=ann)

    assert (created, created_again, again.pk, again.reason) == (True, False, flag.pk, "sarcasm?")
    assert (resolved_again.resolved_at, resolved_again.resolved_by_id) == (resolved_at, ben.pk)


# --- imports and settings ----------------------------------------------------------------------


def test_imported_labels_count_towards_the_annotations_per_item(project, ann, make_member):
    engineer = make_member(Role.ML_ENGINEER, proj=project)
    data = b"id,text,label\nm1,Hello there,ham\nm2,WIN A PRIZE,spam\nm3,See you,\n"
    job = import_job_create(
        project=project,
        created_by=engineer,
        uploads=[SimpleUploadedFile("sms.csv", data)],
        enqueue=False,
    )

    import_job_run(job_id=job.pk)

    items = {i.external_id: (i.queue_annotations, i.queue_done) for i in project.items.all()}
    assert items == {"m1": (1, True), "m2": (1, True), "m3": (0, False)}
    assert queue_next(project=project, user=ann).item.external_id == "m3"


def test_imports_keep_the_queue_counters_of_new_existing_and_repeated_items(
    project, ann, make_member
):
    engineer = make_member(Role.ML_ENGINEER, proj=project)
    project_update(project=project, data={"annotations_per_item": 2})

    def run(name: str, data: bytes) -> None:
        job = import_job_create(
            project=project,
            created_by=engineer,
            uploads=[SimpleUploadedFile(name, data)],
            enqueue=False,
        )
        assert import_job_run(job_id=job.pk).error_count == 0

    def counts() -> dict[str, tuple[int, bool]]:
        return {i.external_id: (i.queue_annotations, i.queue_done) for i in project.items.all()}

    run("first.csv", b"id,text\nm1,Hello there\nm2,WIN A PRIZE\n")
    leased = queue_next(project=project, user=ann).item
    submit(leased, ann, ["ham"])
    labeled = b"id,text,label\nm1,Hello there,ham\nm2,WIN A PRIZE,spam\nm3,See you,ham\n"
    run("labeled.csv", labeled)
    after_labels = counts()
    run("labeled.csv", labeled)  # again: adds nothing, counts nothing twice
    # Prodigy: the same input by two people, the second row's label added once all batches are in.
    prodigy = b"".join(
        b'{"text": "Call me", "options": [{"id": "H", "text": "ham"}], "accept": ["H"], '
        b'"answer": "accept", "_input_hash": 7, "_annotator_id": "' + who + b'", '
        b'"_view_id": "choice"}\n'
        for who in (b"alice", b"bob")
    )
    run("prodigy.jsonl", prodigy)

    assert leased.external_id == "m1"
    assert after_labels == {"m1": (2, True), "m2": (1, False), "m3": (1, False)}
    assert counts() == {**after_labels, "prodigy:7": (2, True)}


def test_changing_annotations_per_item_reopens_and_closes_items(project, ann, ben):
    first, second = make_items(project, 2)
    queue_next(project=project, user=ann)
    submit(first, ann, ["ham"])

    project_update(project=project, data={"annotations_per_item": 2})
    reopened = counters(first)
    got = queue_next(project=project, user=ben).item_id
    project_update(project=project, data={"annotations_per_item": 1})

    assert reopened == (1, 0, False)
    assert got == first.pk
    assert counters(first) == (1, 1, True)
    assert counters(second) == (0, 0, False)


def test_the_periodic_task_expires_abandoned_leases_in_every_project(
    project, ann, ben, make_member
):
    from config.celery import app
    from labeling.tasks import queue_leases_expire_task

    other = ProjectFactory()
    other_user = make_member(Role.ANNOTATOR, proj=other)
    mine, running = make_items(project, 2)
    theirs = ItemFactory(project=other)
    abandoned = queue_next(project=project, user=ann)
    queue_next(project=project, user=ben)
    expire(abandoned)
    expire(queue_next(project=other, user=other_user))

    expired = queue_leases_expire_task.delay().get()

    assert expired == 2
    assert (counters(mine), counters(theirs)) == ((0, 0, False), (0, 0, False))
    assert counters(running) == (0, 1, False)
    assert app.conf.beat_schedule["queue-leases-expire"]["schedule"] == 30.0
