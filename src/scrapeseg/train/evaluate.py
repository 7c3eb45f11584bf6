"""Score a fitted segment classifier on splits of the corpus: line metrics and body token-F1."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from scrapeseg.labels import Label
from scrapeseg.train import metrics
from scrapeseg.train.predict import SITE_PASS
from scrapeseg.train.train import split_documents

BODY = Label.BODY.text
TEASER = Label.TEASER.text
# Scores with the site pass, which compares each page with the other pages of its domain in the split.
WITH_SITES = "with_site_context"
INTERVALS = "intervals"
MIN_BOOTSTRAP_DOCUMENTS = 2  # one document resampled is itself every time


def line_scores(true: np.ndarray, pred: np.ndarray) -> dict:
    """Per-class precision/recall/F1/support, macro-F1 and accuracy over label-string arrays."""
    names = Label.names()
    per_class = {}
    f1s = []
    for name in names:
        tp = float(np.sum((pred == name) & (true == name)))
        fp = float(np.sum((pred == name) & (true != name)))
        fn = float(np.sum((pred != name) & (true == name)))
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        per_class[name] = {"precision": p, "recall": r, "f1": f, "support": int(tp + fn)}
        f1s.append(f)
    return {
        "per_class": per_class,
        "macro_f1": float(np.mean(f1s)) if f1s else 0.0,
        "accuracy": float(np.mean(true == pred)) if len(true) else 0.0,
        "lines": int(len(true)),
    }


def body_pairs(docs: Sequence[Sequence[str]], true: Sequence[np.ndarray], pred: Sequence[np.ndarray]) -> list[tuple[str, str]]:
    """(predicted body text, gold body text) per page, lines joined by newlines."""
    pairs = []
    for lines, t, p in zip(docs, true, pred):
        gold = "\n".join(line for line, lab in zip(lines, t) if lab == BODY)
        got = "\n".join(line for line, lab in zip(lines, p) if lab == BODY)
        pairs.append((got, gold))
    return pairs


def document_confusions(true_docs: Sequence[np.ndarray], pred_docs: Sequence[np.ndarray]) -> np.ndarray:
    """One flattened (true x predicted) line count matrix per document, labels in Label order."""
    names = Label.names()
    code = {name: k for k, name in enumerate(names)}
    out = np.zeros((len(true_docs), len(names) ** 2))
    for row, (t, p) in enumerate(zip(true_docs, pred_docs)):
        pairs = [code[a] * len(names) + code[b] for a, b in zip(t.tolist(), p.tolist())]
        out[row] = np.bincount(np.asarray(pairs, dtype=np.int64), minlength=len(names) ** 2)
    return out


def bootstrap_intervals(confusions: np.ndarray, page_counts: list, bootstrap: dict) -> dict:
    """Intervals of macro-F1, teaser F1 and body token-F1 over documents drawn with replacement (bootstrap: resamples, seed, confidence)."""
    resamples, confidence = int(bootstrap["resamples"]), float(bootstrap["confidence"])
    weights = metrics.resample_weights(len(confusions), resamples, int(bootstrap["seed"]))
    class_f1 = metrics.resampled_class_f1(weights, confusions)
    out: dict = {"confidence": confidence, "resamples": resamples}
    for name, values in (("macro_f1", class_f1.mean(axis=1)), ("teaser_f1", class_f1[:, Label.names().index(TEASER)]),
                         ("body_token_f1", metrics.resampled_token_f1(weights, page_counts))):
        out[f"{name}_low"], out[f"{name}_high"] = metrics.interval(values, confidence)
    return out


def score_documents(docs, true_docs, pred_docs, bootstrap: dict | None = None) -> dict:
    """Line scores plus body token-F1 for per-document label-string arrays (with bootstrap settings: their intervals too)."""
    true = np.concatenate(true_docs) if true_docs else np.array([], dtype=str)
    pred = np.concatenate(pred_docs) if pred_docs else np.array([], dtype=str)
    out = line_scores(true, pred)
    out["body_token_f1"], page_counts = metrics.token_f1_with_counts(body_pairs(docs, true_docs, pred_docs))
    out["documents"] = len(docs)
    if bootstrap and len(docs) >= MIN_BOOTSTRAP_DOCUMENTS:
        out[INTERVALS] = bootstrap_intervals(document_confusions(true_docs, pred_docs), page_counts, bootstrap)
    return out


def evaluate_split(model, data: dict, bootstrap: dict | None = None) -> dict:
    """Scores of one split (as returned by split_documents), overall (with bootstrap intervals if asked) and per source."""
    names = np.array(Label.names())
    start = time.perf_counter()
    pred_docs = model.predict_docs(data["docs"], data.get("markup"))
    seconds = time.perf_counter() - start
    true_docs = [names[np.asarray(lab, dtype=np.int64)] for lab in data["labels"]]
    out = score_documents(data["docs"], true_docs, pred_docs, bootstrap)
    out["predict_seconds"] = seconds
    if SITE_PASS in getattr(model, "context_passes", ()):
        out[WITH_SITES] = score_documents(data["docs"], true_docs, model.predict_docs(data["docs"], data.get("markup"), data["domains"]))
    sources = np.array(data["sources"])
    out["per_source"] = {}
    for source in sorted(set(data["sources"])):
        idx = np.flatnonzero(sources == source)
        out["per_source"][source] = score_documents(
            [data["docs"][i] for i in idx], [true_docs[i] for i in idx], [pred_docs[i] for i in idx]
        )
    return out


def evaluate_model(model, dataset_path: str | Path, splits: Sequence[str] = ("validation", "test", "seed"), kinds=None,
                   bootstrap: dict | None = None) -> dict:
    """{split: scores} for each split of the DatasetDict at dataset_path.

    Scores hold per_class {label: precision, recall, f1, support}, macro_f1, accuracy, lines,
    documents, body_token_f1 {precision, recall, f1, accuracy, pages}, predict_seconds,
    per_source {source: the same without per_source} and, for a model with the site pass,
    with_site_context (the same overall scores with each document's domain as its site). kinds
    keeps only documents of those kinds; a markup model is given each line's markup features.
    With bootstrap settings (resamples, seed, confidence), a split of two or more documents also
    holds intervals: the low and high ends of macro-F1, teaser F1 and body token-F1 over its
    documents drawn with replacement.
    """
    from scrapeseg.corpus.dataset import load_corpus

    corpus = load_corpus(dataset_path)
    missing = [split for split in splits if split not in corpus]
    if missing:
        raise ValueError(f"{dataset_path} has no split {', '.join(map(repr, missing))} (it has {', '.join(corpus)}); "
                         "an evaluation-only split needs its source in corpus.sources")
    markup = bool(getattr(model, "markup", False))
    return {split: evaluate_split(model, split_documents(corpus[split], kinds=kinds, markup=markup), bootstrap) for split in splits}
