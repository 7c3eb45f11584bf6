"""The markup variant of the classifier: HTML markup columns on real pages, the untouched text-only path, saved use."""

from __future__ import annotations

import gzip

import numpy as np
import pytest
from conftest import SMALL_FIT

from scrapeseg.corpus.html import Markup, render_html
from scrapeseg.labels import Label
from scrapeseg.train.markup import MARKUP_NAMES, MARKUP_TAGS, MARKUP_WIDTH, markup_columns, page_markup
from scrapeseg.train.model import SegmentClassifier

SMALL = SMALL_FIT
HTML = ["html"]


@pytest.fixture(scope="module")
def corpus(small_dataset):
    """The small real DatasetDict that conftest builds from benchmark pages."""
    from scrapeseg.corpus.dataset import load_corpus

    return load_corpus(small_dataset)


@pytest.fixture(scope="module")
def html_train(corpus):
    """The HTML pages of the small training split, with their lines' markup features."""
    from scrapeseg.train.train import split_documents

    return split_documents(corpus["train"], kinds=HTML, markup=True)


@pytest.fixture(scope="module")
def fitted(html_train):
    """A markup model and a text-only model fitted with the same params on the same pages."""
    data = html_train
    markup = SegmentClassifier(**SMALL, markup=True).fit(data["docs"], data["labels"], groups=data["domains"], markup=data["markup"])
    text = SegmentClassifier(**SMALL).fit(data["docs"], data["labels"], groups=data["domains"])
    return markup, text


def test_markup_columns_one_hot_the_tag_and_keep_the_numbers():
    got = markup_columns(["p", "h2", "section", ""], [0, 2, 0, 0], [0.0, 0.25, 1.0, 0.5], [False, False, True, True])
    assert got.shape == (4, MARKUP_WIDTH) and got.dtype == np.float32
    tags = got[:, : len(MARKUP_TAGS) + 1]
    assert (tags.sum(axis=1) == 1).all()
    assert tags[0, MARKUP_TAGS.index("p")] == 1 and tags[1, MARKUP_TAGS.index("h2")] == 1
    assert tags[2, -1] == 1 and tags[3, -1] == 1  # unlisted and missing tags share "other"
    assert got[:, MARKUP_NAMES.index("heading")].tolist() == [0, 2, 0, 0]
    assert got[:, MARKUP_NAMES.index("link_share")].tolist() == [0.0, 0.25, 1.0, 0.5]
    assert got[:, MARKUP_NAMES.index("in_chrome")].tolist() == [0, 0, 1, 1]
    facts = [Markup("p", 0, 0.0, False), Markup("h2", 2, 0.25, False), Markup("section", 0, 1.0, True), Markup("", 0, 0.5, True)]
    assert np.array_equal(page_markup(facts), got)


def test_dataset_markup_lines_up_with_the_documents(html_train):
    assert len(html_train["markup"]) == len(html_train["docs"]) > 0
    assert all(m.shape == (len(d), MARKUP_WIDTH) for d, m in zip(html_train["docs"], html_train["markup"]))
    flat = np.concatenate(html_train["markup"])
    # Real pages carry markup: links, chrome and headings all occur.
    assert flat[:, MARKUP_NAMES.index("link_share")].max() > 0.5
    assert flat[:, MARKUP_NAMES.index("in_chrome")].any() and flat[:, MARKUP_NAMES.index("heading")].any()


def test_markup_model_fits_and_predicts_on_real_pages(fitted, html_train, corpus):
    from scrapeseg.train.train import split_documents

    markup, _ = fitted
    assert markup.get_params()["markup"] is True
    assert markup.dense_mean_.shape[0] == markup.dense_scale_.shape[0]
    test = split_documents(corpus["test"], kinds=HTML, markup=True)
    probs = markup.predict_proba_docs(test["docs"], test["markup"])
    assert [p.shape for p in probs] == [(len(d), len(Label)) for d in test["docs"]]
    assert np.allclose(np.concatenate(probs).sum(axis=1), 1.0)
    assert list(markup.predict(test["docs"], test["markup"])) == list(np.concatenate(markup.predict_docs(test["docs"], test["markup"])))
    assert 0.0 <= markup.score(test["docs"], test["labels"], markup=test["markup"]) <= 1.0


def test_markup_columns_change_predictions(fitted, html_train):
    markup, text = fitted
    docs, facts = html_train["docs"][:10], html_train["markup"][:10]
    with_markup = markup.predict_proba(docs, facts)
    assert not np.allclose(with_markup, text.predict_proba(docs))
    # The same markup model with every line's markup blanked predicts otherwise: it reads the columns.
    blank = [np.zeros_like(m) for m in facts]
    assert not np.allclose(with_markup, markup.predict_proba(docs, blank))
    assert (markup.predict(docs, facts) != markup.predict(docs, blank)).any()


def test_text_only_model_ignores_markup(fitted, html_train):
    _, text = fitted
    data = html_train
    assert text.get_params()["markup"] is False
    docs = data["docs"][:10]
    assert np.array_equal(text.predict_proba(docs), text.predict_proba(docs, data["markup"][:10]))
    again = SegmentClassifier(**SMALL).fit(data["docs"], data["labels"], groups=data["domains"], markup=data["markup"])
    assert np.array_equal(text.predict_proba(docs), again.predict_proba(docs))


def test_markup_model_needs_markup_of_the_right_shape(fitted, html_train):
    markup, _ = fitted
    docs = html_train["docs"][:2]
    with pytest.raises(ValueError, match="needs markup="):
        markup.predict_proba(docs)
    with pytest.raises(ValueError, match="documents for"):
        markup.predict_proba(docs, html_train["markup"][:1])
    with pytest.raises(ValueError, match="has shape"):
        markup.predict_proba(docs, [m[:-1] for m in html_train["markup"][:2]])


def test_saved_markup_model_classifies_html_with_its_markup(saved_markup_model, corpora):
    import joblib

    from scrapeseg.train.predict import SavedPredictor
    from scrapeseg.train.saved import load_model

    model = load_model(saved_markup_model)
    assert isinstance(model.estimator, SavedPredictor)  # loaded without scikit-learn, markup and all
    assert model.uses_markup and model.card["params"]["markup"] is True
    page = gzip.decompress(next((corpora / "l3s-gn1").glob("*.html.gz")).read_bytes())
    items = model.classify(page, kind="html")
    rendered = render_html(page)
    assert [i.text for i in items] == rendered.lines
    expected = joblib.load(saved_markup_model).predict_proba([rendered.lines], [page_markup(rendered.markup)])
    assert np.allclose([[i.scores[n] for n in Label.names()] for i in items], expected)
    blank = joblib.load(saved_markup_model).predict_proba([rendered.lines], [np.zeros((len(rendered.lines), MARKUP_WIDTH))])
    assert not np.allclose(expected, blank)
    assert model.extract_body(page, kind="html") == "\n".join(i.text for i in items if i.label == "body")
    batch = model.classify_batch([page, page], kind="html")
    assert [[i.label for i in doc] for doc in batch] == [[i.label for i in items]] * 2


def test_saved_markup_model_refuses_text_input(saved_markup_model):
    from scrapeseg.train.saved import load_model

    model = load_model(saved_markup_model)
    with pytest.raises(ValueError, match="HTML pages only"):
        model.classify("A text scrape.\nWith two lines.", kind="text")


def test_cli_with_a_markup_model_classifies_pages_and_reports_text_files(saved_markup_model, corpora, tmp_path):
    import io
    import json

    from scrapeseg.train.apply import classify_command, extract_command
    from scrapeseg.train.saved import load_model

    source = next((corpora / "l3s-gn1").glob("*.html.gz"))
    page = tmp_path / "page.html.gz"
    page.write_bytes(source.read_bytes())
    scrape = tmp_path / "scrape.txt"
    scrape.write_text("A text scrape.\nWith two lines.\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = classify_command([str(scrape), str(page)], str(saved_markup_model), out, err)
    assert code == 1
    assert str(scrape) in err.getvalue() and "markup" in err.getvalue() and len(err.getvalue().splitlines()) == 1
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    expected = load_model(saved_markup_model).classify(gzip.decompress(source.read_bytes()), kind="html")
    assert [r["doc"] for r in records] == [str(page)] * len(expected)
    assert [(r["text"], r["label"]) for r in records] == [(i.text, i.label) for i in expected]
    assert np.allclose([list(r["scores"].values()) for r in records], [list(i.scores.values()) for i in expected])
    body = io.StringIO()
    assert extract_command(str(page), str(saved_markup_model), body, io.StringIO()) == 0
    assert body.getvalue().rstrip("\n") == "\n".join(i.text for i in expected if i.label == "body")
    failed = io.StringIO()
    assert extract_command(str(scrape), str(saved_markup_model), io.StringIO(), failed) == 1
    assert "markup" in failed.getvalue()
