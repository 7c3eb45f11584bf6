"""Find the headline, byline and date lines of a page from its own markup."""

from __future__ import annotations

import re
from collections.abc import Sequence

from scrapeseg.corpus.gold import tokens
from scrapeseg.corpus.html import text_content

TITLE_SEPARATORS = (" - ", " | ", " – ", " — ", " :: ", " · ", " « ", " » ")
# The byline and date sit between the headline and the first body paragraph, a few lines at most.
MAX_BYLINE_LINES = 6
MAX_BYLINE_WORDS = 25
BYLINE_ANCESTOR_LEVELS = 3
_BYLINE_ATTR = re.compile(r"byline|author|date|time|publish|posted|dateline|timestamp|meta", re.I)
_BYLINE_TEXT = re.compile(
    r"^(by|von|par|por|door|di|av)\s|\b(19|20)\d\d\b|\b\d{1,2}:\d\d\b|\b(updated|published|posted)\b",
    re.I,
)


def headline_candidates(tree) -> list[tuple[str, ...]]:
    """Token tuples of the page's <h1>s, og:title and <title>, including title parts before a separator."""
    texts: list[str] = [text_content(h) for h in tree.iter("h1")]
    texts += [m.get("content") or "" for m in tree.iter("meta") if m.get("property") == "og:title"]
    texts += [text_content(t) for t in tree.iter("title")]
    candidates: list[tuple[str, ...]] = []
    for text in texts:
        candidates.append(tuple(tokens(text)))
        for sep in TITLE_SEPARATORS:
            if sep in text:
                candidates.append(tuple(tokens(text.split(sep)[0])))
                candidates.append(tuple(tokens(text.rsplit(sep, 1)[-1])))
    return [c for c in candidates if len(c) >= 2]


def _bylineish(element, text: str) -> bool:
    """Whether a line looks like a byline or date, by its element's attributes or its text."""
    if len(text.split()) > MAX_BYLINE_WORDS:
        return False
    el = element
    for _ in range(BYLINE_ANCESTOR_LEVELS):
        if el is None or not isinstance(el.tag, str):
            break
        if el.tag == "time" or _BYLINE_ATTR.search(f"{el.get('class', '')} {el.get('id', '')} {el.get('itemprop', '')} {el.get('rel', '')}"):
            return True
        el = el.getparent()
    return bool(_BYLINE_TEXT.search(text))


def headline_and_byline(tree, lines: Sequence[str], elements: Sequence, body: Sequence[bool]) -> list[int]:
    """Indices of the headline line and the byline/date lines next to it, found before the first body line."""
    first_body = next((i for i, b in enumerate(body) if b), len(lines))
    candidates = set(headline_candidates(tree))
    if not candidates:
        return []
    last = min(first_body + 1, len(lines))
    headline = next((i for i in range(last) if tuple(tokens(lines[i])) in candidates), None)
    if headline is None:
        return []
    found = [headline]
    next_body = next((i for i in range(headline + 1, len(lines)) if body[i]), len(lines))
    for i in range(headline + 1, min(next_body, headline + 1 + MAX_BYLINE_LINES)):
        if _bylineish(elements[i], lines[i]):
            found.append(i)
    return found
