"""The corpus stage: read every listed source and write one labelled segments table."""

from __future__ import annotations

import gzip
import json
import logging
import statistics
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from scrapeseg.corpus.batch import iter_input_files, segment_file
from scrapeseg.corpus.decode import InputError
from scrapeseg.corpus.gold import enclosed_runs, headline_copies, match_gold
from scrapeseg.corpus.headline import headline_and_byline
from scrapeseg.corpus.html import render_html
from scrapeseg.corpus.l3s import align_block_labels, read_blocks
from scrapeseg.corpus.prelabel import prelabel
from scrapeseg.corpus.segment import segment_text
from scrapeseg.corpus.teaser import in_article_teaser, teaser_lines
from scrapeseg.labels import Label, Origin, text_sha256

log = logging.getLogger(__name__)
ARTICLE_BLOCK_TAGS = frozenset({"td", "th", "li", "dd", "dt", "figcaption", "caption", "blockquote"})
MAX_ARTICLE_LINK_SHARE = 0.5  # a line mostly of link text is navigation or a teaser, not article
# Lines whose label follows the guidelines rather than the gold text: unmatched article blocks
# between body lines made body; of the adjacent copies of the first body line, the first made body
# and the others boilerplate; in-article "Read more: <headline>" lines made teaser.
RELABEL_KEYS = ("article_blocks", "headline_copies", "read_more_lines")


@dataclass(frozen=True)
class Source:
    """One corpus source from params.yaml: a benchmark dataset, the seed (or other evaluation-only scrapes with line labels), guided scrapes that train, or raw scrapes."""

    name: str
    path: Path
    kind: str


def _rows(doc: str, source: str, meta: dict, segments: list, labels, origins, raw, markup, eval_only: bool) -> list[dict]:
    """Segments table rows for one document whose segments line up with the given per-line lists."""
    if len(segments) != len(labels):
        raise AssertionError(f"{doc}: {len(segments)} segments but {len(labels)} labels")
    n = len(segments)
    rows = []
    for seg, label, origin, raw_label, facts in zip(segments, labels, origins, raw, markup):
        rows.append(
            {
                "doc": doc,
                "source": source,
                "domain": meta.get("domain") or f"{source}:{meta.get('id', doc)}",
                "lang": meta.get("lang") or "",
                "url": meta.get("url") or "",
                "kind": meta["kind"],
                "index": seg.index,
                "line": seg.line,
                "start": seg.start,
                "end": seg.end,
                "n_segments": n,
                "text": seg.text,
                "text_sha256": text_sha256(seg.text),
                "label": Label(label).text,
                "origin": Origin(origin).text,
                "source_label": raw_label or "",
                "eval_only": eval_only,
                "tag": facts.tag if facts else "",
                "heading": facts.heading if facts else 0,
                "link_share": facts.link_share if facts else 0.0,
                "in_chrome": facts.in_chrome if facts else False,
            }
        )
    return rows


def _article_block(label: Label, facts) -> bool:
    """Whether an unmatched line is a table cell, list item, caption or subheading outside the page chrome.

    The guidelines make the article's tables, lists, captions and subheadings body; some gold
    texts leave them out, so such lines between body lines are body (see enclosed_runs).
    """
    return (
        label == Label.BOILERPLATE and facts is not None and not facts.in_chrome
        and facts.link_share < MAX_ARTICLE_LINK_SHARE and (facts.tag in ARTICLE_BLOCK_TAGS or facts.heading > 0)
    )


def label_benchmark_page(record: dict, root: Path) -> tuple[list[dict], dict]:
    """Render one benchmark page and label its lines from gold, l3s blocks, markup and the teaser heuristic."""
    name = f"{root.name}/{record['id']}"
    page = render_html(gzip.decompress((root / record["html"]).read_bytes()), name)
    gold = (root / record["gold"]).read_text(encoding="utf-8")
    match = match_gold(page.lines, gold)
    n = len(page.lines)
    labels: list[Label | None] = [None] * n
    origins = [Origin.HEURISTIC] * n
    raw: list[str | None] = [None] * n
    if record.get("blocks"):
        for i, (label, block_label) in enumerate(align_block_labels(page.lines, read_blocks(root / record["blocks"]))):
            raw[i] = block_label
            if label is not None and label != Label.BOILERPLATE:
                labels[i], origins[i] = label, Origin.GOLD_BLOCKS
            elif label is None and match.body[i]:
                labels[i], origins[i] = Label.BODY, Origin.GOLD_MATCH
    else:
        for i, is_body in enumerate(match.body):
            if is_body:
                labels[i], origins[i] = Label.BODY, Origin.GOLD_MATCH
        body_mask = [lab == Label.BODY for lab in labels]
        for i in headline_and_byline(page.tree, page.lines, page.elements, body_mask):
            if labels[i] is None:
                labels[i], origins[i] = Label.BODY, Origin.HEURISTIC
    # Lines l3s-gn1 calls related-content stay candidates so the report can compare the two.
    candidates = [lab is None or lab == Label.TEASER for lab in labels]
    teaser = teaser_lines(page.tree, page.lines, page.elements, page.markup, candidates, record.get("url"))
    for i in range(n):
        if labels[i] is None:
            labels[i] = Label.TEASER if teaser[i] else Label.BOILERPLATE
    enclosed = [] if record.get("blocks") else enclosed_runs(
        [lab == Label.BODY for lab in labels], [_article_block(lab, facts) for lab, facts in zip(labels, page.markup)]
    )
    for i in enclosed:
        labels[i] = Label.BODY
    head, copies = headline_copies(page.lines, [lab == Label.BODY for lab in labels])
    moved = 0
    if head is not None and labels[head] != Label.BODY:
        labels[head], origins[head] = Label.BODY, Origin.HEURISTIC
        moved += 1
    for i in copies:
        if labels[i] == Label.BODY:
            labels[i], origins[i] = Label.BOILERPLATE, Origin.HEURISTIC
            moved += 1
    # Gold texts keep "Read more: <headline>" lines inside the article; the guidelines make them teaser.
    read_more = [i for i, text in enumerate(page.lines) if labels[i] == Label.BODY and in_article_teaser(text)]
    for i in read_more:
        labels[i], origins[i] = Label.TEASER, Origin.HEURISTIC
    meta = {**record, "kind": "html"}
    rows = _rows(name, root.name, meta, segment_text(name, page.text), labels, origins, raw, page.markup, False)
    stats = {"coverage": match.coverage, "warnings": page.warnings, "heuristic_teaser": teaser,
             "article_blocks": len(enclosed), "headline_copies": moved, "read_more_lines": len(read_more)}
    return rows, stats


def read_benchmark(source: Source, failures: list[str], report: dict) -> Iterator[dict]:
    """Rows of every page of one benchmark dataset, recording failures and per-page gold coverage."""
    index = source.path / "index.jsonl"
    records = [json.loads(line) for line in index.read_text(encoding="utf-8").splitlines() if line.strip()]
    coverage: dict[str, float] = {}
    skipped = 0
    empty = 0
    agree = Counter()
    relabelled = Counter()
    for record in records:
        if record.get("gold_empty"):
            skipped += 1
            continue
        try:
            rows, stats = label_benchmark_page(record, source.path)
        except (InputError, OSError, ValueError, EOFError) as err:
            failures.append(f"{source.name}/{record.get('id')}: {err}")
            continue
        coverage[record["id"]] = round(stats["coverage"], 4)
        empty += not rows
        relabelled.update({key: stats[key] for key in RELABEL_KEYS})
        for row, heuristic in zip(rows, stats["heuristic_teaser"]):
            if row["source_label"]:
                agree[(row["source_label"] == "related-content", bool(heuristic))] += 1
        yield from rows
    report[source.name] = {
        "pages_listed": len(records),
        "pages_skipped_empty_gold": skipped,
        "pages_without_text": empty,
        "pages_failed": sum(f.startswith(f"{source.name}/") for f in failures),
        "gold_coverage_mean": round(statistics.fmean(coverage.values()), 4) if coverage else None,
        "gold_coverage_median": round(statistics.median(coverage.values()), 4) if coverage else None,
        "pages_coverage_below_0.8": sum(c < 0.8 for c in coverage.values()),
        "gold_coverage_per_page": dict(sorted(coverage.items())),
        "guideline_relabels": {key: relabelled[key] for key in RELABEL_KEYS},
    }
    if agree:
        report[source.name]["related_content_vs_heuristic"] = {
            f"related={a}|heuristic_teaser={b}": n for (a, b), n in sorted(agree.items())
        }


def read_seed(source: Source, failures: list[str], report: dict) -> Iterator[dict]:
    """Rows of the seed scrapes with their gold line labels, marked evaluation-only."""
    return _read_labelled(source, failures, report, eval_only=True)


def read_guided(source: Source, failures: list[str], report: dict) -> Iterator[dict]:
    """Rows of scrapes labelled line by line by the guidelines (the seed's format) that the model trains on."""
    return _read_labelled(source, failures, report, eval_only=False)


def _read_labelled(source: Source, failures: list[str], report: dict, eval_only: bool) -> Iterator[dict]:
    """Rows of .txt scrapes with their .labels.jsonl gold line labels (origin seed-gold)."""
    count = 0
    for labels_path in sorted(source.path.glob("*.labels.jsonl")):
        text_path = labels_path.with_name(labels_path.name.replace(".labels.jsonl", ".txt"))
        doc = f"{source.name}/{text_path.stem}"
        try:
            text = text_path.read_text(encoding="utf-8")
            gold = {row["line"]: row["label"] for row in map(json.loads, labels_path.read_text(encoding="utf-8").splitlines()) if row}
            segments = segment_text(doc, text)
            labels = [Label.parse(gold[seg.line]) for seg in segments]
        except (OSError, KeyError, ValueError) as err:
            failures.append(f"{doc}: {err}")
            continue
        n = len(segments)
        meta = {"id": text_path.stem, "kind": "text", "domain": f"{source.name}:{text_path.stem}"}
        count += 1
        yield from _rows(doc, source.name, meta, segments, labels, [Origin.SEED_GOLD] * n, [None] * n, [None] * n, eval_only)
    report[source.name] = {"pages_listed": count}


def read_raw(source: Source, failures: list[str], report: dict) -> Iterator[dict]:
    """Rows of users' own scrapes and pages, pre-labelled (training ignores pre-labels unless a human confirms)."""
    count = 0
    for path in iter_input_files([source.path]):
        relative = path.relative_to(source.path).as_posix()
        doc = f"{source.name}/{relative}"
        try:
            segments, _, markup = segment_file(path, doc)
            segments = list(segments)
        except (InputError, OSError) as err:
            failures.append(f"{doc}: {err}")
            continue
        lines = [seg.text for seg in segments]
        n = len(lines)
        meta = {"id": relative, "kind": "html" if markup else "text", "domain": raw_domain(source.name, relative)}
        count += 1
        yield from _rows(doc, source.name, meta, segments, prelabel(lines), [Origin.PRELABEL] * n, [None] * n, markup or [None] * n, False)
    report[source.name] = {"pages_listed": count}


def raw_domain(source_name: str, relative: str) -> str:
    """The domain of a users' scrape: its source and first folder (`corpus/raw/<site>/…`); the source's own name for root files."""
    group = relative.split("/")[0] if "/" in relative else source_name
    return f"{source_name}:{group}"


READERS = {"benchmark": read_benchmark, "seed": read_seed, "guided": read_guided, "raw": read_raw}


def read_human_labels(folder: Path) -> dict[tuple[str, int], tuple[str, str]]:
    """Pulled human labels: (doc, index) -> (text_sha256, label), from labeling/annotations/*.jsonl."""
    labels: dict[tuple[str, int], tuple[str, str]] = {}
    if not folder.is_dir():
        return labels
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                labels[(row["doc"], int(row["index"]))] = (row["text_sha256"], Label.parse(row["label"]).text)
    return labels


def apply_human_labels(rows: list[dict], human: dict, counts: Counter) -> None:
    """Override labels with human ones whose text hash still matches; count applied and stale ones."""
    for row in rows:
        found = human.get((row["doc"], row["index"]))
        if found is None:
            continue
        sha, label = found
        if sha != row["text_sha256"]:
            counts["stale"] += 1
            continue
        row["label"], row["origin"] = label, Origin.HUMAN.text
        counts["applied"] += 1


def build_corpus(sources: list[Source], annotations: Path, out: Path, report_path: Path, coverage_path: Path | None = None) -> dict:
    """Write the segments table (and per-page gold coverage) from every available source; return the report."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from tqdm import tqdm

    failures: list[str] = []
    report: dict = {"sources": {}, "missing_sources": [], "failures": failures}
    human = read_human_labels(annotations)
    human_counts: Counter = Counter()
    label_counts: dict[str, Counter] = {}
    docs: dict[str, set] = {}
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    writer = None
    batch: list[dict] = []

    def flush() -> None:
        nonlocal writer, batch
        if not batch:
            return
        apply_human_labels(batch, human, human_counts)
        for row in batch:
            label_counts.setdefault(row["source"], Counter())[row["label"]] += 1
            docs.setdefault(row["source"], set()).add(row["doc"])
        table = pa.Table.from_pylist(batch)
        if writer is None:
            writer = pq.ParquetWriter(tmp, table.schema)
        writer.write_table(table.cast(writer.schema))
        batch = []

    for source in sources:
        if not source.path.exists():
            log.warning("corpus source %s is missing at %s; skipped", source.name, source.path)
            report["missing_sources"].append(source.name)
            continue
        rows = READERS[source.kind](source, failures, report["sources"])
        for row in tqdm(rows, desc=f"corpus {source.name}", unit=" segments", mininterval=2, leave=False):
            batch.append(row)
            if len(batch) >= 50_000:
                flush()
        flush()
    if writer is None:
        raise SystemExit("corpus: no documents found in any listed source; check corpus.sources in params.yaml")
    writer.close()
    tmp.replace(out)
    for name, counter in label_counts.items():
        report["sources"].setdefault(name, {}).update(
            {"documents": len(docs[name]), "segments": sum(counter.values()), "labels": dict(sorted(counter.items()))}
        )
    report["human_labels"] = {"applied": human_counts["applied"], "stale": human_counts["stale"]}
    coverage = {name: part.pop("gold_coverage_per_page") for name, part in report["sources"].items() if "gold_coverage_per_page" in part}
    if coverage_path is not None:
        coverage_path.write_text(json.dumps(coverage, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    report_path.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return report
