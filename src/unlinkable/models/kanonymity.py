"""k-anonymity: every released equivalence class holds at least k records.

Sweeney, "k-anonymity: a model for protecting privacy", Int. J. Uncertainty, Fuzziness and
Knowledge-Based Systems 10(5), 2002. ARX: ``criteria/KAnonymity.java``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from unlinkable.constraints import check_int
from unlinkable.models.base import ClassStatistics, Param, PrivacyModel


class KAnonymity(PrivacyModel):
    """Each class of the release has at least ``k`` records.

    Monotone under generalization (classes only merge) and under suppression (removing a class
    never shrinks another one).

    Examples
    --------
    >>> import numpy as np
    >>> from unlinkable.models.base import ClassStatistics
    >>> stats = ClassStatistics(record_class=np.array([0, 0, 1]), sizes=np.array([2, 1]))
    >>> KAnonymity(k=2).check(stats).tolist()
    [True, False]

    Notes
    -----
    Sweeney (2002). A suppressed record (``*`` in every quasi-identifier) is not part of any class.
    """

    name = "k-anonymity"
    monotone_generalization = True
    monotone_suppression = True
    per_class = True
    sizes_only = True
    supports_local_recoding = True
    parameters = {"k": Param()}
    example = "{k: 5}"

    def __init__(self, *, k: int) -> None:
        self.k = check_int(k, "k", low=1, owner="k-anonymity")

    def minimal_class_size(self) -> int:
        return self.k

    def required_class_size(self, n: int) -> int | None:
        return self.k

    def check(self, stats: ClassStatistics) -> np.ndarray:
        return np.asarray(stats.sizes) >= self.k

    def describe(self) -> str:
        return (f"k-anonymity (k = {self.k}): every combination of quasi-identifier values in the release "
                f"is shared by at least {self.k} records, so a record can be confused with at least {self.k - 1} others.")

    def to_dict(self) -> dict[str, Any]:
        return {"k-anonymity": {"k": self.k}}


__all__ = ["KAnonymity"]
