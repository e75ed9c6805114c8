"""The generalization lattice: one node per vector of hierarchy levels.

Node ids follow ARX's solution space (``framework/lattice/SolutionSpace.java`` on top of
``jhpl``): the first quasi-identifier is the least significant digit of a mixed-radix number,
so listing a lattice level by increasing id is the order ARX lists it in, and successors are
listed by increasing attribute index. FLASH's tie-breaking depends on both orders.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


class Lattice:
    """All level vectors between bottom (all 0) and top (every maximal level).

    Examples
    --------
    >>> lat = Lattice([2, 3])          # levels 0..1 and 0..2
    >>> lat.size, lat.levels_of(lat.id_of([1, 2])).tolist()
    (6, [1, 2])
    >>> [lat.levels_of(s).tolist() for s in lat.successors(0)]
    [[1, 0], [0, 1]]

    Notes
    -----
    Samarati, "Protecting respondents' identities in microdata release", IEEE TKDE 13(6), 2001
    (the generalization lattice); Kohlmayer et al., "Flash: efficient, stable and optimal
    k-anonymity", PASSAT 2012.
    """

    def __init__(self, heights: Sequence[int]) -> None:
        self.heights = np.asarray([int(h) for h in heights], dtype=np.int64)
        if len(self.heights) == 0 or (self.heights < 1).any():
            raise ValueError("every attribute needs at least one level")
        self.m = len(self.heights)
        mult = np.ones(self.m, dtype=np.int64)
        for i in range(1, self.m):
            mult[i] = mult[i - 1] * self.heights[i - 1]
        self.multipliers = mult
        self.size = int(mult[-1] * self.heights[-1])
        ids = np.arange(self.size, dtype=np.int64)
        self.levels = ((ids[:, None] // mult[None, :]) % self.heights[None, :]).astype(np.int32)
        self.level_sum = self.levels.sum(axis=1).astype(np.int64)
        self.max_level_sum = int((self.heights - 1).sum())
        self.bottom = 0
        self.top = self.size - 1
        self._succ: list[list[int] | None] = [None] * self.size
        self._pred: list[list[int] | None] = [None] * self.size
        self._tuples: list[tuple[int, ...]] | None = None
        # steps[i][j] = j * multiplier of attribute i: boxes of node ids are outer sums of these
        self._steps = [np.arange(int(h), dtype=np.int64) * int(mu) for h, mu in zip(self.heights, mult)]
        self._neg_steps = [-st for st in self._steps]
        self._mult = [int(mu) for mu in mult]
        self._heights = [int(h) for h in self.heights]
        #: per-search scratch shared across searches over this lattice (FLASH's orders)
        self.memo: dict[Any, Any] = {}

    def id_of(self, levels: Sequence[int]) -> int:
        return int(np.dot(np.asarray(levels, dtype=np.int64), self.multipliers))

    def levels_of(self, node: int) -> np.ndarray:
        return np.asarray(self.levels[node])

    def level_tuple(self, node: int) -> tuple[int, ...]:
        """The levels of ``node`` as a tuple of Python ints (built once per lattice)."""
        if self._tuples is None:
            self._tuples = list(map(tuple, self.levels.tolist()))  # tolist() gives Python ints
        return self._tuples[node]

    def box(self, node: int, up: bool, closed: bytearray | None = None) -> np.ndarray:
        """Ids of every generalization (``up``) or every specialization of ``node``, itself included.

        With ``closed`` (a mark per node, closed in the same direction), attributes whose direct
        neighbour of ``node`` in that direction is marked are held at the node's level: everything
        beyond that neighbour is marked already, so only the rest of the box is returned.
        """
        lv = self.level_tuple(node)
        ids = None
        for i, h in enumerate(self._heights):
            span = h - lv[i] if up else lv[i] + 1
            if span > 1:
                if closed is not None:
                    mu = self._mult[i]
                    if closed[node + mu if up else node - mu]:
                        continue
                offs = self._steps[i][:span] if up else self._neg_steps[i][:span]
                ids = offs + node if ids is None else (ids[:, None] + offs[None, :]).ravel()
        return np.array([node], dtype=np.int64) if ids is None else ids

    def successors(self, node: int) -> list[int]:
        """Direct successors (one attribute one level up), by increasing attribute index."""
        s = self._succ[node]
        if s is None:
            lv = self.levels[node]
            s = [node + int(self.multipliers[i]) for i in range(self.m) if lv[i] + 1 < self.heights[i]]
            self._succ[node] = s
        return s

    def predecessors(self, node: int) -> list[int]:
        """Direct predecessors (one attribute one level down), by increasing attribute index."""
        p = self._pred[node]
        if p is None:
            lv = self.levels[node]
            p = [node - int(self.multipliers[i]) for i in range(self.m) if lv[i] > 0]
            self._pred[node] = p
        return p

    def nodes_on_level(self, level_sum: int) -> np.ndarray:
        """Ids whose levels add up to ``level_sum``, increasing."""
        return np.flatnonzero(self.level_sum == level_sum)

    def is_generalization_of(self, a: int, b: int) -> bool:
        """True when node ``a`` generalizes every attribute at least as much as ``b``."""
        return bool((self.levels[a] >= self.levels[b]).all())


__all__ = ["Lattice"]
