"""riskyCells (sdcMicro): brute force over every combination, identification levels, bad input.

sdcMicro's own five riskyCells cases run in tests/peers/sdcmicro.
"""

from __future__ import annotations

from collections import Counter
from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unlinkable.errors import ConfigError
from unlinkable.risk.risky_cells import risky_cells


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(-1, 2), st.integers(-1, 3), st.integers(0, 1)), min_size=1, max_size=40),
       st.lists(st.integers(0, 4), min_size=1, max_size=3))
def test_counts_equal_brute_force(rows: list[tuple[int, int, int]], thresholds: list[int]) -> None:
    keys = np.array(rows, dtype=np.int64)
    r = risky_cells(keys, ["a", "b", "c"], threshold=thresholds, max_dim=len(thresholds))
    expected = []
    for d, t in enumerate(thresholds, start=1):
        for combo in combinations(range(3), d):
            cells = Counter(tuple(row[j] for j in combo) for row in rows)  # -1 is a value of its own
            expected.append(sum(1 for n in cells.values() if n <= t))
    assert list(r.unsafe_cells) == expected
    assert [len(v) for v in r.variables] == [d for d in range(1, len(thresholds) + 1)
                                             for _ in combinations(range(3), d)]


def test_identification_levels_set_the_dimension() -> None:
    keys = np.array([[0, 0, 0], [0, 1, 1], [1, 1, 0]])
    r = risky_cells(keys, ["a", "b", "c"], threshold=1, levels=[1, 2, 2])
    assert max(len(v) for v in r.variables) == 2 and set(r.thresholds) == {1}


def test_bad_input_is_refused() -> None:
    keys = np.zeros((3, 2), dtype=np.int64)
    with pytest.raises(ConfigError, match="max_dim or levels"):
        risky_cells(keys, ["a", "b"], threshold=1)
    with pytest.raises(ConfigError, match="the 'max_dim' parameter must be a whole number in \\[1, 2\\], got 3"):
        risky_cells(keys, ["a", "b"], threshold=1, max_dim=3)
    with pytest.raises(ConfigError, match="thresholds for"):
        risky_cells(keys, ["a", "b"], threshold=[1, 2, 3], max_dim=2)
    with pytest.raises(ConfigError, match="the 'threshold' parameter must be a whole number >= 0, got 1.5"):
        risky_cells(keys, ["a", "b"], threshold=1.5, max_dim=1)
    with pytest.raises(ConfigError, match="the 'levels' parameter must be a whole number >= 1, got 0"):
        risky_cells(keys, ["a", "b"], threshold=1, levels=[1, 0])
