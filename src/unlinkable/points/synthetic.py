"""A seeded synthetic basket generator: Zipf item popularity, categories, people who come back.

Each basket belongs to a person; people visit with a skewed frequency (a few come often). A
person buys mostly from a personal set of favourite items, the rest from the whole shop, where
item popularity follows a Zipf law. Items are whole-number codes, and ``categories`` consecutive
codes form a category (the balanced fan-out hierarchy of :mod:`unlinkable.points.hierarchy`);
popular items are spread over the categories. Everything is vectorised; the same arguments and
seed give the same baskets.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from unlinkable.constraints import check_float, check_int
from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.points.encoded import Points
from unlinkable.points.hierarchy import fanout


@dataclass(frozen=True, eq=False)
class SyntheticBaskets:
    points: Points
    #: the person of each basket (int codes; baskets of one person are the repeat visits)
    person: np.ndarray
    hierarchy: Hierarchy


def synthetic_baskets(n_baskets: int, *, n_items: int = 2_000, n_people: int | None = None, mean_size: float = 10.0,
                      zipf: float = 1.1, loyalty: float = 0.6, favourites: int = 20, categories: int = 20,
                      seed: int = 0) -> SyntheticBaskets:
    """``n_baskets`` baskets of on average ``mean_size`` points (duplicates within a basket allowed).

    Examples
    --------
    >>> b = synthetic_baskets(100, n_items=50, seed=1)
    >>> b.points.records, b.points.labels[:3], b.hierarchy.levels
    (100, ('0', '1', '2'), 3)
    >>> b.points.items.tolist() == synthetic_baskets(100, n_items=50, seed=1).points.items.tolist()
    True
    """
    n_baskets = check_int(n_baskets, "n_baskets", low=1)
    n_items = check_int(n_items, "n_items", low=2)
    n_people = check_int(n_people if n_people is not None else max(1, n_baskets // 4), "n_people", low=1)
    mean_size = check_float(mean_size, "mean_size", low=1.0)
    zipf = check_float(zipf, "zipf", low=0.0)
    loyalty = check_float(loyalty, "loyalty", low=0.0, high=1.0)
    favourites = check_int(favourites, "favourites", low=1)
    categories = check_int(categories, "categories", low=2)
    rng = np.random.default_rng(check_int(seed, "seed", low=0))
    weights = 1.0 / np.arange(1, n_items + 1, dtype=np.float64) ** zipf
    cumulative = np.cumsum(weights / weights.sum())
    cumulative[-1] = 1.0
    by_rank = rng.permutation(n_items)  # the item code of each popularity rank

    def popular(size: int) -> np.ndarray:
        return by_rank[np.searchsorted(cumulative, rng.random(size), side="right")]

    favourite = popular(n_people * favourites).reshape(n_people, favourites)
    # skewed visits: person = floor(n_people * u**3), so low codes come back often
    person = np.minimum((n_people * rng.random(n_baskets) ** 3).astype(np.int64), n_people - 1)
    sizes = 1 + rng.poisson(mean_size - 1.0, n_baskets)
    basket = np.repeat(np.arange(n_baskets, dtype=np.int64), sizes)
    total = len(basket)
    loyal = rng.random(total) < loyalty
    pick = rng.integers(0, favourites, total)
    items = np.where(loyal, favourite[person[basket], pick], popular(total))
    labels = tuple(str(i) for i in range(n_items))
    points = Points.from_codes(basket, items, labels=labels, n_records=n_baskets)
    return SyntheticBaskets(points, person, fanout(labels, fanout=categories))


def write_basket_lines(points: Points, path: str) -> None:
    """Write points as a basket-lines file (space separated), for benchmarks and demos."""
    from unlinkable.data.io import atomic_write_text

    sets = points.sets()
    words = np.asarray(sets.labels, dtype=object)[sets.items]
    lines = [" ".join(words[a:b]) for a, b in zip(sets.indptr[:-1], sets.indptr[1:])]
    atomic_write_text(path, "\n".join(lines) + "\n")


def write_basket_job(folder: str | os.PathLike[str], *, n: int = 5_000, seed: int = 0) -> Path:
    """Write ``baskets.txt`` (synthetic shop baskets) and ``baskets_job.yaml`` (assess and k^m-anonymize it).

    Examples
    --------
    >>> import tempfile
    >>> job = write_basket_job(tempfile.mkdtemp(), n=50, seed=1)
    >>> job.name, (job.parent / "baskets.txt").read_text().count("\\n")
    ('baskets_job.yaml', 50)
    """
    folder = Path(folder)
    write_basket_lines(synthetic_baskets(n, n_items=300, seed=seed).points, str(folder / "baskets.txt"))
    job = folder / "baskets_job.yaml"
    job.write_text("# synthetic shop baskets: one basket per line, item codes grouped 20 to a category\n"
                   "input: {path: baskets.txt, format: basket-lines, separator: ' '}\n"
                   "items: {fanout: 20}\n"
                   "assess: {km: {k: 5, m: 2}, unicity: {p: [1, 2, 3], mode: exact}}\n"
                   "privacy: [{km-anonymity: {k: 5, m: 2}}]\n"
                   "suppression_limit: 0.01\n"
                   "output: {path: baskets_released.txt, report: baskets_report.html}\n", encoding="utf-8")
    return job


__all__ = ["SyntheticBaskets", "synthetic_baskets", "write_basket_lines", "write_basket_job"]
