"""Trajectory k-anonymity over H3 resolutions: releases on H3 cell centres, checked by brute force and by h3 itself."""

from __future__ import annotations

import json
import math

import polars as pl
import pytest

from unlinkable.cli import main
from unlinkable.errors import ConfigError, VerificationError
from unlinkable.traces.kanonymity import space_levels
from unlinkable.traces.release import anonymize_traces
from unlinkable.traces.synthetic import synthetic_traces
from unlinkable.verify_traces import verify_trace_release

h3 = pytest.importorskip("h3")

COLUMNS = {"user": "u", "lat": "lat", "lng": "lng", "time": "t"}


def _brute_force_holds(release: pl.DataFrame, k: int, p: int) -> bool:
    from itertools import combinations

    sets: dict[int, set] = {}
    for row in release.iter_rows():
        sets.setdefault(row[0], set()).add(row[1:])
    return all(sum(set(chosen) <= other for other in sets.values()) >= k
               for mine in sets.values() for chosen in combinations(sorted(mine), min(p, len(mine))))


@pytest.fixture(scope="module")
def frame() -> pl.DataFrame:
    return synthetic_traces(300, points=8, n_places=40, seed=5).rename({"user": "u", "time": "t"})


@pytest.fixture(scope="module")
def released(frame: pl.DataFrame):
    return anonymize_traces(frame, COLUMNS, k=3, p=2, space=[{"h3": 7}, {"h3": 9}, {"h3": 8}], time=["1d", "1w"],
                            user_suppression=0.5, point_suppression=0.5)


def test_levels_are_ordered_by_cell_size_and_coarseness_uses_it(frame: pl.DataFrame) -> None:
    figures = anonymize_traces(frame, COLUMNS, k=3, p=2, space=[50000, {"h3": 8}, {"h3": 6}, {"h3": 5}], time=["1d", "1w"],
                               user_suppression=0.5, point_suppression=0.5).to_dict()
    sizes = {f"h3 {r}": math.sqrt(h3.average_hexagon_area(r, "m^2")) for r in (8, 6, 5)} | {"grid": 50000.0}
    labels = [f"h3 {t['h3']}" if "h3" in t else "grid" for t in figures["levels_tried"]]
    assert labels == ["h3 8", "h3 8", "h3 6", "h3 6", "h3 5", "h3 5", "grid", "grid"]
    for t, label in zip(figures["levels_tried"], labels):
        if t["loss"] is None:
            continue
        space = math.log(sizes[label] / sizes["h3 8"]) / math.log(50000.0 / sizes["h3 8"])
        time = 0.0 if t["time_bin"] == "1d" else 1.0
        assert t["loss"] == pytest.approx(space + time + (2400 - t["points_released"]) / 2400, abs=1e-12)


def test_an_h3_release_sits_on_h3_centres_and_holds(released) -> None:
    assert released.h3 == 9 and released.grid_m is None
    assert released.to_dict()["resolution"] == {"h3": released.h3, "time_bin": released.time_bin}
    points = released.points
    assert points.select("lat", "lng").n_unique() > 1
    for lat, lng in points.select("lat", "lng").unique().iter_rows():
        centre = h3.cell_to_latlng(h3.latlng_to_cell(lat, lng, released.h3))
        assert (round(centre[0], 6), round(centre[1], 6)) == (lat, lng)
    assert _brute_force_holds(points, 3, 2)


def test_the_verifier_checks_h3_centres(released) -> None:
    width = {"1d": 86400, "1w": 604800}[released.time_bin]
    ok = {"k": 3, "p": 2, "grid_m": None, "bin_s": width, "h3": released.h3}
    verify_trace_release(released.points, **ok)
    with pytest.raises(VerificationError, match="H3 cell of resolution"):
        verify_trace_release(released.points.with_columns(pl.col("lat") + 0.0001), **ok)
    with pytest.raises(VerificationError, match="H3 cell of resolution"):
        verify_trace_release(released.points, **{**ok, "h3": released.h3 - 1})  # a centre child shares its centre: go up
    with pytest.raises(VerificationError, match="centre of a 1000 m cell"):
        verify_trace_release(released.points, **{**ok, "h3": None, "grid_m": 1000})


def test_space_levels_refuse_bad_entries() -> None:
    for bad in ([{"h3": 16}], [{"h3": 8, "grid_m": 100}], [{"h4": 8}], [{}], [], ["big"]):
        with pytest.raises(ConfigError):
            space_levels(bad)


def test_the_command_releases_at_an_h3_resolution(tmp_path, frame: pl.DataFrame) -> None:
    frame.write_csv(tmp_path / "t.csv")
    (tmp_path / "job.yaml").write_text(
        "input: {path: t.csv}\ntrajectories: {user: u, lat: lat, lng: lng, time: t}\nassess: {attacks: [location]}\n"
        "privacy: [{trajectory-k-anonymity: {k: 3, p: 2}}]\n"
        "anonymize: {space: [{h3: 8}, {h3: 6}], time: [1d, 1w], point_suppression: 0.5, user_suppression: 0.5}\n"
        "output: {path: out.csv, report: r.html}\n")
    assert main(["anonymize", str(tmp_path / "job.yaml"), "--json", str(tmp_path / "out.json")]) == 0
    figures = json.loads((tmp_path / "out.json").read_text())
    assert set(figures["resolution"]) == {"h3", "time_bin"}
    assert f"H3 resolution {figures['resolution']['h3']}" in (tmp_path / "r.html").read_text()
    assert pl.read_csv(tmp_path / "out.csv").height == figures["points"]["released"]
    (tmp_path / "bad.yaml").write_text((tmp_path / "job.yaml").read_text().replace("{h3: 6}", "{h3: 16}"))
    assert main(["anonymize", str(tmp_path / "bad.yaml"), "--json", str(tmp_path / "bad.json")]) == 2
    assert not (tmp_path / "bad.json").exists()
