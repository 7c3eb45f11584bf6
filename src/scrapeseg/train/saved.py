"""Save and load the segment classifier with its model card, and classify documents with it.

A joblib file is code: unpickling runs whatever it names. `load_model` therefore checks the
file's sha256 against the card beside it before unpickling, and refuses a model trained with a
different scikit-learn, whose pickles are not guaranteed to load or behave the same.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import NamedTuple

import numpy as np

from scrapeseg.gcpause import gc_paused
from scrapeseg.labels import Label

SCHEMA_VERSION = 1
DEFAULT_MODEL = Path("models/segment-classifier.joblib")
HASH_CHUNK = 1024 * 1024
KINDS = ("text", "html")


class ModelError(RuntimeError):
    """A saved model that cannot be used: missing, tampered with or from another scikit-learn."""


def card_path(model_path: Path) -> Path:
    """The model card beside a joblib file."""
    return model_path.with_suffix(".json")


def file_sha256(path: Path) -> str:
    """The sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def versions() -> dict:
    """Versions of what a pickled model depends on."""
    import sklearn

    from scrapeseg import __version__

    return {"python": platform.python_version(), "scikit-learn": sklearn.__version__, "numpy": np.__version__, "scrapeseg": __version__,
            "blas": blas_kernels()}


def blas_kernels() -> str | None:
    """The BLAS library and the CPU kernels it runs ("openblas Haswell"), which decide a trained model's last bits."""
    from threadpoolctl import threadpool_info

    found = [f"{pool['internal_api']} {pool.get('architecture')}" for pool in threadpool_info() if pool.get("user_api") == "blas"]
    return ", ".join(sorted(set(found))) or None  # numpy and scipy each load an OpenBLAS


def save_model(estimator, path: Path) -> str:
    """Dump the estimator with joblib and return the file's sha256."""
    import joblib

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    joblib.dump(estimator, tmp, compress=3)
    tmp.replace(path)
    return file_sha256(path)


def write_card(model_path: Path, params: dict, data_hash: str | None, metrics: dict, feature_set_version: str) -> dict:
    """Write the model card (versions, params, data hash, metrics, sha256, time) beside the joblib file."""
    card = {
        "schema_version": SCHEMA_VERSION,
        "labels": Label.names(),
        "feature_set_version": feature_set_version,
        "versions": versions(),
        "params": params,
        "training_data_hash": data_hash,
        "metrics": metrics,
        "sha256": file_sha256(model_path),
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }
    card_path(model_path).write_text(json.dumps(card, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return card


def dataset_hash(lock_path: Path, dataset_out: str) -> str | None:
    """The md5 DVC recorded for the dataset output in dvc.lock, or None when it is not there."""
    import yaml

    if not lock_path.is_file():
        return None
    lock = yaml.safe_load(lock_path.read_text(encoding="utf-8")) or {}
    for stage in lock.get("stages", {}).values():
        for out in stage.get("outs", []):
            if out.get("path") == dataset_out:
                return out.get("md5")
    return None


class Classified(NamedTuple):
    """One segment with its predicted label and its score for each label."""

    index: int
    line: int
    start: int
    end: int
    text: str
    label: str
    body: float
    teaser: float
    boilerplate: float

    @property
    def scores(self) -> dict[str, float]:
        """The per-label scores as a dict, label name to score, in label order."""
        # Built on access: a dict per segment would cost a third of a large batch's result building.
        return dict(zip(SCORE_FIELDS, self[FIRST_SCORE_FIELD:]))


# The score fields are named after the labels, in label order (a test holds them to Label).
SCORE_FIELDS = ("body", "teaser", "boilerplate")
FIRST_SCORE_FIELD = len(Classified._fields) - len(SCORE_FIELDS)


# tuple.__new__ builds each result in C; Classified._make adds a Python call per segment.
_NEW_CLASSIFIED = partial(tuple.__new__, Classified)


# (indexes, line numbers, starts, ends, texts) of one document's segments.
Columns = tuple[Sequence[int], Sequence[int], Sequence[int], Sequence[int], Sequence[str]]


class SegmentModel:
    """A loaded classifier with its card: classify or extract the body of text scrapes and HTML pages.

    A markup model (fitted with markup=True) reads each line's HTML markup, so it classifies HTML
    pages only: kind="text" raises ValueError rather than guess markup a text scrape lacks.
    """

    def __init__(self, estimator, card: dict, path: Path):
        self.estimator = estimator
        self.card = card
        self.path = path

    @property
    def identity(self) -> str:
        """A short stable name for this model: file name plus the start of its sha256."""
        return f"{self.path.stem}@{self.card['sha256'][:12]}"

    @property
    def uses_markup(self) -> bool:
        """Whether the classifier reads HTML markup features, so it needs HTML input."""
        return bool(getattr(self.estimator, "markup", False))

    def _parsed(self, text: str | bytes, kind: str, name: str) -> tuple[Columns, np.ndarray | None]:
        """The segment columns of one document of the given kind, and its lines' markup features for a markup model."""
        from scrapeseg.corpus.segment import segment_columns

        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
        facts = None
        if kind == "html":
            from scrapeseg.corpus.html import render_html

            page = render_html(text, name)
            text = page.text
            if self.uses_markup:
                from scrapeseg.train.markup import page_markup

                facts = page_markup(page.markup)
        elif self.uses_markup:
            raise ValueError(f"{self.identity} reads HTML markup and classifies HTML pages only; use kind='html' or a text-only model")
        elif isinstance(text, bytes):
            raise TypeError("a text scrape must be str; decode it first or use kind='html' for pages")
        lines, starts, ends, texts = segment_columns(text)
        # Rendered lines are stripped, non-empty and newline-free, so segment k is rendered line k.
        if facts is not None and len(facts) != len(texts):
            raise AssertionError(f"{name}: {len(texts)} segments but markup for {len(facts)} rendered lines")
        return (range(len(texts)), lines, starts, ends, texts), facts

    def predict_columns(self, documents: Sequence[Columns], markup: Sequence | None = None,
                        sites: Sequence | None = None) -> tuple[list[str], np.ndarray]:
        """The label of every segment of documents given as segment columns, and its (segments x labels) scores.

        markup (per document the lines' markup features) is required by a markup model, ignored
        otherwise. sites (one site key or None per document) turns on the site pass.
        """
        names = self.card["labels"]
        _check_sites(sites, len(documents))
        proba = (self.estimator.predict_proba([doc[4] for doc in documents], markup, sites) if documents
                 else np.zeros((0, len(names))))
        # Label strings for the whole batch at once: per-row numpy access is slow.
        return list(map(names.__getitem__, proba.argmax(axis=1).tolist())), proba

    def classify_columns(self, documents: Sequence[Columns], markup: Sequence | None = None,
                         sites: Sequence | None = None) -> list[list[Classified]]:
        """Classify documents given as segment columns in one batch (markup and sites as in predict_columns)."""
        _check_sites(sites, len(documents))
        if not documents:
            return []
        labels, proba = self.predict_columns(documents, markup, sites)
        with gc_paused():
            # Score columns: a column's tolist is cheaper than the rows'.
            scores = proba.T.tolist()
            out = []
            row = 0
            for doc in documents:
                end = row + len(doc[4])
                out.append(list(map(_NEW_CLASSIFIED, zip(*doc, labels[row:end], *(column[row:end] for column in scores)))))
                row = end
        return out

    def classify_batch(self, texts: Sequence[str | bytes], kind: str = "text", sites: Sequence | None = None) -> list[list[Classified]]:
        """Classify many documents at once, amortising the model's work over the batch.

        sites, one key per document (its domain, say; None for a page alone), lets lines that recur
        on other pages of the same site in the batch count as the site's template (the site pass).
        """
        parsed = [self._parsed(t, kind, f"doc{i}") for i, t in enumerate(texts)]
        markup = [facts for _, facts in parsed] if self.uses_markup else None
        return self.classify_columns([columns for columns, _ in parsed], markup, sites)

    def classify(self, text: str | bytes, kind: str = "text") -> list[Classified]:
        """Classify one document's segments."""
        return self.classify_batch([text], kind)[0]

    def extract_body(self, text: str | bytes, kind: str = "text") -> str:
        """The body segments of one document, joined by newlines."""
        return "\n".join(s.text for s in self.classify(text, kind) if s.label == Label.BODY.text)


def _check_sites(sites: Sequence | None, n_documents: int) -> None:
    """Raise ValueError unless sites is None or holds one key per document."""
    if sites is not None and len(sites) != n_documents:
        raise ValueError(f"sites holds {len(sites)} values for {n_documents} documents")


def load_model(path: str | Path | None = None) -> SegmentModel:
    """Load a saved classifier after checking its sha256 and scikit-learn version against its card.

    The classifier is restored without importing scikit-learn when its stacker allows it (see
    scrapeseg.train.predict); the version check still holds, as the pickle's layout depends on it.
    """
    from importlib.metadata import version

    from scrapeseg.train.predict import load_predictor

    path = Path(path) if path is not None else DEFAULT_MODEL
    card_file = card_path(path)
    if not path.is_file():
        raise ModelError(f"model file {path} not found; run `dvc repro` to train one")
    if not card_file.is_file():
        raise ModelError(f"model card {card_file} not found; refusing to load {path} without its sha256")
    card = json.loads(card_file.read_text(encoding="utf-8"))
    actual = file_sha256(path)
    if actual != card.get("sha256"):
        raise ModelError(f"{path}: sha256 {actual[:16]}… does not match its card ({str(card.get('sha256'))[:16]}…); the file was changed, refusing to load it")
    trained = card.get("versions", {}).get("scikit-learn")
    installed = version("scikit-learn")
    if trained != installed:
        raise ModelError(f"{path} was trained with scikit-learn {trained}, but {installed} is installed; retrain it or install scikit-learn=={trained}")
    from scrapeseg.train.features import FEATURE_SET_VERSION

    if card.get("feature_set_version") != FEATURE_SET_VERSION:
        raise ModelError(f"{path} was trained on feature set {card.get('feature_set_version')}, but this scrapeseg computes "
                         f"feature set {FEATURE_SET_VERSION}; retrain it with `dvc repro` or install the scrapeseg that trained it")
    if card.get("labels") != Label.names():
        raise ModelError(f"{path}: its labels {card.get('labels')} differ from this scrapeseg's {Label.names()}")
    estimator = load_predictor(path)
    if estimator is None:
        import joblib

        estimator = joblib.load(path)
    return SegmentModel(estimator, card, path)
