"""Dense markup features of rendered HTML lines, for the markup variant of the segment classifier.

Each line's markup facts (see :class:`scrapeseg.corpus.html.Markup`: the block tag it starts in,
its heading level, the share of its characters inside links and whether it sits in page chrome)
become MARKUP_NAMES columns: a one-hot of the block tag over a fixed set, plus the three numbers.
Text scrapes have no markup, so a model using these columns needs HTML input.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# The most frequent block tags of the benchmark pages' lines (li, p, div, option, td, headings...);
# rarer tags share the "other" column so the set stays fixed across corpora.
MARKUP_TAGS = (
    "p", "li", "div", "td", "th", "option", "button", "h1", "h2", "h3", "h4", "h5", "h6",
    "dt", "dd", "blockquote", "figcaption", "pre",
)
OTHER_TAG = "other"
MARKUP_NAMES = [f"tag_{t}" for t in (*MARKUP_TAGS, OTHER_TAG)] + ["heading", "link_share", "in_chrome"]
MARKUP_WIDTH = len(MARKUP_NAMES)
_TAG_COLUMN = {tag: k for k, tag in enumerate(MARKUP_TAGS)}


def markup_columns(tag: Sequence[str], heading, link_share, in_chrome) -> np.ndarray:
    """The (lines x MARKUP_WIDTH) float32 markup features from per-line tag, heading, link share and chrome flag."""
    n = len(tag)
    out = np.zeros((n, MARKUP_WIDTH), dtype=np.float32)
    other = len(MARKUP_TAGS)
    out[np.arange(n), np.fromiter((_TAG_COLUMN.get(t, other) for t in tag), dtype=np.int64, count=n)] = 1.0
    out[:, other + 1] = np.asarray(heading, dtype=np.float32)
    out[:, other + 2] = np.asarray(link_share, dtype=np.float32)
    out[:, other + 3] = np.asarray(in_chrome, dtype=np.float32)
    return out


def page_markup(facts: Sequence) -> np.ndarray:
    """The markup features of a rendered page's lines, from its list of Markup facts."""
    return markup_columns(
        [f.tag for f in facts], [f.heading for f in facts], [f.link_share for f in facts], [f.in_chrome for f in facts]
    )
