"""Segment many text scrapes and HTML pages in one process and write the segments as JSON Lines."""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import sys
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

from scrapeseg.corpus import segment as _segment
from scrapeseg.corpus.decode import InputError
from scrapeseg.corpus.html import MAX_HTML_BYTES, Markup, render_html
from scrapeseg.corpus.segment import (
    Segment,
    iter_segments,
    segment_text,
    stream_text_file,
)

TEXT_SUFFIXES = (".txt",)
HTML_SUFFIXES = (".html", ".htm", ".html.gz")
INPUT_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES


def _is_html(path: Path) -> bool:
    return path.name.lower().endswith(HTML_SUFFIXES)


def _is_input(name: str) -> bool:
    return name.lower().endswith(INPUT_SUFFIXES)


def iter_input_docs(paths: Iterable[str | os.PathLike]) -> Iterator[tuple[Path, str]]:
    """Yield (file, doc id) for each input: files as given, folders walked recursively in sorted order.

    A file's doc id is the path as the user gave it; a file found in a folder gets the folder as
    given joined with its path relative to that folder. Paths that do not exist are yielded as
    files, so that reading them fails and the failure is counted. A sub-folder that cannot be
    listed is yielded too, for the same reason.
    """
    for given in paths:
        given = os.fspath(given)
        root = Path(given)
        if not root.is_dir():
            yield root, given
            continue
        found: list[tuple[tuple[str, ...], Path]] = []
        unreadable: list[Path] = []

        def on_error(err: OSError) -> None:
            unreadable.append(Path(err.filename) if err.filename else root)

        for folder, dirnames, filenames in os.walk(root, onerror=on_error):
            dirnames.sort()
            for filename in filenames:
                if _is_input(filename):
                    rel = (Path(folder) / filename).relative_to(root)
                    found.append((rel.parts, rel))
        found.sort()
        for _, rel in found:
            yield root / rel, os.path.join(given, *rel.parts)
        for folder in sorted(unreadable):
            rel = folder.relative_to(root) if folder.is_relative_to(root) else Path()
            yield folder, os.path.join(given, *rel.parts) if rel.parts else given


def iter_input_files(paths: Iterable[str | os.PathLike]) -> Iterator[Path]:
    """The files to segment: files as given, and folders walked recursively (sorted) for
    .txt, .html, .htm and .html.gz files."""
    for path, _ in iter_input_docs(paths):
        yield path


def _read_html(path: Path, name: str) -> bytes:
    """A page's bytes, gunzipped for .gz files, or InputError naming the file."""
    try:
        if path.name.lower().endswith(".gz"):
            with gzip.open(path, "rb") as handle:
                data = handle.read(MAX_HTML_BYTES + 1)
        else:
            if path.stat().st_size > MAX_HTML_BYTES:
                raise InputError(f"{name}: HTML page larger than the {MAX_HTML_BYTES:,}-byte limit")
            data = path.read_bytes()
    except (gzip.BadGzipFile, EOFError, zlib.error) as err:
        raise InputError(f"{name}: not a valid gzip file ({err})") from None
    except OSError as err:
        raise InputError(f"{name}: cannot read ({err.strerror or err})") from None
    if len(data) > MAX_HTML_BYTES:
        raise InputError(f"{name}: HTML page larger than the {MAX_HTML_BYTES:,}-byte limit once unzipped")
    return data


def _text_segments(doc: str, chunks: Iterator[str], warnings: list[str]) -> Iterator[Segment]:
    """Segments of a streamed text file; adds the empty-file warning once the stream is done."""
    count = 0
    saw_text = False

    def watched() -> Iterator[str]:
        nonlocal saw_text
        try:
            for chunk in chunks:
                saw_text = saw_text or bool(chunk)
                yield chunk
        except OSError as err:
            raise InputError(f"{doc}: cannot read ({err.strerror or err})") from None

    for segment in iter_segments(doc, watched()):
        count += 1
        yield segment
    if not count:
        warnings.append(_empty_warning(doc, saw_text))


def _empty_warning(doc: str, saw_text: bool) -> str:
    if saw_text:
        return f"{doc}: whitespace-only file, no segments"
    return f"{doc}: empty file, no segments"


def segment_file(
    path: Path, doc: str
) -> tuple[list[Segment] | Iterator[Segment], list[str], list[Markup] | None]:
    """Segment one file: (segments, warnings, markup) or InputError naming the file.

    Text files (any suffix but .html, .htm and .html.gz) are decoded and segmented; files over
    WHOLE_FILE_BYTES are streamed and their segments come as an iterator, whose warnings list is
    only complete once the iterator is exhausted (it may also raise InputError on a read error).
    HTML pages are gunzipped if needed, rendered with `render_html` and segmented; markup[i]
    holds the markup facts of rendered line i + 1, i.e. of the segment whose `line` is i + 1.
    An empty or whitespace-only file gives no segments and a warning naming the file.
    """
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{doc}: is a directory, not a file")
    if _is_html(path):
        data = _read_html(path, doc)
        if not data.strip():
            return [], [_empty_warning(doc, bool(data))], []
        page = render_html(data, doc)
        segments = segment_text(doc, page.text)
        if len(segments) != len(page.markup):  # one rendered line is one segment
            raise InputError(f"{doc}: {len(segments)} segments for {len(page.markup)} rendered lines")
        return segments, list(page.warnings), page.markup
    try:
        size = path.stat().st_size
    except OSError as err:
        raise InputError(f"{doc}: cannot read ({err.strerror or err})") from None
    _, warnings, chunks = stream_text_file(path, doc)
    segments = _text_segments(doc, chunks, warnings)
    if size <= _segment.WHOLE_FILE_BYTES:  # decoded whole anyway
        return list(segments), warnings, None
    return segments, warnings, None


def _record(segment: Segment, markup: list[Markup] | None) -> dict:
    record = {
        "doc": segment.doc,
        "index": segment.index,
        "line": segment.line,
        "start": segment.start,
        "end": segment.end,
        "text": segment.text,
    }
    if markup is not None:
        facts = markup[segment.line - 1]
        record.update(
            tag=facts.tag, heading=facts.heading, link_share=facts.link_share, in_chrome=facts.in_chrome
        )
    return record


def _one_line(message: str) -> str:
    return " ".join(message.split())


def segment_command(paths: list[str], out: str | None, progress: bool = True) -> int:
    """Segment every input into JSON Lines on `out` (stdout if None or "-"), in this process.

    Bad files are reported and skipped. Warnings go to stderr as they come, failures at the end,
    then a summary `N files, M segments, K failures` (N counts every input file, including the
    failed ones, so the files done are N - K). Returns 1 if any file failed (or the output could
    not be written), else 0.
    """
    from tqdm import tqdm

    stderr = sys.stderr
    to_stdout = out is None or out == "-"
    inputs = list(iter_input_docs(paths))
    for given in paths:
        if Path(given).is_dir() and not any(doc.startswith(os.path.join(given, "")) for _, doc in inputs):
            print(f"{given}: no {', '.join(INPUT_SUFFIXES)} files in this folder", file=stderr)
    if not to_stdout:
        kept = [(path, doc) for path, doc in inputs if not _same_file(path, out)]
        if len(kept) < len(inputs):
            print(f"{out}: is the output file; not read as an input", file=stderr)
        inputs = kept
        try:
            sink: TextIO = open(out, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
        except OSError as err:
            print(f"{out}: cannot write output ({err.strerror or err})", file=stderr)
            return 1
    else:
        sink = sys.stdout
    done = 0
    total_segments = 0
    failures: list[str] = []
    output_error: OSError | None = None
    bar = tqdm(
        total=len(inputs), file=stderr, unit="file", disable=not progress or len(inputs) <= 1, dynamic_ncols=True
    )
    try:
        for path, doc in inputs:
            warnings: list[str] = []
            count = 0
            try:
                segments, warnings, markup = segment_file(path, doc)
                for segment in segments:
                    sink.write(json.dumps(_record(segment, markup), ensure_ascii=False))
                    sink.write("\n")
                    count += 1
            except InputError as err:
                failures.append(_one_line(str(err)))
            except OSError:
                raise  # segment_file turns read errors into InputError: this is the output failing
            except Exception as err:  # noqa: BLE001 - a bad page must not stop the batch
                failures.append(_one_line(f"{doc}: unexpected {type(err).__name__}: {err}"))
            else:
                done += 1
            total_segments += count
            for warning in warnings:
                bar.write(_one_line(warning), file=stderr)
            bar.update(1)
        sink.flush()
    except OSError as err:
        output_error = err
    finally:
        bar.close()
        if not to_stdout:
            with contextlib.suppress(OSError):
                sink.close()
    if output_error is not None:
        if to_stdout and isinstance(output_error, BrokenPipeError):
            _silence_stdout()
        where = "stdout" if to_stdout else out
        print(f"{where}: cannot write output ({output_error.strerror or output_error}); stopped", file=stderr)
        return 1
    if done + len(failures) != len(inputs):
        raise RuntimeError(f"lost files: {len(inputs)} in, {done} done, {len(failures)} failed")
    for failure in failures:
        print(f"failed: {failure}", file=stderr)
    print(f"{len(inputs)} files, {total_segments} segments, {len(failures)} failures", file=stderr)
    return 1 if failures else 0


def _same_file(path: Path, out: str) -> bool:
    try:
        return os.path.samefile(path, out)
    except OSError:
        return False


def _silence_stdout() -> None:
    """After a closed pipe (`| head`), point stdout at devnull so the exit flush does not complain."""
    with contextlib.suppress(Exception):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def build_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    """Add the `segment` arguments (PATH... [-o OUT] [--no-progress]) to a parser."""
    parser = parser or argparse.ArgumentParser(
        prog="python -m scrapeseg.corpus.batch",
        description="Segment text scrapes (.txt) and HTML pages (.html, .htm, .html.gz) into JSON Lines.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files, or folders walked recursively")
    parser.add_argument("-o", "--out", default=None, help="output .jsonl file (default: stdout)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return segment_command(args.paths, args.out, progress=not args.no_progress)


if __name__ == "__main__":
    sys.exit(main())
