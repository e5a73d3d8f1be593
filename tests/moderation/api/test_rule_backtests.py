"""Backtests: a condition run over stored content of a period, as a job, with figures that
match a hand count; refusals name the field; other policies' members see nothing."""

import threading
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import AuditEvent
from labeling.choices import Role
from moderation.choices import ContentState, ReportSource
from moderation.models import Content, Report, RuleBacktest
from tests.factories import MembershipFactory, UserFactory
from tests.factories.moderation import ContentFactory, PlatformFactory, ReviewPolicyFactory

pytestmark = pytest.mark.django_db

SPAMMY = {"signal": "score", "category": "spam", "op": ">=", "value": 0.7}


def _client(policy, role=Role.ADMIN) -> APIClient:
    user = UserFactory()
    MembershipFactory(project=policy.project, user=user, role=role)
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def decided():
    """Ten contents of the last week, decided as a hand count says (score, state, automatic):

    score >= 0.7: 0.9 removed by people, 0.8 removed by people, 0.75 allowed by people,
    0.95 removed automatically, 0.7 pending — 5 hits: 2 removed, 1 allowed, 1 automatic, 1 open.
    score < 0.7: 0.2 allowed, 0.5 removed, 0.1 pending, None (not scored) allowed.
    One more, 0.99 and removed, created 40 days ago: outside the period.
    """
    policy = ReviewPolicyFactory()
    platform = PlatformFactory()
    now = timezone.now()
    rows = [
        (0.9, ContentState.REMOVED, False), (0.8, ContentState.REMOVED, False),
        (0.75, ContentState.ALLOWED, False), (0.95, ContentState.REMOVED, True),
        (0.7, ContentState.PENDING, False), (0.2, ContentState.ALLOWED, False),
        (0.5, ContentState.REMOVED, False), (0.1, ContentState.PENDING, False),
        (None, ContentState.ALLOWED, False),
    ]  # fmt: skip
    for n, (score, state, automatic) in enumerate(rows):
        content = ContentFactory(policy=policy, platform=platform, score=score, state=state,
                                 decided_automatically=automatic)  # fmt: skip
        Content.objects.filter(pk=content.pk).update(created_at=now - timedelta(days=1, hours=n))
    old = ContentFactory(policy=policy, platform=platform, score=0.99, state=ContentState.REMOVED)
    Content.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=40))
    return policy


def _period(days: int = 7) -> dict[str, str]:
    now = timezone.now()
    return {
        "period_start": (now - timedelta(days=days)).isoformat(),
        "period_end": now.isoformat(),
    }


def test_a_backtest_counts_what_the_condition_would_have_hit(
    decided, django_capture_on_commit_callbacks
):
    admin = _client(decided)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            f"/api/v1/moderation/policies/{decided.pk}/backtests/",
            {"condition": SPAMMY, **_period()},
            format="json",
        )
    assert response.status_code == 202, response.content
    assert response.json()["state"] == "queued"
    # Eager in tests: the job ran once the request committed; read it back.
    backtest = admin.get(f"/api/v1/moderation/backtests/{response.json()['id']}/").json()
    assert backtest["state"] == "succeeded"
    assert backtest["progress"] == 1.0
    results = backtest["results"]
    assert results["contents"] == 9
    assert (results["hits"], results["human_removed"], results["human_allowed"]) == (5, 2, 1)
    assert (results["automatic"], results["pending"]) == (1, 1)
    assert results["precision"] == pytest.approx(2 / 3)
    assert len(results["sample"]) == 5
    assert AuditEvent.objects.filter(action="rule_backtest.create").count() == 1


def test_reports_and_overlap_with_live_rules_are_counted(
    decided, django_capture_on_commit_callbacks
):
    admin = _client(decided)
    reported = Content.objects.filter(policy=decided, model_score=0.2).get()
    for reporter in ("u1", "u2", "u2-again"):
        Report.objects.create(content=reported, source=ReportSource.USER, reporter=reporter,
                              reason="spam")  # fmt: skip
    live = admin.post(
        f"/api/v1/moderation/policies/{decided.pk}/rules/",
        {"name": "very spammy", "condition": {"signal": "score", "category": "spam", "op": ">=",
         "value": 0.85}, "action": "remove", "status": "live"},
        format="json",
    )  # fmt: skip
    assert live.status_code == 201, live.content
    condition = {"any": [SPAMMY, {"signal": "reports", "op": ">=", "value": 3}]}
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            f"/api/v1/moderation/policies/{decided.pk}/backtests/",
            {"condition": condition, **_period()},
            format="json",
        )
    results = RuleBacktest.objects.get(pk=response.json()["id"]).results
    assert results["hits"] == 6  # the five above and the reported one (allowed by people)
    assert results["human_allowed"] == 2
    assert results["overlap"] == [{"rule": live.json()["id"], "name": "very spammy", "both": 2}]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"condition": {"signal": "mood"}, **_period()}, "condition.signal"),
        ({"condition": SPAMMY, "period_start": "2026-02-01T00:00:00Z",
          "period_end": "2026-01-01T00:00:00Z"}, "period_end"),
        ({"condition": SPAMMY, **_period(days=400)}, "period_start"),
        ({**_period()}, "condition"),
    ],
)  # fmt: skip
def test_bad_backtests_are_refused_naming_the_field(decided, body, field):
    response = _client(decided).post(
        f"/api/v1/moderation/policies/{decided.pk}/backtests/", body, format="json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["extra"]["field"] == field
    assert not RuleBacktest.objects.exists()


def test_a_period_without_content_is_refused_before_any_job(decided):
    now = timezone.now()
    response = _client(decided).post(
        f"/api/v1/moderation/policies/{decided.pk}/backtests/",
        {"condition": SPAMMY, "period_start": (now - timedelta(days=300)).isoformat(),
         "period_end": (now - timedelta(days=200)).isoformat()},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400
    assert "no content" in response.json()["message"]
    assert not RuleBacktest.objects.exists()


def test_moderators_read_backtests_others_see_nothing(decided):
    admin = _client(decided)
    created = admin.post(
        f"/api/v1/moderation/policies/{decided.pk}/backtests/",
        {"condition": SPAMMY, **_period()},
        format="json",
    ).json()
    moderator = _client(decided, Role.MODERATOR)
    assert moderator.get(f"/api/v1/moderation/backtests/{created['id']}/").status_code == 200
    assert moderator.post(
        f"/api/v1/moderation/policies/{decided.pk}/backtests/",
        {"condition": SPAMMY, **_period()}, format="json",
    ).status_code == 403  # fmt: skip
    outsider = _client(ReviewPolicyFactory(name="Other"))
    assert outsider.get(f"/api/v1/moderation/backtests/{created['id']}/").status_code == 404
    assert outsider.get(f"/api/v1/moderation/policies/{decided.pk}/backtests/").status_code == 404
    assert APIClient().get(f"/api/v1/moderation/backtests/{created['id']}/").status_code in (
        401, 403,
    )  # fmt: skip
    assert RuleBacktest.objects.count() == 1


@pytest.mark.parametrize(
    ("condition", "hits", "both"),
    [
        # The bank hit and not spammy: only the 0.2 content ("free money").
        ({"all": [{"signal": "bank", "bank": "scam"}, {"not": SPAMMY}]}, 1, 1),
        # No bank hit, or spammy: every content but the 0.2 one; of those only the 0.9 one
        # ("FR33 m0ney") hits the bank too.
        ({"any": [{"not": {"signal": "bank", "bank": "scam"}}, SPAMMY]}, 8, 1),
        # The bank alone, and its negation.
        ({"signal": "bank", "bank": "scam"}, 2, 2),
        ({"signal": "bank", "bank": "scam", "value": False}, 7, 0),
    ],
)
def test_bank_conditions_and_their_overlap_are_counted_by_hand(
    decided, django_capture_on_commit_callbacks, condition, hits, both
):
    """Banks are matched only where they can change the answer: the figures are the same as
    matching every text."""
    from labeling.models import Item
    from moderation.services.rule_admin import text_bank_create

    admin = _client(decided)
    Item.objects.filter(moderation_content__policy=decided).update(text="nothing to see here")
    texts = {0.9: "FR33 m0ney, today only", 0.2: "free money"}
    for score, text in texts.items():
        content = Content.objects.get(policy=decided, model_score=score)
        Item.objects.filter(pk=content.item_id).update(text=text)
    text_bank_create(
        policy=decided, user=UserFactory(), name="scam", terms=["free money"], patterns=[]
    )
    live = admin.post(
        f"/api/v1/moderation/policies/{decided.pk}/rules/",
        {"name": "scam live", "condition": {"signal": "bank", "bank": "scam"},
         "action": "review", "status": "live"},
        format="json",
    )  # fmt: skip
    assert live.status_code == 201, live.content
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            f"/api/v1/moderation/policies/{decided.pk}/backtests/",
            {"condition": condition, **_period()},
            format="json",
        )
    assert response.status_code == 202, response.content
    results = RuleBacktest.objects.get(pk=response.json()["id"]).results
    assert results["contents"] == 9
    assert results["hits"] == hits
    assert results["overlap"] == [{"rule": live.json()["id"], "name": "scam live", "both": both}]


@pytest.mark.parametrize(
    ("condition", "figures", "both"),
    [
        # Every obfuscated "free money" (digits, spaced, Cyrillic, zero-width, stretched): the
        # 0.9, 0.8, 0.75, 0.95 and 0.1 contents; of those only the 0.1 one hits "drugs" too.
        ({"signal": "bank", "bank": "scam"}, (5, 2, 1, 1, 1), 1),
        # Its negation: the decoys and the rest; the 0.2 one ("v1agra") hits "drugs".
        ({"signal": "bank", "bank": "scam", "value": False}, (4, 1, 2, 0, 1), 1),
    ],
)
def test_a_bank_backtest_counts_obfuscated_terms_by_hand(
    decided, django_capture_on_commit_callbacks, condition, figures, both
):
    """Texts that cannot hit a bank skip its normalisation: the hits are those of the
    obfuscated forms all the same, decoys are not hit, and the overlap with a live rule over
    another bank is counted on the hits."""
    from labeling.models import Item
    from moderation.services.rule_admin import text_bank_create

    admin = _client(decided)
    texts = {
        0.9: "fr33 m0n3y inside", 0.8: "f r e e money", 0.75: "fr\u0435\u0435 m\u043eney",
        0.95: "fr\u200bee money!", 0.7: "carefree moneylender", 0.2: "v1agra",
        0.5: "free of money", 0.1: "V!AGRA and FREEEE MONEYYY", None: "nothing to see here",
    }  # fmt: skip
    for score, text in texts.items():
        content = Content.objects.get(policy=decided, model_score=score, created_at__gte=
                                      timezone.now() - timedelta(days=7))  # fmt: skip
        Item.objects.filter(pk=content.item_id).update(text=text)
    for name, terms in (("scam", ["free money"]), ("drugs", ["viagra"])):
        text_bank_create(policy=decided, user=UserFactory(), name=name, terms=terms, patterns=[])
    live = admin.post(
        f"/api/v1/moderation/policies/{decided.pk}/rules/",
        {"name": "drugs live", "condition": {"signal": "bank", "bank": "drugs"},
         "action": "review", "status": "live"},
        format="json",
    )  # fmt: skip
    assert live.status_code == 201, live.content
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            f"/api/v1/moderation/policies/{decided.pk}/backtests/",
            {"condition": condition, **_period()},
            format="json",
        )
    assert response.status_code == 202, response.content
    results = RuleBacktest.objects.get(pk=response.json()["id"]).results
    assert results["contents"] == 9
    assert (
        results["hits"], results["human_removed"], results["human_allowed"],
        results["automatic"], results["pending"],
    ) == figures  # fmt: skip
    assert results["overlap"] == [{"rule": live.json()["id"], "name": "drugs live", "both": both}]


def _run_in_worker(policy, user, condition, *, since, to) -> dict:
    """Request a backtest and run its job's body here, as the worker would; its results."""
    from moderation.services import backtests

    requested = backtests.backtest_request(
        policy=policy, user=user, condition=condition, period_start=since, period_end=to
    )
    done = backtests.backtest_run(backtest_id=requested.pk)
    assert done.state == "succeeded", done.error_message
    return done.results


@pytest.mark.django_db(transaction=True)
def test_a_worker_reads_the_next_chunk_ahead_and_counts_the_same(monkeypatch):
    """Outside a transaction (as in a worker) the chunks are read by a thread of its own while
    the one before is evaluated: the figures are those of reading them in line."""
    from django.db import connection

    from moderation.services import backtests

    if connection.vendor != "postgresql":
        pytest.skip("the read-ahead connection is PostgreSQL's")
    policy = ReviewPolicyFactory()
    platform = PlatformFactory()
    now = timezone.now()
    for n in range(23):
        content = ContentFactory(
            policy=policy, platform=platform, score=(n % 10) / 10,
            state=ContentState.REMOVED if n % 3 else ContentState.ALLOWED,
        )  # fmt: skip
        Content.objects.filter(pk=content.pk).update(created_at=now - timedelta(hours=n + 1))
        if n % 4 == 0:
            Report.objects.create(content=content, source=ReportSource.USER, reporter=f"u{n}")
    monkeypatch.setattr(backtests, "CHUNK", 5)  # five chunks
    read = []
    threads = set()
    chunks = backtests._chunks

    def counted(*args):
        for chunk in chunks(*args):
            read.append(len(chunk[0]))
            threads.add(threading.current_thread().name)
            yield chunk

    monkeypatch.setattr(backtests, "_chunks", counted)
    user = UserFactory()
    MembershipFactory(project=policy.project, user=user, role=Role.ADMIN)
    condition = {"any": [SPAMMY, {"signal": "reports", "op": ">=", "value": 1}]}

    def run():
        results = _run_in_worker(policy, user, condition, since=now - timedelta(days=2), to=now)
        return {key: value for key, value in results.items() if key != "sample"}

    ahead = run()
    assert read == [5, 5, 5, 5, 3]
    assert threads == {"backtest-read-ahead"}
    monkeypatch.setattr(backtests, "_chunks_read_ahead", lambda *args: counted(*args))
    in_line = run()
    assert ahead == in_line
    assert ahead["contents"] == 23
    assert ahead["hits"] == 11  # scores 0.7-0.9 (n = 7-9, 17-19), reported (n % 4 == 0; 8 twice)


# One condition per kind of signal, each negated: a signal left unread would read as its
# default (no score, no reports, unknown age…) and the negation would then hold everywhere.
EVERY_KIND = [
    {"signal": "score", "category": "spam", "op": ">=", "value": 0.5},
    {"signal": "score", "category": "spam", "model": "shadow", "op": ">=", "value": 0.5},
    {"signal": "hash_match"},
    {"signal": "reports", "op": ">=", "value": 2},
    {"signal": "report_reason", "op": "includes", "value": "fraud"},
    {"signal": "author_strikes", "op": ">=", "value": 2},
    {"signal": "account_age_days", "op": "<", "value": 3},
    {"signal": "metadata", "field": "surface", "op": "==", "value": "dm"},
    {"signal": "metadata", "field": "tier", "op": ">=", "value": 2},
    {"signal": "text_length", "op": ">", "value": 30},
    {"signal": "language", "op": "==", "value": "fr"},
    {"signal": "bank", "bank": "scam"},
]


@pytest.mark.parametrize(
    "condition",
    [
        *({"not": leaf} for leaf in EVERY_KIND),
        {"all": [EVERY_KIND[0], {"not": EVERY_KIND[10]}, EVERY_KIND[8]]},
        {"any": [EVERY_KIND[11], {"all": [EVERY_KIND[3], EVERY_KIND[6]]}]},
    ],
)
def test_a_backtest_reads_only_what_its_condition_reads_and_counts_the_same(monkeypatch, condition):
    """A backtest reads of each content only the signals its condition reads (a rule over
    scores never joins the texts); its figures, sample and overlap are those of reading every
    signal of every content."""
    from moderation.models import Strike
    from moderation.services import backtests
    from moderation.services.rule_admin import rule_create, text_bank_create
    from tests.factories.moderation import AuthorFactory

    policy = ReviewPolicyFactory()
    platform = PlatformFactory()
    user = UserFactory()
    MembershipFactory(project=policy.project, user=user, role=Role.ADMIN)
    text_bank_create(policy=policy, user=user, name="scam", terms=["free money"], patterns=[])
    now = timezone.now()
    authors = [AuthorFactory(platform=platform) for _ in range(3)]
    Strike.objects.create(author=authors[0], policy=policy, points=3,
                          created_at=now - timedelta(days=1))  # fmt: skip
    Strike.objects.create(author=authors[1], policy=policy, points=1,
                          created_at=now - timedelta(days=1))  # fmt: skip
    states = [ContentState.REMOVED, ContentState.ALLOWED, ContentState.PENDING]
    for n in range(24):
        score = (n % 10) / 10
        content = ContentFactory(
            policy=policy, platform=platform, score=score, state=states[n % 3],
            decided_automatically=n % 7 == 0, hash_match=n % 5 == 0, author=authors[n % 3],
            text="fr33 m0ney now" if n % 4 == 0 else "a plain message" + " really" * (n % 6),
            context={"account_age_days": n % 7, "surface": ["dm", "post"][n % 2],
                     "language": "fr" if n % 3 == 0 else "en", "metadata": {"tier": n % 4}},
        )  # fmt: skip
        scores = {"categories": {"spam": score}}
        if n % 2:
            scores["shadow"] = {"3": {"spam": 0.0}, "7": {"spam": 1 - score}}
        Content.objects.filter(pk=content.pk).update(
            scores=scores, created_at=now - timedelta(hours=n + 1)
        )
        for reporter in range(n % 4):
            Report.objects.create(
                content=content, source=ReportSource.USER, reporter=f"u{reporter}",
                reason="fraud" if n % 2 else "",
            )  # fmt: skip
    live = {"any": [EVERY_KIND[11], EVERY_KIND[2], {"not": EVERY_KIND[7]}]}
    rule_create(policy=policy, user=user, name="live one", condition=live, action="review",
                status="live")  # fmt: skip

    def run():
        return _run_in_worker(policy, user, condition, since=now - timedelta(days=2), to=now)

    read: list[tuple[str, ...]] = []
    chunks = backtests._chunks

    def counted(contents, at, reads):
        read.append(reads.columns)
        yield from chunks(contents, at, reads)

    monkeypatch.setattr(backtests, "_chunks", counted)
    lean = run()
    assert len(read[0]) < len(backtests._Reads(backtests.EVERY_SIGNAL).columns)
    every = backtests._Reads(backtests.EVERY_SIGNAL)
    monkeypatch.setattr(backtests, "_Reads", lambda signals: every)
    assert run() == lean
    assert 0 < lean["hits"] < lean["contents"] == 24
    assert lean["overlap"][0]["both"] > 0
