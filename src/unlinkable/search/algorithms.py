"""The search algorithms by name: one list for the API, the command line and job files.

``optimal`` is FLASH (``search/flash.py``), run by the anonymizer with its monotonicity settings;
the others are heuristics for lattices too large for it, each in its own module with the signature
``(lattice, checker, *, step_limit, time_limit_s, progress, ...) -> SearchOutcome``. Adding one is
a module plus a line in ``HEURISTICS``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from unlinkable.search.flash import NodeResult, SearchOutcome
    from unlinkable.search.genetic import GeneticOptions
    from unlinkable.search.lattice import Lattice

#: name -> what it is (ARX's name in brackets)
HEURISTICS: dict[str, str] = {
    "heuristic": "best-first by loss from the bottom",
    "lightning": "LIGHTNING bottom-up: best-first with depth-first dives (ARX BEST_EFFORT_BOTTOM_UP)",
    "top-down": "LIGHTNING top-down: best-first from the top (ARX BEST_EFFORT_TOP_DOWN)",
    "genetic": "genetic algorithm, seeded (ARX BEST_EFFORT_GENETIC)",
}
ALGORITHMS: tuple[str, ...] = ("optimal", *HEURISTICS)
#: algorithms that draw random numbers and so need a seed
SEEDED: tuple[str, ...] = ("genetic",)
#: a seed is a Java long (java.util.Random's)
SEED_RANGE = (-(1 << 63), (1 << 63) - 1)


def run_heuristic(name: str, lattice: Lattice, checker: Callable[[int], NodeResult], *,
                  step_limit: int | None = None, time_limit_s: float | None = None, seed: int | None = None,
                  genetic_options: GeneticOptions | None = None,
                  progress: Callable[[int, None], None] | None = None) -> SearchOutcome:
    """Run the heuristic search ``name``; the outcome's optimum is the best anonymous node it checked.

    Examples
    --------
    >>> from unlinkable.search.flash import NodeResult
    >>> from unlinkable.search.lattice import Lattice
    >>> lat = Lattice([3])
    >>> check = lambda v: NodeResult(v >= 1, None, float(v), float(v))
    >>> [run_heuristic(n, lat, check, seed=1).optimum for n in ("heuristic", "lightning", "top-down", "genetic")]
    [1, 1, 1, 1]
    """
    if name == "heuristic":
        from unlinkable.search.heuristic import best_first

        return best_first(lattice, checker, time_limit_s=time_limit_s, step_limit=step_limit, progress=progress)
    if name in ("lightning", "top-down"):
        from unlinkable.search.lightning import lightning

        return lightning(lattice, checker, top_down=name == "top-down", step_limit=step_limit,
                         time_limit_s=time_limit_s, progress=progress)
    if name == "genetic":
        from unlinkable.search.genetic import GeneticOptions, genetic

        if seed is None:
            raise ValueError("the genetic search needs a seed")
        return genetic(lattice, checker, seed=seed, options=genetic_options or GeneticOptions(), step_limit=step_limit,
                       time_limit_s=time_limit_s, progress=progress)
    raise ValueError(f"unknown heuristic search {name!r}")


__all__ = ["ALGORITHMS", "HEURISTICS", "SEEDED", "SEED_RANGE", "run_heuristic"]
