"""Rank swapping of numeric attributes (Moore 1996; sdcMicro ``rankSwap``)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

from unlinkable.constraints import Interval, Optional, check
from unlinkable.data.io import read_table
from unlinkable.data.numeric import attribute_names, numeric_columns
from unlinkable.errors import ConfigError

__all__ = ["rank_swap"]

#: Rank window in percent when neither ``p`` nor ``r0`` is given.
DEFAULT_P = 15.0


def rank_swap(
    data: Any,
    *,
    attributes: Sequence[str],
    p: float | None = None,
    r0: float | None = None,
    k0: float | None = None,
    top: float = 0.0,
    bottom: float = 0.0,
    seed: int | None = None,
) -> pl.DataFrame:
    """Swap each attribute's values between records whose ranks are close.

    Every column is handled on its own. Its non-null values are ranked; each value is swapped with
    at most one partner whose rank differs by at most ``p`` percent of the number of ranked values,
    so the column keeps exactly the same multiset of values (hence the same sum), while the link
    between a record and its value is broken.

    Parameters
    ----------
    data : polars.DataFrame or pandas.DataFrame
        The table; pandas input is converted with ``pl.from_pandas``.
    attributes : list of str
        The numeric (or ordinal integer) columns to swap.
    p : float in [0, 100], optional
        Maximum rank distance of two swapped values, in percent of the number of ranked values
        (default 15 unless ``r0`` is given).
    r0 : float in [0, 1], optional
        Instead of ``p``: sdcMicro's multivariate preservation factor. The window becomes
        ``100 * sqrt(2 Var (1 - r0)) / |b - t|`` percent, where ``Var`` is the population variance of
        the ranked values and ``t``/``b`` the inner edges of the top/bottom groups (or the max/min);
        ``r0 = 1`` swaps nothing.
    k0 : float >= 0, optional
        Instead of ``p`` or ``r0``: sdcMicro's subset-mean preservation factor. The window becomes
        ``100 * sqrt(8/3) * k0 * |mean| / |b - t|`` percent (``mean`` of the ranked values outside
        the top/bottom groups); ``k0 = 0`` swaps nothing.
    top, bottom : float in [0, 100), default 0
        sdcMicro's ``TopPercent``/``BottomPercent``: the ``floor(m * top / 100)`` largest (and
        ``bottom`` smallest) values are replaced by their mean and not swapped. This keeps the
        column sum only up to rounding and changes the multiset; sdcMicro's defaults are 5 and 5.
    seed : int, optional
        Seed for ``numpy.random.default_rng``; the same seed gives the same output.

    Returns
    -------
    polars.DataFrame
        A copy with the attributes swapped. Nulls (and NaN) stay where they were. Columns keep
        their dtype unless top/bottom averaging makes them Float64.

    Raises
    ------
    ConfigError
        Both ``p`` and ``r0``, or a parameter out of range.
    InputError
        Missing or non-numeric columns.

    Notes
    -----
    Moore, *Controlled data-swapping techniques for masking public use microdata sets*, U.S. Bureau
    of the Census RR 96-04, 1996; sdcMicro ``rankSwap`` (IHSN C++ code). sdcMicro pairs greedily in
    rank order (each unswapped value picks a random unswapped partner ahead of it), a sequential
    process. Here the ranks are cut, at a random offset, into blocks of about ``W + 1`` consecutive
    ranks (``W`` the maximum distance) whose lower half is matched at random with the upper half:
    vectorised, the same distance bound, and an average swap distance of about ``W/2`` as in the
    greedy scheme. The swaps of one column never depend on another column.

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"income": [5, 1, 4, 2, 3, 6]})
    >>> out = rank_swap(df, attributes=["income"], p=50, seed=3)
    >>> sorted(out["income"].to_list()) == sorted(df["income"].to_list())
    True
    """
    frame = read_table(data)
    attrs = attribute_names(frame, attributes, where="rank_swap")
    frame = numeric_columns(frame, attrs, where="rank_swap", hint="rank swapping needs ordered numbers")
    if sum(v is not None for v in (p, r0, k0)) > 1:
        raise ConfigError("rank_swap: give one of p, r0 and k0", hint="p is the rank window in percent; r0 or k0 derive it")
    p = check(p, Optional(Interval(float, 0.0, 100.0)), "p", owner="rank_swap", hint="e.g. p=5 (percent of the ranks)")
    r0 = check(r0, Optional(Interval(float, 0.0, 1.0)), "r0", owner="rank_swap", hint="e.g. r0=0.95")
    k0 = check(k0, Optional(Interval(float, 0.0, None, finite=True)), "k0", owner="rank_swap", hint="e.g. k0=0.1")
    top = check(top, Interval(float, 0.0, 100.0, closed="left"), "top", owner="rank_swap", hint="e.g. top=5 (percent)")
    bottom = check(bottom, Interval(float, 0.0, 100.0, closed="left"), "bottom", owner="rank_swap", hint="e.g. bottom=5 (percent)")
    if top + bottom >= 100.0:
        raise ConfigError(f"rank_swap: top={top} and bottom={bottom} cover every value", hint="keep top + bottom below 100")
    if p is None and r0 is None and k0 is None:
        p = DEFAULT_P

    rng = np.random.default_rng(seed)
    columns = []
    for name in attrs:
        col = frame[name]
        present = col.cast(pl.Float64).fill_nan(None).is_not_null().to_numpy()
        rows = np.flatnonzero(present)
        # Rank on the native values: casting big integers to float would blur their order.
        native = col.gather(rows).to_numpy()
        order = np.argsort(native, kind="stable")
        x = native[order].astype(float)  # ascending
        m = x.size
        n_top = int(m * top / 100.0)
        n_bottom = int(math.floor(m * bottom / 100.0))
        middle = x[n_bottom : m - n_top]
        window_pct = (float(p) if p is not None else _r0_percent(x, middle, n_bottom, n_top, r0) if r0 is not None
                      else _k0_percent(x, middle, n_bottom, n_top, float(k0 or 0.0)))
        width = int(math.floor(window_pct / 100.0 * middle.size))
        partner = _partners(middle.size, width, rng)
        if n_top == 0 and n_bottom == 0:
            # Move whole values between rows, so the column keeps its dtype and exact multiset.
            source = np.arange(frame.height)
            source[rows[order]] = rows[order[partner]]
            columns.append(col.gather(source))
            continue
        ranked = x.copy()
        if n_bottom:
            ranked[:n_bottom] = x[:n_bottom].sum() / n_bottom
        if n_top:
            ranked[m - n_top :] = x[m - n_top :].sum() / n_top
        ranked[n_bottom : m - n_top] = middle[partner]
        full = np.full(frame.height, np.nan)
        full[rows[order]] = ranked
        columns.append(pl.Series(name, full, dtype=pl.Float64, nan_to_null=True))
    return frame.with_columns(columns)


def _partners(n: int, width: int, rng: np.random.Generator) -> np.ndarray:
    """A random involution of ``0..n-1`` moving no index by more than ``width``.

    Ranks are cut, at a random offset, into blocks of ``2h`` consecutive ranks with
    ``h = (width + 1) // 2``; the first half of each block is matched at random with its second
    half, so a swap spans between 1 and ``2h - 1 <= width`` ranks, ``h`` on average (sdcMicro's
    greedy pairing averages about ``width / 2`` too). Ranks left without a partner in the partial
    blocks at the two ends stay in place.
    """
    index = np.arange(n)
    half = (width + 1) // 2
    if n < 2 or half < 1:
        return index
    shifted = index + rng.integers(0, 2 * half)
    half_block = (shifted // (2 * half)) * 2 + (shifted % (2 * half) >= half)  # (block, which half)
    perm = np.lexsort((rng.random(n), half_block))  # a random order inside every half-block
    counts = np.bincount(half_block, minlength=int(half_block.max()) + 2)
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    sorted_half = half_block[perm]
    rank = index - starts[sorted_half]
    other = sorted_half ^ 1  # the other half of the same block
    paired = rank < counts[other]
    partner_pos = np.where(paired, starts[other] + rank, index)
    result = np.empty(n, dtype=np.int64)
    result[perm] = perm[partner_pos]
    return result


def _r0_percent(ranked: np.ndarray, middle: np.ndarray, n_bottom: int, n_top: int, r0: float) -> float:
    """sdcMicro's window from R0: sqrt(2 Var (1 - R0)) / |bottom edge - top edge|, in percent."""
    if middle.size == 0:
        return 0.0
    var = float(np.mean(middle**2) - np.mean(middle) ** 2)
    top_edge = ranked[ranked.size - n_top] if n_top else ranked[-1]
    bottom_edge = ranked[n_bottom - 1] if n_bottom else ranked[0]
    spread = abs(top_edge - bottom_edge)
    if spread == 0:
        return 0.0
    return float(100.0 * math.sqrt(max(2.0 * var * (1.0 - r0), 0.0)) / spread)


def _edges_spread(ranked: np.ndarray, n_bottom: int, n_top: int) -> float:
    """|t - b|: the inner edges of the top and bottom groups (or the max and min)."""
    top_edge = ranked[ranked.size - n_top] if n_top else ranked[-1]
    bottom_edge = ranked[n_bottom - 1] if n_bottom else ranked[0]
    return float(abs(top_edge - bottom_edge))


def _k0_percent(ranked: np.ndarray, middle: np.ndarray, n_bottom: int, n_top: int, k0: float) -> float:
    """sdcMicro's window from K0: sqrt(8/3) K0 |mean| / |bottom edge - top edge|, in percent."""
    spread = _edges_spread(ranked, n_bottom, n_top) if middle.size else 0.0
    if spread == 0:
        return 0.0
    return min(100.0, 100.0 * math.sqrt(8.0 / 3.0) * k0 * abs(float(np.mean(middle))) / spread)
