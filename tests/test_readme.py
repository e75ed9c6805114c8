"""Every example in the README runs: Python blocks in order, then the `$ unlinkable` commands."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
EXE = Path(sys.executable).parent / "unlinkable"


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def test_python_examples_then_commands(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    for i, code in enumerate(blocks("python")):
        exec(compile(code, f"README.md python block {i + 1}", "exec"), namespace)  # noqa: S102
    commands = [line[2:] for block in blocks("console") for line in block.splitlines() if line.startswith("$ ")]
    assert commands, "the README shows commands"
    for command in commands:
        argv = command.split()
        assert argv[0] == "unlinkable"
        r = subprocess.run([str(EXE), *argv[1:]], capture_output=True, text=True, cwd=tmp_path, timeout=300,
                           env={**os.environ, "COLUMNS": "120"})
        assert r.returncode == 0, f"{command}: {r.stderr}"
    assert (tmp_path / "demo" / "risk.html").exists()
    assert (tmp_path / "demo" / "census_anonymized.csv").exists()


def test_yaml_example_is_a_valid_job(tmp_path):
    from unlinkable.config import parse_job
    from unlinkable.models import model_from_config
    import yaml

    (block,) = blocks("yaml")
    job = parse_job(yaml.safe_load(block), base_dir=tmp_path)
    for item in job.sections["privacy"]:
        model_from_config(item)


def test_two_commands_exist():
    assert os.access(ROOT / "run", os.X_OK) and os.access(ROOT / "test", os.X_OK)
    assert "./test" in (ROOT / ".ci" / "run").read_text()
