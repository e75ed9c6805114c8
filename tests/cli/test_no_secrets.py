"""Issue 8 item 3: no seed and no raw record value in any artifact of a run.

A seed and the release together give back the unperturbed values (300 of 300 noised incomes were
recovered from a release and its report), so every file and stream of runs with seeds is searched
for every seed, including the per-step seeds a pipeline seed expands to.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl

from unlinkable.datasets import write_census_job

EXE = Path(sys.executable).parent / "unlinkable"

PRAM_SEED, NOISE_SEED, PIPELINE_SEED = 918273645, 564738291, 192837465

ROLES = ("attributes:\n  person_id: {role: identifier}\n  birth_date: {role: identifier}\n"
         "  age: {role: quasi-identifier}\n  sex: {role: quasi-identifier}\n  zip: {role: quasi-identifier}\n"
         "  marital_status: {role: insensitive}\n  education: {role: insensitive}\n  occupation: {role: insensitive}\n"
         "  income: {role: insensitive}\n  diagnosis: {role: sensitive}\n")


def run(*args, cwd):
    return subprocess.run([str(EXE), *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=300)


def derived_seeds(seed: int, n_steps: int) -> list[int]:
    """The per-step seeds the pipeline derives from its own (sdc/pipeline.py: one stream per step)."""
    return [int(s.generate_state(1)[0]) for s in np.random.SeedSequence(seed).spawn(n_steps)]


def test_no_seed_in_any_artifact_of_a_seeded_sdc_run(tmp_path):
    write_census_job(tmp_path, n=300, seed=2)
    job = tmp_path / "steps.yaml"
    job.write_text(
        "input: {path: census.csv, delimiter: ','}\n" + ROLES + f"seed: {PIPELINE_SEED}\n"
        "steps:\n"
        f"  - pram: {{attribute: education, retain: 0.7, seed: {PRAM_SEED}}}\n"
        f"  - noise: {{attributes: [income], noise: 50, seed: {NOISE_SEED}}}\n"
        "  - rank-swap: {attributes: [income], p: 10}\n"
        "output: {path: protected.csv, delimiter: ',', report: report.html}\n"
    )
    r = run("anonymize", job, "--json", "result.json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    secrets = {PRAM_SEED, NOISE_SEED, PIPELINE_SEED, *derived_seeds(PIPELINE_SEED, 3)}
    artifacts = {name: (tmp_path / name).read_text() for name in ("protected.csv", "result.json", "report.html")}
    artifacts.update(stdout=r.stdout, stderr=r.stderr)
    for name, text in artifacts.items():
        for seed in secrets:
            assert str(seed) not in text, f"seed {seed} in {name}"
    steps = json.loads(artifacts["result.json"])["steps"]
    assert all("seed" not in step["params"] for step in steps)


def test_anonymize_json_holds_no_raw_record_value(tmp_path):
    job = write_census_job(tmp_path, n=400, seed=5)
    r = run("anonymize", job, "--json", "result.json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    result = json.loads((tmp_path / "result.json").read_text())
    raw = pl.read_csv(tmp_path / "census.csv", infer_schema=False)
    released = pl.read_csv(tmp_path / "census_anonymized.csv", infer_schema=False)
    assert set(result["examples"]) == set(result["transformation"])
    for attribute, example in result["examples"].items():
        (label,) = example
        assert label in released[attribute].to_list()  # a value the release already shows
        if result["transformation"][attribute] > 0:
            assert label not in raw[attribute].to_list()  # generalized, so no raw value
