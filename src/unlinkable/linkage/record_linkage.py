"""Distance-based record-linkage risk of a release against its own original: sdcMicro's ``recordLinkage``.

An attacker who holds the original records tries to find each one in the release: every original
record is paired with one release record so that the total distance is smallest (a one-to-one
assignment, the Hungarian method), and the pairing is correct where the two records are the same
person. The share of correct pairs is the linkage risk of the release (Domingo-Ferrer and Torra's
distance-based record linkage; sdcMicro 5.8.1's ``recordLinkage``).

Only aggregate figures leave this module: the number and share of correct links, the mean and total
distance, and how many original records had several equally close release records. The pairs
themselves are never returned: the measure is for the data holder's own release, not for linking
people.

Distances, as ``cluster::daisy`` computes them for sdcMicro:

* ``gower`` (default, mixed types): the weighted mean over the attributes of a per-attribute
  dissimilarity: |x - y| / range for numbers (range over both tables), 0 or 1 for text and
  categories, and for true/false columns 0 or 1 except that a pair where both are false does not
  count (an asymmetric binary attribute). An attribute missing on either side does not count.
* ``euclidean`` and ``manhattan`` (numbers and true/false only, unweighted as in daisy):
  sqrt(sum (x - y)^2) and sum |x - y|; where values are missing, the sum over the p' attributes
  present is scaled up by p / p', as daisy does.

A pair of records with no attribute present on both sides (for Gower: none that counts) has no
distance; the linkage then stops with an error, as sdcMicro does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import polars as pl

from unlinkable.constraints import Interval, Names, OneOf, Rule, check
from unlinkable.data.io import read_table
from unlinkable.errors import ConfigError, InputError

__all__ = ["DISTANCES", "MAX_RECORDS", "RecordLinkageRisk", "record_linkage_risk"]

DISTANCES = ("gower", "euclidean", "manhattan")
#: the largest table linked: the method compares every original record with every release record
MAX_RECORDS = 5_000
_DEFAULT_TOL = math.sqrt(float(np.finfo(np.float64).eps))


@dataclass(frozen=True)
class RecordLinkageRisk:
    """Aggregate result of :func:`record_linkage_risk` (no pair of records is kept).

    ``correct_match_rate`` is ``None`` when no pair can be judged (every truth id missing);
    ``tied_best`` counts the original records with more than one release record at the smallest
    distance (within ``tol``): a correct link among ties is partly luck.
    """

    records: int
    evaluable: int
    correct_matches: int
    correct_match_rate: float | None
    mean_distance: float
    total_distance: float
    tied_best: int
    distance: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready figures."""
        return {"records": self.records, "evaluable": self.evaluable, "correct_matches": self.correct_matches,
                "correct_match_rate": self.correct_match_rate, "mean_distance": self.mean_distance,
                "total_distance": self.total_distance, "tied_best": self.tied_best, "distance": self.distance}


@dataclass(frozen=True)
class _Linked:
    cost: np.ndarray
    partner: np.ndarray  # release row linked to each original row
    n_best: np.ndarray
    correct: np.ndarray  # 1.0 correct, 0.0 wrong, NaN cannot be judged


def record_linkage_risk(original: Any, release: Any, *, attributes: Sequence[str], distance: str = "gower",
                        weights: Sequence[float] | None = None, original_id: str | None = None,
                        release_id: str | None = None, tol: float = _DEFAULT_TOL,
                        na_action: str = "ignore") -> RecordLinkageRisk:
    """Share of original records that an optimal one-to-one linkage pairs with their own release record.

    Parameters
    ----------
    original, release : path, polars or pandas DataFrame; the same number of rows
    attributes : the columns linked on (present in both)
    distance : "gower", "euclidean" or "manhattan" (see the module docstring)
    weights : one weight >= 0 per attribute (not all 0); default 1 each
    original_id, release_id : columns holding the truth (equal ids are the same person); without
        them row i of the release is row i of the original. A missing id makes its pair unjudged.
    tol : distances within ``tol`` of a record's smallest distance count as ties (``tied_best``)
    na_action : "ignore" (a missing value leaves its attribute out of a pair's distance) or "fail"
        (a missing value in a linkage attribute is an error)

    Examples
    --------
    >>> import polars as pl
    >>> original = pl.DataFrame({"age": [23.0, 40.0, 35.0], "region": ["A", "B", "A"]})
    >>> release = pl.DataFrame({"age": [24.0, 39.0, 35.0], "region": ["A", "B", "B"]})
    >>> r = record_linkage_risk(original, release, attributes=["age", "region"])
    >>> r.correct_matches, r.correct_match_rate
    (3, 1.0)
    """
    linked = _link(read_table(original), read_table(release), attributes=attributes, distance=distance,
                   weights=weights, original_id=original_id, release_id=release_id, tol=tol, na_action=na_action)
    judged = ~np.isnan(linked.correct)
    matched = linked.cost[np.arange(linked.partner.size), linked.partner]
    n = int(linked.partner.size)
    return RecordLinkageRisk(
        records=n, evaluable=int(judged.sum()), correct_matches=int(np.nansum(linked.correct)),
        correct_match_rate=float(linked.correct[judged].mean()) if judged.any() else None,
        mean_distance=float(matched.mean()) if n else math.nan, total_distance=float(matched.sum()),
        tied_best=int((linked.n_best > 1).sum()), distance=distance)


def _weights(n: int, value: Any) -> list[float] | None:
    """The gower distance's weights: ``n`` finite numbers >= 0 (a list, tuple or array), else None."""
    if not isinstance(value, (list, tuple, np.ndarray)) or len(value) != n:
        return None
    w = np.asarray(list(value), dtype=np.float64)  # a value that is not a number: ValueError, a mismatch
    return [float(v) for v in w] if np.isfinite(w).all() and (w >= 0).all() else None


def _link(x: pl.DataFrame, y: pl.DataFrame, *, attributes: Sequence[str], distance: str,
          weights: Sequence[float] | None, original_id: str | None, release_id: str | None, tol: float,
          na_action: str) -> _Linked:
    """The cost matrix, the optimal assignment, ties and truth (kept inside this module)."""
    from scipy.optimize import linear_sum_assignment

    names: list[str] = check(attributes, Names(), "attributes", owner="record linkage",
                             hint="e.g. attributes=['age', 'sex', 'region'], each column once")
    for side, frame in (("original", x), ("release", y)):
        absent = [a for a in names if a not in frame.columns]
        if absent:
            raise InputError(f"record linkage: the {side} table has no column {', '.join(map(repr, absent))}",
                             hint=f"its columns are {frame.columns}")
    if x.height != y.height:
        raise InputError(f"record linkage: the original has {x.height} rows and the release {y.height}",
                         hint="one-to-one linkage needs the release of the same records")
    if x.height > MAX_RECORDS:
        raise ConfigError(f"record linkage compares every pair of records; at most {MAX_RECORDS} records, got {x.height}",
                          hint="measure on a random sample of the records")
    distance = check(distance, OneOf(DISTANCES), "distance", owner="record linkage")
    tol = check(tol, Interval(float, 0, None, finite=True), "tol", owner="record linkage", hint="e.g. tol=1e-8")
    w = np.ones(len(names)) if weights is None else np.asarray(
        check(weights, Rule(f"a list of {len(names)} finite numbers >= 0, one per attribute",
                            partial(_weights, len(names))), "weights", owner="record linkage", hint="e.g. weights=[2, 1, 1]"),
        dtype=np.float64)
    if w.sum() == 0:
        raise ConfigError("record linkage: at least one weight must be positive", hint="e.g. weights=[1, 1]")
    if weights is not None and distance != "gower":
        raise ConfigError(f"record linkage: weights apply to the gower distance only, not {distance!r}",
                          hint="drop weights, or use distance='gower'")
    na_action = check(na_action, OneOf(("ignore", "fail")), "na_action", owner="record linkage",
                      hint="'fail' refuses missing values in the linkage attributes")
    if na_action == "fail":
        for side, frame in (("original", x), ("release", y)):
            for a in names:
                column = frame[a].fill_nan(None) if frame[a].dtype.is_float() else frame[a]
                if column.null_count():
                    row = int(column.is_null().arg_max() or 0)
                    raise InputError(f"record linkage: the {side} table's column {a!r} row {row + 1} is missing "
                                     "and na_action is 'fail'", hint="fill the value, or use na_action='ignore'")
    truth_x, truth_y = _truth(_ids(x, original_id, "original"), _ids(y, release_id, "release"))

    cost = _distances([_column(x[a], y[a], a, distance) for a in names], w, distance)
    if cost.size and not np.isfinite(cost).all():
        i, j = np.argwhere(~np.isfinite(cost))[0]
        raise InputError(f"record linkage: original row {i + 1} and release row {j + 1} share no attribute that "
                         "is present on both sides, so their distance is undefined",
                         hint="fill or drop records whose linkage attributes are all missing")
    rows, partner = linear_sum_assignment(cost) if cost.size else (np.zeros(0, int), np.zeros(0, int))
    order = np.empty_like(partner)
    order[rows] = partner
    best = cost.min(axis=1, initial=np.inf) if cost.size else np.zeros(0)
    n_best = (np.abs(cost - best[:, None]) <= tol).sum(axis=1) if cost.size else np.zeros(0, int)
    linked_ids = truth_y[order]
    judged = ~(_missing(truth_x) | _missing(linked_ids))
    correct = np.where(judged, (truth_x == linked_ids).astype(np.float64), np.nan)
    return _Linked(cost, order, n_best, correct)


def _ids(frame: pl.DataFrame, column: str | None, side: str) -> pl.Series:
    if column is None:
        return pl.Series(np.arange(frame.height, dtype=np.float64))
    if not isinstance(column, str) or column not in frame.columns:
        raise InputError(f"record linkage: the {side} table has no id column {column!r}",
                         hint="name a column holding the same id for the same person in both tables")
    return frame[column]


def _truth(a: pl.Series, b: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """Ids compared as numbers when both are numbers (1 equals 1.0), else as text."""
    numeric = all(s.dtype.is_numeric() or s.dtype == pl.Null for s in (a, b))
    if numeric:
        return _floats(a.cast(pl.Float64)), _floats(b.cast(pl.Float64))
    return (np.asarray(a.cast(pl.String).to_list(), dtype=object),
            np.asarray(b.cast(pl.String).to_list(), dtype=object))


def _missing(values: np.ndarray) -> np.ndarray:
    if values.dtype == object:
        return np.array([v is None for v in values], dtype=bool)
    return np.asarray(np.isnan(values), dtype=bool)


@dataclass(frozen=True)
class _Column:
    kind: str  # "interval", "nominal", "binary"
    x: np.ndarray  # float values (NaN = missing), or codes (-1 = missing)
    y: np.ndarray


def _column(a: pl.Series, b: pl.Series, name: str, distance: str) -> _Column:
    """Harmonize one attribute across the two tables (numbers, true/false, or categories).

    Text that holds only numbers on both sides is read as numbers, as every numeric method here does.
    """
    a, b = _as_number(a), _as_number(b)
    if a.dtype == pl.Boolean and b.dtype == pl.Boolean:
        return _Column("binary", _floats(a.cast(pl.Float64)), _floats(b.cast(pl.Float64)))
    if (a.dtype.is_numeric() or a.dtype == pl.Null) and (b.dtype.is_numeric() or b.dtype == pl.Null):
        return _Column("interval", _floats(a.cast(pl.Float64)), _floats(b.cast(pl.Float64)))
    if distance != "gower":
        raise ConfigError(f"record linkage: distance {distance!r} needs numbers or true/false; {name!r} is not",
                          hint="use distance='gower' for text or categories")
    text_a, text_b = a.cast(pl.String), b.cast(pl.String)
    levels = pl.concat([text_a, text_b]).drop_nulls().unique(maintain_order=True)
    lookup = {v: i for i, v in enumerate(levels.to_list())}

    def encode(s: pl.Series) -> np.ndarray:
        return np.array([-1 if v is None else lookup[v] for v in s.to_list()], dtype=np.int64)

    return _Column("nominal", encode(text_a), encode(text_b))


def _as_number(s: pl.Series) -> pl.Series:
    if s.dtype != pl.String:
        return s
    parsed = s.str.strip_chars().cast(pl.Float64, strict=False)
    return parsed if parsed.null_count() == s.null_count() else s


def _floats(s: pl.Series) -> np.ndarray:
    return np.asarray(s.fill_nan(None).fill_null(np.nan).to_numpy(), dtype=np.float64)


def _distances(columns: Sequence[_Column], w: np.ndarray, distance: str) -> np.ndarray:
    """Original x release dissimilarities, attribute by attribute (vectorised per attribute)."""
    n, m = columns[0].x.size, columns[0].y.size
    total = np.zeros((n, m))
    present_weight = np.zeros((n, m))
    for col, wk in zip(columns, w):
        if col.kind == "nominal":
            present = (col.x[:, None] >= 0) & (col.y[None, :] >= 0)
            d = (col.x[:, None] != col.y[None, :]).astype(np.float64)
        else:
            present = ~np.isnan(col.x)[:, None] & ~np.isnan(col.y)[None, :]
            diff = np.abs(col.x[:, None] - col.y[None, :])
            if distance == "gower" and col.kind == "interval":
                both = np.concatenate([col.x, col.y])
                both = both[~np.isnan(both)]
                spread = float(both.max() - both.min()) if both.size else 0.0
                diff = diff / spread if spread > 0 else np.zeros_like(diff)
            elif distance == "gower":  # asymmetric binary: two false values say nothing
                present &= (col.x[:, None] == 1) | (col.y[None, :] == 1)
            d = diff**2 if distance == "euclidean" else diff
        d = np.where(present, d, 0.0)
        total += wk * d
        present_weight += wk * present
    with np.errstate(divide="ignore", invalid="ignore"):
        if distance == "gower":
            return np.where(present_weight > 0, total / present_weight, np.nan)
        scaled = np.where(present_weight > 0, total * (len(columns) / present_weight), np.nan)
        return np.sqrt(scaled) if distance == "euclidean" else scaled
