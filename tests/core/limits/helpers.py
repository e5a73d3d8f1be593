"""Shared by the hostile-input tests: what the database holds, and every operation of the API.

``db_fingerprint`` is a digest of every row of every table the apps write (sessions and "last
used" times aside: a login or a key's use is allowed to write them), so a test can say
"nothing was stored or changed" about a refused request without naming each table.
``api_operations`` lists the API as the OpenAPI schema generated from the code describes it,
so a new endpoint is attacked without anyone adding it to a list.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.apps import apps

SKIPPED_MODELS = {"sessions.session", "contenttypes.contenttype", "auth.permission"}
# Bookkeeping a request may write whatever it asks: when a key or account was last used.
SKIPPED_FIELDS = {"auth.user": {"last_login"}, "moderation.platformapikey": {"last_used_at"}}


def _rows(model) -> list[tuple]:
    skipped = SKIPPED_FIELDS.get(model._meta.label_lower, set())
    names = [f.attname for f in model._meta.concrete_fields if f.attname not in skipped]
    return list(model.objects.order_by("pk").values_list(*names))


def _fingerprinted_models() -> list:
    return [
        model
        for model in sorted(apps.get_models(), key=lambda m: m._meta.label_lower)
        if model._meta.label_lower not in SKIPPED_MODELS
    ]


@cache
def _fingerprint_sql() -> str:
    """One PostgreSQL query giving, per table, the MD5 of the text of each of its rows (the
    same columns ``_rows`` reads) in primary-key order: every row of every table in one round
    trip, instead of one query per table and every row copied into Python."""
    from django.db import connection

    quote = connection.ops.quote_name
    parts = []
    for model in _fingerprinted_models():
        skipped = SKIPPED_FIELDS.get(model._meta.label_lower, set())
        columns = [f.column for f in model._meta.concrete_fields if f.attname not in skipped]
        row = "ROW(" + ", ".join(f"t.{quote(c)}" for c in columns) + ")::text"
        pk = f"t.{quote(model._meta.pk.column)}"
        table = quote(model._meta.db_table)  # names from the models, not from input
        parts.append(
            f"SELECT {len(parts)} AS n, md5(string_agg({row}, E'\\n' ORDER BY {pk})) "  # noqa: S608
            f"FROM {table} AS t"
        )
    return " UNION ALL ".join(parts) + " ORDER BY n"


def db_fingerprint() -> str:
    from django.db import connection

    digest = hashlib.sha256()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_fingerprint_sql())
            rows = cursor.fetchall()
            for (_, table_md5), model in zip(rows, _fingerprinted_models(), strict=True):
                digest.update(model._meta.label_lower.encode())
                digest.update(str(table_md5).encode())
        return digest.hexdigest()
    for model in _fingerprinted_models():
        digest.update(model._meta.label_lower.encode())
        digest.update(repr(_rows(model)).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def db_contains(text: str) -> bool:
    """Whether any text or JSON value of any row holds ``text`` exactly."""
    needle = repr(text)[1:-1]
    for model in apps.get_models():
        if model._meta.label_lower in SKIPPED_MODELS:
            continue
        for row in model.objects.values_list():
            for value in row:
                if isinstance(value, str) and text in value:
                    return True
                if isinstance(value, dict | list) and needle in repr(value):
                    return True
    return False


@dataclass
class Operation:
    method: str
    path: str  # the schema's path, with {placeholders}
    operation: dict[str, Any]
    path_params: list[dict[str, Any]] = field(default_factory=list)
    query_params: list[dict[str, Any]] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.method.upper()} {self.path}"

    def url(self, values: dict[str, Any]) -> str:
        return re.sub(r"{(\w+)}", lambda m: str(values[m.group(1)]), self.path)

    def request_schema(self, content_type: str) -> dict[str, Any] | None:
        content = self.operation.get("requestBody", {}).get("content", {})
        body = content.get(content_type)
        return body["schema"] if body else None

    @property
    def content_types(self) -> list[str]:
        return list(self.operation.get("requestBody", {}).get("content", {}))


@cache
def api_schema() -> dict[str, Any]:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def api_operations() -> list[Operation]:
    operations = []
    for path, item in api_schema()["paths"].items():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            params = operation.get("parameters", [])
            operations.append(
                Operation(
                    method=method,
                    path=path,
                    operation=operation,
                    path_params=[p for p in params if p["in"] == "path"],
                    query_params=[p for p in params if p["in"] == "query"],
                )
            )
    return operations


def resolve_ref(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = api_schema()["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return resolve_ref(schema["allOf"][0])
    return schema
