"""SUDA2 special-uniques scores (Elliot et al.), matching sdcMicro's ``suda2``.

A *minimal sample unique* (MSU) of a record is a set of key variables on which the record is the
only one with its values, while no proper subset of it has that property. A missing value (code
``-1``) never matches any value, and a set containing a record's missing value is never an MSU of
that record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import factorial, fsum
from typing import Any

import numpy as np

from unlinkable.constraints import Boolean, Interval, check
from unlinkable.errors import ConfigError, InputError
from unlinkable.risk.frequencies import validate_keys

__all__ = ["Suda2Result", "suda2", "DIS_TABLE_LABELS"]

DIS_TABLE_LABELS = (
    "== 0", "(0.0, 0.1]", "(0.1, 0.2]", "(0.2, 0.3]", "(0.3, 0.4]", "(0.4, 0.5]", "(0.5, 0.6]", "(0.6, 0.7]", "> 0.7",
)
_MAX_KEYS = 20


@dataclass(frozen=True)
class Suda2Result:
    """Per-record SUDA2 scores and the summaries sdcMicro prints.

    ``contribution_percent`` has shape (n, m) and holds shares in [0, 1] (sdcMicro's name, not a
    percentage); ``attribute_contributions`` are percentages.
    """

    score: np.ndarray
    dis_score: np.ndarray
    contribution_percent: np.ndarray
    attribute_contributions: dict[str, float]
    dis_table: dict[str, int]
    records_with_score: int
    max_score: float
    names: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form (JSON-ready)."""
        return {
            "score": self.score.tolist(),
            "dis_score": self.dis_score.tolist(),
            "contribution_percent": {
                str(name): self.contribution_percent[:, j].tolist() for j, name in enumerate(self.names)
            },
            "attribute_contributions": {str(k): v for k, v in self.attribute_contributions.items()},
            "dis_table": dict(self.dis_table),
            "records_with_score": self.records_with_score,
            "max_score": self.max_score,
        }


def _dense_codes(col: np.ndarray) -> tuple[np.ndarray, int]:
    """Codes 1..k for values, 0 for NA (-1); returns (codes, k + 1)."""
    n = col.shape[0]
    top = int(col.max()) if n else -1
    if top < 4 * n + 1024:
        # Small code range: a bincount lookup table avoids np.unique's sort.
        present = np.bincount(col + 1, minlength=top + 2) > 0
        present[0] = False
        lut = np.cumsum(present)
        return lut[col + 1], int(lut[-1]) + 1
    present = col >= 0
    out = np.zeros(n, dtype=np.int64)
    uniq, inv = np.unique(col[present], return_inverse=True)
    out[present] = inv.reshape(-1) + 1
    return out, len(uniq) + 1


def _dis_scores(score: np.ndarray, *, m: int, n_unique: int, n_pairs: int, dis_fraction: float) -> np.ndarray:
    """DIS-SUDA scores; D and U/D - U in float32 as the C++ code computes them."""
    dis = np.zeros_like(score)
    pos = score > 0
    if not pos.any():
        return dis
    f = np.float32(dis_fraction)
    u = np.float32(n_unique)
    p = np.float32(n_pairs)
    one = np.float32(1.0)
    uf = u * f
    d = uf / (uf + p * (one - f))
    # U cancels out of U/D - U = P(1-f)/f only in exact arithmetic; the float32 steps (and the
    # float32 exponent Q) are what reproduce sdcMicro's DIS values to ~1e-15.
    odds = float(u / d - u)
    q = float(np.float32(1.0 + (8.0 - m) / 20.0))
    sq = score[pos] ** q
    a = float(np.sum(score[pos] ** (-q)))
    dis[pos] = 1.0 / (1.0 + odds / (sq * a))
    return dis


def suda2(
    keys: np.ndarray,
    *,
    dis_fraction: float = 0.01,
    original_scores: bool = True,
    names: list[str] | tuple[str, ...] | None = None,
    counts: np.ndarray | None = None,
) -> Suda2Result:
    """SUDA2 scores, DIS scores and attribute contributions of every record.

    Parameters
    ----------
    keys : numpy.ndarray
        Integer codes, shape (n, m); ``-1`` marks a missing value. Only equality of codes matters.
    dis_fraction : float
        Sampling fraction for the DIS score, in (0, 1).
    original_scores : bool
        ``True`` (default): each MSU of size k adds (m - k)! (Elliot's weighting, sdcMicro > 5.0.2).
        ``False``: the old IHSN weighting (2^(m-k) - 1) k! (m-k)! / m!.
    names : sequence of str, optional
        Names for the key columns in ``attribute_contributions``; by default the column indices.
    counts : numpy.ndarray, optional
        When given, ``keys`` are distinct key tuples in first-appearance order and ``counts[t]``
        is the number of records carrying tuple t; ``score``, ``dis_score`` and
        ``contribution_percent`` then hold one row per tuple and the summaries count records.

    Returns
    -------
    Suda2Result
        ``score`` (float64), ``dis_score``, ``contribution_percent`` (n x m shares of each record's
        score from MSUs that contain the variable), ``attribute_contributions`` (percent),
        ``dis_table`` (counts per printed DIS interval), ``records_with_score``, ``max_score``.

    Notes
    -----
    Elliot, Manning and Ford, "A computational algorithm for handling the special uniques problem",
    IJUFKS 10(5), 2002; Manning, Haglin and Keane, "A recursive search algorithm for statistical
    disclosure assessment", DMKD 16, 2008; sdcMicro ``suda2``. As in sdcMicro, every MSU size up to m
    is searched, and with fewer than 3 key variables constant dummy columns are added first (which
    changes m in the weights and the DIS exponent). DIS uses U = sample uniques and P = records in
    pairs on the full key (a missing value is an ordinary value there), Q = 1 + (8 - m)/20,
    D = U f / (U f + P (1 - f)) in float32. The search visits the 2^m - 1 subsets depth-first with one
    vectorised counting pass (bincount over a mixed-radix key) per subset; MSUs are found with
    per-subset uniqueness flags of the sample-unique records only.

    Examples
    --------
    >>> import numpy as np
    >>> keys = np.array([[2, 0, 0], [1, 3, 6], [1, 0, 0]])
    >>> res = suda2(keys, names=["a", "b", "c"])
    >>> res.score.tolist()
    [2.0, 4.0, 2.0]
    >>> res.attribute_contributions
    {'a': 50.0, 'b': 37.5, 'c': 37.5}
    """
    keys = validate_keys(keys)
    n, m_user = keys.shape
    if counts is None:
        # The search runs on the distinct tuples (a tuple carried by two records has no unique
        # subsets); per-record arrays are gathered back at the end.
        from unlinkable.risk.distinct import distinct_tuples

        tuples = distinct_tuples(keys)
        res = suda2(tuples.codes, dis_fraction=dis_fraction, original_scores=original_scores, names=names,
                    counts=tuples.counts)
        return Suda2Result(score=tuples.expand(res.score), dis_score=tuples.expand(res.dis_score),
                           contribution_percent=tuples.expand(res.contribution_percent),
                           attribute_contributions=res.attribute_contributions, dis_table=res.dis_table,
                           records_with_score=res.records_with_score, max_score=res.max_score, names=res.names)
    mult = np.asarray(counts)
    if mult.shape != (n,) or (n and (not np.issubdtype(mult.dtype, np.integer) or mult.min() < 1)):
        raise InputError(f"counts must hold one positive integer per key tuple ({n}); got shape {mult.shape}",
                         hint="pass the number of records of each distinct tuple")
    mult = mult.astype(np.int64, copy=False)
    if m_user > _MAX_KEYS:
        raise InputError(
            f"suda2 searches all 2^m subsets; {m_user} key variables is too many (max {_MAX_KEYS})",
            hint="use fewer key variables",
        )
    # numpy's bool is a bool to the caller, not to the constraint
    given: Any = bool(original_scores) if type(original_scores).__module__ == "numpy" else original_scores
    original_scores = check(given, Boolean(), "original_scores", owner="suda2", hint="e.g. True")
    f = float(check(dis_fraction, Interval(float, 0, 1, closed="neither"), "dis_fraction", owner="suda2", hint="e.g. 0.01"))
    if names is None:
        names = tuple(str(i) for i in range(m_user))
    else:
        names = tuple(names)
        if len(names) != m_user:
            raise ConfigError(f"names has {len(names)} entries but keys has {m_user} columns", hint="one per column")

    # sdcMicro pads 1 or 2 key variables with constant dummy columns (m becomes 3).
    if m_user < 3:
        keys = np.column_stack([keys, np.zeros((n, 3 - m_user), dtype=np.int64)])
    m = keys.shape[1]

    codes = np.empty((n, m), dtype=np.int64)
    cards = []
    for j in range(m):
        codes[:, j], c = _dense_codes(keys[:, j])
        cards.append(c)
    namask = ((keys < 0).astype(np.int64) << np.arange(m, dtype=np.int64)).sum(axis=1)
    any_na = bool(namask.any())

    # Full key with NA as an ordinary value: U = sample uniques, P = records in pairs. The rows
    # are distinct tuples, so a tuple's count is its full-key frequency; only tuples carried by
    # one record can be unique on any subset.
    n_unique = int(np.count_nonzero(mult == 1))
    n_pairs = 2 * int(np.count_nonzero(mult == 2))
    cand = np.flatnonzero(mult == 1)
    weight = mult.astype(np.float64)  # subset frequencies count records, not tuples

    score = np.zeros(n, dtype=np.float64)
    contrib = np.zeros((n, m_user), dtype=np.float64)
    if cand.size:
        n_sub = 1 << m
        uniq = np.zeros((n_sub, cand.size), dtype=bool)
        budget = 4 * n + 1024
        cand_na = namask[cand]
        # Depth-first over subsets, adding columns in increasing order; ids of the path stay in memory.
        stack = [(0, -1, np.zeros(n, dtype=np.int64), 1)]
        while stack:
            s, last, ids, span = stack.pop()
            for j in range(last + 1, m):
                t = s | (1 << j)
                new = ids * cards[j] + codes[:, j]
                nspan = span * cards[j]
                if nspan > budget:
                    uq, new = np.unique(new, return_inverse=True)
                    new = new.reshape(-1)
                    nspan = len(uq)
                if any_na:
                    has_na = (namask & t) != 0
                    freq = np.bincount(np.where(has_na, nspan, new), weights=weight, minlength=nspan + 1)
                    uniq[t] = (freq[new[cand]] == 1) & ((cand_na & t) == 0)
                else:
                    freq = np.bincount(new, weights=weight, minlength=nspan)
                    uniq[t] = freq[new[cand]] == 1
                if j + 1 < m:
                    stack.append((t, j, new, nspan))
        # MSU: unique on S and on none of the S minus one variable (uniqueness is monotone).
        subsets = np.arange(n_sub)
        covered = np.zeros_like(uniq)
        for v in range(m):
            with_v = subsets[(subsets >> v) & 1 == 1]
            covered[with_v] |= uniq[with_v ^ (1 << v)]
        msu = uniq & ~covered
        sizes = np.array([bin(int(s)).count("1") for s in subsets])
        if original_scores:
            wk = {k: float(factorial(m - k)) for k in range(1, m + 1)}
        else:
            wk = {k: (2.0 ** (m - k) - 1.0) * factorial(k) * factorial(m - k) / factorial(m) for k in range(1, m + 1)}
        w_sub = np.array([0.0] + [wk[int(k)] for k in sizes[1:]])
        msu_f = msu.astype(np.float64)
        sc = w_sub @ msu_f
        score[cand] = sc
        bits = ((subsets[None, :] >> np.arange(m_user)[:, None]) & 1).astype(np.float64)
        cv = (bits * w_sub[None, :]) @ msu_f  # (m_user, U)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(sc > 0, cv / sc, 0.0)
        contrib[cand] = share.T

    dis = _dis_scores(score, m=m, n_unique=n_unique, n_pairs=n_pairs, dis_fraction=f)
    total = float(score.sum())
    if total > 0:
        # R's colSums/sum accumulate in long double; fsum is the closest portable stand-in.
        scored = np.flatnonzero(score > 0)  # the other records add exact zeros
        total = fsum(score[scored].tolist())
        cs = contrib[scored] * score[scored, None]
        attr = np.array([100.0 * (fsum(cs[:, j].tolist()) / total) for j in range(m_user)])
    else:
        attr = np.full(m_user, np.nan)
    attribute_contributions = {names[j]: float(attr[j]) for j in range(m_user)}

    # print.suda2: cut(disScore, c(-1, seq(0, 0.7, 0.1) + .Machine$double.eps, Inf)), right-closed.
    breaks = np.concatenate([[-1.0], np.arange(8) * 0.1 + np.finfo(np.float64).eps, [np.inf]])
    bins = np.searchsorted(breaks, dis, side="left") - 1
    table = np.bincount(bins[bins >= 0], weights=mult[bins >= 0], minlength=len(DIS_TABLE_LABELS))
    dis_table = {label: int(table[i]) for i, label in enumerate(DIS_TABLE_LABELS)}

    return Suda2Result(
        score=score,
        dis_score=dis,
        contribution_percent=contrib,
        attribute_contributions=attribute_contributions,
        dis_table=dis_table,
        records_with_score=int(np.count_nonzero(score > 0)),
        max_score=float(score.max()) if n else 0.0,
        names=names,
    )
