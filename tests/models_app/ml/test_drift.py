"""Drift measures against worked examples computed by hand."""

import math

import numpy as np
import pytest

from models_app.ml.drift import (
    DriftMeasures,
    DriftThresholds,
    bin_shares,
    domain_auc,
    drift_alarms,
    label_mix_psi,
    overturn_share,
    psi,
    quantile_edges,
    score_psi,
    total_variation,
)

# 0.5/0.5 against 0.8/0.2: (0.8-0.5) ln(0.8/0.5) + (0.2-0.5) ln(0.2/0.5)
# = 0.3 * 0.4700036 + 0.3 * 0.9162907 = 0.4158883
PSI_50_50_VS_80_20 = 0.3 * math.log(1.6) + 0.3 * math.log(2.5)


def test_psi_of_a_worked_example():
    assert pytest.approx(0.4158883, abs=1e-7) == PSI_50_50_VS_80_20
    assert psi([0.5, 0.5], [0.8, 0.2]) == pytest.approx(PSI_50_50_VS_80_20)
    assert psi([0.25] * 4, [0.25] * 4) == 0.0


def test_psi_counts_an_empty_bin_as_epsilon_and_stays_finite():
    # (1 - 0.5) ln(1 / 0.5) + (1e-4 - 0.5) ln(1e-4 / 0.5) = 0.3465736 + 4.2577453
    assert psi([0.5, 0.5], [1.0, 0.0]) == pytest.approx(4.6043189, abs=1e-6)
    assert psi([0.5, 0.5], [1.0, 0.0], epsilon=0.01) == pytest.approx(
        0.5 * math.log(2) + (0.01 - 0.5) * math.log(0.01 / 0.5)
    )


def test_score_bins_are_the_reference_quantiles():
    reference = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
    # The median of 0.1 .. 1.0 (linear interpolation) is 0.55.
    assert quantile_edges(reference, bins=2) == pytest.approx([0.55])
    assert quantile_edges(reference, bins=10) == pytest.approx(
        [0.19, 0.28, 0.37, 0.46, 0.55, 0.64, 0.73, 0.82, 0.91]
    )
    assert bin_shares(reference, np.array([0.55])) == pytest.approx([0.5, 0.5])
    # Ties merge edges: a model that scores most items 0 has fewer, never empty, bins.
    assert quantile_edges([0, 0, 0, 0, 0, 0, 0, 0, 1, 1], bins=5) == pytest.approx([0.0, 0.2])


def test_score_psi_of_a_worked_example():
    reference = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
    window = [0.1, 0.2, 0.3, 0.4, 0.6]  # 4 of 5 at or below the median 0.55
    assert score_psi(reference, window, bins=2) == pytest.approx(PSI_50_50_VS_80_20)
    assert score_psi(reference, reference, bins=10) == pytest.approx(0.0)


def test_label_mix_psi_and_total_variation_of_a_worked_example():
    reference = ["ham"] * 8 + ["spam"] * 2
    window = ["ham"] * 5 + ["spam"] * 5
    # 0.8/0.2 against 0.5/0.5: the same terms as PSI_50_50_VS_80_20, swapped.
    assert label_mix_psi(reference, window, ["ham", "spam"]) == pytest.approx(PSI_50_50_VS_80_20)
    assert total_variation(reference, window, ["ham", "spam"]) == pytest.approx(0.3)
    # A class the window never predicts counts as epsilon: 3 classes, the third absent in both.
    assert label_mix_psi(reference, window, ["ham", "spam", "other"]) == pytest.approx(
        PSI_50_50_VS_80_20
    )


def test_domain_auc_is_near_one_half_without_drift_and_near_one_with_it():
    rng = np.random.default_rng(7)
    reference = rng.normal(size=(600, 16))
    same = rng.normal(size=(300, 16))
    shifted = rng.normal(size=(300, 16)) + np.array([1.5] + [0.0] * 15)

    assert domain_auc(reference, same) == pytest.approx(0.5, abs=0.08)
    assert domain_auc(reference, shifted) > 0.8
    assert domain_auc(reference, reference[:300] + 10) == pytest.approx(1.0)
    # Seeded: the same rows give the same AUC.
    assert domain_auc(reference, shifted) == domain_auc(reference, shifted)


def test_domain_auc_samples_at_most_max_per_side_and_needs_enough_rows():
    rng = np.random.default_rng(1)
    assert domain_auc(rng.normal(size=(19, 4)), rng.normal(size=(100, 4))) is None
    big = rng.normal(size=(5_000, 4))
    value = domain_auc(big, big[:200] + 5, max_per_side=300)
    assert value == pytest.approx(1.0)


def test_overturn_share():
    assert overturn_share(accepted=3, overturned=1) == 0.25
    assert overturn_share(accepted=0, overturned=0) is None


def test_alarms_name_the_measures_above_their_thresholds():
    thresholds = DriftThresholds(
        score_psi=0.2, label_mix_psi=0.2, domain_auc=0.7, overturn_share=0.3,
        min_items=100, min_decisions=10,
    )  # fmt: skip
    window = DriftMeasures(
        items=150, score_psi=0.41, label_mix_psi=0.1, domain_auc=0.71, overturn_share=0.5,
        decisions=12,
    )  # fmt: skip
    assert drift_alarms(window, thresholds) == ["score_psi", "domain_auc", "overturn_share"]
    # At the threshold is not above it.
    at = DriftMeasures(items=150, score_psi=0.2, domain_auc=0.7)
    assert drift_alarms(at, thresholds) == []
    # Too small a window raises nothing; too few decisions leave the overturn share out.
    assert drift_alarms(DriftMeasures(items=99, score_psi=9.0), thresholds) == []
    few = DriftMeasures(items=150, overturn_share=0.9, decisions=9)
    assert drift_alarms(few, thresholds) == []
    # Unmeasured (None) never alarms.
    assert drift_alarms(DriftMeasures(items=500), thresholds) == []


def test_model_scores_are_the_positive_probability_or_the_top_one():
    from models_app.ml.drift import model_scores

    binary = np.array([[0.9, 0.1], [0.2, 0.8]])
    assert model_scores(["ham", "spam"], binary)[0] == pytest.approx([0.1, 0.8])
    assert model_scores(["ham", "spam"], binary)[1] == ["ham", "spam"]
    three = np.array([[0.2, 0.5, 0.3], [0.6, 0.3, 0.1]])
    scores, labels = model_scores(["a", "b", "c"], three)
    assert scores == pytest.approx([0.5, 0.6])
    assert labels == ["b", "a"]
