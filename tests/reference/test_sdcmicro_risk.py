"""assess() against sdcMicro 5.8.1's risk measures (reference/sdcmicro/*.json), full batteries."""

from __future__ import annotations

import math

import numpy as np
import pytest

import unlinkable

# (reference file, setup name) of every "full battery" on a createSdcObj(...) object
BATTERIES = [("testdata", "A_urbrur_water_sex_age"), ("testdata", "C_package_example_7keys"), ("francdat", "A_sdcObj_4keys")]


@pytest.fixture(scope="module", params=BATTERIES, ids=[f"{a}-{b}" for a, b in BATTERIES])
def battery(request, sdc_data, sdc_reference):
    dataset, setup = request.param
    ref = sdc_reference[dataset]["setups"][setup]
    result = unlinkable.assess(
        sdc_data / f"{dataset}.csv",
        quasi_identifiers=ref["keyVars"],
        weights=ref.get("weightVar"),
        household=ref.get("hhId"),
        max_subset_size=1,
    )
    return ref, result


def test_frequencies_and_individual_risk(battery):
    ref, result = battery
    records = result.records()
    assert records["fk"].to_list() == [float(v) for v in ref["risk"]["fk"]]
    assert records["Fk"].to_list() == [float(v) for v in ref["risk"]["Fk"]]
    assert records["individual_risk"].to_list() == ref["risk"]["indivRisk"]


def test_global_risk(battery):
    ref, result = battery
    g = ref["risk"]["global"]
    ir = result.to_dict()["individual_risk"]
    assert ir["expected_reidentifications"] == g["risk_ER"]
    assert ir["global_risk"] == g["risk"]
    assert ir["global_risk_pct"] == g["risk_pct"]
    assert ir["threshold"] == g["threshold"]
    assert ir["kanonymity_violations"] == ref["risk"]["kanon_violations"]
    if "n_higher_risk_than_main_part" in ref["risk"]:
        assert ir["records_higher_risk_than_main_part"] == ref["risk"]["n_higher_risk_than_main_part"]


def test_household_risk(battery):
    ref, result = battery
    if not ref.get("hhId"):
        pytest.skip("this setup has no household id")
    h = ref["risk"]["hierarchical"]
    ir = result.to_dict()["individual_risk"]
    assert ir["household_expected_reidentifications"] == h["hier_risk_ER"]
    assert ir["household_global_risk"] == h["hier_risk"]
    assert result.records()["household_risk"].to_list() == h["per_record"]


def test_suda2(battery):
    ref, result = battery
    s = ref["suda2"]
    records = result.records()
    assert records["suda2_score"].to_list() == [float(v) for v in s["score"]]
    np.testing.assert_allclose(records["dis_score"].to_numpy(), np.array(s["disScore"], dtype=float), rtol=1e-7, atol=0)
    contributions = result.to_dict()["suda2"]["attribute_contributions"]
    for name, value in s["attribute_contributions"].items():
        assert math.isclose(contributions[name], value, rel_tol=1e-12), name
    assert result.to_dict()["suda2"]["records_with_score"] == s["n_score_gt_0"]
