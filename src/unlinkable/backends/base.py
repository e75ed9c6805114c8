"""The kernel interface every backend implements; numpy is the reference.

A backend groups records by integer-coded columns. Everything above it (risk measures, privacy
models, the search) works from the class index it returns, so a new backend (polars, Spark) only
has to produce identical groupings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np


class Backend(Protocol):
    name: str

    def group(self, columns: Sequence[np.ndarray], cardinalities: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """Group records by the tuple of codes.

        ``columns`` are equally long non-negative integer arrays, ``cardinalities`` their code
        bounds. Returns ``(class_of_record, class_sizes)``: class ids ``0..c-1`` numbered by the
        ascending combined key, and the number of records in each class.
        """
        ...

    def class_sizes(self, columns: Sequence[np.ndarray], cardinalities: Sequence[int]) -> np.ndarray:
        """The size of every class (no per-record arrays)."""
        ...

    def record_sizes(self, columns: Sequence[np.ndarray], cardinalities: Sequence[int]) -> np.ndarray:
        """The size of the class of every record (no class ids needed)."""
        ...
