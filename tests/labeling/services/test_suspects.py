"""The suspects job and second opinions as people see them: the ranked list, the error rates
per class and per annotator, and a batch going through the annotation queue blind."""

import random

import pytest

from labeling.choices import AnnotationSource, AssignmentState, SuspectStatus, TaskType
from labeling.models import Annotation, QueueAssignment, SuspectLabel
from labeling.services.learning_jobs import project_suspects_request
from labeling.services.queue import queue_next, queue_submit
from labeling.services.suspect_reviews import suspects_send_for_second_opinion
from labeling.services.suspects import suspects_job_run
from models_app.choices import JobKind, JobStatus, JobTrigger
from tests.factories import ProjectFactory, UserFactory
from tests.factories.learning import give_labels, make_corpus

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    return ProjectFactory(embedder="hashing", retrain_every=0)


def run(project):
    job = project_suspects_request(project=project, trigger=JobTrigger.MANUAL)
    assert job.kind == JobKind.SUSPECTS
    finished = suspects_job_run(job_id=job.pk)
    assert finished is not None
    return finished


def other(label: str) -> str:
    return "spam" if label == "ham" else "ham"


def label_with_two_annotators(project, flip_share=0.25, seed=3):
    """alice labels half the corpus right; bob the other half with ``flip_share`` flipped.
    Returns (truth, the ids bob flipped, alice, bob)."""
    truth = make_corpus(project, 300, seed=seed, max_noise=0.15)
    ids = sorted(truth)
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    rng = random.Random(seed)
    alice_ids, bob_ids = ids[::2], ids[1::2]
    flipped = set(rng.sample(bob_ids, int(flip_share * len(bob_ids))))
    give_labels(alice_ids, truth, annotator=alice)
    given = {i: other(truth[i]) if i in flipped else truth[i] for i in bob_ids}
    give_labels(bob_ids, given, annotator=bob)
    return truth, flipped, alice, bob


def test_job_lists_wrong_labels_first_with_the_right_label_suggested(project):
    truth, flipped, _alice, bob = label_with_two_annotators(project)

    job = run(project)

    assert job.status == JobStatus.SUCCEEDED, job.error or job.message
    suspects = list(SuspectLabel.objects.filter(project=project).order_by("rank"))
    assert suspects, job.message
    assert [s.rank for s in suspects] == list(range(1, len(suspects) + 1))
    top = suspects[: len(flipped)]
    hits = [s for s in top if s.item_id in flipped]
    assert len(hits) / len(top) >= 0.7
    for s in hits:
        assert s.annotator_id == bob.pk
        assert s.given_label == other(truth[s.item_id])
        assert s.suggested_label == truth[s.item_id]
        assert s.status == SuspectStatus.OPEN
    assert f"{job.result['suspects']} of 300 labels look wrong" in job.message


def test_error_rates_per_class_and_per_annotator_are_in_the_result(project):
    _truth, _flipped, _alice, bob = label_with_two_annotators(project)

    result = run(project).result

    assert set(result["per_class"]) == {"ham", "spam"}
    assert sum(c["labels"] for c in result["per_class"].values()) == 300
    assert 0 < result["estimated_error_rate"] < 0.5
    people = {row["annotator"]: row for row in result["per_annotator"]}
    assert set(people) == {"alice", "bob"}
    assert people["bob"]["labels"] == people["alice"]["labels"] == 150
    assert people["bob"]["flagged_share"] > 2 * people["alice"]["flagged_share"]
    assert people["bob"]["annotator_id"] == bob.pk
    # Flagged counts only labels that are a suspect's given label.
    flagged_bob = SuspectLabel.objects.filter(project=project, annotator=bob).count()
    assert people["bob"]["flagged"] == flagged_bob


def test_automatic_labels_are_never_judged(project):
    truth = make_corpus(project, 60, seed=5, max_noise=0.1)
    ids = sorted(truth)
    give_labels(ids[:40], truth, annotator=UserFactory())
    give_labels(ids[40:], {i: other(truth[i]) for i in ids[40:]}, source=AnnotationSource.AUTO)

    job = run(project)

    assert job.result["judged"] == 40
    assert not SuspectLabel.objects.filter(item_id__in=ids[40:]).exists()


def test_too_few_labels_waits_and_says_what_is_missing(project):
    truth = make_corpus(project, 20, seed=1)
    ids = sorted(truth)
    give_labels(ids[:3], "ham", annotator=UserFactory())
    give_labels(ids[3:12], "spam", annotator=UserFactory())

    job = run(project)

    assert job.status == JobStatus.WAITING
    assert "at least 5 people's labels in each of two classes" in job.message
    assert not SuspectLabel.objects.exists()


def test_multilabel_projects_are_not_judged():
    project = ProjectFactory(embedder="hashing", task_type=TaskType.MULTILABEL)

    job = run(project)

    assert job.status == JobStatus.WAITING
    assert "single-label" in job.message


def test_a_second_run_replaces_open_suspects_and_keeps_those_sent(project):
    label_with_two_annotators(project)
    run(project)
    first = list(SuspectLabel.objects.filter(project=project).order_by("rank"))
    manager = UserFactory()
    suspects_send_for_second_opinion(project=project, suspect_ids=[first[0].pk], user=manager)

    run(project)

    sent = SuspectLabel.objects.get(pk=first[0].pk)
    assert sent.status == SuspectStatus.SENT
    assert SuspectLabel.objects.filter(item_id=first[0].item_id).count() == 1
    assert not SuspectLabel.objects.filter(pk__in=[s.pk for s in first[1:]]).exists()
    assert SuspectLabel.objects.filter(project=project, status=SuspectStatus.OPEN).exists()


# --- second opinions -------------------------------------------------------------------------


def suspect_row(project, item, annotator, given="spam", suggested="ham", rank=1):
    return SuspectLabel.objects.create(
        project=project,
        item=item,
        annotator=annotator,
        given_label=given,
        suggested_label=suggested,
        score=0.1,
        suggested_probability=0.8,
        rank=rank,
    )


@pytest.fixture
def labeled_pair(project):
    """Two items labeled spam by ``first`` (through the queue), both suspects."""
    truth = make_corpus(project, 4, seed=9)
    first = UserFactory(username="first")
    rows = []
    for rank in (1, 2):
        assignment = queue_next(project=project, user=first)
        queue_submit(item=assignment.item, user=first, labels=["spam"], client_key=f"f{rank}")
        rows.append(suspect_row(project, assignment.item, first, rank=rank))
    return truth, first, rows


def test_sent_items_go_to_another_annotator_first_without_any_proposal(project, labeled_pair):
    _truth, first, (row, _row2) = labeled_pair
    manager, second = UserFactory(), UserFactory()
    row.item.predicted_label, row.item.confidence = "spam", 0.9
    row.item.save()
    suspects_send_for_second_opinion(project=project, suspect_ids=[row.pk], user=manager)

    assignment = queue_next(project=project, user=second)

    assert assignment.item_id == row.item_id
    assert assignment.suggested_labels == []
    assert assignment.suggested_by_id is None
    # The one who gave the label is never handed it again.
    mine = queue_next(project=project, user=first)
    assert mine is None or mine.item_id != row.item_id


def test_the_original_annotator_is_not_assigned_even_without_a_queue_assignment(project):
    truth = make_corpus(project, 3, seed=2)
    ids = sorted(truth)
    labeler = UserFactory()
    (annotation,) = give_labels(ids[:1], "spam", annotator=labeler)
    row = suspect_row(project, annotation.item, labeler)
    suspects_send_for_second_opinion(project=project, suspect_ids=[row.pk], user=UserFactory())

    offered = queue_next(project=project, user=labeler)

    assert offered is None or offered.item_id != row.item_id
    assert not QueueAssignment.objects.filter(item=row.item, user=labeler).exists()


@pytest.mark.parametrize(
    ("answer", "status"), [("spam", SuspectStatus.CONFIRMED), ("ham", SuspectStatus.CORRECTED)]
)
def test_the_second_opinion_is_recorded_on_the_suspect(project, labeled_pair, answer, status):
    _truth, _first, (row, _row2) = labeled_pair
    second = UserFactory()
    suspects_send_for_second_opinion(project=project, suspect_ids=[row.pk], user=UserFactory())
    assignment = queue_next(project=project, user=second)

    queue_submit(item=assignment.item, user=second, labels=[answer], client_key="s1")

    row.refresh_from_db()
    assert row.status == status
    assert row.reviewer_id == second.pk
    assert row.review_labels == [answer]
    assert row.reviewed_at is not None
    assert Annotation.objects.filter(item=row.item, annotator=second).count() == 1
    # Answered: nobody else is handed it for a second opinion.
    third = queue_next(project=project, user=UserFactory())
    assert third is None or third.item_id != row.item_id


def test_a_released_second_opinion_goes_back_to_be_taken(project, labeled_pair):
    from labeling.services.queue import queue_release

    _truth, _first, (row, _row2) = labeled_pair
    second, third = UserFactory(), UserFactory()
    suspects_send_for_second_opinion(project=project, suspect_ids=[row.pk], user=UserFactory())
    held = queue_next(project=project, user=second)
    assert held.item_id == row.item_id
    # While second holds it, nobody else gets it.
    offered = queue_next(project=project, user=third)
    assert offered is None or offered.item_id != row.item_id
    if offered is not None:
        queue_release(item=offered.item, user=third)

    queue_release(item=held.item, user=second)

    again = queue_next(project=project, user=third)
    assert again.item_id == row.item_id
    assert QueueAssignment.objects.get(item=row.item, user=second).state == (
        AssignmentState.RELEASED
    )


def test_sending_is_all_or_nothing(project, labeled_pair):
    from core.exceptions import ApplicationError

    _truth, _first, (row, row2) = labeled_pair
    manager = UserFactory()
    suspects_send_for_second_opinion(project=project, suspect_ids=[row.pk], user=manager)

    with pytest.raises(ApplicationError, match="already sent"):
        suspects_send_for_second_opinion(
            project=project, suspect_ids=[row2.pk, row.pk], user=manager
        )

    row2.refresh_from_db()
    assert row2.status == SuspectStatus.OPEN
