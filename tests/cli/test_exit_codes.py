"""Issue 8 items 4 and 6: an input is never overwritten; environment problems exit 2 with one line; 3 only for bugs."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import types
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


@pytest.mark.parametrize("command, output", [("assess", "--json"), ("assess", "--records"), ("assess", "--report"),
                                             ("anonymize", "--json")])
def test_a_missing_output_folder_is_an_error_naming_it(demo, tmp_path, command, output):
    before = sorted(p.name for p in tmp_path.iterdir())
    r = run(command, "census_job.yaml", output, "new/deeper/r.out", cwd=tmp_path)
    message = one_line_error(r)
    assert "new/deeper: no such folder" in message and "mkdir -p new/deeper" in message
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written, no folder created


def test_a_missing_output_folder_in_a_job_file_is_an_error(tmp_path):
    job = write_census_job(tmp_path, n=300, seed=4)
    job.write_text(job.read_text().replace("path: census_anonymized.csv", "path: gone/census_anonymized.csv"))
    before = sorted(p.name for p in tmp_path.iterdir())
    assert "gone: no such folder" in one_line_error(run("anonymize", job, cwd=tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.parametrize("argv, message", [
    ([], "a command is required: assess, anonymize, exposure, score"),
    (["frob"], "invalid choice: 'frob'"),
    (["assess"], "the following arguments are required: source (hint: unlinkable assess --help"),
    (["assess", "census.csv", "--population-size", "9", "--sampling-fraction", "0.1"], "not allowed with"),
    (["assess", "census.csv", "--risk-method", "fast"], "argument --risk-method: invalid choice: 'fast'"),
    (["anonymize", "census_job.yaml", "--bogus"], "unrecognized arguments: --bogus"),
])
def test_argument_errors_are_one_line_with_a_hint(tmp_path, argv, message):
    r = run(*argv, cwd=tmp_path)
    assert message in one_line_error(r) and "--help lists the options" in r.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_huge_argument_is_cut_in_the_error(tmp_path):
    r = run("assess", "x.csv", "--risk-method", "q" * 50_000, cwd=tmp_path)
    assert "invalid choice" in one_line_error(r) and "q" * 500 not in r.stderr and len(r.stderr) < 1_000


@pytest.mark.parametrize("errno_, words", [(errno.EROFS, "read-only"), (errno.EACCES, "permission denied")])
@pytest.mark.parametrize("command", ["assess", "run"])
def test_a_read_only_or_forbidden_output_folder_exits_2(demo, tmp_path, monkeypatch, capsys, errno_, words, command):
    """Root writes anywhere, so the folder's refusal is simulated where the outputs are staged."""
    import unlinkable.data.outputs as outputs_module
    from unlinkable import demo as run_script

    def refuse(*, dir, **_):
        raise OSError(errno_, os.strerror(errno_), dir)

    monkeypatch.setattr(outputs_module, "tempfile", types.SimpleNamespace(mkstemp=refuse, mkdtemp=refuse))
    monkeypatch.chdir(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    if command == "assess":
        code = main(["assess", "census_job.yaml", "--json", "r.json", "--report", "r.html"])
    else:
        code = run_script.main(["--records", "50", "--out", "locked"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and err.startswith("error: ") and "Traceback" not in err, err
    assert words in err.lower() and "cannot write into this folder" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.parametrize("unreadable", ["census_job.yaml", "census.csv", "census_hierarchy_age.csv"])
def test_an_input_without_read_permission_exits_2(demo, tmp_path, monkeypatch, capsys, unreadable):
    """Root reads anything, so the refusal is simulated where every input is opened (``Path.read_bytes``
    opens through ``Path.open`` too; a data file is opened to be mapped)."""
    path_open = Path.open

    def refuse(self, *args, **kwargs):
        if self.name == unreadable:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return path_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    monkeypatch.chdir(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main(["anonymize", "census_job.yaml", "--json", "r.json"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert f"{unreadable}: cannot be read (Permission denied) (hint: check the permissions)" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_output_folder_exits_2(demo, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        assert "permission denied" in one_line_error(run("assess", "census_job.yaml", "--json", "locked/r.json", cwd=tmp_path)).lower()
    finally:
        locked.chmod(0o755)


def test_warnings_are_one_line(demo, tmp_path):
    """Income left unprotected: the warning is one line, without Python's file:line and source."""
    demo.write_text("\n".join(line for line in demo.read_text().splitlines() if "attribute: income" not in line) + "\n")
    r = run("anonymize", "census_job.yaml", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stderr.splitlines() == ["warning: sensitive attribute 'income' is released as it is and no privacy model "
                                     "protects it (ARX rejects this); add l-diversity or t-closeness on it, or give it "
                                     "the role insensitive"]


def test_internal_errors_exit_3_and_say_so(tmp_path, monkeypatch, capsys):
    import unlinkable.assessment as assessment

    job = write_census_job(tmp_path, n=100, seed=4)

    def broken(*args, **kwargs):
        raise InternalError("class counts disagree")

    monkeypatch.setattr(assessment, "assess", broken)
    assert main(["assess", str(job), "--json", str(tmp_path / "r.json")]) == 3
    assert "probably a bug" in capsys.readouterr().err
    assert not (tmp_path / "r.json").exists()


def test_a_release_the_verifier_refuses_writes_nothing(demo, tmp_path, monkeypatch, capsys):
    """The verifier runs beside the staging of the outputs: its refusal still leaves no file."""
    import unlinkable.verify as verify
    from unlinkable.errors import VerificationError

    def refuse(*args, **kwargs):
        raise VerificationError("k-anonymity does not hold", hint="this is a test")

    monkeypatch.setattr(verify, "verify_release", refuse)
    monkeypatch.chdir(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main(["anonymize", "census_job.yaml", "--json", "r.json"]) == 2
    assert "k-anonymity does not hold" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.parametrize("argv, message", [
    (["--records", "0"], "--records must be at least 1"),
    (["--records", "-5"], "--records must be at least 1"),
    (["--seed", "-1"], "--seed must be 0 or more"),
    (["--out", "file"], "is a file, not a folder"),
    (["--out", ""], "--out must name a folder of its own"),
    (["--records", "abc"], "argument --records: invalid int value: 'abc' (hint: ./run --help"),  # argparse's own
    (["--seed", "1.5"], "argument --seed: invalid int value"),
    (["--bogus"], "unrecognized arguments: --bogus"),
    (["somewhere"], "unrecognized arguments: somewhere"),
])
def test_run_user_errors_exit_2_with_one_line(tmp_path, argv, message):
    (tmp_path / "file").write_text("x")
    r = subprocess.run([str(ROOT / "run"), *argv], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert message in one_line_error(r)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]
