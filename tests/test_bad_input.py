"""Bad and awkward inputs, each through a real file: encodings, line ends, binaries, sizes, batches."""

from __future__ import annotations

import codecs
import gzip
import json
import multiprocessing
import os
import random
import re
import struct
import subprocess
import sys
import time
import tracemalloc
import zlib
from pathlib import Path

import pytest

from scrapeseg.corpus import segment as segment_module
from scrapeseg.corpus.batch import iter_input_docs, iter_input_files, segment_command, segment_file
from scrapeseg.corpus.decode import InputError

SRC = Path(__file__).resolve().parents[1] / "src"

FRENCH = (
    "Le président de la République a annoncé mercredi une série de mesures destinées à soutenir "
    "le pouvoir d'achat des ménages. « Nous devons agir vite », a-t-il déclaré à l'Élysée.\n"
    "Les syndicats ont salué une première étape, tout en réclamant des garanties supplémentaires "
    "pour les salariés les plus modestes. Le ministre de l'Économie présentera le détail du projet.\n"
    "\n"
    "Selon l'Insee, l'inflation a atteint 5,2 % sur un an en décembre, son plus haut niveau depuis "
    "trente-cinq ans. Les prix de l'énergie et de l'alimentation ont particulièrement augmenté.\n"
    "Où en est la réforme des retraites ? Le gouvernement prévoit de reprendre les négociations "
    "après les fêtes, a précisé la porte-parole, qui a évoqué un calendrier « réaliste ».\n"
)
SPANISH = (
    "El Gobierno español aprobó el martes una reforma que cambiará la manera en que los ciudadanos "
    "acceden a la vivienda. Según los datos, el precio medio del alquiler subió un 7,4 % el año pasado. "
    "«Es una situación insostenible para muchas familias», afirmó la portavoz.\n"
)
RUSSIAN = [
    "Новости дня",
    "Правительство в среду одобрило законопроект, который изменит порядок финансирования школ.",
    "Министр заявил, что изменения вступят в силу с сентября, а регионы получат дополнительные средства.",
    "Эксперты считают, что реформа позволит сократить разрыв между городскими и сельскими школами.",
]
JAPANESE = [
    "今日のニュース",
    "政府は水曜日、学校の財政の仕組みを変える法案を閣議決定した。",
    "大臣は、変更は九月から施行され、地方には追加の予算が配分されると述べた。",
    "専門家は、この改革によって都市と地方の学校の格差が縮まると見ている。",
]


def texts(segments) -> list[str]:
    return [s.text for s in segments]


def page(lines: list[str], head: str = "") -> str:
    body = "".join(f"<p>{line}</p>\n" for line in lines[1:])
    return f"<!DOCTYPE html>\n<html><head>{head}<title>t</title></head><body><h1>{lines[0]}</h1>\n{body}</body></html>\n"


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + random.Random(1).randbytes(3 * 16) for _ in range(16))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def summary(err: str) -> tuple[int, int, int]:
    match = re.search(r"^(\d+) files, (\d+) segments, (\d+) failures$", err, re.M)
    assert match, err
    return tuple(int(g) for g in match.groups())


# --- text scrapes: encodings and line ends -------------------------------------------------


def test_utf8_with_bom(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes(codecs.BOM_UTF8 + "Überschrift\n\nErster Absatz.\n".encode())
    segments, warnings, markup = segment_file(path, "bom.txt")
    assert texts(segments) == ["Überschrift", "Erster Absatz."]
    assert segments[0].start == 0  # the BOM is not part of the text
    assert [s.line for s in segments] == [1, 3]
    assert warnings == [] and markup is None


def test_crlf_line_ends(tmp_path):
    path = tmp_path / "crlf.txt"
    path.write_bytes(b"Title\r\n\r\nFirst paragraph.\r\n  Second one.  \r\n")
    segments, warnings, _ = segment_file(path, "crlf.txt")
    assert [(s.line, s.text) for s in segments] == [(1, "Title"), (3, "First paragraph."), (4, "Second one.")]
    decoded = path.read_bytes().decode()
    assert all(decoded[s.start : s.end] == s.text for s in segments)
    assert warnings == []


def test_cr_only_line_ends(tmp_path):
    path = tmp_path / "mac.txt"
    path.write_bytes(b"Title\r\rFirst paragraph.\rSecond one.\r")
    segments, warnings, _ = segment_file(path, "mac.txt")
    assert [(s.line, s.text) for s in segments] == [(1, "Title"), (3, "First paragraph."), (4, "Second one.")]
    assert warnings == []


def test_invalid_utf8_legacy_encoding_is_detected_and_named(tmp_path):
    path = tmp_path / "legacy.txt"
    data = FRENCH.encode("cp1252")
    path.write_bytes(data)
    segments, warnings, _ = segment_file(path, "legacy.txt")
    assert texts(segments) == [line for line in FRENCH.splitlines() if line]
    [warning] = warnings
    assert warning.startswith("legacy.txt: not valid UTF-8")
    encoding = re.search(r"decoded as ([\w-]+)", warning).group(1)
    assert data.decode(codecs.lookup(encoding).name) == FRENCH  # the named encoding is the one used


def test_invalid_utf8_in_a_streamed_file_is_detected_and_named(tmp_path, monkeypatch):
    # Streamed like a file over 8 MB (detection still sees the usual 1 MB sample around the error).
    monkeypatch.setattr(segment_module, "WHOLE_FILE_BYTES", 100)
    path = tmp_path / "legacy-big.txt"
    path.write_bytes(FRENCH.encode("cp1252"))
    segments, warnings, _ = segment_file(path, "legacy-big.txt")
    assert texts(segments) == [line for line in FRENCH.splitlines() if line]
    assert len(warnings) == 1 and "legacy-big.txt: not valid UTF-8" in warnings[0] and "decoded as" in warnings[0]


def test_invalid_utf8_spanish_cp1252_decodes_right(tmp_path):
    path = tmp_path / "es.txt"
    path.write_bytes(SPANISH.encode("cp1252"))
    segments, _, _ = segment_file(path, "es.txt")
    assert texts(segments) == [SPANISH.strip()]


def test_control_character_bytes_are_the_regex_characters():
    from scrapeseg.corpus.decode import _CONTROL_CHAR_BYTES, _CONTROL_CHARS, clean_controls

    assert _CONTROL_CHAR_BYTES == bytes(b for b in range(128) if _CONTROL_CHARS.match(chr(b)))
    for text in ("plain", "é\u2028x\x0c\t", "a\x00b\x1bc\x7f", "\ud800 lone"):
        assert clean_controls(text) == (_CONTROL_CHARS.sub(" ", text), len(_CONTROL_CHARS.findall(text)))


def test_nul_and_control_characters_are_replaced_with_a_warning(tmp_path):
    path = tmp_path / "controls.txt"
    lines = ["First\x00paragraph with a NUL.", "Bell\x07 and escape\x1b[0m codes.", "\x00\x01\x02", "Clean line."]
    body = "\n".join(lines) + "\n" + "Filler text so that the file is mostly text.\n" * 20
    path.write_bytes(body.encode())
    segments, warnings, _ = segment_file(path, "controls.txt")
    got = texts(segments)
    assert got[:3] == ["First paragraph with a NUL.", "Bell  and escape [0m codes.", "Clean line."]
    assert all(not re.search(r"[\x00-\x08\x0e-\x1f\x7f]", text) for text in got)
    assert [s.line for s in segments[:3]] == [1, 2, 4]  # the all-control line became blank
    decoded = body.replace("\x00", " ").replace("\x07", " ").replace("\x1b", " ").replace("\x01", " ")
    decoded = decoded.replace("\x02", " ")
    assert all(decoded[s.start : s.end] == s.text for s in segments)  # offsets unchanged
    assert any(w.startswith("controls.txt:") and "control characters" in w for w in warnings), warnings


@pytest.mark.parametrize(
    ("name", "data", "doc", "word"),
    [
        ("empty.txt", b"", "in/empty.txt", "empty"),
        ("blank.txt", b"  \n\t\r\n\r\n   \n", "blank.txt", "whitespace"),
        ("empty.html", b"\n  \n", "empty.html", ""),
    ],
)
def test_empty_or_blank_file_gives_no_segments_and_a_warning(tmp_path, name, data, doc, word):
    path = tmp_path / name
    path.write_bytes(data)
    segments, warnings, _ = segment_file(path, doc)
    assert list(segments) == []
    assert len(warnings) == 1 and warnings[0].startswith(f"{doc}:") and word in warnings[0]


@pytest.mark.parametrize(
    "content",
    [tiny_png(), random.Random(0).randbytes(64 * 1024), random.Random(0).randbytes(200), gzip.compress(b"x" * 999)],
    ids=["png-header", "random-64k", "random-200", "gzip"],
)
def test_binary_file_named_txt_is_an_input_error_naming_it(tmp_path, content):
    path = tmp_path / "image.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match=r"^data/image\.txt: "):
        segment_file(path, "data/image.txt")


def test_missing_and_unreadable_files_are_input_errors(tmp_path):
    with pytest.raises(InputError, match=r"^gone\.txt: cannot read"):
        segment_file(tmp_path / "gone.txt", "gone.txt")
    with pytest.raises(InputError, match=r"^gone\.html: cannot read"):
        segment_file(tmp_path / "gone.html", "gone.html")
    with pytest.raises(InputError, match=r"^adir: "):
        segment_file(tmp_path, "adir")


# --- HTML pages ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "charset"),
    [(RUSSIAN, "windows-1251"), (JAPANESE, "shift_jis")],
    ids=["windows-1251", "shift_jis"],
)
def test_html_in_legacy_encoding_declared_only_in_meta(tmp_path, lines, charset):
    path = tmp_path / "legacy.html"
    path.write_bytes(page(lines, f'<meta charset="{charset}">').encode(charset))
    segments, warnings, markup = segment_file(path, "legacy.html")
    assert texts(segments) == ["t", *lines] or texts(segments) == lines
    assert segments[-len(lines)].text == lines[0] and markup[segments[-len(lines)].line - 1].heading == 1
    assert warnings == []


@pytest.mark.parametrize(
    ("lines", "encoding"),
    [(RUSSIAN, "cp1251"), (JAPANESE, "shift_jis")],
    ids=["cp1251", "shift_jis"],
)
def test_html_in_legacy_encoding_without_any_declaration(tmp_path, lines, encoding):
    path = tmp_path / "undeclared.htm"
    path.write_bytes(page(lines).encode(encoding))
    segments, warnings, _ = segment_file(path, "undeclared.htm")
    assert texts(segments)[-len(lines) :] == lines
    assert any("not valid UTF-8" in w for w in warnings)


def test_html_gz_is_gunzipped_and_rendered_with_markup(tmp_path):
    html = (
        "<html><body><nav><a href='/'>Home</a> <a href='/w'>World</a></nav>"
        "<article><h2>Headline here</h2><p>Body text with <a href='/x'>a link</a>.</p></article>"
        "<footer>© 2024 Paper</footer></body></html>"
    )
    path = tmp_path / "page.html.gz"
    path.write_bytes(gzip.compress(html.encode()))
    segments, warnings, markup = segment_file(path, "page.html.gz")
    assert texts(segments) == ["Home World", "Headline here", "Body text with a link.", "© 2024 Paper"]
    facts = [markup[s.line - 1] for s in segments]
    assert [f.tag for f in facts] == ["nav", "h2", "p", "footer"]
    assert [f.in_chrome for f in facts] == [True, False, False, True]
    assert facts[0].link_share == 1.0 and facts[1].heading == 2 and 0 < facts[2].link_share < 1
    assert warnings == []


def test_corrupt_html_gz_is_an_input_error_naming_it(tmp_path):
    path = tmp_path / "broken.html.gz"
    path.write_bytes(gzip.compress(b"<html><body><p>x</p></body></html>")[:-12])
    with pytest.raises(InputError, match=r"^broken\.html\.gz: "):
        segment_file(path, "broken.html.gz")
    path.write_bytes(b"<html>not gzip at all</html>")
    with pytest.raises(InputError, match=r"^broken\.html\.gz: not a valid gzip"):
        segment_file(path, "broken.html.gz")


# --- inputs and batches -----------------------------------------------------------------------


def test_doc_ids_follow_the_paths_as_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in" / "b").mkdir(parents=True)
    for name in ("in/z.txt", "in/a.html", "in/b/c.htm", "in/b/d.html.gz", "in/notes.md", "single.txt"):
        (tmp_path / name).write_text("x\n")
    docs = [doc for _, doc in iter_input_docs(["in/", "./single.txt", "in"])]
    assert docs == [
        "in/a.html",
        "in/b/c.htm",
        "in/b/d.html.gz",
        "in/z.txt",
        "./single.txt",
        "in/a.html",
        "in/b/c.htm",
        "in/b/d.html.gz",
        "in/z.txt",
    ]
    assert [p.is_file() for p in iter_input_files(["in", "single.txt"])] == [True] * 5


def test_bad_files_in_the_middle_of_a_batch(tmp_path, capsys):
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "01-good.txt").write_text("One.\nTwo.\n")
    (folder / "02-image.txt").write_bytes(tiny_png())
    (folder / "03-empty.txt").write_bytes(b"")
    (folder / "04-broken.html.gz").write_bytes(b"not gzip")
    (folder / "05-good.html").write_text("<p>Three.</p><p>Four.</p>")
    (folder / "06-noise.txt").write_bytes(random.Random(5).randbytes(300))
    (folder / "07-good.txt").write_text("Five.\n")
    missing = str(tmp_path / "missing.txt")
    out = tmp_path / "out.jsonl"
    code = segment_command([str(folder), missing], str(out), progress=False)
    err = capsys.readouterr().err
    assert code == 1
    records = read_jsonl(out)
    assert [r["text"] for r in records] == ["One.", "Two.", "Three.", "Four.", "Five."]
    failures = [line for line in err.splitlines() if line.startswith("failed: ")]
    failed = sorted(line.split(": ")[1] for line in failures)
    assert failed == sorted(
        [str(folder / n) for n in ("02-image.txt", "04-broken.html.gz", "06-noise.txt")] + [missing]
    )
    assert f"{folder / '03-empty.txt'}: empty file" in err  # a warning, not a failure
    files_in, segments, failure_count = summary(err)
    done = len({r["doc"] for r in records} | {str(folder / "03-empty.txt")})
    assert (files_in, segments, failure_count) == (8, 5, 4)
    assert files_in == done + failure_count
    assert err.rstrip().splitlines()[-1] == "8 files, 5 segments, 4 failures"


def test_bad_files_in_a_batch_via_the_module_entry_point(tmp_path):
    (tmp_path / "a.txt").write_text("Alpha.\n")
    (tmp_path / "b.txt").write_bytes(tiny_png())
    (tmp_path / "c.html").write_text("<h1>Gamma</h1>", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(
        [sys.executable, "-m", "scrapeseg.corpus.batch", "a.txt", "b.txt", "nope.txt", "c.html"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["doc"], r["text"]) for r in records] == [("a.txt", "Alpha."), ("c.html", "Gamma")]
    assert records[1]["tag"] == "h1" and records[1]["heading"] == 1 and "tag" not in records[0]
    assert "failed: b.txt: looks like a binary file" in result.stderr
    assert "failed: nope.txt: cannot read" in result.stderr
    assert result.stderr.rstrip().splitlines()[-1] == "4 files, 2 segments, 2 failures"
    assert "%|" in result.stderr  # progress bar for more than one file

    ok = subprocess.run(
        [sys.executable, "-m", "scrapeseg.corpus.batch", "a.txt", "-o", "out.jsonl", "--no-progress"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ok.returncode == 0 and ok.stderr == "1 files, 1 segments, 0 failures\n"
    assert read_jsonl(tmp_path / "out.jsonl") == [
        {"doc": "a.txt", "index": 0, "line": 1, "start": 0, "end": 6, "text": "Alpha."}
    ]


# --- scale ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_50mb_scrape_streams_with_bounded_memory(tmp_path, capsys):
    path = tmp_path / "huge.txt"
    block_lines = [
        f"Paragraph {i}: Le café coûte 3 € — naïve résumé, {'lorem ipsum dolor sit amet ' * (i % 13 + 1)}"
        for i in range(1000)
    ]
    block = ("\n".join(block_lines[:500]) + "\n\n  \n" + "\r\n".join(block_lines[500:]) + "\r\n").encode()
    repeats = 50 * 1024 * 1024 // len(block) + 1
    with path.open("wb") as handle:
        for _ in range(repeats):
            handle.write(block)
    size = path.stat().st_size
    assert size >= 50 * 1024 * 1024
    expected = 1000 * repeats

    tracemalloc.start()
    try:
        code = segment_command([str(path)], os.devnull, progress=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert code == 0
    assert summary(capsys.readouterr().err) == (1, expected, 0)
    # Holding the file as str would take >= 50 MB (more with non-ASCII); streaming stays far below.
    print(f"peak traced memory {peak / 2**20:.1f} MB for {size / 2**20:.0f} MB")
    assert peak < 25 * 1024 * 1024, f"peak {peak / 2**20:.1f} MB for a {size / 2**20:.0f} MB file"


@pytest.mark.slow
def test_10000_files_in_one_process_with_a_progress_bar(tmp_path, capsys, monkeypatch):
    root = tmp_path / "scrapes"
    expected = []
    for d in range(10):
        sub = root / f"part{d}"
        sub.mkdir(parents=True)
        for i in range(1000):
            name = f"{i:04d}.txt"
            (sub / name).write_text(f"Headline {d}-{i}\n\nBody of story {d}-{i}.\n", encoding="utf-8")
            expected.append(os.path.join(str(root), f"part{d}", name))

    def no_new_process(*args, **kwargs):
        raise AssertionError("segment_command must not start processes")

    monkeypatch.setattr(subprocess, "Popen", no_new_process)
    monkeypatch.setattr(os, "fork", no_new_process)
    monkeypatch.setattr(multiprocessing.Process, "start", no_new_process)

    out = tmp_path / "out.jsonl"
    started = time.perf_counter()
    code = segment_command([str(root)], str(out), progress=True)
    elapsed = time.perf_counter() - started
    err = capsys.readouterr().err
    assert code == 0
    assert "10000/10000" in err and "file/s" in err  # the tqdm bar, on stderr
    records = read_jsonl(out)
    docs = [r["doc"] for r in records]
    assert list(dict.fromkeys(docs)) == expected  # every doc, in sorted order
    assert len(records) == 20000 and summary(err) == (10000, 20000, 0)
    assert elapsed < 120, elapsed


def test_progress_bar_can_be_disabled(tmp_path, capsys):
    for i in range(3):
        (tmp_path / f"{i}.txt").write_text("x\n")
    assert segment_command([str(tmp_path)], str(tmp_path / "o.jsonl"), progress=False) == 0
    assert capsys.readouterr().err == "3 files, 3 segments, 0 failures\n"


def test_output_file_inside_an_input_folder_is_not_read(tmp_path, capsys):
    (tmp_path / "a.txt").write_text("Alpha.\n")
    out = tmp_path / "out.txt"
    out.write_text("stale output from an earlier run\n")
    assert segment_command([str(tmp_path)], str(out), progress=False) == 0
    err = capsys.readouterr().err
    assert "is the output file" in err and err.endswith("1 files, 1 segments, 0 failures\n")
    assert [r["text"] for r in read_jsonl(out)] == ["Alpha."]


def test_folder_without_inputs_is_reported(tmp_path, capsys):
    (tmp_path / "notes.md").write_text("# not a scrape\n")
    assert segment_command([str(tmp_path)], str(tmp_path / "o.jsonl"), progress=False) == 0
    err = capsys.readouterr().err
    assert f"{tmp_path}: no .txt" in err and err.endswith("0 files, 0 segments, 0 failures\n")
