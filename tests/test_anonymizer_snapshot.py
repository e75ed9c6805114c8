"""``Anonymizer.fit`` on a backend that keeps the records (the snapshot path: search over the distinct
tuples with counts, release generalized and suppressed by the backend) gives exactly what the
record path gives: optimum, loss, suppressed records, classes, released table and figures.

The numpy backend under another name stands in for a distributed one (Spark runs the same path:
tests/reference/test_arx_anonymize.py), so hypothesis can compare many small tables cheaply.
"""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unlinkable.anonymizer import Anonymizer
from unlinkable.backends.numpy import NumpyBackend
from unlinkable.errors import ConfigError, NoSolutionError
from unlinkable.hierarchies.hierarchy import Hierarchy

AGE = ["31", "34", "47", "52", None]
ZIP = ["81675", "81667", "81925", None]
SEX = ["f", "m"]
DISEASE = ["flu", "cold", "gastritis", None]


class SnapshotNumpy(NumpyBackend):
    """The numpy backend, taken for one that keeps the records: ``fit`` runs its snapshot path."""

    name = "numpy-as-distributed"


def _hierarchies() -> dict[str, Hierarchy]:
    # a missing quasi-identifier is read as "" (a value of its own), so the hierarchies hold it
    return {
        "age": Hierarchy([["31", "30-39", "*"], ["34", "30-39", "*"], ["47", "40-59", "*"], ["52", "40-59", "*"],
                          ["", "?", "*"]]),
        "zip": Hierarchy([["81675", "8167*", "81***", "*"], ["81667", "8166*", "81***", "*"],
                          ["81925", "8192*", "81***", "*"], ["", "?", "?", "*"]]),
        "sex": Hierarchy([["f", "*"], ["m", "*"]]),
        "disease": Hierarchy([["flu", "respiratory", "*"], ["cold", "respiratory", "*"], ["gastritis", "digestive", "*"]]),
    }


MODELS = [
    [{"k-anonymity": {"k": 2}}],
    [{"k-anonymity": {"k": 3}}],
    [{"k-anonymity": {"k": 2}}, {"l-diversity": {"attribute": "disease", "variant": "distinct", "l": 2}}],
    [{"l-diversity": {"attribute": "disease", "variant": "entropy", "l": 1.5}}],
    [{"t-closeness": {"attribute": "disease", "distance": "equal", "t": 0.5}}],
    [{"t-closeness": {"attribute": "disease", "distance": "hierarchical", "t": 0.4}}],
    [{"k-anonymity": {"k": 2}}, {"beta-likeness": {"attribute": "disease", "variant": "basic", "beta": 2}}],
    [{"average-risk": {"threshold": 0.4}}],
    # the other models computed from class counts and sensitive histograms run on the snapshot too
    [{"k-map": {"k": 3, "estimator": "poisson", "significance": 0.05, "population_size": 1000}}],
    [{"sample-uniqueness": {"threshold": 0.1}}],
    [{"population-uniqueness": {"threshold": 0.1, "estimator": "zayatz", "population_size": 1000}}],
    [{"l-diversity": {"attribute": "disease", "variant": "recursive", "c": 2, "l": 2}}],
    [{"l-diversity": {"attribute": "disease", "variant": "entropy", "l": 1.5, "estimator": "grassberger"}}],
    [{"t-closeness": {"attribute": "disease", "distance": "ordered", "t": 0.5, "order": "lexicographic"}}],
    [{"beta-likeness": {"attribute": "disease", "variant": "enhanced", "beta": 2}}],
    [{"profitability": {"variant": "no-attack", "attacker": "prosecutor", "adversary_gain": 10, "adversary_cost": 4}}],
]


def _fit(frame: pl.DataFrame, models: list, limit: float, metric: str, backend) -> object:
    anonymizer = Anonymizer(quasi_identifiers=["age", "zip", "sex"], hierarchies=_hierarchies(), privacy=models,
                            suppression_limit=limit, metric=metric, identifiers=["id"], sensitive=["disease"],
                            insensitive=["note"], progress=False, backend=backend)
    try:
        return anonymizer.fit(frame)
    except (NoSolutionError, ConfigError) as exc:
        return type(exc), exc.message


@settings(max_examples=40)
@given(data=st.data(), models=st.sampled_from(MODELS), limit=st.sampled_from([0.0, 0.1, 0.5]),
       metric=st.sampled_from(["loss", "discernibility", "entropy", "precision"]))
def test_snapshot_path_equals_record_path(data, models, limit, metric):
    n = data.draw(st.integers(1, 30))
    column = lambda values: data.draw(st.lists(st.sampled_from(values), min_size=n, max_size=n))  # noqa: E731
    frame = pl.DataFrame({"id": [str(i) for i in range(n)], "age": column(AGE), "zip": column(ZIP),
                          "sex": column(SEX), "disease": column(DISEASE), "note": column(["x", "y", None])},
                         schema={c: pl.String for c in ("id", "age", "zip", "sex", "disease", "note")})
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        records = _fit(frame, models, limit, metric, None)
        snapshot = _fit(frame, models, limit, metric, SnapshotNumpy())
    if isinstance(records, tuple):
        assert snapshot == records
        return
    for name in ("transformation", "loss", "loss_string", "loss_per_attribute", "suppressed", "equivalence_classes",
                 "min_class_size", "max_class_size", "avg_class_size", "nodes_checked", "nodes_pruned", "examples",
                 "released_uniqueness"):
        assert getattr(snapshot, name) == getattr(records, name), name
    assert snapshot.table.equals(records.table)
    paired, originals = snapshot.paired
    assert paired.select(list(originals.values())).rows() == frame.select(list(originals)).rows()


class FloorsNumpy(SnapshotNumpy):
    """The stand-in with a driver that holds at most ``snapshot_limit`` groups: the search judges
    nodes on the records grouped at coarser transformations (``search/floors.py``)."""

    def __init__(self, limit: int) -> None:
        self.snapshot_limit = limit


@settings(max_examples=40)
@given(data=st.data(), models=st.sampled_from(MODELS), limit=st.sampled_from([0.0, 0.1, 0.5]),
       metric=st.sampled_from(["loss", "discernibility", "entropy", "precision"]), groups=st.sampled_from([6, 10, 15, 20]))
def test_search_over_floors_equals_record_path(data, models, limit, metric, groups):
    n = data.draw(st.integers(1, 30))
    column = lambda values: data.draw(st.lists(st.sampled_from(values), min_size=n, max_size=n))  # noqa: E731
    frame = pl.DataFrame({"age": column(AGE), "zip": column(ZIP), "sex": column(SEX), "disease": column(DISEASE)},
                         schema={c: pl.String for c in ("age", "zip", "sex", "disease")})
    import warnings

    from unlinkable.errors import BackendError

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        records = _fit(frame.with_columns(id=pl.lit("x"), note=pl.lit("y")), models, limit, metric, None)
        try:
            floors = _fit(frame.with_columns(id=pl.lit("x"), note=pl.lit("y")), models, limit, metric,
                          FloorsNumpy(groups))
        except BackendError as exc:
            # a transformation whose classes do not fit and that no class count decides: said, not guessed
            assert f"more than {groups:,} " in exc.message and "snapshot_limit" in exc.hint
            return
    if isinstance(records, tuple):
        assert floors == records
        return
    for name in ("transformation", "loss", "loss_string", "loss_per_attribute", "suppressed", "equivalence_classes",
                 "min_class_size", "max_class_size", "avg_class_size", "examples", "released_uniqueness"):
        assert getattr(floors, name) == getattr(records, name), name
    assert floors.table.equals(records.table)


def _refused(tmp_path):
    """Every model or setting that reads records themselves, with the word its refusal names."""
    subset = tmp_path / "subset.csv"
    subset.write_text("age,zip,sex\n31,81675,f\n")
    k1 = {"k-anonymity": {"k": 1}}
    return [
        ([{"inclusion": {"subset": str(subset)}}, k1], {}, "inclusion"),
        ([{"delta-presence": {"delta_min": 0.0, "delta_max": 0.9, "subset": str(subset)}}], {}, "delta-presence"),
        ([{"k-map": {"k": 1, "subset": str(subset)}}], {}, "k-map"),
        ([{"differential-privacy": {"epsilon": 2.0, "delta": 0.1, "generalization": "low-medium"}}], {},
         "differential-privacy"),
        ([{"profitability": {"variant": "no-attack", "attacker": "journalist", "subset": str(subset),
                             "adversary_gain": 10, "adversary_cost": 4}}], {}, "profitability"),
        ([k1], {"local_recoding": True}, "local recoding"),
    ]


def test_models_that_read_records_are_refused_on_a_distributed_backend(tmp_path):
    frame = pl.DataFrame({"age": ["31", "34"], "zip": ["81675", "81667"], "sex": ["f", "m"]})
    for models, options, name in _refused(tmp_path):
        anonymizer = Anonymizer(quasi_identifiers=["age", "zip", "sex"], hierarchies=_hierarchies(), privacy=models,
                                progress=False, backend=SnapshotNumpy(), **options)
        with pytest.raises(ConfigError, match="does not run on the numpy-as-distributed backend") as caught:
            anonymizer.fit(frame)
        assert caught.value.message.startswith(name), (name, caught.value.message)
        assert "numpy backend" in caught.value.hint


def test_assess_options_that_read_records_are_refused_on_a_distributed_backend():
    from unlinkable.assessment import assess

    frame = pl.DataFrame({"age": ["31", "34"], "zip": ["81675", "81667"], "w": ["2.0", "3.0"], "hh": ["1", "1"]})
    for options, what in (({"weights": "w"}, "sampling weights"), ({"household": "hh"}, "household risk"),
                          ({"risky_cells": [1]}, "risky cells")):
        with pytest.raises(ConfigError, match=f"{what} are not available on the numpy-as-distributed backend"):
            assess(frame, quasi_identifiers=["age", "zip"], backend=SnapshotNumpy(), **options)


def test_kmap_with_a_population_table_runs_on_the_snapshot(tmp_path):
    # the population table is read on the driver and counted per class: no record of the data is needed
    frame = pl.DataFrame({"age": ["31", "34", "47", "52", "31", "34"], "zip": ["81675", "81667", "81925", "81675",
                                                                          "81667", "81925"], "sex": ["f", "m"] * 3})
    population = pl.concat([frame, frame, frame.with_columns(pl.lit("f").alias("sex"))])
    population.write_csv(tmp_path / "population.csv")
    models = [{"k-map": {"k": 3, "population": str(tmp_path / "population.csv")}}]
    records = Anonymizer(quasi_identifiers=["age", "zip", "sex"], hierarchies=_hierarchies(), privacy=models,
                         suppression_limit=0.2, progress=False).fit(frame)
    snapshot = Anonymizer(quasi_identifiers=["age", "zip", "sex"], hierarchies=_hierarchies(), privacy=models,
                          suppression_limit=0.2, progress=False, backend=SnapshotNumpy()).fit(frame)
    assert (snapshot.transformation, snapshot.loss, snapshot.suppressed) == \
        (records.transformation, records.loss, records.suppressed)
    assert snapshot.table.equals(records.table)


def test_linkage_runs_on_the_snapshot(tmp_path):
    # the auxiliary table is read on the driver; the search counts candidates per class from the
    # classes' codes, so no record of the data is needed (the verifier's count groups the release)
    frame = pl.DataFrame({"age": ["31", "34", "47", "52", "31", "34", "47", "31"],
                          "zip": ["81675", "81667", "81925", "81675", "81667", "81925", "81925", "81675"],
                          "sex": ["f", "m", "f", "m", "f", "m", "f", "f"]})
    voters = tmp_path / "voters.csv"
    voters.write_text("age,zip,sex\n31,81675,f\n34,81667,m\n47,81925,f\n52,81675,m\n31,81667,m\n")
    models = [{"k-anonymity": {"k": 2}},
              {"linkage": {"auxiliary": str(voters), "on": ["age", "zip", "sex"], "max_unique_link_share": 0.2}}]
    fits = [Anonymizer(quasi_identifiers=["age", "zip", "sex"], hierarchies=_hierarchies(), privacy=models,
                       suppression_limit=0.3, progress=False, backend=backend).fit(frame)
            for backend in (None, SnapshotNumpy())]
    records, snapshot = fits
    assert (snapshot.transformation, snapshot.loss_string, snapshot.suppressed, snapshot.nodes_checked) == \
        (records.transformation, records.loss_string, records.suppressed, records.nodes_checked)
    assert snapshot.table.equals(records.table)
