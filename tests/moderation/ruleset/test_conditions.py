"""Rule conditions: every signal type, AND / OR / NOT truth tables, and what is refused."""

import itertools

import pytest

from moderation.ruleset.conditions import ConditionError, Signals, parse

BASE = Signals(
    scores={"spam": 0.92, "harassment": 0.10},
    shadow_scores={"spam": 0.40},
    banks=frozenset({"scam phrases"}),
    hash_match=True,
    reports=3,
    report_reasons=frozenset({"fraud"}),
    author_strikes=2.5,
    account_age_days=1.0,
    metadata={"surface": "dm", "followers": "1200", "verified": False},
    text_length=140,
    language="en",
)

# (condition, holds on BASE): each signal type, both ways.
LEAVES = [
    ({"signal": "score", "category": "spam", "op": ">=", "value": 0.9}, True),
    ({"signal": "score", "category": "spam", "op": ">", "value": 0.92}, False),
    ({"signal": "score", "category": "spam", "model": "shadow", "op": ">=", "value": 0.9}, False),
    ({"signal": "score", "category": "unknown", "op": "<", "value": 1}, False),
    ({"signal": "bank", "bank": "scam phrases"}, True),
    ({"signal": "bank", "bank": "slurs"}, False),
    ({"signal": "bank", "bank": "slurs", "value": False}, True),
    ({"signal": "hash_match"}, True),
    ({"signal": "hash_match", "value": False}, False),
    ({"signal": "reports", "op": ">=", "value": 3}, True),
    ({"signal": "reports", "op": ">", "value": 3}, False),
    ({"signal": "report_reason", "op": "includes", "value": "fraud"}, True),
    ({"signal": "report_reason", "op": "includes", "value": "spam"}, False),
    ({"signal": "author_strikes", "op": ">=", "value": 2.5}, True),
    ({"signal": "author_strikes", "op": "<", "value": 2}, False),
    ({"signal": "account_age_days", "op": "<", "value": 2}, True),
    ({"signal": "account_age_days", "op": ">=", "value": 2}, False),
    ({"signal": "metadata", "field": "surface", "op": "==", "value": "dm"}, True),
    ({"signal": "metadata", "field": "surface", "op": "in", "value": ["comment", "post"]}, False),
    ({"signal": "metadata", "field": "surface", "op": "not_in", "value": ["comment"]}, True),
    ({"signal": "metadata", "field": "followers", "op": ">", "value": 1000}, True),
    ({"signal": "metadata", "field": "verified", "op": "==", "value": "false"}, True),
    ({"signal": "metadata", "field": "surface", "op": "contains", "value": "D"}, True),
    ({"signal": "metadata", "field": "missing", "op": "exists"}, False),
    ({"signal": "metadata", "field": "missing", "op": "!=", "value": "dm"}, False),
    ({"signal": "text_length", "op": ">", "value": 100}, True),
    ({"signal": "text_length", "op": "<=", "value": 100}, False),
    ({"signal": "language", "op": "==", "value": "en"}, True),
    ({"signal": "language", "op": "in", "value": ["de", "fr"]}, False),
]


@pytest.mark.parametrize(("condition", "expected"), LEAVES, ids=lambda v: str(v)[:60])
def test_each_signal_type_reads_the_content_it_is_given(condition, expected):
    assert parse(condition).holds(BASE) is expected
    assert parse({"not": condition}).holds(BASE) is (not expected)


TRUE = {"signal": "hash_match"}
FALSE = {"signal": "hash_match", "value": False}


@pytest.mark.parametrize("values", list(itertools.product([False, True], repeat=3)))
def test_all_any_not_follow_their_truth_tables(values):
    parts = [TRUE if value else FALSE for value in values]
    assert parse({"all": parts}).holds(BASE) is all(values)
    assert parse({"any": parts}).holds(BASE) is any(values)
    assert parse({"not": {"all": parts}}).holds(BASE) is (not all(values))
    a, b, c = values
    nested = {"any": [{"all": parts[:2]}, {"not": parts[2]}]}
    assert parse(nested).holds(BASE) is ((a and b) or not c)


def test_empty_all_holds_and_empty_any_does_not():
    assert parse({"all": []}).holds(BASE) is True
    assert parse({"any": []}).holds(BASE) is False


def test_unknown_values_never_satisfy_a_comparison():
    unknown = Signals()
    young = {"signal": "account_age_days", "op": "<", "value": 2}
    assert parse(young).holds(unknown) is False
    assert parse({"not": young}).holds(unknown) is True
    assert parse({"signal": "language", "op": "!=", "value": "en"}).holds(unknown) is False


def test_a_compiled_condition_says_which_banks_and_categories_it_reads():
    compiled = parse(
        {"any": [LEAVES[0][0], {"all": [{"signal": "bank", "bank": "slurs"}, LEAVES[2][0]]}]}
    )
    assert compiled.banks == {"slurs"}
    assert compiled.categories == {"spam"}


def _deep(levels: int) -> dict:
    condition: dict = TRUE
    for _ in range(levels):
        condition = {"not": condition}
    return condition


@pytest.mark.parametrize(
    ("condition", "path"),
    [
        ("spam", "condition"),
        ({}, "condition"),
        ({"all": TRUE}, "all"),
        ({"all": [TRUE], "any": []}, "condition"),
        ({"any": [TRUE, {"signal": "mood"}]}, "any[1].signal"),
        ({"signal": "score", "category": "spam", "op": "~", "value": 0.5}, "op"),
        ({"signal": "score", "category": "spam", "op": ">", "value": 1.5}, "value"),
        ({"signal": "score", "category": "spam", "op": ">", "value": "0.5"}, "value"),
        ({"signal": "score", "category": "spam", "op": ">", "value": True}, "value"),
        ({"signal": "score", "category": "spam", "op": ">", "value": float("nan")}, "value"),
        ({"signal": "score", "category": "", "op": ">", "value": 0.5}, "category"),
        ({"signal": "score", "category": "spam", "model": "x", "op": ">", "value": 0.5}, "model"),
        ({"signal": "bank", "bank": "b", "colour": "red"}, "colour"),
        ({"signal": "reports", "op": ">", "value": -1}, "value"),
        ({"signal": "metadata", "field": "f", "op": "in", "value": []}, "value"),
        ({"signal": "metadata", "field": "f", "op": "in", "value": ["a", 3]}, "value[1]"),
        ({"signal": "metadata", "field": "f", "op": "exists", "value": "x"}, "value"),
        ({"signal": "metadata", "field": "f", "op": "matches", "value": "x"}, "op"),
        ({"signal": "language", "op": "contains", "value": "e"}, "op"),
        ({"not": {"all": [TRUE, {"signal": "hash_match", "value": "yes"}]}}, "not.all[1].value"),
        (_deep(9), "not.not.not.not.not.not.not.not"),
        ({"any": [TRUE] * 200}, "any[199]"),
        ({"signal": "language", "op": "==", "value": "x" * 201}, "value"),
    ],
    ids=lambda v: str(v)[:50],
)
def test_bad_conditions_are_refused_naming_the_part(condition, path):
    with pytest.raises(ConditionError) as caught:
        parse(condition)
    assert caught.value.path == path, caught.value


def test_two_hundred_rules_evaluate_without_a_database():
    rules = [
        parse({"all": [LEAVES[n % len(LEAVES)][0], {"not": LEAVES[(n + 7) % len(LEAVES)][0]}]})
        for n in range(200)
    ]
    hits = [rule.holds(BASE) for rule in rules]
    expected = [
        LEAVES[n % len(LEAVES)][1] and not LEAVES[(n + 7) % len(LEAVES)][1] for n in range(200)
    ]
    assert hits == expected
