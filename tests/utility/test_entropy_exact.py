"""Non-uniform entropy equals ARX's definition on mixed classes (brute force over records)."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.transform.generalize import Generalizer
from unlinkable.utility.base import Evaluation
from unlinkable.utility.entropy import EntropyMetric

H = Hierarchy([["a", "ab", "*"], ["b", "ab", "*"], ["c", "cd", "*"], ["d", "cd", "*"]])


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from("abcd"), min_size=1, max_size=30), st.integers(0, 2), st.data())
def test_matches_per_record_definition(values, level, data):
    dictionary = list(dict.fromkeys(values))
    gm = H.encode(dictionary)
    codes = np.array([[dictionary.index(v)] for v in values])
    nc = Generalizer(codes, [gm]).classes((level,))
    suppressed = np.array(data.draw(st.lists(st.booleans(), min_size=nc.classes, max_size=nc.classes)))
    metric = EntropyMetric()
    metric.prepare([np.bincount(codes[:, 0], minlength=len(dictionary)).astype(float)])
    ev = Evaluation((level,), nc.sizes, nc.gen, suppressed, len(values), [gm], ["q"])
    got = metric.evaluate(ev).value
    # brute force: every record costs log2(f(released value) / f(v)); the suppressed records add, per
    # generalized value w they carry, c(w) * log2(S / c(w)) (ARX MetricMDNUNMEntropyPrecomputed)
    freq = Counter(values)
    gen_freq = Counter(H.generalize(v, level) for v in values)
    label_of_class = {c: gm.labels[level][nc.gen[c, 0]] for c in range(nc.classes)}
    suppressed_labels = {label_of_class[c] for c in range(nc.classes) if suppressed[c]}
    expected = sum(math.log2(gen_freq[H.generalize(v, level)] / freq[v]) for v in values)
    carried = Counter(H.generalize(v, level) for v in values if H.generalize(v, level) in suppressed_labels)
    total = sum(carried.values())
    expected += sum(c * math.log2(total / c) for c in carried.values())
    assert math.isclose(got, expected, rel_tol=1e-12, abs_tol=1e-9)   # ARX floors to 10 decimals
