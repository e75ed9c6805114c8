"""scikit-mobility's eight attacks: ours on its toy data beside skmob's recorded seconds, then scale.

Run by hand: ``.venv/bin/python benchmarks/traces_attacks.py [--users N]``. skmob's seconds are its
own, read from ``shared/reference/mobility/skmob_toy.json`` (one run each on this machine class).
The synthetic table is seeded: users with ``--points`` points each over Zipf-popular cells and
hourly times in one week.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from pathlib import Path

import numpy as np
import polars as pl

from unlinkable.traces import ATTACKS, attack_risk

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
NAMES = {"LocationAttack": "location", "LocationSequenceAttack": "location_sequence",
         "LocationTimeAttack": "location_time", "UniqueLocationAttack": "unique_location",
         "LocationFrequencyAttack": "location_frequency", "LocationProbabilityAttack": "location_probability",
         "LocationProportionAttack": "location_proportion", "HomeWorkAttack": "home_work"}


def _median_seconds(call, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def toy() -> None:
    data = pl.read_csv(SHARED / "data" / "mobility" / "privacy_toy.csv")
    entries = json.loads((SHARED / "reference" / "mobility" / "skmob_toy.json").read_text())["attacks"]
    print(f"{'attack':40s} {'ours ms':>9s} {'skmob ms':>9s} {'ratio':>7s}")
    for entry in entries:
        name, k = re.match(r"^(\w+)(?:\(k=(\d+))?", entry["attack"]).groups()
        ours = _median_seconds(lambda: attack_risk(data, user="uid", lat="lat", lng="lng", time="datetime",
                                                    attack=NAMES[name], k=int(k or 1)))
        print(f"{entry['attack']:40s} {ours * 1e3:9.2f} {entry['seconds'] * 1e3:9.0f} {entry['seconds'] / ours:6.0f}x")


def synthetic(users: int, points: int, seed: int = 0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    cells = 2000
    popularity = 1.0 / np.arange(1, cells + 1)
    place = rng.choice(cells, size=users * points, p=popularity / popularity.sum())
    hours = rng.integers(0, 24 * 7, size=users * points)
    start = np.datetime64("2024-01-01T00:00", "us")
    return pl.DataFrame({"user": np.repeat(np.arange(users), points), "cell": place,
                         "time": start + hours.astype("timedelta64[h]")})


def scale(users: int, points: int, ks: tuple[int, ...]) -> None:
    data = synthetic(users, points)
    print(f"\n{users:,} users x {points} points ({users * points:,} points), 2,000 Zipf cells, hourly times")
    for k in ks:
        for attack in ATTACKS:
            if attack == "home_work" and k != ks[0]:
                continue
            start = time.perf_counter()
            risk = attack_risk(data, user="user", place="cell", time="time", attack=attack, k=k, time_precision="day")
            seconds = time.perf_counter() - start
            print(f"  {attack:22s} k={k}  {seconds:7.2f} s   mean risk {risk['risk'].mean():.4f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--points", type=int, default=20)
    parser.add_argument("--k", type=int, nargs="+", default=[1, 2, 3])
    args = parser.parse_args()
    toy()
    scale(args.users, args.points, tuple(args.k))


if __name__ == "__main__":
    main()
