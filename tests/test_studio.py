"""`scrapeseg studio push|pull|status` against a real Label Studio server started by the test set-up."""

from __future__ import annotations

import gzip
import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from conftest import REPO, make_subset

from scrapeseg.cli import main
from scrapeseg.labeling import tasks as T
from scrapeseg.labeling.resolve import Annotation, fleiss_kappa, resolve_segment
from scrapeseg.labeling.server import TOKEN
from scrapeseg.labels import Label

PAGES = 6
KILL_PAGES = 12
KILL_BATCH = 2
SPARE_PAGES = 6
_titles = itertools.count()


def _title(name: str) -> str:
    return f"{name}-{next(_titles)}-{time.monotonic_ns() % 10**6}"


@pytest.fixture
def workspace(tmp_path, corpora, small_model) -> dict:
    """A params file whose studio section writes into tmp, and real scrapes rendered from benchmark pages."""
    from scrapeseg.corpus.html import render_html

    params = yaml.safe_load((REPO / "params.yaml").read_text())
    raw = tmp_path / "raw"
    params["corpus"]["sources"] = [{"name": "raw", "path": str(raw), "kind": "raw"}]
    params["studio"].update(
        label_config=str(REPO / "labeling/label_config.xml"), guidelines=str(REPO / "labeling/GUIDELINES.md"),
        annotations=str(tmp_path / "annotations"), agreement=str(tmp_path / "agreement.json"),
        segments=str(tmp_path / "no-corpus.parquet"), model=str(small_model), batch_size=2,
    )
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(params))
    pages = make_subset(corpora, "l3s-gn1", tmp_path / "pages", KILL_PAGES + SPARE_PAGES)
    written = 0
    for page in sorted(pages.glob("*.html.gz")):
        text = render_html(gzip.decompress(page.read_bytes()), page.name).text
        if written == KILL_PAGES or not text.strip():  # a few benchmark pages render to nothing
            continue
        target = raw / f"site{written % 3}" / f"{page.name.split('.')[0]}.txt"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written += 1
    assert written == KILL_PAGES
    return {"params": str(path), "raw": raw, "annotations": tmp_path / "annotations", "agreement": tmp_path / "agreement.json", "pages": pages}


def _studio(capsys, *args) -> tuple[int, str, str]:
    code = main(["studio", *args])
    out, err = capsys.readouterr()
    assert TOKEN not in out + err
    return code, out, err


def _client(studio):
    from label_studio_sdk import LabelStudio

    return LabelStudio(base_url=studio.url, api_key=TOKEN)


def _project(client, title):
    return next(p for p in client.projects.list(title=title) if p.title == title)


def _tasks(client, project_id) -> list:
    return list(client.tasks.list(project=project_id, fields="all"))


def _files(raw: Path, count: int) -> list[str]:
    return [str(p) for p in sorted(raw.rglob("*.txt"))[:count]]


def _annotate(client, task, labels: dict[int, str], **extra):
    result = [T.choice_result(i, label) for i, label in labels.items()]
    return client.annotations.create(id=task.id, result=result, **extra)


def _predicted(task) -> list[str]:
    result = task.predictions[0]["result"] if isinstance(task.predictions[0], dict) else task.predictions[0].result
    return [item["value"]["choices"][0] for item in result]


def _rows(folder: Path, title: str) -> list[dict]:
    from scrapeseg.labeling.sync import project_slug

    return [json.loads(line) for line in (folder / f"{project_slug(title)}.jsonl").read_text().splitlines()]


def test_push_is_idempotent_and_pull_writes_sorted_rows(studio_env, workspace, capsys):
    title = _title("push-pull")
    files = _files(workspace["raw"], PAGES)
    code, out, _ = _studio(capsys, "push", "--project", title, "--params", workspace["params"], "--no-progress", *files)
    assert code == 0, out
    assert f"{PAGES} pushed" in out
    code, out, _ = _studio(capsys, "push", "--project", title, "--params", workspace["params"], "--no-progress", *files)
    assert code == 0 and "0 pushed" in out and f"{PAGES} already" in out
    client = _client(studio_env)
    project = _project(client, title)
    tasks = _tasks(client, project.id)
    assert len(tasks) == PAGES
    docs = sorted(t.data["doc"] for t in tasks)
    assert docs == sorted(f"raw/{Path(f).parent.name}/{Path(f).name}" for f in files)  # corpus ids, so labels reach dvc repro
    for task in tasks:
        assert len(task.predictions) == 1
        pred = task.predictions[0]
        version = pred["model_version"] if isinstance(pred, dict) else pred.model_version
        assert version.startswith("segment-classifier@")
        T.validate_prediction({"model_version": version, "result": pred["result"] if isinstance(pred, dict) else pred.result}, len(task.data["paragraphs"]))
    first = tasks[0]
    predicted = _predicted(first)
    corrected = {0: "teaser" if predicted[0] != "teaser" else "body"}
    _annotate(client, first, {**dict(enumerate(predicted)), **corrected})
    code, out, _ = _studio(capsys, "pull", "--project", title, "--params", workspace["params"])
    assert code == 0, out
    rows = _rows(workspace["annotations"], title)
    assert len(rows) == len(predicted)
    assert [(r["doc"], r["index"]) for r in rows] == sorted((r["doc"], r["index"]) for r in rows)
    assert rows[0]["label"] == corrected[0] and [r["label"] for r in rows[1:]] == predicted[1:]
    assert rows[0]["text_sha256"] == T.text_sha256(first.data["paragraphs"][0]["text"])
    assert set(rows[0]) >= {"doc", "index", "text_sha256", "label", "annotator", "annotation_id", "updated_at"}
    code, out, _ = _studio(capsys, "status", "--project", title, "--params", workspace["params"])
    status = json.loads(out)
    assert status["tasks"] == PAGES and status["annotated_tasks"] == 1
    assert sum(status["predictions_per_model_version"].values()) == PAGES


def test_two_annotators_cancelled_and_ground_truth(studio_env, workspace, capsys):
    title = _title("agree")
    files = _files(workspace["raw"], 2)
    assert _studio(capsys, "push", "--project", title, "--params", workspace["params"], "--no-progress", *files)[0] == 0
    client = _client(studio_env)
    other = client.users.create(username=f"ann{time.monotonic_ns()}", email=f"ann{time.monotonic_ns()}@scrapeseg.test", password="annotator-pass-1")
    project = _project(client, title)
    first, second = sorted(_tasks(client, project.id), key=lambda t: t.data["doc"])
    n = len(first.data["paragraphs"])
    # Admin says body everywhere; the other annotator disagrees on paragraph 0; a third cancelled annotation says teaser.
    _annotate(client, first, {i: "body" for i in range(n)})
    _annotate(client, first, {0: "boilerplate", **{i: "body" for i in range(1, n)}}, completed_by=other.id)
    _annotate(client, first, {i: "teaser" for i in range(n)}, was_cancelled=True)
    # On the second document the other annotator's ground truth wins over two votes.
    m = len(second.data["paragraphs"])
    _annotate(client, second, {0: "body"})
    _annotate(client, second, {0: "body"})
    _annotate(client, second, {0: "teaser"}, completed_by=other.id, ground_truth=True)
    code, out, _ = _studio(capsys, "pull", "--project", title, "--params", workspace["params"])
    assert code == 0 and "1 cancelled or skipped" in out
    rows = {(r["doc"], r["index"]): r for r in _rows(workspace["annotations"], title)}
    assert len(rows) == n + 1 and m >= 1
    assert rows[(first.data["doc"], 1)]["label"] == "body"
    assert rows[(second.data["doc"], 0)]["label"] == "teaser"
    assert rows[(second.data["doc"], 0)]["annotator"] == other.email
    tie = rows[(first.data["doc"], 0)]  # one vote each: the latest annotation wins
    assert tie["label"] == "boilerplate" and tie["annotator"] == other.email
    agreement = json.loads(workspace["agreement"].read_text())
    assert agreement["disagreeing_segments"] == 2
    assert {d["index"] for d in agreement["disagreements"]} == {0}
    assert agreement["kappa_per_label"]["body"] is not None and agreement["kappa_per_label"]["body"] < 1.0


def test_stale_document_is_reported_and_not_applied(studio_env, workspace, capsys):
    from scrapeseg.corpus.build import Source, build_corpus

    title = _title("stale")
    path = Path(_files(workspace["raw"], 1)[0])
    assert _studio(capsys, "push", "--project", title, "--params", workspace["params"], "--no-progress", str(path))[0] == 0
    client = _client(studio_env)
    task = _tasks(client, _project(client, title).id)[0]
    _annotate(client, task, {0: "teaser", 1: "teaser"})
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines[0] + " (edited)", *lines[1:]]) + "\n", encoding="utf-8")
    code, out, err = _studio(capsys, "pull", "--project", title, "--params", workspace["params"])
    assert code == 0 and "1 stale documents" in out
    assert f"stale: {task.data['doc']}" in err
    report = build_corpus([Source("raw", workspace["raw"], "raw")], workspace["annotations"], workspace["raw"].parent / "s.parquet", workspace["raw"].parent / "r.json")
    assert report["human_labels"] == {"applied": 1, "stale": 1}  # paragraph 1 is unchanged, paragraph 0 is stale


class _CuttingProxy(BaseHTTPRequestHandler):
    """Forwards GETs to the real server, but sends only the first half of any export: a transfer cut off mid-way."""

    upstream = ""

    def do_GET(self):
        headers = {k: v for k, v in self.headers.items() if k.lower() in ("authorization", "accept")}
        reply = httpx.get(self.upstream + self.path, headers=headers, timeout=60)
        body = reply.content[: len(reply.content) // 2] if "/export" in self.path else reply.content
        self.send_response(reply.status_code)
        self.send_header("Content-Type", reply.headers.get("content-type", "application/json"))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_cut_off_export_leaves_the_previous_pull_intact(studio_env, workspace, capsys):
    title = _title("cut")
    files = _files(workspace["raw"], 1)
    assert _studio(capsys, "push", "--project", title, "--params", workspace["params"], "--no-progress", *files)[0] == 0
    client = _client(studio_env)
    task = _tasks(client, _project(client, title).id)[0]
    _annotate(client, task, {0: "teaser"})
    assert _studio(capsys, "pull", "--project", title, "--params", workspace["params"])[0] == 0
    before = {p.name: p.read_bytes() for p in workspace["annotations"].iterdir()}
    _annotate(client, task, {0: "body"})
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), type("Proxy", (_CuttingProxy,), {"upstream": studio_env.url}))
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        code, _, err = _studio(capsys, "pull", "--project", title, "--params", workspace["params"], "--url", f"http://127.0.0.1:{proxy.server_port}")
    finally:
        proxy.shutdown()
    assert code == 1 and "sent an export that is not JSON" in err and len(err.strip().splitlines()) == 1
    assert {p.name: p.read_bytes() for p in workspace["annotations"].iterdir()} == before
    assert _rows(workspace["annotations"], title)[0]["label"] == "teaser"


def test_wrong_token_dead_server_and_bad_config(studio_env, workspace, capsys, monkeypatch, tmp_path):
    files = _files(workspace["raw"], 1)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "not-the-token")
    code, out, err = _studio(capsys, "push", "--project", _title("token"), "--params", workspace["params"], *files)
    assert code == 1 and "rejected the API token (HTTP 401)" in err and len(err.strip().splitlines()) == 1
    assert "not-the-token" not in out + err
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", TOKEN)
    code, _, err = _studio(capsys, "status", "--project", "x-project", "--params", workspace["params"], "--url", "http://127.0.0.1:9")
    assert code == 1 and "no Label Studio server answers at http://127.0.0.1:9" in err
    params = yaml.safe_load(Path(workspace["params"]).read_text())
    bad = tmp_path / "bad.xml"
    bad.write_text("<View><Repeater on='$paragraphs'><Choices name='label_{{idx}}'", encoding="utf-8")
    params["studio"]["label_config"] = str(bad)
    Path(workspace["params"]).write_text(yaml.safe_dump(params))
    code, _, err = _studio(capsys, "push", "--project", _title("config"), "--params", workspace["params"], *files)
    assert code == 1 and "not well-formed XML" in err and len(err.strip().splitlines()) == 1


def test_server_config_rejection_is_one_line(studio_env, workspace, capsys):
    from scrapeseg.labeling.client import StudioError, connect
    from scrapeseg.labeling.sync import ensure_project

    client = connect(studio_env.url, TOKEN, 30)
    with pytest.raises(StudioError, match=r"refused to create project .* \(HTTP 400\)") as caught:
        ensure_project(client, _title("server-config"), "<View><Text name='t' value='$missing'/><Choices name='c' toName='nowhere'><Choice value='x'/></Choices></View>", "", studio_env.url)
    assert "\n" not in str(caught.value)


def test_killed_server_mid_push_then_rerun_has_no_duplicates(studio_env, workspace, capsys):
    title = _title("killed")
    files = _files(workspace["raw"], KILL_PAGES)
    client = _client(studio_env)

    def kill_after_first_batch():
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                project = next((p for p in client.projects.list(title=title) if p.title == title), None)
                if project is not None and client.projects.get(id=project.id).task_number >= KILL_BATCH:
                    studio_env.kill()
                    return
            except Exception:
                pass
            time.sleep(0.05)

    killer = threading.Thread(target=kill_after_first_batch)
    killer.start()
    code, out, err = _studio(capsys, "push", "--project", title, "--params", workspace["params"], "--batch-size", str(KILL_BATCH), "--no-progress", *files)
    killer.join()
    try:
        assert code == 1 and "Label Studio" in err and len(err.strip().splitlines()) == 1, out + err
    finally:
        studio_env.start()
    code, out, err = _studio(capsys, "push", "--project", title, "--params", workspace["params"], "--no-progress", *files)
    assert code == 0, err
    tasks = _tasks(_client(studio_env), _project(_client(studio_env), title).id)
    docs = [t.data["doc"] for t in tasks]
    assert len(docs) == len(set(docs)) == KILL_PAGES


def test_push_reports_bad_files_and_goes_on(studio_env, workspace, capsys, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    missing = tmp_path / "missing.txt"
    files = _files(workspace["raw"], 2)
    code, out, err = _studio(capsys, "push", "--project", _title("bad-files"), "--params", workspace["params"], "--no-progress", *files, str(empty), str(missing))
    assert code == 1
    assert "2 pushed" in out and "4 inputs" in out and "2 failed" in out
    assert str(empty) in err and str(missing) in err


def test_select_uncertain_takes_least_sure_documents(studio_env, workspace, capsys, small_model):
    from scrapeseg.labeling.sync import Predictor, file_documents, select_documents

    predictor = Predictor(Path(small_model))
    failures: list[str] = []
    docs = file_documents([str(workspace["raw"])], [("raw", workspace["raw"])], failures)
    assert failures == [] and len(docs) == KILL_PAGES
    chosen, probabilities = select_documents(docs, "uncertain", 3, 0, predictor)
    every = predictor.probabilities(docs)
    ranked = sorted((T.uncertainty(p) for p in every), reverse=True)
    assert [round(T.uncertainty(p), 9) for p in probabilities] == [round(u, 9) for u in ranked[:3]]
    title = _title("uncertain")
    code, out, _ = _studio(capsys, "push", "--project", title, "--params", workspace["params"], "--no-progress", "--select", "uncertain", "--limit", "3", str(workspace["raw"]))
    assert code == 0 and "3 pushed" in out
    pushed = {t.data["doc"] for t in _tasks(_client(studio_env), _project(_client(studio_env), title).id)}
    assert pushed == {d.doc for d in chosen}


def test_select_disagreeing_takes_documents_most_at_odds_with_their_labels(studio_env, workspace, capsys, small_model):
    from scrapeseg.corpus.prelabel import prelabel
    from scrapeseg.labeling.client import StudioError
    from scrapeseg.labeling.sync import Document, Predictor, file_documents, reference_labels, select_documents

    predictor = Predictor(Path(small_model))
    failures: list[str] = []
    files = file_documents([str(workspace["raw"])], [("raw", workspace["raw"])], failures)
    assert failures == [] and all(d.labels is None for d in files)
    predicted = [[Label.names()[k] for k in p.argmax(axis=1).tolist()] for p in predictor.probabilities(files[:3])]
    # Corpus documents carry their labels: one the model agrees with, one it contradicts on every line.
    agreed = Document("corpus/agreed", files[0].texts, labels=predicted[0])
    contradicted = Document("corpus/contradicted", files[1].texts,
                            labels=[Label.TEASER.text if label != Label.TEASER.text else Label.BODY.text for label in predicted[1]])
    docs = [agreed, *files[2:], contradicted]
    chosen, probabilities = select_documents(docs, "disagreeing", None, 0, predictor)
    shares = [T.disagreement(p, reference_labels(d)) for p, d in zip(probabilities, chosen)]
    assert shares == sorted(shares, reverse=True) and len(chosen) == len(docs)
    assert chosen[0].doc == "corpus/contradicted" and shares[0] == 1.0
    assert chosen[-1].doc == "corpus/agreed" and shares[-1] == 0.0
    assert reference_labels(files[2]) == [Label(x).text for x in prelabel(files[2].texts)], "files are compared with the pre-labeller"
    with pytest.raises(StudioError, match="--select disagreeing needs a trained model"):
        select_documents(docs, "disagreeing", 1, 0, Predictor(None))
    title = _title("disagreeing")
    code, out, _ = _studio(capsys, "push", "--project", title, "--params", workspace["params"], "--no-progress", "--select", "disagreeing", "--limit", "2", str(workspace["raw"]))
    assert code == 0 and "2 pushed" in out
    ranked, _ = select_documents(files, "disagreeing", 2, 0, predictor)
    pushed = {t.data["doc"] for t in _tasks(_client(studio_env), _project(_client(studio_env), title).id)}
    assert pushed == {d.doc for d in ranked}


def test_disagreement_is_the_share_of_lines_whose_top_label_differs():
    probabilities = [[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6], [0.5, 0.1, 0.4]]
    assert T.disagreement(probabilities, ["body", "teaser", "boilerplate", "body"]) == 0.0
    assert T.disagreement(probabilities, ["body", Label.BOILERPLATE, 2, "teaser"]) == 0.5
    assert T.disagreement([], []) == 0.0
    with pytest.raises(ValueError, match="3 labels for 4 lines"):
        T.disagreement(probabilities, ["body"] * 3)


def test_validation_rejects_bad_predictions():
    good = T.prediction(["body", "teaser"], "m@1", probabilities=__import__("numpy").array([[0.9, 0.05, 0.05], [0.2, 0.7, 0.1]]))
    T.validate_prediction(good, 2)
    assert good["score"] == pytest.approx(1 - ((0.1 + 0.3) / 2), abs=1e-4)
    bad_label = json.loads(json.dumps(good))
    bad_label["result"][1]["value"]["choices"] = ["advert"]
    with pytest.raises(ValueError, match="advert"):
        T.validate_prediction(bad_label, 2)
    with pytest.raises(ValueError, match="2 results for 3"):
        T.validate_prediction(good, 3)
    swapped = json.loads(json.dumps(good))
    swapped["result"].reverse()
    with pytest.raises(ValueError, match="not a choice of paragraph 0"):
        T.validate_prediction(swapped, 2)


@settings(max_examples=60, deadline=None)
@given(
    labels=st.lists(st.sampled_from(Label.names()), max_size=40),
    version=st.text(min_size=1, max_size=20),
    seed=st.integers(0, 2**16),
    given_score=st.none() | st.floats(0.0, 1.0),
)
def test_prediction_json_is_the_dumped_prediction(labels, version, seed, given_score):
    import numpy as np

    probabilities = np.random.default_rng(seed).dirichlet(np.ones(3), len(labels)) if given_score is None else None
    text = T.prediction_json(labels, version, probabilities=probabilities, score=given_score)
    expected = T.prediction(labels, version, probabilities=probabilities, score=given_score)
    assert text == json.dumps(expected, ensure_ascii=False)
    T.validate_prediction(json.loads(text), len(labels))


def test_prediction_json_refuses_what_validation_refuses():
    with pytest.raises(ValueError, match="advert"):
        T.prediction_json(["body", "advert"], "m@1", score=0.5)
    with pytest.raises(ValueError, match="model_version"):
        T.prediction_json(["body"], "", score=0.5)
    with pytest.raises(ValueError, match="outside"):
        T.prediction_json(["body"], "m@1", score=1.5)
    with pytest.raises(ValueError, match="2 labels for 1"):
        T.prediction_json(["body", "teaser"], "m@1", probabilities=__import__("numpy").array([[0.9, 0.05, 0.05]]))


def test_result_labels_keep_good_items_and_name_each_bad_one():
    def choice(name, labels, kind="choices"):
        return {"from_name": name, "to_name": "doc", "type": kind, "value": {"choices": labels}}

    result = [
        choice("label_0", ["body"]),
        choice("label_2", ["teaser"]),
        choice("label_9", ["body"]),  # past the task's three paragraphs
        choice("label_x", ["body"]),
        choice("label_1", ["advert"]),
        choice("label_1", ["body", "teaser"]),
        choice("note", ["body"], kind="textarea"),
        choice(["label_1"], ["body"]),  # an unhashable name must not crash the pull
    ]
    labels, problems = T.result_labels(result, 3)
    assert labels == {0: "body", 2: "teaser"}
    assert len(problems) == 6
    assert "'label_9' names no paragraph" in problems[0] and "'label_x' names no paragraph" in problems[1]
    assert "'advert'" in problems[2] and "'teaser'" in problems[3]
    assert "'textarea' is not a paragraph choice" in problems[4] and "is not a paragraph choice" in problems[5]


def test_resolution_order_and_kappa():
    a = Annotation(1, "a", "2026-01-01T00:00:00Z", False)
    b = Annotation(2, "b", "2026-01-02T00:00:00Z", False)
    c = Annotation(3, "c", "2026-01-03T00:00:00Z", False)
    truth = Annotation(4, "d", "2026-01-00T00:00:00Z", True)
    assert resolve_segment([(a, "body"), (b, "body"), (c, "teaser")])[0] == "body"
    assert resolve_segment([(a, "body"), (b, "teaser")]) == ("teaser", b)
    assert resolve_segment([(a, "body"), (b, "body"), (truth, "boilerplate")]) == ("boilerplate", truth)
    perfect = fleiss_kappa([["body", "body"], ["teaser", "teaser"], ["boilerplate", "boilerplate"]], Label.names())
    assert perfect["overall"] == 1.0 and set(perfect["per_label"].values()) == {1.0}
    # Two raters, four items, one disagreement: mean disagreement (0 + 1*1/2 + 0 + 0) / 4 over p(1-p), p = 5/8.
    mixed = fleiss_kappa([["body", "body"], ["body", "teaser"], ["teaser", "teaser"], ["body", "body"]], ["body", "teaser"])
    p_body = 5 / 8
    expected = 1 - (0.5 / 4) / (p_body * (1 - p_body))
    assert mixed["per_label"]["body"] == pytest.approx(expected, abs=1e-4)


def test_annotation_lines_match_json_dumps():
    from scrapeseg.labeling.sync import ROW_KEYS, annotation_lines

    one = Annotation(7, 'ann "quoted" é', "2026-01-01T00:00:00Z", False, {1: "teaser", 0: "body"})
    two = Annotation(8, "b", "2026-01-02T00:00:00Z", False, {0: "boilerplate"})
    texts = {'doc/é "x".txt': ["first", "second"], "a.txt": ["one", "two"]}
    lines = annotation_lines({'doc/é "x".txt': [one], "a.txt": [one, two]}, texts)
    rows = [json.loads(line) for line in lines]
    assert [(r["doc"], r["index"]) for r in rows] == [("a.txt", 0), ("a.txt", 1), ('doc/é "x".txt', 0), ('doc/é "x".txt', 1)]
    assert rows[0]["label"] == "boilerplate" and rows[0]["annotation_id"] == 8  # tie: the latest wins
    for line, row in zip(lines, rows):
        assert tuple(row) == ROW_KEYS
        assert line == json.dumps(row, ensure_ascii=False) + "\n"
        assert row["text_sha256"] == T.text_sha256(texts[row["doc"]][row["index"]])


@given(total=st.integers(0, 5000), batch_size=st.integers(1, 1000), first=st.integers(1, 200))
def test_batch_spans_cover_every_document_once(total, batch_size, first):
    from scrapeseg.labeling.sync import RAMP_FACTOR, batch_spans

    spans = batch_spans(total, batch_size, first)
    assert [i for a, b in spans for i in range(a, b)] == list(range(total))
    assert all(b - a <= batch_size for a, b in spans)
    if spans:
        assert spans[0][1] == min(first, batch_size, total)
    sizes = [b - a for a, b in spans]
    # Each batch is at most RAMP_FACTOR times the one before, and only the last may fall short.
    assert all(later <= earlier * RAMP_FACTOR for earlier, later in zip(sizes, sizes[1:]))
    assert all(earlier <= later for earlier, later in zip(sizes[:-1], sizes[1:-1]))


def test_documents_carry_their_site(tmp_path):
    import pandas as pd

    from scrapeseg.labeling.sync import corpus_documents, file_documents

    raw = tmp_path / "raw"
    for relative in ("acme/a.txt", "acme/deep/b.txt", "loose.txt"):
        (raw / relative).parent.mkdir(parents=True, exist_ok=True)
        (raw / relative).write_text("A line.\nAnother line.\n", encoding="utf-8")
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("A line.\n", encoding="utf-8")
    failures: list[str] = []
    docs = file_documents([str(raw), str(outside)], [("raw", raw)], failures)
    assert failures == []
    assert {d.doc: d.site for d in docs} == {"raw/acme/a.txt": "raw:acme", "raw/acme/deep/b.txt": "raw:acme", "raw/loose.txt": None, str(outside): None}
    rows = [("dragnet/1", "dragnet", "example.com"), ("raw/acme/a.txt", "raw", "raw:acme"), ("raw/loose.txt", "raw", "raw:raw"),
            ("seed/0", "seed", "seed:0")]
    labels = ["body", "teaser"]
    table = pd.DataFrame([{"doc": doc, "source": source, "domain": domain, "index": i, "text": f"line {i}", "label": labels[i],
                           "eval_only": source == "seed"} for doc, source, domain in rows for i in range(2)])
    table.to_parquet(tmp_path / "segments.parquet")
    got = corpus_documents(tmp_path / "segments.parquet")
    assert [(d.doc, d.site, d.texts) for d in got] == [("dragnet/1", "example.com", ["line 0", "line 1"]),
                                                       ("raw/acme/a.txt", "raw:acme", ["line 0", "line 1"]),
                                                       ("raw/loose.txt", None, ["line 0", "line 1"])]
    assert all(d.labels == labels for d in got), "corpus documents carry their current labels"


def test_push_predicts_with_site_context(studio_env, workspace, capsys, corpora, tmp_path):
    gold = [json.loads(line) for line in (corpora / "seed" / "000_1aae7a17f217d36a.labels.jsonl").read_text().splitlines()]
    lines = [line.strip() for line in (corpora / "seed" / "000_1aae7a17f217d36a.txt").read_text(encoding="utf-8").splitlines() if line.strip()]
    body = [t for t, g in zip(lines, gold) if g["label"] == Label.BODY.text]
    template = max(body, key=len)  # the seed's longest paragraph, as a site's "about us" box on two of its pages
    rest = [t for t in body if t != template]
    texts = ["\n".join([*rest[:6], template, *rest[6:12]]), "\n".join([*rest[12:], template])]
    raw = workspace["raw"]
    site_files, lone_files = [], []
    for k, text in enumerate(texts):
        for folder, files in ((raw / "acme", site_files), (tmp_path / "lone", lone_files)):
            files.append(folder / f"page{k}.txt")
            folder.mkdir(parents=True, exist_ok=True)
            files[-1].write_text(text, encoding="utf-8")
    params = yaml.safe_load(Path(workspace["params"]).read_text())
    params["studio"]["batch_size"] = 1  # each page in its own import batch: the site pass must still see both
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params))
    client = _client(studio_env)

    def template_labels(files) -> list[str]:
        title = _title("site")
        code, out, _ = _studio(capsys, "push", "--project", title, "--params", str(tmp_path / "params.yaml"), "--no-progress", *map(str, files))
        assert code == 0 and "2 pushed" in out
        assert ("site context: pages of one site predicted together (1 with two or more)" in out) == (files == site_files)
        tasks = _tasks(client, _project(client, title).id)
        assert len(tasks) == 2
        return [label for task in tasks for text, label in zip(task.data["paragraphs"], _predicted(task)) if text["text"] == template]

    assert template_labels(lone_files) == [Label.BODY.text] * 2, "pages of no known site: each copy reads as a paragraph"
    assert Label.BODY.text not in template_labels(site_files), "two pages under corpus/raw/acme/: the site's template"
