"""ARX's genetic search (``BEST_EFFORT_GENETIC``), draw for draw.

Two sub-populations of ``m + subpopulation_size`` transformations (``m`` quasi-identifiers) evolve
for ``iterations`` rounds. The first starts with a "triangle" (attributes ``0..i`` at their top
level, the rest at the bottom) and random individuals, the second with random individuals. Each
round sorts both by loss, then per sub-population: the elite is kept, ``crossover_fraction`` of the
worst are replaced by children of parents drawn with probability proportional to their scaled
fitness among the best ``production_fraction``, and the rest are mutated copies (up to
``ceil(mutation_probability * m)`` attributes set to random levels). Every round the fittest
``immigration_fraction`` move between the two sub-populations; ARX computes that count as
``(int) fraction * k``, which is 0 for any fraction below 1, and so does this module.

The random draws are ``java.util.Random``'s (``unlinkable.java_random.JavaRandom``), in ARX's
order, so a seed gives ARX's run (ARX's deterministic mode is the seed ``0xDEADBEEF`` read as a
Java int, -559038737). The search stops after ``step_limit`` checked transformations or
``time_limit_s``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from unlinkable.constraints import Constraint, Interval, check, check_keys
from unlinkable.java_random import JavaRandom, java_round
from unlinkable.search.flash import NodeResult, SearchOutcome
from unlinkable.search.lattice import Lattice

#: ARX's ``new Random(0xDEADBEEF)`` (``setGeneticAlgorithmDeterministic(true)``): an int literal, sign-extended
ARX_DETERMINISTIC_SEED = -559038737


#: each setting's constraint (ARX's ``setGeneticAlgorithm*`` take any value; these keep the algorithm defined:
#: a positive count, fractions of a sub-population, a production pool of at least one individual)
GENETIC_SETTINGS: dict[str, Constraint] = {
    "subpopulation_size": Interval(int, 1, None),
    "iterations": Interval(int, 1, None),
    "crossover_fraction": Interval(float, 0, 1),
    "elite_fraction": Interval(float, 0, 1),
    "production_fraction": Interval(float, 0, 1, closed="right"),
    "mutation_probability": Interval(float, 0, 1),
    "immigration_fraction": Interval(float, 0, 1),
    "immigration_interval": Interval(int, 1, None),
}


@dataclass(frozen=True)
class GeneticOptions:
    """ARX's genetic-algorithm settings (``ARXConfiguration.setGeneticAlgorithm*``), with ARX's defaults.

    ``subpopulation_size`` individuals beyond one per quasi-identifier in each of the two
    sub-populations, ``iterations`` rounds; per round the best ``elite_fraction`` are kept, the worst
    ``crossover_fraction`` replaced by children of parents from the best ``production_fraction``,
    the rest mutated (up to ``ceil(mutation_probability * m)`` attributes); every
    ``immigration_interval`` rounds the best ``immigration_fraction`` move (ARX's integer cast makes
    that none below 1). Checked against :data:`GENETIC_SETTINGS` when made.

    Examples
    --------
    >>> GeneticOptions(iterations=10).iterations, GeneticOptions().subpopulation_size
    (10, 100)
    """

    subpopulation_size: int = 100
    iterations: int = 50
    crossover_fraction: float = 0.2
    elite_fraction: float = 0.2
    production_fraction: float = 0.2
    mutation_probability: float = 0.2
    immigration_fraction: float = 0.2
    immigration_interval: int = 10

    def __post_init__(self) -> None:
        for name, constraint in GENETIC_SETTINGS.items():
            object.__setattr__(self, name, check(getattr(self, name), constraint, name, owner="the genetic search",
                                                 hint=f"ARX's default is {getattr(GeneticOptions, name)}"))

    @classmethod
    def from_mapping(cls, settings: Mapping[str, Any]) -> GeneticOptions:
        """The settings given (the others at ARX's defaults), unknown names refused.

        >>> GeneticOptions.from_mapping({"elite_fraction": 0.1}).elite_fraction
        0.1
        """
        check_keys(settings, tuple(GENETIC_SETTINGS), "the genetic search", noun="setting")
        return cls(**settings)


class _Stop(Exception):
    """The step or time limit is reached (ARX returns from the traversal)."""


def genetic(lattice: Lattice, checker: Callable[[int], NodeResult], *, seed: int,
            options: GeneticOptions = GeneticOptions(), step_limit: int | None = None,
            time_limit_s: float | None = None,
            progress: Callable[[int, None], None] | None = None) -> SearchOutcome:
    """ARX's genetic search over ``lattice``; the optimum is the best anonymous node it checked.

    Examples
    --------
    >>> lat = Lattice([3, 3])
    >>> loss = {v: float(lat.level_sum[v]) for v in range(lat.size)}
    >>> check = lambda v: NodeResult(lat.level_sum[v] >= 2, None, loss[v], loss[v])
    >>> out = genetic(lat, check, seed=1, options=GeneticOptions(subpopulation_size=4, iterations=3))
    >>> int(lat.level_sum[out.optimum])
    2

    Notes
    -----
    Wan, Vorobeychik, Xia, Clayton, Kantarcioglu, Malin: "Expanding Access to Large-Scale Genomic
    Data While Promoting Privacy: A Game Theoretic Approach", AJHG 100(2), 2017 (the algorithm);
    ARX 3.9.2 ``algorithm/GeneticAlgorithm.java`` (this variant).
    """
    start = time.perf_counter()
    random = JavaRandom(seed)
    heights = [int(h) for h in lattice.heights]
    m = len(heights)
    results: dict[int, NodeResult] = {}
    level_sum = lattice.level_sum
    best: int | None = None
    best_loss = 0.0

    def must_stop() -> bool:
        if step_limit is not None and len(results) >= step_limit:
            return True
        return time_limit_s is not None and time.perf_counter() - start > time_limit_s

    def individual(levels: list[int]) -> int:
        nonlocal best, best_loss
        v = lattice.id_of(levels)
        res = results.get(v)
        if res is None:
            res = results[v] = checker(v)
            if progress is not None:
                progress(len(results), None)
        loss = res.loss
        if res.anonymous and (best is None or loss < best_loss
                              or (loss == best_loss and level_sum[v] < level_sum[best])):
            best, best_loss = v, loss
        return v

    def random_level(i: int) -> int:
        return java_round(random.next_double() * (heights[i] - 1))

    def loss(v: int) -> float:
        return results[v].loss

    def parents(population: list[int], production: int, count: int) -> list[int]:
        """Commons Math's ``EnumeratedDistribution`` over the best ``production`` by scaled fitness."""
        pool = population[:production]
        losses = [loss(v) for v in pool]
        low, high = min(losses), max(losses)
        fitness = [1.0 - (0.0 if high - low == 0.0 else (x - low) / (high - low)) for x in losses]
        total = 0.0
        for p in fitness:
            total += p
        cumulative, running = [], 0.0
        for p in fitness:
            running += p * 1.0 / total
            cumulative.append(running)
        drawn = []
        for _ in range(count):
            u = random.next_double()
            index = _binary_search(cumulative, u)
            drawn.append(pool[index] if index < len(pool) and u < cumulative[index] else pool[-1])
        return drawn

    def iterate(population: list[int]) -> None:
        old = list(population)
        k = len(population)
        crossovers = math.ceil(options.crossover_fraction * k)
        elite = math.ceil(options.elite_fraction * k)
        production = math.ceil(options.production_fraction * k)
        first = parents(population, production, crossovers)
        second = parents(population, production, crossovers)
        for c in range(crossovers):
            child = []
            for i in range(m):
                parent = first[c] if random.next_double() < 0.5 else second[c]
                child.append(int(lattice.levels[parent, i]))
            if must_stop():
                raise _Stop
            population[k - c - 1] = individual(child)
        most = math.ceil(options.mutation_probability * m)
        for slot in range(elite, k - crossovers):
            source = old[random.next_int(k)]
            levels = [int(x) for x in lattice.levels[source]]
            mutations = random.next_int(most + 1)
            places = list(range(m))
            random.shuffle(places)
            for i in places[:mutations]:
                levels[i] = random_level(i)
            population[slot] = individual(levels)
            if must_stop():
                raise _Stop

    k = m + options.subpopulation_size
    immigrants = int(options.immigration_fraction) * k   # ARX: (int) fraction * k
    try:
        z1: list[int] = []
        for i in range(k):
            if i < m:
                levels = [heights[j] - 1 if j <= i else 0 for j in range(m)]
            else:
                levels = [random_level(j) for j in range(m)]
            if must_stop():
                raise _Stop
            z1.append(individual(levels))
        z2: list[int] = []
        for _ in range(k):
            levels = [random_level(j) for j in range(m)]
            if must_stop():
                raise _Stop
            z2.append(individual(levels))
        for t in range(options.iterations):
            z1.sort(key=loss)   # stable, as Java's List.sort
            z2.sort(key=loss)
            if t % options.immigration_interval == 0:
                moved = z1[:min(len(z1), immigrants)]
                del z1[:len(moved)]
                z2.extend(moved)
                moved = z2[:min(len(z2), immigrants)]
                del z2[:len(moved)]
                z1.extend(moved)
                z1.sort(key=loss)
                z2.sort(key=loss)
            iterate(z1)
            iterate(z2)
            if must_stop():
                break
    except _Stop:
        pass
    return SearchOutcome(best, len(results), lattice.size, results)


def _binary_search(values: list[float], key: float) -> int:
    """The insertion point of ``Arrays.binarySearch(double[], key)`` (an exact hit: its index)."""
    low, high = 0, len(values) - 1
    while low <= high:
        mid = (low + high) >> 1
        if values[mid] < key:
            low = mid + 1
        elif values[mid] > key:
            high = mid - 1
        else:
            return mid
    return low


__all__ = ["genetic", "GeneticOptions", "GENETIC_SETTINGS", "ARX_DETERMINISTIC_SEED"]
