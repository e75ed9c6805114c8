"""Inclusion: release only a research subset of the table (ARX's ``Inclusion`` criterion).

ARX 3.9.2 ``criteria/Inclusion.java`` is a record selection, not a guarantee of its own: the
research subset (rows of the data, as for delta-presence) is what is anonymized and released.
The other models, the suppression limit and the metric see the subset's records only; every
record outside the subset is suppressed in the output (``*`` in every quasi-identifier), so the
release keeps the input's rows in order. Its per-class check always passes; it is monotone.
With delta-presence, which defines the subset as a population sample instead, it is not combined.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from unlinkable.constraints import FilePath, check
from unlinkable.models.base import ClassStatistics, Param, PrivacyModel
from unlinkable.models.dpresence import subset_mask


class Inclusion(PrivacyModel):
    """Anonymize and release only the records of a research subset.

    Parameters
    ----------
    subset : str or Path
        The research subset table (rows of the data table, matched as text).

    Examples
    --------
    >>> import numpy as np
    >>> from unlinkable.models.base import ClassStatistics
    >>> Inclusion(subset="subset.csv").check(ClassStatistics(np.array([0, 1]), np.array([1, 1]))).tolist()
    [True, True]

    Notes
    -----
    ARX ``Inclusion`` (a ``DPresence`` without bounds). The engine restricts the search to
    :meth:`subset_mask`; see the module docstring.
    """

    name = "inclusion"
    monotone_generalization = True
    monotone_suppression = True
    per_class = True
    releases_subset_only = True
    parameters = {"subset": Param(path=True)}
    example = "{subset: research_subset.csv}"

    def __init__(self, *, subset: str | Path) -> None:
        self.subset = check(subset, FilePath(), "subset", owner=self.name, hint="e.g. subset: research_subset.csv")

    def subset_mask(self, data: pl.DataFrame) -> np.ndarray:
        """Bool per row of ``data``: is it in the research subset?"""
        from unlinkable.data.io import read_table

        return subset_mask(data, read_table(self.subset))

    research_subset = subset_mask

    def check(self, stats: ClassStatistics) -> np.ndarray:
        return np.ones(stats.classes, dtype=bool)

    def describe(self) -> str:
        return (f"inclusion of the research subset {Path(self.subset).name}: only its records are anonymized and "
                f"released; every other record is suppressed.")

    def to_dict(self) -> dict[str, Any]:
        return {"inclusion": {"subset": self.subset}}


__all__ = ["Inclusion"]
