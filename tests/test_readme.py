"""Every example in the README runs: the Python blocks in order, and each console block in a fresh shell."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from conftest import FRESH_SHELL, console_blocks  # tests/conftest.py: the README's ./run, run once

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
#: spark-submit's JVM (the driver, in local mode) with its quick compiler only and one GC thread: the
#: example's job is small, and the optimizing compiler's threads took CPU from the other test worker.
#: How fast, never what, is computed; the commands themselves run exactly as written.
_QUICK_JVM = {"SPARK_SUBMIT_OPTS": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"}


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def test_python_examples(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    for i, code in enumerate(blocks("python")):
        exec(compile(code, f"README.md python block {i + 1}", "exec"), namespace)  # noqa: S102
    assert (tmp_path / "demo" / "census_job.yaml").exists()


def test_console_examples_run_from_a_fresh_shell_exactly_as_written(demo_run):
    """Each console block runs as one bash script, in a fresh environment, from a copy of the repository's folder.

    The first line, ``./run``, ran once for the session (``demo_run`` in conftest.py: the same fresh shell, a
    shell of its own); the rest of its block and every other block go on in the same folder. The copy holds
    links to what ``./run`` needs (the script, ``scripts/``, ``pyproject.toml`` and the installed ``.venv``) and
    to ``src/`` (the Spark example hands ``spark-submit`` its entry script), so ``./run`` writes its ``out/``
    there, not into the repository.
    """
    sandbox = demo_run.sandbox
    scripts = console_blocks()
    assert scripts and all(scripts), "the README shows commands"
    scripts[0] = scripts[0][1:]  # ./run: done by demo_run
    for lines in scripts:
        r = subprocess.run(["bash", "--noprofile", "--norc", "-e", "-c", "\n".join(lines)], capture_output=True,
                           text=True, cwd=sandbox, env={**FRESH_SHELL, "HOME": str(sandbox), **_QUICK_JVM}, timeout=600)
        assert r.returncode == 0, f"{lines}: {r.stderr}"
        assert "Traceback" not in r.stderr
    assert (sandbox / "out" / "risk.html").exists()
    assert (sandbox / "out" / "result.json").exists()
    assert list((sandbox / "out" / "census_anonymized.parquet").glob("part-*.parquet"))


def test_run_prints_every_file_it_wrote(demo_run):
    """``./run`` lists each file it wrote on stdout, and writes nothing else."""
    assert demo_run.written and not [n for n in demo_run.written if n.startswith(".")]
    listed = sorted(Path(m).name for m in re.findall(r"^\s+(out/\S+)", demo_run.stdout, flags=re.M))
    assert listed == list(demo_run.written)


def test_yaml_example_is_a_valid_job(tmp_path):
    import yaml

    from unlinkable.config import parse_job
    from unlinkable.models import model_from_config

    (block,) = blocks("yaml")
    job = parse_job(yaml.safe_load(block), base_dir=tmp_path)
    for item in job.sections["privacy"]:
        model_from_config(item)


def test_two_commands_exist():
    assert os.access(ROOT / "run", os.X_OK) and os.access(ROOT / "test", os.X_OK)
    assert "./test" in (ROOT / ".ci" / "run").read_text()
