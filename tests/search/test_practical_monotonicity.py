"""ARX's practical monotonicity (ARXConfiguration.setPracticalMonotonicity): FLASH treats every model
and the metric as monotone. Where they are, nothing changes; where they are not, the result may
differ from the optimum but still satisfies the models (only checked nodes can be the optimum)."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from unlinkable.anonymizer import Anonymizer
from unlinkable.errors import ConfigError, NoSolutionError
from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.verify import verify_release

AGE = Hierarchy([[str(a), f"{a // 10 * 10}-{a // 10 * 10 + 9}", f"{a // 40 * 40}+", "*"] for a in range(20, 60)])
ZIP = Hierarchy([[f"8{z}", f"8{z // 10}*", "*"] for z in range(100, 140)])


@st.composite
def tables(draw):
    n = draw(st.integers(6, 40))
    rng = np.random.default_rng(draw(st.integers(0, 10_000)))
    return pl.DataFrame({"age": [str(a) for a in rng.integers(20, 60, n)],
                         "zip": [f"8{z}" for z in rng.integers(100, 140, n)],
                         "disease": [f"d{d}" for d in rng.integers(0, 4, n)]})


def _fit(frame, privacy, limit, metric, practical):
    sensitive = ["disease"] if any("l-diversity" in p for p in privacy) else []
    return Anonymizer(quasi_identifiers=["age", "zip"], hierarchies={"age": AGE, "zip": ZIP}, privacy=privacy,
                      suppression_limit=limit, metric=metric, progress=False, sensitive=sensitive,
                      insensitive=[] if sensitive else ["disease"], practical_monotonicity=practical).fit(frame)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables(), st.integers(2, 4), st.sampled_from(["loss", "discernibility-monotonic", "entropy-monotonic"]))
def test_monotone_problems_are_unchanged(frame, k, metric):
    # k-anonymity without suppression and a monotone metric: FLASH already runs in its monotone mode
    plain = _fit(frame, [{"k-anonymity": {"k": k}}], 0.0, metric, False)
    practical = _fit(frame, [{"k-anonymity": {"k": k}}], 0.0, metric, True)
    assert (practical.transformation, practical.loss_string) == (plain.transformation, plain.loss_string)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables(), st.sampled_from([0.1, 0.3]))
@example(pl.DataFrame({"age": ["20", "31", "45", "52", "58", "33"], "zip": ["8100", "8101", "8120", "8139", "8110", "8111"],
                       "disease": ["d1"] * 5 + ["d2"]}), 0.1)  # entropy 0.451 nats >= ln 1.5 = 0.405: the top holds
@example(pl.DataFrame({"age": ["20", "31", "45", "52", "58", "33", "40"], "zip": ["8100", "8101", "8120", "8139", "8110", "8111", "8112"],
                       "disease": ["d1"] * 6 + ["d2"]}), 0.1)  # 0.410 >= 0.405: the top still holds, barely
@example(pl.DataFrame({"age": ["20", "31", "45", "52", "58", "33", "40", "41"],
                       "zip": ["8100", "8101", "8120", "8139", "8110", "8111", "8112", "8113"],
                       "disease": ["d1"] * 7 + ["d2"]}), 0.1)  # 0.377 < 0.405: not even the top holds
def test_non_monotone_problems_still_release_a_valid_table(frame, limit):
    privacy = [{"k-anonymity": {"k": 2}}, {"l-diversity": {"attribute": "disease", "variant": "entropy", "l": 1.5}}]
    try:
        plain = _fit(frame, privacy, limit, "loss", False)
    except NoSolutionError:
        plain = None
    try:
        result = _fit(frame, privacy, limit, "loss", True)
    except NoSolutionError:
        # FLASH never predicts the top as failing (nothing is above it), so it checks it unless it found a release:
        # no release means the top, one class of every record that no suppression can save, is not diverse enough
        shares = [n / frame.height for n in Counter(frame["disease"]).values()]
        assert -sum(p * math.log(p) for p in shares) < math.log(1.5)
        return
    assert plain is not None  # practical monotonicity never finds what the full search cannot
    assert result.loss >= plain.loss  # and never beats the optimum
    verify_release(result.table, original=frame, quasi_identifiers=["age", "zip"], models=[
        m for m in Anonymizer(quasi_identifiers=["age"], hierarchies={"age": AGE}, privacy=privacy).models],
        suppression_limit=limit, hierarchies={"age": AGE, "zip": ZIP})


def test_the_flag_is_a_boolean():
    with pytest.raises(ConfigError, match="practical_monotonicity"):
        Anonymizer(quasi_identifiers=["age"], hierarchies={"age": AGE}, privacy=[{"k-anonymity": {"k": 2}}],
                   practical_monotonicity="yes")
