"""Shared fixtures: where the read-only benchmark corpora are, and small real samples of them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CORPORA = REPO.parent / "shared" / "corpora"


@pytest.fixture(scope="session")
def corpora() -> Path:
    """The shared corpora folder; CI lays it beside the clone, so its absence is a set-up error."""
    if not CORPORA.is_dir():
        pytest.fail(f"benchmark corpora not found at {CORPORA}; they must sit at ../shared/corpora")
    return CORPORA


def make_subset(corpora: Path, dataset: str, target: Path, count: int) -> Path:
    """A dataset folder with the first `count` pages of a real one, linked (not copied) into tmp."""
    folder = target / dataset
    folder.mkdir(parents=True)
    lines = (corpora / dataset / "index.jsonl").read_text(encoding="utf-8").splitlines()[:count]
    (folder / "index.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for record in map(json.loads, lines):
        for key in ("html", "gold", "blocks"):
            if record.get(key):
                os.symlink(corpora / dataset / record[key], folder / record[key])
    return folder
