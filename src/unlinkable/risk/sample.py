"""Sample-based re-identification risk: prosecutor, journalist and marketer, as ARX reports them.

Everything is derived from the sizes of the equivalence classes (suppressed records left out),
through their frequency of frequencies, so the cost does not grow with the number of records.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from unlinkable.errors import ConfigError, InputError

__all__ = ["SampleRisk", "sample_risk"]


@dataclass(frozen=True)
class SampleRisk:
    """Sample-based risk summary of one table over one set of quasi-identifiers.

    Risks are per record, 1 / size of the record's equivalence class. Fractions are shares of the
    records. ``journalist_*`` equal the prosecutor figures and ``marketer`` the average risk,
    because without a population table ARX uses the sample itself as the population.
    """

    records: int
    classes: int
    min_size: int
    max_size: int
    mean_size: float
    size_histogram: list[list[int]]
    highest_risk: float
    average_risk: float
    lowest_risk: float
    records_at_highest_risk: float
    records_at_lowest_risk: float
    records_at_risk: float
    threshold: float
    sample_uniques: float
    sample_unique_count: int

    @property
    def journalist_highest_risk(self) -> float:
        """Journalist highest risk; equals the prosecutor value without a population table."""
        return self.highest_risk

    @property
    def journalist_average_risk(self) -> float:
        """Journalist average risk; equals the prosecutor value without a population table."""
        return self.average_risk

    @property
    def journalist_records_at_risk(self) -> float:
        """Journalist share of records above the threshold; equals the prosecutor value."""
        return self.records_at_risk

    @property
    def marketer(self) -> float:
        """Marketer risk: the expected share of records re-identified, i.e. the average risk."""
        return self.average_risk

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready nested dicts: equivalence_classes, prosecutor, journalist, marketer, sample_uniques."""
        attacker = {
            "highest_risk": self.highest_risk,
            "average_risk": self.average_risk,
            "lowest_risk": self.lowest_risk,
            "records_at_highest_risk": self.records_at_highest_risk,
            "records_at_risk": self.records_at_risk,
            "threshold": self.threshold,
        }
        return {
            "equivalence_classes": {
                "count": self.classes,
                "min_size": self.min_size,
                "max_size": self.max_size,
                "mean_size": self.mean_size,
                "size_histogram": [list(pair) for pair in self.size_histogram],
            },
            "prosecutor": dict(attacker),
            "journalist": dict(attacker),
            "marketer": {"average_risk": self.marketer},
            "sample_uniques": self.sample_uniques,
        }


def sample_risk(class_sizes: np.ndarray, *, threshold: float = 0.2) -> SampleRisk:
    """Summarise the re-identification risk of a sample from its equivalence-class sizes.

    Parameters
    ----------
    class_sizes : numpy.ndarray
        1-D int array, the number of records in each equivalence class (suppressed records left
        out). The number of records is its sum.
    threshold : float, default 0.2
        A record is at risk when 1 / (its class size) is strictly greater than this, so with
        0.2 classes of size 5 are not at risk.

    Returns
    -------
    SampleRisk
        Class statistics and the prosecutor, journalist and marketer figures.

    Raises
    ------
    InputError
        If ``class_sizes`` is not a non-empty 1-D array of positive integers.
    ConfigError
        If ``threshold`` is not a number in [0, 1].

    Notes
    -----
    Reproduces ARX 3.9.2 ``RiskEstimateBuilder.getSampleBasedReidentificationRisk()``,
    ``getSampleBasedRiskSummary(threshold)`` and ``getSampleBasedUniquenessRisk()`` for a handle
    without a population table. The measures are El Emam's, "Guide to the De-Identification of
    Personal Health Information" (CRC Press, 2013), and the prosecutor/journalist/marketer
    attacker models of El Emam & Dankar, "Protecting privacy using k-anonymity", JAMIA 15(5), 2008.

    Examples
    --------
    >>> import numpy as np
    >>> r = sample_risk(np.array([1, 2, 2, 5]))
    >>> r.records, r.classes, r.highest_risk, r.lowest_risk
    (10, 4, 1.0, 0.2)
    >>> r.records_at_risk, r.sample_uniques, r.average_risk
    (0.5, 0.1, 0.4)
    """
    sizes = _validate(class_sizes)
    thr = _validate_threshold(threshold)

    freq = np.bincount(sizes)
    distinct = np.flatnonzero(freq)
    counts = freq[distinct]
    records = int(sizes.sum())
    classes = int(sizes.size)
    smallest, largest = int(distinct[0]), int(distinct[-1])
    n = float(records)

    # Integer sums first, one division last, as ARX accumulates them (exact up to 2**53).
    at_risk_records = int(np.dot(distinct[1.0 / distinct > thr], counts[1.0 / distinct > thr]))
    uniques = int(freq[1]) if freq.size > 1 else 0
    return SampleRisk(
        records=records,
        classes=classes,
        min_size=smallest,
        max_size=largest,
        mean_size=n / classes,
        size_histogram=[[int(s), int(c)] for s, c in zip(distinct, counts)],
        highest_risk=1.0 / smallest,
        average_risk=classes / n,
        lowest_risk=1.0 / largest,
        records_at_highest_risk=float(smallest) * float(counts[0]) / n,
        records_at_lowest_risk=float(largest) * float(counts[-1]) / n,
        records_at_risk=at_risk_records / n,
        threshold=thr,
        sample_uniques=uniques / n,
        sample_unique_count=uniques,
    )


def _validate(class_sizes: object) -> np.ndarray:
    arr = np.asarray(class_sizes)
    if arr.ndim != 1:
        raise InputError(
            f"class_sizes must be a 1-D array of class sizes; got {arr.ndim} dimension(s)",
            hint="pass one entry per equivalence class, e.g. np.array([1, 1, 3])",
        )
    if arr.size == 0:
        raise InputError("class_sizes is empty: the table has no records", hint="pass at least one class")
    if not np.issubdtype(arr.dtype, np.integer):
        raise InputError(
            f"class_sizes must hold integers; got dtype {arr.dtype}",
            hint="pass the number of records in each equivalence class as ints",
        )
    arr = arr.astype(np.int64, copy=False)
    if arr.min() < 1:
        idx = int(np.argmin(arr))
        raise InputError(
            f"class_sizes[{idx}] is {arr[idx]}; every equivalence class holds at least one record",
            hint="drop empty classes (and suppressed records) before computing risks",
        )
    return arr


def _validate_threshold(threshold: object) -> float:
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.integer, np.floating)):
        raise ConfigError(
            f"threshold must be a number in [0, 1]; got {threshold!r}",
            hint="the threshold is the highest acceptable risk of one record, e.g. 0.2 (= k of 5)",
        )
    thr = float(threshold)
    if not 0.0 <= thr <= 1.0:
        raise ConfigError(
            f"threshold must be in [0, 1]; got {threshold!r}",
            hint="the threshold is the highest acceptable risk of one record, e.g. 0.2 (= k of 5)",
        )
    return thr
