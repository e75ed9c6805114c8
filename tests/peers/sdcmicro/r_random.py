"""R's default random numbers, so that peer tests' data drawn after ``set.seed`` can be regenerated.

Test support only (never used by unlinkable itself): sdcMicro's testthat files build their data with
``set.seed(s)`` and ``runif``/``rnorm``/``rlnorm``/``sample``, and some of their expectations hold
only for exactly those numbers. This reproduces R (>= 3.6) bit for bit:

* ``set.seed(s)``: s is scrambled by 50 steps of the LCG s = 69069 s + 1 (mod 2^32); 625 further steps
  fill Mersenne-Twister's state (the first word is its position, set to 624: the state is
  regenerated at the first draw) (R's ``RNG.c``: ``Randomize``, ``RNG_Init``, ``FixupSeeds``);
* ``unif_rand``: MT19937's tempered 32-bit output times 2^-32, kept inside (0, 1) (``fixup``);
* ``norm_rand`` by inversion (``snorm.c``): u = floor(2^27 u1) + u2, then ``qnorm(u / 2^27)`` with
  Wichura's AS 241 (``qnorm.c``);
* ``R_unif_index`` by "Rejection" sampling (``sample.kind``, R >= 3.6): draws of ceil(log2 n) bits, 16
  at a time from ``unif_rand``, until one is below n; ``sample`` with and without replacement as
  ``do_sample``.

The Mersenne-Twister itself is numpy's MT19937 (the same generator), given R's state.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

_2_32 = 2.3283064365386963e-10  # 2^-32, R's multiplier
_I2_32M1 = 2.328306437080797e-10  # 1 / (2^32 - 1), R's fixup margin
_BIG = 134217728  # 2^27


class RRandom:
    """R's default generator (Mersenne-Twister, Inversion, Rejection), seeded as ``set.seed`` does.

    >>> r = RRandom(123)
    >>> [round(u, 7) for u in r.runif(3)]
    [0.2875775, 0.7883051, 0.4089769]
    """

    def __init__(self, seed: int | None = None) -> None:
        self._bits: np.random.MT19937 | None = None
        if seed is not None:
            self.set_seed(seed)

    def set_seed(self, seed: int) -> None:
        s = seed & 0xFFFFFFFF
        for _ in range(50):
            s = (69069 * s + 1) & 0xFFFFFFFF
        words = []
        for _ in range(625):
            s = (69069 * s + 1) & 0xFFFFFFFF
            words.append(s)
        bits = np.random.MT19937(0)
        bits.state = {"bit_generator": "MT19937", "state": {"key": np.array(words[1:], dtype=np.uint32), "pos": 624}}
        self._bits = bits

    # --- uniform ------------------------------------------------------------------------------

    def unif_rand(self, n: int) -> np.ndarray:
        if self._bits is None:
            raise RuntimeError("draw before set_seed: R would seed from the clock")
        u = self._bits.random_raw(n).astype(np.float64) * _2_32
        u[u <= 0.0] = 0.5 * _I2_32M1
        u[1.0 - u <= 0.0] = 1.0 - 0.5 * _I2_32M1
        return u

    def runif(self, n: int, a: float = 0.0, b: float = 1.0) -> list[float]:
        """``runif(n, a, b)``: a + (b - a) u; a == b gives a without drawing (R's ``runif.c``)."""
        if a == b:
            return [a] * n
        return [a + (b - a) * u for u in self.unif_rand(n).tolist()]

    # --- normal -------------------------------------------------------------------------------

    def norm_rand(self, n: int) -> np.ndarray:
        out = np.empty(n)
        for i in range(n):
            u1, u2 = self.unif_rand(2)
            out[i] = qnorm(((int(_BIG * u1)) + u2) / _BIG)
        return out

    def rnorm(self, n: int, mean: float = 0.0, sd: float = 1.0) -> list[float]:
        """``rnorm(n, mean, sd)``: mean + sd * norm_rand() (sd = 0 draws nothing, as R)."""
        if sd == 0:
            return [mean] * n
        return [mean + sd * z for z in self.norm_rand(n).tolist()]

    def rlnorm(self, n: int, meanlog: float = 0.0, sdlog: float = 1.0) -> list[float]:
        return [math.exp(v) for v in self.rnorm(n, meanlog, sdlog)]

    # --- sample -------------------------------------------------------------------------------

    def unif_index(self, dn: int) -> int:
        """``R_unif_index``: rejection sampling from integers below the next power of two."""
        if dn <= 0:
            return 0
        bits = int(math.ceil(math.log2(dn)))
        while True:
            v = 0
            for _ in range(0, bits + 1, 16):
                v = 65536 * v + int(math.floor(self.unif_rand(1)[0] * 65536))
            v &= (1 << bits) - 1
            if v < dn:
                return v

    def sample(self, x: Sequence, size: int, replace: bool = False) -> list:
        """``sample(x, size, replace)`` for a vector x of length n (indices drawn as ``do_sample``)."""
        n = len(x)
        if replace or size < 2:
            return [x[self.unif_index(n)] for _ in range(size)]
        if size > n:
            raise ValueError("cannot take a sample larger than the population when replace = FALSE")
        pool = list(range(n))
        out = []
        for _ in range(size):
            j = self.unif_index(n)
            out.append(x[pool[j]])
            n -= 1
            pool[j] = pool[n]
        return out

    def sample_int(self, n: int, size: int) -> np.ndarray:
        """``sample(1:n, size, replace = TRUE)`` for n <= 32768, vectorised: each attempt of
        ``R_unif_index`` then reads one uniform (from 16 bits on it reads two), so the accepted draws
        are the uniforms whose top ceil(log2 n) of 16 bits fall below n, in order."""
        if n > 32768:
            raise ValueError("sample_int draws one uniform per attempt only for n <= 32768")
        bits = int(math.ceil(math.log2(n))) if n > 1 else 0
        out = np.empty(0, dtype=np.int64)
        while out.size < size:
            v = np.floor(self.unif_rand(size - out.size) * 65536).astype(np.int64) & ((1 << bits) - 1)
            out = np.concatenate([out, v[v < n]])  # never more than asked: one uniform per attempt
        return out + 1

    def standard_normal(self, shape: int | tuple[int, ...]) -> np.ndarray:
        """numpy's ``Generator.standard_normal`` drawn from R's stream, filled column by column as R's
        ``apply(x, 2, function(x) rnorm(N, ...))`` draws: lets a method taking a numpy generator
        reproduce sdcMicro's draws."""
        dims = (shape,) if isinstance(shape, int) else tuple(shape)
        return self.norm_rand(int(np.prod(dims))).reshape(dims, order="F")


def qnorm(p: float) -> float:
    """R's ``qnorm5(p, 0, 1, lower = TRUE, log = FALSE)``: Wichura's AS 241 (PPND16)."""
    if p <= 0.0:
        return -math.inf
    if p >= 1.0:
        return math.inf
    q = p - 0.5
    if abs(q) <= 0.425:
        r = 0.180625 - q * q
        return q * (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r + 67265.770927008700853) * r
                        + 45921.953931549871457) * r + 13731.693765509461125) * r + 1971.5909503065514427) * r
                     + 133.14166789178437745) * r + 3.387132872796366608) \
            / (((((((r * 5226.495278852545925 + 28729.085735721942674) * r + 39307.89580009271061) * r
                   + 21213.794301586595867) * r + 5394.1960214247511077) * r + 687.1870074920579083) * r
                + 42.313330701600911252) * r + 1.0)
    r = 1.0 - p if q > 0 else p
    r = math.sqrt(-math.log(r))
    if r <= 5.0:
        r += -1.6
        val = (((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r + 0.24178072517745061177) * r
                   + 1.27045825245236838258) * r + 3.64784832476320460504) * r + 5.7694972214606914055) * r
                + 4.6303378461565452959) * r + 1.42343711074968357734) \
            / (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r
                   + 0.14810397642748007459) * r + 0.68976733498510000455) * r + 1.6763848301838038494) * r
                + 2.05319162663775882187) * r + 1.0)
    else:
        r += -5.0
        val = (((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r
                   + 0.026532189526576123093) * r + 0.29656057182850489123) * r + 1.7848265399172913358) * r
                + 5.4637849111641143699) * r + 6.6579046435011037772) \
            / (((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r
                   + 7.868691311456132591e-4) * r + 0.0148753612908506148525) * r + 0.13692988092273580531) * r
                + 0.59983220655588793769) * r + 1.0)
    return -val if q < 0.0 else val
