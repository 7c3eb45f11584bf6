"""The train and evaluate stages: fit and save the model, then score it and write metrics, plots and reports."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from scrapeseg.labels import Label

TIMING_KEYS = frozenset({"predict_seconds"})
ERROR_TEXT_CHARS = 160
PLOT_DPI = 110


def run_train(section: dict) -> Path:
    """Fit on the training split with the params section's hyper-parameters and save the joblib file."""
    from scrapeseg.train.saved import save_model
    from scrapeseg.train.train import train_model

    params = dict(section.get("model") or {})
    if section.get("max_docs") is not None:
        params["max_docs"] = int(section["max_docs"])
    if section.get("kinds") is not None:
        params["kinds"] = list(section["kinds"])
    if section.get("human_weight") is not None:
        params["human_weight"] = float(section["human_weight"])
    if section.get("guided_weight") is not None:
        params["guided_weight"] = float(section["guided_weight"])
    estimator = train_model(section["dataset"], params)
    path = Path(section["out"])
    save_model(estimator, path)
    return path


def without_timings(value):
    """A copy of nested metrics without wall-clock figures, so reruns give identical files."""
    if isinstance(value, dict):
        return {k: without_timings(v) for k, v in value.items() if k not in TIMING_KEYS}
    return value


def _rounded(value, digits: int = 6):
    """Nested floats rounded, so tiny float noise never shows in `dvc metrics diff`."""
    if isinstance(value, dict):
        return {k: _rounded(v, digits) for k, v in value.items()}
    if isinstance(value, float):
        return round(value, digits)
    return value


def run_evaluate(section: dict) -> dict:
    """Score the saved model on the section's splits; write metrics, plots, error report and model card.

    An optional "kinds" list keeps only documents of those kinds (the markup model scores HTML pages).
    """
    import joblib

    from scrapeseg.corpus.dataset import load_corpus
    from scrapeseg.train.evaluate import evaluate_model
    from scrapeseg.train.features import FEATURE_SET_VERSION
    from scrapeseg.train.saved import dataset_hash, write_card
    from scrapeseg.train.train import split_documents

    model_path = Path(section["model"])
    estimator = joblib.load(model_path)
    kinds = section.get("kinds")
    markup = bool(getattr(estimator, "markup", False))
    scores = _rounded(without_timings(evaluate_model(estimator, section["dataset"], tuple(section["splits"]), kinds,
                                                     section.get("bootstrap"))))
    metrics_path = Path(section["metrics"])
    metrics_path.parent.mkdir(parents=True, exist_ok=True)
    metrics_path.write_text(json.dumps(scores, indent=2, sort_keys=True) + "\n", encoding="utf-8")

    test = split_documents(load_corpus(section["dataset"])[section["plot_split"]], kinds=kinds, markup=markup)
    probas = estimator.predict_proba_docs(test["docs"], test.get("markup"))
    names = Label.names()
    truth = [np.asarray(labels, dtype=np.int64) for labels in test["labels"]]
    write_confusion_csv(Path(section["confusion"]), truth, probas, names)
    plots = Path(section["plots"])
    plots.mkdir(parents=True, exist_ok=True)
    plot_confusion(truth, probas, names, plots / "confusion.png")
    plot_precision_recall(truth, probas, names, plots / "precision_recall.png")
    write_error_report(Path(section["errors"]), test, truth, probas, names, int(section["worst_pages"]))
    headline = {split: {k: scores[split][k] for k in ("macro_f1", "accuracy", "per_class", "body_token_f1") if k in scores[split]} for split in scores}
    write_card(
        model_path,
        estimator.get_params(),
        dataset_hash(Path(section["lock"]), section["dataset"]),
        headline,
        FEATURE_SET_VERSION,
    )
    return scores


def write_confusion_csv(path: Path, truth, probas, names) -> None:
    """One row per line (actual, predicted) for DVC's confusion template."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        handle.write("actual,predicted\n")
        for t, p in zip(truth, probas):
            for a, b in zip(t, np.asarray(p).argmax(axis=1)):
                handle.write(f"{names[a]},{names[b]}\n")


def _flat(truth, probas) -> tuple[np.ndarray, np.ndarray]:
    """All lines' true indices and probabilities."""
    return np.concatenate(truth), np.vstack([np.asarray(p) for p in probas])


def plot_confusion(truth, probas, names, path: Path) -> None:
    """A confusion-matrix PNG, counts and row-normalised shares."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import confusion_matrix

    y, p = _flat(truth, probas)
    matrix = confusion_matrix(y, p.argmax(axis=1), labels=range(len(names)))
    shares = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(5, 4))
    ax.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    for i in range(len(names)):
        for j in range(len(names)):
            ax.text(j, i, f"{matrix[i, j]:,}\n{shares[i, j]:.1%}", ha="center", va="center", color="black" if shares[i, j] < 0.6 else "white", fontsize=8)
    ax.set_xticks(range(len(names)), names)
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("actual")
    ax.set_title("Confusion on held-out sites")
    fig.tight_layout()
    fig.savefig(path, dpi=PLOT_DPI)
    plt.close(fig)


def plot_precision_recall(truth, probas, names, path: Path) -> None:
    """Precision-recall curves per class, one-vs-rest."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import average_precision_score, precision_recall_curve

    y, p = _flat(truth, probas)
    fig, ax = plt.subplots(figsize=(5, 4))
    for k, name in enumerate(names):
        precision, recall, _ = precision_recall_curve(y == k, p[:, k])
        ax.plot(recall, precision, label=f"{name} (AP {average_precision_score(y == k, p[:, k]):.3f})")
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.legend(loc="lower left")
    ax.set_title("Precision-recall per class")
    fig.tight_layout()
    fig.savefig(path, dpi=PLOT_DPI)
    plt.close(fig)


def write_error_report(path: Path, data: dict, truth, probas, names, worst: int) -> None:
    """Markdown listing the pages with the most wrong lines, each wrong line with true and predicted label."""
    rows = []
    for k, (t, p) in enumerate(zip(truth, probas)):
        pred = np.asarray(p).argmax(axis=1)
        wrong = np.flatnonzero(pred != t)
        rows.append((len(wrong) / max(len(t), 1), len(wrong), k, wrong, pred))
    rows.sort(key=lambda r: (-r[0], -r[1], data["names"][r[2]]))
    out = ["# Worst pages on the held-out split", "", "Pages ranked by their share of wrong lines.", ""]
    for share, count, k, wrong, pred in rows[:worst]:
        out += [f"## {data['names'][k]} ({data['sources'][k]}): {count} of {len(truth[k])} lines wrong ({share:.0%})", "", "| index | true | predicted | text |", "|---|---|---|---|"]
        for i in wrong:
            text = data["docs"][k][i].replace("|", "\\|")
            short = text if len(text) <= ERROR_TEXT_CHARS else text[:ERROR_TEXT_CHARS] + "…"
            out.append(f"| {i} | {names[truth[k][i]]} | {names[pred[i]]} | {short} |")
        out.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out), encoding="utf-8")
