"""The segment classifier: scikit-learn estimator API, determinism and sequence handling on real rows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from scrapeseg.labels import Label
from scrapeseg.train.features import DENSE_NAMES, featurize
from scrapeseg.train.model import SegmentClassifier

REPO = Path(__file__).resolve().parents[1]
DATASET = REPO / "corpus" / "dataset"
SMALL = dict(max_iter=15, max_leaf_nodes=15, folds=2, sgd_epochs=3, n_features=2**16, window=2)


@pytest.fixture(scope="module")
def corpus():
    if not (DATASET / "dataset_dict.json").exists():
        pytest.skip(f"no corpus dataset at {DATASET}; run `dvc repro dataset` first")
    from scrapeseg.corpus.dataset import load_corpus

    return load_corpus(DATASET)


@pytest.fixture(scope="module")
def small_train(corpus):
    from scrapeseg.train.train import split_documents

    return split_documents(corpus["train"], max_docs=40)


def test_params_round_trip_through_clone():
    model = SegmentClassifier(window=2, class_weight=None, random_state=7)
    params = model.get_params()
    assert params["window"] == 2 and params["class_weight"] is None and params["random_state"] == 7
    twin = clone(model)
    assert twin.get_params() == params
    assert twin is not model
    # __init__ stores params only: nothing learned exists before fit.
    assert not [name for name in vars(model) if name.endswith("_")]


def test_unfitted_model_raises_not_fitted():
    with pytest.raises(NotFittedError):
        SegmentClassifier().predict_docs([["Some line of text."]])


def test_fit_returns_self_and_classes_follow_the_enum(small_train):
    model = SegmentClassifier(**SMALL)
    assert model.fit(small_train["docs"], small_train["labels"], groups=small_train["domains"]) is model
    assert list(model.classes_) == Label.names()
    probs = model.predict_proba_docs(small_train["docs"][:3])
    assert [p.shape for p in probs] == [(len(d), len(Label)) for d in small_train["docs"][:3]]
    assert np.allclose(np.concatenate(probs).sum(axis=1), 1.0)
    labels = model.predict_docs(small_train["docs"][:3])
    assert set(np.concatenate(labels)) <= set(Label.names())
    flat = model.predict(small_train["docs"][:3])
    assert list(flat) == list(np.concatenate(labels))
    assert 0.0 <= model.score(small_train["docs"][:3], small_train["labels"][:3]) <= 1.0
    # Fitted clone is unfitted again.
    with pytest.raises(NotFittedError):
        clone(model).predict_docs(small_train["docs"][:1])


def test_labels_may_be_strings_and_empty_documents_pass(small_train):
    names = np.array(Label.names())
    y = [names[np.asarray(lab)] for lab in small_train["labels"]]
    model = SegmentClassifier(**SMALL).fit(small_train["docs"], y)
    out = model.predict_proba_docs([[], small_train["docs"][0], []])
    assert [len(p) for p in out] == [0, len(small_train["docs"][0]), 0]


def test_two_fits_with_one_seed_give_identical_probabilities(small_train):
    docs, labels, groups = small_train["docs"], small_train["labels"], small_train["domains"]
    a = SegmentClassifier(**SMALL, random_state=3).fit(docs, labels, groups=groups)
    b = SegmentClassifier(**SMALL, random_state=3).fit(docs, labels, groups=groups)
    assert np.array_equal(a.predict_proba(docs[:10]), b.predict_proba(docs[:10]))


def test_features_are_finite_and_independent_of_batching():
    docs = [["Related Articles", "A headline about things here", "• CNA"], ["Body text. It has sentences, too."]]
    batch, dense, tokens = featurize(docs, 2**12)
    assert dense.shape == (4, len(DENSE_NAMES)) and tokens.shape == (4, 2**12)
    assert np.isfinite(dense).all()
    assert dense[0, DENSE_NAMES.index("teaser_header")] == 1
    _, alone, _ = featurize(docs[1:], 2**12)
    assert np.array_equal(alone[0], dense[3])
