"""β-likeness: no sensitive value is much more frequent in a class than in the whole table.

Cao and Karras, "Publishing microdata with a robust privacy guarantee", PVLDB 5(11), 2012. For a
sensitive value s with frequency q_s in the table and p_s in a class, the class's relative gain
in confidence about s is ``(p_s - q_s) / q_s``. A class passes when, for every value it holds,

- basic β-likeness: ``(p_s - q_s) / q_s <= β``;
- enhanced β-likeness: ``(p_s - q_s) / q_s <= min(β, -ln q_s)`` (rare values get a tighter bound).

As in ARX 3.9.2 (``criteria/BasicBLikeness.java``, ``EnhancedBLikeness.java``) the frequencies are
doubles ``count / size``, the gain is computed in that operation order and equality passes. Missing
sensitive values are left out of both distributions, as for t-closeness. Both variants are
monotone under generalization (a merged class's frequency of s is a weighted mean of its parts')
but not with suppression; ARX declares the same.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from unlinkable.constraints import check_float
from unlinkable.models.base import ClassStatistics, Param, Variants
from unlinkable.models.tcloseness import AgainstTable, _column

VARIANTS = ("basic", "enhanced")


def likeness_gains(stats: ClassStatistics, attribute: str, table_counts: np.ndarray) -> tuple[np.ndarray, ...]:
    """Every non-zero (value, class) cell with its relative gain ``(p - q) / q`` and the table's q.

    Returns ``(value, class, gain, q)`` arrays, one entry per value present in a class.

    Examples
    --------
    >>> import numpy as np
    >>> from unlinkable.data.sensitive import SensitiveColumn
    >>> from unlinkable.models.base import ClassStatistics
    >>> col = SensitiveColumn("d", np.array([0, 1, 0, 0]), ("a", "b"))
    >>> stats = ClassStatistics(np.array([0, 0, 1, 1]), np.array([2, 2]), {"d": col})
    >>> v, c, gain, q = likeness_gains(stats, "d", np.array([3, 1]))
    >>> v.tolist(), c.tolist(), gain.round(4).tolist()   # b in class 0: (1/2 - 1/4) / (1/4) = 1
    ([0, 0, 1], [0, 1, 0], [-0.3333, 0.3333, 1.0])
    """
    name = _column(stats, attribute).name
    v, cls, counts = stats._sparse(name)
    hist_sizes = np.bincount(cls, weights=counts, minlength=stats.classes)  # known values per class
    q = table_counts[v] / float(table_counts.sum())
    p = counts / hist_sizes[cls]
    return v, cls, (p - q) / q, q


class _BetaLikeness(AgainstTable):
    name = "beta-likeness"
    variant = ""
    parameters = {"attribute": Param(), "beta": Param()}
    example = "{attribute: occupation, variant: basic, beta: 2}"

    def __init__(self, *, attribute: str, beta: float) -> None:
        super().__init__(attribute=attribute)
        self.beta = check_float(beta, "beta", low=0.0, low_open=True, owner="beta-likeness")

    def _bounds(self, q: np.ndarray) -> np.ndarray | float:
        raise NotImplementedError

    def check(self, stats: ClassStatistics) -> np.ndarray:
        _, cls, gain, q = likeness_gains(stats, self.attribute, self._counts(stats))
        failing = gain > self._bounds(q)
        passing: np.ndarray = np.bincount(cls[failing], minlength=stats.classes) == 0
        return passing

    def to_dict(self) -> dict[str, Any]:
        return {"beta-likeness": {"attribute": self.attribute, "variant": self.variant, "beta": self.beta}}

    def describe(self) -> str:
        bound = "beta" if self.variant == "basic" else "the smaller of beta and -ln(its share in the table)"
        return (f"{self.variant} {self.beta}-likeness on {self.attribute!r}: in every class of records that share "
                f"their quasi-identifiers, no value of {self.attribute!r} is more frequent than in the whole table "
                f"by a relative gain above {bound}.")


class BasicBetaLikeness(_BetaLikeness):
    """Basic β-likeness: ``(p_s - q_s) / q_s <= β`` for every sensitive value s of every class.

    Parameters
    ----------
    attribute : str
        The sensitive attribute.
    beta : float
        Largest relative gain in a value's frequency, > 0.

    Examples
    --------
    >>> import numpy as np
    >>> from unlinkable.data.sensitive import SensitiveColumn
    >>> from unlinkable.models.base import ClassStatistics
    >>> col = SensitiveColumn("d", np.array([0, 1, 0, 0]), ("a", "b"))
    >>> stats = ClassStatistics(np.array([0, 0, 1, 1]), np.array([2, 2]), {"d": col})
    >>> m = BasicBetaLikeness(attribute="d", beta=1.0)
    >>> m.prepare(stats)      # table: a 3/4, b 1/4; class 0 holds b at 1/2, a gain of exactly 1
    >>> m.check(stats).tolist(), BasicBetaLikeness(attribute="d", beta=0.9).check(stats).tolist()
    ([True, True], [False, True])

    Notes
    -----
    Cao and Karras (2012), basic β-likeness; ARX ``BasicBLikeness``.
    """

    variant = "basic"

    def _bounds(self, q: np.ndarray) -> float:
        return self.beta


class EnhancedBetaLikeness(_BetaLikeness):
    """Enhanced β-likeness: ``(p_s - q_s) / q_s <= min(β, -ln q_s)`` for every value s of every class.

    Parameters
    ----------
    attribute : str
        The sensitive attribute.
    beta : float
        Largest relative gain in a value's frequency, > 0; rarer values get ``-ln q_s`` if smaller.

    Examples
    --------
    >>> import numpy as np
    >>> from unlinkable.data.sensitive import SensitiveColumn
    >>> from unlinkable.models.base import ClassStatistics
    >>> col = SensitiveColumn("d", np.array([0, 1, 0, 0]), ("a", "b"))
    >>> stats = ClassStatistics(np.array([0, 0, 1, 1]), np.array([2, 2]), {"d": col})
    >>> m = EnhancedBetaLikeness(attribute="d", beta=1.0)
    >>> m.prepare(stats)      # class 1 holds a at 1: gain 1/3 > min(1, -ln 3/4) = 0.288
    >>> m.check(stats).tolist()
    [True, False]

    Notes
    -----
    Cao and Karras (2012), enhanced β-likeness; ARX ``EnhancedBLikeness`` (``Math.log``: natural).
    """

    variant = "enhanced"

    def _bounds(self, q: np.ndarray) -> np.ndarray:
        bound: np.ndarray = np.minimum(self.beta, -np.log(q))
        return bound


#: the job-file name ``beta-likeness`` and its variants (``variant`` defaults to ``basic``)
VARIANT_CLASSES = Variants("beta-likeness", "variant", "basic", {"basic": BasicBetaLikeness, "enhanced": EnhancedBetaLikeness})


__all__ = ["BasicBetaLikeness", "EnhancedBetaLikeness", "likeness_gains", "VARIANT_CLASSES", "VARIANTS"]
