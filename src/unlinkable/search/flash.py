"""FLASH: ARX's optimal search over the generalization lattice, visit for visit.

The traversal, the predictive tagging and the pruning follow ARX 3.9.2
(``algorithm/FLASHAlgorithm.java``, ``FLASHAlgorithmImpl.java``, ``FLASHStrategy.java``,
``framework/lattice/SolutionSpace.java``), because among transformations with equal loss and equal
level sum ARX keeps the one FLASH checks first. The search uses only the monotonicity each privacy
model and the metric declare:

====================  ===================  ==========================================
privacy monotone      metric monotone      phases
====================  ===================  ==========================================
full                  full                 binary search; anonymity predicted upwards
full                  none                 binary + depth-first over anonymous nodes
partial (min. size)   full / none          binary on the minimal class size, then linear
none                  full / none          linear, without prediction
====================  ===================  ==========================================

A node's "checked" result comes from a ``checker(node) -> NodeResult``; this module never sees data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from unlinkable.search.lattice import Lattice

FULL, PARTIAL, NONE = "full", "partial", "none"


@dataclass
class NodeResult:
    """What checking one transformation tells the search."""

    anonymous: bool
    k_anonymous: bool | None
    loss: float
    lower_bound: float | None = None
    payload: object = None


@dataclass
class SearchOutcome:
    """The optimum (node id or None), with how much of the lattice was checked."""

    optimum: int | None
    checked: int
    lattice_size: int
    results: dict[int, NodeResult] = field(default_factory=dict)

    @property
    def pruned(self) -> int:
        return self.lattice_size - self.checked


def strategy_keys(lattice: Lattice, distinct: Sequence[Sequence[int]]) -> list[tuple[float, float, float]]:
    """FLASH's total order on nodes: (level share, mean relative level, 1 - mean distinct share).

    Computed with the same floating-point operations, in the same order, as ARX's ``FLASHStrategy``
    so that equal keys (ties, resolved by list order) are equal here too.

    Examples
    --------
    >>> lat = Lattice([2, 2])
    >>> strategy_keys(lat, [[2, 1], [4, 1]])[1]
    (0.5, 0.5, 0.25)
    """
    m = lattice.m
    maxlevel = lattice.max_level_sum
    levels = lattice.levels
    # Column by column, in attribute order: the same float operations as ARX's loop, vectorised.
    dd = np.zeros(lattice.size)
    prec = np.zeros(lattice.size)
    for i in range(m):
        d = np.asarray(distinct[i], dtype=np.float64)
        dd = dd + (d / d[0])[levels[:, i]]
        top = float(lattice.heights[i] - 1)
        if top:
            # Java divides 0/0 to NaN for a single-level attribute, which ties every node; 0 keeps that tie.
            prec = prec + levels[:, i].astype(np.float64) / top
    dd = dd / m
    prec = prec / m
    level = lattice.level_sum.astype(np.float64) / maxlevel if maxlevel else np.zeros(lattice.size)
    return list(zip(level.tolist(), prec.tolist(), (1.0 - dd).tolist()))


class _JavaPriorityQueue:
    """java.util.PriorityQueue's binary heap, so that equal keys leave in Java's order."""

    def __init__(self, keys: list[Any]) -> None:
        self.keys = keys
        self.heap: list[int] = []

    def __bool__(self) -> bool:
        return bool(self.heap)

    def add(self, x: int) -> None:
        heap, keys = self.heap, self.keys
        k = len(heap)
        heap.append(x)
        kx = keys[x]
        while k > 0:
            parent = (k - 1) >> 1
            e = heap[parent]
            if kx >= keys[e]:
                break
            heap[k] = e
            k = parent
        heap[k] = x

    def poll(self) -> int:
        heap, keys = self.heap, self.keys
        result = heap[0]
        last = heap.pop()
        n = len(heap)
        if n:
            k = 0
            kx = keys[last]
            half = n >> 1
            while k < half:
                child = 2 * k + 1
                c = heap[child]
                right = child + 1
                if right < n and keys[c] > keys[heap[right]]:
                    child = right
                    c = heap[child]
                if kx <= keys[c]:
                    break
                heap[k] = c
                k = child
            heap[k] = last
        return result


class _Marks:
    """A predictive property: UP marks every generalization, DOWN every specialization."""

    def __init__(self, lattice: Lattice, direction: str) -> None:
        self.lattice = lattice
        self.direction = direction
        self.bits = bytearray(lattice.size)
        # A writable numpy view of the same bytes: a whole box is marked with one scatter.
        self.view = np.frombuffer(self.bits, dtype=np.uint8)

    def __getitem__(self, node: int) -> bool:
        return bool(self.bits[node])

    def put(self, node: int) -> None:
        bits = self.bits
        if bits[node] or self.direction == "unread":
            return
        if self.direction == "none":
            bits[node] = 1
            return
        # The marked set is closed in its direction, so marking the box of all generalizations
        # (specializations) of the node is the same as walking it node by node.
        ids = self.lattice.box(node, self.direction == "up", bits)
        if ids.shape[0] == 1:
            bits[node] = 1
        else:
            self.view[ids] = 1


class Flash:
    """ARX's FLASH algorithm over ``lattice`` with a ``checker`` for single nodes.

    Parameters
    ----------
    lattice : Lattice
    checker : callable
        ``checker(node_id) -> NodeResult``.
    keys : list of tuple
        ``strategy_keys(lattice, distinct)``.
    privacy : {"full", "partial", "none"}
        Monotonicity of the privacy models together (ARX ``getMonotonicityOfPrivacy``).
    metric_monotone : bool
        Whether the metric is monotone for this suppression limit.
    progress : callable, optional
        Called after each check with the transformations checked and those pruned so far (known
        from a check's predictive marks without being checked). FLASH cannot know its total.

    Examples
    --------
    >>> lat = Lattice([3])
    >>> loss = [0.0, 0.5, 1.0]
    >>> out = Flash(lat, lambda v: NodeResult(v >= 1, None, loss[v]), strategy_keys(lat, [[3, 2, 1]]),
    ...             privacy="full", metric_monotone=True).run()
    >>> out.optimum
    1

    Notes
    -----
    Kohlmayer, Prasser, Eckert, Kemper, Kuhn: "Flash: efficient, stable and optimal k-anonymity",
    PASSAT 2012; ARX 3.9.2 ``FLASHAlgorithmImpl``.
    """

    def __init__(self, lattice: Lattice, checker: Callable[[int], NodeResult], keys: list[Any], *,
                 privacy: str, metric_monotone: bool, progress: Callable[[int, int], None] | None = None) -> None:
        self.lattice = lattice
        self.checker = checker
        self.keys = keys
        self.progress = progress
        lat = lattice
        self.results: dict[int, NodeResult] = {}
        self.optimum: int | None = None
        self._sorted_succ: dict[int, list[int]] = {}
        metric_full = metric_monotone
        if privacy == FULL and metric_full:
            self.mode, prune, predictable = "full-full", False, True
        elif privacy == FULL:
            self.mode, prune, predictable = "full-none", True, True
        elif privacy == PARTIAL:
            self.mode, prune, predictable = ("partial-full" if metric_full else "partial-none"), True, False
        else:
            self.mode, prune, predictable = ("none-full" if metric_full else "none-none"), True, False
        self.prune_enabled = prune
        self.candidates: list[int] = []
        d = "up" if predictable else "none"
        self.anonymous = _Marks(lat, d)
        self.not_anonymous = _Marks(lat, "down" if predictable else "none")
        # Marks no trigger of this mode ever reads are not maintained (k-anonymity marks outside
        # the partial modes; pruning marks when nothing is pruned).
        partial = self.mode.startswith("partial")
        self.k_anonymous = _Marks(lat, "up" if partial else "unread")
        self.not_k_anonymous = _Marks(lat, "down" if partial else "unread")
        self.checked = _Marks(lat, "none")
        self.insufficient = _Marks(lat, "up" if self.mode != "full-full" else "unread")
        self.successors_pruned = _Marks(lat, "up" if self.mode != "full-full" else "unread")
        self.visited = _Marks(lat, "none")
        self.binary_required = self.mode in ("full-full", "full-none", "partial-full", "partial-none")
        self.linear_required = self.mode != "full-full"
        self._triggers = {"binary": self._trigger_bits("binary"), "linear": self._trigger_bits("linear")}
        self._trigger_fn = {phase: self._make_trigger(bits) for phase, bits in self._triggers.items()}

    def _trigger_bits(self, phase: str) -> list[bytearray]:
        """The marks whose union is the skip trigger of ``phase`` (ARX's FLASHAlgorithm.create*Trigger)."""
        mode = self.mode
        a, na = self.anonymous.bits, self.not_anonymous.bits
        k, nk = self.k_anonymous.bits, self.not_k_anonymous.bits
        ins, vis = self.insufficient.bits, self.visited.bits
        if phase == "binary":
            if mode in ("full-full", "full-none"):
                return [a, na]
            if mode == "partial-full":
                return [k, nk, ins]
            return [k, nk]
        if mode == "full-none":
            return [na, vis]
        if mode == "partial-full":
            return [vis, nk, ins]
        if mode == "partial-none":
            return [vis, nk]
        if mode == "none-full":
            return [a, na, ins]
        return [a, na]

    @staticmethod
    def _make_trigger(bits: list[bytearray]) -> Callable[[int], int]:
        if len(bits) == 2:
            b0, b1 = bits
            return lambda v: b0[v] or b1[v]
        b0, b1, b2 = bits
        return lambda v: b0[v] or b1[v] or b2[v]

    def _check_applies(self, phase: str, v: int) -> bool:
        mode = self.mode
        if phase == "binary" or mode in ("none-full", "none-none", "full-full"):
            return not self._skip_trigger(phase, v)
        if mode == "full-none":
            return not self.checked[v] and not self.not_anonymous[v]
        if mode == "partial-full":
            return (not self.visited[v] and not self.not_k_anonymous[v] and not self.insufficient[v]
                    and not self.checked[v])
        return not self.checked[v] and not self.not_k_anonymous[v]  # partial-none

    def _tag(self, phase: str, v: int) -> None:
        mode = self.mode
        if phase == "binary":
            if mode == "full-full" and self.anonymous[v]:
                self.successors_pruned.put(v)
            elif mode == "partial-full" and self.anonymous[v]:
                self._tag_neighbours_insufficient(v)
                self.successors_pruned.put(v)
            return
        if mode == "none-full":
            if self.anonymous[v]:
                self._tag_neighbours_insufficient(v)
                self.successors_pruned.put(v)
        elif mode == "partial-full":
            self.visited.put(v)
            if self.anonymous[v]:
                self._tag_neighbours_insufficient(v)
                self.successors_pruned.put(v)
        elif mode in ("full-none", "partial-none"):
            self.visited.put(v)

    def _tag_neighbours_insufficient(self, v: int) -> None:
        for s in self.lattice.successors(v):
            self.insufficient.put(s)

    def _skip_trigger(self, phase: str, v: int) -> bool:
        return bool(self._trigger_fn[phase](v))

    def _anonymity(self, phase: str, v: int) -> bool:
        if phase == "binary" and self.mode.startswith("partial"):
            return self.k_anonymous[v]
        return self.anonymous[v]

    # -- FLASHAlgorithmImpl ----------------------------------------------------
    def _skip(self, phase: str, v: int) -> bool:
        if self._trigger_fn[phase](v):
            return True
        if not self.prune_enabled or self.optimum is None:
            return False
        if self.insufficient.bits[v]:
            return True
        # ARX stores a node's lower bound when the search checks it; the bottom's result from the
        # start-up check is only cached, so it brings no bound and cannot prune the bottom.
        res = self.results.get(v) if self.checked[v] else None
        bound = res.lower_bound if res is not None else None
        if bound is not None and self.results[self.optimum].loss <= bound:
            self.insufficient.put(v)
            self.successors_pruned.put(v)
            return True
        return False

    def _sorted_successors(self, v: int) -> list[int]:
        s = self._sorted_succ.get(v)
        if s is not None:
            return s
        if s is None:
            keys = self.keys
            s = sorted(self.lattice.successors(v), key=keys.__getitem__)
            self._sorted_succ[v] = s
        return s

    def _set_checked(self, v: int) -> None:
        res = self.results.get(v)
        if res is None:
            res = self.checker(v)
            self.results[v] = res
            if self.progress is not None:
                self.progress(len(self.results), self._pruned_so_far())
        self.checked.put(v)
        (self.anonymous if res.anonymous else self.not_anonymous).put(v)
        if res.k_anonymous is not None:
            (self.k_anonymous if res.k_anonymous else self.not_k_anonymous).put(v)

    def _pruned_so_far(self) -> int:
        """Nodes whose outcome a mark already decides, without a check (only for progress display)."""
        known = self.anonymous.view | self.not_anonymous.view | self.insufficient.view | self.successors_pruned.view
        return int(np.count_nonzero(known & (self.checked.view == 0)))

    def _track(self, v: int) -> None:
        res = self.results.get(v)
        if res is None or not self.anonymous[v]:
            return
        opt = self.optimum
        if opt is None:
            self.optimum = v
            return
        best = self.results[opt].loss
        if res.loss < best or (res.loss == best and self.lattice.level_sum[v] < self.lattice.level_sum[opt]):
            self.optimum = v

    def _check_and_tag(self, phase: str, v: int) -> None:
        if self._check_applies(phase, v):
            self._set_checked(v)
        self._track(v)
        self._tag(phase, v)
        self._prune(v)

    def _prune(self, v: int) -> None:
        if not self.prune_enabled:
            return
        res = self.results.get(v)
        if res is None or res.lower_bound is None:
            return
        opt = self.optimum
        if opt != v and self.successors_pruned[v]:
            return
        if opt is None:
            self.candidates.append(v)
            return
        best = self.results[opt].loss
        if opt != v:
            if best <= res.lower_bound:
                self.insufficient.put(v)
                self.successors_pruned.put(v)
            else:
                self.candidates.append(v)
            return
        kept = []
        for c in self.candidates:
            if self.successors_pruned[c]:
                continue
            bound = self.results[c].lower_bound  # candidates are only nodes with a bound (see above)
            if bound is not None and best <= bound:
                self.insufficient.put(c)
                self.successors_pruned.put(c)
                continue
            kept.append(c)
        self.candidates = kept
        if not self.successors_pruned[v]:
            self.candidates.append(v)

    def _find_path(self, v: int) -> list[int]:
        path = [v]
        while True:
            for s in self._sorted_successors(v):
                if not self._skip("binary", s):
                    v = s
                    path.append(s)
                    break
            else:
                return path

    def _check_path(self, path: list[int], queue: _JavaPriorityQueue) -> int | None:
        low, high = 0, len(path) - 1
        last = None
        while low <= high:
            mid = (low + high) // 2
            v = path[mid]
            if not self._skip("binary", v):
                self._check_and_tag("binary", v)
                if not self._anonymity("binary", v):
                    for up in self._sorted_successors(v):
                        if not self._skip("binary", up):
                            queue.add(up)
                if self._anonymity("binary", v):
                    last = v
                    high = mid - 1
                else:
                    low = mid + 1
            else:
                high = mid - 1
        return last

    def _binary_search(self, start: int, queue: _JavaPriorityQueue) -> None:
        queue.add(start)
        while queue:
            head = queue.poll()
            if not self._skip("binary", head):
                path = self._find_path(head)
                found = self._check_path(path, queue)
                if self.linear_required and found is not None:
                    self._linear_search(found)

    def _linear_search(self, start: int) -> None:
        # Depth-first with an explicit stack: the lattice can be deeper than Python's recursion limit.
        stack: list[tuple[int, Iterator[int] | None]] = [(start, None)]
        while stack:
            v, it = stack[-1]
            if it is None:
                if self._skip("linear", v):
                    stack.pop()
                    self.successors_pruned.put(v)
                    continue
                self._check_and_tag("linear", v)
                it = iter(self._sorted_successors(v))
                stack[-1] = (v, it)
            for child in it:
                if not self._skip("linear", child):
                    stack.append((child, None))
                    break
            else:
                stack.pop()
                self.successors_pruned.put(v)

    def _levels_in_order(self) -> list[np.ndarray]:
        """Each lattice level's node ids sorted by strategy key (stable: ties by id), per lattice and keys."""
        memo = self.lattice.memo
        hit = memo.get("flash_levels")
        if hit is not None and hit[0] is self.keys:
            cached: list[np.ndarray] = hit[1]
            return cached
        keys = self.keys
        out = []
        for level in range(0, self.lattice.max_level_sum + 1):
            ids = [int(v) for v in self.lattice.nodes_on_level(level)]
            ids.sort(key=keys.__getitem__)
            out.append(np.asarray(ids, dtype=np.int64))
        memo["flash_levels"] = (keys, out)
        return out

    def _unskipped(self, phase: str, ids: np.ndarray) -> list[int]:
        """``[v for v in ids if not self._skip(phase, v)]``, with the triggers tested in bulk.

        Nodes of one lattice level are pairwise incomparable, so the marks ``_skip`` may set on the
        way (always upwards from the node) never change the verdict on another node of the level.
        """
        if not ids.size:
            return []
        hit = np.zeros(ids.shape[0], dtype=bool)
        for bits in self._triggers[phase]:
            hit |= np.frombuffer(bits, dtype=np.uint8)[ids].astype(bool)
        rest: list[int] = ids[~hit].tolist()
        if not self.prune_enabled or self.optimum is None:
            return rest
        return [v for v in rest if not self._skip(phase, v)]

    def run(self) -> SearchOutcome:
        lat = self.lattice
        self.results.setdefault(lat.bottom, self.checker(lat.bottom))
        phase = "binary" if self.binary_required else "linear"
        queue = _JavaPriorityQueue(self.keys)
        memo = lat.memo.get("flash_successors")
        if memo is not None and memo[0] is self.keys:
            self._sorted_succ = memo[1]
        else:
            lat.memo["flash_successors"] = (self.keys, self._sorted_succ)
        for ids in self._levels_in_order():
            nodes = self._unskipped(phase, ids)
            for v in nodes:
                if self.binary_required:
                    self._binary_search(v, queue)
                else:
                    self._linear_search(v)
        return SearchOutcome(self.optimum, len(self.results), lat.size, self.results)


__all__ = ["Flash", "NodeResult", "SearchOutcome", "strategy_keys", "FULL", "PARTIAL", "NONE"]
