"""The peers stage: test pages from the DatasetDict, peers on HTML vs scrapeseg on text scrapes, one table."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from conftest import make_subset

from scrapeseg.train import peers_stage as stage
from scrapeseg.train.peers import PEERS

# Test-heavy shares so a small built corpus still yields ~10 test pages.
SHARES = {"train": 0.2, "validation": 0.1, "test": 0.7}
SPLIT_SEED = 3
ORIGINS = ["heuristic", "gold-match", "gold-blocks", "human"]
SUBSETS = {"wcxb": 10, "l3s-gn1": 8}
COMPARE_PAGES = 10


class AllBody:
    """A stand-in model that labels every line of a text scrape body."""

    def classify_batch(self, texts, kind="text", sites=None):
        """Every non-empty line as a body segment."""
        assert kind == "text"
        return [[{"text": line.strip(), "label": "body"} for line in text.splitlines() if line.strip()] for text in texts]


@pytest.fixture(scope="module")
def stage_dataset(corpora, tmp_path_factory) -> Path:
    """A DatasetDict built from a few real benchmark pages plus the seed, so no test needs corpus/."""
    from scrapeseg.corpus.build import Source, build_corpus
    from scrapeseg.corpus.dataset import build_dataset

    tmp = tmp_path_factory.mktemp("peers_stage")
    shared = tmp / "shared"
    sources = [Source(name, make_subset(corpora, name, shared, count), "benchmark") for name, count in SUBSETS.items()]
    sources.append(Source("seed", corpora / "seed", "seed"))
    build_corpus(sources, tmp / "ann", tmp / "seg.parquet", tmp / "r.json")
    out = tmp / "dataset"
    build_dataset(tmp / "seg.parquet", out, tmp / "split.json", SPLIT_SEED, SHARES, ORIGINS)
    return out


@pytest.fixture(scope="module")
def small_pages(stage_dataset, corpora) -> list[dict]:
    """The small dataset's test pages."""
    return stage.test_pages(stage_dataset, corpora)


def check_pages(pages: list[dict], dataset_path: Path, corpora: Path, split: str = "test") -> None:
    """Each page matches its index record, gold file and the split's segments, in doc order."""
    from scrapeseg.corpus.dataset import load_corpus

    frame = load_corpus(dataset_path)[split].to_pandas()
    docs = [page["doc"] for page in pages]
    assert docs == sorted(set(docs))
    for page in pages:
        source, doc_id = page["doc"].split("/", 1)
        assert page["source"] == source
        records = {r["id"]: r for r in map(json.loads, (corpora / source / "index.jsonl").read_text(encoding="utf-8").splitlines())}
        record = records[doc_id]
        assert page["html"] == gzip.decompress((corpora / source / record["html"]).read_bytes())
        assert page["gold"] == (corpora / source / record["gold"]).read_text(encoding="utf-8")
        rows = frame[frame["doc"] == page["doc"]].sort_values("index")
        assert page["scrape"] == "\n".join(rows["text"])
        assert page["domain"] == rows["domain"].iloc[0]
        assert list(rows["index"]) == list(range(len(rows)))


def test_test_pages_from_built_dataset(stage_dataset, small_pages, corpora):
    assert len(small_pages) >= COMPARE_PAGES
    assert {page["source"] for page in small_pages} == set(SUBSETS)
    check_pages(small_pages, stage_dataset, corpora)
    assert stage.test_pages(stage_dataset, corpora, split="seed") == [], "the seed has no benchmark index"
    few = stage.test_pages(stage_dataset, corpora, limit=4)
    assert [p["doc"] for p in few] == [p["doc"] for p in stage.test_pages(stage_dataset, corpora, limit=4)]
    assert len(few) == 4 and {p["doc"] for p in few} <= {p["doc"] for p in small_pages}
    assert len({p["source"] for p in few}) > 1, "a limit samples across the split, not its first source"


def test_compare_all_body_against_every_peer(small_pages):
    pages = small_pages[:COMPARE_PAGES]
    rows = stage.compare(AllBody(), pages)
    assert {row["peer"] for row in rows} == {*PEERS, stage.SCRAPESEG_ROW}
    assert [row["f1"] for row in rows] == sorted((row["f1"] for row in rows), reverse=True)
    for row in rows:
        assert set(row) == {*stage.ROW_KEYS, "page_counts"}
        assert row["pages"] == len(pages) and row["pages_per_s"] > 0 and row["failures"] >= 0
        assert all(0.0 <= row[key] <= 1.0 for key in ("precision", "recall", "f1"))
        assert len(row["page_counts"]) == len(pages) and all(sum(c) == pytest.approx(1.0) or sum(c) == 0 for c in row["page_counts"])
    ours = next(row for row in rows if row["peer"] == stage.SCRAPESEG_ROW)
    best_peer = max((row for row in rows if row["peer"] != stage.SCRAPESEG_ROW), key=lambda row: row["f1"])
    assert ours["recall"] > 0.9, "labelling every line body keeps nearly all of the gold"
    assert ours["precision"] < best_peer["precision"] and ours["f1"] < best_peer["f1"]
    assert best_peer["f1"] > 0.6
    versus = stage.versus_best_peer(rows, {"resamples": 300, "seed": 5})
    assert list(versus) == [stage.SCRAPESEG_ROW] and versus[stage.SCRAPESEG_ROW]["peer"] == best_peer["peer"]
    figures = versus[stage.SCRAPESEG_ROW]
    assert figures["f1_difference"] == pytest.approx(ours["f1"] - best_peer["f1"]) and figures["pages"] == len(pages)
    assert figures["ci_low"] <= figures["f1_difference"] <= figures["ci_high"] and figures["resamples"] == 300
    assert stage.versus_best_peer([ours]) == {}, "no peer, nothing to compare with"


def test_compare_gives_a_markup_model_the_pages_html(small_pages):
    pages = small_pages[:4]

    class HtmlAllBody:
        """A stand-in markup model that labels every rendered line of an HTML page body."""

        def classify_batch(self, texts, kind="text", sites=None):
            from scrapeseg.corpus.html import render_html

            assert kind == "html" and all(isinstance(t, bytes) for t in texts)
            return [[{"text": line, "label": "body"} for line in render_html(t).lines] for t in texts]

    rows = stage.compare(AllBody(), pages, peers=["readability"], html_model=HtmlAllBody())
    html_row = next(row for row in rows if row["peer"] == stage.HTML_ROW)
    assert html_row["pages"] == len(pages) and html_row["recall"] > 0.9, "every rendered line kept: nearly all the gold"
    versus = stage.versus_best_peer(rows, {"resamples": 100})
    assert set(versus) == {stage.SCRAPESEG_ROW, stage.HTML_ROW} and versus[stage.HTML_ROW]["peer"] == "readability"


def test_scrapeseg_row_reads_dicts_and_objects_and_scores_a_perfect_model(small_pages):
    from scrapeseg.train.saved import Classified

    pages = small_pages[:3]
    gold_lines = [[line for line in page["gold"].splitlines() if line.strip()] for page in pages]

    class Oracle:
        def classify_batch(self, texts, kind="text", sites=None):
            return [[Classified(i, i + 1, 0, 0, line, "body", 1.0, 0.0, 0.0) for i, line in enumerate(lines)] for lines in gold_lines]

    row = stage.scrapeseg_row(Oracle(), pages)
    assert row["f1"] == pytest.approx(1.0) and row["pages"] == 3
    assert stage.body_text([{"text": "a", "label": "body"}, {"text": "b", "label": "teaser"}, {"text": "c", "label": 0}]) == "a\nc"


def test_write_table(tmp_path):
    rows = [
        {"peer": "b", "precision": 0.5, "recall": 1.0, "f1": 2 / 3, "pages": 2, "pages_per_s": 1234.56, "failures": 0},
        {"peer": "a", "precision": 0.25, "recall": 0.5, "f1": 1 / 3, "pages": 2, "pages_per_s": 9.0, "failures": 1},
    ]
    versus = {"a": {"peer": "b", "confidence": 0.95, "f1_difference": -1 / 3, "ci_low": -0.5, "ci_high": 0.125,
                    "share_ahead": 0.04, "resamples": 100, "pages": 2}}
    stage.write_table(rows, tmp_path / "out" / "peers.json", tmp_path / "out" / "peers.md", versus)
    assert stage.read_table(tmp_path / "out" / "peers.json") == rows
    assert stage.read_versus(tmp_path / "out" / "peers.json") == versus
    table = json.loads((tmp_path / "out" / "peers.json").read_text(encoding="utf-8"))
    assert list(table["peers"]) == ["b", "a"] and table["peers"]["a"]["failures"] == 1, "keyed by peer for dvc metrics"
    lines = (tmp_path / "out" / "peers.md").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "| peer | precision | recall | F1 | pages/s |"
    assert lines[2] == "| b | 0.500 | 1.000 | 0.667 | 1234.6 |" and lines[3].startswith("| a | 0.250 |")
    assert lines[5] == ("- a minus b (the best peer): F1 -0.333, 95% interval -0.500 to +0.125 "
                        "(paired bootstrap over 2 pages, 100 resamples); ahead in 4% of the resamples.")
    stage.write_table(rows, tmp_path / "plain.json", tmp_path / "plain.md")
    assert stage.read_versus(tmp_path / "plain.json") == {} and len((tmp_path / "plain.md").read_text().splitlines()) == 4


def test_run_peers_stage_loads_a_real_saved_model(stage_dataset, small_model, saved_markup_model, corpora, tmp_path):
    rows, versus = stage.run_peers_stage(small_model, stage_dataset, corpora, tmp_path / "peers.json", tmp_path / "peers.md", limit=3,
                                         html_model_path=saved_markup_model)
    names = {*PEERS, stage.SCRAPESEG_ROW, stage.SITE_ROW, stage.HTML_ROW}
    assert {row["peer"] for row in rows} == names, "the default passes include the site pass; the markup model reads the HTML"
    assert stage.read_table(tmp_path / "peers.json") == [{key: row[key] for key in stage.ROW_KEYS} for row in rows]
    assert set(versus) == {stage.SCRAPESEG_ROW, stage.SITE_ROW, stage.HTML_ROW} and stage.read_versus(tmp_path / "peers.json") == versus
    markdown = (tmp_path / "peers.md").read_text(encoding="utf-8")
    assert stage.SCRAPESEG_ROW in markdown and stage.versus_line(stage.SITE_ROW, versus[stage.SITE_ROW]) in markdown
    assert all(row["pages"] == 3 for row in rows) and all(v["resamples"] == stage.DEFAULT_BOOTSTRAP["resamples"] for v in versus.values())


def test_versus_line_reads_a_difference_that_rounds_to_zero_as_plus_zero():
    versus = {"peer": "b", "confidence": 0.95, "f1_difference": -0.0004, "ci_low": -0.0123, "ci_high": 0.0004,
              "share_ahead": 0.5, "resamples": 10, "pages": 3}
    line = stage.versus_line("a", versus)
    assert "F1 +0.000," in line and "interval -0.012 to +0.000 " in line and "-0.000" not in line
