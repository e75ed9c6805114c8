"""k-map: every released class matches at least k individuals of the population.

Sweeney, "Computational disclosure control: a primer on data privacy protection", MIT PhD thesis,
2001 (k-map); ARX 3.9.2 ``criteria/KMap.java``. Three ways to know the population:

- an explicit population table (``population: people.csv``): generalized with the same
  transformation as the data, the population records in each released class are counted by the
  engine and passed as ``ClassStatistics.context["population_counts"]`` (int per class); a class
  passes when that count is >= k;
- the data table itself, with a research subset (``subset: sample.csv``, ARX's ``KMap(k,
  DataSubset)``): the data is the population, and only the subset's records are anonymized and
  released, as with ``inclusion`` (every other record is suppressed in the output); a class passes
  when the data records generalizing into it number at least k;
- an estimator (``estimator: poisson`` or ``zero-truncated-poisson``, with a significance level):
  as ARX, k is turned into a derived k' for k-anonymity of the sample, from the sampling fraction
  f = n / population size: the Poisson(f k) quantile rule of El Emam and Dankar, "Protecting
  privacy using k-anonymity", JAMIA 15(5), 2008 (D3 / D4), then ``k' = min(k, k', n)``.

Monotone under generalization and with suppression (ARX declares both).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import polars as pl

import numpy as np

from unlinkable.constraints import FilePath, OneOf, Optional, check, check_float, check_int
from unlinkable.errors import ConfigError, InputError
from unlinkable.models.base import ClassStatistics, Param, PrivacyModel
from unlinkable.risk.sampling import population_size

ESTIMATORS = ("poisson", "zero-truncated-poisson")


def derived_k(k: int, sampling_fraction: float, *, estimator: str = "poisson", significance: float = 0.01) -> int:
    """ARX's derived k' for k-map estimated from a sample (before capping by k and n).

    Examples
    --------
    >>> derived_k(10, 0.1, estimator="poisson", significance=0.05)   # Poisson(1): P(X <= 3) >= 0.95
    5
    """
    from scipy.stats import poisson

    lam = sampling_fraction * k
    threshold = 1.0 - significance
    if estimator == "poisson":
        # ARX: counter runs from 0 until the CDF reaches the threshold, then returns counter + 1.
        counter, value = 0, 0.0
        while value < threshold:
            value = float(poisson.cdf(counter, lam))
            counter += 1
        return counter + 1
    v2 = 1.0 - float(poisson.pmf(0, lam))
    counter, value = 1, 0.0
    while value < threshold:
        value += float(poisson.pmf(counter, lam)) / v2
        counter += 1
    return counter


class KMap(PrivacyModel):
    """k-map against a population table or a population estimator.

    Parameters
    ----------
    k : int
        k >= 1.
    population : str or Path, optional
        A population table (CSV/Parquet with the quasi-identifiers as columns).
    subset : str or Path, optional
        A research subset (rows of the data table): the data is the population, the subset is
        released.
    estimator : {"poisson", "zero-truncated-poisson"}, optional
        Estimate the population from the sampling fraction instead (give exactly one of the two).
    significance : float
        Significance level of the estimator, in [0, 1] (default 0.01).
    population_size, sampling_fraction : optional
        The population for the estimator.

    Examples
    --------
    >>> import numpy as np
    >>> from unlinkable.models.base import ClassStatistics
    >>> stats = ClassStatistics(np.array([0, 0, 1]), np.array([2, 1]), context={"population_counts": np.array([7, 3])})
    >>> KMap(k=5, population="people.csv").check(stats).tolist()
    [True, False]

    Notes
    -----
    Sweeney (2001); ARX ``KMap`` (``pcount >= k`` with a population or a subset, ``count >= k'``
    with an estimator). Context needed with a population table or a subset: ``population_counts``.
    """

    name = "k-map"
    monotone_generalization = True
    monotone_suppression = True
    per_class = True
    parameters = {"k": Param(), "population": Param(required=False, path=True), "estimator": Param(required=False),
                  "significance": Param(required=False),
                  "population_size": Param(required=False, population=True),
                  "sampling_fraction": Param(required=False, population=True),
                  "subset": Param(required=False, path=True)}
    example = "{k: 5, population: people.csv}, {k: 5, estimator: poisson} or {k: 5, subset: sample.csv}"

    def __init__(self, *, k: int, population: str | Path | None = None, estimator: str | None = None,
                 significance: float = 0.01, population_size: int | None = None,
                 sampling_fraction: float | None = None, subset: str | Path | None = None) -> None:
        self.k = check_int(k, "k", low=1, owner="k-map")
        if sum(x is not None for x in (population, estimator, subset)) != 1:
            raise ConfigError("k-map needs exactly one of a population table, an estimator or a research subset",
                              hint="e.g. - k-map: {k: 5, population: people.csv}, {k: 5, estimator: poisson} or "
                                   "{k: 5, subset: sample.csv}")
        self.population: str | None = check(population, Optional(FilePath()), "population", owner=self.name,
                                            hint="e.g. population: people.csv")
        self.subset: str | None = check(subset, Optional(FilePath()), "subset", owner=self.name, hint="e.g. subset: research_subset.csv")
        self.estimator = check(None if estimator is None else str(estimator).strip().lower(), Optional(OneOf(tuple(ESTIMATORS))),
                               "estimator", owner=self.name)
        self.significance = check_float(significance, "significance", low=0.0, high=1.0)
        if self.estimator is not None:
            if (population_size is None) == (sampling_fraction is None):
                raise ConfigError("k-map with an estimator needs the population: its size or the sampling fraction",
                                  hint="add `population: {size: 317238626}` or `{sampling_fraction: 0.01}` to the job file")
        self.population_size = None if population_size is None else check_int(population_size, "population_size", low=1)
        self.sampling_fraction = (None if sampling_fraction is None else
                                  check_float(sampling_fraction, "sampling_fraction", low=0.0, high=1.0, low_open=True))
        if self.population is not None or self.subset is not None:
            # the engine counts the population records of each class (the data table is the
            # population of a research subset); the subset form releases the subset only
            self.needs = frozenset({"population_counts", "levels", "class_codes"})
        self.releases_subset_only = self.subset is not None
        # an estimator's k-map is k-anonymity with a derived k (ARX: local recoding with it only)
        self.supports_local_recoding = self.estimator is not None

    def population_source(self) -> str | None:
        return self.population

    def population_table(self, columns: list[str]) -> pl.DataFrame | None:
        return None if self.population is None else self.read_population(columns)

    def research_subset(self, data: Any) -> np.ndarray:
        return self.subset_mask(data)

    def read_population(self, columns: list[str] | None = None) -> pl.DataFrame:
        """The population table as a polars DataFrame (every cell as text)."""
        from unlinkable.data.io import read_table

        frame = read_table(self.population)
        if columns is not None:
            missing = [c for c in columns if c not in frame.columns]
            if missing:
                raise InputError(f"k-map population table {self.population}: no column {missing[0]!r}",
                                 hint="the population table needs every quasi-identifier as a column")
        return frame

    def subset_mask(self, data: Any) -> np.ndarray:
        """Bool per row of ``data``: is it in the research subset? (the subset form only)"""
        from unlinkable.data.io import read_table
        from unlinkable.models.dpresence import subset_mask

        if self.subset is None:
            raise ConfigError("k-map: this model has no research subset", hint="this is probably a bug")
        return subset_mask(data, read_table(self.subset))

    def effective_k(self, n: int) -> int:
        """The class size the sample needs: k with a population table, ARX's k' with an estimator."""
        if self.estimator is None:
            return self.k
        if self.population_size is not None:
            fraction = n / float(self.population_size)
        else:
            fraction = n / float(population_size(n, sampling_fraction=self.sampling_fraction))
        value = derived_k(self.k, fraction, estimator=self.estimator, significance=self.significance)
        return min(self.k, min(value, n))

    def minimal_class_size(self) -> int:
        return 1

    def required_class_size(self, n: int) -> int | None:
        return self.effective_k(n)

    def for_local_recoding(self, n: int) -> PrivacyModel:
        from unlinkable.models.kanonymity import KAnonymity

        # ARX's KMap.clone(subset): k-anonymity with k' derived once, for the whole table
        return KAnonymity(k=self.effective_k(n))

    def check(self, stats: ClassStatistics) -> np.ndarray:
        if self.estimator is not None:
            return np.asarray(stats.sizes) >= self.effective_k(stats.n)
        counts = stats.context.get("population_counts")
        if counts is None:
            raise InputError("k-map: the population counts of the classes are missing",
                             hint="this is probably a bug: the engine must pass context['population_counts']")
        return np.asarray(counts) >= self.k

    def describe(self) -> str:
        if self.subset is not None:
            return (f"{self.k}-map of the research subset {Path(self.subset).name}: every class of released records that "
                    f"share their quasi-identifiers matches at least {self.k} records of the data table; only the "
                    f"subset's records are released.")
        source = f"the population table {self.population}" if self.population else f"a {self.estimator} estimate of the population"
        return (f"{self.k}-map: every class of released records that share their quasi-identifiers matches at "
                f"least {self.k} people of the population ({source}).")

    def to_dict(self) -> dict[str, Any]:
        params: dict[str, Any] = {"k": self.k}
        if self.population is not None:
            params["population"] = self.population
        elif self.subset is not None:
            params["subset"] = self.subset
        else:
            params["estimator"] = self.estimator
            params["significance"] = self.significance
            if self.population_size is not None:
                params["population_size"] = self.population_size
            else:
                params["sampling_fraction"] = self.sampling_fraction
        return {"k-map": params}


__all__ = ["KMap", "derived_k", "ESTIMATORS"]
