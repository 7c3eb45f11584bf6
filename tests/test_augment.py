"""Training-time teaser augmentation: deterministic, only adds teaser lines, leaves the original lines in order."""

from __future__ import annotations

import numpy as np
import pytest

from scrapeseg.labels import Label
from scrapeseg.train.augment import add_teaser_blocks
from scrapeseg.train.model import SegmentClassifier

TEASER = int(Label.TEASER)
SMALL = dict(max_iter=15, max_leaf_nodes=15, folds=2, sgd_epochs=3, n_features=2**16, window=2, hidden_units=16, mlp_epochs=3)


@pytest.fixture(scope="module")
def small_train(small_dataset):
    from scrapeseg.corpus.dataset import load_corpus
    from scrapeseg.train.train import split_documents

    return split_documents(load_corpus(small_dataset)["train"], max_docs=40)


def test_augmentation_is_deterministic_and_only_adds_teaser_lines(small_train):
    docs, labels, domains = small_train["docs"], small_train["labels"], small_train["domains"]
    new_docs, new_codes, origin = add_teaser_blocks(docs, labels, 0.5, 0, domains)
    again = add_teaser_blocks(docs, labels, 0.5, 0, domains)
    assert again[0] == new_docs and all(np.array_equal(a, b) for a, b in zip(again[1], new_codes))
    assert sum(len(d) for d in new_docs) > sum(len(d) for d in docs)
    for old, old_labels, new, codes, where in zip(docs, labels, new_docs, new_codes, origin):
        kept = where >= 0
        assert where[kept].tolist() == list(range(len(old)))  # every original line, in order
        assert [new[i] for i in np.flatnonzero(kept)] == list(old)
        assert np.array_equal(codes[kept], np.asarray(old_labels))
        assert (codes[~kept] == TEASER).all()
    other = add_teaser_blocks(docs, labels, 0.5, 1, domains)[0]
    assert other != new_docs  # the seed drives the draws


def test_zero_share_changes_nothing(small_train):
    docs, labels = small_train["docs"], small_train["labels"]
    new_docs, new_codes, origin = add_teaser_blocks(docs, labels, 0.0, 0)
    assert new_docs == [list(d) for d in docs]
    assert all(np.array_equal(a, b) for a, b in zip(new_codes, labels))
    assert all((o == np.arange(len(d))).all() for o, d in zip(origin, docs))


def test_augmented_fits_are_deterministic(small_train):
    docs, labels, groups = small_train["docs"], small_train["labels"], small_train["domains"]
    weights = [np.full(len(d), 2.0) for d in docs]
    first = SegmentClassifier(**SMALL, teaser_augment=0.5).fit(docs, labels, groups=groups, sample_weight=weights)
    second = SegmentClassifier(**SMALL, teaser_augment=0.5).fit(docs, labels, groups=groups, sample_weight=weights)
    plain = SegmentClassifier(**SMALL).fit(docs, labels, groups=groups, sample_weight=weights)
    assert first.n_lines_seen_ > plain.n_lines_seen_
    a, b = first.predict_proba_docs(docs), second.predict_proba_docs(docs)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
