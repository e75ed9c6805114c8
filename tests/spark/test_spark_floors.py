"""The search on Spark with a driver that holds only a few groups: each transformation is grouped
in Spark (``search/floors.py``), and the optimum, its loss and its suppressed records are numpy's."""

from __future__ import annotations

import warnings

import pytest

from unlinkable.anonymizer import Anonymizer
from unlinkable.hierarchies.io import read_hierarchy


@pytest.fixture(scope="module")
def census(tmp_path_factory):
    from unlinkable.datasets import write_census_job

    folder = tmp_path_factory.mktemp("floors")
    write_census_job(folder, n=400, seed=3)
    qis = ["sex", "zip"]
    hierarchies = {q: read_hierarchy(folder / f"census_hierarchy_{q}.csv") for q in qis}
    return folder / "census.csv", qis, hierarchies


def _fit(census, backend, privacy):
    path, qis, hierarchies = census
    anonymizer = Anonymizer(quasi_identifiers=qis, hierarchies=hierarchies, privacy=privacy, suppression_limit=0.05,
                            metric="loss", sensitive=["diagnosis"],
                            identifiers=["person_id", "birth_date", "age", "marital_status", "education", "occupation",
                                         "income"],
                            progress=False, backend=backend)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return anonymizer.fit(path)


def test_groups_above_the_limit_are_grouped_in_spark_with_numpy_figures(spark_backend, census, monkeypatch):
    # 395 distinct (sex, zip, diagnosis) tuples, at most 250 groups on the driver; FLASH checks nodes
    # whose classes do not fit too (judged by Spark's count of records in classes below k)
    privacy = [{"k-anonymity": {"k": 3}}, {"l-diversity": {"attribute": "diagnosis", "variant": "distinct", "l": 2}}]
    limit = 250
    from unlinkable.backends.choice import SparkSettings
    from unlinkable.search import floors
    from unlinkable.spark.backend import SparkBackend

    seen = []
    original = floors.FloorEvaluator.__init__

    def watched(self, *args, **kwargs):
        original(self, *args, **kwargs)
        seen.append(self)

    monkeypatch.setattr(floors.FloorEvaluator, "__init__", watched)
    records = _fit(census, None, privacy)
    limited = SparkBackend(SparkSettings(snapshot_limit=limit), session=spark_backend.session)
    spark = _fit(census, limited, privacy)
    for name in ("transformation", "loss_string", "loss_per_attribute", "suppressed", "equivalence_classes",
                 "min_class_size", "max_class_size", "examples", "released_uniqueness"):
        assert getattr(spark, name) == getattr(records, name), name
    # the 400 records have more distinct tuples than the limit: the bottom did not fit, coarser groupings did
    assert seen[-1].fetched > 2 and seen[-1]._bottom in seen[-1]._unheld and seen[-1].judged_in_backend
    released = spark.table.toPandas()
    assert released.astype(str).values.tolist() == records.table.to_pandas().astype(str).values.tolist()
