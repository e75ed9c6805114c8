"""Record suppression: the records of classes that violate a model, within ARX's absolute limit."""

from __future__ import annotations

import math

import numpy as np


def suppression_budget(limit: float, n: int) -> int:
    """The most records that may be suppressed: ``floor(limit * n)`` (ARX's absolute limit).

    Examples
    --------
    >>> suppression_budget(0.05, 30162)
    1508

    Notes
    -----
    ARX 3.9.2 ``ARXConfiguration`` (relative limit times the number of records, floored).
    """
    return int(math.floor(float(limit) * int(n)))


def violating_classes(sizes: np.ndarray, passes: np.ndarray) -> tuple[np.ndarray, int]:
    """The classes to suppress (those that fail) and how many records they hold.

    Examples
    --------
    >>> import numpy as np
    >>> mask, records = violating_classes(np.array([3, 1, 2]), np.array([True, False, False]))
    >>> mask.tolist(), records
    ([False, True, True], 3)
    """
    fail = ~np.asarray(passes, dtype=bool)
    return fail, int(np.asarray(sizes)[fail].sum())


__all__ = ["suppression_budget", "violating_classes"]
