"""``java.util.Random`` call for call, for searches that replay ARX's seeded mode.

ARX's genetic search draws from ``java.util.Random`` (``nextInt(bound)``, ``nextDouble()``,
``Collections.shuffle``), interleaved in an order that matters, so the generator is a stateful
object here rather than a vectorised stream. ``java.util.Random`` is a 48-bit linear
congruential generator (Knuth, TAOCP vol. 2, 3.2.1); it is not a secure source and only steers
which transformations a heuristic search checks.
"""

from __future__ import annotations

from typing import Any, MutableSequence

_MULTIPLIER = 0x5DEECE66D
_ADDEND = 0xB
_MASK = (1 << 48) - 1


class JavaRandom:
    """The stream of ``new java.util.Random(seed)``.

    Examples
    --------
    >>> r = JavaRandom(42)                # Java: new Random(42)
    >>> r.next_int(10), r.next_double()
    (0, 0.05466526274716077)
    """

    def __init__(self, seed: int) -> None:
        self._seed = (int(seed) ^ _MULTIPLIER) & _MASK

    def _next(self, bits: int) -> int:
        """``Random.next(bits)``: the top ``bits`` of the new state, as a signed 32-bit int."""
        self._seed = (self._seed * _MULTIPLIER + _ADDEND) & _MASK
        value = self._seed >> (48 - bits)
        return value - (1 << 32) if value >= 1 << 31 else value

    def next_int(self, bound: int) -> int:
        """``Random.nextInt(bound)``, uniform in ``[0, bound)`` (with Java's rejection loop)."""
        if bound <= 0:
            raise ValueError("bound must be positive")
        r = self._next(31)
        m = bound - 1
        if bound & m == 0:
            return (bound * r) >> 31
        u = r
        while True:
            r = u % bound
            if u - r + m < 1 << 31:   # no int overflow in Java: the draw is not in the biased tail
                return r
            u = self._next(31)

    def next_double(self) -> float:
        """``Random.nextDouble()``: 53 random bits in ``[0, 1)``."""
        return ((self._next(26) << 27) + self._next(27)) * (1.0 / (1 << 53))

    def shuffle(self, items: MutableSequence[Any]) -> None:
        """``Collections.shuffle(list, random)`` on a random-access list, in place."""
        for i in range(len(items), 1, -1):
            j = self.next_int(i)
            items[i - 1], items[j] = items[j], items[i - 1]


def java_round(x: float) -> int:
    """``Math.round(double)`` for finite values: the nearest integer, halves rounded up.

    Examples
    --------
    >>> java_round(2.5), java_round(0.49999999999999994), java_round(-2.5)
    (3, 0, -2)
    """
    import math

    low = math.floor(x)
    return int(low) + (1 if x - low >= 0.5 else 0)   # x - floor(x) is exact; x + 0.5 may round up


__all__ = ["JavaRandom", "java_round"]
