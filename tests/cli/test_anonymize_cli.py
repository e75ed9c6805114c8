import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXE = ROOT / ".venv" / "bin" / "unlinkable"


def _job(tmp_path, arx_data, *, k, limit, metric, out_name="out.csv"):
    folder = arx_data / "test"
    attrs = "\n".join(f"  {q}: {{role: quasi-identifier, hierarchy: {folder / f'test_hierarchy_{q}.csv'}}}"
                      for q in ("age", "gender", "zipcode"))
    text = (f"input: {{path: {folder / 'test.csv'}, delimiter: ';'}}\nattributes:\n{attrs}\n"
            f"privacy:\n  - k-anonymity: {{k: {k}}}\nsuppression_limit: {limit}\nmetric: {metric}\n"
            f"output: {{path: {tmp_path / out_name}, delimiter: ';'}}\n")
    job = tmp_path / "job.yaml"
    job.write_text(text)
    return job


def _run(*args):
    exe = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "unlinkable"]
    return subprocess.run([*exe, "anonymize", *map(str, args)], capture_output=True, text=True, timeout=120)


def test_cli_reproduces_arx_hash(tmp_path, arx_data, arx_reference):
    cfg = next(c for c in arx_reference["test"]["configurations"] if not c.get("arx_error"))
    metric = "loss" if cfg["utility_metric"]["name"].lower().startswith("loss") else "discernibility"
    job = _job(tmp_path, arx_data, k=cfg["privacy_model"]["k"], limit=cfg["suppression_limit"], metric=metric)
    proc = _run(job, "--json", tmp_path / "r.json")
    assert proc.returncode == 0, proc.stderr
    assert hashlib.sha256((tmp_path / "out.csv").read_bytes()).hexdigest() == cfg["output_sha256"]
    result = json.loads((tmp_path / "r.json").read_text())
    assert result["loss_string"] == cfg["information_loss"]["highest_score"]


@pytest.mark.parametrize("k", [10, 0])
def test_cli_bad_k_exit_2_nothing_written(tmp_path, arx_data, k):
    job = _job(tmp_path, arx_data, k=k, limit=0.0, metric="loss")
    proc = _run(job, "--json", tmp_path / "r.json")
    assert proc.returncode == 2
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:")
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "r.json").exists()


def test_cli_missing_job_exit_2(tmp_path):
    proc = _run(tmp_path / "nope.yaml")
    assert proc.returncode == 2 and not any(tmp_path.iterdir())
