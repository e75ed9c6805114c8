"""Small baskets as encoded points, and brute-force itemset supports (shared by the tests of points/)."""

from __future__ import annotations

from collections import Counter
from itertools import combinations

from unlinkable.points.encoded import Points

ITEMS = 6


def points_of(rows, items: int = ITEMS) -> Points:
    """Baskets given as lists of item codes 0..items-1, labelled by their codes as text."""
    return Points.from_codes([r for r, row in enumerate(rows) for _ in row], [i for row in rows for i in row],
                             labels=[str(i) for i in range(items)], n_records=len(rows))


def itemset_supports(baskets, m: int) -> Counter:
    """How many baskets hold each itemset of 1..m distinct items (items sorted within an itemset)."""
    return Counter(c for b in baskets for size in range(1, m + 1) for c in combinations(sorted(set(b)), size))


def min_support(baskets, m: int) -> int:
    """The smallest support among the itemsets of size up to m that occur."""
    return min(itemset_supports(baskets, m).values())
