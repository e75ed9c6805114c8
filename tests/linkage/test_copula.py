"""Gaussian-copula uniqueness (Rocher et al. 2019): reproducibility and cases with known answers."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from unlinkable.errors import ConfigError, InputError
from unlinkable.linkage.copula import copula_uniqueness


def independent_uniform(n: int, cards: list[int], seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    return pl.DataFrame({f"a{j}": rng.integers(0, c, n).astype(str) for j, c in enumerate(cards)})


def test_seeded_reproducibility():
    s = independent_uniform(2000, [3, 5, 7], seed=0)
    a = copula_uniqueness(s, attributes=s.columns, population_size=5000, seed=42, n_samples=20000)
    b = copula_uniqueness(s, attributes=s.columns, population_size=5000, seed=42, n_samples=20000)
    assert np.array_equal(a.xi, b.xi) and np.array_equal(a.correctness, b.correctness)
    c = copula_uniqueness(s, attributes=s.columns, population_size=5000, seed=43, n_samples=20000)
    assert not np.array_equal(a.xi, c.xi)


def test_independent_uniform_matches_closed_form():
    # Three independent uniform attributes of 4 values: every cell has probability 1/64, so
    # P(unique in N) = (1 - 1/64)^(N - 1) and kappa = (1 - (1 - 1/64)^N) / (N / 64).
    s = independent_uniform(20000, [4, 4, 4], seed=1)
    n_pop = 100
    r = copula_uniqueness(s, attributes=s.columns, population_size=n_pop, seed=7)
    xi = 1 / 64
    assert np.allclose(r.xi, xi, rtol=0.15)
    assert r.population_unique_share == pytest.approx((1 - xi) ** (n_pop - 1), rel=0.05)
    assert r.mean_correctness == pytest.approx((1 - (1 - xi) ** n_pop) / (n_pop * xi), rel=0.05)
    assert abs(r.correlation[0, 1]) < 0.05


def test_dependence_raises_cell_probability():
    # b copies a: the true cell probability is P(a) = 1/8, not P(a) P(b) = 1/64.
    rng = np.random.default_rng(2)
    a = rng.integers(0, 8, 20000).astype(str)
    r = copula_uniqueness(pl.DataFrame({"a": a, "b": a}), attributes=["a", "b"], population_size=1000, seed=0)
    assert r.correlation[0, 1] > 0.9
    assert np.median(r.xi) > 2 / 64


def test_limits_and_errors():
    s = independent_uniform(50, [2], seed=3)
    r = copula_uniqueness(s, attributes=["a0"], population_size=1, seed=0)
    assert np.allclose(r.uniqueness, 1.0) and np.allclose(r.correctness, 1.0)  # alone in a population of 1
    assert r.records_above_0_5 == 50
    with pytest.raises(ConfigError):
        copula_uniqueness(s, attributes=[], population_size=10)
    with pytest.raises(ConfigError, match="population_size"):
        copula_uniqueness(s, attributes=["a0"], population_size=0)
    with pytest.raises(InputError, match="'nope'"):
        copula_uniqueness(s, attributes=["nope"], population_size=10)
