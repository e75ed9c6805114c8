"""Trajectory k-anonymity: releases checked by brute force, the verifier refusing bad releases, the CLI."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from itertools import combinations

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unlinkable.cli import main
from unlinkable.errors import NoSolutionError, VerificationError
from unlinkable.traces.kanonymity import home_work_mask, trajectory_k_anonymize
from unlinkable.traces.release import anonymize_traces
from unlinkable.traces.resolution import EARTH_RADIUS_M
from unlinkable.traces.synthetic import synthetic_traces
from unlinkable.verify_traces import verify_trace_release

COLUMNS = {"user": "u", "lat": "lat", "lng": "lng", "time": "t"}
BASE = datetime(2024, 5, 6)


def holds_by_brute_force(release: pl.DataFrame, k: int, p: int) -> bool:
    """Every released user's every min(p, n) distinct (lat, lng, time) points are held by >= k users."""
    sets: dict[int, set] = {}
    for row in release.iter_rows():
        sets.setdefault(row[0], set()).add(row[1:])
    for mine in sets.values():
        for chosen in combinations(sorted(mine), min(p, len(mine))):
            if sum(set(chosen) <= other for other in sets.values()) < k:
                return False
    return True


def _frame(rows):
    return pl.DataFrame({"u": [r[0] for r in rows], "lat": [45.0 + r[1] * 0.004 for r in rows],
                         "lng": [7.0 + r[2] * 0.004 for r in rows], "t": [BASE + timedelta(hours=r[3]) for r in rows]})


def _holders(rows, grid_m: float, width: int) -> dict[tuple[int, int, int], set[int]]:
    """The users holding each (grid cell, time bin) of _frame(rows), projected as traces/resolution.py documents."""
    holders: dict[tuple[int, int, int], set[int]] = {}
    for user, a, b, hours in rows:
        lat, lng = math.radians(45.0 + a * 0.004), math.radians(7.0 + b * 0.004)
        seconds = int((BASE + timedelta(hours=hours)).replace(tzinfo=UTC).timestamp())
        key = (math.floor(EARTH_RADIUS_M * lng * math.cos(lat) / grid_m), math.floor(EARTH_RADIUS_M * lat / grid_m), seconds // width)
        holders.setdefault(key, set()).add(user)
    return holders


ROWS = st.lists(st.tuples(st.integers(0, 11), st.integers(0, 4), st.integers(0, 4), st.integers(0, 30)), min_size=4, max_size=60)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=ROWS, k=st.integers(2, 3), p=st.integers(1, 3))
def test_every_release_holds_by_brute_force(rows, k, p):
    try:
        release = anonymize_traces(_frame(rows), COLUMNS, k=k, p=p, space=[300, 1000], time=["1h", "1d"],
                                   point_suppression=1.0, user_suppression=1.0)
    except NoSolutionError:
        # with both budgets at 1 a level fails only when it would release no point, which keeping one point
        # held by k users would avoid: so no (cell, time bin) of any level is held by k users
        for grid_m in (300, 1000):
            for width in (3600, 86400):
                assert max(len(users) for users in _holders(rows, grid_m, width).values()) < k
        return
    assert holds_by_brute_force(release.points, k, p)
    figures = release.to_dict()
    assert figures["users"]["released"] == release.points["user"].n_unique()
    assert figures["points"]["released"] == release.points.height
    # the least loss among the feasible levels tried
    feasible = [t for t in figures["levels_tried"] if t["feasible"]]
    assert figures["loss"] == min(t["loss"] for t in feasible)


def test_loss_is_the_documented_sum():
    frame = synthetic_traces(300, points=10, n_places=60, seed=2).rename({"user": "u", "time": "t"})
    release = trajectory_k_anonymize(frame, COLUMNS, k=3, p=1, space=[500, 2000, 8000], time=["1h", "1d"],
                                     user_suppression=0.5, point_suppression=0.5)
    for t in release.to_dict()["levels_tried"]:
        space = math.log(t["grid_m"] / 500) / math.log(8000 / 500)
        time = math.log((3600 if t["time_bin"] == "1h" else 86400) / 3600) / math.log(24)
        assert t["loss"] == pytest.approx(space + time + (3000 - t["points_released"]) / 3000, abs=1e-12)


@pytest.fixture(scope="module")
def released():
    frame = synthetic_traces(400, points=8, n_places=40, seed=5).rename({"user": "u", "time": "t"})
    return anonymize_traces(frame, COLUMNS, k=3, p=2, space=[2000, 10000], time=["1d", "1w"],
                            user_suppression=0.5, point_suppression=0.5)


def test_verifier_refuses_a_tampered_release(released):
    points, width = released.points, {"1d": 86400, "1w": 604800}[released.time_bin]
    ok = {"k": released.k, "p": released.p, "grid_m": released.grid_m, "bin_s": width}
    verify_trace_release(points, **ok)
    # one released user's points alone: each is held by that user only, fewer than k
    with pytest.raises(VerificationError, match="does not hold"):
        verify_trace_release(points.filter(pl.col("user") == points["user"][0]), **ok)
    with pytest.raises(VerificationError, match="centre"):
        verify_trace_release(points.with_columns(pl.col("lat") + 0.001), **ok)
    with pytest.raises(VerificationError, match="start of"):
        verify_trace_release(points.with_columns(pl.col("time") + timedelta(hours=1)), **ok)
    with pytest.raises(VerificationError, match="columns"):
        verify_trace_release(points.drop("time"), **ok)


def test_verifier_refuses_a_user_alone(released):
    points = released.points
    alone = pl.DataFrame({"user": [10**9], "lat": [points["lat"][0]], "lng": [points["lng"][0]],
                          "time": [points["time"].max() + timedelta(weeks=10)]}).cast(points.schema)
    width = {"1d": 86400, "1w": 604800}[released.time_bin]
    with pytest.raises(VerificationError, match="does not hold: 1 released user"):
        verify_trace_release(pl.concat([points, alone]), k=released.k, p=released.p, grid_m=released.grid_m, bin_s=width)


def test_home_work_mask_equals_brute_force():
    rng = np.random.default_rng(4)
    n = 200
    user = rng.integers(0, 8, n)
    lat, lng = 45 + rng.random(n) * 0.03, 7 + rng.random(n) * 0.03
    near = home_work_mask(user, lat, lng, 8, grid_m=500, radius_m=700)

    def xy(a, b):
        return (EARTH_RADIUS_M * math.radians(b) * math.cos(math.radians(a)), EARTH_RADIUS_M * math.radians(a))

    expected = []
    for i in range(n):
        cells: dict = {}
        for j in range(n):
            if user[j] == user[i]:
                x, y = xy(lat[j], lng[j])
                c = (math.floor(y / 500), math.floor(x / 500))
                cells[c] = cells.get(c, 0) + 1
        top = sorted(cells, key=lambda c: (-cells[c], (c[0] << 32) + (c[1] + (1 << 31))))[:2]
        x, y = xy(lat[i], lng[i])
        centres = []
        for row, col in top:
            phi = (row + 0.5) * 500 / EARTH_RADIUS_M
            cx = (col + 0.5) * 500
            centres.append(xy(math.degrees(phi), math.degrees(cx / (EARTH_RADIUS_M * math.cos(phi)))))
        expected.append(any((x - a) ** 2 + (y - b) ** 2 <= 700 ** 2 for a, b in centres))
    assert near.tolist() == expected


JOB = """input: {path: stays.csv}
trajectories: {user: user, lat: lat, lng: lng, time: time}
assess: {attacks: [{location: {k: 2}}, home_work]}
privacy: [{trajectory-k-anonymity: {k: 3, p: 2}}]
anonymize: {space: [2000, 10000], time: [1d, 1w], user_suppression: 0.5, point_suppression: 0.5%s}
output: {path: released.csv, report: report.html}
seed: 3
"""


def test_cli_writes_a_verified_release_and_its_figures(tmp_path):
    synthetic_traces(300, points=8, n_places=40, seed=6).write_csv(tmp_path / "stays.csv")
    (tmp_path / "job.yaml").write_text(JOB % ", home_work: {radius_m: 200}")
    assert main(["anonymize", str(tmp_path / "job.yaml"), "--json", str(tmp_path / "out.json")]) == 0
    figures = json.loads((tmp_path / "out.json").read_text())
    released = pl.read_csv(tmp_path / "released.csv", try_parse_dates=True)
    assert released.columns == ["user", "lat", "lng", "time"]
    assert holds_by_brute_force(released, 3, 2)
    assert figures["points"]["home_work_suppressed"] > 0
    before = {a["attack"]: a["mean_risk"] for a in figures["risk"]["before"]}
    after = {a["attack"]: a["mean_risk"] for a in figures["risk"]["after"]}
    assert after["home_work"] < before["home_work"] and after["location"] <= 1 / 3 + 1e-12
    html = (tmp_path / "report.html").read_text()
    assert "The release" in html and "Mean risk after" in html
    # same job, same seed: the same bytes
    first = (tmp_path / "released.csv").read_bytes()
    (tmp_path / "released.csv").unlink()
    assert main(["anonymize", str(tmp_path / "job.yaml")]) == 0
    assert (tmp_path / "released.csv").read_bytes() == first
    # as Parquet: the same points, times as datetimes
    (tmp_path / "parquet.yaml").write_text((JOB % ", home_work: {radius_m: 200}").replace("released.csv", "released.parquet"))
    assert main(["anonymize", str(tmp_path / "parquet.yaml")]) == 0
    assert pl.read_parquet(tmp_path / "released.parquet").equals(released)


def test_no_solution_and_failed_verification_write_nothing(tmp_path, monkeypatch):
    synthetic_traces(50, points=8, n_places=400, seed=6).write_csv(tmp_path / "stays.csv")
    (tmp_path / "job.yaml").write_text((JOB % "").replace("user_suppression: 0.5", "user_suppression: 0.0"))
    assert main(["anonymize", str(tmp_path / "job.yaml"), "--json", str(tmp_path / "out.json")]) == 2
    assert not (tmp_path / "released.csv").exists() and not (tmp_path / "out.json").exists()
    assert not (tmp_path / "report.html").exists()

    import unlinkable.traces.release as release_module

    def refuse(*args, **kwargs):
        raise VerificationError("refused", hint="test")

    monkeypatch.setattr(release_module, "verify_trace_release", refuse)
    (tmp_path / "job.yaml").write_text(JOB % "")
    assert main(["anonymize", str(tmp_path / "job.yaml"), "--json", str(tmp_path / "out.json")]) != 0
    assert not (tmp_path / "released.csv").exists() and not (tmp_path / "out.json").exists()


def test_levels_over_budget_stop_early_and_the_json_is_strict():
    frame = synthetic_traces(200, points=8, n_places=40, seed=7).rename({"user": "u", "time": "t"})
    release = trajectory_k_anonymize(frame, COLUMNS, k=3, p=1, space=[250, 20000], time=["1h", "1w"],
                                     point_suppression=0.2, user_suppression=0.0)
    figures = json.loads(json.dumps(release.to_dict(), allow_nan=False))
    stopped = [t for t in figures["levels_tried"] if not t["checked"]]
    assert stopped and all(t["loss"] is None and not t["feasible"] for t in stopped)
    assert holds_by_brute_force(release.points, 3, 1)


def test_home_work_coarsening_moves_anchored_points_and_lowers_the_risk(tmp_path):
    synthetic_traces(300, points=8, n_places=40, seed=6).write_csv(tmp_path / "stays.csv")
    (tmp_path / "job.yaml").write_text(JOB % ", home_work: {radius_m: 200, coarsen_m: 8000}")
    assert main(["anonymize", str(tmp_path / "job.yaml"), "--json", str(tmp_path / "out.json")]) == 0
    figures = json.loads((tmp_path / "out.json").read_text())
    assert figures["points"]["home_work_coarsened"] > 0 and figures["points"]["home_work_suppressed"] == 0
    before = {a["attack"]: a["mean_risk"] for a in figures["risk"]["before"]}
    after = {a["attack"]: a["mean_risk"] for a in figures["risk"]["after"]}
    assert after["home_work"] < before["home_work"]
    assert holds_by_brute_force(pl.read_csv(tmp_path / "released.csv", try_parse_dates=True), 3, 2)
