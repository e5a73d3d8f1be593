"""The agreement endpoint and the project dashboard, as an admin or ML engineer sees them."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from labeling.choices import AnnotationOutcome, AnnotationSource, Role
from labeling.models import Annotation, Item, LabelClass
from labeling.selectors.dashboard import project_dashboard
from tests.factories import AnnotationFactory, ItemFactory, ProjectFactory

pytestmark = pytest.mark.django_db

ACCEPTED, CORRECTED, NONE = (
    AnnotationOutcome.ACCEPTED,
    AnnotationOutcome.CORRECTED,
    AnnotationOutcome.NO_SUGGESTION,
)
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def annotators(project, make_member):
    return [make_member(Role.ANNOTATOR, username=name) for name in ("ana", "ben", "cy")]


@pytest.fixture
def engineer(api, make_member):
    return api.as_user(make_member(Role.ML_ENGINEER, username="eve"))


def url(project, path):
    return f"/api/v1/projects/{project.pk}/{path}"


def answer(item, user, *labels, outcome="", at=None, source=AnnotationSource.HUMAN):
    annotation = AnnotationFactory(
        item=item, annotator=user, labels=list(labels), outcome=outcome, source=source
    )
    if at is not None:  # created_at is set on insert; move it afterwards
        Annotation.objects.filter(pk=annotation.pk).update(created_at=at)
    return annotation


# --- agreement ---------------------------------------------------------------------------------


def test_agreement_of_three_annotators(engineer, project, annotators):
    ana = annotators[0]
    # Six items, each labeled by all three (one category per row: ana, ben, cy).
    rows = [
        ("spam", "spam", "spam"),
        ("spam", "spam", "ham"),
        ("ham", "ham", "ham"),
        ("ham", "ham", "spam"),
        ("spam", "spam", "spam"),
        ("ham", "ham", "ham"),
    ]
    for labels in rows:
        item = ItemFactory(project=project)
        for user, label in zip(annotators, labels, strict=True):
            answer(item, user, label)
    # By hand: P_i = 1 for 4 items, 1/3 for 2 -> P̄ = 7/9; spam 9/18, ham 9/18 -> P̄_e = 1/2;
    # Fleiss' kappa = (7/9 - 1/2) / (1/2) = 5/9. Alpha: n = 18, Σo_cc = 4·3 + 2·1 = 14,
    # n_c = 9, 9 -> 1 - 17·(18 - 14) / (324 - 162) = 1 - 68/162 = 0.5802.
    # ana and ben agree on all six (kappa 1); each with cy: p_o = 4/6, p_e = 1/2 -> 1/3.

    response = engineer.get(url(project, "agreement/"))

    assert response.status_code == 200
    body = response.json()
    assert body["project"] == {
        "items_compared": 6,
        "annotators": 3,
        "percent_agreement": round(7 / 9, 4),
        "cohen_kappa": None,
        "fleiss_kappa": round(5 / 9, 4),
        "krippendorff_alpha": round(1 - 68 / 162, 4),
    }
    assert [(a["username"], a["annotations"], a["items_shared"], a["kappa"]) for a in body[
        "annotators"
    ]] == [
        ("ana", 6, 6, round((1 + 1 / 3) / 2, 4)),
        ("ben", 6, 6, round((1 + 1 / 3) / 2, 4)),
        ("cy", 6, 6, round(1 / 3, 4)),
    ]  # fmt: skip
    assert body["annotators"][0]["user_id"] == ana.pk


def test_an_annotator_sharing_too_few_items_gets_no_kappa(engineer, project, annotators):
    ana, ben, _ = annotators
    for label in ("spam", "ham", "spam", "ham"):
        item = ItemFactory(project=project)
        answer(item, ana, label)
        answer(item, ben, label)

    body = engineer.get(url(project, "agreement/")).json()

    assert body["project"]["cohen_kappa"] == 1.0
    assert [(a["items_shared"], a["kappa"]) for a in body["annotators"]] == [(4, None), (4, None)]


def test_agreement_counts_only_each_persons_latest_answer(engineer, project, annotators):
    ana, ben, _ = annotators
    for label in ("spam", "ham", "spam", "ham", "spam"):
        item = ItemFactory(project=project)
        answer(item, ana, "ham" if label == "spam" else "spam")
        answer(item, ben, label)
        answer(item, ana, label)  # she corrects herself: now they agree

    body = engineer.get(url(project, "agreement/")).json()

    assert body["project"]["percent_agreement"] == 1.0
    assert [a["kappa"] for a in body["annotators"]] == [1.0, 1.0]
    assert [a["annotations"] for a in body["annotators"]] == [5, 5]


# --- dashboard: queue and labels ---------------------------------------------------------------


def test_dashboard_queue_figures(engineer, project):
    items = ItemFactory.create_batch(7, project=project)
    Item.objects.filter(pk__in=[i.pk for i in items[:3]]).update(queue_done=True)
    Item.objects.filter(pk__in=[i.pk for i in items[3:5]]).update(queue_leases=1)
    Item.objects.filter(pk=items[6].pk).update(queue_leases=2, is_audit=True)
    ItemFactory(project=ProjectFactory(), text="another project's item")

    response = engineer.get(url(project, "dashboard/"))

    assert response.status_code == 200
    assert response.json()["queue"] == {
        "total_items": 7,
        "open_items": 4,
        "done_items": 3,
        "leased_items": 3,
        "audit_items": 1,
    }


def test_label_distribution_counts_items_per_label_in_class_order(engineer, project, annotators):
    ana, ben, _ = annotators
    LabelClass.objects.create(project=project, name="eggs", order=5)
    first, second, third, fourth = ItemFactory.create_batch(4, project=project)
    answer(first, ana, "spam")
    answer(first, ben, "spam")  # the same item counts once per label
    answer(second, ana, "spam")
    answer(second, ben, "ham")
    AnnotationFactory(item=third, labels=["ham"], source=AnnotationSource.IMPORT)
    AnnotationFactory(item=third, labels=["spam"], source=AnnotationSource.AUTO)  # not a person's
    AnnotationFactory(item=fourth, labels=["retired"], source=AnnotationSource.IMPORT)

    body = engineer.get(url(project, "dashboard/")).json()

    assert body["label_distribution"] == [
        {"label": "ham", "count": 2},
        {"label": "spam", "count": 2},
        {"label": "eggs", "count": 0},
        {"label": "retired", "count": 1},
    ]


# --- dashboard: annotators ---------------------------------------------------------------------


def test_dashboard_annotators_as_the_api_reports_them(engineer, project, annotators):
    ana, ben, _ = annotators
    for n in range(6):
        item = ItemFactory(project=project)
        answer(item, ana, "spam", outcome=ACCEPTED if n < 4 else CORRECTED)
        answer(item, ben, "spam" if n % 2 else "ham", outcome=NONE)

    body = engineer.get(url(project, "dashboard/")).json()

    by_name = {row["username"]: row for row in body["annotators"]}
    assert set(by_name) == {"ana", "ben"}
    assert by_name["ana"]["done_total"] == by_name["ana"]["done_today"] == 6
    assert by_name["ana"]["acceptance_rate"] == round(4 / 6, 4)
    assert by_name["ben"]["acceptance_rate"] is None  # never shown a proposal
    # Everything happened within the last minute: the rate is measured over one minute.
    assert by_name["ana"]["rate_per_hour"] == 6 * 60
    # ana always says spam, ben half the time: they agree as often as chance would have it.
    assert by_name["ana"]["kappa"] == 0.0
    assert body["agreement"]["items_compared"] == 6
    assert body["agreement"]["percent_agreement"] == 0.5


def test_rate_per_hour_runs_from_the_first_annotation_today(project, annotators):
    ana, ben, _ = annotators
    now = datetime(2024, 6, 15, 10, 0, tzinfo=NEW_YORK)
    for hours_ago in (2, 1.5, 0.5, 0.25):
        answer(ItemFactory(project=project), ana, "spam", at=now - timedelta(hours=hours_ago))
    answer(ItemFactory(project=project), ana, "ham", at=now - timedelta(days=1))
    answer(ItemFactory(project=project), ben, "ham", at=now - timedelta(days=3))

    dashboard = project_dashboard(project=project, now=now)

    by_name = {row["username"]: row for row in dashboard["annotators"]}
    assert (by_name["ana"]["done_today"], by_name["ana"]["done_total"]) == (4, 5)
    assert by_name["ana"]["rate_per_hour"] == 2.0  # 4 annotations since 08:00, at 10:00
    assert (by_name["ben"]["done_today"], by_name["ben"]["rate_per_hour"]) == (0, None)
    assert "cy" not in by_name  # no annotation in this project


# --- dashboard: over time ----------------------------------------------------------------------


def test_acceptance_and_throughput_per_day_in_the_server_time_zone(settings, project, annotators):
    settings.TIME_ZONE = "America/New_York"
    ana, ben, _ = annotators
    now = datetime(2024, 6, 15, 10, 0, tzinfo=NEW_YORK)
    today_early = datetime(2024, 6, 15, 1, 30, tzinfo=NEW_YORK)
    # 02:30 UTC on the 15th is still the evening of the 14th in New York.
    yesterday_late = datetime(2024, 6, 15, 2, 30, tzinfo=ZoneInfo("UTC"))
    first_day = datetime(2024, 5, 17, 12, 0, tzinfo=NEW_YORK)
    too_old = datetime(2024, 5, 16, 23, 0, tzinfo=NEW_YORK)
    for at, outcome in [
        (today_early, ACCEPTED),
        (today_early, ACCEPTED),
        (today_early, CORRECTED),
        (today_early, ""),  # labeled outside the queue: counts as throughput only
        (yesterday_late, CORRECTED),
        (first_day, NONE),
        (too_old, ACCEPTED),
    ]:
        answer(ItemFactory(project=project), ana, "spam", outcome=outcome, at=at)
    AnnotationFactory(item=ItemFactory(project=project), labels=["ham"])  # imported by script
    answer(ItemFactory(project=project), ben, "ham", source=AnnotationSource.AUTO, at=today_early)

    dashboard = project_dashboard(project=project, now=now)

    acceptance = {row["date"]: row for row in dashboard["acceptance_over_time"]}
    throughput = {row["date"]: row["annotations"] for row in dashboard["throughput"]}
    assert list(acceptance) == list(throughput)
    assert list(acceptance) == [date(2024, 5, 17) + timedelta(days=n) for n in range(30)]
    assert acceptance[date(2024, 6, 15)] == {
        "date": date(2024, 6, 15),
        "accepted": 2,
        "corrected": 1,
        "no_suggestion": 0,
        "acceptance_rate": round(2 / 3, 4),
    }
    assert acceptance[date(2024, 6, 14)]["corrected"] == 1
    assert acceptance[date(2024, 5, 17)]["no_suggestion"] == 1
    assert acceptance[date(2024, 5, 17)]["acceptance_rate"] is None
    assert acceptance[date(2024, 6, 1)]["acceptance_rate"] is None
    assert throughput[date(2024, 6, 15)] == 4
    assert throughput[date(2024, 6, 14)] == 1
    assert sum(throughput.values()) == 6


def test_dashboard_series_reach_today_through_the_api(engineer, project, annotators):
    answer(ItemFactory(project=project), annotators[0], "spam", outcome=ACCEPTED)

    body = engineer.get(url(project, "dashboard/")).json()

    today = timezone.localdate().isoformat()
    assert len(body["acceptance_over_time"]) == len(body["throughput"]) == 30
    assert body["acceptance_over_time"][-1]["date"] == today
    assert body["acceptance_over_time"][-1]["acceptance_rate"] == 1.0
    assert body["throughput"][-1] == {"date": today, "annotations": 1}


def test_an_empty_project_has_an_empty_dashboard(engineer, project):
    body = engineer.get(url(project, "dashboard/")).json()

    assert body["queue"]["total_items"] == 0
    assert body["annotators"] == []
    assert body["label_distribution"] == [
        {"label": "ham", "count": 0},
        {"label": "spam", "count": 0},
    ]
    assert {row["annotations"] for row in body["throughput"]} == {0}
    assert body["agreement"]["items_compared"] == 0


def test_dashboard_queries_do_not_grow_with_items_or_annotators(engineer, project, make_member):
    def add(n_people, n_items):
        people = [make_member(Role.ANNOTATOR) for _ in range(n_people)]
        for _ in range(n_items):
            item = ItemFactory(project=project)
            for person in people:
                answer(item, person, "spam", outcome=ACCEPTED)

    add(2, 3)
    with CaptureQueriesContext(connection) as small:
        assert engineer.get(url(project, "dashboard/")).status_code == 200
    add(5, 30)
    with CaptureQueriesContext(connection) as large:
        assert engineer.get(url(project, "dashboard/")).status_code == 200

    assert len(large) == len(small)
    assert len(large) <= 12
