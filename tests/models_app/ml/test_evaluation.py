"""The full evaluation report against hand-computed worked examples (models_app.ml.evaluation).

The example: ten held-out texts, classes ham / spam, the model's probability of spam below;
worked out by hand in the comments (thresholds 0.5 by the top class).
"""

import numpy as np
import pytest

from models_app.ml.evaluation import (
    MISSING,
    OTHER,
    evaluation_report,
    operating_point,
    pr_curve,
    slice_deltas,
    slice_values_capped,
    text_length_bucket,
)

SPAM = [0.92, 0.83, 0.71, 0.64, 0.36, 0.27, 0.18, 0.12, 0.96, 0.55]
TRUTH = ["spam", "spam", "ham", "spam", "spam", "ham", "ham", "ham", "spam", "ham"]
LANG = ["en", "en", "en", "en", "en", "fr", "fr", "fr", None, None]
CLASSES = ["ham", "spam"]


def _report(**kwargs):
    proba = np.column_stack([1 - np.asarray(SPAM), SPAM])
    return evaluation_report(
        proba,
        [[t] for t in TRUTH],
        classes=CLASSES,
        task_type="binary",
        slices={"lang": LANG},
        **kwargs,
    )


def test_per_class_scores_match_the_hand_worked_example():
    report = _report()
    # Predicted spam: rows 0,1,2,3,8,9 (6); true spam: 0,1,3,4,8 (5); both: 0,1,3,8 (4).
    spam = report["per_class"][1]
    assert (spam["support"], spam["predicted"], spam["true_positives"]) == (5, 6, 4)
    assert spam["precision"]["value"] == pytest.approx(4 / 6, abs=1e-4)
    assert spam["recall"]["value"] == pytest.approx(4 / 5, abs=1e-4)
    assert spam["f1"]["value"] == pytest.approx(8 / 11, abs=1e-4)
    # Ham: true 2,5,6,7,9 (5); predicted 4,5,6,7 (4); both 5,6,7 (3).
    ham = report["per_class"][0]
    assert ham["precision"]["value"] == pytest.approx(3 / 4, abs=1e-4)
    assert ham["recall"]["value"] == pytest.approx(3 / 5, abs=1e-4)
    assert ham["f1"]["value"] == pytest.approx(2 / 3, abs=1e-4)
    assert report["f1_macro"]["value"] == pytest.approx((8 / 11 + 2 / 3) / 2, abs=1e-4)
    assert report["confusion_matrix"] == [[3, 2], [1, 4]]
    # 7 of 10 right: the Wilson 95 % interval of 7/10 is [0.3968, 0.8922].
    assert report["accuracy"] == {"value": 0.7, "low": 0.3968, "high": 0.8922}
    for row in report["per_class"]:
        for name in ("precision", "recall", "f1"):
            assert row[name]["low"] <= row[name]["value"] <= row[name]["high"]


def test_reliability_bins_ece_and_brier_match_the_hand_worked_example():
    calibration = _report()["calibration"]
    bins = {b["lower"]: b for b in calibration["bins"] if b["count"]}
    # Top-class confidences: .92 .83 .71 .64 .64 .73 .82 .88 .96 .55; wrong: rows 2, 4, 9.
    assert {k: b["count"] for k, b in bins.items()} == {0.5: 1, 0.6: 2, 0.7: 2, 0.8: 3, 0.9: 2}
    assert bins[0.6]["confidence"] == pytest.approx(0.64)
    assert bins[0.6]["accuracy"]["value"] == 0.5
    assert bins[0.8]["confidence"] == pytest.approx(0.8433, abs=1e-4)
    assert bins[0.8]["accuracy"]["value"] == 1.0
    assert bins[0.5]["accuracy"]["value"] == 0.0
    # ECE = (1·.55 + 2·.14 + 2·.22 + 3·.15667 + 2·.06) / 10 = 0.186.
    assert calibration["ece"]["value"] == pytest.approx(0.186, abs=1e-4)
    # Brier = mean of (p(spam) - y)² = 1.5024 / 10.
    assert calibration["brier"]["value"] == pytest.approx(0.15024, abs=1e-4)
    for name in ("ece", "brier"):
        assert calibration[name]["low"] <= calibration[name]["value"] <= calibration[name]["high"]


def test_precision_recall_curve_and_average_precision_match_the_hand_worked_example():
    curve = _report()["pr_curves"][1]
    assert curve["name"] == "spam"
    # By score: T T T F T F T F F F → precision 1 1 1 .75 .8 .667 .714 .625 .556 .5.
    assert [p[:2] for p in curve["points"]][:5] == [
        [0.2, 1.0],
        [0.4, 1.0],
        [0.6, 1.0],
        [0.6, 0.75],
        [0.8, 0.8],
    ]
    # AP = .2·1 + .2·1 + .2·1 + .2·.8 + .2·(5/7).
    assert curve["average_precision"] == pytest.approx(0.6 + 0.16 + 0.2 * 5 / 7, abs=1e-4)


def test_precision_recall_curve_is_downsampled_to_101_points_with_both_ends():
    rng = np.random.default_rng(3)
    score = rng.random(5000)
    truth = rng.random(5000) < score
    curve = pr_curve(truth, score)
    assert len(curve["points"]) <= 101
    assert curve["points"][-1][0] == 1.0  # the lowest threshold admits every positive
    assert pr_curve(np.zeros(4, dtype=bool), np.arange(4.0))["average_precision"] is None


def test_operating_point_shares_precision_and_recall_match_the_hand_worked_example():
    # Remove at ≥ .8: rows 8, 0, 1 (all spam); allow at ≤ .2: rows 6, 7 (both ham).
    point = operating_point(
        np.asarray(SPAM)[:, None],
        np.asarray(TRUTH) == "spam",
        remove=[0.8],
        allow=[0.2],
    )
    assert point["removed"]["value"] == 0.3
    assert point["allowed"]["value"] == 0.2
    assert point["to_people"]["value"] == 0.5
    assert point["remove_precision"]["value"] == 1.0
    assert point["remove_recall"]["value"] == 0.6
    assert point["allow_precision"]["value"] == 1.0
    assert point["allow_recall"]["value"] == 0.4
    # Three of three is not certainty: Wilson's lower bound of 3/3 is 0.4385.
    assert point["remove_precision"]["low"] == pytest.approx(0.4385, abs=1e-4)


def test_policy_operating_points_name_unknown_classes_and_combine_categories():
    report = _report(
        policies=[
            {
                "id": 7,
                "name": "Spam policy",
                "categories": [
                    {
                        "name": "Spam",
                        "label_class": "spam",
                        "remove_threshold": 0.8,
                        "allow_threshold": 0.2,
                    },
                    {
                        "name": "Scam",
                        "label_class": "scam",
                        "remove_threshold": 0.9,
                        "allow_threshold": 0.1,
                    },
                ],
            }
        ]
    )
    (point,) = report["operating_points"]
    assert point["unknown_classes"] == ["scam"]
    assert [c["name"] for c in point["categories"]] == ["Spam"]
    assert point["combined"]["removed"]["value"] == 0.3


def test_slices_report_rates_gaps_and_the_worst_value_by_hand():
    slices = _report(min_support=2)["slices"]
    (lang,) = slices["fields"]
    by_value = {v["value"]: v for v in lang["values"]}
    assert list(by_value) == ["en", "fr", MISSING]
    en = by_value["en"]
    # en: truth S S H S S, predicted S S S S H.
    assert en["support"] == 5
    assert en["accuracy"]["value"] == 0.6
    assert en["f1_macro"]["value"] == pytest.approx(0.375)
    assert en["fpr"]["value"] == 1.0  # its one ham is called spam
    assert en["fnr"]["value"] == 0.25
    assert en["rest_fpr"]["value"] == 0.25  # rows 5-9: row 9 of four ham
    assert en["fpr_gap"] == 0.75
    assert en["fnr_gap"] == 0.25
    assert by_value["fr"]["fnr"]["value"] is None  # no spam in French
    assert by_value[MISSING]["f1_macro"]["value"] == pytest.approx(1 / 3, abs=1e-4)
    assert lang["worst"] == MISSING
    assert by_value[MISSING]["worst"]
    assert slices["worst"][0]["value"] == MISSING
    # With at least 3 items needed, the two unknown-language items cannot be the worst.
    assert _report(min_support=3)["slices"]["fields"][0]["worst"] == "en"


def test_slice_values_are_capped_with_the_rest_pooled():
    values = ["a", "a", "a", "b", "b", "c", "d", None]
    assert slice_values_capped(values, cap=3) == ["a", "a", "a", "b", "b", OTHER, OTHER, OTHER]
    assert slice_values_capped(values, cap=10)[-1] == MISSING


def test_text_length_buckets():
    assert [text_length_bucket(n) for n in (0, 49, 50, 199, 200, 500, None)] == [
        "0-49",
        "0-49",
        "50-99",
        "100-199",
        "200-499",
        "500+",
        None,
    ]


def test_slice_deltas_flag_a_slice_hurt_while_overall_improves():
    older = {
        "values": [
            {
                "value": "en",
                "support": 30,
                "enough_support": True,
                "f1_macro": {"value": 0.8},
                "accuracy": {"value": 0.9},
            }
        ]
    }
    newer = {
        "values": [
            {
                "value": "en",
                "support": 30,
                "enough_support": True,
                "f1_macro": {"value": 0.7},
                "accuracy": {"value": 0.85},
            }
        ]
    }
    (delta,) = slice_deltas(older, newer, overall_delta=0.03)
    assert delta["f1_macro_delta"] == pytest.approx(-0.1)
    assert delta["regression"]
    assert not slice_deltas(older, newer, overall_delta=-0.01)[0]["regression"]


def test_multiclass_and_multilabel_reports_are_consistent():
    proba = np.asarray([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4], [0.2, 0.5, 0.3]])
    report = evaluation_report(
        proba, [["a"], ["b"], ["c"], ["c"]], classes=["a", "b", "c"], task_type="multiclass"
    )
    assert report["accuracy"]["value"] == 0.75
    assert report["confusion_matrix"] == [[1, 0, 0], [0, 1, 0], [0, 1, 1]]
    # Brier: Σ over classes of (p - y)², averaged: (.14 + .06 + .54 + .78) / 4.
    assert report["calibration"]["brier"]["value"] == pytest.approx(1.52 / 4, abs=1e-4)
    multilabel = evaluation_report(
        proba, [["a"], ["b", "c"], ["c"], []], classes=["a", "b", "c"], task_type="multilabel"
    )
    assert multilabel["confusion_matrix"] is None
    assert multilabel["n"] == 4
