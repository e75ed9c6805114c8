"""Location traces (check-ins, stays, GPS points): re-identification risk of people's movements.

::

    time_keys.py   skmob's time keys at a precision (year ... second), quirks kept
    table.py       a point table validated and encoded: user, place and time codes per point
    instances.py   the kernel: supports of all k-point instances, each user's smallest
    attacks.py     scikit-mobility's eight attacks and attack_risk()
"""

from unlinkable.traces.attacks import ATTACKS, attack_risk

__all__ = ["ATTACKS", "attack_risk"]
