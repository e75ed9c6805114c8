"""Exposure on tables grouped into distinct tuples with counts (the path a distributed backend
takes) gives every figure of the record-by-record count, exactly: hypothesis over the same
release and auxiliary strategies as the brute-force test, tolerances and hierarchies included."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_exposure import CAT_H, COLS, NUM2_H, NUM_H, aux_value, frame, release_value

from unlinkable.backends.numpy import NumpyBackend
from unlinkable.errors import ConfigError
from unlinkable.linkage.exposure import exposure


class GroupingNumpy(NumpyBackend):
    """The numpy backend, taken for one that keeps the records: exposure runs its grouped path."""

    name = "numpy-as-distributed"


# few distinct values, many repeats: the grouping matters
rel_rows = st.lists(st.tuples(*(release_value(c) for c in COLS)), min_size=1, max_size=40)
aux_rows = st.lists(st.tuples(*(aux_value(c) for c in COLS)), min_size=1, max_size=40)


@settings(max_examples=80, deadline=None)
@given(st.data(), st.sampled_from([None, 0, 1, 2]), st.sampled_from([None, 0, 1]),
       st.lists(st.sampled_from(COLS), min_size=1, max_size=3, unique=True))
def test_grouped_exposure_equals_record_exposure(data, tol_num, tol_num2, used):
    rel = data.draw(rel_rows)
    aux = data.draw(aux_rows)
    rel = rel + data.draw(st.lists(st.sampled_from(rel), max_size=20))  # repeated records
    aux = aux + data.draw(st.lists(st.sampled_from(aux), max_size=20))
    hs = {"cat": CAT_H, "num": NUM_H, "num2": NUM2_H}
    tolerance = {c: t for c, t in {"num": tol_num, "num2": tol_num2}.items() if t is not None and c in used}
    kwargs = dict(on={c: c.upper() for c in used}, hierarchies={c: hs[c] for c in used}, tolerance=tolerance)
    records = exposure(frame(rel, COLS), frame(aux, [c.upper() for c in COLS]), **kwargs)
    grouped = exposure(frame(rel, COLS), frame(aux, [c.upper() for c in COLS]), backend=GroupingNumpy(), **kwargs)
    assert grouped.to_dict() == records.to_dict()


def test_record_level_outputs_are_refused_on_a_distributed_backend():
    rel = frame([("a", "1", "1")], COLS)
    aux = frame([("a", "1", "1")], COLS)
    with pytest.raises(ConfigError, match="truth_key.*does not run on the numpy-as-distributed backend"):
        exposure(rel, aux, on=["cat"], truth_key={"release": "num", "auxiliary": "num"}, backend=GroupingNumpy())
    with pytest.raises(ConfigError, match="copula.*does not run on the numpy-as-distributed backend"):
        exposure(rel, aux, on=["cat"], population_size=100, backend=GroupingNumpy())
    with pytest.raises(ConfigError, match="per-record candidate counts are not available"):
        exposure(rel, aux, on=["cat"], backend=GroupingNumpy()).records()
