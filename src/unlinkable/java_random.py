"""java.util.Random's stream, reproduced bit for bit, to replay ARX's seeded test modes.

``java.util.Random`` is a 48-bit linear congruential generator (Knuth, TAOCP vol. 2, 3.2.1):
``seed <- (seed * 0x5DEECE66D + 0xB) mod 2^48``; ``next(bits)`` is the top ``bits`` of the new
seed and ``nextDouble()`` is ``((next(26) << 27) + next(27)) * 2^-53``. It is not a secure source:
it is used only where a caller asks for ARX's own deterministic stream (e.g. ARX's
``EDDifferentialPrivacy(..., deterministic=true)``), never for a production release.

The n-th state is computed directly, ``a^n * s0 + c * (a^(n-1) + ... + 1)``, with numpy's
wrapping uint64 arithmetic (2^48 divides 2^64), so a stream of any length is one vectorised pass.
"""

from __future__ import annotations

import math
from collections.abc import MutableSequence
from typing import Any

import numpy as np

_MULTIPLIER = 0x5DEECE66D
_ADDEND = 0xB
_MASK = (1 << 48) - 1


def _scrambled(seed: int) -> int:
    """The initial state of ``new Random(seed)`` (a Java long; an int literal is sign-extended)."""
    return (int(seed) ^ _MULTIPLIER) & _MASK


def _states(seed: int, count: int) -> np.ndarray:
    """The ``count`` states that follow ``new Random(seed)``, as uint64."""
    if count == 0:
        return np.zeros(0, dtype=np.uint64)
    with np.errstate(over="ignore"):
        powers = np.cumprod(np.full(count, _MULTIPLIER, dtype=np.uint64), dtype=np.uint64)      # a^1 .. a^n
        geometric = np.cumsum(np.concatenate(([np.uint64(1)], powers[:-1])), dtype=np.uint64)  # 1 + a + ... + a^(i-1)
        states = powers * np.uint64(_scrambled(seed)) + geometric * np.uint64(_ADDEND)
    return states & np.uint64(_MASK)


def next_doubles(seed: int, count: int) -> np.ndarray:
    """The first ``count`` values of ``new java.util.Random(seed).nextDouble()``.

    Examples
    --------
    >>> next_doubles(42, 2).tolist()      # Java: new Random(42).nextDouble(), twice
    [0.7275636800328681, 0.6832234717598454]
    """
    states = _states(seed, 2 * int(count))
    high = (states[0::2] >> np.uint64(48 - 26)).astype(np.int64)
    low = (states[1::2] >> np.uint64(48 - 27)).astype(np.int64)
    return ((high << 27) + low).astype(np.float64) * (1.0 / (1 << 53))


def java_int(value: int) -> int:
    """A Java ``int`` literal or result as its signed 32-bit value (``0xDEADBEEF`` is negative).

    Examples
    --------
    >>> java_int(0xDEADBEEF)
    -559038737
    """
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value >= 1 << 31 else value


class JavaRandom:
    """``new java.util.Random(seed)``, one draw at a time, for the integer draws (``nextInt(bound)``
    rejects draws that would bias the modulo, so its stream cannot be computed in one pass).

    Examples
    --------
    >>> JavaRandom(42).next_int()
    -1170105035
    """

    def __init__(self, seed: int) -> None:
        self._seed = _scrambled(seed)

    def _next(self, bits: int) -> int:
        self._seed = (self._seed * _MULTIPLIER + _ADDEND) & _MASK
        return java_int(self._seed >> (48 - bits))

    def next_int(self, bound: int | None = None) -> int:
        """``nextInt()`` or ``nextInt(bound)``."""
        if bound is None:
            return self._next(32)
        if bound <= 0:
            raise ValueError("bound must be positive")
        if bound & -bound == bound:                       # a power of two: the high bits
            return (bound * self._next(31)) >> 31
        while True:
            bits = self._next(31)
            value = bits % bound
            if java_int(bits - value + (bound - 1)) >= 0:   # Java's int overflow test
                return value

    def next_long(self) -> int:
        """``nextLong()``: two 32-bit draws, as a signed 64-bit value."""
        value = ((self._next(32) << 32) + self._next(32)) & ((1 << 64) - 1)
        return value - (1 << 64) if value >= 1 << 63 else value

    def next_double(self) -> float:
        """``nextDouble()``: 53 random bits over 2**53."""
        return ((self._next(26) << 27) + self._next(27)) * (1.0 / (1 << 53))

    def shuffle(self, items: MutableSequence[Any]) -> None:
        """``Collections.shuffle(list, random)`` on a random-access list, in place (ARX's genetic search)."""
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
    low = math.floor(x)
    return int(low) + (1 if x - low >= 0.5 else 0)   # x - floor(x) is exact; x + 0.5 may round up


__all__ = ["JavaRandom", "java_int", "java_round", "next_doubles"]
