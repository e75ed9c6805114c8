"""Benchmark of `unlinkable assess` (run by hand: .venv/bin/python benchmarks/assess.py).

Prints:
- rows/s of the class pass and of sample + population risk on a 10M-row, 8-quasi-identifier table;
- the time of a full assess() of adult (9 QIs) against ARX's recorded risk timing;
- measure_risk-equivalent and SUDA2 on sdcMicro's testdata stacked 10x (45,800 rows, the recipe of
  timings.json: copy c has urbrur + 2c and ori_hid + 10000c) against sdcMicro's medians;
- peak resident memory against the encoded table's size.
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def timed(fn, repeat=5):
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs), out


def peak_mib() -> float:
    """Peak resident memory since the last reset_peak() (Linux VmHWM), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def reset_peak() -> None:
    """Reset the kernel's high-water mark so the next peak_mib() covers only what follows."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def big_table(n: int, seed: int = 0) -> np.ndarray:
    """8 integer-coded QIs with census-like cardinalities."""
    rng = np.random.default_rng(seed)
    cards = [2, 80, 6, 7, 16, 40, 8, 900]  # sex, age, race, marital, education, country, workclass, zip
    codes = np.empty((n, len(cards)), dtype=np.int32, order="F")  # column-major: each column contiguous
    for j, c in enumerate(cards):
        codes[:, j] = rng.integers(0, c, n, dtype=np.int32)
    return codes, cards


def main() -> None:
    from unlinkable.backends.numpy import DEFAULT_BACKEND
    from unlinkable.risk.population import population_uniqueness
    from unlinkable.risk.sample import sample_risk

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
    codes, cards = big_table(n)
    encoded_mib = codes.nbytes / 2**20
    cols = [codes[:, j] for j in range(codes.shape[1])]
    baseline = current_mib()
    reset_peak()
    t_group, sizes = timed(lambda: DEFAULT_BACKEND.class_sizes(cols, cards), repeat=3)  # noqa: F821 - called before the del below
    t_risk, _ = timed(lambda: (sample_risk(sizes), population_uniqueness(sizes, sampling_fraction=0.1)), repeat=3)
    print(f"{n:,} rows x 8 QIs ({len(sizes):,} classes), encoded table {encoded_mib:.0f} MiB")
    print(f"  class pass:                 {t_group:.3f} s  = {n / t_group / 1e6:.1f} M rows/s  (target >= 5)")
    print(f"  class pass + sample/pop risk: {t_group + t_risk:.3f} s  = {n / (t_group + t_risk) / 1e6:.1f} M rows/s")
    extra = peak_mib() - baseline
    print(f"  peak memory above the loaded table: {extra:.0f} MiB ({extra / encoded_mib:.2f}x the encoded table;"
          f" table + work = {(extra + encoded_mib) / encoded_mib:.2f}x)")
    del codes, cols

    import unlinkable

    adult = SHARED / "data" / "arx" / "adult" / "adult.csv"
    if adult.exists():
        ref = json.loads((SHARED / "reference" / "arx" / "adult.json").read_text())["risk_original"][0]
        frame = unlinkable.read_table(adult)
        t, _ = timed(lambda: unlinkable.assess(frame, quasi_identifiers=ref["quasi_identifiers"], population_size=317238626))
        arx_ms = ref.get("timing", {}).get("ms_median")
        print(f"adult (30,162 x 9 QIs), full assess incl. SUDA2 and 255 attribute subsets: {t * 1000:.1f} ms"
              + (f"; ARX risk estimates only: {arx_ms} ms" if arx_ms else ""))
        from unlinkable.data.table import EncodedTable

        enc = EncodedTable.from_frame(frame, ref["quasi_identifiers"])
        qcols = [enc.columns[q].codes + 1 for q in ref["quasi_identifiers"]]
        qcards = [enc.columns[q].cardinality + 1 for q in ref["quasi_identifiers"]]

        def arx_figures():
            sizes = DEFAULT_BACKEND.class_sizes(qcols, qcards)
            return sample_risk(sizes), population_uniqueness(sizes, population_size=317238626)

        t, _ = timed(arx_figures, repeat=20)
        print(f"adult, ARX's figures on the encoded table (classes, sample risk, Pitman/Zayatz/SNB/Dankar for the USA "
              f"model), as ARX times them on a loaded handle: {t * 1000:.2f} ms"
              + (f"  (ARX {arx_ms} ms, ratio {t * 1000 / arx_ms:.2f})" if arx_ms else ""))

    testdata = SHARED / "data" / "sdcmicro" / "testdata.csv"
    if testdata.exists():
        timings = json.loads((SHARED / "reference" / "sdcmicro" / "timings.json").read_text())["run_1"]["testdata_x10"]["ops"]
        base = pl.read_csv(testdata)
        stacked = pl.concat([base.with_columns(pl.col("urbrur") + 2 * c, pl.col("ori_hid") + 10000 * c) for c in range(10)])
        from unlinkable.data.table import EncodedTable
        from unlinkable.risk.frequencies import frequencies
        from unlinkable.risk.individual import global_risk, household_risk, individual_risk
        from unlinkable.risk.suda2 import suda2

        keys = EncodedTable.from_frame(stacked, ["urbrur", "water", "sex", "age"]).codes()
        w = stacked["sampling_weight"].to_numpy().astype(float)
        hh = stacked["ori_hid"].to_numpy()

        def measure_risk():
            fk, Fk = frequencies(keys, weights=w)
            r = individual_risk(fk, Fk, weighted=True)
            return global_risk(r), household_risk(r, hh)

        t_mr, (g, _) = timed(measure_risk)
        t_suda, _ = timed(lambda: suda2(keys))
        mr, sd = timings["measure_risk"]["median_s"], timings["suda2"]["median_s"]
        print(f"testdata x10 (45,800 rows): measure_risk {t_mr * 1000:.1f} ms vs sdcMicro {mr * 1000:.0f} ms "
              f"({mr / t_mr:.0f}x faster); risk_ER {g.risk_ER:.3f}")
        print(f"testdata x10: SUDA2 {t_suda * 1000:.1f} ms vs sdcMicro {sd * 1000:.1f} ms ({sd / t_suda:.1f}x faster)")
        t_full, _ = timed(lambda: unlinkable.assess(stacked, quasi_identifiers=["urbrur", "water", "sex", "age"],
                                                    weights="sampling_weight", household="ori_hid"))
        print(f"testdata x10: whole assess() (ARX + sdcMicro figures + SUDA2 + subsets): {t_full * 1000:.1f} ms")



if __name__ == "__main__":
    main()
