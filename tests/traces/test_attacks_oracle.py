"""The attacks against a brute-force oracle: skmob's definition enumerated with itertools.

A user's risk is the maximum, over every combination of min(k, n) of the user's items, of
1 / (number of users compatible with it); compatibility is written here per attack from skmob's
``_match`` rules, on plain Python values (Counter, Fraction), independently of the kernel.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from fractions import Fraction
from itertools import combinations
from unittest.mock import patch

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unlinkable.traces import ATTACKS, attack_risk, instances

BASE = datetime(2024, 1, 30, 20, 0)


def _traces(rows):
    """user -> [(place, day key, input index)] in time order (ties in input order)."""
    per = {}
    for i, (u, p, h) in enumerate(rows):
        per.setdefault(u, []).append((BASE + timedelta(hours=h), i, p))
    return {u: [(p, (t.year, t.month, t.day)) for t, _, p in sorted(pts)] for u, pts in per.items()}


def _contains(big: Counter, small: Counter) -> bool:
    return all(big[x] >= c for x, c in small.items())


def _subsequence(seq, sub) -> bool:
    it = iter(seq)
    return all(any(x == y for y in it) for x in sub)


def oracle(rows, attack: str, k: int) -> dict:
    traces = _traces(rows)
    places = {u: [p for p, _ in pts] for u, pts in traces.items()}
    freq = {u: Counter(ps) for u, ps in places.items()}

    def items(u):
        if attack in ("location", "location_sequence"):
            return places[u]
        if attack == "location_time":
            return traces[u]
        if attack == "location_probability":
            return [(p, Fraction(f, len(places[u]))) for p, f in freq[u].items()]
        if attack == "home_work":
            return [p for p, _ in sorted(freq[u].items(), key=lambda pf: (pf[1], pf[0]))[:2]]
        return list(freq[u].items())  # unique_location, location_frequency, location_proportion

    def compatible(v, inst) -> bool:
        if attack == "location":
            return _contains(freq[v], Counter(inst))
        if attack == "location_sequence":
            return _subsequence(places[v], inst)
        if attack == "location_time":
            return _contains(Counter(traces[v]), Counter(inst))
        if attack == "unique_location":
            return all(p in freq[v] for p, _ in inst)
        if attack == "location_frequency":
            return all(freq[v][p] == f for p, f in inst)
        if attack == "location_probability":
            return all(Fraction(freq[v][p], len(places[v])) == q for p, q in inst)
        if attack == "location_proportion":
            if not all(p in freq[v] for p, _ in inst):
                return False
            top_i, top_v = max(f for _, f in inst), max(freq[v][p] for p, _ in inst)
            return all(Fraction(f, top_i) == Fraction(freq[v][p], top_v) for p, f in inst)
        if attack == "home_work":
            return set(inst) <= set(items(v))
        raise AssertionError(attack)

    size = 2 if attack == "home_work" else k
    risks = {}
    for u in traces:
        mine = items(u)
        risks[u] = max(1 / sum(compatible(v, inst) for v in traces)
                       for inst in combinations(mine, min(size, len(mine))))
    return risks


ROWS = st.lists(st.tuples(st.integers(0, 5), st.integers(0, 3), st.integers(0, 40)), min_size=1, max_size=18)


def _frame(rows):
    return pl.DataFrame({"u": [r[0] for r in rows], "cell": [r[1] for r in rows],
                         "t": [BASE + timedelta(hours=r[2]) for r in rows]})


@settings(max_examples=60, deadline=None)
@given(rows=ROWS, k=st.integers(1, 3), attack=st.sampled_from(ATTACKS))
def test_attacks_equal_brute_force(rows, k, attack):
    result = attack_risk(_frame(rows), user="u", place="cell", time="t", attack=attack, k=k, time_precision="hour")
    expected = oracle(rows, attack, k)
    assert result["u"].to_list() == sorted(expected)
    assert result["risk"].to_list() == [expected[u] for u in sorted(expected)]


@pytest.mark.parametrize("attack", ATTACKS)
def test_hand_worked_case(attack):
    # user 1 alone visits cell 9; users 2 and 3 are identical: every attack singles out user 1 only
    rows = [(1, 9, 0), (1, 0, 1), (2, 0, 0), (2, 1, 1), (3, 0, 0), (3, 1, 1)]
    result = attack_risk(_frame(rows), user="u", place="cell", time="t", attack=attack, k=2)
    assert result["risk"].to_list() == [1.0, 0.5, 0.5]


@settings(max_examples=40, deadline=None)
@given(rows=ROWS, k=st.integers(1, 3), attack=st.sampled_from(ATTACKS))
def test_attacks_equal_brute_force_over_many_chunks_and_buckets(rows, k, attack):
    # a few instances per chunk and per bucket: the counts of one key are summed across chunks, and
    # keys held once (dropped from the shared table) come back as support 1
    with patch.object(instances, "CHUNK_KEYS", 3), patch.object(instances, "BUCKET_KEYS", 2):
        result = attack_risk(_frame(rows), user="u", place="cell", time="t", attack=attack, k=k, time_precision="hour")
    expected = oracle(rows, attack, k)
    assert result["risk"].to_list() == [expected[u] for u in sorted(expected)]
