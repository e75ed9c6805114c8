"""Inclusion (ARX's Inclusion criterion): only the research subset is anonymized and released."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unlinkable.anonymizer import Anonymizer
from unlinkable.errors import ConfigError, NoSolutionError, VerificationError
from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.models import model_from_config
from unlinkable.models.inclusion import Inclusion
from unlinkable.verify import verify_release

AGE = Hierarchy([[str(a), f"{a // 10 * 10}-{a // 10 * 10 + 9}", "*"] for a in range(20, 60)])


def _anonymize(frame, privacy, limit=0.0):
    return Anonymizer(quasi_identifiers=["age"], hierarchies={"age": AGE}, privacy=privacy, suppression_limit=limit,
                      sensitive=["disease"], progress=False).fit(frame)


def test_hand_worked(tmp_path):
    # The whole table is 2-anonymous as it is; the subset {21, 22, 35, 35} is not: 21 and 22 are
    # alone, so age must go to decades. Rows outside the subset are withheld ('*').
    frame = pl.DataFrame({"age": ["21", "21", "22", "22", "35", "35", "35"],
                          "disease": ["a", "b", "a", "b", "a", "b", "c"]})
    subset = frame[[0, 2, 4, 5]]
    path = tmp_path / "subset.csv"
    subset.write_csv(path)
    privacy = [{"k-anonymity": {"k": 2}}, {"inclusion": {"subset": str(path)}}]
    result = _anonymize(frame, privacy)
    assert result.transformation == {"age": 1}
    assert result.table["age"].to_list() == ["20-29", "*", "20-29", "*", "30-39", "30-39", "*"]
    assert result.suppressed == 0 and result.equivalence_classes == 2
    models = [model_from_config(p) for p in privacy]
    verify_release(result.table, original=frame, quasi_identifiers=["age"], models=models, suppression_limit=0.0,
                   hierarchies={"age": AGE})
    # A release that shows a record outside the subset is refused.
    leaked = result.table.with_columns(age=pl.Series(["20-29", "20-29", "20-29", "*", "30-39", "30-39", "*"]))
    with pytest.raises(VerificationError, match="outside the research subset"):
        verify_release(leaked, original=frame, quasi_identifiers=["age"], models=models, suppression_limit=0.0,
                       hierarchies={"age": AGE})
    # Without inclusion the whole table is released at level 0.
    assert _anonymize(frame, privacy[:1]).transformation == {"age": 0}


@st.composite
def problems(draw):
    n = draw(st.integers(4, 40))
    rng = np.random.default_rng(draw(st.integers(0, 10_000)))
    frame = pl.DataFrame({"age": [str(a) for a in rng.integers(20, 60, n)],
                          "disease": [f"d{d}" for d in rng.integers(0, 3, n)]})
    rows = sorted(set(rng.integers(0, n, draw(st.integers(1, n))).tolist()))
    return frame, rows, draw(st.integers(1, 3)), draw(st.sampled_from([0.0, 0.2])), draw(st.booleans())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_equals_anonymizing_the_subset_alone(tmp_path_factory, problem):
    frame, rows, k, limit, diverse = problem
    path = tmp_path_factory.mktemp("inclusion") / "subset.csv"
    subset = frame[rows]
    subset.write_csv(path)
    privacy = [{"k-anonymity": {"k": k}}]
    if diverse:
        privacy.append({"l-diversity": {"attribute": "disease", "variant": "distinct", "l": 2}})
    try:
        alone = _anonymize(subset, privacy, limit)
    except (NoSolutionError, ConfigError):
        alone = None
    try:
        included = _anonymize(frame, privacy + [{"inclusion": {"subset": str(path)}}], limit)
    except (NoSolutionError, ConfigError):
        assert alone is None
        return
    assert alone is not None
    assert (included.transformation, included.loss_string, included.suppressed) == \
        (alone.transformation, alone.loss_string, alone.suppressed)
    # each subset row claims the first unclaimed equal row of the data (brute force)
    mask = np.zeros(frame.height, dtype=bool)
    data_rows = frame.rows()
    for row in subset.rows():
        mask[next(i for i, r in enumerate(data_rows) if r == row and not mask[i])] = True
    # the same released values (a duplicate subset row may claim an earlier equal row: compare as multisets)
    assert sorted(included.table.filter(pl.Series(mask))["age"].to_list()) == sorted(alone.table["age"].to_list())
    assert set(included.table.filter(pl.Series(~mask))["age"].to_list()) <= {"*"}


def test_configuration(tmp_path):
    m = model_from_config({"inclusion": {"subset": "s.csv"}})
    assert isinstance(m, Inclusion) and model_from_config(m.to_dict()).to_dict() == m.to_dict()
    with pytest.raises(ConfigError, match="subset"):
        model_from_config({"inclusion": {}})
    frame = pl.DataFrame({"age": ["21", "22"], "disease": ["a", "b"]})
    path = tmp_path / "s.csv"
    frame.write_csv(path)
    with pytest.raises(ConfigError, match="both define a research subset"):
        _anonymize(frame, [{"inclusion": {"subset": str(path)}},
                           {"delta-presence": {"delta_min": 0, "delta_max": 1, "subset": str(path)}}])
