"""skmob's time keys, hand-worked from skmob.utils.utils.date_time_precision (fields joined as text)."""

from __future__ import annotations

from datetime import datetime

import polars as pl
import pytest

from unlinkable.errors import ConfigError
from unlinkable.traces.time_keys import time_keys


@pytest.mark.parametrize(("precision", "key"), [
    ("year", "2011"), ("Month", "201112"), ("day", "2011123"),
    ("Hour", "201112312"),  # year, month, day, month: skmob's hour key has no hour
    ("minute", "2011123125"), ("second", "20111231257"),
])
def test_keys(precision, key):
    assert time_keys(pl.Series([datetime(2011, 12, 3, 8, 5, 7)]), precision).to_list() == [key]


def test_unknown_precision():
    with pytest.raises(ConfigError, match="time_precision"):
        time_keys(pl.Series([datetime(2011, 1, 1)]), "week")
