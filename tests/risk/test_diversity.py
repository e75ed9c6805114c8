"""diversity(): hand-worked table and the Li et al. test2 example."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest

from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.models.base import SensitiveColumn
from unlinkable.risk.diversity import diversity


def test_hand_worked():
    # classes {a, a, b} and {b, c, c, c}; table a 2, b 2, c 3 (/7)
    codes = np.array([0, 0, 1, 1, 2, 2, 2], dtype=np.int32)
    col = SensitiveColumn("s", codes, ("a", "b", "c"), numeric=np.array([1.0, 2.0, 3.0]))
    out = diversity(np.array([0, 0, 0, 1, 1, 1, 1]), np.array([3, 4]), col)
    assert out["distinct_l"] == 2
    # entropies: {2/3, 1/3} = 0.6365, {1/4, 3/4} = 0.5623 -> exp(0.5623) = 1.7548
    h = -(0.25 * np.log(0.25) + 0.75 * np.log(0.75))
    assert out["entropy_l"] == pytest.approx(np.exp(h))
    # r1 / r2: 2 / 1 and 3 / 1 -> 3
    assert out["recursive_c_l2"] == pytest.approx(3.0)
    # equal: class 1: 1/2 (|2/3-2/7| + |1/3-2/7| + 3/7) = 1/2 (8/21 + 1/21 + 9/21) = 3/7;
    #        class 2: 1/2 (2/7 + |1/4-2/7| + |3/4-3/7|) = 1/2 (8/28 + 1/28 + 9/28) = 9/28 -> max 3/7
    assert out["t_equal"] == pytest.approx(3 / 7)
    # ordered (m - 1 = 2): class 1 p - q = 8/21, 1/21, -9/21, cumulative 8/21, 9/21, 0 -> 17/21 / 2;
    #                    class 2 p - q = -8/28, -1/28, 9/28, cumulative -8/28, -9/28, 0 -> 17/28 / 2
    assert out["t_ordered"] == pytest.approx(17 / 42)
    assert out["t_hierarchical"] is None
    json.dumps(out)


def test_suppressed_records_are_left_out_of_classes():
    codes = np.array([0, 1, 0, 1], dtype=np.int32)
    col = SensitiveColumn("s", codes, ("a", "b"))
    out = diversity(np.array([0, 0, -1, -1]), np.array([2]), col)
    assert out["classes"] == 1 and out["distinct_l"] == 2 and out["t_equal"] == pytest.approx(0.0)
    assert out["recursive_c_l2"] == pytest.approx(1.0)


def test_test2_disease_with_hierarchy(arx_data):
    frame = pl.read_csv(arx_data / "test2" / "test2.csv", separator=";", infer_schema=False)
    rows = [r.split(";") for r in (arx_data / "test2" / "test2_hierarchy_Disease.csv").read_text().splitlines() if r]
    values = tuple(dict.fromkeys(frame["Disease"].to_list()))
    codes = np.array([values.index(v) for v in frame["Disease"].to_list()], dtype=np.int32)
    col = SensitiveColumn("Disease", codes, values, hierarchy=Hierarchy(rows).encode(values))
    out = diversity(np.repeat([0, 1, 2], 3), np.array([3, 3, 3]), col)
    # worked out in tests/models/test_tcloseness.py: 4/9, 8/27, 8/27
    assert out["t_hierarchical"] == pytest.approx(4 / 9)
    # every class has three different diseases once each: r1 / (r2 + r3) = 1/2
    assert out["distinct_l"] == 3 and out["recursive_c_l2"] == pytest.approx(0.5)
