"""ARX's Loss metric (``metric/v2/MetricMDNMLoss``), per attribute and aggregated.

For an attribute with domain size D (hierarchy rows) a released record costs the share of the
domain its generalized value covers, a suppressed record costs 1; the sum L is normalized as
``(L - n/D) / (n - n/D)``, floored to 10 decimals, and the attributes are aggregated with ARX's
geometric mean ``prod((x_i w_i + 1) ** (1/m)) - 1``. L is added in ARX's order of operations: one
double per class (``count * (rows / D)``), classes in the order of their first records, so the
floor to 10 decimals falls where ARX's does.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

from unlinkable.utility.base import Evaluation, Score, UtilityMetric, floor10, row_sums


def _normalize(total: float, n: int, domain: int) -> float:
    low = n / domain
    span = n - low
    x = (total - low) / span if span > 0 else 0.0
    return floor10(max(x, 0.0))


def _arx_normalize(total: float, n: int, domain: int, g_factor: float) -> float:
    """ARX's ``normalizeGeneralized``: ``(total - f n / D) / (n - f n / D)``, at least 0, floored to 10 decimals."""
    low = g_factor * float(n) / float(domain)
    span = float(n) - low
    x = (total - low) / span if span != 0 else 0.0
    return floor10(x if x >= 0.0 else 0.0)


def _floor10_all(total: np.ndarray, low: np.ndarray, span: np.ndarray) -> list[float]:
    """:func:`_arx_normalize` of every attribute at once (``low`` and ``span`` per attribute)."""
    if not span.all():
        return [_arx_normalize_parts(float(t), float(lo), float(sp)) for t, lo, sp in zip(total, low, span)]
    x = (total - low) / span
    x = np.where(x >= 0.0, x, 0.0)
    floored: list[float] = (np.floor(x * 1e10) / 1e10).tolist()
    return floored


def _arx_normalize_parts(total: float, low: float, span: float) -> float:
    x = (total - low) / span if span != 0 else 0.0
    return floor10(x if x >= 0.0 else 0.0)


#: class terms the process adds in ARX's order before the compiled loop (utility/loss_sums.py)
#: takes over: numpy takes about 0.3 us a term, importing numba about 0.25 s, so a search of a
#: few hundred transformations (an anonymize job on millions of rows: 3 * 10^5 terms) never pays
#: for the import, and local recoding's rounds (10^7-10^8 terms) do after the first second. The
#: count is the process's, not a metric's: each round works on a fresh copy of the metric.
_COMPILED_AFTER = 3_000_000
_terms_added = 0


class LossMetric(UtilityMetric):
    """ARX's Loss: generalization and suppression weighted equally (gs-factor 0.5).

    Examples
    --------
    >>> import numpy as np
    >>> from unlinkable.hierarchies.hierarchy import Hierarchy
    >>> gm = Hierarchy([["a", "*"], ["b", "*"]]).encode(["a", "b"])
    >>> ev = Evaluation((1,), np.array([4]), np.array([[0]]), np.array([False]), 4, [gm], ["q"])
    >>> LossMetric().evaluate(ev).value
    1.0

    Notes
    -----
    Iyengar, "Transforming data to satisfy privacy constraints", KDD 2002 (loss metric); ARX 3.9.2
    ``MetricMDNMLoss`` and ``ILMultiDimensionalGeometricMean``.
    """

    name = "loss"
    monotone_generalization = True
    monotone_suppression = False

    def __init__(self, *, weights: dict[str, float] | None = None, gs_factor: float = 0.5,
                 aggregate: str = "geometric-mean") -> None:
        from unlinkable.constraints import check_float
        from unlinkable.utility.aggregate import aggregate_function

        self.weights = {str(k): check_float(v, f"weights.{k}", low=0.0, low_open=True) for k, v in (weights or {}).items()}
        # ARX's gs-factor and aggregate function (utility/gs_factor.py, utility/aggregate.py);
        # the defaults are ARX's and take the code paths below unchanged.
        self.gs_factor = check_float(gs_factor, "gs_factor", low=0.0, high=1.0)
        self.aggregate = str(aggregate).strip().lower().replace("_", "-")
        self._aggregate = aggregate_function(self.aggregate)
        self._wvec: list[float] | None = None  # set by bind_attributes (ARX: weights / max weight)
        self._counts: list[np.ndarray] | None = None
        self._totals: dict[tuple[int, int], int] = {}
        self._bounds: dict[tuple[int, ...], float] = {}
        self._attribute_bounds: dict[tuple[int, int, int, float], float] = {}
        self._share_cache: dict[tuple[int, int, int], np.ndarray] = {}
        # per transformation (levels): every attribute's domain share of each original code, flat
        # (attribute i's codes shifted by _flat_offset[i]), for the maps in _flat_maps
        self._flat_maps: tuple[Any, ...] = ()
        self._flat_table = np.zeros((1, 0), dtype=np.float64)
        self._flat_attr = self._flat_pos = np.zeros(0, dtype=np.int64)
        self._flat_offset = np.zeros(0, dtype=np.int64)
        self._domains = np.zeros(0, dtype=np.float64)

    def bind_attributes(self, names: list[str]) -> None:
        """Fix the attribute order of the weights: an attribute not listed weighs 0.5, and every weight
        is divided by the largest (ARX's ``getAttributeWeight`` default and normalization)."""
        from unlinkable.errors import ConfigError

        unknown = sorted(set(self.weights) - set(names))
        if unknown:
            raise ConfigError(f"metric weights name {unknown[0]!r}, which is not a quasi-identifier",
                              hint=f"weights apply to the quasi-identifiers: {', '.join(names)}")
        if not self.weights:
            self._wvec = None
            return
        raw = [self.weights.get(n, 0.5) for n in names]
        top = max(raw)
        self._wvec = [w / top for w in raw]

    def prepare(self, counts_per_attribute: list[np.ndarray]) -> None:
        """Input frequency of every original code, per attribute (one call per search).

        With it, the lower bound of a transformation the search has not grouped is a table lookup
        per attribute and level (exact integer sums; ARX's own bound, from the classes, can differ
        from it in the last bits, which only matters for pruning).
        """
        self._counts = [np.asarray(c).astype(np.int64) for c in counts_per_attribute]
        self._totals = {}
        self._bounds = {}
        self._attribute_bounds = {}

    def _total(self, i: int, gm: Any, level: int, counts: np.ndarray) -> int:
        """Sum over all records (``counts``: input frequency per original code) of the hierarchy
        rows under their value at ``level`` (exact int)."""
        t = self._totals.get((i, level))
        if t is None:
            t = int(np.dot(counts, gm.row_counts[level].astype(np.int64)[gm.table[:, level]]))
            self._totals[(i, level)] = t
        return t

    def evaluate(self, ev: Evaluation) -> Score:
        """ARX's loss and lower bound of one transformation, in ARX's order of operations.

        Per attribute, ARX adds one floating-point term per class, classes in the order of their
        first records (its hash groupify's order): ``count * (rows / D)`` times the generalization
        factor for a released class, ``count`` (or ``share + s (count - share)``) for a suppressed
        one; the bound adds the released form for every class. Each sum is normalized between
        ``f n / D`` and ``n`` and floored to 10 decimals. Adding the same terms in the same order
        gives the same bits (exact integer sums round differently, in the 10th digit at times).
        """
        from unlinkable.utility.gs_factor import factors

        if ev.in_class_order and ev.node is not None:
            sizes = np.asarray(ev.sizes, dtype=np.int64)
            if bool((sizes > 0).all()):
                return self._evaluate_in_order(ev, sizes, *factors(self.gs_factor))
        order = ev.arx_order()
        sizes = np.asarray(ev.sizes, dtype=np.int64).take(order)
        if not bool((sizes > 0).all()):
            order, sizes = order[sizes > 0], sizes[sizes > 0]   # ARX skips empty classes (subset)
        suppressed = np.asarray(ev.suppressed, dtype=bool).take(order)
        any_suppressed = bool(suppressed.any())
        count = sizes.astype(np.float64)
        g_factor, s_factor = factors(self.gs_factor)
        # One row of terms per attribute; a cumulative sum along each row adds its terms left to
        # right (see row_sums), for all attributes in one call.
        shares = np.empty((len(ev.maps), count.shape[0]), dtype=np.float64)
        for i, (gm, level) in enumerate(zip(ev.maps, ev.levels)):
            shares[i] = count * self._shares(i, gm, level).take(ev.gen_of(i, order))
        released = shares * g_factor
        bound = row_sums(released)
        if any_suppressed:
            charged = count if s_factor == 1.0 else shares + s_factor * (count - shares)
            result = row_sums(np.where(suppressed, charged, released))
        else:
            result = bound
        per = [_arx_normalize(x, ev.n, gm.domain_size, g_factor) for x, gm in zip(result, ev.maps)]
        low = [_arx_normalize(x, ev.n, gm.domain_size, g_factor) for x, gm in zip(bound, ev.maps)]
        return Score(self._aggregate(per, self._wvec), dict(zip(ev.names, per)), self._aggregate(low, self._wvec))

    def _evaluate_in_order(self, ev: Evaluation, sizes: np.ndarray, g_factor: float, s_factor: float) -> Score:
        """:meth:`evaluate` for classes numbered in ARX's order already: the same terms added in the
        same order, gathered for all attributes at once (a transformation's share of every original
        code is one lookup table), and normalized as one array (the same IEEE operations as
        ``_arx_normalize``, element by element)."""
        count = sizes.astype(np.float64)
        suppressed = np.asarray(ev.suppressed, dtype=bool)
        global _terms_added
        _terms_added += count.shape[0]
        if _terms_added > _COMPILED_AFTER:
            from unlinkable.utility import loss_sums

            self._bind_flat(ev.maps)
            per, lower = loss_sums.in_order_sums(self._flat_table, np.array(ev.levels, dtype=np.int64), ev.node.rep_cols,
                                                 self._flat_offset, count, suppressed, g_factor, s_factor, ev.n,
                                                 self._domains)
            return Score(self._aggregate(per, self._wvec), dict(zip(ev.names, per)), self._aggregate(lower, self._wvec))
        flat = self._flat_shares(ev.levels, ev.maps)
        shares = flat.take(ev.node.rep_cols + self._flat_offset[:, None])   # (attributes, classes)
        shares *= count
        released = shares * g_factor if g_factor != 1.0 else shares
        bound = np.asarray(row_sums(released), dtype=np.float64)
        if suppressed.any():
            charged = count if s_factor == 1.0 else shares + s_factor * (count - shares)
            result = np.asarray(row_sums(np.where(suppressed, charged, released)), dtype=np.float64)
        else:
            result = bound
        low = g_factor * float(ev.n) / self._domains
        span = float(ev.n) - low
        per = _floor10_all(result, low, span)
        lower = per if result is bound else _floor10_all(bound, low, span)
        return Score(self._aggregate(per, self._wvec), dict(zip(ev.names, per)), self._aggregate(lower, self._wvec))

    def _flat_shares(self, levels: tuple[int, ...], maps: Any) -> np.ndarray:
        """The domain share of every original code of every attribute at ``levels`` (one flat array)."""
        self._bind_flat(maps)
        shares: np.ndarray = self._flat_table[np.asarray(levels).take(self._flat_attr), self._flat_pos]
        return shares

    def _bind_flat(self, maps: Any) -> None:
        """Build, for new maps, the table whose row l holds every attribute's domain share of each
        of its original codes at level l (attribute i's codes shifted by ``_flat_offset[i]``)."""
        if len(maps) != len(self._flat_maps) or not all(map(operator.is_, maps, self._flat_maps)):
            # new maps (another table); the table below holds references to them, so ids never alias
            self._flat_maps = tuple(maps)
            sizes = [gm.table.shape[0] for gm in maps]
            self._flat_offset = np.cumsum([0] + sizes[:-1], dtype=np.int64) if sizes else np.zeros(0, dtype=np.int64)
            self._domains = np.array([float(gm.domain_size) for gm in maps], dtype=np.float64)
            # row l: every attribute's share of each of its original codes at level l (its top above its height)
            depth = max([gm.levels for gm in maps] + [1])
            table = np.zeros((depth, sum(sizes)), dtype=np.float64)
            for i, gm in enumerate(maps):
                at = int(self._flat_offset[i])
                for lv in range(depth):
                    top = min(lv, gm.levels - 1)
                    table[lv, at:at + sizes[i]] = self._shares(i, gm, top).take(gm.table[:, top])
            self._flat_table = table
            self._flat_attr = np.repeat(np.arange(len(maps)), sizes)
            self._flat_pos = np.arange(sum(sizes))

    def _shares(self, i: int, gm: Any, level: int) -> np.ndarray:
        """ARX's ``DomainShare.getShare``: hierarchy rows under each generalized value over the
        domain size, as a double, per generalized code of attribute ``i`` at ``level``."""
        key = (i, level, id(gm))
        hit = self._share_cache.get(key)
        if hit is None:
            hit = gm.row_counts[level].astype(np.float64) / float(gm.domain_size)
            if len(self._share_cache) > 4096:
                self._share_cache.clear()
            self._share_cache[key] = hit
        return hit

    def lower_bound(self, ev: Evaluation) -> float | None:
        """``evaluate(ev).lower_bound`` alone (a function of the levels), or None when unprepared."""
        if ev.node is None:
            return None
        return self.levels_bound(ev.levels, ev.maps, ev.n)

    def has_levels_bound(self) -> bool:
        return self._counts is not None

    def levels_bound(self, levels: tuple[int, ...], maps: Any, n: int) -> float | None:
        """The lower bound of the transformation ``levels`` (needs ``prepare``; else None)."""
        if self._counts is None or len(self._counts) != len(maps):
            return None
        bound = self._bounds.get(levels)
        if bound is None:
            # the bound reads only the levels, n and maps: each attribute's term is kept by its level
            bound = self._aggregate([self._attribute_bound(i, gm, lv, n) for i, (gm, lv) in enumerate(zip(maps, levels))],
                                    self._wvec)
            self._bounds[levels] = bound
        return bound

    def _attribute_bound(self, i: int, gm: Any, level: int, n: int) -> float:
        """Attribute ``i``'s normalized loss at ``level`` with every class released (its lower bound)."""
        key = (i, level, n, self.gs_factor)
        term = self._attribute_bounds.get(key)
        if term is None:
            assert self._counts is not None  # (levels_bound returns before when unprepared)
            everything = self._total(i, gm, level, self._counts[i])
            term = self._attribute_bounds[key] = self._attribute(everything, everything, 0, n, gm.domain_size)
        return term

    def _per_attribute(self, ev: Evaluation, released: list[Any], everything: list[Any],
                       supp_records: int) -> list[float]:
        """Normalized loss of every attribute (its lower bound when ``released == everything``, none suppressed)."""
        return [self._attribute(r, e, supp_records, ev.n, gm.domain_size) for r, e, gm in zip(released, everything, ev.maps)]

    def _attribute(self, released: Any, everything: Any, supp_records: int, n: int, domain: int) -> float:
        if self.gs_factor != 0.5:
            from unlinkable.utility.gs_factor import attribute_loss

            return attribute_loss(released, everything, supp_records, n, domain, self.gs_factor)
        return _normalize((released + supp_records * domain) / domain, n, domain)

    def class_losses(self, levels: Sequence[int], sizes: np.ndarray, gen: np.ndarray, maps: Any) -> np.ndarray:
        """Each class's own loss (ARX ``getInformationLoss(transformation, entry)``): per attribute
        the class size times its value's domain share, aggregated like the table's loss."""
        m = len(maps)
        weights = self._wvec or [1.0] * m
        result = np.ones(len(sizes), dtype=np.float64)
        for i, (gm, lv) in enumerate(zip(maps, levels)):
            share = gm.row_counts[lv].astype(np.float64)[gen[:, i]] / float(gm.domain_size)
            x = np.asarray(sizes, dtype=np.float64) * share
            result *= np.power(x * weights[i] + 1.0, 1.0 / m)
        return result - 1.0


__all__ = ["LossMetric"]
