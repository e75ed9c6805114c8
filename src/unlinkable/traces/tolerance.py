"""Frequency, probability and proportion attacks with a tolerance > 0 (skmob's interval matching).

With a tolerance ``t``, scikit-mobility 1.3.1 counts user ``v`` as compatible with an instance
(``k`` distinct places of user ``u`` with their values ``x``) when ``v`` visited every one of those
places and, for each place, ``x >= y - y*t`` and ``x <= y + y*t``, where ``y`` is ``v``'s own value
there: its visit count (frequency), its share of visits (probability, ``count / total`` in float64),
or its count divided by its largest count among the instance's places, and the same for ``x``
(proportion). The interval is around the *candidate's* value, so matching is not symmetric and
no single key per instance exists; the comparisons are made in float64 in skmob's order of
operations, so the outcome of every comparison is skmob's.

The kernel checks candidates instead of hashing keys: for each instance the candidates are the
users holding its rarest place (its postings list), and each (instance, candidate) pair is
checked place by place with one sorted-key lookup -- vectorised over pairs, in chunks of at most
``PAIR_CHUNK``. Every instance is counted (no early exit). The cost is the sum, over instances,
of their rarest place's number of users.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from unlinkable.errors import ConfigError

#: (instance, candidate) pairs checked at once, and instances built at once (bound memory)
PAIR_CHUNK = 2_000_000
INSTANCE_CHUNK = 500_000
RULES = ("location_frequency", "location_probability", "location_proportion")


def _index(length: int, size: int) -> np.ndarray:
    return np.fromiter((i for c in combinations(range(length), size) for i in c),
                       dtype=np.int64).reshape(-1, size)


def _ok(x: np.ndarray, y: np.ndarray, tolerance: float) -> np.ndarray:
    """skmob's two conditions, ``x >= y - y*t`` and ``x <= y + y*t``, in float64."""
    spread = y * tolerance
    return (x >= y - spread) & (x <= y + spread)


def tolerant_min_support(indptr: np.ndarray, place: np.ndarray, visits: np.ndarray, totals: np.ndarray,
                         k: int, rule: str, tolerance: float, targets: np.ndarray | None = None) -> np.ndarray:
    """Per user, the smallest number of users compatible with one of its instances of ``min(k, L)`` places.

    ``indptr``/``place``/``visits`` are each user's distinct places and visit counts (CSR, places
    ascending within a user); ``totals`` is each user's number of points (for probabilities).
    With ``targets``, only those users' instances are built (the others' entries are not computed).

    Examples
    --------
    Users visit place 0 three, four and eight times. At tolerance 0.25 the second user's interval
    is [3, 5], which holds 3; the first's is [2.25, 3.75], which holds neither 4 nor 8.

    >>> indptr, place, visits = np.array([0, 1, 2, 3]), np.array([0, 0, 0]), np.array([3, 4, 8])
    >>> tolerant_min_support(indptr, place, visits, visits, 1, "location_frequency", 0.25).tolist()
    [2, 1, 1]
    """
    if rule not in RULES:
        raise ConfigError(f"a tolerance applies to {', '.join(RULES)}, not {rule!r}", hint="drop the tolerance")
    if not 0.0 <= tolerance <= 1.0:
        raise ConfigError(f"tolerance must lie in [0, 1], not {tolerance!r}", hint="skmob's tolerance is a fraction, e.g. 0.1")
    n_users = len(indptr) - 1
    lengths = np.diff(indptr)
    owner = np.repeat(np.arange(n_users, dtype=np.int64), lengths)
    counts = visits.astype(np.float64)
    value = counts / totals[owner].astype(np.float64) if rule == "location_probability" else counts
    n_places = int(place.max()) + 1 if len(place) else 1
    member = owner * n_places + place  # ascending: users ascending, places ascending within
    users_of = np.bincount(place, minlength=n_places)
    by_place = np.argsort(place, kind="stable")
    post_start = np.r_[0, np.cumsum(users_of)]
    post_user = owner[by_place]
    best = np.full(n_users, np.iinfo(np.int64).max, dtype=np.int64)
    wanted = np.minimum(lengths, k)
    for length in np.unique(lengths):
        length = int(length)
        if length == 0:
            continue
        size = min(length, k)
        index = _index(length, size)
        same_length = np.flatnonzero(lengths == length)
        if targets is not None:
            same_length = np.intersect1d(same_length, targets)
        step = max(1, INSTANCE_CHUNK // len(index))
        for first in range(0, len(same_length), step):
            _check(same_length[first:first + step], index, indptr, place, value, member, n_places, users_of,
                   post_start, post_user, best, rule, tolerance)
    best[wanted == 0] = 0
    return best


def _check(users: np.ndarray, index: np.ndarray, indptr: np.ndarray, place: np.ndarray, value: np.ndarray,
           member: np.ndarray, n_places: int, users_of: np.ndarray, post_start: np.ndarray, post_user: np.ndarray,
           best: np.ndarray, rule: str, tolerance: float) -> None:
    """Count the compatible users of every instance of ``users`` (same length) into ``best``."""
    size = index.shape[1]
    at = (indptr[users][:, None, None] + index[None, :, :]).reshape(-1, size)  # instance -> positions
    inst_user = np.repeat(users, len(index))
    rarest = place[at[np.arange(len(at)), np.argmin(users_of[place[at]], axis=1)]]
    df = users_of[rarest]
    bounds = np.cumsum(df)
    start = 0
    while start < len(at):
        base = bounds[start - 1] if start else 0
        stop = max(start + 1, int(np.searchsorted(bounds, base + PAIR_CHUNK, side="right")))
        rows = np.arange(start, stop)
        n_pairs = df[rows]
        pair = np.repeat(rows, n_pairs)
        offset = np.arange(len(pair)) - np.repeat(np.cumsum(n_pairs) - n_pairs, n_pairs)
        candidate = post_user[post_start[rarest[pair]] + offset]
        pos = at[pair]                                   # (pairs, size): the instance's rows
        key = candidate[:, None] * n_places + place[pos]
        found = np.minimum(np.searchsorted(member, key), len(member) - 1)
        holds = (member[found] == key).all(axis=1)
        x, y = value[pos], value[found]
        if rule == "location_proportion":
            x = x / x.max(axis=1, keepdims=True)
            with np.errstate(divide="ignore", invalid="ignore"):  # pairs with a missing place fail anyway
                y = y / np.where(member[found] == key, y, 0.0).max(axis=1, keepdims=True)
        holds &= _ok(x, y, tolerance).all(axis=1)
        matched = np.bincount(pair - start, weights=holds, minlength=len(rows)).astype(np.int64)
        np.minimum.at(best, inst_user[rows], matched)
        start = stop


__all__ = ["tolerant_min_support", "RULES", "PAIR_CHUNK", "INSTANCE_CHUNK"]
