"""Location traces (check-ins, stays, GPS points): re-identification risk of people's movements.

::

    time_keys.py   skmob's time keys at a precision (year ... second), quirks kept
    table.py       a point table validated and encoded: user, place and time codes per point
    instances.py   the kernel: supports of all k-point instances, each user's smallest
    attacks.py     scikit-mobility's eight attacks and attack_risk()
"""

from collections.abc import Mapping
from typing import Any

from unlinkable.traces.attacks import ATTACKS, attack_risk


def is_traces_job(raw: Any) -> bool:
    """Whether a parsed job file describes location traces (it has ``trajectories:``).

    Here, not in ``job.py``: the commands ask it of every job file, and ``job.py`` imports the
    compiled attacks (numba, about 0.15 s of start-up a table job does not need).

    Examples
    --------
    >>> is_traces_job({"input": "t.csv", "trajectories": {"user": "u"}}), is_traces_job({"input": "d.csv"})
    (True, False)
    """
    return isinstance(raw, Mapping) and "trajectories" in raw


__all__ = ["ATTACKS", "attack_risk", "is_traces_job"]
