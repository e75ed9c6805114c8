"""Average re-identification risk: the mean prosecutor risk of the released records is at most a threshold.

El Emam, "Guide to the De-Identification of Personal Health Information", 2013 (average risk);
ARX 3.9.2 ``criteria/AverageReidentificationRisk.java``. With every record of a class at risk
1 / |class|, the average over the released records is ``classes released / records released``; ARX
checks ``1 / (records / classes) <= threshold`` on the released (non-suppressed) classes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from unlinkable.constraints import check_float
from unlinkable.models.base import ClassStatistics, Param, PrivacyModel


def released_average_risk(sizes: np.ndarray, released: np.ndarray) -> float:
    """``1 / (records released / classes released)`` as ARX evaluates it; NaN when nothing is released.

    Examples
    --------
    >>> released_average_risk(np.array([2, 3, 1]), np.array([True, True, False]))
    0.4
    """
    sizes = np.asarray(sizes)
    released = np.asarray(released, dtype=bool)
    records = float(sizes[released].sum())
    classes = float(np.count_nonzero(released))
    if classes == 0.0:
        return float("nan")  # Java: 1 / (0 / 0) is NaN, and NaN <= t is false
    return 1.0 / (records / classes)


class AverageReidentificationRisk(PrivacyModel):
    """Table-level model: average re-identification risk of the released records <= ``threshold``.

    Parameters
    ----------
    threshold : float
        In (0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> from unlinkable.models.base import ClassStatistics
    >>> stats = ClassStatistics(np.array([0, 0, 1, 1, 1, 2]), np.array([2, 3, 1]))
    >>> m = AverageReidentificationRisk(threshold=0.4)   # all: 3 classes / 6 records; without the unique: 2 / 5
    >>> m.holds(stats, np.array([True, True, True])), m.holds(stats, np.array([True, True, False]))
    (False, True)

    Notes
    -----
    ARX ``AverageReidentificationRisk`` (single-threshold variant). If every class is suppressed
    the check holds, as in ARX ("All suppressed"). Declared monotone under generalization and with suppression,
    as ARX declares it: merging classes lowers classes / records.
    """

    name = "average-risk"
    monotone_generalization = True
    monotone_suppression = True
    per_class = False
    parameters = {"threshold": Param()}
    example = "{threshold: 0.05}"

    def __init__(self, *, threshold: float) -> None:
        self.threshold = check_float(threshold, "threshold", low=0.0, high=1.0, low_open=True)

    def holds(self, stats: ClassStatistics, released: np.ndarray) -> bool:
        if not np.asarray(released, dtype=bool).any():
            return True  # ARX: "All suppressed" holds
        return bool(released_average_risk(stats.sizes, released) <= self.threshold)

    def describe(self) -> str:
        return (f"average re-identification risk at most {self.threshold}: an attacker who knows a person is in "
                f"the release and picks a record of their class at random is right with probability at most "
                f"{self.threshold} on average.")

    def to_dict(self) -> dict[str, Any]:
        return {"average-risk": {"threshold": self.threshold}}


__all__ = ["AverageReidentificationRisk", "released_average_risk"]
