"""Rule conditions: conditions over a content's signals, combined with AND / OR / NOT.

A condition is JSON, as the SPA and the API write it::

    {"all": [c, ...]}     every one holds (true when empty)
    {"any": [c, ...]}     at least one holds (false when empty)
    {"not": c}
    {"signal": "score", "category": "spam", "op": ">=", "value": 0.9}
    {"signal": "score", "category": "spam", "model": "shadow", "op": ">=", "value": 0.9}
    {"signal": "bank", "bank": "scam phrases"}                 the text hits the bank
    {"signal": "hash_match"}                                  a hash-bank match
    {"signal": "reports", "op": ">=", "value": 3}              distinct reporters
    {"signal": "report_reason", "op": "includes", "value": "fraud"}
    {"signal": "author_strikes", "op": ">=", "value": 3}       live strike points
    {"signal": "account_age_days", "op": "<", "value": 2}
    {"signal": "metadata", "field": "surface", "op": "in", "value": ["dm", "comment"]}
    {"signal": "text_length", "op": ">", "value": 2000}
    {"signal": "language", "op": "==", "value": "en"}

``parse`` checks a condition and compiles it into a function of ``Signals``; every refusal is a
``ConditionError`` whose ``path`` names the part at fault (``all[1].value``). A comparison with a
value the content does not have (no shadow model, no account age, no such metadata field) is
false, so ``not`` of it is true: "not (account_age_days < 2)" holds for an author of unknown
age. Evaluation is pure (no database, no clock) and cheap: a compiled condition is a tree of
closures.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

MAX_DEPTH = 8
MAX_NODES = 200
MAX_TEXT_VALUE_CHARS = 200
MAX_LIST_VALUES = 100

NUMERIC_OPS: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
}
TEXT_OPS = ("==", "!=", "in", "not_in", "contains")
METADATA_OPS = (*TEXT_OPS, "exists", ">", ">=", "<", "<=")
MODELS = ("production", "shadow")


@dataclass(frozen=True)
class Signals:
    """What is known about one content when rules run (intake computes it)."""

    # Model probability per category name, of the production and the shadow model.
    scores: Mapping[str, float] = field(default_factory=dict)
    shadow_scores: Mapping[str, float] = field(default_factory=dict)
    banks: frozenset[str] = frozenset()  # text banks the text hits
    hash_match: bool = False
    reports: int = 0  # distinct reporters
    report_reasons: frozenset[str] = frozenset()
    author_strikes: float = 0.0  # live strike points
    account_age_days: float | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    text_length: int = 0
    language: str | None = None


Condition = Callable[[Signals], bool]


class ConditionError(ValueError):
    def __init__(self, path: str, message: str):
        super().__init__(f"{path or 'condition'}: {message}")
        self.path = path or "condition"
        self.message = message


@dataclass
class _Walk:
    nodes: int = 0
    banks: set[str] = field(default_factory=set)
    categories: set[str] = field(default_factory=set)
    reads: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Compiled:
    """A checked condition: ``holds(signals)``, and what it reads (so a rule naming a bank or
    category that does not exist is refused where rules are saved). ``reads`` names the
    fields of ``Signals`` it reads: the others may be left at their defaults without changing
    its answer (a backtest reads only those)."""

    holds: Condition
    banks: frozenset[str]
    categories: frozenset[str]
    source: dict[str, Any]
    reads: frozenset[str] = frozenset()


def parse(condition: Any) -> Compiled:
    """Check and compile ``condition`` (JSON, see the module's docstring)."""
    walk = _Walk()
    holds = _node(condition, "", 1, walk)
    return Compiled(
        holds=holds,
        banks=frozenset(walk.banks),
        categories=frozenset(walk.categories),
        source=condition,
        reads=frozenset(walk.reads),
    )


def _join(path: str, part: str) -> str:
    if not path:
        return part
    return f"{path}{part}" if part.startswith("[") else f"{path}.{part}"


def _node(raw: Any, path: str, depth: int, walk: _Walk) -> Condition:
    walk.nodes += 1
    if walk.nodes > MAX_NODES:
        raise ConditionError(path, f"a condition has at most {MAX_NODES} parts")
    if depth > MAX_DEPTH:
        raise ConditionError(path, f"conditions nest at most {MAX_DEPTH} levels deep")
    if not isinstance(raw, dict):
        raise ConditionError(path, "must be an object")
    combinators = [key for key in ("all", "any", "not") if key in raw]
    if combinators:
        if len(raw) != 1:
            raise ConditionError(path, f"'{combinators[0]}' must be the object's only key")
        key = combinators[0]
        if key == "not":
            inner = _node(raw["not"], _join(path, "not"), depth + 1, walk)
            return lambda signals: not inner(signals)
        parts = raw[key]
        if not isinstance(parts, list):
            raise ConditionError(_join(path, key), "must be a list of conditions")
        children = tuple(
            _node(part, _join(path, f"{key}[{index}]"), depth + 1, walk)
            for index, part in enumerate(parts)
        )
        # Plain loops, not all()/any() over a generator: a policy's rules run for every
        # content at intake, and the generator cost as much as the clauses.
        if key == "all":

            def holds_all(signals: Signals) -> bool:
                for child in children:  # noqa: SIM110 (see above)
                    if not child(signals):
                        return False
                return True

            return holds_all

        def holds_any(signals: Signals) -> bool:
            for child in children:  # noqa: SIM110 (see above)
                if child(signals):
                    return True
            return False

        return holds_any
    if "signal" not in raw:
        raise ConditionError(path, "needs 'all', 'any', 'not' or 'signal'")
    return _leaf(raw, path, walk)


def _allowed_keys(raw: dict[str, Any], path: str, keys: set[str]) -> None:
    extra = sorted(set(raw) - keys)
    if extra:
        raise ConditionError(_join(path, extra[0]), "is not a field of this signal")


def _number(raw: dict[str, Any], path: str) -> float:
    value = raw.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConditionError(_join(path, "value"), "must be a finite number")
    return float(value)


def _text(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value or len(value) > MAX_TEXT_VALUE_CHARS:
        raise ConditionError(path, f"must be a text of 1 to {MAX_TEXT_VALUE_CHARS} characters")
    return value


def _numeric_op(raw: dict[str, Any], path: str) -> Callable[[float, float], bool]:
    op = raw.get("op")
    if op not in NUMERIC_OPS:
        raise ConditionError(_join(path, "op"), f"must be one of {', '.join(NUMERIC_OPS)}")
    return NUMERIC_OPS[op]


def _compare_number(
    raw: dict[str, Any], path: str, read: Callable[[Signals], float | None]
) -> Condition:
    compare = _numeric_op(raw, path)
    value = _number(raw, path)

    def holds(signals: Signals) -> bool:
        seen = read(signals)
        return seen is not None and compare(seen, value)

    return holds


def _compare_text(
    raw: dict[str, Any], path: str, read: Callable[[Signals], Any], *, ops: tuple[str, ...]
) -> Condition:
    op = raw.get("op")
    if op not in ops:
        raise ConditionError(_join(path, "op"), f"must be one of {', '.join(ops)}")
    value_path = _join(path, "value")
    if op in ("in", "not_in"):
        values = raw.get("value")
        if not isinstance(values, list) or not values or len(values) > MAX_LIST_VALUES:
            raise ConditionError(value_path, f"must be a list of 1 to {MAX_LIST_VALUES} texts")
        choices = frozenset(
            _text(item, f"{value_path}[{index}]") for index, item in enumerate(values)
        )
        if op == "in":
            return lambda signals: _as_text(read(signals)) in choices
        return lambda signals: (seen := _as_text(read(signals))) is not None and seen not in choices
    expected = _text(raw.get("value"), value_path)
    if op == "==":
        return lambda signals: _as_text(read(signals)) == expected
    if op == "!=":
        return lambda signals: (seen := _as_text(read(signals))) is not None and seen != expected
    needle = expected.casefold()
    return lambda signals: needle in (_as_text(read(signals)) or "").casefold()


def _as_text(value: Any) -> str | None:
    """Metadata values as text (``3`` and ``"3"`` compare equal); None stays None."""
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _metadata_number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _flag(raw: dict[str, Any], path: str, read: Callable[[Signals], bool]) -> Condition:
    """A yes/no signal: ``{"signal": …}`` holds when it is present; ``"value": false`` when
    it is absent."""
    expected = raw.get("value", True)
    if not isinstance(expected, bool):
        raise ConditionError(_join(path, "value"), "must be true or false")
    return lambda signals: read(signals) is expected


def _leaf(raw: dict[str, Any], path: str, walk: _Walk) -> Condition:
    signal = raw["signal"]
    if signal == "score":
        _allowed_keys(raw, path, {"signal", "category", "model", "op", "value"})
        category = _text(raw.get("category"), _join(path, "category"))
        model = raw.get("model", "production")
        if model not in MODELS:
            raise ConditionError(_join(path, "model"), f"must be one of {', '.join(MODELS)}")
        walk.categories.add(category)
        if not 0 <= _number(raw, path) <= 1:
            raise ConditionError(_join(path, "value"), "a score is between 0 and 1")
        compare = _numeric_op(raw, path)
        value = _number(raw, path)
        walk.reads.add("scores" if model == "production" else "shadow_scores")
        if model == "production":
            return lambda signals: (
                (seen := signals.scores.get(category)) is not None and compare(seen, value)
            )
        return lambda signals: (
            (seen := signals.shadow_scores.get(category)) is not None and compare(seen, value)
        )
    if signal == "bank":
        _allowed_keys(raw, path, {"signal", "bank", "value"})
        bank = _text(raw.get("bank"), _join(path, "bank"))
        walk.banks.add(bank)
        walk.reads.add("banks")
        return _flag(raw, path, lambda signals: bank in signals.banks)
    if signal == "hash_match":
        _allowed_keys(raw, path, {"signal", "value"})
        walk.reads.add("hash_match")
        return _flag(raw, path, lambda signals: signals.hash_match)
    if signal in ("reports", "author_strikes", "account_age_days", "text_length"):
        _allowed_keys(raw, path, {"signal", "op", "value"})
        if _number(raw, path) < 0:
            raise ConditionError(_join(path, "value"), "must not be negative")
        compare = _numeric_op(raw, path)
        value = _number(raw, path)
        walk.reads.add(signal)
        return lambda signals: (
            (seen := getattr(signals, signal)) is not None and compare(seen, value)
        )
    if signal == "report_reason":
        _allowed_keys(raw, path, {"signal", "op", "value"})
        if raw.get("op") != "includes":
            raise ConditionError(_join(path, "op"), "must be includes")
        reason = _text(raw.get("value"), _join(path, "value"))
        walk.reads.add("report_reasons")
        return lambda signals: reason in signals.report_reasons
    if signal == "language":
        _allowed_keys(raw, path, {"signal", "op", "value"})
        walk.reads.add("language")
        return _compare_text(
            raw, path, lambda signals: signals.language, ops=("==", "!=", "in", "not_in")
        )
    if signal == "metadata":
        _allowed_keys(raw, path, {"signal", "field", "op", "value"})
        name = _text(raw.get("field"), _join(path, "field"))
        walk.reads.add("metadata")
        op = raw.get("op")
        if op not in METADATA_OPS:
            raise ConditionError(_join(path, "op"), f"must be one of {', '.join(METADATA_OPS)}")
        if op == "exists":
            if "value" in raw:
                raise ConditionError(_join(path, "value"), "exists takes no value")
            return lambda signals: _as_text(signals.metadata.get(name)) is not None
        if op in (">", ">=", "<", "<="):
            return _compare_number(
                raw, path, lambda signals: _metadata_number(signals.metadata.get(name))
            )
        return _compare_text(raw, path, lambda signals: signals.metadata.get(name), ops=TEXT_OPS)
    raise ConditionError(
        _join(path, "signal"),
        "must be one of score, bank, hash_match, reports, report_reason, author_strikes, "
        "account_age_days, metadata, text_length, language",
    )
