"""ARX's iterative local recoding: the round logic, releases checked by the verifier and by brute
force on random tables, and the boundary. ARX's own hash-code cases are in tests/peers/arx."""

from collections import Counter

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unlinkable.anonymizer import Anonymizer
from unlinkable.errors import ConfigError, VerificationError
from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.models.kanonymity import KAnonymity
from unlinkable.transform.local_recoding import LocalRecoding, recode
from unlinkable.verify import verify_release


def test_the_factor_grows_after_an_empty_round_until_it_passes_one():
    seen = []

    def nothing_back(rows, gs):
        seen.append(gs)
        return None   # no solution: ARX counts 0 records optimized

    _, left, rounds = recode([0], np.ones(4, dtype=bool), LocalRecoding(gs_factor=0.5, adaption_factor=0.25),
                             nothing_back, minimal_class_size=None)
    assert seen == [0.5, 0.75, 1.0] and left.all() and rounds == []
    seen.clear()
    recode([0], np.ones(4, dtype=bool), LocalRecoding(gs_factor=0.5, max_iterations=2, adaption_factor=0.25),
           nothing_back, minimal_class_size=None)
    assert seen == [0.5, 0.75]
    seen.clear()
    recode([0], np.ones(4, dtype=bool), LocalRecoding(adaption_factor=0.0), nothing_back, minimal_class_size=None)
    assert seen == [0.05]   # no adaption: one empty round ends it


def test_too_few_suppressed_records_are_not_recoded():
    calls = []
    recode([0], np.array([True, False, False]), LocalRecoding(), lambda r, g: calls.append(r), minimal_class_size=2)
    assert calls == []


@st.composite
def tables(draw):
    n = draw(st.integers(6, 40))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    age = rng.integers(20, 80, n)
    zips = rng.choice(["81667", "81675", "81925", "81931"], n)
    return pl.DataFrame({"age": [str(a) for a in age], "zip": zips.tolist()}), draw(st.integers(2, 4))


AGE = Hierarchy([[str(a), f"{a // 10 * 10}-{a // 10 * 10 + 9}", "<50" if a < 50 else ">=50", "*"] for a in range(20, 80)])
ZIP = Hierarchy([["81667", "8166*", "816**", "*"], ["81675", "8167*", "816**", "*"],
                 ["81925", "8192*", "819**", "*"], ["81931", "8193*", "819**", "*"]])


@settings(max_examples=25, deadline=None)
@given(tables())
def test_local_recoding_releases_k_anonymous_classes_and_gives_records_back(table):
    frame, k = table
    options = dict(quasi_identifiers=["age", "zip"], hierarchies={"age": AGE, "zip": ZIP},
                   privacy=[{"k-anonymity": {"k": k}}], suppression_limit=1.0, progress=False,
                   metric={"name": "loss", "gs_factor": 0.05})
    plain = Anonymizer(**options).fit(frame)
    local = Anonymizer(local_recoding=True, **options).fit(frame)
    verify_release(local.table, original=frame, quasi_identifiers=["age", "zip"], models=[KAnonymity(k=k)],
                   suppression_limit=1.0, hierarchies={"age": AGE, "zip": ZIP}, local=True)
    assert local.suppressed <= plain.suppressed
    assert local.suppressed == plain.suppressed - local.local_recoding["recoded"]
    # brute force: released rows grouped on their text, each group of at least k
    rows = [r for r in local.table.iter_rows() if r != ("*", "*")]
    assert all(c >= k for c in Counter(rows).values())


def test_the_verifier_checks_each_record_of_a_local_recoding():
    orig = pl.DataFrame({"zip": ["81667", "81675", "81667", "81675"]})
    mixed = pl.DataFrame({"zip": ["8166*", "8167*", "816**", "816**"]})   # 8166* and 8167* are classes of 1
    with pytest.raises(VerificationError, match="fewer than 2|k-anonymity"):
        verify_release(mixed, original=orig, quasi_identifiers=["zip"], models=[KAnonymity(k=2)],
                       suppression_limit=0.0, hierarchies={"zip": ZIP}, local=True)
    ok = pl.DataFrame({"zip": ["816**", "816**", "81667", "*"]})
    with pytest.raises(VerificationError, match="k-anonymity|fewer"):
        verify_release(ok, original=orig, quasi_identifiers=["zip"], models=[KAnonymity(k=2)],
                       suppression_limit=0.25, hierarchies={"zip": ZIP}, local=True)
    wrong = pl.DataFrame({"zip": ["816**", "816**", "819**", "819**"]})  # 819** is not above 81667
    with pytest.raises(VerificationError, match="no generalization"):
        verify_release(wrong, original=orig, quasi_identifiers=["zip"], models=[KAnonymity(k=2)],
                       suppression_limit=0.0, hierarchies={"zip": ZIP}, local=True)
    fine = pl.DataFrame({"zip": ["816**", "816**", "8166*", "8167*"]})
    with pytest.raises(VerificationError):
        verify_release(fine, original=orig, quasi_identifiers=["zip"], models=[KAnonymity(k=2)],
                       suppression_limit=0.0, hierarchies={"zip": ZIP}, local=True)
    good = pl.DataFrame({"zip": ["816**", "816**", "816**", "816**"]})
    verify_release(good, original=orig, quasi_identifiers=["zip"], models=[KAnonymity(k=2)],
                   suppression_limit=0.0, hierarchies={"zip": ZIP}, local=True)


@pytest.mark.parametrize("raw, message", [
    ({"gs_factor": 2}, "'gs_factor' parameter must be"),
    ({"max_iterations": 0}, "'max_iterations' parameter must be"),
    ({"gs_facor": 0.1}, "unknown key 'gs_facor'"),
    ("yes", "must be true or a mapping"),
])
def test_settings_are_checked_at_the_boundary(raw, message):
    with pytest.raises(ConfigError, match=message):
        LocalRecoding.from_config(raw)


def test_models_about_the_whole_table_are_refused():
    with pytest.raises(ConfigError, match="local recoding does not support"):
        Anonymizer(quasi_identifiers=["zip"], hierarchies={"zip": ZIP}, privacy=[{"average-risk": {"threshold": 0.2}}],
                   local_recoding=True)
