"""ARX's classification accuracy quality model (``metric/v2/MetricSDClassification``).

How well the release still predicts one or more response (class) attributes: records are grouped
by every quasi-identifier except the response, and within each such equivalence class the records
whose response differs from its most frequent one are penalized (all of them when no single value is most
frequent). The penalty grows with the response's own generalization (a scale from 0 at level 0 to
1 when its hierarchy has one value left, from the hierarchy's distinct values per level), and
suppressed records cost ``gs_factor`` each. The sum is divided by ``n`` times the largest penalty.
With the default gs-factor 0.5: misclassified 1, no majority 1, suppressed 0.5.

Iyengar, "Transforming data to satisfy privacy constraints", KDD 2002 (classification metric);
ARX 3.9.2 ``MetricSDClassification.getInformationLossInternal``. The response attributes must be
quasi-identifiers (ARX also takes other attributes; unlinkable does not carry their histograms).
SafePub's data-dependent search uses its score function instead (``dp/search.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from unlinkable.data.radix import group_rows
from unlinkable.errors import ConfigError
from unlinkable.utility.base import Evaluation, Score, UtilityMetric


def majority_counts(gen: np.ndarray, sizes: np.ndarray, target: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per class of the columns other than ``target``: records, top and second frequency
    of the target's values (second is -1 when there is one value), as ARX's ``getStatistics``.

    Examples
    --------
    >>> gen = np.array([[0, 0], [0, 1], [1, 0]])
    >>> [a.tolist() for a in majority_counts(gen, np.array([3, 1, 2]), 1)]   # groups q=0: x3 y1; q=1: x2
    [[4, 2], [3, 2], [1, -1]]
    """
    others = np.delete(gen, target, axis=1)
    class_of = _lexicographic_ids(others) if others.shape[1] else np.zeros(gen.shape[0], dtype=np.int64)
    n_classes = int(class_of.max()) + 1 if class_of.size else 0
    values = gen[:, target] - (int(gen[:, target].min()) if gen.shape[0] else 0)  # (from 0: the same order)
    bound = int(values.max()) + 1 if values.size else 1
    # (class, value) pairs, as one integer each: in the order of the class, then of the value
    pairs, pair_index = np.unique(class_of * bound + values, return_inverse=True)
    counts = np.bincount(pair_index.reshape(-1), weights=sizes).astype(np.int64)
    total = np.bincount(class_of, weights=sizes, minlength=n_classes).astype(np.int64)
    owner = pairs // bound
    order = np.lexsort((-counts, owner))   # per class, frequencies descending
    owner, ranked = owner[order], counts[order]
    first = np.r_[True, owner[1:] != owner[:-1]]
    top = np.zeros(n_classes, dtype=np.int64)
    top[owner[first]] = ranked[first]
    second = np.full(n_classes, -1, dtype=np.int64)
    after = np.flatnonzero(first) + 1
    has = (after < owner.shape[0])
    has[has] = owner[after[has]] == owner[after[has] - 1]
    second[owner[after[has] - 1]] = ranked[after[has]]
    return total, top, second


def _lexicographic_ids(rows: np.ndarray) -> np.ndarray:
    """Group ids of rows of integer codes (negative ones too), numbered in the rows' lexicographic
    order, as ``np.unique(rows, axis=0, return_inverse=True)`` numbers them (:func:`group_rows`,
    about 20x faster: it never sorts rows).

    >>> _lexicographic_ids(np.array([[1, 0], [0, 2], [0, 1], [1, 0]])).tolist()
    [2, 1, 0, 2]
    """
    if not rows.shape[0]:
        return np.zeros(0, dtype=np.int64)
    shifted = rows - rows.min(axis=0)  # from 0 in each column: the same order
    return group_rows(shifted, (shifted.max(axis=0) + 1).tolist())[0]


class ClassificationMetric(UtilityMetric):
    """ARX's classification accuracy for the response attributes ``response`` (quasi-identifiers).

    Parameters
    ----------
    response : sequence of str
        The class attributes the release should still predict.
    gs_factor : float
        ARX's gs-factor (0.5): suppressed records cost it, misclassified ones cost the
        generalization factor, records without a majority the suppression factor.

    Examples
    --------
    >>> import numpy as np
    >>> from unlinkable.hierarchies.hierarchy import Hierarchy
    >>> gms = [Hierarchy([["a", "*"], ["b", "*"]]).encode(["a", "b"]), Hierarchy([["x", "*"], ["y", "*"]]).encode(["x", "y"])]
    >>> m = ClassificationMetric(["y"]); m.bind_attributes(["q", "y"])
    >>> # one group (q = a) with responses x x x y: one misclassified record out of 4
    >>> ev = Evaluation((0, 0), np.array([3, 1]), np.array([[0, 0], [0, 1]]), np.array([False, False]), 4, gms, ["q", "y"])
    >>> m.evaluate(ev).value
    0.25

    Notes
    -----
    Iyengar (KDD 2002); ARX ``Metric.createClassificationMetric`` (job file: ``metric: {name:
    classification, response: [salary-class]}``).
    """

    name = "classification"
    monotone_generalization = False
    monotone_suppression = False

    def __init__(self, response: Sequence[str], *, gs_factor: float = 0.5) -> None:
        from unlinkable.constraints import check_float

        if isinstance(response, str):
            response = [response]
        self.response = [str(r) for r in response]
        if not self.response:
            raise ConfigError("the classification metric needs at least one response attribute",
                              hint="metric: {name: classification, response: [salary-class]}")
        self.gs_factor = check_float(gs_factor, "gs_factor", low=0.0, high=1.0)
        # ARX's Metric constructor: s = 2gs below 0.5 else 1; g = 1 up to 0.5 else 1 - 2(gs - 0.5)
        self.penalty_suppressed = self.gs_factor
        self.penalty_misclassified = 1.0 if self.gs_factor <= 0.5 else 1.0 - 2.0 * (self.gs_factor - 0.5)
        self.penalty_no_majority = 2.0 * self.gs_factor if self.gs_factor < 0.5 else 1.0
        self.penalty_scale = max(self.penalty_suppressed, self.penalty_misclassified, self.penalty_no_majority)
        self.indices: list[int] = []

    def bind_attributes(self, names: list[str]) -> None:
        """Find the response attributes among the quasi-identifiers (ARX sorts them by column)."""
        missing = [r for r in self.response if r not in names]
        if missing:
            raise ConfigError(f"the classification metric's response attribute {missing[0]!r} is not a quasi-identifier",
                              hint=f"response attributes must be quasi-identifiers with a hierarchy: {', '.join(names)}")
        self.indices = sorted(names.index(r) for r in dict.fromkeys(self.response))

    def _indices(self, ev: Evaluation) -> list[int]:
        if not self.indices:
            self.bind_attributes(list(ev.names))
        return self.indices

    def scale(self, gm: Any, level: int) -> float:
        """ARX's scale factor of a response at ``level``: 1 - (distinct(level) - 1) / (distinct(0) - 1)."""
        distinct0 = len(gm.labels[0])
        if distinct0 == 1:
            return 0.0
        return 1.0 - float(len(gm.labels[level]) - 1) / float(distinct0 - 1)

    def evaluate(self, ev: Evaluation) -> Score:
        sizes = np.asarray(ev.sizes, dtype=np.int64)
        suppressed = np.asarray(ev.suppressed, dtype=bool)
        live = sizes > 0
        rows = np.flatnonzero(live & ~suppressed)
        gen = ev.gen[rows]
        maximum = self.penalty_scale * float(ev.n)
        suppressed_records = int(sizes[live & suppressed].sum())
        penalty = 0.0
        for index in self._indices(ev):
            factor = self.scale(ev.maps[index], ev.levels[index])
            penalty += suppressed_records * (self.penalty_suppressed / maximum)
            if not rows.size:
                continue
            total, top, second = majority_counts(gen, sizes[rows], index)
            if factor == 1.0:
                penalty += float(total.sum()) * (self.penalty_scale / maximum)
                continue
            wrong = self.penalty_misclassified * (1.0 - factor) + self.penalty_scale * factor
            none = self.penalty_no_majority * (1.0 - factor) + self.penalty_scale * factor
            majority = top != second
            penalty += float((total - top)[majority].sum()) * (wrong / maximum)
            penalty += float(total[~majority].sum()) * (none / maximum)
        return Score(penalty, None, None)


__all__ = ["ClassificationMetric", "majority_counts"]
