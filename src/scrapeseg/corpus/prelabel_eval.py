"""Score the text-only pre-labeller against the labelled segments of chosen sources."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from scrapeseg.corpus.prelabel import prelabel
from scrapeseg.labels import Label


def per_class_scores(truth: Sequence[str], predicted: Sequence[str]) -> dict:
    """Per-class precision, recall, F1 and support, plus macro-F1 and accuracy."""
    from sklearn.metrics import accuracy_score, precision_recall_fscore_support

    names = Label.names()
    p, r, f, n = precision_recall_fscore_support(truth, predicted, labels=names, zero_division=0)
    per_class = {name: {"precision": round(float(p[i]), 4), "recall": round(float(r[i]), 4), "f1": round(float(f[i]), 4), "support": int(n[i])} for i, name in enumerate(names)}
    return {
        "per_class": per_class,
        "macro_f1": round(float(f.mean()), 4),
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "segments": len(truth),
    }


def evaluate_prelabeller(segments: Path, sources: Sequence[str]) -> dict:
    """Pre-label each document of the given sources from its text alone and score it per source."""
    import pandas as pd

    frame = pd.read_parquet(segments, columns=["doc", "source", "index", "text", "label"])
    results = {}
    for source in sources:
        part = frame[frame["source"] == source].sort_values(["doc", "index"])
        if part.empty:
            continue
        predicted: list[str] = []
        for _, doc in part.groupby("doc", sort=False):
            predicted += [label.text for label in prelabel(doc["text"].tolist())]
        results[source] = per_class_scores(part["label"].tolist(), predicted)
    return results
