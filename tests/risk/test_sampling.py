"""One population size from a sampling fraction, with Java's Math.round (halves up)."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from unlinkable.errors import ConfigError
from unlinkable.risk.sampling import java_round, population_size


def test_hand_worked():
    # 5 / 0.4 = 12.5: ARX's Math.round gives 13, Python's round would give 12
    assert population_size(5, sampling_fraction=0.4) == 13
    assert population_size(3, sampling_fraction=1.0) == 3
    assert population_size(7, size=1000) == 1000


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
@example(0.49999999999999994)
@example(2.5)
@example(-2.5)
def test_java_round_is_floor_of_exact_half_up(x):
    # Java 7+ defines Math.round(x) as floor(x + 1/2) computed exactly
    assert java_round(x) == math.floor(Fraction(x) + Fraction(1, 2))


@pytest.mark.parametrize(("size", "fraction"), [(None, None), (10, 0.5)])
def test_exactly_one(size, fraction):
    with pytest.raises(ConfigError, match="exactly one"):
        population_size(5, size=size, sampling_fraction=fraction)


@pytest.mark.parametrize("fraction", [0.0, 1.5, float("nan")])
def test_fraction_outside_unit_interval(fraction):
    with pytest.raises(ConfigError, match="sampling_fraction"):
        population_size(5, sampling_fraction=fraction)


def test_every_user_reads_the_same_size():
    # k-map's estimator, population uniqueness and the exposure command all derive N here
    from unlinkable.models.kmap import KMap
    from unlinkable.models.uniqueness import PopulationUniqueness
    from unlinkable.risk.population import population_uniqueness

    n, fraction = 5, 0.4
    expected = population_size(n, sampling_fraction=fraction)
    by_size = KMap(k=3, estimator="poisson", population_size=expected).effective_k(n)
    by_fraction = KMap(k=3, estimator="poisson", sampling_fraction=fraction).effective_k(n)
    assert by_size == by_fraction
    sizes = np.array([1, 1, 1, 2])
    assert population_uniqueness(sizes, sampling_fraction=fraction).population_size == expected
    model = PopulationUniqueness(threshold=0.5, sampling_fraction=fraction)
    assert model.population(n) == expected
