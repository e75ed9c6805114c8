"""ARX's entropy-based information loss, against a hand-worked table and the formula written out
record by record (ARX ``MetricSDNMEntropyBasedInformationLoss``)."""

from __future__ import annotations

import math

import numpy as np

from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.utility import metric_from_name


def _by_records(codes, maps, levels, suppressed_keys) -> tuple[float, float]:
    """Classes in order of first record; per class count * (log10(prod shares) / log10(prod D) + 1)."""
    classes: dict[tuple, int] = {}
    for row in codes.tolist():
        key = tuple(int(gm.table[c, lv]) for gm, c, lv in zip(maps, row, levels))
        classes[key] = classes.get(key, 0) + 1
    domain = 1.0
    for gm in maps:
        domain *= float(gm.domain_size)
    max_il = math.log10(domain)
    real = bound = 0.0
    for key, count in classes.items():
        product = 1.0
        for i, (gm, lv) in enumerate(zip(maps, levels)):
            product *= float(gm.row_counts[lv][key[i]]) / float(gm.domain_size)
        loss = float(count) * min(max(math.log10(product) / max_il + 1.0, 0.0), 1.0)
        real += float(count) if key in suppressed_keys else loss
        bound += loss
    return real, bound


def test_hand_worked():
    # zip: 4 values, a hierarchy of pairs then '*'; sex: 2 values, then '*'. Domain 4 x 2 = 8, maxIL = log10 8.
    # Level (1, 0): each record keeps 2 of 4 zips and its sex: share 1/2 x 1/2 -> log10(1/4) / log10(8) + 1 = 1/3.
    zips = Hierarchy([["1", "1-2", "*"], ["2", "1-2", "*"], ["3", "3-4", "*"], ["4", "3-4", "*"]])
    sex = Hierarchy([["m", "*"], ["f", "*"]])
    from unlinkable.utility.base import Evaluation

    maps = [zips.encode(["1", "2", "3", "4"]), sex.encode(["m", "f"])]
    gen = np.array([[maps[0].table[0, 1], maps[1].table[0, 0]], [maps[0].table[2, 1], maps[1].table[1, 0]]])
    ev = Evaluation((1, 0), np.array([3, 2]), gen, np.array([False, False]), 5, maps, ["zip", "sex"])
    score = metric_from_name("entropy-based-information-loss").evaluate(ev)
    assert math.isclose(score.value, 5 / 3, rel_tol=1e-15) and score.lower_bound == score.value
    # the second class suppressed: it costs 1 per record
    ev = Evaluation((1, 0), np.array([3, 2]), gen, np.array([False, True]), 5, maps, ["zip", "sex"])
    assert math.isclose(metric_from_name("entropy-based-information-loss").evaluate(ev).value, 1 + 2, rel_tol=1e-15)


def test_search_equals_records_written_out():
    from unlinkable.models.kanonymity import KAnonymity
    from unlinkable.search import NodeEvaluator
    from unlinkable.search.lattice import Lattice
    from unlinkable.transform.generalize import Generalizer

    rng = np.random.default_rng(11)
    h1 = Hierarchy([[str(i), str(i // 2), str(i // 4), "*"] for i in range(8)])
    h2 = Hierarchy([[str(i), str(i % 3), "*"] for i in range(6)])
    maps = [h1.encode([str(i) for i in range(8)]), h2.encode([str(i) for i in range(6)])]
    codes = np.column_stack([rng.integers(0, 8, 150), rng.integers(0, 6, 150)])
    for k, limit in [(2, 0.0), (5, 0.3)]:
        ev = NodeEvaluator(Generalizer(codes, maps), Lattice([4, 3]), ["a", "b"], [KAnonymity(k=k)],
                           metric_from_name("entropy-based-information-loss"), suppression_limit=limit)
        for node in range(12):
            out = ev.outcome(node)
            gen = out.classes.gen
            suppressed = {tuple(int(x) for x in gen[c]) for c in np.flatnonzero(out.suppressed_classes)}
            assert (out.score.value, out.score.lower_bound) == _by_records(codes, maps, out.levels, suppressed)
