"""ARX's classification accuracy metric: a brute force over records, hand-worked gs-factors, and its
score in SafePub's data-dependent search."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unlinkable.anonymizer import Anonymizer
from unlinkable.dp.search import score
from unlinkable.errors import ConfigError
from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.utility import metric_from_name
from unlinkable.utility.classification import ClassificationMetric, majority_counts

Q = Hierarchy([[v, "ab" if v in "ab" else "cd", "*"] for v in "abcd"])
Y = Hierarchy([["x", "xy", "*"], ["y", "xy", "*"], ["z", "z", "*"]])
HIERARCHIES = {"q": Q, "y": Y}


def _brute(rows, levels, k, gs):
    """Per record, in plain Python: classes below k are suppressed; the rest grouped by q."""
    g, s = (1.0 if gs <= 0.5 else 1 - 2 * (gs - 0.5)), (2 * gs if gs < 0.5 else 1.0)
    top = max(gs, g, s)
    scale = 1 - (len({Y.generalize(v, levels[1]) for v in "xyz"}) - 1) / 2
    gen = [(Q.generalize(q, levels[0]), Y.generalize(y, levels[1])) for q, y in rows]
    sizes = Counter(gen)
    penalty, groups = 0.0, {}
    for key in gen:
        if sizes[key] < k:
            penalty += gs / (top * len(rows))
        else:
            groups.setdefault(key[0], Counter())[key[1]] += 1
    for counts in groups.values():
        ranked = sorted(counts.values(), reverse=True) + [-1]
        total = sum(counts.values())
        if scale == 1.0:
            penalty += total * top / (top * len(rows))
        elif ranked[0] != ranked[1]:
            penalty += (total - ranked[0]) * (g * (1 - scale) + top * scale) / (top * len(rows))
        else:
            penalty += total * (s * (1 - scale) + top * scale) / (top * len(rows))
    return penalty


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abcd"), st.sampled_from("xyz")), min_size=3, max_size=40),
       st.tuples(st.integers(0, 2), st.integers(0, 2)), st.integers(1, 3), st.sampled_from([0.5, 0.2, 0.9]))
def test_matches_a_brute_force(rows, levels, k, gs):
    frame = pl.DataFrame({"q": [r[0] for r in rows], "y": [r[1] for r in rows]})
    anonymizer = Anonymizer(quasi_identifiers=["q", "y"], hierarchies=HIERARCHIES, privacy=[{"k-anonymity": {"k": k}}],
                            suppression_limit=1.0, metric=ClassificationMetric(["y"], gs_factor=gs), progress=False)
    assert anonymizer.score(frame, list(levels)).loss == pytest.approx(_brute(rows, levels, k, gs), rel=1e-12, abs=1e-15)


def test_hand_worked():
    # q at level 1: group 'ab' holds x, x, y (one misclassified), group 'cd' holds z, x (no majority)
    frame = pl.DataFrame({"q": ["a", "b", "a", "c", "d"], "y": ["x", "x", "y", "z", "x"]})
    anonymizer = Anonymizer(quasi_identifiers=["q", "y"], hierarchies=HIERARCHIES, metric=ClassificationMetric(["y"]),
                            privacy=[{"k-anonymity": {"k": 1}}], progress=False)
    assert anonymizer.score(frame, [1, 0]).loss == pytest.approx((1 + 2) / 5, rel=1e-15)
    # y at level 1: 'xy' 'xy' 'xy' | 'z' 'xy' -> scale 1 - (2 - 1)/(3 - 1) = 1/2, penalties 1 x 1/2 + ... ;
    # group 'ab' is all 'xy' (no error); 'cd' has no majority: 2 records x (1 x 1/2 + 1 x 1/2) = 2
    assert anonymizer.score(frame, [1, 1]).loss == pytest.approx(2 / 5, rel=1e-15)


def test_data_dependent_score_by_hand():
    gms = [Q.encode(list("abcd")), Y.encode(list("xyz"))]
    # released classes (q level 1, y level 1): ('ab','xy') 3, ('cd','z') 2, ('cd','xy') 1 suppressed
    gen = np.array([[0, 0], [1, 1], [1, 0]])
    value = score("classification", sizes=np.array([3, 2, 1]), suppressed=np.array([False, False, True]),
                  gen=lambda i: gen[:, i], levels=[1, 1], maps=gms, n_total=9, k=4, response=[1])
    # majorities 3 and 2, scaled by 1 - 1/2, over k x 1 response
    assert value == Fraction(5, 2) / 4


def test_job_file_form():
    m = metric_from_name({"name": "classification", "response": ["y"], "gs_factor": 0.3})
    assert isinstance(m, ClassificationMetric) and m.response == ["y"] and m.gs_factor == 0.3
    with pytest.raises(ConfigError, match="response"):
        metric_from_name("classification")
    with pytest.raises(ConfigError, match="unknown key|response"):
        metric_from_name({"name": "classification", "respons": ["y"]})
    frame = pl.DataFrame({"q": ["a", "b"], "y": ["x", "y"]})
    with pytest.raises(ConfigError, match="not a quasi-identifier"):
        Anonymizer(quasi_identifiers=["q"], hierarchies={"q": Q}, metric=ClassificationMetric(["y"]),
                   privacy=[{"k-anonymity": {"k": 1}}], insensitive=["y"], progress=False).fit(frame)


@settings(max_examples=80, deadline=None)
@given(rows=st.lists(st.lists(st.one_of(st.integers(-2, 3), st.integers(0, 40)), min_size=3, max_size=3), min_size=1, max_size=60),
       target=st.integers(0, 2), data=st.data())
def test_majority_counts_group_rows_as_sorting_the_rows_does(rows, target, data):
    """The integer keys number the classes and pairs as np.unique over whole rows does (the
    implementation this one replaced, which sorted rows: 20x slower)."""
    gen = np.array(rows, dtype=np.int64)
    sizes = np.array(data.draw(st.lists(st.integers(1, 9), min_size=len(rows), max_size=len(rows))), dtype=np.int64)
    others = np.delete(gen, target, axis=1)
    class_of = np.unique(others, axis=0, return_inverse=True)[1].reshape(-1)
    n = int(class_of.max()) + 1
    total = np.bincount(class_of, weights=sizes, minlength=n).astype(np.int64)
    top, second = np.zeros(n, dtype=np.int64), np.full(n, -1, dtype=np.int64)
    for c in range(n):
        freq: dict[int, int] = {}
        for v, w in zip(gen[class_of == c, target].tolist(), sizes[class_of == c].tolist()):
            freq[v] = freq.get(v, 0) + w
        ranked = sorted(freq.values(), reverse=True)
        top[c] = ranked[0]
        if len(ranked) > 1:
            second[c] = ranked[1]
    got = majority_counts(gen, sizes, target)
    assert [a.tolist() for a in got] == [total.tolist(), top.tolist(), second.tolist()]
