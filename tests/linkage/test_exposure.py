"""Exposure against an independent brute-force pairwise count (hypothesis) and hand-worked tables."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unlinkable.errors import ConfigError, InputError
from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.linkage.exposure import exposure

# "x" names {a} at level 1 and {a, b} at level 2: a label on several levels is read at the highest.
CAT_H = Hierarchy([["a", "x", "x", "*"], ["b", "y", "x", "*"], ["c", "cd", "cd", "*"], ["d", "cd", "cd", "*"]])
NUM_H = Hierarchy([[str(v), "[0, 5[" if v < 5 else "[5, 10[", "*"] for v in range(10)])
# Leaves 0..5 generalize to "low"/"high"; "low" also names a level of its own (see the oracle).
NUM2_H = Hierarchy([[str(v), "low" if v < 3 else "high"] for v in range(6)])


# ---------------------------------------------------------------- brute-force oracle
def _label_set(h: Hierarchy, value: str) -> set[str] | None:
    """Leaves a release value stands for (None: read as a raw value)."""
    if value in h.values:
        return None
    levels = [j for j in range(1, h.levels) if any(row[j] == value for row in h.rows)]
    if not levels:
        return None
    top = max(levels)
    return {row[0] for row in h.rows if row[top] == value}


def _compatible(rv, av, h, tol) -> bool:
    if rv is None or rv == "*" or av is None or av == "*":
        return True
    if tol is None:
        leaves = _label_set(h, rv) if h is not None else None
        return av in leaves if leaves is not None else rv == av
    leaves = _label_set(h, rv) if h is not None else None
    nums = [float(x) for x in leaves] if leaves is not None else [float(rv)]
    return min(nums) - tol <= float(av) <= max(nums) + tol


def oracle(rel: list[tuple], aux: list[tuple], hs, tols) -> tuple[np.ndarray, np.ndarray]:
    fwd = np.zeros(len(rel), dtype=np.int64)
    rev = np.zeros(len(aux), dtype=np.int64)
    for i, r in enumerate(rel):
        for j, a in enumerate(aux):
            if all(_compatible(rv, av, h, t) for rv, av, h, t in zip(r, a, hs, tols)):
                fwd[i] += 1
                rev[j] += 1
    return fwd, rev


# ---------------------------------------------------------------- strategies
RAW = {"cat": ["a", "b", "c", "d"], "num": [str(v) for v in range(10)], "num2": [str(v) for v in range(6)]}
LABELS = {"cat": ["x", "y", "cd"], "num": ["[0, 5[", "[5, 10["], "num2": ["low", "high"]}


def release_value(col):
    return st.one_of(st.sampled_from(RAW[col]), st.sampled_from(LABELS[col]), st.sampled_from(["*", None]))


def aux_value(col):
    extra = {"cat": ["e"], "num": ["11"], "num2": ["7"]}[col]  # values outside the hierarchy
    return st.one_of(st.sampled_from(RAW[col] + extra), st.just(None))


COLS = ["cat", "num", "num2"]
rel_rows = st.lists(st.tuples(*(release_value(c) for c in COLS)), min_size=1, max_size=25)
aux_rows = st.lists(st.tuples(*(aux_value(c) for c in COLS)), min_size=1, max_size=25)


def frame(rows, names):
    return pl.DataFrame({n: [r[i] for r in rows] for i, n in enumerate(names)}, schema={n: pl.String for n in names})


@settings(max_examples=120, deadline=None)
@given(rel_rows, aux_rows, st.sampled_from([None, 0, 1, 2]), st.sampled_from([None, 0, 1]),
       st.lists(st.sampled_from(COLS), min_size=1, max_size=3, unique=True))
def test_agrees_with_brute_force(rel, aux, tol_num, tol_num2, used):
    hs = {"cat": CAT_H, "num": NUM_H, "num2": NUM2_H}
    tols = {"num": tol_num, "num2": tol_num2}
    idx = [COLS.index(c) for c in used]
    expected, expected_rev = oracle([tuple(r[i] for i in idx) for r in rel], [tuple(a[i] for i in idx) for a in aux],
                                    [hs[c] for c in used], [tols.get(c) for c in used])
    tolerance = {c: t for c, t in tols.items() if t is not None and c in used}
    # The auxiliary columns carry other names: the mapping must be followed.
    e = exposure(frame(rel, COLS), frame(aux, [c.upper() for c in COLS]), on={c: c.upper() for c in used},
                 hierarchies={c: hs[c] for c in used}, tolerance=tolerance, what_if=False)
    assert e.candidates.tolist() == expected.tolist()
    assert e.reverse_candidates.tolist() == expected_rev.tolist()
    assert e.unique_link_share == pytest.approx((expected == 1).mean())
    assert e.expected_reidentifications == pytest.approx(sum(1 / c for c in expected if c))
    assert e.reverse_unique_share == pytest.approx((expected_rev == 1).mean())
    assert sum(e.candidates_histogram().values()) == len(rel)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(*(aux_value(c) for c in COLS)), min_size=1, max_size=20), st.data())
def test_evaluation_mode_against_brute_force(people, data):
    # Release = the auxiliary people, each value possibly generalized or suppressed, shuffled.
    hs = [CAT_H, NUM_H, NUM2_H]
    rel = []
    for row in people:
        new = []
        for value, h in zip(row, hs):
            choice = data.draw(st.sampled_from(["keep", "up", "star"]))
            if value is None or choice == "keep" or value not in h.values:
                new.append(value)
            elif choice == "up":
                new.append(h.generalize(value, 1))
            else:
                new.append("*")
        rel.append(tuple(new))
    pids = [str(i) for i in range(len(people))]
    order = data.draw(st.permutations(range(len(people))))
    rel_f = frame([rel[i] for i in order], COLS).with_columns(pl.Series("pid", [pids[i] for i in order]))
    aux_f = frame(people, COLS).with_columns(pl.Series("pid", pids))
    fwd, _ = oracle([rel[i] for i in order], people, hs, [None, 1, None])
    truth = [all(_compatible(rv, av, h, t) for rv, av, h, t in zip(rel[i], people[i], hs, [None, 1, None])) for i in order]
    e = exposure(rel_f, aux_f, on=COLS, hierarchies=dict(zip(COLS, hs)), tolerance={"num": 1},
                 truth_key={"release": "pid", "auxiliary": "pid"}, what_if=False)
    assert e.candidates.tolist() == fwd.tolist()
    rate = sum(1 / c for c, ok in zip(fwd, truth) if ok) / len(rel)
    assert e.true_reidentification_rate == pytest.approx(rate)
    uniques = [ok for c, ok in zip(fwd, truth) if c == 1]
    assert e.unique_link_precision == (pytest.approx(sum(uniques) / len(uniques)) if uniques else None)


def test_hand_worked_dates_and_payload():
    # Release birthdays vs a voter roll, +/- 3 days:
    #   1980-01-10 -> voters 1980-01-07 (3 days) and 1980-01-12 (2 days): 2 candidates
    #   1990-05-05 -> only 1990-05-01? 4 days away: 0 candidates
    #   *          -> all 3 voters
    rel = pl.DataFrame({"dob": ["1980-01-10", "1990-05-05", "*"]})
    aux = pl.DataFrame({"birth": ["1980-01-07", "1980-01-12", "1990-05-01"]})
    e = exposure(rel, aux, on={"dob": "birth"}, tolerance={"dob": "3d"}, what_if=False)
    assert e.candidates.tolist() == [2, 0, 3]
    d = e.to_dict()
    assert d["release_records"] == 3 and d["auxiliary_records"] == 3
    assert d["unique_link_share"] == 0.0
    assert d["expected_reidentifications"] == pytest.approx(1 / 2 + 1 / 3)
    assert d["candidates_histogram"] == {"0": 1, "1": 0, "2": 1, "3-5": 1, "6-10": 0, ">10": 0}
    # Voter 1990-05-01 is compatible only with the "*" record.
    assert d["reverse_unique_share"] == pytest.approx(1 / 3)
    assert e.records().columns == ["row", "candidates"]
    assert e.records()["row"].to_list() == [1, 2, 3]


def test_what_if_generalize_hand_worked():
    # age raw; aux ages 31, 32, 38. Release 31 -> 1 candidate; generalized to [30, 35[ -> 2.
    h = Hierarchy([[str(v), "[30, 35[" if v < 35 else "[35, 40[", "*"] for v in range(30, 40)])
    rel = pl.DataFrame({"age": ["31", "38"], "sex": ["m", "m"]})
    aux = pl.DataFrame({"age": ["31", "32", "38"], "sex": ["m", "m", "m"]})
    e = exposure(rel, aux, on=["age", "sex"], hierarchies={"age": h})
    assert e.unique_link_share == 1.0
    got = {(w["attribute"], w["action"]): w["unique_link_share"] for w in e.what_if}
    # generalize age: 31 -> [30,35[ (31, 32: 2), 38 -> [35,40[ (38: 1) -> 1/2
    # drop age: sex m matches all 3 -> 0; drop sex: age alone -> both unique -> 1
    assert got == {("age", "generalize"): 0.5, ("age", "drop"): 0.0, ("sex", "drop"): 1.0}
    assert e.what_if[0]["attribute"] == "age" and e.what_if[0]["action"] == "drop"


def test_pandas_and_paths(tmp_path):
    pd = pytest.importorskip("pandas")
    rel = pd.DataFrame({"z": ["1", "2"]})
    p = tmp_path / "aux.csv"
    p.write_text("z\n1\n1\n2\n")
    e = exposure(rel, p, on=["z"], what_if=False)
    assert e.candidates.tolist() == [2, 1]
    assert e.summary() == "1 of 2 records (50.0%) match exactly one person in aux.csv"


def test_errors_name_the_column():
    rel = pl.DataFrame({"sex": ["m"], "age": ["3"]})
    aux = pl.DataFrame({"sex": ["m"], "age": ["3"]})
    with pytest.raises(ConfigError, match="'on' parameter must be a non-empty mapping"):
        exposure(rel, aux, on=[])
    with pytest.raises(InputError, match="'AGE'"):
        exposure(rel, aux, on={"age": "AGE"})
    with pytest.raises(ConfigError, match="'sex'"):
        exposure(rel, aux, on=["sex"], tolerance={"sex": 1})
    with pytest.raises(ConfigError, match="tolerance"):
        exposure(rel, aux, on=["age"], tolerance={"age": -1})
    with pytest.raises(InputError, match="not unique"):
        exposure(rel.with_columns(pl.lit("1").alias("id")), pl.concat([aux, aux]).with_columns(pl.lit("1").alias("id")),
                 on=["sex"], truth_key={"release": "id", "auxiliary": "id"})


@pytest.mark.parametrize("path", ["bincount", "sort", "polars"])
def test_large_key_space_paths(monkeypatch, path):
    # The same counts whichever way equal keys are counted (bincount, sort + search, hash join).
    import importlib

    mod = importlib.import_module("unlinkable.risk.links")  # the counting kernels behind exposure()

    if path != "bincount":
        monkeypatch.setattr(mod, "_BINCOUNT_LIMIT", 0)
    monkeypatch.setattr(mod, "_USE_POLARS_JOIN", path == "polars")
    rng = np.random.default_rng(0)
    a = rng.integers(0, 10**6, 2000).astype(str)
    b = rng.integers(0, 10**6, 2000).astype(str)
    rel = pl.DataFrame({"x": a, "y": b})
    aux = pl.DataFrame({"x": np.concatenate([a[:1000], a[:10]]), "y": np.concatenate([b[:1000], b[:10]])})
    e = exposure(rel, aux, on=["x", "y"], what_if=False)
    from collections import Counter

    cnt = Counter(zip(aux["x"].to_list(), aux["y"].to_list()))
    assert e.candidates.tolist() == [cnt[(x, y)] for x, y in zip(a, b)]
    rel_cnt = Counter(zip(a, b))
    assert e.reverse_candidates.tolist() == [rel_cnt[(x, y)] for x, y in zip(aux["x"].to_list(), aux["y"].to_list())]


def test_adult_against_its_arx_releases(adult_arx_releases):
    # Adult generalized to ARX's optimum (classes smaller than k suppressed, as ARX does) and
    # joined back to the original adult: a released record's candidates are exactly the original
    # records that fall into its class, so sum(1/candidates) over released records is the number
    # of classes ARX reports, every released record has >= k candidates, and a suppressed record
    # matches the whole table.
    for case in adult_arx_releases:
        cfg, data = case["config"], case["data"]
        k = cfg["privacy_model"]["k"]
        e = exposure(case["release"], data, on=data.columns, hierarchies=case["hierarchies"], what_if=False)
        released = ~case["suppressed"]
        assert int((~released).sum()) == cfg["suppressed_records"]
        assert (e.candidates[~released] == data.height).all()
        assert (e.candidates[released] >= k).all()
        assert round(float((1.0 / e.candidates[released]).sum())) == cfg["equivalence_classes"]


def test_generalized_date_with_tolerance_hand_worked():
    # "1984-03" stands for its leaves 1984-03-01 .. 1984-03-20 in the hierarchy, widened by 3 days:
    # 1984-02-27 .. 1984-03-23. Voters: 02-26 (out), 02-27 (in), 03-23 (in), 03-24 (out), 04-02 (out).
    from unlinkable.hierarchies.builders import dates

    h = dates(["1984-03-01", "1984-03-20", "1984-04-02"])
    rel = pl.DataFrame({"dob": ["1984-03", "1984-04-02"]})
    aux = pl.DataFrame({"dob": ["1984-02-26", "1984-02-27", "1984-03-23", "1984-03-24", "1984-04-02"]})
    e = exposure(rel, aux, on=["dob"], hierarchies={"dob": h}, tolerance={"dob": {"days": 3}}, what_if=False)
    # 1984-04-02 +/- 3 days: 03-30 .. 04-05 -> only 04-02.
    assert e.candidates.tolist() == [2, 1]
