"""Peer main-content extractors run on page bytes, timed and scored with the benchmark token-F1."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable, Mapping

from scrapeseg.train import metrics

log = logging.getLogger(__name__)

Peer = Callable[[bytes], str]
PeerSpec = Mapping[str, Peer] | Iterable[str] | None

PAGE_NAME = "page"
FALLBACK_STOPLIST = "English"
BOILERPY3_LOGGER = "boilerpy3"
# A tiny page run through every peer before its timed pass, so imports are not timed.
WARM_UP_PAGE = b"<html><head><title>t</title></head><body><p>Warm up text.</p></body></html>"
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_HTML_LANG = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?\s*([A-Za-z]{2,3})", re.I)
_META_LANG = re.compile(
    r"<meta[^>]+http-equiv\s*=\s*[\"']?content-language[\"']?[^>]*content\s*=\s*[\"']?\s*([A-Za-z]{2,3})",
    re.I,
)
LANG_SNIFF_CHARS = 16 * 1024
# ISO 639-1 codes of the jusText stoplists most likely on news pages; others fall back to English.
JUSTEXT_STOPLISTS = {
    "af": "Afrikaans", "ar": "Arabic", "bg": "Bulgarian", "ca": "Catalan", "cs": "Czech",
    "cy": "Welsh", "da": "Danish", "de": "German", "el": "Greek", "en": "English",
    "es": "Spanish", "et": "Estonian", "eu": "Basque", "fa": "Persian", "fi": "Finnish",
    "fr": "French", "ga": "Irish", "gl": "Galician", "he": "Hebrew", "hi": "Hindi",
    "hr": "Croatian", "hu": "Hungarian", "id": "Indonesian", "is": "Icelandic", "it": "Italian",
    "ko": "Korean", "lt": "Lithuanian", "lv": "Latvian", "mk": "Macedonian", "ms": "Malay",
    "nb": "Norwegian_Bokmal", "nl": "Dutch", "nn": "Norwegian_Nynorsk", "no": "Norwegian_Bokmal",
    "pl": "Polish", "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sk": "Slovak",
    "sl": "Slovenian", "sq": "Albanian", "sr": "Serbian", "sv": "Swedish", "sw": "Swahili",
    "tl": "Tagalog", "tr": "Turkish", "uk": "Ukrainian", "ur": "Urdu", "vi": "Vietnamese",
}
# Elements whose content starts a new line when readability's summary HTML is turned into text.
BLOCK_TAGS = (
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "ol",
    "p", "pre", "section", "table", "td", "th", "tr", "ul",
)
DROP_TAGS = ("script", "style", "noscript", "template")


def decode_page(data: bytes) -> str:
    """Page bytes as text (BOM, UTF-8, declared charset, detection), ready for lxml-based parsers."""
    from scrapeseg.corpus.decode import decode_bytes

    text = decode_bytes(data, PAGE_NAME, html=True).text
    # lxml refuses str input that carries an XML encoding declaration.
    return _XML_DECLARATION.sub("", text, count=1)


def page_language(html: str) -> str | None:
    """Two- or three-letter language code from <html lang> or a Content-Language meta, if any."""
    head = html[:LANG_SNIFF_CHARS]
    match = _HTML_LANG.search(head) or _META_LANG.search(head)
    return match.group(1).lower() if match else None


def html_fragment_text(fragment: str) -> str:
    """Visible text of an HTML fragment, one line per block element."""
    import lxml.html

    if not fragment.strip():
        return ""
    root = lxml.html.fromstring(fragment)
    for element in list(root.iter(*DROP_TAGS)):
        element.drop_tree()
    for element in root.iter(*BLOCK_TAGS):
        element.text = "\n" + (element.text or "")
        element.tail = "\n" + (element.tail or "")
    lines = (" ".join(line.split()) for line in root.text_content().splitlines())
    return "\n".join(line for line in lines if line)


def trafilatura_default(data: bytes) -> str:
    """trafilatura.extract with its default settings."""
    import trafilatura

    return trafilatura.extract(decode_page(data)) or ""


def trafilatura_precision(data: bytes) -> str:
    """trafilatura.extract with favor_precision=True."""
    import trafilatura

    return trafilatura.extract(decode_page(data), favor_precision=True) or ""


def readability(data: bytes) -> str:
    """readability-lxml Document.summary(), turned into text with lxml."""
    from readability import Document

    return html_fragment_text(Document(decode_page(data)).summary(html_partial=True))


def justext_peer(data: bytes) -> str:
    """jusText non-boilerplate paragraphs, using the page language's stoplist or English."""
    import justext

    html = decode_page(data)
    name = JUSTEXT_STOPLISTS.get(page_language(html) or "", FALLBACK_STOPLIST)
    try:
        stoplist = justext.get_stoplist(name)
    except ValueError:
        stoplist = justext.get_stoplist(FALLBACK_STOPLIST)
    paragraphs = justext.justext(html, stoplist)
    return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)


def boilerpy3(data: bytes) -> str:
    """boilerpy3 ArticleExtractor content (its parse failures raise and are counted by the caller)."""
    from boilerpy3 import extractors

    # boilerpy3 logs a traceback per unparsable page; without a handler Python prints it to stderr.
    quiet = logging.getLogger(BOILERPY3_LOGGER)
    if not quiet.handlers:
        quiet.addHandler(logging.NullHandler())
    return extractors.ArticleExtractor().get_content(decode_page(data)) or ""


def resiliparse(data: bytes) -> str:
    """Resiliparse plain text with main_content=True."""
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    return extract_plain_text(HTMLTree.parse(decode_page(data)), main_content=True) or ""


PEERS: dict[str, Peer] = {
    "trafilatura": trafilatura_default,
    "trafilatura_precision": trafilatura_precision,
    "readability": readability,
    "justext": justext_peer,
    "boilerpy3": boilerpy3,
    "resiliparse": resiliparse,
}


def safe_extract(peer: Peer, data: bytes) -> tuple[str, bool]:
    """Run one peer on one page: (text, ok); an exception gives ("", False) and is logged."""
    try:
        return peer(data) or "", True
    except Exception as err:  # noqa: BLE001 - one bad page must never stop a benchmark run
        log.debug("peer %s failed: %s: %s", getattr(peer, "__name__", peer), type(err).__name__, err)
        return "", False


def resolve_peers(peers: PeerSpec = None) -> dict[str, Peer]:
    """Peers by name: all of PEERS by default, a subset by name, or a given name->function map."""
    if peers is None:
        return dict(PEERS)
    if isinstance(peers, Mapping):
        return dict(peers)
    return {name: PEERS[name] for name in peers}


def run_peer(peer: Peer, pages: list[tuple[bytes, str]]) -> tuple[list[str], float, int]:
    """Outputs of one peer over all pages, the pass's wall time in seconds and its failure count."""
    safe_extract(peer, WARM_UP_PAGE)
    outputs: list[str] = []
    failures = 0
    start = time.perf_counter()
    for data, _gold in pages:
        text, ok = safe_extract(peer, data)
        outputs.append(text)
        failures += not ok
    return outputs, time.perf_counter() - start, failures


def run_peers(pages: list[tuple[bytes, str]], peers: PeerSpec = None) -> list[dict]:
    """Run each peer over (html bytes, gold text) pages; one scored, timed row per peer."""
    rows = []
    for name, peer in resolve_peers(peers).items():
        outputs, seconds, failures = run_peer(peer, pages)
        rows.append(score_row(name, outputs, [gold for _data, gold in pages], seconds, failures))
    return rows


def score_row(name: str, outputs: list[str], golds: list[str], seconds: float, failures: int) -> dict:
    """One table row: body token-F1 of the outputs against the golds, with pages/s, failures and each page's (tp, fp, fn)."""
    scores, counts = metrics.token_f1_with_counts(zip(outputs, golds))
    return {
        "peer": name,
        "precision": scores["precision"],
        "recall": scores["recall"],
        "f1": scores["f1"],
        "pages": scores["pages"],
        "pages_per_s": len(golds) / seconds if seconds > 0 else 0.0,
        "failures": failures,
        "page_counts": counts,
    }
