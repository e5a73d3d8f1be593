"""The Drift page in Chromium: a model trained on SMS messages watches windows of new items;
after calm SMS windows, a window of tweets raises an alarm that the Drift page charts and the
Models and Moderation pages announce. No sideways scroll at either viewport."""

import csv

import pytest

from labeling.choices import Role
from labeling.models import DriftSettings, Item
from labeling.services.drift import drift_windows_close
from tests.e2e.conftest import log_in
from tests.e2e.test_browser_layout import VIEWPORTS, no_sideways_scroll, snapshot
from tests.factories import ItemFactory, MembershipFactory
from tests.factories.intake import sms_rows, trained_project
from tests.factories.moderation import IntakePolicyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WINDOW = 100


def add(project, texts, prefix):
    Item.objects.bulk_create(
        [ItemFactory.build(project=project, text=t, external_id=f"{prefix}-{i}")
         for i, t in enumerate(texts)]
    )  # fmt: skip


@pytest.fixture
def drifted(staff_user, dataset_path):
    project, _ = trained_project(dataset_path("sms_spam_collection.tsv"), n=800)
    project.name = "SMS <b>spam</b>"
    project.save()
    MembershipFactory(project=project, user=staff_user, role=Role.ADMIN)
    IntakePolicyFactory(project=project, name="Spam policy")
    DriftSettings.objects.create(project=project, window_max_items=WINDOW, min_window_items=50)
    sms = [text for _, text in sms_rows(dataset_path("sms_spam_collection.tsv"))][1000:]
    for w in range(4):
        add(project, sms[w * WINDOW : (w + 1) * WINDOW], f"sms{w}")
        drift_windows_close(project_id=project.pk)
    with dataset_path("davidson_hate_offensive.csv").open(encoding="utf-8") as fh:
        tweets = [row["tweet"] for row in csv.DictReader(fh)][:WINDOW]
    add(project, tweets, "tweet")
    [alarmed] = drift_windows_close(project_id=project.pk)
    assert alarmed.alarms
    return project


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda size: f"{size[0]}x{size[1]}")
def test_the_drift_page_shows_the_alarm_after_the_shift(drifted, browser_session, viewport):
    from playwright.sync_api import expect

    width, height = viewport
    page = browser_session.page
    page.set_viewport_size({"width": width, "height": height})
    log_in(browser_session)

    page.goto(browser_session.url(f"/projects/{drifted.pk}"))
    page.get_by_test_id("tab-drift").click()
    expect(page.get_by_test_id("drift-alarm")).to_contain_text("above the threshold in window 5")
    auc = page.get_by_test_id("drift-chart-domain_auc")
    expect(auc.get_by_test_id("drift-point")).to_have_count(4)
    expect(auc.get_by_test_id("drift-point-alarm")).to_have_count(1)
    expect(auc.get_by_test_id("drift-threshold")).to_have_count(1)
    expect(page.get_by_test_id("drift-windows-table").locator("tbody tr")).to_have_count(5)
    snapshot(browser_session, f"drift-{width}x{height}")
    scroll_width, inner_width = no_sideways_scroll(browser_session)
    assert scroll_width <= inner_width, f"Drift is {scroll_width} px wide in {inner_width} px"

    page.get_by_test_id("tab-models").click()
    banner = page.get_by_test_id("drift-banner")
    expect(banner).to_contain_text("Drift alarm")
    banner.get_by_role("link", name="See the drift page").click()
    expect(page.get_by_test_id("drift-page")).to_be_visible()

    page.goto(browser_session.url("/moderation"))
    expect(page.get_by_test_id("drift-banner")).to_contain_text("Drift alarm (Spam policy)")
    snapshot(browser_session, f"drift-moderation-banner-{width}x{height}")
    assert not browser_session.js_errors


def test_the_drift_page_explains_what_feeds_it_before_any_window(
    staff_user, browser_session, dataset_path
):
    from playwright.sync_api import expect

    project, _ = trained_project(dataset_path("sms_spam_collection.tsv"), n=200)
    MembershipFactory(project=project, user=staff_user, role=Role.ANNOTATOR)
    page = browser_session.page
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(browser_session)

    page.goto(browser_session.url(f"/projects/{project.pk}/drift"))
    expect(page.get_by_test_id("drift-empty")).to_contain_text("moderation intake")
    # An annotator reads the thresholds but cannot change them.
    expect(page.get_by_label("Score PSI above")).to_be_disabled()
    snapshot(browser_session, "drift-empty-1366x768")
    scroll_width, inner_width = no_sideways_scroll(browser_session)
    assert scroll_width <= inner_width
