"""Label Studio tasks, predictions and annotation results for one document each: pure functions.

The labelling config (labeling/label_config.xml) repeats a header with the paragraph's text and
one single ``Choices`` per paragraph with a Repeater over ``$paragraphs``; paragraph i's choice is
named ``label_{i}`` and points at the one ``Text`` object ``doc``, so a result is one item per
paragraph.
Label Studio stores any result JSON without checking it, so everything sent is validated here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from scrapeseg.labels import Label, text_sha256

CHOICE_PREFIX = "label_"
OBJECT_NAME = "doc"  # the config's one Text object, which every choice labels
RESULT_TYPE = "choices"
KNOWN_LABELS = frozenset(Label.names())
# choice_result(i, label) as JSON, a str.format template of (i, label); labels need no escaping.
_CHOICE_JSON = f'{{{{"from_name": "{CHOICE_PREFIX}{{}}", "to_name": "{OBJECT_NAME}", "type": "{RESULT_TYPE}", "value": {{{{"choices": ["{{}}"]}}}}}}}}'
CHOICE_INDEX_CACHE = 64  # distinct task lengths whose control-name maps are kept


def document_sha256(texts: Sequence[str]) -> str:
    """A hash of a document's segment texts in order, to notice a document that changed."""
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text_sha256(text).encode("ascii"))
    return digest.hexdigest()


def task(doc: str, texts: Sequence[str], path: str | None = None) -> dict:
    """One document's task without predictions; `doc` is its stable id, the key that makes pushes idempotent.

    Paragraphs carry only their text: everything else per paragraph is derived (index from the
    position, hash from the text), and the server's time grows with the size of task data. The
    id is also kept in the task's meta, which lists cheaply without the paragraphs.
    """
    data = {"doc": doc, "text_sha256": document_sha256(texts), "paragraphs": [{"text": text} for text in texts]}
    if path is not None:
        data["path"] = path
    return {"data": data, "meta": {"doc": doc}}


def choice_result(index: int, label: str) -> dict:
    """One paragraph's choice as a Label Studio result item."""
    return {"from_name": f"{CHOICE_PREFIX}{index}", "to_name": OBJECT_NAME, "type": RESULT_TYPE, "value": {"choices": [label]}}


def uncertainty(probabilities: np.ndarray) -> float:
    """How unsure the model is of a document: the mean over its lines of 1 - top probability."""
    if len(probabilities) == 0:
        return 0.0
    return float(np.mean(1.0 - np.asarray(probabilities).max(axis=1)))


def disagreement(probabilities: np.ndarray, labels: Sequence[str]) -> float:
    """How far the model is from a document's current labels: the share of its lines whose top label differs."""
    if len(probabilities) == 0:
        return 0.0
    if len(labels) != len(probabilities):
        raise ValueError(f"{len(labels)} labels for {len(probabilities)} lines")
    names = Label.names()
    predicted = [names[k] for k in np.asarray(probabilities).argmax(axis=1).tolist()]
    return sum(p != Label.parse(t).text for p, t in zip(predicted, labels)) / len(labels)


def prediction(labels: Sequence[str], model_version: str, probabilities: np.ndarray | None = None, score: float | None = None) -> dict:
    """A pre-annotation: one choice per paragraph, a task score and the model version.

    The task score is 1 - uncertainty (the mean top probability) when probabilities are given,
    else `score`.
    """
    if probabilities is not None:
        score = 1.0 - uncertainty(probabilities)
    pred = {"model_version": model_version, "result": [choice_result(i, label) for i, label in enumerate(labels)]}
    if score is not None:
        pred["score"] = round(float(score), 4)
    return pred


def prediction_json(labels: Sequence[str], model_version: str, probabilities: np.ndarray | None = None, score: float | None = None) -> str:
    """json.dumps(prediction(...), ensure_ascii=False), checked as validate_prediction would check it, without building the dicts."""
    # Push encodes ~80k result items per batch while the server imports the previous one; as
    # dicts, then validated and dumped, they cost the client a quarter of its time per batch.
    if not isinstance(model_version, str) or not model_version:
        raise ValueError("prediction has no model_version")
    unknown = set(labels) - KNOWN_LABELS
    if unknown:
        raise ValueError(f"prediction has labels {sorted(map(str, unknown))}; expected one of {sorted(KNOWN_LABELS)}")
    if probabilities is not None:
        if len(probabilities) != len(labels):
            raise ValueError(f"prediction has {len(labels)} labels for {len(probabilities)} rows of probabilities")
        score = 1.0 - uncertainty(probabilities)
    items = ", ".join(map(_CHOICE_JSON.format, range(len(labels)), labels))
    head = f'{{"model_version": {json.dumps(model_version, ensure_ascii=False)}, "result": [{items}]'
    if score is None:
        return head + "}"
    score = round(float(score), 4)
    if not 0.0 <= score <= 1.0:
        raise ValueError(f"prediction score {score} is outside [0, 1]")
    return f'{head}, "score": {score!r}}}'


def validate_prediction(pred: dict, n_paragraphs: int) -> None:
    """Raise ValueError unless the prediction has exactly one known label per paragraph, in order."""
    if not isinstance(pred.get("model_version"), str) or not pred["model_version"]:
        raise ValueError("prediction has no model_version")
    score = pred.get("score")
    if score is not None and not 0.0 <= score <= 1.0:
        raise ValueError(f"prediction score {score} is outside [0, 1]")
    result = pred.get("result")
    if not isinstance(result, list) or len(result) != n_paragraphs:
        raise ValueError(f"prediction has {len(result) if isinstance(result, list) else 'no'} results for {n_paragraphs} paragraphs")
    for i, item in enumerate(result):
        expected = (f"{CHOICE_PREFIX}{i}", OBJECT_NAME, RESULT_TYPE)
        if (item.get("from_name"), item.get("to_name"), item.get("type")) != expected:
            raise ValueError(f"prediction result {i} is not a choice of paragraph {i}: {item.get('from_name')!r}")
        choices = item.get("value", {}).get("choices")
        if not isinstance(choices, list) or len(choices) != 1 or choices[0] not in KNOWN_LABELS:
            raise ValueError(f"prediction result {i} has choices {choices!r}; expected one of {sorted(KNOWN_LABELS)}")


def result_labels(result: Sequence[dict], n_paragraphs: int) -> tuple[dict[int, str], list[str]]:
    """Paragraph index -> label from an annotation's result, and problems with items that were skipped."""
    labels: dict[int, str] = {}
    problems: list[str] = []
    index_of = _choice_indexes(n_paragraphs)
    for item in result:
        name = item.get("from_name", "")
        index = index_of.get(name) if isinstance(name, str) else None
        if item.get("type") != RESULT_TYPE or index is None:
            if item.get("type") == RESULT_TYPE and str(name).startswith(CHOICE_PREFIX):
                problems.append(f"result {name!r} names no paragraph of this task")
            else:
                problems.append(f"result {name!r} of type {item.get('type')!r} is not a paragraph choice")
            continue
        choices = (item.get("value") or {}).get("choices") or []
        if len(choices) != 1 or choices[0] not in KNOWN_LABELS:
            problems.append(f"result {name!r} has choices {choices!r}")
            continue
        labels[index] = choices[0]
    return labels, problems


@lru_cache(maxsize=CHOICE_INDEX_CACHE)
def _choice_indexes(n_paragraphs: int) -> dict[str, int]:
    """Control name -> paragraph index for a task of n_paragraphs (one dict lookup per result instead of parsing)."""
    return {f"{CHOICE_PREFIX}{i}": i for i in range(n_paragraphs)}
