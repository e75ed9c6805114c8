"""`unlinkable anonymize` on a job with SDC `steps` (issue: statistical disclosure control methods)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

EXE = Path(sys.executable).parent / "unlinkable"


def run(*args, cwd):
    return subprocess.run([str(EXE), *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=300)


#: a role for every column of testdata.csv (a column without one is an error)
ROLES = (
    "attributes:\n"
    "  ori_hid: {role: identifier}\n"
    "  urbrur: quasi-identifier\n  water: quasi-identifier\n  sex: quasi-identifier\n  age: quasi-identifier\n"
    "  roof: sensitive\n  expend: sensitive\n  income: sensitive\n  savings: sensitive\n"
    "  walls: insensitive\n  electcon: insensitive\n  relat: insensitive\n  hhcivil: insensitive\n"
    "  sampling_weight: {role: weight}\n  household_weights: {role: weight}\n"
)


def _write_job(folder: Path, sdc_data: Path) -> Path:
    path = folder / "job.yaml"
    path.write_text(
        f"input: {{path: {sdc_data / 'testdata.csv'}}}\n"
        + ROLES +
        "steps:\n"
        "  - recode: {attribute: age, breaks: [0, 15, 30, 45, 60, 100], include_lowest: true}\n"
        "  - local-suppression: {k: 3, attributes: [urbrur, water, sex, age], importance: [sex, urbrur, water, age]}\n"
        "  - microaggregation: {attributes: [income, expend, savings], method: mdav, k: 3}\n"
        "  - pram: {attribute: roof, retain: 0.8, seed: 7}\n"
        "output: {path: protected.csv, delimiter: ',', report: report.html}\n"
    )
    return path


@pytest.fixture(scope="module")
def released(tmp_path_factory, sdc_data):
    """The steps job run once for the module: its folder (job.yaml, protected.csv, report.html, out.json)."""
    folder = tmp_path_factory.mktemp("steps")
    r = run("anonymize", _write_job(folder, sdc_data), "--json", "out.json", cwd=folder)
    assert r.returncode == 0, r.stderr
    return folder


def test_steps_job_writes_verified_table_json_and_report(released):
    out = json.loads((released / "out.json").read_text())
    assert [s["name"] for s in out["steps"]] == ["recode", "local-suppression", "microaggregation", "pram"]
    assert {c["name"]: c["status"] for c in out["claims"]} == {"local-suppression": "verified", "microaggregation": "verified"}
    assert out["risk_after"]["individual_risk"]["kanonymity_violations"]["3"] == 0
    assert set(out["utility"]) >= {"il1s", "il1", "eigen", "drisk"}
    table = pl.read_csv(released / "protected.csv", infer_schema=False)
    assert "ori_hid" not in table.columns  # identifiers are dropped from every output
    assert table["age"].null_count() == out["steps"][1]["suppressed"]["age"]  # suppressed cells are empty fields
    assert (released / "report.html").read_text().startswith("<!DOCTYPE html>")


def test_same_seed_same_bytes(released, tmp_path, sdc_data):
    r = run("anonymize", _write_job(tmp_path, sdc_data), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "protected.csv").read_bytes() == (released / "protected.csv").read_bytes()


@pytest.mark.parametrize(
    "step, message",
    [
        ("microaggregation: {attributes: [roof_text], k: 3}", "no column 'roof_text'"),
        ("microaggregation: {attributes: [income], k: 99999}", "k"),
        ("pram: {attribute: roof, transition: [[0.5, 0.4], [0.5, 0.5]], categories: ['1', '2']}", "sum"),
        ("local-suppression: {k: 3, attributes: [urbrur, sex], importance: [sex]}", "importance"),
    ],
)
def test_bad_steps_fail_cleanly(tmp_path, sdc_data, step, message):
    path = tmp_path / "job.yaml"
    path.write_text(f"input: {{path: {sdc_data / 'testdata.csv'}}}\n{ROLES}steps:\n  - {step}\noutput: {{path: out.csv}}\n")
    r = run("anonymize", path, cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    assert message in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "out.csv").exists()


def test_non_numeric_column_for_mdav(tmp_path):
    (tmp_path / "d.csv").write_text("a,b\n1,x\n2,y\n3,z\n")
    path = tmp_path / "job.yaml"
    path.write_text("input: {path: d.csv}\nattributes: {a: quasi-identifier, b: sensitive}\n"
                    "steps:\n  - microaggregation: {attributes: [b], k: 2}\noutput: {path: out.csv}\n")
    r = run("anonymize", path, cwd=tmp_path)
    assert r.returncode == 2 and "'b'" in r.stderr and "not" in r.stderr and "number" in r.stderr
    assert not (tmp_path / "out.csv").exists()


def test_steps_then_privacy_models_in_one_job(tmp_path):
    # SDC steps run first; the privacy models then anonymize their result, and both are verified.
    from unlinkable.datasets import write_census_job

    job = write_census_job(tmp_path, n=600, seed=3)
    text = job.read_text().replace(
        "privacy:",
        "steps:\n  - top-bottom: {attribute: income, top: 90000, top_value: 90000}\n"
        "  - microaggregation: {attributes: [income], method: mdav, k: 3}\nprivacy:",
    )
    job.write_text(text)
    r = run("anonymize", job, "--json", "out.json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    out = json.loads((tmp_path / "out.json").read_text())
    assert [s["name"] for s in out["steps"]] == ["top-bottom", "microaggregation"]
    assert out["claims"][0]["status"] == "verified"
    assert out["transformation"] and out["risk_before"]["records"] == 600
    table = pl.read_csv(tmp_path / "census_anonymized.csv", infer_schema=False)
    assert table["income"].cast(pl.Float64).max() <= 90000


def test_a_column_without_a_role_fails_and_writes_nothing(tmp_path, sdc_data):
    # issue 8: the job names every column, or nothing is released; the error names the column
    path = tmp_path / "job.yaml"
    roles = ROLES.replace("  walls: insensitive\n", "")
    path.write_text(f"input: {{path: {sdc_data / 'testdata.csv'}}}\n{roles}steps:\n"
                    "  - pram: {attribute: roof, retain: 0.8, seed: 7}\noutput: {path: out.csv}\n")
    r = run("anonymize", path, "--json", "out.json", cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "column 'walls' has no role" in r.stderr and "testdata.csv" in r.stderr
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "out.json").exists()


def test_kept_columns_are_measured_in_the_json(released):
    out = json.loads((released / "out.json").read_text())
    figures = out["released_uniqueness"]
    kept = ["walls", "electcon", "relat", "hhcivil", "sampling_weight", "household_weights"]
    assert figures["columns"] == ["urbrur", "water", "sex", "age", *kept]
    table = pl.read_csv(released / "protected.csv", infer_schema=False)
    # brute force on the written table: records whose released non-sensitive values occur once
    counts = {}
    rows = list(table.select(figures["columns"]).iter_rows())
    for row in rows:
        counts[row] = counts.get(row, 0) + 1
    assert figures["unique_records"] == sum(1 for row in rows if counts[row] == 1)
    assert [e["column"] for e in figures["kept_columns"]] == kept
