"""The random sample of SafePub: each record kept independently with probability beta.

The privacy of the release rests on this draw being secret and unpredictable, so it comes from
the operating system's cryptographic source (``os.urandom``): 53 random bits per record, compared
with beta exactly as a uniform double in [0, 1) would be. No seed exists, none is stored.
OpenDP (0.16) offers no per-record Bernoulli sampling in its Python API (its subsampling
combinator, ``make_population_amplification``, assumes the sample is already drawn), so the draw
stays here.

``arx_deterministic_sample`` replays ARX's test mode instead (``new Random(0xDEADBEEF)``, one
``nextDouble() < beta`` per record in table order). Its sample is public knowledge, so a release
drawn with it is not differentially private: it exists to compare with ARX, never for publishing.
"""

from __future__ import annotations

import os

import numpy as np

from unlinkable.java_random import next_doubles

#: ARX's seed in ``EDDifferentialPrivacy`` when ``deterministic`` is set (a Java int literal: negative)
ARX_SEED = 0xDEADBEEF - (1 << 32)


def secure_sample(n: int, beta: float) -> np.ndarray:
    """A bool per record: kept with probability ``beta``, drawn from the OS's cryptographic source.

    Examples
    --------
    >>> secure_sample(5, 1.0).tolist(), secure_sample(3, 0.0).tolist()
    ([True, True, True, True, True], [False, False, False])
    """
    bits = np.frombuffer(os.urandom(8 * int(n)), dtype=np.uint64) >> np.uint64(11)   # 53 uniform bits
    return bits.astype(np.float64) * (1.0 / (1 << 53)) < beta


def arx_deterministic_sample(n: int, beta: float) -> np.ndarray:
    """ARX's deterministic sample (``EDDifferentialPrivacy(..., deterministic=true)``): not private.

    Examples
    --------
    >>> arx_deterministic_sample(4, 0.5).tolist()   # Java: new Random(0xDEADBEEF).nextDouble() < 0.5
    [True, False, True, True]
    """
    return next_doubles(ARX_SEED, int(n)) < beta


__all__ = ["ARX_SEED", "arx_deterministic_sample", "secure_sample"]
