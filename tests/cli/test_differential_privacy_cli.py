"""A differential-privacy job: only the released sample is written; columns kept as is are refused."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl

from unlinkable.models.differential_privacy import DifferentialPrivacy

EXE = Path(sys.executable).parent / "unlinkable"
DP = "  - differential-privacy: {epsilon: 2.0, delta: 1.0e-4, generalization: high}\n"


def _job(tmp_path, *, kept: str, model: str = DP):
    from unlinkable.datasets import write_census_job

    job = write_census_job(tmp_path, n=1500, seed=4)
    text = job.read_text()
    lines = [line for line in text.splitlines(keepends=True) if "l-diversity" not in line and "t-closeness" not in line]
    text = "".join(lines).replace("  - k-anonymity: {k: 5}\n", model)
    text = text.replace("income: {role: sensitive}", f"income: {{role: {kept}}}")
    text = text.replace("diagnosis: {role: sensitive, hierarchy: census_hierarchy_diagnosis.csv}", "diagnosis: {role: identifier}")
    job.write_text(text)
    return job


def _run(job, cwd):
    return subprocess.run([str(EXE), "anonymize", str(job), "--json", "r.json"], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


def test_only_the_released_sample_is_written(tmp_path):
    proc = _run(_job(tmp_path, kept="identifier"), tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = pl.read_csv(tmp_path / "census_anonymized.csv", infer_schema=False)
    result = json.loads((tmp_path / "r.json").read_text())
    (model,) = result["models"]
    assert model == {"differential-privacy": {"epsilon": 2.0, "delta": 0.0001, "generalization": "high"}}
    # no row is '*' in every quasi-identifier: withheld and suppressed rows are not written
    qis = list(result["transformation"])
    assert out.height and not out.select(pl.all_horizontal([pl.col(q) == "*" for q in qis])).to_series().any()
    k = DifferentialPrivacy(epsilon=2.0, delta=1e-4, generalization="high").k              # ARX's k: tests/dp/test_safepub_parameters.py
    assert out.group_by(qis).len()["len"].min() >= k
    assert "seed" not in (tmp_path / "r.json").read_text().lower()


def test_a_column_released_as_it_is_is_refused(tmp_path):
    proc = _run(_job(tmp_path, kept="insensitive"), tmp_path)
    assert proc.returncode == 2 and "differential-privacy covers the quasi-identifiers only" in proc.stderr
    assert not (tmp_path / "census_anonymized.csv").exists() and not (tmp_path / "r.json").exists()


def test_data_dependent_search_from_a_job_file(tmp_path):
    job = _job(tmp_path, kept="identifier",
               model="  - differential-privacy: {epsilon: 2.0, delta: 1.0e-4, search_budget: 0.5, steps: 20}\n")
    proc = _run(job, tmp_path)
    assert proc.returncode == 0, proc.stderr
    result = json.loads((tmp_path / "r.json").read_text())
    assert result["models"] == [{"differential-privacy": {"epsilon": 2.0, "delta": 0.0001, "search_budget": 0.5,
                                                          "steps": 20}}]
    out = pl.read_csv(tmp_path / "census_anonymized.csv", infer_schema=False)
    k = DifferentialPrivacy(epsilon=2.0, delta=1e-4, search_budget=0.5, steps=20).k
    assert out.height == 0 or out.group_by(list(result["transformation"])).len()["len"].min() >= k
    assert "seed" not in (tmp_path / "r.json").read_text().lower()
