"""How much of a difference is noise: fit and score a model variant once per random state.

``python -m scrapeseg.train.states --states 0 1 2 3 4 --set passes=3 --paired`` fits the
``train`` section of params.yaml once per random state, with each ``--set key=value`` (value read
as YAML) applied to its ``model`` params, scores every fit on the ``evaluate`` section's splits,
and prints each state's macro-F1, teaser F1 and body token-F1 and their means. With
``--paired`` it also fits the params.yaml model on the same states and prints the variant minus
that baseline per state: changing ``random_state`` alone moves validation macro-F1 by about
0.02, so a single run cannot tell a better variant from a lucky one. ``--json PATH`` writes
every figure. Nothing is written to the repository's outputs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

METRICS = ("macro_f1", "teaser_f1", "body_token_f1")
DEFAULT_STATES = (0, 1, 2, 3, 4)
DATA_PARAMS = ("max_docs", "kinds", "human_weight", "guided_weight")  # train-section keys passed beside the model params


def parse_overrides(pairs: Sequence[str]) -> dict:
    """{key: value} from "key=value" strings, each value read as YAML (so numbers and lists keep their type)."""
    import yaml

    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"--set takes key=value, not {pair!r}")
        out[key.strip()] = yaml.safe_load(value)
    return out


def fit_params(section: dict, overrides: dict, state: int) -> dict:
    """The params train_model takes for one fit: the section's model params, the overrides, the state."""
    params = dict(section.get("model") or {})
    params.update(overrides)
    params["random_state"] = int(state)
    for key in DATA_PARAMS:
        if section.get(key) is not None:
            params[key] = section[key]
    return params


def summary(scores: dict) -> dict:
    """{split: {metric: value}} of evaluate_model's output, for the METRICS."""
    return {
        split: {
            "macro_f1": s["macro_f1"],
            "teaser_f1": s["per_class"]["teaser"]["f1"],
            "body_token_f1": s["body_token_f1"]["f1"],
        }
        for split, s in scores.items()
    }


def run_states(section: dict, splits: Sequence[str], overrides: dict, states: Sequence[int],
               fit: Callable | None = None, evaluate: Callable | None = None) -> list[dict]:
    """One {"state", split: {metric: value}} row per random state, each from a fresh fit."""
    from scrapeseg.train.evaluate import evaluate_model
    from scrapeseg.train.train import train_model

    fit = fit or train_model
    evaluate = evaluate or evaluate_model
    rows = []
    for state in states:
        model = fit(section["dataset"], fit_params(section, overrides, state))
        rows.append({"state": int(state), **summary(evaluate(model, section["dataset"], tuple(splits)))})
    return rows


def means(rows: Sequence[dict], splits: Sequence[str]) -> dict:
    """{split: {metric: (mean, sample standard deviation or 0.0 for one row)}} over rows."""
    out = {}
    for split in splits:
        out[split] = {}
        for metric in METRICS:
            values = [row[split][metric] for row in rows]
            out[split][metric] = (statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else 0.0)
    return out


def differences(variant: Sequence[dict], baseline: Sequence[dict], splits: Sequence[str]) -> list[dict]:
    """Per state, the variant's figures minus the baseline's on the same state."""
    base = {row["state"]: row for row in baseline}
    return [
        {"state": row["state"], **{split: {m: row[split][m] - base[row["state"]][split][m] for m in METRICS} for split in splits}}
        for row in variant
    ]


def table(rows: Sequence[dict], splits: Sequence[str], title: str) -> str:
    """Plain-text table: one line per state, then the mean ± standard deviation."""
    head = f"{'state':>6}  " + "  ".join(f"{split + ' ' + m:>26}" for split in splits for m in METRICS)
    lines = [title, head]
    for row in rows:
        lines.append(f"{row['state']:>6}  " + "  ".join(f"{row[split][m]:>26.4f}" for split in splits for m in METRICS))
    stats = means(rows, splits)
    lines.append(f"{'mean':>6}  " + "  ".join(f"{stats[s][m][0]:>17.4f} ± {stats[s][m][1]:.4f}" for s in splits for m in METRICS))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Fit and score over the given random states; print the tables (and write JSON if asked)."""
    from scrapeseg.cli import load_section, pin_blas

    pin_blas()  # its fits must be the ones `dvc repro` would make on any machine
    parser = argparse.ArgumentParser(prog="python -m scrapeseg.train.states", description=__doc__.splitlines()[0])
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--section", default="train", help="the train section to fit (train or train_html)")
    parser.add_argument("--states", type=int, nargs="+", default=list(DEFAULT_STATES))
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="a model param of the variant, value read as YAML; repeat for several")
    parser.add_argument("--paired", action="store_true", help="also fit params.yaml's model on the same states")
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    args = parser.parse_args(argv)
    section = load_section(args.params, args.section)
    splits = list(load_section(args.params, "evaluate")["splits"])
    try:
        overrides = parse_overrides(args.overrides)
    except ValueError as err:
        parser.error(str(err))
    variant = run_states(section, splits, overrides, args.states)
    print(table(variant, splits, f"variant {overrides or '(params.yaml)'}"))
    out = {"overrides": overrides, "states": args.states, "variant": variant, "variant_mean": means(variant, splits)}
    if args.paired:
        baseline = run_states(section, splits, {}, args.states)
        diff = differences(variant, baseline, splits)
        print(table(baseline, splits, "baseline (params.yaml)"))
        print(table(diff, splits, "variant minus baseline"))
        out.update(baseline=baseline, baseline_mean=means(baseline, splits), difference=diff, difference_mean=means(diff, splits))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
