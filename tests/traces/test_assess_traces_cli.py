"""``unlinkable assess`` on a trajectory job file: JSON attacks and unicity, per-user records."""

from __future__ import annotations

import json
import math
import re
from datetime import datetime, timedelta
from itertools import combinations

import numpy as np
import polars as pl
import pytest

from unlinkable.cli import main
from unlinkable.traces.assess import assess_traces
from unlinkable.traces.resolution import EARTH_RADIUS_M, Space

NAMES = {"LocationAttack": "location", "LocationSequenceAttack": "location_sequence",
         "LocationTimeAttack": "location_time", "UniqueLocationAttack": "unique_location",
         "LocationFrequencyAttack": "location_frequency", "LocationProbabilityAttack": "location_probability",
         "LocationProportionAttack": "location_proportion", "HomeWorkAttack": "home_work"}

JOB = """input: {path: %s}
trajectories: {user: uid, lat: lat, lng: lng, time: datetime}
assess:
  attacks:
    - location: {k: 2}
    - location_sequence: {k: 2}
    - location_time: {k: 2, time_precision: hour}
    - unique_location: {k: 2}
    - location_frequency: {k: 2, tolerance: 0.0}
    - location_probability: {k: 2, tolerance: 0.0}
    - location_proportion: {k: 2, tolerance: 0.0}
    - home_work: {}
  unicity: {p: [1, 2], mode: exact, space: {grid_m: 1000}, time: {bin: 1h}}
"""


@pytest.fixture(scope="module")
def reference(shared_dir):
    entries = json.loads((shared_dir / "reference" / "mobility" / "skmob_toy.json").read_text())["attacks"]
    out = {}
    for e in entries:
        name, k = re.match(r"^(\w+)(?:\(k=(\d+))?", e["attack"]).groups()
        out["home_work" if name == "HomeWorkAttack" else f"{NAMES[name]}_k{k}"] = e
    return out


def test_cli_figures_and_records_match_skmob(tmp_path, shared_dir, reference):
    data = shared_dir / "data" / "mobility" / "privacy_toy.csv"
    (tmp_path / "job.yaml").write_text(JOB % data)
    out, rec = tmp_path / "out.json", tmp_path / "users.csv"
    assert main(["assess", str(tmp_path / "job.yaml"), "--json", str(out), "--records", str(rec)]) == 0
    figures = json.loads(out.read_text())
    assert len(figures["attacks"]) == 8
    for a in figures["attacks"]:
        column = "home_work" if a["attack"] == "home_work" else f"{a['attack']}_k{a['k']}"
        assert a["mean_risk"] == pytest.approx(reference[column]["mean_risk"], abs=2e-6)
        assert a["users_at_risk_1"] == reference[column]["n_risk_1"]
    assert [u["p"] for u in figures["unicity"]] == [1, 2] and all(u["exact"] for u in figures["unicity"])
    users = pl.read_csv(rec)
    listed = {c: e for c, e in reference.items() if c.endswith("_k2") or c == "home_work"}
    assert users.columns[0] == "user" and set(users.columns[1:]) == set(listed)
    for column, entry in listed.items():
        got = dict(zip(users["user"].cast(pl.String), users[column]))
        assert got == pytest.approx(entry["risk"], abs=5e-7)
    # no coordinate or time stamp in any output
    toy = pl.read_csv(data)
    written = out.read_text() + rec.read_text()
    for value in [*toy["lat"].cast(pl.String).to_list()[:5], *toy["datetime"].to_list()[:5]]:
        assert value not in written


def _brute_unicity(rows, p):
    """eps_p by definition: per eligible user, the share of its p-sets of (cell, bin) no other user holds."""
    sets = {}
    for u, cell, b in rows:
        sets.setdefault(u, set()).add((cell, b))
    shares = []
    for u, mine in sets.items():
        if len(mine) < p:
            continue
        subsets = list(combinations(sorted(mine), p))
        alone = sum(not any(set(s) <= other for v, other in sets.items() if v != u) for s in subsets)
        shares.append(alone / len(subsets))
    return sum(shares) / len(shares)


def test_unicity_at_a_grid_and_bin_equals_brute_force():
    rng = np.random.default_rng(11)
    n = 300
    base = datetime(2024, 3, 1)
    frame = pl.DataFrame({"u": rng.integers(0, 25, n), "lat": 45 + rng.random(n) * 0.05, "lng": 7 + rng.random(n) * 0.05,
                          "t": [base + timedelta(minutes=int(m)) for m in rng.integers(0, 600, n)]})
    rows = []
    for u, lat, lng, t in frame.iter_rows():
        x = EARTH_RADIUS_M * math.radians(lng) * math.cos(math.radians(lat))
        y = EARTH_RADIUS_M * math.radians(lat)
        rows.append((u, (math.floor(x / 1500), math.floor(y / 1500)), int(t.timestamp()) // 7200))
    result = assess_traces(frame, user="u", lat="lat", lng="lng", time="t", attacks=[], ps=[1, 2, 3], mode="exact",
                           space=Space(grid_m=1500), time_bin="2h")
    for u in result.unicity:
        assert u.value == pytest.approx(_brute_unicity(rows, u.p), abs=1e-12)


@pytest.mark.parametrize(("job", "text"), [
    ("trajectories: {user: uid, lat: lat}\n", "either place or both lat and lng"),
    ("trajectories: {user: uid, place: lat}\nassess: {attacks: [{locaton: {k: 2}}]}\n", "did you mean 'location'"),
    ("trajectories: {user: uid, place: lat}\nassess: {attacks: [{location_time: {k: 2}}]}\n", "needs a time column"),
    ("trajectories: {user: uid, place: lat}\nassess: {attacks: [{location: {k: 2, tolerance: 0.1}}]}\n", "unknown key 'tolerance'"),
    ("trajectories: {user: uid, place: lat, time: datetime}\nassess: {unicity: {time: {bin: 1 hour}}}\n", "is not a time bin"),
    ("trajectories: {user: uid, place: lat}\nassess: {attacks: [location, location]}\n", "listed twice"),
])
def test_bad_job_exits_2_and_writes_nothing(tmp_path, shared_dir, capsys, job, text):
    data = shared_dir / "data" / "mobility" / "privacy_toy.csv"
    (tmp_path / "job.yaml").write_text(f"input: {{path: {data}}}\n" + job)
    out = tmp_path / "out.json"
    assert main(["assess", str(tmp_path / "job.yaml"), "--json", str(out)]) == 2
    assert text in capsys.readouterr().err
    assert not out.exists()


def test_bad_value_names_file_column_and_row(tmp_path, capsys):
    (tmp_path / "t.csv").write_text("uid,lat,lng\n1,45.0,7.0\n2,north,7.0\n")
    (tmp_path / "job.yaml").write_text("input: {path: t.csv}\ntrajectories: {user: uid, lat: lat, lng: lng}\n")
    out = tmp_path / "out.json"
    assert main(["assess", str(tmp_path / "job.yaml"), "--json", str(out)]) == 2
    err = capsys.readouterr().err
    assert "t.csv" in err and "'lat' row 2" in err
    assert not out.exists()


def test_report_shows_figures_and_aggregated_cells_only(tmp_path):
    from unlinkable.traces.synthetic import synthetic_traces

    frame = synthetic_traces(300, points=10, n_places=80, seed=9)
    frame.write_csv(tmp_path / "stays.csv")
    (tmp_path / "job.yaml").write_text(
        "input: {path: stays.csv}\ntrajectories: {user: user, lat: lat, lng: lng, time: time}\n"
        "assess: {attacks: [{location: {k: 2}}, home_work], unicity: {p: [2], space: {grid_m: 2000}, time: {bin: 1d}},\n"
        "         curve: {p: 2, space: [1000, 5000], time: [1d, 1w]}}\n")
    report = tmp_path / "r.html"
    assert main(["assess", str(tmp_path / "job.yaml"), "--report", str(report), "--json", str(tmp_path / "o.json")]) == 0
    html = report.read_text()
    for section in ("Re-identification attacks", "Unicity against resolution", "What to do", "Where people are"):
        assert section in html
    for value in frame["lat"].cast(pl.String).to_list()[:20] + frame["time"].cast(pl.String).to_list()[:20]:
        assert value not in html
    # every drawn cell has at least the smallest count (10 users): the tooltips say how many
    counts = [int(n.replace(",", "")) for n in re.findall(r"<title>([\d,]+) users</title>", html)]
    assert counts and min(counts) >= 10
    assert "map" not in json.loads((tmp_path / "o.json").read_text())


def test_preprocessing_in_the_job_file(tmp_path):
    base = datetime(2024, 3, 4, 8)
    rows = []
    for u in range(6):
        # a long stay at one of two places, a GPS glitch far away, then a second stay
        rows += [(u, 45.0 + (u % 2) * 0.01, 7.0, base + timedelta(minutes=m)) for m in (0, 10, 25, 40)]
        rows += [(u, 48.0, 9.0, base + timedelta(minutes=41))]
        rows += [(u, 45.05, 7.05, base + timedelta(minutes=m)) for m in (90, 100, 130, 140)]
    pl.DataFrame(rows, schema=["uid", "lat", "lng", "t"], orient="row").write_csv(tmp_path / "gps.csv")
    (tmp_path / "job.yaml").write_text(
        "input: {path: gps.csv}\ntrajectories: {user: uid, lat: lat, lng: lng, time: t}\n"
        "preprocess: {speed_filter: {}, stay_points: {}, space: {grid_m: 2000}, time: {bin: 1d}}\n"
        "assess: {attacks: [{location: {k: 2}}], unicity: {p: [1]}}\n")
    out = tmp_path / "o.json"
    assert main(["assess", str(tmp_path / "job.yaml"), "--json", str(out)]) == 0
    figures = json.loads(out.read_text())
    assert figures["preprocess"]["speed_filter"] == {"points_in": 54, "dropped": 6}
    # each user: the 40-minute stay; the second run ends at the user's last point (140 - 90 > 20 minutes)
    assert figures["preprocess"]["stay_points"] == {"points_in": 48, "stays": 12}
    assert figures["points"] == 12
    # cells of 2 km: users 0, 2, 4 share their first cell, 1, 3, 5 theirs; everyone shares the second
    assert figures["attacks"][0]["mean_risk"] == pytest.approx(1 / 3)


def test_unicity_at_h3_cells_equals_brute_force():
    h3 = pytest.importorskip("h3")
    rng = np.random.default_rng(12)
    n = 200
    frame = pl.DataFrame({"u": rng.integers(0, 20, n), "lat": 45 + rng.random(n) * 0.03, "lng": 7 + rng.random(n) * 0.03})
    rows = [(u, h3.latlng_to_cell(lat, lng, 9), 0) for u, lat, lng in frame.iter_rows()]
    result = assess_traces(frame, user="u", lat="lat", lng="lng", attacks=[], ps=[1, 2], mode="exact", space=Space(h3=9))
    for u in result.unicity:
        assert u.value == pytest.approx(_brute_unicity(rows, u.p), abs=1e-12)


def test_parquet_input_and_pandas_frames_give_the_same_figures(tmp_path):
    from unlinkable.traces.synthetic import synthetic_traces

    frame = synthetic_traces(80, points=6, n_places=30, seed=4)
    frame.write_parquet(tmp_path / "s.parquet")
    frame.write_csv(tmp_path / "s.csv")
    outs = []
    for name in ("s.parquet", "s.csv"):
        (tmp_path / "job.yaml").write_text(f"input: {{path: {name}}}\ntrajectories: {{user: user, lat: lat, lng: lng, time: time}}\n")
        out = tmp_path / f"{name}.json"
        assert main(["assess", str(tmp_path / "job.yaml"), "--json", str(out)]) == 0
        outs.append(json.loads(out.read_text()))
    assert outs[0] == outs[1]
    columns = {"user": "user", "lat": "lat", "lng": "lng", "time": "time"}
    from_pandas = assess_traces(frame.to_pandas(), **columns, ps=[2], mode="exact").to_dict()
    from_polars = assess_traces(frame, **columns, ps=[2], mode="exact").to_dict()
    assert from_pandas == from_polars
