"""sdcMicro's individual, global and household re-identification risk.

The inputs are the frequency counts from :func:`unlinkable.risk.frequencies.frequencies`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from unlinkable.constraints import Interval, OneOf, check
from unlinkable.errors import InputError

__all__ = [
    "GlobalRisk",
    "HouseholdRisk",
    "individual_risk",
    "global_risk",
    "household_risk",
    "kanonymity_violations",
    "r_mad",
]


@dataclass(frozen=True)
class GlobalRisk:
    """Global risk summary, named as in sdcMicro's ``sdc@risk$global``.

    ``threshold`` is ``None`` where sdcMicro reports NA.
    """

    risk: float
    risk_ER: float
    risk_pct: float
    threshold: float | None
    max_risk: float
    n_higher_risk_than_main_part: int

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form (JSON-ready)."""
        return asdict(self)


@dataclass(frozen=True)
class HouseholdRisk:
    """Household (hierarchical) risk: ``per_record`` holds every member's household risk R_h."""

    per_record: np.ndarray
    hier_risk_ER: float
    hier_risk: float
    hier_risk_pct: float

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form (JSON-ready); the per-record array becomes a list."""
        return {
            "per_record": self.per_record.tolist(),
            "hier_risk_ER": self.hier_risk_ER,
            "hier_risk": self.hier_risk,
            "hier_risk_pct": self.hier_risk_pct,
        }


def _as_vector(x: object, name: str) -> np.ndarray:
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 1:
        raise InputError(f"{name} must be 1-D; got shape {arr.shape}", hint=f"pass one {name} value per record")
    return arr


def individual_risk(fk: np.ndarray, Fk: np.ndarray, *, weighted: bool, method: str = "approx",
                    qual: float = 1.0) -> np.ndarray:
    """Per-record re-identification risk (Benedetti-Franconi), sdcMicro's ``indivRisk``.

    With weights, p = fk / Fk and, for ``method="approx"``,

    * fk = 1: r = p/(1-p) * ln(1/p)
    * fk = 2: r = p/(1-p) - (p/(1-p))^2 * ln(1/p)
    * fk > 2: r = p / (fk - (1-p))
    * wherever fk = Fk: r = 1/fk.

    ``method="exact"`` replaces the fk > 2 line by the exact risk E[1/F | f] under the negative
    binomial model, which sdcMicro evaluates as the series
    r = (p/(1-p))^fk * (A * (1 + sum_{m=0}^{fk-3} (-1)^(m+1) prod_{i=0}^{m} B_i) + (-1)^fk ln p),
    with A = (p^(1-fk) - 1)/(fk - 1) and
    B_i = (fk-1-i)^2 / ((i+1)(fk-2-i)) * (p^(i+2-fk) - 1)/(p^(i+1-fk) - 1).
    The series is computed in sdcMicro's order of operations (one per distinct (fk, Fk) pair) and
    checked against the same risk as a well-conditioned integral, r = int_0^1 p u^(fk-1)/(p + (1-p) u) du.
    The alternating series cancels badly for large fk or p near 1 (fk = 12, p = 0.95 gives -11.5 in
    sdcMicro; fk = 50, p = 0.5 gives 138638) and overflows to NaN for large fk and small p (testdata's
    fk = 176, p = 0.01): where the two differ by more than 1e-9 relative, or the series is NaN, the
    integral is returned instead. Elsewhere the result is sdcMicro's to the last bit (powers are
    taken in long double, as R does on x86-64).
    The weighted risk is then multiplied by ``qual`` (sdcMicro's quality factor).

    A fractional fk strictly between 1 and 2 (only possible with missing keys and alpha < 1) gets
    r = 0, as in sdcMicro. Without weights (``weighted=False``, sdcMicro's ``survey=FALSE``)
    r = 1/fk whatever ``method`` and ``qual`` say.

    Parameters
    ----------
    fk, Fk : numpy.ndarray
        Sample and population frequencies, as returned by ``frequencies``.
    weighted : bool
        Whether the data carry sampling weights (sdcMicro's ``survey`` flag).
    method : {"approx", "exact"}, default "approx"
        The fk > 2 formula.
    qual : float, default 1.0
        Final correction factor for the weighted risk (sdcMicro's ``qual``), > 0.

    Returns
    -------
    numpy.ndarray
        float64 risk per record.

    Notes
    -----
    Benedetti and Franconi (1998), "Statistical and technological solutions for controlled data
    dissemination"; Franconi and Polettini, "Individual risk estimation in mu-Argus: a review",
    PSD 2004; sdcMicro ``indivRisk(method=, qual=)`` and ``measure_risk``.

    Examples
    --------
    >>> import numpy as np
    >>> individual_risk(np.array([1.0, 4.0]), np.array([2.0, 4.0]), weighted=True).round(6).tolist()
    [0.693147, 0.25]
    >>> individual_risk(np.array([1.0, 4.0]), np.array([2.0, 4.0]), weighted=False).tolist()
    [1.0, 0.25]
    >>> individual_risk(np.array([3.0]), np.array([6.0]), weighted=True, method="exact").round(6).tolist()
    [0.193147]
    """
    fk = _as_vector(fk, "fk")
    Fk = _as_vector(Fk, "Fk")
    if fk.shape != Fk.shape:
        raise InputError(f"fk has {fk.shape[0]} values but Fk has {Fk.shape[0]}", hint="pass both from one table")
    method = check(method, OneOf(("approx", "exact")), "method", owner="individual risk",
                   hint="'approx' is sdcMicro's default")
    qual = float(check(qual, Interval(float, 0, None, closed="right", finite=True), "qual", owner="individual risk",
                       hint="qual=1 leaves the risk as estimated"))
    if not weighted:
        with np.errstate(divide="ignore"):
            return 1.0 / fk
    with np.errstate(divide="ignore", invalid="ignore"):
        p = fk / Fk
        odds = p / (1.0 - p)
        log_inv = np.log(1.0 / p)
        r = np.zeros_like(fk)
        big = fk > 2
        if method == "approx":
            r[big] = p[big] / (fk[big] - (1.0 - p[big]))
        else:
            r[big] = _exact_series(fk[big], Fk[big])
        two = fk == 2
        r[two] = odds[two] - (odds[two] ** 2) * log_inv[two]
        one = fk == 1
        r[one] = odds[one] * log_inv[one]
        # p = 1 makes the formulas 0/0; sdcMicro substitutes 1/fk there.
        same = fk == Fk
        r[same] = 1.0 / fk[same]
    return r * qual


def _r_pow(x: Any, y: Any) -> Any:
    """R's ``x^y`` on x86-64 Linux: ``powl`` in long double, rounded to double (``R_pow``).

    C's ``pow`` in double differs from it in the last bit now and then; where long double is
    plain double (Windows, arm64 macOS) this is ``pow`` and so is R's.
    """
    return (np.asarray(x, dtype=np.longdouble) ** np.asarray(y, dtype=np.longdouble)).astype(np.float64)


def _exact_integral(f: float, p: float) -> float:
    """E[1/F | f] = int_0^1 p u^(f-1) / (p + (1-p) u) du: positive terms, no cancellation.

    (Substituting u = p t / (1 - (1-p) t) in E[1/F] = p^f int_0^1 t^(f-1) (1 - (1-p) t)^(-f) dt.)
    """
    from scipy.integrate import quad

    q = 1.0 - p
    value, _ = quad(lambda u: p * u ** (f - 1.0) / (p + q * u), 0.0, 1.0, epsabs=0.0, epsrel=1e-13, limit=200)
    return value


def _exact_series(fk: np.ndarray, Fk: np.ndarray) -> np.ndarray:
    """Benedetti-Franconi series for fk > 2, once per distinct (fk, Fk) pair.

    The terms are the running products of B_0..B_m (``np.multiply.accumulate`` multiplies left to
    right from B_0, as sdcMicro's nested loop does) and their alternating sum is accumulated
    sequentially from 0, so every operation happens in sdcMicro's order. A fractional fk runs
    m = 0..floor(fk - 3), as R's ``0:(fk - 3)`` does. Where the series has lost its precision
    (it disagrees with ``_exact_integral`` by more than 1e-9 relative) the integral is used.
    """
    pairs, inverse = np.unique(np.column_stack([fk, Fk]), axis=0, return_inverse=True)
    out = np.empty(pairs.shape[0])
    for j, (f, F) in enumerate(pairs):  # one short series per class size, not per record
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # overflow is caught below
            out[j] = _series_or_integral(f, F)
    return out[inverse.reshape(-1)]


def _series_or_integral(f: float, F: float) -> float:
    """sdcMicro's series for one (fk, Fk) pair, or the integral where the series went wrong."""
    p = f / F
    a = (_r_pow(p, 1.0 - f) - 1.0) / (f - 1.0)
    i = np.arange(int(np.floor(f - 3.0)) + 1, dtype=np.float64)
    b = ((f - 1.0 - i) ** 2 / ((i + 1.0) * (f - 2.0 - i))
         * (_r_pow(p, i + 2.0 - f) - 1.0) / (_r_pow(p, i + 1.0 - f) - 1.0))
    terms = np.multiply.accumulate(b)
    signs = np.where(i % 2 == 0, -1.0, 1.0)  # (-1)^(m+1)
    bb = float(np.add.accumulate(np.concatenate([[0.0], signs * terms]))[-1])
    eins = float(_r_pow(p / (1.0 - p), f))
    drei = (-1.0) ** f * np.log(p)
    series = eins * ((a * (1.0 + bb)) + drei)
    if 0.0 < p < 1.0 and float(f).is_integer():
        stable = _exact_integral(float(f), float(p))
        if not abs(series - stable) <= 1e-9 * stable:
            series = stable  # the series cancelled or overflowed (NaN): sdcMicro's value is wrong here
    return float(series)


def r_mad(x: np.ndarray) -> float:
    """R's ``mad``: 1.4826 x median absolute deviation from the median."""
    med = float(np.median(x))
    return 1.4826 * float(np.median(np.abs(x - med)))


def _threshold(risk: np.ndarray, max_global_risk: float) -> float | None:
    """mu-Argus threshold rule (mu-Argus 4.1 manual, sec. 2.3.4.1), with sdcMicro's NA cases.

    The records are taken by decreasing risk; at each new (lower) risk level rho at position j the
    rule asks whether the remaining risk sum plus rho for each record above j stays below
    ``max_global_risk * n``. The C++ original sums and subtracts in double one record at a time;
    ``np.add.accumulate``/``np.subtract.accumulate`` are sequential, so they reproduce it bit for bit.
    """
    n = risk.shape[0]
    if n == 0:
        return None
    r = np.sort(risk)[::-1]
    er = max_global_risk * n
    total = float(np.add.accumulate(r)[-1])
    if total is None or total < er:  # None: no record at all
        return None  # already safe: sdcMicro reports NA
    remaining = np.subtract.accumulate(np.concatenate([[total], r[:-1]]))  # sum of r[j:] at each j
    new_level = np.empty(n, dtype=bool)
    new_level[0] = False  # the first record defines the starting level
    new_level[1:] = r[1:] != r[:-1]
    j = np.flatnonzero(new_level)
    passing = j[remaining[j] + r[j] * j.astype(np.float64) < er]
    if passing.size:
        return float(r[passing[0]])
    # No level passed: the rule returns 0, which sdcMicro reports as NA only if the lowest level is 0.
    return None if r[-1] == 0.0 else 0.0


def global_risk(risk: np.ndarray, *, max_global_risk: float = 0.01, counts: np.ndarray | None = None) -> GlobalRisk:
    """Global risk: expected re-identifications, their share, and the mu-Argus risk threshold.

    Parameters
    ----------
    risk : numpy.ndarray
        Individual risk per record (``individual_risk``).
    max_global_risk : float
        Target global risk for the threshold rule, strictly between 0 and 1.
    counts : numpy.ndarray, optional
        Records per entry of ``risk`` when ``risk`` holds one value per distinct key tuple; the
        result is then bit for bit the one of the per-record array (see ``_weighted_*``).

    Returns
    -------
    GlobalRisk
        ``risk_ER`` = sum of r (exactly rounded with ``math.fsum``, matching R's long-double
        ``sum``), ``risk`` = risk_ER / n, ``risk_pct`` = 100 * risk, ``threshold`` (None = NA),
        ``max_risk`` (= ``max_global_risk``) and the number of records with
        r > median + 2 * MAD and r > 0.1.

    Notes
    -----
    sdcMicro ``measure_risk`` (Templ, Kowarik and Meindl, JSS 67(4), 2015); the threshold is the
    mu-Argus rule (Hundepool et al., mu-Argus 4.1 manual, sec. 2.3.4.1).

    Examples
    --------
    >>> import numpy as np
    >>> g = global_risk(np.array([1.0, 0.5, 0.5, 0.25]))
    >>> g.risk_ER, g.risk, g.threshold
    (2.25, 0.5625, 0.0)
    """
    r = _as_vector(risk, "risk")
    mgr = float(check(max_global_risk, Interval(float, 0, 1, closed="neither"), "max_global_risk",
                      owner="global risk", hint="e.g. 0.01"))
    if counts is not None:
        return _weighted_global_risk(r, _counts(counts, r), mgr)
    n = r.shape[0]
    finite = r[~np.isnan(r)]
    er = math.fsum(finite.tolist())
    g = er / n if n else 0.0
    if n:
        cut = float(np.median(r)) + 2.0 * r_mad(r)
        n_high = int(np.count_nonzero((r > cut) & (r > 0.1)))
    else:
        n_high = 0
    return GlobalRisk(
        risk=g,
        risk_ER=er,
        risk_pct=g * 100.0,
        threshold=_threshold(r, mgr),
        max_risk=mgr,
        n_higher_risk_than_main_part=n_high,
    )


def _counts(counts: object, values: np.ndarray) -> np.ndarray:
    c = np.asarray(counts)
    if c.shape != values.shape or (c.size and (not np.issubdtype(c.dtype, np.integer) or c.min() < 1)):
        raise InputError(f"counts must hold one positive integer per value ({values.shape[0]}); got shape {c.shape}",
                         hint="pass the number of records of each distinct key tuple")
    return c.astype(np.int64, copy=False)


def _weighted_global_risk(r: np.ndarray, counts: np.ndarray, mgr: float) -> GlobalRisk:
    """``global_risk`` of the records when ``r[t]`` is the risk of ``counts[t]`` records each.

    Every figure is the one of the expanded per-record array, bit for bit: the sum is exact
    (each count x risk product split into exactly representable parts for ``math.fsum``), the
    medians are read off the sorted distinct values, and the threshold rule replays the
    record-level sequential sums block by block without holding the expanded array.
    """
    n = int(counts.sum())
    keep = ~np.isnan(r)
    er = math.fsum(_exact_products(r[keep], counts[keep]))
    g = er / n if n else 0.0
    if n:
        med = _weighted_median(r, counts)
        mad = 1.4826 * _weighted_median(np.abs(r - med), counts)
        cut = med + 2.0 * mad
        n_high = int(counts[(r > cut) & (r > 0.1)].sum())
    else:
        n_high = 0
    return GlobalRisk(risk=g, risk_ER=er, risk_pct=g * 100.0, threshold=_weighted_threshold(r, counts, mgr),
                      max_risk=mgr, n_higher_risk_than_main_part=n_high)


def _exact_products(values: np.ndarray, counts: np.ndarray) -> list[float]:
    """Floats whose exact sum is sum(counts * values): each value is split (Veltkamp) into two
    halves of at most 26 significant bits, each count into 26-bit digits, so every partial
    product is a float without rounding. Valid for |values| < 2**995 and counts < 2**52."""
    v = values.astype(np.float64)
    scaled = v * 134217729.0  # 2**27 + 1
    hi = scaled - (scaled - v)
    lo = v - hi
    c = counts.astype(np.int64)
    c_lo = (c & ((1 << 26) - 1)).astype(np.float64)
    c_hi = (c >> 26).astype(np.float64) * 67108864.0  # 2**26: exact scaling
    parts = [c_lo * hi, c_lo * lo]
    if c_hi.any():
        parts += [c_hi * hi, c_hi * lo]
    terms: list[float] = np.concatenate(parts).tolist()
    return terms


def _weighted_median(values: np.ndarray, counts: np.ndarray) -> float:
    """``np.median`` of ``values`` repeated ``counts`` times (NaN if any counted value is NaN)."""
    if np.isnan(values).any():
        return float("nan")
    order = np.argsort(values, kind="stable")
    v, ends = values[order], np.cumsum(counts[order])
    n = int(ends[-1])

    def at(position: int) -> float:
        return float(v[int(np.searchsorted(ends, position, side="right"))])

    if n % 2:
        return at(n // 2)
    a, b = np.float64(at(n // 2 - 1)), np.float64(at(n // 2))
    return float(np.mean(np.array([a, b])))


#: records per block when a sequential record-level sum is replayed from distinct values
_BLOCK = 1 << 20


def _weighted_threshold(r: np.ndarray, counts: np.ndarray, max_global_risk: float) -> float | None:
    """``_threshold`` of ``r`` repeated ``counts`` times, replayed in blocks of records.

    The record-level rule adds the sorted risks one record at a time; here the sorted distinct
    values are expanded one block at a time, with the running sum carried across blocks, so
    the additions happen in the same order with the same operands. A block is the ``np.repeat``
    of the levels it overlaps, their counts clipped at its edges, so expanding it costs no more
    than writing it; the sequential sums are then the whole cost.
    """
    n = int(counts.sum())
    if n == 0:
        return None
    if np.isnan(r).any():
        return _threshold(np.repeat(r, counts), max_global_risk)  # each NaN record is a level of its own
    values, inverse = np.unique(r, return_inverse=True)
    merged = np.bincount(inverse.reshape(-1), weights=counts, minlength=values.shape[0]).astype(np.int64)
    if not merged.all():  # a level without records (a zero count) would share the next one's start
        values, merged = values[merged > 0], merged[merged > 0]
    values, merged = values[::-1], merged[::-1]       # descending, as the rule takes them
    ends = np.cumsum(merged)
    starts = ends - merged                            # position of each level's first record, increasing
    er = max_global_risk * n

    def block(lo: int, hi: int) -> np.ndarray:
        """The sorted risks of records lo..hi-1, as a new array."""
        first, last = np.searchsorted(ends, [lo, hi - 1], side="right").tolist()
        clipped = np.minimum(ends[first:last + 1], hi) - np.maximum(starts[first:last + 1], lo)
        return np.repeat(values[first:last + 1], clipped)

    head = block(0, min(_BLOCK, n))  # kept for the second pass, which starts there and often ends there
    total = float(np.add.accumulate(head)[-1])
    for lo in range(_BLOCK, n, _BLOCK):
        part = block(lo, min(lo + _BLOCK, n))
        part[0] = total + part[0]
        total = float(np.add.accumulate(part, out=part)[-1])
    if total < er:
        return None  # already safe: sdcMicro reports NA
    remaining = total  # sum of the sorted risks from position lo on, as the rule computes it
    for lo in range(0, n, _BLOCK):
        hi = min(lo + _BLOCK, n)
        # rem[i], the remainder before record lo+i, is the running difference of the remainder
        # carried in and the risks of records lo..hi-2: the block shifted back by one record with
        # that remainder in its first entry.
        if lo:
            rem = block(lo - 1, hi - 1)
        else:
            rem = np.empty(hi)
            rem[1:] = head[:-1]
        rem[0] = remaining
        np.subtract.accumulate(rem, out=rem)
        # the levels starting inside the block (record 0's level is the starting one, never tested)
        a, b = np.searchsorted(starts, [max(lo, 1), hi], side="left").tolist()
        if b > a:
            at = starts[a:b]
            passing = np.flatnonzero(rem[at - lo] + values[a:b] * at.astype(np.float64) < er)
            if passing.size:
                return float(values[a + int(passing[0])])
        remaining = float(rem[-1] - values[int(np.searchsorted(ends, hi - 1, side="right"))])  # minus record hi-1
    return None if values[-1] == 0.0 else 0.0


def household_risk(risk: np.ndarray, household_ids: np.ndarray) -> HouseholdRisk:
    """Household risk: the chance that at least one member of the household is re-identified.

    For household h, R_h = 1 - prod over members (1 - r_i); every member gets R_h, so
    ``hier_risk_ER`` (sum over records) counts a household of size m m times.

    Parameters
    ----------
    risk : numpy.ndarray
        Individual risk per record.
    household_ids : numpy.ndarray
        Household identifier per record (any sortable values).

    The product runs in ``np.longdouble`` because R's ``prod`` accumulates in long double and
    1 - prod cancels; on platforms where long double is plain double (Windows, arm64 macOS) the
    last digits can differ from sdcMicro's.

    Returns
    -------
    HouseholdRisk

    Notes
    -----
    sdcMicro ``measure_risk(hid=..., fast_hier=TRUE)``; independence of members within a household
    is assumed (Templ, Kowarik and Meindl, JSS 67(4), 2015).

    Examples
    --------
    >>> import numpy as np
    >>> h = household_risk(np.array([0.5, 0.5, 0.25]), np.array([7, 7, 9]))
    >>> h.per_record.tolist(), h.hier_risk_ER
    ([0.75, 0.75, 0.25], 1.75)
    """
    r = _as_vector(risk, "risk")
    hid = np.asarray(household_ids)
    if hid.shape != r.shape:
        raise InputError(
            f"household_ids has shape {hid.shape} but risk has {r.shape[0]} values",
            hint="pass one household id per record",
        )
    n = r.shape[0]
    if n == 0:
        return HouseholdRisk(np.zeros(0), 0.0, 0.0, 0.0)
    _, inv = np.unique(hid, return_inverse=True)
    inv = inv.reshape(-1)
    order = np.argsort(inv, kind="stable")  # members in row order, as R's ``by`` sees them
    starts = np.flatnonzero(np.r_[True, inv[order][1:] != inv[order][:-1]])
    # R's prod() accumulates in long double; 1 - prod then cancels, so the extra bits matter.
    prod = np.multiply.reduceat((1.0 - r[order]).astype(np.longdouble), starts).astype(np.float64)
    per_record = (1.0 - prod)[inv]
    er = math.fsum(per_record[~np.isnan(per_record)].tolist())
    hr = er / n
    return HouseholdRisk(per_record=per_record, hier_risk_ER=er, hier_risk=hr, hier_risk_pct=hr * 100.0)


def kanonymity_violations(fk: np.ndarray, ks: tuple[int, ...] = (2, 3, 5), *,
                          counts: np.ndarray | None = None) -> dict[str, int]:
    """Number of records with fk < k, for each k (sdcMicro's ``print(sdc, "kAnon")``).

    With ``counts``, ``fk[t]`` is the frequency of ``counts[t]`` records each.

    Examples
    --------
    >>> import numpy as np
    >>> kanonymity_violations(np.array([1.0, 2.0, 2.0, 5.0]))
    {'2': 1, '3': 3, '5': 3}

    Notes
    -----
    Sweeney, "k-anonymity: a model for protecting privacy", 2002; fk uses the NA-aware counts.
    """
    f = _as_vector(fk, "fk")
    c = None if counts is None else _counts(counts, f)
    out: dict[str, int] = {}
    for k in ks:
        k = check(k, Interval(int, 1, None), "ks", owner="k-anonymity violations", hint="e.g. ks=(2, 3, 5)")
        out[str(int(k))] = int(np.count_nonzero(f < k)) if c is None else int(c[f < k].sum())
    return out
