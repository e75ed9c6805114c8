"""Issue 8 items 4 and 6: an input is never overwritten; environment problems exit 2 with one line; 3 only for bugs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from unlinkable.cli import main
from unlinkable.datasets import write_census_job
from unlinkable.errors import InternalError

ROOT = Path(__file__).resolve().parents[2]
EXE = Path(sys.executable).parent / "unlinkable"


def run(*args, cwd):
    return subprocess.run([str(EXE), *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=300)


def one_line_error(r):
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("error: "), r.stderr
    return r.stderr


@pytest.fixture()
def demo(tmp_path):
    job = write_census_job(tmp_path, n=300, seed=4)
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.csv").symlink_to(tmp_path / "census.csv")
    os.link(tmp_path / "census.csv", tmp_path / "hard.csv")
    return job


@pytest.mark.parametrize("command", ["assess-data", "assess-job", "anonymize"])
@pytest.mark.parametrize("output", ["census.csv", "sub/../census.csv", "link.csv", "hard.csv", "census_job.yaml",
                                    "census_hierarchy_age.csv"])
def test_an_output_that_is_an_input_is_an_error(demo, tmp_path, command, output):
    watched = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    argv = {"assess-data": ["assess", "census.csv", "--qi", "age,sex", "--hierarchy", "age=census_hierarchy_age.csv"],
            "assess-job": ["assess", "census_job.yaml"],
            "anonymize": ["anonymize", "census_job.yaml"]}[command]
    r = run(*argv, "--json", output, cwd=tmp_path)
    if command == "assess-data" and output == "census_job.yaml":
        assert r.returncode == 0, r.stderr  # the data-file form does not read the job file
        watched.pop("census_job.yaml")
    else:
        assert "is an input of the run" in one_line_error(r)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.name in watched} == watched
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_a_job_output_path_that_is_its_input_is_an_error(tmp_path):
    job = write_census_job(tmp_path, n=300, seed=4)
    job.write_text(job.read_text().replace("path: census_anonymized.csv", "path: ./census.csv"))
    before = (tmp_path / "census.csv").read_bytes()
    assert "is an input of the run" in one_line_error(run("anonymize", job, cwd=tmp_path))
    assert (tmp_path / "census.csv").read_bytes() == before


@pytest.mark.parametrize("argv, message", [
    (["assess", ".", "--qi", "age"], "is a directory"),                      # a folder where a file is expected
    (["assess", "census_job.yaml", "--json", "sub"], "is a folder"),
    (["assess", "census_job.yaml", "--json", "census.csv/r.json"], "is not a folder"),
    (["anonymize", "census_job.yaml", "--json", "census.csv/new/r.json"], "is not a folder"),
])
def test_environment_problems_exit_2_with_one_line(demo, tmp_path, argv, message):
    before = sorted(p.name for p in tmp_path.iterdir())
    assert message in one_line_error(run(*argv, cwd=tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_a_missing_output_folder_is_created_only_when_the_run_succeeds(demo, tmp_path):
    r = run("assess", "census_job.yaml", "--json", "new/r.json", "--report", "census.csv/r.html", cwd=tmp_path)
    assert "is not a folder" in one_line_error(r)
    assert not (tmp_path / "new").exists()
    r = run("assess", "census_job.yaml", "--json", "new/deeper/r.json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "new" / "deeper" / "r.json").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_output_folder_exits_2(demo, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        assert "permission denied" in one_line_error(run("assess", "census_job.yaml", "--json", "locked/r.json", cwd=tmp_path)).lower()
    finally:
        locked.chmod(0o755)


def test_internal_errors_exit_3_and_say_so(tmp_path, monkeypatch, capsys):
    import unlinkable.assessment as assessment

    job = write_census_job(tmp_path, n=100, seed=4)

    def broken(*args, **kwargs):
        raise InternalError("class counts disagree")

    monkeypatch.setattr(assessment, "assess", broken)
    assert main(["assess", str(job), "--json", str(tmp_path / "r.json")]) == 3
    assert "probably a bug" in capsys.readouterr().err
    assert not (tmp_path / "r.json").exists()


@pytest.mark.parametrize("argv, message", [
    (["--records", "0"], "--records must be at least 1"),
    (["--records", "-5"], "--records must be at least 1"),
    (["--seed", "-1"], "--seed must be 0 or more"),
    (["--out", "file"], "is a file, not a folder"),
])
def test_run_user_errors_exit_2_with_one_line(tmp_path, argv, message):
    (tmp_path / "file").write_text("x")
    r = subprocess.run([str(ROOT / "run"), *argv], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert message in one_line_error(r)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]
