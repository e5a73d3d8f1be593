"""Investigation search: full-text over moderated content with filters, only what the caller
may moderate, paged; hostile query text gets a clear 400 or an empty result, never a 500."""

from datetime import UTC, timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from labeling.choices import Role
from moderation.choices import ContentState, DecisionAction, ReportSource, RuleStatus
from moderation.models import Content, Rule, RuleHitLog
from moderation.selectors.search import SearchFilters, content_search, fts5_query
from tests.factories import MembershipFactory, UserFactory
from tests.factories.moderation import (
    AppealFactory,
    AuthorFactory,
    ContentFactory,
    DecisionFactory,
    PlatformFactory,
    ReportFactory,
    ReviewPolicyFactory,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/moderation/search/"


def _member(policy, role=Role.MODERATOR):
    user = UserFactory()
    MembershipFactory(project=policy.project, user=user, role=role)
    return user


def _client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def _ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["external_id"] for row in response.json()["results"]]


@pytest.fixture
def world():
    """Two policies. Policy A: a lottery scam, a bus message, a crypto scam by one author;
    policy B: a lottery scam too (its members only)."""
    a, b = ReviewPolicyFactory(name="A"), ReviewPolicyFactory(name="B")
    platform = PlatformFactory()
    author = AuthorFactory(platform=platform, external_id="u-42")
    lottery = ContentFactory(policy=a, platform=platform, external_id="a-lottery",
                             text="You won the lottery, send your bank details", score=0.95,
                             author=author)  # fmt: skip
    bus = ContentFactory(policy=a, platform=platform, external_id="a-bus",
                         text="The bus is late again this morning", score=0.05,
                         state=ContentState.ALLOWED)  # fmt: skip
    crypto = ContentFactory(policy=a, platform=platform, external_id="a-crypto",
                            text="Double your crypto: send coins to this wallet", score=0.7,
                            author=author, state=ContentState.REMOVED)  # fmt: skip
    other = ContentFactory(policy=b, platform=platform, external_id="b-lottery",
                           text="Lottery winner! Claim your prize", score=0.9)  # fmt: skip
    return {"a": a, "b": b, "author": author, "lottery": lottery, "bus": bus, "crypto": crypto,
            "other": other, "platform": platform}  # fmt: skip


def test_search_finds_words_only_in_policies_the_caller_moderates(world):
    moderator = _client(_member(world["a"]))
    assert _ids(moderator.get(URL, {"q": "lottery"})) == ["a-lottery"]
    outsider = _client(_member(world["b"]))
    assert _ids(outsider.get(URL, {"q": "lottery"})) == ["b-lottery"]
    assert _ids(outsider.get(URL, {"q": "crypto"})) == []
    # A policy filter naming someone else's policy finds nothing (and says nothing about it).
    assert _ids(outsider.get(URL, {"q": "crypto", "policy": world["a"].pk})) == []
    assert outsider.get(URL, {"q": "crypto"}).json()["total"] == 0


def test_members_who_may_not_moderate_and_strangers_find_nothing(world):
    for role in (Role.ANNOTATOR, Role.ML_ENGINEER):
        assert _ids(_client(_member(world["a"], role)).get(URL, {"q": "lottery"})) == []
    assert _ids(_client(UserFactory()).get(URL, {"q": "lottery"})) == []


def test_anonymous_callers_are_refused(world):
    assert APIClient().get(URL, {"q": "lottery"}).status_code in (401, 403)


def test_phrases_or_and_exclusion_read_like_a_web_search(world):
    client = _client(_member(world["a"]))
    assert set(_ids(client.get(URL, {"q": "send"}))) == {"a-lottery", "a-crypto"}
    assert _ids(client.get(URL, {"q": '"bank details"'})) == ["a-lottery"]
    assert _ids(client.get(URL, {"q": '"details bank"'})) == []
    assert set(_ids(client.get(URL, {"q": "bus or wallet"}))) == {"a-bus", "a-crypto"}
    assert _ids(client.get(URL, {"q": "send -crypto"})) == ["a-lottery"]
    # Case does not matter; every content when the query is blank, newest first.
    assert _ids(client.get(URL, {"q": "LOTTERY"})) == ["a-lottery"]
    assert _ids(client.get(URL)) == ["a-crypto", "a-bus", "a-lottery"]


def test_filters_narrow_the_result(world):
    a, author = world["a"], world["author"]
    client = _client(_member(a))
    assert set(_ids(client.get(URL, {"author": author.pk}))) == {"a-lottery", "a-crypto"}
    assert _ids(client.get(URL, {"state": "allowed"})) == ["a-bus"]
    assert _ids(client.get(URL, {"score_min": 0.6, "score_max": 0.8})) == ["a-crypto"]
    assert _ids(client.get(URL, {"category": a.spam.pk, "score_min": 0.9})) == ["a-lottery"]
    # Decisions: the current one counts; a superseded one does not.
    DecisionFactory(content=world["crypto"], action=DecisionAction.REMOVE, is_final=True)
    DecisionFactory(content=world["bus"], action=DecisionAction.REMOVE, is_final=True,
                    superseded=True)  # fmt: skip
    DecisionFactory(content=world["bus"], action=DecisionAction.APPROVE, is_final=True)
    assert _ids(client.get(URL, {"decision": "remove"})) == ["a-crypto"]
    assert _ids(client.get(URL, {"decision": "approve"})) == ["a-bus"]
    assert _ids(client.get(URL, {"decision": "none"})) == ["a-lottery"]
    # Reporter and rule hits.
    ReportFactory(content=world["bus"], source=ReportSource.USER, reporter="reporter-7")
    assert _ids(client.get(URL, {"reporter": "reporter-7"})) == ["a-bus"]
    rule = Rule.objects.create(policy=a, name="wallets", condition={"signal": "hash_match"},
                               action="review", status=RuleStatus.BACKGROUND)  # fmt: skip
    RuleHitLog.objects.create(rule=rule, content=world["crypto"], status=RuleStatus.BACKGROUND)
    assert _ids(client.get(URL, {"rule": rule.pk})) == ["a-crypto"]
    # Dates: [from, to).
    old = timezone.now() - timedelta(days=10)
    Content.objects.filter(pk=world["lottery"].pk).update(created_at=old)
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert set(_ids(client.get(URL, {"created_from": since}))) == {"a-bus", "a-crypto"}
    assert _ids(client.get(URL, {"created_to": since})) == ["a-lottery"]


def test_rows_show_the_current_decision_author_and_appeal(world):
    decision = DecisionFactory(content=world["crypto"], action=DecisionAction.REMOVE,
                               is_final=True, moderator_name="mo")  # fmt: skip
    AppealFactory(decision=decision)
    client = _client(_member(world["a"]))
    row = client.get(URL, {"q": "crypto"}).json()["results"][0]
    assert row["decision_action"] == "remove"
    assert row["decision_by"] == "mo"
    assert row["appeal_state"] == "open"
    assert row["author_external_id"] == "u-42"
    assert row["author_id"] == world["author"].pk
    assert row["policy_name"] == "A"


def test_pages_follow_the_cursor_without_repeats(world):
    a, platform = world["a"], world["platform"]
    for n in range(7):
        ContentFactory(policy=a, platform=platform, external_id=f"page-{n}",
                       text=f"paging message number {n}")  # fmt: skip
    client = _client(_member(a))
    seen: list[str] = []
    params = {"q": "paging", "limit": 3}
    while True:
        body = client.get(URL, params).json()
        assert body["total"] == 7
        seen += [row["external_id"] for row in body["results"]]
        if body["next_cursor"] is None:
            break
        params["cursor"] = body["next_cursor"]
    assert sorted(seen) == sorted(f"page-{n}" for n in range(7))
    assert len(seen) == 7
    assert client.get(URL, {"cursor": "not-a-cursor"}).status_code == 400
    assert client.get(URL, {"limit": 1000}).status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        "<script>alert(1)</script> lottery",
        "lottery & | ! ( ) : * ' \\",
        'NEAR(lottery bank) OR "unterminated',
        "lottery AND NOT bank",
        "body:lottery",
        "-",
        "'';--",
        "\u202e\u200blottery",
    ],
)
def test_hostile_queries_are_searched_as_words_never_a_server_error(world, query):
    response = _client(_member(world["a"])).get(URL, {"q": query})
    assert response.status_code == 200, response.content
    assert set(_ids(response)) <= {"a-lottery"}


def test_a_query_with_nul_or_too_long_is_refused_with_400(world):
    client = _client(_member(world["a"]))
    for query in ("lottery\x00", "x" * 501, "lottery " * 1_500_000):
        response = client.get(URL, {"q": query})
        assert response.status_code == 400, query[:20]
        assert "q" in response.json()["extra"] or "q" in str(response.json())


def test_the_selector_refuses_what_the_api_would(world):
    user = _member(world["a"])
    page = content_search(user=user, query="lottery", filters=SearchFilters())
    assert [c.external_id for c in page.results] == ["a-lottery"]
    with pytest.raises(Exception, match="at most"):
        content_search(user=user, query="x" * 10_000)


def test_fts5_query_reads_a_web_search_and_quotes_every_word():
    assert fts5_query('lottery NEAR("bank") x*') == '"lottery" "NEAR bank" "x"'
    assert fts5_query('send "bank details" -crypto') == '"send" "bank details" NOT "crypto"'
    assert fts5_query("bus or wallet") == '"bus" OR "wallet"'
    assert fts5_query("-crypto OR") == ""
    assert fts5_query('"unterminated phrase') == '"unterminated phrase"'
    assert fts5_query("<script>") == '"script"'
    assert fts5_query("!!! ***") == ""
    assert fts5_query("w " * 100).count('"w"') == 32


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan")
def test_search_on_postgresql_reads_the_gin_index(world):
    from django.contrib.postgres.search import SearchQuery

    contents = Content.objects.filter(
        search_document=SearchQuery("lottery", config="simple", search_type="websearch")
    )
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        plan = contents.explain()
        cursor.execute("RESET enable_seqscan")
    assert "content_search_gin" in plan


@pytest.mark.parametrize("cap", [5, 100])
def test_pages_come_newest_first_with_one_total_for_common_and_rare_words(world, monkeypatch, cap):
    """A word matching more than the count cap (pages read off the newest-first index) and one
    matching fewer (every match in hand): each page holds the next rows newest first, ties
    broken by id, with no repeat or gap, and every page gives the same total; the other
    policy's matches are never counted."""
    import base64

    from moderation.selectors import search

    monkeypatch.setattr(search, "COUNT_CAP", cap)
    a, b, platform = world["a"], world["b"], world["platform"]
    now = timezone.now()
    for n in range(12):
        for policy in (a, b):
            text = "common word" + (" seldom" if n % 4 == 0 else "")
            content = ContentFactory(
                policy=policy, platform=platform, external_id=f"{policy.name}-{n}", text=text
            )
            # Three contents share each moment: their ids order them.
            Content.objects.filter(pk=content.pk).update(created_at=now - timedelta(minutes=n // 3))
    user = _member(a)
    newest_first = {
        "common": [f"A-{n}" for n in (2, 1, 0, 5, 4, 3, 8, 7, 6, 11, 10, 9)],
        "seldom": ["A-0", "A-4", "A-8"],
    }
    for word, expected in newest_first.items():
        seen: list[str] = []
        cursor = None
        while True:
            page = content_search(user=user, query=word, cursor=cursor, limit=5)
            assert (page.total, page.total_capped) == (
                min(len(expected), cap), len(expected) > cap,
            ), word  # fmt: skip
            seen += [content.external_id for content in page.results]
            cursor = page.next_cursor
            if cursor is None:
                break
        assert seen == expected, word

    # A cursor whose moment carries no time zone is read in the default one (UTC), as before.
    first = content_search(user=user, query="common", limit=5)
    last = first.results[-1]
    stamp = last.created_at.astimezone(UTC).replace(tzinfo=None).isoformat()
    naive = base64.urlsafe_b64encode(f"{stamp}|{last.pk}".encode()).decode().rstrip("=")
    after = content_search(user=user, query="common", cursor=naive, limit=5)
    assert [c.external_id for c in after.results] == newest_first["common"][5:10]
