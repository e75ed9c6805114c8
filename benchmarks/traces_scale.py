"""Location traces at scale, and side by side with scikit-mobility 1.3.1 in its own venv.

Run by hand::

    .venv/bin/python benchmarks/traces_scale.py --users 100000 --points 50      # all attacks k=2, unicity p=4
    .venv/bin/python benchmarks/traces_scale.py --skmob /tmp/skmob-venv/bin/python --skmob-users 20

``--skmob`` names the Python of a venv where ``pip install scikit-mobility==1.3.1 "numpy<2"
"shapely<2"`` worked (skmob needs both older majors, so it cannot share this project's venv). The
same seeded synthetic table is written to a temporary CSV, skmob's attacks run on it in that
interpreter, and the risks are compared user by user beside the timings. Figures are printed,
never asserted: the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from unlinkable.traces import ATTACKS
from unlinkable.traces.attacks import attack_risks
from unlinkable.traces.resolution import Space
from unlinkable.traces.synthetic import synthetic_traces
from unlinkable.traces.table import encode_traces

SKMOB = """
import json, sys, time
import pandas as pd
import skmob
from skmob.privacy import attacks
tdf = skmob.TrajDataFrame.from_file(sys.argv[1], latitude="lat", longitude="lng", datetime="time", user_id="user")
k, tolerance, out = int(sys.argv[2]), float(sys.argv[4]), {}
classes = {"location": attacks.LocationAttack, "location_sequence": attacks.LocationSequenceAttack,
           "location_time": attacks.LocationTimeAttack, "unique_location": attacks.UniqueLocationAttack,
           "location_frequency": attacks.LocationFrequencyAttack, "location_probability": attacks.LocationProbabilityAttack,
           "location_proportion": attacks.LocationProportionAttack, "home_work": attacks.HomeWorkAttack}
for name in sys.argv[3].split(","):
    at = classes[name](k) if name != "home_work" else classes[name]()
    if name in ("location_frequency", "location_probability", "location_proportion"):
        at.tolerance = tolerance
    if name == "location_time":
        at.time_precision = "Hour"
    start = time.perf_counter()
    risk = at.assess_risk(tdf)
    out[name] = {"seconds": time.perf_counter() - start,
                 "risk": {str(u): float(r) for u, r in zip(risk["uid"], risk["risk"])}}
print(json.dumps(out))
"""


def _rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


class _Timer:
    """Wall and CPU seconds of a block: on a shared machine the CPU seconds are the comparable figure."""

    def __enter__(self) -> _Timer:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu

    def __str__(self) -> str:
        return f"{self.cpu:7.1f} CPU-s {self.wall:7.1f} s wall"


def sampled(t: object, keyed: object, k: int, targets: int) -> None:
    """Each attack's sampled mode at ``k`` (exact risks of ``targets`` drawn users, 95% intervals)."""
    from unlinkable.traces.sampled import sampled_attack

    for attack in ATTACKS:
        with _Timer() as took:
            risk = sampled_attack(keyed if attack == "location_time" else t, attack, k, targets=targets, seed=0)  # type: ignore[arg-type]
        print(f"  {attack:20s} k={k} sampled ({targets} users) {took}   mean risk {risk.mean_risk:.4f}   peak RSS {_rss_gib():.2f} GiB")


def scale(users: int, points: int, k: int, p: int, sampled_k: int = 0, targets: int = 1000, exact: bool = True) -> None:
    start = time.perf_counter()
    frame = synthetic_traces(users, points=points, seed=1)
    print(f"{users:,} users x {points} points = {frame.height:,} points (generated in {time.perf_counter() - start:.1f} s; "
          f"load average {os.getloadavg()[0]:.1f})")
    start = time.perf_counter()
    t = encode_traces(frame, user="user", lat="lat", lng="lng", time="time")
    keyed = encode_traces(frame, user="user", lat="lat", lng="lng", time="time", time_precision="hour")
    print(f"  encode              {time.perf_counter() - start:7.1f} s")
    if sampled_k:
        sampled(t, keyed, sampled_k, targets)
    if not exact:
        return
    total, total_cpu = 0.0, 0.0
    for attack in ATTACKS:
        with _Timer() as took:
            risk = attack_risks(keyed if attack == "location_time" else t, attack, k)
        total, total_cpu = total + took.wall, total_cpu + took.cpu
        print(f"  {attack:20s} k={k} {took}   mean risk {risk.mean():.4f}   peak RSS {_rss_gib():.2f} GiB")
    print(f"  all eight attacks  {total_cpu:7.1f} CPU-s {total:7.1f} s wall   load average {os.getloadavg()[0]:.1f}")
    from unlinkable.traces.assess import assess_traces

    for mode in ("sampled", "exact"):
        took = _Timer().__enter__()
        try:
            result = assess_traces(frame, user="user", lat="lat", lng="lng", time="time", attacks=[], ps=[p], mode=mode,
                                   space=Space(grid_m=1000), time_bin="1h")
        except Exception as exc:  # noqa: BLE001 - a figure to print, e.g. exact mode's limit
            print(f"  unicity p={p} {mode}: {type(exc).__name__}: {str(exc)[:120]}")
            continue
        u = result.unicity[0]
        took.__exit__()
        print(f"  unicity p={p} {mode:8s} {took}   value {u.value:.4f} ci95 {u.ci95}"
              f"   peak RSS {_rss_gib():.2f} GiB")


def side_by_side(python: str, users: int, points: int, k: int, tolerance: float = 0.0) -> None:
    frame = synthetic_traces(users, points=points, n_places=60, seed=2)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.csv"
        frame.with_columns(pl.col("time").dt.strftime("%Y-%m-%d %H:%M:%S")).write_csv(path)
        names = ",".join(ATTACKS)
        start = time.perf_counter()
        run = subprocess.run([python, "-c", SKMOB, str(path), str(k), names, str(tolerance)], capture_output=True, text=True,
                             timeout=3600)
        if run.returncode != 0:
            print("skmob failed:", run.stderr[-400:])
            return
        theirs = json.loads(run.stdout)
        print(f"\nskmob 1.3.1 vs unlinkable, {users} users x {points} points, k={k}, tolerance {tolerance} "
              f"(skmob total {time.perf_counter() - start:.0f} s)")
        t = encode_traces(frame, user="user", lat="lat", lng="lng", time="time")
        keyed = encode_traces(frame, user="user", lat="lat", lng="lng", time="time", time_precision="hour")
        for attack in ATTACKS:
            began = time.perf_counter()
            tol = tolerance if attack in ("location_frequency", "location_probability", "location_proportion") else 0.0
            ours = attack_risks(keyed if attack == "location_time" else t, attack, k, tol)
            seconds = time.perf_counter() - began
            theirs_risk = np.array([theirs[attack]["risk"][str(u)] for u in t.users.to_list()])
            same = bool(np.allclose(ours, theirs_risk, atol=1e-12))
            print(f"  {attack:20s} skmob {theirs[attack]['seconds']:8.2f} s   ours {seconds:7.4f} s   "
                  f"{theirs[attack]['seconds'] / seconds:8.0f}x   same risks: {same}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--points", type=int, default=50)
    parser.add_argument("--k", type=int, default=2)
    parser.add_argument("--p", type=int, default=4)
    parser.add_argument("--sampled-k", type=int, default=0, help="also each attack's sampled mode at this k")
    parser.add_argument("--targets", type=int, default=1000, help="users drawn by the sampled mode")
    parser.add_argument("--no-exact", action="store_true", help="skip the exact attacks and unicity")
    parser.add_argument("--skmob", help="python of a venv with scikit-mobility 1.3.1")
    parser.add_argument("--skmob-users", type=int, default=20)
    parser.add_argument("--skmob-points", type=int, default=15)
    parser.add_argument("--tolerance", type=float, default=0.0, help="for skmob's frequency, probability, proportion attacks")
    args = parser.parse_args()
    if args.skmob:
        side_by_side(args.skmob, args.skmob_users, args.skmob_points, args.k, args.tolerance)
    if args.users:
        scale(args.users, args.points, args.k, args.p, args.sampled_k, args.targets, not args.no_exact)


if __name__ == "__main__":
    main()
