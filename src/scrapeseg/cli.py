"""The `scrapeseg` command: one verb per pipeline stage, plus segmentation of arbitrary files."""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import sys
from pathlib import Path

DEFAULT_PARAMS = "params.yaml"
# OpenBLAS picks its kernels by CPU, and kernels round differently: the MLP trained with SkylakeX
# kernels differs from the one trained with Haswell's, and so do the metrics. The stage verbs hold
# OpenBLAS to one kernel set on every x86-64 machine (Haswell's needs AVX2), so that `dvc repro`
# gives the same model bytes on all of them.
BLAS_CORETYPE_VARIABLE = "OPENBLAS_CORETYPE"
BLAS_CORETYPE = "Haswell"
X86_64_MACHINES = frozenset(("x86_64", "amd64"))
CPUINFO = Path("/proc/cpuinfo")
AVX2_FLAG = "avx2"


def cpu_has_avx2(cpuinfo: Path = CPUINFO) -> bool | None:
    """Whether the CPU has AVX2, from the flags in /proc/cpuinfo (None where that file cannot be read)."""
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return any(AVX2_FLAG in line.split() for line in text.splitlines() if line.startswith("flags"))


def pinned_blas_environment(environ: dict, machine: str, has_avx2: bool | None = None) -> dict:
    """environ with OpenBLAS held to BLAS_CORETYPE's kernels on an x86-64 machine, whatever it said before.

    A CPU known to lack AVX2 keeps OpenBLAS's own choice: Haswell's kernels would stop the
    process with an illegal instruction there.
    """
    if machine.lower() not in X86_64_MACHINES or has_avx2 is False:
        return dict(environ)
    return {**environ, BLAS_CORETYPE_VARIABLE: BLAS_CORETYPE}


def pin_blas() -> None:
    """Hold this process's OpenBLAS to BLAS_CORETYPE's kernels; call it before anything imports numpy."""
    # OpenBLAS reads the variable once, when numpy loads it.
    os.environ.update(pinned_blas_environment(dict(os.environ), platform.machine(), cpu_has_avx2()))


def load_section(params: str, section: str) -> dict:
    """One section of params.yaml, or exit with a message naming what is missing."""
    import yaml

    path = Path(params)
    if not path.is_file():
        raise SystemExit(f"scrapeseg: params file {params} not found")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if section not in data:
        raise SystemExit(f"scrapeseg: params file {params} has no '{section}' section")
    return data[section]


def cmd_segment(args: argparse.Namespace) -> int:
    """Segment text scrapes and HTML pages into JSON Lines."""
    from scrapeseg.corpus.batch import segment_command

    return segment_command(args.paths, args.output, progress=not args.no_progress)


def cmd_corpus(args: argparse.Namespace) -> int:
    """Build the labelled segments table from the sources in params.yaml."""
    from scrapeseg.corpus.build import Source, build_corpus

    section = load_section(args.params, "corpus")
    sources = [Source(s["name"], Path(s["path"]), s["kind"]) for s in section["sources"]]
    report = build_corpus(sources, Path(section["annotations"]), Path(section["segments"]), Path(section["report"]), Path(section["coverage"]))
    for failure in report["failures"]:
        print(f"corpus: failed: {failure}", file=sys.stderr)
    counts = {name: s.get("segments", 0) for name, s in report["sources"].items()}
    print(f"corpus: {sum(counts.values())} segments from {len(counts)} sources; {len(report['failures'])} failures")
    return 0


def cmd_dataset(args: argparse.Namespace) -> int:
    """Split the segments table by domain into a Hugging Face DatasetDict."""
    from scrapeseg.corpus.dataset import build_dataset

    s = load_section(args.params, "dataset")
    report = build_dataset(Path(s["segments"]), Path(s["out"]), Path(s["report"]), int(s["seed"]), s["shares"], s["train_origins"])
    print("dataset: " + ", ".join(f"{k} {v['documents']} docs/{v['segments']} segments" for k, v in report["splits"].items()))
    return 0


def cmd_prelabel(args: argparse.Namespace) -> int:
    """Score the text-only pre-labeller on the labelled sources named in params.yaml."""
    from scrapeseg.corpus.prelabel_eval import evaluate_prelabeller

    s = load_section(args.params, "prelabel")
    metrics = evaluate_prelabeller(Path(s["segments"]), s["sources"])
    Path(s["metrics"]).write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    for source, m in metrics.items():
        print(f"prelabel {source}: " + ", ".join(f"{k} F1 {v['f1']:.3f}" for k, v in m["per_class"].items()))
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    """Fit the segment classifier and save it."""
    from scrapeseg.train.stage import run_train

    path = run_train(load_section(args.params, args.section or "train"))
    print(f"{args.section or 'train'}: saved {path}")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Score the saved classifier and write metrics, plots, the error report and the model card."""
    from scrapeseg.train.stage import run_evaluate

    scores = run_evaluate(load_section(args.params, args.section or "evaluate"))
    for split, s in scores.items():
        spans = s.get("intervals")

        def span(name: str) -> str:
            return f" ({spans[name + '_low']:.3f}–{spans[name + '_high']:.3f})" if spans else ""

        print(f"{args.section or 'evaluate'} {split}: macro-F1 {s['macro_f1']:.3f}{span('macro_f1')}, "
              f"body token-F1 {s['body_token_f1']['f1']:.3f}{span('body_token_f1')}")
    return 0


def cmd_peers(args: argparse.Namespace) -> int:
    """Run the peer extractors and the classifier on the same held-out pages and write the table."""
    from scrapeseg.train.peers_stage import run_peers_stage, versus_line

    s = load_section(args.params, "peers")
    rows, versus = run_peers_stage(s["model"], s["dataset"], s["corpora"], s["table"], s["markdown"], limit=s.get("limit"),
                                   bootstrap=s.get("bootstrap"), html_model_path=s.get("model_html"))
    for row in rows:
        print(f"peers: {row['peer']}: F1 {row['f1']:.3f}, {row['pages_per_s']:.1f} pages/s")
    for name, figures in versus.items():
        print(f"peers: {versus_line(name, figures)}")
    return 0


def _model_error(func):
    """Run a model command, turning a bad or missing model into a one-line message and exit 2."""

    def run(args: argparse.Namespace) -> int:
        # Imported here, not when the parser is built: numpy must not load before main pins OpenBLAS.
        from scrapeseg.train.saved import ModelError

        try:
            return func(args)
        except ModelError as err:
            print(f"scrapeseg: {err}", file=sys.stderr)
            return 2

    return run


def cmd_classify(args: argparse.Namespace) -> int:
    """Classify every segment of the files, printing JSON Lines."""
    from scrapeseg.train.apply import classify_command

    return classify_command(args.files, args.model, same_site=args.same_site)


def cmd_extract(args: argparse.Namespace) -> int:
    """Print the body text of one file."""
    from scrapeseg.train.apply import extract_command

    return extract_command(args.file, args.model)


def cmd_studio(args: argparse.Namespace) -> int:
    """Push documents to, pull labels from, or show the status of a Label Studio project."""
    from scrapeseg.labeling.command import run

    return run(args)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every verb."""
    parser = argparse.ArgumentParser(prog="scrapeseg", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    verbs = parser.add_subparsers(dest="verb", required=True)

    seg = verbs.add_parser("segment", help="segment .txt scrapes and .html/.htm/.html.gz pages into JSON Lines")
    seg.add_argument("paths", nargs="+", help="files or folders")
    seg.add_argument("-o", "--output", help="write JSON Lines here instead of stdout")
    seg.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    seg.set_defaults(func=cmd_segment)

    for name, func, text in (
        ("corpus", cmd_corpus, "stage: import the corpora into a labelled segments table"),
        ("dataset", cmd_dataset, "stage: split by domain into a DatasetDict"),
        ("prelabel", cmd_prelabel, "stage: measure the text-only pre-labeller"),
        ("train", cmd_train, "stage: fit and save the segment classifier"),
        ("evaluate", cmd_evaluate, "stage: score the classifier, write metrics, plots and the model card"),
        ("peers", cmd_peers, "stage: compare with HTML extractors on held-out pages"),
    ):
        verb = verbs.add_parser(name, help=text)
        verb.add_argument("--params", default=DEFAULT_PARAMS, help="params file (default: params.yaml)")
        if name in ("train", "evaluate"):
            verb.add_argument("--section", help=f"params section to read (default: {name}; e.g. {name}_html for the markup model)")
        verb.set_defaults(func=func, pin_blas=True)
    classify = verbs.add_parser("classify", help="label every segment of text scrapes (.txt) and pages (.html/.htm/.html.gz)")
    classify.add_argument("--model", help="saved model (default: models/segment-classifier.joblib)")
    classify.add_argument("--same-site", action="store_true",
                          help="the files are pages of one site: lines that recur on its other pages are its template, not body")
    classify.add_argument("files", nargs="+", help="files to classify")
    classify.set_defaults(func=_model_error(cmd_classify))
    extract = verbs.add_parser("extract", help="print the body text of one scrape or page")
    extract.add_argument("--model", help="saved model (default: models/segment-classifier.joblib)")
    extract.add_argument("file", help="file to extract from")
    extract.set_defaults(func=_model_error(cmd_extract))
    studio = verbs.add_parser("studio", help="Label Studio: push documents with predictions, pull human labels, status")
    from scrapeseg.labeling.command import add_arguments

    add_arguments(studio)
    studio.set_defaults(func=cmd_studio)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    if getattr(args, "pin_blas", False):
        pin_blas()
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
