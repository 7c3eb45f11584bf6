"""Segmentation contract: one segment per non-blank line, offsets that map back, streaming == whole."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from scrapeseg.corpus import segment as segment_module
from scrapeseg.corpus.batch import segment_file
from scrapeseg.corpus.segment import Segment, iter_segments, read_text_file, segment_columns, segment_text

# Line ends (\r, \n), whitespace that is not a line end for us but is for str.splitlines
# (\x0b, \x0c, \x1c-\x1e, \x85, \u2028, \u2029), other whitespace, NUL, controls and
# non-BMP characters, mixed with ordinary letters so that real lines occur.
TRICKY = "\r\n \t\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u2028\u2029\u3000\x00\x01\x7f\ufeff"
texts = st.text(
    alphabet=st.one_of(st.sampled_from(TRICKY), st.sampled_from("ab \u00e9\u4e2d\U0001f600"), st.characters()),
    max_size=300,
)


def reference(text: str) -> list[tuple[int, int, int, str]]:
    """(line, start, end, text) of every non-blank line, computed independently of segment.py."""
    parts = re.split(r"(\r\n|\r|\n)", text)
    out = []
    pos = 0
    for number, i in enumerate(range(0, len(parts), 2), start=1):
        line = parts[i]
        stripped = line.strip()
        if stripped:
            start = pos + len(line) - len(line.lstrip())
            out.append((number, start, start + len(stripped), stripped))
        pos += len(line) + (len(parts[i + 1]) if i + 1 < len(parts) else 0)
    return out


def check_contract(doc: str, text: str, segments: list[Segment]) -> None:
    assert [(s.line, s.start, s.end, s.text) for s in segments] == reference(text)
    assert [s.index for s in segments] == list(range(len(segments)))
    for s in segments:
        assert s.doc == doc
        assert s.text and s.text == s.text.strip()
        assert text[s.start : s.end] == s.text
        assert text[s.start : s.end].strip() == s.text


def split_at(text: str, cuts: list[int]) -> list[str]:
    points = sorted({min(c, len(text)) for c in cuts})
    bounds = [0, *points, len(text)]
    return [text[a:b] for a, b in zip(bounds, bounds[1:])]


@settings(max_examples=500, deadline=None)
@given(texts)
@example("a\r\nb")
@example("\r\r\n\n")
@example("x\u2028y\x0bz\x1cw")
@example("  lead\ttrail  \r")
@example("\x00\x00")
def test_segment_text_is_the_non_blank_lines(text: str) -> None:
    check_contract("doc", text, segment_text("doc", text))


@settings(max_examples=500, deadline=None)
@given(texts, st.lists(st.integers(min_value=0, max_value=300), max_size=12))
@example("a\r\nb", [2])  # CRLF split across chunks
@example("a\r\r\nb", [2, 3])
@example("a\r", [2])
@example("\r\n", [1])
def test_streaming_over_any_chunk_split_equals_whole_text(text: str, cuts: list[int]) -> None:
    chunks = split_at(text, cuts)
    assert "".join(chunks) == text
    streamed = list(iter_segments("doc", iter(chunks)))
    assert streamed == segment_text("doc", text)
    check_contract("doc", text, streamed)


@settings(max_examples=200, deadline=None)
@given(texts, st.lists(st.integers(min_value=0, max_value=300), max_size=12))
def test_empty_chunks_are_harmless(text: str, cuts: list[int]) -> None:
    chunks = split_at(text, cuts)
    padded = [piece for chunk in chunks for piece in ("", chunk, "")]
    assert list(iter_segments("d", padded)) == segment_text("d", text)


def test_unit_basic_lines_and_offsets() -> None:
    text = "  Title  \n\nFirst para.\r\nSecond\rThird\n   \n"
    segments = segment_text("page", text)
    assert [(s.index, s.line, s.text) for s in segments] == [
        (0, 1, "Title"),
        (1, 3, "First para."),
        (2, 4, "Second"),
        (3, 5, "Third"),
    ]
    assert [text[s.start : s.end] for s in segments] == [s.text for s in segments]


def test_unit_no_final_newline_and_blank_only() -> None:
    assert [s.text for s in segment_text("d", "one\ntwo")] == ["one", "two"]
    assert segment_text("d", "") == []
    assert segment_text("d", " \n\t\r\n\r\u3000\u2028") == []


def test_unit_unicode_separators_do_not_end_lines() -> None:
    # Only LF, CRLF and CR end a line; U+2028, VT, FS stay inside it (stripped at the ends only).
    segments = segment_text("d", "a\u2028b\x0bc\x1cd\n\u2028e\u2028")
    assert [(s.line, s.text) for s in segments] == [(1, "a\u2028b\x0bc\x1cd"), (2, "e")]


def test_unit_line_numbers_count_blank_lines_and_crlf_once() -> None:
    segments = segment_text("d", "\r\n\r\n\n\rx\r\ny")
    assert [(s.line, s.text) for s in segments] == [(5, "x"), (6, "y")]


def test_unit_streaming_carries_a_line_over_many_chunks() -> None:
    text = "start " + "x" * 50 + " end\nnext"
    chunks = [text[i : i + 7] for i in range(0, len(text), 7)]
    segments = list(iter_segments("d", chunks))
    assert [s.text for s in segments] == ["start " + "x" * 50 + " end", "next"]
    check_contract("d", text, segments)


def test_unit_iter_segments_is_lazy() -> None:
    def chunks():
        yield "first\n"
        raise AssertionError("read past the first segment")

    assert next(iter_segments("d", chunks())).text == "first"


@pytest.mark.parametrize(
    "content",
    [
        "Ligne un\r\nLigne deux\r\n\r\n  trois  \n",
        "\ufeffBOM first\nsecond",
        "x" * 40 + "\r" + "\u00e9t\u00e9 \u4e2d\u6587 \U0001f600\r\n" * 30,
    ],
)
def test_streamed_file_equals_whole_file(tmp_path, monkeypatch, content: str) -> None:
    """Files over WHOLE_FILE_BYTES are streamed in chunks; the result must not change.

    Tiny thresholds force chunk boundaries inside CRLFs and inside multi-byte characters.
    """
    path = tmp_path / "scrape.txt"
    path.write_bytes(content.encode("utf-8"))
    decoded = read_text_file(path, "scrape.txt")
    whole = segment_text("scrape.txt", decoded.text)
    for chunk_bytes in (1, 2, 3, 5, 41):
        monkeypatch.setattr(segment_module, "WHOLE_FILE_BYTES", 0)
        monkeypatch.setattr(segment_module, "STREAM_CHUNK_BYTES", chunk_bytes)
        segments, _, _ = segment_file(path, "scrape.txt")
        assert list(segments) == whole
    check_contract("scrape.txt", decoded.text, whole)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab \r\n\u00e9\u20ac\U0001f600\t"), max_size=80), st.integers(1, 9))
def test_streamed_file_equals_whole_file_property(tmp_path_factory, text: str, chunk_bytes: int) -> None:
    path = tmp_path_factory.mktemp("s") / "f.txt"
    path.write_bytes(text.encode("utf-8"))
    whole = segment_text("f", text)
    original = (segment_module.WHOLE_FILE_BYTES, segment_module.STREAM_CHUNK_BYTES)
    try:
        segment_module.WHOLE_FILE_BYTES, segment_module.STREAM_CHUNK_BYTES = 0, chunk_bytes
        segments, _, _ = segment_file(path, "f")
        assert list(segments) == whole
    finally:
        segment_module.WHOLE_FILE_BYTES, segment_module.STREAM_CHUNK_BYTES = original


@settings(max_examples=300)
@given(st.text(alphabet=st.sampled_from(["a", "b", " ", "\t", "\n", "\r", "\u2028", "\x85", "\xa0", "é", "\x0c"]), max_size=60))
@example("  lead\n\n trail  \nlast")
def test_segment_columns_equal_segment_text(text):
    segments = segment_text("d", text)
    expected = ([s.line for s in segments], [s.start for s in segments], [s.end for s in segments], [s.text for s in segments])
    assert segment_columns(text) == expected
