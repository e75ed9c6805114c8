"""The small interface every utility metric implements, and Java's number formatting.

A metric scores one transformation from its equivalence classes (which classes are suppressed,
their sizes and generalized codes). Lower is better, as in ARX. A metric may give a lower bound
that ignores suppression; FLASH prunes with it exactly as ARX does.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from unlinkable.errors import InternalError
from unlinkable.hierarchies.hierarchy import GeneralizationMap


class Evaluation:
    """What a metric sees of one transformation.

    ``gen`` (generalized code per class and quasi-identifier) and ``rep`` (an original code per
    class and quasi-identifier) may be left out when ``node`` (the search's ``NodeClasses``) is
    given: they are then built on first use, and ``gen_of`` gathers single columns, so a metric
    that needs little of them pays little. ``first_records`` (a callable giving each class's first
    record) lets a metric add its terms in ARX's class order (:meth:`arx_order`).
    """

    __slots__ = ("levels", "sizes", "_gen", "suppressed", "n", "maps", "names", "_rep", "node", "_first_records")

    def __init__(self, levels: tuple[int, ...], sizes: np.ndarray, gen: np.ndarray | None, suppressed: np.ndarray,
                 n: int, maps: Sequence[GeneralizationMap], names: Sequence[str], rep: np.ndarray | None = None,
                 node: Any = None, first_records: Callable[[], np.ndarray] | None = None) -> None:
        self.levels = levels
        self.sizes = sizes              # records per class
        self._gen = gen
        self.suppressed = suppressed    # bool per class
        self.n = n
        self.maps = maps                # GeneralizationMap per quasi-identifier
        self.names = names
        self._rep = rep
        self.node = node
        self._first_records = first_records

    def arx_order(self) -> np.ndarray:
        """Class indices in ARX's iteration order: by first record (ARX's hash groupify links its
        entries in insertion order); the classes' own order when the records are not known or the
        classes are numbered in that order already (no ``first_records``: see :attr:`in_class_order`)."""
        classes = int(np.asarray(self.sizes).shape[0])
        if self._first_records is None:
            return np.arange(classes)
        return np.argsort(self._first_records(), kind="stable")

    def detached(self, node: Any) -> Evaluation:
        """This evaluation over ``node`` (a detached copy of its classes), with the first records
        computed now: it then holds nothing of the search's other nodes."""
        first = self._first_records
        if first is not None:
            first = functools.partial(np.asarray, first())
        return Evaluation(self.levels, self.sizes, self._gen, self.suppressed, self.n, self.maps, self.names, rep=self._rep,
                          node=node if self.node is not None else None, first_records=first)

    @property
    def in_class_order(self) -> bool:
        """Whether :meth:`arx_order` is the classes' own order (``0, 1, ...``)."""
        return self._first_records is None

    @property
    def gen(self) -> np.ndarray:
        if self._gen is None and self.node is not None:
            self._gen = self.node.gen
        if self._gen is None:
            raise InternalError("Evaluation.gen: the classes' generalized codes were neither given nor derivable")
        return self._gen

    @property
    def rep(self) -> np.ndarray | None:
        if self._rep is None and self.node is not None:
            self._rep = self.node.rep
        return self._rep

    def gen_of(self, i: int, rows: np.ndarray) -> np.ndarray:
        """Generalized codes of attribute ``i`` for the classes ``rows``."""
        if self._gen is None and self.node is not None:
            return np.asarray(self.node.gen_of(i, rows))
        return np.asarray(self.gen[rows, i])


@dataclass(frozen=True)
class Score:
    value: float
    per_attribute: dict[str, float] | None = None
    lower_bound: float | None = None


class UtilityMetric:
    """Base class: ``evaluate(Evaluation) -> Score``; lower is better."""

    name: str = ""
    #: monotone when nothing is suppressed (generalizing further never lowers the score)
    monotone_generalization: bool = True
    #: monotone even when records are suppressed
    monotone_suppression: bool = False
    #: reads ``Evaluation.rep`` (a representative original code per class), so classes must carry
    #: canonical representatives (see ``Generalizer``); metrics of generalized codes only do not
    reads_representatives: bool = False

    def evaluate(self, ev: Evaluation) -> Score:  # pragma: no cover - abstract
        raise NotImplementedError

    # --- hooks the search calls; each default does nothing, a metric overrides what it uses ----

    def bind_attributes(self, names: list[str]) -> None:
        """Called once with the quasi-identifiers in search order (per-attribute settings, e.g. weights)."""

    def prepare(self, counts_per_attribute: list[np.ndarray]) -> None:
        """Called once per search with the records per hierarchy row of each attribute (the input)."""

    def reads_value_counts(self) -> bool:
        """True when :meth:`prepare` is overridden: the search then counts the records it passes."""
        return type(self).prepare is not UtilityMetric.prepare

    def lower_bound(self, ev: Evaluation) -> float | None:
        """A bound no transformation above ``ev`` goes below (FLASH prunes with it), or None."""
        return None

    def has_levels_bound(self) -> bool:
        """True when :meth:`levels_bound` answers from the levels alone (no classes needed)."""
        return False

    def levels_bound(self, levels: tuple[int, ...], maps: Sequence[object], n: int) -> float | None:
        """:meth:`lower_bound` of the transformation ``levels``, from the levels alone, or None."""
        return None

    def class_losses(self, levels: tuple[int, ...], sizes: np.ndarray, gen: np.ndarray,
                     maps: Sequence[object]) -> np.ndarray | None:
        """The loss of each class (ARX orders the classes a table-level model suppresses by it), or None."""
        return None

    def monotone(self, suppression_limit: float) -> bool:
        """ARX ``Metric.isMonotonic(limit)``: with a zero limit only generalization matters."""
        return self.monotone_generalization if suppression_limit == 0 else self.monotone_suppression

    def describe(self) -> str:
        return self.name


def java_double_string(x: float) -> str:
    """``Double.toString`` as Java prints it (shortest digits; ``E`` notation outside [1e-3, 1e7)).

    Examples
    --------
    >>> java_double_string(1.939931e7), java_double_string(17.0), java_double_string(0.25)
    ('1.939931E7', '17.0', '0.25')
    """
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "-0.0" if math.copysign(1.0, x) < 0 else "0.0"
    sign = "-" if x < 0 else ""
    a = abs(x)
    digits, exp = _shortest_digits(a)
    if 1e-3 <= a < 1e7:
        point = exp + 1
        if point <= 0:
            body = "0." + "0" * (-point) + digits
        elif point >= len(digits):
            body = digits + "0" * (point - len(digits)) + ".0"
        else:
            body = digits[:point] + "." + digits[point:]
        return sign + body
    mant = digits[0] + "." + (digits[1:] or "0")
    return f"{sign}{mant}E{exp}"


def _shortest_digits(a: float) -> tuple[str, int]:
    """Shortest round-trip digits of ``a`` and the decimal exponent of the first digit."""
    text = repr(a)
    if "e" in text or "E" in text:
        mant, exponent = text.lower().split("e")
        e = int(exponent)
    else:
        mant, e = text, 0
    if "." in mant:
        ip, fp = mant.split(".")
    else:
        ip, fp = mant, ""
    digits = (ip + fp).lstrip("0")
    lead_zeros = len(ip + fp) - len((ip + fp).lstrip("0"))
    exp = len(ip) - 1 - lead_zeros + e
    digits = digits.rstrip("0") or "0"
    return digits, exp


def sequential_sum(terms: np.ndarray) -> float:
    """Left-to-right sum, as a Java loop adds (``cumsum`` accumulates in order; ``sum`` is pairwise).

    Examples
    --------
    >>> sequential_sum(np.array([1e16, 1.0, 1.0]))   # each 1.0 is lost in turn, as in Java
    1e+16
    """
    return float(np.cumsum(terms)[-1]) if terms.size else 0.0


def row_sums(terms: np.ndarray) -> list[float]:
    """:func:`sequential_sum` of each row of a 2-d array, in one call.

    Examples
    --------
    >>> row_sums(np.array([[1e16, 1.0, 1.0], [1.0, 2.0, 3.0]]))
    [1e+16, 6.0]
    """
    if terms.shape[1] == 0:
        return [0.0] * terms.shape[0]
    return [float(x) for x in np.cumsum(terms, axis=1)[:, -1]]


def floor10(x: float) -> float:
    """ARX rounds normalized per-attribute losses down to 10 decimals."""
    return math.floor(x * 1e10) / 1e10


__all__ = ["Evaluation", "Score", "UtilityMetric", "java_double_string", "floor10", "sequential_sum", "row_sums"]
