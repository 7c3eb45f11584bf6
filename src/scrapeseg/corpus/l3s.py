"""Carry l3s-gn1's human block labels over to rendered lines by aligning their token streams."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from difflib import SequenceMatcher
from pathlib import Path

from scrapeseg.labels import Label

# The annotated copy replaced non-ASCII characters by "?", so both sides are compared that way.
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_TOKEN = re.compile(r"[A-Za-z0-9_]+")
MIN_MATCHED_SHARE = 0.5
BLOCK_LABELS = {
    "headline": Label.BODY,
    "fulltext": Label.BODY,
    "supplemental": Label.BODY,
    "related-content": Label.TEASER,
    "comments": Label.BOILERPLATE,
    "not-content": Label.BOILERPLATE,
}


def ascii_tokens(text: str) -> list[str]:
    """Lower-case ASCII word tokens after replacing non-ASCII characters by '?'."""
    return _TOKEN.findall(_NON_ASCII.sub("?", text).lower())


def read_blocks(path: Path) -> list[tuple[str, str]]:
    """The (label, text) blocks of one l3s-gn1 page, in page order."""
    with path.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return [(row["label"], row["text"]) for row in sorted(rows, key=lambda r: r["i"])]


def align_block_labels(lines: Sequence[str], blocks: Sequence[tuple[str, str]]) -> list[tuple[Label | None, str | None]]:
    """Per line, the mapped label and raw block label of most of its tokens, or (None, None) if unmatched."""
    block_stream: list[str] = []
    block_raw: list[str] = []
    for raw, text in blocks:
        toks = ascii_tokens(text)
        block_stream += toks
        block_raw += [raw] * len(toks)
    line_stream: list[str] = []
    owner: list[int] = []
    for i, line in enumerate(lines):
        toks = ascii_tokens(line)
        line_stream += toks
        owner += [i] * len(toks)
    votes: list[Counter] = [Counter() for _ in lines]
    matcher = SequenceMatcher(None, line_stream, block_stream, autojunk=False)
    for a, b, size in matcher.get_matching_blocks():
        for k in range(size):
            votes[owner[a + k]][block_raw[b + k]] += 1
    result: list[tuple[Label | None, str | None]] = []
    for i, line in enumerate(lines):
        n = len(ascii_tokens(line))
        matched = sum(votes[i].values())
        if not n or matched < MIN_MATCHED_SHARE * n:
            result.append((None, None))
            continue
        raw = votes[i].most_common(1)[0][0]
        result.append((BLOCK_LABELS.get(raw, Label.BOILERPLATE), raw))
    return result
