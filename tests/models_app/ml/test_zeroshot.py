"""Zero-shot proposals from class prompts: probabilities, prompts and the cold start's head."""

import numpy as np
import pytest

from models_app.ml.zeroshot import (
    class_prompts,
    guideline_sentences,
    prior_adjust,
    zero_shot_head,
    zero_shot_proba,
    zero_shot_similarity,
)


def unit(rows) -> np.ndarray:
    matrix = np.asarray(rows, dtype=np.float32)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def test_items_get_the_class_whose_prompts_they_are_closest_to():
    prompts = unit([[1, 0, 0], [0.9, 0.1, 0], [0, 1, 0]])
    items = unit([[1, 0.05, 0], [0.1, 1, 0], [0.6, 0.5, 0.1]])

    proba = zero_shot_proba(items, prompts, np.array([0, 0, 1]), 2)

    assert proba.shape == (3, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert list(proba.argmax(axis=1)) == [0, 1, 0]
    # Near the boundary the proposal is unsure, far from it sure.
    assert proba[0, 0] > 0.95
    assert proba[1, 1] > 0.95
    assert proba[2, 0] < proba[0, 0]


def test_a_class_scores_the_mean_similarity_to_its_prompts():
    prompts = unit([[1, 0], [0, 1], [0, 1]])
    items = unit([[1, 0]])

    similarity = zero_shot_similarity(items, prompts, np.array([0, 0, 1]), 2)

    np.testing.assert_allclose(similarity, [[0.5, 0.0]], atol=1e-6)


def test_a_class_without_prompts_is_never_proposed():
    prompts = unit([[1, 0]])
    items = unit([[0, 1], [1, 1]])

    proba = zero_shot_proba(items, prompts, np.array([0]), 2)

    assert list(proba.argmax(axis=1)) == [0, 0]


def test_a_lower_temperature_makes_proposals_surer_without_changing_them():
    prompts = unit([[1, 0], [0, 1]])
    items = unit([[1, 0.8], [0.3, 1]])

    warm = zero_shot_proba(items, prompts, np.array([0, 1]), 2, temperature=1.0)
    cold = zero_shot_proba(items, prompts, np.array([0, 1]), 2, temperature=0.03)

    assert list(warm.argmax(axis=1)) == list(cold.argmax(axis=1))
    assert (cold.max(axis=1) > warm.max(axis=1)).all()
    with pytest.raises(ValueError, match="temperature"):
        zero_shot_proba(items, prompts, np.array([0, 1]), 2, temperature=0)


def test_vectors_of_different_widths_are_refused():
    with pytest.raises(ValueError, match="width"):
        zero_shot_similarity(unit([[1, 0]]), unit([[1, 0, 0]]), np.array([0]), 1)


GUIDELINES = """# Is this email spam?

Label each email **spam** when it is unsolicited bulk mail: advertising, scams, phishing,
"get rich" offers. Label it **ham** when it is mail a person would want: mailing-list
discussion.

* Newsletters are *ham* unless they are deceptive.
* Spam and ham are both common.
* When unsure, skip the item.
"""


def test_guidelines_split_into_plain_sentences():
    sentences = guideline_sentences(GUIDELINES)

    assert sentences[0] == "Is this email spam?"
    assert "Newsletters are ham unless they are deceptive." in sentences
    assert all("*" not in sentence and "#" not in sentence for sentence in sentences)


def test_prompts_are_the_described_name_and_the_sentences_that_name_only_that_class():
    texts, classes = class_prompts(
        names=["ham", "spam"], descriptions=["", "advertising and scams"], guidelines=GUIDELINES
    )

    by_class = {c: [t for t, k in zip(texts, classes, strict=True) if k == c] for c in (0, 1)}
    assert by_class[0][0] == "ham"
    assert "Newsletters are ham unless they are deceptive." in by_class[0]
    assert by_class[1][0] == "spam: advertising and scams"
    assert any(t.startswith("Label each email spam when") for t in by_class[1])
    # A sentence naming both classes says little about either; one naming none is left out.
    assert not any("both common" in t for t in texts)
    assert not any("unsure" in t for t in texts)
    # Whole words only: "spammer" would not count as naming "spam".
    texts, _ = class_prompts(names=["a", "b"], descriptions=["", ""], guidelines="A cat. Bob.")
    assert texts == ["a", "A cat.", "b"]


def test_guideline_sentences_per_class_are_capped():
    guidelines = " ".join(f"Example {n} is spam." for n in range(20))

    _texts, classes = class_prompts(
        names=["ham", "spam"], descriptions=["", ""], guidelines=guidelines, max_sentences=3
    )

    assert int((classes == 1).sum()) == 1 + 3  # the name, then three sentences


def two_clusters(rng, n_ham=90, n_spam=10):
    """Items around two directions; the prompts point at them."""
    ham = unit(np.array([1.0, 0, 0, 0]) + rng.normal(0, 0.3, (n_ham, 4)))
    spam = unit(np.array([0, 1.0, 0, 0]) + rng.normal(0, 0.3, (n_spam, 4)))
    items = np.vstack([ham, spam])
    prompts = unit([[1, 0, 0, 0], [0, 1, 0, 0]])
    return items, prompts


def test_head_puts_every_class_among_the_first_items_even_a_rare_one():
    rng = np.random.default_rng(0)
    items, prompts = two_clusters(rng)
    proba = zero_shot_proba(items, prompts, np.array([0, 1]), 2)
    # Diversity alone (here: the first rows, all of the common class) would start with ham.
    diverse = np.arange(20)

    head = zero_shot_head(proba, items, diverse, 20)

    assert len(head) == len(set(head.tolist())) == 20
    first_four_classes = {int(proba[row].argmax()) for row in head[:4]}
    assert first_four_classes == {0, 1}
    # Class picks and diversity picks alternate: class 0, diverse, class 1, diverse, ...
    assert head[1] == next(int(row) for row in diverse if row != head[0])
    assert set(diverse[:5].tolist()) <= set(head.tolist())


def test_head_skips_near_duplicates_of_chosen_items_for_class_picks():
    rng = np.random.default_rng(1)
    items, prompts = two_clusters(rng)
    # Ten copies of the same spam message: the class's best match, ten times over.
    items = np.vstack([items, np.repeat(unit([[0, 1, 0.01, 0]]), 10, axis=0)])
    proba = zero_shot_proba(items, prompts, np.array([0, 1]), 2)

    head = zero_shot_head(proba, items, np.arange(0, 100, 7), 20)

    copies = [row for row in head.tolist() if row >= 100]
    assert len(copies) <= 1


def test_head_is_bounded_by_the_pool_and_fills_up_when_candidates_run_out():
    items = unit([[1, 0], [1, 0], [1, 0]])
    proba = np.array([[0.9, 0.1]] * 3)

    head = zero_shot_head(proba, items, np.zeros(0, dtype=np.int64), 10)

    assert sorted(head.tolist()) == [0, 1, 2]
    assert zero_shot_head(proba[:0], items[:0], np.zeros(0, dtype=np.int64), 5).tolist() == []


def test_prior_adjustment_learns_that_one_class_is_rare_and_proposes_it_less():
    rng = np.random.default_rng(2)
    # 90 % of the pool is class 0; zero-shot leans towards class 1 for many of them.
    truth = rng.random(2000) < 0.1
    spam_score = np.where(truth, rng.normal(0.7, 0.15, 2000), rng.normal(0.45, 0.15, 2000))
    proba = np.column_stack([1 - spam_score.clip(0.01, 0.99), spam_score.clip(0.01, 0.99)])

    adjusted, shares = prior_adjust(proba)

    np.testing.assert_allclose(adjusted.sum(axis=1), 1.0)
    assert shares[1] < (proba[:, 1] > 0.5).mean()
    assert (adjusted[:, 1] > 0.5).mean() < (proba[:, 1] > 0.5).mean()
    accuracy = ((adjusted[:, 1] > 0.5) == truth).mean()
    assert accuracy > ((proba[:, 1] > 0.5) == truth).mean()
    # Same order within the class: ROC AUC cannot change.
    assert (
        np.argsort(adjusted[:, 1], kind="stable") == np.argsort(proba[:, 1], kind="stable")
    ).all()


def test_prior_adjustment_never_estimates_a_class_away():
    proba = np.array([[0.99, 0.01]] * 100)

    _adjusted, shares = prior_adjust(proba, floor=0.05)

    assert shares[1] >= 0.05 - 1e-9
