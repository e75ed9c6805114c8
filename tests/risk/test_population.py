"""Population uniqueness: ARX reference values, hand-worked formulas, independent solver oracles."""

from __future__ import annotations

import collections
import csv
import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, special

from unlinkable.errors import ConfigError, InputError
from unlinkable.risk.population import PopulationUniquenessEstimates, population_uniqueness

MODELS = ("pitman", "zayatz", "snb", "dankar")


def _class_sizes_from_csv(path: Path, qis: list[str]) -> np.ndarray:
    """Count equivalence classes straight from the raw CSV rows, independently of the library."""
    with path.open(newline="", encoding="utf-8") as fh:
        rows = csv.reader(fh, delimiter=";")
        header = next(rows)
        idx = [header.index(q) for q in qis]
        counts = collections.Counter(tuple(row[i] for i in idx) for row in rows if row)
    return np.array(list(counts.values()), dtype=np.int64)


@pytest.fixture(scope="module")
def reference_cases(arx_reference, arx_data):
    cases = []
    for name, ref in sorted(arx_reference.items()):
        for entry in ref["risk_original"]:
            sizes = _class_sizes_from_csv(arx_data / name / f"{name}.csv", entry["quasi_identifiers"])
            cases.append((name, entry, sizes))
    assert cases, "no risk_original entries in the ARX reference"
    return cases


def _run(sizes: np.ndarray, model: dict) -> PopulationUniquenessEstimates:
    # The region model (USA) is given as a population size, the others as a sampling fraction,
    # as ARXPopulationModel.create(Region) and create(n, f) do.
    if "fraction" in model["population_model"]:
        return population_uniqueness(sizes, sampling_fraction=model["sampling_fraction"])
    return population_uniqueness(sizes, population_size=model["population_size"])


def test_matches_arx_reference_exactly(reference_cases):
    checked = 0
    for name, entry, sizes in reference_cases:
        for model in entry["population_uniqueness"]:
            r = _run(sizes, model)
            where = f"{name} {entry['id']} {model['population_model']}"
            assert r.population_size == model["population_size"], where
            assert r.sampling_fraction == model["sampling_fraction"], where
            assert r.dankar_model == model["dankar_selected_model"], where
            for m in MODELS:
                expected = model[m]
                value, count = getattr(r, m), getattr(r, f"{m}_count")
                if expected["available"]:
                    # Bit-for-bit: ARX's algorithm is deterministic and reproduced step by step.
                    assert value == expected["fraction_unique_in_population"], (where, m)
                    assert count == expected["num_unique_in_population"], (where, m)
                else:
                    assert value is None and count is None, (where, m)
                    assert expected["fraction_unique_in_population"] == 0.0  # what ARX reports instead
                checked += 1
            d = r.to_dict()
            assert set(d) == {*MODELS, "dankar_model", "population_size", "sampling_fraction"}
            assert all(d[m] == getattr(r, m) for m in MODELS)
    assert checked >= 24


def test_zayatz_hand_worked():
    # 5 records in classes of sizes 1, 1, 1, 2; population N = 10 (f = 0.5).
    # P(a class of population size m shows exactly once in the sample), hypergeometric(N=10, m, n=5):
    #   m = 1: C(1,1) C(9,4) / C(10,5) = 126/252 = 1/2
    #   m = 2: C(2,1) C(8,4) / C(10,5) = 140/252 = 5/9
    # temp = 3/4 * 1/2 + 1/4 * 5/9 = 37/72; P(pop. unique | sample unique) = (3/4 * 1/2) / temp = 27/37
    # uniques = 3 * 27/37 / f = 162/37; fraction of the population = 162/370.
    r = population_uniqueness(np.array([1, 1, 1, 2]), population_size=10)
    assert r.sampling_fraction == 0.5
    assert r.zayatz == pytest.approx(162 / 370, rel=1e-12)
    assert r.zayatz_count == pytest.approx(162 / 37, rel=1e-12)


def test_zayatz_all_unique_is_everyone():
    # Only uniques: P(pop. unique | sample unique) = 1, so uniques = c1 / f = N, the whole population.
    r = population_uniqueness(np.ones(7, dtype=np.int64), sampling_fraction=0.1)
    assert r.population_size == 70
    assert r.zayatz == 1.0 and r.zayatz_count == 70.0
    assert r.dankar_model == "ZAYATZ"  # Pitman's fit fails on a table without repeated classes


def _exact_p1(population: int, successes: int, sample: int) -> float:
    """P(X = 1) of a hypergeometric distribution, exactly: m C(N-m, n-1) / C(N, n)."""
    num = successes * math.comb(population - successes, sample - 1)
    return float(Fraction(num, math.comb(population, sample)))


def test_zayatz_against_exact_hypergeometric():
    sizes = np.array([1] * 12 + [2] * 5 + [3] * 3 + [5, 8])
    n, N = int(sizes.sum()), 400
    hist = collections.Counter(sizes.tolist())
    u = len(sizes)
    temp = sum(c / u * _exact_p1(N, s, n) for s, c in hist.items())
    cond = (hist[1] / u * _exact_p1(N, 1, n)) / temp
    expected = hist[1] * cond / (n / N) / N
    assert population_uniqueness(sizes, population_size=N).zayatz == pytest.approx(expected, rel=1e-12)


def _pitman_oracle(sizes: np.ndarray, population: int) -> float:
    """Maximum-likelihood fit of Pitman's sampling formula with scipy, then Hoshino's estimate."""
    hist = collections.Counter(sizes.tolist())
    u, n = float(len(sizes)), float(sizes.sum())
    c1, c2 = hist[1], hist.get(2, 0) or 1
    i_u = np.arange(1, len(sizes))
    i_n = np.arange(1, int(n))

    def score(params):
        t, a = params
        g1 = np.sum(1 / (t + i_u * a)) - np.sum(1 / (t + i_n))
        g2 = np.sum(i_u / (t + i_u * a)) - sum(
            f * np.sum(1 / (np.arange(1, j) - a)) for j, f in hist.items() if j > 1
        )
        return [g1, g2]

    # Hoshino's moment-based start values.
    c = c1 * (c1 - 1) / c2
    t0 = (n * u * c - c1 * (n - 1) * (2 * u + c)) / (2 * c1 * u + c1 * c - n * c)
    a0 = (t0 * (c1 - n) + (n - 1) * c1) / (n * u)
    t, a = optimize.fsolve(score, [t0, a0], xtol=1e-13)
    assert np.allclose(score([t, a]), 0, atol=1e-8)
    return math.exp(special.gammaln(t + 1) - special.gammaln(t + a)) * population**a / population


@pytest.mark.parametrize("fraction", [0.001, 0.01, 0.1])
def test_pitman_against_scipy_fit(fraction):
    sizes = np.array([1] * 60 + [2] * 20 + [3] * 9 + [4] * 4 + [6, 6, 9, 15])
    r = population_uniqueness(sizes, sampling_fraction=fraction)
    assert r.pitman is not None
    # ARX stops once both likelihood equations are within 1e-6, so the fit agrees to ~1e-6.
    assert r.pitman == pytest.approx(_pitman_oracle(sizes, r.population_size), rel=1e-5)


def test_pitman_on_adult_against_scipy_fit(reference_cases):
    name, entry, sizes = next(c for c in reference_cases if c[0] == "adult")
    r = population_uniqueness(sizes, sampling_fraction=0.01)
    assert r.pitman == pytest.approx(_pitman_oracle(sizes, r.population_size), rel=1e-5)


# A table (drawn once from a geometric distribution) on which ARX's SNB fit succeeds.
SNB_TABLE = np.array([1] * 50 + [2] * 8 + [3] * 9 + [4] * 3 + [6] * 2)


def test_snb_against_scipy_fit():
    sizes, f = SNB_TABLE, 0.8
    r = population_uniqueness(sizes, sampling_fraction=f)
    assert r.snb is not None
    n = int(sizes.sum())
    N = round(n / f)
    f = n / N
    hist = collections.Counter(sizes.tolist())
    c1, c2, u = hist[1], hist[2], len(sizes)
    # Shlosser's estimate of the number of population classes, in ARX's form (with its "- 1" per
    # histogram entry in the second sum).
    v1 = sum(j * f * f * (1 - f * f) ** (j - 1) * m for j, m in hist.items())
    v2 = sum((1 - f) ** j * m * (1 + f) ** j - 1 for j, m in hist.items())
    v3 = sum((1 - f) ** j * m for j, m in hist.items())
    v4 = sum(j * f * (1 - f) ** (j - 1) * m for j, m in hist.items())
    k = u + c1 * (v1 / v2) * (v3 / v4) ** 2

    def equations(params):
        a, b = params
        d = (1 - f) * (1 - b)
        e1 = k * f * (b / (1 - d)) ** a * (a * d / (1 - d) + 1) - c1
        e2 = k * a * b**a * f * f * (1 - b) / 2 * (1 - d) ** (a + 2) * (2 - (1 - a) * d) - c2
        return [e1, e2]

    # ARX tries (1, 1) and then a grid of start values; on this table the grid point (0.33, 0.33)
    # is the first from which Newton's method converges, so scipy starts there too.
    a, b = optimize.fsolve(equations, [0.33, 0.33], xtol=1e-13)
    assert np.allclose(equations([a, b]), 0, atol=1e-6)
    assert r.snb == pytest.approx(k * b**a / N, rel=1e-5)


def test_dankar_rule():
    sizes = np.array([1] * 60 + [2] * 20 + [3] * 9 + [4] * 4 + [6, 6, 9, 15])
    small = population_uniqueness(sizes, sampling_fraction=0.05)  # f <= 0.1: Pitman
    assert small.dankar_model == "PITMAN" and small.dankar == small.pitman
    large = population_uniqueness(sizes, sampling_fraction=0.5)  # f > 0.1, SNB fails here: Zayatz
    assert large.snb is None
    assert large.dankar_model == "ZAYATZ" and large.dankar == large.zayatz
    snb = population_uniqueness(SNB_TABLE, sampling_fraction=0.8)  # f > 0.1: min(Zayatz, SNB)
    assert snb.dankar == min(snb.zayatz, snb.snb)
    assert snb.dankar_model == ("ZAYATZ" if snb.zayatz < snb.snb else "SNB")
    boundary = population_uniqueness(sizes, sampling_fraction=0.1)  # f = 0.1 still uses Pitman
    assert boundary.dankar_model == "PITMAN"


def test_no_sample_uniques_means_zero_everywhere():
    r = population_uniqueness(np.array([2, 3, 5]), sampling_fraction=0.01)
    assert (r.pitman, r.zayatz, r.snb, r.dankar) == (0.0, 0.0, 0.0, 0.0)
    assert r.dankar_model == "DANKAR"


def test_population_from_fraction_and_fraction_from_population():
    # 30 records at f = 0.07: 30 / 0.07 = 428.57... -> 429 people; f is then 30 / 429.
    r = population_uniqueness(np.array([1] * 10 + [2] * 10), sampling_fraction=0.07)
    assert r.population_size == 429
    assert r.sampling_fraction == 30 / 429
    r = population_uniqueness(np.array([1] * 10 + [2] * 10), population_size=3000)
    assert r.sampling_fraction == 0.01


def test_cost_does_not_grow_with_records():
    # One huge class and many uniques: a million records, yet only two distinct class sizes.
    sizes = np.array([1] * 200 + [2] * 50 + [1_000_000])
    r = population_uniqueness(sizes, sampling_fraction=0.01)
    assert r.zayatz is not None


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"population_size": 100, "sampling_fraction": 0.1},
        {"sampling_fraction": 0.0},
        {"sampling_fraction": 1.5},
        {"sampling_fraction": -0.1},
        {"population_size": 3},
        {"population_size": 10.5},
    ],
)
def test_bad_population_parameters(kwargs):
    with pytest.raises(ConfigError):
        population_uniqueness(np.array([1, 2, 2]), **kwargs)


@pytest.mark.parametrize("bad", [np.array([], dtype=np.int64), np.array([[1]]), np.array([1.0]), np.array([0, 1])])
def test_bad_class_sizes(bad):
    with pytest.raises(InputError):
        population_uniqueness(bad, sampling_fraction=0.1)


def test_pitman_estimate_formula_hand_worked():
    # Hoshino's estimate of population uniques: Gamma(t+1) / Gamma(t+a) * N^a.
    # t = 1, a = 1/2, N = 100: Gamma(2) = 1, Gamma(3/2) = sqrt(pi)/2, 100^(1/2) = 10 -> 20/sqrt(pi).
    from unlinkable.risk.population import _pitman_result

    assert _pitman_result(1.0, 0.5, 100.0) == pytest.approx(20 / math.sqrt(math.pi), rel=1e-14)
    assert math.isnan(_pitman_result(1.0, 0.0, 100.0))  # alpha = 0 counts as a failed fit
    assert math.isnan(_pitman_result(1.0, 2.0, 100.0))  # more uniques than people: invalid


def test_arx_special_functions():
    from unlinkable.risk import population as pop

    for x in [1e-7, 0.3, 1.0, 2.5, 7.9, 11.0, 12.0, 40.0, 1e5]:
        assert pop._digamma(x) == pytest.approx(special.digamma(x), rel=1e-13, abs=1e-15)
        assert pop._log_gamma(x) == pytest.approx(special.gammaln(x), rel=1e-13, abs=1e-15)
    for x in [0.3, 1.0, 2.5, 19.5, 25.0, 100.5]:
        assert pop._gamma(x) == pytest.approx(special.gamma(x), rel=1e-13)
    for x in [12.0, 30.0, 1e4]:
        assert pop._trigamma(x) == pytest.approx(special.polygamma(1, x), rel=1e-13)
    # ARX's trigamma reduces arguments below 8 up to [8, 9) but adds the asymptotic tail only from
    # 12 on, so below 12 it is the bare partial sum: trigamma(7.5) = 1/7.5^2, trigamma(9) = 0.
    assert pop._trigamma(7.5) == 1 / 7.5**2
    assert pop._trigamma(9.0) == 0.0


def test_hypergeometric_point_probability():
    from unlinkable.risk.population import _hypergeometric_p1

    # Against exact rational arithmetic (scipy's pmf loses ~1e-10 to cancellation at N ~ 3e8).
    for N, m, n in [(10, 1, 5), (10, 2, 5), (3016200, 7, 30162), (317238626, 45, 30162), (50, 50, 10)]:
        assert _hypergeometric_p1(N, m, n) == pytest.approx(_exact_p1(N, m, n), rel=1e-14, abs=0)


# The compiled kernels against their own Python form run on numpy scalars (IEEE 754 throughout, as
# Java): the compiler must not reorder, fuse or specialise an operation (pow(x, 2.0) as x * x).
def _same_bits(x: float, y: float) -> bool:
    return (math.isnan(x) and math.isnan(y)) or np.float64(x).tobytes() == np.float64(y).tobytes()


def test_snb_equations_compiled_as_written():
    """20,000 seeded points, not a few hundred examples: pow(x, 2.0) compiled as x * x differs from the
    C library's pow in about one case in a thousand."""
    from unlinkable.risk.population import _snb_equations

    rng = np.random.default_rng(7)
    points = np.column_stack([rng.uniform(-3, 3, 20_000), rng.uniform(-3, 3, 20_000), rng.uniform(1, 1e6, 20_000),
                              rng.uniform(1e-4, 1, 20_000), rng.integers(1, 500, 20_000), rng.integers(0, 500, 20_000)])
    for a, b, k, f, c1, c2 in points.tolist():
        args = (a, b, k, f, c1, c2, 2.0)
        with np.errstate(all="ignore"):
            plain = _snb_equations.py_func(*(np.float64(v) for v in args))
        assert all(_same_bits(x, y) for x, y in zip(_snb_equations(*args), plain)), args


@settings(max_examples=100)
@given(hist=st.dictionaries(st.integers(1, 400), st.integers(1, 300), min_size=1, max_size=40),
       f=st.floats(1e-4, 1.0))
def test_snb_class_estimate_and_solve_compiled_as_written(hist, f):
    from unlinkable.risk import population as P

    sizes = np.array(sorted(hist), dtype=np.int64)
    counts = np.array([hist[s] for s in sorted(hist)], dtype=np.int64)
    c1, c2 = float(hist.get(1, 0)), float(hist.get(2, 0))
    with np.errstate(all="ignore"):
        plain_k = P._shlosser_classes.py_func(sizes, counts, np.float64(len(sizes)), np.float64(c1), np.float64(f))
    k = P._shlosser_classes(sizes, counts, float(len(sizes)), c1, f)
    assert _same_bits(k, plain_k)
    scalars = np.array([k, f, c1, c2, 2.0])
    solve = (P._SNB, np.float64(1.0), np.float64(1.0), scalars, P._NO_FLOATS, P._NO_FLOATS, P._NO_INTS,
             P._START_X, P._START_Y, False)
    with np.errstate(all="ignore"):
        plain = P._newton_solve.py_func(*solve)
    assert all(_same_bits(x, y) for x, y in zip(P._newton_solve(*solve), plain))


@settings(max_examples=60)
@given(hist=st.dictionaries(st.integers(1, 60), st.integers(1, 40), min_size=2, max_size=12),
       fraction=st.floats(0.001, 0.1))
def test_pitman_solve_compiled_as_written(hist, fraction):
    """Both of Pitman's forms, the closed (theta kept non-negative) and the iterative one."""
    from unlinkable.risk import population as P

    hist.setdefault(1, 3)
    h = P._histogram(np.repeat(np.array(sorted(hist)), [hist[s] for s in sorted(hist)]))
    keep = h.sizes != 1
    keys, values = h.sizes[keep].astype(np.float64), h.counts[keep].astype(np.float64)
    u, n = h.classes, h.records
    scalars = np.array([u, n, math.ceil(u), math.ceil(n)], dtype=np.float64)
    key_ends = np.ceil(keys).astype(np.int64)
    for kind in (P._PITMAN_CLOSED, P._PITMAN_ITERATIVE):
        solve = (kind, np.float64(1.0), np.float64(fraction), scalars, keys, values, key_ends, P._START_X, P._START_Y,
                 True)
        with np.errstate(all="ignore"):
            plain = P._newton_solve.py_func(*solve)
        assert all(_same_bits(x, y) for x, y in zip(P._newton_solve(*solve), plain))


@settings(max_examples=100)
@given(hist=st.dictionaries(st.integers(1, 400), st.integers(1, 300), min_size=1, max_size=40),
       population=st.integers(20_000, 2**31 - 1))
def test_zayatz_denominator_compiled_as_written(hist, population):
    from unlinkable.risk import population as P

    sizes = np.array(sorted(hist), dtype=np.int64)
    counts = np.array([hist[s] for s in sorted(hist)], dtype=np.int64)
    records = int((sizes * counts).sum())
    args = (sizes, counts, float(len(sizes)), population, records)
    assert _same_bits(P._zayatz_denominator(*args), P._zayatz_denominator.py_func(*args))
