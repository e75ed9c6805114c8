"""Distance-based record linkage (sdcMicro recordLinkage): brute force over every one-to-one pairing.

sdcMicro's own 23 portable recordLinkage cases run in tests/peers/sdcmicro.
"""

from __future__ import annotations

import math
from itertools import permutations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unlinkable.errors import ConfigError, InputError
from unlinkable.linkage.record_linkage import record_linkage_risk


def _gower(x: dict, y: dict, names: list[str], ranges: dict) -> float:
    """One pair, attribute by attribute, as daisy's Gower (numbers, text, true/false)."""
    total = weight = 0.0
    for a in names:
        u, v = x[a], y[a]
        if u is None or v is None:
            continue
        if isinstance(u, bool):
            if not u and not v:
                continue  # asymmetric binary: two false values do not count
            d = float(u != v)
        elif isinstance(u, str):
            d = float(u != v)
        else:
            d = abs(u - v) / ranges[a] if ranges[a] > 0 else 0.0
        total += d
        weight += 1
    return total / weight


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 5).flatmap(lambda n: st.tuples(
    st.lists(st.tuples(st.integers(0, 9), st.sampled_from("abc"), st.booleans()), min_size=n, max_size=n),
    st.lists(st.tuples(st.integers(0, 9), st.sampled_from("abc"), st.booleans()), min_size=n, max_size=n))))
def test_optimal_linkage_equals_brute_force(tables) -> None:
    rows_x, rows_y = tables
    names = ["num", "cat", "flag"]
    x = pl.DataFrame(rows_x, schema={"num": pl.Float64, "cat": pl.String, "flag": pl.Boolean}, orient="row")
    y = pl.DataFrame(rows_y, schema={"num": pl.Float64, "cat": pl.String, "flag": pl.Boolean}, orient="row")
    both = [r[0] for r in rows_x + rows_y]
    ranges = {"num": max(both) - min(both)}
    dx, dy = x.to_dicts(), y.to_dicts()
    cost = [[_gower(a, b, names, ranges) for b in dy] for a in dx]
    n = len(rows_x)
    totals = {p: sum(cost[i][p[i]] for i in range(n)) for p in permutations(range(n))}
    best = min(totals.values())
    r = record_linkage_risk(x, y, attributes=names)
    assert r.total_distance == pytest.approx(best, abs=1e-12)
    assert r.mean_distance == pytest.approx(best / n, abs=1e-12)
    # ties: the correct links are those of one of the optimal pairings
    correct = {sum(p[i] == i for i in range(n)) for p, t in totals.items() if t <= best + 1e-12}
    assert r.correct_matches in correct and r.correct_match_rate == r.correct_matches / n


def test_identical_release_links_every_record() -> None:
    x = pl.DataFrame({"age": [23.0, 40.0, 35.0, 61.0], "region": ["A", "B", "A", "C"]})
    r = record_linkage_risk(x, x, attributes=["age", "region"], distance="gower")
    assert (r.correct_matches, r.correct_match_rate, r.total_distance, r.tied_best) == (4, 1.0, 0.0, 0)
    assert set(r.to_dict()) >= {"correct_match_rate", "evaluable", "tied_best"}


def test_euclidean_scales_up_for_missing_values() -> None:
    """daisy: sqrt(sum over the p' attributes present) * sqrt(p / p')."""
    x = pl.DataFrame({"a": [0.0, 10.0], "b": [0.0, None]})
    y = pl.DataFrame({"a": [3.0, 10.0], "b": [4.0, 7.0]})
    r = record_linkage_risk(x, y, attributes=["a", "b"], distance="euclidean")
    assert r.total_distance == pytest.approx(5.0 + 0.0)  # (0,0)-(3,4) = 5; (10,NA)-(10,7) = 0 * sqrt(2)
    assert r.correct_matches == 2


def test_bad_input_is_refused() -> None:
    x = pl.DataFrame({"a": [1.0, 2.0], "t": ["u", "v"]})
    with pytest.raises(InputError, match="rows"):
        record_linkage_risk(x, x.head(1), attributes=["a"])
    with pytest.raises(ConfigError, match="needs numbers"):
        record_linkage_risk(x, x, attributes=["a", "t"], distance="manhattan")
    with pytest.raises(ConfigError, match="gower distance only"):
        record_linkage_risk(x, x, attributes=["a"], distance="euclidean", weights=[1.0])
    with pytest.raises(InputError, match="na_action is 'fail'"):
        record_linkage_risk(x, pl.DataFrame({"a": [1.0, math.nan], "t": ["u", "v"]}), attributes=["a"], na_action="fail")
    with pytest.raises(InputError, match="share no attribute"):
        record_linkage_risk(pl.DataFrame({"a": [None, 1.0]}), pl.DataFrame({"a": [1.0, 2.0]}), attributes=["a"])
