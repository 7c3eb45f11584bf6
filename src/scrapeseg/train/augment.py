"""Training-time augmentation: synthetic related-stories blocks of teaser cards, built in memory at fit time.

The corpus holds few teaser sections whose cards repeat their headline and carry short source and
time lines; the repetition features then read those cards as boilerplate (later headline copies
are boilerplate). ``add_teaser_blocks`` inserts, after the body of a share of the training
documents, a teaser-section header taken from the training lines labelled as such, followed by
cards assembled from other training documents: a headline (a donor's first body line), optional
copies of it, optional source and date lines, optional snippet (a donor's body text), in random
order and shape. Every inserted line is labelled teaser. Nothing is written to disk.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from scrapeseg.corpus.prelabel import DATE_OR_BYLINE
from scrapeseg.corpus.teaser import READ_MORE_LINE, is_teaser_header
from scrapeseg.labels import Label

BODY, TEASER = int(Label.BODY), int(Label.TEASER)
SEED_OFFSET = 7_919  # decorrelates the augmentation's draws from the model's own random_state uses
MAX_HEADLINE_WORDS = 20  # a donor's first body line longer than this is not a headline
MIN_SNIPPET_WORDS = 12  # a donor body line shorter than this is no snippet
MAX_DATE_WORDS = 8  # date/byline lines of the pool are short lines
DATE_SEARCH_LINES = 12  # a donor's date and byline lines sit among its first body lines
DONOR_TRIES = 8
CARDS = (1, 6)  # cards per block: low inclusive, high exclusive
MAX_EXTRA_COPIES = 2  # repeated headline copies in a card (card UIs repeat it in links and alt texts)
P_HEADER = 0.9  # blocks with a section header ("Related Articles", ...)
P_SOURCE, P_DATE, P_BULLET_SOURCE, P_SNIPPET = 0.5, 0.5, 0.25, 0.6  # optional card parts
P_LONG_SNIPPET = 0.2  # snippets that run over several paragraphs of the donor's text
P_TRUNCATED = 0.4  # snippets cut at a word with an ellipsis
MAX_SNIPPET_PARAGRAPHS = 6
P_POOL_DATE = 0.5  # date lines taken from the corpus rather than made-up relative ages
ACRONYM_CHARS, P_UPPER_SOURCE = 4, 0.3  # source names upper-cased: short ones ("CNA"), else sometimes
BULLETS = ("•", "·", "|", "-")
RELATIVE_UNITS = ("minutes", "hours", "days", "weeks")
_SITE_NAME = re.compile(r"^[a-z][a-z0-9-]{1,30}$")
SECOND_LEVEL = frozenset("co com org net gov ac edu".split())  # "bbc" of news.bbc.co.uk


def _pools(docs: Sequence[Sequence[str]], codes: Sequence[np.ndarray]) -> dict:
    """What cards are drawn from: headers and date lines as (document, line), headlines as (document, line, snippet lines)."""
    headers, headlines, dates = [], [], []
    for k, (lines, labels) in enumerate(zip(docs, codes)):
        body = np.flatnonzero(labels == BODY)
        for i in np.flatnonzero(labels == TEASER):
            # A header of a real teaser section: labelled teaser, header-shaped and followed by teaser lines.
            text = lines[i]
            if i + 1 < len(lines) and labels[i + 1] == TEASER and is_teaser_header(text) and READ_MORE_LINE.match(text) is None:
                headers.append((k, int(i)))
        if len(body) == 0:
            continue
        first = int(body[0])
        if 0 < len(lines[first].split()) <= MAX_HEADLINE_WORDS:
            paragraphs = [int(i) for i in body if len(lines[i].split()) >= MIN_SNIPPET_WORDS]
            headlines.append((k, first, paragraphs))
        for i in body[:DATE_SEARCH_LINES]:
            text = lines[i]
            if len(text.split()) <= MAX_DATE_WORDS and DATE_OR_BYLINE.search(text):
                dates.append((k, int(i)))
    return {"headers": headers, "headlines": [h for h in headlines if h[2]] or headlines, "dates": dates}


def _source_name(domain: str | None, rng: np.random.Generator) -> str | None:
    """A short source name from a donor's site domain, upper- or title-cased."""
    if not domain:
        return None
    labels = str(domain).lower().split(".")[:-1]  # without the top-level domain
    while labels and labels[-1] in SECOND_LEVEL:
        labels.pop()
    if not labels or _SITE_NAME.match(labels[-1]) is None:  # corpus ids such as "dragnet:103" are no site
        return None
    stem = labels[-1]
    return stem.upper() if len(stem) <= ACRONYM_CHARS or rng.random() < P_UPPER_SOURCE else stem.title()


def _snippet(lines: Sequence[str], paragraphs: list[int], rng: np.random.Generator) -> str:
    """A donor's body text: one paragraph, several joined, or one cut short with an ellipsis."""
    start = int(rng.integers(len(paragraphs)))
    if rng.random() < P_LONG_SNIPPET:
        count = int(rng.integers(2, MAX_SNIPPET_PARAGRAPHS + 1))
        return " ".join(lines[i] for i in paragraphs[start : start + count])
    text = lines[paragraphs[start]]
    words = text.split()
    if rng.random() < P_TRUNCATED and len(words) > MIN_SNIPPET_WORDS:
        return " ".join(words[: int(rng.integers(MIN_SNIPPET_WORDS, len(words)))]) + str(rng.choice(["...", "…", " ..."]))
    return text


def _date_line(pool: list, docs, rng: np.random.Generator) -> str:
    """A donor's date or byline line, or a relative age ("3 hours ago") as card UIs print it."""
    if pool and rng.random() < P_POOL_DATE:
        k, i = pool[int(rng.integers(len(pool)))]
        return docs[k][i]
    return f"{int(rng.integers(1, 24))} {rng.choice(RELATIVE_UNITS)} ago"


def _card(docs, domains, pools, recipient: int, rng: np.random.Generator) -> list[str]:
    """One card's lines: the headline first, then its copies, source, date and snippet lines in random order."""
    headlines = pools["headlines"]
    for _ in range(DONOR_TRIES):  # a donor other than the recipient
        k, first, paragraphs = headlines[int(rng.integers(len(headlines)))]
        if k != recipient:
            break
    lines = docs[k]
    head = lines[first]
    parts = [head] * int(rng.integers(0, MAX_EXTRA_COPIES + 1))
    source = _source_name(domains[k] if domains is not None else None, rng)
    if source and rng.random() < P_SOURCE:
        parts.append(source)
    if rng.random() < P_DATE:
        parts.append(_date_line(pools["dates"], docs, rng))
    if source and rng.random() < P_BULLET_SOURCE:
        parts.append(f"{rng.choice(BULLETS)} {source}")
    if paragraphs and rng.random() < P_SNIPPET:
        parts.append(_snippet(lines, paragraphs, rng))
    order = rng.permutation(len(parts))
    return [head] + [parts[j] for j in order]


def add_teaser_blocks(docs: Sequence[Sequence[str]], codes: Sequence[np.ndarray], share: float, random_state: int,
                      domains: Sequence | None = None) -> tuple[list[list[str]], list[np.ndarray], list[np.ndarray]]:
    """Documents with a synthetic teaser block inserted after the body of about ``share`` of them.

    codes holds per document the label codes (Label indices). Returns the new documents, their
    codes and, per document, the index of each line's original line (-1 for an inserted line), so
    callers can carry per-line weights and flags over. Deterministic for a random_state;
    only adds lines, all labelled teaser, and leaves the original lines' order untouched.
    """
    out_docs = [list(d) for d in docs]
    out_codes = [np.asarray(c, dtype=np.int64) for c in codes]
    origin = [np.arange(len(d), dtype=np.int64) for d in docs]
    if share <= 0:
        return out_docs, out_codes, origin
    pools = _pools(out_docs, out_codes)
    if not pools["headlines"]:
        return out_docs, out_codes, origin
    rng = np.random.default_rng(random_state + SEED_OFFSET)
    for k in range(len(out_docs)):
        body = np.flatnonzero(out_codes[k] == BODY)
        if rng.random() >= share or len(body) == 0:
            continue
        # Anywhere from just after the body to the end, so the block also follows promo and comment lines.
        at = int(rng.integers(int(body[-1]) + 1, len(out_docs[k]) + 1))
        block: list[str] = []
        if pools["headers"] and rng.random() < P_HEADER:
            hk, hi = pools["headers"][int(rng.integers(len(pools["headers"])))]
            block.append(docs[hk][hi])  # the original text: out_docs[hk] may have had a block inserted
        for _ in range(int(rng.integers(*CARDS))):
            block += _card(docs, domains, pools, k, rng)
        out_docs[k] = out_docs[k][:at] + block + out_docs[k][at:]
        out_codes[k] = np.concatenate([out_codes[k][:at], np.full(len(block), TEASER, dtype=np.int64), out_codes[k][at:]])
        origin[k] = np.concatenate([origin[k][:at], np.full(len(block), -1, dtype=np.int64), origin[k][at:]])
    return out_docs, out_codes, origin
