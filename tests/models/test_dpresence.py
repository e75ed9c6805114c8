"""delta-presence with a research subset (ARX: adult_subset.csv within adult.csv)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from unlinkable.errors import ConfigError, InputError
from unlinkable.models import model_from_config
from unlinkable.models.base import ClassStatistics
from unlinkable.models.dpresence import DeltaPresence, subset_mask


def test_hand_worked_deltas():
    # class 0: 1 of 4 records in the subset (0.25); class 1: 2 of 2 (1.0); class 2: none (delta 0)
    stats = ClassStatistics(np.array([0, 0, 0, 0, 1, 1, 2]), np.array([4, 2, 1]),
                            context={"in_subset": np.array([1, 0, 0, 0, 1, 1, 0], dtype=bool)})
    model = DeltaPresence(delta_min=0.2, delta_max=0.5, subset="s.csv")
    assert model.deltas(stats).tolist() == [0.25, 1.0, 0.0]
    assert model.check(stats).tolist() == [True, False, False]
    assert DeltaPresence(delta_min=0.3, delta_max=1.0, subset="s.csv").check(stats).tolist() == [False, True, False]
    assert DeltaPresence(delta_min=0.0, delta_max=1.0, subset="s.csv").check(stats).tolist() == [True, True, True]


def test_subset_mask_handles_duplicates():
    data = pl.DataFrame({"a": ["x", "x", "y", "x"], "b": ["1", "1", "2", "1"]})
    assert subset_mask(data, pl.DataFrame({"a": ["x", "x"], "b": ["1", "1"]})).tolist() == [True, True, False, False]
    with pytest.raises(InputError, match="not rows of the data"):
        subset_mask(data, pl.DataFrame({"a": ["z"], "b": ["1"]}))


def test_adult_subset_is_a_subset(arx_data):
    data = pl.read_csv(arx_data / "adult" / "adult.csv", separator=";", infer_schema=False)
    subset = pl.read_csv(arx_data / "adult" / "adult_subset.csv", separator=";", infer_schema=False)
    mask = subset_mask(data, subset)
    assert int(mask.sum()) == subset.height
    # the marked rows are, as a multiset, the subset's rows
    picked = data.filter(pl.Series(mask)).sort(data.columns)
    assert picked.equals(subset.sort(subset.columns))


def test_missing_context():
    with pytest.raises(InputError, match="in_subset"):
        DeltaPresence(delta_min=0, delta_max=1, subset="s.csv").check(ClassStatistics(np.array([0]), np.array([1])))


@pytest.mark.parametrize("params", [
    {"delta_min": 0.6, "delta_max": 0.5, "subset": "s.csv"}, {"delta_min": -0.1, "delta_max": 0.5, "subset": "s.csv"},
    {"delta_min": 0.0, "delta_max": 0.5}, {"delta_min": 0.0, "delta_max": 1.5, "subset": "s.csv"},
    {"delta_min": 0.0, "delta_max": 0.5, "subset": "s.csv", "k": 1},
])
def test_bad_parameters(params):
    with pytest.raises(ConfigError):
        model_from_config({"delta-presence": params})


def test_class_without_subset_records_rejects_the_transformation_issue_9(tmp_path):
    # zip a: both records in the subset (delta 1); zip b: none (delta 0 < 0.1). Nothing of b can be
    # suppressed (it holds no subset record), so level 0 fails: releasing it would show that the
    # b people are not in the subset. Level 1 merges them: delta 2/4.
    from unlinkable.anonymizer import Anonymizer
    from unlinkable.hierarchies.hierarchy import Hierarchy

    data = pl.DataFrame({"zip": ["a", "a", "b", "b"]})
    pl.DataFrame({"zip": ["a", "a"]}).write_csv(tmp_path / "subset.csv")
    h = Hierarchy([["a", "ab", "*"], ["b", "ab", "*"]])
    privacy = [{"delta-presence": {"delta_min": 0.1, "delta_max": 1.0, "subset": str(tmp_path / "subset.csv")}}]
    a = Anonymizer(quasi_identifiers=["zip"], hierarchies={"zip": h}, privacy=privacy, suppression_limit=1.0,
                   metric="discernibility", progress=False)
    assert not a.score(data, {"zip": 0}).anonymous
    result = a.fit(data)
    assert result.transformation == {"zip": 1}
    # utility over the research subset: one class of its 2 records
    assert result.loss == 4.0


def test_suppression_budget_counts_subset_records_issue_9(tmp_path):
    # 10 records, subset = 4 of them; limit 0.25: ARX allows floor(0.25 * 4) = 1 subset record
    # (not floor(0.25 * 10) = 2). Level 0: class x holds 2 subset records of 2 (delta 1 > 0.6):
    # suppressing it needs 2 > 1, so level 0 fails.
    from unlinkable.anonymizer import Anonymizer
    from unlinkable.hierarchies.hierarchy import Hierarchy

    data = pl.DataFrame({"q": ["x", "x", "y", "y", "y", "y", "z", "z", "z", "z"]})
    pl.DataFrame({"q": ["x", "x", "y", "z"]}).write_csv(tmp_path / "subset.csv")
    h = Hierarchy([["x", "*"], ["y", "*"], ["z", "*"]])
    privacy = [{"delta-presence": {"delta_min": 0.0, "delta_max": 0.6, "subset": str(tmp_path / "subset.csv")}}]
    a = Anonymizer(quasi_identifiers=["q"], hierarchies={"q": h}, privacy=privacy, suppression_limit=0.25,
                   metric="discernibility", progress=False)
    scored = a.score(data, {"q": 0})
    assert scored.suppressed == 2 and not scored.anonymous
    assert a.fit(data).transformation == {"q": 1}
