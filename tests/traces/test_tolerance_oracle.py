"""Frequency, probability and proportion attacks with a tolerance, against a brute-force oracle.

The oracle enumerates every combination of min(k, n) of a user's distinct places and asks every
user whether skmob's ``_match`` accepts it: all places visited and, place by place,
``x >= y - y*t`` and ``x <= y + y*t`` with ``y`` the candidate's value -- plain Python floats,
which are the same IEEE doubles as pandas' columns.
"""

from __future__ import annotations

from collections import Counter
from itertools import combinations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unlinkable.traces import attack_risk
from unlinkable.traces.tolerance import RULES


def oracle(rows, attack: str, k: int, t: float) -> dict:
    places: dict[int, list[int]] = {}
    for u, p in rows:
        places.setdefault(u, []).append(p)
    freq = {u: Counter(ps) for u, ps in places.items()}

    def values(u, chosen):
        if attack == "location_probability":
            return [freq[u][p] / len(places[u]) for p in chosen]
        if attack == "location_proportion":
            top = max(freq[u][p] for p in chosen)
            return [freq[u][p] / top for p in chosen]
        return [float(freq[u][p]) for p in chosen]

    def match(v, chosen, xs) -> bool:
        if not all(p in freq[v] for p in chosen):
            return False
        return all(x >= y - y * t and x <= y + y * t for x, y in zip(xs, values(v, chosen)))

    risks = {}
    for u in places:
        mine = sorted(freq[u])
        risks[u] = max(1 / sum(match(v, chosen, values(u, chosen)) for v in places)
                       for chosen in combinations(mine, min(k, len(mine))))
    return risks


ROWS = st.lists(st.tuples(st.integers(0, 6), st.integers(0, 3)), min_size=1, max_size=30)


@settings(max_examples=80, deadline=None)
@given(rows=ROWS, k=st.integers(1, 3), attack=st.sampled_from(RULES),
       t=st.sampled_from([0.0, 0.1, 0.25, 0.3, 0.5, 1 / 3, 1.0]))
def test_tolerance_equals_brute_force(rows, k, attack, t):
    frame = pl.DataFrame({"u": [r[0] for r in rows], "cell": [r[1] for r in rows]})
    result = attack_risk(frame, user="u", place="cell", attack=attack, k=k, tolerance=t)
    expected = oracle(rows, attack, k, t)
    assert result["u"].to_list() == sorted(expected)
    assert result["risk"].to_list() == [expected[u] for u in sorted(expected)]


@pytest.mark.parametrize("attack", RULES)
def test_tiny_tolerance_equals_exact_matching(attack):
    # visit counts are whole numbers: a tolerance below 1/(largest count) changes nothing for frequencies
    rng = np.random.default_rng(3)
    frame = pl.DataFrame({"u": rng.integers(0, 30, 400), "cell": rng.integers(0, 12, 400)})
    exact = attack_risk(frame, user="u", place="cell", attack=attack, k=2)
    tiny = attack_risk(frame, user="u", place="cell", attack=attack, k=2, tolerance=1e-9)
    assert tiny["risk"].to_list() == exact["risk"].to_list()


def test_hand_worked_frequency_interval():
    # place 0 visited 3, 4 and 8 times; at t = 0.25 the second user's interval [3, 5] holds 3,
    # the first's [2.25, 3.75] holds neither 4 nor 8, the third's [6, 10] neither 3 nor 4
    frame = pl.DataFrame({"u": [1] * 3 + [2] * 4 + [3] * 8, "cell": [0] * 15})
    result = attack_risk(frame, user="u", place="cell", attack="location_frequency", k=1, tolerance=0.25)
    assert result["risk"].to_list() == [0.5, 1.0, 1.0]
