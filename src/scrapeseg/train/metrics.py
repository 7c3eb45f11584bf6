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
    return token_f1_with_counts(pairs)[0]


def token_f1_with_counts(pairs: Iterable[tuple[str | None, str | None]]) -> tuple[dict[str, float | int], list[Counts]]:
    """token_f1's scores and each page's (tp, fp, fn), for callers that resample the pages."""
    counts: list[Counts] = []
    matches = 0
    for predicted, gold in pairs:
        counts.append(page_counts(predicted, gold))
        matches += exact_match(predicted, gold)
    scores = scores_from_counts(counts)
    scores["accuracy"] = matches / len(counts) if counts else 0.0
    return scores, counts


def resample_weights(n: int, resamples: int, seed: int):
    """How often each of n items is drawn in each of `resamples` draws of n with replacement: a (resamples x n) array."""
    import numpy as np  # imported on first use: scoring alone needs no numpy

    if n < 1:
        raise ValueError("no items to resample")
    if resamples < 1:
        raise ValueError(f"need resamples >= 1, not {resamples}")
    return np.random.default_rng(seed).multinomial(n, np.full(n, 1.0 / n), size=resamples).astype(np.float64)


def resampled_token_f1(weights, counts: list[Counts]):
    """The token-F1 of each resample (a row of weights, one column per page), as scores_from_counts computes it."""
    import numpy as np

    precision = np.array([page_precision(*c) for c in counts])
    recall = np.array([page_recall(*c) for c in counts])
    has_output = np.array([c[0] + c[1] > 0 for c in counts], dtype=np.float64)
    has_gold = np.array([c[0] + c[2] > 0 for c in counts], dtype=np.float64)

    def mean(values, counted):
        n = weights @ counted
        return np.divide(weights @ (values * counted), n, out=np.zeros(len(weights)), where=n > 0)

    p, r = mean(precision, has_output), mean(recall, has_gold)
    return np.divide(2 * p * r, p + r, out=np.zeros(len(weights)), where=p + r > 0)


def resampled_class_f1(weights, confusions):
    """Per-class line F1 of each resample: confusions holds one flattened (true x predicted) count matrix per document."""
    import numpy as np

    n_classes = int(round(np.sqrt(confusions.shape[1])))
    total = (weights @ confusions).reshape(len(weights), n_classes, n_classes)
    tp = np.diagonal(total, axis1=1, axis2=2)
    guessed, actual = total.sum(axis=1), total.sum(axis=2)
    return np.divide(2 * tp, guessed + actual, out=np.zeros_like(tp), where=guessed + actual > 0)


def interval(values, confidence: float) -> tuple[float, float]:
    """The central `confidence` share of the values: (low, high) quantiles."""
    import numpy as np

    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie between 0 and 1, not {confidence}")
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(values, [tail, 1.0 - tail])
    return float(low), float(high)


def paired_bootstrap(ours: list[Counts], theirs: list[Counts], resamples: int, seed: int, confidence: float) -> dict[str, float | int]:
    """F1 of ours minus theirs over the same pages, with a paired bootstrap interval and the share of resamples ours leads.

    Each resample draws the pages with replacement and scores both systems on that draw, as
    scores_from_counts does, so the interval reflects how much the difference depends on which
    pages were held out.
    """
    if len(ours) != len(theirs):
        raise ValueError(f"paired pages differ in number: {len(ours)} against {len(theirs)}")
    weights = resample_weights(len(ours), resamples, seed)
    difference = resampled_token_f1(weights, ours) - resampled_token_f1(weights, theirs)
    low, high = interval(difference, confidence)
    return {
        "f1_difference": scores_from_counts(ours)["f1"] - scores_from_counts(theirs)["f1"],
        "ci_low": low,
        "ci_high": high,
        "share_ahead": float((difference > 0).mean()),
        "resamples": int(resamples),
        "pages": len(ours),
    }
