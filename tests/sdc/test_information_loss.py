"""IL_variables and IL_correl (sdcMicro): hand-worked distances and the correlation formula.

sdcMicro's own IL_variables and IL_correl cases run in tests/peers/sdcmicro, on data drawn from R's stream.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from unlinkable.errors import InputError
from unlinkable.sdc.information_loss import il_correl, il_variables


def test_il_variables_hand_worked() -> None:
    x = pl.DataFrame({"n": [1.0, 2.0, None, 4.0], "c": ["a", "b", None, None], "o": ["lo", "hi", "mid", None]})
    y = pl.DataFrame({"n": [1.0, 3.0, None, None], "c": ["a", "a", "b", None], "o": ["hi", "hi", None, None]})
    res = il_variables(x, y, ordered={"o": ["lo", "mid", "hi"]})
    # n: 0, atan(1), both missing 0, one missing: largest difference max(|1 - 4|, |3 - 1|) = 3
    assert res.per_attribute["n"] == pytest.approx((2 / math.pi) * (math.atan(1) + math.atan(3)) / 4)
    assert res.per_attribute["c"] == pytest.approx((0 + 1 + 1 + 0) / 4)
    assert res.per_attribute["o"] == pytest.approx((2 / 2 + 0 + 1 + 0) / 4)  # lo->hi spans both steps
    assert res.total == pytest.approx(sum(res.per_attribute.values()) / 3)


def test_il_correl_matches_the_formula() -> None:
    rng = np.random.default_rng(5)
    a = rng.normal(size=(40, 3))
    a[:, 2] += a[:, 0]
    b = a + rng.normal(scale=0.5, size=a.shape)
    x = pl.DataFrame(a, schema=["u", "v", "w"])
    y = pl.DataFrame(b, schema=["u", "v", "w"])
    d = np.diag(np.linalg.inv(np.corrcoef(a, rowvar=False)))
    e = np.diag(np.linalg.inv(np.corrcoef(b, rowvar=False)))
    expected = np.linalg.norm(d / np.linalg.norm(d) - e / np.linalg.norm(e)) / math.sqrt(2)
    assert il_correl(x, y) == pytest.approx(expected, rel=1e-12)
    assert il_correl(x, x) == 0.0


def test_bad_input_is_refused() -> None:
    x = pl.DataFrame({"u": [1.0, 2.0, 3.0], "v": [1.0, 1.0, 1.0]})
    with pytest.raises(InputError, match="cannot be inverted"):
        il_correl(x, x)
    with pytest.raises(InputError, match="rows"):
        il_variables(x, x.head(2))
