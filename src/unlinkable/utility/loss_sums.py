"""The Loss metric's per-attribute sums over classes in ARX's order, compiled.

:meth:`LossMetric._evaluate_in_order <unlinkable.utility.loss.LossMetric._evaluate_in_order>` adds,
per attribute, one double per class: ``share * count`` times the generalization factor for a
released class, ``count`` (or ``share + s (count - share)``) for a suppressed one, and, for the
lower bound, the released form of every class. With numpy that is a gather into an (attributes,
classes) array, four temporaries and two cumulative sums; a long search (local recoding evaluates
about 10^5 transformations) spends half its time there. The loop below makes the same IEEE
operations in the same order, without the temporaries (numba compiles without fastmath, so no
operation is fused or reordered), then normalizes and floors each sum as ARX does, and gives the
same bits, which tests check against the numpy path. Importing numba costs about 0.25 s, so the
metric turns to this loop only once the process has added enough terms to pay for it
(``loss._COMPILED_AFTER``).

By hand: one attribute with a domain of 4 values, two classes of 2 and 3 records whose values
cover 0.5 and 0.25 of the domain, the second suppressed, generalization and suppression factor 1:
the released form adds 2 * 0.5 + 3 * 0.25 = 1.75, the loss 2 * 0.5 + 3 = 4.0; normalized between
5 / 4 and 5 they are 0.5 / 3.75 = 0.1333333333 (floored) and 2.75 / 3.75 = 0.7333333333.

>>> import numpy as np
>>> in_order_sums(np.array([[0.5, 0.25]]), np.array([0]), np.array([[0, 1]]), np.array([0]),
...               np.array([2.0, 3.0]), np.array([False, True]), 1.0, 1.0, 5, np.array([4.0]))
([0.7333333333], [0.1333333333])
"""

from __future__ import annotations

import numpy as np

from unlinkable.compiled import compiled

__all__ = ["class_sums", "in_order_sums"]


@compiled
def class_sums(table: np.ndarray, levels: np.ndarray, rep_cols: np.ndarray, offset: np.ndarray, count: np.ndarray,
               suppressed: np.ndarray, g_factor: float, s_factor: float, total: np.ndarray, bound: np.ndarray) -> None:
    """Per attribute, into ``total`` and ``bound``: the loss and the released form of every class,
    added left to right over the classes."""
    attributes, classes = rep_cols.shape
    for a in range(attributes):
        row = table[levels[a]]
        at = offset[a]
        t = 0.0
        b = 0.0
        for c in range(classes):
            share = row[rep_cols[a, c] + at] * count[c]
            released = share * g_factor if g_factor != 1.0 else share
            b += released
            if suppressed[c]:
                t += count[c] if s_factor == 1.0 else share + s_factor * (count[c] - share)
            else:
                t += released
        total[a] = t
        bound[a] = b


@compiled
def _sums(table: np.ndarray, levels: np.ndarray, rep_cols: np.ndarray, offset: np.ndarray, count: np.ndarray,
          suppressed: np.ndarray, g_factor: float, s_factor: float, n: float,
          domains: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    attributes = rep_cols.shape[0]
    total = np.zeros(attributes, dtype=np.float64)
    bound = np.zeros(attributes, dtype=np.float64)
    class_sums(table, levels, rep_cols, offset, count, suppressed, g_factor, s_factor, total, bound)
    for a in range(attributes):
        low = g_factor * n / domains[a]
        span = n - low
        total[a] = _floor10(total[a], low, span)
        bound[a] = _floor10(bound[a], low, span)
    return total, bound


@compiled
def _floor10(total: float, low: float, span: float) -> float:
    """``loss._arx_normalize_parts``: ``(total - low) / span``, at least 0, floored to 10 decimals."""
    x = (total - low) / span if span != 0.0 else 0.0
    if not x >= 0.0:
        x = 0.0
    return float(np.floor(x * 1e10) / 1e10)


def in_order_sums(table: np.ndarray, levels: np.ndarray, rep_cols: np.ndarray, offset: np.ndarray,
                  count: np.ndarray, suppressed: np.ndarray, g_factor: float, s_factor: float, n: int,
                  domains: np.ndarray) -> tuple[list[float], list[float]]:
    """Per attribute, the normalized loss and lower bound, floored to 10 decimals (ARX's
    ``normalizeGeneralized`` of sums added left to right over the classes).

    ``table[level, code + offset[a]]`` is attribute ``a``'s domain share of original code ``code``
    at ``level``; ``rep_cols[a, c]`` is class ``c``'s original code of attribute ``a``; ``count``
    the class sizes (as doubles), ``suppressed`` which classes are suppressed, ``n`` the records
    and ``domains`` each attribute's domain size (as doubles). The arrays are taken as they are
    (C order; int64 levels and offsets, float64 table, counts and domains, bool suppressed).
    """
    per, lower = _sums(table, levels, rep_cols, offset, count, suppressed, g_factor, s_factor, float(n), domains)
    return per.tolist(), lower.tolist()
