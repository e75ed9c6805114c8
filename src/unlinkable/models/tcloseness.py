"""t-closeness: the sensitive values of every class are distributed like those of the whole table.

Li, Li and Venkatasubramanian, "t-Closeness: Privacy Beyond k-Anonymity and l-Diversity", ICDE 2007.
Each class's distribution P is compared with the distribution Q of the **whole input table**
(computed once in ``prepare``) by the Earth Mover's Distance under one of three ground distances,
as ARX 3.9.2 implements them (``criteria/EqualDistanceTCloseness.java``,
``OrderedDistanceTCloseness.java``, ``HierarchicalDistanceTCloseness.java``); a class passes when
``EMD <= t``:

- equal: ``EMD = 1/2 sum_i |p_i - q_i|``, evaluated ARX's way as
  ``(1 + sum_{i: p_i > 0} (|q_i - p_i| - q_i)) / 2``;
- ordered (numeric values, sorted ascending over the m values of the column's dictionary):
  ``sum_i |sum_{j <= i} (p_j - q_j)| <= t (m - 1)``;
- hierarchical (the sensitive attribute's hierarchy of height H): over every inner node N at level
  L, ``(L / H) min(pos(N), neg(N))``, where the extras of the leaves are ``q_i - p_i`` and a node's
  positive/negative extra sums its children's positive/negative net extras. ARX works on integers
  scaled by |table| x |class|; so do we, then divides once.

The models are monotone under generalization (the EMD is convex, so a merged class is never
farther from Q than the farther of its parts) but not with suppression; ARX declares the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from unlinkable.constraints import check_float, check_keys
from unlinkable.errors import ConfigError, InputError, InternalError, shown
from unlinkable.models.base import ClassStatistics, PrivacyModel, SensitiveColumn

DISTANCES = ("equal", "ordered", "hierarchical")


def _column(stats: ClassStatistics, attribute: str) -> SensitiveColumn:
    if attribute not in stats.sensitive:
        known = ", ".join(sorted(stats.sensitive)) or "none"
        raise InputError(f"the sensitive attribute {attribute!r} was not given to the privacy model",
                         hint=f"give {attribute!r} the role sensitive in `attributes` (sensitive attributes given: {known})")
    return stats.sensitive[attribute]


def global_counts(column: SensitiveColumn) -> np.ndarray:
    """Counts of each value code over the whole table (missing values left out)."""
    known = column.codes >= 0
    weights = None if column.weights is None else column.weights[known]
    return np.bincount(column.codes[known], weights=weights, minlength=len(column.dictionary)).astype(np.int64)


def equal_distance(hist: np.ndarray | None, table_counts: np.ndarray,
                   sparse: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
                   classes: int | None = None) -> np.ndarray:
    """Equal-ground-distance EMD of each class (row of ``hist``) to the table distribution.

    ``sparse`` optionally gives the non-zero cells of ``hist`` as (value, class, count) in value-major
    order (``ClassStatistics`` keeps them), saving a pass over the histogram; ``hist`` may then be
    None when ``classes`` gives the number of classes.

    Examples
    --------
    >>> equal_distance(np.array([[2, 0], [1, 1]]), np.array([3, 3])).tolist()
    [0.5, 0.0]
    """
    q = table_counts / float(table_counts.sum())
    if sparse is not None and hist is None:
        if classes is None:
            raise InternalError("equal_distance: without a histogram, the number of classes is needed")
        c = int(classes)
        # sums of integer counts: exact, the histogram's row sums
        sizes = np.bincount(sparse[1], weights=sparse[2], minlength=c)
    else:
        if hist is None:
            raise InternalError("equal_distance: give a histogram, or its sparse cells and the number of classes")
        c = hist.shape[0]
        sizes = hist.sum(axis=1).astype(np.float64)
    if sparse is None:
        assert hist is not None  # checked just above
        # Value-major (values x classes), visited only where a class holds the value.
        h = np.ascontiguousarray(hist.T)
        flat = h.ravel()
        nz = np.flatnonzero(flat != 0)
        v, cls = np.divmod(nz, c)
        counts = flat[nz]
    else:
        v, cls, counts = sparse
    p = counts / sizes[cls]
    qv = q[v]
    terms = np.abs(qv - p) - qv
    # ARX adds value by value over the class's buckets, starting from 1. bincount adds its weights
    # in input order, so a leading 1 per class followed by the terms in value order repeats those
    # additions exactly, for every class at once.
    idx = np.concatenate([np.arange(c), cls])
    weights = np.concatenate([np.ones(c), terms])
    return np.bincount(idx, weights=weights, minlength=c) / 2


def ordered_distance_sum(hist: np.ndarray, table_counts: np.ndarray, order: np.ndarray) -> np.ndarray:
    """``sum_i |sum_{j<=i} (p_j - q_j)|`` over the values in ``order`` (not yet divided by m - 1)."""
    q = table_counts / float(table_counts.sum())
    sizes = hist.sum(axis=1).astype(np.float64)
    p = hist / np.where(sizes > 0, sizes, 1.0)[:, None]
    diff = (p - q[None, :])[:, order]
    # np.cumsum adds sequentially, like ARX's running sums.
    running = np.cumsum(diff, axis=1)
    return np.cumsum(np.abs(running), axis=1)[:, -1] if diff.shape[1] else np.zeros(hist.shape[0])


def value_order(column: SensitiveColumn, order: str | tuple[str, ...] | None = None) -> np.ndarray:
    """The column's value codes in the order of the ordered distance.

    ``order`` is None (numeric values, ascending; ties by code), ``"lexicographic"`` (text as Java's
    ``String.compareTo`` orders it: by UTF-16 code units, ARX's order for a string attribute), or an
    explicit sequence of every value, first to last (ARX's ordered string type).

    Examples
    --------
    >>> col = SensitiveColumn("edu", np.array([0, 1, 2]), ("HS-grad", "Bachelors", "Masters"))
    >>> value_order(col, ("HS-grad", "Bachelors", "Masters")).tolist(), value_order(col, "lexicographic").tolist()
    ([0, 1, 2], [1, 0, 2])
    """
    if order == "lexicographic":
        keys = [v.encode("utf-16-be") for v in column.dictionary]
        return np.array(sorted(range(len(keys)), key=keys.__getitem__), dtype=np.int64)
    if order is not None:
        position = {v: i for i, v in enumerate(order)}
        missing = [v for v in column.dictionary if v not in position]
        if missing:
            raise InputError(f"ordered-distance t-closeness: value {shown(missing[0])} of {column.name!r} is not in the "
                             f"given order ({len(missing)} value(s) missing)",
                             hint="list every value of the attribute in `order`, first to last")
        ranks = np.array([position[v] for v in column.dictionary], dtype=np.int64)
        return np.argsort(ranks, kind="stable")
    if column.numeric is None:
        raise InputError(f"ordered-distance t-closeness needs numeric values of {column.name!r}",
                         hint=f"{column.name!r} must hold numbers, or give the order of its values (order: [...] or "
                              f"order: lexicographic), or use distance: equal or hierarchical")
    values = np.asarray(column.numeric, dtype=np.float64)
    if np.isnan(values).any():
        bad = column.dictionary[int(np.flatnonzero(np.isnan(values))[0])]
        raise InputError(f"ordered-distance t-closeness: value {shown(bad)} of {column.name!r} is not a number",
                         hint="give the order of the values (order: [...] or order: lexicographic), or use distance: "
                              "equal or hierarchical")
    return np.argsort(values, kind="stable")


def hierarchical_distance(hist: np.ndarray, table_counts: np.ndarray, hierarchy: Any) -> np.ndarray:
    """Hierarchical-ground-distance EMD (Li et al. 2007) of each class to the table distribution.

    ``hierarchy`` is the sensitive attribute's ``GeneralizationMap`` (``table[code, level]``).

    Examples
    --------
    >>> from unlinkable.hierarchies.hierarchy import Hierarchy
    >>> h = Hierarchy([["a", "x", "*"], ["b", "x", "*"], ["c", "y", "*"]]).encode(("a", "b", "c"))
    >>> hierarchical_distance(np.array([[1, 0, 0]]), np.array([1, 1, 1]), h).round(4).tolist()
    [0.5]
    """
    table = np.asarray(hierarchy.table)
    height = table.shape[1] - 1
    n_classes = hist.shape[0]
    if height <= 0:
        return np.zeros(n_classes)
    total_p = int(table_counts.sum())
    sizes = hist.sum(axis=1).astype(np.int64)
    # Leaf extras scaled by |table| * |class|: q_i * Q - p_i * P, exact in int64.
    extras = table_counts[None, :].astype(np.int64) * sizes[:, None] - hist.astype(np.int64) * total_p
    child_nodes = np.arange(table.shape[0])  # level 0: one node per value code
    cost = np.zeros(n_classes, dtype=np.float64)
    for level in range(1, height + 1):
        parent_codes = table[:, level]
        n_nodes = int(parent_codes.max()) + 1 if parent_codes.size else 0
        # parent of each child node at this level (children = distinct codes of level - 1)
        n_children = int(child_nodes.max()) + 1 if child_nodes.size else 0
        parent_of_child = np.zeros(n_children, dtype=np.int64)
        parent_of_child[child_nodes] = parent_codes
        onehot = np.zeros((n_children, n_nodes), dtype=np.int64)
        onehot[np.arange(n_children), parent_of_child] = 1
        pos = np.maximum(extras, 0) @ onehot
        neg = np.maximum(-extras, 0) @ onehot
        weight = level / float(height)
        smaller = np.minimum(pos, neg)
        # Node by node in hierarchy order, like ARX's accumulation.
        for node in range(n_nodes):
            cost += weight * smaller[:, node]
        extras = pos - neg
        child_nodes = parent_codes
    distances: np.ndarray = cost / (float(total_p) * sizes.astype(np.float64))
    return distances


class AgainstTable(PrivacyModel):
    """A per-class model that compares each class with the distribution of one sensitive attribute
    over the whole input table (t-closeness, beta-likeness)."""

    monotone_generalization = True
    monotone_suppression = False
    per_class = True

    def __init__(self, attribute: str) -> None:
        if not isinstance(attribute, str) or not attribute:
            raise ConfigError(f"{self.name}: the 'attribute' parameter must be a column name, got {attribute!r}",
                              hint="name the sensitive attribute, e.g. attribute: occupation")
        self.attribute = attribute
        self._table_counts: np.ndarray | None = None

    def sensitive_attributes(self) -> tuple[str, ...]:
        return (self.attribute,)

    def prepare(self, stats_of_input: ClassStatistics) -> None:
        """Store the distribution of the sensitive attribute over the whole input table."""
        self._table_counts = global_counts(_column(stats_of_input, self.attribute))

    def _counts(self, stats: ClassStatistics) -> np.ndarray:
        if self._table_counts is None:
            # Without prepare(), the statistics are taken to cover the whole input table.
            return global_counts(_column(stats, self.attribute))
        return self._table_counts


class _TCloseness(AgainstTable):
    name = "t-closeness"
    distance = ""

    def __init__(self, attribute: str, t: float) -> None:
        super().__init__(attribute)
        self.t = check_float(t, "t", low=0.0, high=1.0)

    def distances(self, stats: ClassStatistics) -> np.ndarray:
        """The EMD of every class to the table distribution (float per class)."""
        raise NotImplementedError

    def check(self, stats: ClassStatistics) -> np.ndarray:
        return self.distances(stats) <= self.t

    def to_dict(self) -> dict[str, Any]:
        return {"t-closeness": {"attribute": self.attribute, "distance": self.distance, "t": self.t}}

    def describe(self) -> str:
        return (f"{self.t}-closeness on {self.attribute!r} ({self.distance} ground distance): in every group of "
                f"records that share their quasi-identifiers, the distribution of {self.attribute!r} differs from "
                f"that of the whole table by an Earth Mover's Distance of at most {self.t}.")


class EqualDistanceTCloseness(_TCloseness):
    """t-closeness with equal ground distance (every two values are at distance 1).

    Examples
    --------
    >>> import numpy as np
    >>> from unlinkable.models.base import ClassStatistics, SensitiveColumn
    >>> col = SensitiveColumn("d", np.array([0, 1, 0, 0]), ("a", "b"))
    >>> stats = ClassStatistics(np.array([0, 0, 1, 1]), np.array([2, 2]), {"d": col})
    >>> m = EqualDistanceTCloseness("d", 0.25)
    >>> m.prepare(stats)          # table: a 3/4, b 1/4
    >>> m.distances(stats).tolist(), m.check(stats).tolist()
    ([0.25, 0.25], [True, True])

    Notes
    -----
    Li et al. (2007), EMD with equal ground distance = total variation distance; ARX
    ``EqualDistanceTCloseness`` (its summation order and ``<= t``).
    """

    distance = "equal"

    def distances(self, stats: ClassStatistics) -> np.ndarray:
        name = _column(stats, self.attribute).name
        if hasattr(stats, "_sparse"):
            return equal_distance(None, self._counts(stats), stats._sparse(name), stats.classes)
        return equal_distance(stats.histogram(name), self._counts(stats))


class OrderedDistanceTCloseness(_TCloseness):
    """t-closeness with ordered ground distance |i - j| / (m - 1) over the ordered values.

    Parameters
    ----------
    attribute : str
        The sensitive attribute.
    t : float
        Largest distance, in [0, 1].
    order : None, "lexicographic" or sequence of str
        How the values are ordered: numerically (None, the default), as text (``lexicographic``,
        ARX's order for a string attribute), or as listed (ARX's ordered string type).

    Examples
    --------
    >>> import numpy as np
    >>> from unlinkable.models.base import ClassStatistics, SensitiveColumn
    >>> col = SensitiveColumn("s", np.array([0, 1, 2]), ("3", "4", "5"), numeric=np.array([3.0, 4.0, 5.0]))
    >>> stats = ClassStatistics(np.array([0, 1, 1]), np.array([1, 2]), {"s": col})
    >>> m = OrderedDistanceTCloseness("s", 0.5)
    >>> m.prepare(stats)
    >>> m.distances(stats).round(4).tolist()   # {3}: (2/3 + 1/3 + 0) / 2; {4, 5}: (1/3 + 1/6 + 0) / 2
    [0.5, 0.25]
    >>> col = SensitiveColumn("e", np.array([0, 1, 2]), ("low", "high", "mid"))
    >>> stats = ClassStatistics(np.array([0, 1, 1]), np.array([1, 2]), {"e": col})
    >>> m = OrderedDistanceTCloseness("e", 0.5, order=("low", "mid", "high"))
    >>> m.prepare(stats)
    >>> m.distances(stats).round(4).tolist()   # {low}: (2/3 + 1/3 + 0) / 2; {high, mid}: (1/3 + 1/6 + 0) / 2
    [0.5, 0.25]

    Notes
    -----
    Li et al. (2007), ordered distance; ARX ``OrderedDistanceTCloseness`` compares the undivided sum
    with ``t * (m - 1)``, where m is the number of distinct values of the column; so do we.
    """

    distance = "ordered"

    def __init__(self, attribute: str, t: float, order: str | Sequence[str] | None = None) -> None:
        super().__init__(attribute, t)
        if isinstance(order, str):
            if order.strip().lower() != "lexicographic":
                raise ConfigError(f"t-closeness: order must be a list of values or 'lexicographic', got {shown(order)}",
                                  hint="e.g. order: [low, mid, high], or order: lexicographic")
            order = "lexicographic"
        elif order is not None:
            if not isinstance(order, Sequence) or not order or not all(isinstance(v, str) for v in order):
                raise ConfigError("t-closeness: order must be a non-empty list of the attribute's values (as text)",
                                  hint="e.g. order: [low, mid, high]")
            order = tuple(order)
            if len(set(order)) != len(order):
                dup = next(v for v in order if order.count(v) > 1)
                raise ConfigError(f"t-closeness: the value {shown(dup)} is listed twice in order",
                                  hint="list every value once, first to last")
        self.order = order

    def to_dict(self) -> dict[str, Any]:
        spec = super().to_dict()
        if self.order is not None:
            spec["t-closeness"]["order"] = self.order if isinstance(self.order, str) else list(self.order)
        return spec

    def distances(self, stats: ClassStatistics) -> np.ndarray:
        column = _column(stats, self.attribute)
        m = len(column.dictionary)
        total = ordered_distance_sum(stats.histogram(column.name), self._counts(stats), value_order(column, self.order))
        return total / (m - 1) if m > 1 else np.zeros_like(total)

    def check(self, stats: ClassStatistics) -> np.ndarray:
        column = _column(stats, self.attribute)
        total = ordered_distance_sum(stats.histogram(column.name), self._counts(stats), value_order(column, self.order))
        return ~(total > self.t * (len(column.dictionary) - 1.0))


class HierarchicalDistanceTCloseness(_TCloseness):
    """t-closeness with hierarchical ground distance (the sensitive attribute's hierarchy).

    Examples
    --------
    >>> import numpy as np
    >>> from unlinkable.hierarchies.hierarchy import Hierarchy
    >>> from unlinkable.models.base import ClassStatistics, SensitiveColumn
    >>> h = Hierarchy([["a", "x", "*"], ["b", "x", "*"], ["c", "y", "*"]]).encode(("a", "b", "c"))
    >>> col = SensitiveColumn("d", np.array([0, 1, 2]), ("a", "b", "c"), hierarchy=h)
    >>> stats = ClassStatistics(np.array([0, 0, 1]), np.array([2, 1]), {"d": col})
    >>> m = HierarchicalDistanceTCloseness("d", 0.5)
    >>> m.prepare(stats)
    >>> m.distances(stats).round(4).tolist()
    [0.3333, 0.6667]

    Notes
    -----
    Li et al. (2007), hierarchical distance, computed as ARX ``HierarchicalDistanceTCloseness``
    does: integer extras, node cost ``(level / height) * min(pos, neg)``, one division at the end.
    The hierarchy comes from ``SensitiveColumn.hierarchy`` (a ``GeneralizationMap``).
    """

    distance = "hierarchical"

    def distances(self, stats: ClassStatistics) -> np.ndarray:
        column = _column(stats, self.attribute)
        if column.hierarchy is None:
            raise InputError(f"hierarchical-distance t-closeness needs a hierarchy for {self.attribute!r}",
                             hint=f"give it in `attributes`, e.g. {self.attribute}: {{role: sensitive, hierarchy: file.csv}}")
        return hierarchical_distance(stats.histogram(column.name), self._counts(stats), column.hierarchy)


_CLASSES = {"equal": EqualDistanceTCloseness, "ordered": OrderedDistanceTCloseness,
            "hierarchical": HierarchicalDistanceTCloseness}


def from_config(name: str, params: Mapping[str, Any], context: Any = None) -> _TCloseness:
    """Build from ``- t-closeness: {attribute: occupation, distance: hierarchical, t: 0.2}``.

    ``distance`` defaults to ``equal``.

    Examples
    --------
    >>> from_config("t-closeness", {"attribute": "occupation", "distance": "equal", "t": 0.2})
    EqualDistanceTCloseness(attribute='occupation', distance='equal', t=0.2)
    """
    params = dict(params)
    distance = str(params.pop("distance", "equal")).strip().lower()
    if distance not in _CLASSES:
        raise ConfigError(f"t-closeness: unknown distance {distance!r}", hint="distance is one of equal, ordered, hierarchical")
    check_keys(params, ["attribute", "distance", "t"] + (["order"] if distance == "ordered" else []), "t-closeness",
               noun="parameter")
    missing = [key for key in ("attribute", "t") if key not in params]
    if missing:
        raise ConfigError(f"t-closeness needs the parameter(s) {', '.join(missing)}",
                          hint="e.g. - t-closeness: {attribute: occupation, distance: equal, t: 0.2}")
    if distance == "ordered":
        return OrderedDistanceTCloseness(params["attribute"], params["t"], params.get("order"))
    model: _TCloseness = _CLASSES[distance](params["attribute"], params["t"])
    return model


__all__ = ["AgainstTable", "EqualDistanceTCloseness", "OrderedDistanceTCloseness", "HierarchicalDistanceTCloseness",
           "equal_distance", "ordered_distance_sum", "hierarchical_distance", "global_counts", "value_order",
           "from_config", "DISTANCES"]
