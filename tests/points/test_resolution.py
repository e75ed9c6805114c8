"""Unicity at a time and price resolution equals brute force on (item, time bin, price band) points."""

from __future__ import annotations

import json
import math
from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unlinkable.cli import main
from unlinkable.errors import ConfigError
from unlinkable.points.encoded import Points
from unlinkable.points.resolution import Resolution, at_resolution, resolution_grid
from unlinkable.points.unicity import unicity

points_st = st.lists(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 200), st.integers(0, 30)), min_size=1, max_size=5),
                     min_size=1, max_size=10)


def brute_unicity(records, p):
    """Mean over records with >= p distinct points of the share of their p-subsets no other record holds."""
    sets = [set(r) for r in records]
    shares = []
    for i, s in enumerate(sets):
        if len(s) < p:
            continue
        subsets = list(combinations(sorted(s), p))
        alone = sum(1 for c in subsets if not any(set(c) <= t for j, t in enumerate(sets) if j != i))
        shares.append(alone / len(subsets))
    return sum(shares) / len(shares) if shares else None


@settings(max_examples=60, deadline=None)
@given(points_st, st.sampled_from([None, 10.0, 60.0]), st.sampled_from([None, 5.0, 40.0]), st.integers(1, 3))
def test_unicity_at_a_resolution_matches_brute_force(rows, time_bin, band, p):
    if time_bin is None and band is None:
        band = 1.0
    pts = Points.from_codes([r for r, row in enumerate(rows) for _ in row], [i for row in rows for i, _, _ in row],
                            labels="abcd", n_records=len(rows), times=np.array([float(t) for row in rows for _, t, _ in row]),
                            quantities=np.array([float(q) for row in rows for _, _, q in row]))
    got = unicity(at_resolution(pts, Resolution(time_bin, band)), [p], mode="exact")[0].value

    def point(i, t, q):
        return (i, None if time_bin is None else math.floor(t / time_bin), None if band is None else math.floor(q / band))

    expected = brute_unicity([[point(i, t, q) for i, t, q in row] for row in rows], p)
    assert got == pytest.approx(expected, abs=1e-12) if expected is not None else got is None


def test_a_resolution_needs_its_column_and_a_positive_width():
    pts = Points.from_codes([0], [0], labels="a")
    with pytest.raises(ConfigError, match="needs a time column"):
        at_resolution(pts, Resolution(time_bin=60))
    with pytest.raises(ConfigError):
        Resolution(price_band=0)
    assert len(resolution_grid([60, 3600], [1])) == 5


def test_cli_resolutions(tmp_path):
    (tmp_path / "t.csv").write_text("card,sku,when,price\na,milk,10,1.5\na,tea,4000,3\nb,milk,20,1.2\nb,tea,90000,3\nc,milk,30,9\n")
    job = tmp_path / "job.yaml"
    job.write_text("input: {path: t.csv}\ntransactions: {record: card, item: sku, time: when, quantity: price}\n"
                   "assess: {unicity: {p: [1, 2], mode: exact}, resolution: {time_bins: [3600], price_bands: [5]}}\n")
    out = tmp_path / "o.json"
    assert main(["assess", str(job), "--json", str(out), "--report", str(tmp_path / "r.html")]) == 0
    figures = json.loads(out.read_text())
    assert [(r["time_bin"], r["price_band"]) for r in figures["resolutions"]] == [(3600.0, 5.0), (3600.0, None), (None, 5.0)]
    assert "Unicity against time and price resolution" in (tmp_path / "r.html").read_text()
    job.write_text("input: {path: t.csv}\ntransactions: {record: card, item: sku}\nassess: {resolution: {time_bins: [60]}}\n")
    assert main(["assess", str(job)]) == 2
