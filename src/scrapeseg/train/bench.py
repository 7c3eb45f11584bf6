"""Classifier throughput benchmark: batch API, `scrapeseg classify`, start-up, and HTML pages beside trafilatura.

Steady state is the marginal rate between a small and a large run (about 900 and 4,500 text
scrapes), so start-up and warm-up cancel out. Scrapes are the corpus's own rendered pages. The
HTML figure times the test split's benchmark pages, rendered and classified, against
trafilatura on the same pages in the same process.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SMALL_RUN = 900
LARGE_RUN = 4500
STARTUP_RUNS = 3
HTML_PAGES = 447  # the held-out test split's benchmark pages, as in the peers stage
HTML_TARGET_RATIO = 5.0
HTML_WARM_UP_SPLIT = "validation"  # other sites than the timed test pages
STARTUP_CODE = "import time; t=time.perf_counter(); import scrapeseg; scrapeseg.load_model({path!r}); print(time.perf_counter()-t)"
# Start-up plus the first classification, which loads the compiled kernels from their cache.
FIRST_RESULT_CODE = (
    "import time; t=time.perf_counter(); import scrapeseg; m=scrapeseg.load_model({path!r}); "
    "m.classify('Logo\\nA first line of text.\\nRelated Articles'); print(time.perf_counter()-t)"
)


def load_scrapes(dataset: str, count: int) -> list[str]:
    """`count` text scrapes from the corpus (all splits, cycled), each its segment texts joined by newlines."""
    return load_scrapes_and_sites(dataset, count)[0]


def load_scrapes_and_sites(dataset: str, count: int) -> tuple[list[str], list[str]]:
    """`count` text scrapes as load_scrapes gives them, and each one's domain as its site."""
    from scrapeseg.corpus.dataset import load_corpus

    corpus = load_corpus(dataset)
    texts: list[str] = []
    sites: list[str] = []
    for split in corpus:
        frame = corpus[split].select_columns(["doc", "domain", "index", "text"]).to_pandas().sort_values(["doc", "index"])
        for (_, domain), group in frame.groupby(["doc", "domain"], sort=True):
            texts.append("\n".join(group["text"]) + "\n")
            sites.append(domain)
    return [texts[i % len(texts)] for i in range(count)], [sites[i % len(sites)] for i in range(count)]


def marginal_rate(run, small: int, large: int) -> tuple[float, float, float]:
    """(marginal docs/s, seconds for small, seconds for large) of run(n)."""
    t_small = run(small)
    t_large = run(large)
    return (large - small) / (t_large - t_small), t_small, t_large


def bench_api(model, scrapes: list[str], sites: list[str] | None = None) -> tuple[float, float, float]:
    """Marginal rate of `classify_batch` over text scrapes (with sites: each scrape's site, for the site pass)."""

    def run(n: int) -> float:
        start = time.perf_counter()
        model.classify_batch(scrapes[:n], sites=None if sites is None else sites[:n])
        return time.perf_counter() - start

    run(100)
    return marginal_rate(run, SMALL_RUN, LARGE_RUN)


def bench_cli(model_path: str, scrapes: list[str], folder: Path) -> tuple[float, float, float]:
    """Marginal rate of `scrapeseg classify` over .txt files, JSON Lines to a file."""
    files = []
    for i, text in enumerate(scrapes):
        path = folder / f"{i:05d}.txt"
        path.write_text(text, encoding="utf-8")
        files.append(str(path))

    def run(n: int) -> float:
        start = time.perf_counter()
        with open(folder / "out.jsonl", "w", encoding="utf-8") as out:
            subprocess.run([sys.executable, "-m", "scrapeseg.cli", "classify", "--model", model_path, *files[:n]], stdout=out, check=True)
        return time.perf_counter() - start

    return marginal_rate(run, SMALL_RUN, LARGE_RUN)


def bench_startup(model_path: str, code: str = STARTUP_CODE) -> float:
    """Median seconds for a fresh interpreter to run code (by default: import scrapeseg and load the model)."""
    runs = [float(subprocess.run([sys.executable, "-c", code.format(path=model_path)], capture_output=True, text=True, check=True).stdout) for _ in range(STARTUP_RUNS)]
    return statistics.median(runs)


def bench_html(model, pages: list[bytes], warm_up: list[bytes]) -> tuple[float, float]:
    """(scrapeseg pages/s, trafilatura pages/s) on the same HTML pages, one after the other in this process.

    scrapeseg first classifies warm_up, other sites' pages, so its token and line caches hold what a
    long-running process's would but none of the timed pages' own lines; trafilatura keeps no such
    caches and warms up on one tiny page.
    """
    from scrapeseg.train.peers import WARM_UP_PAGE, safe_extract, trafilatura_default

    model.classify_batch(warm_up, kind="html")
    start = time.perf_counter()
    model.classify_batch(pages, kind="html")
    ours = len(pages) / (time.perf_counter() - start)
    safe_extract(trafilatura_default, WARM_UP_PAGE)
    start = time.perf_counter()
    for page in pages:
        safe_extract(trafilatura_default, page)
    return ours, len(pages) / (time.perf_counter() - start)


def main(argv: list[str] | None = None) -> int:
    """Print the classifier's throughput figures."""
    from scrapeseg.train.saved import load_model

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="models/segment-classifier.joblib")
    parser.add_argument("--dataset", default="corpus/dataset")
    parser.add_argument("--corpora", default="../shared/corpora", help="benchmark pages for the HTML figure")
    args = parser.parse_args(argv)
    model = load_model(args.model)
    scrapes, sites = load_scrapes_and_sites(args.dataset, LARGE_RUN)
    lines = statistics.median(text.count("\n") for text in scrapes)
    size = statistics.median(len(text.encode("utf-8")) for text in scrapes)
    print(f"{LARGE_RUN} text scrapes, median {lines:.0f} lines, {size / 1024:.1f} KB; model {model.identity}")
    rate, small, large = bench_api(model, scrapes)
    print(f"batch API classify_batch: {rate:,.0f} scrapes/s marginal ({SMALL_RUN} in {small:.2f} s, {LARGE_RUN} in {large:.2f} s)")
    rate, small, large = bench_api(model, scrapes, sites)
    print(f"batch API classify_batch with sites= (their domains): {rate:,.0f} scrapes/s marginal ({SMALL_RUN} in {small:.2f} s, {LARGE_RUN} in {large:.2f} s)")
    with tempfile.TemporaryDirectory() as tmp:
        rate, small, large = bench_cli(args.model, scrapes, Path(tmp))
    print(f"scrapeseg classify (JSON Lines): {rate:,.0f} scrapes/s marginal ({SMALL_RUN} in {small:.2f} s, {LARGE_RUN} in {large:.2f} s)")
    print(f"start-up (import + load_model), median of {STARTUP_RUNS}: {bench_startup(args.model):.2f} s")
    print(f"first result (start-up + classifying one short scrape), median of {STARTUP_RUNS}: {bench_startup(args.model, FIRST_RESULT_CODE):.2f} s")
    from scrapeseg.train.peers_stage import test_pages

    pages = [page["html"] for page in test_pages(args.dataset, args.corpora, limit=HTML_PAGES)]
    warm_up = [page["html"] for page in test_pages(args.dataset, args.corpora, split=HTML_WARM_UP_SPLIT, limit=HTML_PAGES)]
    ours, theirs = bench_html(model, pages, warm_up)
    print(f"HTML pages (render + classify, {len(pages)} test pages after {len(warm_up)} {HTML_WARM_UP_SPLIT} pages): {ours:,.1f} pages/s vs trafilatura {theirs:,.1f} pages/s = {ours / theirs:.1f}x (target >= {HTML_TARGET_RATIO:.0f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
