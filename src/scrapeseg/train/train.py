"""Fit the segment classifier on the training split of the corpus DatasetDict."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np

from scrapeseg.train.model import SegmentClassifier

log = logging.getLogger(__name__)

# Keys of params that are not estimator parameters.
MAX_DOCS = "max_docs"  # optional int: fit on the first N training documents (ordered by doc id)
SPLIT = "split"  # optional str: the split to fit on, "train" by default
KINDS = "kinds"  # optional list: fit only on documents of these kinds ("html", "text")
HUMAN_WEIGHT = "human_weight"  # optional float: weight of human-labelled lines (others weigh 1)
GUIDED_WEIGHT = "guided_weight"  # optional float: weight of the guided scrapes' gold-labelled lines
DATA_KEYS = (MAX_DOCS, SPLIT, KINDS, HUMAN_WEIGHT, GUIDED_WEIGHT)
COLUMNS = ("doc", "index", "text", "label", "domain", "source", "origin")
HUMAN_ORIGIN = "human"
GUIDED_ORIGIN = "seed-gold"  # in the train split only the guided scrapes have gold line labels
MARKUP_COLUMNS = ("tag", "heading", "link_share", "in_chrome")
KIND_COLUMN = "kind"


def split_documents(dataset, max_docs: int | None = None, kinds=None, markup: bool = False) -> dict:
    """A split's rows grouped per document, in document and line order.

    Returns a dict with "docs" (list of lists of line texts), "labels" (list of int arrays, enum
    indices), "names" (doc ids), "domains" and "sources" (one per document), "human" and "guided"
    (per line, whether a person labelled it in Label Studio or in a guided scrape); with markup=True also
    "markup" (per document a lines x MARKUP_WIDTH array of scrapeseg.train.markup). kinds keeps only
    documents of those kinds ("html" pages, "text" scrapes).
    """
    from scrapeseg.train.markup import markup_columns

    columns = list(COLUMNS) + (list(MARKUP_COLUMNS) if markup else []) + ([KIND_COLUMN] if kinds is not None else [])
    frame = dataset.select_columns(columns).to_pandas()
    if kinds is not None:
        frame = frame[frame[KIND_COLUMN].isin(list(kinds))]
    frame = frame.sort_values(["doc", "index"], kind="stable").reset_index(drop=True)
    doc = frame["doc"].to_numpy()
    starts = np.r_[0, np.flatnonzero(doc[1:] != doc[:-1]) + 1] if len(doc) else np.zeros(0, dtype=np.int64)
    if max_docs is not None:
        starts = starts[: int(max_docs)]
    ends = np.r_[starts[1:], len(doc) if max_docs is None or len(starts) == 0 else _end(doc, starts[-1])]
    texts = frame["text"].tolist()
    labels = frame["label"].to_numpy()
    is_human = (frame["origin"] == HUMAN_ORIGIN).to_numpy()
    is_guided = (frame["origin"] == GUIDED_ORIGIN).to_numpy()
    out = {
        "docs": [texts[s:e] for s, e in zip(starts, ends)],
        "labels": [labels[s:e] for s, e in zip(starts, ends)],
        "names": doc[starts].tolist(),
        "domains": frame["domain"].to_numpy()[starts].tolist(),
        "sources": frame["source"].to_numpy()[starts].tolist(),
        "human": [is_human[s:e] for s, e in zip(starts, ends)],
        "guided": [is_guided[s:e] for s, e in zip(starts, ends)],
    }
    if markup:
        facts = markup_columns(frame["tag"].tolist(), frame["heading"], frame["link_share"], frame["in_chrome"])
        out["markup"] = [facts[s:e] for s, e in zip(starts, ends)]
    return out


def _end(doc: np.ndarray, start: int) -> int:
    """Index just past the run of rows of the document starting at start."""
    same = doc[start:] == doc[start]
    return start + (int(np.argmin(same)) if not same.all() else len(same))


def numeric_params(params: dict, defaults: dict) -> dict:
    """params with numbers given as strings converted to the type of the param's default.

    `dvc exp run -S train.model.alpha=5e-7` stores "5e-7" as a string: YAML 1.1 reads an exponent
    without a decimal point as text.
    """
    out = dict(params)
    for key, value in params.items():
        default = defaults.get(key)
        if isinstance(value, str) and isinstance(default, (int, float)) and not isinstance(default, bool):
            try:
                number = float(value)
            except ValueError:
                raise ValueError(f"train param {key} must be a number, not {value!r}") from None
            out[key] = int(number) if isinstance(default, int) and number.is_integer() else number
    return out


def train_model(dataset_path: str | Path, params: dict | None = None) -> SegmentClassifier:
    """Fit a SegmentClassifier on the train split of the DatasetDict at dataset_path.

    params holds SegmentClassifier parameters (see its docstring) plus optional "max_docs" and
    "split" and "kinds". Folds group documents by their site domain, so stacking sees unseen-site
    errors. A markup model is fitted with each line's markup features.
    """
    from scrapeseg.corpus.dataset import load_corpus

    params = dict(params or {})
    max_docs = params.pop(MAX_DOCS, None)
    split = params.pop(SPLIT, "train")
    kinds = params.pop(KINDS, None)
    human_weight = float(params.pop(HUMAN_WEIGHT, 1.0))
    guided_weight = float(params.pop(GUIDED_WEIGHT, 1.0))
    model = SegmentClassifier()
    unknown = set(params) - set(model.get_params())
    if unknown:
        raise ValueError(f"unknown train params {sorted(unknown)}; expected {sorted(model.get_params())} or {DATA_KEYS}")
    model.set_params(**numeric_params(params, model.get_params()))
    data = split_documents(load_corpus(dataset_path)[split], max_docs, kinds, model.markup)
    start = time.perf_counter()
    # People correct a few lines among hundreds of thousands of heuristic labels; weighting their
    # lines lets a correction outvote the context the stacked pass otherwise trusts.
    # Guided scrapes are few beside the benchmark pages, so their lines weigh more to teach the guidelines' conventions.
    weights = None
    if (human_weight != 1.0 and any(h.any() for h in data["human"])) or (guided_weight != 1.0 and any(g.any() for g in data["guided"])):
        weights = [np.where(h, human_weight, np.where(g, guided_weight, 1.0)) for h, g in zip(data["human"], data["guided"])]
    model.fit(data["docs"], data["labels"], groups=data["domains"], markup=data.get("markup"), sample_weight=weights, remember=data["human"])
    log.info("fitted on %d documents in %.1f s", len(data["docs"]), time.perf_counter() - start)
    return model
