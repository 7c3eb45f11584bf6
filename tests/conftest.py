"""Shared fixtures: where the read-only benchmark corpora are, and small real samples of them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CORPORA = REPO.parent / "shared" / "corpora"
# A quick-to-fit classifier: enough to exercise every part, not to score well.
SMALL_FIT = dict(max_iter=15, max_leaf_nodes=15, folds=2, sgd_epochs=3, n_features=2**16, window=2, hidden_units=16, mlp_epochs=3)


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


@pytest.fixture(scope="session")
def small_dataset(corpora, tmp_path_factory) -> Path:
    """A real DatasetDict built from 40 wcxb pages, 20 l3s-gn1 pages and the seed."""
    from scrapeseg.corpus.build import Source, build_corpus
    from scrapeseg.corpus.dataset import build_dataset

    tmp = tmp_path_factory.mktemp("small-dataset")
    sources = [
        Source("wcxb", make_subset(corpora, "wcxb", tmp / "shared", 40), "benchmark"),
        Source("l3s-gn1", make_subset(corpora, "l3s-gn1", tmp / "shared", 20), "benchmark"),
        Source("seed", corpora / "seed", "seed"),
    ]
    build_corpus(sources, tmp / "annotations", tmp / "segments.parquet", tmp / "report.json")
    shares = {"train": 0.6, "validation": 0.2, "test": 0.2}
    build_dataset(tmp / "segments.parquet", tmp / "dataset", tmp / "split.json", 1, shares, ["heuristic", "gold-match", "gold-blocks", "human"])
    return tmp / "dataset"


@pytest.fixture(scope="session")
def small_model(small_dataset, tmp_path_factory) -> Path:
    """A classifier trained on the small dataset, saved with its card as the train and evaluate stages do."""
    from scrapeseg.train.features import FEATURE_SET_VERSION
    from scrapeseg.train.saved import save_model, write_card
    from scrapeseg.train.train import train_model

    path = tmp_path_factory.mktemp("model") / "segment-classifier.joblib"
    estimator = train_model(small_dataset, {"random_state": 0})
    save_model(estimator, path)
    write_card(path, estimator.get_params(), None, {}, FEATURE_SET_VERSION)
    return path


@pytest.fixture(scope="session")
def saved_markup_model(small_dataset, tmp_path_factory) -> Path:
    """A small markup model trained on the small dataset's HTML pages and saved with its card, as train_html does."""
    from scrapeseg.train.features import FEATURE_SET_VERSION
    from scrapeseg.train.saved import save_model, write_card
    from scrapeseg.train.train import train_model

    path = tmp_path_factory.mktemp("markup-model") / "segment-classifier-html.joblib"
    estimator = train_model(small_dataset, {**SMALL_FIT, "markup": True, "kinds": ["html"]})
    save_model(estimator, path)
    write_card(path, estimator.get_params(), None, {}, FEATURE_SET_VERSION)
    return path


@pytest.fixture(scope="session")
def studio(tmp_path_factory):
    """A real Label Studio server (installed by `make test` into .venv-studio) for the whole session."""
    from scrapeseg.labeling.server import STUDIO_BIN_ENV, StudioServer

    binary = Path(os.environ.get(STUDIO_BIN_ENV, REPO / ".venv-studio" / "bin" / "label-studio"))
    if not binary.exists():
        pytest.fail(f"label-studio not found at {binary}; `make test` installs it into .venv-studio")
    server = StudioServer(binary, tmp_path_factory.mktemp("label-studio"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def studio_env(studio, monkeypatch):
    """URL and token in the environment, as users set them."""
    from scrapeseg.labeling.server import TOKEN

    monkeypatch.setenv("LABEL_STUDIO_URL", studio.url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", TOKEN)
    return studio
