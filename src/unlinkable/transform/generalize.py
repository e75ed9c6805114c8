"""Global full-domain generalization: a vector of levels -> equivalence classes -> output text.

Records are grouped once on their original codes ("bottom classes"). A transformation's classes
are then built from a finer, already computed transformation's classes (each class carries one
original code per quasi-identifier, which generalizes correctly to every coarser level), weighted
by class sizes, so checking a node costs O(classes of a finer node), not O(records).

Every class also carries a mixed-radix key of its generalized codes with a radix fixed for the
whole lattice; rolling up changes only the digits of the attributes whose level changed, so a
roll-up gathers one column per changed attribute and hashes one int64 array (Arrow's hash table;
ARX hashes too), instead of regrouping every column.

When a node's own key space (the product of its levels' cardinalities) is at most a few times the
source's classes, the source's classes are grouped by direct addressing over that space instead
(a scatter and a few gathers, no hash table), and the node keeps its classes' keys in that small
radix so its own roll-ups again add one gathered column per changed attribute. Both groupings
number classes in first-appearance order over the source, so classes come out in the same order.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import polars as pl

from unlinkable.data.gather import BLOCK, take_blocks
from unlinkable.data.radix import KEY_LIMIT, group_rows
from unlinkable.data.repeated_lines import records_per_line
from unlinkable.data.table import arrow_ints, dictionary_encode, first_appearance, int64_array
from unlinkable.hierarchies.hierarchy import GeneralizationMap

#: cached classes (summed over cached nodes) before the cache starts afresh: about 100 bytes each
#: (codes, sizes, keys), so about 100 MiB. Four times as many held 300 MiB after a search on adult
#: x100 and cost more in page faults than the roll-ups from finer nodes saved (measured: same user
#: time, 0.12 s less system time on a first fit)
_CACHE_CLASSES = 1 << 20

#: (radices, cardinalities bounding each digit, key space) of a node's small mixed-radix keys
SmallRadix = tuple[tuple[int, ...], tuple[int, ...], int]


class NodeClasses:
    """Equivalence classes of one transformation.

    ``sizes[c]``: records in class c; ``rep[c, i]``: an original code of attribute i in class c;
    ``gen[c, i]``: the generalized code of class c at the node's level; ``from_bottom[b]``: the
    class of bottom class b (computed on demand). ``rep`` and ``gen`` are built on first use from
    per-attribute columns.
    """

    __slots__ = ("levels", "sizes", "key", "_rep_cols", "from_bottom", "_record_class", "_rep", "_gen", "_tables",
                 "parent", "_link", "_pending", "rep_flat", "lkey", "lbase")

    def __init__(self, levels: tuple[int, ...], rep_cols: np.ndarray | None, sizes: np.ndarray,
                 key: np.ndarray | None, tables: Sequence[Sequence[np.ndarray]],
                 from_bottom: np.ndarray | None = None) -> None:
        self.levels = levels
        self._rep_cols = rep_cols         # (m, classes) original codes, one row per attribute
        # (finer node's rep_cols, class map, classes): rep_cols on first use
        self._pending: tuple[np.ndarray, np.ndarray, int] | None = None
        self.sizes = sizes
        self.key = key
        self.from_bottom = from_bottom
        self._record_class: np.ndarray | None = None
        self._rep: np.ndarray | None = None
        self._gen: np.ndarray | None = None
        self._tables = tables             # tables[i][level]: generalization column of attribute i
        self.parent: tuple[tuple[int, ...], np.ndarray] | None = None  # (levels of the finer node rolled up, its class -> class map)
        self._link: list[Any] | None = None  # [finer node's from_bottom or link, class map, resolved]
        self.rep_flat: np.ndarray | None = None  # rep_cols shifted into the generalizer's flat code space
        self.lkey: np.ndarray | None = None  # per class: key in a small mixed radix (lbase), if grouped so
        self.lbase: SmallRadix | None = None

    @property
    def classes(self) -> int:
        return int(self.sizes.shape[0])

    def detached(self) -> NodeClasses:
        """The same classes holding only arrays of their own size (sizes, representatives, keys),
        none of the finer node they were rolled up from: what a memo keeps of a checked node. Its
        bottom map, if asked for, is computed again from its representatives."""
        out = NodeClasses(self.levels, self.rep_cols, self.sizes, self.key, self._tables)
        out.lkey, out.lbase = self.lkey, self.lbase
        return out

    @property
    def rep_cols(self) -> np.ndarray:
        """(m, classes) original codes: each class's first member in the finer node it came from.

        Built on first use: most checked nodes never serve as a roll-up source or need codes."""
        if self._rep_cols is None:
            assert self._pending is not None  # a node is built with rep_cols or with what makes them
            src_rep, ids, count = self._pending
            self._rep_cols = src_rep.take(_first_rows(ids), axis=1)  # ids of a roll-up: first-appearance order
            self._pending = None
        return self._rep_cols

    @property
    def rep(self) -> np.ndarray:
        if self._rep is None:
            self._rep = self.rep_cols.T.astype(np.int64)
        return self._rep

    def gen_of(self, i: int, rows: np.ndarray | None = None) -> np.ndarray:
        """Generalized codes of attribute ``i`` for all classes (or the classes ``rows``)."""
        col: np.ndarray = self.rep_cols[i] if rows is None else self.rep_cols[i][rows]
        return self._tables[i][self.levels[i]].take(col)

    @property
    def gen(self) -> np.ndarray:
        if self._gen is None:
            m = self.rep_cols.shape[0]
            out = np.empty((self.classes, m), dtype=np.int64)
            for i in range(m):
                out[:, i] = self.gen_of(i)
            self._gen = out
        return self._gen


#: source classes from which a node is grouped by direct addressing (when its key space is small)
_DIRECT_MIN = 49
#: ... and at most this many times as many keys in the node's key space as source classes
_DIRECT_FACTOR = 8

#: at most this many keys are grouped with a Python dict (cheaper than a call into Arrow)
_SMALL = 48
#: ... and at most this many by one stable sort (cheaper than a call into Arrow up to a few hundred)
_SORTED = 256


def _group_keys(key: np.ndarray, with_first: bool = True) -> tuple[np.ndarray, int, np.ndarray | None, np.ndarray]:
    """Group ids in first-appearance order, the group count, each group's first row (unless
    ``with_first`` is False) and key."""
    if key.shape[0] <= _SMALL:
        # A handful of classes (small tables, nodes near the top): a loop over classes, not records.
        seen: dict[int, int] = {}
        class_of: list[int] = []
        first_of: list[int] = []
        for j, k in enumerate(key.tolist()):
            g = seen.get(k)
            if g is None:
                g = seen[k] = len(first_of)
                first_of.append(j)
            class_of.append(g)
        return (np.array(class_of, dtype=np.int64), len(first_of), np.array(first_of, dtype=np.int64),
                np.array(list(seen), dtype=np.int64))
    if key.shape[0] <= _SORTED:
        return _group_sorted(key)
    if key.shape[0] >= _SPLIT:
        ids, uniq = _encode_in_halves(key)
    else:
        ids, uniq = first_appearance(key)
    if not with_first:
        return ids, uniq.shape[0], None, uniq
    return ids, uniq.shape[0], _first_rows(ids), uniq


def _group_sorted(key: np.ndarray) -> tuple[np.ndarray, int, np.ndarray, np.ndarray]:
    """``_group_keys`` by one stable sort: each run of equal keys starts at its first row, and the
    runs are renumbered by their first rows (first-appearance order).

    >>> ids, count, first, keys = _group_sorted(np.array([7, 5, 7, 9, 5]))
    >>> ids.tolist(), count, first.tolist(), keys.tolist()
    ([0, 1, 0, 2, 1], 3, [0, 1, 3], [7, 5, 9])
    """
    order = np.argsort(key, kind="stable")
    ordered = key.take(order)
    starts = np.empty(ordered.shape[0], dtype=bool)
    starts[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    run_first = order[starts]               # the first row of every run (stable: its smallest row)
    by_first = np.argsort(run_first)
    rank = np.empty(by_first.shape[0], dtype=np.intp)
    rank[by_first] = np.arange(by_first.shape[0])
    ids = np.empty(key.shape[0], dtype=np.intp)
    ids[order] = rank.take(np.cumsum(starts) - 1)
    return ids, int(by_first.shape[0]), run_first.take(by_first).astype(np.int64), ordered[starts].take(by_first)


#: keys from which the two halves are hashed on two threads (Arrow's hashing releases the GIL)
_SPLIT = 1 << 20


def _encode_in_halves(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``_group_keys``' ids (intp) and distinct keys, in first-appearance order: each half of the
    keys hashed on its own thread, then the second half's distinct keys looked up among the
    first's (the first half's keep their ids; keys new in the second follow, in their order there).

    >>> ids, distinct = _encode_in_halves(np.array([5, 7, 5, 9, 7, 9, 3]))
    >>> ids.tolist(), distinct.tolist()
    ([0, 1, 0, 2, 1, 2, 3], [5, 7, 9, 3])
    """
    n = key.shape[0]
    half = n // 2
    keys = int64_array(key)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="unlinkable-key") as pool:
        later = pool.submit(dictionary_encode, keys.slice(half))
        first = dictionary_encode(keys.slice(0, half))
        second = later.result()
    known = arrow_ints(first.dictionary)
    merged = dictionary_encode(int64_array(np.concatenate([known, arrow_ints(second.dictionary)])))
    of_second = arrow_ints(merged.indices)[known.shape[0]:].astype(np.intp)
    ids = np.empty(n, dtype=np.intp)
    ids[:half] = arrow_ints(first.indices)
    take_blocks(of_second, arrow_ints(second.indices), ids[half:])
    return ids, arrow_ints(merged.dictionary)


def _bottom_keys(codes: np.ndarray, terms: Sequence[np.ndarray]) -> np.ndarray:
    """``sum(terms[i][codes[:, i]])`` of every row: block by block, and on two threads for a
    large table (take() and the adds run outside the GIL). About 4x faster than whole columns
    on 3M rows, with the same int64 sums.

    >>> _bottom_keys(np.array([[0, 1], [1, 0]], dtype=np.int32), [np.array([0, 10]), np.array([0, 1])]).tolist()
    [1, 10]
    """
    n = codes.shape[0]
    key = np.empty(n, dtype=np.int64)

    def fill(lo: int, hi: int) -> None:
        scratch = np.empty(min(BLOCK, hi - lo), dtype=np.int64)
        for a in range(lo, hi, BLOCK):
            b = min(a + BLOCK, hi)
            part, term = key[a:b], scratch[:b - a]
            # codes index their level-0 column by construction: "clip" spares take() a buffer of its own
            terms[0].take(codes[a:b, 0], out=part, mode="clip")
            for i in range(1, len(terms)):
                terms[i].take(codes[a:b, i], out=term, mode="clip")
                part += term

    if n < 4 * BLOCK:
        fill(0, n)
    else:
        half = n // 2 // BLOCK * BLOCK
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="unlinkable-key") as pool:
            other = pool.submit(fill, half, n)
            fill(0, half)
            other.result()
    return key


def _first_rows(ids: np.ndarray) -> np.ndarray:
    """The first row of every group, for group ids numbered in order of first appearance (as
    hashing numbers them): the rows where the running maximum grows. Three sequential passes; a
    scatter of every row into the groups is 3-4x slower on millions of rows.

    >>> _first_rows(np.array([0, 1, 0, 2, 1, 3])).tolist()
    [0, 1, 3, 5]
    """
    if ids.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    top = np.maximum.accumulate(ids)
    grows = np.empty(ids.shape[0], dtype=bool)
    grows[0] = True
    np.greater(top[1:], top[:-1], out=grows[1:])
    return np.flatnonzero(grows)


def _resolve(link: list[Any]) -> np.ndarray:
    """The bottom -> class map at the end of a chain of lazy links (each resolved once, shared)."""
    chain: list[list[Any]] = []
    while link[2] is None and not isinstance(link[0], np.ndarray):
        chain.append(link)
        link = link[0]
    if link[2] is None:
        link[2] = link[1].take(link[0])
        link[0] = None
    value: np.ndarray = link[2]
    for lk in reversed(chain):
        value = lk[1].take(value)
        lk[2] = value
        lk[0] = None  # the finer map is no longer needed
    return value


class Generalizer:
    """Classes of any transformation of one encoded table.

    Parameters
    ----------
    codes : (n, m) int array
        Original codes of the quasi-identifiers (no missing values; encode them as a value first).
    maps : list of GeneralizationMap
        One per quasi-identifier, encoded against that column's dictionary.
    canonical : bool
        Give every class the member with the lexicographically smallest codes as its
        representative (``rep``), whatever the roll-up path; costs one sort of the bottom classes.
        Classes, sizes and generalized codes are the same either way.
    counts : (n,) int array, optional
        When the rows are a backend's distinct tuples (in first-record order) rather than
        records: the records of each row. Class sizes are then sums of counts.

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

    def __init__(self, codes: np.ndarray, maps: Sequence[GeneralizationMap], *, cache_size: int = 4096,
                 canonical: bool = True, counts: np.ndarray | None = None) -> None:
        self.maps = list(maps)
        self.m = len(self.maps)
        # Rows are records, or (``counts`` given) distinct tuples standing for ``counts[r]`` records
        # each, in the order of their first record: a backend's snapshot. Classes, sizes and their
        # order are the same either way; "records" below means rows.
        rows = int(codes.shape[0])
        self.n = rows if counts is None else int(np.asarray(counts).sum())
        # columns[i][l]: generalized code of every original code of attribute i at level l
        self.columns = [[np.ascontiguousarray(gm.table[:, lv], dtype=np.int64) for lv in range(gm.table.shape[1])]
                        for gm in self.maps]
        self.cards = [[gm.cardinality(lv) for lv in range(gm.table.shape[1])] for gm in self.maps]
        digits = [max([1] + [int(c.max()) + 1 for c in cols if c.size]) for cols in self.columns]
        # The last attribute is the least significant digit, so ascending keys of the original
        # codes are the lexicographic order of the records' level-0 codes.
        radix, space = [0] * self.m, 1
        for i in range(self.m - 1, -1, -1):
            radix[i] = space
            space *= digits[i]
        self.keyed = space < KEY_LIMIT
        # Classes numbered in the order of their first records (ARX's order) at every node: the
        # bottom is numbered by first appearance (hashed, not canonical), and every keyed roll-up
        # numbers its classes by first appearance over its source's, so the first source class met
        # of each class holds that class's first record. (Column-wise grouping numbers by key.)
        self.first_record_order = self.keyed and not canonical
        self.radix = radix
        self._delta: dict[tuple[int, int, int], np.ndarray] = {}
        self._bottom_gen: dict[tuple[int, int], np.ndarray] = {}
        self._diff: dict[tuple[int, int, int], np.ndarray] = {}
        # Flat code space (attribute i's original codes shifted by _flat_offset[i]); row l of
        # _flat_table: every attribute's generalized codes at level l (its top level above its height).
        domain = [cols[0].shape[0] for cols in self.columns]
        self._flat_offset = np.cumsum([0] + domain[:-1], dtype=np.int64)[:, None] if self.m else \
            np.zeros((0, 1), dtype=np.int64)
        self._flat_attr = np.repeat(np.arange(self.m), domain)
        self._flat_pos = np.arange(sum(domain))
        self._flat_radix = np.array(radix, dtype=np.int64).take(self._flat_attr)
        depth = max([len(cols) for cols in self.columns] + [1])
        self._flat_table = np.zeros((depth, sum(domain)), dtype=np.int64)
        for lv in range(depth):
            for i, cols in enumerate(self.columns):
                off = int(self._flat_offset[i, 0])
                self._flat_table[lv, off:off + domain[i]] = cols[min(lv, len(cols) - 1)]
        codes = np.asarray(codes)
        bottom_levels = tuple(0 for _ in range(self.m))
        first: np.ndarray | None
        bkey: np.ndarray | None
        if self.m == 0 or rows == 0:
            bottom_id = np.zeros(rows, dtype=np.int64)
            nb = 1 if rows else 0
            first = None
            self.keyed = False  # nothing to key: the column-wise grouping handles the degenerate table
            self.first_record_order = True  # one class at most
        elif self.keyed:
            # Level-0 codes pre-scaled by their radix: one gather and one add per attribute.
            key = _bottom_keys(codes, [self.columns[i][0] * radix[i] for i in range(self.m)])
            bottom_id, nb, first, distinct = _group_keys(key, with_first=not canonical)
            bkey = distinct.astype(np.int64, copy=False)
            if canonical:
                # Bottom classes in ascending key order; every roll-up keeps classes in
                # first-appearance order over its source, so a class's representative is always its
                # member with the lexicographically smallest codes, whatever the path (metrics that
                # read representatives, such as entropy, then do not depend on the cache).
                order = np.argsort(bkey)
                rank = np.empty(nb, dtype=np.int64)
                rank[order] = np.arange(nb)
                bottom_id = rank.take(bottom_id)
                bkey = bkey.take(order)
                first = None  # the first members are those of the relabelled classes
        else:
            gen0 = np.column_stack([self.columns[i][0].take(codes[:, i]) for i in range(self.m)])
            bottom_id, nb = group_rows(gen0, [c[0] for c in self.cards])
            first = None
        self.record_bottom = bottom_id
        if first is None:
            first = np.empty(nb, dtype=np.int64)
            first[bottom_id[::-1]] = np.arange(rows - 1, -1, -1)
        self.bottom_first = first  # the first record (row) of every bottom class (for first_records)
        if self.m and codes.flags.f_contiguous:
            # Column by column from a column-major matrix: take(axis=0) would first copy all of it
            # (3M x 9 codes: 50 ms and 108 MB for 19,502 rows).
            rep_cols = np.empty((self.m, nb), dtype=np.int64)
            for i in range(self.m):
                rep_cols[i] = codes[:, i].take(first)
        else:
            # Gathering whole rows, then transposing, is cheaper than gathering columns of codes.T.
            rep_cols = np.ascontiguousarray(codes.take(first, axis=0).astype(np.int64).T) if self.m else \
                np.zeros((0, nb), dtype=np.int64)
        if counts is None:
            sizes = np.bincount(bottom_id, minlength=nb).astype(np.int64)
        else:  # float sums of integer counts: exact
            sizes = np.bincount(bottom_id, weights=np.asarray(counts, dtype=np.float64), minlength=nb).astype(np.int64)
        if not (self.keyed and self.m and rows):
            bkey = None
        self.bottom = NodeClasses(bottom_levels, rep_cols, sizes, bkey, self.columns,
                                  np.arange(nb, dtype=np.int64))
        self.cache_size = cache_size
        self._arange = np.arange(nb, dtype=np.intp)
        # per weight array (by identity, the array kept): its sums over each bottom class
        self._bottom_sums: dict[int, tuple[np.ndarray, np.ndarray | None]] = {}
        self._reset_cache()

    @classmethod
    def of_lines(cls, codes: np.ndarray, record_line: np.ndarray, first_record: np.ndarray,
                 maps: Sequence[GeneralizationMap], *, canonical: bool = True) -> Generalizer:
        """The generalizer of the records whose codes are ``codes[record_line]``, grouped from the
        distinct rows ``codes`` (numbered in order of their first record ``first_record``, as a
        read of repeated lines numbers them) instead of the records: the same classes, sizes and
        order, the same class of every record and first record of every class.

        >>> from unlinkable.hierarchies.hierarchy import Hierarchy
        >>> gm = Hierarchy([["a", "*"], ["b", "*"]]).encode(["a", "b"])
        >>> g = Generalizer.of_lines(np.array([[0], [1]]), np.array([0, 1, 0], dtype=np.uint32), np.array([0, 1]), [gm])
        >>> g.classes((0,)).sizes.tolist(), g.record_bottom.tolist(), g.bottom_first.tolist()
        ([2, 1], [0, 1, 0], [0, 1])
        """
        counts = records_per_line(record_line, int(codes.shape[0]))
        generalizer = cls(codes, maps, canonical=canonical, counts=counts)
        generalizer.record_bottom = take_blocks(generalizer.record_bottom, record_line)
        generalizer.bottom_first = first_record.take(generalizer.bottom_first)
        return generalizer

    def _reset_cache(self) -> None:
        self.cache: dict[tuple[int, ...], NodeClasses] = {self.bottom.levels: self.bottom}
        self._cached_levels = np.zeros((self.cache_size, self.m), dtype=np.int64)
        self._cached_classes = np.zeros(self.cache_size, dtype=np.int64)
        self._cached_nodes: list[NodeClasses | None] = []
        self._cached_total = 0

    def _tables(self, levels: tuple[int, ...]) -> list[np.ndarray]:
        return [self.columns[i][lv] for i, lv in enumerate(levels)]

    def _source(self, levels: tuple[int, ...]) -> NodeClasses:
        """A cached finer transformation with few classes (the bottom if none is cached).

        A direct predecessor has no more classes than any of its own specializations, so the
        cached direct predecessors are tried first (dictionary lookups); otherwise every cached
        specialization is scanned for the one with the fewest classes.
        """
        cache = self.cache
        best = None
        for i, lv in enumerate(levels):
            if lv:
                cand = cache.get(levels[:i] + (lv - 1,) + levels[i + 1:])
                if cand is not None and (best is None or cand.classes < best.classes):
                    best = cand
        if best is not None:
            return best
        n_cached = len(self._cached_nodes)
        if n_cached:
            ok = (self._cached_levels[:n_cached] <= np.asarray(levels, dtype=np.int64)).all(axis=1)
            idx = np.flatnonzero(ok)
            if idx.size:
                best_i = int(idx[np.argmin(self._cached_classes[idx])])
                cand = self._cached_nodes[best_i]
                if cand is not None and cand.classes < self.bottom.classes:
                    return cand
        return self.bottom

    def _delta_table(self, i: int, old: int, new: int) -> np.ndarray:
        d = self._delta.get((i, old, new))
        if d is None:
            d = (self.columns[i][new] - self.columns[i][old]) * self.radix[i]
            self._delta[(i, old, new)] = d
        return d

    def _bottom_delta(self, i: int, level: int) -> np.ndarray:
        d = self._delta.get((i, -1, level))
        if d is None:
            d = self._delta_table(i, 0, level).take(self.bottom.rep_cols[i])
            self._delta[(i, -1, level)] = d
        return d

    def _key_of(self, node: NodeClasses) -> np.ndarray:
        """The lattice-wide mixed-radix key of every class of ``node`` (built on first use)."""
        if node.key is None:
            seg = self._flat_attr
            lut = self._flat_table[np.array(node.levels).take(seg), self._flat_pos] * self._flat_radix
            if node.rep_flat is None:
                node.rep_flat = node.rep_cols + self._flat_offset
            node.key = lut.take(node.rep_flat).sum(axis=0)
        return node.key

    def _direct_space(self, levels: tuple[int, ...], src: NodeClasses) -> int:
        """The node's own key space when grouping ``src``'s classes by direct addressing pays, else 0.

        Hashing many source classes (the bottom, for a node with no cached specialization) costs
        more than a few gathers plus a scatter over a key space not much larger than the classes."""
        nsrc = src.classes
        if nsrc < _DIRECT_MIN:
            return 0
        space = 1
        for i, lv in enumerate(levels):
            space *= self.cards[i][lv]
            if space > _DIRECT_FACTOR * nsrc:
                return 0
        return space

    def _gen_codes(self, src: NodeClasses, i: int, level: int) -> np.ndarray:
        """Generalized codes of attribute ``i`` at ``level`` for every class of ``src`` (kept for the bottom)."""
        col: np.ndarray = src.rep_cols[i]
        if src is not self.bottom:
            return self.columns[i][level].take(col)
        g = self._bottom_gen.get((i, level))
        if g is None:
            g = self._bottom_gen[(i, level)] = self.columns[i][level].take(col)
        return g

    def _local_key(self, levels: tuple[int, ...], src: NodeClasses) -> np.ndarray:
        """Mixed-radix key of every class of ``src`` at ``levels``, the radices being the levels'
        cardinalities (a key space as small as the node allows)."""
        if src is self.bottom:
            # The bottom's generalized columns are kept: one multiply-add per attribute.
            key = tmp = None
            radix = 1
            for i in range(self.m - 1, -1, -1):
                card = self.cards[i][levels[i]]
                if card == 1:
                    continue  # a single value: no digit
                g = self._gen_codes(src, i, levels[i])
                if key is None:
                    key = g * radix if radix != 1 else g.copy()
                    tmp = np.empty_like(key)
                else:
                    np.multiply(g, radix, out=tmp)
                    key += tmp
                radix *= card
        else:
            # Smaller sources: one lookup table of every attribute's radix-scaled codes at the node's
            # levels, one gather of all attributes' codes and one sum (a few calls, not a few per attribute).
            radices = [0] * self.m
            r = 1
            for i in range(self.m - 1, -1, -1):
                radices[i] = r
                r *= self.cards[i][levels[i]]
            seg = self._flat_attr
            lut = self._flat_table[np.array(levels).take(seg), self._flat_pos] * np.array(radices).take(seg)
            if src.rep_flat is None:
                src.rep_flat = src.rep_cols + self._flat_offset
            key = lut.take(src.rep_flat).sum(axis=0)
        assert key is not None  # callers ask only for key spaces larger than one key
        return key

    def _small_radix(self, levels: tuple[int, ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Mixed radices of the node's own key space (the levels' cardinalities) and those cardinalities."""
        cards = tuple(self.cards[i][lv] for i, lv in enumerate(levels))
        radix = [0] * self.m
        r = 1
        for i in range(self.m - 1, -1, -1):
            radix[i] = r
            r *= cards[i]
        return tuple(radix), cards

    def _inherited_key(self, levels: tuple[int, ...], src: NodeClasses) -> np.ndarray | None:
        """Keys of ``src``'s classes at ``levels`` in ``src``'s small radix: its keys plus the changed
        digits (one gather per changed attribute), or None when a digit could outgrow its radix."""
        assert src.lbase is not None and src.lkey is not None  # only nodes grouped in a small radix
        radix, cards, _ = src.lbase
        key = None
        for i in range(self.m):
            old, new = src.levels[i], levels[i]
            if new != old:
                if self.cards[i][new] > cards[i]:
                    return None  # (a hierarchy whose level has more values than a lower one)
                step = (self._col_diff(i, old, new) * radix[i]).take(src.rep_cols[i])
                if key is None:
                    key = src.lkey + step
                else:
                    key += step
        return key

    def _col_diff(self, i: int, old: int, new: int) -> np.ndarray:
        d = self._diff.get((i, old, new))
        if d is None:
            d = self._diff[(i, old, new)] = self.columns[i][new] - self.columns[i][old]
        return d

    def _direct_ids(self, key: np.ndarray | None, n: int, space: int) -> tuple[np.ndarray, int, np.ndarray]:
        """Group of every one of ``n`` keys, the group count and each group's first key index, in
        first-appearance order (the order hashing gives), by direct addressing over ``space``."""
        if space == 1:
            return np.zeros(n, dtype=np.intp), 1, np.zeros(1, dtype=np.int64)
        assert key is not None  # only a one-key space has no keys
        # First source class of every key: the last write of a repeated index wins.
        ar = self._arange[:n]  # a view of a shared 0..n-1: no allocation per node
        pos = np.empty(space, dtype=np.intp)
        pos[key[::-1]] = ar[::-1]
        first = (pos.take(key) == ar).nonzero()[0]
        count = first.shape[0]
        label = pos  # reused: only the labels of present keys are read
        label[key.take(first)] = ar[:count]
        return label.take(key), count, first

    def classes(self, levels: Sequence[int], *, need_bottom_map: bool = False) -> NodeClasses:
        """The equivalence classes of the transformation ``levels``."""
        if type(levels) is not tuple:
            levels = tuple(int(x) for x in levels)
        hit = self.cache.get(levels)
        if hit is not None:
            if need_bottom_map and hit.from_bottom is None and hit._link is None:
                hit.from_bottom = self._bottom_map(hit)
            return hit
        src = self._source(levels)
        key: np.ndarray | None = None
        base: SmallRadix | None = None
        first: np.ndarray | None
        if src.lbase is not None:
            key = self._inherited_key(levels, src)
            if key is not None:
                base = src.lbase
        if base is None and self.keyed:
            space = self._direct_space(levels, src)
            if space:
                radix, cards = self._small_radix(levels)
                base = (radix, cards, space)
                key = self._local_key(levels, src) if space > 1 else None
        if base is not None:
            ids, count, first = self._direct_ids(key, src.classes, base[2])
            sizes = np.bincount(ids, weights=src.sizes, minlength=count).astype(np.int64)
            # The lattice-wide key is built only if the node is hashed later (_key_of).
            node = NodeClasses(levels, src.rep_cols.take(first, axis=1), sizes, None, self.columns)
            node.lkey = key.take(first) if key is not None else np.zeros(1, dtype=np.int64)
            node.lbase = base
            return self._finish(node, src, ids, need_bottom_map)
        if self.keyed:
            key = self._key_of(src)
            fresh = False
            bottom = src is self.bottom
            for i in range(self.m):
                if levels[i] != src.levels[i]:
                    # From the bottom (the largest source) the per-class digit changes are kept.
                    step = self._bottom_delta(i, levels[i]) if bottom else \
                        self._delta_table(i, src.levels[i], levels[i]).take(src.rep_cols[i])
                    if fresh:
                        key += step
                    else:
                        key = key + step
                        fresh = True
            ids, count, first, node_key = _group_keys(key, with_first=False)
        else:
            gen_src = np.column_stack([self.columns[i][lv].take(src.rep_cols[i]) for i, lv in enumerate(levels)])
            ids, count = group_rows(gen_src, [self.cards[i][lv] for i, lv in enumerate(levels)])
            first = np.empty(count, dtype=np.int64)
            first[ids[::-1]] = np.arange(ids.shape[0] - 1, -1, -1)
            node_key = None
        sizes = np.bincount(ids, weights=src.sizes, minlength=count).astype(np.int64)
        if first is None:
            node = NodeClasses(levels, None, sizes, node_key, self.columns)
            node._pending = (src.rep_cols, ids, count)
        else:
            node = NodeClasses(levels, src.rep_cols.take(first, axis=1), sizes, node_key, self.columns)
        return self._finish(node, src, ids, need_bottom_map)

    def _finish(self, node: NodeClasses, src: NodeClasses, ids: np.ndarray, need_bottom_map: bool) -> NodeClasses:
        node.parent = (src.levels, ids)
        if need_bottom_map:
            # The bottom -> class map is chained lazily: many nodes never need per-record classes.
            base = src.from_bottom if src.from_bottom is not None else src._link
            if base is not None:
                node._link = [base, ids, None]
            else:
                node.from_bottom = self._bottom_map(node)
        self._store(node)
        return node

    def _store(self, node: NodeClasses) -> None:
        if len(self._cached_nodes) >= self.cache_size or self._cached_total > _CACHE_CLASSES:
            # Start a fresh cache (bottom kept): FLASH moves upwards, recent nodes matter most.
            self._reset_cache()
        self.cache[node.levels] = node
        i = len(self._cached_nodes)
        self._cached_levels[i] = node.levels
        self._cached_classes[i] = node.classes
        self._cached_nodes.append(node)
        self._cached_total += node.classes

    def _bottom_map(self, node: NodeClasses) -> np.ndarray:
        b = self.bottom
        space = self._direct_space(node.levels, b) if self.keyed else 0
        if space == 1:
            return np.zeros(b.classes, dtype=np.int64)
        if space:
            # Direct addressing over the node's own key space: its class of every bottom class.
            inv = np.empty(space, dtype=np.int64)
            inv[self._local_key(node.levels, node)] = np.arange(node.classes)
            return inv.take(self._local_key(node.levels, b))
        if self.keyed:
            key = b.key
            for i in range(self.m):
                if node.levels[i]:
                    key = key + self._delta_table(i, 0, node.levels[i]).take(b.rep_cols[i])
            both = np.concatenate([self._key_of(node), key])
            ids, _ = first_appearance(both)
        else:
            gen_b = np.column_stack([self.columns[i][lv].take(b.rep_cols[i]) for i, lv in enumerate(node.levels)])
            cards = [self.cards[i][lv] for i, lv in enumerate(node.levels)]
            ids, _ = group_rows(np.vstack([node.gen, gen_b]), cards)
        # Bottom classes map to the node class with the same generalized codes.
        node_ids = ids[: node.classes]
        inv = np.empty(int(ids.max()) + 1 if ids.size else 0, dtype=np.int64)
        inv[node_ids] = np.arange(node.classes)
        of_bottom: np.ndarray = inv[ids[node.classes:]]
        return of_bottom

    def first_records(self, node: NodeClasses) -> np.ndarray:
        """The first record of every class of ``node``, through the bottom classes (not the records).

        ARX's hash groupify iterates classes in the order their first records appear, and metrics
        that add floating-point terms class by class follow that order to agree bit for bit.
        """
        first = np.full(node.classes, self.n, dtype=np.int64)
        np.minimum.at(first, self.bottom_to_class(node), self.bottom_first)
        return first

    def bottom_to_class(self, node: NodeClasses) -> np.ndarray:
        """The class of ``node`` of every bottom class (resolved once per node, then kept)."""
        if node.from_bottom is None:
            node.from_bottom = _resolve(node._link) if node._link is not None else self._bottom_map(node)
            node._link = None
        return node.from_bottom

    def class_sums(self, node: NodeClasses, weights: np.ndarray) -> np.ndarray | None:
        """Per class of ``node``, the sum of a per-record weight, through the bottom classes (the
        records are read once per weight array, not at every node); None when the weights are not
        whole numbers, whose sums would depend on the order of addition (then sum over the records).

        >>> from unlinkable.hierarchies.hierarchy import Hierarchy
        >>> g = Generalizer(np.array([[0], [1], [0]]), [Hierarchy([["a", "*"], ["b", "*"]]).encode(["a", "b"])])
        >>> g.class_sums(g.classes((1,)), np.array([1.0, 1.0, 0.0])).tolist()
        [2.0]
        """
        hit = self._bottom_sums.get(id(weights))
        if hit is None or hit[0] is not weights:
            w = np.asarray(weights, dtype=np.float64)
            # whole numbers below 2^53 add exactly in any order (bincount's and the records' alike)
            exact = bool(np.all(np.floor(w) == w)) and float(np.abs(w).sum()) < 2.0 ** 53
            per_bottom = np.bincount(self.record_bottom, weights=w, minlength=self.bottom.classes) if exact else None
            if len(self._bottom_sums) >= 4:
                self._bottom_sums.clear()
            hit = self._bottom_sums[id(weights)] = (weights, per_bottom)
        bottom = hit[1]
        if bottom is None:
            return None
        sums: np.ndarray = np.bincount(self.bottom_to_class(node), weights=bottom, minlength=node.classes)
        return sums

    def record_class(self, node: NodeClasses) -> np.ndarray:
        """The class of every record (one gather through the bottom classes)."""
        if node._record_class is None:
            node._record_class = self.bottom_to_class(node).take(self.record_bottom)
        return node._record_class


def generalized_frame(frame: pl.DataFrame, *, quasi_identifiers: Sequence[str], maps: Sequence[GeneralizationMap],
                      codes: np.ndarray, levels: Sequence[int], suppressed: np.ndarray,
                      identifiers: Sequence[str] = (), suppression_value: str = "*") -> pl.DataFrame:
    """The released table: QI labels at their level, ``*`` in every QI of suppressed records.

    Identifiers are dropped; every other column is left untouched; row order is kept. Each
    quasi-identifier is an Enum column whose categories are its level's labels (and ``*``), built
    from the generalized codes: no string per cell, and its text is the labels' (the CSV written
    from it is the same bytes as from text columns).

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
    quasi_identifier_index = {q: i for i, q in enumerate(quasi_identifiers)}
    any_suppressed = bool(np.any(suppressed))

    def released(name: str) -> pl.Series:
        i = quasi_identifier_index[name]
        gm, lv = maps[i], int(levels[i])
        labels = list(gm.labels[lv])  # distinct: a level's generalized codes index its distinct labels
        star = labels.index(suppression_value) if suppression_value in labels else len(labels)
        if star == len(labels):
            labels.append(suppression_value)
        # the Enum's own width (polars keeps up to 256 labels in a byte): a quarter of the memory, no cast
        width = np.uint8 if len(labels) <= 1 << 8 else np.uint16 if len(labels) <= 1 << 16 else np.uint32
        gcodes = take_blocks(gm.table[:, lv].astype(width), codes[:, i])
        if any_suppressed:
            np.putmask(gcodes, suppressed, width(star))
        return pl.Series(name, gcodes).cat.to(pl.Enum(labels))

    generalized = [name for name in frame.columns if name in quasi_identifier_index and name not in identifiers]
    if frame.height >= _SPLIT and len(generalized) > 1:
        # every other column on a second thread (numpy's take and polars run outside the GIL)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="unlinkable-release") as pool:
            later = {name: pool.submit(released, name) for name in generalized[1::2]}
            built = {name: released(name) for name in generalized[::2]}
            built.update((name, future.result()) for name, future in later.items())
    else:
        built = {name: released(name) for name in generalized}
    return pl.DataFrame({name: built[name] if name in built else frame[name]
                         for name in frame.columns if name not in identifiers})


def release_rows(record_class: np.ndarray, suppressed: np.ndarray, classes: int) -> tuple[np.ndarray, int]:
    """Which records of a global recoding share a released row: each record's class, or one more
    row number for every suppressed record (a class all of whose records are suppressed leaves its
    number unused); and the count of row numbers. The CSV writer takes it as a claim and checks it.

    >>> ids, count = release_rows(np.array([2, 0, 2, 1]), np.array([False, False, False, True]), 3)
    >>> ids.tolist(), count
    ([2, 0, 2, 3], 4)
    """
    ids = record_class.astype(np.int32 if classes < 1 << 31 else np.int64)
    np.putmask(ids, suppressed, classes)
    return ids, classes + 1


__all__ = ["Generalizer", "NodeClasses", "generalized_frame", "release_rows"]
