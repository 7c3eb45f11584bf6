"""Render an HTML page into a text scrape, one line per block, keeping per-line markup facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from lxml import etree

from scrapeseg.corpus.decode import InputError, decode_bytes

# A scraper starts a new line at each of these; everything else is inline and joined.
BLOCK_TAGS = frozenset(
    """address article aside blockquote body caption center dd details dialog dir div dl dt
    fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html legend li
    main menu nav ol p pre section summary table tbody td tfoot th thead tr ul option select
    button""".split()
)
SKIP_TAGS = frozenset("script style noscript template svg math head iframe object canvas".split())
CHROME_TAGS = frozenset("nav aside footer header form".split())
HEADING_LEVELS = {f"h{level}": level for level in range(1, 7)}
MAX_HTML_BYTES = 32 * 1024 * 1024


class Markup(NamedTuple):
    """Markup facts of one rendered line, for use as features."""

    tag: str
    heading: int
    link_share: float
    in_chrome: bool


@dataclass
class RenderedPage:
    """A page rendered to text: one line per block, with each line's element and markup facts."""

    text: str
    lines: list[str]
    elements: list
    markup: list[Markup]
    tree: object
    encoding: str
    warnings: list[str] = field(default_factory=list)


def parse_html(data: bytes | str, name: str = "<html>") -> tuple[object, str, list[str]]:
    """Decode (any declared or undeclared encoding) and parse a page; return tree, encoding, warnings."""
    if isinstance(data, str):
        text, encoding, warnings = data, "str", []
    else:
        if len(data) > MAX_HTML_BYTES:
            raise InputError(f"{name}: HTML page of {len(data):,} bytes exceeds the {MAX_HTML_BYTES:,}-byte limit")
        decoded = decode_bytes(data, name, html=True)
        text, encoding, warnings = decoded.text, decoded.encoding, decoded.warnings
    if not text.strip():
        raise InputError(f"{name}: empty HTML page")
    # lxml.etree's own parser, not lxml.html's: that one picks each element's Python class through
    # a Python callback, a quarter of the time of rendering a page; text_content() stands in for
    # the one HtmlElement method the heuristics used.
    parser = etree.HTMLParser(remove_comments=True, remove_pis=True, encoding="utf-8")
    try:
        tree = etree.fromstring(text.encode("utf-8", "surrogatepass"), parser)
    except (etree.ParserError, ValueError) as err:
        raise InputError(f"{name}: not parseable as HTML ({err})") from None
    if tree is None:
        raise InputError(f"{name}: not parseable as HTML (Document is empty)")
    return tree, encoding, warnings


def text_content(el) -> str:
    """An element's text with all its descendants' text, as lxml.html's HtmlElement.text_content()."""
    return _STRING_CONTENT(el)


_STRING_CONTENT = etree.XPath("string()", smart_strings=False)


def _hidden(el) -> bool:
    """Whether an element is hidden from readers, so a browser-based scraper would not dump it."""
    if el.get("hidden") is not None:
        return True
    style = el.get("style")
    return bool(style) and "display:none" in style.replace(" ", "").lower()


def render_tree(tree) -> tuple[list[str], list, list[Markup]]:
    """Walk a parsed page and return its lines, each line's first element and its markup facts."""
    lines: list[str] = []
    elements: list = []
    markup: list[Markup] = []
    pieces: list[str] = []
    link_chars = 0
    first_el = None
    first_tag = ""
    first_heading = 0
    first_chrome = False
    block_stack: list[str] = []
    heading_stack: list[int] = []
    chrome_depth = 0
    link_depth = 0

    def flush() -> None:
        nonlocal pieces, link_chars, first_el
        # Called only with pieces pending: add() sets first_el and link_chars only when it appends.
        text = " ".join("".join(pieces).split())
        if text:
            lines.append(text)
            elements.append(first_el)
            markup.append(make_markup((first_tag, first_heading, min(1.0, link_chars / len(text.replace(" ", ""))), first_chrome)))
        pieces = []
        link_chars = 0
        first_el = None

    def add(text: str, container) -> None:
        nonlocal link_chars, first_el, first_tag, first_heading, first_chrome
        if first_el is None:
            if text.isspace():
                return
            first_el = container
            first_tag = block_stack[-1] if block_stack else ""
            first_heading = heading_stack[-1] if heading_stack else 0
            first_chrome = chrome_depth > 0
        pieces.append(text)
        if link_depth:
            link_chars += len("".join(text.split()))

    make_markup = Markup._make
    skipped_elements: set = set()
    walker = etree.iterwalk(tree, events=("start", "end"))
    for event, el in walker:
        tag = el.tag
        if not isinstance(tag, str):
            tag = ""
        if event == "start":
            if tag in SKIP_TAGS or _hidden(el):
                skipped_elements.add(el)
                walker.skip_subtree()
                continue
            if tag in BLOCK_TAGS or tag == "br":
                if pieces:
                    flush()
                if tag != "br":
                    block_stack.append(tag)
            if tag in HEADING_LEVELS:
                heading_stack.append(HEADING_LEVELS[tag])
            if tag in CHROME_TAGS:
                chrome_depth += 1
            if tag == "a":
                link_depth += 1
            text = el.text
            if text:
                add(text, el)
        else:
            skipped = el in skipped_elements
            block = tag in BLOCK_TAGS and not skipped
            if not skipped:
                if tag == "a":
                    link_depth -= 1
                if tag in CHROME_TAGS:
                    chrome_depth -= 1
                if tag in HEADING_LEVELS:
                    heading_stack.pop()
                if block:
                    if pieces:
                        flush()
                    block_stack.pop()
            tail = el.tail
            if tail:
                parent = el.getparent()
                if block and pieces:
                    flush()
                add(tail, parent if parent is not None else el)
    if pieces:
        flush()
    return lines, elements, markup


def render_html(data: bytes | str, name: str = "<html>") -> RenderedPage:
    """Render a page the way a scraper dumps it: one line per block, scripts and styles dropped."""
    tree, encoding, warnings = parse_html(data, name)
    lines, elements, markup = render_tree(tree)
    if not lines:
        warnings.append(f"{name}: page has no visible text")
    return RenderedPage("\n".join(lines), lines, elements, markup, tree, encoding, warnings)
