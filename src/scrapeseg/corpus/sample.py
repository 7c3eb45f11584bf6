"""Draw a source-stratified random sample of heuristic teaser/boilerplate lines for manual review."""

from __future__ import annotations

HEURISTIC_ORIGIN = "heuristic"
SAMPLED_LABELS = ("teaser", "boilerplate")
CONTEXT_OFFSETS = {"prev2": -2, "prev1": -1, "next1": 1, "next2": 2}
KEY_COLUMNS = ["doc", "index"]
OUTPUT_COLUMNS = ["doc", "source", "index", "label", "text", *CONTEXT_OFFSETS]


def _stratified_positions(sources, per_label: int, rng) -> list[int]:
    """Positions giving each source an equal share where possible, the remainder drawn from the rest."""
    import numpy as np

    names = sorted(set(sources))
    if not names or per_label <= 0:
        return []
    share = per_label // len(names)
    by_source = {name: np.flatnonzero(sources == name) for name in names}
    chosen: list[int] = []
    for name in names:
        pool = by_source[name]
        take = min(share, len(pool))
        chosen += rng.choice(pool, size=take, replace=False).tolist()
    rest = np.setdiff1d(np.arange(len(sources)), np.asarray(chosen, dtype=int))
    fill = min(per_label - len(chosen), len(rest))
    chosen += rng.choice(rest, size=fill, replace=False).tolist()
    return sorted(chosen)


def _with_context(sample, frame):
    """The sample with the text of the two lines before and after each row in the same doc."""
    docs = frame[frame["doc"].isin(sample["doc"].unique())].sort_values(KEY_COLUMNS)
    grouped = docs.groupby("doc", sort=False)["text"]
    context = docs[KEY_COLUMNS].copy()
    for column, offset in CONTEXT_OFFSETS.items():
        context[column] = grouped.shift(-offset).fillna("")
    return sample.merge(context, on=KEY_COLUMNS, how="left")


def sample_heuristic_lines(frame, per_label: int = 200, seed: int = 0):
    """Sample per_label heuristic rows per non-body label, stratified by source, with context lines."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    heuristic = frame[(frame["origin"] == HEURISTIC_ORIGIN) & frame["label"].isin(SAMPLED_LABELS)]
    heuristic = heuristic.sort_values(KEY_COLUMNS, kind="stable").reset_index(drop=True)
    parts = []
    for label in SAMPLED_LABELS:
        rows = heuristic[heuristic["label"] == label].reset_index(drop=True)
        positions = _stratified_positions(rows["source"].to_numpy(), per_label, rng)
        parts.append(rows.iloc[positions])
    sample = pd.concat(parts, ignore_index=True)[["doc", "source", "index", "label", "text"]]
    sample = _with_context(sample, frame)
    return sample[OUTPUT_COLUMNS].reset_index(drop=True)
