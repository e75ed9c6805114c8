"""A best-first search with a time budget for lattices too large for FLASH (not proven optimal).

In the spirit of ARX's LIGHTNING (Prasser et al., "Lightning: utility-driven anonymization of
high-dimensional data", TDP 2016): start at the bottom, always expand the checked transformation
with the lowest loss, keep the best anonymous transformation seen, stop when the budget runs out.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable

from unlinkable.search.flash import NodeResult, SearchOutcome
from unlinkable.search.lattice import Lattice


def best_first(lattice: Lattice, checker: Callable[[int], NodeResult], *, time_limit_s: float | None = None,
               step_limit: int | None = None, progress: Callable[[int, None], None] | None = None) -> SearchOutcome:
    """Best-first search; without a time or step limit (checked transformations), until the lattice is exhausted.

    Examples
    --------
    >>> lat = Lattice([3])
    >>> loss = [0.0, 0.5, 1.0]
    >>> best_first(lat, lambda v: NodeResult(v >= 1, None, loss[v])).optimum
    1

    Notes
    -----
    Prasser, Bild, Eicher, Spengler, Kohlmayer, Kuhn: "Lightning: Utility-Driven Anonymization of
    High-Dimensional Data", Transactions on Data Privacy 9(2), 2016.
    """
    start = time.perf_counter()
    results: dict[int, NodeResult] = {}
    best: int | None = None
    heap: list[tuple[float, int, int]] = []
    seen = bytearray(lattice.size)

    def visit(v: int) -> None:
        nonlocal best
        res = checker(v)
        results[v] = res
        if progress is not None:
            progress(len(results), None)  # nothing is pruned by monotonicity here
        if res.anonymous:
            if best is None or (res.loss, lattice.level_sum[v]) < (results[best].loss, lattice.level_sum[best]):
                best = v
        heapq.heappush(heap, (res.loss, int(lattice.level_sum[v]), v))

    seen[lattice.bottom] = 1
    visit(lattice.bottom)
    while heap:
        if time_limit_s is not None and time.perf_counter() - start > time_limit_s:
            break
        if step_limit is not None and len(results) >= step_limit:
            break
        loss, _, v = heapq.heappop(heap)
        if best is not None and results[v].anonymous and loss >= results[best].loss:
            continue  # above an anonymous node only a non-monotone metric could improve; keep cheap
        for s in lattice.successors(v):
            if step_limit is not None and len(results) >= step_limit:
                break
            if not seen[s]:
                seen[s] = 1
                visit(s)
    return SearchOutcome(best, len(results), lattice.size, results)


__all__ = ["best_first"]
