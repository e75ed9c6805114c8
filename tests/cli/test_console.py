"""The `unlinkable` command ends without tearing the interpreter down, but only after the exit
handlers ran and everything it printed was flushed, with main()'s exit code."""

from __future__ import annotations

import subprocess
import sys
import textwrap

CONSOLE = textwrap.dedent("""
    import atexit, sys
    atexit.register(lambda: print("exit handler ran", flush=True))
    sys.argv = ["unlinkable", *sys.argv[1:]]
    from unlinkable.cli import console
    console()
""")


def _run(*argv: str, cwd) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", CONSOLE, *argv], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_exit_handlers_run_and_the_output_is_complete(tmp_path):
    done = _run("schema", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    printed, _, last = done.stdout.rstrip("\n").rpartition("\n")
    assert last == "exit handler ran"
    assert printed.lstrip().startswith("{") and printed.rstrip().endswith("}")  # the whole schema, flushed


def test_the_exit_code_is_mains(tmp_path):
    done = _run("assess", "missing.csv", "--qi", "age", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "missing.csv: no such file" in done.stderr
    assert done.stdout == "exit handler ran\n"
