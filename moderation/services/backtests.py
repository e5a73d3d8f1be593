"""Backtests: a rule's condition run over a policy's stored content of a period, as a job.

What it reports: how many contents the condition would have hit; of those, how many people
removed and allowed (``precision`` = removed / decided by people), how many were decided
automatically or are still open; a sample of hit contents to inspect; and, per live rule, how
many of the hits it also hits (overlap). Contents are read in id order, in chunks, with the
signals intake would have seen as they were stored: model scores (``Content.scores``), the
hash match, context, the text, users' distinct reports and reasons, and the author's strikes
as they are now.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import combinations
from typing import Any

import orjson
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import F, QuerySet, Sum
from django.utils import timezone

from core.exceptions import ApplicationError
from core.limits import task_attempts_exhausted, worker_lost_message
from core.read_ahead import read_ahead
from core.services.audit import audit_record
from core.tasks import enqueue_on_commit
from labeling.choices import JobState
from moderation.choices import ContentState, ReportSource, RuleStatus
from moderation.models import Content, Policy, Report, Rule, RuleBacktest, Strike
from moderation.ruleset.banks import BankMatcher
from moderation.ruleset.conditions import Compiled, Condition, Signals, parse
from moderation.ruleset.normalise import views
from moderation.selectors.strikes import strikes_live
from moderation.services.rule_admin import check_condition
from moderation.services.rule_engine import account_age_days, compiled_policy, context_fields

logger = logging.getLogger(__name__)

MAX_PERIOD_DAYS = 366
CHUNK = 10_000
SAMPLE_SIZE = 50
# A condition reading at most this many banks is first tried with each combination of them.
BANK_SUBSETS_MAX = 3
# Progress is written at most this often.
PROGRESS_EVERY_S = 1.0


@transaction.atomic
def backtest_request(
    *,
    policy: Policy,
    user: User,
    condition: Any,
    period_start: datetime,
    period_end: datetime,
    rule: Rule | None = None,
) -> RuleBacktest:
    """Queue a backtest of ``condition`` (checked as a rule's would be) over the policy's
    content created in [``period_start``, ``period_end``). Refused (400) for a bad condition,
    a period that is empty, reversed or longer than ``MAX_PERIOD_DAYS``, or one holding no
    content. Audited (``rule_backtest.create``)."""
    check_condition(policy, condition)
    if period_end <= period_start:
        raise ApplicationError("The period ends before it starts.", extra={"field": "period_end"})
    if period_end - period_start > timedelta(days=MAX_PERIOD_DAYS):
        raise ApplicationError(
            f"A backtest covers at most {MAX_PERIOD_DAYS} days.", extra={"field": "period_start"}
        )
    total = _contents(policy, period_start, period_end).count()
    if total == 0:
        raise ApplicationError(
            "The policy has no content in this period: nothing to backtest.",
            extra={"field": "period_start"},
        )
    backtest = RuleBacktest.objects.create(
        policy=policy, rule=rule, condition=condition, period_start=period_start,
        period_end=period_end, rows_total=total, created_by=user,
    )  # fmt: skip
    audit_record(
        actor=user,
        action="rule_backtest.create",
        object_type="moderation.rule_backtest",
        object_id=backtest.pk,
        scope=f"moderation.policy:{policy.pk}",
        after={
            "rule": rule.name if rule else None,
            "condition": condition,
            "period_start": period_start,
            "period_end": period_end,
            "contents": total,
        },
    )
    from moderation.tasks import rule_backtest_run_task

    enqueue_on_commit(rule_backtest_run_task, backtest.pk)
    return backtest


def _contents(policy: Policy, start: datetime, end: datetime):
    return Content.objects.filter(policy=policy, created_at__gte=start, created_at__lt=end)


def backtest_run(*, backtest_id: int) -> RuleBacktest | None:
    """Run a queued backtest (the Celery task's body). Counts the attempt first (a run that
    kills its worker is counted); never raises for a failed run: the backtest says why."""
    backtest = RuleBacktest.objects.select_related("policy").filter(pk=backtest_id).first()
    if backtest is None or backtest.state in (JobState.SUCCEEDED, JobState.FAILED):
        return backtest
    RuleBacktest.objects.filter(pk=backtest.pk).update(
        state=JobState.RUNNING, started_at=timezone.now(), attempts=F("attempts") + 1,
        rows_done=0, error_message="",
    )  # fmt: skip
    backtest.refresh_from_db()
    if task_attempts_exhausted(backtest.attempts):
        return _fail(
            backtest,
            worker_lost_message(
                what="this backtest", attempts=backtest.attempts,
                retry="Start a new backtest once the cause is fixed.",
            ),
        )  # fmt: skip
    try:
        results = _evaluate(backtest)
    except Exception as exc:
        logger.exception("backtest %s failed", backtest.pk)
        return _fail(backtest, f"The backtest could not run: {exc}")
    RuleBacktest.objects.filter(pk=backtest.pk).update(
        state=JobState.SUCCEEDED, results=results, rows_done=backtest.rows_total,
        finished_at=timezone.now(),
    )  # fmt: skip
    backtest.refresh_from_db()
    return backtest


def _fail(backtest: RuleBacktest, message: str) -> RuleBacktest:
    RuleBacktest.objects.filter(pk=backtest.pk).update(
        state=JobState.FAILED, error_message=message[:2000], finished_at=timezone.now()
    )
    backtest.refresh_from_db()
    return backtest


def _bank_sets(banks: frozenset[str]) -> list[frozenset[str]] | None:
    """Every subset of ``banks`` when there are few (a condition reading them is tried with
    each, see ``_decided_without_banks``), else None."""
    if len(banks) > BANK_SUBSETS_MAX:
        return None
    names = sorted(banks)
    return [
        frozenset(chosen) for size in range(len(names) + 1) for chosen in combinations(names, size)
    ]


def _decided_without_banks(
    condition: Condition, signals: dict[str, Any], subsets: list[frozenset[str]] | None
) -> bool | None:
    """The condition's answer when it is the same whichever of the banks it reads the text
    hits (so the text need not be normalised and matched), else None. Exact: every
    combination of those banks is tried (``_bank_sets``)."""
    if subsets is None:
        return None
    first = condition(Signals(banks=subsets[0], **signals))
    for banks in subsets[1:]:
        if condition(Signals(banks=banks, **signals)) != first:
            return None
    return first


def _live_points(authors: QuerySet[Content], at: datetime) -> dict[int, int]:
    """Live strike points (all policies) at ``at`` of the authors of ``authors``; those
    without are left out. One query."""
    rows = (
        Strike.objects.filter(strikes_live(at=at), author_id__in=authors.values("author_id"))
        .values("author_id")
        .annotate(total=Sum("points"))
        .values_list("author_id", "total")
    )
    return {author_id: int(total or 0) for author_id, total in rows}


def _json(value: Any) -> Any:
    """A JSON column read without the ORM's converters: its text (psycopg 3 leaves jsonb
    undecoded for Django), or the value itself."""
    return orjson.loads(value) if isinstance(value, str | bytes) else value


# What each field of ``Signals`` is made from: the content's columns it needs (users'
# reports and authors' strike points are looked up per chunk when a field needs them).
_SIGNAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "scores": ("scores",),
    "shadow_scores": ("scores",),
    "hash_match": ("hash_match",),
    "account_age_days": ("context",),
    "metadata": ("context",),
    "language": ("context",),
    "text_length": ("item__text",),
    "banks": ("item__text",),
    "author_strikes": ("author_id",),
    "reports": (),
    "report_reasons": (),
}
EVERY_SIGNAL = frozenset(_SIGNAL_COLUMNS)
# Read for every content whatever the condition reads: what a hit is counted as.
_ALWAYS = ("pk", "state", "decided_automatically")
_COLUMN_ORDER = ("scores", "hash_match", "context", "item__text", "author_id")


@dataclass(frozen=True)
class _Reads:
    """What a backtest reads of each content to tell the signals ``signals`` (fields of
    ``Signals``): the rest are left at their defaults, which a condition that does not read
    them cannot tell apart (``Compiled.reads``)."""

    signals: frozenset[str]

    @property
    def columns(self) -> tuple[str, ...]:
        needed = {column for name in self.signals for column in _SIGNAL_COLUMNS[name]}
        return _ALWAYS + tuple(column for column in _COLUMN_ORDER if column in needed)

    @property
    def reports(self) -> bool:
        return bool(self.signals & {"reports", "report_reasons"})

    @property
    def points(self) -> bool:
        return "author_strikes" in self.signals


_Chunk = tuple[list[tuple[Any, ...]], dict[int, set[str]], dict[int, set[str]], dict[int, int]]


def _chunks(contents: QuerySet[Content], now: datetime, reads: _Reads) -> Iterator[_Chunk]:
    """The contents in id order, ``CHUNK`` at a time, each with its user reports' reporters
    and reasons and its authors' live strike points: ``(rows, reports, reasons, points)``.
    Only what ``reads`` needs is read (a condition over scores and reports never joins the
    texts); rows are ``reads.columns``."""
    last_id = 0
    columns = reads.columns
    while True:
        # The ORM writes the query; its rows are read without per-field converters (a
        # quarter of the time went into them), the JSON columns decoded with orjson.
        sql, params = (
            contents.filter(pk__gt=last_id)
            .order_by("pk")
            .values_list(*columns)[:CHUNK]
            .query.sql_with_params()
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not rows:
            return
        first_id, last_id = rows[0][0], rows[-1][0]
        chunk = contents.filter(pk__gte=first_id, pk__lte=last_id)
        reports: dict[int, set[str]] = defaultdict(set)
        reasons: dict[int, set[str]] = defaultdict(set)
        if reads.reports:
            # By id range (a list of ten thousand ids costs more to send than the rows).
            for content_id, reporter, reason in Report.objects.filter(
                content__in=chunk, source=ReportSource.USER
            ).values_list("content_id", "reporter", "reason"):
                reports[content_id].add(reporter)
                if reason:
                    reasons[content_id].add(reason)
        points = _live_points(chunk, now) if reads.points else {}
        yield rows, reports, reasons, points


_Decide = Callable[
    [tuple[Any, ...], dict[int, set[str]], dict[int, set[str]], dict[int, int]], bool
]
_Make = Callable[
    [tuple[Any, ...], dict[int, set[str]], dict[int, set[str]], dict[int, int]], dict[str, Any]
]


def _signal_maker(reads: _Reads) -> _Make:
    """A function of a row of ``_chunks`` (and its chunk's reports, reasons and points)
    giving the keyword arguments of its ``Signals`` that ``reads`` names (``banks`` aside),
    computed as intake computes them."""
    at = {column: position for position, column in enumerate(reads.columns)}
    wanted = reads.signals
    i_scores, i_hash, i_context = at.get("scores"), at.get("hash_match"), at.get("context")
    i_text, i_author = at.get("item__text"), at.get("author_id")
    scores_wanted, shadow_wanted = "scores" in wanted, "shadow_scores" in wanted
    age_wanted, metadata_wanted = "account_age_days" in wanted, "metadata" in wanted
    language_wanted, length_wanted = "language" in wanted, "text_length" in wanted
    reports_wanted, reasons_wanted = "reports" in wanted, "report_reasons" in wanted

    def make(
        row: tuple[Any, ...],
        reports: dict[int, set[str]],
        reasons: dict[int, set[str]],
        points: dict[int, int],
    ) -> dict[str, Any]:
        signals: dict[str, Any] = {}
        if i_scores is not None:
            scores = _json(row[i_scores]) or {}
            if scores_wanted:
                signals["scores"] = scores.get("categories") or {}
            if shadow_wanted:
                shadow = scores.get("shadow") or {}
                signals["shadow_scores"] = shadow[max(shadow, key=int)] if shadow else {}
        if i_hash is not None:
            signals["hash_match"] = bool(row[i_hash])
        if i_context is not None:
            context = _json(row[i_context])
            context = context if isinstance(context, dict) else {}
            if age_wanted:
                signals["account_age_days"] = account_age_days(context)
            if metadata_wanted:
                signals["metadata"] = context_fields(context)
            if language_wanted:
                language = context.get("language")
                signals["language"] = language if isinstance(language, str) else None
        if length_wanted:
            signals["text_length"] = len(row[i_text] or "")  # type: ignore[index]
        if reports_wanted:
            signals["reports"] = len(reports.get(row[0], ()))
        if reasons_wanted:
            seen = reasons.get(row[0])
            signals["report_reasons"] = frozenset(seen) if seen else frozenset()
        if i_author is not None:
            signals["author_strikes"] = float(points.get(row[i_author], 0))
        return signals

    return make


def _chunks_read_ahead(
    contents: QuerySet[Content], now: datetime, reads: _Reads
) -> Iterator[_Chunk]:
    """``_chunks``, read by a thread of its own (on its own connection) while the caller
    evaluates the chunk before: about half of a chunk's time was waiting for PostgreSQL. In
    line inside a transaction (another connection would not see its rows) and on SQLite."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield from _chunks(contents, now, reads)
        return
    yield from read_ahead(
        lambda: _chunks(contents, now, reads), name="backtest-read-ahead", depth=2
    )


def _decider(tested: Compiled, reads: _Reads, banks: BankMatcher) -> _Decide:
    """Whether ``tested`` holds for a row of ``_chunks`` (read for ``reads``), given its
    chunk's reports, reasons and points.

    Bank hits are worked out only when they can change an answer: a text's skeleton is most
    of a content's cost. Whether a content is hit depends on the banks the condition reads
    alone, so only they are matched. A condition reading nothing but banks has one answer
    per set of banks hit, worked out once. Otherwise most texts are ruled out by the
    matcher's screen on the plain view; a text that passes it is tried, when the condition
    reads few banks, with every combination of them, and matched only when its answer
    depends on them."""
    make = _signal_maker(reads)
    text_at = reads.columns.index("item__text") if "item__text" in reads.columns else None
    subsets = _bank_sets(tested.banks)
    tested_banks = banks.only(tested.banks)
    holds_for = tested.holds
    if tested.reads <= {"banks"}:
        answers: dict[frozenset[str], bool] = {}

        def by_banks(row: tuple[Any, ...], *_: Any) -> bool:
            text = row[text_at] if text_at is not None else None
            matched = tested_banks.match(text) if text else frozenset()
            answer = answers.get(matched)
            if answer is None:
                answer = answers[matched] = holds_for(Signals(banks=matched))
            return answer

        return by_banks

    def decide(
        row: tuple[Any, ...],
        reports: dict[int, set[str]],
        reasons: dict[int, set[str]],
        points: dict[int, int],
    ) -> bool:
        signals = make(row, reports, reasons, points)
        text = row[text_at] if text_at is not None else None
        text_views = views(text) if text and tested.banks else None
        if text_views is None or not tested_banks.can_hit(text_views):
            # The text hits none of the banks the condition reads (most texts; told without
            # its skeleton).
            return holds_for(Signals(**signals))
        answer = _decided_without_banks(holds_for, signals, subsets)
        if answer is None:
            answer = holds_for(Signals(banks=tested_banks.match(text_views), **signals))
        return answer

    return decide


def _evaluate(backtest: RuleBacktest) -> dict[str, Any]:
    policy = backtest.policy
    tested = parse(backtest.condition)
    compiled = compiled_policy(policy)
    live = [rule for rule in compiled.rules if rule.status == RuleStatus.LIVE]
    # Only what the condition reads is read and computed: a rule over scores and reports
    # never joins the texts. Hits are read again in full for the live rules' overlap.
    reads = _Reads(tested.reads)
    decide = _decider(tested, reads, compiled.banks)
    hits = human_removed = human_allowed = automatic = pending = 0
    sample: list[int] = []
    overlap: dict[int, int] = defaultdict(int)
    done = 0
    now = timezone.now()
    reported = time.monotonic()
    contents = _contents(policy, backtest.period_start, backtest.period_end)
    for rows, reports, reasons, points in _chunks_read_ahead(contents, now, reads):
        hit_ids: list[int] = []
        for row in rows:
            if not decide(row, reports, reasons, points):
                continue
            hits += 1
            pk, state, automated = row[0], row[1], row[2]
            if len(sample) < SAMPLE_SIZE:
                sample.append(pk)
            if state in (ContentState.PENDING, ContentState.ESCALATED):
                pending += 1
            elif automated:
                automatic += 1
            elif state == ContentState.REMOVED:
                human_removed += 1
            else:
                human_allowed += 1
            hit_ids.append(pk)
        if live and hit_ids:
            _overlap_count(contents.filter(pk__in=hit_ids), now, compiled.banks, live, overlap)
        done += len(rows)
        if time.monotonic() - reported >= PROGRESS_EVERY_S:
            RuleBacktest.objects.filter(pk=backtest.pk).update(rows_done=done)
            reported = time.monotonic()
    decided = human_removed + human_allowed
    return {
        "contents": done,
        "hits": hits,
        "human_removed": human_removed,
        "human_allowed": human_allowed,
        "automatic": automatic,
        "pending": pending,
        "precision": human_removed / decided if decided else None,
        "sample": sample,
        "overlap": [
            {"rule": rule.id, "name": rule.name, "both": overlap[rule.id]}
            for rule in live
            if rule.id != (backtest.rule_id or 0)
        ],
    }


def _overlap_count(
    hit: QuerySet[Content],
    now: datetime,
    banks: BankMatcher,
    live: list[Any],
    overlap: dict[int, int],
) -> None:
    """Add to ``overlap`` (per live rule) the contents of ``hit`` each rule holds for, with
    every signal read as intake would have (the banks matched only when a rule reads one)."""
    every = _Reads(EVERY_SIGNAL)
    make = _signal_maker(every)
    text_at = every.columns.index("item__text")
    reads_banks = any(rule.banks for rule in live)
    for rows, reports, reasons, points in _chunks(hit, now, every):
        for row in rows:
            text = row[text_at]
            found = Signals(
                banks=banks.match(text) if text and reads_banks else frozenset(),
                **make(row, reports, reasons, points),
            )
            for rule in live:
                if rule.holds(found):
                    overlap[rule.id] += 1
