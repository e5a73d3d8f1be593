"""The intake verdict, decided from plain facts: no database, no model, no settings."""

import pytest

from moderation.choices import AutomationLevel, ContentState
from moderation.services.intake_decide import (
    CategoryThresholds,
    HashHit,
    IntakeFacts,
    LiveRuleFact,
    RuleHitFact,
    Verdict,
    intake_decide,
)

BETWEEN = "model: between the allow and remove thresholds: people decide"
SPAM = CategoryThresholds(id=1, name="spam", remove_threshold=0.9, allow_threshold=0.1)
ABUSE = CategoryThresholds(id=2, name="abuse", remove_threshold=0.8, allow_threshold=0.2)
ACTING_LEVELS = [AutomationLevel.ASSIST, AutomationLevel.PARTIAL, AutomationLevel.FULL]


def facts(level: str, **values) -> IntakeFacts:
    return IntakeFacts(automation_level=level, categories=(SPAM, ABUSE), **values)


def test_a_hash_match_removes_at_once_where_the_level_acts_on_hashes():
    for level in [AutomationLevel.PARTIAL, AutomationLevel.FULL, AutomationLevel.ASSIST]:
        verdict = intake_decide(
            facts=facts(
                level,
                hash_hit=HashHit(kind="sha256", category_id=2, distance=0),
                rule_hits=(RuleHitFact(rule="prize", category_id=1, category_name="spam"),),
                category_scores={"spam": 0.99},
            )
        )

        assert verdict == Verdict(
            state=ContentState.REMOVED,
            top_category_id=2,
            score=None,
            model_flag=False,
            reasons=("hash bank: sha256 match (exact), category abuse",),
        )


@pytest.mark.parametrize("level", [AutomationLevel.HUMAN_ONLY, AutomationLevel.SHADOW])
def test_a_hash_match_goes_to_people_flagged_where_the_level_does_not_act(level):
    verdict = intake_decide(
        facts=facts(level, hash_hit=HashHit(kind="phash", category_id=1, distance=3))
    )

    assert verdict.state == ContentState.PENDING
    assert verdict.top_category_id == 1
    assert verdict.reasons[0] == "hash bank: phash match (distance 3), category spam"


def test_a_hash_match_of_a_category_the_policy_no_longer_has_names_none():
    verdict = intake_decide(
        facts=facts(
            AutomationLevel.HUMAN_ONLY,
            hash_hit=HashHit(kind="sha256", category_id=99, distance=0),
            rule_hits=(RuleHitFact(rule="idiot", category_id=2, category_name="abuse"),),
        )
    )

    assert verdict.reasons[0] == "hash bank: sha256 match (exact), category ?"
    assert verdict.top_category_id == 2  # the first rule hit's, then


def test_human_only_reports_rule_hits_and_leaves_the_decision_to_people():
    verdict = intake_decide(
        facts=facts(
            AutomationLevel.HUMAN_ONLY,
            rule_hits=(
                RuleHitFact(rule="idiot", category_id=2, category_name="abuse"),
                RuleHitFact(rule="prize", category_id=1, category_name="spam"),
            ),
        )
    )

    assert verdict == Verdict(
        state=ContentState.PENDING,
        top_category_id=2,
        score=None,
        model_flag=False,
        reasons=(
            "rule 'idiot' matched, category abuse",
            "rule 'prize' matched, category spam",
            "policy is human-only: people decide",
        ),
    )


def test_shadow_mode_never_acts_on_scores_nor_flags():
    verdict = intake_decide(
        facts=facts(AutomationLevel.SHADOW, category_scores={"spam": 0.99, "abuse": 0.01})
    )

    assert verdict == Verdict(
        state=ContentState.PENDING,
        top_category_id=None,
        score=None,
        model_flag=False,
        reasons=("policy is in shadow mode: model scores logged, people decide",),
    )


def test_assist_mode_flags_a_score_over_the_threshold_but_people_decide():
    verdict = intake_decide(
        facts=facts(AutomationLevel.ASSIST, category_scores={"spam": 0.95, "abuse": 0.01})
    )

    assert verdict == Verdict(
        state=ContentState.PENDING,
        top_category_id=1,
        score=0.95,
        model_flag=True,
        reasons=(
            "model: spam 0.950 >= remove threshold 0.9",
            "policy is in assist mode: the suggestion is shown to people",
        ),
    )


@pytest.mark.parametrize(
    ("spam", "state", "reason"),
    [
        (0.9, ContentState.REMOVED, "model: spam 0.900 >= remove threshold 0.9"),
        (0.5, ContentState.PENDING, BETWEEN),
        (0.1, ContentState.ALLOWED, "model: every category at or below its allow threshold"),
    ],
)
def test_partial_mode_acts_only_outside_the_band_with_the_thresholds_inclusive(spam, state, reason):
    verdict = intake_decide(
        facts=facts(AutomationLevel.PARTIAL, category_scores={"spam": spam, "abuse": 0.05})
    )

    assert verdict.state == state
    assert verdict.reasons == (reason,)
    assert verdict.score == spam
    assert verdict.model_flag is (state == ContentState.REMOVED)


def test_full_mode_allows_whatever_is_below_the_remove_thresholds():
    verdict = intake_decide(
        facts=facts(AutomationLevel.FULL, category_scores={"spam": 0.5, "abuse": 0.3})
    )

    assert verdict.state == ContentState.ALLOWED
    assert verdict.top_category_id == 1
    assert verdict.reasons == ("policy is fully automatic: below the remove thresholds, allowed",)


def test_the_worst_category_over_its_threshold_is_named_not_the_top_score():
    # spam scores higher but stays under its threshold; abuse crosses its own.
    verdict = intake_decide(
        facts=facts(AutomationLevel.FULL, category_scores={"spam": 0.89, "abuse": 0.85})
    )

    assert verdict.state == ContentState.REMOVED
    assert verdict.top_category_id == 2
    assert verdict.score == 0.85
    assert verdict.reasons == ("model: abuse 0.850 >= remove threshold 0.8",)


def test_a_category_the_model_did_not_score_is_not_counted_as_allowed():
    verdict = intake_decide(facts=facts(AutomationLevel.PARTIAL, category_scores={"spam": 0.01}))

    assert verdict.state == ContentState.PENDING


@pytest.mark.parametrize("level", ACTING_LEVELS)
def test_without_scores_people_decide_and_the_scoring_notes_come_first(level):
    verdict = intake_decide(
        facts=facts(
            level,
            rule_hits=(RuleHitFact(rule="prize", category_id=1, category_name="spam"),),
            scoring_notes=("no production model: people decide",),
        )
    )

    assert verdict == Verdict(
        state=ContentState.PENDING,
        top_category_id=1,
        score=None,
        model_flag=False,
        reasons=("no production model: people decide", "rule 'prize' matched, category spam"),
    )


def live(rule_id: int, action: str, category_id: int | None = None) -> LiveRuleFact:
    return LiveRuleFact(id=rule_id, name=f"r{rule_id}", action=action, category_id=category_id)


@pytest.mark.parametrize(
    ("actions", "state", "acting"),
    [
        (["allow", "remove"], ContentState.REMOVED, (2,)),
        (["review", "escalate", "allow"], ContentState.ESCALATED, (2,)),
        (["allow", "review"], ContentState.PENDING, (2,)),
        (["allow", "allow"], ContentState.ALLOWED, (1, 2)),
    ],
)
def test_live_rules_act_remove_before_escalate_before_review_before_allow(actions, state, acting):
    rules = tuple(live(n, action) for n, action in enumerate(actions, start=1))
    # Scores that would have the model allow (or remove) on their own are overruled.
    verdict = intake_decide(
        facts=facts(AutomationLevel.FULL, live_rules=rules, category_scores={"spam": 0.01})
    )
    assert verdict.state == state
    assert verdict.acting_rule_ids == acting
    assert verdict.model_flag is False


def test_the_first_rule_of_the_winning_action_names_the_category():
    verdict = intake_decide(
        facts=facts(
            AutomationLevel.PARTIAL,
            live_rules=(live(1, "remove"), live(2, "remove", category_id=2), live(3, "allow", 1)),
            category_scores={"spam": 0.5, "abuse": 0.3},
        )
    )
    assert (verdict.state, verdict.top_category_id, verdict.score) == (
        ContentState.REMOVED, 2, 0.3,
    )  # fmt: skip


def test_an_allowing_rule_never_overrules_a_hash_match():
    verdict = intake_decide(
        facts=facts(
            AutomationLevel.ASSIST,
            hash_hit=HashHit(kind="sha256", category_id=1, distance=0),
            live_rules=(live(1, "allow"),),
        )
    )
    assert verdict.state == ContentState.REMOVED
    assert verdict.acting_rule_ids == ()


@pytest.mark.parametrize("level", [AutomationLevel.HUMAN_ONLY, AutomationLevel.SHADOW])
def test_on_levels_without_automation_rules_only_route_to_people(level):
    removing = intake_decide(facts=facts(level, live_rules=(live(1, "remove", 1),)))
    assert removing.state == ContentState.PENDING
    assert removing.acting_rule_ids == ()
    assert "live rule 'r1' would remove: the policy's level does not let it" in removing.reasons
    escalating = intake_decide(facts=facts(level, live_rules=(live(1, "escalate", 1),)))
    assert (escalating.state, escalating.acting_rule_ids) == (ContentState.ESCALATED, (1,))
