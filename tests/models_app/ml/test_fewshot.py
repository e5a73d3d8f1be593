"""The few-shot model: pairs from labels, contrastive fine-tuning within a budget, the artifact.

The fine-tuning tests train the packaged MiniLM for real on SMS spam (about a minute on a busy
two-core machine, one torch thread): they skip without the model or the dataset.
"""

import numpy as np
import pytest

from models_app.ml.classifiers.fit import NotEnoughLabels, fit_classifier
from models_app.ml.fewshot import (
    EMBEDDER_PREFIX,
    FewShotModel,
    contrastive_pairs,
    fine_tune_encoder,
    fit_few_shot,
)
from models_app.ml.intervals import binary_auc
from tests.factories.intake import sms_rows
from tests.skips import dataset

CLASSES = ["ham", "spam"]


# --------------------------------------------------------------------------------------------
# Pairs
# --------------------------------------------------------------------------------------------


def test_pairs_are_half_same_label_and_half_different_in_every_prefix():
    keys = ["spam"] * 5 + ["ham"] * 20
    pairs = contrastive_pairs(keys, max_pairs=100, seed=3)
    assert pairs.shape == (100, 3)
    same = np.array([keys[a] == keys[b] for a, b, _ in pairs])
    assert np.array_equal(same, pairs[:, 2] == 1)
    assert same[0::2].all()
    assert not same[1::2].any()
    assert (pairs[:, 0] != pairs[:, 1]).all()


def test_pairs_are_distinct_until_a_kind_runs_out_then_repeat():
    keys = ["a", "a", "b", "b"]  # 2 same pairs and 4 different ones exist
    pairs = contrastive_pairs(keys, max_pairs=8, seed=0)
    unordered = [tuple(sorted(p[:2])) for p in pairs]
    assert len(set(unordered[1::2])) == 4  # every different pair once
    assert sorted(set(unordered[0::2])) == [(0, 1), (2, 3)]  # both same pairs, twice


def test_pairs_depend_only_on_the_seed():
    keys = list("abcabcabcabc")
    assert np.array_equal(
        contrastive_pairs(keys, max_pairs=20, seed=7), contrastive_pairs(keys, max_pairs=20, seed=7)
    )
    assert not np.array_equal(
        contrastive_pairs(keys, max_pairs=20, seed=7), contrastive_pairs(keys, max_pairs=20, seed=8)
    )


def test_no_pairs_from_a_single_label():
    assert contrastive_pairs(["spam"] * 6, max_pairs=10).shape == (0, 3)


def test_fine_tuning_refuses_labels_of_one_kind():
    with pytest.raises(NotEnoughLabels):
        fine_tune_encoder(["a", "b"], ["spam", "spam"], budget_seconds=1)


# --------------------------------------------------------------------------------------------
# Fine-tuning on real data
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sms_split(minilm):
    """16 labeled SMS (4 spam, 12 ham) and 300 held-out ones (stratified), seeded."""
    rows = sms_rows(dataset("sms_spam_collection.tsv"))
    rng = np.random.default_rng(0)
    spam = [i for i, (label, _) in enumerate(rows) if label == "spam"]
    ham = [i for i, (label, _) in enumerate(rows) if label == "ham"]
    train = list(rng.choice(spam, 4, replace=False)) + list(rng.choice(ham, 12, replace=False))
    rest_spam = np.setdiff1d(spam, train)
    rest_ham = np.setdiff1d(ham, train)
    held = list(rng.choice(rest_spam, 60, replace=False)) + list(
        rng.choice(rest_ham, 240, replace=False)
    )
    pick = lambda idx: ([rows[i][1] for i in idx], [rows[i][0] for i in idx])  # noqa: E731
    return pick(train), pick(held)


@pytest.fixture(scope="module")
def few_shot(sms_split):
    (texts, labels), _ = sms_split
    return fit_few_shot(
        texts,
        [[label] for label in labels],
        classes=CLASSES,
        task_type="binary",
        budget_seconds=60,
        seed=0,
        threads=1,
        max_pairs=320,
    )


def separation(matrix: np.ndarray, labels: list[str]) -> float:
    """Mean cosine of same-label pairs minus that of different-label pairs."""
    y = np.array(labels) == "spam"
    cosine = matrix @ matrix.T
    off_diagonal = ~np.eye(len(y), dtype=bool)
    same = (y[:, None] == y[None, :]) & off_diagonal
    different = y[:, None] != y[None, :]
    return float(cosine[same].mean() - cosine[different].mean())


def test_fine_tuning_on_16_labels_separates_held_out_spam_from_ham_better(
    minilm, sms_split, few_shot
):
    (texts, labels), (held_texts, held_labels) = sms_split
    frozen = minilm.embed(held_texts)
    tuned = few_shot.embedder.embed(held_texts)
    assert few_shot.training["steps"] >= 10
    assert separation(tuned, held_labels) > separation(frozen, held_labels) + 0.05

    truth = np.array(held_labels) == "spam"
    logistic = fit_classifier(
        minilm.embed(texts), [[label] for label in labels], classes=CLASSES, task_type="binary"
    )
    frozen_auc = binary_auc(truth, logistic.predict_proba(frozen)[:, 1])
    # The model's predictions are its head over the tuned vectors (checked on the first 40
    # texts; predicting all 300 embedded them a second time, about 20 s).
    assert np.allclose(
        few_shot.predict_proba(held_texts[:40]), few_shot.head.predict_proba(tuned[:40]), atol=1e-5
    )
    few_shot_auc = binary_auc(truth, few_shot.head.predict_proba(tuned)[:, 1])
    assert few_shot_auc >= frozen_auc - 0.01


def test_fine_tuning_stops_at_its_time_budget(sms_split):
    (texts, labels), _ = sms_split
    _, report = fine_tune_encoder(texts, labels, budget_seconds=6, threads=1, max_pairs=4000)
    assert report.stopped_by_budget
    assert 1 <= report.steps < report.pairs_available // 16
    assert report.seconds < 12


def test_the_artifact_gives_the_same_predictions_and_embedder_key(sms_split, few_shot):
    _, (held_texts, _) = sms_split
    data = few_shot.to_bytes()
    loaded = FewShotModel.from_bytes(data)
    assert loaded.embedder.key == few_shot.embedder.key
    assert loaded.embedder.key.startswith(EMBEDDER_PREFIX)
    assert loaded.embedder.key.endswith("@1")
    assert np.array_equal(
        loaded.predict_proba(held_texts[:40]), few_shot.predict_proba(held_texts[:40])
    )
    assert loaded.training == few_shot.training


def test_an_artifact_with_altered_weights_is_refused(few_shot):
    data = bytearray(few_shot.to_bytes())
    data[len(data) // 2] ^= 0xFF  # inside the encoder's weights
    with pytest.raises(ValueError, match="few-shot"):
        FewShotModel.from_bytes(bytes(data))


def test_the_fine_tuned_vectors_have_a_key_of_their_own(minilm, few_shot):
    assert few_shot.embedder.key != minilm.key
