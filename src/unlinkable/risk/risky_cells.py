"""Risky cells of the key variables' tables: sdcMicro's ``riskyCells``.

For every combination of 1, 2, ..., ``max_dim`` key variables, the records are cross-classified on
those variables and the cells (observed value combinations; a missing value is a value of its own)
holding at most ``threshold`` records are counted. A combination with many small cells is one an
attacker can use to single people out. With identification levels (sdcMicro's
``useIdentificationLevel``), ``max_dim`` is the number of distinct levels given, as sdcMicro 5.8.1
computes it (its per-level filtering of combinations is not active there either).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np

from unlinkable.constraints import Interval, check
from unlinkable.errors import ConfigError
from unlinkable.risk.frequencies import class_ids, validate_keys

__all__ = ["RiskyCells", "risky_cells"]

#: the most attribute combinations counted (sum over dimensions of C(m, d))
MAX_COMBINATIONS = 100_000


@dataclass(frozen=True)
class RiskyCells:
    """Per combination of key variables (sdcMicro's row order): its variables, threshold and count."""

    variables: tuple[tuple[str, ...], ...]
    thresholds: tuple[int, ...]
    unsafe_cells: tuple[int, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: one entry per combination; counts of cells only, never a cell's values."""
        return {"combinations": [{"variables": list(v), "threshold": t, "unsafe_cells": u}
                                 for v, t, u in zip(self.variables, self.thresholds, self.unsafe_cells)]}


def risky_cells(keys: np.ndarray, names: Sequence[str], *, threshold: int | Sequence[int], max_dim: int | None = None,
                levels: Sequence[int] | None = None) -> RiskyCells:
    """Count, per combination of up to ``max_dim`` key variables, the cells with at most ``threshold`` records.

    Parameters
    ----------
    keys : (records, key variables) integer codes, -1 for a missing value (a value of its own here)
    names : the key variables' names, one per column of ``keys``
    threshold : one whole number for every dimension, or one per dimension 1..max_dim
    max_dim : the largest combination size (give this or ``levels``)
    levels : identification level per key variable (whole numbers > 0); ``max_dim`` becomes the
        number of distinct levels and ``threshold`` must be one number

    Examples
    --------
    >>> import numpy as np
    >>> keys = np.array([[0, 0], [0, 1], [1, 1], [1, 1]])
    >>> r = risky_cells(keys, ["sex", "region"], threshold=1, max_dim=2)
    >>> list(zip(r.variables, r.unsafe_cells))
    [(('sex',), 0), (('region',), 1), (('sex', 'region'), 2)]
    """
    keys = validate_keys(keys, name="keys")
    m = keys.shape[1]
    names = [str(n) for n in names]
    if len(names) != m or len(set(names)) != m:
        raise ConfigError(f"risky_cells: give {m} distinct names, one per key column; got {names!r}",
                          hint="name each key variable once")
    if (max_dim is None) == (levels is None):
        raise ConfigError("risky_cells: give max_dim or levels (identification levels), not both or neither",
                          hint="e.g. max_dim=3, or levels=[1, 1, 2] per key variable")
    whole = Interval(int, 0, None)
    thresholds = [threshold] if isinstance(threshold, (int, float)) else list(threshold)
    if not thresholds:
        raise ConfigError(f"risky_cells: the 'threshold' parameter must be {whole.describe()} or a list of them, got []",
                          hint="e.g. threshold=[50, 25, 10] for dimensions 1, 2, 3")
    thresholds = [check(t, whole, "threshold", owner="risky_cells", hint="e.g. threshold=[50, 25, 10] for dimensions 1, 2, 3")
                  for t in thresholds]
    if levels is not None:
        lv = [check(v, Interval(int, 1, None), "levels", owner="risky_cells", hint="one identification level per key variable")
              for v in levels]
        if len(lv) != m:
            raise ConfigError(f"risky_cells: the 'levels' parameter must be {m} whole numbers >= 1, one per key variable, "
                              f"got {len(lv)}", hint="one identification level per key variable")
        if len(thresholds) != 1:
            raise ConfigError("risky_cells: with identification levels, give one threshold", hint="e.g. threshold=10")
        max_dim = len(set(lv))
    max_dim = check(max_dim, Interval(int, 1, m), "max_dim", owner="risky_cells",
                    hint="the largest number of key variables combined")
    if len(thresholds) == 1:
        thresholds = thresholds * max_dim
    if len(thresholds) != max_dim:
        raise ConfigError(f"risky_cells: {len(thresholds)} thresholds for {max_dim} dimensions",
                          hint="give one threshold, or one per dimension 1..max_dim")
    total = sum(len(list(combinations(range(m), d))) for d in range(1, max_dim + 1))
    if total > MAX_COMBINATIONS:
        raise ConfigError(f"risky_cells: {total} combinations of key variables; at most {MAX_COMBINATIONS}",
                          hint="lower max_dim")
    shifted = keys + 1  # missing (-1) is a value of its own, as data.table groups NA
    variables, ths, counts = [], [], []
    for d in range(1, max_dim + 1):
        for combo in combinations(range(m), d):
            sizes = np.bincount(class_ids(shifted[:, list(combo)]))
            variables.append(tuple(names[j] for j in combo))
            ths.append(int(thresholds[d - 1]))
            counts.append(int(np.count_nonzero((sizes > 0) & (sizes <= thresholds[d - 1]))))
    return RiskyCells(tuple(variables), tuple(ths), tuple(counts))
