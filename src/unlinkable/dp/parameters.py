"""SafePub's parameters: the sampling probability beta and the class size k for (epsilon, delta).

Bild, Kuhn and Prasser, "SafePub: A Truthful Data Anonymization Algorithm With Strong Privacy
Guarantees", PoPETs 2018 (1); ARX 3.9.2 ``dp/ParameterCalculation.java``. Sampling every record
with probability ``beta = 1 - exp(-epsilon)`` and then suppressing every class with fewer than k
sampled records is (epsilon, delta)-differentially private when ``delta(k) < delta``, where

    gamma = (e^epsilon - 1 + beta) / e^epsilon
    a(n) = P[Binomial(n, beta) > floor(n * gamma)]
    c(n) = exp(-n * (gamma * ln(gamma / beta) - (gamma - beta)))
    delta(k) = max over n >= n_m of a(n), n_m = ceil(k / gamma - 1), scanning n up from n_m until
               the running maximum exceeds c(n) (c bounds a(n') for every later n').

ARX evaluates these with interval arithmetic (every operation rounded outwards by one ulp) and
takes lower bounds in three places that decide integers: beta is the lower bound of its interval,
and ``floor(n * gamma)`` and ``n_m`` use the lower bounds of their arguments. Where ``n * gamma``
is a whole number (gamma = 3/4 at epsilon = ln 2), that lower bound floors to one less; we carry
the same bounds (``_Bounds``), so beta and k are ARX's. ``a`` is scipy's regularized incomplete
beta (``bdtrc``) over a vector of n and ``c`` is evaluated in floating point: they give ARX's k
unless delta(k) lies within rounding of delta, where ARX itself stops ("undecidable relationship").
ARX returns one more than the first k with delta(k) < delta (its loop increments k after the
test that ends it); we return the same value, so a release has ARX's k.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SafePubParameters:
    """beta (sampling probability) and k (smallest released class of sampled records)."""

    beta: float
    k: int


def _down(x: float) -> float:
    return math.nextafter(x, -math.inf)


def _up(x: float) -> float:
    return math.nextafter(x, math.inf)


@dataclass(frozen=True)
class _Bounds:
    """ARX's intervals of beta and gamma (``IntervalArithmeticDouble``: each result widened by one ulp)."""

    beta_lo: float
    beta_hi: float
    gamma_lo: float
    gamma_hi: float

    @classmethod
    def of(cls, epsilon: float) -> _Bounds:
        # beta = 1 - exp(-1 * epsilon)
        beta_lo = _down(1.0 - _up(math.exp(_up(-epsilon))))
        beta_hi = _up(1.0 - _down(math.exp(_down(-epsilon))))
        # gamma = (exp(epsilon) - 1 + beta) / exp(epsilon)
        power_lo, power_hi = _down(math.exp(epsilon)), _up(math.exp(epsilon))
        num_lo = _down(_down(power_lo - 1.0) + beta_lo)
        num_hi = _up(_up(power_hi - 1.0) + beta_hi)
        return cls(beta_lo, beta_hi, _down(num_lo / power_hi), _up(num_hi / power_lo))


def _sequences(n: np.ndarray, beta: float, bounds: _Bounds) -> tuple[np.ndarray, np.ndarray]:
    """a(n) and c(n) for a vector of n (floor(n * gamma) from ARX's lower bound)."""
    # scipy.special costs half a second of start-up: imported by the one model that needs it, when
    # it runs (every anonymize run imports this module to look for a differential-privacy model)
    from scipy.special import bdtrc

    below = np.floor(np.nextafter(n * bounds.gamma_lo, -np.inf))
    a = bdtrc(below, n.astype(np.int64), beta)
    gamma = 0.5 * (bounds.gamma_lo + bounds.gamma_hi)
    c = np.exp(-n * (gamma * math.log(gamma / beta) - (gamma - beta)))
    return a, c


def safepub_parameters(epsilon: float, delta: float) -> SafePubParameters:
    """beta and k of SafePub's (epsilon, delta)-DP sampling and suppression, as ARX computes them.

    Examples
    --------
    >>> p = safepub_parameters(1.0, 1e-5)
    >>> round(p.beta, 6), p.k
    (0.632121, 62)
    """
    if not (epsilon > 0 and math.isfinite(epsilon)):
        raise ValueError(f"epsilon must be > 0, got {epsilon}")
    if not 0 < delta < 1:
        raise ValueError(f"delta must be in (0, 1), got {delta}")
    bounds = _Bounds.of(epsilon)
    beta = 1.0 - math.exp(-epsilon)
    size = 1024
    n = np.arange(1, size + 1, dtype=np.float64)
    a, c = _sequences(n, beta, bounds)
    k = 1
    while True:
        start = max(math.ceil(_down(_down(k / bounds.gamma_hi) - 1.0)), 1)
        while True:
            running = np.maximum.accumulate(a[start - 1:])
            stop = np.flatnonzero(running > c[start - 1:])
            if stop.size:
                break
            size *= 2   # the scan has not ended inside the vector: extend it
            n = np.arange(1, size + 1, dtype=np.float64)
            a, c = _sequences(n, beta, bounds)
        delta_k = float(running[stop[0]])
        k += 1
        if delta_k < delta:
            return SafePubParameters(beta=bounds.beta_lo, k=k)


def interval_low(x: float) -> float:
    """The lower bound ARX's ``IntervalArithmeticDouble`` gives to one rounded operation's result.

    Examples
    --------
    >>> interval_low(1.0) < 1.0 < interval_low(1.0) + 1e-15
    True
    """
    return math.nextafter(x, -math.inf)


__all__ = ["SafePubParameters", "interval_low", "safepub_parameters"]
