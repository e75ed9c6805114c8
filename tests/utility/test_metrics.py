import numpy as np

from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.utility import metric_from_name
from unlinkable.utility.aggregate import geometric_mean_loss
from unlinkable.utility.base import Evaluation, java_double_string


def _zip_map():
    # 4 hierarchy rows; data holds 2 of them. Level 1 groups 2 rows each, level 2 all 4.
    h = Hierarchy([["a", "ab", "*"], ["b", "ab", "*"], ["c", "cd", "*"], ["d", "cd", "*"]])
    return h.encode(["a", "c"])


def test_loss_hand_worked():
    gm = _zip_map()
    # 4 records: 2 'a', 2 'c' at level 1 -> each value covers 2 of 4 rows: L = 4 * 2/4 = 2.
    # normalized: (2 - 4/4) / (4 - 4/4) = 1/3 -> floored to 10 decimals.
    gen = np.array([[gm.table[0, 1]], [gm.table[1, 1]]])
    ev = Evaluation((1,), np.array([2, 2]), gen, np.array([False, False]), 4, [gm], ["q"])
    score = metric_from_name("loss").evaluate(ev)
    assert score.per_attribute == {"q": 0.3333333333}
    # one class suppressed: L = 2 * 2/4 + 2 * 1 = 3 -> (3 - 1) / 3 = 0.6666666666
    ev2 = Evaluation((1,), np.array([2, 2]), gen, np.array([False, True]), 4, [gm], ["q"])
    s2 = metric_from_name("loss").evaluate(ev2)
    assert s2.per_attribute == {"q": 0.6666666666}
    assert s2.lower_bound == score.value


def test_loss_full_generalization_quirk():
    assert java_double_string(geometric_mean_loss([1.0, 1.0])) == "1.0000000000000004"
    assert geometric_mean_loss([0.0, 0.0, 0.0]) == 0.0


def test_discernibility_hand_worked():
    # classes 3 and 1 of n = 4, the second suppressed: 3^2 + 4 * 1 = 13; bound 3^2 + 1^2 = 10
    ev = Evaluation((0,), np.array([3, 1]), np.zeros((2, 1), int), np.array([False, True]), 4, [], [])
    s = metric_from_name("discernibility").evaluate(ev)
    assert (s.value, s.lower_bound) == (13.0, 10.0)


def test_java_double_string():
    assert java_double_string(1.939931e7) == "1.939931E7"
    assert java_double_string(7220555.0) == "7220555.0"
    assert java_double_string(0.001) == "0.001"
    assert java_double_string(0.0001) == "1.0E-4"
    assert java_double_string(0.0) == "0.0"


def test_other_metrics_run():
    gm = _zip_map()
    gen = np.array([[gm.table[0, 1]], [gm.table[1, 1]]])
    ev = Evaluation((1,), np.array([2, 2]), gen, np.array([False, False]), 4, [gm], ["q"], rep=np.array([[0], [1]]))
    assert metric_from_name("height").evaluate(ev).value == 1.0
    assert metric_from_name("precision").evaluate(ev).value == 0.5
    assert metric_from_name("aecs").evaluate(ev).value == 2.0


def _arx_loss_by_records(codes, maps, levels, suppressed_keys) -> tuple[float, list[float]]:
    """ARX's Loss written out record by record: classes in the order of their first records (a
    dict keeps insertion order, as ARX's hash groupify links its entries), one double added per
    class and attribute, normalized and floored to 10 decimals, then the geometric mean."""
    import math

    classes: dict[tuple, int] = {}
    for row in codes.tolist():
        key = tuple(int(gm.table[c, lv]) for gm, c, lv in zip(maps, row, levels))
        classes[key] = classes.get(key, 0) + 1
    n = codes.shape[0]
    per = []
    for i, (gm, lv) in enumerate(zip(maps, levels)):
        total = 0.0
        for key, count in classes.items():
            share = float(count) * (float(gm.row_counts[lv][key[i]]) / float(gm.domain_size))
            total += float(count) if key in suppressed_keys else share
        low = float(n) / float(gm.domain_size)
        x = max((total - low) / (float(n) - low), 0.0)
        per.append(math.floor(x * 1e10) / 1e10)
    value = 1.0
    for x in per:
        value *= math.pow(x + 1.0, 1.0 / len(per))
    return value - 1.0, per


def test_loss_sums_in_arx_order():
    # The search's Loss (classes rolled up, added in order of first record) against ARX's Loss
    # written out record by record, bit for bit, on random tables and random suppression.
    from unlinkable.models.kanonymity import KAnonymity
    from unlinkable.search import NodeEvaluator
    from unlinkable.search.lattice import Lattice
    from unlinkable.transform.generalize import Generalizer

    rng = np.random.default_rng(5)
    h1 = Hierarchy([[str(i), str(i // 2), str(i // 4), "*"] for i in range(8)])
    h2 = Hierarchy([[str(i), str(i % 3), "*"] for i in range(6)])
    maps = [h1.encode([str(i) for i in range(7)]), h2.encode([str(i) for i in range(6)])]
    for seed in range(4):
        codes = np.column_stack([rng.integers(0, 7, 120 + 37 * seed), rng.integers(0, 6, 120 + 37 * seed)])
        for k, limit in [(2, 0.0), (4, 0.3), (9, 0.5)]:
            ev = NodeEvaluator(Generalizer(codes, maps), Lattice([4, 3]), ["a", "b"], [KAnonymity(k=k)],
                               metric_from_name("loss"), suppression_limit=limit)
            for node in range(12):
                out = ev.outcome(node)
                gen = out.classes.gen
                suppressed = {tuple(int(x) for x in gen[c]) for c in np.flatnonzero(out.suppressed_classes)}
                value, per = _arx_loss_by_records(codes, maps, out.levels, suppressed)
                assert out.score.value == value and list(out.score.per_attribute.values()) == per
                assert out.score.lower_bound == _arx_loss_by_records(codes, maps, out.levels, set())[0]
