"""Tests for the peer extractors in scrapeseg.train.peers."""

from __future__ import annotations

import codecs
import gzip
import json
from pathlib import Path

import pytest

from scrapeseg.train import peers

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
DRAGNET = CORPORA / "dragnet"
N_PAGES = 3
MIN_NON_EMPTY = 2
MIN_MEAN_F1 = 0.3

ARTICLE = (
    "<html lang='en'><head><title>Budget</title></head><body>"
    "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
    "<article><h1>Council approves budget</h1>"
    + "".join(
        f"<p>Paragraph {i}: the council approved the new budget on Tuesday after a long and "
        "heated debate about schools, roads and the library, which many residents attended. "
        "The mayor said that the plan would keep taxes flat for another year.</p>"
        for i in range(6)
    )
    + "</article><footer>Copyright 2024 Example News</footer></body></html>"
)


def dragnet_pages(n: int) -> list[tuple[bytes, str]]:
    """The first n dragnet pages with non-empty gold, as (html bytes, gold text)."""
    if not DRAGNET.is_dir():
        pytest.skip(f"benchmark corpora not found at {DRAGNET}")
    pages = []
    with (DRAGNET / "index.jsonl").open(encoding="utf-8") as index:
        for line in index:
            record = json.loads(line)
            if record["gold_empty"]:
                continue
            html = gzip.decompress((DRAGNET / record["html"]).read_bytes())
            pages.append((html, (DRAGNET / record["gold"]).read_text(encoding="utf-8")))
            if len(pages) == n:
                break
    return pages


def test_every_peer_extracts_real_pages():
    pages = dragnet_pages(N_PAGES)
    assert len(pages) == N_PAGES
    for name, peer in peers.PEERS.items():
        outputs = [peers.safe_extract(peer, html)[0] for html, _gold in pages]
        non_empty = sum(bool(text.strip()) for text in outputs)
        assert non_empty >= MIN_NON_EMPTY, f"{name} returned text for only {non_empty} pages"
    rows = peers.run_peers(pages)
    assert [row["peer"] for row in rows] == list(peers.PEERS)
    for row in rows:
        assert row["pages"] == N_PAGES
        assert row["pages_per_s"] > 0
        assert row["f1"] > MIN_MEAN_F1, row
        assert 0 <= row["failures"] <= N_PAGES


def test_every_peer_finds_a_synthetic_article():
    data = ARTICLE.encode("utf-8")
    for name, peer in peers.PEERS.items():
        text = peer(data)
        # Tiny pages are not a quality test (boilerpy3 keeps the footer here); just check the wiring.
        assert "heated debate" in text, name


def test_failing_peer_gives_empty_text_and_counts_a_failure():
    def broken(data: bytes) -> str:
        if b"boom" in data:
            raise RuntimeError("boom")
        return "a b c d"

    pages = [(b"<p>a b c d</p>", "a b c d"), (b"<p>boom</p>", "a b c d")]
    (row,) = peers.run_peers(pages, peers={"broken": broken})
    assert row["failures"] == 1
    assert row["pages"] == 2
    assert row["precision"] == 1.0
    assert row["recall"] == 0.5
    assert peers.safe_extract(broken, b"boom") == ("", False)


def test_peers_can_be_chosen_by_name():
    pages = [(ARTICLE.encode("utf-8"), "the council approved the new budget")]
    rows = peers.run_peers(pages, peers=["resiliparse", "boilerpy3"])
    assert [row["peer"] for row in rows] == ["resiliparse", "boilerpy3"]
    with pytest.raises(KeyError):
        peers.run_peers(pages, peers=["no-such-peer"])


def test_decode_prefers_valid_utf8_over_a_stale_declared_charset():
    html = "<meta charset='windows-1252'><p>Café crème – naïve</p>"
    assert "Café crème – naïve" in peers.decode_page(html.encode("utf-8"))


def test_decode_uses_declared_charset_for_legacy_bytes():
    html = "<meta charset='windows-1252'><p>Café crème – naïve</p>"
    assert "Café crème – naïve" in peers.decode_page(html.encode("cp1252"))


def test_decode_honours_bom_and_drops_xml_declaration():
    html = "<?xml version='1.0' encoding='utf-16'?><html><p>Grüße</p></html>"
    text = peers.decode_page(codecs.BOM_UTF16_LE + html.encode("utf-16-le"))
    assert text.startswith("<html>")
    assert "Grüße" in text
    assert "Grüße" in peers.readability(codecs.BOM_UTF16_LE + html.encode("utf-16-le"))


def test_page_language():
    assert peers.page_language("<html lang='de-DE'><body>") == "de"
    assert peers.page_language('<html><meta http-equiv="Content-Language" content="fr">') == "fr"
    assert peers.page_language("<html><body>") is None


def test_justext_uses_page_language_stoplist():
    german = (
        "<html lang='de'><body>"
        + "<p>Der Stadtrat hat am Dienstag nach einer langen Debatte den neuen Haushalt für die "
        "Schulen und die Straßen beschlossen, und viele Bürger waren bei der Sitzung dabei. "
        "Der Bürgermeister sagte, dass die Steuern damit ein weiteres Jahr stabil bleiben.</p>" * 4
        + "</body></html>"
    )
    assert "Stadtrat" in peers.justext_peer(german.encode("utf-8"))


def test_fragment_text_separates_blocks():
    text = peers.html_fragment_text("<div><p>one</p><p>two<b>three</b></p><script>x()</script>four</div>")
    assert text.split("\n") == ["one", "twothree", "four"]
    assert peers.html_fragment_text("  ") == ""
