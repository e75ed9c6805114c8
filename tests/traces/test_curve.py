"""The resolution-versus-unicity curve: each point is unicity at that resolution; the power-law fit."""

from __future__ import annotations

import numpy as np
import pytest

from unlinkable.traces.assess import assess_traces
from unlinkable.traces.curve import fit_power_law, unicity_curve
from unlinkable.traces.resolution import Space
from unlinkable.traces.synthetic import synthetic_traces

COLUMNS = {"user": "user", "lat": "lat", "lng": "lng", "time": "time"}


@pytest.fixture(scope="module")
def frame():
    return synthetic_traces(150, points=12, n_places=300, seed=8)


def test_each_point_is_unicity_at_its_resolution(frame):
    curve = unicity_curve(frame, COLUMNS, p=2, space=[500, 4000], time=["1h", "1d"], mode="exact")
    assert [(c.grid_m, c.time_bin) for c in curve.points] == [(500, "1h"), (500, "1d"), (4000, "1h"), (4000, "1d")]
    for c in curve.points:
        single = assess_traces(frame, **COLUMNS, attacks=[], ps=[2], mode="exact", space=Space(grid_m=c.grid_m), time_bin=c.time_bin)
        assert c.value == single.unicity[0].value
    # coarser in space or time never makes traces more unique here
    values = {(c.grid_m, c.time_bin): c.value for c in curve.points}
    assert values[(4000, "1d")] <= min(values[(500, "1d")], values[(4000, "1h")])


def test_power_law_recovers_a_known_exponent():
    x = np.array([1.0, 2.0, 5.0, 10.0, 50.0])
    exponent, scale, r2 = fit_power_law(x, 0.9 * x ** -0.25)
    assert exponent == pytest.approx(-0.25, abs=1e-12) and scale == pytest.approx(0.9, abs=1e-12) and r2 == pytest.approx(1.0)


def test_power_law_needs_two_positive_points():
    assert fit_power_law(np.array([1.0, 2.0]), np.array([0.5, 0.0])) == (None, None, None)
