"""Match rendered lines against a benchmark's gold text to find the body lines.

Rule: text is normalised (NFKC, lower case) into `\\w+` tokens. A line is body when
- its tokens equal a whole gold paragraph not yet claimed by an earlier line, or
- it has at least NGRAM tokens, at least MIN_NGRAM_SHARE of its token trigrams occur in the
  gold, and fewer than REPEAT_SHARE of those were already claimed by earlier body lines (so a
  second copy of a passage, such as a repeated headline or a teaser quoting the lead, is not
  body), or
- it is shorter than NGRAM tokens, occurs in the gold's token stream, and its nearest
  non-empty neighbours on both sides are body (short fragments split off a gold paragraph).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

NGRAM = 3
MIN_NGRAM_SHARE = 0.5
REPEAT_SHARE = 0.8
_TOKEN = re.compile(r"\w+")


def tokens(text: str) -> list[str]:
    """Normalised word tokens of a text."""
    return _TOKEN.findall(unicodedata.normalize("NFKC", text).lower())


def ngrams(toks: Sequence[str], n: int = NGRAM) -> list[tuple[str, ...]]:
    """Consecutive n-grams of a token list."""
    return [tuple(toks[i : i + n]) for i in range(len(toks) - n + 1)]


def gold_paragraphs(gold: str) -> list[str]:
    """Gold paragraphs: blocks separated by blank lines, each also split at its own line breaks."""
    return [line.strip() for line in gold.splitlines() if line.strip()]


@dataclass
class GoldMatch:
    """Which lines are body by the gold, and how much of the gold they cover."""

    body: list[bool]
    coverage: float
    gold_ngrams: int


def match_gold(lines: Sequence[str], gold: str) -> GoldMatch:
    """Label each line body or not by the matching rule in this module's docstring."""
    paragraphs = [tuple(tokens(p)) for p in gold_paragraphs(gold)]
    gold_stream = " " + " ".join(" ".join(p) for p in paragraphs) + " "
    unclaimed_paragraphs = Counter(p for p in paragraphs if p)
    gold_grams = Counter(g for p in paragraphs for g in ngrams(p))
    claimed: Counter = Counter()
    line_tokens = [tokens(line) for line in lines]
    body = [False] * len(lines)
    short: list[int] = []
    for i, toks in enumerate(line_tokens):
        if not toks:
            continue
        key = tuple(toks)
        if unclaimed_paragraphs.get(key, 0) > 0:
            unclaimed_paragraphs[key] -= 1
            claimed.update(ngrams(toks))
            body[i] = True
            continue
        if len(toks) < NGRAM:
            short.append(i)
            continue
        grams = ngrams(toks)
        in_gold = [g for g in grams if gold_grams[g] > 0]
        if len(in_gold) < MIN_NGRAM_SHARE * len(grams):
            continue
        repeated = sum(1 for g in in_gold if claimed[g] >= gold_grams[g])
        if repeated >= REPEAT_SHARE * len(in_gold):
            continue
        claimed.update(in_gold)
        body[i] = True
    nonempty = [i for i, toks in enumerate(line_tokens) if toks]
    position = {i: k for k, i in enumerate(nonempty)}
    for i in short:
        k = position[i]
        before = body[nonempty[k - 1]] if k > 0 else False
        after = body[nonempty[k + 1]] if k + 1 < len(nonempty) else False
        if before and after and f" {' '.join(line_tokens[i])} " in gold_stream:
            body[i] = True
    covered = sum(min(claimed[g], n) for g, n in gold_grams.items())
    total = sum(gold_grams.values())
    return GoldMatch(body, covered / total if total else 0.0, total)


def headline_copies(lines: Sequence[str], body: Sequence[bool]) -> tuple[int | None, list[int]]:
    """The first line of the run of adjacent copies around the first body line, and the run's other lines.

    The guidelines make the first copy of a repeated headline body and the other copies
    boilerplate. Copies compare case-folded; (None, []) when no body line has an adjacent copy.
    """
    first = next((i for i, is_body in enumerate(body) if is_body), None)
    if first is None:
        return None, []
    start, end = copy_run(lines, first)
    if end - start < 2:
        return None, []
    return start, list(range(start + 1, end))


def copy_run(lines: Sequence[str], i: int) -> tuple[int, int]:
    """(start, end) of the run of adjacent lines whose case-folded text equals line i's."""
    key = lines[i].casefold()
    start = i
    while start > 0 and lines[start - 1].casefold() == key:
        start -= 1
    end = i + 1
    while end < len(lines) and lines[end].casefold() == key:
        end += 1
    return start, end


def enclosed_runs(body: Sequence[bool], candidate: Sequence[bool]) -> list[int]:
    """Indices of runs of candidate lines that have a body line right before and right after the run."""
    out: list[int] = []
    run: list[int] = []
    after_body = False
    for i, (is_body, is_candidate) in enumerate(zip(body, candidate)):
        if is_body:
            if after_body:
                out += run
            run, after_body = [], True
        elif is_candidate and after_body:
            run.append(i)
        else:
            run, after_body = [], False
    return out
