"""The full evaluation of a model version (``models_app.ml.evaluation.evaluation_report``): how
long it takes on held-out sets of growing size (it runs in the training job, after the fit), and
whether its 95 % intervals hold 95 %: the share of simulated held-out sets whose interval covers
the true value (Wilson for accuracy and precision, bootstrap for F1, ECE and Brier).

    python benchmarks/evaluation_report.py                 # sizes 1k, 10k, 50k; 400 simulations
    python benchmarks/evaluation_report.py --simulations 1000 --sizes 1000,5000

Prints two tables and writes benchmarks/results/evaluation_report.json. Not a timed test.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from models_app.ml.evaluation import evaluation_report  # noqa: E402

RESULTS = REPO / "benchmarks" / "results"
CLASSES = ["ham", "spam"]


def simulate(n: int, rng: np.random.Generator) -> tuple[np.ndarray, list[list[str]], np.ndarray]:
    """A calibrated binary model: p(spam) drawn from a Beta, the label drawn from p itself, so
    the true ECE is 0 and the true accuracy is E[max(p, 1 - p)]."""
    p = rng.beta(0.6, 1.2, size=n)
    spam = rng.random(n) < p
    proba = np.column_stack([1 - p, p])
    return proba, [["spam" if s else "ham"] for s in spam], p


def true_values(rng: np.random.Generator) -> dict[str, float]:
    """The population's accuracy, spam precision and Brier score, from a million draws."""
    _proba, labels, p = simulate(1_000_000, rng)
    spam = np.asarray([row[0] == "spam" for row in labels])
    predicted = p >= 0.5
    return {
        "accuracy": float(np.mean(predicted == spam)),
        "precision_spam": float(np.mean(spam[predicted])),
        "brier": float(np.mean((p - spam) ** 2)),
    }


def coverage(n: int, simulations: int, seed: int) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    truth = true_values(rng)
    hits = dict.fromkeys(truth, 0)
    for _ in range(simulations):
        proba, labels, _p = simulate(n, rng)
        report = evaluation_report(
            proba, labels, classes=CLASSES, task_type="binary", resamples=300
        )
        found = {
            "accuracy": report["accuracy"],
            "precision_spam": report["per_class"][1]["precision"],
            "brier": report["calibration"]["brier"],
        }
        for name, metric in found.items():
            if metric["low"] is not None and metric["low"] <= truth[name] <= metric["high"]:
                hits[name] += 1
    return {name: hits[name] / simulations for name in truth}


def timing(n: int, seed: int) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    proba, labels, _p = simulate(n, rng)
    slices = {
        "language": [f"lang{i}" for i in rng.integers(0, 20, size=n)],  # capped to 12 values
        "source": [f"src{i}" for i in rng.integers(0, 4, size=n)],
        "text_length": [f"b{i}" for i in rng.integers(0, 5, size=n)],
    }
    policies = [
        {
            "id": 1,
            "name": "p",
            "categories": [
                {
                    "name": "Spam",
                    "label_class": "spam",
                    "remove_threshold": 0.9,
                    "allow_threshold": 0.1,
                }
            ],
        }
    ]
    resamples = 1000 if n <= 5000 else 200  # as labeling.services.evaluation
    start = time.perf_counter()
    evaluation_report(
        proba,
        labels,
        classes=CLASSES,
        task_type="binary",
        slices=slices,
        policies=policies,
        resamples=resamples,
    )
    seconds = time.perf_counter() - start
    return {"n": n, "resamples": resamples, "seconds": round(seconds, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--simulations", type=int, default=400)
    parser.add_argument("--coverage-sizes", default="30,100,500")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    timings = [timing(int(n), args.seed) for n in args.sizes.split(",")]
    print("Full evaluation report (binary, 3 slice fields, 1 policy)")
    print(f"{'held-out items':>15} {'resamples':>10} {'seconds':>9}")
    for row in timings:
        print(f"{row['n']:>15,} {row['resamples']:>10} {row['seconds']:>9.3f}")

    coverages = []
    print(f"\n95 % interval coverage over {args.simulations} simulated held-out sets")
    print(f"{'n':>6} {'accuracy':>9} {'precision':>10} {'brier':>7}")
    for n in (int(v) for v in args.coverage_sizes.split(",")):
        row = {"n": n, **coverage(n, args.simulations, args.seed + n)}
        coverages.append(row)
        print(f"{n:>6} {row['accuracy']:>9.3f} {row['precision_spam']:>10.3f} {row['brier']:>7.3f}")

    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "evaluation_report.json"
    out.write_text(
        json.dumps(
            {"timings": timings, "coverage": coverages, "simulations": args.simulations}, indent=2
        )
    )
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
