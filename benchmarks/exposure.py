"""Exposure at scale: a 10M-row release against a 10M-row auxiliary table on 5 shared attributes.

Synthetic, seeded. The release generalizes age to 5-year bands (via a hierarchy) and masks two ZIP
digits on part of the records, so several patterns are joined; the auxiliary table is raw. Prints the
wall time of ``exposure`` (encoding included, reading excluded), its peak extra memory (tracemalloc
sees numpy's buffers) and the size of the encoded tables for comparison.

Usage: .venv/bin/python benchmarks/exposure.py [ROWS]   (default 10_000_000)
       .venv/bin/python benchmarks/exposure.py --adult  (evaluation mode on adult)

``--adult``: the evaluation mode on adult against its own anonymized releases. Each release is
adult generalized to the optimum ARX 3.9.2 found for a configuration (levels read from
``../shared/reference/arx/adult.json``), with the records of classes smaller than k suppressed
(``*`` everywhere), as ARX does; the auxiliary table is the original adult, joined on all 9
quasi-identifiers or on 4 demographic ones (sex, age, race, marital-status), with the row number
as ground-truth key.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import tracemalloc

import numpy as np
import polars as pl

from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.linkage.exposure import exposure


def tables(n: int, seed: int = 0) -> tuple[pl.DataFrame, pl.DataFrame, dict]:
    rng = np.random.default_rng(seed)
    ages = np.arange(0, 100)
    zips = np.array([f"{z:05d}" for z in range(10000, 10000 + 2000)])
    sexes = np.array(["f", "m"])
    races = np.array(["a", "b", "c", "d", "e"])
    days = np.array([f"{d:02d}" for d in range(1, 366)])

    def draw(k: int) -> dict:
        return {
            "age": rng.integers(0, 100, k), "zip": rng.integers(0, len(zips), k), "sex": rng.integers(0, 2, k),
            "race": rng.integers(0, 5, k), "doy": rng.integers(0, 365, k),
        }

    def to_frame(codes: dict, names: dict) -> pl.DataFrame:
        # Build string columns through small categorical dictionaries (fast, like real CSV text).
        cols = {}
        for col, values in (("age", ages.astype(str)), ("zip", zips), ("sex", sexes), ("race", races), ("doy", days)):
            cols[names[col]] = pl.Series(values)[pl.Series(codes[col])]
        return pl.DataFrame(cols)

    aux_codes = draw(n)
    rel_codes = draw(n)
    aux = to_frame(aux_codes, {c: c.upper() for c in aux_codes})
    rel = to_frame(rel_codes, {c: c for c in rel_codes})
    # Generalize: age to 5-year bands everywhere, zip masked (2 digits) on 30% of the records.
    band = np.array([f"[{a // 5 * 5}, {a // 5 * 5 + 5}[" for a in ages])
    masked = rng.random(n) < 0.3
    rel = rel.with_columns(
        pl.Series("age", band)[pl.Series(rel_codes["age"])],
        pl.when(pl.Series(masked)).then(pl.col("zip").str.slice(0, 3) + "**").otherwise(pl.col("zip")).alias("zip"),
    )
    hierarchies = {
        "age": Hierarchy([[str(a), band[a], "*"] for a in ages]),
        "zip": Hierarchy([[z, z[:4] + "*", z[:3] + "**", "*"] for z in zips]),
    }
    return rel, aux, hierarchies


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class PeakRSS:
    """Sample the resident set size every 10 ms (polars' and arrow's allocations are not traced)."""

    def __enter__(self):
        self.base = self.peak = _rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, _rss())

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss())

    @property
    def extra(self) -> int:
        return self.peak - self.base


def adult() -> None:
    import json
    from pathlib import Path

    from unlinkable.data.io import read_table
    from unlinkable.hierarchies.io import read_hierarchy

    shared = Path(__file__).resolve().parents[1].parent / "shared"
    folder = shared / "data" / "arx" / "adult"
    ref = json.loads((shared / "reference" / "arx" / "adult.json").read_text())
    data = read_table(folder / "adult.csv")
    cols = data.columns
    hs = {c: read_hierarchy(folder / f"adult_hierarchy_{c}.csv", name=c) for c in cols}
    data = data.with_row_index("pid").with_columns(pl.col("pid").cast(pl.String))
    configs = [c for c in ref["configurations"] if c["privacy_model"].get("model") == "k-anonymity"
               and c["id"].endswith("loss_qi9")]
    releases = [("original (no transformation)", {c: 0 for c in cols}, 1)]
    releases += [(f"ARX optimum {c['id']}", c["optimum"]["levels"], c["privacy_model"]["k"]) for c in configs]
    print("| release | shared attributes | unique-link share | expected re-identifications | "
          "true re-identification rate | unique-link precision | reverse-unique share | suppressed |")
    print("|---|---|---|---|---|---|---|---|")
    for label, levels, k in releases:
        gen = data.with_columns([
            pl.col(c).replace_strict({row[0]: row[levels[c]] for row in hs[c].rows}, default=pl.col(c)).alias(c)
            for c in cols if levels.get(c, 0)
        ])
        sizes = gen.group_by(cols).len()
        small = gen.join(sizes, on=cols, how="left", maintain_order="left")["len"] < k
        gen = gen.with_columns([pl.when(small).then(pl.lit("*")).otherwise(pl.col(c)).alias(c) for c in cols])
        for shared_cols in (cols, ["sex", "age", "race", "marital-status"]):
            t0 = time.perf_counter()
            e = exposure(gen, data, on=list(shared_cols), hierarchies={c: hs[c] for c in shared_cols},
                         truth_key={"release": "pid", "auxiliary": "pid"}, what_if=False)
            d = e.to_dict()
            prec = "n/a" if d["unique_link_precision"] is None else f"{d['unique_link_precision']:.4f}"
            print(f"| {label} | {len(shared_cols)} | {d['unique_link_share']:.4f} | {d['expected_reidentifications']:,.1f} | "
                  f"{d['true_reidentification_rate']:.4f} | {prec} | {d['reverse_unique_share']:.4f} | "
                  f"{int(small.sum()):,} |  ({time.perf_counter() - t0:.2f} s)")


def main() -> None:
    if sys.argv[1:] == ["--adult"]:
        adult()
        return
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
    t0 = time.perf_counter()
    rel, aux, hs = tables(n)
    print(f"generated 2 x {n:,} rows in {time.perf_counter() - t0:.1f} s")
    encoded_bytes = 2 * n * 5 * 4  # int32 codes per shared attribute, both tables
    on = {c: c.upper() for c in ["age", "zip", "sex", "race", "doy"]}
    for label, kwargs in (("exposure (what_if=False)", {"what_if": False}),
                          ("exposure, day-of-year +/- 2 (tolerance)", {"what_if": False, "tolerance": {"doy": 2}}),
                          ("exposure + what-if (5 drops, 2 generalizations)", {"what_if": True})):
        tracemalloc.start()
        with PeakRSS() as rss:
            t0 = time.perf_counter()
            e = exposure(rel, aux, on=on, hierarchies=hs, **kwargs)
            dt = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"{label}: {dt:.1f} s; peak extra memory: numpy {peak / 2**20:,.0f} MiB "
              f"({peak / encoded_bytes:.2f}x the encoded tables of {encoded_bytes / 2**20:,.0f} MiB), "
              f"process RSS +{rss.extra / 2**20:,.0f} MiB ({rss.extra / encoded_bytes:.2f}x); "
              f"unique-link share {e.unique_link_share:.4f}")
        del e


if __name__ == "__main__":
    main()
