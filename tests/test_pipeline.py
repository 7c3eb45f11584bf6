"""Real `dvc repro` on a copy of the repository with fewer corpora: it builds, then skips everything."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO

from scrapeseg.cli import BLAS_CORETYPE, BLAS_CORETYPE_VARIABLE, X86_64_MACHINES, cpu_has_avx2, pinned_blas_environment

PIPELINE_SOURCES = ("l3s-gn1", "seed", "handmade", "blind", "raw")
TRAIN_DOCS = 80
PEER_PAGES = 8
STAGES = ("corpus", "dataset", "prelabel", "train", "evaluate", "peers")
OTHER_CPU_CORETYPE = "Sandybridge"


def _copy_repo(target: Path) -> Path:
    """Copy the project's tracked and new files into target/repo, with ../shared linked beside it."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=REPO, check=True, capture_output=True
    ).stdout.decode().split("\0")
    repo = target / "repo"
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name)
    os.symlink(REPO.parent / "shared", target / "shared")
    return repo


def _run(args: list[str], cwd: Path, extra_env: dict | None = None) -> subprocess.CompletedProcess:
    """Run a command with the venv first on PATH, as the Makefile does, failing loudly."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}", "DVC_NO_ANALYTICS": "1", **(extra_env or {})}
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.mark.slow
def test_dvc_repro_builds_then_skips(tmp_path, corpora):
    repo = _copy_repo(tmp_path)
    params = yaml.safe_load((repo / "params.yaml").read_text())
    params["corpus"]["sources"] = [s for s in params["corpus"]["sources"] if s["name"] in PIPELINE_SOURCES]
    params["train"]["max_docs"] = TRAIN_DOCS
    params["peers"]["limit"] = PEER_PAGES
    (repo / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    _run(["git", "init", "-q"], repo)
    _run(["git", "add", "-A"], repo)
    _run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "copy"], repo)
    first = _run(["dvc", "repro"], repo)
    for stage in STAGES:
        assert f"Running stage '{stage}'" in first.stdout
    report = json.loads((repo / params["corpus"]["report"]).read_text())
    assert report["sources"]["l3s-gn1"]["documents"] > 250
    assert (repo / params["dataset"]["out"] / "dataset_dict.json").is_file()
    ignored = (repo / "corpus" / ".gitignore").read_text()
    assert "/segments.parquet" in ignored and "/dataset" in ignored
    card = json.loads((repo / "models" / "segment-classifier.json").read_text())
    assert card["training_data_hash"] and card["sha256"] and card["labels"] == ["body", "teaser", "boilerplate"]
    assert (repo / params["evaluate"]["plots"] / "confusion.png").stat().st_size > 0
    peers = json.loads((repo / params["peers"]["table"]).read_text())
    assert "scrapeseg (text)" in peers["peers"] and "trafilatura" in peers["peers"]
    assert "scrapeseg (text)" in peers["versus_best_peer"], "the table says how sure the order is"
    test_scores = json.loads((repo / params["evaluate"]["metrics"]).read_text())["test"]
    assert json.loads((repo / params["evaluate"]["metrics"]).read_text())["blind"]["lines"] > 100, "our blind scrapes are scored on their own"
    spans = test_scores["intervals"]
    assert spans["resamples"] == params["evaluate"]["bootstrap"]["resamples"]
    assert spans["macro_f1_low"] <= test_scores["macro_f1"] <= spans["macro_f1_high"]
    assert spans["body_token_f1_low"] <= test_scores["body_token_f1"]["f1"] <= spans["body_token_f1_high"]
    assert f"evaluate test: macro-F1 {test_scores['macro_f1']:.3f} ({spans['macro_f1_low']:.3f}–{spans['macro_f1_high']:.3f})" in first.stdout
    second = _run(["dvc", "repro"], repo)
    assert "Running stage" not in second.stdout
    assert "up to date" in _run(["dvc", "status"], repo).stdout
    metrics = (repo / params["evaluate"]["metrics"]).read_text()
    model = (repo / params["train"]["out"]).read_bytes()
    # Another CPU: OpenBLAS told to use Sandybridge's kernels (AVX without FMA, so they round
    # differently), as it would pick them on such a machine. The stage verbs pin the kernels, so
    # the model and metrics must not change.
    _run(["dvc", "repro", "--force", "train", "evaluate"], repo, {BLAS_CORETYPE_VARIABLE: OTHER_CPU_CORETYPE})
    assert (repo / params["train"]["out"]).read_bytes() == model
    assert (repo / params["evaluate"]["metrics"]).read_text() == metrics
    if platform.machine().lower() in X86_64_MACHINES:
        assert BLAS_CORETYPE in card["versions"]["blas"], card["versions"]
    assert "macro_f1" in _run(["dvc", "metrics", "show"], repo).stdout


def test_blas_pin_sets_the_core_type_on_x86_64_only():
    environ = {"PATH": "/bin", BLAS_CORETYPE_VARIABLE: OTHER_CPU_CORETYPE}
    assert pinned_blas_environment(environ, "x86_64") == {"PATH": "/bin", BLAS_CORETYPE_VARIABLE: BLAS_CORETYPE}
    assert pinned_blas_environment({}, "AMD64") == {BLAS_CORETYPE_VARIABLE: BLAS_CORETYPE}
    assert pinned_blas_environment({"PATH": "/bin"}, "aarch64") == {"PATH": "/bin"}
    assert environ[BLAS_CORETYPE_VARIABLE] == OTHER_CPU_CORETYPE, "the caller's mapping is not changed"
    assert pinned_blas_environment({"PATH": "/bin"}, "x86_64", has_avx2=False) == {"PATH": "/bin"}, "no AVX2: no Haswell kernels"
    assert pinned_blas_environment({}, "x86_64", has_avx2=True) == {BLAS_CORETYPE_VARIABLE: BLAS_CORETYPE}


def test_avx2_is_read_from_the_cpu_flags(tmp_path):
    with_avx2 = tmp_path / "with"
    with_avx2.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx avx2 fma\n\nprocessor\t: 1\nflags\t\t: fpu sse2 avx avx2 fma\n")
    without = tmp_path / "without"
    without.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx\nmodel name\t: avx2 in a name is not a flag\n")
    assert cpu_has_avx2(with_avx2) is True
    assert cpu_has_avx2(without) is False
    assert cpu_has_avx2(tmp_path / "missing") is None


def test_numpy_is_not_loaded_before_a_stage_verb_pins_the_kernels():
    # OpenBLAS reads its core type once, when numpy loads: parsing the command line must not load it.
    code = "import sys; from scrapeseg.cli import build_parser; build_parser().parse_args(['train']); print('numpy' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
