"""delta-presence: for every class, the share of its population records that are in the research subset.

Nergiz, Atzori and Clifton, "Hiding the presence of individuals from shared databases", SIGMOD
2007; ARX 3.9.2 ``criteria/DPresence.java``. As in ARX, the data table is the population and the
research subset (e.g. ARX's ``adult_subset.csv`` for adult) is a set of its rows. For each class,
``delta = subset records in the class / records in the class``; a class passes when
``delta_min <= delta <= delta_max``. As in ARX, utility, suppressed records and the suppression
budget count the research subset's records only, and only classes holding subset records are
suppressed. A class without subset records has delta 0: when that is below delta_min it cannot be
suppressed, and the transformation is rejected (accepting it would reveal that those people are
not in the subset).

The engine passes which records are in the subset as ``ClassStatistics.context["in_subset"]``
(bool per record, from :meth:`DeltaPresence.subset_mask`). Monotone under generalization only when
``delta_min == 0`` (see ``__init__``; ARX declares it monotone always), never with suppression.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from unlinkable.constraints import FilePath, check, check_float
from unlinkable.errors import ConfigError, InputError
from unlinkable.models.base import ClassStatistics, Param, PrivacyModel


def subset_mask(data: pl.DataFrame, subset: pl.DataFrame) -> np.ndarray:
    """Which rows of ``data`` form ``subset``: each subset row claims one equal, unclaimed data row.

    Rows are compared as text on the subset's columns; duplicates are matched first come, first served.

    Examples
    --------
    >>> import polars as pl
    >>> data = pl.DataFrame({"a": ["x", "y", "x"], "b": ["1", "2", "1"]})
    >>> subset_mask(data, pl.DataFrame({"a": ["x"], "b": ["1"]})).tolist()
    [True, False, False]
    """
    missing = [c for c in subset.columns if c not in data.columns]
    if missing:
        raise InputError(f"research subset: column {missing[0]!r} is not in the data",
                         hint="the subset must have the data's columns (rows of the data)")
    cols = subset.columns
    as_text = [pl.col(c).cast(pl.String) for c in cols]
    left = data.select(as_text).with_row_index("_row").with_columns(
        pl.int_range(pl.len()).over(cols).alias("_dup"))
    right = subset.select(as_text).with_columns(pl.int_range(pl.len()).over(cols).alias("_dup"))
    joined = right.join(left, on=[*cols, "_dup"], how="left", nulls_equal=True)
    unmatched = joined.filter(pl.col("_row").is_null())
    if unmatched.height:
        raise InputError(f"research subset: {unmatched.height} row(s) are not rows of the data",
                         hint="every subset row must equal a distinct row of the data table")
    mask = np.zeros(data.height, dtype=bool)
    mask[joined["_row"].to_numpy()] = True
    return mask


class DeltaPresence(PrivacyModel):
    """delta-presence of a research subset within the data (the population).

    Parameters
    ----------
    delta_min, delta_max : float
        0 <= delta_min <= delta_max <= 1.
    subset : str or Path
        The research subset table (rows of the data table).

    Examples
    --------
    >>> import numpy as np
    >>> from unlinkable.models.base import ClassStatistics
    >>> stats = ClassStatistics(np.array([0, 0, 0, 0, 1, 1]), np.array([4, 2]),
    ...                         context={"in_subset": np.array([1, 0, 0, 0, 1, 1], dtype=bool)})
    >>> DeltaPresence(delta_min=0.0, delta_max=0.5, subset="subset.csv").check(stats).tolist()   # deltas 1/4 and 1
    [True, False]

    Notes
    -----
    Nergiz et al. (2007); ARX ``DPresence``. Context needed: ``in_subset`` (bool per record).
    """

    name = "delta-presence"
    monotone_generalization = True
    monotone_suppression = False
    per_class = True
    needs = frozenset({"in_subset"})
    suppresses_outside_subset = True
    parameters = {"delta_min": Param(), "delta_max": Param(), "subset": Param(path=True)}
    example = "{delta_min: 0.0, delta_max: 0.5, subset: adult_subset.csv}"

    def __init__(self, *, delta_min: float, delta_max: float, subset: str | Path) -> None:
        self.delta_min = check_float(delta_min, "delta_min", low=0.0, high=1.0)
        self.delta_max = check_float(delta_max, "delta_max", low=0.0, high=1.0)
        if self.delta_min > self.delta_max:
            raise ConfigError(f"delta-presence: delta_min ({self.delta_min}) is larger than delta_max ({self.delta_max})",
                              hint="use 0 <= delta_min <= delta_max <= 1")
        self.subset = check(subset, FilePath(), "subset", owner=self.name, hint="e.g. subset: adult_subset.csv")
        # A merged class's delta lies between its parts' deltas, but a part without subset records
        # (delta 0, passing because nothing of it is published) can pull it below delta_min. So the
        # model is monotone under generalization only when delta_min == 0. ARX declares it monotone
        # regardless; we declare only what holds, which costs the search some pruning, never a result.
        self.monotone_generalization = self.delta_min == 0.0

    def read_subset(self) -> pl.DataFrame:
        from unlinkable.data.io import read_table

        return read_table(self.subset)

    def subset_mask(self, data: pl.DataFrame) -> np.ndarray:
        """Bool per row of ``data``: is it in the research subset? (for ``context["in_subset"]``)."""
        return subset_mask(data, self.read_subset())

    research_subset = subset_mask

    def deltas(self, stats: ClassStatistics) -> np.ndarray:
        """Subset records / records, per class (the class's records counted over the whole table)."""
        mask = stats.context.get("in_subset")
        if mask is None:
            raise InputError("delta-presence: the research-subset membership of the records is missing",
                             hint="this is probably a bug: the engine must pass context['in_subset']")
        inside = stats.class_sums(mask)
        population = stats.class_sums()
        delta: np.ndarray = np.divide(inside, population, out=np.zeros_like(inside), where=population > 0)
        return delta

    def check(self, stats: ClassStatistics) -> np.ndarray:
        # A class without subset records has delta 0: below a positive delta_min it fails, and as
        # nothing of it can be suppressed the engine then rejects the transformation (ARX).
        delta = self.deltas(stats)
        return (delta >= self.delta_min) & (delta <= self.delta_max)

    def describe(self) -> str:
        return (f"({self.delta_min}, {self.delta_max})-presence: for anyone in the population, the probability "
                f"that they are in the research subset, judged from the release, is between {self.delta_min} "
                f"and {self.delta_max}.")

    def to_dict(self) -> dict[str, Any]:
        return {"delta-presence": {"delta_min": self.delta_min, "delta_max": self.delta_max, "subset": self.subset}}


__all__ = ["DeltaPresence", "subset_mask"]
