"""The speed filter with skmob's loop detection, on hand-worked cases.

Distances along a meridian: 0.001 degree of latitude is 111.19 m on the 6,371 km sphere.
The three cases were worked by hand from skmob's ``_filter_array`` (and give the same points in
scikit-mobility 1.3.1's ``filtering.filter(tdf, include_loops=True)``).
"""

from datetime import datetime, timedelta

import polars as pl
import pytest

from unlinkable.errors import ConfigError
from unlinkable.traces.preprocess import Preprocess

COLUMNS = {"user": "u", "lat": "lat", "lng": "lng", "time": "t"}


def _filtered(points: list[tuple[float, int]], **options: object) -> list[float]:
    t0 = datetime(2024, 1, 1)
    frame = pl.DataFrame({"u": [1] * len(points), "lat": [p[0] for p in points], "lng": [7.0] * len(points),
                          "t": [t0 + timedelta(seconds=p[1]) for p in points]})
    step = Preprocess.from_mapping({"speed_filter": options})
    out, counts = step.apply(frame, COLUMNS)
    assert counts["speed_filter"]["dropped"] == len(points) - out.height
    return out["lat"].to_list()


def test_a_fast_excursion_and_back_is_dropped() -> None:
    # from the first point: 1,112 m in 60 s, then back within 25% of it; 1,112 m / 60 s = 66.7 km/h > 5
    points = [(45.0, 0), (45.01, 60), (45.0001, 120), (45.0002, 180), (45.0003, 240), (45.0004, 300)]
    assert _filtered(points, include_loops=True) == [45.0, 45.0001, 45.0002, 45.0003, 45.0004]
    assert _filtered(points) == [p[0] for p in points]  # skmob's default: no loop detection


def test_a_slow_excursion_is_kept() -> None:
    # the same shape walked in an hour: 1,112 m / 3,600 s = 1.1 km/h <= 5
    points = [(45.0, 0), (45.01, 3600), (45.0001, 7200), (45.0002, 7260), (45.0003, 7320), (45.0004, 7380)]
    assert _filtered(points, include_loops=True) == [p[0] for p in points]
    # at a walking speed of 1 km/h it is a loop again
    assert _filtered(points, include_loops=True, speed_kmh=1.0) == [45.0, 45.0001, 45.0002, 45.0003, 45.0004]


def test_the_farthest_point_goes_first_then_the_point_is_examined_again() -> None:
    # distances from the first point 556, 1,112, 111, 111 m: the farthest (1,112 m) is dropped since
    # (556 + 1,112) m / (60 + 120) s = 33 km/h; then 556 m with 111 m after it: 556 m / 60 s, dropped too
    points = [(45.0, 0), (45.005, 60), (45.01, 120), (45.001, 180), (45.001, 240), (45.001, 300)]
    assert _filtered(points, include_loops=True) == [45.0, 45.001, 45.001, 45.001]
    # max_loop 2 looks at one point ahead only: no return is ever seen
    assert _filtered(points, include_loops=True, max_loop=2) == [p[0] for p in points]


def test_the_speed_check_still_comes_first() -> None:
    # 111 km in 60 s is 6,671 km/h: dropped by the speed check, from the last kept point
    assert _filtered([(45.0, 0), (46.0, 60), (45.0001, 120)]) == [45.0, 45.0001]


@pytest.mark.parametrize("options", [{"include_loops": "yes"}, {"speed_kmh": 5}, {"include_loops": True, "max_loop": 1},
                                     {"include_loops": True, "ratio_max": 2}, {"include_loops": True, "loop": 1}])
def test_bad_loop_settings_are_refused(options: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        Preprocess.from_mapping({"speed_filter": options})
