import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unlinkable.anonymizer import Anonymizer
from unlinkable.errors import ConfigError, NoSolutionError
from unlinkable.hierarchies.hierarchy import Hierarchy

ZIP = Hierarchy([["81667", "8166*", "816**", "*"], ["81675", "8167*", "816**", "*"],
                 ["81925", "8192*", "819**", "*"], ["81931", "8193*", "819**", "*"]])
AGE = Hierarchy([["34", "<50", "*"], ["45", "<50", "*"], ["66", ">=50", "*"], ["70", ">=50", "*"]])


def _frame():
    # ARX Example 2's table without gender
    return pl.DataFrame({"age": ["34", "45", "66", "70", "34", "70", "45"],
                         "zipcode": ["81667", "81675", "81925", "81931", "81931", "81931", "81931"],
                         "name": list("abcdefg")})


def test_k2_hand_worked():
    # zipcode at level 2 gives classes {816**: 2, 819**: 5}; with age at level 1 the 816** class splits
    # only if ages differ in <50/>=50: 34, 45 -> both <50, so (1, 2) works; lower sums fail by hand.
    res = Anonymizer(quasi_identifiers=["age", "zipcode"], hierarchies={"age": AGE, "zipcode": ZIP},
                     privacy=[{"k-anonymity": {"k": 2}}], identifiers=["name"], progress=False).fit(_frame())
    assert res.table.columns == ["age", "zipcode"]
    sizes = res.table.group_by(["age", "zipcode"]).len()["len"]
    assert sizes.min() >= 2
    assert res.suppressed == 0 and res.optimal
    d = res.to_dict()
    for key in ("transformation", "metric", "loss", "loss_per_attribute", "suppressed", "equivalence_classes",
                "optimal", "nodes_checked", "runtime_s", "loss_string", "min_class_size", "lattice"):
        assert key in d


def test_pandas_in_pandas_out():
    res = Anonymizer(quasi_identifiers=["age", "zipcode"], hierarchies={"age": AGE, "zipcode": ZIP},
                     privacy=[{"k-anonymity": {"k": 2}}], identifiers=["name"], progress=False).fit(_frame().to_pandas())
    assert isinstance(res.table, pd.DataFrame)


def test_suppression_marks_every_qi():
    res = Anonymizer(quasi_identifiers=["age", "zipcode"], hierarchies={"age": AGE, "zipcode": ZIP},
                     privacy=[{"k-anonymity": {"k": 2}}], suppression_limit=0.5, metric="discernibility",
                     insensitive=["name"], progress=False).fit(_frame())
    stars = res.table.filter(pl.col("age") == "*")
    assert stars.height == res.suppressed
    assert (stars["zipcode"] == "*").all()
    assert stars["name"].to_list() == [n for n in _frame()["name"].to_list() if n in stars["name"].to_list()]


def test_k_larger_than_n():
    with pytest.raises(ConfigError, match="number of records"):
        Anonymizer(quasi_identifiers=["age"], hierarchies={"age": AGE}, privacy=[{"k-anonymity": {"k": 10}}],
                   identifiers=["name", "zipcode"], progress=False).fit(_frame())


def test_missing_hierarchy_and_unknown_sensitive():
    with pytest.raises(ConfigError, match="no hierarchy"):
        Anonymizer(quasi_identifiers=["age", "zipcode"], hierarchies={"age": AGE}, privacy=[{"k-anonymity": {"k": 2}}])
    with pytest.raises(ConfigError, match="unknown sensitive attribute"):
        Anonymizer(quasi_identifiers=["age"], hierarchies={"age": AGE}, privacy=[{"k-anonymity": {"k": 2}}],
                   sensitive="disease", progress=False).fit(_frame())


def test_no_solution_lists_candidates():
    # a hierarchy without a full '*' level: k = 7 needs one class of all 7 records, impossible at 0%
    short = Hierarchy([[v, v] for v in ["34", "45", "66", "70"]])
    with pytest.raises(NoSolutionError) as info:
        Anonymizer(quasi_identifiers=["age"], hierarchies={"age": short}, privacy=[{"k-anonymity": {"k": 7}}],
                   identifiers=["name", "zipcode"], progress=False).fit(_frame())
    assert "closest candidates" in info.value.message and info.value.candidates


def test_heuristic_flagged_not_optimal():
    res = Anonymizer(quasi_identifiers=["age", "zipcode"], hierarchies={"age": AGE, "zipcode": ZIP},
                     privacy=[{"k-anonymity": {"k": 2}}], search="heuristic", time_limit_s=5,
                     identifiers=["name"], progress=False).fit(_frame())
    assert res.optimal is False and res.table.group_by(["age", "zipcode"]).len()["len"].min() >= 2


@pytest.mark.parametrize("search, extra", [("lightning", {"step_limit": 10}), ("top-down", {}),
                                           ("genetic", {"seed": 5, "step_limit": 10})])
def test_arx_heuristics_release_a_verified_table(search, extra):
    from unlinkable.verify import verify_release

    a = Anonymizer(quasi_identifiers=["age", "zipcode"], hierarchies={"age": AGE, "zipcode": ZIP},
                   privacy=[{"k-anonymity": {"k": 2}}], search=search, identifiers=["name"], progress=False, **extra)
    res = a.fit(_frame())
    assert res.optimal is False and res.nodes_checked <= max(extra.get("step_limit", 99), 2)
    verify_release(res.table, original=_frame(), quasi_identifiers=["age", "zipcode"], models=a.models,
                   suppression_limit=0.0, hierarchies={"age": AGE, "zipcode": ZIP}, identifiers=["name"])
    if search == "genetic":   # same seed, same result
        assert Anonymizer(quasi_identifiers=["age", "zipcode"], hierarchies={"age": AGE, "zipcode": ZIP},
                          privacy=[{"k-anonymity": {"k": 2}}], search=search, identifiers=["name"], progress=False,
                          **extra).fit(_frame()).table.equals(res.table)


@pytest.mark.parametrize("options, message", [
    ({"search": "genetic"}, "the genetic search needs a seed"),
    ({"search": "lightning", "seed": 1}, "draws no random numbers"),
    ({"search": "optimal", "step_limit": 10}, "heuristic searches only"),
    ({"search": "lightning", "step_limit": 0}, "'step_limit' parameter must be"),
    ({"search": "genetic", "seed": 2**63}, "'seed' parameter must be"),
    ({"search": "lightnig"}, "unknown search algorithm"),
])
def test_search_options_are_checked_at_the_boundary(options, message):
    with pytest.raises(ConfigError, match=message):
        Anonymizer(quasi_identifiers=["age"], hierarchies={"age": AGE}, privacy=[{"k-anonymity": {"k": 2}}], **options)


def _k2(**roles):
    return Anonymizer(quasi_identifiers=["age", "zipcode"], hierarchies={"age": AGE, "zipcode": ZIP},
                      privacy=[{"k-anonymity": {"k": 2}}], progress=False, **roles)


def test_a_column_without_a_role_is_an_error_that_names_it():
    # issue 8: nothing is released that nobody looked at; insensitive is a choice, not a default
    with pytest.raises(ConfigError, match="data: column 'name' has no role"):
        _k2().fit(_frame())
    with pytest.raises(ConfigError, match="column 'name' is both identifier and insensitive"):
        _k2(identifiers=["name"], insensitive=["name"]).fit(_frame())
    with pytest.raises(ConfigError, match="the insensitive column 'nmae' is not in the data"):
        _k2(identifiers=["name"], insensitive=["nmae"]).fit(_frame())


def test_a_kept_insensitive_column_that_singles_out_records_is_measured():
    # every name is different: kept as is, it makes all 7 records unique, alone and with the QIs
    res = _k2(insensitive=["name"]).fit(_frame())
    assert res.table["name"].to_list() == list("abcdefg")
    figures = res.to_dict()["released_uniqueness"]
    assert figures["columns"] == ["age", "zipcode", "name"]
    assert figures["unique_records"] == 7 and figures["sample_uniques"] == 1.0
    assert figures["kept_columns"] == [{"column": "name", "alone": 1.0, "with_quasi_identifiers": 1.0, "warn": True}]
    assert res.to_dict()["roles"] == {"age": "quasi-identifier", "zipcode": "quasi-identifier",
                                                        "name": "insensitive"}


@pytest.mark.parametrize("limit", [0.0, 0.5])
def test_uniques_counted_on_classes_equal_brute_force_on_the_released_text(limit):
    from collections import Counter

    res = _k2(identifiers=["name"]).fit(_frame()) if limit == 0 else Anonymizer(
        quasi_identifiers=["age", "zipcode"], hierarchies={"age": AGE, "zipcode": ZIP},
        privacy=[{"k-anonymity": {"k": 3}}], suppression_limit=limit, identifiers=["name"], progress=False).fit(_frame())
    rows = list(res.table.select(["age", "zipcode"]).iter_rows())
    counts = Counter(rows)
    unique = sum(1 for r in rows if counts[r] == 1)
    figures = res.released_uniqueness
    assert figures["quasi_identifier_uniques"] == unique / len(rows) and figures["unique_records"] == unique


#: small tables of ages and zip codes, k and a suppression limit: at least 4 records and k <= 4, so
#: the top of both hierarchies is one class of them all and a solution always exists (no error to excuse)
SMALL_FITS = dict(rows=st.lists(st.tuples(st.sampled_from(["34", "45", "66", "70"]),
                                          st.sampled_from(["81667", "81675", "81925", "81931"])), min_size=4, max_size=25),
                  k=st.integers(2, 4), limit=st.sampled_from([0.0, 0.3, 1.0]))


def _fit_small(rows, k, limit):
    frame = pl.DataFrame(rows, schema=["age", "zipcode"], orient="row")
    return Anonymizer(quasi_identifiers=["age", "zipcode"], hierarchies={"age": AGE, "zipcode": ZIP},
                      privacy=[{"k-anonymity": {"k": k}}], suppression_limit=limit, progress=False).fit(frame)


@settings(max_examples=40, deadline=None)
@given(**SMALL_FITS)
def test_released_uniqueness_equals_brute_force(rows, k, limit):
    from collections import Counter

    res = _fit_small(rows, k, limit)
    released = list(res.table.iter_rows())
    counts = Counter(released)
    assert res.released_uniqueness["unique_records"] == sum(1 for r in released if counts[r] == 1)


def test_sensitive_attribute_without_a_model_is_warned_about_issue_9():
    # ARX rejects a sensitive attribute that no privacy model uses; unlinkable releases it and warns
    from unlinkable.anonymizer import UnprotectedSensitiveWarning

    a = Anonymizer(quasi_identifiers=["age"], hierarchies={"age": AGE}, privacy=[{"k-anonymity": {"k": 2}}],
                   sensitive="disease", identifiers=["name", "zipcode"], progress=False)
    with pytest.warns(UnprotectedSensitiveWarning, match="disease"):
        result = a.fit(_frame().with_columns(disease=pl.Series(list("xyxyxyx"))))
    assert result.unprotected_sensitive == ["disease"]
    assert result.to_dict()["unprotected_sensitive"] == ["disease"]
    protected = Anonymizer(quasi_identifiers=["age"], hierarchies={"age": AGE}, identifiers=["name", "zipcode"],
                           privacy=[{"k-anonymity": {"k": 2}},
                                    {"l-diversity": {"attribute": "disease", "variant": "distinct", "l": 1}}],
                           sensitive="disease", progress=False)
    assert protected.unprotected_sensitive() == []


def test_two_anonymizers_sharing_one_metric_keep_their_own_weights_issue_10():
    # Binding the weights to one anonymizer's quasi-identifiers must not rebind them for the other.
    import polars as pl

    from unlinkable.hierarchies.hierarchy import Hierarchy
    from unlinkable.utility.loss import LossMetric

    shared = LossMetric(weights={"a": 4.0})
    h = Hierarchy([["1", "*"], ["2", "*"]])
    frame = pl.DataFrame({"a": ["1", "2", "1", "2"], "b": ["1", "1", "2", "2"]})
    first = Anonymizer(quasi_identifiers=["a", "b"], hierarchies={"a": h, "b": h}, privacy=[{"k-anonymity": {"k": 2}}],
                       metric=shared, progress=False)
    alone = Anonymizer(quasi_identifiers=["a", "b"], hierarchies={"a": h, "b": h}, privacy=[{"k-anonymity": {"k": 2}}],
                       metric=LossMetric(weights={"a": 4.0}), progress=False)
    bound = list(first.metric._wvec)
    Anonymizer(quasi_identifiers=["b", "a"], hierarchies={"a": h, "b": h}, privacy=[{"k-anonymity": {"k": 2}}],
               metric=shared, progress=False).fit(frame)
    assert first.metric._wvec == bound == alone.metric._wvec   # bound to (a, b) by each anonymizer alike
    assert first.fit(frame).loss == alone.fit(frame).loss
    assert shared._wvec is None and shared._counts is None   # the caller's instance is untouched


@settings(max_examples=40, deadline=None)
@given(**SMALL_FITS)
def test_the_claimed_release_rows_group_the_released_table(rows, k, limit):
    # the rows the fit hands the CSV writer (each record's class, one more for the suppressed):
    # records with the same number have the same released row, and (brute force) records with
    # the same released row share one number, except that a whole-'*' class may stand beside
    # the suppressed records
    res = _fit_small(rows, k, limit)
    assert res.release_rows is not None
    ids, count = res.release_rows()
    released = list(res.table.iter_rows())
    assert ids.shape == (len(released),) and 0 <= ids.min() and ids.max() < count
    row_of: dict[int, tuple] = {}
    for number, row in zip(ids.tolist(), released):
        assert row_of.setdefault(number, row) == row
    numbers_of: dict[tuple, set] = {}
    for number, row in zip(ids.tolist(), released):
        numbers_of.setdefault(row, set()).add(number)
    assert all(len(n) == 1 or row == ("*", "*") for row, n in numbers_of.items())
