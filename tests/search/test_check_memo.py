"""CheckMemo: a second search of the same records reuses the first one's checks, with the same results."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from unlinkable.data.sensitive import SensitiveColumn
from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.models.kanonymity import KAnonymity
from unlinkable.models.ldiversity import DistinctLDiversity
from unlinkable.search import CheckMemo, NodeEvaluator
from unlinkable.search.lattice import Lattice
from unlinkable.transform.generalize import Generalizer
from unlinkable.utility.loss import LossMetric

AGE = Hierarchy([[str(a), f"{a // 10 * 10}s", "*"] for a in range(20, 60)])
ZIP = Hierarchy([[f"8{z:04d}", f"8{z // 100:02d}**", "*"] for z in range(0, 400, 7)])


def _evaluator(codes: np.ndarray, disease: np.ndarray, gs: float, memo: CheckMemo | None) -> NodeEvaluator:
    maps = [AGE.encode([r[0] for r in AGE.rows]), ZIP.encode([r[0] for r in ZIP.rows])]
    models = [KAnonymity(k=2), DistinctLDiversity(attribute="d", l=2)]
    sensitive = {"d": SensitiveColumn("d", disease, ("a", "b", "c"))}
    return NodeEvaluator(Generalizer(codes, maps), Lattice([3, 3]), ["age", "zip"], models, LossMetric(gs_factor=gs),
                         suppression_limit=0.3, sensitive=sensitive, memo=memo)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(5, 120))
def test_a_second_search_with_another_metric_reuses_the_checks(seed, n):
    rng = np.random.default_rng(seed)
    codes = np.column_stack([rng.integers(0, len(AGE.rows), n), rng.integers(0, len(ZIP.rows), n)])
    disease = rng.integers(0, 3, n).astype(np.int32)
    memo = CheckMemo()
    first = _evaluator(codes, disease, 0.5, memo)
    for node in range(9):
        first.outcome(node)
    room = memo.room
    assert room < CheckMemo().room   # the nine checks are kept
    second = _evaluator(codes, disease, 0.1, memo)
    fresh = _evaluator(codes, disease, 0.1, None)
    for node in range(9):
        a, b = second.outcome(node), fresh.outcome(node)
        assert (a.levels, a.anonymous, a.suppressed_records) == (b.levels, b.anonymous, b.suppressed_records)
        assert np.array_equal(a.suppressed_classes, b.suppressed_classes)
        assert a.score == b.score   # scored with the second metric, not the first one's score
        assert a is not first.outcome(node)
        # a kept node is detached from the nodes it was rolled up from: its records' classes are
        # found again from its representatives (as a local-recoding round's optimum needs them)
        assert a.classes.parent is None and a.classes._link is None and a.classes.from_bottom is None
        assert np.array_equal(second.g.record_class(a.classes), fresh.g.record_class(b.classes))
    assert memo.room == room   # nothing checked again
    # the search's own view (result), after the first search scored the same nodes its way
    memo = CheckMemo()
    first = _evaluator(codes, disease, 0.5, memo)
    for node in range(9):
        first.result(node)
    second, fresh = _evaluator(codes, disease, 0.1, memo), _evaluator(codes, disease, 0.1, None)
    for node in range(9):
        a, b = second.result(node), fresh.result(node)
        assert (a.anonymous, a.k_anonymous, a.loss, a.lower_bound) == (b.anonymous, b.k_anonymous, b.loss, b.lower_bound)


def test_the_memo_keeps_no_more_classes_than_its_capacity():
    codes = np.array([[i % 40, i % 57] for i in range(30)])
    memo = CheckMemo(capacity=5)
    ev = _evaluator(codes, np.zeros(30, dtype=np.int32), 0.5, memo)
    for node in range(9):
        ev.outcome(node)
    assert 0 <= memo.room <= 5
    assert memo.get(0) is None   # the bottom's 30 classes did not fit
