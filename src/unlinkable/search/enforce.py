"""Table-level privacy models are met by suppressing classes, smallest first (ARX 3.9.2).

A table-level model (average risk, sample or population uniqueness) judges the released classes
as a whole. As ARX does (``RiskBasedCriterion.enforce`` over a ``HashGroupifyDistribution``), the
classes that the per-class models keep are ordered by size, then (for the Loss metric only) by
the loss of the class alone, then by their first record, and the shortest prefix of that order
whose suppression meets the model is found by ARX's binary search, state for state, so the same
classes are suppressed. A class generalized to the top of every hierarchy is never a candidate and
counts neither as released nor as suppressed, as in ARX.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from unlinkable.models.base import ClassStatistics, PrivacyModel


def binary_suppression(count: int, fulfilled: Callable[[np.ndarray], bool],
                       aborts: Callable[[np.ndarray], bool] | None = None) -> np.ndarray:
    """ARX's ``suppressWhileNotFulfilledBinary`` over ``count`` ordered candidates.

    ``fulfilled(mask)`` says whether the model holds with the candidates in ``mask`` suppressed;
    ``aborts(mask)`` (optional) whether a failing state already suppresses too much to go on.
    Returns the suppressed mask ARX ends with.

    Examples
    --------
    >>> # the model holds once the 3 smallest of 8 candidates are suppressed
    >>> binary_suppression(8, lambda m: int(m.sum()) >= 3).nonzero()[0].tolist()
    [0, 1, 2]
    """
    done = np.zeros(count, dtype=bool)
    if count == 0:
        return done
    low, high = 0, count - 1
    mid = (low + high) // 2
    done[low:mid + 1] = True
    aborted = False
    while low <= high:
        ok = fulfilled(done)
        if not ok and aborts is not None and aborts(done):
            aborted = True
            break
        if ok:
            high = mid - 1
            mid = (low + high) // 2
            i = mid + 1
            while i < count and done[i]:
                done[i] = False
                i += 1
        else:
            low = mid + 1
            mid = (low + high) // 2
            if low <= mid:
                done[low:mid + 1] = True
    if not aborted:
        ok = fulfilled(done)
        stop = not ok and aborts is not None and aborts(done)
        if not ok and not stop and mid + 1 < count and not done[mid + 1]:
            done[mid + 1] = True
    return done


def enforce(models: Sequence[PrivacyModel], stats: ClassStatistics, suppressed: np.ndarray,
            candidates_order: np.ndarray, top: np.ndarray, *, cap: int | None = None) -> np.ndarray:
    """Suppress classes until every table-level model in ``models`` holds (ARX's enforcement).

    Parameters
    ----------
    models : the table-level models (``per_class`` False), in ARX's order
    stats : the node's class statistics
    suppressed : bool per class, the classes the per-class models suppress
    candidates_order : the candidate classes (kept, non-empty, not ``top``) in ARX's order
    top : bool per class, generalized to the top of every hierarchy
    cap : stop (as ARX's search does) once a failing state suppresses more records than this

    Returns
    -------
    The new suppressed mask (bool per class).

    Examples
    --------
    >>> from unlinkable.models.uniqueness import SampleUniqueness
    >>> sizes = np.array([1, 1, 3, 5])
    >>> stats = ClassStatistics(np.repeat(np.arange(4), sizes), sizes)
    >>> none = np.zeros(4, dtype=bool)
    >>> enforce([SampleUniqueness(threshold=0.1)], stats, none, np.array([0, 1, 2, 3]), none).tolist()
    [True, True, False, False]
    """
    sizes = np.asarray(stats.sizes, dtype=np.int64)
    out = np.asarray(suppressed, dtype=bool).copy()
    order = np.asarray(candidates_order, dtype=np.int64)
    base = int(sizes[out & ~top].sum())   # ARX counts no record of a top class as suppressed
    cand_sizes = sizes[order]
    for model in models:
        def released_with(done: np.ndarray) -> np.ndarray:
            released = ~out & ~top & (sizes > 0)
            released[order[done]] = False
            return np.asarray(released)

        def fulfilled(done: np.ndarray) -> bool:
            return bool(model.holds(stats, released_with(done)))  # noqa: B023 - used within this iteration only

        if fulfilled(np.zeros(order.shape[0], dtype=bool)):
            continue
        aborts = None
        if cap is not None:
            # The longest prefix within the cap decides: if even it fails, the transformation
            # cannot meet the model within the limit (ARX's search would abort on the way), so one
            # evaluation replaces the binary search, whose state is only read for transformations
            # that pass.
            room = cap - base
            within = int(np.searchsorted(np.cumsum(cand_sizes), room, side="right")) if room >= 0 else 0
            probe = np.zeros(order.shape[0], dtype=bool)
            probe[:within] = True
            if room < 0 or not fulfilled(probe):
                probe[:min(within + 1, order.shape[0])] = True
                out[order[probe]] = True
                break
            already = base

            def aborts(done: np.ndarray, already: int = already, cap: int = cap) -> bool:
                return bool(already + int(cand_sizes[done].sum()) > cap)

        done = binary_suppression(order.shape[0], fulfilled, aborts)
        out[order[done]] = True
        base = int(sizes[out & ~top].sum())
        if cap is not None and base > cap:
            break
    return out


__all__ = ["binary_suppression", "enforce"]
