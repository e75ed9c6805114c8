"""assess() on hand-worked tables, and its invariants."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import unlinkable
from unlinkable.hierarchies import builders

# Hand-worked: 6 records, QIs (zip, sex)
#   81675,f x3  -> class of 3
#   81675,m x2  -> class of 2
#   81667,f x1  -> unique
# classes 3, sizes 3/2/1: highest risk 1, lowest 1/3, average 3/6, sample uniques 1/6,
# records at risk (>0.2): all 6 (1/3, 1/2, 1 are all > 0.2)
TABLE = pl.DataFrame({
    "zip": ["81675", "81675", "81675", "81675", "81675", "81667"],
    "sex": ["f", "f", "f", "m", "m", "f"],
    "disease": ["flu", "flu", "cold", "flu", "ulcer", "flu"],
})


def test_hand_worked_sample_risk():
    d = unlinkable.assess(TABLE, quasi_identifiers=["zip", "sex"]).to_dict()
    assert d["equivalence_classes"] == {"count": 3, "min_size": 1, "max_size": 3, "mean_size": 2.0,
                                        "size_histogram": [[1, 1], [2, 1], [3, 1]]}
    p = d["prosecutor"]
    assert (p["highest_risk"], p["lowest_risk"], p["average_risk"]) == (1.0, 1 / 3, 0.5)
    assert p["records_at_highest_risk"] == 1 / 6
    assert p["records_at_risk"] == 1.0
    assert d["sample_uniques"] == 1 / 6
    # unweighted sdcMicro individual risk is 1/fk: 3*(1/3) + 2*(1/2) + 1 = 3 expected re-identifications
    assert d["individual_risk"]["expected_reidentifications"] == 3.0
    assert d["individual_risk"]["kanonymity_violations"] == {"2": 1, "3": 3, "5": 6}


def test_hand_worked_uniqueness_by_attributes():
    rows = unlinkable.assess(TABLE, quasi_identifiers=["zip", "sex"]).to_dict()["uniqueness_by_attributes"]
    by = {tuple(r["attributes"]): r["sample_uniques"] for r in rows}
    # zip alone: 81667 is unique (1/6); sex alone: none; both: 81667,f (1/6)
    assert by == {("zip",): 1 / 6, ("sex",): 0.0, ("zip", "sex"): 1 / 6}


def test_per_record_frame_has_no_values():
    recs = unlinkable.assess(TABLE, quasi_identifiers=["zip", "sex"]).records()
    assert recs.columns[:4] == ["row", "fk", "Fk", "individual_risk"]
    assert "prosecutor_risk" in recs.columns
    assert recs["prosecutor_risk"].to_list() == [1 / 3, 1 / 3, 1 / 3, 1 / 2, 1 / 2, 1.0]


def test_missing_values_are_a_value_for_arx_and_a_wildcard_for_sdcmicro():
    df = pl.DataFrame({"a": ["1", "1", None], "b": ["x", "y", "x"]})
    d = unlinkable.assess(df, quasi_identifiers=["a", "b"]).to_dict()
    assert d["equivalence_classes"]["count"] == 3
    fk = unlinkable.assess(df, quasi_identifiers=["a", "b"]).records()["fk"].to_list()
    # (1,x) is compatible with (NA,x): fk = 1 + alpha*1; (NA,x) gets its own 1 + complete (1,x) 1
    assert fk == [2.0, 1.0, 2.0]


def test_pandas_input():
    d = unlinkable.assess(TABLE.to_pandas(), quasi_identifiers=["zip", "sex"]).to_dict()
    assert d["equivalence_classes"]["count"] == 3


def test_both_population_forms_rejected():
    with pytest.raises(unlinkable.ConfigError):
        unlinkable.assess(TABLE, quasi_identifiers=["zip"], population_size=100, sampling_fraction=0.1)


def test_column_cannot_be_qi_and_sensitive():
    with pytest.raises(unlinkable.ConfigError, match="both a quasi-identifier and sensitive"):
        unlinkable.assess(TABLE, quasi_identifiers=["zip"], sensitive="zip")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(17, 90), st.sampled_from(["f", "m"])), min_size=1, max_size=60))
def test_generalizing_further_never_lowers_k_or_raises_highest_risk(rows):
    ages = [str(a) for a, _ in rows]
    h = builders.intervals(ages, [5, 10, 20, 40])
    previous = None
    for level in range(h.levels):
        df = pl.DataFrame({"age": [h.generalize(a, level) for a in ages], "sex": [s for _, s in rows]})
        d = unlinkable.assess(df, quasi_identifiers=["age", "sex"], suda2=False, max_subset_size=1).to_dict()
        k, risk = d["equivalence_classes"]["min_size"], d["prosecutor"]["highest_risk"]
        if previous:
            assert k >= previous[0] and risk <= previous[1]
        previous = (k, risk)


@pytest.mark.parametrize("weights, message", [(["1", "x", "2"], "row 2: value 'x' is not a number"),
                                               (["1", None, "2"], "row 2: the weight is missing")])
def test_bad_weights_name_the_row(weights, message):
    df = pl.DataFrame({"a": ["1", "1", "2"], "w": weights})
    with pytest.raises(unlinkable.InputError, match=message):
        unlinkable.assess(df, quasi_identifiers=["a"], weights="w")


def test_individual_risk_method_and_qual_reach_the_per_record_risk():
    from unlinkable.risk.frequencies import frequencies
    from unlinkable.risk.individual import individual_risk

    df = pl.DataFrame({"a": [1, 1, 1, 2, 2, 3], "w": [10.0, 20.0, 5.0, 7.0, 7.0, 3.0]})
    got = unlinkable.assess(df, quasi_identifiers=["a"], weights="w", individual_risk_method="exact", qual=2,
                            suda2=False).records()["individual_risk"].to_numpy()
    fk, Fk = frequencies(np.array([[0], [0], [0], [1], [1], [2]]), weights=df["w"].to_numpy())
    assert got.tolist() == individual_risk(fk, Fk, weighted=True, method="exact", qual=2).tolist()
    assert got.tolist() != individual_risk(fk, Fk, weighted=True).tolist()


def test_columns_not_named_are_not_assessed_and_listed():
    # issue 8: assess releases nothing; unnamed columns are simply not used, and said so
    import polars as pl

    from unlinkable.report.html import render

    df = pl.DataFrame({"id": ["1", "2"], "zip": ["81675", "81667"], "sex": ["f", "m"], "note": ["x", "y"]})
    figures = unlinkable.assess(df, quasi_identifiers=["zip"], identifiers=["id"]).to_dict()
    assert figures["not_assessed"] == ["sex", "note"]
    assert "sex, note" in render("assess", figures, generated_at="fixed")


_VALUE = st.one_of(st.none(), st.sampled_from(["a", "b", "c"]))


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 3).flatmap(lambda m: st.lists(st.lists(_VALUE, min_size=m, max_size=m), min_size=1, max_size=30)),
       st.booleans())
def test_figures_on_distinct_tuples_equal_the_record_level_computation(rows, weighted):
    """assess() works on distinct tuples with counts; recompute its figures record by record."""
    from collections import Counter

    from unlinkable.risk.frequencies import _pattern_frequencies
    from unlinkable.risk.individual import global_risk, individual_risk, kanonymity_violations

    m = len(rows[0])
    qis = [f"q{j}" for j in range(m)]
    has_missing = any(v is None for r in rows for v in r)
    weighted = weighted and not has_missing  # the weighted-with-missing case is counted over records
    frame = pl.DataFrame({q: [r[j] for r in rows] for j, q in enumerate(qis)}, schema={q: pl.String for q in qis})
    if weighted:
        frame = frame.with_columns(w=pl.Series([1.5 + i % 4 for i in range(len(rows))]))
    a = unlinkable.assess(frame, quasi_identifiers=qis, weights="w" if weighted else None)
    d = a.to_dict()
    n = len(rows)
    sizes = Counter(map(tuple, rows))
    assert d["equivalence_classes"]["count"] == len(sizes)
    assert d["sample_uniques"] == sum(1 for c in sizes.values() if c == 1) / n
    # sdcMicro figures from per-record fk/Fk (missing = wildcard), by the record-level rules
    lut = {None: -1, "a": 0, "b": 1, "c": 2}
    keys = np.array([[lut[v] for v in r] for r in rows], dtype=np.int64)
    w = frame["w"].to_numpy() if weighted else None
    fk, Fk = _pattern_frequencies(keys, np.ones(n), w, 1.0)
    risk = individual_risk(fk, Fk if weighted else fk, weighted=weighted)
    g = global_risk(risk)
    ir = d["individual_risk"]
    assert ir["expected_reidentifications"] == g.risk_ER
    assert ir["threshold"] == g.threshold
    assert ir["records_higher_risk_than_main_part"] == g.n_higher_risk_than_main_part
    assert ir["kanonymity_violations"] == kanonymity_violations(fk)
    recs = a.records()
    assert recs["fk"].to_list() == fk.tolist()
    assert recs["individual_risk"].to_list() == risk.tolist()
    assert recs["prosecutor_risk"].to_list() == [1 / sizes[tuple(r)] for r in rows]
    by = {tuple(r["attributes"]): r["unique_records"] for r in d["uniqueness_by_attributes"]}
    for subset, uniques in by.items():
        cols = [qis.index(q) for q in subset]
        seen = Counter(tuple(r[j] for j in cols) for r in rows)
        assert uniques == sum(1 for r in rows if seen[tuple(r[j] for j in cols)] == 1)
