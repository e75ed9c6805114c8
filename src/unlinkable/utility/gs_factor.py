"""Loss's generalization/suppression factor (ARX's gs-factor), per attribute.

ARX 3.9.2 ``metric/v2/MetricMDNMLoss``: a gs-factor g in [0, 1] trades generalization against
suppression. It sets a suppression factor ``s = 2g`` (below 0.5, else 1) and a generalization
factor ``f = 1`` (up to 0.5, else ``1 - 2 (g - 0.5)``). For one attribute with domain size D over n
records, a released record of a class whose value covers ``r`` hierarchy rows costs ``f r / D``; a
suppressed one costs 1 when s = 1, else ``r / D + s (1 - r / D)`` (only part of its value's
remaining uncertainty is charged). The sum is normalized between ``f n / D`` and ``n``, clipped at 0
and floored to 10 decimals, like the plain Loss. g = 0.5 (s = f = 1) is ARX's default and is computed
by :class:`unlinkable.utility.loss.LossMetric` itself; this module serves the other factors.

Totals are exact integers as in ``LossMetric``: ``released`` = sum of size x rows over released
classes, ``everything`` = the same over all classes, and ``suppressed`` records.
"""

from __future__ import annotations

from unlinkable.utility.base import floor10


def factors(gs_factor: float) -> tuple[float, float]:
    """ARX's (generalization factor, suppression factor) of a gs-factor.

    Examples
    --------
    >>> factors(0.5), factors(0.1), factors(0.75)
    ((1.0, 1.0), (1.0, 0.2), (0.5, 1.0))
    """
    g = float(gs_factor)
    suppression = 2.0 * g if g < 0.5 else 1.0
    generalization = 1.0 if g <= 0.5 else 1.0 - 2.0 * (g - 0.5)
    return generalization, suppression


def attribute_loss(released: int, everything: int, suppressed: int, n: int, domain: int, gs_factor: float) -> float:
    """Normalized Loss of one attribute under a gs-factor.

    Parameters
    ----------
    released, everything : int
        Sum over the released (all) classes of class size x hierarchy rows under the class's value.
    suppressed : int
        Suppressed records.
    n : int
        Records in the table.
    domain : int
        Domain size (rows of the attribute's hierarchy).
    gs_factor : float
        In [0, 1].

    Examples
    --------
    >>> # 4 records, domain 2, g = 0.1 (s = 0.2); the loss runs from n / D = 2 to n = 4.
    >>> # Values kept (1 row each), 2 records suppressed: 2 / 2 + (1 + 0.2 (2 - 1)) = 2.2
    >>> attribute_loss(2, 4, 2, 4, 2, 0.1)
    0.1
    >>> # Values generalized to '*' (2 rows), 2 suppressed: 4 / 2 + (2 + 0.2 (2 - 2)) = 4
    >>> attribute_loss(4, 8, 2, 4, 2, 0.1)
    1.0
    """
    g_factor, s_factor = factors(gs_factor)
    kept = released / domain
    share = (everything - released) / domain  # the suppressed records' own generalization cost
    total = kept * g_factor + (suppressed if s_factor == 1.0 else share + s_factor * (suppressed - share))
    low = g_factor * n / domain
    span = n - low
    x = (total - low) / span if span > 0 else 0.0
    return floor10(max(x, 0.0))


__all__ = ["factors", "attribute_loss"]
