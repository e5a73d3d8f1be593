"""The filters a snapshot is cut with: validated from hostile JSON into one canonical form.

The canonical form is what a snapshot stores (``DatasetSnapshot.filters``) and what training
compares when it looks for an identical snapshot to reuse: every key present, lists in a fixed
order, datetimes as ISO 8601 in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.utils.dateparse import parse_datetime

from core.exceptions import ApplicationError
from core.limits import iso_datetime_text, text_problem
from labeling.choices import HUMAN_SOURCES, AnnotationSource, Split

# Label sources a filter may name, in the order a snapshot stores them. "automatic_decision":
# moderation decisions made by a rule or a model (never by a person).
AUTOMATIC_DECISION = "automatic_decision"
SOURCE_ORDER = (*[str(s) for s in HUMAN_SOURCES], str(AnnotationSource.AUTO), AUTOMATIC_DECISION)
DEFAULT_SOURCES = tuple(str(s) for s in HUMAN_SOURCES)
SPLIT_ORDER = tuple(str(s) for s in Split)
KEYS = ("sources", "splits", "classes", "labeled_only", "labeled_after", "labeled_before",
        "metadata")  # fmt: skip

# Caps on what one filter may hold: a filter is typed by a person, never thousands of values.
MAX_LIST = 200
MAX_METADATA_KEYS = 20
MAX_METADATA_VALUES = 200  # per key
MAX_TEXT = 200  # characters of a metadata key or string value


@dataclass(frozen=True)
class SnapshotFilters:
    sources: tuple[str, ...]
    splits: tuple[str, ...]  # empty: every split
    classes: tuple[str, ...]  # empty: every class
    labeled_only: bool
    labeled_after: datetime | None
    labeled_before: datetime | None
    metadata: dict[str, list[Any]]

    @property
    def annotation_sources(self) -> tuple[str, ...]:
        return tuple(s for s in self.sources if s != AUTOMATIC_DECISION)

    @property
    def automatic_decisions(self) -> bool:
        return AUTOMATIC_DECISION in self.sources

    def as_json(self) -> dict[str, Any]:
        return {
            "sources": list(self.sources),
            "splits": list(self.splits),
            "classes": list(self.classes),
            "labeled_only": self.labeled_only,
            "labeled_after": _iso(self.labeled_after),
            "labeled_before": _iso(self.labeled_before),
            "metadata": self.metadata,
        }


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None


def _refuse(field: str, message: str, **extra: Any) -> ApplicationError:
    return ApplicationError(f"filters.{field}: {message}", extra={"field": field, **extra})


def _string_list(raw: dict[str, Any], field: str) -> list[str] | None:
    value = raw.get(field)
    if value is None:
        return None
    if not isinstance(value, list):
        raise _refuse(field, "must be a list of strings.")
    if len(value) > MAX_LIST:
        raise _refuse(field, f"at most {MAX_LIST} values.", limit=MAX_LIST)
    if not all(isinstance(entry, str) for entry in value):
        raise _refuse(field, "must be a list of strings.")
    return value


def _in_order(field: str, values: list[str], order: tuple[str, ...]) -> tuple[str, ...]:
    unknown = [value for value in values if value not in order]
    if unknown:
        raise _refuse(
            field,
            f"unknown value {unknown[0][:MAX_TEXT]!r}; known: {', '.join(order)}.",
            unknown=unknown[0][:MAX_TEXT],
        )
    return tuple(value for value in order if value in values)


def _datetime(raw: dict[str, Any], field: str) -> datetime | None:
    value = raw.get(field)
    if value is None:
        return None
    parsed = None
    if isinstance(value, str) and iso_datetime_text(value):
        try:
            parsed = parse_datetime(value)
        except ValueError:
            parsed = None
    if parsed is None:
        raise _refuse(field, "must be an ISO 8601 date and time, e.g. 2026-01-31T00:00:00Z.")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _metadata(raw: dict[str, Any]) -> dict[str, list[Any]]:
    value = raw.get("metadata")
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _refuse("metadata", 'must be an object like {"language": ["en", "fr"]}.')
    if len(value) > MAX_METADATA_KEYS:
        raise _refuse("metadata", f"at most {MAX_METADATA_KEYS} keys.", limit=MAX_METADATA_KEYS)
    result: dict[str, list[Any]] = {}
    for key in sorted(value):
        values = value[key]
        if len(key) > MAX_TEXT or text_problem(key) or not key:
            raise _refuse("metadata", f"keys are 1 to {MAX_TEXT} characters of text.")
        if not isinstance(values, list) or not values:
            raise _refuse("metadata", f"{key[:50]!r} must map to a non-empty list of values.")
        if len(values) > MAX_METADATA_VALUES:
            raise _refuse(
                "metadata", f"at most {MAX_METADATA_VALUES} values per key.",
                limit=MAX_METADATA_VALUES,
            )  # fmt: skip
        kept: list[Any] = []
        seen: set[tuple[str, Any]] = set()
        for entry in values:
            scalar = entry is None or isinstance(entry, str | int | float | bool)
            bad_text = isinstance(entry, str) and (len(entry) > MAX_TEXT or text_problem(entry))
            if not scalar or bad_text:
                raise _refuse(
                    "metadata",
                    f"values of {key[:50]!r} must be strings (at most {MAX_TEXT} characters), "
                    "numbers, booleans or null.",
                )
            if (type(entry).__name__, entry) not in seen:  # 1 and true are different values
                seen.add((type(entry).__name__, entry))
                kept.append(entry)
        result[key] = kept
    return result


def snapshot_filters_parse(*, raw: Any, class_names: list[str]) -> SnapshotFilters:
    """The canonical filters for ``raw`` (the request's JSON; None or {} for the defaults).

    Refuses with a 400 naming the field: unknown keys, wrong types, unknown sources, splits or
    classes, unreadable datetimes, an empty date range, more values than the caps.
    """
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ApplicationError("filters must be a JSON object.", extra={"field": "filters"})
    unknown = [key for key in raw if key not in KEYS]
    if unknown:
        name = str(unknown[0])[:MAX_TEXT]
        raise _refuse(name, f"unknown filter; known: {', '.join(KEYS)}.", unknown=name)
    sources = _string_list(raw, "sources")
    source_tuple = (
        DEFAULT_SOURCES if sources is None else _in_order("sources", sources, SOURCE_ORDER)
    )
    if not source_tuple:
        raise _refuse("sources", "name at least one label source.")
    splits = _in_order("splits", _string_list(raw, "splits") or [], SPLIT_ORDER)
    classes = _in_order("classes", _string_list(raw, "classes") or [], tuple(class_names))
    labeled_only = raw.get("labeled_only", True)
    if not isinstance(labeled_only, bool):
        raise _refuse("labeled_only", "must be true or false.")
    after = _datetime(raw, "labeled_after")
    before = _datetime(raw, "labeled_before")
    if after and before and after >= before:
        raise _refuse("labeled_before", "must be later than labeled_after.")
    return SnapshotFilters(
        sources=source_tuple,
        splits=splits,
        classes=classes,
        labeled_only=labeled_only,
        labeled_after=after,
        labeled_before=before,
        metadata=_metadata(raw),
    )


def snapshot_filters_load(stored: dict[str, Any]) -> SnapshotFilters:
    """The filters of a stored snapshot (already canonical)."""
    return SnapshotFilters(
        sources=tuple(stored.get("sources") or DEFAULT_SOURCES),
        splits=tuple(stored.get("splits") or ()),
        classes=tuple(stored.get("classes") or ()),
        labeled_only=bool(stored.get("labeled_only", True)),
        labeled_after=_datetime(stored, "labeled_after"),
        labeled_before=_datetime(stored, "labeled_before"),
        metadata=dict(stored.get("metadata") or {}),
    )
