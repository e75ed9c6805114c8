"""The plain-words verdict of a risk assessment: high, moderate or low, against stated thresholds.

A data-protection officer reads the first lines of a report and needs a judgement, not a list of
figures. The verdict is the worst level reached by any of three sample-risk measures, each judged
against thresholds taken from published practice:

============================  ==================  ===================  ===================================
measure                        low if at most      high if above        source
============================  ==================  ===================  ===================================
highest prosecutor risk        1/11 (about 0.09)   1/5 (0.2)            EMA 2018 and Health Canada 2019
                                                                        (0.09, a smallest class of 11);
                                                                        k = 5 (El Emam and Dankar 2008)
share of sample uniques        0                   0                    a unique record is re-identified
                                                                        with certainty by a prosecutor
average prosecutor risk        0.05                0.2                  El Emam 2013 (0.05 to 0.2 by
                                                                        context; the strictest for public
                                                                        release)
============================  ==================  ===================  ===================================

Between the two limits a measure is *moderate*. The module reads only the assess payload (plain
figures); it computes nothing from data.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["LEVELS", "THRESHOLDS", "Threshold", "Verdict", "verdict"]

LEVELS = ("low", "moderate", "high")


@dataclass(frozen=True)
class Threshold:
    """One measure's limits: ``value <= low`` is low, ``value > high`` is high, moderate between."""

    key: tuple[str, ...]
    label: str
    low: float
    high: float
    low_text: str
    high_text: str
    source: str

    def level(self, value: float) -> str:
        # A tolerance of a few ulps: 1/11 computed from class sizes must count as "at most 1/11".
        if value <= self.low * (1 + 1e-12):
            return "low"
        return "high" if value > self.high * (1 + 1e-12) else "moderate"


THRESHOLDS = (
    Threshold(("prosecutor", "highest_risk"), "Highest re-identification risk of any record (prosecutor)",
              1 / 11, 0.2, "at most 1 in 11 (0.09)", "above 1 in 5 (0.2)",
              "0.09: EMA, External guidance on the publication of clinical data (Policy 0070), 2018, and "
              "Health Canada, Public release of clinical information, 2019; 0.2 (k = 5): El Emam and Dankar, "
              "JAMIA 15(5), 2008"),
    Threshold(("sample_uniques",), "Records unique on their quasi-identifiers",
              0.0, 0.0, "none", "any", "a unique record is singled out with certainty (Sweeney, 2000)"),
    Threshold(("prosecutor", "average_risk"), "Average re-identification risk (prosecutor)",
              0.05, 0.2, "at most 5%", "above 20%",
              "El Emam, Guide to the De-Identification of Personal Health Information, CRC Press, 2013 "
              "(thresholds from 0.05 to 0.2 by context)"),
)


@dataclass(frozen=True)
class Verdict:
    """The overall level and, per measure, (threshold, value, level)."""

    level: str
    measures: tuple[tuple[Threshold, float, str], ...]

    @property
    def deciding(self) -> tuple[tuple[Threshold, float, str], ...]:
        """The measures that reach the overall level."""
        return tuple(m for m in self.measures if m[2] == self.level)


def _value(figures: Mapping[str, Any], key: tuple[str, ...]) -> float | None:
    x: Any = figures
    for part in key:
        if not isinstance(x, Mapping) or part not in x:
            return None
        x = x[part]
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
        return None
    return float(x)


def verdict(figures: Mapping[str, Any]) -> Verdict | None:
    """The verdict of an assess payload; None when none of the measures is present.

    Examples
    --------
    >>> v = verdict({"sample_uniques": 0.0, "prosecutor": {"highest_risk": 0.2, "average_risk": 0.04}})
    >>> v.level, [t.key[-1] for t, _, _ in v.deciding]
    ('moderate', ['highest_risk'])
    """
    measures = []
    for t in THRESHOLDS:
        value = _value(figures, t.key)
        if value is not None:
            measures.append((t, value, t.level(value)))
    if not measures:
        return None
    level = max((m[2] for m in measures), key=LEVELS.index)
    return Verdict(level, tuple(measures))
