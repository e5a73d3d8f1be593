"""Agreement statistics against textbook values and small cases worked out by hand (no database)."""

import pytest

from labeling.stats.agreement import (
    Ratings,
    agreement_summary,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    label_set_key,
    majority_labels,
    pairwise_kappa,
    percent_agreement,
)


def ratings_from_columns(columns: dict[str, list]) -> Ratings:
    """One list per rater, one position per unit; ``None`` = the rater did not rate it."""
    return Ratings.from_records(
        (unit, rater, value)
        for rater, values in columns.items()
        for unit, value in enumerate(values)
        if value is not None
    )


def ratings_from_counts(table: list[list[int]]) -> Ratings:
    """A Fleiss table: per unit, how many raters chose each category."""
    records = []
    for unit, row in enumerate(table):
        rater = 0
        for category, count in enumerate(row):
            for _ in range(count):
                records.append((unit, rater, category))
                rater += 1
    return Ratings.from_records(records)


# --- Cohen's kappa -----------------------------------------------------------------------------


def test_cohen_kappa_of_a_two_by_two_table():
    # 50 items: both yes 20, A yes / B no 5, A no / B yes 10, both no 15.
    # p_o = 35/50 = 0.7; A says yes 25/50, B 30/50: p_e = 0.5·0.6 + 0.5·0.4 = 0.5;
    # kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4.
    first = ["yes"] * 25 + ["no"] * 25
    second = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15

    assert cohen_kappa(first, second) == pytest.approx(0.4)


def test_cohen_kappa_is_one_for_identical_answers_and_negative_for_systematic_disagreement():
    assert cohen_kappa(["a", "b", "a", "c"], ["a", "b", "a", "c"]) == pytest.approx(1.0)
    # Always opposite: p_o = 0, p_e = 0.5 -> kappa = -1.
    assert cohen_kappa(["a", "b", "a", "b"], ["b", "a", "b", "a"]) == pytest.approx(-1.0)


def test_cohen_kappa_is_undefined_when_both_raters_only_ever_use_one_label():
    assert cohen_kappa(["spam"] * 6, ["spam"] * 6) is None
    assert cohen_kappa([], []) is None


def test_cohen_kappa_refuses_sequences_of_different_lengths():
    with pytest.raises(ValueError, match="same units"):
        cohen_kappa(["a", "b"], ["a"])


# --- Fleiss' kappa -----------------------------------------------------------------------------


def test_fleiss_kappa_by_hand_on_a_small_table():
    # Three raters, two categories (A, B), four items: AAA, AAB, BBB, ABB.
    # P_i = Σ n_ij(n_ij - 1) / (3·2): 1, 2/6, 1, 2/6 -> P̄ = 2/3.
    # p_A = 6/12, p_B = 6/12 -> P̄_e = 1/2; kappa = (2/3 - 1/2) / (1/2) = 1/3.
    ratings = ratings_from_counts([[3, 0], [2, 1], [0, 3], [1, 2]])

    assert fleiss_kappa(ratings) == pytest.approx(1 / 3)
    assert percent_agreement(ratings) == pytest.approx(2 / 3)


def test_fleiss_kappa_of_the_fourteen_raters_worked_example():
    # The ten-subject, fourteen-rater, five-category table often used to illustrate Fleiss'
    # formula: P̄ = 0.378, P̄_e = 0.213, kappa = 0.210.
    table = [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]

    ratings = ratings_from_counts(table)

    assert fleiss_kappa(ratings) == pytest.approx(0.20993, abs=1e-5)
    assert percent_agreement(ratings) == pytest.approx(0.37802, abs=1e-5)


def test_fleiss_kappa_ignores_items_with_a_single_answer():
    both = ratings_from_counts([[3, 0], [2, 1], [0, 3], [1, 2]])
    with_singles = Ratings.from_records(
        [(f"u{unit}", rater, value) for unit, rater, value in zip(
            both.unit.tolist(), both.rater.tolist(), both.value.tolist(), strict=True
        )] + [("lonely", 0, 0), ("alone", 1, 1)]
    )  # fmt: skip

    assert fleiss_kappa(with_singles) == pytest.approx(1 / 3)


def test_fleiss_kappa_is_undefined_without_variation_or_data():
    assert fleiss_kappa(ratings_from_counts([[3, 0], [3, 0]])) is None
    assert fleiss_kappa(Ratings.from_records([])) is None


# --- Krippendorff's alpha ----------------------------------------------------------------------


def test_krippendorff_alpha_of_the_four_observers_example_with_missing_values():
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": four observers,
    # twelve units, values 1-5, several missing; nominal alpha = 0.743.
    ratings = ratings_from_columns(
        {
            "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
            "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
            "C": [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
            "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
        }
    )

    assert krippendorff_alpha(ratings) == pytest.approx(0.743, abs=5e-4)


def test_krippendorff_alpha_of_the_two_coders_binary_example():
    # Two coders, ten units (Krippendorff's content analysis textbook): alpha = 0.095.
    ratings = ratings_from_columns(
        {"A": [0, 1, 0, 0, 0, 0, 0, 0, 1, 0], "B": [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]}
    )

    assert krippendorff_alpha(ratings) == pytest.approx(0.095, abs=5e-4)


def test_krippendorff_alpha_by_hand_with_a_missing_answer():
    # u1: A A; u2: A B B; u3: B alone (not pairable, left out).
    # Coincidences: u1 gives o_AA = 2·1/(2-1) = 2; u2 gives o_BB = 2·1/(3-1) = 1 and
    # o_AB = o_BA = 1·2/(3-1) = 1. n_A = 3, n_B = 2, n = 5.
    # alpha = 1 - (n-1)(n - Σo_cc) / (n² - Σn_c²) = 1 - 4·(5-3) / (25-9-4) = 1 - 8/12 = 1/3.
    ratings = ratings_from_columns(
        {"r1": ["A", "A", None], "r2": ["A", "B", "B"], "r3": [None, "B", None]}
    )

    assert krippendorff_alpha(ratings) == pytest.approx(1 / 3)


def test_krippendorff_alpha_is_one_for_perfect_agreement_and_undefined_for_one_category():
    agree = ratings_from_columns({"a": ["x", "y", "x"], "b": ["x", "y", "x"]})
    single = ratings_from_columns({"a": ["x", "x"], "b": ["x", "x"]})

    assert krippendorff_alpha(agree) == pytest.approx(1.0)
    assert krippendorff_alpha(single) is None
    assert percent_agreement(single) == pytest.approx(1.0)


# --- multilabel: a label set is one category ---------------------------------------------------


def test_label_sets_in_any_order_are_the_same_category():
    assert label_set_key(["spam", "phishing"]) == label_set_key(["phishing", "spam", "spam"])
    assert label_set_key(["spam"]) != label_set_key(["spam", "phishing"])


def test_partially_overlapping_label_sets_count_as_disagreement():
    first = [label_set_key(x) for x in (["a", "b"], ["a"], ["c"], ["a", "b"])]
    second = [label_set_key(x) for x in (["b", "a"], ["a", "b"], ["c"], ["a", "b"])]

    # Observed 3/4; marginals {ab: 2, a: 1, c: 1} and {ab: 3, c: 1}: p_e = (6 + 1)/16.
    assert cohen_kappa(first, second) == pytest.approx((0.75 - 7 / 16) / (1 - 7 / 16))


# --- per annotator and the project summary -----------------------------------------------------


def test_pairwise_kappa_averages_each_raters_kappa_with_the_others():
    # a and b agree on all six units; c agrees with them on 4 of 6 (kappa by hand below).
    a = ["x", "x", "x", "y", "y", "y"]
    b = ["x", "x", "x", "y", "y", "y"]
    c = ["x", "y", "x", "y", "x", "y"]
    ratings = ratings_from_columns({"a": a, "b": b, "c": c})
    # a vs c: p_o = 4/6, both split 3/3 -> p_e = 1/2; kappa = (2/3 - 1/2) / (1/2) = 1/3.

    by_rater = {row.rater: row for row in pairwise_kappa(ratings)}

    assert by_rater["a"].kappa == pytest.approx((1 + 1 / 3) / 2)
    assert by_rater["b"].kappa == pytest.approx((1 + 1 / 3) / 2)
    assert by_rater["c"].kappa == pytest.approx(1 / 3)
    assert (by_rater["a"].units, by_rater["a"].units_shared) == (6, 6)


def test_pairwise_kappa_leaves_out_pairs_with_fewer_than_five_shared_units():
    ratings = ratings_from_columns(
        {
            "a": ["x", "y", "x", "y", "x", "y"],
            "b": ["x", "y", "x", "y", "x", "x"],
            "c": [None, None, "x", "y", None, None],  # shares 2 units with each: too few
        }
    )

    by_rater = {row.rater: row for row in pairwise_kappa(ratings)}

    assert by_rater["c"].kappa is None
    assert by_rater["c"].units_shared == 2
    # a vs b: p_o = 5/6, p_e = (1/2)(4/6) + (1/2)(2/6) = 1/2 -> kappa = 2/3; c is left out.
    assert by_rater["a"].kappa == pytest.approx(2 / 3)


def test_summary_gives_cohen_only_for_exactly_two_raters_and_skips_single_answers():
    two = ratings_from_columns({"a": ["x", "y", "x", None], "b": ["x", "y", "y", None]})
    three = ratings_from_columns({"a": ["x", "y"], "b": ["x", "y"], "c": ["x", "x"]})
    lonely = ratings_from_columns({"a": ["x", "y"], "b": [None, None]})

    two_summary = agreement_summary(two)
    three_summary = agreement_summary(three)

    assert (two_summary.units_compared, two_summary.raters) == (3, 2)
    assert two_summary.cohen_kappa == pytest.approx(cohen_kappa(["x", "y", "x"], ["x", "y", "y"]))
    assert two_summary.percent_agreement == pytest.approx(2 / 3)
    assert three_summary.cohen_kappa is None
    assert three_summary.fleiss_kappa is not None
    assert agreement_summary(lonely).units_compared == 0
    assert agreement_summary(lonely).percent_agreement is None


# --- the training label of an item several people labeled ---------------------------------------


def test_majority_labels_takes_the_set_most_people_gave():
    assert majority_labels([(1, ["spam"]), (2, ["ham"]), (3, ["spam"])]) == ["spam"]


def test_majority_labels_breaks_a_tie_with_the_most_recent_answer():
    assert majority_labels([(1, ["spam"]), (2, ["ham"])]) == ["ham"]
    assert majority_labels([(5, ["spam"]), (2, ["ham"]), (3, ["ham"]), (4, ["spam"])]) == ["spam"]


def test_majority_labels_counts_label_sets_regardless_of_order():
    votes = [(1, ["a", "b"]), (2, ["c"]), (3, ["b", "a"])]

    assert majority_labels(votes) == ["b", "a"]
    assert majority_labels([]) == []
