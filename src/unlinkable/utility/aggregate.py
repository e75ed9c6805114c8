"""ARX's aggregate functions: one score from the per-attribute losses of a transformation.

ARX 3.9.2 ``metric/v2/AggregateFunction`` and its ``ILMultiDimensional*`` classes. With attribute
weights w (ARX divides them by the largest), over m attributes with losses x:

- ``geometric-mean`` (ARX's default): ``prod((x w + 1) ** (1/m)) - 1``
  (:func:`geometric_mean_loss`);
- ``arithmetic-mean``: ``sum((x / m) w)``;
- ``sum``: ``sum(x w)``;
- ``maximum``: ``max(0, max(x w))``;
- ``rank``: the vector of ``x w`` sorted in descending order, compared lexicographically: the
  transformation whose worst attribute loses least wins, ties broken by the next worst, and so on.

A rank is not a number, yet the search only compares losses; :class:`RankedLoss` is a float (ARX's
``relativeTo`` mean, the unweighted geometric mean, for reports and JSON) whose comparisons follow
the vector. A per-attribute lower bound gives a rank lower bound: sorting keeps ``bound_i <= x_i``
position by position, so the sorted bound is lexicographically at most the sorted losses.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from unlinkable.errors import ConfigError
from unlinkable.utility.base import java_double_string

AGGREGATES = ("geometric-mean", "arithmetic-mean", "sum", "maximum", "rank")


class RankedLoss(float):
    """ARX's RANK aggregate: a float (the mean) that compares by its descending vector.

    Examples
    --------
    >>> a, b = RankedLoss([0.5, 0.1]), RankedLoss([0.4, 0.4])
    >>> b < a, max(a, b).text
    (True, '[0.5, 0.1]')
    >>> RankedLoss([0.2, 0.1]) == RankedLoss([0.1, 0.2])
    True
    """

    __slots__ = ("vector",)
    vector: tuple[float, ...]

    def __new__(cls, weighted: Sequence[float], values: Sequence[float] | None = None) -> RankedLoss:
        values = list(weighted if values is None else values)
        mean = 1.0
        for v in values:
            mean *= math.pow(v + 1.0, 1.0 / len(values))
        self = super().__new__(cls, mean - 1.0 if values else 0.0)
        self.vector = tuple(sorted((float(x) for x in weighted), reverse=True))
        return self

    @property
    def text(self) -> str:
        """As ARX prints it (``Arrays.toString`` of the descending vector)."""
        return "[" + ", ".join(java_double_string(x) for x in self.vector) + "]"

    def _vec(self, other: object) -> tuple[float, ...]:
        if isinstance(other, RankedLoss):
            return other.vector
        # a plain number (an unbounded result, infinity) compares as a vector of itself
        if isinstance(other, (int, float)):
            return (float(other),) * len(self.vector)
        raise TypeError(f"a RankedLoss compares with numbers, not with {type(other).__name__}")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, (int, float)) and self.vector == self._vec(other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __lt__(self, other: object) -> bool:
        return self.vector < self._vec(other)

    def __le__(self, other: object) -> bool:
        return self.vector <= self._vec(other)

    def __gt__(self, other: object) -> bool:
        return self.vector > self._vec(other)

    def __ge__(self, other: object) -> bool:
        return self.vector >= self._vec(other)

    def __hash__(self) -> int:
        return hash(self.vector)

    def __repr__(self) -> str:
        return f"RankedLoss({self.text})"


def geometric_mean_loss(values: Sequence[float], weights: Sequence[float] | None = None) -> float:
    """ARX's aggregate: the product of ``(x * w + 1) ** (1/m)``, minus 1, in that operation order
    (``ILMultiDimensionalGeometricMean``: a weight scales the loss, not the factor).

    ``weights`` are ARX's attribute weights divided by the largest one (all 1 by default).

    Examples
    --------
    >>> geometric_mean_loss([1.0, 1.0])
    1.0000000000000004
    """
    values = list(values)
    m = len(values)
    weights = [1.0] * m if weights is None else list(weights)
    result = 1.0
    for v, w in zip(values, weights):
        result *= math.pow(v * w + 1.0, 1.0 / m)
    return result - 1.0


def _arithmetic_mean(values: Sequence[float], weights: Sequence[float]) -> float:
    m = len(values)
    result = 0.0
    for v, w in zip(values, weights):
        result += (v / m) * w
    return result


def _sum(values: Sequence[float], weights: Sequence[float]) -> float:
    result = 0.0
    for v, w in zip(values, weights):
        result += v * w
    return result if math.isfinite(result) else 1.7976931348623157e308  # ARX: Double.MAX_VALUE


def _maximum(values: Sequence[float], weights: Sequence[float]) -> float:
    result = 0.0
    for v, w in zip(values, weights):
        result = max(result, v * w)
    return result


def _rank(values: Sequence[float], weights: Sequence[float]) -> RankedLoss:
    return RankedLoss([v * w for v, w in zip(values, weights)], values)


def score_text(value: float) -> str:
    """A loss as ARX prints it: ``Double.toString``, or the vector of a RANK aggregate.

    Examples
    --------
    >>> score_text(0.25), score_text(RankedLoss([0.25, 1.0]))
    ('0.25', '[1.0, 0.25]')
    """
    return value.text if isinstance(value, RankedLoss) else java_double_string(value)


def aggregate_function(name: str) -> Callable[[Sequence[float], Sequence[float] | None], float]:
    """The aggregate named ``name`` (see the module docstring) as ``f(values, weights=None)``.

    Examples
    --------
    >>> aggregate_function("arithmetic-mean")([0.5, 0.25])
    0.375
    >>> aggregate_function("rank")([0.25, 0.5]).text
    '[0.5, 0.25]'
    """
    key = str(name).strip().lower().replace("_", "-")
    if key == "geometric-mean":
        return geometric_mean_loss
    table = {"arithmetic-mean": _arithmetic_mean, "sum": _sum, "maximum": _maximum, "rank": _rank}
    if key not in table:
        raise ConfigError(f"unknown aggregate {name!r}", hint=f"aggregate is one of {', '.join(AGGREGATES)}")
    inner = table[key]

    def apply(values: Sequence[float], weights: Sequence[float] | None = None) -> float:
        values = list(values)
        return inner(values, [1.0] * len(values) if weights is None else list(weights))

    apply.__name__ = key
    return apply


__all__ = ["AGGREGATES", "RankedLoss", "aggregate_function", "geometric_mean_loss", "score_text"]
