"""R's random streams (test support): known quantiles and the invariants of R's sampling.

That the streams equal R's bit for bit is shown by the sdcMicro cases that depend on them: their
expected values (modRisk's tables from runif, IL_variables' from sample/rnorm/runif, IL_correl's
from rnorm through add_noise) are met to 1.5e-8.
"""

from __future__ import annotations

import math

from r_random import RRandom, qnorm


def test_qnorm_known_quantiles() -> None:
    assert qnorm(0.5) == 0.0
    assert abs(qnorm(0.975) - 1.959963984540054) < 1e-15  # the two-sided 95% normal quantile
    assert abs(qnorm(1e-10) + 6.361340902404056) < 1e-12  # the tail branch (r > 5 is below 1.4e-11)
    assert qnorm(0.0) == -math.inf and qnorm(1.0) == math.inf


def test_same_seed_same_stream() -> None:
    a, b = RRandom(42), RRandom(42)
    assert a.runif(5) == b.runif(5) and a.rnorm(3) == b.rnorm(3)
    assert RRandom(43).runif(1) != RRandom(42).runif(1)


def test_sample_without_replacement_is_a_permutation() -> None:
    r = RRandom(7)
    drawn = r.sample(list(range(100)), 100)
    assert sorted(drawn) == list(range(100))
    assert all(0 <= v < 5 for v in r.sample(list(range(5)), 50, replace=True))


def test_vectorised_sample_with_replacement_is_the_one_draw_at_a_time_stream() -> None:
    for n in (1, 2, 3, 6, 15, 32768):
        a, b = RRandom(2021), RRandom(2021)
        assert a.sample_int(n, 500).tolist() == [v + 1 for v in b.sample(list(range(n)), 500, replace=True)]
        assert a.runif(1) == b.runif(1)  # both consumed the same uniforms
