"""End to end: labels corrected in Label Studio and pulled change the training data of `dvc repro`, and the retrained model follows them."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import make_subset
from test_pipeline import _copy_repo, _run

from scrapeseg.corpus.html import render_html
from scrapeseg.labeling.server import TOKEN

TRAIN_PAGES = 40  # benchmark pages the model learns from besides the corrected scrapes
RAW_PAGES = 30  # users' scrapes, spread over sites so that most land in the training split
RAW_SITES = 10
SPARE_PAGES = 4
CORRECTED = "boilerplate"
# A body-shaped sentence the model mostly calls body until people correct it in every scrape that holds it.
# Made-up words carry the correction: no other line shares them, so only the human labels can teach them.
PLANTED = "Quillfeather mirrorvale zandorik plexiquin trovemark ulthane brisquel dorvanth keslumir, the vantorel oskrimble said on Tuesday."


def _plant(lines: list[str]) -> list[str]:
    """The page's lines with the planted sentence in the middle."""
    middle = len(lines) // 2
    return [*lines[:middle], PLANTED, *lines[middle:]]


def _corrected_count(repo: Path, params: dict) -> tuple[int, int]:
    """(corrected scrapes in the training split, in all) where the saved model gives the planted line the corrected label."""
    from scrapeseg.corpus.dataset import domain_split
    from scrapeseg.train.saved import load_model

    model = load_model(repo / "models" / "segment-classifier.joblib")
    paths = sorted((repo / "corpus" / "raw").rglob("*.txt"))
    split = params["dataset"]
    trained = [domain_split(f"raw:{p.parent.name}", split["seed"], split["shares"]) == "train" for p in paths]
    hits = [any(s.label == CORRECTED for s in doc if s.text == PLANTED) for doc in model.classify_batch([p.read_text(encoding="utf-8") for p in paths])]
    return sum(h for h, t in zip(hits, trained) if t), sum(hits)


@pytest.mark.slow
def test_pulled_correction_retrains_the_model(tmp_path, corpora, studio_env, capsys, monkeypatch):
    from label_studio_sdk import LabelStudio

    from scrapeseg.cli import main

    repo = _copy_repo(tmp_path)
    shared = tmp_path / "subset"
    benchmark = make_subset(corpora, "l3s-gn1", shared, TRAIN_PAGES)
    raw_pages = make_subset(corpora, "wcxb", shared, RAW_PAGES + SPARE_PAGES)
    rendered = [render_html(gzip.decompress(p.read_bytes()) if p.name.endswith(".gz") else p.read_bytes(), p.name).text.splitlines() for p in sorted(raw_pages.glob("*.htm*"))]
    rendered = [lines for lines in rendered if len(lines) > 4]
    scrapes = rendered[:RAW_PAGES]
    for i, lines in enumerate(scrapes):
        target = repo / "corpus" / "raw" / f"site{i % RAW_SITES:02d}" / f"scrape{i:02d}.txt"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(_plant(lines)) + "\n", encoding="utf-8")
    params = yaml.safe_load((repo / "params.yaml").read_text())
    keep = [s for s in params["corpus"]["sources"] if s["kind"] in ("seed", "raw")]
    params["corpus"]["sources"] = [{"name": "l3s-gn1", "path": str(benchmark), "kind": "benchmark"}, *keep]
    params["train"]["max_docs"] = None
    (repo / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    _run(["git", "init", "-q"], repo)
    _run(["dvc", "repro", "evaluate"], repo)
    assert len(scrapes) == RAW_PAGES
    before_train, before = _corrected_count(repo, params)

    title = f"e2e-{tmp_path.name}"
    args = ["--project", title, "--params", str(repo / "params.yaml")]
    monkeypatch.chdir(repo)  # the studio verbs read the repo's relative paths, as users run them
    assert main(["studio", "push", *args, "--no-progress", "corpus/raw"]) == 0
    client = LabelStudio(base_url=studio_env.url, api_key=TOKEN)
    project = next(p for p in client.projects.list(title=title) if p.title == title)
    tasks = list(client.tasks.list(project=project.id, fields="all"))
    assert len(tasks) == len(scrapes)
    for task in tasks:
        prediction = task.predictions[0]
        result = prediction["result"] if isinstance(prediction, dict) else prediction.result
        texts = [p["text"] for p in task.data["paragraphs"]]
        for item in result:  # the annotator accepts the predictions and corrects the planted line
            if texts[int(item["from_name"].split("_")[1])] == PLANTED:
                item["value"] = {"choices": [CORRECTED]}
        client.annotations.create(id=task.id, result=[{k: item[k] for k in ("from_name", "to_name", "type", "value")} for item in result])
    assert main(["studio", "pull", *args]) == 0
    capsys.readouterr()

    rerun = _run(["dvc", "repro", "evaluate"], repo)
    assert "Running stage 'corpus'" in rerun.stdout and "Running stage 'train'" in rerun.stdout
    report = json.loads((repo / params["corpus"]["report"]).read_text())
    assert report["human_labels"]["applied"] == sum(len(t.data["paragraphs"]) for t in tasks) and report["human_labels"]["stale"] == 0
    segments = pd.read_parquet(repo / params["corpus"]["segments"], columns=["text", "label", "origin"])
    planted = segments[segments["text"] == PLANTED]
    assert len(planted) == len(scrapes) and set(planted["label"]) == {CORRECTED} and set(planted["origin"]) == {"human"}
    # The correction recurs in the training split's scrapes, so the model remembers it and gets the
    # planted line right in every scrape, the held-out ones included.
    after_train, after = _corrected_count(repo, params)
    assert before < len(scrapes) and after == len(scrapes), (before_train, after_train, before, after)
