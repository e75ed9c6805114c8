"""Fail closed: every privacy model and every SDC step has an independent checker in verify.py."""

from __future__ import annotations

import polars as pl
import pytest

from unlinkable.errors import VerificationError
from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.models import REGISTRY as MODELS
from unlinkable.sdc.pipeline import REGISTRY as STEPS
from unlinkable.verify import model_checker, step_checker, verify_release


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_privacy_model_has_a_checker(name):
    assert callable(model_checker(name))


@pytest.mark.parametrize("name", sorted(STEPS))
def test_every_sdc_step_has_a_checker(name):
    assert callable(step_checker(name))


def test_unknown_model_and_step_fail_closed():
    with pytest.raises(VerificationError, match="no independent checker for the privacy model"):
        model_checker("beta-whatever")
    with pytest.raises(VerificationError, match="no independent checker for the SDC step"):
        step_checker("scramble")


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
