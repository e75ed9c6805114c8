"""Node evaluation when the distinct tuples are too many for this process: each transformation is
judged on the table grouped, where the records are, at that transformation or a finer one.

A ``NodeEvaluator`` reads a table only through its rows' codes and counts. Grouped at a
transformation ``f`` (a "floor"), with each class carrying one representative's original codes,
the rows still give every transformation at or above ``f`` exactly: a hierarchy is a tree, so the
representative generalizes at those levels as each record of its class does. The backend groups
the records at the transformation the search asks for (one distributed ``groupBy``); when the
classes fit under the limit they come back as a floor, which then serves every node above it
without going back to the backend. The driver holds a few floors, never the records, nor the
bottom grouping (the distinct tuples) when that is too large.

A transformation whose own classes do not fit is judged by the backend where the search can
decide without its classes: under a minimal class size (k-anonymity, and models with a minimal
size), the records in classes below it are counted in the backend; more than the suppression
budget means not anonymous, whatever else holds. Otherwise the search cannot go on and says so,
naming the limit.

Same classes, same order (first record, or smallest codes when the metric reads
representatives), same sizes and histograms as one evaluator over every tuple: the optimum, its
loss and its suppressed records are the same. How many nodes are pruned may differ, where the
metric bounds a node only from its classes.
"""

from __future__ import annotations

from collections.abc import Callable

from unlinkable.errors import BackendError
from unlinkable.search import NodeEvaluator, NodeOutcome
from unlinkable.search.flash import NodeResult
from unlinkable.search.lattice import Lattice

#: floors kept on the driver at once (each at most the limit's rows), the top one besides
KEEP = 4


class FloorEvaluator:
    """``NodeEvaluator``'s interface (``result``, ``outcome``, ``budget``, ``privacy_monotonicity``)
    over floors fetched from a backend.

    Parameters
    ----------
    lattice : Lattice
    fetch : callable
        ``fetch(levels)``: a ``NodeEvaluator`` over the table grouped at ``levels``, or None when
        the groups are more than ``limit``.
    small_records : callable
        ``small_records(levels, size)``: records in classes of ``levels`` smaller than ``size``,
        counted by the backend.
    limit : int
        The most distinct tuples a floor may hold (for messages).

    Examples
    --------
    >>> import numpy as np
    >>> from unlinkable.hierarchies.hierarchy import Hierarchy
    >>> from unlinkable.models.kanonymity import KAnonymity
    >>> from unlinkable.transform.generalize import Generalizer
    >>> from unlinkable.utility.loss import LossMetric
    >>> gm = Hierarchy([["a", "*"], ["b", "*"]]).encode(["a", "b"])
    >>> def fetch(levels):  # the whole table for the bottom, one group for the top
    ...     codes = np.array([[0], [1], [0]]) if levels == (0,) else np.array([[0]])
    ...     counts = None if levels == (0,) else np.array([3])
    ...     return NodeEvaluator(Generalizer(codes, [gm], counts=counts), Lattice([2]), ["q"], [KAnonymity(k=2)],
    ...                          LossMetric(), suppression_limit=0.0)
    >>> ev = FloorEvaluator(Lattice([2]), fetch, lambda levels, size: 0, limit=10)
    >>> ev.result(1).anonymous, ev.result(0).anonymous, ev.fetched
    (True, False, 2)
    """

    def __init__(self, lattice: Lattice, fetch: Callable[[tuple[int, ...]], NodeEvaluator | None],
                 small_records: Callable[[tuple[int, ...], int], int], *, limit: int) -> None:
        self.lattice = lattice
        self._fetch = fetch
        self._small_records = small_records
        self.limit = limit
        self._top = lattice.level_tuple(lattice.top)
        self._bottom = lattice.level_tuple(lattice.bottom)
        reference = fetch(self._top)
        if reference is None:
            raise BackendError(f"even the most general transformation groups the records into more than {limit:,} "
                               f"(class, sensitive value) pairs", hint=_RAISE_HINT)
        self._reference = reference
        self._floors: dict[tuple[int, ...], NodeEvaluator] = {}
        self._unheld: set[tuple[int, ...]] = set()
        #: groupings the backend computed (the top one included), and nodes it judged by a count
        self.fetched = 1
        self.judged_in_backend = 0
        self.budget = reference.budget

    def privacy_monotonicity(self) -> str:
        return self._reference.privacy_monotonicity()

    def _floor(self, levels: tuple[int, ...]) -> NodeEvaluator | None:
        """The evaluator of the most general floor at or below ``levels`` (fetched if none is held)."""
        if levels == self._top:
            return self._reference
        best: tuple[int, ...] | None = None
        for floor in self._floors:
            if all(a <= b for a, b in zip(floor, levels)) and (best is None or sum(floor) > sum(best)):
                best = floor
        if best is not None:
            evaluator = self._floors.pop(best)
            self._floors[best] = evaluator  # most recently used last
            return evaluator
        # the bottom first: when every tuple fits, one floor serves the whole search
        for floor in (self._bottom, levels):
            if any(all(a <= b for a, b in zip(floor, unheld)) for unheld in self._unheld):
                continue  # finer than a grouping that did not fit: it has at least as many groups
            fetched = self._fetch(floor)
            self.fetched += 1
            if fetched is None:
                self._unheld.add(floor)
                continue
            self._floors[floor] = fetched
            while len(self._floors) > KEEP:
                self._floors.pop(next(iter(self._floors)))  # least recently used first
            return fetched
        return None

    def result(self, node: int) -> NodeResult:
        levels = self.lattice.level_tuple(node)
        evaluator = self._floor(levels)
        if evaluator is not None:
            return evaluator.result(node)
        return self._judged_in_backend(node, levels)

    def outcome(self, node: int) -> NodeOutcome:
        levels = self.lattice.level_tuple(node)
        evaluator = self._floor(levels)
        if evaluator is None:
            raise self._too_many(levels)
        return evaluator.outcome(node)

    def __call__(self, node: int) -> NodeOutcome:
        return self.outcome(node)

    def _judged_in_backend(self, node: int, levels: tuple[int, ...]) -> NodeResult:
        """A node whose groups do not fit: not anonymous if the records below the minimal class
        size (counted by the backend) are more than the budget; otherwise an error."""
        ref = self._reference
        if ref.min_class_size is None or ref.table_models:
            raise self._too_many(levels)
        small = self._small_records(levels, ref.min_class_size)
        self.judged_in_backend += 1
        if small <= self.budget:
            raise self._too_many(levels)
        bound = None
        if ref.metric.has_levels_bound():
            bound = ref.metric.levels_bound(levels, ref.g.maps, ref.g.n)
        return _NotHeld(k_anonymous=False, lower_bound=bound, suppressed_at_least=small,
                        error=self._too_many(levels))

    def _too_many(self, levels: tuple[int, ...]) -> BackendError:
        return BackendError(f"the transformation {list(levels)} groups the records into more than {self.limit:,} "
                            f"classes, more than the driver may hold, and it cannot be judged without them",
                            hint=_RAISE_HINT)


_RAISE_HINT = ("raise spark: {snapshot_limit: ...} (the most distinct tuples the driver holds) with the driver's memory "
               "(spark.driver.memory), or generalize more (coarser hierarchies)")


class _NotHeld(NodeResult):
    """A node found not anonymous by the backend's count: its loss is never computed (reading it,
    as the no-solution message would, is an error naming the limit)."""

    def __init__(self, *, k_anonymous: bool, lower_bound: float | None, suppressed_at_least: int,
                 error: BackendError) -> None:
        self.anonymous = False
        self.k_anonymous = k_anonymous
        self.lower_bound = lower_bound
        self.suppressed_at_least = suppressed_at_least
        self._error = error

    @property
    def loss(self) -> float:  # type: ignore[override]
        raise self._error

    @property
    def payload(self) -> object:  # type: ignore[override]
        raise self._error


__all__ = ["KEEP", "FloorEvaluator"]
