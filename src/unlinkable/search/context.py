"""What privacy models need from the engine besides class sizes (``ClassStatistics.context``).

Most models read only class sizes and sensitive histograms. Others declare what more they read
(``PrivacyModel.needs``); the engine never asks a model for its type. Today:

- delta-presence (and a journalist's profitability): ``in_subset``, a bool per record (which
  records are in the research subset); fixed for the whole search, computed once;
- k-map with a population table, or with a research subset of the data (the data table is then
  the population): ``population_counts``, for every class of a transformation the number of
  population records that generalize into it;
- linkage: ``quasi_identifiers``, ``maps`` and ``hierarchies`` (fixed), and per transformation
  ``levels`` and ``class_codes`` (each class's generalized code per quasi-identifier).

``SearchContext`` builds the fixed part once and the per-transformation part only when a model
needs it, so searches with k-anonymity alone pay nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import polars as pl

from unlinkable.backends.numpy import combined_key
from unlinkable.data.table import encode_column
from unlinkable.errors import ConfigError, HierarchyError, InternalError
from unlinkable.hierarchies.hierarchy import GeneralizationMap, Hierarchy


class SearchContext:
    """Fixed and per-transformation context for the models of one search.

    Examples
    --------
    >>> import polars as pl
    >>> from unlinkable.hierarchies.hierarchy import Hierarchy
    >>> h = Hierarchy([["a", "ab", "*"], ["b", "ab", "*"], ["c", "c", "*"]])
    >>> data = pl.DataFrame({"q": ["a", "c"]})
    >>> gm = h.encode(["a", "c"])
    >>> ctx = SearchContext(["q"], [gm], {"q": h}, models=[], data=data)
    >>> ctx.fixed["quasi_identifiers"], ctx.per_node_needed
    (['q'], False)
    """

    def __init__(self, names: Sequence[str], maps: Sequence[GeneralizationMap], hierarchies: Mapping[str, Hierarchy],
                 *, models: Sequence[Any], data: pl.DataFrame | None, population: pl.DataFrame | None = None) -> None:
        self.names = list(names)
        self.maps = list(maps)
        self.fixed: dict[str, Any] = {"quasi_identifiers": self.names, "maps": self.maps,
                                      "hierarchies": dict(hierarchies)}
        # each model declares what it reads (PrivacyModel.needs); no model is asked for its type
        subsets = [m for m in models if "in_subset" in m.needs]
        if subsets:
            masks = [np.asarray(m.research_subset(data), dtype=bool) for m in subsets]
            if any(not np.array_equal(masks[0], other) for other in masks[1:]):
                raise ConfigError(f"two {subsets[0].name} models name different research subsets",
                                  hint="use one research subset per job")
            self.fixed["in_subset"] = masks[0]
        self._population: tuple[list[np.ndarray], list[GeneralizationMap]] | None = None
        tables = [m for m in models if "population_counts" in m.needs]
        if tables:
            if len({m.population_source() for m in tables}) > 1:
                raise ConfigError(f"two {tables[0].name} models name different population tables",
                                  hint="use one population table per job")
            # a model without a table of its own (k-map with a research subset) counts the whole data table
            self._population = _encode_population(tables[0], self.names, hierarchies, population)
        self.per_node_needed = any(m.needs & {"population_counts", "levels", "class_codes"} for m in models)

    def for_node(self, levels: Sequence[int], class_codes: np.ndarray) -> dict[str, Any]:
        """The context of one transformation: the fixed part plus what depends on the levels."""
        if not self.per_node_needed:
            return self.fixed
        ctx = dict(self.fixed)
        ctx["levels"] = tuple(int(x) for x in levels)
        ctx["class_codes"] = class_codes
        if self._population is not None:
            ctx["population_counts"] = self.population_counts(levels, class_codes)
        return ctx

    def population_counts(self, levels: Sequence[int], class_codes: np.ndarray) -> np.ndarray:
        """Population records generalizing into each class (classes given by their generalized codes)."""
        assert self._population is not None  # only called when a k-map model reads a population table
        codes, pop_maps = self._population
        cards = [m.cardinality(int(level)) for m, level in zip(self.maps, levels)]
        pop_cols = [pm.table[c, int(level)] for pm, c, level in zip(pop_maps, codes, levels)]
        pop_key, space = combined_key(pop_cols, cards)
        class_key, _ = combined_key([class_codes[:, i] for i in range(class_codes.shape[1])], cards)
        if space <= max(4 * (len(pop_key) + len(class_key)), 1 << 16):
            return np.asarray(np.bincount(pop_key, minlength=space)[class_key])
        uniq, counts = np.unique(pop_key, return_counts=True)
        at = np.minimum(np.searchsorted(uniq, class_key), len(uniq) - 1)
        return np.where(uniq[at] == class_key, counts[at], 0)


def _encode_population(model: Any, names: list[str], hierarchies: Mapping[str, Hierarchy],
                       data: pl.DataFrame | None = None) -> tuple[list[np.ndarray], list[GeneralizationMap]]:
    """Encode the model's population table's quasi-identifiers (the whole ``data`` table when the
    model has no table of its own) against the data's hierarchies.

    Generalized codes are numbered by the hierarchy's rows, so population and data codes agree.
    """
    frame = model.population_table(names)
    if frame is None:
        frame = data
    if frame is None:
        raise InternalError(f"{model.name} counts the whole data table as its population, but none was passed")
    codes, maps = [], []
    for name in names:
        col = encode_column(frame[name])
        try:
            gm = hierarchies[name].encode(col.dictionary, column=name,
                                          source=f"{model.name} population table {model.population_source()}: column {name!r}")
        except HierarchyError as exc:
            raise HierarchyError(exc.message, hint="every population value needs a row in the attribute's hierarchy") from None
        codes.append(col.codes)
        maps.append(gm)
    return codes, maps
