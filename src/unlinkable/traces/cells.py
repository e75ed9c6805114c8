"""Aggregated cell counts for maps: distinct users per grid cell, small counts suppressed.

A map may show how many people were in each cell, never a person's trace: only cells with at
least ``min_users`` distinct users are kept, and cells are given as row/column offsets from the
south-west-most kept cell (no coordinate). How many cells were left out is reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from unlinkable.constraints import check_float, check_int
from unlinkable.traces.resolution import Space
from unlinkable.traces.table import encode_columns

#: the smallest count a map shows by default
MIN_USERS = 10


def cell_counts(points: Any, columns: Mapping[str, str | None], *, grid_m: float, min_users: int = MIN_USERS) -> dict[str, Any]:
    """``{grid_m, min_users, cells: [[row, col, users], ...], suppressed_cells}``.

    Examples
    --------
    >>> import polars as pl
    >>> pts = pl.DataFrame({"u": [1, 2, 3, 3], "lat": [45.0, 45.0, 45.0, 46.0], "lng": [7.0] * 4})
    >>> cell_counts(pts, {"user": "u", "lat": "lat", "lng": "lng"}, grid_m=1000, min_users=2)
    {'grid_m': 1000.0, 'min_users': 2, 'cells': [[0, 0, 3]], 'suppressed_cells': 1}
    """
    grid_m = check_float(grid_m, "map grid_m", low=1.0)
    min_users = check_int(min_users, "map min_users", low=2)
    t = encode_columns(points, {**columns, "time": None})
    frame_lat, frame_lng = _coordinates(points, columns, t.order)
    cells = Space(grid_m=grid_m).cells(frame_lat, frame_lng)
    pairs = np.unique(np.stack([cells, t.user], axis=1), axis=0)
    distinct, users = np.unique(pairs[:, 0], return_counts=True)
    keep = users >= min_users
    rows, cols = distinct[keep] >> 32, (distinct[keep] & 0xFFFFFFFF) - (1 << 31)
    listed = [[int(r), int(c), int(n)] for r, c, n in zip(rows - rows.min(), cols - cols.min(), users[keep])] if keep.any() else []
    return {"grid_m": grid_m, "min_users": min_users, "cells": listed, "suppressed_cells": int(np.count_nonzero(~keep))}


def _coordinates(points: Any, columns: Mapping[str, str | None], order: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    import polars as pl

    frame = points if isinstance(points, pl.DataFrame) else pl.from_pandas(points)
    lat = frame[str(columns["lat"])].cast(pl.Float64).to_numpy()
    lng = frame[str(columns["lng"])].cast(pl.Float64).to_numpy()
    return (lat, lng) if order is None else (lat[order], lng[order])


__all__ = ["cell_counts", "MIN_USERS"]
