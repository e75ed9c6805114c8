"""Unicity epsilon_p: how often p points of a record single it out (de Montjoye et al. 2013, 2015).

Exact mode: the mean, over eligible records (at least ``p`` distinct items), of the share of their
``p``-itemsets that no other record contains. Sampled mode: one ``p``-itemset drawn per eligible
record (seeded), the share of records whose drawn itemset no other record contains, with a 95%
Wilson interval; the drawn itemsets' supports are counted exactly
(:func:`containing_records`). ``auto`` is exact where the number of ``p``-itemsets is at most ``EXACT_LIMIT``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from unlinkable.constraints import check_int
from unlinkable.errors import ConfigError, shown
from unlinkable.points.encoded import Points
from unlinkable.points.subsets import Itemsets, keys_by_chunk, subset_count

#: exact mode enumerates at most this many p-itemsets
EXACT_LIMIT = 60_000_000
#: sampled mode checks at most this many (drawn itemset, candidate record) pairs at once
PAIR_CHUNK = 4_000_000
#: records x items up to this use a dense membership bitmap (bytes)
DENSE_MEMBERS = 1 << 27
#: sampled mode enumerates every p-itemset when there are at most this many times the candidate checks
#: (one enumerated itemset, sorted with its chunk, costs several times less than one candidate check: T40, 1M baskets)
ENUMERATE_RATIO = 4
MODES = ("exact", "sampled", "auto")


@dataclass(frozen=True)
class Unicity:
    p: int
    value: float | None
    exact: bool
    ci95: tuple[float, float] | None
    eligible_records: int

    def to_dict(self) -> dict[str, Any]:
        return {"p": self.p, "value": self.value, "exact": self.exact,
                "ci95": None if self.ci95 is None else list(self.ci95), "eligible_records": self.eligible_records}


def unicity(points: Points, ps: Sequence[int], *, mode: str = "auto", seed: int = 0,
            itemsets: Itemsets | None = None) -> list[Unicity]:
    """Unicity for each ``p`` in ``ps``.

    Examples
    --------
    >>> p = Points.from_codes([0, 0, 1, 1, 2], [0, 1, 0, 2, 0], labels="abc")
    >>> [(u.p, u.value, u.eligible_records) for u in unicity(p, [1, 2], mode="exact")]
    [(1, 0.3333333333333333, 3), (2, 1.0, 2)]
    """
    if mode not in MODES:
        raise ConfigError(f"unicity mode {shown(mode)} is not one of {', '.join(MODES)}", hint="mode: exact | sampled | auto")
    seed = check_int(seed, "seed", low=0)
    itemsets = itemsets or Itemsets(points)
    sets = itemsets.sets
    lengths = sets.lengths()
    out = []
    for p in ps:
        p = check_int(p, "p", low=1, high=10)
        eligible = int(np.count_nonzero(lengths >= p))
        if eligible == 0:
            out.append(Unicity(p, None, mode != "sampled", None, 0))
            continue
        count = subset_count(lengths, p)
        if mode == "exact" and count > EXACT_LIMIT:
            raise ConfigError(f"exact unicity at p={p} needs {count:,} itemsets, more than the limit of {EXACT_LIMIT:,}",
                              hint="use unicity: {mode: sampled} (or auto: exact where feasible)")
        if mode == "exact" or (mode == "auto" and count <= EXACT_LIMIT):
            out.append(Unicity(p, _exact(itemsets, p) / eligible, True, None, eligible))
        else:
            # one generator per p, so adding a p to the list does not change the others' draws
            rng = np.random.default_rng([seed, p])
            unique = _sampled(sets, p, rng)
            out.append(Unicity(p, unique / eligible, False, wilson(unique, eligible), eligible))
    return out


def _exact(itemsets: Itemsets, p: int) -> float:
    """Sum over eligible records of the share of their p-itemsets of support 1."""
    counted = itemsets.supports(p)
    total = 0.0
    for _, keys in itemsets.chunks(p):
        total += float(np.sum(np.mean(counted.of(keys) == 1, axis=1)))
    return total


def _sampled(sets: Points, p: int, rng: np.random.Generator) -> int:
    """How many eligible records' drawn p-itemset no other record contains."""
    return int(np.count_nonzero(containing_records(sets, draw_itemsets(sets, p, rng)) == 1))


def draw_itemsets(sets: Points, p: int, rng: np.random.Generator) -> np.ndarray:
    """One random p-itemset per record with at least p items (rows in record order; items in random order).

    Examples
    --------
    >>> s = Points.from_codes([0, 0, 0, 1], [0, 1, 2, 0], labels="abc")
    >>> sorted(draw_itemsets(s, 3, np.random.default_rng(0))[0].tolist())
    [0, 1, 2]
    """
    lengths = sets.lengths()
    record = sets.record_of_point()
    # a random p-subset per record: the p points with the smallest random keys
    order = np.lexsort((rng.random(len(sets.items)), record))
    rank = np.arange(len(order)) - np.repeat(sets.indptr[:-1], lengths)
    eligible = lengths[record[order]] >= p
    chosen = order[(rank < p) & eligible]
    drawn: np.ndarray = sets.items[chosen].reshape(-1, p).astype(np.int64)
    return drawn


def containing_records(sets: Points, drawn: np.ndarray) -> np.ndarray:
    """How many records contain each row of ``drawn`` (itemsets of the records, so every count is >= 1).

    Two exact ways, chosen by their cost (the counts are the same): check the records holding
    each row's rarest item (work: the sum of those items' supports, large when items are popular,
    e.g. Zipf), or enumerate every p-itemset of every record once and count those equal to a
    drawn row (work: the number of p-itemsets). The first suits large p, the second small p
    over many records (1M synthetic baskets at p=4: 129M itemsets against 10^10 candidates).

    Examples
    --------
    >>> s = Points.from_codes([0, 0, 1, 1, 2], [0, 1, 0, 1, 0], labels="ab")
    >>> containing_records(s, np.array([[1, 0], [0, 1]])).tolist(), containing_records(s, np.array([[0]])).tolist()
    ([2, 2], [3])
    """
    p = drawn.shape[1]
    d = max(len(sets.labels), 1)
    support = np.bincount(sets.items, minlength=d)
    candidates = int(support[drawn].min(axis=1).sum()) if len(drawn) else 0
    if d ** p < 2 ** 62 and subset_count(sets.lengths(), p) <= ENUMERATE_RATIO * candidates:
        return _by_enumeration(sets, np.sort(drawn, axis=1))
    return _by_candidates(sets, drawn, support)


def _by_enumeration(sets: Points, drawn: np.ndarray) -> np.ndarray:
    """Counts of the drawn rows (items ascending) among every p-itemset of every record."""
    d = max(len(sets.labels), 1)
    keys = drawn[:, 0].copy()
    for j in range(1, drawn.shape[1]):
        keys = keys * d + drawn[:, j]
    wanted, row_of = np.unique(keys, return_inverse=True)
    counts = np.zeros(len(wanted), dtype=np.int64)
    for _, chunk in keys_by_chunk(sets, drawn.shape[1]):
        # the chunk sorted once, then each wanted key's run in it: 2-4x faster than probing every chunk key
        flat = np.sort(chunk.ravel())
        counts += np.searchsorted(flat, wanted, side="right") - np.searchsorted(flat, wanted, side="left")
    found: np.ndarray = counts[row_of.ravel()]
    return found


def _by_candidates(sets: Points, drawn: np.ndarray, support: np.ndarray) -> np.ndarray:
    """Counts of the drawn rows by checking every record that holds the row's rarest item."""
    p = drawn.shape[1]
    d = max(len(sets.labels), 1)
    record = sets.record_of_point()
    # postings: the records holding each item, grouped by item
    by_item = np.argsort(sets.items, kind="stable")
    post_start = np.r_[0, np.cumsum(support)]
    post_records = record[by_item]
    member = record * d + sets.items  # ascending: records ascending, items ascending within
    # membership by a dense bitmap where it fits (random searchsorted probes are cache-bound)
    dense = np.zeros(sets.records * d, dtype=bool) if sets.records * d <= DENSE_MEMBERS else None
    if dense is not None:
        dense[member] = True
    rarest_col = np.argmin(support[drawn], axis=1)
    rarest = drawn[np.arange(len(drawn)), rarest_col]
    df = support[rarest]
    out = np.zeros(len(drawn), dtype=np.int64)
    start = 0
    bounds = np.cumsum(df)
    while start < len(drawn):
        stop = max(start + 1, int(np.searchsorted(bounds, (bounds[start - 1] if start else 0) + PAIR_CHUNK, side="right")))
        rows = np.arange(start, stop)
        n_pairs = df[rows]
        pair_row = np.repeat(rows, n_pairs)
        offset = np.arange(len(pair_row)) - np.repeat(np.cumsum(n_pairs) - n_pairs, n_pairs)
        candidate = post_records[post_start[rarest[pair_row]] + offset]
        holds = np.ones(len(pair_row), dtype=bool)
        for j in range(p):
            key = candidate * d + drawn[pair_row, j]
            if dense is not None:
                holds &= dense[key]
            else:
                at = np.minimum(np.searchsorted(member, key), len(member) - 1)
                holds &= member[at] == key
        out[rows] = np.bincount(pair_row - start, weights=holds, minlength=len(rows)).astype(np.int64)
        start = stop
    return out


def wilson(successes: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """The 95% Wilson score interval of a proportion.

    Examples
    --------
    >>> [round(x, 4) for x in wilson(5, 10)]
    [0.2366, 0.7634]
    """
    phat = successes / n
    denom = 1 + z * z / n
    centre = (phat + z * z / (2 * n)) / denom
    half = z * np.sqrt(phat * (1 - phat) / n + z * z / (4 * n * n)) / denom
    # the interval holds phat exactly; rounding must not push an end past it (phat = 0 or 1)
    return (max(0.0, min(phat, float(centre - half))), min(1.0, max(phat, float(centre + half))))


__all__ = ["Unicity", "unicity", "wilson", "draw_itemsets", "containing_records", "EXACT_LIMIT", "MODES"]
