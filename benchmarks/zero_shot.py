"""Zero-shot proposals before any label: ROC AUC, accuracy and log loss on real data.

Each class is described as a project admin would (name, one-sentence description, guideline
sentences); items and prompts are embedded with the same embedder and scored by
``models_app.ml.zeroshot``. Prints a table per embedder and prompt set, the log loss over a
grid of softmax temperatures (how ``TEMPERATURE`` was chosen), and writes JSON.

    python benchmarks/zero_shot.py                          # minilm + hashing, SMS + Davidson
    python benchmarks/zero_shot.py --embedders minilm,minilm-int8,static,hashing
    python benchmarks/zero_shot.py --embedders hashing --davidson-sample 0   # all tweets

MiniLM embeddings are cached under benchmarks/results/cache (``active_learning.embed``).
Davidson is a seeded sample by default (``--davidson-sample``): embedding all 24,783 tweets
with MiniLM takes minutes of CPU.
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

from benchmarks.active_learning import (  # noqa: E402
    RESULTS,
    Dataset,
    embed,
    load_davidson,
    load_sms,
)

TEMPERATURES = (0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.3)

# What a project admin would write. Index 1 is the positive class (spam / offensive).
PROMPTS = {
    "sms": {
        "names": ["ham", "spam"],
        "descriptions": [
            "ordinary personal or business messages between people who know each other",
            "unsolicited advertising, prize or money scams, premium-rate offers and phishing",
        ],
        "guidelines": (
            "Label a message **spam** when it is unsolicited bulk text: advertising, "
            "competitions, prize claims, ringtone or premium-rate offers. "
            "Label it **ham** when a person wrote it to someone they know."
        ),
    },
    "davidson": {
        "names": ["clean", "offensive"],
        "descriptions": [
            "ordinary tweets without slurs, insults or abuse",
            "tweets with slurs, insults, profanity aimed at people, or hate against a group",
        ],
        "guidelines": (
            "Label a tweet **offensive** when it uses a slur, insults or demeans someone, "
            "or attacks a group for who they are. "
            "Label it **clean** when it has none of that, even if it is rude about a thing."
        ),
    },
}


def embed_with(name: str, texts: list[str]) -> np.ndarray:
    from models_app.ml.embedders.registry import get_embedder

    if name == "minilm":
        return embed(texts)[0]
    return get_embedder(name).embed(texts, batch_size=256)


def roc_auc(scores: np.ndarray, positive: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(positive, scores))


def evaluate(dataset: Dataset, embedder: str, variant: str) -> dict:
    from models_app.ml.zeroshot import class_prompts, prior_adjust, zero_shot_proba

    spec = PROMPTS[dataset.name]
    descriptions = spec["descriptions"] if variant != "names" else ["", ""]
    guidelines = spec["guidelines"] if variant == "full" else ""
    texts, classes = class_prompts(
        names=spec["names"], descriptions=descriptions, guidelines=guidelines
    )
    start = time.perf_counter()
    items = embed_with(embedder, dataset.texts)
    prompts = embed_with(embedder, texts) if embedder != "minilm" else embed(texts)[0]
    seconds = time.perf_counter() - start
    proba = zero_shot_proba(items, prompts, classes, 2)
    adjusted, shares = prior_adjust(proba)
    positive = dataset.positive
    losses = {}
    for temperature in TEMPERATURES:
        p = zero_shot_proba(items, prompts, classes, 2, temperature=temperature)[:, 1]
        p = np.clip(p, 1e-9, 1 - 1e-9)
        losses[temperature] = float(-np.mean(np.where(positive, np.log(p), np.log(1 - p))))
    return {
        "dataset": dataset.name,
        "items": len(dataset.texts),
        "embedder": embedder,
        "prompts": variant,
        "roc_auc": roc_auc(proba[:, 1], positive),
        "accuracy": float(np.mean((proba[:, 1] > 0.5) == positive)),
        "predicted_positive": float(np.mean(proba[:, 1] > 0.5)),
        # What the cold start writes: re-weighted to the class shares estimated over the pool.
        "accuracy_prior_adjusted": float(np.mean((adjusted[:, 1] > 0.5) == dataset.positive)),
        "estimated_positive_share": float(shares[1]),
        "true_positive_share": float(positive.mean()),
        "log_loss_by_temperature": losses,
        "embed_seconds": round(seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedders", default="minilm,hashing")
    parser.add_argument("--davidson-sample", type=int, default=4000, help="0: all tweets")
    parser.add_argument("--out", type=Path, default=RESULTS / "zero_shot.json")
    args = parser.parse_args()
    from models_app.ml import single_threaded_blas
    from models_app.ml.zeroshot import TEMPERATURE

    davidson = load_davidson()
    if args.davidson_sample:
        rows = np.random.default_rng(0).choice(
            len(davidson.texts), size=args.davidson_sample, replace=False
        )
        davidson = Dataset("davidson", [davidson.texts[i] for i in rows], davidson.positive[rows])
    results = []
    with single_threaded_blas():
        for dataset in (load_sms(), davidson):
            for embedder in args.embedders.split(","):
                for variant in ("names", "described", "full"):
                    results.append(evaluate(dataset, embedder, variant))
                    r = results[-1]
                    best = min(r["log_loss_by_temperature"], key=r["log_loss_by_temperature"].get)
                    losses = r["log_loss_by_temperature"].items()
                    print(
                        f"{r['dataset']:9} {r['items']:6} {r['embedder']:12} {r['prompts']:10} "
                        f"AUC {r['roc_auc']:.3f}  acc {r['accuracy']:.3f} "
                        f"(adjusted {r['accuracy_prior_adjusted']:.3f})  "
                        f"predicted+ {r['predicted_positive']:.2f} "
                        f"(true {r['true_positive_share']:.2f})  best T {best}  "
                        + " ".join(f"{t}:{v:.3f}" for t, v in losses)
                    )
    # The key: ROC AUC with no label at all, per dataset, for each embedder with the
    # full prompts (name with description, guideline sentences).
    summary = {
        "zero_shot_auc_0": {
            f"{r['dataset']}/{r['embedder']}": round(r["roc_auc"], 4)
            for r in results
            if r["prompts"] == "full"
        },
        "temperature": TEMPERATURE,
        "davidson_sample": args.davidson_sample,
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary["zero_shot_auc_0"]))


if __name__ == "__main__":
    main()
