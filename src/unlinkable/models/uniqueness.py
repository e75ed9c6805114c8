"""Sample and population uniqueness thresholds on the released records.

ARX 3.9.2 ``criteria/SampleUniqueness.java`` and ``criteria/PopulationUniqueness.java``:

- sample uniqueness: (records in classes of size 1) / (records released) <= threshold;
- population uniqueness: the estimated share of the population that is unique (Pitman, Zayatz,
  SNB, or Dankar's rule; Dankar et al., "Estimating the re-identification risk of clinical data
  sets", BMC Med. Inform. Decis. Mak. 12:66, 2012) <= threshold. As in ARX, an estimate of 0 is
  accepted only when the released sample has no unique records, and an empty release passes.

Both are table-level models (``per_class = False``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from unlinkable.constraints import OneOf, check, check_float, check_int
from unlinkable.errors import ConfigError
from unlinkable.models.base import ClassStatistics, Param, PrivacyModel
from unlinkable.risk.sampling import population_size

ESTIMATORS = ("pitman", "zayatz", "snb", "dankar")


class SampleUniqueness(PrivacyModel):
    """Share of released records that are unique on the quasi-identifiers <= ``threshold``.

    Examples
    --------
    >>> import numpy as np
    >>> from unlinkable.models.base import ClassStatistics
    >>> stats = ClassStatistics(np.array([0, 0, 1, 2]), np.array([2, 1, 1]))
    >>> SampleUniqueness(threshold=0.5).holds(stats, np.array([True, True, True]))   # 2 / 4 uniques
    True
    >>> SampleUniqueness(threshold=0.5).holds(stats, np.array([True, True, False]))  # 1 / 3
    True
    >>> SampleUniqueness(threshold=0.25).holds(stats, np.array([True, True, True]))
    False

    Notes
    -----
    ARX ``SampleUniqueness``; an empty release holds, as in ARX. Monotone under generalization
    and with suppression, as ARX declares it.
    """

    name = "sample-uniqueness"
    monotone_generalization = True
    monotone_suppression = True
    per_class = False
    parameters = {"threshold": Param()}
    example = "{threshold: 0.01}"

    def __init__(self, *, threshold: float) -> None:
        self.threshold = check_float(threshold, "threshold", low=0.0, high=1.0, owner="sample-uniqueness")

    def holds(self, stats: ClassStatistics, released: np.ndarray) -> bool:
        sizes = np.asarray(stats.sizes)[np.asarray(released, dtype=bool)]
        records = float(sizes.sum())
        if records == 0.0:
            return True  # ARX: nothing released, no unique (getFractionOfRecordsInClassesOfSize is 0)
        return bool(float(np.count_nonzero(sizes == 1)) / records <= self.threshold)

    def describe(self) -> str:
        return f"sample uniqueness at most {self.threshold}: at most that share of released records is unique on the quasi-identifiers."

    def to_dict(self) -> dict[str, Any]:
        return {"sample-uniqueness": {"threshold": self.threshold}}


class PopulationUniqueness(PrivacyModel):
    """Estimated population uniqueness of the released records <= ``threshold``.

    Parameters
    ----------
    threshold : float
        In [0, 1].
    estimator : {"pitman", "zayatz", "snb", "dankar"}
        The statistical model (default Dankar's rule, as ARX).
    population_size, sampling_fraction : optional
        The population, as a size or as ``n / size`` (then the size is ``round(n / fraction)`` with n
        the records of the whole table, as ARX's ``ARXPopulationModel.create(n, f)``). One is needed.

    Examples
    --------
    >>> import numpy as np
    >>> from unlinkable.models.base import ClassStatistics
    >>> stats = ClassStatistics(np.arange(4), np.array([1, 1, 1, 1]))
    >>> m = PopulationUniqueness(threshold=0.5, estimator="zayatz", population_size=4)
    >>> m.holds(stats, np.ones(4, dtype=bool))   # the whole population, all unique
    False

    Notes
    -----
    ARX ``PopulationUniqueness``; estimates from ``unlinkable.risk.population``. Monotone under
    generalization only with the Zayatz estimator, never with suppression (ARX's declaration).
    """

    name = "population-uniqueness"
    monotone_suppression = False
    per_class = False

    parameters = {"threshold": Param(), "estimator": Param(required=False),
                  "population_size": Param(required=False, population=True),
                  "sampling_fraction": Param(required=False, population=True)}
    example = "{threshold: 0.01, estimator: dankar}"

    def __init__(self, *, threshold: float, estimator: str = "dankar", population_size: int | None = None,
                 sampling_fraction: float | None = None) -> None:
        self.threshold = check_float(threshold, "threshold", low=0.0, high=1.0)
        self.estimator = check(str(estimator).strip().lower(), OneOf(tuple(ESTIMATORS)), "estimator", owner=self.name)
        if population_size is None and sampling_fraction is None:
            raise ConfigError("population-uniqueness needs the population",
                              hint="add `population: {size: 317238626}` or `{sampling_fraction: 0.01}` to the job file")
        if population_size is not None and sampling_fraction is not None:
            raise ConfigError("population-uniqueness: give population_size or sampling_fraction, not both", hint="keep one")
        self.population_size = None if population_size is None else check_int(population_size, "population_size", low=1)
        self.sampling_fraction = (None if sampling_fraction is None else
                                  check_float(sampling_fraction, "sampling_fraction", low=0.0, high=1.0, low_open=True))
        self.monotone_generalization = self.estimator == "zayatz"

    def population(self, n: int) -> int:
        """The population size for a table of ``n`` records."""
        if self.population_size is not None:
            return self.population_size
        return population_size(n, sampling_fraction=self.sampling_fraction)

    def estimate(self, stats: ClassStatistics, released: np.ndarray) -> float:
        """The estimated fraction of population uniques (0 where ARX's estimate is unavailable)."""
        from unlinkable.risk.population import unique_fraction

        sizes = np.asarray(stats.sizes)[np.asarray(released, dtype=bool)]
        sizes = sizes[sizes > 0]
        return unique_fraction(sizes.astype(np.int64), population_size=self.population(stats.n), model=self.estimator)

    def holds(self, stats: ClassStatistics, released: np.ndarray) -> bool:
        sizes = np.asarray(stats.sizes)[np.asarray(released, dtype=bool)]
        if sizes.sum() == 0:
            return True  # ARX: all suppressed
        uniques = self.estimate(stats, released)
        if 0.0 < uniques <= self.threshold:
            return True
        return uniques == 0.0 and not bool((sizes == 1).any())

    def describe(self) -> str:
        return (f"population uniqueness at most {self.threshold} ({self.estimator} estimate): at most that share "
                f"of the population is estimated to be unique on the released quasi-identifiers.")

    def to_dict(self) -> dict[str, Any]:
        params: dict[str, Any] = {"threshold": self.threshold, "estimator": self.estimator}
        if self.population_size is not None:
            params["population_size"] = self.population_size
        else:
            params["sampling_fraction"] = self.sampling_fraction
        return {"population-uniqueness": params}


__all__ = ["SampleUniqueness", "PopulationUniqueness", "ESTIMATORS"]
