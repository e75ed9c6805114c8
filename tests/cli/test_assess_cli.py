"""The real `unlinkable assess` command, run as a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXE = Path(sys.executable).parent / "unlinkable"


def run(*args, cwd=None):
    return subprocess.run([str(EXE), *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=300)


@pytest.fixture()
def small_csv(tmp_path):
    p = tmp_path / "people.csv"
    p.write_text("name;zip;age;sex;disease\nAnna;81675;34;f;flu\nBert;81675;34;f;cold\nCarl;81667;51;m;flu\n")
    return p


def test_data_file_form_prints_a_summary(small_csv):
    r = run("assess", small_csv, "--qi", "zip,age,sex")
    assert r.returncode == 0, r.stderr
    assert "sample uniques" in r.stdout
    assert "33.33%" in r.stdout
    assert "high re-identification risk" in r.stdout  # Carl is unique: risk 1, above 1 in 5


def test_job_file_form_writes_json_records_and_report(tmp_path, small_csv):
    job = tmp_path / "job.yaml"
    job.write_text(
        "input: {path: people.csv, delimiter: ';'}\n"
        "attributes:\n"
        "  name: {role: identifier}\n"
        "  zip: {role: quasi-identifier}\n"
        "  age: {role: quasi-identifier, intervals: [10, 20]}\n"
        "  sex: {role: quasi-identifier}\n"
        "  disease: {role: sensitive}\n"
        "population: {size: 300}\n"
    )
    out, rec = tmp_path / "out.json", tmp_path / "rec.csv"
    r = run("assess", job, "--json", out, "--records", rec)
    assert r.returncode == 0, r.stderr
    figures = json.loads(out.read_text())
    # hand-worked: classes {Anna, Bert} and {Carl}
    assert figures["equivalence_classes"]["count"] == 2
    assert figures["sample_uniques"] == pytest.approx(1 / 3)
    assert figures["population_uniques"]["population_size"] == 300
    assert rec.read_text().splitlines()[0].startswith("row,fk,Fk")
    # identifiers never appear in any output
    assert "Anna" not in out.read_text() and "Anna" not in rec.read_text()


@pytest.mark.parametrize(
    "content, args, message",
    [
        ("a;b\n1;2\n", ["--qi", "a,nope"], "unknown column 'nope'"),
        ("", ["--qi", "a"], "empty"),
        ("a;b\n1;2\n", ["--qi", "a", "--delimiter", ","], "seems to use ';'"),
        ("a;b\n1;2\n", ["--qi", "a", "--population-size", "0"], "argument --population-size: must be a whole number >= 1, got '0'"),
        ("a;b\n1;2\n3;4\n", ["--qi", "a", "--population-size", "1"], "smaller than the sample"),
    ],
)
def test_bad_input_is_one_line_exit_2(tmp_path, content, args, message):
    p = tmp_path / "d.csv"
    p.write_text(content)
    out = tmp_path / "o.json"
    r = run("assess", p, *args, "--json", out)
    assert r.returncode == 2
    assert message in r.stderr
    assert "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_hierarchy_errors(tmp_path, small_csv):
    h = tmp_path / "zip.csv"
    h.write_text("81675;8167*;*\n")
    r = run("assess", small_csv, "--qi", "zip,age", "--hierarchy", f"zip={h}")
    assert r.returncode == 2 and "1 value(s) of the data are not in the hierarchy" in r.stderr
    h.write_text("81675;8167*;*\n81667;8167*;x\n")
    r = run("assess", small_csv, "--qi", "zip,age", "--hierarchy", f"zip={h}")
    assert r.returncode == 2 and "not a coarsening" in r.stderr


def test_non_numeric_value_for_interval_hierarchy(tmp_path, small_csv):
    job = tmp_path / "job.yaml"
    job.write_text("input: {path: people.csv}\nattributes:\n  sex: {role: quasi-identifier, intervals: [5]}\n")
    r = run("assess", job)
    assert r.returncode == 2 and "'f' is not a number" in r.stderr


def test_unreadable_job_file(tmp_path):
    job = tmp_path / "job.yaml"
    job.write_text("input: [unclosed\n")
    r = run("assess", job)
    assert r.returncode == 2 and "not a readable YAML" in r.stderr and "line" in r.stderr


def test_threshold_out_of_range():
    import polars as pl

    import unlinkable

    with pytest.raises(unlinkable.ConfigError, match="'threshold' parameter"):
        unlinkable.assess(pl.DataFrame({"a": ["1"]}), quasi_identifiers=["a"], threshold=1.5)


def test_individual_risk_method_and_qual_flags(tmp_path):
    """--risk-method exact --qual 2 reach the per-record individual risk (sdcMicro's indivRisk)."""
    import numpy as np
    import polars as pl

    from unlinkable.risk.individual import individual_risk

    data = tmp_path / "w.csv"
    data.write_text("a,w\n1,10\n1,20\n1,5\n2,7\n2,7\n")
    out = {}
    for flags in ([], ["--risk-method", "exact", "--qual", "2"]):
        records = tmp_path / f"r{len(flags)}.csv"
        r = run("assess", data, "--qi", "a", "--weights", "w", "--records", records, *flags)
        assert r.returncode == 0, r.stderr
        out[len(flags)] = pl.read_csv(records)["individual_risk"].to_numpy()
    fk, Fk = np.array([3.0, 3, 3, 2, 2]), np.array([35.0, 35, 35, 14, 14])
    assert out[4] == pytest.approx(individual_risk(fk, Fk, weighted=True, method="exact", qual=2), rel=1e-12)
    assert out[0] == pytest.approx(individual_risk(fk, Fk, weighted=True), rel=1e-12)


def _hand_worked_individual_risk(method: str, qual: float) -> list[float]:
    """sdcMicro indivRisk on a,w = (1,10) (1,20) (1,5) (2,7) (2,7) (3,4), worked by hand from its formulas.

    fk = 3, Fk = 35, p = 3/35: approx p / (fk - (1 - p)) = 3/73; exact E[1/F | f] = int_0^1 p u^2 / (p + (1-p) u) du
    (quadrature). fk = 2, Fk = 14, p = 1/7: 1/6 - ln(7)/36. fk = 1, Fk = 4, p = 1/4: ln(4)/3.
    """
    import math

    from scipy.integrate import quad

    p = 3 / 35
    three = 3 / 73 if method == "approx" else quad(lambda u: p * u * u / (p + (1 - p) * u), 0, 1, epsabs=0, epsrel=1e-13)[0]
    return [qual * r for r in [three] * 3 + [1 / 6 - math.log(7) / 36] * 2 + [math.log(4) / 3]]


def _risk_job(tmp_path, section: str) -> Path:
    (tmp_path / "w.csv").write_text("a,w\n1,10\n1,20\n1,5\n2,7\n2,7\n3,4\n")
    job = tmp_path / "job.yaml"
    job.write_text("input: {path: w.csv}\nattributes:\n  a: {role: quasi-identifier}\n  w: {role: weight}\n" + section)
    return job


@pytest.mark.parametrize("section, flags, method, qual", [
    ("", [], "approx", 1.0),
    ("assess: {individual_risk: {method: exact, qual: 2}}\n", [], "exact", 2.0),
    ("assess: {individual_risk: {qual: 0.5}}\n", [], "approx", 0.5),
    ("assess: {individual_risk: {method: exact, qual: 2}}\n", ["--risk-method", "approx", "--qual", "3"], "approx", 3.0),
])
def test_individual_risk_method_and_qual_from_the_job_file(tmp_path, section, flags, method, qual):
    """The job file's assess.individual_risk reaches indivRisk; the CLI's flags win over it."""
    import polars as pl

    from unlinkable.cli import main

    records = tmp_path / "r.csv"
    assert main(["assess", str(_risk_job(tmp_path, section)), "--records", str(records), *flags]) == 0
    got = pl.read_csv(records)["individual_risk"].to_list()
    assert got == pytest.approx(_hand_worked_individual_risk(method, qual), rel=1e-12)


@pytest.mark.parametrize("section, message", [
    ("assess: {individual_risk: {method: exakt}}\n", "`assess.individual_risk.method` 'exakt' is not one of approx, exact (hint: did you mean 'exact'?"),
    ("assess: {individual_risk: {qual: 0}}\n", "'assess.individual_risk.qual' parameter must be a number > 0"),
    ("assess: {individual_risk: {qual: .inf}}\n", "must be finite"),
    ("assess: {individual_risk: {qual: two}}\n", "'assess.individual_risk.qual' parameter must be a number"),
    ("assess: {individual_risk: {methd: exact}}\n", "unknown key 'methd' (hint: did you mean 'method'?"),
    ("assess: {individual: {method: exact}}\n", "did you mean 'individual_risk'?"),
    ("assess: exact\n", "`assess` must be a mapping"),
])
@pytest.mark.parametrize("command", ["assess", "anonymize"])
def test_individual_risk_settings_are_checked_strictly(tmp_path, section, message, command):
    r = run(command, _risk_job(tmp_path, section), "--json", tmp_path / "r.json")
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and message in r.stderr, r.stderr
    assert not (tmp_path / "r.json").exists()
