"""Site context: which lines of a batch's pages recur on other pages of the same site.

A site's template (menus, footers, its own description, sidebars of recent posts) recurs on its
pages while each article's text does not, so a line found on another page of the site is
rarely body. Two scrapes of one article (with and without comments, at two URLs) share the
article's paragraphs, so pages that hold most of a page's paragraph words count as its copies,
not as other pages.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence

import numpy as np

MIN_PARAGRAPH_WORDS = 30  # lines this long carry an article: pages sharing them may be copies of one article
COPY_SHARE = 0.5  # share of a page's paragraph words another page must hold to be its copy
COPY_PARAGRAPHS = 2  # paragraphs a copy shares, so that one long template paragraph makes no copies


def _key(line: str) -> str:
    """The form in which two lines count as the same line."""
    return line.casefold()


def _site_pages(n_docs: int, sites: Sequence[Hashable | None]) -> list[list[int]]:
    """The documents of each site that has at least two, in batch order."""
    if len(sites) != n_docs:
        raise ValueError(f"sites holds {len(sites)} values for {n_docs} documents")
    pages: dict[Hashable, list[int]] = defaultdict(list)
    for k, site in enumerate(sites):
        if site is not None:
            pages[site].append(k)
    return [ks for ks in pages.values() if len(ks) > 1]


def _copies(k: int, lines: set[str], holders: dict[str, set[int]]) -> set[int]:
    """Page k and the pages that hold at least COPY_SHARE of its paragraph words in COPY_PARAGRAPHS paragraphs (or all it has)."""
    words = {line: n for line, n in ((line, len(line.split())) for line in lines) if n >= MIN_PARAGRAPH_WORDS}
    total = sum(words.values())
    need = min(COPY_PARAGRAPHS, len(words))
    shared: Counter = Counter()
    count: Counter = Counter()
    for line, n in words.items():
        for j in holders[line]:
            shared[j] += n
            count[j] += 1
    return {k} | {j for j, n in shared.items() if total and n >= COPY_SHARE * total and count[j] >= need}


def site_seen(docs: Sequence[Sequence[str]], sites: Sequence[Hashable | None]) -> np.ndarray:
    """Per line of docs (flat), whether another page of its site, not a copy of its page, holds the same line (case-folded).

    sites holds one key per document (a domain, say); None means the page stands alone.
    """
    starts = np.zeros(len(docs) + 1, dtype=np.int64)
    np.cumsum([len(d) for d in docs], out=starts[1:])
    out = np.zeros(int(starts[-1]), dtype=bool)
    for ks in _site_pages(len(docs), sites):
        keys = {k: list(map(_key, docs[k])) for k in ks}
        holders: dict[str, set[int]] = defaultdict(set)
        for k in ks:
            for line in keys[k]:
                holders[line].add(k)
        for k in ks:
            mine = _copies(k, set(keys[k]), holders)
            if len(mine) < len(ks):
                out[starts[k]:starts[k + 1]] = [not holders[line] <= mine for line in keys[k]]
    return out
