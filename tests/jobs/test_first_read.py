"""The command line's guess of its first read is the validated job's read, or no guess at all.

A wrong guess would only cost time (the read ahead is not taken), but every guess made here is
checked against what the validated job reads: its input path and delimiter, and the columns it
reads as categories (the quasi-identifiers, none when SDC steps run first).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from unlinkable.config import load_job
from unlinkable.data.roles import Role
from unlinkable.jobs.first_read import first_read

_ATTRIBUTES = {
    "roles": "attributes: {age: quasi-identifier, sex: {role: qi}, pid: identifier, income: sensitive}\n",
    "aliases": "attributes: {age: QI, sex: {role: quasi_identifying}, pid: id, note: {role: insensitive}}\n",
    "hierarchy without role": "attributes: {age: {intervals: [10, 20]}, sex: {masking: true}, pid: {role: identifier}}\n",
    "none": "",
}
_INPUTS = {
    "path": "input: d.csv\n",
    "semicolon": "input: {path: d.csv, delimiter: ';'}\n",
    "tab": "input: {path: d.csv, delimiter: tab}\n",
    "escaped tab": "input: {path: d.csv, delimiter: '\\t'}\n",
    "folder": "input: {path: sub/d.csv}\n",
}
_WORK = {
    "privacy": "privacy: [{k-anonymity: {k: 2}}]\n",
    "steps": "steps: [{local-suppression: {k: 2, attributes: [age]}}]\n",
    "both": "privacy: [{k-anonymity: {k: 2}}]\nsteps: [{local-suppression: {k: 2, attributes: [age]}}]\n",
    "neither": "",
}


def _validated_read(command: str, job_file) -> tuple:
    """What the validated job reads first (the truth a guess must equal)."""
    job = load_job(job_file)
    steps = command == "anonymize" and bool(job.spec.sdc_steps)
    return job.input.path, job.input.delimiter, frozenset(() if steps else job.names(Role.QUASI_IDENTIFIER))


@pytest.mark.parametrize("work", list(_WORK))
@pytest.mark.parametrize("inp", list(_INPUTS))
@pytest.mark.parametrize("attributes", list(_ATTRIBUTES))
@pytest.mark.parametrize("command", ["anonymize", "assess"])
def test_a_guess_is_what_the_validated_job_reads(tmp_path, monkeypatch, command, attributes, inp, work):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "jobs").mkdir()
    job_file = tmp_path / "jobs" / "job.yaml"
    job_file.write_text(_INPUTS[inp] + _ATTRIBUTES[attributes] + _WORK[work])
    for argv in ([command, str(job_file)], [command, "jobs/job.yaml", "--json", "out.json"]):
        guess = first_read(argv)
        assert guess is not None
        assert guess == _validated_read(command, argv[1])


@pytest.mark.parametrize("argv", [
    ["anonymize", "job.yaml", "--backend", "spark"],
    ["anonymize", "job.yaml", "--backend=numpy"],  # any option not known to leave the read alone
    ["assess", "job.yaml", "--delimiter", ","],
    ["assess", "d.csv", "--qi", "age"],
    ["score", "job.yaml"],
    ["anonymize"],
    ["anonymize", "job.yaml", "other.yaml"],
    ["anonymize", "missing.yaml"],
    ["--version"],
])
def test_command_lines_with_another_first_read_are_not_guessed(tmp_path, monkeypatch, argv):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "job.yaml").write_text("input: d.csv\nattributes: {age: qi}\nprivacy: [{k-anonymity: {k: 2}}]\n")
    (tmp_path / "other.yaml").write_text("input: d.csv\n")
    assert first_read(argv) is None


@pytest.mark.parametrize("content", [
    "input: d.parquet\nattributes: {age: qi}\n",
    "input: d.csv\nbackend: spark\nattributes: {age: qi}\n",
    "input: d.csv\nspark: {master: 'local[2]'}\nattributes: {age: qi}\n",
    "input: {path: b.txt, format: basket-lines}\n",
    "input: d.csv\ntransactions: {user: u, item: i}\n",
    "input: t.csv\ntrajectories: {user: u, place: p}\n",
    "release: r.csv\nauxiliary: a.csv\nattributes: {age: {}}\n",
    "input: {path: d.csv, delimiter: ';;'}\nattributes: {age: qi}\n",
    "input: d.csv\nattributes: {age: {role: teacher}}\n",
    "input: d.csv\nattributes: {age: [1, 2]}\n",
    "input: d.csv\nattributes: {age: {role: 5}}\n",
    "input: d.csv\nattributes: {age: {}}\n",  # no role and no hierarchy: the job is refused
    "input: d.csv\nattributes: {age: null}\n",
    "attributes: {age: qi}\n",
    "- not a mapping\n",
    "input: [unclosed\n",
])
def test_jobs_that_read_something_else_or_not_plainly_are_not_guessed(tmp_path, monkeypatch, content):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "job.yaml").write_text(content)
    assert first_read(["anonymize", "job.yaml"]) is None


@pytest.mark.parametrize(("command", "written"), [(["anonymize", "job.yaml"], "out.csv"),
                                                  (["assess", "job.yaml", "--json", "risk.json"], "risk.json")])
def test_the_command_reads_its_table_once_on_the_read_ahead_thread(tmp_path, arx_data, command, written):
    """The real console: the job's table is parsed once, by the read begun ahead, and the run is the run."""
    folder = arx_data / "test"
    attributes = "".join(f"  {q}: {{role: quasi-identifier, hierarchy: {folder}/test_hierarchy_{q}.csv}}\n"
                         for q in ("age", "gender", "zipcode"))
    job = (f"input: {{path: {folder}/test.csv, delimiter: ';'}}\nattributes:\n{attributes}"
           "privacy: [{k-anonymity: {k: 2}}]\nsuppression_limit: 0\nmetric: loss\noutput: {path: out.csv}\n")
    (tmp_path / "job.yaml").write_text(job)
    script = textwrap.dedent(f"""
        import atexit, sys, threading
        import unlinkable.data.io as io
        parse, threads = io._parse_csv, []
        def counted(*args):
            threads.append(threading.current_thread().name)
            return parse(*args)
        io._parse_csv = counted
        atexit.register(lambda: print("parsed on", threads, file=sys.stderr))
        from unlinkable.cli import console
        sys.argv = ["unlinkable", *{command!r}]
        console()
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "parsed on ['unlinkable-read-ahead']" in done.stderr
    in_process = tmp_path / "again"
    in_process.mkdir()
    (in_process / "job.yaml").write_text(job)
    again = subprocess.run([sys.executable, "-c", f"import sys; from unlinkable.cli import main; sys.exit(main({command!r}))"],
                           cwd=in_process, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr[-2000:]
    assert (in_process / written).read_bytes() == (tmp_path / written).read_bytes()
