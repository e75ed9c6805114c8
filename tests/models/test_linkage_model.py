"""The linkage privacy model, driven with hand-built ClassStatistics (as the engine will pass them)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from unlinkable.errors import ConfigError, InputError
from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.models import ModelContext, model_from_config
from unlinkable.models.base import ClassStatistics
from unlinkable.models.linkage import LinkageModel

AGE_H = Hierarchy([[str(a), f"[{a // 10 * 10}, {a // 10 * 10 + 10}[", "*"] for a in range(20, 40)])
AUX = pl.DataFrame({"AGE": ["21", "25", "33", "34", "38"], "sex": ["m", "m", "f", "f", "m"]})


def stats_for(labels_age, labels_sex, sizes, hierarchies=None):
    sizes = np.asarray(sizes)
    record_class = np.repeat(np.arange(len(sizes)), sizes)
    ctx = {"class_labels": {"age": labels_age, "sex": labels_sex}}
    if hierarchies:
        ctx["hierarchies"] = hierarchies
    return ClassStatistics(record_class, sizes, context=ctx)


def test_hand_worked_share_and_holds():
    # Classes (age band, sex) with sizes:
    #   ([20, 30[, m) x3 -> aux 21 m, 25 m: 2 candidates
    #   ([30, 40[, f) x2 -> aux 33 f, 34 f: 2 candidates
    #   ([30, 40[, m) x1 -> aux 38 m: 1 candidate  -> a unique link
    #   ([20, 30[, f) x4 -> no aux record: 0 candidates
    stats = stats_for(["[20, 30[", "[30, 40[", "[30, 40[", "[20, 30["], ["m", "f", "m", "f"], [3, 2, 1, 4],
                      hierarchies={"age": AGE_H})
    model = LinkageModel(auxiliary=AUX, on={"age": "AGE", "sex": "sex"}, max_unique_link_share=0.1)
    assert model.class_candidates(stats).tolist() == [2, 2, 1, 0]
    everything = np.ones(4, dtype=bool)
    assert model.unique_link_share(stats, everything) == pytest.approx(1 / 10)
    assert model.holds(stats, everything)
    assert not LinkageModel(auxiliary=AUX, on={"age": "AGE", "sex": "sex"}, max_unique_link_share=0.05).holds(stats, everything)
    # Suppressing the unique class: suppressed records match all 5 aux records, share 0.
    assert model.unique_link_share(stats, np.array([True, True, False, True])) == 0.0


def test_agrees_with_exposure_on_the_materialised_release():
    from unlinkable.linkage.exposure import exposure

    rng = np.random.default_rng(0)
    ages = rng.integers(20, 40, 60).astype(str)
    sexes = rng.choice(["m", "f"], 60)
    aux = pl.DataFrame({"AGE": ages[:40], "sex": sexes[:40]})
    bands = np.array([AGE_H.generalize(a, 1) for a in ages[20:]])
    rel = pl.DataFrame({"age": bands, "sex": sexes[20:]})
    classes = rel.group_by(["age", "sex"], maintain_order=True).len()
    stats = stats_for(classes["age"].to_list(), classes["sex"].to_list(), classes["len"].to_numpy(), {"age": AGE_H})
    model = LinkageModel(auxiliary=aux, on={"age": "AGE", "sex": "sex"}, max_unique_link_share=0.0)
    e = exposure(rel, aux, on={"age": "AGE", "sex": "sex"}, hierarchies={"age": AGE_H}, what_if=False)
    assert model.unique_link_share(stats, np.ones(stats.classes, dtype=bool)) == pytest.approx(e.unique_link_share)


def test_not_monotone_under_generalization_example():
    # The documented counter-example: raw age 22 has no aux match (0); generalized to [20, 30[ it
    # matches only aux 21 -> 1 candidate, a unique link appears.
    aux = pl.DataFrame({"AGE": ["21"], "sex": ["m"]})
    model = LinkageModel(auxiliary=aux, on={"age": "AGE", "sex": "sex"}, max_unique_link_share=0.0, hierarchies={"age": AGE_H})
    raw = stats_for(["22"], ["m"], [1])
    gen = stats_for(["[20, 30["], ["m"], [1])
    assert model.unique_link_share(raw, np.array([True])) == 0.0
    assert model.unique_link_share(gen, np.array([True])) == 1.0
    assert model.monotone_generalization is False
    assert model.monotone_suppression is False  # one-record auxiliary table
    assert LinkageModel(auxiliary=AUX, on={"age": "AGE", "sex": "sex"}, max_unique_link_share=0.0).monotone_suppression is True


def test_from_config_and_errors(tmp_path):
    (tmp_path / "voters.csv").write_text("AGE,sex\n21,m\n33,f\n")
    model = model_from_config({"linkage": {"auxiliary": "voters.csv", "on": {"age": "AGE", "sex": "sex"},
                                           "max_unique_link_share": 0.01}}, ModelContext(base_dir=tmp_path))
    assert isinstance(model, LinkageModel) and model.per_class is False
    assert model.to_dict()["linkage"]["max_unique_link_share"] == 0.01
    assert "voters.csv" in model.describe()
    with pytest.raises(ConfigError, match="max_unique_link_share"):
        model_from_config({"linkage": {"auxiliary": "voters.csv", "on": ["sex"]}}, ModelContext(base_dir=tmp_path))
    with pytest.raises(ConfigError, match="max_unique_link_share"):
        LinkageModel(auxiliary=AUX, on=["sex"], max_unique_link_share=1.5)
    with pytest.raises(InputError, match="'zip'"):
        LinkageModel(auxiliary=AUX, on=["zip"], max_unique_link_share=0.1)
    with pytest.raises(ConfigError, match="unknown parameter"):
        model_from_config({"linkage": {"auxiliary": "voters.csv", "on": ["sex"], "max_unique_link_share": 0.1, "k": 2}},
                          ModelContext(base_dir=tmp_path))
    with pytest.raises(ConfigError, match="class_labels"):
        LinkageModel(auxiliary=AUX, on=["sex"], max_unique_link_share=0.1).holds(ClassStatistics(np.array([0]), np.array([1])), np.array([True]))


def test_engine_native_context_with_the_real_generalizer():
    # Drive the model with the engine's own structures (Generalizer, NodeClasses.gen, maps) for
    # every transformation of a small lattice, and compare with exposure() on the release
    # materialised by generalizing each column with its hierarchy.
    import itertools

    from unlinkable.data.table import encode_column
    from unlinkable.linkage.exposure import exposure
    from unlinkable.transform.generalize import Generalizer

    sex_h = Hierarchy([["m", "*"], ["f", "*"]])
    rng = np.random.default_rng(5)
    data = pl.DataFrame({"age": rng.integers(20, 40, 80).astype(str), "sex": rng.choice(["m", "f"], 80)})
    aux = pl.DataFrame({"AGE": rng.integers(20, 40, 50).astype(str), "sex": rng.choice(["m", "f"], 50)})
    names, hs = ["age", "sex"], {"age": AGE_H, "sex": sex_h}
    encoded = [encode_column(data[n]) for n in names]
    maps = [hs[n].encode(e.dictionary) for n, e in zip(names, encoded)]
    g = Generalizer(np.column_stack([e.codes for e in encoded]), maps)
    for model_h in (None, hs):
        model = LinkageModel(auxiliary=aux, on={"age": "AGE", "sex": "sex"}, max_unique_link_share=0.05, hierarchies=model_h)
        for levels in itertools.product(range(AGE_H.levels), range(sex_h.levels)):
            nc = g.classes(levels)
            stats = ClassStatistics(np.zeros(0, dtype=np.int64), nc.sizes, context={
                "quasi_identifiers": names, "maps": maps, "levels": levels, "class_codes": nc.gen, "n": data.height})
            stats = ClassStatistics(np.repeat(np.arange(nc.classes), nc.sizes), nc.sizes, context=stats.context)
            release = data.with_columns([pl.col(n).replace_strict({r[0]: r[lv] for r in hs[n].rows}).alias(n)
                                         for n, lv in zip(names, levels)])
            e = exposure(release, aux, on={"age": "AGE", "sex": "sex"}, hierarchies=hs, what_if=False)
            got = model.unique_link_share(stats, np.ones(nc.classes, dtype=bool))
            assert got == pytest.approx(e.unique_link_share), levels


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(20, 39), st.sampled_from(["m", "f"])), min_size=2, max_size=15),
       st.lists(st.tuples(st.integers(20, 39), st.sampled_from(["m", "f"]), st.integers(1, 4)), min_size=1, max_size=8),
       st.data())
def test_suppression_never_raises_the_share_and_generalization_never_lowers_counts(aux_rows, classes, data):
    aux = pl.DataFrame({"AGE": [str(a) for a, _ in aux_rows], "sex": [s for _, s in aux_rows]})
    model = LinkageModel(auxiliary=aux, on={"age": "AGE", "sex": "sex"}, max_unique_link_share=0.0, hierarchies={"age": AGE_H})
    raw = stats_for([str(a) for a, _, _ in classes], [s for _, s, _ in classes], [k for _, _, k in classes])
    gen = stats_for([AGE_H.generalize(str(a), 1) for a, _, _ in classes], [s for _, s, _ in classes],
                    [k for _, _, k in classes])
    # Monotone suppression (aux has >= 2 records): suppressing any classes never adds unique links.
    released = np.array(data.draw(st.lists(st.booleans(), min_size=len(classes), max_size=len(classes))))
    everything = np.ones(len(classes), dtype=bool)
    assert model.unique_link_share(raw, released) <= model.unique_link_share(raw, everything)
    # Generalization only widens each class's candidate set.
    assert (model.class_candidates(gen) >= model.class_candidates(raw)).all()
