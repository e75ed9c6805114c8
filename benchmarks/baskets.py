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
from unlinkable.points.km_anonymity import KmAnonymity
from unlinkable.points.read import read_basket_lines
from unlinkable.points.release import release_points
from unlinkable.points.rho_uncertainty import RhoUncertainty
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


def _rare_items(pts, count: int) -> tuple[str, ...]:
    """``count`` items of middling support (the 100th, 200th, ... most frequent), standing in for diagnoses."""
    import numpy as np

    support = np.bincount(pts.sets().items, minlength=len(pts.labels))
    order = np.argsort(-support, kind="stable")
    return tuple(pts.labels[i] for i in order[100:100 * (count + 1):100])


_DRIVER = """
import sys, time
sys.path.insert(0, sys.argv[1])
from apriori_based_anon import apriori_based_anon
from utils.read_data import read_tree_file
import os
os.chdir(sys.argv[2])
tree = read_tree_file('t40')
data = [list(set(line.split())) for line in open('t40.txt') if line.strip()]
start = time.time()
result, (ncp, rtime, cut) = apriori_based_anon(tree, data, 'AA', int(sys.argv[3]), int(sys.argv[4]))
print('%.3f %.6f %d' % (time.time() - start, ncp / 100.0, len(set(cut.values()))))
"""


def side_by_side(pts, k: int = 5, m: int = 2) -> None:
    """qiyuangong/Apriori_based_Anonymization (MIT, Python 2) on the same data and fan-out hierarchy, if it runs.

    Its code is taken from the read-only mirror into a temporary folder and run with python2
    unchanged; its NCP counts every occurrence in its input lists (the same distinct items per
    record as ours) with |leaves| / |leaves under *|, as Terrovitis' NCP, except that it charges a
    leaf nothing only when the item is not in its cut.
    """
    import shutil
    import subprocess
    import tempfile

    mirror = Path("/work/.mirror/qiyuangong+Apriori_based_Anonymization/repo")
    # a pyenv shim refuses to pick a version by itself; take an installed 2.7 directly when there is one
    installed = sorted(Path.home().glob(".pyenv/versions/2.7*/bin/python2"))
    python2 = str(installed[-1]) if installed else shutil.which("python2")
    if python2 is None or not mirror.exists():
        print("  side by side: qiyuangong/Apriori_based_Anonymization not run (no python2 or no copy of it here)")
        return
    work = Path(tempfile.mkdtemp(prefix="aa-"))
    try:
        code = work / "code"
        code.mkdir()
        names = subprocess.run(["git", "--git-dir", str(mirror), "ls-tree", "-r", "--name-only", "HEAD"],
                               capture_output=True, text=True, check=True).stdout.split()
        for name in (n for n in names if n.endswith(".py")):  # the code only (its data files are not mirrored)
            (code / name).parent.mkdir(parents=True, exist_ok=True)
            (code / name).write_bytes(subprocess.run(["git", "--git-dir", str(mirror), "show", f"HEAD:{name}"],
                                                     capture_output=True, check=True).stdout)
        data = work / "data"
        data.mkdir()
        hierarchy = fanout(pts.labels, fanout=10)
        # their reader takes leaf;parent;...;* lines and stops at the first blank line
        (data / "treefile_t40.txt").write_text("\n".join(";".join(row) for row in hierarchy.rows) + "\n")
        sets = pts.sets()
        words = [pts.labels[i] for i in sets.items.tolist()]
        lines = [" ".join(words[a:b]) for a, b in zip(sets.indptr[:-1].tolist(), sets.indptr[1:].tolist())]
        (work / "t40.txt").write_text("\n".join(lines) + "\n")
        (work / "driver.py").write_text(_DRIVER)
        (work / "data" / ".keep").write_text("")
        start = time.perf_counter()
        done = subprocess.run([python2, str(work / "driver.py"), str(code), str(work), str(k), str(m)],
                              capture_output=True, text=True, timeout=1800, cwd=work)
        wall = time.perf_counter() - start
        if done.returncode != 0:
            print(f"  side by side: qiyuangong/Apriori_based_Anonymization failed: {done.stderr.strip().splitlines()[-1:]}")
            return
        seconds, ncp, nodes = done.stdout.split()[-3:]
        print(f"  side by side: qiyuangong/Apriori_based_Anonymization (python2) AA k={k} m={m}: {float(seconds):.1f} s "
              f"({wall:.1f} s with start-up and reading), NCP {float(ncp):.6f}, {nodes} cut nodes")
    finally:
        shutil.rmtree(work, ignore_errors=True)


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
    r = timed("k^m-anonymize k=5 m=2 (fan-out 10 hierarchy) + verifier + figures",
              lambda: release_points(pts, hierarchy, [KmAnonymity(5, 2)]), runs)
    d = r.to_dict()
    print(f"  levels used {sorted(set(r.release.cut.levels.tolist()))}, {d['released_items']} released items, "
          f"{d['rounds']} rounds, NCP {d['ncp']:.6f}, top-1000 support error {d['top_itemsets']['relative_error']:.4f}, "
          f"anonymize + verify {d['runtime_s']:.3f} s")
    r = timed("k^m k=5 m=2 with suppression_limit 0.01", lambda: release_points(pts, hierarchy, [KmAnonymity(5, 2)],
                                                                                  suppression_limit=0.01), runs)
    d = r.to_dict()
    print(f"  NCP {d['ncp']:.6f}, {d['suppressed_items']} items / {d['suppressed_occurrences']} occurrences suppressed")
    sensitive = _rare_items(pts, 3)
    r = timed(f"rho-uncertainty rho=0.5 m=1 on {len(sensitive)} sensitive items, with k^m k=5 m=2",
              lambda: release_points(pts, hierarchy, [KmAnonymity(5, 2), RhoUncertainty(0.5, sensitive, 1)],
                                     suppression_limit=0.05), runs)
    d = r.to_dict()
    print(f"  rules before {d['rho_before']['violating_rules']:,}, after {d['rho_after']['violating_rules']}, NCP {d['ncp']:.6f}, "
          f"{d['suppressed_occurrences']} occurrences suppressed")
    side_by_side(pts)
    for p in (3, 4, 10):
        u = timed(f"unicity p={p} sampled", lambda: unicity(pts, [p], mode="sampled", seed=1)[0], runs)
        print(f"  epsilon_{p} = {u.value:.4f}  95% CI [{u.ci95[0]:.4f}, {u.ci95[1]:.4f}] over {u.eligible_records:,} records")

    million(runs)


def million(runs: int = 1) -> None:
    """1M synthetic baskets: k^m, exact unicity, sampled unicity, and the whole `unlinkable assess` command."""
    import subprocess
    import tempfile

    import numpy as np

    from unlinkable.points.synthetic import write_basket_lines
    from unlinkable.points.unicity import draw_itemsets

    print("\n# 1,000,000 synthetic baskets (2,000 items, Zipf 1.1, 250,000 people, mean 10 points)")
    b = timed("generate", lambda: synthetic_baskets(1_000_000, seed=0), 1)
    sets = b.points.sets()
    print(f"  {sets.records:,} baskets, {sets.distinct_items:,} items, {len(sets.items):,} distinct points")
    e = timed("k^m exposure k=5 m=2", lambda: km_exposure(b.points, k=5, m=2), runs)
    print(f"  violating itemsets {e.violating_itemsets:,}, affected records {e.affected_records:,}")
    r = timed("assess k=5 m=2, unicity p=1,2 exact", lambda: assess_points(b.points, k=5, m=2, ps=[1, 2], mode="exact"), 1)
    print(f"  epsilon_1 = {r.unicity[0].value:.6f}, epsilon_2 = {r.unicity[1].value:.6f}")
    for p in (2, 3, 4):
        # the drawn itemsets' supports are counted by enumerating every p-itemset once (the rarest item's
        # records would be ~10^10 candidate checks with Zipf popularity)
        drawn = draw_itemsets(sets, p, np.random.default_rng([1, p]))
        support = np.bincount(sets.items, minlength=len(sets.labels))
        print(f"  p={p}: {int(support[drawn].min(axis=1).sum()):,} candidate checks by the rarest item")
        u = timed(f"unicity p={p} sampled", lambda: unicity(b.points, [p], mode="sampled", seed=1)[0], runs)
        print(f"  epsilon_{p} = {u.value:.4f}  95% CI [{u.ci95[0]:.4f}, {u.ci95[1]:.4f}] over {u.eligible_records:,} records")
    folder = Path(tempfile.mkdtemp(prefix="baskets-1m-"))
    write_basket_lines(b.points, folder / "baskets.txt")
    (folder / "job.yaml").write_text("input: {path: baskets.txt, format: basket-lines}\n"
                                     "assess: {km: {k: 5, m: 2}, unicity: {p: [1, 2, 4], mode: auto}}\n")
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%M", sys.executable, "-m", "unlinkable", "assess", str(folder / "job.yaml"),
                           "--json", str(folder / "risk.json")], capture_output=True, text=True)
    wall = time.perf_counter() - start
    peak = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "?"
    print(f"{'whole command: unlinkable assess 1M basket-lines (k^m k=5 m=2, unicity p=1,2 exact, 4 sampled)':<58} "
          f"{wall:8.3f} s  exit {done.returncode}, peak RSS {int(peak) // 1024 if peak.isdigit() else peak} MiB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
