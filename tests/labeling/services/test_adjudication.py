"""Gold labels: which items wait for adjudication, resolving them, and what training learns."""

import pytest

from core.exceptions import ApplicationError
from core.models import AuditEvent
from labeling.choices import AnnotationSource, Role, TaskType
from labeling.models import Adjudication
from labeling.selectors.agreement import (
    adjudication_entries,
    adjudication_open_item_ids,
    project_agreement,
)
from labeling.selectors.learning import latest_labels
from labeling.services.adjudication import adjudication_resolve
from labeling.services.snapshots import training_snapshot
from tests.factories import (
    AnnotationFactory,
    ItemFactory,
    MembershipFactory,
    ProjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(project):
    users = [UserFactory(username=name) for name in ("ana", "ben", "cy")]
    for user in users:
        MembershipFactory(project=project, user=user, role=Role.ANNOTATOR)
    return users


@pytest.fixture
def lead(project):
    user = UserFactory(username="lead")
    MembershipFactory(project=project, user=user, role=Role.ADMIN)
    return user


def answer(item, user, *labels, source=AnnotationSource.HUMAN):
    return AnnotationFactory(item=item, annotator=user, labels=list(labels), source=source)


def snapshot_labels(project, classes=("ham", "spam")) -> dict[int, list[str]]:
    snapshot = training_snapshot(project=project, classes=list(classes))
    return dict(zip(snapshot.item_ids.tolist(), snapshot.labels, strict=True))


# --- the open list -----------------------------------------------------------------------------


def test_items_whose_people_disagree_wait_for_adjudication(project, people):
    ana, ben, cy = people
    disagree, agree, alone = ItemFactory.create_batch(3, project=project)
    answer(disagree, ana, "spam")
    answer(disagree, ben, "ham")
    answer(agree, ana, "spam")
    answer(agree, ben, "spam")
    answer(alone, cy, "ham")

    assert adjudication_open_item_ids(project=project) == [disagree.pk]


def test_only_each_persons_latest_answer_counts(project, people):
    ana, ben, _ = people
    changed_mind = ItemFactory(project=project)
    answer(changed_mind, ana, "ham")
    answer(changed_mind, ben, "spam")
    answer(changed_mind, ana, "spam")  # ana now agrees with ben

    assert adjudication_open_item_ids(project=project) == []


def test_the_same_persons_two_answers_are_not_a_disagreement(project, people):
    ana, _, _ = people
    item = ItemFactory(project=project)
    answer(item, ana, "ham")
    answer(item, ana, "spam")

    assert adjudication_open_item_ids(project=project) == []


def test_imported_and_automatic_labels_do_not_open_an_adjudication(project, people):
    ana, _, _ = people
    item = ItemFactory(project=project)
    AnnotationFactory(item=item, labels=["ham"], source=AnnotationSource.IMPORT)
    AnnotationFactory(item=item, labels=["ham"], source=AnnotationSource.AUTO)
    answer(item, ana, "spam")

    assert adjudication_open_item_ids(project=project) == []


def test_resolved_items_leave_the_open_list(project, people, lead):
    ana, ben, _ = people
    first, second = ItemFactory.create_batch(2, project=project)
    for item in (first, second):
        answer(item, ana, "spam")
        answer(item, ben, "ham")

    adjudication_resolve(item=first, resolved_by=lead, labels=["spam"])

    assert adjudication_open_item_ids(project=project) == [second.pk]


def test_items_of_other_projects_never_appear(project, people):
    ana, ben, _ = people
    other = ProjectFactory()
    item = ItemFactory(project=other)
    answer(item, ana, "spam")
    answer(item, ben, "ham")

    assert adjudication_open_item_ids(project=project) == []
    assert adjudication_open_item_ids(project=other) == [item.pk]


def test_multilabel_sets_in_a_different_order_agree_but_partial_overlap_does_not(people):
    ana, ben, _ = people
    project = ProjectFactory(task_type=TaskType.MULTILABEL, label_classes=["a", "b", "c"])
    same_set, partial = ItemFactory.create_batch(2, project=project)
    answer(same_set, ana, "a", "b")
    answer(same_set, ben, "b", "a")
    answer(partial, ana, "a")
    answer(partial, ben, "a", "b")

    assert adjudication_open_item_ids(project=project) == [partial.pk]


def test_entries_show_each_persons_latest_answer_and_the_gold_label(project, people, lead):
    ana, ben, _ = people
    item = ItemFactory(project=project)
    answer(item, ana, "ham")
    answer(item, ben, "spam")
    answer(item, ana, "spam")
    adjudication_resolve(item=item, resolved_by=lead, labels=["ham"], note="see guideline 3")

    [entry] = adjudication_entries(project=project, item_ids=[item.pk])

    assert [(a.annotator.username, a.labels) for a in entry["annotations"]] == [
        ("ben", ["spam"]),
        ("ana", ["spam"]),
    ]
    assert entry["gold"].labels == ["ham"]
    assert entry["gold"].note == "see guideline 3"
    assert entry["gold"].resolved_by == lead


# --- resolving ---------------------------------------------------------------------------------


def test_resolving_again_changes_the_gold_label_and_who_resolved_it(project, people, lead):
    ana = people[0]
    item = ItemFactory(project=project)
    adjudication_resolve(item=item, resolved_by=lead, labels=["ham"])

    adjudication_resolve(item=item, resolved_by=ana, labels=[" spam ", "spam"], note="on review")

    gold = Adjudication.objects.get(item=item)
    assert (gold.labels, gold.resolved_by, gold.note) == (["spam"], ana, "on review")
    assert Adjudication.objects.count() == 1


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        (["eggs"], "Not a label class of this project: 'eggs'."),
        (["ham", "spam"], "A binary project takes one label per item; got 2."),
        ([], "Give at least one label."),
        (["  "], "Give at least one label."),
    ],
)
def test_resolving_refuses_labels_the_project_cannot_take(project, lead, labels, message):
    item = ItemFactory(project=project)

    with pytest.raises(ApplicationError) as refused:
        adjudication_resolve(item=item, resolved_by=lead, labels=labels)

    assert refused.value.message == message
    assert not Adjudication.objects.exists()


def test_a_multilabel_gold_label_may_hold_several_labels(people, lead):
    project = ProjectFactory(task_type=TaskType.MULTILABEL, label_classes=["a", "b", "c"])
    item = ItemFactory(project=project)

    gold = adjudication_resolve(item=item, resolved_by=lead, labels=["c", "a"])

    assert gold.labels == ["c", "a"]


# --- what training learns ----------------------------------------------------------------------


def test_training_uses_the_gold_label_over_every_annotation(project, people, lead):
    ana, ben, cy = people
    item = ItemFactory(project=project)
    answer(item, ana, "spam")
    answer(item, ben, "spam")
    answer(item, cy, "ham")
    AnnotationFactory(item=item, labels=["spam"], source=AnnotationSource.MODERATION)

    adjudication_resolve(item=item, resolved_by=lead, labels=["ham"])

    assert snapshot_labels(project) == {item.pk: ["ham"]}


def test_training_uses_the_majority_of_several_people_over_the_latest_answer(project, people):
    ana, ben, cy = people
    item = ItemFactory(project=project)
    answer(item, ana, "spam")
    answer(item, ben, "spam")
    answer(item, cy, "ham")  # the latest, but outvoted

    assert snapshot_labels(project) == {item.pk: ["spam"]}


def test_a_tie_between_people_goes_to_the_most_recent_answer(project, people):
    ana, ben, _ = people
    first, second = ItemFactory.create_batch(2, project=project)
    answer(first, ana, "spam")
    answer(first, ben, "ham")
    answer(second, ben, "ham")
    answer(second, ana, "spam")

    assert snapshot_labels(project) == {first.pk: ["ham"], second.pk: ["spam"]}


def test_a_person_counts_once_with_their_latest_answer(project, people):
    ana, ben, _ = people
    item = ItemFactory(project=project)
    answer(item, ana, "spam")
    answer(item, ana, "spam")
    answer(item, ben, "ham")
    answer(item, ana, "ham")  # ana changes her mind: both now say ham

    assert snapshot_labels(project) == {item.pk: ["ham"]}


def test_one_persons_item_keeps_its_latest_label_and_auto_labels_never_override(project, people):
    ana, _, _ = people
    mine, auto_only = ItemFactory.create_batch(2, project=project)
    answer(mine, ana, "spam")
    answer(mine, ana, "ham")
    AnnotationFactory(item=mine, labels=["spam"], source=AnnotationSource.AUTO)
    AnnotationFactory(item=auto_only, labels=["spam"], source=AnnotationSource.AUTO)

    assert snapshot_labels(project) == {mine.pk: ["ham"]}
    project.train_on_auto_labels = True
    assert snapshot_labels(project) == {mine.pk: ["ham"], auto_only.pk: ["spam"]}


def test_an_appeal_decided_after_the_vote_still_corrects_the_label(project, people):
    ana, ben, cy = people
    item = ItemFactory(project=project)
    answer(item, ana, "spam")
    answer(item, ben, "spam")
    answer(item, cy, "ham")
    AnnotationFactory(item=item, labels=["ham"], source=AnnotationSource.APPEAL)

    assert snapshot_labels(project) == {item.pk: ["ham"]}


def test_the_vote_is_newer_than_an_imported_label(project, people):
    ana, ben, _ = people
    item = ItemFactory(project=project)
    AnnotationFactory(item=item, labels=["ham"], source=AnnotationSource.IMPORT)
    answer(item, ana, "spam")
    answer(item, ben, "spam")

    assert snapshot_labels(project) == {item.pk: ["spam"]}


def test_the_snapshot_hash_is_stable_and_follows_the_gold_label(project, people, lead):
    ana, ben, _ = people
    item = ItemFactory(project=project)
    answer(item, ana, "spam")
    answer(item, ben, "ham")
    before = training_snapshot(project=project, classes=["ham", "spam"]).hash

    again = training_snapshot(project=project, classes=["ham", "spam"]).hash
    adjudication_resolve(item=item, resolved_by=lead, labels=["spam"])
    after = training_snapshot(project=project, classes=["ham", "spam"]).hash

    assert again == before
    assert after != before
    assert after == training_snapshot(project=project, classes=["ham", "spam"]).hash


def test_gold_labels_count_for_the_audit_sample_too(project, people, lead):
    ana, ben, _ = people
    audited = ItemFactory(project=project, is_audit=True)
    gold_only = ItemFactory(project=project, is_audit=True)
    ItemFactory(project=project, is_audit=False)
    answer(audited, ana, "spam")
    answer(audited, ben, "ham")
    adjudication_resolve(item=audited, resolved_by=lead, labels=["spam"])
    adjudication_resolve(item=gold_only, resolved_by=lead, labels=["ham"])

    rows = latest_labels(project=project, sources=(AnnotationSource.HUMAN,), audit_only=True)

    assert [(row[0], row[1], row[3]) for row in rows] == [
        (audited.pk, ["spam"], True),
        (gold_only.pk, ["ham"], True),
    ]


def test_a_multilabel_majority_counts_label_sets_in_any_order(people):
    ana, ben, cy = people
    project = ProjectFactory(task_type=TaskType.MULTILABEL, label_classes=["a", "b", "c"])
    item = ItemFactory(project=project)
    answer(item, ana, "b", "a")
    answer(item, ben, "c")
    answer(item, cy, "a", "b")

    assert snapshot_labels(project, classes=("a", "b", "c")) == {item.pk: ["a", "b"]}


# --- the agreement figures from stored annotations ---------------------------------------------


def test_agreement_of_two_people_from_their_annotations(project, people):
    ana, ben, cy = people
    # Ten shared items: both spam 4, both ham 3, ana spam / ben ham 2, ana ham / ben spam 1.
    # p_o = 7/10; ana spam 6/10, ben spam 5/10: p_e = 0.6·0.5 + 0.4·0.5 = 0.5; kappa = 0.4.
    # Fleiss pools the marginals: spam 11/20 -> P̄_e = 0.55² + 0.45² = 0.505,
    # kappa = (0.7 - 0.505) / 0.495 = 0.3939. Alpha: n = 20, Σo_cc = 14, n_spam = 11,
    # n_ham = 9 -> 1 - 19·(20 - 14) / (400 - 121 - 81) = 0.4242.
    pairs = [("spam", "spam")] * 4 + [("ham", "ham")] * 3 + [("spam", "ham")] * 2
    pairs += [("ham", "spam")]
    for first, second in pairs:
        item = ItemFactory(project=project)
        answer(item, ana, first)
        answer(item, ben, second)
    answer(ItemFactory(project=project), cy, "ham")  # nobody else labeled it

    figures = project_agreement(project=project)

    assert figures["project"] == {
        "items_compared": 10,
        "annotators": 2,
        "percent_agreement": 0.7,
        "cohen_kappa": 0.4,
        "fleiss_kappa": pytest.approx(0.3939, abs=1e-4),
        "krippendorff_alpha": pytest.approx(0.4242, abs=1e-4),
    }
    assert figures["annotators"] == [
        {"user_id": ana.pk, "username": "ana", "annotations": 10, "items_shared": 10, "kappa": 0.4},
        {"user_id": ben.pk, "username": "ben", "annotations": 10, "items_shared": 10, "kappa": 0.4},
        {"user_id": cy.pk, "username": "cy", "annotations": 1, "items_shared": 0, "kappa": None},
    ]


def test_agreement_without_shared_items_is_empty_not_an_error(project, people):
    ana, _, _ = people
    answer(ItemFactory(project=project), ana, "spam")

    figures = project_agreement(project=project)

    assert figures["project"] == {
        "items_compared": 0,
        "annotators": 0,
        "percent_agreement": None,
        "cohen_kappa": None,
        "fleiss_kappa": None,
        "krippendorff_alpha": None,
    }
    assert figures["annotators"][0]["kappa"] is None


# --- audit ---------------------------------------------------------------------------------------


def gold_events(item):
    return list(
        AuditEvent.objects.filter(
            action="adjudication.resolve", object_type="labeling.item", object_id=str(item.pk)
        ).order_by("id")
    )


def test_resolving_records_the_gold_label_before_and_after_with_who_did_it(project, lead):
    item = ItemFactory(project=project)

    adjudication_resolve(item=item, resolved_by=lead, labels=["ham"], note="greeting")
    adjudication_resolve(item=item, resolved_by=lead, labels=["spam"], note="second look")

    first, second = gold_events(item)
    assert (first.actor, first.actor_name, first.scope) == (
        lead,
        "lead",
        f"labeling.project:{project.pk}",
    )
    assert first.before is None
    assert first.after == {"labels": ["ham"], "note": "greeting"}
    assert second.before == {"labels": ["ham"], "note": "greeting"}
    assert second.after == {"labels": ["spam"], "note": "second look"}


def test_a_refused_gold_label_changes_nothing_and_records_nothing(project, lead):
    item = ItemFactory(project=project)
    adjudication_resolve(item=item, resolved_by=lead, labels=["ham"])

    with pytest.raises(ApplicationError):
        adjudication_resolve(item=item, resolved_by=lead, labels=["not-a-class"])

    assert Adjudication.objects.get(item=item).labels == ["ham"]
    assert len(gold_events(item)) == 1


def test_the_gold_label_and_its_audit_record_commit_together(project, lead, monkeypatch):
    """If the audit record cannot be written, the gold label does not change either."""
    item = ItemFactory(project=project)
    adjudication_resolve(item=item, resolved_by=lead, labels=["ham"])

    def audit_fails(**kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr("labeling.services.adjudication.audit_record", audit_fails)
    with pytest.raises(RuntimeError):
        adjudication_resolve(item=item, resolved_by=lead, labels=["spam"])

    assert Adjudication.objects.get(item=item).labels == ["ham"]
    assert len(gold_events(item)) == 1
