"""The dataset stage: split the segments table by registered domain into a Hugging Face DatasetDict."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Mapping
from pathlib import Path

from scrapeseg.labels import Label, Origin

SPLITS = ("train", "validation", "test")
EVAL_ONLY_SPLIT = "seed"  # always present; every other evaluation-only source gets a split of its own name


def domain_split(domain: str, seed: int, shares: Mapping[str, float]) -> str:
    """The split a registered domain falls in, from a seeded hash so it is stable across machines."""
    digest = hashlib.sha256(f"{seed}:{domain}".encode("utf-8")).digest()
    point = int.from_bytes(digest[:8], "big") / 2**64
    total = sum(shares[name] for name in SPLITS)
    cumulative = 0.0
    for name in SPLITS:
        cumulative += shares[name] / total
        if point < cumulative:
            return name
    return SPLITS[-1]


def assign_splits(frame, seed: int, shares: Mapping[str, float]):
    """A split column: eval-only rows in a split named after their source (the seed's is "seed"), guided documents in train, the rest by domain."""
    splits = {domain: domain_split(domain, seed, shares) for domain in frame["domain"].unique()}
    column = frame["domain"].map(splits)
    # Guided scrapes (gold line labels that are not evaluation-only) are written to teach the guidelines: all train,
    # each as a whole, even where a Label Studio correction has made some of its lines human.
    guided = frame.loc[~frame["eval_only"] & (frame["origin"] == Origin.SEED_GOLD.text), "doc"].unique()
    column = column.where(~frame["doc"].isin(guided), SPLITS[0])
    return column.where(~frame["eval_only"], frame["source"])


def features():
    """The datasets Features of a segment row, with labels as a ClassLabel in the enum's order."""
    from datasets import ClassLabel, Features, Value

    return Features(
        {
            "doc": Value("string"),
            "source": Value("string"),
            "domain": Value("string"),
            "lang": Value("string"),
            "kind": Value("string"),
            "index": Value("int32"),
            "line": Value("int32"),
            "start": Value("int64"),
            "end": Value("int64"),
            "n_segments": Value("int32"),
            "text": Value("string"),
            "text_sha256": Value("string"),
            "label": ClassLabel(names=Label.names()),
            "origin": Value("string"),
            "source_label": Value("string"),
            "eval_only": Value("bool"),
            "tag": Value("string"),
            "heading": Value("int8"),
            "link_share": Value("float32"),
            "in_chrome": Value("bool"),
        }
    )


def build_dataset(segments: Path, out: Path, report_path: Path, seed: int, shares: Mapping[str, float], train_origins) -> dict:
    """Write the DatasetDict (train/validation/test, the seed split and one per other eval-only source) and a split report."""
    import datasets
    import pandas as pd

    frame = pd.read_parquet(segments)
    frame["split"] = assign_splits(frame, seed, shares)
    allowed = {Origin[name.upper().replace("-", "_")].text for name in train_origins}
    # Pre-labels are guesses, not supervision: rows whose label came from elsewhere train.
    frame = frame[frame["eval_only"] | frame["origin"].isin(allowed)]
    frame = frame.sort_values(["split", "doc", "index"], kind="stable")
    schema = features()
    parts = {}
    report: dict = {"splits": {}}
    eval_only = sorted(set(frame.loc[frame["eval_only"], "split"]) - {EVAL_ONLY_SPLIT, *SPLITS})
    for name in (*SPLITS, EVAL_ONLY_SPLIT, *eval_only):
        part = frame[frame["split"] == name]
        columns = part[list(schema)].copy()
        columns["label"] = columns["label"].map(lambda s: int(Label.parse(s)))
        parts[name] = datasets.Dataset.from_pandas(columns, features=schema, preserve_index=False)
        report["splits"][name] = {
            "documents": int(part["doc"].nunique()),
            "domains": int(part["domain"].nunique()),
            "segments": len(part),
            "labels": {k: int(v) for k, v in part["label"].value_counts().sort_index().items()},
            "by_source": {
                src: {"documents": int(g["doc"].nunique()), "segments": len(g)} for src, g in part.groupby("source")
            },
        }
    leaks = frame[frame["split"].isin(SPLITS)].groupby("domain")["split"].nunique()
    if (leaks > 1).any():
        raise AssertionError(f"domains in two splits: {list(leaks[leaks > 1].index)[:5]}")
    if out.exists():
        shutil.rmtree(out)
    datasets.DatasetDict(parts).save_to_disk(str(out))
    report_path.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return report


def load_corpus(path: str | Path):
    """Load the saved DatasetDict in memory, so later .map calls never write cache files into a DVC output."""
    import datasets

    return datasets.load_from_disk(str(path), keep_in_memory=True)
