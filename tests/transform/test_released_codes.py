"""The released quasi-identifiers' codes, derived from the search's, against encoding the released text."""

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from unlinkable.anonymizer import Anonymizer
from unlinkable.assessment import assess
from unlinkable.data.table import encode_column
from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.transform.generalize import generalized_frame
from unlinkable.transform.released_codes import released_table_codes

# level 1 repeats a label for two groups and level 2 is '*', the suppression value itself
_H1 = Hierarchy([[str(i), "lo" if i < 3 else "hi", "*"] for i in range(6)] + [["", "hi", "*"]])
_H2 = Hierarchy([[v, v.upper(), "any"] for v in "abcd"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 3), st.booleans()), min_size=1, max_size=40),
       st.integers(0, 2), st.integers(0, 2))
def test_equal_to_encoding_the_released_text(rows, l1, l2):
    frame = pl.DataFrame({"a": [str(r[0]) for r in rows], "b": ["abcd"[r[1]] for r in rows]})
    cols = [encode_column(frame[q]) for q in ("a", "b")]
    maps = [_H1.encode(cols[0].dictionary), _H2.encode(cols[1].dictionary)]
    codes = np.column_stack([c.codes for c in cols])
    suppressed = np.array([r[2] for r in rows])
    released = generalized_frame(frame, quasi_identifiers=["a", "b"], maps=maps, codes=codes, levels=[l1, l2],
                                 suppressed=suppressed)
    derived = released_table_codes(["a", "b"], maps, [l1, l2], [c.codes for c in cols], suppressed)
    for q in ("a", "b"):
        expected = encode_column(released[q])
        assert derived[q].codes.tolist() == expected.codes.tolist()
        assert derived[q].dictionary == expected.dictionary


def test_anonymize_risk_figures_equal_those_of_the_written_tables():
    frame = pl.DataFrame({"a": ["1", "4", "5"] * 5 + ["1", "4"] * 140, "b": ["a", "b", "d"] * 5 + ["a", "b"] * 140})
    res = Anonymizer(quasi_identifiers=["a", "b"], hierarchies={"a": _H1, "b": _H2},
                     privacy=[{"k-anonymity": {"k": 20}}], suppression_limit=0.2, progress=False).fit(frame)
    assert res.input_codes is not None and res.suppressed > 0
    risk_after = res.assess_release()
    assert risk_after == assess(res.table, quasi_identifiers=["a", "b"], suda2=False).to_dict() | {
        "equivalence_classes": risk_after["equivalence_classes"]}
    before = assess(frame, quasi_identifiers=["a", "b"], suda2=False)
    assert assess(frame, quasi_identifiers=["a", "b"], suda2=False, encoded=res.input_codes).to_dict() == before.to_dict()


def test_a_missing_value_is_not_shared():
    frame = pl.DataFrame({"a": ["1", None, "1", "2"] * 5, "b": ["a", "b", "a", "b"] * 5})
    res = Anonymizer(quasi_identifiers=["a", "b"], hierarchies={"a": _H1, "b": _H2},
                     privacy=[{"k-anonymity": {"k": 2}}], progress=False).fit(frame)
    assert res.input_codes is None and res._released_codes is None
