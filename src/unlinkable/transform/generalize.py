"""Global full-domain generalization: a vector of levels -> equivalence classes -> output text.

Records are grouped once on their original codes ("bottom classes"). A transformation's classes
are then built from a finer transformation's classes (each class carries one original code per
quasi-identifier, which generalizes correctly to every coarser level), weighted by class sizes,
so checking a node costs O(classes of a finer node), not O(records).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import polars as pl

from unlinkable.hierarchies.hierarchy import GeneralizationMap

_LIMIT = 1 << 62


@dataclass(eq=False)
class NodeClasses:
    """Equivalence classes of one transformation.

    ``rep[c, i]``: an original code of attribute i in class c; ``gen[c, i]``: the generalized code
    of class c at the node's level; ``sizes[c]``: records in class c; ``from_bottom[b]``: the class
    of bottom class b (computed on demand).
    """

    levels: tuple[int, ...]
    rep: np.ndarray
    gen: np.ndarray
    sizes: np.ndarray
    from_bottom: np.ndarray | None = None
    _record_class: np.ndarray | None = field(default=None, repr=False)

    @property
    def classes(self) -> int:
        return int(self.sizes.shape[0])


def _compact(key: np.ndarray, space: int) -> tuple[np.ndarray, int]:
    present = np.zeros(space, dtype=bool)
    present[key] = True
    dense = np.cumsum(present, dtype=np.int64) - 1
    return dense[key], int(dense[-1]) + 1


def _group_rows(gen: np.ndarray, cards: Sequence[int]) -> tuple[np.ndarray, int]:
    """Dense group id per row of an int matrix (rows equal <=> ids equal), and the number of groups.

    Mixed-radix keys, compacted with a bincount whenever the key space would outgrow the rows, so
    grouping never sorts (ARX hashes; a dense table is the vectorised equivalent).
    """
    rows = gen.shape[0]
    if rows == 0:
        return np.zeros(0, dtype=np.int64), 0
    if gen.shape[1] == 0:
        return np.zeros(rows, dtype=np.int64), 1
    cap = max(8 * rows, 1 << 16)
    key = gen[:, 0].astype(np.int64)
    space = max(int(cards[0]), 1)
    for i in range(1, gen.shape[1]):
        card = max(int(cards[i]), 1)
        if card == 1:
            continue
        if space * card > cap:
            key, space = _compact(key, space)
            if space * card > _LIMIT:  # pragma: no cover - only with astronomically many rows
                _, key = np.unique(key, return_inverse=True)
        key = key * card + gen[:, i]
        space *= card
    return _compact(key, space)


class Generalizer:
    """Classes of any transformation of one encoded table.

    Parameters
    ----------
    codes : (n, m) int array
        Original codes of the quasi-identifiers (no missing values; encode them as a value first).
    maps : list of GeneralizationMap
        One per quasi-identifier, encoded against that column's dictionary.

    Examples
    --------
    >>> import numpy as np
    >>> from unlinkable.hierarchies.hierarchy import Hierarchy
    >>> gm = Hierarchy([["a", "*"], ["b", "*"]]).encode(["a", "b"])
    >>> g = Generalizer(np.array([[0], [1], [0]]), [gm])
    >>> g.classes((0,)).sizes.tolist(), g.classes((1,)).sizes.tolist()
    ([2, 1], [3])

    Notes
    -----
    Samarati (2001) and Sweeney (2002) for full-domain generalization; the roll-up from a finer
    node's classes is ARX's "snapshot" idea (Kohlmayer et al., PASSAT 2012).
    """

    def __init__(self, codes: np.ndarray, maps: Sequence[GeneralizationMap], *, cache_size: int = 4096) -> None:
        self.maps = list(maps)
        self.m = len(self.maps)
        self.n = int(codes.shape[0])
        self.tables = [np.ascontiguousarray(gm.table) for gm in self.maps]
        # All tables, level-major, in one flat array: one gather generalizes a whole class matrix.
        self._flat = np.concatenate([t.T.ravel() for t in self.tables]).astype(np.int64)
        rows = np.array([t.shape[0] for t in self.tables], dtype=np.int64)
        self._base = np.concatenate([[0], np.cumsum([t.size for t in self.tables])[:-1]]).astype(np.int64)
        self._rows = rows
        cards0 = [max(gm.table.shape[0], 1) for gm in self.maps]
        bottom_id, nb = _group_rows(codes.astype(np.int64, copy=False), cards0)
        self.record_bottom = bottom_id
        rep = np.empty((nb, self.m), dtype=np.int64)
        rep[bottom_id] = codes
        sizes = np.bincount(bottom_id, minlength=nb).astype(np.int64)
        bottom_levels = tuple(0 for _ in range(self.m))
        gen = self._gen(rep, bottom_levels)
        self.bottom = NodeClasses(bottom_levels, rep, gen, sizes, np.arange(nb, dtype=np.int64))
        self.cache: dict[tuple[int, ...], NodeClasses] = {bottom_levels: self.bottom}
        self.cache_size = cache_size
        self._cached_levels = np.zeros((cache_size, self.m), dtype=np.int64)
        self._cached_classes = np.zeros(cache_size, dtype=np.int64)
        self._cached_nodes: list[NodeClasses | None] = []

    def _gen(self, rep: np.ndarray, levels: Sequence[int]) -> np.ndarray:
        offset = self._base + np.asarray(levels, dtype=np.int64) * self._rows
        return self._flat[rep + offset[None, :]]

    def _source(self, levels: tuple[int, ...]) -> NodeClasses:
        """The cached finer transformation with the fewest classes (the bottom if none is cached)."""
        if len(self.cache) > 1:
            target = np.asarray(levels, dtype=np.int64)
            n_cached = len(self._cached_nodes)
            if n_cached:
                lv = self._cached_levels[:n_cached]
                ok = (lv <= target[None, :]).all(axis=1)
                if ok.any():
                    idx = np.flatnonzero(ok)
                    best = idx[np.argmin(self._cached_classes[:n_cached][idx])]
                    cand = self._cached_nodes[best]
                    if cand is not None and cand.classes < self.bottom.classes:
                        return cand
        return self.bottom

    def classes(self) -> int:
        return int(self.sizes.shape[0])


def _compact(key: np.ndarray, space: int) -> tuple[np.ndarray, int]:
    present = np.zeros(space, dtype=bool)
    present[key] = True
    dense = np.cumsum(present, dtype=np.int64) - 1
    return dense[key], int(dense[-1]) + 1


def _group_rows(gen: np.ndarray, cards: Sequence[int]) -> tuple[np.ndarray, int]:
    """Dense group id per row of an int matrix (rows equal <=> ids equal), and the number of groups.

    Mixed-radix keys, compacted with a bincount whenever the key space would outgrow the rows, so
    grouping never sorts (ARX hashes; a dense table is the vectorised equivalent).
    """
    rows = gen.shape[0]
    if rows == 0:
        return np.zeros(0, dtype=np.int64), 0
    if gen.shape[1] == 0:
        return np.zeros(rows, dtype=np.int64), 1
    cap = max(8 * rows, 1 << 16)
    key = gen[:, 0].astype(np.int64)
    space = max(int(cards[0]), 1)
    for i in range(1, gen.shape[1]):
        card = max(int(cards[i]), 1)
        if card == 1:
            continue
        if space * card > cap:
            key, space = _compact(key, space)
            if space * card > _LIMIT:  # pragma: no cover - only with astronomically many rows
                _, key = np.unique(key, return_inverse=True)
        key = key * card + gen[:, i]
        space *= card
    return _compact(key, space)


class Generalizer:
    """Classes of any transformation of one encoded table.

    Parameters
    ----------
    codes : (n, m) int array
        Original codes of the quasi-identifiers (no missing values; encode them as a value first).
    maps : list of GeneralizationMap
        One per quasi-identifier, encoded against that column's dictionary.

    Examples
    --------
    >>> import numpy as np
    >>> from unlinkable.hierarchies.hierarchy import Hierarchy
    >>> gm = Hierarchy([["a", "*"], ["b", "*"]]).encode(["a", "b"])
    >>> g = Generalizer(np.array([[0], [1], [0]]), [gm])
    >>> g.classes((0,)).sizes.tolist(), g.classes((1,)).sizes.tolist()
    ([2, 1], [3])

    Notes
    -----
    Samarati (2001) and Sweeney (2002) for full-domain generalization; the roll-up from a finer
    node's classes is ARX's "snapshot" idea (Kohlmayer et al., PASSAT 2012).
    """

    def __init__(self, codes: np.ndarray, maps: Sequence[GeneralizationMap], *, cache_size: int = 4096) -> None:
        self.maps = list(maps)
        self.m = len(self.maps)
        self.n = int(codes.shape[0])
        self.tables = [np.ascontiguousarray(gm.table) for gm in self.maps]
        # All tables, level-major, in one flat array: one gather generalizes a whole class matrix.
        self._flat = np.concatenate([t.T.ravel() for t in self.tables]).astype(np.int64)
        rows = np.array([t.shape[0] for t in self.tables], dtype=np.int64)
        self._base = np.concatenate([[0], np.cumsum([t.size for t in self.tables])[:-1]]).astype(np.int64)
        self._rows = rows
        cards0 = [max(gm.table.shape[0], 1) for gm in self.maps]
        bottom_id, nb = _group_rows(codes.astype(np.int64, copy=False), cards0)
        self.record_bottom = bottom_id
        rep = np.empty((nb, self.m), dtype=np.int64)
        rep[bottom_id] = codes
        sizes = np.bincount(bottom_id, minlength=nb).astype(np.int64)
        bottom_levels = tuple(0 for _ in range(self.m))
        gen = self._gen(rep, bottom_levels)
        self.bottom = NodeClasses(bottom_levels, rep, gen, sizes, np.arange(nb, dtype=np.int64))
        self.cache: dict[tuple[int, ...], NodeClasses] = {bottom_levels: self.bottom}
        self.cache_size = cache_size
        self._cached_levels = np.zeros((cache_size, self.m), dtype=np.int64)
        self._cached_classes = np.zeros(cache_size, dtype=np.int64)
        self._cached_nodes: list[NodeClasses | None] = []

    def _gen(self, rep: np.ndarray, levels: Sequence[int]) -> np.ndarray:
        offset = self._base + np.asarray(levels, dtype=np.int64) * self._rows
        return self._flat[rep + offset[None, :]]

    def _source(self, levels: tuple[int, ...]) -> NodeClasses:
        """The cached finer transformation with the fewest classes among the direct predecessors."""
        best = self.bottom
        lv = list(levels)
        for i in range(self.m):
            if lv[i] > 0:
                lv[i] -= 1
                cand = self.cache.get(tuple(lv))
                lv[i] += 1
                if cand is not None and cand.classes < best.classes:
                    best = cand
        return best

    def classes(self, levels: Sequence[int], *, need_bottom_map: bool = False) -> NodeClasses:
        """The equivalence classes of the transformation ``levels``."""
        levels = tuple(int(x) for x in levels)
        hit = self.cache.get(levels)
        if hit is not None:
            if need_bottom_map and hit.from_bottom is None:
                hit.from_bottom = self._bottom_map(hit)
            return hit
        src = self._source(levels)
        gen_src = self._gen(src.rep, levels)
        cards = [gm.cardinality(lv) for gm, lv in zip(self.maps, levels)]
        ids, count = _group_rows(gen_src, cards)
        sizes = np.bincount(ids, weights=src.sizes, minlength=count).astype(np.int64)
        first = np.empty(count, dtype=np.int64)
        first[ids[::-1]] = np.arange(ids.shape[0] - 1, -1, -1)
        node = NodeClasses(levels, src.rep[first], gen_src[first], sizes)
        if need_bottom_map:
            node.from_bottom = ids[src.from_bottom] if src.from_bottom is not None else self._bottom_map(node)
        if len(self._cached_nodes) >= self.cache_size:
            # Start a fresh cache (bottom kept): FLASH moves upwards, recent nodes matter most.
            self.cache = {self.bottom.levels: self.bottom}
            self._cached_nodes = []
        self.cache[levels] = node
        i = len(self._cached_nodes)
        self._cached_levels[i] = levels
        self._cached_classes[i] = node.classes
        self._cached_nodes.append(node)
        return node

    def _bottom_map(self, node: NodeClasses) -> np.ndarray:
        gen_b = self._gen(self.bottom.rep, node.levels)
        # Bottom classes map to the node class with the same generalized codes.
        cards = [gm.cardinality(lv) for gm, lv in zip(self.maps, node.levels)]
        both = np.vstack([node.gen, gen_b])
        ids, _ = _group_rows(both, cards)
        node_ids = ids[: node.classes]
        inv = np.empty(int(ids.max()) + 1 if ids.size else 0, dtype=np.int64)
        inv[node_ids] = np.arange(node.classes)
        return inv[ids[node.classes:]]

    def record_class(self, node: NodeClasses) -> np.ndarray:
        """The class of every record (one gather through the bottom classes)."""
        if node._record_class is None:
            if node.from_bottom is None:
                node.from_bottom = self._bottom_map(node)
            node._record_class = node.from_bottom[self.record_bottom]
        return node._record_class


def generalized_frame(frame: pl.DataFrame, *, quasi_identifiers: Sequence[str], maps: Sequence[GeneralizationMap],
                      codes: np.ndarray, levels: Sequence[int], suppressed: np.ndarray,
                      identifiers: Sequence[str] = (), suppression_value: str = "*") -> pl.DataFrame:
    """The released table: QI labels at their level, ``*`` in every QI of suppressed records.

    Identifiers are dropped; every other column is left untouched; row order is kept.

    Examples
    --------
    >>> import numpy as np, polars as pl
    >>> from unlinkable.hierarchies.hierarchy import Hierarchy
    >>> gm = Hierarchy([["a", "x"], ["b", "x"]]).encode(["a", "b"])
    >>> df = pl.DataFrame({"q": ["a", "b"], "o": ["1", "2"]})
    >>> generalized_frame(df, quasi_identifiers=["q"], maps=[gm], codes=np.array([[0], [1]]),
    ...                   levels=[1], suppressed=np.array([False, True]))["q"].to_list()
    ['x', '*']
    """
    out = {}
    qi_index = {q: i for i, q in enumerate(quasi_identifiers)}
    for name in frame.columns:
        if name in identifiers:
            continue
        if name in qi_index:
            i = qi_index[name]
            gm, lv = maps[i], int(levels[i])
            labels = pl.Series(name, list(gm.labels[lv]) + [suppression_value], dtype=pl.String)
            gcodes = gm.table[codes[:, i], lv].astype(np.int64)
            gcodes = np.where(suppressed, len(labels) - 1, gcodes)
            # One gather from the small label dictionary keeps this vectorised.
            out[name] = labels.gather(gcodes)
        else:
            out[name] = frame[name]
    return pl.DataFrame(out)


__all__ = ["Generalizer", "NodeClasses", "generalized_frame"]
