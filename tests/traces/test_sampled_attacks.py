"""Sampled attacks: each sampled target's risk is its exact risk; the intervals cover the exact mean."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unlinkable.traces import ATTACKS
from unlinkable.traces.attacks import attack_risks
from unlinkable.traces.sampled import sampled_attack
from unlinkable.traces.table import encode_traces

BASE = datetime(2024, 1, 30, 20, 0)
ROWS = st.lists(st.tuples(st.integers(0, 7), st.integers(0, 4), st.integers(0, 50)), min_size=1, max_size=40)


def _traces(rows, precision):
    frame = pl.DataFrame({"u": [r[0] for r in rows], "cell": [r[1] for r in rows],
                          "t": [BASE + timedelta(hours=r[2]) for r in rows]})
    return encode_traces(frame, user="u", place="cell", time="t", time_precision=precision)


@settings(max_examples=80, deadline=None)
@given(rows=ROWS, k=st.integers(1, 3), attack=st.sampled_from(ATTACKS), targets=st.integers(1, 8), seed=st.integers(0, 3))
def test_each_target_gets_its_exact_risk(rows, k, attack, targets, seed):
    t = _traces(rows, "hour" if attack == "location_time" else None)
    exact = attack_risks(t, attack, k)
    sampled = sampled_attack(t, attack, k, targets=targets, seed=seed)
    assert len(sampled.targets) == min(targets, len(t.users)) == len(set(sampled.targets.tolist()))
    assert sampled.risk.tolist() == exact[sampled.targets].tolist()


def test_all_targets_is_the_exact_mean_and_intervals_cover_it():
    rng = np.random.default_rng(2)
    rows = list(zip(rng.integers(0, 400, 4000).tolist(), rng.integers(0, 30, 4000).tolist(), rng.integers(0, 200, 4000).tolist()))
    t = _traces(rows, None)
    exact = attack_risks(t, "location", 2)
    whole = sampled_attack(t, "location", 2, targets=len(t.users))
    assert whole.mean_risk == pytest.approx(float(exact.mean()), abs=1e-12) and whole.ci95() == (whole.mean_risk, whole.mean_risk)
    covered = 0
    for seed in range(20):
        low, high = sampled_attack(t, "location", 2, targets=60, seed=seed).ci95()
        covered += low <= exact.mean() <= high
    assert covered >= 16  # a 95% interval: about 19 of 20


def test_sampled_attack_in_a_job(tmp_path):
    import json

    from unlinkable.cli import main
    from unlinkable.traces.synthetic import synthetic_traces

    synthetic_traces(200, points=12, n_places=50, seed=3).write_csv(tmp_path / "s.csv")
    (tmp_path / "job.yaml").write_text("input: {path: s.csv}\ntrajectories: {user: user, lat: lat, lng: lng, time: time}\n"
                                       "assess: {attacks: [{location: {k: 3, mode: sampled, targets: 50}}, {location: {k: 2}}]}\n"
                                       "seed: 4\n")
    assert main(["assess", str(tmp_path / "job.yaml"), "--json", str(tmp_path / "o.json"), "--records", str(tmp_path / "u.csv")]) == 0
    figures = json.loads((tmp_path / "o.json").read_text())["attacks"]
    assert figures[0]["sampled"]["targets"] == 50 and "sampled" not in figures[1]
    low, high = figures[0]["sampled"]["mean_risk_ci95"]
    assert low <= figures[0]["mean_risk"] <= high
    users = pl.read_csv(tmp_path / "u.csv")
    assert users["location_k3"].null_count() == 150 and users["location_k2"].null_count() == 0
