"""Set-valued assess: FIMI's T40I10D100K (first 10,000 baskets) and 1M synthetic baskets.

Targets (issue 12): T40I10D100K_10000 assess at k=5, m=2 under 1 s and k^m-anonymization under
10 s; 1M synthetic baskets assess at m=2 under 60 s. Each step is timed on its own (median of RUNS warm runs, default 3), so the file
read, the k^m pass and each unicity p can be compared separately.

Usage: .venv/bin/python benchmarks/baskets.py [RUNS]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from unlinkable.points.assess import assess_points
from unlinkable.points.hierarchy import fanout
from unlinkable.points.km import km_exposure
from unlinkable.points.read import read_basket_lines
from unlinkable.points.release import anonymize_km
from unlinkable.points.synthetic import synthetic_baskets
from unlinkable.points.unicity import unicity

T40 = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "baskets" / "T40I10D100K_10000.txt"


def timed(label: str, call, runs: int):
    seconds, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = call()
        seconds.append(time.perf_counter() - start)
    print(f"{label:<58} {statistics.median(seconds):8.3f} s  (min {min(seconds):.3f})", flush=True)
    return result


def main(runs: int = 3) -> None:
    print(f"# {T40.name}")
    pts = timed("read (basket-lines, 10,000 baskets)", lambda: read_basket_lines(T40), runs)
    sets = pts.sets()
    print(f"  {pts.records:,} baskets, {pts.distinct_items:,} items, {len(sets.items):,} points")
    e = timed("k^m exposure k=5 m=2", lambda: km_exposure(pts, k=5, m=2), runs)
    print(f"  violating itemsets {e.violating_itemsets:,} (by size {e.violating_by_size}), affected records {e.affected_records:,}")
    timed("read + assess k=5 m=2, unicity p=1,2 exact", lambda: assess_points(read_basket_lines(T40), k=5, m=2, ps=[1, 2], mode="exact"), runs)
    for p in (1, 2):
        u = timed(f"unicity p={p} exact", lambda: unicity(pts, [p], mode="exact")[0], runs)
        print(f"  epsilon_{p} = {u.value:.6f}")
    hierarchy = fanout(pts.labels, fanout=10)
    r = timed("k^m-anonymize k=5 m=2 (fan-out 10 hierarchy) + verifier", lambda: anonymize_km(pts, hierarchy, k=5, m=2), runs)
    print(f"  levels used {sorted(set(r.levels.tolist()))}, {len(r.points.labels)} released items, {r.rounds} rounds")
    for p in (3, 4, 10):
        u = timed(f"unicity p={p} sampled", lambda: unicity(pts, [p], mode="sampled", seed=1)[0], runs)
        print(f"  epsilon_{p} = {u.value:.4f}  95% CI [{u.ci95[0]:.4f}, {u.ci95[1]:.4f}] over {u.eligible_records:,} records")

    print("\n# 1,000,000 synthetic baskets (2,000 items, Zipf 1.1, 250,000 people, mean 10 points)")
    b = timed("generate", lambda: synthetic_baskets(1_000_000, seed=0), 1)
    sets = b.points.sets()
    print(f"  {sets.records:,} baskets, {sets.distinct_items:,} items, {len(sets.items):,} distinct points")
    e = timed("k^m exposure k=5 m=2", lambda: km_exposure(b.points, k=5, m=2), runs)
    print(f"  violating itemsets {e.violating_itemsets:,}, affected records {e.affected_records:,}")
    r = timed("assess k=5 m=2, unicity p=1,2 exact", lambda: assess_points(b.points, k=5, m=2, ps=[1, 2], mode="exact"), 1)
    print(f"  epsilon_1 = {r.unicity[0].value:.6f}, epsilon_2 = {r.unicity[1].value:.6f}")
    # sampled unicity is not run at 1M: its candidate checks scale with the support of each drawn
    # itemset's rarest item, which Zipf popularity makes large (see benchmarks/README.md)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
