"""The demo (`./run`) releases a table a data-protection officer could accept, and says so truly.

Issue 8: the demo once released raw ``birth_date`` (9,928 of 10,000 rows unique) under a report
saying "0% unique after". Here the demo is rebuilt as shipped, and uniqueness is recounted by
brute force on the written table, over every released column not declared sensitive.
"""

from __future__ import annotations

import csv
import json
from collections import Counter

import pytest

from unlinkable.config import load_job
from unlinkable.data.roles import Role


@pytest.fixture(scope="module")
def demo(demo_run):
    """What the README's ``./run`` wrote (run once for the session by conftest.py's demo_run)."""
    return demo_run.out


def _released(folder):
    with open(folder / "census_anonymized.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def test_every_column_of_the_demo_has_a_role(demo):
    job = load_job(demo / "census_job.yaml")
    with open(demo / "census.csv", encoding="utf-8") as fh:
        header = fh.readline().strip().split(",")
    assert sorted(a.name for a in job.attributes) == sorted(header)
    released, _ = _released(demo)
    assert not set(released) & set(job.names(Role.IDENTIFIER))  # person_id and birth_date are gone


def test_uniqueness_on_every_released_non_sensitive_column_is_what_json_and_report_state(demo):
    job = load_job(demo / "census_job.yaml")
    header, rows = _released(demo)
    sensitive = set(job.names(Role.SENSITIVE))
    keep = [i for i, name in enumerate(header) if name not in sensitive]
    keys = [tuple(row[i] for i in keep) for row in rows]
    counts = Counter(keys)
    unique = sum(1 for key in keys if counts[key] == 1)

    stated = json.loads((demo / "census_anonymized.json").read_text())["released_uniqueness"]
    assert stated["columns"] == [header[i] for i in keep]
    assert stated["records"] == len(rows)
    assert stated["unique_records"] == unique
    assert stated["sample_uniques"] == unique / len(rows)
    report = (demo / "census_report.html").read_text()
    assert f"<strong>{unique:,}</strong> of {len(rows):,} records" in report
    # what a data-protection officer signs off: no released record stands out on what is not sensitive
    assert unique == 0
    assert not [e for e in stated["kept_columns"] if e["warn"]]


def test_the_demo_releases_location_traces_that_are_trajectory_k_anonymous(demo):
    # the third data form of ./run: synthetic stay points, trajectory-k-anonymized; the written
    # release is re-checked here by brute force: every set of min(p, n) of a released user's n
    # distinct (lat, lng, time) points is held by at least k released users
    from functools import reduce
    from itertools import combinations

    import polars as pl
    import yaml

    model = yaml.safe_load((demo / "traces_job.yaml").read_text())["privacy"][0]["trajectory-k-anonymity"]
    result = json.loads((demo / "traces_released.json").read_text())
    released = pl.read_csv(demo / "traces_released.csv")
    assert released.columns == ["user", "lat", "lng", "time"]
    points = {u: set(zip(g["lat"], g["lng"], g["time"])) for (u,), g in released.group_by(["user"])}
    holders: dict = {}
    for user, held in points.items():
        for point in held:
            holders.setdefault(point, set()).add(user)
    for held in points.values():
        for combo in combinations(sorted(held), min(model["p"], len(held))):
            assert len(reduce(set.intersection, (holders[point] for point in combo))) >= model["k"]
    assert result["users"]["released"] == len(points) > 0
    assert result["points"]["released"] == released.height
    for name in ("traces.csv", "traces_risk.json", "traces_risk_report.html", "traces_report.html"):
        assert (demo / name).stat().st_size > 0


def test_the_demo_runs_once_for_the_tests_that_read_it(demo, request):
    """``./test`` (``--dist loadgroup``) sends every test on ``./run``'s output to one worker (the group
    of tests/conftest.py), so ``./run`` runs once, not once per worker: pytest-xdist marks a grouped test's id."""
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("not run by ./test (--dist loadgroup)")
    assert request.node.nodeid.endswith("@demo"), "the demo's tests are not grouped: is pytest's version below 9.2?"
