"""Body token-F1 of the scrapinghub article-extraction-benchmark: 4-gram shingle overlap per page."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

SHINGLE_SIZE = 4
# The reference compiles its pattern with IGNORECASE, which does not change what \w+ matches, so
# tokens (and hence shingles) stay case-sensitive; we keep that to score exactly like it.
TOKEN_RE = re.compile(r"\w+", re.UNICODE | re.MULTILINE | re.IGNORECASE | re.DOTALL)

Counts = tuple[float, float, float]


def tokenize(text: str | None) -> list[str]:
    """The reference's tokens: every run of word characters, case kept."""
    return TOKEN_RE.findall(text or "")


def shingles(text: str | None, size: int = SHINGLE_SIZE) -> Counter[tuple[str, ...]]:
    """Multiset of word shingles; a text shorter than `size` tokens is one shorter shingle."""
    tokens = tokenize(text)
    if not tokens:
        return Counter()
    return Counter(tuple(tokens[i : i + size]) for i in range(max(1, len(tokens) - size + 1)))


def page_counts(predicted: str | None, gold: str | None, size: int = SHINGLE_SIZE) -> Counts:
    """Page (tp, fp, fn) over shingle multisets, normalised to sum 1 (all zero if both are empty)."""
    pred, true = shingles(predicted, size), shingles(gold, size)
    tp = float(sum((pred & true).values()))
    fp = float(sum((pred - true).values()))
    fn = float(sum((true - pred).values()))
    total = tp + fp + fn
    if total == 0:
        return 0.0, 0.0, 0.0
    return tp / total, fp / total, fn / total


def page_precision(tp: float, fp: float, fn: float) -> float:
    """Precision of one page as the reference defines it (1.0 when nothing was wrong)."""
    if fp == fn == 0:
        return 1.0
    if tp == fp == 0:
        return 0.0
    return tp / (tp + fp)


def page_recall(tp: float, fp: float, fn: float) -> float:
    """Recall of one page as the reference defines it (1.0 when nothing was wrong)."""
    if fp == fn == 0:
        return 1.0
    if tp == fn == 0:
        return 0.0
    return tp / (tp + fn)


def exact_match(predicted: str | None, gold: str | None) -> bool:
    """The reference's accuracy test: identical token sequences."""
    return tokenize(predicted) == tokenize(gold)


def scores_from_counts(counts: Iterable[Counts]) -> dict[str, float | int]:
    """Macro precision (pages with output), macro recall (pages with gold) and their F1."""
    counts = list(counts)
    precisions = [page_precision(*c) for c in counts if c[0] + c[1] > 0]
    recalls = [page_recall(*c) for c in counts if c[0] + c[2] > 0]
    # The reference raises on an empty mean or a zero F1 denominator; we report 0.0 instead.
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "pages": len(counts)}


def token_f1(pairs: Iterable[tuple[str | None, str | None]]) -> dict[str, float | int]:
    """Score (predicted, gold) text pairs: precision, recall, f1, accuracy and the page count."""
    counts: list[Counts] = []
    matches = 0
    for predicted, gold in pairs:
        counts.append(page_counts(predicted, gold))
        matches += exact_match(predicted, gold)
    scores = scores_from_counts(counts)
    scores["accuracy"] = matches / len(counts) if counts else 0.0
    return scores


def paired_bootstrap(ours: list[Counts], theirs: list[Counts], resamples: int, seed: int, confidence: float) -> dict[str, float | int]:
    """F1 of ours minus theirs over the same pages, with a paired bootstrap interval and the share of resamples ours leads.

    Each resample draws the pages with replacement and scores both systems on that draw, as
    scores_from_counts does, so the interval reflects how much the difference depends on which
    pages were held out.
    """
    import numpy as np  # imported on first use: scoring alone needs no numpy

    if len(ours) != len(theirs):
        raise ValueError(f"paired pages differ in number: {len(ours)} against {len(theirs)}")
    if not ours:
        raise ValueError("no pages to resample")
    if resamples < 1 or not 0.0 < confidence < 1.0:
        raise ValueError(f"need resamples >= 1 and 0 < confidence < 1, not {resamples} and {confidence}")
    draws = np.random.default_rng(seed).integers(0, len(ours), size=(resamples, len(ours)))

    def f1s(counts: list[Counts]) -> np.ndarray:
        precision = np.array([page_precision(*c) for c in counts])
        recall = np.array([page_recall(*c) for c in counts])
        has_output = np.array([c[0] + c[1] > 0 for c in counts], dtype=np.float64)
        has_gold = np.array([c[0] + c[2] > 0 for c in counts], dtype=np.float64)

        def mean(values: np.ndarray, counted: np.ndarray) -> np.ndarray:
            total, n = (values * counted)[draws].sum(axis=1), counted[draws].sum(axis=1)
            return np.divide(total, n, out=np.zeros(resamples), where=n > 0)

        p, r = mean(precision, has_output), mean(recall, has_gold)
        return np.divide(2 * p * r, p + r, out=np.zeros(resamples), where=p + r > 0)

    difference = f1s(ours) - f1s(theirs)
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(difference, [tail, 1.0 - tail])
    return {
        "f1_difference": scores_from_counts(ours)["f1"] - scores_from_counts(theirs)["f1"],
        "ci_low": float(low),
        "ci_high": float(high),
        "share_ahead": float(np.mean(difference > 0)),
        "resamples": int(resamples),
        "pages": len(ours),
    }
