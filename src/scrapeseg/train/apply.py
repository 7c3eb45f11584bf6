"""The `classify` and `extract` commands: a saved model over files, JSON Lines or body text out."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from scrapeseg.corpus.decode import InputError

BATCH_DOCS = 256
_dumps = json.JSONEncoder(ensure_ascii=False).encode


def _read_segments(path_arg: str) -> list:
    """The segments of one file as given on the command line, with the file name as doc id."""
    from scrapeseg.corpus.batch import segment_file

    path = Path(path_arg)
    if not path.exists():
        raise InputError(f"{path_arg}: no such file")
    segments, _, _ = segment_file(path, path_arg)
    return list(segments)


def _batches(paths: list[str], failures: list[str]) -> Iterator[list[tuple[str, list]]]:
    """Batches of (file, segments), recording unreadable files as failures and carrying on."""
    batch: list[tuple[str, list]] = []
    for path in paths:
        try:
            batch.append((path, _read_segments(path)))
        except (InputError, OSError) as err:
            failures.append(str(err))
            continue
        if len(batch) >= BATCH_DOCS:
            yield batch
            batch = []
    if batch:
        yield batch


def format_record(doc_json: str, item, names: list[str]) -> str:
    """One JSON Lines record, built by hand because json.dumps per segment dominates the budget."""
    scores = ", ".join(f'"{name}": {item.scores[name]!r}' for name in names)
    return (
        f'{{"doc": {doc_json}, "index": {item.index}, "line": {item.line}, "start": {item.start}, '
        f'"end": {item.end}, "text": {_dumps(item.text)}, "label": "{item.label}", "scores": {{{scores}}}}}\n'
    )


def classify_command(paths: list[str], model_path: str | None, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Print every segment of every file as JSON Lines in document order; exit 1 if any file failed."""
    from scrapeseg.train.saved import load_model

    model = load_model(model_path)
    names = model.card["labels"]
    failures: list[str] = []
    for batch in _batches(paths, failures):
        results = model.classify_segments([segments for _, segments in batch])
        for (path, _), items in zip(batch, results):
            doc_json = _dumps(path)
            out.write("".join(format_record(doc_json, item, names) for item in items))
    out.flush()
    for failure in failures:
        print(f"scrapeseg classify: {failure}", file=err)
    return 1 if failures else 0


def extract_command(path: str, model_path: str | None, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Print the body text of one file."""
    from scrapeseg.labels import Label
    from scrapeseg.train.saved import load_model

    model = load_model(model_path)
    try:
        segments = _read_segments(path)
    except (InputError, OSError) as error:
        print(f"scrapeseg extract: {error}", file=err)
        return 1
    items = model.classify_segments([segments])[0]
    body = "\n".join(item.text for item in items if item.label == Label.BODY.text)
    out.write(body + ("\n" if body else ""))
    return 0
