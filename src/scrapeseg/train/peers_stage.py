"""The peers stage: peer extractors on the HTML and scrapeseg on the text scrapes of the same test pages."""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Mapping
from pathlib import Path

from scrapeseg.labels import Label
from scrapeseg.train.metrics import paired_bootstrap
from scrapeseg.train.predict import SITE_PASS
from scrapeseg.train.peers import WARM_UP_PAGE, PeerSpec, run_peers, score_row

INDEX_FILE = "index.jsonl"
DEFAULT_SPLIT = "test"
SCRAPESEG_ROW = "scrapeseg (text)"
# The same model given each page's domain, so lines on other test pages of the site count as template.
SITE_ROW = "scrapeseg (text, site context)"
# The markup model on the same pages' HTML, as the peers get them.
HTML_ROW = "scrapeseg (HTML, markup model)"
TEXT_KIND = "text"
HTML_KIND = "html"
BODY_LABEL = Label.BODY.text
LINE_JOIN = "\n"
DOC_SEPARATOR = "/"
DATASET_COLUMNS = ["doc", "source", "domain", "index", "text"]
ROW_KEYS = ("peer", "precision", "recall", "f1", "pages", "pages_per_s", "failures")
# A tiny scrape classified before the timed pass, so model warm-up is not timed (as peers.WARM_UP_PAGE).
WARM_UP_SCRAPE = "Warm up headline\nWarm up body text of one short line."
JSON_KEY = "peers"
VERSUS_KEY = "versus_best_peer"
SCRAPESEG_ROWS = (SCRAPESEG_ROW, SITE_ROW, HTML_ROW)
DEFAULT_BOOTSTRAP = {"resamples": 2000, "seed": 0, "confidence": 0.95}
SCORE_DIGITS = 3
RATE_DIGITS = 1
MARKDOWN_HEADER = "| peer | precision | recall | F1 | pages/s |\n|---|---:|---:|---:|---:|"


def benchmark_index(corpora_root: Path, source: str) -> dict[str, dict] | None:
    """A benchmark's index.jsonl records by id, or None when the source has no index there."""
    path = Path(corpora_root) / source / INDEX_FILE
    if not path.is_file():
        return None
    records = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return {str(record["id"]): record for record in records}


def spread(items: list, limit: int | None) -> list:
    """At most `limit` items taken evenly across the list (all of them when limit is None)."""
    if limit is None or limit >= len(items):
        return list(items)
    if limit <= 0:
        return []
    return [items[i * len(items) // limit] for i in range(limit)]


def test_pages(dataset_path, corpora_root, split: str = DEFAULT_SPLIT, limit: int | None = None) -> list[dict]:
    """The split's benchmark pages sorted by doc id: {doc, source, domain, html, gold, scrape}; `limit` samples evenly."""
    from scrapeseg.corpus.dataset import load_corpus

    frame = load_corpus(dataset_path)[split].select_columns(DATASET_COLUMNS).to_pandas()
    frame = frame.sort_values(["doc", "index"], kind="stable")
    indexes: dict[str, dict[str, dict] | None] = {}
    docs = []
    for (doc, source, domain), group in frame.groupby(["doc", "source", "domain"], sort=True):
        if source not in indexes:
            indexes[source] = benchmark_index(corpora_root, source)
        record = (indexes[source] or {}).get(doc.split(DOC_SEPARATOR, 1)[-1])
        if record and record.get("html") and record.get("gold"):
            docs.append((doc, source, domain, record, LINE_JOIN.join(group["text"])))
    pages = []
    for doc, source, domain, record, scrape in spread(docs, limit):
        folder = Path(corpora_root) / source
        pages.append(
            {
                "doc": doc,
                "source": source,
                "domain": domain,
                "html": gzip.decompress((folder / record["html"]).read_bytes()),
                "gold": (folder / record["gold"]).read_text(encoding="utf-8"),
                "scrape": scrape,
            }
        )
    return pages


# Not a pytest test, despite the name the stage's API gives it.
test_pages.__test__ = False


def segment_field(segment, name: str):
    """A field of a classified segment, whether a dict or an object with attributes."""
    return segment[name] if isinstance(segment, Mapping) else getattr(segment, name)


def label_text(label) -> str:
    """A label as its string form, whether given as a string, an index or a Label."""
    return Label.parse(label).text


def body_text(segments) -> str:
    """The body-labelled segment texts of one document, one per line."""
    return LINE_JOIN.join(segment_field(s, "text") for s in segments if label_text(segment_field(s, "label")) == BODY_LABEL)


def scrapeseg_row(model, pages: list[dict], name: str = SCRAPESEG_ROW, sites: list | None = None, kind: str = TEXT_KIND) -> dict:
    """One timed, scored row for the model labelling the pages in one batch: their text scrapes, or with kind="html" their HTML.

    With sites the site pass runs too.
    """
    field, warm_up = ("html", WARM_UP_PAGE) if kind == HTML_KIND else ("scrape", WARM_UP_SCRAPE)
    model.classify_batch([warm_up], kind=kind)
    start = time.perf_counter()
    classified = model.classify_batch([page[field] for page in pages], kind=kind, sites=sites)
    bodies = [body_text(segments) for segments in classified]
    seconds = time.perf_counter() - start
    if len(bodies) != len(pages):
        raise ValueError(f"classify_batch returned {len(bodies)} documents for {len(pages)} pages")
    return score_row(name, bodies, [page["gold"] for page in pages], seconds, 0)


def compare(model, pages: list[dict], peers: PeerSpec = None, html_model=None) -> list[dict]:
    """Every peer on the pages' HTML and scrapeseg on their text scrapes, in one run, best F1 first.

    A model with the site pass gets a second row, given each page's domain as its site; a markup
    model (html_model) gets a row of its own on the pages' HTML. Each row holds the ROW_KEYS and
    its pages' (tp, fp, fn) as "page_counts", in page order.
    """
    rows = run_peers([(page["html"], page["gold"]) for page in pages], peers)
    rows.append(scrapeseg_row(model, pages))
    if SITE_PASS in getattr(getattr(model, "estimator", None), "context_passes", ()):
        rows.append(scrapeseg_row(model, pages, SITE_ROW, [page["domain"] for page in pages]))
    if html_model is not None:
        rows.append(scrapeseg_row(html_model, pages, HTML_ROW, kind=HTML_KIND))
    return sorted(rows, key=lambda row: (-row["f1"], row["peer"]))


def versus_best_peer(rows: list[dict], bootstrap: Mapping | None = None) -> dict[str, dict]:
    """Per scrapeseg row, its F1 minus the best peer's on the same pages, with a paired bootstrap interval.

    bootstrap holds resamples, seed and confidence (DEFAULT_BOOTSTRAP for any not given).
    Empty when the rows hold no scrapeseg row or no peer.
    """
    settings = {**DEFAULT_BOOTSTRAP, **(bootstrap or {})}
    peers = [row for row in rows if row["peer"] not in SCRAPESEG_ROWS]
    if not peers:
        return {}
    best = max(peers, key=lambda row: (row["f1"], row["peer"]))
    out = {}
    for row in rows:
        if row["peer"] in SCRAPESEG_ROWS:
            difference = paired_bootstrap(row["page_counts"], best["page_counts"], int(settings["resamples"]),
                                          int(settings["seed"]), float(settings["confidence"]))
            out[row["peer"]] = {"peer": best["peer"], "confidence": float(settings["confidence"]), **difference}
    return out


def signed(value: float) -> str:
    """A difference with its sign to SCORE_DIGITS places; one that rounds to zero reads +0.000, not -0.000."""
    return f"{round(value, SCORE_DIGITS) + 0.0:+.{SCORE_DIGITS}f}"


def versus_line(name: str, versus: Mapping) -> str:
    """One sentence on a scrapeseg row against the best peer: the F1 difference, its interval and the share of resamples ahead."""
    return (f"{name} minus {versus['peer']} (the best peer): F1 {signed(versus['f1_difference'])}, "
            f"{versus['confidence']:.0%} interval {signed(versus['ci_low'])} to {signed(versus['ci_high'])} "
            f"(paired bootstrap over {versus['pages']} pages, {versus['resamples']} resamples); "
            f"ahead in {versus['share_ahead']:.0%} of the resamples.")


def markdown_table(rows: list[dict], versus: Mapping | None = None) -> str:
    """The rows as a Markdown table (peer, precision, recall, F1, pages/s), then a versus_line per compared row."""
    lines = [MARKDOWN_HEADER]
    for row in rows:
        scores = (f"{row[key]:.{SCORE_DIGITS}f}" for key in ("precision", "recall", "f1"))
        lines.append(f"| {row['peer']} | {' | '.join(scores)} | {row['pages_per_s']:.{RATE_DIGITS}f} |")
    if versus:
        lines.append("")
        lines.extend(f"- {versus_line(name, v)}" for name, v in versus.items())
    return LINE_JOIN.join(lines) + LINE_JOIN


def table_json(rows: list[dict], versus: Mapping | None = None) -> dict:
    """The rows as {"peers": {name: scores}} in row order, plus the versus_best_peer figures when given.

    DVC metrics ignore lists, so rows are keyed by peer.
    """
    table = {JSON_KEY: {row["peer"]: {key: row[key] for key in ROW_KEYS if key != "peer"} for row in rows}}
    if versus:
        table[VERSUS_KEY] = dict(versus)
    return table


def read_table(json_path) -> list[dict]:
    """The rows back from a table written by write_table, in their written order."""
    table = json.loads(Path(json_path).read_text(encoding="utf-8"))
    return [{"peer": name, **scores} for name, scores in table[JSON_KEY].items()]


def read_versus(json_path) -> dict[str, dict]:
    """The versus_best_peer figures back from a table written by write_table ({} if it holds none)."""
    return json.loads(Path(json_path).read_text(encoding="utf-8")).get(VERSUS_KEY, {})


def write_table(rows: list[dict], json_path, markdown_path, versus: Mapping | None = None) -> None:
    """Write the rows (and versus_best_peer figures) as JSON (keyed by peer, for `dvc metrics`) and as Markdown."""
    for path in (Path(json_path), Path(markdown_path)):
        path.parent.mkdir(parents=True, exist_ok=True)
    Path(json_path).write_text(json.dumps(table_json(rows, versus), indent=2) + LINE_JOIN, encoding="utf-8")
    Path(markdown_path).write_text(markdown_table(rows, versus), encoding="utf-8")


def run_peers_stage(
    model_path, dataset_path, corpora_root, json_path, markdown_path, limit: int | None = None, model=None,
    bootstrap: Mapping | None = None, html_model_path=None,
) -> tuple[list[dict], dict[str, dict]]:
    """Load the model (unless given) and the markup model (if a path is given), compare them with the peers on the
    test pages and write the table; (rows, versus_best_peer)."""
    from scrapeseg.train.saved import load_model

    if model is None:
        model = load_model(model_path)
    html_model = load_model(html_model_path) if html_model_path else None
    rows = compare(model, test_pages(dataset_path, corpora_root, limit=limit), html_model=html_model)
    versus = versus_best_peer(rows, bootstrap)
    write_table(rows, json_path, markdown_path, versus)
    return rows, versus
