"""Fail closed: every privacy model and every SDC step has an independent checker in verify.py."""

from __future__ import annotations

import polars as pl
import pytest

from unlinkable.errors import VerificationError
from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.models import REGISTRY as MODELS
from unlinkable.points.anonymize import MODELS as POINTS_MODELS
from unlinkable.sdc.pipeline import REGISTRY as STEPS
from unlinkable.verify import model_checker, step_checker, verify_release
from unlinkable.verify_points import points_model_checker


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_privacy_model_has_a_checker(name):
    assert callable(model_checker(name))


@pytest.mark.parametrize("name", sorted(STEPS))
def test_every_sdc_step_has_a_checker(name):
    assert callable(step_checker(name))


@pytest.mark.parametrize("name", sorted(POINTS_MODELS))
def test_every_set_valued_model_has_a_checker(name):
    assert callable(points_model_checker(name))


def test_unknown_model_and_step_fail_closed():
    with pytest.raises(VerificationError, match="no independent checker for the privacy model"):
        model_checker("beta-whatever")
    with pytest.raises(VerificationError, match="no independent checker for the SDC step"):
        step_checker("scramble")
    with pytest.raises(VerificationError, match="no independent checker for the set-valued privacy model"):
        points_model_checker("k-anonymity")


class _Claim:
    """A model as the verifier sees it: its ``to_dict()`` parameters."""

    def __init__(self, spec):
        self.spec = spec

    def to_dict(self):
        return self.spec


def _release(models):
    h = Hierarchy([["a", "*"], ["b", "*"]])
    table = pl.DataFrame({"q": ["*", "*"]})
    verify_release(table, original=pl.DataFrame({"q": ["a", "b"]}), quasi_identifiers=["q"], models=models,
                   suppression_limit=0.0, hierarchies={"q": h})


def test_a_release_under_an_unchecked_model_is_refused():
    with pytest.raises(VerificationError, match="no independent checker for the privacy model 'plug-in'"):
        _release([_Claim({"plug-in": {}})])  # a model the verifier has never heard of


@pytest.mark.parametrize("spec", [
    {"l-diversity": {"attribute": "q", "variant": "grassberger", "l": 2}},
    {"t-closeness": {"attribute": "q", "distance": "ordered-text", "t": 0.5}},
    {"population-uniqueness": {"threshold": 0.5, "estimator": "guess", "population_size": 10}},
    {"k-map": {"k": 2, "estimator": "guess", "significance": 0.01, "population_size": 10}},
])
def test_an_unknown_variant_fails_closed(spec):
    with pytest.raises(VerificationError, match="no independent check for"):
        _release([_Claim(spec)])


# --- an empty release: accepted exactly where the models accept it, refused elsewhere ---------------

_NOT_STAR = Hierarchy([["a", "ab"], ["b", "ab"], ["c", "c"]])  # no level is '*': a '*' row is suppressed


def _empty_release(models, *, limit=1.0):
    verify_release(pl.DataFrame({"q": ["*"] * 4}), original=pl.DataFrame({"q": ["a", "a", "b", "c"]}),
                   quasi_identifiers=["q"], models=models, suppression_limit=limit, hierarchies={"q": _NOT_STAR})


@pytest.mark.parametrize("spec", [
    {"average-risk": {"threshold": 0.01}},
    {"sample-uniqueness": {"threshold": 0.0}},
    {"population-uniqueness": {"threshold": 0.0, "estimator": "pitman", "population_size": 100}},
])
def test_an_empty_release_holds_where_the_model_says_it_does(spec):
    import numpy as np

    from unlinkable.models import model_from_config
    from unlinkable.models.base import ClassStatistics

    model = model_from_config(spec)
    stats = ClassStatistics(np.array([0, 0, 1, 2]), np.array([2, 1, 1]))
    nothing = np.zeros(3, dtype=bool)
    # The model's own verdict on "every class suppressed" (ARX: "All suppressed" holds) ...
    assert not model.per_class and model.holds(stats, nothing)
    # ... and the verifier's, from the text alone.
    _empty_release([_Claim(spec)])


@pytest.mark.parametrize("spec, message", [
    ({"population-uniqueness": {"threshold": 0.5, "estimator": "guess", "population_size": 100}}, "no independent check for"),
    ({"l-diversity": {"attribute": "q", "variant": "guess", "l": 2}}, "no independent check for"),
    ({"plug-in": {}}, "no independent checker for the privacy model"),
])
def test_an_empty_release_still_fails_closed_on_what_cannot_be_checked(spec, message):
    with pytest.raises(VerificationError, match=message):
        _empty_release([_Claim(spec)])


def test_an_empty_release_beyond_the_suppression_limit_is_refused():
    with pytest.raises(VerificationError, match=r"suppresses 4 records, more than the limit floor\(0.5 x 4\) = 2"):
        _empty_release([_Claim({"average-risk": {"threshold": 0.5}})], limit=0.5)
