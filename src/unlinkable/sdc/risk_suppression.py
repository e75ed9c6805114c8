"""Threshold suppression by individual risk: sdcMicro's ``localSupp``.

Each record's individual re-identification risk (Benedetti-Franconi, sdcMicro's ``indivRisk``) is
computed on the key variables; in every record whose risk exceeds ``threshold`` (strictly), the value
of one chosen key variable is set to missing. A missing key value is then a wildcard when risks are
counted again, so those records' risks can only fall. sdcMicro does this once and does not iterate:
the risk after suppression may still exceed the threshold (assess the output to see it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from unlinkable.constraints import Interval, check
from unlinkable.data.io import read_table
from unlinkable.data.numeric import numeric_columns
from unlinkable.errors import ConfigError, InputError
from unlinkable.risk.frequencies import frequencies
from unlinkable.risk.individual import individual_risk

__all__ = ["RiskSuppressionResult", "risk_suppression"]


@dataclass(frozen=True)
class RiskSuppressionResult:
    """The table with ``attribute`` suppressed where the risk exceeded the threshold, and how many."""

    table: pl.DataFrame = field(repr=False)
    suppressed: int


def risk_suppression(data: Any, *, attribute: str, keys: Sequence[str], threshold: float = 0.15,
                     weights: str | None = None, method: str = "approx", qual: float = 1.0) -> RiskSuppressionResult:
    """Suppress one key variable in the records whose individual risk exceeds ``threshold``.

    Parameters
    ----------
    data : path, polars or pandas DataFrame
    attribute : the key variable whose value is set to missing (one of ``keys``)
    keys : the key variables the risk is computed on (a missing value is a wildcard, as in sdcMicro)
    threshold : records with risk strictly above it are suppressed (sdcMicro's default 0.15)
    weights : sampling-weight column; without it the risk is 1 / fk
    method, qual : indivRisk's formula ("approx" or "exact") and quality factor

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"sex": ["f", "f", "m", "m", "m"], "age": ["30", "30", "40", "40", "50"]})
    >>> res = risk_suppression(df, attribute="age", keys=["sex", "age"], threshold=0.5)
    >>> res.table["age"].to_list(), res.suppressed   # 1/fk of the last record is 1 > 0.5
    (['30', '30', '40', '40', None], 1)
    """
    frame = read_table(data)
    names = [keys] if isinstance(keys, str) else list(keys)
    if attribute not in names:
        raise ConfigError(f"risk-suppression: attribute {attribute!r} is not one of the keys {names!r}",
                          hint="the suppressed variable must be a key variable (sdcMicro's keyVar)")
    if len(set(names)) != len(names):
        raise ConfigError(f"risk-suppression: keys {names!r} repeat a column", hint="list each key variable once")
    for name in [*names, *([weights] if weights else [])]:
        if name not in frame.columns:
            raise InputError(f"risk-suppression: no column {name!r}", hint=f"the columns are {frame.columns}")
    threshold = check(threshold, Interval(float, 0, 1), "threshold", owner="risk-suppression",
                      hint="e.g. threshold: 0.15 (sdcMicro's default)")
    w = None
    if weights:
        w = numeric_columns(frame, [weights], where="risk-suppression",
                            hint="sampling weights are numbers")[weights].cast(pl.Float64).fill_null(np.nan).to_numpy()
        bad = np.flatnonzero(~(w > 0))
        if bad.size:
            raise InputError(f"risk-suppression: column {weights!r} row {bad[0] + 1}: weight {w[bad[0]]!r} is not > 0",
                             hint="every record needs a positive sampling weight")
    codes = np.column_stack([_codes(frame[c]) for c in names])
    fk, Fk = frequencies(codes.astype(np.int64), weights=w)
    risk = individual_risk(fk, Fk, weighted=w is not None, method=method, qual=qual)
    over = risk > threshold
    out = frame.with_columns(pl.when(pl.Series(over)).then(None).otherwise(pl.col(attribute)).alias(attribute))
    newly = int((over & frame[attribute].is_not_null().to_numpy()).sum())
    return RiskSuppressionResult(out, newly)


def _codes(column: pl.Series) -> np.ndarray:
    """Dense codes in value order, -1 for null (and NaN, which every method reads as missing)."""
    if column.dtype.is_float():
        column = column.fill_nan(None)
    return np.asarray((column.rank("dense").cast(pl.Int64) - 1).fill_null(-1).to_numpy(), dtype=np.int64)
