"""Whole jobs on Spark (local[2], the shared session): the command line gives what numpy gives,
writes whole or nothing, and fails with one line and exit 2 when Spark cannot run or read."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from unlinkable.cli import main


@pytest.fixture(scope="module")
def census_job(tmp_path_factory):
    from unlinkable.datasets import write_census_job

    folder = tmp_path_factory.mktemp("census")
    job = write_census_job(folder, n=400, seed=3)
    spark_job = folder / "spark_job.yaml"
    spark_job.write_text(job.read_text().replace("census_anonymized.csv", "spark_release.csv")
                         .replace("census_report.html", "spark_report.html")
                         + "backend: spark\nspark: {conf: {spark.sql.shuffle.partitions: 2}}\n")
    return job, spark_job


def _without_timing(payload: dict) -> dict:
    payload = dict(payload)
    payload.pop("runtime_s", None)
    payload.pop("backend", None)
    for key in ("risk_before", "risk_after"):
        payload[key] = {k: v for k, v in payload[key].items() if k != "backend"}
    return payload


def test_anonymize_job_on_spark_equals_numpy(spark_backend, census_job, capsys):
    job, spark_job = census_job
    folder = job.parent
    assert main(["anonymize", str(job), "--json", str(folder / "numpy.json")]) == 0
    assert main(["anonymize", str(spark_job), "--json", str(folder / "spark.json")]) == 0
    numpy_result = json.loads((folder / "numpy.json").read_text())
    spark_result = json.loads((folder / "spark.json").read_text())
    assert spark_result["backend"] == "spark"
    assert _without_timing(spark_result) == _without_timing(numpy_result)
    # a folder of CSV parts (each with the header) holding the numpy release's rows, in order
    parts = sorted((folder / "spark_release.csv").glob("part-*.csv"))
    assert parts and not list((folder / "spark_release.csv").glob(".*"))
    released = pl.concat([pl.read_csv(p, infer_schema=False) for p in parts])
    assert released.equals(pl.read_csv(folder / "census_anonymized.csv", infer_schema=False))
    assert (folder / "spark_report.html").is_file()
    assert "on spark" in capsys.readouterr().out


def test_assess_on_spark_equals_numpy_and_has_no_per_record_output(spark_backend, census_job, tmp_path):
    job, _ = census_job
    data = job.parent / "census.csv"
    args = ["assess", str(data), "--qi", "age,sex,zip", "--sensitive", "diagnosis", "--population-size", "100000"]
    assert main([*args, "--json", str(tmp_path / "n.json")]) == 0
    assert main([*args, "--json", str(tmp_path / "s.json"), "--backend", "spark"]) == 0
    numpy_figures = json.loads((tmp_path / "n.json").read_text())
    spark_figures = json.loads((tmp_path / "s.json").read_text())
    assert spark_figures.pop("backend") == "spark"
    assert spark_figures == numpy_figures
    # per-record risks would bring every record to the driver: refused, nothing written
    assert main([*args, "--backend", "spark", "--json", str(tmp_path / "x.json"), "--records", str(tmp_path / "r.csv")]) == 2
    assert not (tmp_path / "x.json").exists() and not (tmp_path / "r.csv").exists()


def test_spark_reads_folders_globs_and_parquet(spark_backend, tmp_path):
    import unlinkable

    frame = pl.DataFrame({"age": ["31", "34", "31", None, "52"], "zip": ["1", "2", "1", "2", "3"]})
    (tmp_path / "parts").mkdir()
    frame.head(2).write_csv(tmp_path / "parts" / "a.csv")
    frame.tail(3).write_csv(tmp_path / "parts" / "b.csv")
    frame.write_parquet(tmp_path / "people.parquet")
    expected = unlinkable.assess(frame, quasi_identifiers=["age", "zip"]).to_dict()
    for source in (tmp_path / "parts", str(tmp_path / "parts" / "*.csv"), tmp_path / "people.parquet"):
        got = unlinkable.assess(source, quasi_identifiers=["age", "zip"], backend=spark_backend).to_dict()
        assert got["records"] == 5
        assert got["equivalence_classes"] == expected["equivalence_classes"]
        assert got["sample_uniques"] == expected["sample_uniques"]


def test_unreadable_path_is_one_line_and_exit_2(spark_backend, tmp_path, capsys):
    code = main(["assess", str(tmp_path / "missing.csv"), "--qi", "age", "--backend", "spark"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "missing.csv" in err[0]


def test_missing_java_is_explained(monkeypatch):
    pytest.importorskip("pyspark")
    from unlinkable.backends.choice import SparkSettings
    from unlinkable.errors import BackendError
    from unlinkable.spark import session

    monkeypatch.setattr(session, "find_java", lambda: None)
    with pytest.raises(BackendError, match="Java runtime"):
        session.spark_session(SparkSettings(master="local[1]"))


def test_a_session_that_fails_to_start_is_one_error(monkeypatch):
    pytest.importorskip("pyspark")
    from pyspark.sql import SparkSession

    from unlinkable.backends.choice import SparkSettings
    from unlinkable.errors import BackendError
    from unlinkable.spark import session

    def refuse(self):
        raise RuntimeError("Could not parse Master URL: 'nowhere'\n\tat org.apache.spark...")

    monkeypatch.setattr(SparkSession.Builder, "getOrCreate", refuse)
    with pytest.raises(BackendError, match="did not start: Could not parse Master URL") as caught:
        session.spark_session(SparkSettings(master="nowhere"))
    assert "\n\tat" not in caught.value.message


@pytest.mark.parametrize("failure", ["java", "session"])
def test_no_java_or_no_session_is_one_line_and_exit_2_on_the_command_line(failure, tmp_path, monkeypatch, capsys):
    pytest.importorskip("pyspark")
    from pyspark.sql import SparkSession

    from unlinkable.spark import session

    if failure == "java":
        monkeypatch.setattr(session, "find_java", lambda: None)
    else:
        def refuse(self):
            raise RuntimeError("Could not parse Master URL: 'nowhere'\n\tat org.apache.spark...")

        monkeypatch.setattr(SparkSession.Builder, "getOrCreate", refuse)
    (tmp_path / "d.csv").write_text("age,sex\n31,f\n34,m\n")
    # a master of its own: the shared test session is not reused, a new one is asked for
    (tmp_path / "job.yaml").write_text("input: {path: d.csv}\nattributes: {age: {role: quasi-identifier}, "
                                       "sex: {role: quasi-identifier}}\nbackend: spark\nspark: {master: nowhere}\n")
    assert main(["assess", str(tmp_path / "job.yaml"), "--json", str(tmp_path / "out.json")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and ("Java runtime" if failure == "java" else "did not start") in err[0]
    assert not (tmp_path / "out.json").exists()


def test_backend_settings_are_strict(tmp_path):
    from unlinkable.config import load_job
    from unlinkable.errors import ConfigError

    job = tmp_path / "job.yaml"
    for text, message in (("backend: sprak\n", "did you mean 'spark'"),
                          ("backend: spark\nspark: {mastr: local}\n", "did you mean 'master'"),
                          ("spark: {master: local}\n", "the backend is numpy"),
                          ("backend: spark\nspark: {conf: {executor.memory: 4g}}\n", "not a Spark setting"),
                          ("backend: spark\nspark: {snapshot_limit: 0}\n", "snapshot_limit` must be a whole number"),
                          ("backend: spark\nspark: {snapshot_limit: 2.5}\n", "snapshot_limit` must be a whole number"),
                          ("backend: spark\nspark: {app_name: 3}\n", "app_name` must be text")):
        job.write_text("input: {path: d.csv}\n" + text)
        with pytest.raises(ConfigError, match=message):
            load_job(job)
    job.write_text("input: {path: d.csv}\nbackend: spark\nspark: {snapshot_limit: 1000, app_name: census-2026}\n")
    from unlinkable.backends.choice import job_backend

    settings = job_backend(load_job(job).spec).spark
    assert (settings.snapshot_limit, settings.app_name) == (1000, "census-2026")


def test_output_folder_of_parts_is_all_or_nothing(tmp_path):
    from unlinkable.data.outputs import OutputSet

    target = tmp_path / "release.parquet"

    def parts(tmp: Path) -> None:
        (tmp / "part-0.parquet").write_text("a")
        (tmp / "part-1.parquet").write_text("b")

    with pytest.raises(RuntimeError), OutputSet() as outputs:
        outputs.folder(target, parts)
        raise RuntimeError("the run failed after the write")
    assert list(tmp_path.iterdir()) == []
    for _ in range(2):  # a second run replaces the first run's folder
        with OutputSet() as outputs:
            outputs.folder(target, parts)
            outputs.text(tmp_path / "result.json", "{}")
            outputs.commit()
    assert sorted(p.name for p in target.iterdir()) == ["part-0.parquet", "part-1.parquet"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["release.parquet", "result.json"]


def test_sdc_steps_are_refused_on_spark_naming_them(tmp_path, capsys):
    # refused before Spark starts or the data is read: every step changes records one by one
    (tmp_path / "d.csv").write_text("age,sex\n31,f\n34,m\n")
    (tmp_path / "job.yaml").write_text(
        "input: {path: d.csv}\nattributes: {age: {role: quasi-identifier}, sex: {role: quasi-identifier}}\n"
        "steps: [{local-suppression: {k: 2, attributes: [age, sex]}}, {pram: {attribute: sex, retain: 0.8}}]\n"
        "output: {path: out.csv}\nbackend: spark\n")
    assert main(["anonymize", str(tmp_path / "job.yaml")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "local-suppression, pram" in err[0] and "spark backend" in err[0]
    assert not (tmp_path / "out.csv").exists()


def test_spark_escapes_formulas_as_the_numpy_writer(spark_backend):
    from unlinkable.data.formulas import escape_for_csv
    from unlinkable.spark.write import escape_formulas_spark

    frame = pl.DataFrame({"@total": ["=1+1", "-3", None], "name": ["x", "+cmd", "@a"]})
    expected, done = escape_for_csv(frame, "out.csv")
    got, spark_done = escape_formulas_spark(spark_backend.read(frame), "out.csv")
    assert spark_done == done
    assert got.columns == expected.columns
    assert [tuple(r) for r in got.collect()] == expected.rows()


def test_the_spark_tests_run_on_one_worker(spark_backend, request):
    """``./test`` (``--dist loadgroup``) sends every test on the shared session to one worker (the
    group of tests/conftest.py), so one JVM starts: pytest-xdist marks a grouped test's id."""
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("not run by ./test (--dist loadgroup)")
    assert request.node.nodeid.endswith("@spark"), "the Spark tests are not grouped: is pytest's version below 9.2?"
