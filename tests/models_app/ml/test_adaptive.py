"""The ``adaptive`` strategy's choice of arm, measured on real SMS spam labels.

The texts are the SMS Spam Collection embedded with the ``hashing`` embedder (fast, no model
download; it separates spam from ham well enough to learn on). The situations are built from the
real labels: a clean pool, where asking about uncertain items pays, and a pool whose uncertain
items an annotator got wrong, where it does not.
"""

import time

import numpy as np
import pytest

from models_app.ml.adaptive import ADAPTIVE_MIN_LABELS, choose_arm
from models_app.ml.embedders.registry import get_embedder
from models_app.ml.strategies import Strategy
from tests.factories.intake import sms_rows
from tests.skips import dataset


@pytest.fixture(scope="module")
def sms():
    """(embeddings, spam 0/1) of 2,400 distinct SMS in a seeded order."""
    rows, seen = [], set()
    for label, text in sms_rows(dataset("sms_spam_collection.tsv")):
        if text not in seen:
            seen.add(text)
            rows.append((label, text))
    order = np.random.default_rng(7).permutation(len(rows))[:2400]
    texts = [rows[i][1] for i in order]
    y = np.asarray([rows[i][0] == "spam" for i in order], dtype=np.int64)
    return get_embedder("hashing").embed(texts), y


def split(sms, n_train=1000, n_dev=250):
    x, y = sms
    return x[:n_train], y[:n_train], x[n_train : n_train + n_dev], y[n_train : n_train + n_dev]


def test_chooses_random_when_the_uncertain_items_were_labeled_wrong(sms):
    x_train, y_train, x_dev, y_dev = split(sms)
    # A noisy annotator: the quarter of the pool nearest the decision boundary (where people
    # disagree) got the opposite label; the dev split was labeled carefully.
    from sklearn.linear_model import LogisticRegression

    margin = np.abs(
        LogisticRegression(max_iter=500).fit(x_train, y_train).decision_function(x_train)
    )
    hard = np.argsort(margin)[: len(y_train) // 4]
    noisy = y_train.copy()
    noisy[hard] = 1 - noisy[hard]

    choice = choose_arm(x_train, noisy, x_dev, y_dev, seed=3)

    assert choice.arm is Strategy.RANDOM
    assert choice.scores["random"] > max(choice.scores["entropy"], choice.scores["hybrid"])
    assert choice.reason.startswith("random measured best on 250 dev labels")


def test_chooses_an_uncertainty_arm_on_clean_labels_of_rare_spam(sms):
    x_train, y_train, x_dev, y_dev = split(sms)
    # Clean labels, spam one in ten: random picks are mostly easy ham, uncertain ones find spam.
    rows = np.concatenate([np.flatnonzero(y_train == 1)[:100], np.flatnonzero(y_train == 0)])

    choice = choose_arm(x_train[rows], y_train[rows], x_dev, y_dev, seed=3)

    assert choice.arm in (Strategy.HYBRID, Strategy.ENTROPY)
    assert choice.scores["random"] < min(choice.scores["entropy"], choice.scores["hybrid"])


def test_keeps_hybrid_without_enough_labels_to_measure(sms):
    x_train, y_train, x_dev, y_dev = split(sms)

    few_train = choose_arm(
        x_train[: ADAPTIVE_MIN_LABELS - 1], y_train[: ADAPTIVE_MIN_LABELS - 1], x_dev, y_dev
    )
    one_dev_class = choose_arm(x_train, y_train, x_dev[y_dev == 0], y_dev[y_dev == 0])

    assert few_train.arm is one_dev_class.arm is Strategy.HYBRID
    assert f"fewer than {ADAPTIVE_MIN_LABELS} to replay" in few_train.reason
    assert "dev labels in each of two classes" in one_dev_class.reason
    assert few_train.scores == one_dev_class.scores == {}


def test_same_seed_same_choice_and_quick_at_two_thousand_labels(sms):
    x, y = sms
    started = time.perf_counter()
    first = choose_arm(x[:2000], y[:2000], x[2000:], y[2000:], seed=11)
    seconds = time.perf_counter() - started

    assert choose_arm(x[:2000], y[:2000], x[2000:], y[2000:], seed=11) == first
    assert (first.labels, first.dev_labels) == (2000, 400)
    assert seconds < 5, f"choosing took {seconds:.1f} s"
