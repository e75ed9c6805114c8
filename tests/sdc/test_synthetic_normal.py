"""synthetic_normal: A U + mean by hand, reproducibility, and the errors."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from unlinkable.errors import ConfigError, InputError
from unlinkable.sdc.synthetic import synthetic_normal


class _Fixed:
    """A generator whose standard normals are given."""

    def __init__(self, a: np.ndarray) -> None:
        self.a = a

    def standard_normal(self, shape):
        assert shape == self.a.shape
        return self.a


def test_two_columns_by_hand():
    # x = (0, 2, 4), y = (1, 1, 4): means 2 and 2; var x = 4, var y = 3, cov = 3.
    # Cov = U'U with U = [[2, 3/2], [0, sqrt(3 - 9/4)]] = [[2, 1.5], [0, sqrt(0.75)]].
    df = pl.DataFrame({"x": [0.0, 2.0, 4.0], "y": [1.0, 1.0, 4.0]})
    a = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 2.0]])
    out = synthetic_normal(df, attributes=["x", "y"], rng=_Fixed(a))
    assert out["x"].to_list() == [4.0, 2.0, 0.0]
    expected_y = [2 + 1.5, 2 + math.sqrt(0.75), 2 - 1.5 + 2 * math.sqrt(0.75)]
    assert np.allclose(out["y"].to_numpy(), expected_y, rtol=0, atol=1e-12)


def test_same_seed_same_bytes_and_size():
    df = pl.DataFrame({"x": [0.0, 2.0, 4.0, 7.0], "y": [1.0, 1.0, 4.0, 2.0]})
    one = synthetic_normal(df, attributes=["x", "y"], records=50, seed=3)
    assert one.shape == (50, 2)
    assert one.to_numpy().tobytes() == synthetic_normal(df, attributes=["x", "y"], records=50, seed=3).to_numpy().tobytes()


def test_errors():
    df = pl.DataFrame({"x": [0.0, 2.0, None], "c": [1.0, 1.0, 1.0], "y": [1.0, 3.0, 2.0]})
    with pytest.raises(InputError, match=r"column 'x' row 3: value is missing"):
        synthetic_normal(df, attributes=["x"], seed=0)
    with pytest.raises(InputError, match="not positive definite"):
        synthetic_normal(df, attributes=["c", "y"], seed=0)
    with pytest.raises(ConfigError, match="records"):
        synthetic_normal(df, attributes=["y"], records=0, seed=0)
    with pytest.raises(ConfigError, match="no attributes"):
        synthetic_normal(df, attributes=[], seed=0)
    with pytest.raises(InputError, match="no column"):
        synthetic_normal(df, attributes=["zz"], seed=0)
