"""Segmentation throughput on real pages: scrapeseg render+segment vs trafilatura, and text scrapes.

    python -m scrapeseg.corpus.bench [--corpora ../shared/corpora] [--limit N]

Pages come from the benchmark corpora (read in place, never copied into the repository); they are
gunzipped before any timing. Everything runs in this one process, one page after another:

  (a) scrapeseg: `render_html` + `segment_text` on each page's HTML bytes;
  (b) trafilatura: `trafilatura.extract` on the same bytes;
  (c) text scrapes: the texts rendered in (a), written as .txt files to a temporary folder
      (untimed), then segmented from the files with `segment_file`, and once more as a batch with
      `segment_command` writing JSON Lines to os.devnull.

MB are 10**6 bytes of the input: HTML bytes for (a) and (b), text-file bytes for (c).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import json
import logging
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from scrapeseg.corpus.batch import segment_command, segment_file
from scrapeseg.corpus.decode import InputError
from scrapeseg.corpus.html import render_html
from scrapeseg.corpus.segment import segment_text

DATASETS = ("l3s-gn1", "dragnet")


@dataclass
class Row:
    name: str
    docs: int
    nbytes: int
    seconds: float
    failures: int = 0
    outputs: int = 0  # segments, or extracted texts

    @property
    def docs_per_s(self) -> float:
        return self.docs / self.seconds if self.seconds else float("inf")

    @property
    def mb_per_s(self) -> float:
        return self.nbytes / 1e6 / self.seconds if self.seconds else float("inf")


def load_pages(corpora: Path, datasets: tuple[str, ...], limit: int | None) -> list[tuple[str, bytes]]:
    """(name, gunzipped HTML bytes) of the first `limit` pages of the datasets, in index order."""
    pages: list[tuple[str, bytes]] = []
    for dataset in datasets:
        index = corpora / dataset / "index.jsonl"
        if not index.is_file():
            raise SystemExit(f"{index}: not found (is --corpora right?)")
        with index.open(encoding="utf-8") as handle:
            for line in handle:
                if limit is not None and len(pages) >= limit:
                    return pages
                record = json.loads(line)
                pages.append((f"{dataset}/{record['id']}", gzip.decompress((corpora / dataset / record["html"]).read_bytes())))
    return pages


def bench_scrapeseg(pages: list[tuple[str, bytes]]) -> tuple[Row, list[tuple[str, str]]]:
    texts: list[tuple[str, str]] = []
    failures = segments = 0
    started = time.perf_counter()
    for name, data in pages:
        try:
            page = render_html(data, name)
        except InputError:
            failures += 1
            continue
        segments += len(segment_text(name, page.text))
        texts.append((name, page.text))
    seconds = time.perf_counter() - started
    nbytes = sum(len(data) for _, data in pages)
    return Row("scrapeseg render+segment (HTML)", len(pages), nbytes, seconds, failures, segments), texts


def bench_trafilatura(pages: list[tuple[str, bytes]]) -> Row:
    import trafilatura

    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    trafilatura.extract(pages[0][1])  # warm-up: lazy imports and caches, untimed
    failures = extracted = 0
    started = time.perf_counter()
    for _, data in pages:
        try:
            result = trafilatura.extract(data)
        except Exception:  # noqa: BLE001 - count, do not stop the benchmark
            failures += 1
            continue
        extracted += result is not None
    seconds = time.perf_counter() - started
    nbytes = sum(len(data) for _, data in pages)
    return Row("trafilatura.extract (HTML)", len(pages), nbytes, seconds, failures, extracted)


def bench_text_files(texts: list[tuple[str, str]]) -> list[Row]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="scrapeseg-bench-") as tmp:
        folder = Path(tmp) / "scrapes"
        files = []
        for i, (name, text) in enumerate(texts):
            path = folder / f"{i:05d}_{name.replace('/', '_')}.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text + "\n", encoding="utf-8")
            files.append(path)
        nbytes = sum(path.stat().st_size for path in files)

        failures = segments = 0
        started = time.perf_counter()
        for path in files:
            try:
                result, _, _ = segment_file(path, path.name)
                segments += len(list(result))
            except InputError:
                failures += 1
        seconds = time.perf_counter() - started
        rows.append(Row("segment_file (.txt files)", len(files), nbytes, seconds, failures, segments))

        err = io.StringIO()
        started = time.perf_counter()
        with contextlib.redirect_stderr(err):
            code = segment_command([str(folder)], os.devnull, progress=False)
        seconds = time.perf_counter() - started
        summary = err.getvalue().strip().splitlines()[-1] if err.getvalue().strip() else ""
        parts = summary.replace(",", "").split()
        segments = int(parts[2]) if len(parts) >= 6 else -1
        failures = int(parts[4]) if len(parts) >= 6 else int(code != 0)
        rows.append(Row("segment_command -> JSONL (.txt folder)", len(files), nbytes, seconds, failures, segments))
    return rows


def format_table(rows: list[Row]) -> str:
    header = f"{'method':<40} {'docs':>6} {'MB':>8} {'seconds':>8} {'docs/s':>9} {'MB/s':>7} {'fail':>5} {'out':>8}"
    lines = [header, "-" * len(header)]
    for row in rows:
        lines.append(
            f"{row.name:<40} {row.docs:>6} {row.nbytes / 1e6:>8.2f} {row.seconds:>8.2f} "
            f"{row.docs_per_s:>9.1f} {row.mb_per_s:>7.2f} {row.failures:>5} {row.outputs:>8}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scrapeseg.corpus.bench", description=__doc__.split("\n")[0])
    parser.add_argument("--corpora", type=Path, default=Path("../shared/corpora"), help="corpora folder")
    parser.add_argument("--limit", type=int, default=None, help="number of pages (default: all)")
    parser.add_argument(
        "--datasets", nargs="+", default=list(DATASETS), help="datasets to read, in order (default: %(default)s)"
    )
    args = parser.parse_args(argv)

    import trafilatura  # noqa: F401 - import before timing; kept out of module import

    pages = load_pages(args.corpora, tuple(args.datasets), args.limit)
    if not pages:
        print("no pages found", file=sys.stderr)
        return 1
    by_dataset = {d: sum(name.startswith(d + "/") for name, _ in pages) for d in args.datasets}
    print(
        f"{len(pages)} pages ({', '.join(f'{d}: {n}' for d, n in by_dataset.items())}), "
        f"{sum(len(b) for _, b in pages) / 1e6:.1f} MB of HTML, gunzipped before timing; "
        f"python {sys.version.split()[0]}, trafilatura {trafilatura.__version__}"
    )
    render_html(pages[0][1], pages[0][0])  # warm-up, untimed
    ours, texts = bench_scrapeseg(pages)
    theirs = bench_trafilatura(pages)
    rows = [ours, theirs, *bench_text_files(texts)]
    print(format_table(rows))
    print("out = segments (scrapeseg rows) or pages with extracted text (trafilatura); MB = 10**6 bytes")
    print(
        f"scrapeseg / trafilatura on HTML: {ours.docs_per_s / theirs.docs_per_s:.2f}x docs/s, "
        f"{ours.mb_per_s / theirs.mb_per_s:.2f}x MB/s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
