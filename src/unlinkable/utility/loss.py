"""ARX's Loss metric (``metric/v2/MetricMDNMLoss``), per attribute and aggregated.

For an attribute with domain size D (hierarchy rows) a released record costs the share of the
domain its generalized value covers, a suppressed record costs 1; the sum L is normalized as
``(L - n/D) / (n - n/D)``, floored to 10 decimals, and the attributes are aggregated with ARX's
geometric mean ``prod((x_i + 1) ** (1/m)) - 1``.
"""

from __future__ import annotations

import math

import numpy as np

from unlinkable.utility.base import Evaluation, Score, UtilityMetric, floor10


def _normalize(total: float, n: int, domain: int) -> float:
    low = n / domain
    span = n - low
    x = (total - low) / span if span > 0 else 0.0
    return floor10(max(x, 0.0))


_SPANS: dict = {}


def _normalize_all(ev: Evaluation, released, supp_records: int) -> list[float]:
    """``_normalize`` of every attribute at once: each operand is an integer below 2**53 or the same
    float as in the scalar code, so each step rounds exactly as it does there."""
    key = (tuple(gm.domain_size for gm in ev.maps), ev.n)
    hit = _SPANS.get(key)
    if hit is None:
        d = np.array(key[0], dtype=np.float64)
        n = float(ev.n)
        low = n / d
        span = n - low
        pos = span > 0
        if len(_SPANS) > 64:
            _SPANS.clear()
        hit = _SPANS[key] = (d, low, np.where(pos, span, 1.0), pos, bool(pos.all()))
    d, low, span, pos, all_pos = hit
    total = (np.array(released, dtype=np.float64) + float(supp_records) * d) / d
    x = (total - low) / span
    if not all_pos:
        x = np.where(pos, x, 0.0)
    return (np.floor(np.maximum(x, 0.0) * 1e10) / 1e10 + 0.0).tolist()


def geometric_mean_loss(values, weights=None) -> float:
    """ARX's aggregate: the product of ``((x + 1) * w) ** (1/m)``, minus 1, in that operation order.

    ``weights`` are ARX's attribute weights divided by the largest one (all 1 by default).

    Examples
    --------
    >>> geometric_mean_loss([1.0, 1.0])
    1.0000000000000004
    """
    values = list(values)
    m = len(values)
    weights = [1.0] * m if weights is None else list(weights)
    result = 1.0
    for v, w in zip(values, weights):
        result *= math.pow((v + 1.0) * w, 1.0 / m)
    return result - 1.0


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
        from unlinkable.config import check_float
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
        self._unsuppressed: dict[tuple[int, ...], tuple[dict[str, float], float]] = {}
        self._everything: dict[tuple[int, ...], list[int]] = {}
        self._bounds: dict[tuple[int, ...], float] = {}
        self._flat_costs = None

    def bind_attributes(self, names: list[str]) -> None:
        """Fix the attribute order of the weights (ARX divides every weight by the largest)."""
        from unlinkable.errors import ConfigError

        unknown = sorted(set(self.weights) - set(names))
        if unknown:
            raise ConfigError(f"metric weights name {unknown[0]!r}, which is not a quasi-identifier",
                              hint=f"weights apply to the quasi-identifiers: {', '.join(names)}")
        if not self.weights:
            self._wvec = None
            return
        raw = [self.weights.get(n, 1.0) for n in names]
        top = max(raw)
        self._wvec = [w / top for w in raw]

    def prepare(self, counts_per_attribute: list[np.ndarray]) -> None:
        """Input frequency of every original code, per attribute (one call per search).

        With it, the generalization cost of all records at a level is a table lookup, and a node
        only gathers the codes of its suppressed classes.
        """
        self._counts = [np.asarray(c).astype(np.int64) for c in counts_per_attribute]
        self._totals = {}
        self._unsuppressed: dict[tuple[int, ...], tuple[dict[str, float], float]] = {}
        self._everything = {}
        self._bounds = {}
        self._flat_costs = None

    def _total(self, i: int, gm, level: int) -> int:
        """Sum over all records of the hierarchy rows under their value at ``level`` (exact int)."""
        t = self._totals.get((i, level))
        if t is None:
            counts = self._counts[i]
            t = int(np.dot(counts, gm.row_counts[level].astype(np.int64)[gm.table[:, level]]))
            self._totals[(i, level)] = t
        return t

    def evaluate(self, ev: Evaluation) -> Score:
        if ev.node is not None and self._counts is not None and len(self._counts) == len(ev.maps):
            return self._evaluate_prepared(ev)
        sizes = ev.sizes.astype(np.int64)
        keep = ~ev.suppressed
        supp_records = int(sizes[ev.suppressed].sum())
        rc = self._row_counts(ev)
        weighted = sizes[:, None] * rc
        released = weighted[keep].sum(axis=0).tolist()
        everything = weighted.sum(axis=0).tolist()
        return self._score(ev, released, everything, supp_records)

    def lower_bound(self, ev: Evaluation) -> float | None:
        """``evaluate(ev).lower_bound`` alone (a function of the levels), or None when unprepared."""
        if ev.node is None:
            return None
        return self.levels_bound(ev.levels, ev.maps, ev.n)

    def levels_bound(self, levels: tuple[int, ...], maps, n: int) -> float | None:
        """The lower bound of the transformation ``levels`` (needs ``prepare``; else None)."""
        if self._counts is None or len(self._counts) != len(maps):
            return None
        bound = self._bounds.get(levels)
        if bound is None:
            everything = [self._total(i, gm, lv) for i, (gm, lv) in enumerate(zip(maps, levels))]
            bound = self._aggregate(self._per_attribute(Evaluation(levels, None, None, None, n, maps, ()),
                                                        everything, everything, 0), self._wvec)
            self._bounds[levels] = bound
        return bound

    def _costs(self, maps) -> tuple[np.ndarray, list[list[int]]]:
        """Hierarchy rows under every original code's value, for every attribute and level, in one
        flat int64 table (``flat[start[i][level] + code]``)."""
        if self._flat_costs is None:
            parts, start, pos = [], [], 0
            for gm in maps:
                start.append([])
                for lv in range(gm.table.shape[1]):
                    parts.append(gm.row_counts[lv].astype(np.int64)[gm.table[:, lv]])
                    start[-1].append(pos)
                    pos += gm.table.shape[0]
            self._flat_costs = (np.concatenate(parts) if parts else np.zeros(0, np.int64), start)
        return self._flat_costs

    def _evaluate_prepared(self, ev: Evaluation) -> Score:
        # Integer sums as in evaluate(): all records minus the suppressed classes' share.
        supp = np.flatnonzero(ev.suppressed)
        levels = ev.levels
        everything = self._everything.get(levels)
        if everything is None:
            everything = [self._total(i, gm, lv) for i, (gm, lv) in enumerate(zip(ev.maps, levels))]
            self._everything[levels] = everything
        if supp.size:
            ssizes = ev.sizes[supp].astype(np.int64)
            supp_records = int(ssizes.sum())
            flat, start = self._costs(ev.maps)
            offsets = np.array([start[i][lv] for i, lv in enumerate(levels)], dtype=np.int64)
            # (attributes x suppressed classes) costs through each class's original codes, summed
            # with the class sizes in one product.
            keep = np.flatnonzero(~ev.suppressed) if 2 * supp.size > ev.suppressed.shape[0] else None
            if keep is None:
                rep = ev.node.rep_cols.take(supp, axis=1)
                taken = flat.take(rep + offsets[:, None]) @ ssizes
                released = [e - int(t) for e, t in zip(everything, taken.tolist())]
            else:
                # Most classes suppressed: sum the released ones directly (the same exact integers).
                rep = ev.node.rep_cols.take(keep, axis=1)
                taken = flat.take(rep + offsets[:, None]) @ ev.sizes[keep].astype(np.int64)
                released = [int(t) for t in taken.tolist()]
            return self._score(ev, released, everything, supp_records)
        # Nothing suppressed: the score is the bound, a function of the levels alone.
        hit = self._unsuppressed.get(levels)
        if hit is None:
            full = self._score(ev, everything, everything, 0)
            hit = (full.per_attribute, full.value)
            self._unsuppressed[levels] = hit
        return Score(hit[1], dict(hit[0]), hit[1])

    def _per_attribute(self, ev: Evaluation, released: list, everything: list, supp_records: int) -> list[float]:
        """Normalized loss of every attribute (its lower bound when ``released == everything``, none suppressed)."""
        if self.gs_factor != 0.5:
            from unlinkable.utility.gs_factor import attribute_loss

            return [attribute_loss(r, e, supp_records, ev.n, gm.domain_size, self.gs_factor)
                    for r, e, gm in zip(released, everything, ev.maps)]
        if ev.node is not None:
            return _normalize_all(ev, released, supp_records)
        return [_normalize((released[i] + supp_records * gm.domain_size) / gm.domain_size, ev.n, gm.domain_size)
                for i, gm in enumerate(ev.maps)]

    def _score(self, ev: Evaluation, released: list, everything: list, supp_records: int) -> Score:
        per = dict(zip(ev.names, self._per_attribute(ev, released, supp_records=supp_records, everything=everything)))
        cache = ev.node is not None and self._counts is not None
        bound = self._bounds.get(ev.levels) if cache else None
        if bound is None:
            bound = self._aggregate(self._per_attribute(ev, everything, everything, 0), self._wvec)
            if cache:
                self._bounds[ev.levels] = bound
        return Score(self._aggregate(list(per.values()), self._wvec), per, bound)

    def class_losses(self, levels, sizes: np.ndarray, gen: np.ndarray, maps) -> np.ndarray:
        """Each class's own loss (ARX ``getInformationLoss(transformation, entry)``): per attribute
        the class size times its value's domain share, aggregated like the table's loss."""
        m = len(maps)
        weights = self._wvec or [1.0] * m
        result = np.ones(len(sizes), dtype=np.float64)
        for i, (gm, lv) in enumerate(zip(maps, levels)):
            share = gm.row_counts[lv].astype(np.float64)[gen[:, i]] / float(gm.domain_size)
            x = np.asarray(sizes, dtype=np.float64) * share
            result *= np.power((x + 1.0) * weights[i], 1.0 / m)
        return result - 1.0

    def _row_counts(self, ev: Evaluation) -> np.ndarray:
        """Hierarchy rows under each class's generalized value, one gather for all attributes."""
        key = id(ev.maps[0]) if ev.maps else 0
        cached = getattr(self, "_flat", None)
        if cached is None or cached[0] != key:
            flat = np.concatenate([c for gm in ev.maps for c in gm.row_counts]).astype(np.int64)
            starts, pos = [], 0
            for gm in ev.maps:
                starts.append([])
                for c in gm.row_counts:
                    starts[-1].append(pos)
                    pos += len(c)
            self._flat = (key, flat, starts)
        _, flat, starts = self._flat
        offset = np.array([starts[i][lv] for i, lv in enumerate(ev.levels)], dtype=np.int64)
        return flat[ev.gen + offset[None, :]]


__all__ = ["LossMetric", "geometric_mean_loss"]
