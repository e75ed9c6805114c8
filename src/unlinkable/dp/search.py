"""SafePub's data-dependent search: the exponential mechanism walking down the generalization lattice.

Bild, Kuhn and Prasser, "SafePub: A Truthful Data Anonymization Algorithm With Strong Privacy
Guarantees", PoPETs 2018 (1), Section 5; ARX 3.9.2 ``algorithm/DataDependentEDDPAlgorithm.java``,
``dp/ExponentialMechanism.java`` and the ``getScore`` of each quality model. Part of the budget
(``search_budget``) selects the transformation, the rest (``epsilon - search_budget``, ARX's
interval lower bound) is SafePub's sampling and k-suppression (``dp/parameters.py``).

The walk starts at the top of the lattice. At each of ``steps`` expansions the predecessors of the
current pivot join the candidates, the pivot leaves them, and the next pivot is drawn with
probability proportional to ``exp(0.5 * epsilon_step * score)``, ``epsilon_step`` the lower bound
of ``search_budget / steps``. The best-scoring pivot (ties: the lower level sum) is released.

Each score (:func:`score`) is ARX's exact rational, already divided by its sensitivity (so larger
is better), converted to a double as ``BigFraction.doubleValue`` does. Records left out of the
sample count as suppressed.

The uniform draw of each step comes from the operating system's cryptographic source; no seed
exists. OpenDP (0.16) was weighed for this draw and is not used: its pure-DP selection
(``make_noisy_max`` with ``max_divergence``) is permute-and-flip (exponential noise), a different
distribution with the same epsilon (scores 0, 1, 2 at scale 2: the best is picked with probability
about 0.59 against the exponential mechanism's 0.51), so it would not be ARX's mechanism; the Gumbel
form that is (``make_report_noisy_max_gumbel``) is deprecated since 0.14, and its replacement
accounts in zero-concentrated DP (rho), not in SafePub's epsilon. OpenDP also takes its own
randomness, so ARX's seeded replay below could not go through it either.

``deterministic=True`` replays ARX's test stream (``new Random(0xDEADBEEF)``) and ARX's
candidate order (a ``java.util.HashMap`` of lattice ids, emulated by :class:`_JavaHashOrder`): the
choice is then public and NOT differentially private (Python API only, for comparing with ARX).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from unlinkable.dp.parameters import interval_low
from unlinkable.dp.sampling import ARX_SEED
from unlinkable.java_random import next_doubles

#: metrics with a score function (ARX's ``isScoreFunctionSupported``)
SCORED_METRICS = ("aecs", "loss", "precision", "discernibility", "entropy", "classification")


def score(metric: str, *, sizes: np.ndarray, suppressed: np.ndarray, gen: Callable[[int], np.ndarray],
          levels: Sequence[int], maps: Sequence[Any], n_total: int, k: int, response: Sequence[int] = ()) -> Fraction:
    """ARX's score of one transformation for the data-dependent search (larger is better).

    ``sizes`` and ``suppressed`` describe the classes of the sampled records; ``gen(i)`` gives the
    generalized codes of attribute ``i`` per class; ``n_total`` counts every input record (the
    ones left out of the sample count as suppressed). ``response`` indexes the classification metric's
    response attributes among the quasi-identifiers.

    Examples
    --------
    >>> import numpy as np
    >>> score("aecs", sizes=np.array([5, 1]), suppressed=np.array([False, True]), gen=None, levels=[1],
    ...       maps=[], n_total=6, k=2)
    Fraction(2, 1)
    >>> score("discernibility", sizes=np.array([5, 1]), suppressed=np.array([False, True]), gen=None,
    ...       levels=[1], maps=[], n_total=6, k=2)   # -(6 x 1 + 5^2) / (6 x (4/1 + 1))
    Fraction(-31, 30)
    """
    sizes = np.asarray(sizes, dtype=np.int64)
    released = ~np.asarray(suppressed, dtype=bool) & (sizes > 0)
    kept = int(sizes[released].sum())
    outside = n_total - kept   # suppressed by k or left out of the sample
    m = len(levels)
    if metric == "aecs":
        # sensitivity one; every suppressed record (by k or by the sample) forms one class
        return Fraction(int(released.sum()) + (1 if outside > 0 else 0))
    if metric == "discernibility":
        penalty = n_total * outside + int((sizes[released] ** 2).sum())
        return -Fraction(penalty) / (n_total * _k_term(k))
    rows = np.flatnonzero(released)
    if metric == "loss":
        total = Fraction(m * outside)
        for i, (gm, level) in enumerate(zip(maps, levels)):
            covered = gm.row_counts[level][gen(i)[rows]].astype(np.int64)
            total += Fraction(int((covered * sizes[rows]).sum()), gm.domain_size)
        out = -total / m
        return out / (k - 1) if k > 1 else out
    if metric == "precision":
        total = Fraction(0)
        for gm, level in zip(maps, levels):
            share = Fraction(level, gm.max_level) if gm.max_level else Fraction(0)
            total += kept * share + outside
        out = -total / m
        return out / (k - 1) if k > 1 else out
    if metric == "entropy":
        squares = 0
        for i, (gm, level) in enumerate(zip(maps, levels)):
            codes = gen(i)[rows]
            root = _root(gm)
            at_root = np.zeros(codes.shape[0], dtype=bool) if root is None else \
                np.array([lab == root for lab in gm.labels[level]], dtype=bool)[codes]
            per_value = np.bincount(codes[~at_root], weights=sizes[rows][~at_root]).astype(np.int64)
            squares += int((per_value ** 2).sum()) + n_total * (int(sizes[rows][at_root].sum()) + outside)
        return -Fraction(squares, n_total * m) / _k_term(k)
    if metric == "classification":
        from unlinkable.utility.classification import majority_counts

        # per response: the majority counts of the groups equal on the other attributes, scaled by
        # 1 - level / maximal level; the sensitivity is k per response attribute
        total = Fraction(0)
        if rows.size:
            classes = np.column_stack([gen(i)[rows] for i in range(m)])
            for t in response:
                _, top, _ = majority_counts(classes, sizes[rows], t)
                top_level = maps[t].max_level
                scale = 1 - Fraction(levels[t], top_level) if top_level else Fraction(1)
                total += int(top.sum()) * scale
        return total / (k * len(response))
    raise ValueError(f"no score function for metric {metric!r}")


def _k_term(k: int) -> Fraction:
    return Fraction(5) if k == 1 else Fraction(k * k, k - 1) + 1


def _root(gm: Any) -> str | None:
    """The single value of the hierarchy's top level, if every hierarchy row ends in it."""
    top = gm.max_level
    if len(gm.row_counts[top]) == 1 and int(gm.row_counts[top][0]) == gm.domain_size:
        return str(gm.labels[top][0])
    return None


def to_double(value: Fraction) -> float:
    """``BigFraction.doubleValue`` (numerator / denominator as doubles), refused beyond one ulp as ARX does.

    Examples
    --------
    >>> to_double(Fraction(-31, 30))
    -1.0333333333333334
    """
    d = float(value.numerator) / float(value.denominator)
    if not math.isfinite(d) or abs(Fraction(d) - value) > Fraction(math.ulp(d)):
        raise ValueError("a score cannot be represented as a double within one ulp")
    return d


def exponential_choice(scores: Sequence[float], epsilon: float, uniform: float) -> int:
    """The index the exponential mechanism picks for one uniform double in [0, 1) (ARX's arithmetic).

    Probabilities ``exp(0.5 * epsilon * s - max)``, normalized by their sum, and a search in their
    running sums, as commons-math's ``EnumeratedDistribution`` does.

    Examples
    --------
    >>> exponential_choice([0.0, 0.0], 1.0, 0.4), exponential_choice([0.0, 0.0], 1.0, 0.6)
    (0, 1)
    """
    exponents = [0.5 * epsilon * s for s in scores]
    shift = max(exponents)
    weights = [math.exp(e - shift) for e in exponents]
    total = 0.0
    for w in weights:
        total += w
    running = 0.0
    for i, w in enumerate(weights):
        running += w * 1.0 / total
        if uniform < running:
            return i
    return len(weights) - 1


class _JavaHashOrder:
    """The iteration order of ARX's ``HashMap<Long, ILScore>`` of candidates: by bucket of the
    spread hash, then by insertion; the table doubles past 3/4 load. (Bins of eight or more keys,
    which Java turns into trees, are not emulated: at this load they do not occur in practice.)"""

    def __init__(self) -> None:
        self.capacity = 16
        self.inserted: dict[int, int] = {}
        self.counter = 0

    def add(self, key: int) -> None:
        self.inserted[key] = self.counter
        self.counter += 1
        if len(self.inserted) > 0.75 * self.capacity:
            self.capacity *= 2

    def remove(self, key: int) -> None:
        del self.inserted[key]

    def __contains__(self, key: int) -> bool:
        return key in self.inserted

    def __len__(self) -> int:
        return len(self.inserted)

    def ordered(self) -> list[int]:
        def bucket(v: int) -> int:
            h = (v ^ (v >> 32)) & 0xFFFFFFFF
            return (h ^ (h >> 16)) & (self.capacity - 1)
        return sorted(self.inserted, key=lambda v: (bucket(v), self.inserted[v]))


def _secure_uniform() -> float:
    return (int.from_bytes(os.urandom(8), "little") >> 11) * (1.0 / (1 << 53))


def search(lattice: Any, node_score: Callable[[int], Fraction], *, steps: int, search_budget: float,
           deterministic: bool = False, progress: Callable[[int, int | None], None] | None = None) -> tuple[int, Fraction, int]:
    """The released transformation: (node, its score, nodes scored).

    Examples
    --------
    >>> from unlinkable.search.lattice import Lattice
    >>> lat = Lattice([2, 2])
    >>> node, best, checked = search(lat, lambda n: Fraction(int(lat.level_sum[n])), steps=2, search_budget=1.0,
    ...                              deterministic=True)
    >>> best, checked     # the top (level sum 2) scores best here, and is kept
    (Fraction(2, 1), 4)
    """
    epsilon_step = interval_low(search_budget / steps)
    uniforms = iter(next_doubles(ARX_SEED, steps).tolist()) if deterministic else None
    scores: dict[int, Fraction] = {}
    order = _JavaHashOrder()
    pivot = lattice.top
    scores[pivot] = node_score(pivot)
    order.add(pivot)
    best, best_score = pivot, scores[pivot]
    for _step in range(steps):
        # ARX's predecessor list runs from the last attribute to the first (it fixes the hash order)
        for node in reversed(lattice.predecessors(pivot)):
            if node not in order:   # a former pivot may come back as a candidate (ARX re-adds it)
                if node not in scores:
                    scores[node] = node_score(node)
                order.add(node)
        order.remove(pivot)
        if not len(order):
            break
        candidates = order.ordered() if deterministic else list(order.inserted)
        uniform = next(uniforms) if uniforms is not None else _secure_uniform()
        pivot = candidates[exponential_choice([to_double(scores[c]) for c in candidates], epsilon_step, uniform)]
        if scores[pivot] > best_score or (scores[pivot] == best_score and lattice.level_sum[pivot] < lattice.level_sum[best]):
            best, best_score = pivot, scores[pivot]
        if progress is not None:
            progress(len(scores), None)
    return best, best_score, len(scores)


__all__ = ["SCORED_METRICS", "exponential_choice", "interval_low", "score", "search", "to_double"]
