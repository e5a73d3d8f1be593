"""The moderation demo as ``make run`` makes it: ``runtandem`` on the real Davidson tweets
leaves a moderator a queue, reports and appeals at once, prints a platform key that works, and
a second start makes nothing new."""

import io
import re

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from rest_framework.test import APIClient

from core.models import AuditEvent
from labeling.models import Annotation, Item, Project
from models_app.choices import Stage
from models_app.models import ModelVersion
from moderation.choices import ContentState, ReportSource
from moderation.models import (
    Appeal,
    Content,
    Decision,
    Platform,
    PlatformApiKey,
    Policy,
    PolicyGrant,
    ReasonCode,
    Report,
)
from moderation.services.demo import PLATFORM_NAME, POLICY_NAME, PROJECT_NAME
from tests.skips import dataset

pytestmark = pytest.mark.django_db

COUNTED = (
    Project,
    Item,
    Annotation,
    ModelVersion,
    Policy,
    ReasonCode,
    Platform,
    PlatformApiKey,
    PolicyGrant,
    Content,
    Decision,
    Report,
    Appeal,
    AuditEvent,
)


@pytest.fixture
def start(settings, tmp_path):
    """``runtandem --no-serve`` without the SpamAssassin demo (it fetches from npm); returns
    what it printed."""
    settings.DATA_DIR = tmp_path

    def run() -> str:
        out = io.StringIO()
        call_command("runtandem", "--no-serve", "--no-spam-demo", stdout=out)
        return out.getvalue()

    return run


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


@pytest.fixture
def davidson(settings):
    settings.TANDEM_DEMO_DAVIDSON_CSV = dataset("davidson_hate_offensive.csv")


def test_a_fresh_start_leaves_the_admin_a_moderation_queue_with_reports_and_appeals(
    start, davidson
):
    output = start()

    policy = Policy.objects.get(name=POLICY_NAME)
    platform = Platform.objects.get(name=PLATFORM_NAME)
    assert policy.project.name == PROJECT_NAME
    assert PolicyGrant.objects.filter(policy=policy, platform=platform).exists()
    assert {c.name for c in policy.categories.all()} == {"hate_speech", "offensive"}
    codes = set(policy.reason_codes.values_list("code", flat=True))
    assert {"HS1", "OF1", "OK1"} <= codes
    assert ModelVersion.objects.filter(
        owner=policy.project.owner_key, stage=Stage.PRODUCTION
    ).exists()

    admin = User.objects.get(username="admin")
    moderator = APIClient()
    moderator.force_authenticate(admin)
    queue = moderator.get("/api/v1/moderation/queue/", {"policy": policy.pk}).json()
    assert queue["count"] > 0
    # The model scored what it sent to people, and some of it was reported by users.
    assert all(
        row["state"] in (ContentState.PENDING, ContentState.ESCALATED) for row in queue["results"]
    )
    assert Report.objects.filter(content__policy=policy, source=ReportSource.USER).exists()
    appeals = moderator.get("/api/v1/moderation/appeals/").json()
    assert appeals["count"] >= 1
    # The model removed some tweets on its own and allowed others: not everything is queued.
    states = set(Content.objects.filter(policy=policy).values_list("state", flat=True))
    assert {ContentState.REMOVED, ContentState.ALLOWED} <= states

    # The key printed at start sends content through intake.
    key = re.search(r"platform API key \(shown only now\): (\S+)", output)
    assert key is not None, output
    platform_client = APIClient()
    platform_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key.group(1)}")
    answer = platform_client.post(
        "/api/v1/platform/intake/",
        {
            "policy": policy.pk,
            "external_id": "readme-example-1",
            "author_id": "someone",
            "text": "have a lovely day everyone",
        },
        format="json",
    )
    assert answer.status_code in (200, 201), answer.content
    assert answer.json()["model_version"] is not None


def test_a_second_start_creates_nothing_and_prints_no_key(start, davidson):
    start()
    before = _counts()

    output = start()

    assert _counts() == before
    assert "shown only now" not in output
    assert f"/api/v1/moderation/platforms/{Platform.objects.get().pk}/keys/" in output


def test_without_the_tweets_tandem_starts_without_the_moderation_demo(start, settings, tmp_path):
    settings.TANDEM_DEMO_DAVIDSON_CSV = tmp_path / "absent.csv"

    output = start()

    assert "No moderation demo: the Davidson tweets were not found" in output
    assert not Policy.objects.exists()
    assert not Platform.objects.exists()
    assert User.objects.filter(username="admin").exists()


def test_a_file_that_is_not_the_davidson_csv_is_named_and_skipped(start, settings, tmp_path):
    wrong = tmp_path / "tweets.csv"
    wrong.write_text("id,text\n1,hello\n", encoding="utf-8")
    settings.TANDEM_DEMO_DAVIDSON_CSV = wrong

    output = start()

    assert f"No moderation demo: {wrong} is not the Davidson CSV" in output
    assert not Project.objects.exists()
