"""Searching the generalization lattice: FLASH (optimal, ARX's order), exhaustive oracle, heuristic.

``NodeEvaluator`` turns a node id into a ``NodeResult``: classes of the transformation, the
privacy models' verdict per class, the records to suppress, and the metric's score.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

import numpy as np

from unlinkable.data.sensitive import SensitiveColumn
from unlinkable.errors import InternalError
from unlinkable.models.base import ClassStatistics, PrivacyModel
from unlinkable.search.flash import FULL, NONE, PARTIAL, Flash, NodeResult, SearchOutcome, strategy_keys
from unlinkable.search.lattice import Lattice
from unlinkable.transform.generalize import Generalizer, NodeClasses
from unlinkable.transform.suppress import suppression_budget
from unlinkable.utility.base import Evaluation, Score, UtilityMetric


@dataclass(eq=False)
class NodeOutcome:
    """Everything known about one checked transformation."""

    node: int
    levels: tuple[int, ...]
    classes: NodeClasses
    suppressed_classes: np.ndarray
    suppressed_records: int
    anonymous: bool
    score: Score | None


class CheckMemo:
    """Checks of transformations of one set of records under one set of privacy models, kept for
    the next search of the same records with another metric (local recoding repeats a round's
    records with a raised gs-factor): the classes, verdicts and suppression do not depend on the
    metric, so only the score is computed again. At most ``capacity`` classes are kept in all,
    each node detached from the nodes it was computed from (about 50 bytes a class with nine
    quasi-identifiers), so that a round's whole lattice fits for a table of some ten thousand records.

    Examples
    --------
    >>> memo = CheckMemo(capacity=10)
    >>> memo.room
    10
    """

    def __init__(self, capacity: int = 6 << 20) -> None:
        self._entries: dict[int, tuple[NodeOutcome, Evaluation]] = {}
        self.room = capacity

    def get(self, node: int) -> tuple[NodeOutcome, Evaluation] | None:
        hit = self._entries.get(node)
        return None if hit is None else (replace(hit[0]), hit[1])

    def put(self, node: int, outcome: NodeOutcome, evaluation: Evaluation) -> None:
        if node not in self._entries and outcome.classes.classes <= self.room:
            self.room -= outcome.classes.classes
            classes = outcome.classes.detached()
            self._entries[node] = (replace(outcome, classes=classes), evaluation.detached(classes))


class _NodeStatistics(ClassStatistics):
    """``ClassStatistics`` of a node whose per-record classes are gathered only if a model reads them
    (histograms rolled up from a finer node do not)."""

    def __init__(self, generalizer: Generalizer, nc: NodeClasses, sensitive: Mapping[str, SensitiveColumn],
                 context: Mapping[str, Any]) -> None:
        self._generalizer = generalizer
        self._node = nc
        self.sizes = nc.sizes
        self.sensitive = sensitive
        self.weights = None
        self.context = context
        self._cache = {}

    @property
    def record_class(self) -> np.ndarray:  # type: ignore[override]
        return self._generalizer.record_class(self._node)

    @property
    def n(self) -> int:
        return self._generalizer.n

    def class_sums(self, weights: np.ndarray | None = None) -> np.ndarray:
        """:meth:`ClassStatistics.class_sums` through the generalizer's bottom classes (every record
        is in a class), not the records, when the sums are exact in any order."""
        if weights is None:
            return self._node.sizes.astype(np.float64)   # the node's own sizes, whatever sizes says
        sums = self._generalizer.class_sums(self._node, weights)
        return super().class_sums(weights) if sums is None else sums


class NodeEvaluator:
    """Checks single transformations for the search.

    Examples
    --------
    >>> import numpy as np
    >>> from unlinkable.hierarchies.hierarchy import Hierarchy
    >>> from unlinkable.models.kanonymity import KAnonymity
    >>> from unlinkable.utility.loss import LossMetric
    >>> gm = Hierarchy([["a", "*"], ["b", "*"]]).encode(["a", "b"])
    >>> ev = NodeEvaluator(Generalizer(np.array([[0], [1], [0]]), [gm]), Lattice([2]), ["q"],
    ...                    [KAnonymity(k=2)], LossMetric(), suppression_limit=0.0)
    >>> ev(0).anonymous, ev(1).anonymous
    (False, True)
    """

    def __init__(self, generalizer: Generalizer, lattice: Lattice, names: Sequence[str],
                 models: Sequence[PrivacyModel], metric: UtilityMetric, *, suppression_limit: float,
                 sensitive: Mapping[str, SensitiveColumn] | None = None, context: Mapping[str, Any] | None = None,
                 node_context: Any = None, prepare_models: bool = True, memo: CheckMemo | None = None) -> None:
        self.g = generalizer
        # checks of the same records under the same models by an earlier search (None: none kept)
        self.memo = memo
        self.lattice = lattice
        self.names = list(names)
        self.models = list(models)
        self.metric = metric
        self.limit = float(suppression_limit)
        self.budget = suppression_budget(self.limit, generalizer.n)
        self.sensitive = dict(sensitive or {})
        self.context = dict(context or {})
        # Models that read a transformation's levels or class codes (k-map with a population
        # table, linkage) get them from node_context.for_node(levels, class_codes).
        self.node_context = node_context
        self._sizes_only = bool(self.models) and all(m.sizes_only for m in self.models)
        sizes = [m.minimal_class_size() for m in self.models]
        has_min = any(m.sizes_only for m in self.models) or any(s > 1 for s in sizes)
        self.min_class_size = max(sizes) if has_min and sizes else None
        self.outcomes: dict[int, NodeOutcome] = {}
        self._cells: dict[tuple[int, ...], dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}
        self.table_models = [m for m in self.models if not m.per_class]
        #: a failing state of a table-level model that suppresses more records stops its enforcement
        #: (ARX's early abort in the search); None when one transformation is scored
        self.enforce_cap: int | None = self.budget
        self._top: dict[tuple[int, int], np.ndarray] = {}
        # delta-presence: the research subset is what is released and measured (ARX): utility,
        # suppressed records and the budget count its records; the other records only count in
        # the population side of delta.
        self.subset = self.context.get("in_subset")
        self.n_measured = generalizer.n
        bottom_weights = generalizer.bottom.sizes
        if self.subset is not None:
            self.subset = np.asarray(self.subset, dtype=bool)
            self.n_measured = int(self.subset.sum())
            self.budget = suppression_budget(self.limit, self.n_measured)
            self.enforce_cap = self.budget
            bottom_weights = np.bincount(generalizer.record_bottom, weights=self.subset,
                                         minlength=generalizer.bottom.classes)
            # sensitive values of records outside the subset are left out of every histogram
            from dataclasses import replace

            self.sensitive = {name: replace(col, codes=np.where(self.subset, col.codes, -1).astype(col.codes.dtype))
                              for name, col in self.sensitive.items()}
        if metric.reads_value_counts():
            b = generalizer.bottom
            metric.prepare([np.bincount(b.rep_cols[i], weights=bottom_weights, minlength=gm.table.shape[0])
                            for i, gm in enumerate(generalizer.maps)])
        if not self._sizes_only and prepare_models:
            # prepare_models=False: the models keep what they learnt from a larger table (a round
            # of local recoding measures t-closeness against the whole table, as ARX does)
            bottom = self.g.bottom
            stats = self._stats(bottom)
            for m in self.models:
                m.prepare(stats)

    # ARX ``ARXConfiguration.getMonotonicityOfPrivacy``
    def privacy_monotonicity(self) -> str:
        for m in self.models:
            ok = m.monotone_generalization if self.limit == 0 else (m.monotone_generalization and m.monotone_suppression)
            if not ok:
                return PARTIAL if self.min_class_size is not None else NONE
        return FULL

    def _stats(self, nc: NodeClasses) -> ClassStatistics:
        context = self.context
        if self.node_context is not None:
            context = {**context, **self.node_context.for_node(nc.levels, nc.gen)}
        if self._sizes_only:
            return ClassStatistics(record_class=np.empty(0, dtype=np.int64), sizes=nc.sizes, context=context)
        stats = _NodeStatistics(self.g, nc, self.sensitive, context)
        parent = nc.parent
        cells = self._cells.get(parent[0]) if parent is not None else None
        if cells and parent is not None:
            # Roll the sensitive histograms up from the finer node's non-zero cells when there are
            # fewer of them than records (same integer counts as counting the records).
            c = nc.classes
            for name, (v, cls, cnt) in cells.items():
                if v.shape[0] >= self.g.n:
                    continue
                d = max(len(self.sensitive[name].dictionary), 1)
                flat = v * c + parent[1].take(cls)
                # float counts of integers: exact; made int only if a model asks for the histogram
                stats._cache[("dense_f", name)] = np.bincount(flat, weights=cnt, minlength=c * d)
        return stats

    def _keep_cells(self, levels: tuple[int, ...], stats: ClassStatistics) -> None:
        """Remember the non-zero histogram cells of a checked node for its generalizations."""
        cells = {name: stats._sparse(name) for name in self.sensitive
                 if name in stats._cache or ("dense_f", name) in stats._cache}
        if cells:
            if len(self._cells) >= 1024:
                self._cells.pop(next(iter(self._cells)))  # oldest first: the search moves upwards
            self._cells[levels] = cells

    def _check(self, node: int) -> tuple[NodeOutcome, Evaluation]:
        """Classes, verdicts and suppression of ``node``; the score is left to the caller."""
        if self.memo is None or self.table_models:
            # (a table-level model's suppression follows the metric's class losses: never reused)
            return self._check_fresh(node)
        hit = self.memo.get(node)
        if hit is not None:
            return hit
        out, ev = self._check_fresh(node)
        self.memo.put(node, out, ev)
        return out, ev

    def _check_fresh(self, node: int) -> tuple[NodeOutcome, Evaluation]:
        levels = self.lattice.level_tuple(node)
        nc = self.g.classes(levels, need_bottom_map=not self._sizes_only)
        sizes = nc.sizes
        vetoed = False
        if self._sizes_only:
            # k-anonymity alone: a class passes when it is large enough.
            suppressed = nc.sizes < self.min_class_size
        else:
            stats = self._stats(nc)
            if self.subset is not None:
                sizes = stats.class_sums(self.subset).astype(np.int64)
                stats.sizes = sizes
            passes = np.ones(nc.classes, dtype=bool)
            for m in self.models:
                if m.per_class:
                    ok = np.asarray(m.check(stats), dtype=bool)
                    passes &= ok
                    if (self.subset is not None and self.min_class_size is None and m.suppresses_outside_subset
                            and (~ok & (sizes == 0)).any()):
                        # ARX: a class without research-subset records that fails delta-presence
                        # cannot be suppressed (nothing of it is released), so the transformation
                        # fails; with a minimal class size, ARX reports such a class as too small
                        # first and lets it pass.
                        vetoed = True
            suppressed = ~passes
            if self.subset is not None:
                suppressed &= sizes > 0   # only classes of the research subset are suppressed
            self._keep_cells(levels, stats)
        supp_records = int(sizes[suppressed].sum()) if suppressed.any() else 0
        if self.table_models:
            from unlinkable.search.enforce import enforce

            top = self._top_classes(nc)
            suppressed = enforce(self.table_models, stats, suppressed, self._candidates(nc, stats, suppressed, top),
                                 top, cap=self.enforce_cap)
            supp_records = int(sizes[suppressed & ~top].sum())
            stats.sizes = sizes
        anonymous = supp_records <= self.budget and not vetoed
        # ARX's class order is the classes' own when the generalizer numbers them so (no records read)
        first = None if self.g.first_record_order else partial(self.g.first_records, nc)
        if self.subset is not None:
            ev = Evaluation(levels, sizes, nc.gen, suppressed, self.n_measured, self.g.maps, self.names, rep=nc.rep,
                            first_records=first)
        else:
            ev = Evaluation(levels, nc.sizes, None, suppressed, self.g.n, self.g.maps, self.names, node=nc,
                            first_records=first)
        return NodeOutcome(node, levels, nc, suppressed, supp_records, anonymous, None), ev

    def _top_classes(self, nc: NodeClasses) -> np.ndarray:
        """Classes generalized to the top value of every hierarchy (ARX leaves them out of the
        risk distribution and counts none of their records as suppressed)."""
        top = np.ones(nc.classes, dtype=bool)
        for i, (gm, lv) in enumerate(zip(self.g.maps, nc.levels)):
            key = (i, int(lv))
            is_top = self._top.get(key)
            if is_top is None:
                labels = gm.labels[lv]
                highest = gm.labels[gm.levels - 1][0]
                is_top = self._top[key] = np.array([lab == highest for lab in labels], dtype=bool)
            top &= is_top[nc.gen[:, i]]
        return top

    def _candidates(self, nc: NodeClasses, stats: ClassStatistics, suppressed: np.ndarray,
                    top: np.ndarray) -> np.ndarray:
        """Classes a table-level model may suppress, in ARX's order: by size, then (Loss only) by
        the class's own loss, then by first record."""
        sizes = np.asarray(stats.sizes)
        cand = np.flatnonzero(~suppressed & ~top & (sizes > 0))
        # Ties go to the class whose first record comes first: the class number itself when the
        # generalizer numbers classes in that order, else the first records through the bottom
        # classes (every record is in a class of the node; no pass over the records).
        first = cand if self.g.first_record_order else self.g.first_records(nc)[cand]
        losses = self.metric.class_losses(nc.levels, sizes[cand], nc.gen[cand], self.g.maps)
        if losses is not None:
            order = np.lexsort((first, losses, sizes[cand]))
        else:
            order = np.lexsort((first, sizes[cand]))
        return cand[order]

    def outcome(self, node: int) -> NodeOutcome:
        hit = self.outcomes.get(node)
        if hit is not None:
            return hit
        out, ev = self._check(node)
        out.score = self.metric.evaluate(ev)
        self.outcomes[node] = out
        return out

    def __call__(self, node: int) -> NodeOutcome:
        return self.outcome(node)

    def result(self, node: int) -> NodeResult:
        """The search's view of a node (FLASH ``TransformationResult``).

        FLASH reads the loss of anonymous transformations only (the optimum and the pruning bound
        come from them), so for the others only the metric's lower bound is computed; their loss
        is computed again from the node if something reads it later (the no-solution message).
        """
        hit = self.outcomes.pop(node, None)
        if hit is not None:
            out, ev = hit, None
        else:
            out, ev = self._check(node)
        k_anon = None
        if self._sizes_only:
            k_anon = out.anonymous  # the same test: records in classes below the minimal size
        elif self.min_class_size is not None:
            small = out.classes.sizes < self.min_class_size
            k_anon = int(out.classes.sizes[small].sum()) <= self.budget
        if out.score is None:
            if ev is None:  # a stored outcome is always scored (see outcome())
                raise InternalError(f"node {node}: a stored outcome without a score")
            if not out.anonymous:
                if self.metric.has_levels_bound():
                    # A function of the levels: read only if the search prunes.
                    bound = partial(self._levels_bound, out.levels)
                    return _DeferredResult(self, node, k_anon, bound, out.suppressed_records)
                lower = self.metric.lower_bound(ev)
                if lower is not None:
                    return _DeferredResult(self, node, k_anon, lower, out.suppressed_records)
            out.score = self.metric.evaluate(ev)
        # Keep memory flat: the search needs the verdict and scores, not the classes.
        return NodeResult(out.anonymous, k_anon, out.score.value, out.score.lower_bound,
                          (out.suppressed_records, out.score))

    def _levels_bound(self, levels: tuple[int, ...]) -> float:
        bound = self.metric.levels_bound(levels, self.g.maps, self.g.n)
        if bound is None:
            raise InternalError(f"{type(self.metric).__name__} declares a bound from the levels but gave none")
        return bound


class _DeferredResult(NodeResult):
    """A non-anonymous node's result whose score is computed (from the node again) only if read."""

    def __init__(self, evaluator: NodeEvaluator, node: int, k_anonymous: bool | None,
                 lower_bound: float | Callable[[], float], suppressed: int) -> None:
        self.anonymous = False
        self.k_anonymous = k_anonymous
        self._bound = lower_bound
        self._evaluator = evaluator
        self._node = node
        self._suppressed = suppressed
        self._score: Score | None = None

    def _scored(self) -> Score:
        if self._score is None:
            self._score = self._evaluator.outcome(self._node).score
            self._evaluator.outcomes.pop(self._node, None)
        if self._score is None:
            raise InternalError(f"node {self._node}: scored without a score")
        return self._score

    @property
    def lower_bound(self) -> float:  # type: ignore[override]
        if callable(self._bound):
            self._bound = self._bound()
        return self._bound

    @property
    def loss(self) -> float:  # type: ignore[override]
        return self._scored().value

    @property
    def payload(self) -> tuple[int, Score]:  # type: ignore[override]
        return (self._suppressed, self._scored())


def suppressed_of(res: NodeResult) -> int | None:
    """Records a checked node would suppress (without computing a deferred score)."""
    if isinstance(res, _DeferredResult):
        return res._suppressed
    payload = res.payload
    return int(payload[0]) if isinstance(payload, tuple) and payload else None


__all__ = ["NodeEvaluator", "NodeOutcome", "CheckMemo", "Flash", "NodeResult", "SearchOutcome", "Lattice", "strategy_keys",
           "FULL", "PARTIAL", "NONE"]
