from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unlinkable.errors import ConfigError, HierarchyError
from unlinkable.hierarchies import builders


def test_intervals_labels():
    h = builders.intervals(["31", "34", "47", "50"], [5, 10, 20])
    assert h.generalize("34", 1) == "[30, 35["
    assert h.generalize("47", 2) == "[40, 50["
    assert h.generalize("50", 3) == "[40, 60["
    assert h.generalize("31", 4) == "*"


def test_intervals_reject_text_value():
    with pytest.raises(HierarchyError, match="'abc' is not a number"):
        builders.intervals(["1", "abc"], [5], column="age")


def test_intervals_need_coarsening_widths():
    with pytest.raises(ConfigError, match="not a multiple"):
        builders.intervals(["1"], [5, 7])


def test_masking_zip():
    h = builders.masking(["81675"])
    assert [h.generalize("81675", j) for j in range(3)] == ["81675", "8167*", "816**"]


def test_dates():
    h = builders.dates(["2021-03-04", "2021-11-30"])
    assert h.generalize("2021-11-30", 1) == "2021-11"
    assert h.generalize("2021-11-30", 3) == "2020s"


def test_grouping_missing_value():
    with pytest.raises(HierarchyError, match="'x' has no group"):
        builders.grouping(["x"], [{"y": "g"}])


@given(st.lists(st.integers(0, 120), min_size=1, max_size=30))
def test_interval_levels_always_coarsen(ages):
    # Hierarchy() itself rejects any level that is not a coarsening of the one below.
    h = builders.intervals([str(a) for a in ages], [5, 10, 20, 40])
    assert h.levels == 6
