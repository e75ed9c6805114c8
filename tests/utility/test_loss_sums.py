"""Loss's compiled sums (utility/loss_sums.py) against the numpy path they replace in long searches:
the same terms in the same order, so the same bits, on random classes and random problems."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lattice_problems import problems  # tests/utility/lattice_problems.py

from unlinkable.utility import loss, loss_sums
from unlinkable.utility.base import row_sums
from unlinkable.utility.loss import LossMetric
from unlinkable.utility.loss_sums import class_sums, in_order_sums

GS_FACTORS = st.sampled_from([0.0, 0.05, 0.1, 0.3, 0.5, 0.7, 1.0])


def _numpy_sums(table, levels, rep_cols, offset, count, suppressed, g, s):
    """The numpy path of LossMetric._evaluate_in_order, written out: a gather, cumulative sums."""
    shares = table[np.repeat(levels, rep_cols.shape[1]).reshape(rep_cols.shape), rep_cols + offset[:, None]]
    shares = shares * count
    released = shares * g if g != 1.0 else shares
    charged = count if s == 1.0 else shares + s * (count - shares)
    return row_sums(np.where(suppressed, charged, released)), row_sums(released)


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 4), st.integers(1, 60), st.floats(0.0, 1.0), st.floats(0.0, 1.0),
       st.booleans())
def test_the_compiled_sums_are_the_numpy_sums_to_the_bit(seed, attributes, classes, g, s, unit_factors):
    rng = np.random.default_rng(seed)
    if unit_factors:
        g, s = 1.0, 1.0
    codes = rng.integers(1, 7, attributes)
    offset = np.concatenate([[0], np.cumsum(codes)[:-1]]).astype(np.int64)
    depth = int(rng.integers(1, 4))
    # shares of very different magnitudes, so that another order of additions gives other bits
    table = rng.random((depth, int(codes.sum()))) * 10.0 ** rng.integers(-12, 3, (depth, int(codes.sum())))
    levels = rng.integers(0, depth, attributes)
    rep_cols = np.stack([rng.integers(0, c, classes) for c in codes])
    count = rng.integers(1, 10**6, classes).astype(np.float64)
    suppressed = rng.random(classes) < 0.4
    total, bound = np.zeros(attributes), np.zeros(attributes)
    class_sums(table, levels, rep_cols, offset, count, suppressed, g, s, total, bound)
    want = _numpy_sums(table, levels, rep_cols, offset, count, suppressed, g, s)
    assert [x.hex() for x in total.tolist()] == [x.hex() for x in want[0]]
    assert [x.hex() for x in bound.tolist()] == [x.hex() for x in want[1]]
    # normalized and floored as loss._floor10_all does (n records, domains of the sizes drawn)
    n = float(count.sum())
    domains = rng.integers(1, 50, attributes).astype(np.float64)
    low = g * n / domains
    per, lower = in_order_sums(table, levels, rep_cols, offset, count, suppressed, g, s, int(n), domains)
    assert (per, lower) == (loss._floor10_all(np.array(want[0]), low, n - low),
                            loss._floor10_all(np.array(want[1]), low, n - low))


def test_a_reordered_sum_would_be_caught():
    # the check above has teeth: a sum in another order differs in the last bits on such terms
    terms = np.array([[1.0, 1e16, -1e16]])
    assert row_sums(terms) == [0.0]
    assert float(np.sum(terms[:, ::-1])) == 1.0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), GS_FACTORS, st.sampled_from(["geometric-mean", "rank"]), st.data())
def test_a_search_scores_the_same_after_the_switch(problem, gs, aggregate, data):
    # a hashing generalizer numbers classes in first-record order: the in-order path (see
    # test_loss_variants.py's test_classes_in_arx_order_score_as_when_sorted_by_first_record)
    from unlinkable.models.kanonymity import KAnonymity
    from unlinkable.search import NodeEvaluator
    from unlinkable.search.lattice import Lattice
    from unlinkable.transform.generalize import Generalizer

    codes, maps, k, limit = problem
    lattice = Lattice([gm.levels for gm in maps])
    node = data.draw(st.integers(0, lattice.size - 1))
    scores, calls = [], []
    for after in (10**18, -1):   # numpy throughout, then compiled from the first term
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(loss, "_COMPILED_AFTER", after)
            mp.setattr(loss_sums, "in_order_sums", lambda *a, tag=after: calls.append(tag) or in_order_sums(*a))
            ev = NodeEvaluator(Generalizer(codes, maps, canonical=False), lattice, [f"q{j}" for j in range(len(maps))],
                               [KAnonymity(k=k)], LossMetric(gs_factor=gs, aggregate=aggregate), suppression_limit=limit)
            out = ev.outcome(node)
            scores.append((repr(out.score.value), out.score.per_attribute, repr(out.score.lower_bound)))
    assert scores[0] == scores[1]
    assert calls and set(calls) == {-1}   # the second run took the compiled path, the first did not
