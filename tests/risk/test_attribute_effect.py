"""attribute_effects: each quasi-identifier dropped or lifted one level, checked against a brute-force
regrouping of the records themselves (independent of the class-level shortcut)."""

from collections import Counter

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from unlinkable.risk.attribute_effect import attribute_effects


def _brute(rows, threshold=0.2):
    n = len(rows)
    count = Counter(rows)
    risks = [1 / count[r] for r in rows]
    return {"sample_uniques": sum(1 for r in rows if count[r] == 1) / n,
            "highest_risk": max(risks),
            "average_risk": len(count) / n,
            "records_at_risk": sum(1 for x in risks if x > threshold) / n}


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 3).flatmap(lambda m: st.lists(st.tuples(*[st.integers(0, 3)] * m), min_size=1, max_size=40)))
def test_matches_brute_force(rows):
    codes = np.array(rows, dtype=np.int64)
    m = codes.shape[1]
    names = [f"q{j}" for j in range(m)]
    lift = np.array([0, 0, 1, 1])  # a two-level hierarchy on the first attribute: {0,1} and {2,3}
    effects = attribute_effects(codes, [4] * m, names, lifted={"q0": (lift, 2)})
    seen = set()
    for e in effects:
        j = names.index(e["attribute"])
        if e["action"] == "drop":
            changed = [tuple(v for c, v in enumerate(r) if c != j) for r in rows]
        else:
            changed = [(int(lift[r[0]]),) + tuple(r[1:]) for r in rows]
        expected = _brute(changed)
        for key, value in expected.items():
            assert abs(e[key] - value) < 1e-12, (e, key, value)
        seen.add((e["attribute"], e["action"]))
    assert seen == {(q, "drop") for q in names} | {("q0", "generalize")}
    order = [(e["sample_uniques"], e["average_risk"]) for e in effects]
    assert order == sorted(order)


def test_hand_worked():
    # age, sex: dropping sex leaves age classes {30: 2, 40: 2}: nobody unique;
    # dropping age leaves sex classes {f: 1, m: 3}: one unique record of four.
    codes = np.array([[0, 0], [0, 1], [1, 1], [1, 1]])
    effects = attribute_effects(codes, [2, 2], ["age", "sex"])
    assert [(e["attribute"], e["action"], e["sample_uniques"], e["average_risk"]) for e in effects] == [
        ("sex", "drop", 0.0, 0.5), ("age", "drop", 0.25, 0.5)]
