"""Moderation at scale on PostgreSQL: N stored contents (1,000,000 by default) under one policy
with 200 live rules over signals and five text banks.

Measured, each against a baseline from the same run where one makes sense:

- ``rules_p95_ms``: evaluating all the policy's live rules for one content (text banks matched
  on the normalised views, every condition; no model: the stored scores are the signals),
  compiled once per policy as intake does (``rule_engine``), against a naive evaluation that
  parses each rule's condition and matches each bank a rule reads on its own, per content.
- ``intake_p95_ms``: one POST /api/v1/platform/intake/ through Django's test client in this
  process (middleware, key check, signals, rules, the writes; no HTTP socket, no model: the
  policy has no production model), with the 200 rules live, against the same intake on a
  policy without rules.
- ``similar_p95_ms``: ``moderation/contents/{id}/similar/``'s selector (the caller's access,
  the project's nearest-neighbour index, the contents read back), against exact brute force
  over every vector in memory.
- ``backtest_per_s``: contents per second of a backtest (``backtest_run``) over every stored
  content (the live rules' overlap counted too).
- ``search_p95_ms`` and ``bulk_action_s``: ``measure_search`` / ``measure_bulk_action`` call
  ``moderation.selectors.search.content_search`` (first page and capped total) and the
  bulk-action service (a removal of 1,000 pending contents, request and job); the words of the
  SQL-inserted contents are stored first, as intake would have.

Vectors (``--vectors synthetic``, the default) are 384-d unit vectors with the neighbourhood
structure of text embeddings, derived from the real texts' ``hashing`` embeddings as in
``benchmarks/similar_items.py`` (a seeded mix of two texts' vectors plus noise); texts are the
SMS spam collection and the Davidson tweets (../shared/datasets), cycled.

    python benchmarks/moderation_scale.py [--contents 1000000] [--rules 200] [--queries 200]
        [--reuse]
    DATABASE_URL=postgres://... picks the server (default: local PostgreSQL, tandem_bench);
    the database is dropped and created again, unless ``--reuse`` finds the world of an
    earlier run with as many contents in it (then only new migrations run, and the index is
    built again only when ``TANDEM_ANN_DIR`` does not hold it: set TANDEM_ANN_DIR to keep it;
    earlier runs' intakes and bulk removals stay in it).

Prints a table; writes benchmarks/results/moderation_scale.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

from bench_common import ensure_database, real_texts, setup_django  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/tandem_bench"
RESULTS = REPO / "benchmarks" / "results"
TARGETS = {
    "rules_p95_ms": ("<=", 1.0),
    "intake_p95_ms": ("<=", 60.0),
    "search_p95_ms": ("<=", 150.0),
    "similar_p95_ms": ("<=", 50.0),
    "backtest_per_s": (">=", 20_000.0),
}
BANKS = {
    "scam phrases": ["free money", "claim now", "cash prize", "crypto giveaway", "winner"],
    "urgency": ["urgent", "act now", "limited time", "expires today", "final notice"],
    "contact bait": ["call now", "txt stop", "reply yes", "click here", "text back"],
    "slurs": ["trash", "idiot", "loser", "scum", "clown"],
    "drugs": ["viagra", "pills", "weed", "xanax", "oxy"],
}
BANK_PATTERNS = {"contact bait": [r"\b0\d{3}\s?\d{3}\s?\d{4}\b", r"https?://\S+\.(xyz|top)\b"]}
SURFACES = ["post", "comment", "dm", "profile"]
PHASES = ("rules", "similar", "search", "backtest", "intake", "bulk_action")


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


# --- the world ------------------------------------------------------------------------------


def rule_conditions(count: int, seed: int = 3) -> list[dict[str, Any]]:
    """``count`` conditions over every kind of signal, as teams write them: one selective
    clause (a bank, a high score, a hash match, several reports) narrowed by one to three
    others, some negated; a few rules are an OR of selective clauses."""
    rng = random.Random(seed)
    banks = list(BANKS)

    def selective() -> dict[str, Any]:
        kind = rng.randrange(4)
        if kind == 0:
            return {"signal": "bank", "bank": rng.choice(banks)}
        if kind == 1:
            return {"signal": "score", "category": rng.choice(["spam", "abuse"]), "op": ">=",
                    "value": rng.choice([0.9, 0.95, 0.98])}  # fmt: skip
        if kind == 2:
            return {"signal": "hash_match"}
        return {"signal": "reports", "op": ">=", "value": rng.randint(3, 6)}

    def narrowing() -> dict[str, Any]:
        kind = rng.randrange(6)
        if kind == 0:
            return {"signal": "account_age_days", "op": "<", "value": rng.randint(1, 60)}
        if kind == 1:
            return {"signal": "metadata", "field": "surface", "op": "in",
                    "value": rng.sample(SURFACES, 2)}  # fmt: skip
        if kind == 2:
            return {"signal": "text_length", "op": ">", "value": rng.choice([40, 120, 300])}
        if kind == 3:
            return {"signal": "language", "op": "==", "value": rng.choice(["en", "fr"])}
        if kind == 4:
            return {"signal": "author_strikes", "op": ">=", "value": rng.randint(1, 10)}
        return {"signal": "report_reason", "op": "includes", "value": "fraud"}

    conditions: list[dict[str, Any]] = []
    for _ in range(count):
        if rng.random() < 0.1:
            conditions.append({"any": [selective() for _ in range(rng.randint(2, 3))]})
            continue
        clauses = [selective()] + [narrowing() for _ in range(rng.randint(1, 3))]
        if rng.random() < 0.3:
            clauses[-1] = {"not": clauses[-1]}
        conditions.append({"all": clauses})
    return conditions


def prepare(contents: int, rules: int) -> dict[str, Any]:
    """Migrate; a policy with ``rules`` live rules and five banks, a policy without rules, a
    platform and key, a moderator; ``contents`` items, contents and vectors bulk-inserted with
    SQL; the project's nearest-neighbour index built."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from labeling.choices import Role
    from labeling.models import LabelClass, Project, ProjectMembership
    from labeling.selectors.embedders import project_embedder
    from models_app.services.neighbours import neighbour_index_build
    from moderation.models import Platform, Policy, PolicyCategory
    from moderation.services.grants import policy_grant
    from moderation.services.platforms import api_key_create
    from moderation.services.rule_admin import rule_create, text_bank_create

    call_command("migrate", verbosity=0)
    users = get_user_model()
    admin = users.objects.create_superuser("bench", "bench@example.org", "bench")
    moderator = users.objects.create_user("moderator", "mod@example.org", "bench")
    project = Project.objects.create(name="Scale moderation", embedder="minilm", retrain_every=0)
    for order, name in enumerate(["ok", "spam", "abuse"]):
        LabelClass.objects.create(project=project, name=name, hotkey=str(order + 1), order=order)
    ProjectMembership.objects.create(project=project, user=moderator, role=Role.MODERATOR)
    policy = Policy.objects.create(name="Scale rules", project=project, automation_level="assist")
    plain = Policy.objects.create(name="No rules", project=project, automation_level="assist")
    for target in (policy, plain):
        for name in ("spam", "abuse"):
            PolicyCategory.objects.create(
                policy=target, name=name, label_class=name, severity=2,
                remove_threshold=0.95, allow_threshold=0.05,
            )  # fmt: skip
    for name, terms in BANKS.items():
        text_bank_create(
            policy=policy, user=admin, name=name, terms=terms, patterns=BANK_PATTERNS.get(name, [])
        )
    actions = ["review", "escalate", "remove", "allow", "notify", "strike"]
    for index, condition in enumerate(rule_conditions(rules)):
        action = actions[index % len(actions)]
        rule_create(
            policy=policy, user=admin, name=f"rule {index}", condition=condition, action=action,
            strike_points=2 if action == "strike" else None, status="live",
        )  # fmt: skip
    platform = Platform.objects.create(name="Scale platform")
    for target in (policy, plain):
        policy_grant(policy=target, platform=platform, actor=admin)
    key = api_key_create(platform=platform, scopes=["intake"], created_by=admin).key

    texts = real_texts()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO moderation_author (platform_id, external_id, created_at)
            SELECT %s, 'author-' || n, now() FROM generate_series(1, %s) AS n
            """,
            [platform.pk, max(1, contents // 20)],
        )
        cursor.execute(
            """
            INSERT INTO labeling_item (project_id, external_id, text, metadata, content_hash,
                split, created_at, media_restricted, predicted_label, priority, is_audit,
                queue_annotations, queue_leases, queue_done)
            SELECT %s, 'mod:' || %s || ':c-' || n, (%s::text[])[1 + n %% %s],
                   jsonb_build_object('source', 'moderation'), md5(n::text) || md5(n::text),
                   'train', now(), false, '', 0, false, 0, 0, false
            FROM generate_series(1, %s) AS n
            """,
            [project.pk, platform.pk, texts, len(texts), contents],
        )
        cursor.execute(
            "SELECT MIN(id) FROM moderation_author WHERE platform_id = %s", [platform.pk]
        )
        first_author = cursor.fetchone()[0]
        # States: 60 % allowed, 25 % removed (a fifth of them automatically), 15 % pending;
        # created over the last 30 days; a model score and intake context per content.
        cursor.execute(
            """
            INSERT INTO moderation_content (platform_id, policy_id, external_id, author_id,
                item_id, context, state, tier, scores, model_score, decided_automatically,
                report_count, hash_match, priority, created_at, decided_at, parent_external_id)
            SELECT %(platform)s, %(policy)s, 'c-' || n, %(author)s + (n %% %(authors)s), i.id,
                   jsonb_build_object('account_age_days', n %% 400, 'language',
                       CASE WHEN n %% 9 = 0 THEN 'fr' ELSE 'en' END,
                       'surface', (ARRAY['post','comment','dm','profile'])[1 + n %% 4]),
                   CASE WHEN n %% 20 < 12 THEN 'allowed' WHEN n %% 20 < 17 THEN 'removed'
                        ELSE 'pending' END,
                   'standard',
                   jsonb_build_object('categories', jsonb_build_object(
                       'spam', ((n * 7919) %% 1000) / 1000.0,
                       'abuse', ((n * 104729) %% 1000) / 1000.0)),
                   ((n * 7919) %% 1000) / 1000.0,
                   n %% 20 BETWEEN 12 AND 12, n %% 4, false, 1.0,
                   now() - ((n %% 720) || ' hours')::interval,
                   CASE WHEN n %% 20 < 17 THEN now() - ((n %% 700) || ' hours')::interval END,
                   ''
            FROM labeling_item i
            CROSS JOIN LATERAL (SELECT substr(i.external_id, length(%(prefix)s) + 1)::bigint AS n) s
            WHERE i.project_id = %(project)s
            """,
            {
                "platform": platform.pk, "policy": policy.pk, "author": first_author,
                "authors": max(1, contents // 20), "project": project.pk,
                "prefix": f"mod:{platform.pk}:c-",
            },
        )  # fmt: skip
        cursor.execute("ANALYZE")
    insert_s = time.perf_counter() - started

    embedder = project_embedder(project=project).key
    started = time.perf_counter()
    _store_vectors(project, embedder, texts)
    with connection.cursor() as cursor:
        # Fresh statistics, as autovacuum would have them: without, the planner takes the
        # embedding table for empty and reads it whole for each query's recent vectors.
        cursor.execute("ANALYZE")
    vectors_s = time.perf_counter() - started
    info = neighbour_index_build(owner=project.owner_key, embedder=embedder)
    index_s = time.perf_counter() - started - vectors_s
    return {
        "key": key,
        "policy": policy,
        "plain_policy": plain,
        "project": project,
        "moderator": moderator,
        "embedder": embedder,
        "insert_s": insert_s,
        "vectors_s": vectors_s,
        "index_s": index_s,
        "index_generation": info.generation if info else None,
    }


def reuse(contents: int) -> dict[str, Any] | None:
    """The world an earlier run prepared in this database (same number of contents), with a
    new intake key; None when there is none."""
    from django.core.management import call_command
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('moderation_policy') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return None
    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    from labeling.selectors.embedders import project_embedder
    from models_app.services.neighbours import neighbour_index_build
    from moderation.models import Content, Platform, Policy
    from moderation.services.platforms import api_key_create

    policy = Policy.objects.filter(name="Scale rules").first()
    plain = Policy.objects.filter(name="No rules").first()
    platform = Platform.objects.filter(name="Scale platform").first()
    if policy is None or plain is None or platform is None:
        return None
    stored = Content.objects.filter(policy=policy, external_id__startswith="c-").count()
    if stored != contents:
        return None
    users = get_user_model()
    admin = users.objects.get(username="bench")
    key = api_key_create(platform=platform, scopes=["intake"], created_by=admin).key
    project = policy.project
    embedder = project_embedder(project=project).key
    started = time.perf_counter()
    # Returns at once when TANDEM_ANN_DIR holds the index of every stored vector.
    info = neighbour_index_build(owner=project.owner_key, embedder=embedder)
    return {
        "key": key,
        "policy": policy,
        "plain_policy": plain,
        "project": project,
        "moderator": users.objects.get(username="moderator"),
        "embedder": embedder,
        "insert_s": 0.0,
        "vectors_s": 0.0,
        "index_s": time.perf_counter() - started,
        "index_generation": info.generation if info else None,
        "reused": True,
    }


def _store_vectors(project, embedder: str, texts: list[str]) -> None:
    """Every item's vector, derived from the real texts' ``hashing`` vectors (the module's
    docstring), stored with binary COPY in chunks."""
    from django.db import connection
    from similar_items import derived_vectors

    from models_app.ml.embedders.registry import get_embedder
    from models_app.services.embeddings import embedding_store

    base = get_embedder("hashing").embed(texts).astype(np.float32)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM labeling_item WHERE project_id = %s ORDER BY id", [project.pk]
        )
        ids = np.fromiter((row[0] for row in cursor.fetchall()), dtype=np.int64)
    step = 100_000
    for start in range(0, len(ids), step):
        chunk = ids[start : start + step]
        vectors = derived_vectors(base, len(chunk), seed=start)
        embedding_store(
            owner=project.owner_key, embedder=embedder, object_ids=chunk, vectors=vectors
        )


# --- measurements ---------------------------------------------------------------------------


def _signals_rows(policy, count: int) -> list[tuple[str, Any]]:
    """``count`` stored contents' texts and their signals without banks (as a backtest reads
    them)."""
    from moderation.models import Content
    from moderation.ruleset.conditions import Signals
    from moderation.services.rule_engine import account_age_days, context_fields

    rows = []
    for text, scores, context, reports in (
        Content.objects.filter(policy=policy)
        .order_by("?")
        .values_list("item__text", "scores", "context", "report_count")[:count]
    ):
        rows.append(
            (
                text or "",
                Signals(
                    scores=(scores or {}).get("categories") or {},
                    reports=reports,
                    account_age_days=account_age_days(context),
                    metadata=context_fields(context),
                    text_length=len(text or ""),
                    language=context.get("language"),
                ),
            )
        )
    return rows


def measure_rules(world: dict[str, Any], samples: int = 2_000) -> dict[str, Any]:
    """All live rules per content: compiled (intake's path) against naive per-rule work."""
    from dataclasses import replace

    from moderation.models import Rule, TextBank
    from moderation.ruleset.banks import BankMatcher
    from moderation.ruleset.banks import TextBank as BankSpec
    from moderation.ruleset.conditions import parse
    from moderation.ruleset.normalise import views
    from moderation.services.rule_engine import compiled_policy, rules_evaluate

    policy = world["policy"]
    policy.refresh_from_db()
    rows = _signals_rows(policy, samples)
    compiled = compiled_policy(policy)
    compiled_ms, hits = [], 0
    for text, signals in rows:
        started = time.perf_counter()
        found = replace(signals, banks=compiled.banks.match(views(text)))
        outcome = rules_evaluate(policy=policy, signals=found)
        compiled_ms.append((time.perf_counter() - started) * 1000)
        hits += len(outcome.live)
    stored = list(Rule.objects.filter(policy=policy, status="live").order_by("position", "id"))
    per_bank = {
        bank.name: BankMatcher.build(
            [BankSpec(name=bank.name, terms=bank.terms, patterns=bank.patterns)]
        )
        for bank in TextBank.objects.filter(policy=policy)
    }
    naive_ms = []
    for text, signals in rows[: max(1, samples // 4)]:
        started = time.perf_counter()
        for rule in stored:
            condition = parse(rule.condition)
            banks = frozenset(name for name in condition.banks if per_bank[name].match(views(text)))
            condition.holds(replace(signals, banks=banks))
        naive_ms.append((time.perf_counter() - started) * 1000)
    return {
        "rules": len(compiled.rules),
        "contents": len(rows),
        "live_hits_per_content": hits / max(1, len(rows)),
        "rules_p50_ms": pct(compiled_ms, 50),
        "rules_p95_ms": pct(compiled_ms, 95),
        "baseline_naive_p95_ms": pct(naive_ms, 95),
    }


def measure_intake(world: dict[str, Any], requests: int = 300) -> dict[str, Any]:
    """Single intake p95, rules on (200 live) and off (a policy without rules)."""
    from django.test import Client

    texts = real_texts()
    run = time.strftime("%Y%m%d%H%M%S")  # a reused database keeps earlier runs' contents
    client = Client()
    header = {"HTTP_AUTHORIZATION": f"Bearer {world['key']}", "HTTP_HOST": "localhost"}
    figures: dict[str, list[float]] = {"on": [], "off": []}
    for index in range(requests * 2):
        which = "on" if index % 2 == 0 else "off"
        policy = world["policy"] if which == "on" else world["plain_policy"]
        body = {
            "policy": policy.pk,
            "external_id": f"intake-{run}-{index}",
            "author_id": f"author-{index % 50}",
            "text": texts[index % len(texts)],
            "context": {"account_age_days": index % 90, "surface": SURFACES[index % 4]},
        }
        started = time.perf_counter()
        response = client.post(
            "/api/v1/platform/intake/", json.dumps(body), content_type="application/json", **header
        )
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 201:
            raise SystemExit(f"intake answered {response.status_code}: {response.content[:300]!r}")
        if index >= 20:  # the first requests warm the caches (compiled rules, banks)
            figures[which].append(elapsed)
    return {
        "requests": len(figures["on"]),
        "intake_p50_ms": pct(figures["on"], 50),
        "intake_p95_ms": pct(figures["on"], 95),
        "baseline_no_rules_p95_ms": pct(figures["off"], 95),
    }


def measure_similar(world: dict[str, Any], queries: int = 200) -> dict[str, Any]:
    """The similar-content selector (index) against brute force over every vector."""
    from models_app.ml.ann import ExactIndex
    from models_app.services.embeddings import embedding_matrix
    from moderation.models import Content
    from moderation.selectors.contents import content_get_for_user
    from moderation.selectors.similar import content_similar_list

    moderator = world["moderator"]
    rng = random.Random(11)
    last = (
        Content.objects.filter(policy=world["policy"])
        .order_by("-id")
        .values_list("id", flat=True)[0]
    )
    first = (
        Content.objects.filter(policy=world["policy"])
        .order_by("id")
        .values_list("id", flat=True)[0]
    )
    wanted = [rng.randint(first, last) for _ in range(queries + 5)]
    index_ms, found = [], 0
    for position, content_id in enumerate(wanted):
        started = time.perf_counter()
        content = content_get_for_user(content_id=content_id, user=moderator, roles={"moderator"})
        result = content_similar_list(content=content, user=moderator, limit=10)
        if position >= 5:  # the first queries open the index
            index_ms.append((time.perf_counter() - started) * 1000)
            found += len(result.contents)
    project = world["project"]
    ids, matrix = embedding_matrix(owner=project.owner_key, embedder=world["embedder"])
    exact = ExactIndex(ids, matrix)
    brute_ms = []
    for row in rng.sample(range(len(ids)), min(50, len(ids))):
        started = time.perf_counter()
        exact.query(matrix[row], 10, exclude=[int(ids[row])])
        brute_ms.append((time.perf_counter() - started) * 1000)
    del matrix
    return {
        "queries": queries,
        "results_per_query": found / max(1, queries),
        "similar_p50_ms": pct(index_ms, 50),
        "similar_p95_ms": pct(index_ms, 95),
        "baseline_brute_force_p95_ms": pct(brute_ms, 95),
    }


def measure_backtest(world: dict[str, Any]) -> dict[str, Any]:
    """A backtest of one rule over every stored content, in this process (the task's body),
    against the same backtest reading every signal of every content (as it did before it
    read only what the condition reads); and, as the costliest case, of a condition that is
    one bank alone (every text is normalised and screened). The tables are read once first,
    so no run pays for a cold cache; the process is prepared as a worker is when it starts
    (``config.celery.worker_process_prepare``), and left as it was afterwards."""
    import gc
    from contextlib import nullcontext
    from unittest import mock

    from django.db import connection
    from django.utils import timezone

    from moderation.models import Rule
    from moderation.services import backtests
    from moderation.services.backtests import backtest_request, backtest_run

    policy = world["policy"]
    rule = Rule.objects.filter(policy=policy).order_by("id").first()
    if not _accepts_rule(backtest_request):
        return {"backtest_per_s": None, "note": "backtest_request's signature changed"}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), sum(length(c.scores::text) + length(c.context::text)"
            " + length(i.text)) FROM moderation_content c JOIN labeling_item i"
            " ON i.id = c.item_id WHERE c.policy_id = %s",
            [policy.pk],
        )
    every = getattr(backtests, "EVERY_SIGNAL", None)
    try:
        from config.celery import worker_process_prepare
    except ImportError:
        worker_process_prepare = None
    if worker_process_prepare is not None:
        worker_process_prepare()
    now = timezone.now()
    figures: dict[str, Any] = {}
    cases = (
        ("", rule, rule.condition, False),
        ("baseline_every_signal_", rule, rule.condition, True),
        ("bank_only_", None, {"signal": "bank", "bank": "drugs"}, False),
    )
    for prefix, tested, condition, read_everything in cases:
        if read_everything and every is None:
            continue
        backtest = backtest_request(
            policy=policy, user=world["moderator"], rule=tested, condition=condition,
            period_start=now - timedelta(days=31), period_end=now + timedelta(minutes=1),
        )  # fmt: skip
        patched = (
            mock.patch.object(backtests, "_Reads", return_value=backtests._Reads(every))
            if read_everything
            else nullcontext()
        )
        with patched:
            started = time.perf_counter()
            done = backtest_run(backtest_id=backtest.pk)
            seconds = time.perf_counter() - started
        results = (done.results or {}) if done else {}
        contents = results.get("contents", 0)
        figures.update(
            {
                f"{prefix}contents": contents,
                f"{prefix}hits": results.get("hits"),
                f"{prefix}precision": results.get("precision"),
                f"{prefix}overlap_total": sum(row["both"] for row in results.get("overlap", [])),
                f"{prefix}seconds": seconds,
                f"{prefix}backtest_per_s": contents / seconds if seconds else None,
                f"{prefix}state": done.state if done else None,
            }
        )
    gc.unfreeze()
    return figures


def _accepts_rule(function) -> bool:
    import inspect

    parameters = inspect.signature(function).parameters
    return {"policy", "rule", "condition", "period_start", "period_end"} <= set(parameters)


def _search_words_store() -> float:
    """The full-text words of the contents inserted with SQL (intake writes them itself), in
    batches; returns the seconds it took."""
    from django.db import connection

    from moderation.models import Content
    from moderation.services.search_index import content_search_index

    started = time.perf_counter()
    ids = list(Content.objects.filter(search_document__isnull=True).values_list("pk", flat=True))
    for first in range(0, len(ids), 50_000):
        content_search_index(content_ids=ids[first : first + 50_000])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE moderation_content")
    return time.perf_counter() - started


def measure_search(world: dict[str, Any], queries: int = 100) -> dict[str, Any]:
    """Full-text search p95 through ``moderation.selectors.search.content_search`` (first
    page of results and the capped total, as the Search page asks)."""
    from moderation.selectors.search import content_search

    index_s = _search_words_store()
    words = ["free", "call", "prize", "love you", "tomorrow", "trash", "winner", "text me"]
    timings = []
    for index in range(queries):
        started = time.perf_counter()
        content_search(user=world["moderator"], query=words[index % len(words)])
        timings.append((time.perf_counter() - started) * 1000)
    return {
        "queries": queries,
        "search_index_s": index_s,
        "search_p50_ms": pct(timings, 50),
        "search_p95_ms": pct(timings, 95),
    }


def measure_bulk_action(world: dict[str, Any], size: int = 1_000) -> dict[str, Any]:
    """A bulk removal of ``size`` pending contents end to end: the request (checks, the
    contents fixed) and the job run in this process (every content decided, labelled, its
    webhook queued and audited)."""
    from django.contrib.auth import get_user_model

    from moderation.models import ReasonCode
    from moderation.selectors.search import SearchFilters, content_search_queryset
    from moderation.services.bulk_actions import bulk_action_request, bulk_action_run

    admin = get_user_model().objects.get(username="bench")
    policy = world["policy"]
    code = ReasonCode.objects.filter(policy=policy, action="remove").first()
    if code is None:  # a bulk removal cites a reason code of every policy it covers
        code = ReasonCode.objects.create(
            policy=policy, code="BULK-1", description="Bulk removal", action="remove"
        )
    filters = SearchFilters(policy_id=policy.pk, state="pending")
    ids = list(
        content_search_queryset(user=admin, query="", filters=filters).values_list("pk", flat=True)[
            :size
        ]
    )
    started = time.perf_counter()
    bulk = bulk_action_request(
        user=admin, kind="remove", expected_count=len(ids), content_ids=ids,
        reason_code=code.code,
    )  # fmt: skip
    bulk = bulk_action_run(bulk_action_id=bulk.pk)
    seconds = time.perf_counter() - started
    return {
        "bulk_action_s": seconds,
        "bulk_contents": len(ids),
        "bulk_done": bulk.done_count if bulk else None,
        "bulk_failed": bulk.failed_count if bulk else None,
    }


# --- output ---------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contents", type=int, default=1_000_000)
    parser.add_argument("--rules", type=int, default=200)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--vectors", choices=["synthetic"], default="synthetic")
    parser.add_argument("--out", type=Path, default=RESULTS / "moderation_scale.json")
    parser.add_argument(
        "--reuse", action="store_true", help="measure the world an earlier run left (see above)"
    )
    parser.add_argument(
        "--only",
        default=",".join(PHASES),
        help=f"comma-separated phases to measure (default: all of {', '.join(PHASES)})",
    )
    args = parser.parse_args()
    only = [name.strip() for name in args.only.split(",") if name.strip()]
    if not only or set(only) - set(PHASES):
        parser.error(f"--only takes phases among {', '.join(PHASES)}")

    url = os.environ.get("DATABASE_URL", DEFAULT_DB)
    if not url.startswith("postgres"):
        sys.exit("This benchmark needs PostgreSQL (DATABASE_URL=postgres://...).")
    os.environ["DATABASE_URL"] = url
    if not args.reuse:
        ensure_database(url)
    os.environ.setdefault("TANDEM_ANN_DIR", tempfile.mkdtemp(prefix="tandem-ann-"))
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "0")
    setup_django()
    from django.conf import settings

    settings.TANDEM_ANN_DIR = os.environ["TANDEM_ANN_DIR"]

    started = time.perf_counter()
    world = reuse(args.contents) if args.reuse else None
    if world is None:
        if args.reuse:
            print("nothing to reuse: preparing afresh", flush=True)
            from django.db import connection

            connection.close()
            ensure_database(url)
        world = prepare(args.contents, args.rules)
    print(
        f"{'reused' if world.get('reused') else 'prepared'} {args.contents:,} contents, "
        f"{args.rules} live rules in "
        f"{time.perf_counter() - started:.0f} s (SQL inserts {world['insert_s']:.0f} s, "
        f"vectors {world['vectors_s']:.0f} s, index {world['index_s']:.0f} s)",
        flush=True,
    )
    results: dict[str, Any] = {name: {} for name in PHASES}
    measures = {
        "rules": lambda: measure_rules(world),
        "similar": lambda: measure_similar(world, args.queries),
        "search": lambda: measure_search(world),
        "backtest": lambda: measure_backtest(world),
        "intake": lambda: measure_intake(world),
        "bulk_action": lambda: measure_bulk_action(world),
    }
    for name in PHASES:
        if name not in only:
            continue
        phase = time.perf_counter()
        results[name] = measures[name]()
        print(f"  {name}: {time.perf_counter() - phase:.0f} s", flush=True)

    summary = {
        "rules_p95_ms": results["rules"].get("rules_p95_ms"),
        "intake_p95_ms": results["intake"].get("intake_p95_ms"),
        "search_p95_ms": results["search"].get("search_p95_ms"),
        "similar_p95_ms": results["similar"].get("similar_p95_ms"),
        "backtest_per_s": results["backtest"].get("backtest_per_s"),
        "bulk_action_s": results["bulk_action"].get("bulk_action_s"),
    }
    baselines = {
        "rules_p95_ms": ("naive per-rule", results["rules"].get("baseline_naive_p95_ms")),
        "intake_p95_ms": ("no rules", results["intake"].get("baseline_no_rules_p95_ms")),
        "similar_p95_ms": ("brute force", results["similar"].get("baseline_brute_force_p95_ms")),
        "backtest_per_s": (
            "every signal read",
            results["backtest"].get("baseline_every_signal_backtest_per_s"),
        ),
    }
    print()
    print(f"Moderation at {args.contents:,} contents, {args.rules} live rules")
    print(f"{'figure':<18}{'measured':>12}{'target':>12}{'baseline':>28}")
    for key, value in summary.items():
        target = TARGETS.get(key)
        shown = "n/a" if value is None else f"{value:,.2f}"
        goal = f"{target[0]} {target[1]:,.0f}" if target else ""
        base = baselines.get(key)
        base_text = f"{base[0]} {base[1]:,.2f}" if base and base[1] is not None else ""
        print(f"{key:<18}{shown:>12}{goal:>12}{base_text:>28}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "contents": args.contents,
                "rules": args.rules,
                "vectors": args.vectors,
                **summary,
                "baselines": {key: value for key, (_, value) in baselines.items()},
                "setup": {k: world[k] for k in ("insert_s", "vectors_s", "index_s")},
                "details": results,
            },
            indent=2,
            default=str,
        )
    )
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
