"""The `classify` and `extract` commands: a saved model over files, JSON Lines or body text out."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from itertools import compress, repeat
from json.encoder import encode_basestring
from pathlib import Path
from typing import TextIO

import numpy as np
import orjson

from scrapeseg.corpus.decode import InputError

BATCH_DOCS = 256
SAME_SITE = "same-site"  # the one site key of `classify --same-site`
_dumps = json.JSONEncoder(ensure_ascii=False).encode
# Below this magnitude repr and orjson write floats in different notations (see float_reprs).
REPR_NOTATION_LIMIT = 1e-4
SHORT_POSITIONAL = ("0.0000", "-0.0000")


def _read_columns(path_arg: str, markup: bool = False) -> tuple[tuple, object]:
    """One file's segment columns (indexes, lines, starts, ends, texts) and, with markup=True, its lines' markup features.

    Text files decoded whole (as segment_file does) are split by segment_columns without Segment
    objects; HTML pages, large streamed files and errors go through segment_file.
    """
    from scrapeseg.corpus.batch import _is_html, segment_file
    from scrapeseg.corpus.segment import WHOLE_FILE_BYTES, read_text_file, segment_columns

    path = Path(path_arg)
    if not path.exists():
        raise InputError(f"{path_arg}: no such file")
    html = _is_html(path)
    if markup and not html:
        raise InputError(f"{path_arg}: the model reads HTML markup, which a text scrape lacks; give it .html, .htm or .html.gz pages or use a text-only model")
    if path.is_file() and not html and path.stat().st_size <= WHOLE_FILE_BYTES:
        lines, starts, ends, texts = segment_columns(read_text_file(path, path_arg).text)
        return (range(len(texts)), lines, starts, ends, texts), None
    segments, _, page = segment_file(path, path_arg)
    segments = list(segments)
    facts = None
    if markup:
        from scrapeseg.train.markup import page_markup

        facts = page_markup(page)
    columns = [s.index for s in segments], [s.line for s in segments], [s.start for s in segments], [s.end for s in segments], [s.text for s in segments]
    return columns, facts


def _batches(paths: list[str], failures: list[str], markup: bool = False,
             size: int | None = BATCH_DOCS) -> Iterator[list[tuple[str, tuple, object]]]:
    """Batches of (file, segment columns, markup features or None) of at most size files (None: one batch), recording unreadable files as failures and carrying on."""
    batch: list[tuple[str, tuple, object]] = []
    for path in paths:
        try:
            batch.append((path, *_read_columns(path, markup)))
        except (InputError, OSError) as err:
            failures.append(str(err))
            continue
        if size is not None and len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def record_template(names: list[str]) -> str:
    """printf-style template of one JSON Lines record: doc, index, line, start, end, text (JSON), label, scores (as text).

    Records are built by hand because json.dumps per segment dominates the budget; scores come
    as float_reprs text, as json writes them.
    """
    scores = ", ".join(f'"{name}": %s' for name in names)
    return '{"doc": %s, "index": %d, "line": %d, "start": %d, "end": %d, "text": %s, "label": "%s", "scores": {' + scores + "}}\n"


def float_reprs(values: np.ndarray) -> list[str]:
    """repr() of each float of a 1-D float64 array (as json writes finite ones), formatted by orjson in one call.

    orjson writes the same shortest round-trip digits as repr, twice as fast, but in another
    notation below 1e-4: 1e-5 <= |x| < 1e-4 positionally (0.00001 for repr's 1e-05) and smaller
    ones with unpadded exponents (1e-7 for 1e-07). Those values are rewritten; non-finite ones
    (orjson's null) take repr.
    """
    if not np.isfinite(values).all():
        return list(map(repr, values.tolist()))
    tokens = orjson.dumps(values, option=orjson.OPT_SERIALIZE_NUMPY).decode()[1:-1].split(",") if len(values) else []
    small = np.flatnonzero(np.abs(values) < REPR_NOTATION_LIMIT).tolist()
    if not small:
        return tokens
    # Exponents of orjson's scientific notation start at -6: only -6 to -9 are a single digit.
    text = ",".join(map(tokens.__getitem__, small)) + ","
    for digit in "6789":
        text = text.replace(f"e-{digit},", f"e-0{digit},")
    fixed = text[:-1].split(",")
    for i in compress(range(len(fixed)), map(str.startswith, fixed, repeat(SHORT_POSITIONAL))):
        sign, digits = fixed[i].split("0.0000")
        fixed[i] = f"{sign}{digits[0]}.{digits[1:]}e-05" if len(digits) > 1 else f"{sign}{digits}e-05"
    for i, token in zip(small, fixed):
        tokens[i] = token
    return tokens


def classify_command(paths: list[str], model_path: str | None, out: TextIO = sys.stdout, err: TextIO = sys.stderr,
                     same_site: bool = False) -> int:
    """Print every segment of every file as JSON Lines in document order; exit 1 if any file failed.

    same_site: the files are pages of one site, read as one batch so that the site pass sees them all.
    """
    from scrapeseg.train.saved import load_model

    model = load_model(model_path)
    template = record_template(model.card["labels"]).__mod__
    failures: list[str] = []
    for batch in _batches(paths, failures, model.uses_markup, None if same_site else BATCH_DOCS):
        markup = [facts for _, _, facts in batch] if model.uses_markup else None
        sites = [SAME_SITE] * len(batch) if same_site else None
        labels, scores = model.predict_columns([columns for _, columns, _ in batch], markup, sites)
        score_columns = [float_reprs(column) for column in np.ascontiguousarray(scores.T)]
        row = 0
        for path, (indexes, lines, starts, ends, texts), _ in batch:
            end = row + len(texts)
            out.write("".join(map(template, zip(
                repeat(_dumps(path)), indexes, lines, starts, ends, map(encode_basestring, texts),
                labels[row:end], *(column[row:end] for column in score_columns),
            ))))
            row = end
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
        columns, facts = _read_columns(path, model.uses_markup)
    except (InputError, OSError) as error:
        print(f"scrapeseg extract: {error}", file=err)
        return 1
    items = model.classify_columns([columns], [facts] if model.uses_markup else None)[0]
    body = "\n".join(item.text for item in items if item.label == Label.BODY.text)
    out.write(body + ("\n" if body else ""))
    return 0
