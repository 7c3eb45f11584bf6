"""`scrapeseg studio push|pull|status`: move documents, predictions and human labels to and from Label Studio.

Push is idempotent through the document id stored in each task's data (``doc``): documents whose
id is already a task of the project are never imported again, so a push interrupted half-way is
completed by running it again. Pull exports the annotations, resolves several annotations of one
document (ground truth, then majority, then latest), writes one sorted JSON Lines file per project
under the annotations folder atomically, and reports agreement and stale documents.
"""

from __future__ import annotations

import json
import os
import random
import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from scrapeseg.gcpause import gc_paused
from scrapeseg.labeling import tasks as T
from scrapeseg.labeling.client import StudioError, translated
from scrapeseg.labeling.resolve import Annotation, agreement_report, resolve_document
from scrapeseg.labels import Label

SELECT_MODES = ("uncertain", "disagreeing", "random")
TASK_PAGE_SIZE = 1000
# The server idles while the client predicts the first batch, so that one is short; each next
# batch is predicted while the server imports the current one, so sizes grow only RAMP_FACTOR-fold
# (the server's time per request has a fixed part, so the batches then stay large).
FIRST_BATCH_DOCS = 50
RAMP_FACTOR = 4
PRELABEL_SCORE = 0.5  # the pre-labeller has no probabilities: an explicit "unsure" for every task
ROW_KEYS = ("doc", "index", "text_sha256", "label", "annotator", "annotation_id", "updated_at")


@dataclass
class Document:
    """One document to push: its stable id, segment texts, a file's path, its site if known, a corpus document's labels."""

    doc: str
    texts: list[str]
    path: str | None = None
    site: str | None = None
    labels: list[str] | None = None


@dataclass
class PushReport:
    """What a push did; documents = pushed + already_present + not_selected."""

    project: int
    created: bool
    documents: int = 0
    pushed: int = 0
    already_present: int = 0
    not_selected: int = 0
    model_version: str = ""
    shared_sites: int = 0  # sites with two or more pushed pages, predicted together by the model


# ----- configuration --------------------------------------------------------------------------
def read_label_config(path: Path) -> str:
    """The label config XML, checked to hold one single choice of every label per repeated paragraph."""
    from lxml import etree

    try:
        xml = path.read_text(encoding="utf-8")
        root = etree.fromstring(xml.encode("utf-8"))
    except OSError as err:
        raise StudioError(f"cannot read the label config {path}: {err.strerror or err}") from None
    except etree.XMLSyntaxError as err:
        raise StudioError(f"label config {path} is not well-formed XML: {err}") from None
    repeaters = root.xpath("//Repeater[@on='$paragraphs']")
    if len(repeaters) != 1:
        raise StudioError(f"label config {path} needs exactly one <Repeater on=\"$paragraphs\">")
    choices = repeaters[0].xpath(".//Choices")
    if len(choices) != 1 or choices[0].get("name") != T.CHOICE_PREFIX + "{{idx}}" or choices[0].get("toName") != T.OBJECT_NAME:
        raise StudioError(f"label config {path} needs one <Choices name=\"{T.CHOICE_PREFIX}{{{{idx}}}}\" toName=\"{T.OBJECT_NAME}\"> in the Repeater")
    if not root.xpath(f"//Text[@name='{T.OBJECT_NAME}']"):
        raise StudioError(f"label config {path} needs a <Text name=\"{T.OBJECT_NAME}\"> for the choices to label")
    values = [c.get("value") for c in choices[0].xpath("./Choice")]
    if values != Label.names():
        raise StudioError(f"label config {path} offers choices {values}; they must be {Label.names()} in that order")
    if choices[0].get("choice", "single") not in ("single", "single-radio"):
        raise StudioError(f"label config {path}: the paragraph choice must be single, not {choices[0].get('choice')!r}")
    return xml


def instructions_html(guidelines: Path) -> str:
    """The annotation guidelines rendered from Markdown to HTML for the project's instructions."""
    from markdown_it import MarkdownIt

    try:
        return MarkdownIt("commonmark").enable("table").render(guidelines.read_text(encoding="utf-8"))
    except OSError as err:
        raise StudioError(f"cannot read the guidelines {guidelines}: {err.strerror or err}") from None


def project_slug(title: str) -> str:
    """A file name for a project title: lower case letters, digits and dashes."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return slug or "project"


# ----- server side ------------------------------------------------------------------------------
def find_project(client, title: str, url: str):
    """The project with exactly this title, or None."""
    with translated("list projects", url):
        for project in client.projects.list(title=title):
            if project.title == title:
                return project
    return None


def ensure_project(client, title: str, config: str, instructions: str, url: str):
    """(project, created): create the project or bring its config and instructions up to date."""
    project = find_project(client, title, url)
    settings = {"label_config": config, "expert_instruction": instructions, "show_instruction": True}
    if project is None:
        with translated(f"create project {title!r}", url):
            return client.projects.create(title=title, **settings), True
    with translated(f"update project {title!r}", url):
        client.projects.update(id=project.id, **settings)
    return project, False


def project_docs(client, project_id: int, url: str) -> dict[str, int]:
    """Document id -> task id of every task in the project."""
    found: dict[str, int] = {}
    with translated("list the project's tasks", url):
        for task in client.tasks.list(project=project_id, fields="task_only", include="id,meta", page_size=TASK_PAGE_SIZE):
            doc = (task.meta or {}).get("doc")
            if doc is not None:
                found.setdefault(doc, task.id)
    return found


def export_tasks(client, project_id: int, url: str) -> list[dict]:
    """Every annotated task of the project through the export API (JSON)."""
    import orjson

    # One plain GET: the SDK's download_sync yields the body in thousands of small chunks, and
    # orjson parses the ~60 MB export of 2,000 long tasks three times faster than json.
    with translated("export annotations", url):
        data = raw_request(client, "GET", f"api/projects/{project_id}/export", params={"exportType": "JSON", "download_all_tasks": "false"}).content
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        raise StudioError(f"Label Studio at {url} sent an export that is not JSON ({len(data)} bytes)") from None


def annotator_names(client, url: str) -> dict[int, str]:
    """User id -> e-mail (or username) for naming annotators."""
    with translated("list users", url):
        return {user.id: user.email or user.username or str(user.id) for user in client.users.list()}


def raw_request(client, method: str, path: str, body: bytes | None = None, params: dict | None = None):
    """A request through the SDK's authenticated HTTP client, raising ApiError on an HTTP error status."""
    from label_studio_sdk.core.api_error import ApiError

    headers = {"Content-Type": "application/json"} if body is not None else None
    response = client._client_wrapper.httpx_client.request(path, method=method, content=body, headers=headers, params=params)
    if response.status_code >= 400:
        raise ApiError(status_code=response.status_code, body=response.text)
    return response


def model_versions(client, project_id: int, url: str) -> dict[str, int]:
    """Predictions per model version in the project."""
    # The SDK has no call for this Community endpoint, so use its authenticated HTTP client.
    with translated("count predictions per model version", url):
        return dict(sorted(raw_request(client, "GET", f"api/projects/{project_id}/model-versions/").json().items()))


def import_tasks(client, project_id: int, body: bytes) -> None:
    """Import tasks already encoded as a JSON array."""
    # The SDK's own import re-encodes the request through its jsonable_encoder, which costs as
    # much client time per batch as the server's import of it; the tasks are plain JSON already.
    raw_request(client, "POST", f"api/projects/{project_id}/import", body)


# ----- documents ------------------------------------------------------------------------------
def corpus_documents(segments: Path) -> list[Document]:
    """The corpus's documents (not the eval-only seed) from the segments table, in document order."""
    import pyarrow.parquet as pq

    if not segments.is_file():
        raise StudioError(f"no corpus at {segments}; run `dvc repro corpus` or name files or folders to push")
    table = pq.read_table(segments, columns=["doc", "source", "domain", "index", "text", "label", "eval_only"]).to_pandas()
    table = table[~table["eval_only"]].sort_values(["doc", "index"], kind="stable")
    return [Document(doc, group["text"].tolist(), site=document_site(source, domain), labels=group["label"].tolist())
            for (doc, source, domain), group in table.groupby(["doc", "source", "domain"], sort=True)]


def document_site(source: str, domain: str) -> str | None:
    """A corpus document's site for the site pass: its domain, or None for a raw source's root files (one domain, many sites)."""
    from scrapeseg.corpus.build import raw_domain

    return None if domain == raw_domain(source, "") else domain


def raw_location(path: Path, raw_sources: Sequence[tuple[str, Path]]) -> tuple[str, str] | None:
    """(source name, path relative to its folder) for a file inside a raw-scrapes source folder, else None."""
    resolved = path.resolve()
    for name, folder in raw_sources:
        try:
            return name, resolved.relative_to(folder.resolve()).as_posix()
        except ValueError:
            continue
    return None


def file_documents(sources: Sequence[str], raw_sources: Sequence[tuple[str, Path]], failures: list[str]) -> list[Document]:
    """Documents from scrape files and folders (inside raw sources: corpus ids and sites; else the path as given, no site)."""
    from scrapeseg.corpus.batch import iter_input_docs, segment_file
    from scrapeseg.corpus.build import raw_domain
    from scrapeseg.corpus.decode import InputError

    docs = []
    for path, given in iter_input_docs(sources):
        try:
            segments, _, _ = segment_file(path, given)
            texts = [s.text for s in segments]
        except (InputError, OSError) as err:
            failures.append(str(err) if str(err).startswith(given) else f"{given}: {err}")
            continue
        if not texts:
            failures.append(f"{given}: no segments (empty or whitespace-only file)")
            continue
        located = raw_location(path, raw_sources)
        if located is None:
            docs.append(Document(given, texts, str(path.resolve())))
            continue
        name, relative = located
        docs.append(Document(f"{name}/{relative}", texts, str(path.resolve()), document_site(name, raw_domain(name, relative))))
    return docs


def annotated_docs(folder: Path) -> set[str]:
    """Documents that already have pulled human labels."""
    from scrapeseg.corpus.build import read_human_labels

    return {doc for doc, _ in read_human_labels(folder)}


class Predictor:
    """Pre-annotations from the saved model, or from the pre-labeller when there is no model yet."""

    def __init__(self, model_path: Path | None):
        self.model = None
        if model_path is not None and model_path.is_file():
            from scrapeseg.train.saved import load_model

            self.model = load_model(model_path)
            if self.model.uses_markup:
                raise StudioError(f"{model_path} reads HTML markup, but push pre-annotates documents from their text; set studio.model to a text-only model")

    @property
    def version(self) -> str:
        """The model_version stored with every prediction."""
        if self.model is not None:
            return self.model.identity
        from scrapeseg import __version__

        return f"prelabel@scrapeseg-{__version__}"

    def probabilities(self, docs: Sequence[Document]) -> list[np.ndarray] | None:
        """Per-document (lines x labels) probabilities, or None without a model."""
        if self.model is None or not docs:
            return None if self.model is None else []
        sites = [d.site for d in docs]
        return self.model.estimator.predict_proba_docs([d.texts for d in docs], sites=sites if any(sites) else None)

    def encoded_predictions(self, docs: Sequence[Document], probabilities: list[np.ndarray] | None = None) -> list[str]:
        """One checked prediction per document, as JSON text (what push sends)."""
        from scrapeseg.corpus.prelabel import prelabel

        names = Label.names()
        probabilities = probabilities if probabilities is not None else self.probabilities(docs)
        out = []
        for i, doc in enumerate(docs):
            if probabilities is None:
                labels = [Label(label).text for label in prelabel(doc.texts)]
                scoring = {"score": PRELABEL_SCORE}
            else:
                proba = np.asarray(probabilities[i])
                labels = [names[k] for k in proba.argmax(axis=1).tolist()]
                scoring = {"probabilities": proba}
            if len(labels) != len(doc.texts):
                raise ValueError(f"{doc.doc}: {len(labels)} labels for {len(doc.texts)} paragraphs")
            out.append(T.prediction_json(labels, self.version, **scoring))
        return out


def reference_labels(doc: Document) -> list[str]:
    """A document's current labels: the corpus's for corpus documents, the pre-labeller's for files."""
    if doc.labels is not None:
        return doc.labels
    from scrapeseg.corpus.prelabel import prelabel

    return [Label(label).text for label in prelabel(doc.texts)]


def select_documents(docs: list[Document], mode: str | None, limit: int | None, seed: int, predictor: Predictor) -> tuple[list[Document], list[np.ndarray] | None]:
    """The documents to push in order, and their probabilities when they were needed to choose.

    "uncertain" ranks by the model's mean doubt over the lines; "disagreeing" by the share of
    lines where the model's label differs from the document's current one (reference_labels),
    which is where a person's correction changes the most labels: the model's errors and the
    bootstrapped labels' alike.
    """
    if mode is None:
        return docs[:limit] if limit is not None else docs, None
    if mode == "random":
        chosen = random.Random(seed).sample(docs, len(docs))
        return chosen[:limit] if limit is not None else chosen, None
    if mode in ("uncertain", "disagreeing"):
        if predictor.model is None:
            raise StudioError(f"--select {mode} needs a trained model; run `dvc repro` first or use --select random")
        probabilities = predictor.probabilities(docs)
        if mode == "uncertain":
            rank = [T.uncertainty(p) for p in probabilities]
        else:
            rank = [T.disagreement(p, reference_labels(d)) for p, d in zip(probabilities, docs)]
        order = sorted(range(len(docs)), key=lambda i: (-rank[i], docs[i].doc))
        if limit is not None:
            order = order[:limit]
        return [docs[i] for i in order], [probabilities[i] for i in order]
    raise StudioError(f"--select must be one of {SELECT_MODES}, not {mode!r}")


def batch_spans(total: int, batch_size: int, first: int = FIRST_BATCH_DOCS) -> list[tuple[int, int]]:
    """(start, stop) of each import batch: a short first one, growing RAMP_FACTOR-fold up to batch_size."""
    spans: list[tuple[int, int]] = []
    start, size = 0, min(first, batch_size)
    while start < total:
        stop = min(start + size, total)
        spans.append((start, stop))
        start, size = stop, min(size * RAMP_FACTOR, batch_size)
    return spans


def push(client, url: str, project, created: bool, docs: list[Document], predictor: Predictor,
         select: str | None, limit: int | None, seed: int, batch_size: int, annotated: set[str], progress: bool = False) -> PushReport:
    """Import the selected documents that are not tasks of the project yet, with predictions."""
    from tqdm import tqdm

    report = PushReport(project=project.id, created=created, documents=len(docs), model_version=predictor.version)
    present = project_docs(client, project.id, url)
    fresh = [d for d in docs if d.doc not in present and d.doc not in annotated]
    report.already_present = len(docs) - len(fresh)
    chosen, probabilities = select_documents(fresh, select, limit, seed, predictor)
    report.not_selected = len(fresh) - len(chosen)
    if predictor.model is not None:
        pages = Counter(d.site for d in chosen if d.site is not None)
        report.shared_sites = sum(count > 1 for count in pages.values())
        if probabilities is None and pages:
            # In one batch the site pass sees every chosen page of a site, not only those in the same import batch.
            probabilities = predictor.probabilities(chosen)

    def requests(span: tuple[int, int]) -> tuple[int, bytes]:
        start, stop = span
        part = chosen[start:stop]
        preds = predictor.encoded_predictions(part, None if probabilities is None else probabilities[start:stop])
        # Each task's JSON with its prediction spliced in before the closing brace: the
        # predictions come encoded already, and re-encoding them would cost as much again.
        tasks = [f'{json.dumps(T.task(d.doc, d.texts, d.path), ensure_ascii=False)[:-1]}, "predictions": [{p}]}}' for d, p in zip(part, preds)]
        return len(tasks), f"[{', '.join(tasks)}]".encode("utf-8")

    spans = batch_spans(len(chosen), batch_size)
    # The next batch's predictions and JSON are made while the server imports the current one.
    with tqdm(total=len(chosen), desc="push", unit=" docs", disable=not progress, leave=False) as bar, ThreadPoolExecutor(max_workers=1) as ahead:
        pending = ahead.submit(requests, spans[0]) if spans else None
        for k, (start, stop) in enumerate(spans):
            count, body = pending.result()
            pending = ahead.submit(requests, spans[k + 1]) if k + 1 < len(spans) else None
            with translated(f"import tasks {start + 1}-{stop} of {len(chosen)}", url):
                import_tasks(client, project.id, body)
            report.pushed += count
            bar.update(count)
    return report


# ----- pull -----------------------------------------------------------------------------------
def task_annotations(task: dict, names: dict[int, str], problems: list[str]) -> tuple[list[Annotation], int]:
    """A task's submitted annotations as Annotation objects, and how many were cancelled or skipped."""
    n = len(task["data"].get("paragraphs", []))
    kept, cancelled = [], 0
    for ann in task.get("annotations", []):
        if ann.get("was_cancelled"):
            cancelled += 1
            continue
        labels, issues = T.result_labels(ann.get("result") or [], n)
        problems += [f"{task['data'].get('doc')}: annotation {ann.get('id')}: {issue}" for issue in issues]
        if not labels:
            continue
        who = ann.get("completed_by")
        who = who.get("email") if isinstance(who, dict) else names.get(who, str(who))
        kept.append(Annotation(int(ann["id"]), str(who), str(ann.get("updated_at") or ann.get("created_at") or ""), bool(ann.get("ground_truth")), labels))
    return kept, cancelled


def corpus_table(segments: Path):
    """The corpus's doc, index and text columns as an Arrow table, or None when there is no corpus yet."""
    if not segments.is_file():
        return None
    import pyarrow.parquet as pq

    return pq.read_table(segments, columns=["doc", "index", "text"])


def current_texts(docs: Iterable[tuple[str, str | None]], corpus) -> dict[str, list[str]]:
    """The documents' text as it is now: re-read from the pushed file, else from the corpus table (see corpus_table)."""
    from scrapeseg.corpus.batch import segment_file
    from scrapeseg.corpus.decode import InputError

    found: dict[str, list[str]] = {}
    wanted_from_corpus = set()
    for doc, path in docs:
        if path and Path(path).is_file():
            try:
                found[doc] = [s.text for s in segment_file(Path(path), doc)[0]]
            except (InputError, OSError):
                found[doc] = []
        else:
            wanted_from_corpus.add(doc)
    if wanted_from_corpus and corpus is not None:
        import pyarrow as pa
        import pyarrow.compute as pc

        table = corpus.filter(pc.is_in(corpus["doc"], value_set=pa.array(sorted(wanted_from_corpus), type=corpus["doc"].type)))
        frame = table.to_pandas().sort_values(["doc", "index"], kind="stable")
        for doc, group in frame.groupby("doc", sort=False):
            found[doc] = group["text"].tolist()
    return found


def write_atomically(path: Path, text: str) -> None:
    """Write a file through a temporary sibling and a rename, so readers never see half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def annotation_lines(per_doc: dict[str, list[Annotation]], texts: dict[str, list[str]]) -> list[str]:
    """The JSON Lines of resolved labels, sorted by document and segment index."""
    # Each line is json.dumps(row, ensure_ascii=False) of a row with ROW_KEYS, built from parts
    # quoted once per document or annotation: per-segment dumps or str.format cost more than
    # the rest of a pull's client work.
    lines: list[str] = []
    tails: dict[int, str] = {}
    for doc in sorted(per_doc):
        resolved = resolve_document(per_doc[doc])
        head = f'{{"doc": {json.dumps(doc, ensure_ascii=False)}, "index": '
        pushed = texts[doc]
        for index, (label, source) in resolved.items():
            tail = tails.get(source.id)
            if tail is None:
                who, at = json.dumps(source.annotator, ensure_ascii=False), json.dumps(source.updated_at, ensure_ascii=False)
                tail = tails[source.id] = f'"annotator": {who}, "annotation_id": {source.id}, "updated_at": {at}}}\n'
            lines.append(f'{head}{index}, "text_sha256": "{T.text_sha256(pushed[index])}", "label": "{label}", {tail}')
    return lines


def pull(client, url: str, title: str, annotations_dir: Path, agreement_path: Path, segments: Path) -> dict:
    """Export the project's annotations and write resolved labels, the agreement report and a summary."""
    project = find_project(client, title, url)
    if project is None:
        raise StudioError(f"Label Studio at {url} has no project titled {title!r}; push to it first")
    names = annotator_names(client, url)
    # The corpus is read while the server builds the export, which takes it seconds.
    with ThreadPoolExecutor(max_workers=1) as reader:
        corpus = reader.submit(corpus_table, segments)
        with gc_paused():
            exported = export_tasks(client, project.id, url)
            return _pull_export(exported, names, project.id, title, annotations_dir, agreement_path, corpus.result())


def _pull_export(exported: list[dict], names: dict[int, str], project_id: int, title: str, annotations_dir: Path, agreement_path: Path, corpus) -> dict:
    """Pull's work on the exported tasks: resolve, write the annotations and agreement, summarise."""
    problems: list[str] = []
    per_doc: dict[str, list[Annotation]] = {}
    pushed_texts: dict[str, list[str]] = {}
    cancelled = used = 0
    origins: list[tuple[str, str | None]] = []
    for task in exported:
        data = task.get("data") or {}
        doc = data.get("doc")
        if doc is None:
            problems.append(f"task {task.get('id')}: no doc id in its data; not a scrapeseg task")
            continue
        kept, skipped = task_annotations(task, names, problems)
        cancelled += skipped
        if not kept:
            continue
        used += len(kept)
        per_doc.setdefault(doc, []).extend(kept)
        paragraphs = data.get("paragraphs", [])
        pushed_texts[doc] = [p.get("text", "") for p in paragraphs]
        origins.append((doc, data.get("path")))
    now = current_texts(origins, corpus)
    stale = [doc for doc in sorted(per_doc) if doc in now and now[doc] != pushed_texts[doc]]
    out = annotations_dir / f"{project_slug(title)}.jsonl"
    lines = annotation_lines(per_doc, pushed_texts)
    write_atomically(out, "".join(lines))
    agreement = agreement_report(per_doc, pushed_texts)
    write_atomically(agreement_path, json.dumps(agreement, indent=1, ensure_ascii=False) + "\n")
    return {
        "project": project_id, "file": str(out), "tasks_exported": len(exported), "annotations_used": used,
        "annotations_cancelled": cancelled, "documents": len(per_doc), "segments": len(lines),
        "stale_documents": stale, "unknown_documents": sorted(set(per_doc) - set(now)),
        "kappa": agreement["kappa"], "kappa_per_label": agreement["kappa_per_label"],
        "disagreeing_segments": agreement["disagreeing_segments"], "problems": problems,
    }


def status(client, url: str, title: str) -> dict:
    """Tasks, annotated tasks, annotations and predictions per model version of the project."""
    project = find_project(client, title, url)
    if project is None:
        raise StudioError(f"Label Studio at {url} has no project titled {title!r}")
    with translated(f"read project {title!r}", url):
        project = client.projects.get(id=project.id)
    return {
        "project": project.id, "title": project.title, "tasks": project.task_number or 0,
        "annotated_tasks": project.num_tasks_with_annotations or 0,
        "annotations": project.total_annotations_number or 0,
        "predictions_per_model_version": model_versions(client, project.id, url),
    }
