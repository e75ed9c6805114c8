"""ARX's attribute weights in the Loss aggregate (ILMultiDimensionalGeometricMean)."""

from __future__ import annotations

import math

import pytest

import unlinkable
from unlinkable.errors import ConfigError
from unlinkable.utility import metric_from_name
from unlinkable.utility.aggregate import geometric_mean_loss


def test_weighted_aggregate_hand_worked():
    # ARX weighs the loss, not the factor: losses (1, 0.5), weights (1, 0.5):
    # sqrt(1*1 + 1) * sqrt(0.5*0.5 + 1) - 1 = sqrt(2 * 1.25) - 1 = sqrt(2.5) - 1
    assert math.isclose(geometric_mean_loss([1.0, 0.5], [1.0, 0.5]), math.sqrt(2.5) - 1.0, rel_tol=1e-15)
    # a weight of 0 leaves the attribute out: (1*1 + 1)^(1/2) * (0 + 1)^(1/2) - 1
    assert geometric_mean_loss([1.0, 1.0], [1.0, 0.0]) == math.pow(2.0, 0.5) - 1.0
    # unweighted: sqrt(2) - 1
    assert geometric_mean_loss([1.0, 0.0]) == math.pow(2.0, 0.5) * 1.0 - 1.0


def test_weights_are_divided_by_the_largest():
    m = metric_from_name({"name": "loss", "weights": {"a": 4, "b": 2}})
    m.bind_attributes(["a", "b", "c"])
    assert m._wvec == [1.0, 0.5, 0.125]  # c defaults to 0.5 as in ARX, then everything / 4


def test_equal_weights_reproduce_arx(arx_data, arx_reference):
    ref = next(c for c in arx_reference["adult"]["configurations"] if c["id"] == "k2_supp0_loss_qi9")
    qis = ref["quasi_identifiers"]
    hierarchies = {q: arx_data / "adult" / f"adult_hierarchy_{q}.csv" for q in qis}
    result = unlinkable.Anonymizer(quasi_identifiers=qis, hierarchies=hierarchies, privacy=[{"k-anonymity": {"k": 2}}],
                                   metric={"name": "loss", "weights": {q: 3 for q in qis}},
                                   progress=False).fit(arx_data / "adult" / "adult.csv", delimiter=";")
    assert result.transformation == ref["optimum"]["levels"]
    assert result.loss == ref["information_loss"]["value"]


@pytest.mark.parametrize("metric, match", [
    ({"name": "loss", "weights": {"nope": 1}}, "not a quasi-identifier"),
    ({"name": "loss", "weights": {"a": 0}}, "weights.a"),
    ({"name": "discernibility", "weights": {"a": 1}}, "takes no options"),
])
def test_bad_weights(metric, match):
    with pytest.raises(ConfigError, match=match):
        unlinkable.Anonymizer(quasi_identifiers=["a"], hierarchies={"a": unlinkable.Hierarchy([["x", "*"]])},
                              privacy=[{"k-anonymity": {"k": 1}}], metric=metric)
