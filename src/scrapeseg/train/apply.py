"""The `classify` and `extract` commands: a saved model over files, JSON Lines or body text out."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from itertools import repeat
from json.encoder import encode_basestring
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


def _read_columns(path_arg: str) -> tuple:
    """The segment columns (indexes, lines, starts, ends, texts) of one file as given on the command line.

    Text files decoded whole (as segment_file does) are split by segment_columns without Segment
    objects; HTML pages, large streamed files and errors go through segment_file.
    """
    from scrapeseg.corpus.batch import _is_html
    from scrapeseg.corpus.segment import WHOLE_FILE_BYTES, read_text_file, segment_columns

    path = Path(path_arg)
    if path.is_file() and not _is_html(path) and path.stat().st_size <= WHOLE_FILE_BYTES:
        lines, starts, ends, texts = segment_columns(read_text_file(path, path_arg).text)
        return range(len(texts)), lines, starts, ends, texts
    segments = _read_segments(path_arg)
    return [s.index for s in segments], [s.line for s in segments], [s.start for s in segments], [s.end for s in segments], [s.text for s in segments]


def _batches(paths: list[str], failures: list[str]) -> Iterator[list[tuple[str, tuple]]]:
    """Batches of (file, segment columns), recording unreadable files as failures and carrying on."""
    batch: list[tuple[str, tuple]] = []
    for path in paths:
        try:
            batch.append((path, _read_columns(path)))
        except (InputError, OSError) as err:
            failures.append(str(err))
            continue
        if len(batch) >= BATCH_DOCS:
            yield batch
            batch = []
    if batch:
        yield batch


def record_template(names: list[str]) -> str:
    """str.format template of one JSON Lines record: doc, index, line, start, end, text (JSON), label, scores.

    Records are built by hand because json.dumps per segment dominates the budget; scores print
    as repr(float), as json does.
    """
    scores = ", ".join(f'"{name}": {{!r}}' for name in names)
    return (
        '{{"doc": {}, "index": {}, "line": {}, "start": {}, "end": {}, '
        f'"text": {{}}, "label": "{{}}", "scores": {{{{{scores}}}}}}}}}\n'
    )


def _text_model(model_path: str | None):
    """Load a saved model for the commands, refusing a markup model: they segment files without keeping markup."""
    from scrapeseg.train.saved import ModelError, load_model

    model = load_model(model_path)
    if model.uses_markup:
        raise ModelError(f"{model.path} reads HTML markup; the classify and extract commands take a text-only model (use SegmentModel.classify(page, kind='html') from Python)")
    return model


def classify_command(paths: list[str], model_path: str | None, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Print every segment of every file as JSON Lines in document order; exit 1 if any file failed."""
    model = _text_model(model_path)
    template = record_template(model.card["labels"]).format
    failures: list[str] = []
    for batch in _batches(paths, failures):
        labels, scores = model.predict_columns([columns for _, columns in batch])
        score_columns = scores.T.tolist()
        row = 0
        for path, (indexes, lines, starts, ends, texts) in batch:
            end = row + len(texts)
            out.write("".join(map(
                template, repeat(_dumps(path)), indexes, lines, starts, ends, map(encode_basestring, texts),
                labels[row:end], *(column[row:end] for column in score_columns),
            )))
            row = end
    out.flush()
    for failure in failures:
        print(f"scrapeseg classify: {failure}", file=err)
    return 1 if failures else 0


def extract_command(path: str, model_path: str | None, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Print the body text of one file."""
    from scrapeseg.labels import Label

    model = _text_model(model_path)
    try:
        segments = _read_segments(path)
    except (InputError, OSError) as error:
        print(f"scrapeseg extract: {error}", file=err)
        return 1
    items = model.classify_segments([segments])[0]
    body = "\n".join(item.text for item in items if item.label == Label.BODY.text)
    out.write(body + ("\n" if body else ""))
    return 0
