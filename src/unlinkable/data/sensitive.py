"""A sensitive attribute, encoded once for the privacy models and the risk figures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["SensitiveColumn"]


@dataclass(eq=False)
class SensitiveColumn:
    """A sensitive attribute encoded for the models: codes per record and the value labels."""

    name: str
    codes: np.ndarray                 # int32 per record, -1 = missing
    dictionary: tuple[str, ...]
    numeric: np.ndarray | None = None  # float value of each code when the attribute is numeric (ordered distance)
    hierarchy: Any = None              # GeneralizationMap of the sensitive attribute, if one was given
    #: records each row stands for, when the rows are distinct tuples with counts (a backend's
    #: snapshot) rather than records; None: one record per row
    weights: np.ndarray | None = None
