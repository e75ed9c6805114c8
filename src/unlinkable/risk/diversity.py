"""Diversity and closeness of a sensitive attribute over the equivalence classes, for ``assess``.

What the l-diversity and t-closeness models would need for this table, read off its classes:
the smallest number of distinct values in a class (distinct l), the smallest entropy as an
effective number of values (entropy l = exp(min H), natural logarithm), the smallest recursive
ratio c such that recursive (c, 2)-diversity would hold, and the largest Earth Mover's Distance of
a class to the whole table under each ground distance that applies. Definitions as in
``unlinkable.models.ldiversity`` and ``unlinkable.models.tcloseness`` (Machanavajjhala et al. 2007;
Li et al. 2007; ARX 3.9.2).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from unlinkable.data.sensitive import SensitiveColumn
from unlinkable.errors import InputError
from unlinkable.risk.distances import equal_distance, global_counts, hierarchical_distance, ordered_distance_sum, value_order


def diversity(record_class: np.ndarray, sizes: np.ndarray, sensitive: SensitiveColumn) -> dict[str, Any]:
    """Per-table diversity and closeness figures of one sensitive attribute (JSON-ready).

    Parameters
    ----------
    record_class : numpy.ndarray
        Class of each record (int); ``-1`` marks a suppressed record, left out of every class but
        kept in the table distribution that t-closeness compares with.
    sizes : numpy.ndarray
        Records per class.
    sensitive : SensitiveColumn
        The sensitive attribute (``numeric`` enables the ordered distance, ``hierarchy`` the
        hierarchical one).

    Returns
    -------
    dict
        ``attribute``, ``classes``, ``distinct_l`` (min distinct values in a class), ``entropy_l``
        (exp of the min Shannon entropy, natural log), ``recursive_c_l2`` (the smallest c for which
        recursive (c, 2)-diversity holds: the max over classes of r1 / (r2 + ... + rm), with strict
        inequality needed; ``None`` if a class has one value), and ``t_equal``, ``t_ordered``,
        ``t_hierarchical`` (max EMD over classes; ``None`` when not applicable).

    Examples
    --------
    >>> import numpy as np
    >>> col = SensitiveColumn("d", np.array([0, 1, 0, 0, 1, 2]), ("a", "b", "c"))
    >>> out = diversity(np.array([0, 0, 1, 1, 1, 1]), np.array([2, 4]), col)
    >>> out["distinct_l"], round(out["entropy_l"], 4), out["recursive_c_l2"], round(out["t_equal"], 4)
    (2, 2.0, 1.0, 0.1667)

    Notes
    -----
    Machanavajjhala et al., "l-diversity: Privacy beyond k-anonymity", ACM TKDD 1(1), 2007; Li et al.,
    "t-Closeness", ICDE 2007.
    """
    rc = np.asarray(record_class)
    sizes = np.asarray(sizes)
    if rc.shape[0] != sensitive.codes.shape[0]:
        raise InputError(f"diversity: {rc.shape[0]} class labels for {sensitive.codes.shape[0]} values of {sensitive.name!r}",
                         hint="pass one class per record (-1 for suppressed records)")
    n_classes = int(sizes.shape[0])
    d = max(len(sensitive.dictionary), 1)
    ok = (rc >= 0) & (sensitive.codes >= 0)
    hist = np.bincount(rc[ok].astype(np.int64) * d + sensitive.codes[ok], minlength=n_classes * d).reshape(n_classes, d)
    return histogram_diversity(hist, global_counts(sensitive), sensitive)


def histogram_diversity(hist: np.ndarray, table_counts: np.ndarray, sensitive: SensitiveColumn) -> dict[str, Any]:
    """:func:`diversity` from the (classes, values) counts of the attribute and its counts over the
    whole table (what a backend's snapshot gives, without the records).

    Examples
    --------
    >>> import numpy as np
    >>> col = SensitiveColumn("d", np.zeros(0, dtype=np.int64), ("a", "b", "c"))
    >>> out = histogram_diversity(np.array([[1, 1, 0], [2, 1, 1]]), np.array([3, 2, 1]), col)
    >>> out["distinct_l"], round(out["t_equal"], 4)
    (2, 0.1667)
    """
    hist = np.asarray(hist)
    hist = hist[hist.sum(axis=1) > 0]
    d = max(len(sensitive.dictionary), 1)
    result: dict[str, Any] = {"attribute": sensitive.name, "classes": int(hist.shape[0]), "distinct_l": None,
                              "entropy_l": None, "recursive_c_l2": None, "t_equal": None, "t_ordered": None,
                              "t_hierarchical": None}
    if hist.shape[0] == 0:
        return result
    result["distinct_l"] = int(np.count_nonzero(hist, axis=1).min())
    n = hist.sum(axis=1, keepdims=True).astype(np.float64)
    p = hist / n
    with np.errstate(divide="ignore", invalid="ignore"):
        entropy = -np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0).sum(axis=1)
    result["entropy_l"] = float(math.exp(float(entropy.min())))
    ordered = -np.sort(-hist, axis=1)
    tail = ordered[:, 1:].sum(axis=1) if d > 1 else np.zeros(hist.shape[0])
    if (tail > 0).all():
        result["recursive_c_l2"] = float((ordered[:, 0] / tail).max())
    table = np.asarray(table_counts, dtype=np.int64)
    result["t_equal"] = float(equal_distance(hist, table).max())
    if sensitive.numeric is not None and len(sensitive.dictionary) > 1:
        try:
            order = value_order(sensitive)
        except InputError:
            order = None
        if order is not None:
            result["t_ordered"] = float((ordered_distance_sum(hist, table, order) / (len(sensitive.dictionary) - 1)).max())
    if sensitive.hierarchy is not None:
        result["t_hierarchical"] = float(hierarchical_distance(hist, table, sensitive.hierarchy).max())
    return result


__all__ = ["diversity", "histogram_diversity"]
