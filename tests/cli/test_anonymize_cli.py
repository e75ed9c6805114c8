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


def _census_job(tmp_path, edit):
    from unlinkable.datasets import write_census_job

    job = write_census_job(tmp_path, n=400, seed=3)
    job.write_text(edit(job.read_text()))
    return job


def test_a_column_without_a_role_is_exit_2_naming_it_nothing_written(tmp_path):
    # issue 8: insensitive is never a default; the job names every column or nothing is released
    job = _census_job(tmp_path, lambda text: text.replace("  birth_date: {role: identifier}", ""))
    proc = _run(job, "--json", tmp_path / "r.json")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "census.csv: column 'birth_date' has no role" in proc.stderr and proc.stderr.count("\n") == 1
    assert not (tmp_path / "r.json").exists() and not (tmp_path / "census_anonymized.csv").exists()


def test_a_kept_insensitive_column_that_singles_out_records_is_warned_about(tmp_path):
    job = _census_job(tmp_path, lambda text: text.replace("birth_date: {role: identifier}", "birth_date: {role: insensitive}"))
    proc = _run(job, "--json", tmp_path / "r.json")
    assert proc.returncode == 0, proc.stderr
    figures = json.loads((tmp_path / "r.json").read_text())["released_uniqueness"]
    (entry,) = figures["kept_columns"]
    assert entry["column"] == "birth_date" and entry["warn"]
    assert f"kept column 'birth_date' makes {entry['with_quasi_identifiers']:.1%} of records unique" in proc.stdout
    report = (tmp_path / "census_report.html").read_text()
    assert "<strong>birth_date</strong> is released as is, and it makes records unique" in report


def test_a_repeated_column_name_is_exit_2(tmp_path):
    # renaming the repeat would release a raw copy of the quasi-identifier
    job = _census_job(tmp_path, lambda text: text)
    data = tmp_path / "census.csv"
    lines = data.read_text().splitlines()
    data.write_text("\n".join([lines[0] + ",zip"] + [line + "," + line.split(",")[3] for line in lines[1:]]) + "\n")
    proc = _run(job)
    assert proc.returncode == 2 and "column 'zip' appears twice in the header" in proc.stderr
    assert not (tmp_path / "census_anonymized.csv").exists()


def test_delta_presence_releases_the_research_subset_only(tmp_path):
    """delta-presence publishes its research subset: the population's other rows are suppressed (as ARX's
    HashGroupify.performSuppression), the release verifies, and each released class's delta, recounted here
    by brute force over the population, is within the bounds."""
    import polars as pl

    from unlinkable.datasets import write_census_job

    job = write_census_job(tmp_path, n=400, seed=3)
    population = pl.read_csv(tmp_path / "census.csv", infer_schema=False)
    in_subset = [i % 3 != 1 for i in range(population.height)]  # two thirds of the population
    population.filter(pl.Series(in_subset)).write_csv(tmp_path / "subset.csv")
    job.write_text(job.read_text().replace(
        "  - l-diversity: {attribute: diagnosis, variant: distinct, l: 2}\n",
        "  - delta-presence: {delta_min: 0.1, delta_max: 0.9, subset: subset.csv}\n"))
    proc = _run(job, "--json", tmp_path / "r.json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads((tmp_path / "r.json").read_text())
    released = pl.read_csv(tmp_path / "census_anonymized.csv", infer_schema=False)
    qis = list(result["transformation"])
    star = [all(v == "*" for v in row) for row in released.select(qis).iter_rows()]
    assert not any(inside is False and not s for inside, s in zip(in_subset, star))  # no population-only row
    assert sum(s for inside, s in zip(in_subset, star) if inside) == result["suppressed"]
    # brute force: generalize every population row with the hierarchy files at the chosen levels
    maps = {}
    for q, level in result["transformation"].items():
        rows = [line.split(";") for line in (tmp_path / f"census_hierarchy_{q}.csv").read_text().splitlines()]
        maps[q] = {row[0]: row[level] for row in rows}
    keys = [tuple(maps[q][v] for q, v in zip(qis, row)) for row in population.select(qis).iter_rows()]
    shown = {tuple(row) for row, s in zip(released.select(qis).iter_rows(), star) if not s}
    assert shown and len(shown) == result["equivalence_classes"]
    for key in shown:
        members = [inside for k, inside in zip(keys, in_subset) if k == key]
        assert 0.1 <= sum(members) / len(members) <= 0.9


def test_cli_runs_arx_heuristics_from_the_job_file(tmp_path, arx_data):
    """search: {algorithm: genetic, step_limit, seed} in a job file; the job's seed when the search has none."""
    job = _job(tmp_path, arx_data, k=2, limit=0.0, metric="loss")
    text = job.read_text()
    outputs = []
    for i, search in enumerate(["{algorithm: genetic, step_limit: 20, seed: -559038737}",
                                "{algorithm: genetic, step_limit: 20}\nseed: 9", "{algorithm: genetic, step_limit: 20}\nseed: 9"]):
        job.write_text(text.replace("out.csv", f"out{i}.csv") + f"search: {search}\n")
        proc = _run(job)
        assert proc.returncode == 0, proc.stderr
        outputs.append((tmp_path / f"out{i}.csv").read_bytes())
    assert outputs[1] == outputs[2]       # same seed, same bytes
    job.write_text(text + "search: {algorithm: genetic}\n")
    proc = _run(job)
    assert proc.returncode == 2 and "needs a seed" in proc.stderr and not (tmp_path / "out.csv").exists()


def test_cli_local_recoding_from_the_job_file_is_verified_and_recorded(tmp_path, arx_data):
    job = _job(tmp_path, arx_data, k=3, limit=1.0, metric="{name: loss, gs_factor: 0.05}")
    job.write_text(job.read_text() + "local_recoding: {gs_factor: 0.05, max_iterations: 20}\n")
    proc = _run(job, "--json", tmp_path / "r.json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads((tmp_path / "r.json").read_text())
    recoding = result["local_recoding"]
    assert recoding["max_iterations"] == 20 and recoding["recoded"] == sum(r["recoded"] for r in recoding["rounds"])
    job.write_text(job.read_text().replace("max_iterations: 20", "max_iteration: 20"))
    proc = _run(job)
    assert proc.returncode == 2 and "max_iterations" in proc.stderr
