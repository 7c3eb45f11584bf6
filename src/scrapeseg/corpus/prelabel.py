"""A weak, text-only pre-labeller for plain scrapes: phrases, position, length and a context pass.

It gives Label Studio pre-annotations before any model exists. Pass one labels each line on its
own: teaser headers and "Read more:" lines are teaser, promo and chrome phrases are boilerplate,
long sentence-like lines are body, and short lines are left undecided. Pass two resolves the
undecided lines from context, as jusText does: between two body lines a short line is body (a
subheading), the headline and its byline/date before the first body line are body, lines after a
teaser header stay teaser until a promo phrase, and repeated copies of a line are boilerplate.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from scrapeseg.corpus.teaser import READ_MORE_LINE, is_teaser_header
from scrapeseg.labels import Label

MIN_BODY_WORDS = 12
MIN_HEADLINE_WORDS = 4
MAX_HEADLINE_WORDS = 25
MAX_BYLINE_WORDS = 12
BYLINE_WINDOW = 4
PROMO = re.compile(
    r"\b(download|app store|google play|play-store|app-store|subscribe|subscription|newsletter|sign (up|in)|log ?in|"
    r"cookies?|privacy|terms (of|and)|copyright|©|all rights reserved|follow us|share (this|on)|advertis|"
    r"comments?|no comments|reply|logo|menu|search|try our|get started|ai features|skip to|back to top|"
    r"powered by|contact us|about us|sponsored|promoted)\b",
    re.I,
)
STRONG_PROMO = re.compile(
    r"\b(download (the|our)\b.*\bapp|app store|google play|subscribe (to|now)|sign up (for|to)|"
    r"accept (all )?cookies|we use cookies)\b",
    re.I,
)
SENTENCE_END = re.compile(r"[.!?…\"'”’)]$")
# "By …" at the start, or at a word boundary: "ago", "updated", "published", "posted", a time, a month and a number.
_BYLINE_WORDS = (
    r"(?:ago|updated|published|posted)\b",
    r"\d{1,2}:\d\d\b",
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d",
)
_YEAR = r"(?:19|20)\d\d\b"
# Every first character the words above can start with: a lookahead on it skips the alternatives
# at most word boundaries (40% faster on the corpus's short lines, the same matches on all 605,920).
_WORD_STARTS = r"[aupjfmsond\d]"


def _byline_pattern(*words: str) -> re.Pattern:
    """"^by " or any of words after one shared word boundary (a third faster than a boundary per alternative)."""
    return re.compile(r"^by\s|\b(?=" + _WORD_STARTS + r")(?:" + "|".join(words) + ")", re.I)


BYLINE_OR_TIME = _byline_pattern(*_BYLINE_WORDS)
DATE_OR_BYLINE = _byline_pattern(*_BYLINE_WORDS, _YEAR)  # a year alone also counts
UNDECIDED = -1


def _words(text: str) -> int:
    """Number of whitespace-separated words."""
    return len(text.split())


def headline_shaped(text: str, ending: re.Pattern = SENTENCE_END) -> bool:
    """Whether a line reads like a headline: MIN_HEADLINE_WORDS to MAX_HEADLINE_WORDS words and no `ending` (a sentence end)."""
    return MIN_HEADLINE_WORDS <= _words(text) <= MAX_HEADLINE_WORDS and not ending.search(text)


def first_pass(text: str) -> int:
    """A line's label index on its own, or UNDECIDED."""
    words = _words(text)
    if is_teaser_header(text) or READ_MORE_LINE.match(text):
        return Label.TEASER
    if words < MIN_BODY_WORDS and PROMO.search(text) or STRONG_PROMO.search(text):
        return Label.BOILERPLATE
    if words >= MIN_BODY_WORDS and SENTENCE_END.search(text):
        return Label.BODY
    if words >= 2 * MIN_BODY_WORDS:
        return Label.BODY
    return UNDECIDED


def prelabel(lines: Sequence[str]) -> list[Label]:
    """Labels for the lines of one scrape, by the two passes in this module's docstring."""
    labels = [first_pass(text) for text in lines]
    _teaser_sections(lines, labels)
    _headline(lines, labels)
    _between_body(labels)
    _repeats(lines, labels)
    return [Label(Label.BOILERPLATE if lab == UNDECIDED else lab) for lab in labels]


def _teaser_sections(lines: Sequence[str], labels: list[int]) -> None:
    """After a teaser header every line is teaser until a promo line or another section starts."""
    inside = False
    for i, text in enumerate(lines):
        if labels[i] == Label.TEASER and is_teaser_header(text):
            inside = True
        elif inside and _words(text) < MIN_BODY_WORDS and PROMO.search(text):
            inside = False
        elif inside:
            labels[i] = Label.TEASER


def _headline(lines: Sequence[str], labels: list[int]) -> None:
    """The last headline-shaped line before the first body line (its first copy) is body, with the byline/date after it."""
    first_body = next((i for i, lab in enumerate(labels) if lab == Label.BODY), None)
    if first_body is None:
        return
    for i in range(first_body - 1, -1, -1):
        text = lines[i]
        if DATE_OR_BYLINE.search(text):
            continue
        if labels[i] == UNDECIDED and headline_shaped(text):
            if first_body - i > BYLINE_WINDOW + 1:
                return
            first_copy = next(k for k in range(i + 1) if lines[k].casefold() == text.casefold())
            labels[first_copy] = Label.BODY
            for j in range(i + 1, first_body):
                if labels[j] == UNDECIDED and _words(lines[j]) <= MAX_BYLINE_WORDS and DATE_OR_BYLINE.search(lines[j]):
                    labels[j] = Label.BODY
            return


def _between_body(labels: list[int]) -> None:
    """Undecided lines with body on both sides become body (subheadings, short paragraphs)."""
    last_decided = None
    for i, lab in enumerate(labels):
        if lab == UNDECIDED:
            continue
        if last_decided is not None and lab == Label.BODY and labels[last_decided] == Label.BODY:
            for k in range(last_decided + 1, i):
                labels[k] = Label.BODY
        last_decided = i


def _repeats(lines: Sequence[str], labels: list[int]) -> None:
    """A second copy of a body line is boilerplate (sticky bars, breadcrumbs)."""
    seen: set[str] = set()
    for i, text in enumerate(lines):
        key = text.casefold()
        if key in seen and labels[i] == Label.BODY:
            labels[i] = Label.BOILERPLATE
        seen.add(key)
