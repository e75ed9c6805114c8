"""scikit-mobility's eight re-identification attacks, by counting supports.

Each attack turns every user's trace into the *items* an adversary could know -- places, places
in order, (place, time) pairs, distinct places with visit counts, probabilities or proportions,
or the two "home and work" places -- and a user's risk is ``1 / min support`` over the instances
of ``k`` of those items (:func:`unlinkable.traces.instances.min_support`). The matching rules are
skmob 1.3.1's (``skmob.privacy.attacks``) at tolerance 0:

=====================  ==========================================================================
location               multiset of k points' places, contained in the other user's places
location_sequence      k places in time order, a subsequence of the other user's places
location_time          multiset of k (place, time key) pairs, contained likewise
unique_location        k distinct places, all visited by the other user
location_frequency     k distinct places with the same visit counts
location_probability   k distinct places with the same share of the user's visits
location_proportion    k distinct places whose visit counts are proportional
home_work              the two *least* visited places (skmob sorts visit counts ascending; ties by
                       lat, lng), both among the other user's two (no k)
=====================  ==========================================================================

A user with fewer than k items is attacked with all of them, as skmob does. With a tolerance > 0
the frequency, probability and proportion attacks match values within skmob's interval instead
(:mod:`unlinkable.traces.tolerance`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from unlinkable.errors import ConfigError, did_you_mean, shown
from unlinkable.traces.instances import min_support
from unlinkable.traces.table import Traces, dense_pairs, encode_traces
from unlinkable.traces.tolerance import RULES, tolerant_min_support

ATTACKS = ("location", "location_sequence", "location_time", "unique_location", "location_frequency",
           "location_probability", "location_proportion", "home_work")


def _offsets(user: np.ndarray, n_users: int) -> np.ndarray:
    indptr = np.zeros(n_users + 1, dtype=np.int64)
    np.cumsum(np.bincount(user, minlength=n_users), out=indptr[1:])
    return indptr


def _visits(t: Traces) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """skmob's frequency vector: (user, place, visits), by user then place."""
    n_places = int(t.place.max()) + 1
    pairs, visits = np.unique(t.user * n_places + t.place, return_counts=True)
    return pairs // n_places, pairs % n_places, visits.astype(np.int64)


def _capped(t: Traces, items: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each user's multiset of items with every multiplicity capped at ``k`` (CSR).

    The k-point sub-multisets of a multiset are those of its copy with multiplicities capped at
    k, and a user's min(k, L) is unchanged, so the instances and their supports are too -- but a
    user at home 30 times has 2 home points to combine at k=2, not 30.
    """
    n = len(t.users)
    order = np.lexsort((items, t.user))
    user, item = t.user[order], items[order]
    start = np.r_[True, (user[1:] != user[:-1]) | (item[1:] != item[:-1])]
    run_start = np.maximum.accumulate(np.where(start, np.arange(len(item)), 0))
    keep = (np.arange(len(item)) - run_start) < k
    return _offsets(user[keep], n), item[keep]


def attack_items(t: Traces, attack: str, k: int) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """``(indptr, items, options of min_support)`` of one attack: what an adversary could know, per user.

    Examples
    --------
    >>> t = encode_traces(pl.DataFrame({"u": [1, 1, 1], "c": ["a", "a", "a"]}), user="u", place="c")
    >>> indptr, items, options = attack_items(t, "location", 2)
    >>> indptr.tolist(), items.tolist(), options
    ([0, 2], [0, 0], {})
    """
    n = len(t.users)
    if attack == "location_sequence":
        return t.indptr, t.place, {"ordered": True}
    if attack == "location":
        return (*_capped(t, t.place, k), {})
    if attack == "location_time":
        if t.time_key is None:
            raise ConfigError("the location_time attack needs a time= column", hint="name the date-time column with time=")
        return (*_capped(t, dense_pairs(t.place, t.time_key), k), {})
    user, place, visits = _visits(t)
    indptr = _offsets(user, n)
    if attack == "unique_location":
        return indptr, place, {}
    if attack == "location_frequency":
        return indptr, dense_pairs(place, visits), {}
    if attack == "location_probability":
        # equal shares of visits <=> equal reduced fractions (exact, unlike comparing floats)
        total = np.diff(t.indptr)[user]
        g = np.gcd(visits, total)
        return indptr, dense_pairs(place, visits // g, total // g), {}
    if attack == "location_proportion":
        return indptr, place, {"weights": visits}
    if attack == "home_work":
        order = np.lexsort((place, visits, user))
        rank = np.arange(len(order)) - indptr[user[order]]
        keep = order[rank < 2]
        return _offsets(user[keep], n), place[keep], {}
    raise ConfigError(f"unknown attack {attack!r}", hint=did_you_mean(attack, ATTACKS).strip() or f"the attacks are {', '.join(ATTACKS)}")


def attack_risks(t: Traces, attack: str, k: int, tolerance: float = 0.0) -> np.ndarray:
    """Per-user risk (float64, in the order of ``t.users``) of one attack with knowledge ``k``.

    ``tolerance`` (0..1) applies to the frequency, probability and proportion attacks.

    Examples
    --------
    >>> t = encode_traces(pl.DataFrame({"u": [1, 1, 2, 2, 3], "c": ["a", "b", "a", "b", "a"]}), user="u", place="c")
    >>> attack_risks(t, "location", 1).round(4).tolist(), attack_risks(t, "location", 2).round(4).tolist()
    ([0.5, 0.5, 0.3333], [0.5, 0.5, 0.3333])
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ConfigError(f"k must be a whole number >= 1, not {k!r}", hint="k is how many points the adversary knows")
    tolerance = check_tolerance(tolerance, attack)
    if tolerance > 0.0:
        user, place, visits = _visits(t)
        support = tolerant_min_support(_offsets(user, len(t.users)), place, visits, np.diff(t.indptr), int(k),
                                       attack, tolerance)
        return 1.0 / support
    indptr, items, options = attack_items(t, attack, int(k))
    support = min_support(indptr, items, 2 if attack == "home_work" else int(k), **options)
    return 1.0 / support


def attack_risk(points: Any, *, user: str, attack: str, k: int = 1, lat: str | None = None,
                lng: str | None = None, place: str | None = None, time: str | None = None,
                time_precision: str | None = "hour", tolerance: float = 0.0) -> pl.DataFrame:
    """Per-user re-identification risk of one of scikit-mobility's eight attacks.

    Parameters
    ----------
    points : polars or pandas DataFrame
        One row per point.
    user, lat, lng, place, time : str
        Column names: ``user`` and either ``lat``/``lng`` or ``place``; ``time`` for the
        location_sequence (order) and location_time attacks.
    attack : str
        One of ``location``, ``location_sequence``, ``location_time``, ``unique_location``,
        ``location_frequency``, ``location_probability``, ``location_proportion``, ``home_work``.
    k : int
        Points (or places) the adversary knows; ignored by ``home_work``.
    time_precision : str or None
        skmob's time key for location_time (see :mod:`unlinkable.traces.time_keys`); None compares
        the time values as given.
    tolerance : float
        0..1, for location_frequency, location_probability and location_proportion: skmob's
        relative interval around the other user's value (0.0 is exact matching).

    Returns
    -------
    polars.DataFrame
        The ``user`` column (ascending) and ``risk`` = 1 / (users compatible with the user's most
        revealing instance). No place, coordinate or time is in it.

    Examples
    --------
    >>> pts = pl.DataFrame({"uid": [1, 1, 2, 2, 3], "cell": ["a", "b", "a", "c", "a"]})
    >>> attack_risk(pts, user="uid", place="cell", attack="location", k=2)["risk"].to_list()
    [1.0, 1.0, 0.3333333333333333]
    """
    if attack not in ATTACKS:
        raise ConfigError(f"unknown attack {attack!r}", hint=did_you_mean(attack, ATTACKS).strip() or f"the attacks are {', '.join(ATTACKS)}")
    t = encode_traces(points, user=user, lat=lat, lng=lng, place=place, time=time,
                      time_precision=time_precision if attack == "location_time" and time is not None else None)
    return pl.DataFrame({user: t.users, "risk": attack_risks(t, attack, k, tolerance)})


def check_tolerance(tolerance: Any, attack: str) -> float:
    """A tolerance as a float in [0, 1]; > 0 only for the attacks that compare values."""
    if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) or not 0.0 <= tolerance <= 1.0:
        raise ConfigError(f"tolerance must be a number in [0, 1], not {shown(tolerance)}", hint="e.g. tolerance: 0.1")
    if tolerance > 0.0 and attack not in RULES:
        raise ConfigError(f"the {attack} attack takes no tolerance", hint=f"a tolerance applies to {', '.join(RULES)}")
    return float(tolerance)


__all__ = ["ATTACKS", "attack_risk", "attack_risks", "attack_items", "check_tolerance"]
