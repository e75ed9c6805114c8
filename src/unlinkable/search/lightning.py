"""LIGHTNING: ARX's heuristic searches for lattices too large for an optimal search, visit for visit.

Bottom-up (ARX ``BEST_EFFORT_BOTTOM_UP``, ``algorithm/LIGHTNINGAlgorithm.java``): a best-first
search from the bottom by loss, which every "top level sum"-th step follows the cheapest
successor down to a dead end (a depth-first dive without backtracking); a node whose lower bound
cannot beat the best anonymous node found so far is pruned together with its generalizations.
Top-down (``BEST_EFFORT_TOP_DOWN``, ``LIGHTNINGTopDownAlgorithm.java``): best-first from the top
over predecessors, without pruning. Both stop after ``step_limit`` checked transformations (ARX's
``heuristicSearchStepLimit``) or ``time_limit_s``.

Which node ends up best depends on the order of equal-loss nodes in the queue, so the queue is
``java.util.PriorityQueue`` (a binary heap, ties left where the heap puts them) and node lists
follow ARX's solution space (successors by increasing attribute index, as in ``Lattice``;
predecessors by decreasing index). The search sees checked nodes only through ``NodeResult``
(every node's loss is read, anonymous or not: ARX checks with ``forceMeasureInfoLoss``).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from unlinkable.search.flash import NodeResult, SearchOutcome
from unlinkable.search.lattice import Lattice


class _JavaPriorityQueue:
    """``java.util.PriorityQueue`` of node ids with a comparator: same sift steps, same ties."""

    def __init__(self, key: Callable[[int], float]) -> None:
        self._heap: list[int] = []
        self._key = key

    def add(self, x: int) -> None:
        self._heap.append(x)
        self._sift_up(len(self._heap) - 1, x)

    def poll(self) -> int | None:
        heap = self._heap
        if not heap:
            return None
        result = heap[0]
        last = heap.pop()
        if heap:
            self._sift_down(0, last)
        return result

    def remove(self, x: int) -> None:
        """Remove the first occurrence in array order (``PriorityQueue.remove(Object)``)."""
        heap = self._heap
        try:
            i = heap.index(x)
        except ValueError:
            return
        last = heap.pop()
        if i == len(heap):
            return
        if self._sift_down(i, last) == i:   # Java: queue[i] == moved
            self._sift_up(i, last)

    def _sift_up(self, k: int, x: int) -> None:
        heap, key = self._heap, self._key
        kx = key(x)
        while k > 0:
            parent = (k - 1) >> 1
            e = heap[parent]
            if not kx < key(e):     # comparator(x, e) >= 0
                break
            heap[k] = e
            k = parent
        heap[k] = x

    def _sift_down(self, k: int, x: int) -> int:
        heap, key = self._heap, self._key
        n = len(heap)
        half = n >> 1
        kx = key(x)
        while k < half:
            child = 2 * k + 1
            c = heap[child]
            right = child + 1
            if right < n and key(c) > key(heap[right]):
                child = right
                c = heap[child]
            if not kx > key(c):     # comparator(x, c) <= 0
                break
            heap[k] = c
            k = child
        heap[k] = x
        return k


def lightning(lattice: Lattice, checker: Callable[[int], NodeResult], *, top_down: bool = False,
              step_limit: int | None = None, time_limit_s: float | None = None,
              progress: Callable[[int, None], None] | None = None) -> SearchOutcome:
    """ARX's LIGHTNING search, bottom-up (default) or top-down.

    ``step_limit`` counts checked transformations (ARX's step semantics ``CHECKS``); ``None``
    means no limit. As in ARX, the limit is tested after each check except the first, so a limit
    of 1 still checks two transformations. The outcome's optimum is the anonymous node with the lowest loss (then the
    lowest level sum) among those checked; it is optimal only if the search ran to its end.

    Examples
    --------
    >>> lat = Lattice([3, 2])
    >>> loss = {v: float(lat.level_sum[v]) + 0.1 * v for v in range(lat.size)}
    >>> check = lambda v: NodeResult(lat.level_sum[v] >= 2, None, loss[v], loss[v])
    >>> lat.levels_of(lightning(lat, check).optimum).tolist()
    [2, 0]
    >>> lightning(lat, check, step_limit=2).checked
    2

    Notes
    -----
    Prasser, Bild, Eicher, Spengler, Kohlmayer, Kuhn: "Lightning: Utility-Driven Anonymization of
    High-Dimensional Data", Transactions on Data Privacy 9(2), 161-185, 2016.
    """
    start = time.perf_counter()
    results: dict[int, NodeResult] = {}
    expanded = bytearray(lattice.size)
    insufficient = np.zeros(lattice.size, dtype=bool)   # ARX: "insufficient utility", inherited upwards
    best: int | None = None
    best_loss = 0.0
    level_sum = lattice.level_sum
    loss_of: dict[int, float] = {}

    def must_stop() -> bool:
        if step_limit is not None and len(results) >= step_limit:
            return True
        return time_limit_s is not None and time.perf_counter() - start > time_limit_s

    def assure_checked(v: int) -> None:
        nonlocal best, best_loss
        if v in results:
            return
        res = checker(v)
        results[v] = res
        loss = loss_of[v] = res.loss
        if progress is not None:
            progress(len(results), None)
        if res.anonymous and (best is None or loss < best_loss
                              or (loss == best_loss and level_sum[v] < level_sum[best])):
            best, best_loss = v, loss

    queue = _JavaPriorityQueue(loss_of.__getitem__)

    def expand(v: int, up: bool) -> int | None:
        """Check and queue the unexpanded neighbours; return the one with the lowest loss."""
        result: int | None = None
        # ARX lists successors by increasing attribute index and predecessors by decreasing index
        for s in (lattice.successors(v) if up else lattice.predecessors(v)[::-1]):
            if not expanded[s] and not insufficient[s]:
                assure_checked(s)
                queue.add(s)
                if result is None or loss_of[s] < loss_of[result]:
                    result = s
            if must_stop():
                return None
        expanded[v] = 1
        return result

    def prune(v: int, up: bool) -> bool:
        if expanded[v] or (up and insufficient[v]):
            return True
        if up and best is not None and best != v:
            bound = results[v].lower_bound
            if bound is not None and bound >= best_loss:
                insufficient[lattice.box(v, up=True)] = 1
                return True
        return False

    def dive(v: int) -> None:
        """Follow the cheapest successor until there is none (ARX's ``dfs``, iteratively)."""
        while not must_stop():
            nxt = expand(v, True)
            if nxt is None:
                return
            queue.remove(nxt)
            v = nxt

    first = lattice.top if top_down else lattice.bottom
    assure_checked(first)
    queue.add(first)
    stepping = max(int(lattice.max_level_sum), 1)
    step = 0
    while (v := queue.poll()) is not None:
        if top_down:
            if not prune(v, False):
                expand(v, False)
                if must_stop():
                    break
        elif not prune(v, True):
            step += 1
            if step % stepping == 0:
                dive(v)
            else:
                expand(v, True)
            if must_stop():
                break
    return SearchOutcome(best, len(results), lattice.size, results)


__all__ = ["lightning"]
