"""The population size a sampling fraction implies: computed here, and only here.

A job gives the population as its size or as the sampling fraction f = n / N. Every estimator
(population uniqueness, k-map's Poisson rule), its verifier checker and the exposure command read
N from :func:`population_size`, with ARX's rounding (``Math.round``: halves round up), so
they agree on the same job.
"""

from __future__ import annotations

import math

from unlinkable.constraints import check_float, check_int

__all__ = ["population_size", "java_round"]


def java_round(x: float) -> int:
    """Java's ``Math.round`` of a double: the nearest whole number, halves up.

    Python's ``round`` rounds halves to even (``round(12.5) == 12``); ARX computes the population as
    ``Math.round(n / f)``, which gives 13. ``floor(x + 0.5)`` is not the same either: for the
    largest double below 0.5 the sum rounds up to 1.0 (Java 6's bug, fixed in Java 7).

    Examples
    --------
    >>> java_round(12.5), java_round(12.49), java_round(-0.5), java_round(0.49999999999999994)
    (13, 12, 0, 0)
    """
    whole = math.floor(x)
    return int(whole) + (1 if x - whole >= 0.5 else 0)


def population_size(n: int, *, size: int | None = None, sampling_fraction: float | None = None) -> int:
    """The population size: ``size`` as given, or ``java_round(n / sampling_fraction)``.

    Parameters
    ----------
    n : int
        The number of records in the sample.
    size : int, optional
        The population size, when the job gives it.
    sampling_fraction : float, optional
        n / N, in (0, 1]. Give exactly one of ``size`` and ``sampling_fraction``.

    Examples
    --------
    >>> population_size(5, sampling_fraction=0.4)     # 12.5 rounds up, as in ARX
    13
    >>> population_size(5, size=100)
    100
    """
    from unlinkable.errors import ConfigError

    if (size is None) == (sampling_fraction is None):
        raise ConfigError("give exactly one of the population size and the sampling fraction",
                          hint="population: {size: 317238626} or {sampling_fraction: 0.01}")
    if size is not None:
        return check_int(size, "population_size", low=1)
    fraction = check_float(sampling_fraction, "sampling_fraction", low=0.0, high=1.0, low_open=True)
    return java_round(n / fraction)
