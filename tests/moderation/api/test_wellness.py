"""Reviewer wellness as moderators, their managers and site staff use it: settings over the
organisation's defaults, flagged text masked in the review panel, exposure to graphic content
counted once per content and day, break reminders, and who may read whose exposure."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from core.models import AuditEvent
from labeling.choices import Role
from moderation.choices import ReportSource
from moderation.models import ExposureEvent, WellnessBreak
from moderation.services.wellness import content_reveal_record
from tests.factories import UserFactory
from tests.factories.moderation import (
    ContentFactory,
    PlatformFactory,
    PolicyCategoryFactory,
    PolicyMemberFactory,
    ReportFactory,
    ReviewPolicyFactory,
)

pytestmark = pytest.mark.django_db

ME = "/api/v1/moderation/wellness/me/"
RESET = "/api/v1/moderation/wellness/me/reset/"
DEFAULTS = "/api/v1/moderation/wellness/defaults/"
EXPOSURE = "/api/v1/moderation/wellness/exposure/"
MODERATORS = "/api/v1/moderation/wellness/exposure/moderators/"
BREAKS = "/api/v1/moderation/wellness/breaks/"


def _client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def graphic_world():
    """A policy with a graphic category ``gore`` next to ``spam``; a graphic content with an
    image (top category gore), a spam content with an image; a moderator."""
    policy = ReviewPolicyFactory()
    gore = PolicyCategoryFactory(policy=policy, name="gore", label_class="spam", graphic=True)
    platform = PlatformFactory()
    graphic = ContentFactory(policy=policy, platform=platform, top_category=gore)
    plain = ContentFactory(policy=policy, platform=platform)
    for content in (graphic, plain):
        content.item.image.save("photo.png", ContentFile(_png()))
    moderator = PolicyMemberFactory(policy=policy, username="mia")
    return {"policy": policy, "graphic": graphic, "plain": plain, "moderator": moderator}


# --- settings -------------------------------------------------------------------------------


def test_own_settings_override_defaults_and_reset_follows_them_again():
    moderator, staff = UserFactory(), UserFactory(is_staff=True)
    mine, admin = _client(moderator), _client(staff)

    start = mine.get(ME).json()
    assert start["effective"] == {
        "blur": "light",
        "grayscale": False,
        "sepia": False,
        "hide_flagged_terms": False,
        "mute_media": True,
        "break_reminder_minutes": 0,
    }
    assert set(start["own"].values()) == {None}

    changed = mine.patch(ME, {"blur": "strong", "grayscale": True}, format="json")
    assert changed.status_code == 200
    assert changed.json()["own"]["blur"] == "strong"
    # Staff change the defaults: what the moderator set stays theirs, the rest follows.
    assert admin.patch(DEFAULTS, {"sepia": True, "blur": "none"}, format="json").status_code == 200
    effective = mine.get(ME).json()["effective"]
    assert (effective["blur"], effective["grayscale"], effective["sepia"]) == ("strong", True, True)

    # Null goes back to the default for one field; reset for all.
    assert mine.patch(ME, {"blur": None}, format="json").json()["effective"]["blur"] == "none"
    reset = mine.post(RESET).json()
    assert reset["effective"]["grayscale"] is False
    assert reset["effective"]["sepia"] is True
    assert set(reset["own"].values()) == {None}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"blur": "extreme"}, "blur"),
        ({"break_reminder_minutes": 100_000}, "break_reminder_minutes"),
        ({"break_reminder_minutes": -1}, "break_reminder_minutes"),
        ({"grayscale": "<script>alert(1)</script>"}, "grayscale"),
        ({"blurr": "strong"}, "blurr"),
    ],
)
def test_invalid_settings_are_refused_naming_the_field(body, field):
    client = _client(UserFactory(is_staff=True))

    for url in (ME, DEFAULTS):
        response = client.patch(url, body, format="json")
        assert response.status_code == 400, (url, response.json())
        assert response.json()["message"].startswith(f"{field}:")
    assert client.get(ME).json()["own"]["blur"] is None


def test_a_body_that_is_not_an_object_is_refused():
    response = _client(UserFactory()).patch(ME, ["blur"], format="json")

    assert response.status_code == 400


def test_defaults_are_for_site_staff_and_their_changes_audited():
    moderator = _client(UserFactory())
    staff_user = UserFactory(is_staff=True, username="ada")

    assert moderator.get(DEFAULTS).status_code == 403
    assert moderator.patch(DEFAULTS, {"grayscale": True}, format="json").status_code == 403
    saved = _client(staff_user).patch(DEFAULTS, {"grayscale": True}, format="json")

    assert saved.status_code == 200
    assert saved.json()["grayscale"] is True
    assert saved.json()["updated_by"] == "ada"
    event = AuditEvent.objects.get(action="wellness.defaults")
    assert (event.before, event.after, event.actor_name) == (
        {"grayscale": False},
        {"grayscale": True},
        "ada",
    )


def test_anonymous_callers_are_refused_everywhere(graphic_world):
    anonymous = _client()
    content = graphic_world["graphic"]

    for method, url in [
        ("get", ME),
        ("patch", ME),
        ("post", RESET),
        ("get", DEFAULTS),
        ("patch", DEFAULTS),
        ("get", EXPOSURE),
        ("get", MODERATORS),
        ("post", BREAKS),
        ("post", f"/api/v1/moderation/contents/{content.pk}/reveal/"),
    ]:
        assert getattr(anonymous, method)(url, {}, format="json").status_code in (401, 403)
    assert not ExposureEvent.objects.exists()


# --- the review panel -----------------------------------------------------------------------


def test_review_panel_marks_graphic_content_and_the_flagged_pieces_of_its_text(graphic_world):
    content = graphic_world["graphic"]
    content.item.text = "Call 0800 now to claim your PRIZE, or a prize of a prize"
    content.item.save(update_fields=["text"])
    ReportFactory(content=content, source=ReportSource.RULE, reporter="prize")
    ReportFactory(content=content, source=ReportSource.RULE, reporter=r"call \d+")
    # A rule over signals is named, not a pattern: it is not searched for in the text.
    ReportFactory(content=content, source=ReportSource.RULE, reporter="rule:now")
    client = _client(graphic_world["moderator"])

    detail = client.get(f"/api/v1/moderation/contents/{content.pk}/").json()
    plain = client.get(f"/api/v1/moderation/contents/{graphic_world['plain'].pk}/").json()

    assert detail["graphic"] is True
    segments = detail["flagged_segments"]
    assert "".join(s["text"] for s in segments) == content.item.text
    assert [s["text"] for s in segments if s["flagged"]] == ["Call 0800", "PRIZE", "prize", "prize"]
    assert plain["graphic"] is False
    assert plain["flagged_segments"] == []


def test_content_flagged_in_a_graphic_category_is_graphic(graphic_world):
    plain = graphic_world["plain"]
    gore = plain.policy.categories.get(name="gore")
    ReportFactory(content=plain, source=ReportSource.USER, category=gore)

    detail = _client(graphic_world["moderator"]).get(f"/api/v1/moderation/contents/{plain.pk}/")

    assert detail.json()["graphic"] is True


# --- exposure -------------------------------------------------------------------------------


def test_revealing_graphic_images_counts_each_content_once_a_day(graphic_world):
    client = _client(graphic_world["moderator"])
    graphic, plain = graphic_world["graphic"], graphic_world["plain"]

    for _ in range(3):
        assert client.get(f"/api/v1/moderation/contents/{graphic.pk}/image/").status_code == 200
    assert client.get(f"/api/v1/moderation/contents/{plain.pk}/image/").status_code == 200
    text = client.post(
        f"/api/v1/moderation/contents/{graphic.pk}/reveal/", {"kind": "text"}, format="json"
    )

    assert text.json() == {"counted": False, "graphic": True}  # the image counted it today
    exposure = client.get(EXPOSURE).json()
    assert (exposure["username"], exposure["today"], exposure["last_7_days"]) == ("mia", 1, 1)
    # Every reveal is in the audit log, counted or not.
    assert AuditEvent.objects.filter(action="content.reveal").count() == 5


def test_text_reveal_counts_graphic_content_and_refuses_bad_input(graphic_world):
    client = _client(graphic_world["moderator"])
    graphic = graphic_world["graphic"]
    url = f"/api/v1/moderation/contents/{graphic.pk}/reveal/"

    assert client.post(url, {"kind": "text"}, format="json").json() == {
        "counted": True,
        "graphic": True,
    }
    bad = client.post(url, {"kind": "image"}, format="json")
    assert bad.status_code == 400
    assert bad.json()["message"].startswith("kind:")
    outsider = _client(PolicyMemberFactory(policy=ReviewPolicyFactory()))
    assert outsider.post(url, {"kind": "text"}, format="json").status_code == 404
    assert ExposureEvent.objects.count() == 1


def test_exposure_days_turn_at_midnight_and_the_week_keeps_seven_days(graphic_world):
    moderator, graphic = graphic_world["moderator"], graphic_world["graphic"]
    other = ContentFactory(policy=graphic.policy, top_category=graphic.top_category)
    today = timezone.localdate()
    midnight = datetime.combine(today, datetime.min.time(), tzinfo=UTC)

    # The same content a second before and at midnight: two days, one each.
    assert content_reveal_record(
        content=graphic, user=moderator, kind="image", now=midnight - timedelta(seconds=1)
    )
    assert content_reveal_record(content=graphic, user=moderator, kind="image", now=midnight)
    assert not content_reveal_record(
        content=graphic, user=moderator, kind="text", now=midnight + timedelta(hours=5)
    )
    # Eight days ago falls out of the week; six days ago is in it.
    content_reveal_record(
        content=other, user=moderator, kind="image", now=midnight - timedelta(days=7)
    )
    content_reveal_record(
        content=other, user=moderator, kind="image", now=midnight - timedelta(days=6)
    )

    exposure = _client(moderator).get(EXPOSURE).json()

    assert exposure["day"] == today.isoformat()
    assert exposure["today"] == 1
    assert exposure["last_7_days"] == 3
    assert [d["count"] for d in exposure["days"]] == [1, 0, 0, 0, 0, 1, 1]
    assert exposure["days"][0]["day"] == (today - timedelta(days=6)).isoformat()


def test_only_managers_read_another_moderators_exposure(graphic_world):
    policy, mia = graphic_world["policy"], graphic_world["moderator"]
    content_reveal_record(content=graphic_world["graphic"], user=mia, kind="image")
    peer = PolicyMemberFactory(policy=policy, username="ben")
    senior = PolicyMemberFactory(policy=policy, role=Role.SENIOR_MODERATOR, username="sam")
    senior_elsewhere = PolicyMemberFactory(policy=ReviewPolicyFactory(), role=Role.SENIOR_MODERATOR)
    staff = UserFactory(is_staff=True)
    url = f"{EXPOSURE}?user={mia.pk}"

    assert _client(peer).get(url).status_code == 403
    assert _client(senior_elsewhere).get(url).status_code == 403
    assert _client(senior).get(url).json()["today"] == 1
    assert _client(staff).get(url).json()["today"] == 1
    # An unknown id answers like a forbidden one (no probing for users).
    assert _client(peer).get(f"{EXPOSURE}?user=999999").status_code == 403
    assert _client(peer).get(f"{EXPOSURE}?user=abc").status_code == 400


def test_managers_list_the_moderators_they_manage_with_today_and_the_week(graphic_world):
    policy, mia = graphic_world["policy"], graphic_world["moderator"]
    content_reveal_record(content=graphic_world["graphic"], user=mia, kind="image")
    PolicyMemberFactory(policy=policy, username="ben")
    senior = PolicyMemberFactory(policy=policy, role=Role.SENIOR_MODERATOR, username="sam")
    PolicyMemberFactory(policy=ReviewPolicyFactory(), username="zoe")  # another policy's
    PolicyMemberFactory(policy=policy, role=Role.ANNOTATOR, username="ann")  # not a moderator
    _client(mia).post(BREAKS, {"action": "dismissed", "graphic_seconds": 1200}, format="json")

    rows = _client(senior).get(MODERATORS).json()["results"]
    staff_rows = _client(UserFactory(is_staff=True)).get(MODERATORS).json()["results"]

    assert [(r["username"], r["today"], r["breaks_today"]) for r in rows] == [
        ("ben", 0, 0),
        ("mia", 1, 1),
        ("sam", 0, 0),
    ]
    assert [r["username"] for r in staff_rows] == ["ben", "mia", "sam", "zoe"]
    assert _client(mia).get(MODERATORS).status_code == 403


def test_break_reminders_are_logged_and_bad_answers_refused(graphic_world):
    client = _client(graphic_world["moderator"])

    taken = client.post(BREAKS, {"action": "break", "graphic_seconds": 900}, format="json")
    bad = client.post(BREAKS, {"action": "nap"}, format="json")
    huge = client.post(BREAKS, {"action": "break", "graphic_seconds": 10**12}, format="json")

    assert taken.status_code == 201
    assert taken.json()["action"] == "break"
    assert bad.status_code == 400
    assert bad.json()["message"].startswith("action:")
    assert huge.status_code == 400
    assert huge.json()["message"].startswith("graphic_seconds:")
    assert list(WellnessBreak.objects.values_list("action", "graphic_seconds")) == [("break", 900)]
