"""The set-valued verifier rejects what does not hold: a tampered recoding, a broken model, too much suppression."""

from __future__ import annotations

import pytest

from unlinkable.errors import VerificationError
from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.verify_points import verify_points_release

H = Hierarchy([["milk", "drink", "*"], ["tea", "drink", "*"], ["bread", "food", "*"], ["hiv", "hiv", "*"]])
ORIGINAL = [["milk"], ["tea"], ["bread", "milk"]]
KM = [{"km-anonymity": {"k": 2, "m": 1}}]


def test_a_global_generalization_that_holds_passes():
    verify_points_release([["*"], ["*"], ["*"]], original=ORIGINAL, hierarchy=H, models=KM)
    recoding = {"milk": "drink", "tea": "drink", "bread": None}
    verify_points_release([["drink"], ["drink"], ["drink"]], original=ORIGINAL, hierarchy=H, models=KM,
                          generalization=recoding, suppression_limit=0.25)


def test_a_recoding_not_applied_everywhere_is_refused():
    with pytest.raises(VerificationError, match="not one global recoding"):  # milk shown two ways
        verify_points_release([["drink"], ["drink"], ["food", "milk"]], original=ORIGINAL, hierarchy=H, models=KM)
    with pytest.raises(VerificationError, match="not one global recoding"):  # the claimed recoding is not what was released
        verify_points_release([["drink"], ["drink"], ["drink"]], original=ORIGINAL, hierarchy=H, models=KM,
                              generalization={"milk": "drink", "tea": "drink", "bread": "food"})
    with pytest.raises(VerificationError, match="not one of its ancestors"):
        verify_points_release([["food"], ["drink"], ["food"]], original=ORIGINAL, hierarchy=H, models=KM,
                              generalization={"milk": "food", "tea": "drink", "bread": "food"})


def test_a_model_that_does_not_hold_is_refused():
    with pytest.raises(VerificationError, match="km-anonymity does not hold"):
        verify_points_release([["drink"], ["drink"], ["bread", "drink"]], original=ORIGINAL, hierarchy=H, models=KM)
    with pytest.raises(VerificationError, match="within a class"):
        verify_points_release([["*"], ["*"], ["*"]], original=ORIGINAL, hierarchy=H, models=KM, classes=[0, 1, 1])


def test_suppression_beyond_the_budget_is_refused():
    recoding = {"milk": "drink", "tea": "drink", "bread": None}
    with pytest.raises(VerificationError, match="more than the 0 allowed"):
        verify_points_release([["drink"], ["drink"], ["drink"]], original=ORIGINAL, hierarchy=H, models=KM,
                              generalization=recoding, suppression_limit=0.2)


def test_rho_uncertainty_is_checked_by_rule_confidence():
    original = [["milk", "hiv"], ["tea"], ["bread"]]
    rho = [{"rho-uncertainty": {"rho": 0.6, "sensitive_items": ["hiv"], "m": 1}}]
    with pytest.raises(VerificationError, match="rho-uncertainty does not hold: 1 rule"):
        verify_points_release(original, original=original, hierarchy=H, models=rho)
    verify_points_release([["drink", "hiv"], ["drink"], ["bread"]], original=original, hierarchy=H, models=rho)
    with pytest.raises(VerificationError, match="sensitive item is generalized"):
        verify_points_release([["drink", "*"], ["drink"], ["bread"]], original=original, hierarchy=H, models=rho,
                              generalization={"milk": "drink", "tea": "drink", "bread": "bread", "hiv": "*"})


def test_an_unknown_model_fails_closed():
    with pytest.raises(VerificationError, match="no independent checker"):
        verify_points_release([["*"], ["*"], ["*"]], original=ORIGINAL, hierarchy=H, models=[{"l-diversity": {}}])


def test_records_left_out_must_be_those_without_items_or_of_a_class():
    recoding = {"milk": "drink", "tea": "drink", "bread": None}
    original = [["milk"], ["tea"], ["bread"]]
    limit = 0.4  # one of three occurrences
    verify_points_release([["drink"], ["drink"], None], original=original, hierarchy=H, models=KM,
                          generalization=recoding, suppression_limit=limit)
    with pytest.raises(VerificationError, match="record 3: a record with no item is released"):
        verify_points_release([["drink"], ["drink"], []], original=original, hierarchy=H, models=KM,
                              generalization=recoding, suppression_limit=limit)
    with pytest.raises(VerificationError, match="record 1: a record with items left is not released"):
        verify_points_release([None, ["drink"], None], original=original, hierarchy=H, models=KM,
                              generalization=recoding, suppression_limit=limit)
    with pytest.raises(VerificationError, match="left out but no recoding is claimed"):
        verify_points_release([["drink"], ["drink"], None], original=original, hierarchy=H, models=KM)
    # with classes a record may be left out (record suppression), and the models see the released records only
    with pytest.raises(VerificationError, match="km-anonymity does not hold"):
        verify_points_release([None, ["drink"], None], original=original, hierarchy=H, models=KM,
                              generalization=recoding, suppression_limit=limit, classes=[0, 0, 1])


def test_k_anonymity_of_the_released_classes_is_rechecked():
    recoding = {"milk": "drink", "tea": "drink", "bread": None}
    original = [["milk"], ["tea"], ["bread"], ["milk"]]
    released = [["drink"], ["drink"], None, ["drink"]]
    verify_points_release(released, original=original, hierarchy=H, models=KM, generalization=recoding,
                          suppression_limit=0.25, classes=[("a",), ("a",), ("b",), ("a",)], k_anonymity=3)
    with pytest.raises(VerificationError, match="k-anonymity does not hold: 1 class"):
        verify_points_release(released, original=original, hierarchy=H, models=[], generalization=recoding,
                              suppression_limit=0.25, classes=[("a",), ("a",), ("b",), ("b",)], k_anonymity=2)
