"""Individual, global and household risk against sdcMicro's measure_risk (reference JSON)."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from unlinkable.errors import ConfigError, InputError
from unlinkable.risk import individual
from unlinkable.risk.frequencies import frequencies
from unlinkable.risk.individual import (
    global_risk,
    household_risk,
    individual_risk,
    kanonymity_violations,
    r_mad,
)


def encode(df: pl.DataFrame, cols: list[str]) -> np.ndarray:
    out = []
    for c in cols:
        s = df[c]
        lut = {v: i for i, v in enumerate(s.drop_nulls().unique().sort().to_list())}
        out.append([-1 if v is None else lut[v] for v in s.to_list()])
    return np.array(out, dtype=np.int64).T


def na_list(values: list) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def check_global(g, ref: dict) -> None:
    assert g.risk == ref["risk"]
    assert g.risk_ER == ref["risk_ER"]
    assert g.risk_pct == ref["risk_pct"]
    assert g.threshold == ref["threshold"]  # None <=> null
    assert g.max_risk == ref["max_risk"]


def full_battery(sdc_reference, sdc_data):
    t = sdc_reference["testdata"]["setups"]
    f = sdc_reference["francdat"]["setups"]
    for dataset, setup in [("testdata", t["A_urbrur_water_sex_age"]), ("testdata", t["C_package_example_7keys"]),
                           ("francdat", f["A_sdcObj_4keys"])]:
        yield pl.read_csv(sdc_data / f"{dataset}.csv"), setup


def test_full_battery(sdc_reference, sdc_data):
    for df, setup in full_battery(sdc_reference, sdc_data):
        ref = setup["risk"]
        w = df[setup["weightVar"]].to_numpy()
        fk, Fk = frequencies(encode(df, setup["keyVars"]), weights=w)
        r = individual_risk(fk, Fk, weighted=True)
        assert r.tolist() == ref["indivRisk"]
        g = global_risk(r)
        check_global(g, ref["global"])
        assert g.n_higher_risk_than_main_part == ref["n_higher_risk_than_main_part"]
        assert kanonymity_violations(fk) == ref["kanon_violations"]
        if "hierarchical" in ref:
            h = household_risk(r, df[setup["hhId"]].to_numpy())
            hr = ref["hierarchical"]
            assert h.per_record.tolist() == hr["per_record"]
            assert (h.hier_risk, h.hier_risk_ER, h.hier_risk_pct) == (
                hr["hier_risk"], hr["hier_risk_ER"], hr["hier_risk_pct"])
        # after localSuppression(k=3): the suppressed cells become NA wildcards
        after = setup["localSuppression_k3"]["after"]
        keys = encode(df, setup["keyVars"])
        for j, c in enumerate(setup["keyVars"]):
            keys[np.asarray(setup["localSuppression_k3"]["suppressed_records"][c], dtype=np.int64) - 1, j] = -1
        fk, Fk = frequencies(keys, weights=w)
        r = individual_risk(fk, Fk, weighted=True)
        assert r.tolist() == after["indivRisk"]
        check_global(global_risk(r), after["global"])
        assert kanonymity_violations(fk) == after["kanon_violations"]


def test_global_recode_block(sdc_reference, sdc_data):
    setup = sdc_reference["testdata"]["setups"]["A_urbrur_water_sex_age"]
    rec = setup["globalRecode_age"]
    df = pl.read_csv(sdc_data / "testdata.csv").with_columns(pl.Series("age", rec["recoded_age"]))
    fk, Fk = frequencies(encode(df, setup["keyVars"]), weights=df["sampling_weight"].to_numpy())
    r = individual_risk(fk, Fk, weighted=True)
    assert r.tolist() == rec["indivRisk"]
    check_global(global_risk(r), rec["global"])
    assert kanonymity_violations(fk) == rec["kanon_violations"]
    h = household_risk(r, df["ori_hid"].to_numpy())
    hr = rec["hierarchical"]
    assert h.per_record.tolist() == hr["per_record"]
    assert (h.hier_risk, h.hier_risk_ER, h.hier_risk_pct) == (hr["hier_risk"], hr["hier_risk_ER"], hr["hier_risk_pct"])


def test_measure_risk_examples(sdc_reference, sdc_data):
    b = sdc_reference["testdata"]["setups"]["B_measure_risk_examples"]
    df = pl.read_csv(sdc_data / "testdata.csv")
    keys = encode(df, ["urbrur", "roof", "walls", "water", "sex"])
    fk, Fk = frequencies(keys)
    r = individual_risk(fk, Fk, weighted=False)
    u = b["unweighted"]
    assert r.tolist() == u["risk"]
    g = global_risk(r)
    assert (g.risk, g.risk_ER, g.risk_pct, g.threshold) == (
        u["global_risk"], u["global_risk_ER"], u["global_risk_pct"], u["global_threshold"])
    fk, Fk = frequencies(keys, weights=df["sampling_weight"].to_numpy())
    r = individual_risk(fk, Fk, weighted=True)
    u = b["weighted"]
    assert r.tolist() == u["risk"]
    g = global_risk(r)
    assert (g.risk, g.risk_ER, g.risk_pct, g.threshold) == (
        u["global_risk"], u["global_risk_ER"], u["global_risk_pct"], u["global_threshold"])
    assert global_risk(r, max_global_risk=0.0001).threshold == b["weighted_maxglobal_0.0001"]["global_threshold"]
    h = household_risk(r, df["ori_hid"].to_numpy())
    u = b["weighted_hier"]
    assert h.per_record.tolist() == u["hier_risk"]
    assert (h.hier_risk_ER, h.hier_risk, h.hier_risk_pct) == (
        u["hier_risk_ER"], u["hier_risk_global"], u["hier_risk_pct"])


def test_francdat_indivrisk_examples(sdc_reference):
    ex = sdc_reference["francdat"]["setups"]["freqCalc_examples"]
    base = ex["freqCalc"]
    r = individual_risk(np.array(base["fk"], float), np.array(base["Fk"], float), weighted=True)
    assert r.tolist() == base["indivRisk_approx"]
    for a in ("1", "0.5", "0.1"):  # includes the fk in (1, 2) -> r = 0 quirk
        blk = ex["freqCalc_with_NA"][f"alpha_{a}"]
        r = individual_risk(np.array(blk["fk"], float), np.array(blk["Fk"], float), weighted=True)
        assert r.tolist() == blk["indivRisk"]


def test_hand_worked_formulas():
    # fk=1, Fk=4: p=1/4, odds=1/3, r = 1/3*ln 4
    # fk=2, Fk=4: p=1/2, odds=1, r = 1 - ln 2
    # fk=3, Fk=6: p=1/2, r = 0.5/(3-0.5) = 0.2
    # fk=Fk=5: r = 1/5;  fk=1.5 (alpha<1 quirk): r = 0
    fk = np.array([1.0, 2.0, 3.0, 5.0, 1.5])
    Fk = np.array([4.0, 4.0, 6.0, 5.0, 9.0])
    r = individual_risk(fk, Fk, weighted=True)
    np.testing.assert_allclose(r, [math.log(4) / 3, 1 - math.log(2), 0.2, 0.2, 0.0], rtol=1e-15)
    np.testing.assert_allclose(individual_risk(fk, Fk, weighted=False), 1 / fk)


def test_hand_worked_threshold():
    # n=4, 0.01*n = 0.04; r sorted = 0.5, 0.5, 0.02, 0.01 (sum 1.03, not < 0.04)
    # level 0.02 at j=2: remaining 0.03 + 0.02*2 = 0.07 -> no; level 0.01 at j=3: 0.01 + 0.03 = 0.04 -> not < 0.04
    # -> no level passes -> 0.  With max_global_risk=0.02 (0.08): level 0.02 passes -> 0.02.
    r = np.array([0.02, 0.5, 0.01, 0.5])
    assert global_risk(r).threshold == 0.0
    assert global_risk(r, max_global_risk=0.02).threshold == 0.02
    # already safe (sum < 0.01 n) -> NA
    assert global_risk(np.full(10, 0.001)).threshold is None


def test_hand_worked_household_and_mad():
    # household 1: r = 0.5, 0.2 -> 1 - 0.5*0.8 = 0.6 each; household 2: 0.1 -> 0.1; ER = 1.3, n = 3
    h = household_risk(np.array([0.5, 0.1, 0.2]), np.array(["a", "b", "a"]))
    np.testing.assert_allclose(h.per_record, [0.6, 0.1, 0.6], rtol=1e-15)
    assert math.isclose(h.hier_risk_ER, 1.3) and math.isclose(h.hier_risk, 1.3 / 3)
    assert h.to_dict()["per_record"] == h.per_record.tolist()
    # mad(1,2,3,4,100): median 3, |dev| = 2,1,0,1,97 -> median 1 -> 1.4826
    assert r_mad(np.array([1.0, 2, 3, 4, 100])) == 1.4826
    # /500: r > 0.006 + 2*0.0029652 and r > 0.1 -> only 0.2
    assert global_risk(np.array([1.0, 2, 3, 4, 100]) / 500).n_higher_risk_than_main_part == 1


def test_kanon_and_errors():
    assert kanonymity_violations(np.array([1.0, 1.5, 2, 4]), ks=(2, 5)) == {"2": 2, "5": 4}
    with pytest.raises(ConfigError):
        global_risk(np.array([0.1]), max_global_risk=1.0)
    with pytest.raises(ConfigError):
        kanonymity_violations(np.array([1.0]), ks=(0,))
    with pytest.raises(InputError):
        individual_risk(np.ones(2), np.ones(3), weighted=True)
    with pytest.raises(InputError):
        household_risk(np.ones(2), np.ones(3))


# --- indivRisk(method="exact") and qual -------------------------------------------------------


def negative_binomial_risk(f: float, F: float) -> float:
    """E[1/F | f] with F - f ~ NegBin(f, p = f/F), summed term by term: an independent oracle.

    Benedetti and Franconi's exact risk is this expectation; the terms fall like (1 - p)^j.
    """
    from scipy.special import gammaln

    p = f / F
    j = np.arange(0, 200_000, dtype=float)
    terms = np.exp(gammaln(f + j) - gammaln(j + 1) - gammaln(f) + f * np.log(p) + j * np.log1p(-p)) / (f + j)
    return float(terms.sum())


def test_exact_hand_worked():
    # fk = 3, Fk = 6, p = 1/2: A = (2^2 - 1)/2 = 3/2, B_0 = 2^2/(1*1) * (2 - 1)/(4 - 1) = 4/3,
    # r = 1 * (3/2 * (1 - 4/3) + (-1)^3 ln(1/2)) = ln 2 - 1/2
    r = individual_risk(np.array([3.0]), np.array([6.0]), weighted=True, method="exact")
    assert r[0] == pytest.approx(math.log(2) - 0.5, rel=1e-15)


@given(f=st.integers(3, 60), ratio=st.floats(1.01, 200.0))
@settings(max_examples=80)
def test_exact_is_the_negative_binomial_expectation(f, ratio):
    F = f * ratio
    r = individual_risk(np.array([float(f)]), np.array([F]), weighted=True, method="exact")[0]
    assert r == pytest.approx(negative_binomial_risk(f, F), rel=1e-8)


def test_exact_where_sdcmicros_series_cancels():
    # sdcMicro's alternating series gives -11.5 here, 138638 for fk = 50, p = 1/2, and NaN for
    # fk = 176, p = 0.01 (testdata's largest class on its seven key variables)
    fk, Fk = np.array([12.0, 50.0, 176.0]), np.array([12.6, 100.0, 17600.0])
    r = individual_risk(fk, Fk, weighted=True, method="exact")
    for got, f, F in zip(r, fk, Fk):
        assert got == pytest.approx(negative_binomial_risk(f, F), rel=1e-10)


def test_exact_equals_approx_below_three():
    fk = np.array([1.0, 2.0, 2.0, 5.0])
    Fk = np.array([10.0, 4.0, 7.5, 5.0])  # fk = Fk: 1/fk in both
    exact = individual_risk(fk, Fk, weighted=True, method="exact")
    approx = individual_risk(fk, Fk, weighted=True)
    assert exact.tolist() == approx.tolist()


def test_qual_scales_the_weighted_risk_only():
    fk, Fk = np.array([1.0, 3.0, 4.0]), np.array([5.0, 30.0, 4.0])
    base = individual_risk(fk, Fk, weighted=True)
    assert individual_risk(fk, Fk, weighted=True, qual=2).tolist() == (base * 2).tolist()
    assert individual_risk(fk, Fk, weighted=False, qual=2).tolist() == (1.0 / fk).tolist()


@pytest.mark.parametrize("kw", [{"method": "Exact"}, {"qual": 0}, {"qual": "x"}, {"qual": float("nan")}])
def test_bad_method_or_qual(kw):
    with pytest.raises(ConfigError):
        individual_risk(np.array([1.0]), np.array([2.0]), weighted=True, **kw)


# --- the threshold rule on distinct values with counts ------------------------------------------


def _weighted_against_records(values: list[float], counts: list[int], mgr: float) -> tuple[str, str]:
    r, c = np.array(values, dtype=np.float64), np.array(counts, dtype=np.int64)
    return repr(individual._weighted_threshold(r, c, mgr)), repr(individual._threshold(np.repeat(r, c), mgr))


#: risk levels: ties from a small pool (zero, exact halves, thirds, subnormals) and any floats,
#: negative ones too (-0.0 turned into 0.0: the rule's levels compare equal, their repr does not)
risk_levels = st.one_of(
    st.sampled_from([0.0, 1.0, 0.5, 0.25, 1 / 3, 0.1, 1 / 7, 1e-3, 1e-300, 5e-324, 1.0 - 2**-53]),
    st.floats(0.0, 1.0),
    st.floats(-1e3, 1e3).map(lambda x: x + 0.0),
)


@settings(max_examples=300)
@given(st.lists(st.tuples(risk_levels, st.integers(0, 40)), max_size=30), st.integers(1, 16),
       st.floats(1e-6, 0.999), st.booleans())
@example([(0.5, 3), (0.5, 4), (0.25, 7)], 7, 0.01, False)  # a tie split across rows, levels across a block edge
@example([(0.1, 1)], 1, 0.5, False)                        # one record
@example([(0.0, 5), (0.0, 9)], 7, 0.01, False)             # all zero: NA
@example([(1.0, 3), (0.0, 20)], 7, 0.05, False)            # no level passes, the lowest is 0: NA
@example([(0.3, 2), (0.2, 0), (0.1, 9)], 2, 0.2, False)    # a level without records
@example([(0.3, 2), (0.1, 9)], 2, 0.2, True)               # a NaN record: the rule on the records
def test_weighted_threshold_is_the_threshold_of_the_records(pairs, block, mgr, nan):
    # The block-by-block replay equals the rule on the expanded records bit for bit, blocks of 1..16
    # records cutting the levels anywhere (levels are merged first, so a tie may span several pairs).
    values = [v for v, _ in pairs] + ([float("nan")] if nan else [])
    counts = [c for _, c in pairs] + ([2] if nan else [])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(individual, "_BLOCK", block)
        got, want = _weighted_against_records(values, counts, mgr)
    assert got == want


@settings(max_examples=300)
@given(st.lists(st.tuples(risk_levels.filter(lambda v: v >= 0.0), st.integers(1, 12)), min_size=1, max_size=20),
       st.integers(1, 16), st.integers(0, 1000), st.sampled_from([-1.0, 0.0, 1.0]))
def test_weighted_threshold_at_the_rules_edges(pairs, block, pick, step):
    # max_global_risk * n placed on (or one ulp beside) a figure the rule compares with it - the
    # total, or the remaining sum plus rho * j at a level - so that a sum off by one rounding
    # anywhere in the replay changes the answer.
    values, counts = [v for v, _ in pairs], [c for _, c in pairs]
    r = np.sort(np.repeat(np.array(values), counts))[::-1]
    n = r.shape[0]
    total = np.add.accumulate(r)[-1]
    remaining = np.subtract.accumulate(np.concatenate([[total], r[:-1]]))
    j = np.flatnonzero(r[1:] != r[:-1]) + 1
    edges = [total, *(remaining[j] + r[j] * j.astype(np.float64))]
    mgr = float(np.nextafter(edges[pick % len(edges)] / n, step * np.inf)) if step else float(edges[pick % len(edges)] / n)
    assume(0.0 < mgr < np.inf)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(individual, "_BLOCK", block)
        got, want = _weighted_against_records(values, counts, mgr)
    assert got == want


def test_weighted_threshold_across_full_blocks():
    # 2.2 million records over 513 levels: three blocks of the real size, the rule passing in the
    # first, the second or the third, or nowhere (0.0: the lowest level is not 0).
    rng = np.random.default_rng(11)
    values = np.round(rng.random(1500) ** 4, 3)  # rounded: many ties; skewed: few high risks
    values[values == 0.0] = 1 / 3
    counts = rng.integers(1, 2900, 1500)
    assert int(counts.sum()) > 2 * individual._BLOCK
    records = np.sort(np.repeat(values, counts))  # sorted once: the rule sorts again, cheaply
    for mgr in (0.2, 0.01, 0.001, 0.0005):
        assert repr(individual._weighted_threshold(values, counts, mgr)) == repr(individual._threshold(records, mgr))
