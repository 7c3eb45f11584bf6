"""Saving, loading and using the classifier: tamper and version checks, the Python API and the CLI contract."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

import scrapeseg
from scrapeseg.labels import Label
from scrapeseg.train.saved import ModelError, card_path, load_model

SEED = "seed/000_1aae7a17f217d36a.txt"
RECORD_KEYS = ["doc", "index", "line", "start", "end", "text", "label", "scores"]


def test_round_trip_gives_the_estimators_probabilities(small_model, corpora):
    import joblib

    model = scrapeseg.load_model(small_model)
    lines = [line.strip() for line in (corpora / SEED).read_text(encoding="utf-8").splitlines() if line.strip()]
    expected = joblib.load(small_model).predict_proba_docs([lines])[0]
    got = model.classify((corpora / SEED).read_text(encoding="utf-8"))
    assert [item.text for item in got] == lines
    assert np.allclose([[item.scores[n] for n in Label.names()] for item in got], expected)
    assert all(item.label == max(item.scores, key=item.scores.get) for item in got)
    assert all([item.body, item.teaser, item.boilerplate] == list(item.scores.values()) for item in got)
    assert model.identity == f"segment-classifier@{model.card['sha256'][:12]}"


def test_classified_score_fields_are_the_labels_in_order():
    from scrapeseg.train.saved import FIRST_SCORE_FIELD, SCORE_FIELDS, Classified

    assert list(SCORE_FIELDS) == Label.names() == list(Classified._fields[FIRST_SCORE_FIELD:])


def test_loading_for_prediction_does_not_import_scikit_learn(small_model):
    code = f"import sys, scrapeseg; m = scrapeseg.load_model({str(small_model)!r}); m.classify('A line.'); print(sorted(k for k in sys.modules if k.split('.')[0] in ('sklearn', 'pandas')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_tampered_file_is_refused_before_unpickling(small_model, tmp_path):
    copy = tmp_path / "m.joblib"
    shutil.copy(small_model, copy)
    shutil.copy(card_path(small_model), card_path(copy))
    with copy.open("ab") as handle:
        handle.write(b"\0")
    with pytest.raises(ModelError, match="sha256 .* does not match its card"):
        load_model(copy)


def test_other_scikit_learn_version_is_refused(small_model, tmp_path):
    copy = tmp_path / "m.joblib"
    shutil.copy(small_model, copy)
    card = json.loads(card_path(small_model).read_text())
    card["versions"]["scikit-learn"] = "0.0.1"
    card_path(copy).write_text(json.dumps(card))
    with pytest.raises(ModelError, match="trained with scikit-learn 0.0.1"):
        load_model(copy)


def test_other_feature_set_is_refused(small_model, tmp_path):
    copy = tmp_path / "m.joblib"
    shutil.copy(small_model, copy)
    card = json.loads(card_path(small_model).read_text())
    card["feature_set_version"] = "0"
    card_path(copy).write_text(json.dumps(card))
    with pytest.raises(ModelError, match="trained on feature set 0"):
        load_model(copy)


def test_missing_model_or_card_is_a_clear_error(small_model, tmp_path):
    with pytest.raises(ModelError, match="not found"):
        load_model(tmp_path / "absent.joblib")
    lone = tmp_path / "lone.joblib"
    shutil.copy(small_model, lone)
    with pytest.raises(ModelError, match="card .* not found"):
        load_model(lone)


def test_batch_equals_single_documents_and_html_works(small_model, corpora):
    model = load_model(small_model)
    texts = [(corpora / SEED).read_text(encoding="utf-8"), "Logo\nA short scrape with one long paragraph of body text that runs on for a while.\n"]
    batch = model.classify_batch(texts)
    assert [[i.label for i in doc] for doc in batch] == [[i.label for i in model.classify(t)] for t in texts]
    page = gzip.decompress(next((corpora / "l3s-gn1").glob("*.html.gz")).read_bytes())
    items = model.classify(page, kind="html")
    assert items and all(i.label in Label.names() for i in items)
    body = model.extract_body(page, kind="html")
    assert body == "\n".join(i.text for i in items if i.label == "body")
    with pytest.raises(ValueError, match="kind must be one of"):
        model.classify("x", kind="pdf")


def _cli(*args, cwd=None):
    """Run the installed console script."""
    return subprocess.run([sys.executable, "-m", "scrapeseg.cli", *args], capture_output=True, text=True, cwd=cwd)


def test_classify_cli_contract(small_model, corpora, tmp_path):
    page = tmp_path / "page.html.gz"
    shutil.copy(next((corpora / "l3s-gn1").glob("*.html.gz")), page)
    scrape = str(corpora / SEED)
    done = _cli("classify", "--model", str(small_model), scrape, str(tmp_path / "missing.txt"), str(page))
    assert done.returncode == 1
    assert "missing.txt" in done.stderr and "no such file" in done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert all(list(r) == RECORD_KEYS for r in records)
    docs = [r["doc"] for r in records]
    assert docs == sorted(docs, key=[scrape, str(page)].index)
    seed = [r for r in records if r["doc"] == scrape]
    text = (corpora / SEED).read_text(encoding="utf-8")
    gold = [json.loads(line) for line in (corpora / "seed" / "000_1aae7a17f217d36a.labels.jsonl").read_text().splitlines()]
    assert [r["line"] for r in seed] == [g["line"] for g in gold]
    assert [r["index"] for r in seed] == list(range(len(gold)))
    assert all(text[r["start"] : r["end"]] == r["text"] for r in seed)
    assert all(set(r["scores"]) == set(Label.names()) and abs(sum(r["scores"].values()) - 1) < 1e-6 for r in records)
    assert any(r["doc"] == str(page) for r in records)


def test_cli_scores_print_as_repr_writes_floats():
    from scrapeseg.train.apply import float_reprs

    rng = np.random.default_rng(0)
    edges = [0.0, -0.0, 1.0, 1e-4, 1e-5, 9.999999e-5, 1.5e-5, 1e-7, 1e-9, 9.99999e-10, 1e-10, 5e-324, 1e16, 1.7976931348623157e308,
             -4.5e-5, -1e-7, 0.00010000000000000002, 9.999999999999999e-05, float("nan"), float("inf")]
    values = np.array(edges + (10 ** rng.uniform(-330, 308, 20000)).tolist() + (rng.random(20000) * 1e-4).tolist()
                      + rng.random(20000).astype(np.float32).tolist())
    assert float_reprs(values) == list(map(repr, values.tolist()))
    assert float_reprs(values[:0]) == []


def test_extract_cli_and_bad_model(small_model, corpora, tmp_path):
    done = _cli("extract", "--model", str(small_model), str(corpora / SEED))
    assert done.returncode == 0
    expected = load_model(small_model).extract_body((corpora / SEED).read_text(encoding="utf-8"))
    assert done.stdout == expected + "\n"
    bad = _cli("classify", "--model", str(tmp_path / "none.joblib"), str(corpora / SEED))
    assert bad.returncode == 2 and "not found" in bad.stderr and bad.stderr.count("\n") == 1


def test_the_seeds_long_teaser_line_is_a_teaser(small_model, corpora):
    gold = [json.loads(line) for line in (corpora / "seed" / "000_1aae7a17f217d36a.labels.jsonl").read_text().splitlines()]
    got = load_model(small_model).classify((corpora / SEED).read_text(encoding="utf-8"))
    longest = max(range(len(gold)), key=lambda i: len(got[i].text))
    assert len(got[longest].text) > 3000 and gold[longest]["label"] == Label.TEASER.text
    assert got[longest].label == Label.TEASER.text, got[longest].scores


def test_classify_same_site_reads_the_files_as_pages_of_one_site(small_model, corpora, tmp_path):
    gold = [json.loads(line) for line in (corpora / "seed" / "000_1aae7a17f217d36a.labels.jsonl").read_text().splitlines()]
    lines = [line.strip() for line in (corpora / SEED).read_text(encoding="utf-8").splitlines() if line.strip()]
    body = [t for t, g in zip(lines, gold) if g["label"] == Label.BODY.text]
    template = max(body, key=len)  # the seed's longest paragraph, as a site's "about us" box on two of its pages
    rest = [t for t in body if t != template]
    texts = ["\n".join([*rest[:6], template, *rest[6:12]]), "\n".join([*rest[12:], template])]
    files = []
    for k, text in enumerate(texts):
        files.append(tmp_path / f"page{k}.txt")
        files[-1].write_text(text, encoding="utf-8")
    model = load_model(small_model)
    alone = _cli("classify", "--model", str(small_model), *map(str, files))
    together = _cli("classify", "--model", str(small_model), "--same-site", *map(str, files))
    assert alone.returncode == together.returncode == 0
    for done, sites in ((alone, None), (together, ["a", "a"])):
        records = [json.loads(line) for line in done.stdout.splitlines()]
        expected = [item for doc in model.classify_batch(texts, sites=sites) for item in doc]
        assert [(r["text"], r["label"]) for r in records] == [(item.text, item.label) for item in expected]
    def template_labels(done):
        return [r["label"] for r in map(json.loads, done.stdout.splitlines()) if r["text"] == template]

    assert template_labels(alone) == [Label.BODY.text] * 2, "alone, each page's copy reads as a paragraph"
    assert Label.BODY.text not in template_labels(together), "on two pages of one site it is the site's template"


def test_classify_batch_needs_one_site_per_document(small_model, corpora):
    model = load_model(small_model)
    text = (corpora / SEED).read_text(encoding="utf-8")
    for texts in ([text, text], []):
        with pytest.raises(ValueError, match=f"sites holds 1 values for {len(texts)} documents"):
            model.classify_batch(texts, sites=["a"])
    alone = model.classify_batch([text, text])
    assert model.classify_batch([text, text], sites=[None, "b"]) == alone
    assert model.classify_batch([text, text], sites=["a", "a"]) == alone, "two copies of one page are not each other's template"
