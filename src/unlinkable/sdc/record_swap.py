"""Targeted record swapping of households between areas (sdcMicro ``recordSwap``).

Households exchange their geography (and ``carry_along`` columns) in pairs; every other column of
every record stays as it was. Which households swap follows sdcMicro's targeted procedure:

1. **Risk.** Each record's risk at hierarchy level l is 1 / (number of records sharing its
   ``risk_variables`` and its areas down to level l) (or a risk given per record and level); a
   household takes the maximum over its members.
2. **Swap level.** A household must be swapped across the first level l whose risk exceeds the
   threshold (``risk_threshold``, or 1 / ``k_anonymity``); such a household is *risky*.
3. **Draws.** ``swaprate`` of the households are to be swapped: swaprate * households / 2 swaps
   (each swaps two households), rounded up or down at random, shared out over the lowest-level
   areas in proportion to their households, the fractions rounded at random so that the total holds.
4. **Swapping**, level by level from the top: in each area, the risky households of that level are
   swapped with donors outside the area; at the lowest level, each area also samples households
   (by risk-weighted sampling without replacement: the largest risk / Exp(1)) until its draws are
   met, counting the households already swapped out of it. A donor must have the same values on the
   first similarity profile (``similar``) that has one left, is not yet swapped and is chosen by
   the same risk-weighted order (largest risk / Exp(1) at that level). Each household swaps at most
   once; a household for which no donor is left is reported (``no_donor``) and not swapped.

Differences from sdcMicro's C++ code (``src/recordSwap/recordSwap.cpp``), all on points the R
documentation does not fix: its random stream (``std::mt19937`` drawn through ``std::unordered_set``
iteration order) is not reproduced, so the same seed gives other (equally distributed) swaps;
households are visited in household order; a household with risk 0 at a level is never sampled nor a
donor there (sdcMicro's documented intent; its C++ keeps one such household as a donor); and a
donor always lies outside the area (sdcMicro also accepts one from the area whose own swap failed).
The risky households, the number of swaps per area and the similarity rule are sdcMicro's.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from unlinkable.compiled import compiled
from unlinkable.constraints import Interval, Names, Optional, Text, check
from unlinkable.data.io import read_table
from unlinkable.data.numeric import numeric_columns
from unlinkable.data.table import require_columns
from unlinkable.errors import ConfigError, InputError

__all__ = ["record_swap", "household_risk", "RecordSwapResult", "HouseholdRiskWarning"]

_OWNER = "record_swap"


class HouseholdRiskWarning(UserWarning):
    """A given risk differs between members of a household; each member gets the household's maximum."""


@dataclass(frozen=True)
class RecordSwapResult:
    """The swapped table and what the swap did.

    ``swapped_with`` holds, per record, the household value of the household it swapped with (its
    own when it did not swap), as sdcMicro's ``return_swapped_id``. It undoes the swap: it is for the
    data holder's checks and must never be released (the pipeline never writes it).
    """

    table: pl.DataFrame
    swapped_households: int
    no_donor: int
    risky_households: int
    swapped_with: pl.Series = field(repr=False)


# --- checks at the boundary ---------------------------------------------------------------------


def _names(value: Any, what: str, *, empty: bool = False) -> list[str]:
    if empty and isinstance(value, (list, tuple)) and not value:
        return []
    names: list[str] = check(value, Names(), what, owner=_OWNER, hint=f"e.g. {what}=['region', 'county'], each column once")
    return names


def _profiles(similar: Any) -> list[list[str]]:
    """One profile (a list of names) or several (a list of lists), as sdcMicro's ``similar``."""
    if isinstance(similar, str) or (isinstance(similar, (list, tuple)) and all(isinstance(v, str) for v in similar)):
        return [_names(similar, "similar")]
    if not isinstance(similar, (list, tuple)) or not similar:
        raise ConfigError(f"{_OWNER}: similar must be a list of column names or a list of such lists",
                          hint="e.g. similar=['hsize'] or similar=[['hsize', 'htype'], ['hsize']]")
    return [_names(p, "each similarity profile") for p in similar]


def _codes(frame: pl.DataFrame, name: str) -> np.ndarray:
    """Dense integer codes of a column in the order of its values; a missing value is an error."""
    column = frame[name]
    nulls = column.is_null()
    if column.dtype.is_float():
        nulls = nulls | column.is_nan()
    if nulls.any():
        row = int(np.flatnonzero(nulls.to_numpy())[0]) + 1
        raise InputError(f"{_OWNER}: column {name!r} has a missing value (row {row})",
                         hint="record swapping needs every household, area and profile value; fill or drop the row")
    return column.rank("dense").to_numpy().astype(np.int64) - 1


def _tuples(columns: list[np.ndarray], n: int) -> np.ndarray:
    """Dense codes of the value tuples, in lexicographic order of the columns' codes."""
    key = np.zeros(n, dtype=np.int64)
    for codes in columns:
        # one column at a time, re-densified: the mixed-radix key stays below n * (largest code + 1)
        key = np.unique(key * (int(codes.max(initial=0)) + 1) + codes, return_inverse=True)[1].reshape(-1)
    return key.astype(np.int64)


def _household_level(frame: pl.DataFrame, names: list[str], household: np.ndarray, what: str) -> None:
    """Each of ``names`` must hold one value per household (sdcMicro swaps a household's first record's)."""
    for name in names:
        varying = (pl.DataFrame({"h": household, "v": frame[name]}).group_by("h").agg(pl.col("v").n_unique())
                   .filter(pl.col("v") > 1))
        if varying.height:
            row = int(np.flatnonzero(household == int(varying["h"][0]))[0]) + 1
            raise InputError(f"{_OWNER}: {what} column {name!r} differs within a household (household of row {row})",
                             hint=f"{what} columns must hold one value per household; give each household one value")


def household_risk(data: Any, *, household: str, hierarchy: Sequence[str], risk_variables: Sequence[str]) -> np.ndarray:
    """sdcMicro's risk of each record at each hierarchy level (its ``setRisk``).

    The risk of a record at level l is 1 / the number of records with its values of
    ``risk_variables`` in its area down to level l; every member of a household gets the household's
    maximum at each level.

    Returns
    -------
    numpy.ndarray of shape (records, levels)

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"hid": [1, 1, 2, 3], "region": [1, 1, 1, 2], "age": [3, 4, 3, 3]})
    >>> household_risk(df, household="hid", hierarchy=["region"], risk_variables=["age"]).ravel().tolist()
    [1.0, 1.0, 0.5, 1.0]
    """
    frame = read_table(data)
    hier, risk_vars = _names(hierarchy, "hierarchy"), _names(risk_variables, "risk_variables")
    require_columns(frame, [household, *hier, *risk_vars], source=_OWNER)
    hh = _codes(frame, household)
    return _record_risk(frame, hh, [_codes(frame, c) for c in hier], [_codes(frame, c) for c in risk_vars])


def _record_risk(frame: pl.DataFrame, hh: np.ndarray, hier: list[np.ndarray], risk_vars: list[np.ndarray]) -> np.ndarray:
    n = frame.height
    out = np.empty((n, len(hier)))
    for level in range(len(hier)):
        cell = _tuples(risk_vars + hier[:level + 1], n)
        out[:, level] = 1.0 / np.bincount(cell)[cell]
    best: np.ndarray = _household_max(out, hh)[hh]
    return best


def _household_max(risk: np.ndarray, hh: np.ndarray) -> np.ndarray:
    best = np.zeros((int(hh.max()) + 1 if hh.size else 0, risk.shape[1]))
    np.maximum.at(best, hh, risk)
    return best


# --- the swap -----------------------------------------------------------------------------------


def record_swap(data: Any, *, household: str, hierarchy: Sequence[str], similar: Sequence[str] | Sequence[Sequence[str]],
                swaprate: float = 0.05, k_anonymity: int = 3, risk_variables: Sequence[str] = (),
                risk: Sequence[str] | np.ndarray | None = None, risk_threshold: float = 0.0,
                carry_along: Sequence[str] = (), seed: int | None = None) -> RecordSwapResult:
    """Swap the areas of households in pairs, risky households first (sdcMicro ``recordSwap``).

    Parameters
    ----------
    data : path, polars or pandas DataFrame
        One row per person; the records of a household share a ``household`` value.
    household : str
        The household column (sdcMicro's ``hid``).
    hierarchy : list of str
        The geography, top level first (e.g. region, county, municipality); one value per household.
    similar : list of str, or list of lists of str
        Similarity profiles: a donor must share these (household-level) values with the household it
        swaps with; when no donor is left on the first profile, the next one is tried.
    swaprate : float in [0, 1], default 0.05
        Share of households to swap at least (risky ones are swapped even beyond it).
    k_anonymity : int >= 0, default 3
        A household is risky at the first level where fewer than k records share a member's
        ``risk_variables`` in its area; 0 makes no household risky.
    risk_variables : list of str
        Columns of the risk counts (required unless ``risk`` is given).
    risk : list of str (one column per level) or array of shape (records, levels), optional
        A given risk instead of the counts; each household takes its members' maximum (with a
        :class:`HouseholdRiskWarning` when they differ). Values must be >= 0.
    risk_threshold : float >= 0, default 0
        With ``risk``: risky means risk above it; 0 means 1 / ``k_anonymity`` as sdcMicro does.
    carry_along : list of str
        Household-level columns swapped together with the geography.
    seed : int >= 0, optional
        Seed of ``numpy.random.default_rng``: the same seed gives the same output.

    Returns
    -------
    RecordSwapResult
        ``table`` in the input's row order (only ``hierarchy`` and ``carry_along`` change), the
        number of swapped and risky households, and ``no_donor`` (households left unswapped).

    Raises
    ------
    ConfigError
        A parameter out of range or of the wrong type.
    InputError
        A missing column, a missing value in a column used, or a hierarchy or carry-along column
        that differs within a household.

    Notes
    -----
    sdcMicro 5.8.1, ``recordSwap`` (Gussenbauer, Statistik Austria); the procedure is in the module
    docstring. Areas are compared as whole paths (a county is the pair region, county).

    Examples
    --------
    Two regions, two households each; with a swap rate of 1 both pairs swap across the regions
    (donors must come from the other region, and have the same household size):

    >>> import polars as pl
    >>> df = pl.DataFrame({"hid": [1, 1, 2, 3, 3, 4], "region": [1, 1, 1, 2, 2, 2],
    ...                    "size": [2, 2, 1, 2, 2, 1], "age": [30, 40, 50, 30, 40, 50]})
    >>> out = record_swap(df, household="hid", hierarchy=["region"], similar=["size"],
    ...                   risk_variables=["age"], k_anonymity=0, swaprate=1.0, seed=1)
    >>> out.table["region"].to_list(), out.swapped_households
    ([2, 2, 2, 1, 1, 1], 4)
    """
    frame = read_table(data)
    household = check(household, Text("one column name"), "household", owner=_OWNER, hint="e.g. household='hid'")
    hier = _names(hierarchy, "hierarchy")
    profiles = _profiles(similar)
    carry = [c for c in _names(carry_along, "carry_along", empty=True) if c not in hier]
    rate = float(check(swaprate, Interval(float, 0.0, 1.0), "swaprate", owner=_OWNER))
    k = int(check(k_anonymity, Interval(int, 0, None), "k_anonymity", owner=_OWNER))
    threshold = float(check(risk_threshold, Interval(float, 0.0, None, finite=True), "risk_threshold", owner=_OWNER))
    seed = check(seed, Optional(Interval(int, 0, None)), "seed", owner=_OWNER)
    risk_vars = _names(risk_variables, "risk_variables", empty=risk is not None)
    if risk is None and not risk_vars:
        raise ConfigError(f"{_OWNER}: risk_variables are missing", hint="name the columns of the k-anonymity counts, or give risk")
    if household in hier or household in carry:
        raise ConfigError(f"{_OWNER}: the household column {household!r} cannot be swapped",
                          hint="hierarchy and carry_along name the columns households exchange")
    used = [household, *hier, *[c for p in profiles for c in p], *risk_vars, *carry]
    require_columns(frame, used, source=_OWNER)
    n = frame.height
    if n == 0:
        return RecordSwapResult(frame, 0, 0, 0, frame[household])
    hh = _codes(frame, household)
    _household_level(frame, hier + carry, hh, "hierarchy" if not carry else "hierarchy or carry_along")
    hier_codes = [_codes(frame, c) for c in hier]

    if risk is None:
        record_risk = _record_risk(frame, hh, hier_codes, [_codes(frame, c) for c in risk_vars])
    else:
        record_risk = _given_risk(frame, risk, len(hier))
    n_households = int(hh.max()) + 1
    first = np.full(n_households, n, dtype=np.int64)
    np.minimum.at(first, hh, np.arange(n, dtype=np.int64))
    prob = _household_max(record_risk, hh)
    if risk is not None and not np.array_equal(prob[hh], record_risk):
        warnings.warn("record_swap: the risk differs within a household; each member got the household's maximum",
                      HouseholdRiskWarning, stacklevel=2)
    if threshold == 0.0:
        threshold = 1.0 / k if k > 0 else math.inf
    levels_n = len(hier)
    risky = prob > threshold
    level = np.where(risky.any(axis=1), np.argmax(risky, axis=1), levels_n).astype(np.int64)

    # every household's areas and profiles, read at its first record
    areas = np.stack([_tuples([c[first] for c in hier_codes[:lv + 1]], n_households) for lv in range(levels_n)])
    sim = np.stack([_tuples([_codes(frame, c)[first] for c in p], n_households) for p in profiles])

    rng = np.random.default_rng(seed)
    draws = _draws(areas[-1], n_households, rate, rng)
    # risk-weighted orders (largest risk / Exp(1) first): one per level for donors, one for sampling
    donor_key = prob.T / rng.standard_exponential((levels_n, n_households))
    sample_key = prob[:, -1] / rng.standard_exponential(n_households)
    sample_key[prob[:, -1] <= 0] = -1.0
    donors, donor_start = _donor_lists(donor_key, prob.T > 0, sim)
    members, member_start = _members(areas)
    partner, failed = _swap(areas, level, draws, sample_key, sim, donors, donor_start, members, member_start)

    source = np.where(partner >= 0, partner, np.arange(n_households))
    rows = pl.Series(first[source][hh])
    out = frame.with_columns([frame[c].gather(rows) for c in hier + carry])
    return RecordSwapResult(out, int((partner >= 0).sum()), int(failed.sum()), int((level < levels_n).sum()),
                            frame[household].gather(rows))


def _given_risk(frame: pl.DataFrame, risk: Sequence[str] | np.ndarray, levels: int) -> np.ndarray:
    if isinstance(risk, (list, tuple)) and all(isinstance(v, str) for v in risk):
        names = _names(risk, "risk")
        if len(names) != levels:
            raise ConfigError(f"{_OWNER}: risk names {len(names)} column(s), the hierarchy has {levels} level(s)",
                              hint="give one risk column per hierarchy level, top level first")
        require_columns(frame, names, source=_OWNER)
        numbers = numeric_columns(frame, names, where=_OWNER, hint="risk columns hold numbers >= 0")
        values = np.column_stack([numbers[c].cast(pl.Float64).to_numpy() for c in names])
    else:
        try:
            values = np.asarray(risk, dtype=float)
        except (TypeError, ValueError):
            raise ConfigError(f"{_OWNER}: risk must be column names or a numeric array", hint="one column per hierarchy level") from None
        if values.ndim != 2 or values.shape != (frame.height, levels):
            raise ConfigError(f"{_OWNER}: risk has shape {values.shape}, expected ({frame.height}, {levels}): "
                              "one row per record, one column per hierarchy level",
                              hint="give a risk per record and hierarchy level")
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        row, col = (int(v) for v in np.argwhere(bad)[0])
        raise InputError(f"{_OWNER}: risk of row {row + 1} at level {col + 1} is not a number >= 0",
                         hint="risks are finite numbers >= 0")
    return values


def _draws(lowest: np.ndarray, n_households: int, rate: float, rng: np.random.Generator) -> np.ndarray:
    """Swaps per lowest-level area: rate * households / 2 in total (rounded at random), shared in
    proportion to the areas' households, each share rounded down and the remainder given at random."""
    half = n_households * (rate / 2.0)
    total = math.ceil(half) if rng.integers(2) == 0 else math.floor(half)
    sizes = np.bincount(lowest).astype(float)
    if sizes.size == 0:
        return np.zeros(0, dtype=np.int64)
    share = sizes / float(n_households) * float(total)
    draws = np.floor(share)
    excess = int(math.floor(float(np.cumsum(share - draws)[-1]) + 0.5))
    draws[rng.permutation(sizes.size)[:excess]] += 1
    return draws.astype(np.int64)


def _donor_lists(key: np.ndarray, eligible: np.ndarray, sim: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per level and profile: eligible households ordered by profile value, then by decreasing key."""
    levels, n = key.shape
    profiles = sim.shape[0]
    width = int(sim.max()) + 2 if sim.size else 1
    donors = np.full((levels, profiles, n), -1, dtype=np.int64)
    start = np.zeros((levels, profiles, width), dtype=np.int64)
    for lv in range(levels):
        for p in range(profiles):
            keep = np.flatnonzero(eligible[lv])
            order = keep[np.lexsort((-key[lv, keep], sim[p, keep]))]
            donors[lv, p, :order.size] = order
            counts = np.bincount(sim[p, order], minlength=width - 1)
            start[lv, p, 1:] = np.cumsum(counts)[:width - 1]
    return donors, start


def _members(areas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per level: households ordered by area (then household order), and each area's start."""
    levels, n = areas.shape
    width = int(areas.max()) + 2 if areas.size else 1
    members = np.empty((levels, n), dtype=np.int64)
    start = np.zeros((levels, width), dtype=np.int64)
    for lv in range(levels):
        members[lv] = np.argsort(areas[lv], kind="stable")
        counts = np.bincount(areas[lv], minlength=width - 1)
        start[lv, 1:] = np.cumsum(counts)[:width - 1]
    return members, start


@compiled
def _swap(areas: np.ndarray, level: np.ndarray, draws: np.ndarray, sample_key: np.ndarray, sim: np.ndarray,
          donors: np.ndarray, donor_start: np.ndarray, members: np.ndarray,
          member_start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The greedy swap, level by level and area by area; returns each household's partner (-1: none)
    and the households left without a donor."""
    levels, n = areas.shape
    profiles = sim.shape[0]
    used = np.zeros(n, dtype=np.bool_)
    failed = np.zeros(n, dtype=np.bool_)
    initiator = np.zeros(n, dtype=np.bool_)
    partner = np.full(n, -1, dtype=np.int64)
    pointer = donor_start.copy()  # first donor not known to be used, per level, profile and value
    chosen = np.empty(n, dtype=np.int64)
    for h in range(levels):
        pool = ~used & ~failed  # the areas' households at the start of the level
        n_areas = member_start.shape[1] - 1
        for g in range(n_areas):
            a, b = member_start[h, g], member_start[h, g + 1]
            if a == b:
                continue
            m = 0
            for j in range(a, b):
                s = members[h, j]
                if pool[s] and not used[s] and level[s] == h:
                    chosen[m] = s
                    m += 1
            if h == levels - 1:
                done = 0
                for j in range(a, b):
                    if initiator[members[h, j]]:
                        done += 1
                rest = max(0, draws[g] - done) - m
                if rest > 0:
                    c = 0
                    cand = np.empty(b - a, dtype=np.int64)
                    for j in range(a, b):
                        s = members[h, j]
                        if pool[s] and not used[s] and level[s] != h and sample_key[s] >= 0.0:
                            cand[c] = s
                            c += 1
                    cand = cand[:c]
                    order = np.argsort(-sample_key[cand], kind="mergesort")
                    for t in range(min(rest, c)):
                        chosen[m] = cand[order[t]]
                        m += 1
            for t in range(m):
                s = chosen[t]
                found = -1
                for p in range(profiles):
                    v = sim[p, s]
                    i, end = pointer[h, p, v], donor_start[h, p, v + 1]
                    while i < end and used[donors[h, p, i]]:
                        i += 1
                    pointer[h, p, v] = i
                    while i < end:
                        d = donors[h, p, i]
                        if not used[d] and areas[h, d] != g:
                            found = d
                            break
                        i += 1
                    if found >= 0:
                        break
                if found >= 0:
                    used[s] = True
                    used[found] = True
                    initiator[s] = True
                    partner[s] = found
                    partner[found] = s
                else:
                    failed[s] = True
    return partner, failed
