"""The full evaluation of a model version on its held-out items: per-class scores, calibration,
precision-recall curves, operating points of (remove, allow) thresholds, and slices.

Every headline number comes as ``{"value", "low", "high"}``, a 95 % interval: Wilson for
proportions (precision, recall, accuracy, shares, error rates), a seeded percentile bootstrap
over the items for F1, ECE and the Brier score. Everything returned is plain JSON.

Conventions (the same for every task type):
- ``truth`` and ``predicted`` are (n, k) booleans. Binary and multiclass: one true class per row
  and the prediction is the most probable class; multilabel: a class is predicted at 0.5.
- *Positive* classes, whose false-positive and false-negative rates the slice view compares,
  are ``classes[1]`` for a binary task (the class the ROC AUC is of) and every class otherwise;
  with several, the counts are pooled over the classes (micro rates).
- Brier score: binary, the mean of (p(classes[1]) - y)²; multiclass, the mean over rows of the
  sum over classes of (p - y)²; multilabel, the mean over (row, class) pairs of (p - y)².
- Reliability: single-label rows by their top probability and whether the top class is right;
  multilabel, every (row, class) pair by max(p, 1 - p) and whether the 0.5 decision is right.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from models_app.ml.intervals import f1_from_predictions, wilson_interval

RELIABILITY_BINS = 10
PR_MAX_POINTS = 101
# A slice value needs this many held-out items to be ranked among the worst (smaller ones are
# still listed, with their wide intervals, but never called the worst).
MIN_SLICE_SUPPORT = 20
# The most frequent slice values kept per field; the rest are pooled as OTHER.
MAX_SLICE_VALUES = 12
OTHER = "(other)"
MISSING = "(missing)"
SLICE_BOOTSTRAP_RESAMPLES = 200
EVALUATION_SCHEMA = 1


def metric(value: float | None, interval: tuple[float, float] | None) -> dict[str, Any]:
    """A number with its 95 % interval, rounded to four places."""
    return {
        "value": None if value is None else round(float(value), 4),
        "low": None if interval is None else round(interval[0], 4),
        "high": None if interval is None else round(interval[1], 4),
    }


def proportion(successes: int, n: int) -> dict[str, Any]:
    """``successes / n`` with its Wilson interval (None when ``n`` is 0)."""
    return metric(successes / n if n else None, wilson_interval(successes, n) if n else None)


# --- bootstrap ------------------------------------------------------------------------------

# Resampled rows held in memory at once (resamples x items), so a large held-out set stays small.
BOOTSTRAP_CELLS = 2_000_000


def bootstrap_sums(columns: np.ndarray, *, resamples: int, seed: int) -> np.ndarray:
    """Column sums of ``columns`` (n, m) over ``resamples`` bootstrap resamples of its rows:
    (resamples, m). Each resample is drawn as row counts and summed as one matrix product, so
    a thousand resamples of thousands of items take milliseconds, not a Python loop each."""
    columns = np.asarray(columns, dtype=np.float64).reshape(len(columns), -1)
    n = len(columns)
    rng = np.random.default_rng(seed)
    step = max(1, BOOTSTRAP_CELLS // max(n, 1))
    parts = []
    for start in range(0, resamples, step):
        size = min(step, resamples - start)
        rows = rng.integers(0, n, size=(size, n)) + (np.arange(size) * n)[:, None]
        counts = np.bincount(rows.ravel(), minlength=size * n).reshape(size, n)
        parts.append(counts @ columns)
    return np.vstack(parts) if parts else np.zeros((0, columns.shape[1]))


def percentile_interval(values: np.ndarray) -> tuple[float, float] | None:
    """The 95 % percentile interval of the defined (not NaN) values; None if there are none."""
    values = np.asarray(values, dtype=np.float64)
    values = values[~np.isnan(values)]
    if not len(values):
        return None
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high)


def _f1_from_sums(tp: np.ndarray, t: np.ndarray, p: np.ndarray) -> np.ndarray:
    denominator = t + p
    return np.divide(2 * tp, denominator, out=np.zeros_like(denominator), where=denominator > 0)


def bootstrap_f1(
    truth: np.ndarray, predicted: np.ndarray, *, resamples: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per resample: each class's F1 (resamples, k) and the macro F1 over the classes present
    in the resample's truth or predictions (resamples,), NaN when none is."""
    k = truth.shape[1]
    sums = bootstrap_sums(
        np.hstack([truth & predicted, truth, predicted]), resamples=resamples, seed=seed
    )
    tp, t, p = sums[:, :k], sums[:, k : 2 * k], sums[:, 2 * k :]
    f1 = _f1_from_sums(tp, t, p)
    present = (t + p) > 0
    count = present.sum(axis=1)
    macro = np.divide(
        (f1 * present).sum(axis=1),
        count,
        out=np.full(len(f1), np.nan),
        where=count > 0,
    )
    return f1, macro


# --- decisions -----------------------------------------------------------------------------


def decisions(
    proba: np.ndarray, labels: Sequence[Sequence[str]], *, classes: list[str], task_type: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(rows, proba, truth, predicted)`` of the usable rows: single-label rows need a label in
    ``classes`` (their first such name counts); every multilabel row counts."""
    proba = np.asarray(proba, dtype=np.float64)
    if proba.ndim != 2 or proba.shape != (len(labels), len(classes)):
        raise ValueError(f"proba has shape {proba.shape}; expected ({len(labels)}, {len(classes)})")
    index = {name: j for j, name in enumerate(classes)}
    k = len(classes)
    if task_type == "multilabel":
        truth = np.zeros(proba.shape, dtype=bool)
        for row, names in enumerate(labels):
            for name in _names(names):
                if name in index:
                    truth[row, index[name]] = True
        return np.arange(len(labels)), proba, truth, proba >= 0.5
    if task_type not in ("binary", "multiclass"):
        raise ValueError(f"unknown task type {task_type!r}")
    rows, targets = [], []
    for row, names in enumerate(labels):
        known = next((index[name] for name in _names(names) if name in index), None)
        if known is not None:
            rows.append(row)
            targets.append(known)
    kept = np.asarray(rows, dtype=np.int64)
    proba = proba[kept] if len(kept) else np.zeros((0, k))
    truth = np.eye(k, dtype=bool)[np.asarray(targets, dtype=np.int64)]
    predicted = np.eye(k, dtype=bool)[proba.argmax(axis=1)] if len(kept) else truth.copy()
    return kept, proba, truth.reshape(-1, k), predicted.reshape(-1, k)


def positive_columns(classes: list[str], task_type: str) -> list[int]:
    """The classes whose false-positive / false-negative rates are compared between slices."""
    return [1] if task_type == "binary" and len(classes) == 2 else list(range(len(classes)))


# --- per class ----------------------------------------------------------------------------


def per_class_scores(
    truth: np.ndarray,
    predicted: np.ndarray,
    *,
    classes: list[str],
    resamples: int = 1000,
    seed: int = 0,
) -> list[dict[str, Any]]:
    """Per class: ``support`` (true rows), ``predicted`` (predicted rows), ``true_positives``,
    ``precision`` and ``recall`` (Wilson), ``f1`` (bootstrap over rows, ``resamples``)."""
    n = len(truth)
    f1_resampled = (
        bootstrap_f1(truth, predicted, resamples=resamples, seed=seed)[0]
        if n and resamples
        else None
    )
    out = []
    for j, name in enumerate(classes):
        t, p = truth[:, j], predicted[:, j]
        tp = int(np.count_nonzero(t & p))
        support, guessed = int(t.sum()), int(p.sum())
        f1 = f1_from_predictions(t, p) if n else None
        interval = percentile_interval(f1_resampled[:, j]) if f1_resampled is not None else None
        out.append(
            {
                "name": name,
                "support": support,
                "predicted": guessed,
                "true_positives": tp,
                "precision": proportion(tp, guessed),
                "recall": proportion(tp, support),
                "f1": metric(f1, interval),
            }
        )
    return out


def macro_f1(truth: np.ndarray, predicted: np.ndarray) -> float | None:
    """The mean F1 over classes present in the truth or the predictions (scikit-learn's
    default macro average); None with no rows."""
    present = truth.any(axis=0) | predicted.any(axis=0)
    scores = [f1_from_predictions(truth[:, j], predicted[:, j]) for j in np.flatnonzero(present)]
    return float(np.mean(scores)) if scores else None


def correct_rows(truth: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    """Rows whose prediction is right (multilabel: every class right, exact match)."""
    return (truth == predicted).all(axis=1)


# --- calibration ---------------------------------------------------------------------------


def confidence_and_correct(
    proba: np.ndarray, truth: np.ndarray, predicted: np.ndarray, *, task_type: str
) -> tuple[np.ndarray, np.ndarray]:
    if task_type == "multilabel":
        confidence = np.maximum(proba, 1 - proba).ravel()
        return confidence, (truth == predicted).ravel()
    return proba.max(axis=1) if len(proba) else np.zeros(0), correct_rows(truth, predicted)


def _bin_of(confidence: np.ndarray, bins: int) -> np.ndarray:
    # Bins are (i/bins, (i+1)/bins], with 0 itself in the first one (as metrics.ece).
    return np.clip(np.ceil(confidence * bins).astype(np.int64) - 1, 0, bins - 1)


def reliability_bins(
    confidence: np.ndarray, correct: np.ndarray, *, bins: int = RELIABILITY_BINS
) -> list[dict[str, Any]]:
    """Equal-width confidence bins: ``lower``, ``upper``, ``count``, ``confidence`` (mean) and
    ``accuracy`` (share right, None in an empty bin) with its Wilson interval."""
    which = _bin_of(confidence, bins)
    out = []
    for b in range(bins):
        inside = which == b
        count = int(inside.sum())
        right = int(np.count_nonzero(correct[inside]))
        out.append(
            {
                "lower": round(b / bins, 4),
                "upper": round((b + 1) / bins, 4),
                "count": count,
                "confidence": round(float(confidence[inside].mean()), 4) if count else None,
                "accuracy": proportion(right, count),
            }
        )
    return out


def ece_value(
    confidence: np.ndarray, correct: np.ndarray, *, bins: int = RELIABILITY_BINS
) -> float:
    """Expected calibration error: the count-weighted mean |accuracy - confidence| over bins."""
    if confidence.size == 0:
        return 0.0
    which = _bin_of(confidence, bins)
    gap = np.bincount(which, weights=correct.astype(np.float64) - confidence, minlength=bins)
    return float(np.abs(gap).sum() / confidence.size)


def brier_losses(proba: np.ndarray, truth: np.ndarray, *, task_type: str) -> np.ndarray:
    """Each row's Brier loss (see the module docstring for the convention per task type)."""
    y = truth.astype(np.float64)
    if task_type == "binary" and proba.shape[1] == 2:
        return (proba[:, 1] - y[:, 1]) ** 2
    if task_type == "multilabel":
        return ((proba - y) ** 2).mean(axis=1)
    return ((proba - y) ** 2).sum(axis=1)


def calibration(
    proba: np.ndarray,
    truth: np.ndarray,
    predicted: np.ndarray,
    *,
    task_type: str,
    resamples: int = 1000,
    seed: int = 0,
) -> dict[str, Any]:
    """Reliability ``bins``, ``ece`` and ``brier`` with bootstrap intervals (over rows)."""
    n = len(proba)
    confidence, correct = confidence_and_correct(proba, truth, predicted, task_type=task_type)
    losses = brier_losses(proba, truth, task_type=task_type) if n else np.zeros(0)
    ece_interval = brier_interval = None
    if n and resamples:
        # Per row, its pairs' (right - confidence) summed per bin (one pair per row unless
        # multilabel): a resample's ECE is then |sum per bin| / pairs, from column sums.
        per_row = len(confidence) // n
        bins_of = _bin_of(confidence, RELIABILITY_BINS).reshape(n, per_row)
        gaps = (correct.astype(np.float64) - confidence).reshape(n, per_row)
        by_bin = np.zeros((n, RELIABILITY_BINS))
        for j in range(per_row):
            np.add.at(by_bin, (np.arange(n), bins_of[:, j]), gaps[:, j])
        sums = bootstrap_sums(np.column_stack([by_bin, losses]), resamples=resamples, seed=seed)
        ece_interval = percentile_interval(np.abs(sums[:, :-1]).sum(axis=1) / (n * per_row))
        brier_interval = percentile_interval(sums[:, -1] / n)
    return {
        "bins": reliability_bins(confidence, correct),
        "ece": metric(ece_value(confidence, correct) if n else None, ece_interval),
        "brier": metric(float(losses.mean()) if n else None, brier_interval),
    }


# --- precision-recall curves -----------------------------------------------------------------


def pr_curve(truth: np.ndarray, score: np.ndarray) -> dict[str, Any]:
    """One class's precision-recall curve and average precision (AP = sum of (R_n - R_n-1) P_n over
    the distinct thresholds, highest first, as scikit-learn). ``points`` are ``[recall,
    precision, threshold]``, from the highest threshold down, at most ``PR_MAX_POINTS`` (evenly
    spaced along the curve, both ends kept). Empty, AP None, when the class has no true row."""
    positives = int(np.count_nonzero(truth))
    if positives == 0 or len(truth) == 0:
        return {"average_precision": None, "points": []}
    order = np.argsort(-score, kind="mergesort")
    sorted_score, sorted_truth = score[order], truth[order].astype(np.int64)
    # The last row of each group of equal scores: a threshold admits all of them at once.
    last = np.r_[np.flatnonzero(np.diff(sorted_score)), len(sorted_score) - 1]
    tp = np.cumsum(sorted_truth)[last]
    taken = last + 1
    precision = tp / taken
    recall = tp / positives
    previous = np.r_[0.0, recall[:-1]]
    ap = float(np.sum((recall - previous) * precision))
    keep = np.arange(len(last))
    if len(keep) > PR_MAX_POINTS:
        keep = np.unique(np.linspace(0, len(last) - 1, PR_MAX_POINTS).round().astype(np.int64))
    points = [
        [
            round(float(recall[i]), 4),
            round(float(precision[i]), 4),
            round(float(sorted_score[last[i]]), 4),
        ]
        for i in keep
    ]
    return {"average_precision": round(ap, 4), "points": points}


# --- operating points ---------------------------------------------------------------------


def operating_point(
    scores: np.ndarray, positive: np.ndarray, *, remove: Sequence[float], allow: Sequence[float]
) -> dict[str, Any]:
    """What thresholds would do on these rows. ``scores`` (n, c): each category's probability;
    ``positive`` (n,): the row is a violation (of any of the categories). A row is removed when
    some category scores at or above its remove threshold, allowed when none is removed and every
    category scores at or below its allow threshold, else sent to people (as intake decides).

    Returns ``n``, shares ``removed`` / ``allowed`` / ``to_people``, and for each automatic side
    its ``precision`` (removed rows that violate; allowed rows that do not) and ``recall``
    (violations removed among all violations; clean rows allowed among all clean rows), each
    with a Wilson interval, plus the counts."""
    scores = np.asarray(scores, dtype=np.float64).reshape(len(positive), -1)
    positive = np.asarray(positive, dtype=bool)
    removed = (scores >= np.asarray(remove, dtype=np.float64)).any(axis=1)
    allowed = ~removed & (scores <= np.asarray(allow, dtype=np.float64)).all(axis=1)
    n = len(positive)
    violations, clean = int(positive.sum()), int((~positive).sum())
    removed_right = int(np.count_nonzero(removed & positive))
    allowed_right = int(np.count_nonzero(allowed & ~positive))
    return {
        "n": n,
        "violations": violations,
        "removed_count": int(removed.sum()),
        "allowed_count": int(allowed.sum()),
        "removed": proportion(int(removed.sum()), n),
        "allowed": proportion(int(allowed.sum()), n),
        "to_people": proportion(int(np.count_nonzero(~removed & ~allowed)), n),
        "remove_precision": proportion(removed_right, int(removed.sum())),
        "remove_recall": proportion(removed_right, violations),
        "allow_precision": proportion(allowed_right, int(allowed.sum())),
        "allow_recall": proportion(allowed_right, clean),
    }


# --- slices --------------------------------------------------------------------------------


def text_length_bucket(length: int | None) -> str | None:
    """The built-in ``text_length`` slice: characters, in five buckets."""
    if length is None:
        return None
    for upper, name in ((50, "0-49"), (100, "50-99"), (200, "100-199"), (500, "200-499")):
        if length < upper:
            return name
    return "500+"


def slice_values_capped(values: Sequence[str | None], *, cap: int = MAX_SLICE_VALUES) -> list[str]:
    """Each row's slice value as shown: None becomes MISSING, and values beyond the ``cap``
    most frequent (ties by name) are pooled as OTHER."""
    shown = [MISSING if v is None or v == "" else str(v) for v in values]
    counts = Counter(shown)
    if len(counts) <= cap:
        return shown
    kept = {v for v, _ in sorted(counts.items(), key=lambda vc: (-vc[1], vc[0]))[: cap - 1]}
    return [v if v in kept else OTHER for v in shown]


def _error_counts(
    truth: np.ndarray, predicted: np.ndarray, columns: list[int]
) -> tuple[int, int, int, int]:
    """``(false positives, negatives, false negatives, positives)`` pooled over ``columns``."""
    t, p = truth[:, columns], predicted[:, columns]
    return (
        int(np.count_nonzero(p & ~t)),
        int(np.count_nonzero(~t)),
        int(np.count_nonzero(~p & t)),
        int(np.count_nonzero(t)),
    )


def _disjoint(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if a["low"] is None or b["low"] is None:
        return False
    return bool(a["high"] < b["low"] or b["high"] < a["low"])


def slice_report(
    truth: np.ndarray,
    predicted: np.ndarray,
    values: Sequence[str],
    *,
    columns: list[int],
    min_support: int = MIN_SLICE_SUPPORT,
    resamples: int = SLICE_BOOTSTRAP_RESAMPLES,
    seed: int = 0,
) -> dict[str, Any]:
    """One slice field: for each value (most items first) its ``support``, ``accuracy``,
    ``f1_macro`` (bootstrap), false-positive and false-negative rates of the positive
    ``columns`` (``fpr``, ``fnr``) and the same rates on every other row (``rest_fpr``,
    ``rest_fnr``), the gaps (slice minus rest) and whether each gap is clear (the two Wilson
    intervals do not overlap). ``worst``: the value with the lowest macro F1 (ties: lower
    accuracy, then more items) among values with at least ``min_support`` items, None if none."""
    values_arr = np.asarray(values, dtype=object)
    counts = Counter(values)
    rows_out: list[dict[str, Any]] = []
    for value, support in sorted(counts.items(), key=lambda vc: (-vc[1], vc[0])):
        inside = values_arr == value
        t, p = truth[inside], predicted[inside]
        fp, neg, fn, pos = _error_counts(t, p, columns)
        rfp, rneg, rfn, rpos = _error_counts(truth[~inside], predicted[~inside], columns)
        fpr, rest_fpr = proportion(fp, neg), proportion(rfp, rneg)
        fnr, rest_fnr = proportion(fn, pos), proportion(rfn, rpos)

        rows_out.append(
            {
                "value": value,
                "support": int(support),
                "enough_support": support >= min_support,
                "accuracy": proportion(int(correct_rows(t, p).sum()), int(support)),
                "f1_macro": metric(
                    macro_f1(t, p),
                    percentile_interval(bootstrap_f1(t, p, resamples=resamples, seed=seed)[1])
                    if resamples
                    else None,
                ),
                "fpr": fpr,
                "fnr": fnr,
                "rest_fpr": rest_fpr,
                "rest_fnr": rest_fnr,
                "fpr_gap": _gap(fpr, rest_fpr),
                "fnr_gap": _gap(fnr, rest_fnr),
                "fpr_gap_clear": _disjoint(fpr, rest_fpr),
                "fnr_gap_clear": _disjoint(fnr, rest_fnr),
            }
        )
    ranked = [
        row for row in rows_out if row["enough_support"] and row["f1_macro"]["value"] is not None
    ]
    worst = min(
        ranked,
        key=lambda row: (row["f1_macro"]["value"], row["accuracy"]["value"], -row["support"]),
        default=None,
    )
    for row in rows_out:
        row["worst"] = worst is not None and row is worst
    return {"values": rows_out, "worst": None if worst is None else worst["value"]}


def _gap(a: dict[str, Any], b: dict[str, Any]) -> float | None:
    if a["value"] is None or b["value"] is None:
        return None
    return round(a["value"] - b["value"], 4)


# --- the whole report -------------------------------------------------------------------------


def evaluation_report(
    proba: np.ndarray,
    labels: Sequence[Sequence[str]],
    *,
    classes: list[str],
    task_type: str,
    slices: Mapping[str, Sequence[str | None]] | None = None,
    policies: Sequence[dict[str, Any]] = (),
    min_support: int = MIN_SLICE_SUPPORT,
    resamples: int = 1000,
    seed: int = 0,
    progress: Callable[[float], None] | None = None,
) -> dict[str, Any]:
    """Everything the Models tab shows of a version, on held-out rows.

    ``slices`` maps a field name to each row's value (None: missing). ``policies``: each
    ``{"id", "name", "categories": [{"name", "label_class", "remove_threshold",
    "allow_threshold"}]}``; a category whose label class the model does not know is left out
    (named in ``unknown_classes``). Keys: ``schema``, ``task_type``, ``classes``, ``n``,
    ``accuracy``, ``f1_macro``, ``per_class``, ``confusion_matrix`` (single-label), ``calibration``,
    ``pr_curves``, ``operating_points`` and ``slices`` (``min_support``, ``fields``, ``worst``).
    """
    rows, proba, truth, predicted = decisions(proba, labels, classes=classes, task_type=task_type)
    n = len(rows)
    step = progress or (lambda share: None)
    correct = correct_rows(truth, predicted)

    report: dict[str, Any] = {
        "schema": EVALUATION_SCHEMA,
        "task_type": task_type,
        "classes": list(classes),
        "n": n,
        "accuracy": proportion(int(correct.sum()), n),
        "f1_macro": metric(
            macro_f1(truth, predicted) if n else None,
            percentile_interval(bootstrap_f1(truth, predicted, resamples=resamples, seed=seed)[1])
            if n and resamples
            else None,
        ),
        "per_class": per_class_scores(
            truth, predicted, classes=classes, resamples=resamples, seed=seed
        ),
        "confusion_matrix": None,
    }
    if task_type != "multilabel" and n:
        target, guess = truth.argmax(axis=1), predicted.argmax(axis=1)
        matrix = np.zeros((len(classes), len(classes)), dtype=np.int64)
        np.add.at(matrix, (target, guess), 1)
        report["confusion_matrix"] = matrix.tolist()
    step(0.3)
    report["calibration"] = calibration(
        proba, truth, predicted, task_type=task_type, resamples=resamples, seed=seed
    )
    report["pr_curves"] = [
        {"name": name, **pr_curve(truth[:, j], proba[:, j])} for j, name in enumerate(classes)
    ]
    step(0.5)
    report["operating_points"] = [_policy_point(p, proba, truth, classes) for p in policies]
    fields = []
    columns = positive_columns(classes, task_type)
    for number, (field, per_row) in enumerate((slices or {}).items()):
        kept_values = [per_row[int(r)] for r in rows]
        shown = slice_values_capped(kept_values)
        fields.append(
            {
                "field": field,
                **slice_report(
                    truth, predicted, shown, columns=columns, min_support=min_support, seed=seed
                ),
            }
        )
        step(0.5 + 0.5 * (number + 1) / max(1, len(slices or {})))
    worst = [
        {"field": f["field"], **next(v for v in f["values"] if v["worst"])}
        for f in fields
        if f["worst"] is not None
    ]
    worst.sort(key=lambda v: (v["f1_macro"]["value"], v["accuracy"]["value"]))
    report["slices"] = {
        "min_support": min_support,
        "positive_classes": [classes[j] for j in columns],
        "fields": fields,
        "worst": [
            {"field": w["field"], "value": w["value"], "f1_macro": w["f1_macro"]} for w in worst
        ],
    }
    return report


def _policy_point(
    policy: dict[str, Any], proba: np.ndarray, truth: np.ndarray, classes: list[str]
) -> dict[str, Any]:
    index = {name: j for j, name in enumerate(classes)}
    known = [c for c in policy.get("categories", []) if c["label_class"] in index]
    unknown = sorted(
        {c["label_class"] for c in policy.get("categories", []) if c["label_class"] not in index}
    )
    out: dict[str, Any] = {
        "policy_id": policy.get("id"),
        "policy": policy.get("name", ""),
        "unknown_classes": unknown,
        "categories": [],
        "combined": None,
    }
    if not known or not len(proba):
        return out
    for category in known:
        j = index[category["label_class"]]
        out["categories"].append(
            {
                "name": category["name"],
                "label_class": category["label_class"],
                "remove_threshold": category["remove_threshold"],
                "allow_threshold": category["allow_threshold"],
                **operating_point(
                    proba[:, [j]],
                    truth[:, j],
                    remove=[category["remove_threshold"]],
                    allow=[category["allow_threshold"]],
                ),
            }
        )
    columns = [index[c["label_class"]] for c in known]
    out["combined"] = operating_point(
        proba[:, columns],
        np.asarray(truth[:, columns].any(axis=1)),
        remove=[c["remove_threshold"] for c in known],
        allow=[c["allow_threshold"] for c in known],
    )
    return out


# --- two versions on the same items ------------------------------------------------------------

# A slice whose macro F1 falls by more than this while the overall score rises is flagged.
SLICE_REGRESSION = 0.02


def slice_deltas(
    older: dict[str, Any], newer: dict[str, Any], *, overall_delta: float | None
) -> list[dict[str, Any]]:
    """Per slice value, newer minus older macro F1 and accuracy (both reports of
    ``slice_report`` over the same rows). ``regression``: the slice has enough items, its
    macro F1 falls by more than ``SLICE_REGRESSION`` while the overall score does not fall
    (``overall_delta`` ≥ 0): a promotion that helps overall but hurts this slice."""
    before = {v["value"]: v for v in older["values"]}
    out = []
    for value in newer["values"]:
        old = before.get(value["value"])
        if old is None:
            continue
        f1_delta = _difference(value["f1_macro"]["value"], old["f1_macro"]["value"])
        out.append(
            {
                "value": value["value"],
                "support": value["support"],
                "f1_macro_before": old["f1_macro"]["value"],
                "f1_macro_after": value["f1_macro"]["value"],
                "f1_macro_delta": f1_delta,
                "accuracy_delta": _difference(value["accuracy"]["value"], old["accuracy"]["value"]),
                "regression": bool(
                    value["enough_support"]
                    and f1_delta is not None
                    and f1_delta < -SLICE_REGRESSION
                    and overall_delta is not None
                    and overall_delta >= 0
                ),
            }
        )
    return out


def _difference(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else round(a - b, 4)


def _names(names: Sequence[str] | str) -> Sequence[str]:
    return [names] if isinstance(names, str) else names
