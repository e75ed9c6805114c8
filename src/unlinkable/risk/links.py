"""Candidate counting between a release and an auxiliary table, linear in rows.

The engine of :func:`unlinkable.linkage.exposure.exposure` and of the ``linkage`` privacy model:
which auxiliary records each release record is compatible with, counted per record and never
materialised as linked pairs. The compatibility rules and the algorithm are described in
``linkage/exposure.py``; this module holds the attribute links (:func:`attribute_links`), the
prepared auxiliary side (:class:`Auxiliary`) and the counting kernels.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from unlinkable.constraints import Rule, check, message
from unlinkable.data.table import encode_column
from unlinkable.errors import ConfigError, InternalError
from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.hierarchies.io import read_hierarchy

__all__ = ["AttributeLink", "Auxiliary", "attribute_links", "encode_release", "lift_one_level", "WILDCARD", "RANGE"]

WILDCARD = -1
RANGE = -2  # token kind of a tolerance attribute's non-wildcard value

_WILDCARD_TEXT = "*"
_BINCOUNT_LIMIT = 1 << 24          # key spaces up to this size are counted with one bincount
_EXPANSION_LIMIT = 20_000_000      # expanded release rows per chunk (second tolerance attribute)
_KEY_LIMIT = 1 << 61               # densify a combined key before it could overflow int64
_USE_POLARS_JOIN = os.environ.get("UNLINKABLE_POLARS_JOIN") == "1"
#: records per (release, auxiliary) row of a count, None for one each
_Weights = tuple[np.ndarray | None, np.ndarray | None]


# --------------------------------------------------------------------------------------------
# Attribute specifications and the prepared auxiliary side
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttributeLink:
    """One shared attribute: release column, auxiliary column, optional hierarchy and tolerance.

    ``tolerance_kind`` is ``"number"`` or ``"date"`` when a tolerance is set (dates in days).
    """

    release: str
    auxiliary: str
    hierarchy: Hierarchy | None = None
    tolerance: float | None = None
    tolerance_kind: str | None = None


class _AuxAttribute:
    """The auxiliary column of one attribute, encoded once: codes, hierarchy levels, numeric ranks."""

    def __init__(self, link: AttributeLink, series: pl.Series) -> None:
        self.link = link
        enc = encode_column(series)
        dictionary = list(enc.dictionary)
        codes = enc.codes
        # ``*`` in the auxiliary table is a missing value: it excludes nobody.
        if _WILDCARD_TEXT in dictionary:
            star = dictionary.index(_WILDCARD_TEXT)
            codes = np.where(codes == star, -1, codes).astype(np.int32)
        self.codes = codes
        self.dictionary = tuple(dictionary)
        self.index = {v: i for i, v in enumerate(dictionary)}
        h = link.hierarchy
        self.level_codes: list[np.ndarray] = []      # per level: label code of each dictionary value
        self.label_index: list[dict[str, int]] = []  # per level: label -> code
        self.label_level: dict[str, int] = {}        # non-leaf label -> highest level holding it
        self.leaf_rows: dict[str, int] = {}
        if h is not None:
            self.leaf_rows = {row[0]: i for i, row in enumerate(h.rows)}
            row_of = np.array([self.leaf_rows.get(v, -1) for v in dictionary], dtype=np.int64)
            for level in range(h.levels):
                labels: dict[str, int] = {}
                per_row = np.array([labels.setdefault(row[level], len(labels)) for row in h.rows], dtype=np.int32)
                self.label_index.append(labels)
                mapped = np.where(row_of >= 0, per_row[np.maximum(row_of, 0)], -1).astype(np.int32)
                self.level_codes.append(mapped)
                if level:
                    for label in labels:
                        self.label_level[label] = level
        # read only for an attribute with a tolerance (then set below)
        self.sorted_values: np.ndarray = np.zeros(0, dtype=np.float64)
        self.rank: np.ndarray = np.zeros(0, dtype=np.int64)
        if link.tolerance is not None:
            numbers = _parse_values(dictionary, link.tolerance_kind, column=link.auxiliary, side="auxiliary table",
                                    attribute=link.release)
            self.sorted_values = np.unique(numbers)
            self.rank = np.searchsorted(self.sorted_values, numbers).astype(np.int64)
            # Numeric span of every label at every level (min and max of its leaves), computed once.
            self._label_span: list[tuple[np.ndarray, np.ndarray]] = []
            if h is not None:
                leaves = [row[0] for row in h.rows]
                parsed = _parse_values(leaves, link.tolerance_kind, column=link.release, side="hierarchy",
                                       attribute=link.release)
                for level in range(h.levels):
                    labels = self.label_index[level]
                    per_row = np.array([labels[row[level]] for row in h.rows], dtype=np.int64)
                    low = np.full(len(labels), np.inf)
                    high = np.full(len(labels), -np.inf)
                    np.minimum.at(low, per_row, parsed)
                    np.maximum.at(high, per_row, parsed)
                    self._label_span.append((low, high))

    def level_card(self, level: int) -> int:
        # Level 0 keys live in the auxiliary dictionary, plus one code for "a value A never has".
        return len(self.dictionary) + 1 if level == 0 else len(self.label_index[level])

    def aux_key(self, level: int) -> np.ndarray:
        """Key of every auxiliary record at ``level`` (-1: missing or outside the hierarchy)."""
        if level == 0:
            return self.codes
        lut = np.append(self.level_codes[level], -1)
        return np.asarray(lut[self.codes])

    def tokens(self, dictionary: Sequence[str | None]) -> _Tokens:
        """Resolve each distinct release value once (the last entry is the token of a missing value)."""
        n = len(dictionary)
        kind = np.full(n + 1, WILDCARD, dtype=np.int16)
        key = np.full(n + 1, -1, dtype=np.int64)
        lo = np.zeros(n + 1, dtype=np.int64)
        hi = np.full(n + 1, -1, dtype=np.int64)
        link = self.link
        h = link.hierarchy
        for i, value in enumerate(dictionary):
            if value is None or value == _WILDCARD_TEXT:
                continue
            if link.tolerance is None:
                if h is None or value in self.leaf_rows or value not in self.label_level:
                    kind[i] = 0
                    key[i] = self.index.get(value, len(self.dictionary))
                else:
                    level = self.label_level[value]
                    kind[i] = level
                    key[i] = self.label_index[level][value]
                continue
            kind[i] = RANGE
            span = self._span(value)
            t = link.tolerance
            lo[i] = np.searchsorted(self.sorted_values, span[0] - t, side="left")
            hi[i] = np.searchsorted(self.sorted_values, span[1] + t, side="right") - 1
        return _Tokens(kind, key, lo, hi)

    def _span(self, value: str) -> tuple[float, float]:
        link = self.link
        h = link.hierarchy
        # As for keys: a raw value of the hierarchy is read as itself, then labels, then numbers.
        is_label = h is not None and value not in self.leaf_rows and value in self.label_level
        number = None if is_label else _parse_one(value, link.tolerance_kind)
        if number is not None:
            return number, number
        if is_label:
            level = self.label_level[value]
            code = self.label_index[level][value]
            low, high = self._label_span[level]
            return float(low[code]), float(high[code])
        what = "a number" if link.tolerance_kind == "number" else "a date (YYYY-MM-DD)"
        raise ConfigError(
            f"column {link.release!r} of the release has a tolerance, but its value {value!r} is not {what}"
            + (" nor a label of its hierarchy" if h is not None else ""),
            hint="a tolerance applies to numeric or date attributes only; remove it for categorical columns",
        )


@dataclass(frozen=True)
class _Tokens:
    kind: np.ndarray   # WILDCARD, RANGE or the hierarchy level of a key
    key: np.ndarray
    lo: np.ndarray
    hi: np.ndarray


def _parse_one(value: str, kind: str | None) -> float | None:
    try:
        if kind == "date":
            from datetime import datetime

            # Days since 1970-01-01, as polars counts them in _parse_values (same strict format).
            return float((datetime.strptime(value.strip(), "%Y-%m-%d") - datetime(1970, 1, 1)).days)
        number = float(value)
        return None if math.isnan(number) else number
    except (ValueError, TypeError):
        return None


def _parse_values(values: Sequence[str], kind: str | None, *, column: str, side: str, attribute: str) -> np.ndarray:
    series = pl.Series("v", list(values), dtype=pl.String)
    if kind == "date":
        parsed = series.str.strip_chars().str.to_date("%Y-%m-%d", strict=False)
        numbers = parsed.cast(pl.Int64, strict=False)
        what, hint = "a date (YYYY-MM-DD)", "dates must be written YYYY-MM-DD; a date tolerance is written like \"3d\""
    else:
        numbers = series.str.strip_chars().cast(pl.Float64, strict=False)
        what, hint = "a number", "a tolerance applies to numeric or date attributes only; remove it for categorical columns"
    bad = numbers.is_null() & series.is_not_null()
    if kind != "date":
        bad = bad | numbers.is_nan().fill_null(False)
    if bad.any():
        first = series.filter(bad)[0]
        raise ConfigError(f"attribute {attribute!r} has a tolerance, but the value {first!r} in column {column!r} of the "
                          f"{side} is not {what}", hint=hint)
    return numbers.cast(pl.Float64).to_numpy()


# --------------------------------------------------------------------------------------------
# The counting engine
# --------------------------------------------------------------------------------------------


class Auxiliary:
    """The auxiliary table prepared for repeated counting (the privacy model reuses it)."""

    def __init__(self, frame: pl.DataFrame, links: Sequence[AttributeLink], *,
                 weights: np.ndarray | None = None) -> None:
        self.links = tuple(links)
        self.m = frame.height
        # records per row: a row may stand for several equal auxiliary records (a distinct tuple
        # with its count); None is one record per row
        self.weights = None if weights is None else np.asarray(weights, dtype=np.int64)
        self.attrs = [_AuxAttribute(link, frame[link.auxiliary]) for link in links]
        missing = np.zeros(self.m, dtype=np.int64)
        for a, attr in enumerate(self.attrs):
            missing |= (attr.codes < 0).astype(np.int64) << a
        self.missing_patterns = _rows_by_value(missing)

    def count(self, release_columns: Sequence[tuple[np.ndarray, Sequence[str | None]]], *,
              use: Sequence[int] | None = None, reverse: bool = False,
              weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None]:
        """Candidate counts per release record (and per auxiliary record when ``reverse``).

        ``release_columns[a]`` is (codes, dictionary) of the release column of attribute ``a``;
        ``use`` selects the attributes that take part (the what-if drops one). ``weights`` gives
        the records each release row stands for (a distinct tuple's count) for the reverse counts;
        the auxiliary rows' own weights count towards the candidates. The counts are exact
        integers either way.
        """
        wr = None if weights is None else np.asarray(weights, dtype=np.int64)
        wa = self.weights
        use = list(range(len(self.attrs))) if use is None else list(use)
        n = len(release_columns[0][0]) if release_columns else 0
        tokens, keys, los, his = {}, {}, {}, {}
        for a in use:
            codes, dictionary = release_columns[a]
            tok = self.attrs[a].tokens(dictionary)
            tokens[a] = tok.kind
            keys[a], los[a], his[a] = tok.key, tok.lo, tok.hi
        # Pattern of a release record: the token kind of every used attribute, as one small int.
        pattern = np.zeros(n, dtype=np.int64)
        for a in use:
            hierarchy = self.attrs[a].link.hierarchy
            levels = hierarchy.levels if hierarchy is not None else 1
            pattern *= levels + 2
            pattern += tokens[a][release_columns[a][0]] + 2
        patterns = _rows_by_value(pattern)
        del pattern
        counts = np.zeros(n, dtype=np.int64)
        rev = np.zeros(self.m, dtype=np.int64) if reverse else None
        for r_idx in patterns:
            first = r_idx[0]
            for a_idx in self.missing_patterns:
                a_missing = int(self._missing_mask_of(a_idx[0]))
                key_attrs: list[tuple[int, int]] = []
                range_attrs: list[tuple[int, int]] = []
                for a in use:
                    k = int(tokens[a][release_columns[a][0][first]])
                    if k == WILDCARD or (a_missing >> a) & 1:
                        continue
                    (range_attrs if k == RANGE else key_attrs).append((a, k))
                if not key_attrs and not range_attrs:
                    counts[r_idx] += len(a_idx) if wa is None else int(wa[a_idx].sum())
                    if rev is not None:
                        rev[a_idx] += len(r_idx) if wr is None else int(wr[r_idx].sum())
                    continue
                self._join(r_idx, a_idx, key_attrs, range_attrs, release_columns, keys, los, his, counts, rev,
                           None if wr is None else wr[r_idx])
        return counts, rev

    def _missing_mask_of(self, i: int) -> int:
        return sum(1 << a for a, attr in enumerate(self.attrs) if attr.codes[i] < 0)

    def _join(self, r_idx: np.ndarray, a_idx: np.ndarray, key_attrs: list[tuple[int, int]],
              range_attrs: list[tuple[int, int]], release_columns: Sequence[tuple[np.ndarray, Sequence[str | None]]],
              keys: dict[int, np.ndarray], los: dict[int, np.ndarray], his: dict[int, np.ndarray],
              counts: np.ndarray, rev: np.ndarray | None, wr: np.ndarray | None) -> None:
        # Auxiliary side: drop values outside the hierarchy at the pattern's level (they match nothing).
        keep = None
        for a, level in key_attrs:
            if level:
                ok = self.attrs[a].aux_key(level)[a_idx] >= 0
                keep = ok if keep is None else keep & ok
        if keep is not None and not keep.all():
            a_idx = a_idx[keep]
        wa = None if self.weights is None else self.weights[a_idx]
        a_rank = {a: self.attrs[a].rank[self.attrs[a].codes[a_idx]] for a, _ in range_attrs}
        r_lo = {a: los[a][release_columns[a][0][r_idx]] for a, _ in range_attrs}
        r_hi = {a: his[a][release_columns[a][0][r_idx]] for a, _ in range_attrs}
        a_cards = [self.attrs[a].level_card(level) for a, level in key_attrs]
        if len(range_attrs) <= 1:
            # Build the combined keys one attribute at a time (no per-attribute int64 copies).
            kr = np.zeros(len(r_idx), dtype=np.int64)
            ka = np.zeros(len(a_idx), dtype=np.int64)
            space = 1
            for (a, level), card in zip(key_attrs, a_cards):
                if space * card >= _KEY_LIMIT:
                    kr, ka, space = _densify(kr, ka)
                kr *= card
                kr += keys[a][release_columns[a][0][r_idx]]
                ka *= card
                ka += self.attrs[a].aux_key(level)[a_idx]
                space *= card
            holder = [kr, ka]
            del kr, ka  # the counting function owns (and overwrites) the keys from here on
            c, rv = _count_combined(holder, space, *_range_args(range_attrs, r_lo, r_hi, a_rank, self.attrs),
                                    reverse=rev is not None, weights=(wr, wa))
            counts[r_idx] += c
            if rev is not None:
                rev[a_idx] += rv
            return
        r_cols = [keys[a][release_columns[a][0][r_idx]] for a, _ in key_attrs]
        a_cols = [self.attrs[a].aux_key(level)[a_idx] for a, level in key_attrs]
        # Several tolerance attributes: expand all but the widest into the distinct auxiliary
        # values inside the range, which turns them into key attributes.
        widths = {a: np.clip(r_hi[a] - r_lo[a] + 1, 0, None) for a, _ in range_attrs}
        last = max((a for a, _ in range_attrs), key=lambda a: float(widths[a].mean()) if len(r_idx) else 0.0)
        expand = [a for a, _ in range_attrs if a != last]
        per_row = np.ones(len(r_idx), dtype=np.int64)
        for a in expand:
            per_row *= widths[a]
        bounds = _chunks(per_row, _EXPANSION_LIMIT)
        for start, stop in bounds:
            rows = np.arange(start, stop)
            owner = np.repeat(rows, per_row[start:stop])
            cols = [c[owner] for c in r_cols]
            stride = per_row[start:stop].copy()
            offset = np.arange(len(owner)) - np.repeat(np.cumsum(per_row[start:stop]) - per_row[start:stop], per_row[start:stop])
            e_a_cols, e_cards = list(a_cols), list(a_cards)
            for a in expand:
                # Mixed-radix digits of the offset enumerate the product of the ranges.
                stride = stride // np.maximum(widths[a][start:stop], 1)
                digit = (offset // np.repeat(stride, per_row[start:stop])) % np.repeat(np.maximum(widths[a][start:stop], 1), per_row[start:stop])
                cols.append(r_lo[a][owner] + digit)
                e_a_cols.append(a_rank[a])
                e_cards.append(len(self.attrs[a].sorted_values))
            c, rv = _count_keys(cols, e_a_cols, e_cards, r_lo[last][owner], r_hi[last][owner], a_rank[last],
                                len(self.attrs[last].sorted_values), nr=len(owner), na=len(a_idx),
                                reverse=rev is not None, weights=(None if wr is None else wr[owner], wa))
            counts[r_idx[start:stop]] += np.bincount(owner - start, weights=c, minlength=stop - start).astype(np.int64)
            if rev is not None:
                rev[a_idx] += rv


def _range_args(range_attrs: list[tuple[int, int]], r_lo: dict[int, np.ndarray], r_hi: dict[int, np.ndarray],
                a_rank: dict[int, np.ndarray], attrs: Sequence[_AuxAttribute],
                ) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray | None, int]:
    if not range_attrs:
        return None, None, None, 0
    a = range_attrs[0][0]
    return r_lo[a], r_hi[a], a_rank[a], len(attrs[a].sorted_values)


def _chunks(sizes: np.ndarray, limit: int) -> list[tuple[int, int]]:
    """Split rows into consecutive chunks whose sizes sum to at most ``limit`` (at least one row each)."""
    if len(sizes) == 0:
        return []
    total = np.cumsum(sizes)
    out, start, base = [], 0, 0
    while start < len(sizes):
        stop = int(np.searchsorted(total, base + limit, side="right"))
        stop = max(stop, start + 1)
        out.append((start, stop))
        base = int(total[stop - 1])
        start = stop
    return out


def _rows_by_value(code: np.ndarray) -> list[np.ndarray]:
    """Row indices of each distinct value of ``code`` (a few values, many rows)."""
    if len(code) == 0:
        return []
    first = code[0]
    if (code == first).all():
        return [np.arange(len(code))]
    order = np.argsort(code, kind="stable")
    sorted_code = code[order]
    cuts = np.flatnonzero(np.diff(sorted_code)) + 1
    return np.split(order, cuts)


def _combine(r_cols: Sequence[np.ndarray], a_cols: Sequence[np.ndarray], cards: Sequence[int], nr: int, na: int) -> tuple[np.ndarray, np.ndarray, int]:
    """One int64 key per row from several code columns (mixed radix, densified before overflow)."""
    kr = np.zeros(nr, dtype=np.int64)
    ka = np.zeros(na, dtype=np.int64)
    space = 1
    for cr, ca, card in zip(r_cols, a_cols, cards):
        card = max(int(card), 1)
        if space * card >= _KEY_LIMIT:
            kr, ka, space = _densify(kr, ka)
        kr = kr * card + cr
        ka = ka * card + ca
        space *= card
    return kr, ka, space


def _densify(kr: np.ndarray, ka: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    uniq, inverse = np.unique(np.concatenate([kr, ka]), return_inverse=True)
    inverse = inverse.astype(np.int64)
    return inverse[: len(kr)], inverse[len(kr):], len(uniq)


def _count_keys(r_cols: list[np.ndarray], a_cols: list[np.ndarray], cards: list[int], r_lo: np.ndarray | None,
                r_hi: np.ndarray | None, a_rank: np.ndarray | None, ranks: int, *, nr: int, na: int,
                reverse: bool, weights: _Weights = (None, None)) -> tuple[np.ndarray, np.ndarray | None]:
    """Per release row: auxiliary rows with an equal key (and a rank inside [lo, hi] when given)."""
    kr, ka, space = _combine(r_cols, a_cols, cards, nr, na)
    holder = [kr, ka]
    del kr, ka
    return _count_combined(holder, space, r_lo, r_hi, a_rank, ranks, reverse=reverse, weights=weights)


def _count_combined(holder: list[np.ndarray], space: int, r_lo: np.ndarray | None, r_hi: np.ndarray | None,
                    a_rank: np.ndarray | None, ranks: int, *,
                    reverse: bool, weights: _Weights = (None, None)) -> tuple[np.ndarray, np.ndarray | None]:
    """Counts of equal combined keys (and ranks inside [lo, hi] when given), both directions.

    ``holder`` is ``[release keys, auxiliary keys]``; it is emptied so that the keys can be
    overwritten in place and freed early. ``r_lo``/``r_hi`` are overwritten too. ``weights`` are
    the records each (release, auxiliary) row stands for (None: one).
    """
    kr, ka = holder
    holder.clear()
    if weights[0] is not None or weights[1] is not None:
        return _count_weighted(kr, ka, space, r_lo, r_hi, a_rank, ranks, reverse=reverse, weights=weights)
    if r_lo is None:
        if space <= max(_BINCOUNT_LIMIT, 2 * (len(kr) + len(ka))):
            per_key = np.bincount(ka, minlength=space)
            c = per_key[kr]
            rv = np.bincount(kr, minlength=space)[ka] if reverse else None
            return c, rv
        if _USE_POLARS_JOIN:
            return _lookup(ka, kr), (_lookup(kr, ka) if reverse else None)
        # Large key space: sort both sides once; sorted needles make searchsorted cache-friendly.
        order_r = np.argsort(kr)
        needles = kr[order_r]
        del kr
        order_a = np.argsort(ka)
        points = ka[order_a]
        del ka
        counted = np.searchsorted(points, needles, side="right")
        counted -= np.searchsorted(points, needles, side="left")
        c = np.empty(len(needles), dtype=np.int64)
        c[order_r] = counted
        del counted, order_r
        rv = None
        if reverse:
            counted = np.searchsorted(needles, points, side="right")
            counted -= np.searchsorted(needles, points, side="left")
            rv = np.empty(len(points), dtype=np.int64)
            rv[order_a] = counted
        return c, rv
    radix = ranks + 1
    if space * radix >= _KEY_LIMIT:
        kr, ka, space = _densify(kr, ka)
    if r_hi is None or a_rank is None:
        raise InternalError("exposure: a tolerance attribute without its upper bounds or ranks")
    # Work in place where possible: at 10M rows every int64 copy is 80 MB.
    np.clip(r_lo, 0, ranks, out=r_lo)
    np.clip(r_hi, -1, ranks - 1, out=r_hi)
    kr *= radix
    q_hi = kr + r_hi
    kr += r_lo
    # Queries are answered in sorted order: ``searchsorted`` with sorted needles walks the sorted
    # haystack forward (cache-friendly), several times faster than random needles at 10M rows.
    order_r = np.argsort(kr)
    q_lo = kr[order_r]
    del kr
    q_hi = q_hi[order_r]
    ka *= radix
    ka += a_rank
    order_a = np.argsort(ka)
    points = ka[order_a]
    del ka
    counted = np.searchsorted(points, q_hi, side="right")
    counted -= np.searchsorted(points, q_lo, side="left")
    np.maximum(counted, 0, out=counted)
    c = np.empty(len(q_lo), dtype=np.int64)
    c[order_r] = counted
    del counted, order_r
    rv = None
    if reverse:
        ok = q_hi >= q_lo  # empty ranges match nothing and would break the difference below
        if not ok.all():
            q_lo, q_hi = q_lo[ok], q_hi[ok]
        del ok
        starts = q_lo                           # already sorted
        q_hi += 1
        q_hi.sort()
        ends = q_hi
        base_a = points - points % radix        # key * radix of each sorted auxiliary point
        opened = np.searchsorted(starts, points, side="right")
        opened -= np.searchsorted(starts, base_a, side="left")
        opened -= np.searchsorted(ends, points, side="right")
        opened += np.searchsorted(ends, base_a, side="left")
        rv = np.empty(len(points), dtype=np.int64)
        rv[order_a] = opened
    return c, rv


def _count_weighted(kr: np.ndarray, ka: np.ndarray, space: int, r_lo: np.ndarray | None, r_hi: np.ndarray | None,
                    a_rank: np.ndarray | None, ranks: int, *, reverse: bool,
                    weights: _Weights) -> tuple[np.ndarray, np.ndarray | None]:
    """``_count_combined`` where rows stand for several records (distinct tuples with counts):
    sums of weights instead of numbers of rows, by cumulative sums over the sorted keys. Only
    distinct tuples reach it (a grouped table), so it favours clarity over the in-place tricks."""
    wr = np.ones(len(kr), dtype=np.int64) if weights[0] is None else np.asarray(weights[0], dtype=np.int64)
    wa = np.ones(len(ka), dtype=np.int64) if weights[1] is None else np.asarray(weights[1], dtype=np.int64)
    if r_lo is None:
        # equal keys: a query [key, key] on the points key
        r_lo = r_hi = np.zeros(len(kr), dtype=np.int64)
        a_rank = np.zeros(len(ka), dtype=np.int64)
        ranks = 1
    if r_hi is None or a_rank is None:
        raise InternalError("exposure: a tolerance attribute without its upper bounds or ranks")
    radix = ranks + 1
    if space * radix >= _KEY_LIMIT:
        kr, ka, space = _densify(kr, ka)
    lo = kr * radix + np.clip(r_lo, 0, ranks)
    hi = kr * radix + np.clip(r_hi, -1, ranks - 1)
    order_a = np.argsort(ka * radix + a_rank, kind="stable")
    points = (ka * radix + a_rank)[order_a]
    total_a = np.concatenate([[0], np.cumsum(wa[order_a])])
    c = total_a[np.searchsorted(points, hi, side="right")] - total_a[np.searchsorted(points, lo, side="left")]
    c = np.maximum(c, 0)
    if not reverse:
        return c, None
    # per auxiliary point: the weights of the release ranges [lo, hi] holding it (ranges opened
    # at or before the point, less those closed before it; empty ranges hold nothing)
    ok = hi >= lo
    starts, ends, w = lo[ok], hi[ok] + 1, wr[ok]
    by_start, by_end = np.argsort(starts, kind="stable"), np.argsort(ends, kind="stable")
    opened = np.concatenate([[0], np.cumsum(w[by_start])])[np.searchsorted(starts[by_start], points, side="right")]
    closed = np.concatenate([[0], np.cumsum(w[by_end])])[np.searchsorted(ends[by_end], points, side="right")]
    rv = np.empty(len(points), dtype=np.int64)
    rv[order_a] = opened - closed
    return c, rv


def _lookup(table_keys: np.ndarray, query: np.ndarray) -> np.ndarray:
    """How often each ``query`` key occurs in ``table_keys``.

    A hash join in polars (multi-threaded): numpy has no hash table, and ``searchsorted`` of
    millions of random queries into millions of sorted keys is cache-bound (5x slower here).
    """
    if len(table_keys) == 0 or len(query) == 0:
        return np.zeros(len(query), dtype=np.int64)
    per_key = pl.DataFrame({"k": table_keys}).group_by("k").len()
    joined = pl.DataFrame({"k": query}).join(per_key, on="k", how="left", maintain_order="left")
    return joined["len"].fill_null(0).to_numpy().astype(np.int64, copy=False)


# --------------------------------------------------------------------------------------------
# Public result and entry point
# --------------------------------------------------------------------------------------------


def attribute_links(on: Any, hierarchies: Mapping[str, Any] | None, tolerance: Mapping[str, Any] | None) -> list[AttributeLink]:
    pairs: list[tuple[str, str]] = check(on, _SHARED, "on", hint='e.g. on={"age": "AGE", "sex": "SEX"} or on=["age", "sex"]')
    hierarchies = dict(hierarchies or {})
    tolerance = dict(tolerance or {})
    names = [p[0] for p in pairs]
    for source, what in ((hierarchies, "hierarchies"), (tolerance, "tolerance")):
        for key in source:
            if key not in names:
                raise ConfigError(f"{what} names column {key!r}, which is not a shared attribute",
                                  hint=f"the shared attributes are: {', '.join(names)}")
    links = []
    for rel, aux in pairs:
        h = hierarchies.get(rel)
        if h is not None and not isinstance(h, Hierarchy):
            h = read_hierarchy(h, name=rel)
        t, kind = _tolerance(tolerance.get(rel), rel)
        links.append(AttributeLink(rel, aux, h, t, kind))
    return links


def _shared_pairs(on: Any) -> list[tuple[str, str]] | None:
    """``on`` as (release column, auxiliary column) pairs; None when it is neither a mapping, a list nor a name, or empty."""
    if isinstance(on, Mapping):
        pairs = [(str(k), str(v)) for k, v in on.items()]
    elif isinstance(on, (list, tuple)):
        pairs = [(str(k), str(k)) for k in on]
    elif isinstance(on, str):
        pairs = [(on, on)]
    else:
        return None
    return pairs or None


#: the attributes a release and an auxiliary table share
_SHARED = Rule("a non-empty mapping of release columns to auxiliary columns, or a non-empty list of shared column names",
               _shared_pairs)
#: a tolerance: a number, or days (``3d``)
_TOLERANCE = 'a number >= 0 or a number of days like "3d"'


def _tolerance(value: Any, column: str) -> tuple[float | None, str | None]:
    """``1`` / ``0.5`` -> numbers; ``"3d"``, ``"3 days"``, ``{"days": 3}`` -> dates (in days)."""
    if value is None:
        return None, None
    given, kind = value, "number"
    if isinstance(value, Mapping) and set(value) == {"days"}:
        value, kind = value["days"], "date"
    elif isinstance(value, str):
        text = value.strip().lower()
        for suffix in ("days", "day", "d"):
            if text.endswith(suffix):
                text, kind = text[: -len(suffix)].strip(), "date"
                break
        value = text
    if isinstance(value, bool):
        number = float("nan")
    else:
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = float("nan")
    if not (number >= 0) or math.isinf(number):
        raise ConfigError(message(f"tolerance.{column}", _TOLERANCE, given),
                          hint="e.g. tolerance: 1 (age +/- 1) or tolerance: 3d (dates +/- 3 days)")
    return number, kind


def encode_release(frame: pl.DataFrame, links: Sequence[AttributeLink]) -> list[tuple[np.ndarray, tuple[str | None, ...]]]:
    out: list[tuple[np.ndarray, tuple[str | None, ...]]] = []
    for link in links:
        enc = encode_column(frame[link.release])
        out.append((enc.codes, enc.dictionary))
    return out


def lift_one_level(link: AttributeLink, dictionary: Sequence[str | None]) -> list[str | None]:
    """Each release value generalized one more level in its hierarchy (unknown values unchanged)."""
    h = link.hierarchy
    if h is None:
        return list(dictionary)  # nothing to lift to
    # Highest level of each label, as the tokens read it; its parent is one level up.
    highest: dict[str, int] = {}
    for level in range(h.levels):
        for row in h.rows:
            highest[row[level]] = level
    leaves = {row[0] for row in h.rows}
    up: dict[str, str] = {}
    for row in h.rows:
        for level in range(h.levels - 1):
            label = row[level]
            read_at = 0 if label in leaves else highest[label]
            if read_at == level:
                up.setdefault(label, row[level + 1])
    return [v if v is None or v == _WILDCARD_TEXT else up.get(v, v) for v in dictionary]
