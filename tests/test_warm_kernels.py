"""``scripts/warm-kernels`` (run by ``scripts/ensure-env`` after an install) compiles the slowest
kernels with the signatures that jobs then use, so that a job compiles nothing more."""

from __future__ import annotations

import runpy
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]


def test_the_warm_up_covers_the_signatures_a_job_uses():
    warm = runpy.run_path(str(ROOT / "scripts" / "warm-kernels"))  # defines main(); runs nothing
    assert warm["main"]() == 0
    from unlinkable.risk.population import _newton_solve, _pitman_iterative, _shlosser_classes, _zayatz_denominator, population_uniqueness
    from unlinkable.sdc.mdav_loop import mdav_loop
    from unlinkable.sdc.microaggregation import microaggregation

    compiled = {kernel: set(kernel.signatures) for kernel in (mdav_loop, _newton_solve, _pitman_iterative, _shlosser_classes, _zayatz_denominator)}
    assert all(compiled.values())
    rng = np.random.default_rng(1)
    microaggregation(pl.DataFrame({"income": rng.normal(5e4, 1e4, 500), "age": rng.integers(18, 90, 500) * 1.0}),
                     attributes=["income", "age"], k=3)
    population_uniqueness(np.array([1, 1, 2, 2, 2, 3, 7]), population_size=5000)
    assert {kernel: set(kernel.signatures) for kernel in compiled} == compiled  # nothing compiled anew
