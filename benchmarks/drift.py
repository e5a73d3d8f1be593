"""Drift monitoring on real data: how many shifted items arrive before an alarm, and how many
false alarms 20 windows of in-distribution content raise.

A model is trained the way a training run does it (``models_app.ml.classifiers.fit_classifier``
on the project's embedder, ``minilm-int8`` unless ``--embedder`` says otherwise) on 1,000 SMS
messages (80 % train; the other 20 % are the held-out reference of its scores, as the drift job
uses them). Windows close at ``--window`` items (the project default, 500), as they do when
content arrives faster than a day's worth; each is judged by ``models_app.ml.drift`` exactly as
the drift job judges it, with the default thresholds.

- False alarms: 20 windows of held-out SMS messages (each a seeded sample of the ~4,000 messages
  the model never saw; windows may share messages), per seed.
- Detection delay: a stream of held-out SMS messages in which, at a seeded random point inside
  a window, Davidson tweets start to arrive: every item after it (``--mix 1.0``) or a share of
  them (0.3, 0.1). The delay is the number of items from the shift's start to the end of the
  first window that raises an alarm (misses: none within 20 windows).

Two detectors judge the same windows: Tandem's (any of score PSI, label-mix PSI and the
domain-classifier AUC above its threshold) and the baseline, score PSI alone (the usual
monitoring figure). The moderators' overturn share needs people's decisions and is not simulated.

    python benchmarks/drift.py                  # 5 seeds, minilm-int8, windows of 500
    python benchmarks/drift.py --seeds 2 --embedder static --out /tmp/drift.json
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DATASETS = REPO.parent / "shared" / "datasets"
RESULTS = REPO / "benchmarks" / "results"
TRAIN_ITEMS = 1_000
CALM_WINDOWS = 20
MAX_SHIFT_WINDOWS = 20
TWEETS = 6_000


def load_texts() -> tuple[list[str], list[str], list[str]]:
    sms_path = DATASETS / "sms_spam_collection.tsv"
    davidson_path = DATASETS / "davidson_hate_offensive.csv"
    if not sms_path.is_file() or not davidson_path.is_file():
        sys.exit(f"The datasets are missing from {DATASETS}; this benchmark needs real texts.")
    by_text: dict[str, str] = {}
    with sms_path.open(encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            label, _, text = line.rstrip("\n").partition("\t")
            if text.strip():
                by_text.setdefault(text, label)
    with davidson_path.open(encoding="utf-8") as fh:
        tweets = list(dict.fromkeys(r["tweet"].strip() for r in csv.DictReader(fh)))
    return list(by_text), list(by_text.values()), [t for t in tweets if t][:TWEETS]


def judge(reference, window_vectors, window_scores, window_labels, thresholds):
    """(Tandem's alarms, the baseline's alarm) for one window."""
    from models_app.ml import drift

    measures = drift.DriftMeasures(
        items=len(window_vectors),
        score_psi=drift.score_psi(reference["scores"], window_scores),
        label_mix_psi=drift.label_mix_psi(reference["labels"], window_labels, reference["classes"]),
        domain_auc=drift.domain_auc(reference["vectors"], window_vectors),
    )
    alarms = drift.drift_alarms(measures, thresholds)
    return alarms, measures.score_psi > thresholds.score_psi, measures


def run_seed(seed, sms_vectors, sms_labels, tweet_vectors, window, mixes, thresholds):
    from models_app.ml import drift
    from models_app.ml.classifiers.fit import fit_classifier

    rng = np.random.default_rng(seed)
    order = rng.permutation(len(sms_vectors))
    snapshot, pool = order[:TRAIN_ITEMS], order[TRAIN_ITEMS:]
    train, held = snapshot[: int(TRAIN_ITEMS * 0.8)], snapshot[int(TRAIN_ITEMS * 0.8) :]
    classes = ["ham", "spam"]
    model = fit_classifier(
        sms_vectors[train], [[sms_labels[i]] for i in train], classes=classes,
        task_type="binary", seed=seed,
    )  # fmt: skip

    def score(vectors):
        return drift.model_scores(model.classes, model.predict_proba(vectors))

    ref_scores, ref_labels = score(sms_vectors[held])
    reference = {
        "scores": ref_scores, "labels": ref_labels, "classes": list(model.classes),
        "vectors": sms_vectors[snapshot],
    }  # fmt: skip
    out = {"calm": {"tandem": 0, "baseline": 0, "max_domain_auc": 0.0, "max_score_psi": 0.0}}
    for w in range(CALM_WINDOWS):
        picked = np.random.default_rng([seed, w]).choice(pool, size=window, replace=False)
        vectors = sms_vectors[picked]
        alarms, base, m = judge(reference, vectors, *score(vectors), thresholds)
        out["calm"]["tandem"] += bool(alarms)
        out["calm"]["baseline"] += bool(base)
        out["calm"]["max_domain_auc"] = max(out["calm"]["max_domain_auc"], m.domain_auc)
        out["calm"]["max_score_psi"] = max(out["calm"]["max_score_psi"], m.score_psi)
    for mix in mixes:
        mix_rng = np.random.default_rng([seed, int(mix * 1000)])
        onset = int(mix_rng.integers(0, window))
        calm_stream = mix_rng.permutation(pool)
        tweets = mix_rng.permutation(len(tweet_vectors))
        total = window * MAX_SHIFT_WINDOWS
        shifted = mix_rng.random(total) < mix
        shifted[:onset] = False
        rows, s_i, t_i = [], 0, 0
        for is_tweet in shifted:
            if is_tweet:
                rows.append(tweet_vectors[tweets[t_i % len(tweets)]])
                t_i += 1
            else:
                rows.append(sms_vectors[calm_stream[s_i % len(calm_stream)]])
                s_i += 1
        stream = np.stack(rows)
        delays: dict[str, int | None] = {"tandem": None, "baseline": None}
        for w in range(MAX_SHIFT_WINDOWS):
            vectors = stream[w * window : (w + 1) * window]
            alarms, base, _ = judge(reference, vectors, *score(vectors), thresholds)
            end = (w + 1) * window - onset
            if alarms and delays["tandem"] is None:
                delays["tandem"] = end
            if base and delays["baseline"] is None:
                delays["baseline"] = end
            if None not in delays.values():
                break
        out[f"mix_{mix}"] = delays
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--window", type=int, default=500)
    parser.add_argument("--embedder", default="minilm-int8")
    parser.add_argument("--mix", type=float, nargs="+", default=[1.0, 0.5, 0.3, 0.1])
    parser.add_argument("--out", type=Path, default=RESULTS / "drift.json")
    parser.add_argument(
        "--vectors", type=Path, help="an .npz to keep the vectors in between runs (made if absent)"
    )
    args = parser.parse_args()

    from models_app.ml.drift import DriftThresholds
    from models_app.ml.embedders.registry import get_embedder

    sms, labels, tweets = load_texts()
    embedder = get_embedder(args.embedder)
    started = time.perf_counter()
    if args.vectors and args.vectors.is_file():
        stored = np.load(args.vectors)
        sms_vectors, tweet_vectors = stored["sms"], stored["tweets"]
    else:
        sms_vectors = embedder.embed(sms)
        tweet_vectors = embedder.embed(tweets)
        if args.vectors:
            np.savez(args.vectors, sms=sms_vectors, tweets=tweet_vectors)
    embed_seconds = time.perf_counter() - started
    thresholds = DriftThresholds()
    runs = []
    started = time.perf_counter()
    for seed in range(args.seeds):
        runs.append(
            run_seed(seed, sms_vectors, labels, tweet_vectors, args.window, args.mix, thresholds)
        )
        print(f"seed {seed}: {runs[-1]}", flush=True)
    judge_seconds = time.perf_counter() - started

    def delays(method: str, mix: float) -> list[int | None]:
        return [run[f"mix_{mix}"][method] for run in runs]

    def mean(values: list[int | None]) -> float | None:
        found = [v for v in values if v is not None]
        return round(float(np.mean(found)), 1) if found else None

    summary = {}
    for method in ("tandem", "baseline"):
        summary[method] = {
            "false_alarms": round(float(np.mean([r["calm"][method] for r in runs])), 2),
            **{f"delay_items_mix_{mix}": mean(delays(method, mix)) for mix in args.mix},
            **{
                f"misses_mix_{mix}": sum(d is None for d in delays(method, mix)) for mix in args.mix
            },
        }
    full = args.mix[0]
    result = {
        "drift_delay_items": summary["tandem"][f"delay_items_mix_{full}"],
        "false_alarms": summary["tandem"]["false_alarms"],
        "baseline_drift_delay_items": summary["baseline"][f"delay_items_mix_{full}"],
        "baseline_false_alarms": summary["baseline"]["false_alarms"],
        "delay_mix": full,
        "summary": summary,
        "max_calm_domain_auc": round(max(r["calm"]["max_domain_auc"] for r in runs), 4),
        "max_calm_score_psi": round(max(r["calm"]["max_score_psi"] for r in runs), 4),
        "thresholds": thresholds.__dict__,
        "window_items": args.window,
        "calm_windows": CALM_WINDOWS,
        "seeds": args.seeds,
        "embedder": embedder.key,
        "sms_items": len(sms),
        "tweets": len(tweets),
        "embed_seconds": round(embed_seconds, 1),
        "judge_seconds": round(judge_seconds, 1),
        "runs": runs,
    }
    header = f"{'detector':<22}{'false alarms / 20':>18}" + "".join(
        f"{f'delay mix {m}':>16}{'misses':>8}" for m in args.mix
    )
    print(
        f"\nDrift on SMS → Davidson, {args.embedder}, windows of {args.window}, {args.seeds} "
        "seeds (delay: mean items from the shift's start to the alarm)"
    )
    print(header)
    for method, name in (("tandem", "tandem (all measures)"), ("baseline", "score PSI alone")):
        row = summary[method]
        cells = "".join(
            f"{row[f'delay_items_mix_{m}']!s:>16}{row[f'misses_mix_{m}']:>8}" for m in args.mix
        )
        print(f"{name:<22}{row['false_alarms']:>18}{cells}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
