"""Investigation: full-text search over moderated content, with filters, paged by keyset.

What a caller finds is limited to the policies they may moderate (``MODERATE_ROLES``), before
any other condition: another policy's content is never matched, counted or hinted at.

The query text is hostile: at most ``MAX_QUERY_CHARS`` characters, no NUL or lone surrogates
(``search_query_problem``). On PostgreSQL it is read by ``websearch_to_tsquery('simple', …)``
(quoted phrases, ``or``, ``-word``; never a syntax error) against the GIN-indexed
``Content.search_document``; on SQLite it is turned into an FTS5 query of quoted words
(``fts5_query``), so FTS5's own operators in the text are plain words.

Results come newest first, ``PAGE_MAX`` at most per page, with an opaque cursor for the next
page (``created_at`` and id of the last row, read back strictly). ``total`` counts at most
``COUNT_CAP`` + 1 rows: past the bulk-action cap the exact figure is not worth a count over a
million rows, and the page says "more than".
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.contrib.postgres.search import SearchQuery
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core.exceptions import ApplicationError
from core.limits import text_problem
from moderation.choices import DecisionAction
from moderation.models import Appeal, Content, Decision, Report, RuleHitLog
from moderation.selectors.access import MODERATE_ROLES
from moderation.selectors.queues import contents_moderated_by

MAX_QUERY_CHARS = 500
PAGE_DEFAULT = 50
PAGE_MAX = 100
# What one bulk action may cover; the search counts up to one more than this.
COUNT_CAP = 5_000
# Decision filter values besides the decision actions: no decision at all yet.
UNDECIDED = "none"
DECISION_FILTERS = (DecisionAction.APPROVE, DecisionAction.REMOVE, DecisionAction.ESCALATE,
                    UNDECIDED)  # fmt: skip
# FTS5 sees words: anything else (its operators, quotes, parentheses, NUL) separates them.
_WORD = re.compile(r"\w+", re.UNICODE)
# A query's terms: an optionally negated "quoted phrase" (closed or not), or a bare token.
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_MAX_FTS_WORDS = 32


@dataclass(frozen=True)
class SearchFilters:
    policy_id: int | None = None
    category_id: int | None = None
    state: str | None = None
    decision: str | None = None
    rule_id: int | None = None
    author_id: int | None = None
    reporter: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    score_min: float | None = None
    score_max: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """The filters that are set, as JSON (for bulk actions' records)."""
        out: dict[str, Any] = {}
        for name, value in self.__dict__.items():
            if value is None or value == "":
                continue
            out[name] = value.isoformat() if isinstance(value, datetime) else value
        return out


@dataclass
class SearchPage:
    results: list[Content]
    next_cursor: str | None
    total: int
    total_capped: bool


def search_query_problem(query: str) -> str | None:
    """Why ``query`` cannot be searched for, or None."""
    if len(query) > MAX_QUERY_CHARS:
        return f"A search is at most {MAX_QUERY_CHARS} characters."
    return text_problem(query)


def fts5_query(query: str) -> str:
    """The FTS5 MATCH expression reading ``query`` as ``websearch_to_tsquery`` does on
    PostgreSQL: words all required, ``"a phrase"``, ``or`` between two terms, ``-word``
    excluded. Only words reach FTS5, each quoted: its own operators, column filters and
    prefixes in the text stay plain words. Empty (nothing matches) when no word is required."""
    parts: list[str] = []
    words_used = 0
    pending_or = False
    for match in _TOKEN.finditer(query):
        negated, phrase, bare = match.group(1), match.group(2), match.group(3)
        if bare is not None:
            if bare.lower() == "or":
                pending_or = bool(parts)
                continue
            negated = "-" if bare.startswith("-") else ""
            words = _WORD.findall(bare)
        else:
            words = _WORD.findall(phrase)
        words = words[: max(_MAX_FTS_WORDS - words_used, 0)]
        if not words:
            continue
        words_used += len(words)
        term = '"' + " ".join(words) + '"'  # \w+ words hold no quote
        if negated:
            if parts:  # FTS5's NOT needs a term before it
                parts.append(f"NOT {term}")
        elif pending_or:
            parts.append(f"OR {term}")
        else:
            parts.append(term)
        pending_or = False
    return " ".join(parts)


def _text_match(contents: QuerySet[Content], query: str) -> QuerySet[Content]:
    if connection.vendor == "postgresql":
        return contents.filter(
            search_document=SearchQuery(query, config="simple", search_type="websearch")
        )
    expression = fts5_query(query)
    if not expression:
        return contents.none()
    return contents.filter(
        pk__in=RawSQL(
            "SELECT rowid FROM moderation_content_fts WHERE moderation_content_fts MATCH %s",
            [expression],
        )
    )


def _filtered(contents: QuerySet[Content], f: SearchFilters) -> QuerySet[Content]:
    if f.policy_id is not None:
        contents = contents.filter(policy_id=f.policy_id)
    if f.category_id is not None:
        contents = contents.filter(top_category_id=f.category_id)
    if f.state:
        contents = contents.filter(state=f.state)
    if f.decision == UNDECIDED:
        contents = contents.exclude(Exists(Decision.objects.filter(content=OuterRef("pk"))))
    elif f.decision:
        contents = contents.filter(
            Exists(
                Decision.objects.filter(content=OuterRef("pk"), action=f.decision, superseded=False)
            )
        )
    if f.rule_id is not None:
        contents = contents.filter(
            Exists(RuleHitLog.objects.filter(rule_id=f.rule_id, content=OuterRef("pk")))
        )
    if f.author_id is not None:
        contents = contents.filter(author_id=f.author_id)
    if f.reporter:
        contents = contents.filter(
            Exists(Report.objects.filter(reporter=f.reporter, content=OuterRef("pk")))
        )
    if f.created_from is not None:
        contents = contents.filter(created_at__gte=f.created_from)
    if f.created_to is not None:
        contents = contents.filter(created_at__lt=f.created_to)
    if f.score_min is not None:
        contents = contents.filter(model_score__gte=f.score_min)
    if f.score_max is not None:
        contents = contents.filter(model_score__lte=f.score_max)
    return contents


def content_search_queryset(
    *,
    user: User,
    query: str,
    filters: SearchFilters,
    roles: Collection[str] = MODERATE_ROLES,
) -> QuerySet[Content]:
    """Contents of the policies where ``user`` has one of ``roles`` matching ``query`` (all
    contents when it is blank) and ``filters``, newest first. Raises ApplicationError (400)
    for a query that cannot be searched for."""
    problem = search_query_problem(query)
    if problem:
        raise ApplicationError(problem, extra={"field": "q"})
    # Content in a restricted queue the caller may not work is not theirs to find either.
    contents = contents_moderated_by(user=user, roles=roles)
    if query.strip():
        contents = _text_match(contents, query.strip())
    return _filtered(contents, filters).order_by("-created_at", "-id")


def _cursor_encode(content: Content) -> str:
    raw = f"{content.created_at.isoformat()}|{content.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _cursor_decode(cursor: str) -> tuple[datetime, int]:
    bad = ApplicationError(
        "This page cursor is not one the search gave.", extra={"field": "cursor"}
    )
    if len(cursor) > 100:
        raise bad
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, pk = raw.split("|")
        when = parse_datetime(stamp)
        if when is None or not pk.isdigit():
            raise bad
        if timezone.is_naive(when):  # as a filter would read it: in the default time zone
            when = timezone.make_aware(when)
        return when, int(pk)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise bad from exc


def _with_columns(contents: QuerySet[Content]) -> QuerySet[Content]:
    final = Decision.objects.filter(content=OuterRef("pk"), superseded=False).order_by(
        "-is_final", "-created_at", "-id"
    )
    appeal = Appeal.objects.filter(content=OuterRef("pk")).order_by("-created_at", "-id")
    return contents.select_related("policy", "top_category", "item", "author").annotate(
        decision_action=Subquery(final.values("action")[:1]),
        decision_automated=Subquery(final.values("automated")[:1]),
        decision_by=Subquery(final.values("moderator_name")[:1]),
        appeal_state=Subquery(appeal.values("state")[:1]),
    )


def _count_and_page(
    contents: QuerySet[Content], after: tuple[datetime, int] | None, size: int
) -> tuple[int, list[int]]:
    """How many contents match, counted up to ``COUNT_CAP`` + 1, and the ids of the first
    ``size`` of them (newest first) after the cursor's key ``after``.

    Any ``COUNT_CAP`` + 1 matching rows tell the capped total, so they are looked for
    unordered: PostgreSQL takes them off the full-text index's bitmap, where in order it would
    walk the newest-first index through every row until that many matched (half a second for
    a common word at a million contents). When they are all the matches, the page is cut from
    them in the same query (a second scan may be planned as such a walk); when there are more,
    the newest-first index reaches a page of them after few rows."""
    ids: list[int] | None = None
    if connection.vendor == "postgresql":
        try:
            matches_sql, params = (
                contents.order_by().values_list("id", "created_at")[: COUNT_CAP + 1].query
            ).sql_with_params()
        except EmptyResultSet:  # no policy to search in
            return 0, []
        after_sql = ""
        if after is not None:
            after_sql = "WHERE created_at < %s OR (created_at = %s AND id < %s)"
            params = (*params, after[0], after[0], after[1])
        with connection.cursor() as cursor:
            # The ORM's SQL with its parameters kept apart, and a fixed condition: no value
            # is written into the text.
            cursor.execute(
                f"WITH matches (id, created_at) AS MATERIALIZED ({matches_sql}) "  # noqa: S608
                "SELECT (SELECT count(*) FROM matches), "
                f"ARRAY(SELECT id FROM matches {after_sql} "
                "ORDER BY created_at DESC, id DESC LIMIT %s)",
                (*params, size),
            )
            total, ids = cursor.fetchone()
    else:
        total = contents.order_by().values("pk")[: COUNT_CAP + 1].count()
    if ids is None or total > COUNT_CAP:
        page = contents
        if after is not None:
            when, pk = after
            page = page.filter(Q(created_at__lt=when) | Q(created_at=when, pk__lt=pk))
        ids = list(page.values_list("pk", flat=True)[:size])
    return total, ids


def content_search(
    *,
    user: User,
    query: str = "",
    filters: SearchFilters | None = None,
    cursor: str | None = None,
    limit: int = PAGE_DEFAULT,
    roles: Collection[str] = MODERATE_ROLES,
) -> SearchPage:
    """One page of the search (see the module's docstring): the contents with their policy,
    category, item (text), author, current decision (``decision_action``,
    ``decision_automated``, ``decision_by``) and latest appeal state, the cursor of the next
    page (None on the last) and the total (``total_capped``: more than ``COUNT_CAP``)."""
    contents = content_search_queryset(
        user=user, query=query, filters=filters or SearchFilters(), roles=roles
    )
    limit = max(1, min(limit, PAGE_MAX))
    after = _cursor_decode(cursor) if cursor else None
    total, page_ids = _count_and_page(contents, after, limit + 1)
    # The page's columns (decision, appeal, author, item) for its rows alone, not every match.
    rows = list(
        _with_columns(Content.objects.filter(pk__in=page_ids)).order_by("-created_at", "-id")
    )
    next_cursor = _cursor_encode(rows[limit - 1]) if len(rows) > limit else None
    return SearchPage(
        results=rows[:limit],
        next_cursor=next_cursor,
        total=min(total, COUNT_CAP),
        total_capped=total > COUNT_CAP,
    )
