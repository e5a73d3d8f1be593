"""Strikes that expire: points per reason, a time-to-live per policy, thresholds that act once
per crossing, appeals that reverse a strike and lift what it caused. The clock is frozen and
moved by hand (``clock``): live points and the action in force are read with it."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from core.models import AuditEvent
from labeling.choices import Role
from moderation.choices import DecisionAction
from moderation.models import AuthorSanction, Strike, WebhookDelivery
from moderation.selectors.strikes import (
    author_current_action,
    author_live_points,
    author_record,
)
from moderation.services.appeals import appeal_create, appeal_decide
from moderation.services.decisions import decision_create
from moderation.services.review import review_next
from tests.factories.moderation import (
    AuthorFactory,
    ContentFactory,
    PlatformFactory,
    PolicyMemberFactory,
    ReasonCodeFactory,
    ReviewPolicyFactory,
    WebhookEndpointFactory,
)
from tests.webhook_receiver import SECRET, Receiver

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
WARN_SUSPEND_BAN = [
    {"points": 3, "action": "warn"},
    {"points": 6, "action": "suspend", "suspend_days": 7},
    {"points": 12, "action": "ban"},
]


class Clock:
    """``django.utils.timezone.now`` frozen at ``now``; ``advance`` moves it."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now = self.now + timedelta(**delta)
        return self.now


@pytest.fixture
def clock(monkeypatch):
    frozen = Clock(T0)
    monkeypatch.setattr(timezone, "now", frozen)
    return frozen


@pytest.fixture
def world():
    """A policy (spam, severity 3: SPAM-1 removals give 3 points; 30-day strikes), its
    platform, an author, a moderator and a senior who decides appeals."""
    policy = ReviewPolicyFactory(strike_ttl_days=30)
    platform = PlatformFactory()
    author = AuthorFactory(platform=platform, external_id="user-77")
    moderator = PolicyMemberFactory(policy=policy, role=Role.MODERATOR)
    senior = PolicyMemberFactory(policy=policy, role=Role.SENIOR_MODERATOR)
    return policy, platform, author, moderator, senior


def _remove(world, external_id: str, code: str = "SPAM-1", **extra):
    policy, platform, author, moderator, _senior = world
    content = ContentFactory(
        policy=policy, platform=platform, author=author, external_id=external_id
    )
    assert review_next(user=moderator, tier="standard", policy_ids=[policy.pk]) == content
    decision_create(
        content=content, user=moderator, action=DecisionAction.REMOVE, reason_code=code, **extra
    )
    return content


def _overturn(world, content):
    _policy, platform, _author, _moderator, senior = world
    appeal = appeal_create(platform=platform, external_id=content.external_id, statement="No.")
    appeal_decide(appeal=appeal, user=senior, outcome="overturn")


def _points(author) -> int:
    return author_live_points(author_id=author.pk)


def test_a_strike_counts_until_the_policy_ttl_then_expires(world, clock):
    author = world[2]
    _remove(world, "m-1")
    clock.advance(days=10)
    _remove(world, "m-2")
    assert _points(author) == 6

    clock.advance(days=19, hours=23)  # day 29 and 23 h: both still live
    assert _points(author) == 6
    clock.advance(hours=1)  # day 30: the first has expired
    assert _points(author) == 3
    record = author_record(author=author, policy_ids=[world[0].pk])
    assert [(s.reason_code, s.state) for s in record["strikes"]] == [
        ("SPAM-1", "live"),
        ("SPAM-1", "expired"),
    ]
    assert record["strikes"][1].expires_at == T0 + timedelta(days=30)
    clock.advance(days=10)  # day 40: the second too
    assert _points(author) == 0
    # The past reads as it was.
    assert author_live_points(author_id=author.pk, at=T0 + timedelta(days=15)) == 6


def test_a_policy_ttl_of_zero_keeps_strikes_forever(world, clock):
    policy, *_ = world
    policy.strike_ttl_days = 0
    policy.save()
    _remove(world, "m-1")
    clock.advance(days=3650)
    assert _points(world[2]) == 3
    assert Strike.objects.get().expires_at is None


def test_points_come_from_the_reason_then_its_category_then_the_severity(world, clock):
    policy, *_ = world
    _remove(world, "m-1")  # SPAM-1: category spam, severity 3
    policy.spam.strike_points = 2
    policy.spam.save()
    _remove(world, "m-2")  # the category's own points
    ReasonCodeFactory(
        policy=policy, category=policy.spam, code="SPAM-9", description="Scam", strike_points=5
    )
    _remove(world, "m-3", code="SPAM-9")  # the reason's own points
    ReasonCodeFactory(
        policy=policy, category=policy.spam, code="SPAM-0", description="Mild", strike_points=0
    )
    _remove(world, "m-4", code="SPAM-0")  # no points: no strike
    points = list(Strike.objects.order_by("id").values_list("reason_code", "points"))
    assert points == [("SPAM-1", 3), ("SPAM-1", 2), ("SPAM-9", 5)]
    assert _points(world[2]) == 10


def test_each_threshold_crossed_acts_once_with_one_webhook(
    world, clock, loopback, django_capture_on_commit_callbacks
):
    policy, platform, author, *_ = world
    policy.strike_thresholds = WARN_SUSPEND_BAN
    policy.save()
    with Receiver() as receiver:
        WebhookEndpointFactory(platform=platform, url=receiver.url, secret=SECRET)
        for number in range(1, 6):  # 3, 6, 9, 12, 15 points
            with django_capture_on_commit_callbacks(execute=True):
                _remove(world, f"m-{number}")
            clock.advance(hours=1)

    kinds = list(AuthorSanction.objects.order_by("id").values_list("kind", "threshold_points"))
    assert kinds == [("warn", 3), ("suspend", 6), ("ban", 12)]
    actioned = [r["body"] for r in receiver.received if r["body"]["event"] == "author.actioned"]
    assert [(b["action"]["kind"], b["author"]["live_points"]) for b in actioned] == [
        ("warn", 3),
        ("suspend", 6),
        ("ban", 12),
    ]
    assert all(r["signature_ok"] for r in receiver.received)
    assert len({r["delivery_id"] for r in receiver.received}) == len(receiver.received)
    assert actioned[0]["author"]["external_id"] == "user-77"
    assert actioned[1]["action"]["suspend_days"] == 7
    assert WebhookDelivery.objects.filter(event="author.actioned").count() == 3
    sanctions = AuditEvent.objects.filter(
        action__in=["author.warn", "author.suspend", "author.ban"]
    )
    audit = list(sanctions.values_list("action", flat=True))
    assert sorted(audit) == ["author.ban", "author.suspend", "author.warn"]
    assert author_current_action(author_id=author.pk).kind == "ban"


def test_a_jump_over_several_thresholds_takes_the_highest_action_only(world, clock):
    policy, _platform, _author, *_ = world
    policy.strike_thresholds = WARN_SUSPEND_BAN
    policy.save()
    ReasonCodeFactory(
        policy=policy, category=policy.spam, code="CSAM-1", description="Severe", strike_points=20
    )
    _remove(world, "m-1", code="CSAM-1")
    assert list(AuthorSanction.objects.values_list("kind", flat=True)) == ["ban"]


def test_a_threshold_crossed_again_after_expiry_acts_again(world, clock):
    policy, _platform, author, *_ = world
    policy.strike_thresholds = [{"points": 3, "action": "warn"}]
    policy.save()
    _remove(world, "m-1")
    clock.advance(days=1)
    _remove(world, "m-2")  # 6 points: no new crossing of 3
    assert AuthorSanction.objects.count() == 1
    assert author_current_action(author_id=author.pk).kind == "warn"
    clock.advance(days=40)  # both expired, and the warning with them
    assert _points(author) == 0
    assert author_current_action(author_id=author.pk) is None
    _remove(world, "m-3")
    assert AuthorSanction.objects.count() == 2


def test_a_suspension_ends_by_the_clock(world, clock):
    policy, _platform, author, *_ = world
    policy.strike_thresholds = [{"points": 6, "action": "suspend", "suspend_days": 7}]
    policy.save()
    _remove(world, "m-1")
    _remove(world, "m-2")
    current = author_current_action(author_id=author.pk)
    assert (current.kind, current.ends_at) == ("suspend", T0 + timedelta(days=7))
    clock.advance(days=7)
    assert author_current_action(author_id=author.pk) is None
    assert _points(author) == 6  # the strikes last 30 days, the suspension 7


def test_overturned_appeal_restores_points_and_lifts_the_suspension_it_caused(
    world, clock, loopback, django_capture_on_commit_callbacks
):
    policy, platform, author, *_ = world
    policy.strike_thresholds = [{"points": 6, "action": "suspend", "suspend_days": 7}]
    policy.save()
    first = _remove(world, "m-1")
    clock.advance(hours=1)
    _remove(world, "m-2")  # 6 points: suspended
    assert author_current_action(author_id=author.pk).kind == "suspend"
    clock.advance(days=1)
    with Receiver() as receiver:
        WebhookEndpointFactory(platform=platform, url=receiver.url, secret=SECRET)
        with django_capture_on_commit_callbacks(execute=True):
            _overturn(world, first)

    assert _points(author) == 3
    assert author_current_action(author_id=author.pk) is None
    suspension = AuthorSanction.objects.get()
    assert suspension.lifted_at == T0 + timedelta(days=1, hours=1)
    assert suspension.lifted_by_appeal is not None
    strike = Strike.objects.get(decision__content=first)
    assert strike.reversed_at == suspension.lifted_at
    events = [r["body"]["event"] for r in receiver.received]
    assert events == ["author.action_lifted", "appeal.decided"]
    lifted = receiver.received[0]["body"]
    assert (lifted["action"]["kind"], lifted["author"]["live_points"]) == ("suspend", 3)
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions[-3:] == ["author.strike_reverse", "author.action_lift", "appeal.decide"]
    record = author_record(author=author, policy_ids=[policy.pk])
    assert [s.state for s in record["strikes"]] == ["live", "reversed"]


def test_overturning_a_strike_that_did_not_bring_the_action_keeps_it(world, clock):
    policy, _platform, author, *_ = world
    policy.strike_thresholds = [{"points": 6, "action": "suspend", "suspend_days": 7}]
    policy.save()
    _remove(world, "m-1")
    _remove(world, "m-2")  # suspended at 6
    clock.advance(hours=1)
    third = _remove(world, "m-3")  # 9: given after the suspension
    _overturn(world, third)
    assert _points(author) == 6
    assert author_current_action(author_id=author.pk).kind == "suspend"
    assert AuthorSanction.objects.get().lifted_at is None


def test_overturning_the_moderators_own_suspension_lifts_it(world, clock):
    author = world[2]
    content = _remove(world, "m-1", author_action="suspend", suspend_days=3)
    assert author_current_action(author_id=author.pk).kind == "suspend"
    _overturn(world, content)
    assert author_current_action(author_id=author.pk) is None
    assert _points(author) == 0


def test_overturning_an_approval_strikes_the_author(world, clock):
    policy, platform, author, moderator, _senior = world
    content = ContentFactory(policy=policy, platform=platform, author=author, external_id="m-1")
    review_next(user=moderator, tier="standard", policy_ids=[policy.pk])
    decision_create(
        content=content, user=moderator, action=DecisionAction.APPROVE, reason_code="OK-1"
    )
    assert _points(author) == 0
    _overturn(world, content)
    assert _points(author) == 3  # the content's category: spam, severity 3


def test_an_overturned_removal_also_reverses_the_strike_rules_gave_for_that_content(world, clock):
    """A live "strike" rule struck the author for a content at intake; a moderator removed it;
    the appeal finds it not violating: both strikes are reversed, the warning they caused is
    lifted, and a rule strike for another content stays."""
    from moderation.models import Rule
    from moderation.services.authors import author_rule_strike

    policy, _platform, author, *_ = world
    policy.strike_thresholds = [{"points": 8, "action": "warn"}]
    policy.save()
    rule = Rule.objects.create(
        policy=policy, name="new accounts", condition={"signal": "reports", "op": ">=", "value": 1}
    )
    appealed = _remove(world, "m-1")  # 3 points
    author_rule_strike(content=appealed, rule_id=rule.pk, rule_name=rule.name, points=4,
                       category=policy.spam)  # fmt: skip
    other = _remove(world, "m-2")  # 3 points
    author_rule_strike(content=other, rule_id=rule.pk, rule_name=rule.name, points=2,
                       category=policy.spam)  # fmt: skip
    assert _points(author) == 12
    assert author_current_action(author_id=author.pk).kind == "warn"
    clock.advance(hours=1)

    _overturn(world, appealed)

    assert _points(author) == 5  # m-2's removal and its rule strike
    reversed_strikes = Strike.objects.filter(reversed_at__isnull=False)
    assert sorted(reversed_strikes.values_list("points", flat=True)) == [3, 4]
    assert {s.content_id or s.decision.content_id for s in reversed_strikes} == {appealed.pk}
    assert author_current_action(author_id=author.pk) is None
    audited = AuditEvent.objects.filter(action="author.strike_reverse").order_by("id")
    assert [(e.after["points"], e.after["rule"]) for e in audited] == [(3, None), (4, rule.pk)]
    assert AuditEvent.objects.get(action="appeal.decide").after["author"]["strikes_reversed"]
