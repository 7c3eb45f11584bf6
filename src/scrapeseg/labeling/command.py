"""The `scrapeseg studio` verbs: read params and flags, run a sync, print one line per outcome."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from scrapeseg.labeling.client import ENV_TOKEN, ENV_URL, StudioError, connect

STUDIO_SECTION = "studio"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The studio sub-verbs and their flags."""
    verbs = parser.add_subparsers(dest="studio_verb", required=True)
    for name, text in (
        ("push", "import documents with pre-annotations as tasks (idempotent)"),
        ("pull", "export human labels to the annotations folder"),
        ("status", "tasks, annotated tasks and predictions per model version"),
    ):
        verb = verbs.add_parser(name, help=text)
        verb.add_argument("--project", required=True, help="Label Studio project title")
        verb.add_argument("--url", help=f"server URL (default: ${ENV_URL}, else params.yaml studio.url)")
        verb.add_argument("--token", help=f"API token (default: ${ENV_TOKEN}); never printed")
        verb.add_argument("--params", default="params.yaml", help="params file (default: params.yaml)")
        if name == "push":
            verb.add_argument("--select", choices=("uncertain", "disagreeing", "random"),
                              help="which documents: least sure first, most at odds with their current labels first, or a seeded random order")
            verb.add_argument("--limit", type=int, help="push at most this many new documents")
            verb.add_argument("--batch-size", type=int, help="tasks per import request (default: params.yaml)")
            verb.add_argument("--no-progress", action="store_true", help="hide the progress bar")
            verb.add_argument("sources", nargs="*", help="scrape files or folders of scrapes or pages (default: the corpus)")


def _raw_sources(params: str) -> list[tuple[str, Path]]:
    """The corpus's raw-scrape folders, to give pushed files the ids the corpus stage uses."""
    from scrapeseg.cli import load_section

    return [(s["name"], Path(s["path"])) for s in load_section(params, "corpus")["sources"] if s["kind"] == "raw"]


def run(args: argparse.Namespace) -> int:
    """Run one studio verb; StudioError becomes one line on stderr and exit 1."""
    from scrapeseg.cli import load_section

    settings = load_section(args.params, STUDIO_SECTION)
    url = args.url or os.environ.get(ENV_URL) or settings.get("url")
    token = args.token or os.environ.get(ENV_TOKEN)
    try:
        if args.studio_verb == "push" and args.limit is not None and args.limit < 0:
            raise StudioError("--limit must be zero or more")
        client = connect(url, token, float(settings["timeout"]))
        if args.studio_verb == "push":
            return _push(args, settings, client, url)
        if args.studio_verb == "pull":
            return _pull(args, settings, client, url)
        from scrapeseg.labeling.sync import status

        print(json.dumps(status(client, url, args.project), indent=1))
        return 0
    except StudioError as err:
        print(f"scrapeseg studio {args.studio_verb}: {err}", file=sys.stderr)
        return 1


def _push(args, settings: dict, client, url: str) -> int:
    from scrapeseg.labeling import sync
    from scrapeseg.train.saved import ModelError

    config = sync.read_label_config(Path(settings["label_config"]))
    instructions = sync.instructions_html(Path(settings["guidelines"]))
    project, created = sync.ensure_project(client, args.project, config, instructions, url)
    failures: list[str] = []
    if args.sources:
        docs = sync.file_documents(args.sources, _raw_sources(args.params), failures)
    else:
        docs = sync.corpus_documents(Path(settings["segments"]))
    try:
        predictor = sync.Predictor(Path(settings["model"]) if settings.get("model") else None)
    except ModelError as err:
        raise StudioError(f"cannot use the model for predictions: {err}") from None
    report = sync.push(
        client, url, project, created, docs, predictor, args.select, args.limit,
        int(settings["seed"]), int(args.batch_size or settings["batch_size"]),
        sync.annotated_docs(Path(settings["annotations"])), progress=not args.no_progress,
    )
    for failure in failures:
        print(f"scrapeseg studio push: failed: {failure}", file=sys.stderr)
    verb = "created" if report.created else "updated"
    print(
        f"push: project {args.project!r} (id {report.project}) {verb}; {report.documents + len(failures)} inputs: "
        f"{report.pushed} pushed, {report.already_present} already in the project or annotated, "
        f"{report.not_selected} not selected, {len(failures)} failed; predictions from {report.model_version}"
        + (f"; site context: pages of one site predicted together ({report.shared_sites} with two or more)" if report.shared_sites else "")
    )
    return 1 if failures else 0


def _pull(args, settings: dict, client, url: str) -> int:
    from scrapeseg.labeling.sync import pull

    summary = pull(client, url, args.project, Path(settings["annotations"]), Path(settings["agreement"]), Path(settings["segments"]))
    for problem in summary["problems"]:
        print(f"scrapeseg studio pull: skipped: {problem}", file=sys.stderr)
    for doc in summary["stale_documents"]:
        print(f"scrapeseg studio pull: stale: {doc} changed since it was pushed; its labels will not be applied", file=sys.stderr)
    kappa = "n/a" if summary["kappa"] is None else f"{summary['kappa']:.3f}"
    print(
        f"pull: {summary['segments']} labelled segments of {summary['documents']} documents -> {summary['file']}; "
        f"{summary['annotations_used']} annotations used, {summary['annotations_cancelled']} cancelled or skipped; "
        f"{len(summary['stale_documents'])} stale documents; kappa {kappa}, {summary['disagreeing_segments']} disagreeing segments"
    )
    return 0
