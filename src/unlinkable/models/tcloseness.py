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

from collections.abc import Sequence
from typing import Any

import numpy as np

from unlinkable.constraints import AnyOf, OneOf, Optional, Rule, Text, check, check_float
from unlinkable.data.sensitive import SensitiveColumn
from unlinkable.errors import ConfigError, InputError, shown
from unlinkable.models.base import ClassStatistics, Param, PrivacyModel, Variants
from unlinkable.risk.distances import equal_distance, global_counts, hierarchical_distance, ordered_distance_sum, value_order

DISTANCES = ("equal", "ordered", "hierarchical")


def _column(stats: ClassStatistics, attribute: str) -> SensitiveColumn:
    if attribute not in stats.sensitive:
        known = ", ".join(sorted(stats.sensitive)) or "none"
        raise InputError(f"the sensitive attribute {attribute!r} was not given to the privacy model",
                         hint=f"give {attribute!r} the role sensitive in `attributes` (sensitive attributes given: {known})")
    return stats.sensitive[attribute]


class AgainstTable(PrivacyModel):
    """A per-class model that compares each class with the distribution of one sensitive attribute
    over the whole input table (t-closeness, beta-likeness)."""

    monotone_generalization = True
    monotone_suppression = False
    per_class = True
    supports_local_recoding = True

    def __init__(self, *, attribute: str) -> None:
        self.attribute = check(attribute, Text("a column name"), "attribute", owner=self.name,
                               hint="name the sensitive attribute, e.g. attribute: occupation")
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
    parameters = {"attribute": Param(), "t": Param()}
    example = "{attribute: occupation, distance: equal, t: 0.2}"

    def __init__(self, *, attribute: str, t: float) -> None:
        super().__init__(attribute=attribute)
        self.t = check_float(t, "t", low=0.0, high=1.0, owner="t-closeness")

    def distances(self, stats: ClassStatistics) -> np.ndarray:
        """The EMD of every class to the table distribution (float per class)."""
        raise NotImplementedError

    def check(self, stats: ClassStatistics) -> np.ndarray:
        return self.distances(stats) <= self.t

    def to_dict(self) -> dict[str, Any]:
        return {"t-closeness": {"attribute": self.attribute, "distance": self.distance, "t": self.t}}

    def describe(self) -> str:
        return (f"{self.t}-closeness on {self.attribute!r} ({self.distance} ground distance): in every class of "
                f"records that share their quasi-identifiers, the distribution of {self.attribute!r} differs from "
                f"that of the whole table by an Earth Mover's Distance of at most {self.t}.")


class EqualDistanceTCloseness(_TCloseness):
    """t-closeness with equal ground distance (every two values are at distance 1).

    Examples
    --------
    >>> import numpy as np
    >>> from unlinkable.data.sensitive import SensitiveColumn
    >>> from unlinkable.models.base import ClassStatistics
    >>> col = SensitiveColumn("d", np.array([0, 1, 0, 0]), ("a", "b"))
    >>> stats = ClassStatistics(np.array([0, 0, 1, 1]), np.array([2, 2]), {"d": col})
    >>> m = EqualDistanceTCloseness(attribute="d", t=0.25)
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
    >>> from unlinkable.data.sensitive import SensitiveColumn
    >>> from unlinkable.models.base import ClassStatistics
    >>> col = SensitiveColumn("s", np.array([0, 1, 2]), ("3", "4", "5"), numeric=np.array([3.0, 4.0, 5.0]))
    >>> stats = ClassStatistics(np.array([0, 1, 1]), np.array([1, 2]), {"s": col})
    >>> m = OrderedDistanceTCloseness(attribute="s", t=0.5)
    >>> m.prepare(stats)
    >>> m.distances(stats).round(4).tolist()   # {3}: (2/3 + 1/3 + 0) / 2; {4, 5}: (1/3 + 1/6 + 0) / 2
    [0.5, 0.25]
    >>> col = SensitiveColumn("e", np.array([0, 1, 2]), ("low", "high", "mid"))
    >>> stats = ClassStatistics(np.array([0, 1, 1]), np.array([1, 2]), {"e": col})
    >>> m = OrderedDistanceTCloseness(attribute="e", t=0.5, order=("low", "mid", "high"))
    >>> m.prepare(stats)
    >>> m.distances(stats).round(4).tolist()   # {low}: (2/3 + 1/3 + 0) / 2; {high, mid}: (1/3 + 1/6 + 0) / 2
    [0.5, 0.25]

    Notes
    -----
    Li et al. (2007), ordered distance; ARX ``OrderedDistanceTCloseness`` compares the undivided sum
    with ``t * (m - 1)``, where m is the number of distinct values of the column; so do we.
    """

    distance = "ordered"
    parameters = {"attribute": Param(), "t": Param(), "order": Param(required=False)}

    def __init__(self, *, attribute: str, t: float, order: str | Sequence[str] | None = None) -> None:
        super().__init__(attribute=attribute, t=t)
        checked: str | tuple[str, ...] | None = check(order.strip().lower() if isinstance(order, str) else order, Optional(AnyOf((
            OneOf(("lexicographic",)),
            Rule("a non-empty list of the attribute's values (as text)",
                 lambda v: tuple(v) if isinstance(v, (list, tuple)) and v and all(isinstance(x, str) for x in v) else None),
        ))), "order", owner="t-closeness", hint="e.g. order: [low, mid, high], or order: lexicographic")
        if isinstance(checked, tuple) and len(set(checked)) != len(checked):
            dup = next(v for v in checked if checked.count(v) > 1)
            raise ConfigError(f"t-closeness: the value {shown(dup)} is listed twice in order",
                              hint="list every value once, first to last")
        self.order = checked

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
    >>> from unlinkable.data.sensitive import SensitiveColumn
    >>> from unlinkable.models.base import ClassStatistics
    >>> h = Hierarchy([["a", "x", "*"], ["b", "x", "*"], ["c", "y", "*"]]).encode(("a", "b", "c"))
    >>> col = SensitiveColumn("d", np.array([0, 1, 2]), ("a", "b", "c"), hierarchy=h)
    >>> stats = ClassStatistics(np.array([0, 0, 1]), np.array([2, 1]), {"d": col})
    >>> m = HierarchicalDistanceTCloseness(attribute="d", t=0.5)
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


#: the job-file name ``t-closeness`` and its ground distances (``distance`` defaults to ``equal``)
VARIANT_CLASSES = Variants("t-closeness", "distance", "equal",
                           {"equal": EqualDistanceTCloseness, "ordered": OrderedDistanceTCloseness,
                            "hierarchical": HierarchicalDistanceTCloseness})


__all__ = ["AgainstTable", "EqualDistanceTCloseness", "OrderedDistanceTCloseness", "HierarchicalDistanceTCloseness",
           "equal_distance", "ordered_distance_sum", "hierarchical_distance", "global_counts", "value_order",
           "VARIANT_CLASSES", "DISTANCES"]
