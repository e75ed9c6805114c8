"""The eight attacks against scikit-mobility 1.3.1's own results on its toy data (all 22 entries).

Expected risks are read from ``shared/reference/mobility/skmob_toy.json`` (rounded to 6 decimals
there); the attack and its k are parsed from skmob's class names in the file.
"""

from __future__ import annotations

import json
import re

import polars as pl
import pytest

from unlinkable.traces import attack_risk

#: skmob's class names -> ours (names, not values)
NAMES = {"LocationAttack": "location", "LocationSequenceAttack": "location_sequence",
         "LocationTimeAttack": "location_time", "UniqueLocationAttack": "unique_location",
         "LocationFrequencyAttack": "location_frequency", "LocationProbabilityAttack": "location_probability",
         "LocationProportionAttack": "location_proportion", "HomeWorkAttack": "home_work"}
PATTERN = re.compile(r"^(\w+)(?:\(k=(\d+)(?:,(Hour|Day|Month|Year|Minute|Second))?(?:,tol=([0-9.]+))?\))?$")


@pytest.fixture(scope="module")
def toy(shared_dir):
    return pl.read_csv(shared_dir / "data" / "mobility" / "privacy_toy.csv")


@pytest.fixture(scope="module")
def entries(shared_dir):
    return json.loads((shared_dir / "reference" / "mobility" / "skmob_toy.json").read_text())["attacks"]


def test_every_entry_matches(toy, entries):
    assert len(entries) == 22
    seen = set()
    for entry in entries:
        match = PATTERN.match(entry["attack"])
        assert match, entry["attack"]
        name, k, precision, tolerance = match.groups()
        attack = NAMES[name]
        result = attack_risk(toy, user="uid", lat="lat", lng="lng", time="datetime", attack=attack, k=int(k or 1),
                             time_precision=(precision or "hour").lower(), tolerance=float(tolerance or 0.0))
        got = dict(zip((str(u) for u in result["uid"]), result["risk"]))
        assert got.keys() == entry["risk"].keys(), entry["attack"]
        for uid, expected in entry["risk"].items():
            assert got[uid] == pytest.approx(expected, abs=5e-7), (entry["attack"], uid)
        assert sum(got.values()) / len(got) == pytest.approx(entry["mean_risk"], abs=2e-6), entry["attack"]
        assert sum(v == 1.0 for v in got.values()) == entry["n_risk_1"], entry["attack"]
        seen.add(attack)
    assert seen == set(NAMES.values())


def test_no_coordinate_or_time_in_the_result(toy):
    result = attack_risk(toy, user="uid", lat="lat", lng="lng", time="datetime", attack="location_time", k=2)
    assert result.columns == ["uid", "risk"]
