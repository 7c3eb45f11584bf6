"""Several annotations of one document: resolve each segment's label and measure agreement (pure functions)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from scrapeseg.labels import Label


@dataclass(frozen=True)
class Annotation:
    """One submitted (not cancelled) annotation of a task, reduced to its paragraph labels."""

    id: int
    annotator: str
    updated_at: str  # ISO 8601 in UTC, so string order is time order
    ground_truth: bool
    labels: dict[int, str] = field(default_factory=dict)


def resolve_segment(votes: Sequence[tuple[Annotation, str]]) -> tuple[str, Annotation]:
    """The label of one segment and the annotation it is taken from: ground truth, then majority, then latest."""
    if not votes:
        raise ValueError("no annotation labels this segment")
    truth = [vote for vote in votes if vote[0].ground_truth]
    if truth:
        annotation, label = max(truth, key=lambda vote: (vote[0].updated_at, vote[0].id))
        return label, annotation
    counts = Counter(label for _, label in votes)
    top = max(counts.values())
    tied = [vote for vote in votes if counts[vote[1]] == top]
    annotation, label = max(tied, key=lambda vote: (vote[0].updated_at, vote[0].id))
    return label, annotation


def resolve_document(annotations: Sequence[Annotation]) -> dict[int, tuple[str, Annotation]]:
    """Segment index -> (label, source annotation) over every segment any annotation labels."""
    if len(annotations) == 1:  # most documents: no votes to count
        only = annotations[0]
        return {index: (only.labels[index], only) for index in sorted(only.labels)}
    votes: dict[int, list[tuple[Annotation, str]]] = {}
    for annotation in annotations:
        for index, label in annotation.labels.items():
            votes.setdefault(index, []).append((annotation, label))
    return {index: resolve_segment(found) for index, found in sorted(votes.items())}


def fleiss_kappa(items: Iterable[Sequence[str]], categories: Sequence[str]) -> dict:
    """Fleiss' kappa overall and per category over items rated by two or more raters (raters may vary per item).

    Per category j, kappa_j = 1 - mean_i[n_ij (m_i - n_ij) / (m_i (m_i - 1))] / (p_j (1 - p_j)), which
    is Fleiss' (1971) per-category kappa when every item has the same number of raters m_i.
    Undefined values (a category nobody or everybody used) are None.
    """
    rows = [Counter(ratings) for ratings in items if len(ratings) >= 2]
    out: dict = {"items": len(rows), "overall": None, "per_label": {c: None for c in categories}}
    if not rows:
        return out
    totals = Counter()
    raters = 0
    observed = 0.0
    disagreement = Counter()
    for counts in rows:
        m = sum(counts.values())
        raters += m
        totals.update(counts)
        observed += sum(n * (n - 1) for n in counts.values()) / (m * (m - 1))
        for c in categories:
            disagreement[c] += counts[c] * (m - counts[c]) / (m * (m - 1))
    share = {c: totals[c] / raters for c in categories}
    expected = sum(p * p for p in share.values())
    mean_observed = observed / len(rows)
    if expected < 1.0:
        out["overall"] = round((mean_observed - expected) / (1.0 - expected), 4)
    for c in categories:
        spread = share[c] * (1.0 - share[c])
        if spread > 0:
            out["per_label"][c] = round(1.0 - (disagreement[c] / len(rows)) / spread, 4)
    return out


def agreement_report(documents: dict[str, Sequence[Annotation]], texts: dict[str, Sequence[str]] | None = None) -> dict:
    """Kappa per label over segments labelled by two or more annotators, and every disagreeing segment."""
    items: list[list[str]] = []
    disagreements: list[dict] = []
    for doc in sorted(documents):
        annotations = documents[doc]
        if len(annotations) < 2:
            continue
        indices = sorted({index for a in annotations for index in a.labels})
        for index in indices:
            votes = {f"{a.annotator}#{a.id}": a.labels[index] for a in annotations if index in a.labels}
            if len(votes) < 2:
                continue
            items.append(list(votes.values()))
            if len(set(votes.values())) > 1:
                row = {"doc": doc, "index": index, "labels": votes}
                lines = (texts or {}).get(doc)
                if lines is not None and index < len(lines):
                    row["text"] = lines[index]
                disagreements.append(row)
    kappa = fleiss_kappa(items, Label.names())
    return {
        "measure": "Fleiss' kappa (per label: one label against the rest)",
        "segments_with_several_annotations": kappa["items"],
        "kappa": kappa["overall"],
        "kappa_per_label": kappa["per_label"],
        "disagreeing_segments": len(disagreements),
        "disagreements": disagreements,
    }
