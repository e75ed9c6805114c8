"""Point tables: strict columns, one-line errors naming column and row, no coordinate kept."""

from __future__ import annotations

import pandas as pd
import polars as pl
import pytest

from unlinkable.errors import ConfigError, InputError
from unlinkable.traces import attack_risk
from unlinkable.traces.table import encode_traces


def test_pandas_and_polars_agree():
    data = {"u": [1, 1, 2, 2, 3], "lat": [1.0, 2.0, 1.0, 3.0, 1.0], "lng": [5.0, 5.0, 5.0, 5.0, 5.0]}
    a = attack_risk(pl.DataFrame(data), user="u", lat="lat", lng="lng", attack="location", k=2)
    b = attack_risk(pd.DataFrame(data), user="u", lat="lat", lng="lng", attack="location", k=2)
    assert a.equals(b)


def test_places_ordered_by_lat_then_lng():
    t = encode_traces(pl.DataFrame({"u": [1, 1, 1], "lat": [2.0, 1.0, 1.0], "lng": [0.0, 9.0, 3.0]}),
                      user="u", lat="lat", lng="lng")
    assert t.place.tolist() == [2, 1, 0]


@pytest.mark.parametrize(("frame", "kwargs", "error", "text"), [
    ({"u": [1], "lat": [None], "lng": [2.0]}, {"lat": "lat", "lng": "lng"}, InputError, "column 'lat' row 1"),
    ({"u": [1, 2], "lat": ["1", "north"], "lng": [2.0, 2.0]}, {"lat": "lat", "lng": "lng"}, InputError, "row 2"),
    ({"u": [1], "c": ["a"], "t": ["yesterday"]}, {"place": "c", "time": "t"}, InputError, "column 't' row 1"),
    ({"u": [1], "c": ["a"]}, {"place": "cell"}, ConfigError, "place= names column"),
    ({"u": [1], "c": ["a"]}, {}, ConfigError, "either place= or both"),
])
def test_bad_input(frame, kwargs, error, text):
    with pytest.raises(error, match=text):
        attack_risk(pl.DataFrame(frame), user="u", attack="location", **kwargs)


@pytest.mark.parametrize(("kwargs", "text"), [
    ({"attack": "locaton"}, "unknown attack"), ({"attack": "location", "k": 0}, "k must be"),
    ({"attack": "location_time"}, "needs a time= column"),
    ({"attack": "location", "tolerance": 0.1}, "takes no tolerance"),
    ({"attack": "location_frequency", "tolerance": 1.5}, "tolerance must be"),
])
def test_bad_parameters(kwargs, text):
    with pytest.raises(ConfigError, match=text):
        attack_risk(pl.DataFrame({"u": [1], "c": ["a"]}), user="u", place="c", **kwargs)
