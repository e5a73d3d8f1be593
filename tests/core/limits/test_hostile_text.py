"""Hostile text in every text field that reaches the database, on every write endpoint, every
filter of every list and every string in a URL: NUL characters, lone surrogates, right-to-left
overrides and one-million-character strings.

Each endpoint has a working request (``BASELINES``: checked to succeed as sent); each string in
it, and every string field the OpenAPI schema lists for it, is replaced in turn by each hostile
value. Then:

- never a server error (no 5xx, no PostgreSQL error);
- a refused request (4xx, or an item rejected in a batch) stored and changed nothing;
- NUL and lone surrogates are refused, naming the field;
- an RTL override, when accepted, is stored exactly as sent (never silently altered);
- a 1,000,000-character value is refused unless the field may hold it (intake text, whose
  limit is TANDEM_TEXT_MAX_CHARS), and stored whole when accepted.

Each variant runs in a savepoint that is rolled back, so every one meets the same world. Run it
on PostgreSQL (DATABASE_URL): SQLite would store NUL without complaint.
"""

from __future__ import annotations

import base64
import copy
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from tests.core.limits.helpers import (
    Operation,
    api_operations,
    db_contains,
    db_fingerprint,
    resolve_ref,
)
from tests.core.limits.world import PASSWORD, World, build_world

pytestmark = pytest.mark.django_db

HUGE = 1_000_000
KINDS = ("nul", "surrogate", "rtl", "huge")


def hostile(kind: str, base: str) -> str:
    if kind == "nul":
        return f"{base}\x00tail"
    if kind == "surrogate":
        return f"{base}\ud800tail"
    if kind == "rtl":
        return f"{base}\u202egnp.exe"
    return "x" * HUGE


# Fields that may hold a million characters (intake text: TANDEM_TEXT_MAX_CHARS).
LONG_FIELDS = {
    ("POST /api/v1/platform/intake/", "text"),
    ("POST /api/v1/platform/intake/batch/", "text"),
}
# Operations that answer with what they were sent, rendered, and store nothing.
STORES_NOTHING = {"POST /api/v1/projects/{project_id}/guidelines/preview/"}
# Fields whose accepted value must be found, exactly, in the database.
STORED = {
    "name",
    "description",
    "guidelines",
    "note",
    "reason",
    "statement",
    "text",
    "author_id",
    "external_id",
    "reporter_id",
    "rules",
    "secret",
    "url",
    "audience",
    "language",
    "colour",
    "surface",
}


def png_b64() -> str:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 200, 90)).save(out, format="PNG")
    return base64.b64encode(out.getvalue()).decode()


def png_file(name: str = "bad.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 90)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


@dataclass
class Case:
    """A request an endpoint accepts, to be spoiled one field at a time."""

    body: dict[str, Any] | None = None  # JSON
    form: dict[str, Any] | None = None  # multipart (values: str or a file factory)
    query: dict[str, str] = field(default_factory=dict)
    # Runs before the request (in the variant's savepoint): returns path values to use.
    setup: Callable[[World, APIClient], dict[str, Any]] | None = None


def claim_labeling_item(world: World, client: APIClient) -> dict[str, Any]:
    response = client.post(f"/api/v1/projects/{world.project.pk}/queue/next/", format="json")
    assert response.status_code == 200, response.content
    return {"item_id": response.json()["assignment"]["item"]["id"]}


def claim_content(world: World, client: APIClient) -> dict[str, Any]:
    response = client.post("/api/v1/moderation/queue/next/", {}, format="json")
    assert response.status_code == 200, response.content
    return {"content_id": world.pending.pk}


def intake_entry(world: World) -> dict[str, Any]:
    return {
        "policy": world.policy.pk,
        "external_id": "new-post-1",
        "author_id": "author-42",
        "text": "Meet me at the station at six",
        "image": png_b64(),
        "parent_id": "post-pending",
        "context": {
            "author_display_name": "Ana from the station",
            "url": "https://chat.example/p/1",
            "language": "en",
            "audience": "public",
            "surface": "comment",
        },
    }


def category(label: str = "spam") -> dict[str, Any]:
    return {
        "name": label,
        "label_class": label,
        "severity": 3,
        "remove_threshold": 0.9,
        "allow_threshold": 0.1,
        "sla_hours": 12,
        "rules": ["free prize"],
    }


def reason_code() -> dict[str, Any]:
    return {
        "code": "SPAM-2",
        "description": "Bulk advertising",
        "action": "remove",
        "category": "spam",
    }


def label_classes() -> list[dict[str, Any]]:
    return [
        {"name": "ham", "colour": "#22aa55", "hotkey": "1", "description": "Ordinary mail."},
        {"name": "spam", "colour": "#aa2222", "hotkey": "2", "description": "Bulk advertising."},
    ]


def baselines(world: World) -> dict[str, Case]:
    invitation = world.invitation()
    return {
        "POST /api/v1/auth/invitations/accept/": Case(
            body={**invitation, "password": "a-Long-enough-passw0rd"}
        ),
        "POST /api/v1/auth/login/": Case(body={"username": "root", "password": PASSWORD}),
        "POST /api/v1/auth/token/": Case(body={"username": "root", "password": PASSWORD}),
        "POST /api/v1/moderation/appeals/{appeal_id}/decide/": Case(
            body={"outcome": "uphold", "note": "Checked again: it stays removed."}
        ),
        "POST /api/v1/moderation/contents/{content_id}/decide/": Case(
            body={
                "action": "remove",
                "reason_code": "SPAM-1",
                "note": "Advertising.",
                "author_action": "warn",
            },
            setup=claim_content,
        ),
        "POST /api/v1/moderation/contents/{content_id}/reveal/": Case(body={"kind": "text"}),
        "POST /api/v1/moderation/platforms/": Case(body={"name": "Forum"}),
        "POST /api/v1/moderation/platforms/{platform_id}/keys/": Case(
            body={"name": "Backend", "scopes": ["intake"]}
        ),
        "POST /api/v1/moderation/platforms/{platform_id}/webhooks/": Case(
            body={"url": "http://127.0.0.1:9/decisions", "secret": "w" * 32}
        ),
        "POST /api/v1/moderation/policies/": Case(
            body={
                "name": "Forum rules",
                "description": "What the forum allows.",
                "project": world.spare_project.pk,
                "automation_level": "assist",
                "strike_thresholds": [{"points": 3, "action": "warn"}],
                "categories": [category()],
                "reason_codes": [reason_code()],
            }
        ),
        "PATCH /api/v1/moderation/policies/{policy_id}/": Case(
            body={
                "name": "Messaging rules",
                "description": "Updated wording.",
                "automation_level": "human_only",
                "strike_thresholds": [{"points": 3, "action": "warn"}],
                "categories": [category()],
                # Codes decisions cite stay: SPAM-1 and the approve / escalate ones.
                "reason_codes": [
                    {**reason_code(), "code": "SPAM-1"},
                    {"code": "OK-1", "description": "Within the rules", "action": "approve"},
                    {"code": "ESC-1", "description": "Needs a senior", "action": "escalate"},
                ],
            }
        ),
        "POST /api/v1/moderation/policies/{policy_id}/hashes/": Case(
            body={
                "entries": [{"kind": "sha256", "value": "ab" * 32, "category": "spam"}],
                "category": "spam",
                "note": "Known spam images",
            }
        ),
        "POST /api/v1/moderation/policies/{policy_id}/hashes/ (files)": Case(
            form={"category": "spam", "note": "Known spam images", "files": png_file}
        ),
        "PATCH /api/v1/moderation/wellness/defaults/": Case(
            body={"blur": "strong", "grayscale": True}
        ),
        "PATCH /api/v1/moderation/wellness/me/": Case(body={"blur": "none", "sepia": True}),
        "POST /api/v1/moderation/wellness/breaks/": Case(
            body={"action": "dismissed", "graphic_seconds": 600}
        ),
        "POST /api/v1/moderation/queue/next/": Case(body={"tier": "standard"}),
        "POST /api/v1/moderation/policies/{policy_id}/gold-items/": Case(
            body={"content": world.decided.pk, "expected_action": "remove", "note": "Textbook"}
        ),
        "POST /api/v1/moderation/policies/{policy_id}/rules/": Case(
            body={
                "name": "Scam from new accounts",
                "description": "New accounts posting scam phrases.",
                "condition": {"signal": "bank", "bank": "world bank"},
                "action": "review",
                "category": "spam",
                "status": "draft",
                "expires_at": "2099-01-01T00:00:00Z",
            }
        ),
        "POST /api/v1/moderation/policies/{policy_id}/backtests/": Case(
            body={
                "rule": world.rule.pk,
                # The world's content was stored just now.
                "period_start": (timezone.now() - timedelta(days=7)).isoformat(),
                "period_end": (timezone.now() + timedelta(days=1)).isoformat(),
            }
        ),
        "PATCH /api/v1/moderation/rules/{rule_id}/": Case(
            body={
                "name": "Renamed rule",
                "description": "Looks at the bank.",
                "action": "review",
                "category": "spam",
                "status": "draft",
                "expires_at": "2099-01-01T00:00:00Z",
            }
        ),
        "POST /api/v1/moderation/policies/{policy_id}/text-banks/": Case(
            body={
                "name": "Scam phrases",
                "description": "Phrases of advance-fee scams.",
                "terms": ["free money"],
                "patterns": ["wire\\s+transfer"],
            }
        ),
        "PATCH /api/v1/moderation/text-banks/{bank_id}/": Case(
            body={
                "name": "world bank",
                "description": "Terms a rule reads.",
                "terms": ["gift card"],
                "patterns": ["wire\\s+transfer"],
            }
        ),
        "POST /api/v1/moderation/bulk-actions/": Case(
            body={
                "kind": "remove",
                "reason_code": "SPAM-1",
                "note": "Advertising sweep.",
                "content_ids": [world.pending.pk],
                "filters": {
                    "q": "prize",
                    "reporter": "user-9",
                    "state": "pending",
                    "decision": "none",
                    "created_from": "2020-01-01T00:00:00Z",
                    "created_to": "2099-01-01T00:00:00Z",
                },
                "expected_count": 1,
            }
        ),
        "POST /api/v1/platform/appeals/": Case(
            body={"external_id": "post-decided", "statement": "It was a real prize draw."}
        ),
        "POST /api/v1/platform/intake/": Case(body=intake_entry(world)),
        "POST /api/v1/platform/intake/batch/": Case(body={"items": [intake_entry(world)]}),
        "POST /api/v1/platform/reports/": Case(
            body={"external_id": "post-pending", "reporter_id": "user-9", "reason": "Spam"}
        ),
        "POST /api/v1/projects/": Case(
            body={
                "name": "Support tickets",
                "description": "Tickets to triage.",
                "guidelines": "Label **spam** when it sells something.",
                "label_classes": label_classes(),
                "data_type": "text",
                "task_type": "binary",
                "sampling_strategy": "uncertainty",
                "embedder": "hashing",
            }
        ),
        "PATCH /api/v1/projects/{project_id}/": Case(
            body={
                "name": "Messages (2)",
                "description": "Renamed.",
                "guidelines": "Read the whole message.",
                "label_classes": label_classes(),
                "sampling_strategy": "margin",
                "embedder": "hashing",
            }
        ),
        "POST /api/v1/projects/{project_id}/adjudication/{item_id}/": Case(
            body={"labels": ["spam"], "note": "Sells a prize draw."}
        ),
        "POST /api/v1/projects/{project_id}/guidelines/preview/": Case(
            body={"guidelines": "Read the **whole** message."}
        ),
        "PATCH /api/v1/projects/{project_id}/annotations/{annotation_id}/": Case(
            body={"labels": ["spam"]}
        ),
        "POST /api/v1/projects/{project_id}/imports/": Case(
            form={
                "file": lambda: SimpleUploadedFile(
                    "messages.csv", b"id,text,label\nm-1,See you at six,ham\n"
                ),
                "format": "csv",
                "text_column": "text",
                "label_column": "label",
                "id_column": "id",
                "delimiter": ",",
            }
        ),
        "POST /api/v1/projects/{project_id}/items/{item_id}/annotations/": Case(
            body={"labels": ["ham"], "client_key": "direct-1"}
        ),
        "POST /api/v1/projects/{project_id}/items/{item_id}/flags/": Case(
            body={"reason": "Unclear wording"}
        ),
        "POST /api/v1/projects/{project_id}/members/": Case(
            body={"username": "invited", "role": "annotator"}
        ),
        "PATCH /api/v1/projects/{project_id}/members/{member_id}/": Case(
            body={"role": "moderator"}
        ),
        "POST /api/v1/projects/{project_id}/model-versions/{version_id}/stage/": Case(
            body={"stage": "shadow"}
        ),
        "POST /api/v1/projects/{project_id}/model-versions/rollback/": Case(
            body={"reason": "Worse on new data"}
        ),
        "POST /api/v1/projects/{project_id}/queue/items/{item_id}/skip/": Case(
            body={"reason": "Not sure"}, setup=claim_labeling_item
        ),
        "POST /api/v1/projects/{project_id}/queue/items/{item_id}/submit/": Case(
            body={
                "labels": ["ham"],
                "client_key": "key-1",
                "time_on_item_ms": 900,
                "client": "web",
            },
            setup=claim_labeling_item,
        ),
        "POST /api/v1/projects/{project_id}/snapshots/": Case(
            body={
                "name": "Before the policy change",
                "filters": {"sources": ["human", "import"], "classes": ["ham"]},
            }
        ),
        "POST /api/v1/projects/{project_id}/snapshots/preview/": Case(
            body={
                "filters": {
                    "sources": ["human"],
                    "splits": ["train"],
                    "classes": ["ham"],
                    "metadata": {"lang": ["en"]},
                }
            }
        ),
        "POST /api/v1/projects/{project_id}/snapshots/{number}/exports/": Case(
            body={"format": "parquet"}
        ),
        "POST /api/v1/projects/{project_id}/training-jobs/": Case(body={"kind": "train"}),
        "PUT /api/v1/projects/{project_id}/evaluation-settings/": Case(
            body={"slice_fields": ["text_length"]}
        ),
        "POST /api/v1/users/": Case(
            body={
                "username": "newbie",
                "email": "newbie@example.org",
                "password": "a-Long-enough-passw0rd",
                "is_staff": False,
            }
        ),
    }


# --- the API's operations ---------------------------------------------------------------------

OPERATIONS = {op.key: op for op in api_operations()}


def schema_string_fields(schema: dict[str, Any], path: tuple = ()) -> list[tuple]:
    """Paths of the string fields of a request schema (arrays at index 0)."""
    schema = resolve_ref(schema)
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return [p for option in schema[key] for p in schema_string_fields(option, path)]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return [
            p
            for name, child in schema.get("properties", {}).items()
            if not resolve_ref(child).get("readOnly")
            for p in schema_string_fields(child, (*path, name))
        ]
    if kind == "array":
        return schema_string_fields(schema.get("items", {}), (*path, 0))
    if kind == "string" and schema.get("format") != "binary":
        return [path]
    if "enum" in schema:
        return [path]
    return []


def string_leaves(value: Any, path: tuple = ()) -> list[tuple]:
    if isinstance(value, str):
        return [path]
    if isinstance(value, dict):
        return [p for key, child in value.items() for p in string_leaves(child, (*path, key))]
    if isinstance(value, list):
        return [p for n, child in enumerate(value) for p in string_leaves(child, (*path, n))]
    return []


def get_at(value: Any, path: tuple) -> Any:
    for key in path:
        value = value[key]
    return value


def set_at(value: Any, path: tuple, new: Any) -> None:
    for key in path[:-1]:
        value = value[key]
    value[path[-1]] = new


def operation_of(key: str) -> Operation:
    return OPERATIONS[key.split(" (")[0]]


def write_cases() -> list[str]:
    return sorted(
        f"{op.method.upper()} {op.path}"
        for op in OPERATIONS.values()
        if op.method in {"post", "put", "patch"} and schema_string_fields_of(op)
    )


def schema_string_fields_of(op: Operation) -> list[tuple]:
    for content_type in ("application/json", "multipart/form-data"):
        schema = op.request_schema(content_type)
        if schema is not None:
            return schema_string_fields(schema)
    return []


# --- sending ---------------------------------------------------------------------------------


def client_for(world: World, path: str) -> APIClient:
    client = APIClient(raise_request_exception=False)
    if path.startswith("/api/v1/platform/"):
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {world.platform_key}")
    else:
        client.force_login(world.root)
    return client


def send(client: APIClient, op: Operation, url: str, body=None, form=None, query=None):
    query_string = "&".join(
        f"{quote(k)}={quote(v, errors='surrogatepass')}" for k, v in (query or {}).items()
    )
    if query_string:
        url = f"{url}?{query_string}"
    if form is not None:
        data = {key: value() if callable(value) else value for key, value in form.items()}
        return client.generic(op.method.upper(), url, **_multipart(data))
    if body is not None:
        # ensure_ascii: a lone surrogate travels as the escape "\ud800", as a client sends it.
        payload = json.dumps(body, ensure_ascii=True).encode()
        return client.generic(op.method.upper(), url, payload, content_type="application/json")
    return client.generic(op.method.upper(), url)


def _multipart(data: dict[str, Any]) -> dict[str, Any]:
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    encoded = {}
    for key, value in data.items():
        encoded[key] = (
            value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
            if isinstance(value, str)
            else value
        )
    return {"data": encode_multipart(BOUNDARY, encoded), "content_type": MULTIPART_CONTENT}


class _Rollback(Exception):
    pass


@dataclass
class Outcome:
    status: int
    body: Any
    changed: bool


def try_variant(world, op_key, case, *, where, path, kind, value, spoiled) -> list[str]:
    """Send one spoiled request and judge it inside a savepoint that is then rolled back (so
    accepted rows can be looked for, and the next variant meets the same world)."""
    op = operation_of(op_key)
    cache.clear()  # rate limits and throttles count per variant
    found: list[str] = []
    try:
        with transaction.atomic():
            client = client_for(world, op.path)
            values = dict(world.path_values())
            if case.setup:
                values.update(case.setup(world, client))
            kwargs: dict[str, Any] = {}
            if where == "body":
                kwargs = {"body": spoiled} if case.body is not None else {"form": spoiled}
            elif where == "filename":
                kwargs = {"form": spoiled}
            elif where == "query":
                kwargs = {"query": spoiled}
            else:
                values.update(
                    {k: quote(v, safe="", errors="surrogatepass") for k, v in spoiled.items()}
                )
            before = db_fingerprint()
            response = send(client, op, op.url(values), **kwargs)
            try:
                answer = response.json()
            except (ValueError, TypeError):
                answer = None
            outcome = Outcome(response.status_code, answer, db_fingerprint() != before)
            found = judge(op_key, where, path, kind, value, outcome)
            raise _Rollback
    except _Rollback:
        pass
    return found


# --- judging ---------------------------------------------------------------------------------


def refused(outcome: Outcome) -> bool:
    if 400 <= outcome.status < 500:
        return True
    body = outcome.body
    return isinstance(body, dict) and body.get("rejected", 0) > 0 and not body.get("accepted")


def judge(op_key, where, name_path, kind, value, outcome: Outcome) -> list[str]:
    label = f"{op_key} {where} {'.'.join(map(str, name_path))} [{kind}]"
    leaf = next((str(p) for p in reversed(name_path) if isinstance(p, str)), "")
    if outcome.status >= 500:
        return [f"{label}: server error {outcome.status}: {str(outcome.body)[:200]}"]
    if where == "filename":
        return filename_problems(label, outcome)
    problems = []
    if refused(outcome):
        if outcome.changed:
            problems.append(f"{label}: refused ({outcome.status}) but the database changed")
        if kind in {"nul", "surrogate"} and where != "path":
            said = json.dumps(outcome.body, ensure_ascii=False)
            if not any(part in said for part in name_path if isinstance(part, str)):
                problems.append(f"{label}: refused without naming the field: {said[:200]}")
        return problems
    if kind in {"nul", "surrogate"}:
        return [f"{label}: accepted ({outcome.status})"]
    if kind == "huge":
        if (op_key, leaf) not in LONG_FIELDS:
            return [f"{label}: a {HUGE:,}-character value was accepted ({outcome.status})"]
        if not db_contains(value):
            return [f"{label}: accepted but not stored whole"]
    if kind == "rtl" and where == "body":
        stored = db_contains(value)
        if leaf in STORED and op_key not in STORES_NOTHING and not stored:
            problems.append(f"{label}: accepted but not stored as sent")
        if op_key in STORES_NOTHING and outcome.changed:
            problems.append(f"{label}: stored something")
        if not stored and db_contains(value.replace("\u202e", "")):
            problems.append(f"{label}: stored with the override removed")
    return problems


def filename_problems(label: str, outcome: Outcome) -> list[str]:
    if refused(outcome):
        return [f"{label}: refused but the database changed"] if outcome.changed else []
    from labeling.models import ImportJob

    names = list(ImportJob.objects.values_list("original_name", flat=True))
    bad = [n for n in names if not n.isprintable() or len(n) > 255]
    return [f"{label}: stored a file name as sent: {n[:80]!r}" for n in bad]


def body_problems(world: World, op_key: str, case: Case) -> list[str]:
    original = case.body if case.body is not None else case.form
    problems: list[str] = []
    for path in string_leaves(original):
        base = get_at(original, path)
        for kind in KINDS:
            if case.form is not None and kind == "surrogate":
                continue  # a lone surrogate cannot be written in a UTF-8 form
            value = hostile(kind, base)
            spoiled = copy.deepcopy(original)
            set_at(spoiled, path, value)
            problems += try_variant(
                world, op_key, case, where="body", path=path, kind=kind, value=value,
                spoiled=spoiled,
            )  # fmt: skip
    return problems


# --- the tests -------------------------------------------------------------------------------


@pytest.fixture
def world(settings):
    # Webhook endpoints to 127.0.0.1 resolve locally: no variant ever asks a name server.
    settings.TANDEM_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    return build_world()


BASELINE_KEYS = [
    "POST /api/v1/auth/invitations/accept/",
    "POST /api/v1/auth/login/",
    "POST /api/v1/auth/token/",
    "POST /api/v1/moderation/appeals/{appeal_id}/decide/",
    "POST /api/v1/moderation/contents/{content_id}/decide/",
    "POST /api/v1/moderation/contents/{content_id}/reveal/",
    "POST /api/v1/moderation/platforms/",
    "POST /api/v1/moderation/platforms/{platform_id}/keys/",
    "POST /api/v1/moderation/platforms/{platform_id}/webhooks/",
    "POST /api/v1/moderation/policies/",
    "PATCH /api/v1/moderation/policies/{policy_id}/",
    "POST /api/v1/moderation/policies/{policy_id}/hashes/",
    "POST /api/v1/moderation/policies/{policy_id}/hashes/ (files)",
    "POST /api/v1/moderation/queue/next/",
    "POST /api/v1/moderation/policies/{policy_id}/gold-items/",
    "POST /api/v1/moderation/policies/{policy_id}/rules/",
    "PATCH /api/v1/moderation/rules/{rule_id}/",
    "POST /api/v1/moderation/policies/{policy_id}/backtests/",
    "POST /api/v1/moderation/policies/{policy_id}/text-banks/",
    "PATCH /api/v1/moderation/text-banks/{bank_id}/",
    "POST /api/v1/moderation/bulk-actions/",
    "PATCH /api/v1/moderation/wellness/defaults/",
    "PATCH /api/v1/moderation/wellness/me/",
    "POST /api/v1/moderation/wellness/breaks/",
    "POST /api/v1/platform/appeals/",
    "POST /api/v1/platform/intake/",
    "POST /api/v1/platform/intake/batch/",
    "POST /api/v1/platform/reports/",
    "POST /api/v1/projects/",
    "PATCH /api/v1/projects/{project_id}/",
    "POST /api/v1/projects/{project_id}/adjudication/{item_id}/",
    "POST /api/v1/projects/{project_id}/guidelines/preview/",
    "PATCH /api/v1/projects/{project_id}/annotations/{annotation_id}/",
    "POST /api/v1/projects/{project_id}/imports/",
    "POST /api/v1/projects/{project_id}/items/{item_id}/annotations/",
    "POST /api/v1/projects/{project_id}/items/{item_id}/flags/",
    "POST /api/v1/projects/{project_id}/members/",
    "PATCH /api/v1/projects/{project_id}/members/{member_id}/",
    "POST /api/v1/projects/{project_id}/model-versions/{version_id}/stage/",
    "POST /api/v1/projects/{project_id}/model-versions/rollback/",
    "POST /api/v1/projects/{project_id}/queue/items/{item_id}/skip/",
    "POST /api/v1/projects/{project_id}/queue/items/{item_id}/submit/",
    "POST /api/v1/projects/{project_id}/snapshots/",
    "POST /api/v1/projects/{project_id}/snapshots/preview/",
    "POST /api/v1/projects/{project_id}/snapshots/{number}/exports/",
    "POST /api/v1/projects/{project_id}/training-jobs/",
    "PUT /api/v1/projects/{project_id}/evaluation-settings/",
    "POST /api/v1/users/",
]


def test_every_write_endpoint_with_a_string_field_has_a_baseline():
    """A new endpoint taking text is attacked too: it needs a working request here."""
    missing = [key for key in write_cases() if key not in BASELINE_KEYS]
    assert missing == []


@pytest.mark.parametrize("op_key", BASELINE_KEYS)
def test_the_baseline_request_succeeds_and_names_every_string_field(world, op_key):
    case = baselines(world)[op_key]
    op = operation_of(op_key)
    original = case.body if case.body is not None else case.form
    leaves = {tuple(p) for p in string_leaves(original)}
    wanted = set(schema_string_fields_of(op)) if case.body is not None else set()
    assert wanted - leaves == set(), "string fields of the schema the baseline does not send"

    client = client_for(world, op.path)
    values = dict(world.path_values())
    if case.setup:
        values.update(case.setup(world, client))
    kwargs = {"body": case.body} if case.body is not None else {"form": case.form}
    response = send(client, op, op.url(values), **kwargs)

    assert 200 <= response.status_code < 300, response.content[:500]


@pytest.mark.parametrize("op_key", BASELINE_KEYS)
def test_hostile_text_in_every_string_field_is_refused_or_stored_exactly(world, op_key):
    problems = body_problems(world, op_key, baselines(world)[op_key])

    assert problems == [], "\n".join(problems)


FILTERS = sorted(
    (op.key, param["name"])
    for op in OPERATIONS.values()
    if op.method == "get"
    for param in op.query_params
    if resolve_ref(param.get("schema", {})).get("type") == "string"
)


@pytest.mark.parametrize(("op_key", "param"), FILTERS, ids=[f"{k} {p}" for k, p in FILTERS])
def test_hostile_text_in_every_filter_never_reaches_the_database(world, op_key, param):
    problems: list[str] = []
    for kind in ("nul", "rtl", "huge"):
        value = hostile(kind, "a")
        problems += try_variant(
            world, op_key, Case(), where="query", path=(param,), kind=kind, value=value,
            spoiled={param: value},
        )  # fmt: skip

    assert problems == [], "\n".join(problems)


URL_STRINGS = sorted(
    (op.key, param["name"])
    for op in OPERATIONS.values()
    for param in op.path_params
    if resolve_ref(param.get("schema", {})).get("type") == "string"
)


@pytest.mark.parametrize(("op_key", "param"), URL_STRINGS, ids=[f"{k} {p}" for k, p in URL_STRINGS])
def test_hostile_text_in_a_url_is_answered_without_a_server_error(world, op_key, param):
    problems: list[str] = []
    for kind in KINDS:
        value = hostile(kind, "post-pending")
        problems += try_variant(
            world, op_key, Case(), where="path", path=(param,), kind=kind, value=value,
            spoiled={param: value},
        )  # fmt: skip

    assert problems == [], "\n".join(problems)


UPLOADS = [
    ("POST /api/v1/projects/{project_id}/imports/", "file"),
    ("POST /api/v1/moderation/policies/{policy_id}/hashes/ (files)", "files"),
]


@pytest.mark.parametrize(("op_key", "field_name"), UPLOADS)
@pytest.mark.parametrize("kind", ["nul", "rtl", "huge"])
def test_a_hostile_upload_file_name_is_never_stored_as_sent(world, op_key, field_name, kind):
    """File names are cleaned by Django's multipart parser (control and format characters
    removed, cut to 255 characters) before the app sees them: what is stored is printable."""
    case = baselines(world)[op_key]
    original = case.form[field_name]()
    suffix = ".csv" if field_name == "file" else ".png"
    name = hostile(kind, "upload")[:1_000_000] + suffix
    form = {**case.form, field_name: lambda: SimpleUploadedFile(name, original.read())}
    problems = try_variant(
        world, op_key, Case(form=form), where="filename", path=(field_name,), kind=kind,
        value=name, spoiled=form,
    )  # fmt: skip

    assert problems == [], "\n".join(problems)
