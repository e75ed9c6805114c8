"""`unlinkable exposure JOB.yaml` as a real subprocess: outputs, summary, and one-line errors (exit 2)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXE = ROOT / ".venv" / "bin" / "unlinkable"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    exe = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "unlinkable.cli"]
    return subprocess.run([*exe, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.fixture()
def job_dir(tmp_path: Path) -> Path:
    (tmp_path / "release.csv").write_text('pid,age,sex\n1,"[30, 40[",m\n2,45,f\n3,*,f\n')
    (tmp_path / "voters.csv").write_text("PID,AGE,SEX\n1,31,m\n2,44,f\n3,60,f\n4,38,m\n")
    (tmp_path / "age.csv").write_text("".join(f"{a};[{a // 10 * 10}, {a // 10 * 10 + 10}[;*\n" for a in range(100)))
    return tmp_path


def write_job(d: Path, attributes: str, extra: str = "") -> Path:
    job = d / "job.yaml"
    job.write_text(f"release: {{path: release.csv, delimiter: \",\"}}\nauxiliary: {{path: voters.csv}}\n"
                   f"attributes:\n{attributes}{extra}")
    return job


def test_outputs_and_summary(job_dir: Path):
    write_job(job_dir, "  age: {auxiliary: AGE, hierarchy: age.csv, tolerance: 1}\n  sex: {auxiliary: SEX}\n",
              "truth_key: {release: pid, auxiliary: PID}\n")
    r = run("exposure", "job.yaml", "--json", "out.json", "--records", "rec.csv", cwd=job_dir)
    assert r.returncode == 0, r.stderr
    # Hand-worked: [30, 40[ m with +/-1 covers ages 29..40 -> voters 31 m, 38 m (2);
    # 45 f -> 44 f (1); * f -> 44 f, 60 f (2).
    assert "1 of 3 records (33.3%) match exactly one person in voters.csv" in r.stdout
    payload = json.loads((job_dir / "out.json").read_text())
    assert payload["candidates_histogram"]["1"] == 1 and payload["candidates_histogram"]["2"] == 2
    assert payload["true_reidentification_rate"] == pytest.approx((1 / 2 + 1 + 1 / 2) / 3)
    assert (job_dir / "rec.csv").read_text() == "row,candidates\n1,2\n2,1\n3,2\n"
    # Never values: the per-record file holds row numbers and counts only.
    assert "m" not in (job_dir / "rec.csv").read_text().split("\n", 1)[1]


@pytest.mark.parametrize("attributes, needle", [
    ("  {}\n", "no shared attribute"),
    ("  age: {auxiliary: AGEX}\n", "'AGEX'"),
    ("  sex: {auxiliary: SEX, tolerance: 1}\n", "'sex'"),
])
def test_bad_input_one_line_error(job_dir: Path, attributes: str, needle: str):
    if attributes.strip() == "{}":
        job = job_dir / "job.yaml"
        job.write_text("release: release.csv\nauxiliary: voters.csv\nattributes: {}\n")
    else:
        write_job(job_dir, attributes)
    r = run("exposure", "job.yaml", "--json", "out.json", "--records", "rec.csv", "--report", "r.html", cwd=job_dir)
    assert r.returncode == 2
    assert needle in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert not any((job_dir / f).exists() for f in ("out.json", "rec.csv", "r.html"))
    assert not list(job_dir.glob(".*.tmp"))
