"""The input's and the release's distinct tuples from the search's classes, against grouping the records."""

from types import SimpleNamespace

import numpy as np
import polars as pl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from unlinkable.anonymizer import Anonymizer
from unlinkable.assessment import assess
from unlinkable.backends.distinct import distinct_tuples
from unlinkable.data.table import encode_column
from unlinkable.errors import ConfigError, InternalError, NoSolutionError
from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.transform.class_tuples import input_tuples

# level 1 repeats a label for two groups and level 2 is '*', the suppression value itself
_A = Hierarchy([[str(i), "lo" if i < 3 else "hi", "*"] for i in range(6)] + [["", "hi", "*"]])
_B = Hierarchy([[v, v.upper(), "any"] for v in "abcd"])
_C = Hierarchy([[v, "*"] for v in "xyz"])


def _grouped_by_records(table: pl.DataFrame, names: list[str]):
    columns = [encode_column(table[q]) for q in names]
    return distinct_tuples([c.codes for c in columns]), tuple(c.dictionary for c in columns)


rows = st.lists(st.tuples(st.integers(0, 5), st.integers(0, 3), st.integers(0, 2)), min_size=1, max_size=60)


@settings(max_examples=120, deadline=None)
@given(rows, st.integers(1, 6), st.sampled_from([0.0, 0.1, 0.5, 1.0]), st.sampled_from(["loss", "entropy", "discernibility"]))
def test_the_same_tuples_and_figures_as_the_records_give(data, k, limit, metric):
    frame = pl.DataFrame({"a": [str(r[0]) for r in data], "b": ["abcd"[r[1]] for r in data], "c": ["xyz"[r[2]] for r in data]})
    names = ["a", "b", "c"]
    assume(k <= frame.height)
    try:
        res = Anonymizer(quasi_identifiers=names, hierarchies={"a": _A, "b": _B, "c": _C}, metric=metric,
                         privacy=[{"k-anonymity": {"k": k}}], suppression_limit=limit, progress=False).fit(frame)
    except NoSolutionError:
        assume(False)
    # the input: the bottom classes are the records' tuples, in the same order, with the same codes
    assert res.input_tuples is not None
    expected, dictionaries = _grouped_by_records(frame, names)
    got = res.input_tuples.tuples
    assert got.codes.tolist() == expected.codes.tolist()
    assert got.counts.tolist() == expected.counts.tolist() and got.first.tolist() == expected.first.tolist()
    assert res.input_tuples.dictionaries == dictionaries
    plain = assess(frame, quasi_identifiers=names, suda2=False).to_dict()
    assert assess(frame, quasi_identifiers=names, suda2=False, grouped=res.input_tuples).to_dict() == plain
    # the release: its classes relabelled, the suppressed records one more tuple
    released = res._released_tuples()
    expected, dictionaries = _grouped_by_records(res.table, names)
    assert released.tuples.codes.tolist() == expected.codes.tolist()
    assert released.tuples.counts.tolist() == expected.counts.tolist()
    assert released.tuples.first.tolist() == expected.first.tolist()
    assert released.dictionaries == dictionaries
    after = res.assess_release()
    assert after == assess(res.table, quasi_identifiers=names, suda2=False).to_dict() | {
        "equivalence_classes": after["equivalence_classes"]}


def test_a_first_level_that_merges_values_hands_over_nothing():
    # defensive: level 0 of a hierarchy read from a file tells every value apart, but a map that
    # merged two would make the bottom classes coarser than the input's tuples
    frame = pl.DataFrame({"a": ["1", "2"] * 10, "b": ["a", "b"] * 10})
    res = Anonymizer(quasi_identifiers=["a", "b"], hierarchies={"a": _A, "b": _B},
                     privacy=[{"k-anonymity": {"k": 2}}], progress=False).fit(frame)
    assert res.input_tuples is not None
    merging = SimpleNamespace(table=np.array([[0, 0], [0, 0]]))
    assert input_tuples(None, ["a"], [encode_column(frame["a"])], [merging]) is None


def test_a_missing_value_hands_over_nothing():
    frame = pl.DataFrame({"a": ["1", None, "1", "2"] * 5, "b": ["a", "b", "a", "b"] * 5})
    res = Anonymizer(quasi_identifiers=["a", "b"], hierarchies={"a": _A, "b": _B},
                     privacy=[{"k-anonymity": {"k": 2}}], progress=False).fit(frame)
    assert res.input_tuples is None and res._released_tuples is None


def test_tuples_of_other_columns_are_refused():
    frame = pl.DataFrame({"a": ["1", "2"] * 10, "b": ["a", "b"] * 10, "s": ["u", "v"] * 10})
    res = Anonymizer(quasi_identifiers=["a", "b"], hierarchies={"a": _A, "b": _B}, insensitive=["s"],
                     privacy=[{"k-anonymity": {"k": 2}}], progress=False).fit(frame)
    with pytest.raises(InternalError):
        assess(frame, quasi_identifiers=["b", "a"], grouped=res.input_tuples)
    with pytest.raises(InternalError):
        assess(frame, quasi_identifiers=["a", "b"], sensitive="s", grouped=res.input_tuples)
    with pytest.raises(ConfigError, match="grouped by the caller"):
        assess(frame, quasi_identifiers=["a", "b"], grouped=res.input_tuples).records()
