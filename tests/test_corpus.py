"""The corpus stage: labels enum, gold matching, the teaser heuristic, l3s alignment and the build."""

from __future__ import annotations

import gzip
import json
import logging

import pandas as pd
import pytest
from conftest import make_subset
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from scrapeseg.corpus.build import Source, build_corpus
from scrapeseg.corpus.gold import match_gold
from scrapeseg.corpus.headline import headline_and_byline
from scrapeseg.corpus.html import render_html
from scrapeseg.corpus.l3s import align_block_labels, read_blocks
from scrapeseg.corpus.prelabel import prelabel
from scrapeseg.corpus.teaser import is_teaser_header, registered_domain, site_domain, teaser_lines
from scrapeseg.labels import Label, Origin, text_sha256


def test_label_enum_order_and_parsing():
    assert Label.names() == ["body", "teaser", "boilerplate"]
    assert [int(label) for label in Label] == [0, 1, 2]
    assert Label.parse("Teaser") is Label.TEASER and Label.parse(2) is Label.BOILERPLATE
    with pytest.raises(ValueError, match="unknown label 'ad'"):
        Label.parse("ad")
    assert Origin.HUMAN > Origin.GOLD_MATCH > Origin.HEURISTIC > Origin.PRELABEL


def test_gold_matching_claims_each_passage_once_and_fills_short_fragments():
    gold = "Storm hits the coast overnight\n\nThe storm hit the coast late on Monday, officials said.\n\nMore rain is expected."
    lines = [
        "Home News Sport",
        "Storm hits the coast overnight",
        "The storm hit the coast late on Monday, officials said.",
        "Photo",
        "More rain is expected.",
        "Storm hits the coast overnight",
        "The storm hit the coast late on Monday, officials said.",
    ]
    match = match_gold(lines, gold)
    assert match.body == [False, True, True, False, True, False, False]
    assert match.coverage == pytest.approx(1.0)
    fragment = match_gold(["A first sentence of the article.", "Yes", "and the end of it here."], "A first sentence of the article. Yes and the end of it here.")
    assert fragment.body == [True, True, True]


def test_of_the_copies_around_the_first_body_line_the_first_is_the_headline():
    from scrapeseg.corpus.gold import headline_copies

    lines = ["Menu", "Storm hits the coast", "STORM HITS THE COAST", "storm hits the coast", "Text.", "Yes", "Yes"]
    assert headline_copies(lines, [False, True, True, True, True, True, True]) == (1, [2, 3])
    assert headline_copies(lines, [False, False, False, True, True, True, True]) == (1, [2, 3])
    assert headline_copies(lines, [False, False, False, False, True, True, True]) == (None, [])
    assert headline_copies(lines, [False] * 7) == (None, [])


def test_enclosed_runs_need_body_on_both_sides_and_nothing_else_between():
    from scrapeseg.corpus.gold import enclosed_runs

    body = [False, True, False, False, True, False, True, False, False]
    candidate = [True, False, True, True, False, True, False, True, True]
    assert enclosed_runs(body, candidate) == [2, 3, 5]
    broken = [False, True, True, False, True, False, False, False, False]
    assert enclosed_runs(body, broken) == []
    assert enclosed_runs([], []) == []


def teaser_marked(html: str) -> set[str]:
    """The lines of a page that the teaser heuristic marks, every line a candidate."""
    page = render_html(html)
    teaser = teaser_lines(page.tree, page.lines, page.elements, page.markup, [True] * len(page.lines), "https://www.example.com/x")
    return {line for line, flag in zip(page.lines, teaser) if flag}


CARDS_PAGE = """<html><head><title>Main story headline here - Site</title></head><body>
<nav><ul><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li></ul></nav>
<h1>Main story headline here</h1><p class="byline">By A Reporter, 3 May 2024</p>
<p>Body paragraph one of the main story with enough words to read like prose.</p>
<h3>Related stories</h3>
<ul class="cards">
 <li class="card"><a href="/a/1">First other story about the harbour reopening</a><span>2 hours ago</span></li>
 <li class="card"><a href="/a/2">Second other story about city council budget cuts</a><span>5 hours ago</span></li>
</ul>
<div class="comments"><ul><li><a href="/a/3#comment-1">Jane on Third story about the ferry timetable</a></li>
<li><a href="/a/4#comment-2">Joe on Fourth story about the school holidays</a></li></ul></div>
<p>Read more: Fifth story about the new bridge opening soon</p>
<footer><a href="/privacy">Privacy</a> <a href="/terms">Terms</a></footer>
</body></html>"""


def test_teaser_heuristic_marks_cards_headers_and_read_more_but_not_menus_or_comments():
    marked = teaser_marked(CARDS_PAGE)
    assert marked == {
        "Related stories",
        "First other story about the harbour reopening2 hours ago",
        "Second other story about city council budget cuts5 hours ago",
        "Read more: Fifth story about the new bridge opening soon",
    }


OTHER_SITES_PAGE = """<html><head><title>Main story - Site</title></head><body><div class="shopify-section">
<h1>Main story headline here</h1>
<p>Body paragraph one of the main story with enough words to read like prose.</p>
<div class="sidebar"><h4>Around the web</h4><ul>
 <li class="entry"><a href="https://partner.example.org/p/1">Harbour pilots strike over new night shift rules</a>
  <p>A partner site reports on the dispute at the docks.</p></li>
 <li class="entry"><a href="https://other.example.net/s/2">City council approves a smaller budget for parks next year</a>
  <p>Another partner's blurb under its headline.</p></li>
</ul>
<h4>Blogroll</h4><ul>
 <li class="blog"><a href="https://one.example.net/">Ferry Watchers Daily</a></li>
 <li class="blog"><a href="https://two.example.org/">The Harbour Blog</a></li>
</ul>
<h4>Buy the book</h4><ul>
 <li class="book"><a href="https://www.amazon.com/dp/1">The Long History of Harbour Pilots and Their Ships</a></li>
 <li class="book"><a href="https://www.amazon.com/dp/2">A Field Guide to Ferries, Tugs and Other Small Boats</a></li>
</ul>
<ul><li class="card"><a href="/a/1">First other story on this site about the harbour</a></li>
 <li class="card"><a href="/a/2">Second other story on this site about the council</a></li></ul>
</div></div></body></html>"""


def test_other_sites_headlines_are_teaser_but_not_their_blurbs_blogrolls_or_shop_links():
    marked = teaser_marked(OTHER_SITES_PAGE)
    assert marked == {
        "Harbour pilots strike over new night shift rules",
        "City council approves a smaller budget for parks next year",
        "First other story on this site about the harbour",
        "Second other story on this site about the council",
    }, "a Shopify wrapper's class is not a shop widget; other sites' blurbs, blog names and book links stay boilerplate"


FLAGGED_PAGE = """<html><head><title>Main story - Site</title></head><body class="has-comments feature_commentimages">
<h1>Main story headline here</h1>
<p>Body paragraph one of the main story with enough words to read like prose.</p>
<div class="widget_most_commented_widget"><h4>Most commented</h4><ul>
 <li class="item"><a href="/a/1">First other story about the harbour reopening</a></li>
 <li class="item"><a href="/a/2">Second other story about city council budget cuts</a></li></ul></div>
<div class="view"><article class="node teaser node--promoted"><h3><a href="/a/3">Third story about the ferry timetable changes</a></h3></article>
 <article class="node teaser node--promoted"><h3><a href="/a/4">Fourth story about the school holidays next year</a></h3></article></div>
<div class="comments"><ul><li class="c"><a href="/a/5">Jane on the fifth story about the new bridge</a></li>
 <li class="c"><a href="/a/6">Joe on the sixth story about the old station</a></li></ul></div>
</body></html>"""


def test_state_classes_and_most_commented_lists_do_not_hide_cards():
    marked = teaser_marked(FLAGGED_PAGE)
    assert marked == {
        "Most commented",
        "First other story about the harbour reopening",
        "Second other story about city council budget cuts",
        "Third story about the ferry timetable changes",
        "Fourth story about the school holidays next year",
    }, "the body's flags, a most-commented list and Drupal's node--promoted are not widgets; a comment list still is"


def test_headline_and_byline_come_from_markup():
    page = render_html(CARDS_PAGE)
    body = [line.startswith("Body paragraph") for line in page.lines]
    found = [page.lines[i] for i in headline_and_byline(page.tree, page.lines, page.elements, body)]
    assert found == ["Main story headline here", "By A Reporter, 3 May 2024"]


def test_registered_domain_without_a_suffix_list():
    assert registered_domain("news.bbc.co.uk") == "bbc.co.uk"
    assert registered_domain("www.example.com:8080") == "example.com"
    assert registered_domain("someone.blogspot.com") == "someone.blogspot.com"


def test_teaser_headers_exclude_tag_and_topic_lists():
    assert is_teaser_header("Related Articles") and is_teaser_header("Editor's picks") and is_teaser_header("Recent posts")
    assert not is_teaser_header("Popular tags") and not is_teaser_header("Most popular topics")
    assert not is_teaser_header("Trending") and not is_teaser_header("More about the author")


@pytest.mark.parametrize("header", ["Mehr zum Thema", "Das könnte Sie auch interessieren", "Articles similaires", "À lire aussi",
                                    "Noticias relacionadas", "Lo más leído", "Leia também", "Leggi anche", "Meest gelezen",
                                    "Läs också", "Читайте также"])
def test_teaser_headers_in_the_other_languages_of_the_function_words(header):
    from scrapeseg.train.features import DENSE_NAMES, featurize

    assert is_teaser_header(header) and is_teaser_header(header.upper())
    assert not is_teaser_header(f"{header} Anzeige") and not is_teaser_header(f"{header} publicité"), "an ad label makes it a paid widget"
    _, dense, _ = featurize([["A first paragraph of the article, long enough to read as text.", header, "Another story's headline"]])
    assert dense[1, DENSE_NAMES.index("teaser_header")] == 1, "the feature sees it too: its first word is a header starter"


def test_read_also_lines_in_other_languages():
    from scrapeseg.corpus.teaser import IN_ARTICLE_TEASER, READ_MORE_LINE

    for line in ("Lesen Sie auch: Warum der Gaspreis im Winter wieder steigen könnte", "À lire aussi : Le tramway prolongé jusqu'en 2028",
                 "Lee también: El metro de Lima suma una nueva línea", "Leggi anche: Le nuove regole per i monopattini"):
        assert READ_MORE_LINE.match(line) and IN_ARTICLE_TEASER.match(line)
    for sentence in ("Mehr als 100 Menschen mussten ihre Häuser verlassen.", "Plus de 300 personnes ont manifesté samedi."):
        assert not is_teaser_header(sentence) and not READ_MORE_LINE.match(sentence)


def test_site_comes_from_the_canonical_link_when_the_url_is_unknown():
    page = render_html(
        '<html><head><link rel="canonical" href="https://www.site.org/a"></head><body>'
        + "".join(f'<p><a href="https://shop.example.com/{i}">Buy this book about item number {i}</a></p>' for i in range(5))
        + "</body></html>"
    )
    assert site_domain(page.tree, None) == "site.org"


def test_l3s_blocks_align_with_rendered_lines(corpora):
    root = corpora / "l3s-gn1"
    record = json.loads((root / "index.jsonl").read_text(encoding="utf-8").splitlines()[0])
    page = render_html(gzip.decompress((root / record["html"]).read_bytes()))
    blocks = read_blocks(root / record["blocks"])
    aligned = align_block_labels(page.lines, blocks)
    matched = [raw for _, raw in aligned if raw]
    assert len(matched) >= 0.8 * len(page.lines)
    body_lines = sum(label is Label.BODY for label, _ in aligned)
    body_blocks = sum(raw in ("headline", "fulltext", "supplemental") for raw, _ in blocks)
    assert abs(body_lines - body_blocks) <= max(2, body_blocks // 5)


def test_prelabeller_on_a_synthetic_scrape():
    lines = [
        "Site logo",
        "Minister resigns after budget row",
        "By Staff Reporter, 4 March 2025",
        "The minister resigned on Tuesday after a long row over the budget, colleagues said in a statement.",
        "Critics said the decision came far too late for the party, which trails in the polls.",
        "Related Articles",
        "Another story about the budget and what it means for families in the region this year.",
        "Download the app",
    ]
    assert [label.text for label in prelabel(lines)] == [
        "boilerplate", "body", "body", "body", "body", "teaser", "teaser", "boilerplate",
    ]


_DATE_PARTS = ["by ", "By ", "ago", "Updated", "posted", "12:30", "9:05am", "Jan 5", "sept. 30", "March", "2012", "1999",
               "20123", "x2012", "ſep 3", "Ｊan 4", "١٢:٣٠", "a", "Oct", "-", " ", "\n", ".", "é"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_DATE_PARTS), max_size=8).map("".join))
def test_date_patterns_match_as_without_the_first_character_lookahead(text):
    import re

    from scrapeseg.corpus.prelabel import _BYLINE_WORDS, _YEAR, BYLINE_OR_TIME, DATE_OR_BYLINE

    for fast, words in ((DATE_OR_BYLINE, (*_BYLINE_WORDS, _YEAR)), (BYLINE_OR_TIME, _BYLINE_WORDS)):
        plain = re.compile(r"^by\s|\b(?:" + "|".join(words) + ")", re.I)
        assert (fast.search(text) is None) == (plain.search(text) is None)
        assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)]


@pytest.fixture(scope="module")
def small_build(corpora, tmp_path_factory):
    """A corpus built from 12 real l3s-gn1 pages, 12 dragnet pages, the seed and a raw folder."""
    tmp = tmp_path_factory.mktemp("corpus")
    l3s = make_subset(corpora, "l3s-gn1", tmp / "shared", 12)
    dragnet = make_subset(corpora, "dragnet", tmp / "shared", 12)
    raw = tmp / "raw"
    (raw / "site-a").mkdir(parents=True)
    (raw / "site-a" / "one.txt").write_text("Logo\nA headline for a user scrape\nA long first paragraph of the user's own scrape, with more than twelve words in it.\n", encoding="utf-8")
    (raw / "broken.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    sources = [
        Source("l3s-gn1", l3s, "benchmark"),
        Source("dragnet", dragnet, "benchmark"),
        Source("seed", corpora / "seed", "seed"),
        Source("raw", raw, "raw"),
        Source("missing", tmp / "nowhere", "benchmark"),
    ]
    out = tmp / "segments.parquet"
    report = build_corpus(sources, tmp / "annotations", out, tmp / "report.json")
    return sources, out, report, tmp


def test_build_reports_every_source_and_failure(small_build):
    _, out, report, _ = small_build
    frame = pd.read_parquet(out)
    assert report["missing_sources"] == ["missing"]
    assert [f for f in report["failures"] if "broken.txt" in f and "binary" in f]
    assert report["sources"]["l3s-gn1"]["documents"] + report["sources"]["l3s-gn1"]["pages_without_text"] == 12
    assert frame.groupby("source")["doc"].nunique().to_dict() == {
        "dragnet": report["sources"]["dragnet"]["documents"], "l3s-gn1": report["sources"]["l3s-gn1"]["documents"], "raw": 1, "seed": 1,
    }
    assert set(frame["label"]) == set(Label.names())


def test_build_labels_origins_and_seed(small_build, corpora):
    _, out, _, _ = small_build
    frame = pd.read_parquet(out)
    seed = frame[frame["source"] == "seed"]
    gold = [json.loads(line) for line in (corpora / "seed" / "000_1aae7a17f217d36a.labels.jsonl").read_text().splitlines()]
    assert seed["label"].tolist() == [row["label"] for row in gold]
    assert seed["line"].tolist() == [row["line"] for row in gold]
    assert seed["eval_only"].all() and (seed["origin"] == "seed-gold").all()
    assert not frame[frame["source"] != "seed"]["eval_only"].any()
    l3s = frame[frame["source"] == "l3s-gn1"]
    assert set(l3s["origin"]) <= {"gold-blocks", "gold-match", "heuristic"}
    assert (l3s[l3s["source_label"] == "related-content"]["label"] == "teaser").all()
    assert (frame[frame["source"] == "raw"]["origin"] == "prelabel").all()
    assert (frame["text_sha256"] == frame["text"].map(text_sha256)).all()


def test_human_labels_override_and_stale_ones_are_reported(small_build, caplog):
    sources, out, _, tmp = small_build
    frame = pd.read_parquet(out)
    target = frame[(frame["source"] == "dragnet") & (frame["label"] == "boilerplate")].iloc[0]
    other = frame[(frame["source"] == "dragnet") & (frame["label"] == "boilerplate")].iloc[1]
    annotations = tmp / "annotations"
    annotations.mkdir(exist_ok=True)
    rows = [
        {"doc": target["doc"], "index": int(target["index"]), "text_sha256": target["text_sha256"], "label": "teaser"},
        {"doc": other["doc"], "index": int(other["index"]), "text_sha256": "0" * 64, "label": "body"},
    ]
    (annotations / "pulled.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        report = build_corpus(sources, annotations, tmp / "relabelled.parquet", tmp / "report2.json")
    again = pd.read_parquet(tmp / "relabelled.parquet").set_index(["doc", "index"])
    assert report["human_labels"] == {"applied": 1, "stale": 1}
    assert again.loc[(target["doc"], target["index"]), "label"] == "teaser"
    assert again.loc[(target["doc"], target["index"]), "origin"] == "human"
    assert again.loc[(other["doc"], other["index"]), "label"] == other["label"]
    assert "missing" in caplog.text


def test_no_documents_at_all_is_a_clear_error(tmp_path):
    with pytest.raises(SystemExit, match="no documents found"):
        build_corpus([Source("raw", tmp_path / "absent", "raw")], tmp_path / "a", tmp_path / "s.parquet", tmp_path / "r.json")


def test_in_article_read_more_lines_are_teaser_even_when_the_gold_keeps_them(tmp_path):
    from scrapeseg.corpus.build import label_benchmark_page
    from scrapeseg.corpus.teaser import in_article_teaser

    assert in_article_teaser("Read more: Fifth story about the new bridge") and in_article_teaser("RELATED: Who is who in the row")
    assert in_article_teaser("Read next: Ten places to retire in the sun")
    assert not in_article_teaser("Watch: the mayor opens the bridge") and not in_article_teaser("More: Audio | Gadgets | Mobile")
    assert not in_article_teaser("Read more") and not in_article_teaser("Read more: " + "word " * 30)
    paragraphs = ["Body paragraph one of the main story with enough words to read like prose.",
                  "Read more: Fifth story about the new bridge opening soon",
                  "Body paragraph two of the main story, which goes on for a while longer."]
    page = "<html><body><h1>Bridge opens</h1>" + "".join(f"<p>{p}</p>" for p in paragraphs) + "</body></html>"
    (tmp_path / "p.html.gz").write_bytes(gzip.compress(page.encode()))
    (tmp_path / "p.gold.txt").write_text("Bridge opens\n\n" + "\n\n".join(paragraphs), encoding="utf-8")
    rows, stats = label_benchmark_page({"id": "p", "html": "p.html.gz", "gold": "p.gold.txt"}, tmp_path)
    labels = {row["text"]: row["label"] for row in rows}
    assert labels[paragraphs[1]] == "teaser"
    assert labels[paragraphs[0]] == labels[paragraphs[2]] == "body"
    assert stats["read_more_lines"] == 1
