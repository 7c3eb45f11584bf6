"""Split text scrapes into segments: one per non-empty line, with offsets that map back."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import accumulate, compress, count, repeat
from operator import add, sub
from pathlib import Path

from scrapeseg.corpus.decode import (
    SNIFF_BYTES,
    Decoded,
    InputError,
    bom_encoding,
    check_not_binary,
    clean_controls,
    decode_bytes,
    detect_encoding,
)

# Files up to this size are decoded whole; larger ones are streamed so memory stays bounded.
WHOLE_FILE_BYTES = 8 * 1024 * 1024
STREAM_CHUNK_BYTES = 1024 * 1024
_EOL = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True, slots=True)
class Segment:
    """One paragraph of a document: `text == decoded[start:end]`, already stripped."""

    doc: str
    index: int
    line: int
    start: int
    end: int
    text: str


def iter_segments(doc: str, chunks: Iterable[str]) -> Iterator[Segment]:
    """Yield the segments of text given as consecutive chunks; lines end at LF, CRLF or CR."""
    index = 0
    line = 1
    base = 0
    carry = ""
    pending = False
    for chunk in chunks:
        if not chunk:
            continue
        buffer = carry + chunk
        pending = True
        # A CR at the end may be the first half of a CRLF split across chunks.
        cut = _last_line_end(buffer)
        if cut is None:
            carry = buffer
            continue
        for segment, line, consumed in _scan(doc, buffer[:cut], base, index, line, final=False):
            if segment is not None:
                index += 1
                yield segment
        base += cut
        carry = buffer[cut:]
    if pending and carry:
        for segment, line, _ in _scan(doc, carry, base, index, line, final=True):
            if segment is not None:
                yield segment


def _last_line_end(buffer: str) -> int | None:
    """Index just past the last complete line ending in buffer, holding back a trailing CR."""
    end = len(buffer)
    if buffer.endswith("\r"):
        end -= 1
    cut = max(buffer.rfind("\n", 0, end), buffer.rfind("\r", 0, end))
    return None if cut < 0 else cut + 1


def _scan(doc: str, part: str, base: int, index: int, line: int, *, final: bool):
    """Yield (segment or None, next line number, position) for each line of part."""
    pos = 0
    for match in _EOL.finditer(part):
        segment = _make(doc, part, pos, match.start(), base, index, line)
        if segment is not None:
            index += 1
        line += 1
        pos = match.end()
        yield segment, line, pos
    if final and pos < len(part):
        yield _make(doc, part, pos, len(part), base, index, line), line, len(part)


def _make(doc: str, part: str, lo: int, hi: int, base: int, index: int, line: int) -> Segment | None:
    """The segment for part[lo:hi], or None when the line is blank."""
    content = part[lo:hi]
    text = content.strip()
    if not text:
        return None
    start = base + lo + (len(content) - len(content.lstrip()))
    return Segment(doc, index, line, start, start + len(text), text)


def segment_text(doc: str, text: str) -> list[Segment]:
    """All segments of one decoded text."""
    return list(iter_segments(doc, (text,)))


def segment_columns(text: str) -> tuple[list[int], list[int], list[int], list[str]]:
    """(line numbers, starts, ends, texts) of the segments of one decoded text, as `segment_text` finds them."""
    if "\r" in text:  # CR and CRLF endings take the general path; LF-only text splits in C
        segments = segment_text("", text)
        return [s.line for s in segments], [s.start for s in segments], [s.end for s in segments], [s.text for s in segments]
    raw = text.split("\n")
    texts = list(map(str.strip, raw))
    keep = list(map(bool, texts))
    raw_len = list(map(len, raw))
    line_start = accumulate(map(add, raw_len, repeat(1)), initial=0)
    starts = list(map(add, line_start, map(sub, raw_len, map(len, map(str.lstrip, raw)))))
    ends = list(map(add, starts, map(len, texts)))
    return (
        list(compress(count(1), keep)), list(compress(starts, keep)), list(compress(ends, keep)), list(compress(texts, keep))
    )


def read_text_file(path: Path, name: str | None = None) -> Decoded:
    """Read and decode a whole text file, or raise InputError naming it."""
    name = name or str(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"{name}: cannot read ({err.strerror or err})") from None
    return decode_bytes(data, name)


def stream_text_file(path: Path, name: str | None = None) -> tuple[str, list[str], Iterator[str]]:
    """Open a text file of any size: its encoding, warnings and an iterator of decoded chunks."""
    name = name or str(path)
    try:
        size = path.stat().st_size
        if size <= WHOLE_FILE_BYTES:
            decoded = read_text_file(path, name)
            return decoded.encoding, decoded.warnings, iter((decoded.text,))
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError as err:
        raise InputError(f"{name}: cannot read ({err.strerror or err})") from None
    warnings: list[str] = []
    encoding = bom_encoding(head[:4])
    if encoding is None:
        check_not_binary(head, name)
        encoding = _stream_encoding(path, name, warnings)
    return encoding, warnings, _decode_chunks(path, encoding, name, warnings)


def _stream_encoding(path: Path, name: str, warnings: list[str]) -> str:
    """UTF-8 if the whole file decodes as UTF-8, else charset-normalizer's guess near the first error."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with path.open("rb") as handle:
        while chunk := handle.read(STREAM_CHUNK_BYTES):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as err:
                handle.seek(max(0, offset + err.start - SNIFF_BYTES))
                encoding = detect_encoding(handle.read(STREAM_CHUNK_BYTES), name)
                warnings.append(
                    f"{name}: not valid UTF-8 (byte {offset + err.start}); "
                    f"decoded as {encoding} (charset-normalizer)"
                )
                return encoding
            offset += len(chunk)
    return "utf-8"


def _decode_chunks(path: Path, encoding: str, name: str, warnings: list[str]) -> Iterator[str]:
    """Decode a file chunk by chunk, replacing control characters as whole-file decoding does."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    controls = 0
    with path.open("rb") as handle:
        while chunk := handle.read(STREAM_CHUNK_BYTES):
            text, count = clean_controls(decoder.decode(chunk))
            controls += count
            yield text
        text, count = clean_controls(decoder.decode(b"", final=True))
        controls += count
        yield text
    if controls:
        warnings.append(f"{name}: {controls} control characters replaced by spaces")
