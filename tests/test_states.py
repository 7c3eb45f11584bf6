"""Fitting and scoring a variant over random states, on a small real dataset."""

from __future__ import annotations

import json

import pytest
import yaml

from scrapeseg.train import states as S

SMALL = dict(max_iter=15, max_leaf_nodes=15, folds=2, sgd_epochs=3, n_features=2**16, window=2, hidden_units=16, mlp_epochs=3)
SPLITS = ["validation", "test", "seed"]


@pytest.fixture(scope="module")
def section(small_dataset):
    return {"dataset": str(small_dataset), "max_docs": 30, "model": dict(SMALL)}


def test_overrides_are_read_as_yaml_and_bad_ones_are_named():
    assert S.parse_overrides(["passes=3", "alpha=1.0e-5", "stacker=hgb", "class_weight=null"]) == {
        "passes": 3, "alpha": 1e-5, "stacker": "hgb", "class_weight": None}
    with pytest.raises(ValueError, match="key=value, not 'passes'"):
        S.parse_overrides(["passes"])


def test_fit_params_apply_overrides_state_and_data_keys(section):
    params = S.fit_params({**section, "human_weight": 10, "guided_weight": 3}, {"window": 1}, 7)
    assert params["window"] == 1 and params["random_state"] == 7
    assert params["max_docs"] == 30 and params["human_weight"] == 10 and params["guided_weight"] == 3
    assert section["model"]["window"] == 2


def test_one_state_twice_gives_equal_rows_and_means_and_differences_add_up(section):
    rows = S.run_states(section, SPLITS, {}, [0, 0, 1])
    assert [row["state"] for row in rows] == [0, 0, 1]
    assert rows[0] == rows[1]
    for row in rows:
        for split in SPLITS:
            assert set(row[split]) == set(S.METRICS)
            assert all(0.0 <= value <= 1.0 for value in row[split].values())
    stats = S.means(rows, SPLITS)
    for split in SPLITS:
        for metric in S.METRICS:
            values = [row[split][metric] for row in rows]
            assert stats[split][metric][0] == pytest.approx(sum(values) / 3)
    other = S.run_states(section, SPLITS, {"window": 1}, [1])
    diff = S.differences(other, rows[2:], SPLITS)
    assert diff[0]["validation"]["macro_f1"] == pytest.approx(other[0]["validation"]["macro_f1"] - rows[2]["validation"]["macro_f1"])


def test_command_prints_tables_and_writes_every_figure(section, tmp_path, capsys):
    params = tmp_path / "params.yaml"
    params.write_text(yaml.safe_dump({"train": section, "evaluate": {"splits": SPLITS}}), encoding="utf-8")
    out = tmp_path / "states.json"
    assert S.main(["--params", str(params), "--states", "0", "1", "--set", "window=1", "--paired", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "variant {'window': 1}" in printed and "variant minus baseline" in printed and "mean" in printed
    data = json.loads(out.read_text())
    assert data["overrides"] == {"window": 1} and data["states"] == [0, 1]
    assert len(data["variant"]) == len(data["baseline"]) == len(data["difference"]) == 2
    with pytest.raises(ValueError, match="unknown train params"):
        S.main(["--params", str(params), "--states", "0", "--set", "no_such_param=1"])
