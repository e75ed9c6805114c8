"""Exposure on Spark (local[2], the shared session): both tables grouped in Spark, the same counting
on their distinct tuples; every figure equals numpy's, on ARX's adult releases and from a job file."""

from __future__ import annotations

import json

from unlinkable.cli import main
from unlinkable.linkage.exposure import exposure


def test_adult_release_exposure_on_spark_equals_numpy(spark_backend, adult_arx_releases):
    # the reference test's first release (tests/linkage/test_exposure.py): adult at ARX's optimum,
    # classes below k suppressed, joined back to adult
    case = adult_arx_releases[0]
    cfg, data, hs = case["config"], case["data"], case["hierarchies"]
    k = cfg["privacy_model"]["k"]
    on_numpy = exposure(case["release"], data, on=data.columns, hierarchies=hs, what_if=False)
    on_spark = exposure(case["release"], data, on=data.columns, hierarchies=hs, what_if=False, backend=spark_backend)
    assert on_spark.to_dict() == on_numpy.to_dict()
    # ARX's classes, from the grouped figures: every released record has >= k candidates, and the
    # suppressed ones ('*' everywhere) match the whole table
    released = on_spark.candidates < data.height
    assert on_spark.weights is not None and int(on_spark.weights[~released].sum()) == cfg["suppressed_records"]
    assert (on_spark.candidates[released] >= k).all()
    assert round(float((on_spark.weights[released] / on_spark.candidates[released]).sum())) == \
        cfg["equivalence_classes"]


def test_exposure_job_on_spark_equals_numpy(spark_backend, tmp_path):
    (tmp_path / "release.csv").write_text("age,sex,zip\n3*,m,816**\n3*,f,816**\n41,f,81675\n*,*,*\n41,f,81675\n")
    (tmp_path / "voters.csv").write_text("AGE,SEX,ZIP\n34,m,81667\n35,f,81675\n41,f,81675\n41,f,81675\n"
                                         "38,m,81925\n,f,81667\n")
    (tmp_path / "age.csv").write_text("34;3*\n35;3*\n38;3*\n41;4*\n")
    job = ("release: release.csv\nauxiliary: voters.csv\n"
           "attributes: {age: {auxiliary: AGE, hierarchy: age.csv}, sex: {auxiliary: SEX}, zip: {auxiliary: ZIP, "
           "masking: true}}\n")
    (tmp_path / "job.yaml").write_text(job)
    (tmp_path / "spark_job.yaml").write_text(job + "backend: spark\nspark: {conf: {spark.sql.shuffle.partitions: 2}}\n")
    assert main(["exposure", str(tmp_path / "job.yaml"), "--json", str(tmp_path / "numpy.json")]) == 0
    assert main(["exposure", str(tmp_path / "spark_job.yaml"), "--json", str(tmp_path / "spark.json")]) == 0
    assert json.loads((tmp_path / "spark.json").read_text()) == json.loads((tmp_path / "numpy.json").read_text())
    # per-record counts would need the records on the driver: refused, nothing written
    assert main(["exposure", str(tmp_path / "job.yaml"), "--backend", "spark", "--json", str(tmp_path / "x.json"),
                 "--records", str(tmp_path / "r.csv")]) == 2
    assert not (tmp_path / "x.json").exists() and not (tmp_path / "r.csv").exists()


def test_the_join_runs_in_spark_above_the_snapshot_limit_with_numpy_figures(spark_backend):
    # one distinct tuple allowed on the driver: both tables stay in Spark, joined there per pattern
    # of release tokens and of missing auxiliary values (hierarchy labels, a tolerance range, a
    # missing value and * on both sides); only how many records have each count comes back
    import polars as pl

    from unlinkable.backends.choice import SparkSettings
    from unlinkable.hierarchies.hierarchy import Hierarchy
    from unlinkable.spark.backend import SparkBackend

    release = pl.DataFrame({"age": ["3*", "3*", "41", "*", "41", "35", None, "4*"],
                            "sex": ["m", "f", "f", "*", "f", "m", "f", "m"],
                            "zip": ["816**", "816**", "81675", "*", "81675", "81667", "81675", "819**"]})
    auxiliary = pl.DataFrame({"AGE": ["34", "35", "41", "41", "38", None, "37", "44"],
                              "SEX": ["m", "f", "f", "f", "m", "f", "m", "*"],
                              "ZIP": ["81667", "81675", "81675", "81675", "81925", "81667", None, "81925"]})
    ages = Hierarchy([[a, a[0] + "*", "*"] for a in ("34", "35", "37", "38", "41", "44")])
    zips = Hierarchy([[z, z[:3] + "**", "*"] for z in ("81667", "81675", "81925")])
    joined = SparkBackend(SparkSettings(snapshot_limit=1), session=spark_backend.session)
    kwargs = dict(on={"age": "AGE", "sex": "SEX", "zip": "ZIP"}, hierarchies={"age": ages, "zip": zips},
                  tolerance={"age": 2}, what_if=False)
    on_numpy = exposure(release, auxiliary, **kwargs)
    on_spark = exposure(release, auxiliary, backend=joined, **kwargs)
    assert on_spark.to_dict() == on_numpy.to_dict()
    assert on_spark.weights is not None and len(on_spark.candidates) < release.height  # a histogram came back


def test_the_what_if_list_through_the_spark_join_equals_numpy(spark_backend):
    # each what-if variant (an attribute dropped, or coarsened one level) is joined in Spark too
    import polars as pl

    from unlinkable.backends.choice import SparkSettings
    from unlinkable.hierarchies.hierarchy import Hierarchy
    from unlinkable.spark.backend import SparkBackend

    release = pl.DataFrame({"sex": ["m", "f", "f", "m", "f"], "zip": ["81667", "81675", "81675", "816**", "81925"]})
    auxiliary = pl.DataFrame({"sex": ["m", "f", "f", "m", "f", "m"],
                              "zip": ["81667", "81675", "81667", "81925", "81925", "81675"]})
    zips = Hierarchy([[z, z[:3] + "**", "*"] for z in ("81667", "81675", "81925")])
    joined = SparkBackend(SparkSettings(snapshot_limit=1), session=spark_backend.session)
    kwargs = dict(on=["sex", "zip"], hierarchies={"zip": zips}, what_if=True)
    on_numpy = exposure(release, auxiliary, **kwargs)
    on_spark = exposure(release, auxiliary, backend=joined, **kwargs)
    assert on_numpy.to_dict()["what_if"]
    assert on_spark.to_dict() == on_numpy.to_dict()
