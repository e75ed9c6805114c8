"""The engine context for delta-presence, k-map with a population table, and linkage."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from unlinkable.errors import HierarchyError
from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.models.dpresence import DeltaPresence
from unlinkable.models.kmap import KMap
from unlinkable.search.context import SearchContext

H = Hierarchy([["a", "ab", "*"], ["b", "ab", "*"], ["c", "c", "*"]])


def test_population_counts_hand_worked(tmp_path):
    population = tmp_path / "pop.csv"
    population.write_text("q\na\na\nb\nc\nc\nc\n")
    data = pl.DataFrame({"q": ["a", "c"]})
    gm = H.encode(["a", "c"])
    ctx = SearchContext(["q"], [gm], {"q": H}, models=[KMap(k=2, population=str(population))], data=data)
    assert ctx.per_node_needed
    # level 0: classes 'a' and 'c' -> population has 2 a's and 3 c's
    classes0 = np.array([[gm.table[0, 0]], [gm.table[1, 0]]])
    assert ctx.for_node((0,), classes0)["population_counts"].tolist() == [2, 3]
    # level 1: 'a' -> 'ab' covers a, a, b (3); 'c' -> 'c' (3)
    classes1 = np.array([[gm.table[0, 1]], [gm.table[1, 1]]])
    assert ctx.for_node((1,), classes1)["population_counts"].tolist() == [3, 3]
    # level 2: everything is '*'
    assert ctx.for_node((2,), np.array([[0]]))["population_counts"].tolist() == [6]


def test_population_value_missing_from_hierarchy(tmp_path):
    population = tmp_path / "pop.csv"
    population.write_text("q\nz\n")
    with pytest.raises(HierarchyError, match="population table"):
        SearchContext(["q"], [H.encode(["a"])], {"q": H}, models=[KMap(k=2, population=str(population))],
                      data=pl.DataFrame({"q": ["a"]}))


def test_subset_mask_is_fixed(tmp_path):
    subset = tmp_path / "subset.csv"
    subset.write_text("q\nc\n")
    data = pl.DataFrame({"q": ["a", "c", "a"]})
    ctx = SearchContext(["q"], [H.encode(["a", "c"])], {"q": H}, models=[DeltaPresence(delta_min=0.0, delta_max=0.9, subset=str(subset))], data=data)
    assert ctx.fixed["in_subset"].tolist() == [False, True, False]
    assert not ctx.per_node_needed
