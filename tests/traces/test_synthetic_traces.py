"""The synthetic mobility generator: seeded, shaped as documented, anchored at home and work."""

from __future__ import annotations

import polars as pl

from unlinkable.traces.synthetic import synthetic_traces


def test_same_seed_same_table_other_seed_other_table():
    a = synthetic_traces(50, points=10, n_places=100, seed=4)
    assert a.equals(synthetic_traces(50, points=10, n_places=100, seed=4))
    assert not a.equals(synthetic_traces(50, points=10, n_places=100, seed=5))


def test_shape_and_order():
    t = synthetic_traces(40, points=25, n_places=200, seed=2)
    assert t.columns == ["user", "lat", "lng", "time"] and t.height == 1000
    assert t.group_by("user").len()["len"].unique().to_list() == [25]
    assert t.equals(t.sort(["user", "time"], maintain_order=True))


def test_most_visits_go_to_two_anchors():
    # home 40% and work 30% of weekday draws: a user's top two places hold well over half its stays
    t = synthetic_traces(200, points=60, n_places=2000, seed=3)
    counts = t.group_by(["user", "lat", "lng"]).len().sort(["user", "len"], descending=[False, True])
    top2 = counts.group_by("user", maintain_order=True).head(2).group_by("user").agg(pl.col("len").sum())
    assert (top2["len"] / 60).mean() > 0.55


def test_place_popularity_is_skewed():
    t = synthetic_traces(500, points=20, n_places=1000, seed=5)
    visits = t.group_by(["lat", "lng"]).len()["len"].sort(descending=True)
    assert visits[0] > 10 * visits.median()


def test_the_embedded_job_runs_assess_and_anonymize(tmp_path):
    import json

    from unlinkable.cli import main
    from unlinkable.traces.synthetic import write_traces_job

    job = write_traces_job(tmp_path, n_users=300, points=10)
    assert main(["assess", str(job), "--json", str(tmp_path / "risk.json"), "--report", str(tmp_path / "risk.html")]) == 0
    assert main(["anonymize", str(job), "--json", str(tmp_path / "released.json")]) == 0
    figures = json.loads((tmp_path / "released.json").read_text())
    assert figures["users"]["released"] > 0 and (tmp_path / "released.html").exists()
