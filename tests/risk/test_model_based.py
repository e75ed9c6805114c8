"""Model-based risk (sdcMicro modRisk): closed forms, a hand-worked risk sum, and bad input.

sdcMicro's own expectations are in tests/peers/sdcmicro (38 cases); here the fits are checked
against what a main-effects Poisson model must give: fitted counts n_i. n_.j / n (independence).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unlinkable.errors import ConfigError, InputError
from unlinkable.risk.model_based import model_risk


def _independence(keys: np.ndarray) -> np.ndarray:
    """Fitted counts of the main-effects model on complete data, cell order last-fastest."""
    n = keys.shape[0]
    margins = [np.bincount(keys[:, j]) / n for j in range(keys.shape[1])]
    out = margins[0]
    for m in margins[1:]:
        out = np.multiply.outer(out, m)
    return (out * n).ravel()


KEYS = np.array([[0, 0, 1], [0, 1, 0], [1, 0, 1], [1, 1, 1], [1, 1, 0], [2, 0, 0], [2, 1, 1], [0, 0, 0]])


@pytest.mark.parametrize("method", ["default", "PML", "IPF"])
def test_main_effects_fit_is_the_independence_estimate(method: str) -> None:
    # equal weights: PML's response equals the counts
    r = model_risk(KEYS, np.full(len(KEYS), 50.0), method=method)
    tol = 1e-12 if method == "IPF" else 1e-6  # glm stops at its deviance criterion, IPF is exact
    np.testing.assert_allclose(r.fitted, _independence(KEYS), rtol=tol)
    assert r.converged and not r.fitted_rates_zero


def test_risks_are_the_sum_over_sample_uniques() -> None:
    """Hand-worked from the fitted counts: v = (1 - pi) lambda over the kept cells."""
    w = np.array([10.0, 20.0, 10.0, 40.0, 10.0, 10.0, 5.0, 10.0])
    r = model_risk(KEYS, w, method="IPF", bound=1)
    lam = _independence(KEYS)
    counts = np.zeros(lam.size)
    incl = np.zeros(lam.size)
    idx = np.ravel_multi_index(KEYS.T, (3, 2, 2))
    np.add.at(counts, idx, 1)
    np.add.at(incl, idx, 1 / w)
    keep = counts == 1  # bound 1: the sample uniques only
    v = (1 - incl[keep]) * lam[keep]
    assert r.risk1 == pytest.approx(np.exp(-v).sum() / keep.sum(), rel=1e-12)
    assert r.risk2 == pytest.approx(((1 - np.exp(-v)) / v).sum() / keep.sum(), rel=1e-12)
    assert r.to_dict()["cells_summed"] == keep.sum()


def test_saturated_model_reproduces_the_counts() -> None:
    keys = np.array([[0, 0], [0, 0], [0, 1], [1, 0], [1, 1], [1, 1], [1, 1]])
    r = model_risk(keys, np.full(7, 3.0), interactions=[(0, 1)])
    np.testing.assert_allclose(r.fitted, [2, 1, 1, 3], rtol=1e-6)


def test_missing_values_take_no_part_in_the_fit() -> None:
    keys = np.array([[0, 0], [0, 1], [1, 0], [1, 1], [-1, 1], [1, -1]])
    full = model_risk(keys[:4], np.full(4, 5.0), method="IPF")
    r = model_risk(keys, np.full(6, 5.0), method="IPF")
    np.testing.assert_allclose(r.fitted, full.fitted)
    np.testing.assert_array_equal(r.cells, full.cells)  # a missing value makes no cell of its own


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 3)), min_size=2, max_size=30), st.randoms())
def test_record_order_does_not_matter(rows: list[tuple[int, int]], rnd) -> None:
    keys = np.array(rows)
    w = np.linspace(2, 9, len(rows))
    perm = list(range(len(rows)))
    rnd.shuffle(perm)
    a = model_risk(keys, w, method="IPF")
    b = model_risk(keys[perm], w[perm], method="IPF")
    assert a.risk1 == pytest.approx(b.risk1, rel=1e-12, abs=1e-15)
    assert a.risk2 == pytest.approx(b.risk2, rel=1e-12, abs=1e-15)


def test_bad_input_is_refused() -> None:
    w = np.full(len(KEYS), 10.0)
    with pytest.raises(ConfigError, match="model-based risk: the 'method' parameter must be one of"):
        model_risk(KEYS, w, method="glm")
    with pytest.raises(ConfigError, match="the 'bound' parameter must be a number > 0"):
        model_risk(KEYS, w, bound=0)
    with pytest.raises(ConfigError, match="IPF fits main effects only"):
        model_risk(KEYS, w, method="IPF", interactions=[(0, 1)])
    with pytest.raises(InputError, match="weight"):
        model_risk(KEYS, np.r_[w[:-1], -1.0])
    missing = w.copy()
    missing[[0, 7]] = math.nan  # two sample-unique cells lose their only weight
    with pytest.raises(InputError, match="method CE"):
        model_risk(KEYS, missing, method="CE")


def test_assess_reports_the_model_risk() -> None:
    import polars as pl

    from unlinkable import assess

    df = pl.DataFrame({"a": ["x", "x", "y", "y", "y", "z"], "b": ["1", "2", "1", "2", "2", "1"],
                       "w": [4.0, 5.0, 6.0, 2.0, 8.0, 3.0]})
    got = assess(df, quasi_identifiers=["a", "b"], weights="w", model_risk="CE", model_risk_bound=1,
                 suda2=False).to_dict()["model_risk"]
    keys = np.column_stack([df["a"].rank("dense").to_numpy() - 1, df["b"].rank("dense").to_numpy() - 1])
    direct = model_risk(keys.astype(np.int64), df["w"].to_numpy(), method="CE", bound=1)
    assert got["risk1"] == pytest.approx(direct.risk1, rel=1e-12)
    assert got["risk2"] == pytest.approx(direct.risk2, rel=1e-12)
    assert got["method"] == "CE" and got["bound"] == 1
    with pytest.raises(ConfigError, match="needs sampling weights"):
        assess(df, quasi_identifiers=["a", "b"], model_risk="default")
