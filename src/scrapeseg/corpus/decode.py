"""Turn file bytes into text: BOMs, declared and undeclared encodings, binaries and control characters."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
SNIFF_BYTES = 64 * 1024
DETECT_SAMPLE_BYTES = 1024 * 1024
# Text files rarely hold NULs; UTF-16 without a BOM is the one text format that does, and
# scrapers do not write it, so a sample with this many NULs is treated as binary.
MAX_NUL_SHARE = 0.01
MAX_CONTROL_SHARE = 0.10
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")
# The same characters as UTF-8 bytes, which never occur inside a multi-byte sequence.
_CONTROL_CHAR_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F])
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


class InputError(ValueError):
    """A file that cannot be read as a document; the message names the file and the problem."""


@dataclass
class Decoded:
    """Decoded text with the encoding used and any warnings about the input."""

    text: str
    encoding: str
    warnings: list[str] = field(default_factory=list)


def bom_encoding(head: bytes) -> str | None:
    """The encoding a byte-order mark announces, or None."""
    for bom, name in BOMS:
        if head.startswith(bom):
            return name
    return None


def check_not_binary(sample: bytes, name: str) -> None:
    """Raise InputError if a byte sample looks like a binary file rather than text."""
    if not sample:
        return
    nul_share = sample.count(0) / len(sample)
    control_share = (len(sample) - len(sample.translate(None, _CONTROL_BYTES))) / len(sample)
    if nul_share > MAX_NUL_SHARE or control_share > MAX_CONTROL_SHARE:
        raise InputError(
            f"{name}: looks like a binary file, not text "
            f"({nul_share:.0%} NUL bytes, {control_share:.0%} control bytes)"
        )


def declared_charset(head: bytes) -> str | None:
    """The charset an HTML page declares in a <meta> tag, if Python knows it."""
    match = _META_CHARSET.search(head)
    if not match:
        return None
    try:
        return codecs.lookup(match.group(1).decode("ascii", "replace")).name
    except LookupError:
        return None


def detect_encoding(sample: bytes, name: str) -> str:
    """Guess a non-UTF-8 sample's encoding with charset-normalizer, or raise InputError."""
    from charset_normalizer import from_bytes

    matches = from_bytes(sample)
    best = matches.best()
    if best is None:
        raise InputError(f"{name}: not text in any encoding charset-normalizer knows")
    # Exact ties come in arbitrary order; cp1252, the web's legacy default, is the likeliest.
    for match in matches:
        if match.encoding == "cp1252" and (match.chaos, match.coherence) == (best.chaos, best.coherence):
            return "cp1252"
    return best.encoding


def clean_controls(text: str) -> tuple[str, int]:
    """Replace control characters by spaces, keeping every offset; return the count replaced."""
    # Most texts hold none, and deleting bytes from their UTF-8 encoding finds that three times
    # faster than the regex scans them.
    encoded = text.encode("utf-8", "surrogatepass")
    if len(encoded.translate(None, _CONTROL_CHAR_BYTES)) == len(encoded):
        return text, 0
    cleaned, count = _CONTROL_CHARS.subn(" ", text)
    return cleaned, count


def decode_bytes(data: bytes, name: str, *, html: bool = False) -> Decoded:
    """Decode a whole file's bytes: BOM, then (for HTML) a declared charset, UTF-8, then detection."""
    warnings: list[str] = []
    encoding = bom_encoding(data[:4])
    if encoding is None:
        check_not_binary(data[:SNIFF_BYTES], name)
        declared = declared_charset(data[:SNIFF_BYTES]) if html else None
        encoding = _pick_encoding(data, name, declared, warnings)
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        warnings.append(f"{name}: bytes invalid in {encoding}; undecodable bytes replaced")
        text = data.decode(encoding, errors="replace")
    text, controls = clean_controls(text)
    if controls:
        warnings.append(f"{name}: {controls} control characters replaced by spaces")
    return Decoded(text, encoding, warnings)


def _pick_encoding(data: bytes, name: str, declared: str | None, warnings: list[str]) -> str:
    """Choose an encoding for BOM-less bytes and record a warning when it is not UTF-8."""
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as err:
        first_bad = err.start
    if declared and declared != "utf-8":
        return declared
    start = max(0, first_bad - DETECT_SAMPLE_BYTES // 2)
    encoding = detect_encoding(data[start : start + DETECT_SAMPLE_BYTES], name)
    warnings.append(f"{name}: not valid UTF-8 (byte {first_bad}); decoded as {encoding} (charset-normalizer)")
    return encoding
