"""Population uniqueness from a sample: ARX's estimators vs the Gaussian copula, on adult.

adult (30,162 records, its 9 columns as quasi-identifiers) is the population, so the true share of
population uniques is known. For seeded 1% and 10% samples, every estimator's population-unique
share is compared with the truth; for the copula (Rocher, Hendrickx & de Montjoye, Nat. Commun.
10:3069, 2019) also the AUC of its per-record uniqueness probability against "this sample record is
unique in the population" (the paper reports 0.84-0.97 on its populations).

Usage: .venv/bin/python benchmarks/uniqueness.py [SEEDS]   (default 5 seeds per fraction)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
from scipy.stats import rankdata

from unlinkable.data.io import read_table
from unlinkable.linkage.copula import copula_uniqueness
from unlinkable.risk.population import population_uniqueness

ADULT = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "arx" / "adult" / "adult.csv"


def auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Mann-Whitney AUC with average ranks for ties."""
    pos, neg = labels.sum(), (~labels).sum()
    if pos == 0 or neg == 0:
        return float("nan")
    ranks = rankdata(scores)
    return float((ranks[labels].sum() - pos * (pos + 1) / 2) / (pos * neg))


def main() -> None:
    seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    population = read_table(ADULT)
    cols = population.columns
    n_pop = population.height
    sizes = population.group_by(cols).len().rename({"len": "pop_size"})
    true_share = float((sizes["pop_size"] == 1).sum()) / n_pop
    print(f"population: adult, {n_pop:,} records, {len(cols)} attributes; true population-unique share {true_share:.4f}")
    estimators = ("pitman", "zayatz", "snb", "dankar", "copula")
    print()
    print("| sample | estimator | estimated share (mean over seeds) | error (estimate - true), mean +/- sd | copula AUC |")
    print("|---|---|---|---|---|")
    for fraction in (0.01, 0.10):
        results = {e: [] for e in estimators}
        aucs, seconds = [], []
        for seed in range(seeds):
            sample = population.sample(fraction=fraction, seed=seed)
            class_sizes = sample.group_by(cols).len()["len"].to_numpy()
            est = population_uniqueness(class_sizes, population_size=n_pop)
            for e in ("pitman", "zayatz", "snb", "dankar"):
                v = getattr(est, e)
                results[e].append(np.nan if v is None else v)
            t0 = time.perf_counter()
            cop = copula_uniqueness(sample, attributes=cols, population_size=n_pop, seed=seed)
            seconds.append(time.perf_counter() - t0)
            results["copula"].append(cop.population_unique_share)
            truth = sample.join(sizes, on=cols, how="left", maintain_order="left")["pop_size"].to_numpy() == 1
            aucs.append(auc(truth, cop.uniqueness))
        label = f"{fraction:.0%} ({round(n_pop * fraction):,} records)"
        for e in estimators:
            vals = np.array(results[e], dtype=float)
            ok = vals[~np.isnan(vals)]
            if ok.size == 0:
                print(f"| {label} | {e} | not available | - | |")
                continue
            err = ok - true_share
            na = f" ({np.isnan(vals).sum()} of {len(vals)} n/a)" if np.isnan(vals).any() else ""
            extra = f"{np.nanmean(aucs):.3f} +/- {np.nanstd(aucs):.3f}" if e == "copula" else ""
            print(f"| {label} | {e} | {ok.mean():.4f}{na} | {err.mean():+.4f} +/- {err.std():.4f} | {extra} |")
        print(f"(copula: {np.mean(seconds):.1f} s per sample)")


if __name__ == "__main__":
    main()
