"""One contract for every privacy model: validation, round trips, and the declared monotonicity.

The monotonicity flags follow ARX's meaning: ``monotone_generalization`` - if every class of a
transformation passes, every class of any coarser transformation passes (table-level models: the
table-level check keeps holding); ``monotone_suppression`` - the records in failing classes (which
must be suppressed) never increase when the transformation gets coarser.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from unlinkable.errors import ConfigError
from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.models import ModelContext, model_from_config
from unlinkable.models.base import ClassStatistics, SensitiveColumn

CONTEXT = ModelContext(population_size=10_000)

# job-file entries, one per model and variant
ENTRIES = [
    {"k-anonymity": {"k": 2}},
    {"l-diversity": {"attribute": "s", "variant": "distinct", "l": 2}},
    {"l-diversity": {"attribute": "s", "variant": "entropy", "l": 1.5}},
    {"l-diversity": {"attribute": "s", "variant": "recursive", "c": 2, "l": 2}},
    {"t-closeness": {"attribute": "s", "distance": "equal", "t": 0.3}},
    {"t-closeness": {"attribute": "s", "distance": "ordered", "t": 0.3}},
    {"t-closeness": {"attribute": "s", "distance": "hierarchical", "t": 0.3}},
    {"average-risk": {"threshold": 0.3}},
    {"sample-uniqueness": {"threshold": 0.1}},
    {"population-uniqueness": {"threshold": 0.1, "estimator": "zayatz"}},
    {"k-map": {"k": 3, "population": "/tmp/population.csv"}},
    {"k-map": {"k": 3, "estimator": "poisson", "significance": 0.05}},
    {"delta-presence": {"delta_min": 0.0, "delta_max": 0.7, "subset": "/tmp/subset.csv"}},
    {"delta-presence": {"delta_min": 0.3, "delta_max": 0.9, "subset": "/tmp/subset.csv"}},
    {"beta-likeness": {"attribute": "s", "variant": "basic", "beta": 1.0}},
    {"beta-likeness": {"attribute": "s", "variant": "enhanced", "beta": 1.0}},
    {"t-closeness": {"attribute": "s", "distance": "ordered", "t": 0.3, "order": ["40", "10", "30", "20"]}},
    {"t-closeness": {"attribute": "s", "distance": "ordered", "t": 0.3, "order": "lexicographic"}},
    {"l-diversity": {"attribute": "s", "variant": "entropy", "l": 1.5, "estimator": "grassberger"}},
    {"inclusion": {"subset": "/tmp/subset.csv"}},
    {"differential-privacy": {"epsilon": 2.0, "delta": 0.1, "generalization": "low-medium"}},
    {"profitability": {"variant": "no-attack", "attacker": "prosecutor", "adversary_gain": 10, "adversary_cost": 4}},
    {"profitability": {"variant": "no-attack", "attacker": "journalist", "subset": "/tmp/subset.csv",
                       "adversary_gain": 10, "adversary_cost": 4}},
]
IDS = [f"{next(iter(e))}-{i}" for i, e in enumerate(ENTRIES)]


def build(entry):
    return model_from_config(entry, CONTEXT)


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_round_trip_and_description(entry):
    model = build(entry)
    again = model_from_config(model.to_dict(), CONTEXT)
    assert type(again) is type(model) and again.to_dict() == model.to_dict()
    assert isinstance(model.describe(), str) and model.describe()
    assert repr(model).startswith(type(model).__name__)


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_unknown_parameter_is_rejected(entry):
    build(entry)
    (name, params), = entry.items()
    with pytest.raises(ConfigError):
        model_from_config({name: {**params, "bogus": 1}}, CONTEXT)


NUMERIC = ("k", "l", "t", "threshold", "delta_max", "beta", "epsilon", "adversary_gain", "adversary_cost")
WITH_NUMBERS = [(e, key) for e in ENTRIES for key in NUMERIC if key in next(iter(e.values()))]


def test_only_inclusion_has_no_numeric_parameter():
    assert [next(iter(e)) for e in ENTRIES if not any(e is x for x, _ in WITH_NUMBERS)] == ["inclusion"]


@pytest.mark.parametrize(("entry", "key"), WITH_NUMBERS, ids=[f"{next(iter(e))}-{key}" for e, key in WITH_NUMBERS])
def test_a_numeric_parameter_out_of_range_is_rejected(entry, key):
    build(entry)
    (name, params), = entry.items()
    with pytest.raises(ConfigError, match=key):
        model_from_config({name: {**params, key: -1}}, CONTEXT)


# ---------------------------------------------------------------------------------------------
# Monotonicity on random tables and random pairs of lattice nodes
# ---------------------------------------------------------------------------------------------

QI_HIERARCHY = Hierarchy([[str(v), str(v // 2), "*"] for v in range(4)])
S_HIERARCHY = Hierarchy([["10", "low", "*"], ["20", "low", "*"], ["30", "high", "*"], ["40", "high", "*"]])
S_VALUES = ("10", "20", "30", "40")


def statistics(qi_codes, levels, sensitive, in_subset):
    table = np.array([[v, v // 2, 0] for v in range(4)])  # QI_HIERARCHY as codes per level
    keys = np.stack([table[qi_codes[:, j], levels[j]] for j in range(qi_codes.shape[1])], axis=1)
    _, record_class = np.unique(keys, axis=0, return_inverse=True)
    record_class = record_class.ravel()
    sizes = np.bincount(record_class)
    col = SensitiveColumn("s", sensitive, S_VALUES, numeric=np.array([10.0, 20, 30, 40]),
                          hierarchy=S_HIERARCHY.encode(S_VALUES))
    # the population: the data twice over, generalized the same way
    population_counts = 2 * sizes
    return ClassStatistics(record_class, sizes, {"s": col},
                           context={"population_counts": population_counts, "in_subset": in_subset})


tables = st.integers(4, 24).flatmap(lambda n: st.tuples(
    st.lists(st.lists(st.integers(0, 3), min_size=2, max_size=2), min_size=n, max_size=n),
    st.lists(st.integers(0, 3), min_size=n, max_size=n),
    st.lists(st.booleans(), min_size=n, max_size=n),
))
NODES = list(itertools.product(range(3), repeat=2))


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
@settings(max_examples=30, deadline=None)
@given(data=tables, pair=st.tuples(st.sampled_from(NODES), st.sampled_from(NODES)))
def test_declared_monotonicity_holds(entry, data, pair):
    model = build(entry)
    fine, coarse = pair
    assume(all(a <= b for a, b in zip(fine, coarse)))
    qi, sens, subset = data
    qi = np.array(qi, dtype=np.int32)
    sens = np.array(sens, dtype=np.int32)
    subset = np.array(subset, dtype=bool)
    model.prepare(statistics(qi, (0, 0), sens, subset))
    a, b = statistics(qi, fine, sens, subset), statistics(qi, coarse, sens, subset)
    if model.per_class:
        ok_a, ok_b = model.check(a), model.check(b)
        if model.monotone_generalization and ok_a.all():
            assert ok_b.all()
        if model.monotone_suppression:
            assert a.sizes[~ok_a].sum() >= b.sizes[~ok_b].sum()
    elif model.monotone_generalization and next(iter(entry)) != "population-uniqueness":
        if model.holds(a, np.ones(a.classes, dtype=bool)):
            assert model.holds(b, np.ones(b.classes, dtype=bool))


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_keyword_class_equals_job_file_entry_issue_10(entry):
    # A model is its class and keyword parameters: the job-file entry, the class called with the
    # entry's parameters by keyword, and the model rebuilt from its own to_dict are one model.
    model = build(entry)
    name = next(iter(entry))
    assert model.name == name
    again = model_from_config(model.to_dict(), CONTEXT)
    assert again == model and hash(again) == hash(model)
    params = next(iter(model.to_dict().values()))
    keywords = {k: v for k, v in params.items() if k in type(model).parameters}
    assert type(model)(**keywords) == model
    with pytest.raises(TypeError):
        type(model)(*keywords.values())   # keyword-only: no positional parameters


def test_every_registered_class_declares_its_parameters():
    import importlib

    from unlinkable.models import REGISTRY
    from unlinkable.models.base import PrivacyModel, Variants

    for name, target in REGISTRY.items():
        module, _, attribute = target.partition(":")
        builder = getattr(importlib.import_module(f"unlinkable.models.{module}"), attribute)
        classes = builder.classes.values() if isinstance(builder, Variants) else [builder]
        for cls in classes:
            assert issubclass(cls, PrivacyModel) and cls.name == name and cls.parameters, cls


# ARX 3.9.2's isLocalRecodingSupported() of each entry's criterion, read from criteria/*.java
# (KMap: !isAccurate(), true with an estimator only). unlinkable supports a subset of them: it also
# refuses average-risk, inclusion and the prosecutor's profitability, which judge the whole table or
# a subset of it (a round of recoding holds only the suppressed records).
ARX_LOCAL_RECODING = {0: True, 1: True, 2: True, 3: True, 4: True, 5: True, 6: True, 7: True, 8: False, 9: False,
                      10: False, 11: True, 12: False, 13: False, 14: True, 15: True, 16: True, 17: True, 18: True,
                      19: True, 20: False, 21: True, 22: False}
UNLINKABLE_REFUSES = {"average-risk", "inclusion", "profitability"}


@pytest.mark.parametrize("index", range(len(ENTRIES)), ids=IDS)
def test_local_recoding_is_declared_by_the_model_issue_10(index):
    # the anonymizer asks the model (supports_local_recoding), never its type
    model = build(ENTRIES[index])
    assert model.supports_local_recoding == (ARX_LOCAL_RECODING[index] and model.name not in UNLINKABLE_REFUSES)
    if model.supports_local_recoding:
        assert model.for_local_recoding(1000).supports_local_recoding


def test_class_sizes_for_local_recoding_are_declared_issue_10():
    # ARX's getMinimalClassSize: k-anonymity its k (even 1), k-map with an estimator its derived k'
    # (k-anonymity in the rounds, ARX's KMap.clone(subset)), l-diversity ceil(l), others none
    kmap = model_from_config({"k-map": {"k": 3, "estimator": "poisson", "significance": 0.05}}, CONTEXT)
    assert kmap.required_class_size(1000) == kmap.effective_k(1000)
    assert kmap.for_local_recoding(1000) == model_from_config({"k-anonymity": {"k": kmap.effective_k(1000)}})
    assert build({"k-anonymity": {"k": 1}}).required_class_size(10) == 1
    assert build({"l-diversity": {"attribute": "s", "variant": "entropy", "l": 1.5}}).required_class_size(10) == 2
    assert build({"sample-uniqueness": {"threshold": 0.1}}).required_class_size(10) is None
