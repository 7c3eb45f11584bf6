"""The segment classifier: scikit-learn estimator API, determinism and sequence handling on real rows."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from scrapeseg.labels import Label
from scrapeseg.train.features import DENSE_NAMES, featurize
from scrapeseg.train.model import SegmentClassifier

SMALL = dict(max_iter=15, max_leaf_nodes=15, folds=2, sgd_epochs=3, n_features=2**16, window=2, hidden_units=16, mlp_epochs=3)


@pytest.fixture(scope="module")
def corpus(small_dataset):
    """The small real DatasetDict that conftest builds from benchmark pages."""
    from scrapeseg.corpus.dataset import load_corpus

    return load_corpus(small_dataset)


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


def test_window_handles_offsets_beyond_the_batch():
    from scrapeseg.train.features import Batch, window

    batch = Batch.from_docs([["a", "b"]])
    values = np.array([[1.0], [2.0]], dtype=np.float32)
    out = window(values, batch, [-3, -1, 1, 3])
    assert out.tolist() == [[-1, -1, 2, -1], [-1, 1, -1, -1]]


def test_hgb_stacker_and_three_passes_fit_and_predict(small_train):
    docs, labels, groups = small_train["docs"][:20], small_train["labels"][:20], small_train["domains"][:20]
    for params in (dict(stacker="hgb"), dict(passes=3)):
        model = SegmentClassifier(**{**SMALL, **params}).fit(docs, labels, groups=groups)
        probs = model.predict_proba_docs(docs[:2])
        assert [p.shape for p in probs] == [(len(d), len(Label)) for d in docs[:2]]
        assert np.allclose(np.concatenate(probs).sum(axis=1), 1.0, atol=1e-5)
    with pytest.raises(ValueError):
        SegmentClassifier(**{**SMALL, "stacker": "nope"}).fit(docs, labels, groups=groups)


def test_prediction_is_independent_of_chunking(small_train, monkeypatch):
    import scrapeseg.train.predict as predict_module

    docs = small_train["docs"]
    model = SegmentClassifier(**SMALL).fit(docs, small_train["labels"], groups=small_train["domains"])
    whole = np.concatenate(model.predict_proba_docs(docs[:9]))
    monkeypatch.setattr(predict_module, "PREDICT_CHUNK_DOCS", 2)
    chunked = np.concatenate(model.predict_proba_docs(docs[:9]))
    assert np.allclose(whole, chunked, atol=1e-6)


def test_token_counts_match_str_split_with_unusual_whitespace():
    from scrapeseg.train.features import TokenTable

    texts = ["a\xa0b\u2028c\td", "  lead and trail  ", "x", "\u3000全角 space", "e\x1cf"]
    table = TokenTable(2**10).build(texts)
    assert table["counts"].tolist() == [len(t.split()) for t in texts]


def test_vectorised_murmurhash_matches_scikit_learn():
    from sklearn.utils import murmurhash3_32 as reference

    from scrapeseg.train.features import HASH_SEED, murmurhash3_32

    keys = ["", "a", "ab", "abc", "abcd", "abcde", "^the", "é€😀ß", "全角スペース", "x" * 101]
    got = murmurhash3_32([key.encode("utf-8") for key in keys], HASH_SEED).tolist()
    assert got == [reference(key, seed=HASH_SEED, positive=True) for key in keys]


def test_space_code_is_exactly_str_isspace():
    from scrapeseg.train.features import C_SPACE, _code_table

    # Tokens are runs of non-space codes, so they are str.split tokens only if the two agree.
    codes = _code_table()
    assert [cp for cp in range(0x10000) if (codes[cp] == C_SPACE) != chr(cp).isspace()] == []


def test_equal_tokens_share_a_row_and_distinct_ones_do_not():
    from scrapeseg.train.features import TokenTable

    texts = ["the cat the", "Cat the cat", "a\x00 a ab ba"]
    table = TokenTable(2**10).build(texts)
    tokens = [tok for t in texts for tok in t.split()]
    rows = table["codes"].tolist()
    assert all((rows[i] == rows[j]) == (tokens[i] == tokens[j]) for i in range(len(rows)) for j in range(len(rows)))


def test_section_features_see_cards_after_a_header():
    docs = [["Related Articles", "Headline one here", "Headline one here", "CNA", "Headline one here", "Long text."]]
    _, dense, _ = featurize(docs, 2**12)
    col = {name: dense[:, DENSE_NAMES.index(name)] for name in ("log_copy_gap", "header_before", "card_density")}
    assert col["header_before"].tolist() == [0, 1, 1, 1, 1, 1]
    assert col["log_copy_gap"][1] == pytest.approx(np.log1p(1))
    assert col["card_density"].min() > 0.5


def test_comment_features_see_a_comment_section_after_the_article():
    article = "The council voted on Monday to close the old harbour bridge to traffic for the whole of the winter."
    comment = "I think the council should have done this years ago, the bridge was never safe for anyone."
    docs = [["12 Comments", article, "Leave a Reply", comment, "Join the conversation", comment, "What do you think?"],
            ["Comments", "Discussion of the vote", "12 comments on the vote were read out in the chamber today as well."]]
    _, dense, _ = featurize(docs, 2**12)
    col = {name: dense[:, DENSE_NAMES.index(name)].tolist() for name in ("comment_header", "since_comment_header", "comments_after_article")}
    assert col["comment_header"] == [1, 0, 1, 0, 1, 0, 1, 1, 0, 0]
    assert col["comments_after_article"] == [0, 0, 0, 1, 1, 1, 1, 0, 0, 0]
    assert col["since_comment_header"][3] == pytest.approx(np.log1p(1))
    assert col["since_comment_header"][8] == pytest.approx(np.log1p(1))
    related = [[article, "Comments", comment, "Related Articles", "Other story headline here", comment]]
    _, dense, _ = featurize(related, 2**12)
    assert dense[:, DENSE_NAMES.index("comments_after_article")].tolist() == [0, 0, 1, 1, 0, 0]


def test_run_features_locate_the_main_body_block():
    from scrapeseg.train.features import Batch, run_features

    batch = Batch.from_docs([["x"] * 8])
    body = np.array([0, 1, 0, 1, 1, 1, 1, 0], dtype=np.float32)
    probs = np.stack([body, 1 - body, np.zeros(8, np.float32)], axis=1)
    out = run_features(probs, batch)
    # Smoothed over ±2 lines, lines 2..7 form the longest body-probable run.
    assert out[:, 2].tolist() == [0, 0, 1, 1, 1, 1, 1, 1]
    assert out[0, 0] == pytest.approx(np.log1p(2)) and out[-1, 1] == 0
    assert out[0, 3] == pytest.approx(6 / 8)


def test_sample_weight_must_cover_every_line():
    from scrapeseg.train.model import SegmentClassifier

    docs = [["Breaking news from the city council today.", "Share this"], ["Read more stories", "Another body sentence here."]]
    y = [["body", "boilerplate"], ["teaser", "body"]]
    with pytest.raises(ValueError, match="3 weights for 4 lines"):
        SegmentClassifier().fit(docs, y, groups=["a", "b"], sample_weight=[[1.0, 2.0], [1.0]])


def test_memory_recalls_recurring_corrections_only(small_train):
    data = small_train
    recurring, once, disputed = "Zorvane plimtrek quastol dervin.", "Hollowmere yantrel ospick.", "Brenquist ulvaro temmish."
    docs = [list(d) for d in data["docs"]]
    labels = [list(lab) for lab in data["labels"]]
    remember = [[False] * len(d) for d in docs]
    boilerplate = Label.BOILERPLATE.value
    for k, (text, label) in enumerate([(recurring, boilerplate), (recurring, boilerplate), (once, boilerplate),
                                       (disputed, boilerplate), (disputed, Label.BODY.value)]):
        docs[k].insert(1, text)
        labels[k].insert(1, label)
        remember[k].insert(1, True)
    model = SegmentClassifier(**SMALL).fit(docs, labels, groups=data["domains"], remember=remember)
    assert model.memory_ == {recurring: boilerplate}
    probs = model.predict_proba_docs([["A new page opens here.", recurring, once, disputed]])[0]
    assert probs[1].tolist() == [0.0 if name != "boilerplate" else 1.0 for name in model.classes_]
    assert all(0.0 < p.max() < 1.0 for p in probs[[0, 2, 3]])
    off = SegmentClassifier(**SMALL, memory_min_docs=None).fit(docs, labels, groups=data["domains"], remember=remember)
    assert off.memory_ == {}
    with pytest.raises(ValueError, match="remember holds"):
        SegmentClassifier(**SMALL).fit(docs, labels, groups=data["domains"], remember=remember[:-1])


def test_params_yaml_sets_every_model_param():
    import yaml
    from conftest import REPO

    params = yaml.safe_load((REPO / "params.yaml").read_text(encoding="utf-8"))
    for section in ("train", "train_html"):
        assert set(params[section]["model"]) == set(SegmentClassifier().get_params()), section


def test_numbers_given_as_strings_become_numbers():
    from scrapeseg.train.train import numeric_params

    defaults = SegmentClassifier().get_params()
    got = numeric_params({"alpha": "5e-7", "window": "5", "stacker": "hgb", "hidden_units": 32}, defaults)
    assert got == {"alpha": 5e-7, "window": 5, "stacker": "hgb", "hidden_units": 32}
    assert isinstance(got["window"], int)
    with pytest.raises(ValueError, match="alpha must be a number"):
        numeric_params({"alpha": "tiny"}, defaults)


def _brute_force_posterior(probs, start, transitions, prior, prior_power):
    """Line marginals of one document by summing over every label sequence (tiny documents only)."""
    from itertools import product

    emit = probs / prior**prior_power
    n, k = probs.shape
    post = np.zeros((n, k))
    for path in product(range(k), repeat=n):
        weight = start[path[0]] * emit[0, path[0]]
        for t in range(1, n):
            weight *= transitions[path[t - 1], path[t]] * emit[t, path[t]]
        post[np.arange(n), path] += weight
    return post / post.sum(axis=1, keepdims=True)


def _chain(probs, lengths, start, transitions, prior, power):
    """The compiled chain pass over documents of the given lengths (flat probs)."""
    from scrapeseg.train.kernels import chain_posterior
    from scrapeseg.train.predict import RESCALE_EVERY

    doc_len = np.asarray(lengths, dtype=np.int64)
    emit = probs.astype(np.float64) / prior**power
    return chain_posterior(emit, np.cumsum(doc_len) - doc_len, doc_len, start, transitions, RESCALE_EVERY)


@settings(max_examples=25, deadline=None)
@given(lengths=st.lists(st.integers(1, 5), min_size=1, max_size=4), seed=st.integers(0, 2**16), power=st.sampled_from([0.0, 0.25, 1.0]))
def test_chain_posterior_matches_summing_over_every_label_sequence(lengths, seed, power):
    rng = np.random.default_rng(seed)
    probs = rng.dirichlet(np.ones(3), sum(lengths)).astype(np.float32)
    start, prior = rng.dirichlet(np.ones(3)), rng.dirichlet(np.ones(3))
    transitions = rng.dirichlet(np.ones(3), 3)
    got = _chain(probs, lengths, start, transitions, prior, power)
    row = 0
    for n in lengths:
        expected = _brute_force_posterior(probs[row:row + n].astype(np.float64), start, transitions, prior, power)
        np.testing.assert_allclose(got[row:row + n], expected, atol=1e-5)
        row += n


def test_chain_posterior_of_long_documents_matches_a_normalised_forward_backward():
    rng = np.random.default_rng(7)
    lengths = [1, 700, 35]
    probs = rng.dirichlet(np.full(3, 0.3), sum(lengths))
    start, prior, transitions = rng.dirichlet(np.ones(3)), rng.dirichlet(np.ones(3)), rng.dirichlet(np.ones(3), 3)
    got = _chain(probs, lengths, start, transitions, prior, 0.25)
    row = 0
    for n in lengths:
        emit = probs[row:row + n] / prior**0.25
        forward, backward = np.zeros((n, 3)), np.ones((n, 3))
        forward[0] = start * emit[0] / (start * emit[0]).sum()
        for t in range(1, n):
            forward[t] = (forward[t - 1] @ transitions) * emit[t]
            forward[t] /= forward[t].sum()
        for t in range(n - 2, -1, -1):
            backward[t] = transitions @ (emit[t + 1] * backward[t + 1])
            backward[t] /= backward[t].sum()
        expected = forward * backward
        np.testing.assert_allclose(got[row:row + n], expected / expected.sum(axis=1, keepdims=True), rtol=1e-9, atol=1e-12)
        row += n


def test_chain_pass_is_learned_and_can_be_turned_off(small_train):
    model = SegmentClassifier(**SMALL).fit(small_train["docs"], small_train["labels"], groups=small_train["domains"])
    assert model.transitions_.shape == (3, 3) and np.allclose(model.transitions_.sum(axis=1), 1.0)
    assert np.isclose(model.start_.sum(), 1.0) and np.isclose(model.class_prior_.sum(), 1.0)
    chained = model.predict_proba(small_train["docs"])
    model.set_params(transition_power=None)
    plain = model.predict_proba(small_train["docs"])
    assert chained.shape == plain.shape and np.allclose(chained.sum(axis=1), 1.0, atol=1e-5)
    # Smoothing along the document changes some lines' probabilities but keeps most labels.
    assert not np.allclose(chained, plain, atol=1e-3)
    assert np.mean(chained.argmax(axis=1) == plain.argmax(axis=1)) > 0.8


def test_chain_pass_passes_over_gap_lines():
    from scrapeseg.train.predict import LinePredictor

    chain = LinePredictor()
    chain.transition_power, chain.prior_power = 1.0, 0.0
    sticky = np.full((3, 3), 0.05) + np.eye(3) * 0.85
    chain.transitions_, chain.start_, chain.class_prior_ = sticky, np.full(3, 1 / 3), np.full(3, 1 / 3)
    # article, an in-article "Read more: …" line the stacker calls teaser, two paragraphs it is unsure of
    probs = np.array([[0.9, 0.05, 0.05], [0.02, 0.96, 0.02], [0.5, 0.45, 0.05], [0.5, 0.45, 0.05]])
    doc_len = np.array([4])
    plain = chain._chained(doc_len, probs.copy())
    gaps = np.array([False, True, False, False])
    passed = chain._chained(doc_len, probs.copy(), gaps)
    assert plain[2].argmax() == 1, "without a gap the teaser line pulls the paragraph after it"
    assert passed[2].argmax() == 0 and passed[1].argmax() == 0, "the chain reads the gap line from its neighbours"
    np.testing.assert_allclose(chain._chained(doc_len, probs.copy(), np.zeros(4, bool)), plain)


def test_chain_pass_gets_in_article_read_more_lines_as_gaps_only_with_the_read_more_pass(small_train, monkeypatch):
    from scrapeseg.train.predict import CONTEXT_PASSES, READ_MORE_PASS, LinePredictor

    model = SegmentClassifier(**SMALL).fit(small_train["docs"], small_train["labels"], groups=small_train["domains"])
    seen = []
    chained = LinePredictor._chained

    def spy(self, doc_len, probs, gaps=None):
        seen.append(None if gaps is None else gaps.copy())
        return chained(self, doc_len, probs, gaps)

    monkeypatch.setattr(LinePredictor, "_chained", spy)
    doc = list(small_train["docs"][0][:6])
    doc[3:3] = ["Read more: Council approves the new bridge over the river after years of delay"]
    model.predict_docs([doc])
    assert np.flatnonzero(seen[-1]).tolist() == [3]
    model.set_params(context_passes=[p for p in CONTEXT_PASSES if p != READ_MORE_PASS]).predict_docs([doc])
    assert seen[-1] is None, "without the read-more pass nothing labels the line, so the chain must read it"

POOL = ["Storm hits the coast tonight", "STORM HITS THE COAST TONIGHT", "By Jane Doe, 3 May 2024", "Menu",
        "The storm hit the coast late on Monday.", "Will the storm hit the coast tonight?", "The storms of 2024 in pictures"]


def _headline_oracle(texts, labels):
    """(first, last) of the headline run of one document by the guidelines' wording, or None."""
    from scrapeseg.corpus.prelabel import DATE_OR_BYLINE

    same = [i > 0 and texts[i].casefold() == texts[i - 1].casefold() for i in range(len(texts))]
    doubled = [same[i] or (i + 1 < len(texts) and same[i + 1]) for i in range(len(texts))]

    def dated(i):
        # a repeated headline may name a year; a byline, a time or "3 May" still make a date line
        year_only = "2024" in texts[i] and not texts[i].startswith("By ")
        return bool(DATE_OR_BYLINE.search(texts[i])) and not (year_only and doubled[i])

    if Label.BODY.value not in labels:
        return None
    first = labels.index(Label.BODY.value)
    if same[first] or (first + 1 < len(texts) and same[first + 1]):
        anchor = first
    else:
        anchor = first - 1
        while anchor >= 0 and first - anchor <= 4 and dated(anchor):
            anchor -= 1
        shaped = anchor >= 0 and 4 <= len(texts[anchor].split()) <= 25 and not texts[anchor].endswith((".", "…")) and not dated(anchor)
        if not shaped:
            return None
    run = [k for k in range(len(texts)) if texts[k].casefold() == texts[anchor].casefold()]
    lo = hi = anchor
    while lo - 1 in run:
        lo -= 1
    while hi + 1 in run:
        hi += 1
    return (lo, hi + 1, first) if hi > lo else None


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.tuples(st.integers(0, 2), st.integers(0, len(POOL) - 1)), min_size=0, max_size=10), min_size=1, max_size=4),
       st.integers(0, 2**31 - 1))
def test_headline_copies_make_the_first_copy_of_the_headline_body(docs, seed):
    from scrapeseg.train.predict import headline_copies

    classes = np.array(Label.names())
    body, boilerplate = int(Label.BODY), int(Label.BOILERPLATE)
    rng = np.random.default_rng(seed)
    top = [label for doc in docs for label, _ in doc]
    texts = [[POOL[t] for _, t in doc] for doc in docs]
    repeats = np.array([i > 0 and doc[i].casefold() == doc[i - 1].casefold() for doc in texts for i in range(len(doc))], dtype=bool)
    probs = rng.uniform(0.0, 0.3, (len(top), len(classes)))
    probs[np.arange(len(top)), top] = 1.0
    probs /= probs.sum(axis=1, keepdims=True)
    before = probs.copy()
    after = headline_copies(probs.copy(), repeats, texts, classes)
    want = before.copy()
    row = 0
    for doc, line_texts in zip(docs, texts):
        labels = [label for label, _ in doc]
        run = _headline_oracle(line_texts, labels)
        if run is not None:
            lo, hi, first = run
            want[row + lo] = before[row + first]
            for k in range(lo + 1, hi):
                if k == first or labels[k] == body:
                    want[row + k, boilerplate] += want[row + k, body]
                    want[row + k, body] = 0.0
        row += len(doc)
    assert np.allclose(after, want, rtol=0, atol=1e-12)


def test_a_doubled_headline_above_the_byline_gets_its_first_copy_body():
    from scrapeseg.train.predict import headline_copies

    classes = np.array(Label.names())
    doc = ["logo", "Storm hits the coast tonight", "Storm hits the coast tonight", "CNA 6 days ago", "The storm hit the coast late on Monday."]
    repeats = np.array([False, False, True, False, False])
    probs = np.array([[0.1, 0.0, 0.9], [0.2, 0.0, 0.8], [0.1, 0.0, 0.9], [0.9, 0.0, 0.1], [1.0, 0.0, 0.0]])
    after = headline_copies(probs.copy(), repeats, [doc], classes)
    assert classes[after.argmax(axis=1)].tolist() == ["boilerplate", "body", "boilerplate", "body", "body"]
    assert after[1].tolist() == probs[3].tolist()
    sentence = [doc[0], doc[1] + ".", doc[1] + ".", doc[3], doc[4]]
    assert headline_copies(probs.copy(), repeats, [sentence], classes).tolist() == probs.tolist()
    for headline in ("Will the storm hit the coast tonight?", "The storms of 2024 in pictures"):
        after = headline_copies(probs.copy(), repeats, [[doc[0], headline, headline, doc[3], doc[4]]], classes)
        assert classes[after.argmax(axis=1)].tolist() == ["boilerplate", "body", "boilerplate", "body", "body"]
    byline = [doc[0], "By Jane Doe, 3 May 2024", "By Jane Doe, 3 May 2024", doc[3], doc[4]]
    assert headline_copies(probs.copy(), repeats, [byline], classes).tolist() == probs.tolist()


def test_in_article_read_more_lines_become_teaser(small_train):
    from scrapeseg.train.predict import _in_article_teasers, read_more_lines

    classes = np.array(Label.names())
    lines = ["Read more: Fifth story about the new bridge opening soon", "Watch: the mayor opens the new bridge",
             "The bridge opened on Monday. Read more: there is a lot to say about it.", "Related Articles"]
    batch, dense, _ = featurize([lines], 2**12)
    flags = _in_article_teasers(batch.texts, dense, batch.doc, batch.marks)
    assert flags.tolist() == [True, False, False, False]
    probs = np.array([[0.7, 0.2, 0.1], [0.8, 0.1, 0.1], [0.9, 0.0, 0.1], [0.1, 0.8, 0.1]])
    after = read_more_lines(probs.copy(), flags, classes)
    assert after[0] == pytest.approx([0.0, 1.0, 0.0])
    assert np.array_equal(after[1:], probs[1:])
    data = small_train
    model = SegmentClassifier(**SMALL).fit(data["docs"], data["labels"], groups=data["domains"])
    article = [t for d, lab in zip(data["docs"], data["labels"]) for t, y in zip(d, lab)
               if y == Label.BODY.value and len(t.split()) >= 20][:4]
    doc = article[:2] + [lines[0]] + article[2:]
    assert model.predict_docs([doc])[0][2] == Label.TEASER.text


def test_article_head_gives_a_headline_over_a_byline_the_first_body_lines_scores():
    from scrapeseg.train.predict import article_head

    classes = np.array(Label.names())
    B, X = [0.9, 0.0, 0.1], [0.2, 0.0, 0.8]
    doc = ["logo", "Storm hits the coast tonight", "By Staff Reporter", "Updated 3 hours ago", "The storm hit the coast late on Monday."]
    menu = ["logo", "Home | News | Storm hits the coast", "By Staff Reporter", "The storm hit the coast late on Monday."]
    bare = ["logo", "Storm hits the coast tonight", "The storm hit the coast late on Monday."]
    paper = ["Storm hits the coast tonight", "Updated 3 hours ago", "Menu", "The storm hit the coast late on Monday."]
    updated = ["logo", "Storm hits the coast tonight", "The council updated its flood maps on Monday, and the storm that hit "
               "the coast late that night reached streets the old maps had marked as safe."]
    byline_first = doc[:3] + doc[4:]
    probs = np.array([X, X, X, X, B] + [X, X, B, B] + [X, X, X, B] + [X, X, B] + [X, X, X, B] + [X, X, B])
    docs = [doc, byline_first, menu, bare, paper, updated]
    batch, dense, _ = featurize(docs, 2**12)
    dated = dense[:, DENSE_NAMES.index("date_byline")] > 0
    after = article_head(probs.copy(), dated, docs, classes)
    assert classes[after.argmax(axis=1)].tolist()[:8] == ["boilerplate"] + ["body"] * 4 + ["boilerplate"] + ["body"] * 2
    assert after[1].tolist() == after[3].tolist() == probs[4].tolist()
    assert np.array_equal(after[8:], probs[8:])


def test_promo_facts_flag_strong_promos_and_contact_lines_for_the_author():
    from scrapeseg.train.predict import _ad_markers, _promo_lines

    lines = {"Reach the reporter at jane@example.com": True, "Contact the author": True, "Download the app now": True,
             "Email Stew Smith at stew@example.com.": True, "Contact us": False, "Reach depends on your network.": False,
             "The reporter said the storm would hit the coast.": False, "ADVERTISEMENT": True,
             "- Advertisement -": True, "Sponsored by: Acme Loans": True, "Promoted Stories": True,
             "Ad hoc committees met on Monday.": False, "Advertising revenue fell in May.": False,
             "Sponsored content is growing fast.": False, "Acme Loans | Sponsored": True,
             "Have a news tip? Email tips@example.com or call our newsroom.": True, "Get the DailyFeed app": True,
             "Get the app": True, "The council will get the app ready before the vote.": False,
             "Write to Daniel Okafor at daniel.okafor@example.com and Priya Ramaswamy at priya.ramaswamy@example.com": True,
             "Write to the council at council@example.com before the end of the month to object to the plan "
             "and ask for a hearing, the group said.": False,
             "Har du ett nyhetstips? Hör av dig till oss på nyheter@example.com eller sms:a 070-000 00 00.": True,
             "Jetzt die Nordkurier-App herunterladen und keine Nachricht mehr verpassen": True,
             "Baixe o app do O Pedraltense e receba alertas das notícias mais importantes da sua cidade.": True,
             "Läs e-tidningen i appen – varje morgon från kl. 04.00.": True,
             "Скачайте приложение «Светлоярский вестник» для iOS и Android": True,
             "Die Stadt will die Parkgebühren künftig per App abrechnen, sagte der Bürgermeister.": False,
             "Läs mer om beslutet på kommunens webbplats.": False}
    batch, dense, _ = featurize([list(lines)], 2**12, sparse=False)
    assert dict(zip(lines, _promo_lines(batch.texts, dense, _ad_markers(batch.texts, dense, batch.marks), batch.marks).tolist())) == lines


def test_chrome_lines_flag_other_languages_ad_markers_share_and_subscribe_buttons():
    from scrapeseg.train.predict import _chrome_lines, _worded_lines

    lines = {"Publicidad": True, "Pubblicità": True, "— Anzeige —": True, "Реклама": True, "Contenido patrocinado": True,
             "Compartir en WhatsApp": True, "Partager sur Facebook": True, "Teilen": True, "Suscríbete": True,
             "Jetzt abonnieren": True, "Abonnez-vous !": True, "Share this post": True, "Share This Article:": True,
             "Share": False, "Publicidad engañosa": False, "La publicidad institucional creció un 12 % en 2025.": False,
             "Teilen Sie diesen Artikel mit Ihren Freunden und Kollegen": False, "Compartir piso en Madrid sale caro": False,
             "Table of Contents": True, "Contents:": True, "Jump to:": True, "Inhaltsverzeichnis": True,
             "Contents may settle": False, "Table tennis results": False,
             "Story continues below advertisement": True, "Advertisement - Page continues below": True,
             "Continua após a publicidade": True, "La suite après cette publicité": True, "Weiter nach der Anzeige": True,
             "The war continues below the surface.": False, "Continua la protesta": False,
             "Artikel teilen": True, "Dela": True, "Kopiera länk": True, "Copy link": True,
             "Copy links from the report into your own notes": False,
             "Listen to this article": True, "Listen to Article": True, "Artikel anhören": True, "Escuchar este artículo": True,
             "Posłuchaj artykułu": True, "REKLAMA": True, "Udostępnij": True, "Skopiuj link": True,
             "Listen to the residents, the mayor said": False, "Reklama w telewizji drożeje": False}
    batch, dense, entries = featurize([list(lines)], 2**12, sparse=False)
    assert dict(zip(lines, _chrome_lines(batch.texts, dense, _worded_lines(dense, batch.marks)).tolist())) == lines


def test_subscribe_lines_flag_newsletter_and_subscription_promos_not_sentences_about_them():
    from scrapeseg.train.predict import _subscribe_lines, _worded_lines

    lines = {"Subscribe": True, "Subscribe now to receive all the latest updates, delivered directly to your inbox.": True,
             "Get the QuietByte newsletter: one thoughtful article a week, no spam.": True,
             "Liked this? Sign up for our weekly email newsletter.": True,
             "Suscríbete a Diario Costa desde 1 € el primer mes y lee sin límites.": True,
             "Ogni lunedì i risultati nella tua casella di posta: iscriviti gratis alla newsletter.": True,
             "51% of people unsubscribe from newsletters simply because they get too many.": False,
             "I also subscribe to every newsletter and magazine on the subject.": False,
             "The council said subscribers would get a refund next month.": False,
             "Subscribe " + "now and save on every issue of the magazine " * 4: False,
             "Already a subscriber? Sign in": True, "Gift this article": True,
             "Get unlimited digital access to Ledgerline for $1 a week for your first year. Cancel anytime.": True,
             "Already, a third of the members have left.": False, "Unlimited access to the beach ends in May.": False,
             "Vous avez lu 3 articles gratuits ce mois-ci. Abonnez-vous pour continuer à nous lire sans limite.": True,
             "Déjà abonné ? Se connecter": True, "Recevez gratuitement chaque matin la newsletter du Courrier du Vallon": True,
             "Déjà, la mairie avait prévenu les habitants.": False,
             "Has leído 3 de tus 5 notas gratuitas de este mes.": True, "Crear cuenta gratis": True,
             "Regístrate gratis y sigue disfrutando de todo nuestro contenido sin límites.": True,
             "¿Ya tienes cuenta? Inicia sesión": True, "Ya tienes la fecha: el partido será el sábado.": False,
             "Crear empleo es la prioridad del gobierno, dijo el ministro.": False,
             "Get the day's top local headlines in your inbox every morning.": True,
             "Get every new post delivered to your Inbox.": True,
             "The scam email landed in your inbox last week, police said.": False,
             "Sie wollen nichts verpassen? Abonnieren Sie unseren kostenlosen Newsletter.": True,
             "Wir abonnieren seit Jahren drei Zeitungen, sagt sie über den Newsletter.": False,
             "You have 3 free articles left this month.": True, "You have 3 children and a dog.": False,
             "Er du allerede abonnent? Logg inn": True, "Redan Plus-medlem? Logga in": True,
             "Netflix raises prices for subscribers": False}
    batch, dense, entries = featurize([list(lines)], 2**12, sparse=False)
    found = _subscribe_lines(batch.texts, dense, batch.marks, _worded_lines(dense, batch.marks), batch.doc)
    assert dict(zip(lines, found.tolist())) == lines


def test_a_paywall_box_runs_from_its_badge_to_its_sign_in_in_any_wording():
    from scrapeseg.train.predict import _subscribe_lines, _worded_lines

    box = ["Ferja går sjeldnere fra mai.", "Denne saken er for abonnenter", "Få ubegrenset tilgang til alle saker.",
           "1 kr første måned, deretter 289 kr per måned.", "Kjøp abonnement", "Er du allerede abonnent? Logg inn",
           "Fylket sier kuttet er nødvendig."]
    far = ["This article is for subscribers"] + [f"Paragraph {k} of the story goes on here." for k in range(7)] + ["Already a subscriber? Sign in"]
    batch, dense, _ = featurize([box, far], 2**12, sparse=False)
    found = _subscribe_lines(batch.texts, dense, batch.marks, _worded_lines(dense, batch.marks), batch.doc).tolist()
    assert found[:7] == [False, True, True, True, True, True, False]
    assert found[7:] == [True] + [False] * 7 + [True], "a sign-in too far below its badge closes no box"


def test_invisible_lines_are_the_lines_with_nothing_to_show():
    from scrapeseg.train.predict import _invisible_lines

    lines = {"\u200d": True, "\ufeff": True, "\u200b \u200b": True, "\u200e": True, "•": False, "✔": False, "1": False,
             "A\u200d": False, "The storm hit the coast on Monday.": False}
    batch, dense, _ = featurize([list(lines)], 2**12, sparse=False)
    assert dict(zip(lines, _invisible_lines(batch.texts, dense).tolist())) == lines


def test_teaser_flags_of_the_features_agree_with_the_teaser_regexes_on_every_header_kind():
    from pathlib import Path

    from scrapeseg.corpus.teaser import PREV_NEXT_LINE, READ_MORE_LINE, is_teaser_header

    # The features run the regexes only on lines whose first word is a known starter; a header
    # kind missing from the starters ("Recent Posts" once was) silently loses its flag.
    headers = ["Recent Posts", "Recent Articles", "Related Stories", "Most Read", "Latest news", "You might also like",
               "Don't miss", "Elsewhere on the web", "Around the site", "In other news", "From the archive",
               "Further reading", "Editor's picks", "Top stories", "Trending now", "Popular posts", "See also: the old story",
               "Main article: Network security in practice", "Read more: Council votes on new budget",
               "Previous post: How we moved to SQLite", "Next post: The week in review", "I più letti", "Die beliebtesten Artikel",
               "Mehr zum Thema", "À lire aussi", "Noticias relacionadas", "Lo más leído", "Leia também", "Leggi anche",
               "Meest gelezen", "Läs också", "Читайте также", "Самое читаемое", "Mest läst", "Mer från Tallsjö", "Les også",
               "Najczęściej czytane", "Czytaj także", "Zobacz też", "Polecamy", "Więcej wiadomości", "Te recomendamos",
               "Recent protests turned violent, police said on Monday."]
    assert all(map(is_teaser_header, headers[-7:-1])), "the Polish and Spanish headers of feature set 9"
    root = Path(__file__).resolve().parents[1] / "corpus" / "handmade"
    lines = headers + [line for path in sorted(root.glob("*.txt")) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    _, dense, _ = featurize([lines], 2**12, sparse=False)
    expected_header = [is_teaser_header(line) and len(line.split()) <= 40 for line in lines]
    expected_read_more = [READ_MORE_LINE.match(line) is not None and len(line.split()) <= 40 for line in lines]
    # Only on the headers: a quote glued to its "«" matches PREV_NEXT_LINE, and its flag rightly stays off.
    expected_prev_next = [PREV_NEXT_LINE.match(line) is not None for line in headers]
    assert (dense[:, DENSE_NAMES.index("teaser_header")] > 0).tolist() == expected_header
    assert (dense[:, DENSE_NAMES.index("read_more_line")] > 0).tolist() == expected_read_more
    assert (dense[:len(headers), DENSE_NAMES.index("prev_next_line")] > 0).tolist() == expected_prev_next
    assert sum(expected_prev_next) == 2
    assert sum(expected_header[:len(headers)]) >= 20, "the header list holds headers"


def test_comment_lists_flag_a_recent_comments_widget_and_its_entries_only():
    from scrapeseg.train.predict import _comment_lists

    page = ["The storm hit the coast late on Monday.", "Recent Comments", "Ann Lee on Storm hits the coast",
            "Bob commented on Why the bridge closed", "Cara in Ten years of the festival", "Dan: Great post, thanks!",
            "More from the blog", "Ann Lee on Storm hits the coast"]
    other = ["Recent Comments"]
    batch, dense, _ = featurize([page, other], 2**12, sparse=False)
    flags = _comment_lists(batch.texts, dense, batch.doc).tolist()
    assert flags[:len(page)] == [False, True, True, True, True, True, False, False], "the run ends at the first line that is no entry"
    assert flags[len(page):] == [True]


def test_line_marks_find_a_chrome_word_among_a_lines_first_tokens_and_cue_words_anywhere():
    from scrapeseg.train.features import TOKEN_CHROME_WORD, TOKEN_COMMENT_WORD, TOKEN_SUBSCRIBE_CUE

    doc = ["Compartir en WhatsApp", "", "— Publicidad —", "Leer el artículo y compartir", "COMPARTIR", "menu",
           "Share this post", "Read our weekly newsletter.", "Lascia un commento", "Suscríbete", "Abonnez-vous !"]
    batch, _, _ = featurize([doc], 2**12, sparse=False)
    chrome = [i for i, mark in enumerate(batch.marks.tolist()) if mark & TOKEN_CHROME_WORD]
    assert [batch.texts[i] for i in chrome] == ["Compartir en WhatsApp", "— Publicidad —", "COMPARTIR", "Share this post",
                                                "Suscríbete", "Abonnez-vous !"], "a chrome word after the second token does not count"
    assert [t for t, mark in zip(batch.texts, batch.marks.tolist()) if mark & TOKEN_SUBSCRIBE_CUE] == ["Read our weekly newsletter.", "Suscríbete",
                                                                                              "Abonnez-vous !"]
    assert [t for t, mark in zip(batch.texts, batch.marks.tolist()) if mark & TOKEN_COMMENT_WORD] == ["Lascia un commento"]


def test_a_paid_widgets_cards_become_boilerplate_up_to_its_last_ad_marker():
    from scrapeseg.train.predict import LineFacts, _ad_markers, paid_widgets

    classes = np.array(Label.names())
    B, T, X = [0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]
    widget = ["The storm hit the coast late on Monday.", "Promoted Stories", "Ten gadgets you need this winter",
              "Sponsored by Acme", "Why doctors love this one trick", "Acme Loans | Sponsored", "Related Articles",
              "The council closes the bridge"]
    own = ["The storm hit the coast late on Monday.", "Promoted Stories", "The council closes the bridge",
           "Engineers inspect the old piers"]  # no ad marker below the header: the site's own stories stay
    docs = [widget, own]
    probs = np.array([B, X, T, X, T, T, T, T] + [B, X, T, T])
    batch, dense, _ = featurize(docs, 2**12)
    ads = _ad_markers(batch.texts, dense, batch.marks)
    assert np.flatnonzero(ads).tolist() == [1, 3, 5, 9]
    stop = np.array([t == "Related Articles" for d in docs for t in d])
    facts = LineFacts.empty(len(probs))._replace(ad=ads, stop=stop)
    after = paid_widgets(probs.copy(), facts, docs, np.array([len(d) for d in docs]), classes)
    assert classes[after.argmax(axis=1)].tolist() == (
        ["body", "boilerplate", "boilerplate", "boilerplate", "boilerplate", "teaser", "teaser", "teaser"]
        + ["body", "boilerplate", "teaser", "teaser"]
    )
    assert after[2].tolist() == pytest.approx([0.0, 0.0, 1.0])


def test_paid_widgets_in_other_languages_and_with_the_networks_name():
    from scrapeseg.train.predict import LineFacts, _ad_markers, paid_widgets

    classes = np.array(Label.names())
    T = [0.1, 0.8, 0.1]
    italian = ["Contenuti sponsorizzati", "Questo trucco per dimezzare la bolletta", "Energia Facile",
               "Assicura Oggi | Sponsorizzato", "Commenti"]
    english = ["Sponsored Stories by Loomlink", "Doctors Stunned: This Simple Habit", "Ad · TrimWell", "Game thread"]
    plain = ["Sondaggio: il governo perde consensi", "Roma, la giunta approva il bilancio | Politica"]
    docs = [italian, english, plain]
    batch, dense, _ = featurize(docs, 2**12)
    ads = _ad_markers(batch.texts, dense, batch.marks)
    assert np.flatnonzero(ads).tolist() == [0, 3, 5, 7]
    probs = np.array([T] * len(ads))
    facts = LineFacts.empty(len(probs))._replace(ad=ads, stop=np.zeros(len(probs), dtype=bool))
    after = paid_widgets(probs.copy(), facts, docs, np.array([len(d) for d in docs]), classes)
    assert classes[after.argmax(axis=1)].tolist() == (
        ["teaser", "boilerplate", "boilerplate", "teaser", "teaser"] + ["teaser", "boilerplate", "teaser", "teaser"]
        + ["teaser", "teaser"]
    ), "the cards up to the last marker move; the markers themselves are promo lines, made boilerplate by the promo pass"


def test_a_teaser_section_header_the_model_calls_body_becomes_teaser_alone():
    from scrapeseg.train.predict import _teaser_section_headers, related_headers

    classes = np.array(Label.names())
    lines = ["La sentencia es firme.", "Te puede interesar", "Caso Canal del Norte", "Ces articles peuvent vous intéresser",
             "Related", "More on the New Shakespeare", "Related to this, the council met on Monday.", "Most Read"]
    batch, dense, _ = featurize([lines], 2**12, sparse=False)
    related = _teaser_section_headers(batch.texts, dense, batch.marks)
    assert related.tolist() == [False, True, False, True, True, False, False, True]
    B, X = [0.7, 0.1, 0.2], [0.1, 0.2, 0.7]
    probs = np.array([B, B, B, B, B, B, B, X])
    after = related_headers(probs.copy(), related, classes)
    assert classes[after.argmax(axis=1)].tolist() == ["body", "teaser", "body", "teaser", "teaser", "body", "body", "boilerplate"], (
        "only headers called body move, and only they: the card below and a header called boilerplate keep their calls"
    )


def test_a_one_word_kicker_above_the_headline_becomes_boilerplate():
    from scrapeseg.train.predict import LineFacts, _ends_sentence, kickers

    classes = np.array(Label.names())
    B, X = [0.9, 0.0, 0.1], [0.1, 0.1, 0.8]
    paragraph = "The storm hit the coast late on Monday, and the council closed the bridge."
    logo = ["Daily8", "Storm hits the coast tonight", paragraph]
    short_headline = ["Storm hits coast", "Council closes the bridge as waves rise", paragraph]  # a headline over its dek
    sentence = ["Thanks.", "Storm hits the coast tonight", paragraph]
    not_a_headline = ["Politics", paragraph, paragraph]
    docs = [logo, short_headline, sentence, not_a_headline]
    probs = np.array([B, B, B] * 4)
    batch, dense, _ = featurize(docs, 2**12)
    words = np.array([len(t.split()) for d in docs for t in d])
    facts = LineFacts.empty(len(words))._replace(words=words, sentence_end=_ends_sentence(batch.texts, dense))
    after = kickers(probs.copy(), facts, docs, np.array([len(d) for d in docs]), classes)
    assert classes[after.argmax(axis=1)].tolist() == ["boilerplate"] + ["body"] * 11
    assert after[0].tolist() == pytest.approx([0.0, 0.0, 1.0])


def test_copies_of_the_headline_behind_a_short_prefix_below_it_become_boilerplate():
    from scrapeseg.train.predict import LineFacts, sticky_copies

    classes = np.array(Label.names())
    B, T = [0.9, 0.05, 0.05], [0.1, 0.8, 0.1]
    headline = "Storm hits the coast tonight"
    paragraph = "The storm hit the coast late on Monday, and the council closed the bridge."
    page = ["logo", headline, paragraph, f"Currently reading: {headline}", f"4 thoughts on “{headline}”",
            f"{headline} and what comes next for the town", f"Home » {headline}"]
    above = [f"Home » {headline}", headline, paragraph]  # above the headline: the article's start, left to the model
    untitled = [paragraph, f"Currently reading: {paragraph}"]  # no headline-shaped first body line
    docs = [page, above, untitled]
    probs = np.array([[0.1, 0.1, 0.8], B, B, B, T, B, B] + [[0.1, 0.1, 0.8], B, B] + [B, B])
    words = np.array([len(t.split()) for d in docs for t in d])
    chars = np.array([len(t) for d in docs for t in d])
    facts = LineFacts.empty(len(words))._replace(words=words, chars=chars)
    after = sticky_copies(probs.copy(), facts, docs, np.array([len(d) for d in docs]), classes)
    assert classes[after.argmax(axis=1)].tolist() == (
        ["boilerplate", "body", "body", "boilerplate", "boilerplate", "body", "boilerplate"]
        + ["boilerplate", "body", "body"] + ["body", "body"]
    )
    assert after[4].tolist() == pytest.approx([0.0, 0.0, 1.0])


def test_a_related_stories_header_right_above_a_teaser_line_becomes_teaser():
    from scrapeseg.train.predict import LineFacts, section_headers

    classes = np.array(Label.names())
    T, X = [0.05, 0.8, 0.15], [0.1, 0.2, 0.7]
    top = ["logo", "Most Read", "Storm closes the coast road", "Council votes on the new bridge"]
    link = ["Most Read »", "Storm closes the coast road"]  # a link to a list, not a header
    last = ["Storm closes the coast road", "Most Read"]  # nothing below it
    below_menu = ["Most Read", "Home"]  # the line below is not teaser
    docs = [top, link, last, below_menu]
    probs = np.array([X, X, T, T] + [X, T] + [T, X] + [X, X])
    batch, dense, _ = featurize(docs, 2**12)
    stop = dense[:, DENSE_NAMES.index("teaser_header")] > 0
    assert stop.tolist() == [False, True, False, False] + [True, False] + [False, True] + [True, False]
    words = np.array([len(t.split()) for d in docs for t in d])
    facts = LineFacts.empty(len(words))._replace(stop=stop, words=words)
    after = section_headers(probs.copy(), facts, docs, np.array([len(d) for d in docs]), classes)
    assert classes[after.argmax(axis=1)].tolist() == (
        ["boilerplate", "teaser", "teaser", "teaser"] + ["boilerplate", "teaser"] + ["teaser", "boilerplate"]
        + ["boilerplate", "boilerplate"]
    )
    assert after[1].tolist() == pytest.approx([0.0, 1.0, 0.0])


def test_tag_lists_become_boilerplate_wherever_they_sit():
    from scrapeseg.train.predict import _tag_lines, tag_lines

    classes = np.array(Label.names())
    lines = {"Tags: climate, energy, politics": True, "Filed Under: Banking": True, "Category : Sports": True,
             "TOPICS: Jesus Christ, hymns": True, "Tags": False, "Topics we cover include energy: oil and gas.": False,
             "The tags: a story of labels and the people who print them.": False,
             "Trending: Election 2024 | Climate | Markets | Tech": True,
             "Trending: Storm closes the coast road | Council votes on the new bridge": False,
             "Temas: Puerto de Calblanca · Economía": True, "Schlagwörter: Energie, Netz": True,
             "Mots-clés : port, économie": True, "Теги: порт, экономика": True,
             "Ämnen i artikeln: Tallsjö, Kommunpolitik, Idrott": True, "Category 5 hurricane: what it means": False,
             "Tagi: tramwaje, MPK Częstochowa, inwestycje": True}
    batch, dense, _ = featurize([list(lines)], 2**12)
    flags = _tag_lines(batch.texts, dense)
    assert dict(zip(lines, flags.tolist())) == lines
    probs = np.tile([0.6, 0.3, 0.1], (len(lines), 1))
    after = tag_lines(probs.copy(), flags, classes)
    assert classes[after.argmax(axis=1)].tolist() == ["boilerplate" if f else "body" for f in flags.tolist()]
    assert after.sum(axis=1) == pytest.approx(probs.sum(axis=1))


def test_an_author_bio_among_the_last_body_lines_becomes_boilerplate():
    from scrapeseg.train.predict import LineFacts, author_bios

    classes = np.array(Label.names())
    B, X = [0.9, 0.0, 0.1], [0.1, 0.1, 0.8]
    bio = "Jane Doe is a senior reporter covering climate and energy for the paper."
    article = ["The storm hit the coast late on Monday, and the council closed the bridge to all traffic until "
               "its engineers could say whether the old piers had taken any damage from the waves.",
               "Engineers will inspect it on Tuesday before it opens again to traffic, the council said in a "
               "statement that also asked drivers to use the northern ring road in the meantime."]
    ends = article + [bio, "Share this"]
    quoted = [bio] + article  # an article may open with a person and their job
    neighbour = article + ["Jane Doe is a keen gardener who lost her greenhouse to the storm."]  # no journalist's role
    docs = [ends, quoted, neighbour]
    probs = np.array([B, B, B, X] + [B, B, B] + [B, B, B])
    words = np.array([len(t.split()) for d in docs for t in d])
    facts = LineFacts.empty(len(words))._replace(words=words)
    after = author_bios(probs.copy(), facts, docs, np.array([len(d) for d in docs]), classes)
    assert classes[after.argmax(axis=1)].tolist() == ["body", "body", "boilerplate", "boilerplate"] + ["body"] * 6
    assert after[2, 0] == 0.0 and after[2].sum() == pytest.approx(1.0)
    assert np.array_equal(np.delete(after, 2, axis=0), np.delete(probs, 2, axis=0))


def test_short_promo_lines_become_boilerplate_with_their_scores_summed(small_train):
    from scrapeseg.train.predict import promo_lines

    classes = np.array(Label.names())
    probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4]])
    after = promo_lines(probs.copy(), np.array([True, True, False]), classes)
    assert after[:2] == pytest.approx(np.array([[0.0, 0.0, 1.0], [0.0, 0.0, 1.0]]))
    assert after[:2, :2].tolist() == [[0.0, 0.0], [0.0, 0.0]]
    assert after[2].tolist() == probs[2].tolist()
    data = small_train
    model = SegmentClassifier(**SMALL).fit(data["docs"], data["labels"], groups=data["domains"])
    doc = ["Related Articles", "First other story headline here", "DOWNLOAD THE APP", "Subscribe now"]
    probs = model.predict_proba_docs([doc])[0]
    assert probs[2:].tolist() == [[0.0, 0.0, pytest.approx(1.0)], [0.0, 0.0, pytest.approx(1.0)]]


def test_of_a_repeated_headline_the_first_copy_is_body_and_the_others_boilerplate(small_train, monkeypatch):
    import scrapeseg.train.predict as P

    data = small_train
    model = SegmentClassifier(**SMALL).fit(data["docs"], data["labels"], groups=data["domains"])
    doc = next(d for d, lab in zip(data["docs"], data["labels"]) if (np.asarray(lab) == Label.BODY.value).sum() >= 3)
    first = int(np.flatnonzero(model.predict_docs([doc])[0] == Label.BODY.text)[0])
    copied = doc[: first + 1] + [doc[first].upper(), doc[first]] + doc[first + 1 :]
    again = model.predict_docs([copied])[0]
    assert again[first] == Label.BODY.text
    assert (again[first + 1 : first + 3] == Label.BOILERPLATE.text).all()
    monkeypatch.setattr(P, "headline_copies", lambda probs, *args: probs)
    assert (model.predict_docs([copied])[0][first : first + 3] != again[first : first + 3]).any()


def test_comment_openers_flag_counted_headers_and_author_lines():
    from scrapeseg.train.features import comment_openers

    lines = {
        "{ 167 comments }": True, "{ 9 comments… read them below or add one }": True, "Leave a Reply": True,
        "53 Responses to “A long story”": True, "Progress Trap said,": True, "Jane Doe says:": True,
        "12 Responses to “Negative Target Fixation – Do You Have It? A Look Back”": True,
        "59 Comments on “The December Comfort Watches 2025, Day Eight”": True,
        "12 responses came in before the council voted to close the bridge on Monday.": False,
        "Comments": False, "Discussion": False, "He said, she said and then they both left the room.": False,
        "Posted on 12 May 2012 by Jane": False, "The council said, on Monday, that the bridge will close.": False,
        # the other languages' counted headers and invitations; a zero count or a bare word opens nothing
        "Comentarios (2)": True, "23 commenti": True, "Kommentare (10)": True, "Lascia un commento": True,
        "Soyez le premier à commenter cet article.": True, "Deixe o seu comentário": True, "Оставить комментарий": True,
        "Komentarze (17)": True, "Dodaj komentarz": True, "Diskuse (87)": True, "Vstoupit do diskuse": True,
        "Commenti (0)": False, "Comentarios": False, "Comments (4)": False, "Komentarze": False,
        "Los comentarios del alcalde sobre el puerto fueron muy criticados ayer.": False,
    }
    batch, dense, entries = featurize([list(lines)], 2**12, sparse=False)
    assert dict(zip(lines, comment_openers(batch.texts, dense, batch.marks).tolist())) == lines


def _comment_facts(texts, opener, stop, words):
    from scrapeseg.train.predict import LineFacts

    empty = LineFacts.empty(len(texts))
    return empty._replace(opener=np.array(opener, bool), stop=np.array(stop, bool), words=np.array(words))


def test_comment_sections_make_body_after_the_article_boilerplate_until_a_teaser_header():
    from scrapeseg.train.predict import comment_sections

    classes = np.array(Label.names())
    B, T, X = [0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]
    # doc 1: article (60 words), opener, two comments, a teaser header, a teaser, a body-like line.
    # doc 2: a byline's "4 Comments" above the article opens nothing; a teaser-labelled opener neither.
    probs = np.array([B, B, X, B, B, T, T, B] + [X, X, B, B, T, B])
    opener = [0, 0, 0, 1, 0, 0, 0, 0] + [0, 1, 0, 0, 1, 0]
    stop = [0, 0, 0, 0, 0, 1, 0, 0] + [0, 0, 0, 0, 0, 0]
    words = [30, 30, 2, 2, 20, 2, 8, 20] + [3, 2, 40, 40, 2, 20]
    facts = _comment_facts(range(14), opener, stop, words)
    docs = [[f"line {i}" for i in range(8)], [f"line {i}" for i in range(6)]]
    after = comment_sections(probs.copy(), facts, docs, np.array([8, 6]), classes)
    assert classes[after.argmax(axis=1)].tolist() == (
        ["body", "body", "boilerplate", "boilerplate", "boilerplate", "teaser", "teaser", "body"]
        + ["boilerplate", "boilerplate", "body", "body", "teaser", "body"]
    )
    assert after[3].tolist() == pytest.approx([0.0, 0.1, 0.9])
    changed = [3, 4]
    assert np.array_equal(np.delete(after, changed, axis=0), np.delete(probs, changed, axis=0))


def test_comment_sections_need_the_article_to_end_right_above_the_opener():
    from scrapeseg.train.predict import MAX_GAP_AFTER_BODY, MIN_ARTICLE_WORDS, comment_sections

    classes = np.array(Label.names())
    B, X = [0.8, 0.1, 0.1], [0.1, 0.1, 0.8]
    gap = MAX_GAP_AFTER_BODY + 1
    probs = np.array([B] + [X] * gap + [X, B])
    words = [MIN_ARTICLE_WORDS] + [1] * gap + [2, 30]
    opener = [0] * (gap + 1) + [1, 0]
    facts = _comment_facts(range(len(probs)), opener, [0] * len(probs), words)
    docs = [["line"] * len(probs)]
    assert comment_sections(probs.copy(), facts, docs, np.array([len(probs)]), classes).tolist() == probs.tolist()
    short = _comment_facts(range(3), [0, 1, 0], [0, 0, 0], [MIN_ARTICLE_WORDS - 1, 2, 30])
    assert comment_sections(np.array([B, X, B]), short, [["line"] * 3], np.array([3]), classes).tolist() == [B, X, B]
    enough = _comment_facts(range(3), [0, 1, 0], [0, 0, 0], [MIN_ARTICLE_WORDS, 2, 30])
    assert comment_sections(np.array([B, X, B]), enough, [["line"] * 3], np.array([3]), classes).argmax(axis=1).tolist() == [0, 2, 2]


def test_comment_sections_take_teaser_chatter_to_boilerplate_up_to_a_list_of_headlines():
    from scrapeseg.train.predict import comment_sections

    classes = np.array(Label.names())
    B, T, X = [0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]
    doc = ["A long article paragraph.", "Comentários (3)", "Marcos Prado", "há 2 horas", "Finalmente uma notícia boa, quero ver.",
           "Responder", "4 March 2026 at 8:14 am", "Festival de Inverno divulga programação com 40 shows", "Uma notícia de outra página."]
    probs = np.array([B, X, T, T, T, T, T, T, T])
    facts = _comment_facts(doc, [0, 1, 0, 0, 0, 0, 0, 0, 0], [0] * 9, [60, 2, 2, 3, 6, 1, 6, 8, 5])
    after = comment_sections(probs.copy(), facts, [doc], np.array([9]), classes)
    assert classes[after.argmax(axis=1)].tolist() == ["body"] + ["boilerplate"] * 6 + ["teaser", "teaser"], \
        "the first headline ends the comments; what follows it stays"
    for stop in ("Previous post: Qual das duas?", "Kristen reveals that she doesn’t like to be fake, so she finally… Read Article"):
        cut = doc[:4] + [stop] + doc[4:6]
        facts = _comment_facts(cut, [0, 1, 0, 0, 0, 0, 0], [0] * 7, [60, 2, 2, 3, 4, 6, 1])
        after = comment_sections(np.array([B, X, T, T, T, T, T]), facts, [cut], np.array([7]), classes)
        assert classes[after.argmax(axis=1)].tolist() == ["body"] + ["boilerplate"] * 3 + ["teaser"] * 3, stop



def test_an_in_article_read_more_line_starts_no_section_in_the_features():
    doc = ["The council met on Monday to discuss the bridge over the river.", "Related Stories",
           "Bridge repairs start next week", "The mayor said the work would take a year.",
           "Read more: Council approves the new bridge over the river", "Residents welcomed the news on Tuesday."]
    batch, dense, _ = featurize([doc], 2**12, sparse=False)
    since = dense[:, DENSE_NAMES.index("since_teaser_header")]
    before = dense[:, DENSE_NAMES.index("header_before")]
    assert dense[4, DENSE_NAMES.index("read_more_line")] == 1, "the line itself is marked"
    assert since[5] == pytest.approx(np.log1p(4)), "the distance runs from the header, past the read-more line"
    assert before.tolist() == [0, 0, 1, 1, 1, 1]

def test_reply_buttons_in_several_languages_not_sentences_about_replies():
    from scrapeseg.train.predict import _reply_buttons, _worded_lines

    lines = {"Reply": True, "[reply]": True, "Reply to this comment": True, "Beantwoorden": True, "Ответить": True,
             "Odpowiedz": True, "Rispondi ↓": True, "Responder": True,
             "Reply all": False, "The minister did not reply to our questions.": False, "Replying to @jane": False}
    batch, dense, _ = featurize([list(lines)], 2**12, sparse=False)
    worded = _worded_lines(dense, batch.marks)
    assert dict(zip(lines, _reply_buttons(batch.texts, dense, worded).tolist())) == lines


def test_reply_threads_take_teaser_lines_near_a_reply_button_to_boilerplate_up_to_a_teaser_header():
    from scrapeseg.train.predict import REPLY_REACH, reply_threads

    classes = np.array(Label.names())
    B, T, X = [0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]
    # doc 1: cards, a comment (name, time, text) with its reply button, a teaser header, cards.
    # doc 2: a reply button on its first line reaches no line of doc 1.
    probs = np.array([T] * 6 + [T, T, B, T, T, T, T, T] + [T, T])
    reply = [0] * 6 + [0, 0, 0, 1, 0, 1, 0, 0] + [1, 0]
    stop = [0] * 6 + [0, 0, 0, 0, 0, 0, 1, 0] + [0, 0]
    facts = _comment_facts(range(len(probs)), [0] * len(probs), stop, [3] * len(probs))._replace(reply=np.array(reply, bool))
    after = reply_threads(probs.copy(), facts, np.array([14, 2]), classes)
    labels = classes[after.argmax(axis=1)].tolist()
    first = 9 - REPLY_REACH
    assert labels[:first] == ["teaser"] * first, "cards further up than the reach stay"
    assert labels[first:12] == ["boilerplate"] * (8 - first) + ["body", "boilerplate", "boilerplate", "boilerplate"]
    assert labels[8] == "body", "body lines stay"
    assert labels[12:14] == ["teaser", "teaser"], "a teaser header ends the thread"
    assert labels[14:] == ["boilerplate", "boilerplate"]
    assert after[9].tolist() == pytest.approx([0.0, 0.0, 1.0])

def test_a_comment_thread_after_the_article_is_boilerplate(small_train, monkeypatch):
    import scrapeseg.train.predict as P

    data = small_train
    model = SegmentClassifier(**SMALL).fit(data["docs"], data["labels"], groups=data["domains"])
    doc = next(d for d, lab in zip(data["docs"], data["labels"])
               if sum(len(t.split()) for t, y in zip(d, lab) if y == Label.BODY.value) >= 2 * P.MIN_ARTICLE_WORDS)
    labels = model.predict_docs([doc])[0]
    body = [t for t, y in zip(doc, labels) if y == Label.BODY.text and len(t.split()) >= P.MIN_PARAGRAPH_WORDS]
    last = int(np.flatnonzero(labels == Label.BODY.text)[-1])
    # Comments that read exactly like the article: only the section tells them apart.
    thread = doc[: last + 1] + ["{ 3 comments }", body[0], "Jane Doe says:", body[1]]
    monkeypatch.setattr(P, "comment_sections", lambda probs, *args: probs)
    unaided = model.predict_docs([thread])[0]
    monkeypatch.undo()
    again = model.predict_docs([thread])[0]
    assert (unaided[last + 1:] == Label.BODY.text).any()
    assert (again[last + 1:] == Label.BOILERPLATE.text).all()
    # The article's paragraphs stay body; its short last lines may not, since with the comments
    # gone the tail pass reads the article's own end ("Editor: …", a "Related Stories" header).
    paragraphs = [i for i in range(last + 1) if unaided[i] == Label.BODY.text and len(thread[i].split()) >= P.MIN_PARAGRAPH_WORDS]
    assert paragraphs and all(again[i] == Label.BODY.text for i in paragraphs)


def test_long_paragraphs_keep_the_stackers_body_call_against_a_boilerplate_chain():
    from scrapeseg.train.predict import MIN_LONG_WORDS, LineFacts, long_paragraphs

    classes = np.array(Label.names())
    B, T, X = [0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]
    # a long paragraph outvoted by the chain, a short one, a long snippet the chain made teaser,
    # a long line both call boilerplate, a long line the stacker did not call body, and a last
    # snippet that the chain calls boilerplate but ranks teaser above body.
    stacked = np.array([B, B, B, X, [0.3, 0.2, 0.5], B])
    chained = np.array([X, X, T, X, X, [0.1, 0.4, 0.5]])
    words = [MIN_LONG_WORDS, MIN_LONG_WORDS - 1, 3 * MIN_LONG_WORDS, 100, 100, 100]
    facts = LineFacts.empty(len(words))._replace(words=np.array(words))
    after = long_paragraphs(chained.copy(), stacked, facts, classes)
    assert after[0].tolist() == B
    assert np.array_equal(after[1:], chained[1:])


def test_article_tail_makes_short_lines_below_the_last_paragraph_boilerplate():
    from scrapeseg.train.predict import MAX_TAIL_WORDS, MIN_PARAGRAPH_WORDS, LineFacts, article_tail

    classes = np.array(Label.names())
    B, T, X = [0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]
    # short caption inside the article, last paragraph, alt text, a sign-off sentence, a long tail line,
    # a teaser; then a document with no paragraph at all, and an empty one.
    probs = np.array([B, B, B, B, B, B, T] + [B, B])
    words = [MIN_PARAGRAPH_WORDS, 2, MIN_PARAGRAPH_WORDS, 2, 3, MAX_TAIL_WORDS + 1, 2] + [3, MIN_PARAGRAPH_WORDS - 1]
    ends = [True, False, True, False, True, False, False] + [False, True]
    facts = LineFacts.empty(len(probs))._replace(sentence_end=np.array(ends), words=np.array(words))
    after = article_tail(probs.copy(), facts, np.array([7, 2, 0]), classes)
    assert classes[after.argmax(axis=1)].tolist() == ["body", "body", "body", "boilerplate", "body", "body", "teaser", "body", "body"]
    assert after[3].tolist() == pytest.approx([0.0, 0.1, 0.9])


def test_ends_sentence_accepts_quotes_but_not_brackets_or_guillemets():
    from scrapeseg.train.predict import _ends_sentence

    lines = {"Thanks for reading.": True, "“Really?”": True, "Stop!": True, "Photo (AFP)": False, "more »": False,
             "Orange background": False}
    batch, dense, _ = featurize([list(lines)], 2**12)
    assert dict(zip(lines, _ends_sentence(batch.texts, dense).tolist())) == lines


def test_lone_paragraph_gives_a_document_without_body_its_likeliest_paragraph():
    from scrapeseg.train.predict import MIN_PARAGRAPH_WORDS, LineFacts, lone_paragraph

    classes = np.array(Label.names())
    # doc 1: no body; the long line wins on body score x words though the short one has the higher score.
    # doc 2: already has body. doc 3: no body and no line long enough. doc 4: empty.
    probs = np.array([[0.3, 0.1, 0.6], [0.1, 0.05, 0.85], [0.0, 0.9, 0.1]] + [[0.6, 0.1, 0.3], [0.2, 0.1, 0.7]] + [[0.4, 0.0, 0.6]])
    words = [3, MIN_PARAGRAPH_WORDS * 2, 30] + [40, 40] + [MIN_PARAGRAPH_WORDS - 1]
    facts = LineFacts.empty(len(probs))._replace(words=np.array(words))
    after = lone_paragraph(probs.copy(), facts, np.array([3, 2, 1, 0]), classes)
    assert after[1].tolist() == [0.85, 0.05, 0.1]
    assert np.array_equal(np.delete(after, 1, axis=0), np.delete(probs, 1, axis=0))
    assert np.allclose(after.sum(axis=1), 1.0)


def test_context_passes_param_picks_the_rule_passes(small_train):
    import scrapeseg.train.predict as P

    data = small_train
    model = SegmentClassifier(**SMALL).fit(data["docs"], data["labels"], groups=data["domains"])
    doc = next(d for d, lab in zip(data["docs"], data["labels"])
               if sum(len(t.split()) for t, y in zip(d, lab) if y == Label.BODY.value) >= 2 * P.MIN_ARTICLE_WORDS)
    labels = model.predict_docs([doc])[0]
    last = int(np.flatnonzero(labels == Label.BODY.text)[-1])
    long_body = [t for t, y in zip(doc, labels) if y == Label.BODY.text and len(t.split()) >= P.MIN_PARAGRAPH_WORDS]
    thread = doc[: last + 1] + ["{ 3 comments }", long_body[0], "Jane Doe says:", long_body[1], "Orange background"]
    every = model.predict_proba_docs([thread])[0]
    model.set_params(context_passes=[])
    raw = model.predict_proba_docs([thread])[0]
    model.set_params(context_passes=["comments"])
    comments_only = model.predict_proba_docs([thread])[0]
    assert not np.array_equal(raw, every) and not np.array_equal(raw, comments_only)
    assert np.array_equal(comments_only[: last + 1], raw[: last + 1])
    for bad in (["comments", "nope"], "comments"):
        with pytest.raises(ValueError, match="context_passes"):
            SegmentClassifier(**SMALL, context_passes=bad).fit(data["docs"][:4], data["labels"][:4])


SITE_TEMPLATE = "Acme Daily brings you the news of the valley and the hills since 1921, told by people who live here."
SITE_ARTICLES = [
    ["Council votes to rebuild the old bridge", "By Jane Doe", "May 5, 2025",
     "The council voted on Monday to rebuild the old bridge over the river, which the storm closed last winter, "
     "and asked its engineers to draw up plans for a wider deck with room for bicycles."],
    ["Farmers count the cost of the dry spring", "By Jane Doe", "May 6, 2025",
     "Farmers across the valley say the driest spring in thirty years has cut their first hay harvest by half, "
     "and several have started to sell cattle they can no longer feed."],
]


def test_site_seen_flags_lines_on_other_pages_of_the_site_but_not_on_copies_of_the_page():
    from scrapeseg.train.site import site_seen

    a, b = ([*article, SITE_TEMPLATE.upper()] for article in SITE_ARTICLES)
    reprint = [*SITE_ARTICLES[0], "Comments are closed."]  # the same article at another URL
    docs = [a, b, reprint, [*SITE_ARTICLES[1], SITE_TEMPLATE]]
    seen = np.split(site_seen(docs, ["acme", "acme", "acme", "other"]), np.cumsum([len(d) for d in docs])[:-1])
    assert seen[0].tolist() == [False, True, False, False, True], "the byline and the template (any case) recur on b"
    assert seen[1].tolist() == [False, True, False, False, True]
    assert seen[2].tolist() == [False, True, False, False, False], "a's paragraph is on a copy of this page, not another page"
    assert not seen[3].any(), "the only page of its site"
    assert not site_seen(docs, [None] * len(docs)).any()
    with pytest.raises(ValueError, match="sites holds 2 values for 4 documents"):
        site_seen(docs, ["acme", "acme"])


def test_site_templates_move_recurring_body_lines_but_keep_headlines_and_bylines():
    from scrapeseg.train.predict import LineFacts, site_templates

    classes = np.array(Label.names())
    docs = [[*article, SITE_TEMPLATE] for article in SITE_ARTICLES]
    seen = np.array([False, True, False, False, True] * 2)
    seen[0] = True  # the headline, listed on the other page too
    probs = np.tile([0.7, 0.2, 0.1], (len(seen), 1))
    probs[9] = [0.6, 0.1, 0.3]
    dated = np.array([False, True, True, False, False] * 2)
    facts = LineFacts.empty(len(seen))._replace(dated=dated)
    after = site_templates(probs.copy(), seen, facts, docs, np.array([5, 5]), classes)
    labels = classes[after.argmax(axis=1)].tolist()
    assert labels == ["body"] * 4 + ["teaser"] + ["body"] * 4 + ["boilerplate"], "the template goes to its higher other label"
    assert after.sum(axis=1) == pytest.approx(probs.sum(axis=1))
    assert np.array_equal(np.delete(after, [4, 9], axis=0), np.delete(probs, [4, 9], axis=0))


def test_the_site_pass_runs_only_when_the_batch_names_the_sites(small_train):
    data = small_train
    model = SegmentClassifier(**SMALL, context_passes=["site"]).fit(data["docs"], data["labels"], groups=data["domains"])
    # A paragraph the model reads as body, on two pages of one site: a site's "about us" box, say.
    template = next(t for d, lab in zip(data["docs"], data["labels"]) for t, y in zip(d, lab)
                    if y == Label.BODY.value and len(t.split()) >= 40)
    docs = [[*article, template, article[-1]] for article in SITE_ARTICLES]
    rows = [4, 10]
    alone = model.predict_proba(docs)
    assert np.array_equal(alone, model.predict_proba(docs, sites=[None, None]))
    assert np.array_equal(alone, model.predict_proba(docs, sites=["acme", "other"]))
    together = model.predict_proba(docs, sites=["acme", "acme"])
    assert (model.classes_[alone[rows].argmax(axis=1)] == "body").all(), "alone, the template reads as a paragraph"
    assert (model.classes_[together[rows].argmax(axis=1)] != "body").all(), "the template line is on both pages"
    assert np.array_equal(np.delete(together, rows, axis=0), np.delete(alone, rows, axis=0)), "bylines and unique lines stay"
    model.set_params(context_passes=[])
    assert np.array_equal(model.predict_proba(docs), model.predict_proba(docs, sites=["acme", "acme"]))


def test_breadcrumbs_flag_trails_of_short_items_not_quotes_or_sentences():
    from scrapeseg.train.predict import _breadcrumbs

    lines = {"Home › Regio › Hemmerdam": True, "Companies › Transport & Logistics": True,
             "Home » Blog » How to Divide Rhubarb Crowns Without Losing a Season": True, "Portada › Comarca › Calblanca": True,
             "« Nous restons prudents » a déclaré le maire": False, "Read more »": False,
             "Sales rose » see the chart below for the details of the quarter.": False,
             "Markets » A long headline about what the central bank said today": False}
    batch, dense, _ = featurize([list(lines)], 2**12, sparse=False)
    assert dict(zip(lines, _breadcrumbs(batch.texts, dense).tolist())) == lines


def test_a_read_also_header_alone_takes_the_headline_below_it_to_teaser():
    from scrapeseg.train.predict import _in_article_teasers

    doc = ["A paragraph of the article that ends like a sentence.", "LEIA TAMBÉM",
           "Assembleia aprova reajuste de 6% na tarifa dos ônibus", "Lees ook", "Hoogwater in de Oude Vaart: 'Zo hoog als nooit'",
           "Read more", "Council to close the bridge for repairs in May", "See also:", "This is a sentence, not a headline.",
           "Related Stories"]
    other = ["Voters head to the polls in the spring election"]
    batch, dense, _ = featurize([doc, other], 2**12, sparse=False)
    flags = _in_article_teasers(batch.texts, dense, batch.doc, batch.marks).tolist()
    assert flags[:len(doc)] == [False, True, True, True, True, False, False, False, False, False], \
        "a bare Read more is no header, and a sentence below a header is no headline"
    assert flags[len(doc):] == [False], "the next document's first line is not the header's headline"
    block = ["Mehr zum Thema", "Tarifkonflikt: Warum die Gespräche erneut gescheitert sind",
             "Homeoffice, Fahrgemeinschaft, Fernbus: So kommen Sie trotz Streik zur Arbeit", "Was Fahrgäste jetzt wissen müssen",
             "Wer ein Ticket für Donnerstag gebucht hat, kann es flexibel nutzen. Die wichtigsten Regeln im Überblick:"]
    batch, dense, _ = featurize([block], 2**12, sparse=False)
    assert _in_article_teasers(batch.texts, dense, batch.doc, batch.marks).tolist() == [True, True, True, False, False], \
        "the block's headlines are teaser; the subheading over the paragraph is not"
    inline = ["Te puede interesar: Cuánto cuesta viajar en micro de Córdoba a Rosario", "Läs mer: Kommunen måste spara 14 miljoner",
              "Te puede interesar: el puerto", "Leia mais sobre o assunto no nosso site, disse ele: é importante.",
              "MORE: Woman, 71, pulled from car after it is swept into flooded ford", "More: photos of the flood by our readers",
              "ALSO READ | Mumbai rains: locals run 20 minutes late as tracks waterlogged",
              "Czytaj także: Remont wiaduktu na ul. Trzech Wieszczów", "Read more | Share | Print"]
    batch, dense, _ = featurize([inline], 2**12, sparse=False)
    assert _in_article_teasers(batch.texts, dense, batch.doc, batch.marks).tolist() == [True, True, False, False, True, False,
                                                                                     True, True, False]


def test_other_promos_flag_affiliate_disclosures_and_whatsapp_channels_not_articles_about_them():
    from scrapeseg.train.predict import _other_promos

    lines = {"This post may contain affiliate links.": True,
             "Lanternline is reader-supported. When you buy through links on our site, we may earn an affiliate commission.": True,
             "Sumate al canal de El Meridiano en WhatsApp y recibí las noticias más importantes del día en tu celular.": True,
             "Join our WhatsApp channel for breaking news": True,
             "Подписывайтесь на «Вестник» в Telegram — все главные новости города в одном канале": True,
             "Affiliate programs: Streamers earn a commission when viewers buy games via affiliate links.": False,
             "Multi-channel campaigns: email, phone, chat, WhatsApp": False,
             "Police asked witnesses to join a WhatsApp group set up by the council.": False,
             "The commission will meet on Monday.": False}
    batch, dense, _ = featurize([list(lines)], 2**12, sparse=False)
    assert dict(zip(lines, _other_promos(batch.texts, dense, batch.marks).tolist())) == lines


def test_cookie_notices_in_several_languages_not_recipes_or_articles_about_cookies():
    from scrapeseg.train.predict import _cookie_notices

    lines = {"Avec votre accord, nous et nos 214 partenaires utilisons des cookies ou technologies similaires.": True,
             "Utilizamos cookies propias y de terceros para mejorar nuestros servicios.": True,
             "This site uses cookies to improve your experience. By continuing you agree to our use of cookies.": True,
             "Adjust Your Cookie Settings": True,
             "Questo sito utilizza cookie tecnici e, previo tuo consenso, cookie di profilazione.": True,
             "Diese Website verwendet Cookies, um die Nutzung zu analysieren.": True,
             "Roll out the dough and cut out the cookies using a cutter, then continue with the rest.": False,
             "PECR in the UK applies to apps that use cookies or similar tracking.": False}
    batch, dense, _ = featurize([list(lines)], 2**12, sparse=False)
    assert dict(zip(lines, _cookie_notices(batch.texts, dense, batch.marks).tolist())) == lines


def test_affiliate_offers_and_shop_buttons_but_not_bare_prices_or_sentences():
    from scrapeseg.train.predict import _shop_buttons

    lines = {"$150 at Amazon$150 at Zappos": True, "649 € chez Hexamarché": True, "£20 at Tesco £22 at Asda": True,
             "Voir l'offre": True, "Bei Otto ansehen*": True, "Check Price at Amazon": True, "$37": False,
             "The jacket costs $150 at most shops this winter.": False, "Prices rose 3% at Tesco last year.": False,
             "Bei dem Unfall wurde niemand verletzt.": False, "View deal": False}
    batch, dense, _ = featurize([list(lines)], 2**12, sparse=False)
    flags = dict(zip(lines, _shop_buttons(batch.texts, dense, batch.marks, batch.doc).tolist()))
    assert flags == lines, "a bare button counts only right beside an offer or shop button"


def test_cookie_banner_buttons_are_found_below_the_notice_in_any_language():
    from scrapeseg.train.predict import _cookie_banners, _ends_sentence

    first = ["Aftonekot", "Vi och våra partner använder cookies för att webbplatsen ska fungera och för att visa annonser.",
             "Godkänn alla", "Hantera inställningar", "Livescore", "Allsvenskan"]
    second = ["Wir und unsere Partner verwenden Cookies, um unser Angebot zu verbessern.", "Alle akzeptieren", "Sie haben recht.",
              "Einstellungen"]
    third = ["Menu", "Accept all", "The council met on Monday to discuss the bridge."]
    batch, dense, _ = featurize([first, second, third], 2**12, sparse=False)
    flags = _cookie_banners(batch.texts, dense, batch.marks, batch.doc, _ends_sentence(batch.texts, dense)).tolist()
    assert flags[:6] == [False, True, True, True, True, False], "three buttons at most below a notice"
    assert flags[6:10] == [True, True, False, False], "a line that ends a sentence ends the buttons"
    assert flags[10:] == [False, False, False], "no notice, no buttons"
