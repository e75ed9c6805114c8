"""Ctrl-C and SIGTERM: a one-line message, exit 130/143, and nothing written, not even a temporary file.

The subprocess tests send real signals to real processes. To hit the moment that matters (one
output staged, the others not yet), a small wrapper pauses after the staging of one named output
and says so on stdout; the signal is sent then. Another sends the signal while polars writes a
large CSV (its writer, interrupted inside, raised twice and left a partial file behind).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

import pytest

from unlinkable.cli import main
from unlinkable.datasets import write_census_job

PAUSING = textwrap.dedent("""
    import os, sys, time
    import unlinkable.data.outputs as outputs

    real = outputs.OutputSet.file

    def file(self, path, write):
        staged = real(self, path, write)
        if os.path.basename(str(path)) == os.environ["PAUSE_AT"]:
            print("paused", flush=True)
            # Short sleeps: a signal the kernel hands to another thread (the verifier's, polars')
            # wakes no sleeping main thread; its Python handler runs at the next short wake-up.
            for _ in range(2400):
                time.sleep(0.05)
        return staged

    outputs.OutputSet.file = file
    if sys.argv[1] == "demo":
        from unlinkable.demo import main
        sys.exit(main(sys.argv[2:]))
    from unlinkable.cli import main
    sys.exit(main(sys.argv[1:]))
""")


def test_interrupted_search_writes_nothing(tmp_path, monkeypatch, capsys):
    import unlinkable.anonymizer as anonymizer

    job = write_census_job(tmp_path, n=300, seed=2)

    def interrupted(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(anonymizer.Anonymizer, "fit", interrupted)
    code = main(["anonymize", str(job), "--json", str(tmp_path / "out.json")])
    assert code == 130
    assert "nothing was written" in capsys.readouterr().err
    for name in ("census_anonymized.csv", "census_report.html", "out.json"):
        assert not (tmp_path / name).exists()
    assert not list(tmp_path.glob(".*"))


def test_a_failing_report_leaves_neither_table_nor_json(tmp_path, monkeypatch, capsys):
    import unlinkable.report.html as html

    job = write_census_job(tmp_path, n=300, seed=2)
    before = sorted(p.name for p in tmp_path.iterdir())

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device", str(tmp_path / "census_report.html"))

    monkeypatch.setattr(html, "render", broken)
    code = main(["anonymize", str(job), "--json", str(tmp_path / "out.json")])
    assert code == 2
    assert capsys.readouterr().err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def _paused(argv, pause_at, cwd):
    proc = subprocess.Popen([sys.executable, "-c", PAUSING, *argv], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={"PAUSE_AT": pause_at, "PATH": "/usr/bin:/bin"})
    for line in proc.stdout:
        if line.strip() == "paused":
            return proc
    proc.wait()
    pytest.fail(f"the run never reached {pause_at}: {proc.stderr.read()}")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("pause_at", ["census_anonymized.csv", "census_report.html"])
def test_signal_while_outputs_are_staged(tmp_path, signum, pause_at):
    job = write_census_job(tmp_path, n=400, seed=3)
    before = sorted(p.name for p in tmp_path.iterdir())
    proc = _paused(["anonymize", str(job), "--json", str(tmp_path / "out.json")], pause_at, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")), "an output is being staged"
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signum
    assert err.strip().endswith("nothing was written") and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_signal_during_assess_writes_nothing(tmp_path, signum):
    job = write_census_job(tmp_path, n=400, seed=3)
    before = sorted(p.name for p in tmp_path.iterdir())
    argv = ["assess", str(job), "--json", "r.json", "--records", "r.csv", "--report", "r.html"]
    proc = _paused(argv, "r.csv", tmp_path)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signum and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_signal_during_run_leaves_the_folder_as_it_was(tmp_path, signum):
    out = tmp_path / "out"
    proc = _paused(["demo", "--out", str(out), "--records", "500"], "census_report.html", tmp_path)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signum and "Traceback" not in err
    assert not out.exists()  # created by the run, removed again


WRITING = textwrap.dedent("""
    import sys
    import numpy as np
    import polars as pl
    from unlinkable.cli import run_guarded
    from unlinkable.data.outputs import OutputSet

    n = 2_000_000
    frame = pl.DataFrame({"a": np.arange(n).astype(str), "b": np.random.default_rng(0).random(n)})

    def write():
        with OutputSet() as outputs:
            outputs.text("small.json", "{}")
            print("writing", flush=True)
            outputs.table("big.csv", frame)
            outputs.commit()

    sys.exit(run_guarded(write))
""")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_signal_while_polars_writes_a_large_csv(tmp_path, signum):
    proc = subprocess.Popen([sys.executable, "-c", WRITING], cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "writing"
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=120)
    assert "Traceback" not in err
    if proc.returncode == 0:  # the write and the commit finished before the signal was acted on
        assert sorted(p.name for p in tmp_path.iterdir()) == ["big.csv", "small.json"]
    else:
        assert proc.returncode == 128 + signum, err
        assert list(tmp_path.iterdir()) == [], err
