"""Split scores with bootstrap intervals over documents (scrapeseg.train.evaluate)."""

from __future__ import annotations

import numpy as np
import pytest

from scrapeseg.train import evaluate

BOOTSTRAP = {"resamples": 500, "seed": 11, "confidence": 0.9}
B, T, X = "body", "teaser", "boilerplate"


def _docs(n: int):
    """n small documents: lines, true labels, and predictions that get some documents partly wrong."""
    rng = np.random.default_rng(n)
    docs, true, pred = [], [], []
    for k in range(n):
        labels = np.array([X, B, B, B, T, T, X])
        guess = labels.copy()
        if k % 3 == 0:
            guess[rng.integers(0, len(guess), 2)] = X
        if k % 4 == 1:
            guess[4] = B
        docs.append([f"doc {k} line {i} with some words of its own here" for i in range(len(labels))])
        true.append(labels)
        pred.append(guess)
    return docs, true, pred


def test_intervals_hold_the_split_figures_and_are_seeded():
    docs, true, pred = _docs(40)
    out = evaluate.score_documents(docs, true, pred, BOOTSTRAP)
    spans = out["intervals"]
    assert spans["resamples"] == 500 and spans["confidence"] == 0.9
    assert spans["macro_f1_low"] <= out["macro_f1"] <= spans["macro_f1_high"]
    assert spans["macro_f1_low"] < spans["macro_f1_high"], "the documents differ, so the resamples do"
    assert spans["teaser_f1_low"] <= out["per_class"][T]["f1"] <= spans["teaser_f1_high"]
    assert spans["body_token_f1_low"] <= out["body_token_f1"]["f1"] <= spans["body_token_f1_high"]
    assert evaluate.score_documents(docs, true, pred, BOOTSTRAP) == out
    assert "intervals" not in evaluate.score_documents(docs, true, pred), "no settings, no intervals"


def test_perfect_predictions_have_a_point_interval_and_one_document_none():
    docs, true, _ = _docs(10)
    spans = evaluate.score_documents(docs, true, true, BOOTSTRAP)["intervals"]
    assert spans["macro_f1_low"] == spans["macro_f1_high"] == pytest.approx(1.0)
    assert spans["body_token_f1_low"] == spans["body_token_f1_high"] == pytest.approx(1.0)
    assert "intervals" not in evaluate.score_documents(docs[:1], true[:1], true[:1], BOOTSTRAP)


def test_document_confusions_count_each_documents_lines():
    docs, true, pred = _docs(5)
    confusions = evaluate.document_confusions(true, pred)
    assert confusions.shape == (5, 9)
    assert confusions.sum(axis=1).tolist() == [len(d) for d in docs]
    whole = confusions.sum(axis=0).reshape(3, 3)
    assert np.trace(whole) == sum(int((t == p).sum()) for t, p in zip(true, pred))


def test_a_split_the_dataset_lacks_is_named_in_the_error(small_model, small_dataset):
    import joblib

    with pytest.raises(ValueError, match="has no split 'handmade'"):
        evaluate.evaluate_model(joblib.load(small_model), small_dataset, ("seed", "handmade"))
