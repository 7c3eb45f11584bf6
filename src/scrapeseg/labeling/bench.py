"""Label Studio sync benchmark: push 2,000 corpus documents with predictions, re-push them, pull them annotated.

Starts its own Label Studio server (from .venv-studio) on a fresh data dir unless --url is given
(then the token comes from LABEL_STUDIO_API_KEY). Annotating goes through the API and is not timed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

DOCUMENTS = 2000
PUSH_TARGET_DOCS_PER_S = 100
REPUSH_TARGET_S = 10
PULL_TARGET_S = 10


def run(client, url: str, settings: dict, count: int, folder: Path) -> dict:
    """Timed push, re-push and pull of `count` corpus documents; returns the figures."""
    from scrapeseg.labeling import sync
    from scrapeseg.labeling import tasks as T

    config = sync.read_label_config(Path(settings["label_config"]))
    instructions = sync.instructions_html(Path(settings["guidelines"]))
    docs = sync.corpus_documents(Path(settings["segments"]))[:count]
    predictor = sync.Predictor(Path(settings["model"]))
    title = f"bench-{int(time.time())}"
    figures = {"documents": len(docs), "paragraphs": sum(len(d.texts) for d in docs), "model_version": predictor.version}

    start = time.perf_counter()
    project, created = sync.ensure_project(client, title, config, instructions, url)
    report = sync.push(client, url, project, created, docs, predictor, None, None, 0, int(settings["batch_size"]), set())
    figures["push_s"] = time.perf_counter() - start
    assert report.pushed == len(docs), report
    start = time.perf_counter()
    project, created = sync.ensure_project(client, title, config, instructions, url)
    again = sync.push(client, url, project, created, docs, predictor, None, None, 0, int(settings["batch_size"]), set())
    figures["repush_s"] = time.perf_counter() - start
    assert again.pushed == 0 and again.already_present == len(docs), again

    # One annotation per request costs seconds per long task on this server, so the annotated copy
    # is imported with its annotations (the predictions, accepted) in one go; only pull is timed.
    start = time.perf_counter()
    annotated_title = f"{title}-annotated"
    annotated, _ = sync.ensure_project(client, annotated_title, config, instructions, url)
    for first in range(0, len(docs), int(settings["batch_size"])):
        part = docs[first:first + int(settings["batch_size"])]
        request = []
        for doc, pred in zip(part, map(json.loads, predictor.encoded_predictions(part))):
            result = [{k: item[k] for k in ("from_name", "to_name", "type", "value")} for item in pred["result"]]
            request.append({**T.task(doc.doc, doc.texts), "annotations": [{"result": result}]})
        sync.import_tasks(client, annotated.id, json.dumps(request).encode("utf-8"))
    figures["annotate_untimed_s"] = time.perf_counter() - start
    start = time.perf_counter()
    summary = sync.pull(client, url, annotated_title, folder / "annotations", folder / "agreement.json", Path(settings["segments"]))
    figures["pull_s"] = time.perf_counter() - start
    assert summary["documents"] == len(docs), summary
    figures["pulled_segments"] = summary["segments"]
    return figures


def main(argv: list[str] | None = None) -> int:
    """Print push, re-push and pull figures beside the targets."""
    from scrapeseg.cli import load_section
    from scrapeseg.labeling.client import ENV_TOKEN, connect
    from scrapeseg.labeling.server import DEFAULT_BIN, STUDIO_BIN_ENV, TOKEN, StudioServer

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--documents", type=int, default=DOCUMENTS)
    parser.add_argument("--url", help="use a running server instead of starting one")
    args = parser.parse_args(argv)
    settings = load_section(args.params, "studio")
    with tempfile.TemporaryDirectory() as tmp:
        server = None
        if args.url:
            url, token = args.url, os.environ.get(ENV_TOKEN)
        else:
            server = StudioServer(Path(os.environ.get(STUDIO_BIN_ENV, DEFAULT_BIN)), Path(tmp) / "label-studio")
            started = time.perf_counter()
            server.start()
            print(f"label-studio started in {time.perf_counter() - started:.1f} s at {server.url}")
            url, token = server.url, TOKEN
        try:
            figures = run(connect(url, token, float(settings["timeout"])), url, settings, args.documents, Path(tmp))
        finally:
            if server is not None:
                server.stop()
    n = figures["documents"]
    print(f"{n} documents, {figures['paragraphs']:,} paragraphs; predictions from {figures['model_version']}")
    print(f"push with predictions: {figures['push_s']:.1f} s = {n / figures['push_s']:.0f} docs/s (target >= {PUSH_TARGET_DOCS_PER_S})")
    print(f"idempotent re-push: {figures['repush_s']:.1f} s (target <= {REPUSH_TARGET_S} s)")
    print(f"pull of {n} annotated documents ({figures['pulled_segments']:,} segments): {figures['pull_s']:.1f} s (target <= {PULL_TARGET_S} s)")
    print(f"(importing the annotated copy, not timed: {figures['annotate_untimed_s']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
