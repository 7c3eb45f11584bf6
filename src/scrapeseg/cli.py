"""The `scrapeseg` command: one verb per pipeline stage, plus segmentation of arbitrary files."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

DEFAULT_PARAMS = "params.yaml"


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
    ):
        verb = verbs.add_parser(name, help=text)
        verb.add_argument("--params", default=DEFAULT_PARAMS, help="params file (default: params.yaml)")
        verb.set_defaults(func=func)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
