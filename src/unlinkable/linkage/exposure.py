"""Linkage exposure: how many records of an outside table each release record can be joined to.

A release record ``r`` and an auxiliary record ``a`` are *compatible* when, on every shared
attribute, the value of ``a`` lies in the set that ``r``'s value stands for:

- a raw value stands for itself (text equality, so ``35`` and ``35.0`` differ);
- a generalized value (a label of the attribute's hierarchy, ``[30, 40[`` or ``816**``) stands for
  the raw values under it; a label that is also a raw value of the hierarchy is read as the raw
  value, and a label that appears at several levels is read at the highest of them (the widest
  set, so a true match is never missed);
- ``*`` and a missing value stand for anything, on either side (an adversary's missing value
  cannot exclude anyone);
- with a tolerance ``t`` (numbers, or dates in ``YYYY-MM-DD`` with ``"3d"``), a raw value ``x``
  stands for the closed range ``[x - t, x + t]``, and a generalized value for the numeric span of its
  leaves widened by ``t`` (``[30, 40[`` with leaves 30..39 and ``t = 1`` covers 29..40).

An auxiliary value that is not in the hierarchy is compatible only with an equal raw value (and
with ``*``). The candidate count of ``r`` is the number of compatible auxiliary records.

Algorithm (linear in rows, never pairwise): both sides are dictionary-encoded per attribute and each
release value is resolved once into a *token* (wildcard, key at hierarchy level ``j``, or a range of
ranks of the auxiliary table's sorted numeric values). Release records are grouped by their
*pattern* (the token kind of every attribute) and auxiliary records by which attributes they miss;
for each pair of groups the key attributes are combined into one int64 key and counted with a
``bincount`` (small key spaces) or a sort + ``searchsorted`` (large ones); one tolerance attribute is
counted by ``searchsorted`` on (key, rank) composites, and further tolerance attributes are first
expanded into the auxiliary table's distinct values inside the range (their only cost that is not
linear: the rows grow by the number of distinct values in each range). The number of patterns is
small (levels per attribute), so the cost is O(patterns x rows), where a pattern is one release
pattern paired with one auxiliary missingness pattern.

Only aggregate figures and per-record candidate counts of the user's own release come out: the
module never materialises a linked pair.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from unlinkable.backend_selection import get_backend
from unlinkable.data.io import read_table
from unlinkable.data.table import encode_column, require_columns, require_names
from unlinkable.errors import ConfigError, InputError, InternalError
from unlinkable.risk.links import RANGE, WILDCARD, AttributeLink, Auxiliary, attribute_links, encode_release

__all__ = ["ExposureResult", "exposure", "HISTOGRAM_BINS"]

#: candidate-count bins of ``candidates_histogram``: label -> inclusive [low, high]
HISTOGRAM_BINS: tuple[tuple[str, int, float], ...] = (
    ("0", 0, 0), ("1", 1, 1), ("2", 2, 2), ("3-5", 3, 5), ("6-10", 6, 10), (">10", 11, math.inf),
)



@dataclass(frozen=True, eq=False)
class ExposureResult:
    """Linkage exposure of a release against an auxiliary table (aggregates and per-record counts).

    Attributes
    ----------
    candidates : numpy.ndarray
        int64 per release record: the number of compatible auxiliary records.
    reverse_candidates : numpy.ndarray
        int64 per auxiliary record: the number of compatible release records (used only in aggregate).
    auxiliary_name : str
        How the auxiliary table is named in the summary (its file name, or "the auxiliary table").
    attributes : tuple of str
        The shared attributes (release column names).
    weights, reverse_weights : numpy.ndarray, optional
        When the tables were grouped into distinct tuples (a distributed backend): the records
        each entry of ``candidates`` (``reverse_candidates``) stands for. None: one record each.
    """

    candidates: np.ndarray
    reverse_candidates: np.ndarray
    auxiliary_name: str
    attributes: tuple[str, ...]
    true_match_compatible: np.ndarray | None = None
    what_if: tuple[dict[str, Any], ...] = ()
    copula: Any = None
    weights: np.ndarray | None = None
    reverse_weights: np.ndarray | None = None

    @property
    def release_records(self) -> int:
        return _records(self.candidates, self.weights, np.ones(len(self.candidates), dtype=bool))

    @property
    def auxiliary_records(self) -> int:
        return _records(self.reverse_candidates, self.reverse_weights,
                        np.ones(len(self.reverse_candidates), dtype=bool))

    @property
    def unique_links(self) -> int:
        return _records(self.candidates, self.weights, self.candidates == 1)

    @property
    def unique_link_share(self) -> float:
        return self.unique_links / self.release_records if self.release_records else 0.0

    @property
    def expected_reidentifications(self) -> float:
        """The sum of ``1/candidates`` over the release records with a candidate, rounded once
        (exact, so it is the same whether records come one by one or grouped with counts)."""
        return sum_of_inverses(self.candidates, self.weights)

    @property
    def reverse_unique_share(self) -> float:
        m = self.auxiliary_records
        return _records(self.reverse_candidates, self.reverse_weights, self.reverse_candidates == 1) / m if m else 0.0

    def candidates_histogram(self) -> dict[str, int]:
        """Release records per candidate-count bin: ``0``, ``1``, ``2``, ``3-5``, ``6-10``, ``>10``."""
        return {label: _records(self.candidates, self.weights, (self.candidates >= lo) & (self.candidates <= hi))
                for label, lo, hi in HISTOGRAM_BINS}

    @property
    def true_reidentification_rate(self) -> float | None:
        """Expected share of release records correctly re-identified (evaluation mode only)."""
        if self.true_match_compatible is None or not self.release_records:
            return None
        ok = self.true_match_compatible & (self.candidates > 0)
        return float((1.0 / self.candidates[ok]).sum()) / self.release_records

    @property
    def unique_link_precision(self) -> float | None:
        """Share of unique links whose single candidate is the true person (evaluation mode only)."""
        if self.true_match_compatible is None:
            return None
        unique = self.candidates == 1
        if not unique.any():
            return None
        return float((unique & self.true_match_compatible).sum()) / float(unique.sum())

    def to_dict(self) -> dict[str, Any]:
        """The JSON payload (keys of the issue; evaluation and copula keys only when computed)."""
        out: dict[str, Any] = {
            "release_records": self.release_records,
            "auxiliary_records": self.auxiliary_records,
            "auxiliary_name": self.auxiliary_name,
            "attributes": list(self.attributes),
            "unique_links": self.unique_links,
            "unique_link_share": self.unique_link_share,
            "expected_reidentifications": self.expected_reidentifications,
            "candidates_histogram": self.candidates_histogram(),
            "reverse_unique_share": self.reverse_unique_share,
        }
        if self.true_match_compatible is not None:
            out["true_reidentification_rate"] = self.true_reidentification_rate
            out["unique_link_precision"] = self.unique_link_precision
        out["what_if"] = [dict(item) for item in self.what_if]
        if self.copula is not None:
            out["copula"] = {
                "population_size": int(self.copula.population_size),
                "mean_correctness": float(self.copula.mean_correctness),
                "records_above_0_5": int(self.copula.records_above_0_5),
            }
        return out

    def records(self) -> pl.DataFrame:
        """Per release record: its 1-based row number and its candidate count (no values).

        Not available when the tables were grouped by a distributed backend, which never brings
        the records to this process.
        """
        if self.weights is not None:
            raise ConfigError("per-record candidate counts are not available from a distributed backend: "
                              "the records stay where they are",
                              hint="drop --records (the figures are complete), or run with the numpy backend")
        return pl.DataFrame({
            "row": np.arange(1, self.release_records + 1, dtype=np.int64),
            "candidates": self.candidates,
        })

    def summary(self) -> str:
        """The headline in plain words."""
        n = self.release_records
        share = self.unique_link_share
        return (f"{self.unique_links:,} of {n:,} records ({share:.1%}) match exactly one person in "
                f"{self.auxiliary_name}")




def _records(values: np.ndarray, weights: np.ndarray | None, where: np.ndarray) -> int:
    """The records of the entries selected by ``where`` (each entry one record without weights)."""
    return int(where.sum()) if weights is None else int(weights[where].sum())


def sum_of_inverses(candidates: np.ndarray, weights: np.ndarray | None = None) -> float:
    """The sum of ``1/c`` over the records with ``c > 0`` candidates, each term the double
    ``1/c``, added exactly and rounded once: the same for records one by one and for records
    grouped into weighted entries (a float sum in record order would depend on the order).

    Examples
    --------
    >>> import numpy as np
    >>> sum_of_inverses(np.array([1, 2, 2, 0, 3])), sum_of_inverses(np.array([1, 2, 3]), np.array([1, 2, 1]))
    (2.3333333333333335, 2.3333333333333335)
    """
    from fractions import Fraction

    c = np.asarray(candidates, dtype=np.int64)
    w = np.ones(len(c), dtype=np.int64) if weights is None else np.asarray(weights, dtype=np.int64)
    keep = c > 0
    values, inverse = np.unique(c[keep], return_inverse=True)
    records = np.bincount(inverse.ravel(), weights=None if weights is None else w[keep].astype(np.float64),
                          minlength=len(values))
    # a handful of distinct counts: exact rational arithmetic costs nothing here
    total = sum((Fraction(1.0 / float(v)) * int(k) for v, k in zip(values.tolist(), records.tolist())), Fraction(0))
    return float(total)




def _name_of(source: Any, default: str) -> str:
    if isinstance(source, (str, os.PathLike)):
        return Path(source).name
    return default


def exposure(release: Any, auxiliary: Any, *, on: Any, hierarchies: Mapping[str, Any] | None = None,
             tolerance: Mapping[str, Any] | None = None, truth_key: Mapping[str, str] | None = None,
             what_if: bool = True, population_size: int | None = None, seed: int | None = 0,
             release_delimiter: str | None = None, auxiliary_delimiter: str | None = None,
             backend: Any = None, spark: Any = None) -> ExposureResult:
    """Measure how much of ``release`` can be joined to ``auxiliary`` on shared attributes.

    Parameters
    ----------
    release, auxiliary : str, path, polars.DataFrame or pandas.DataFrame
        The release (raw, generalized or with ``*``) and the outside table an adversary may hold
        (raw values; ``*`` or missing match anything).
    on : dict or list of str
        Release column -> auxiliary column, or a list of names both tables share.
    hierarchies : dict, optional
        Release column -> ``Hierarchy`` or hierarchy file (ARX format), to read generalized values.
    tolerance : dict, optional
        Release column -> tolerance: a number (numeric attributes, ``x +/- t``) or days for dates
        (``"3d"``, ``{"days": 3}``; dates written ``YYYY-MM-DD``).
    truth_key : dict, optional
        ``{"release": col, "auxiliary": col}``: evaluation mode. The auxiliary key must be unique.
    what_if : bool, default True
        Also compute the unique-link share with each attribute dropped or generalized one level.
    population_size : int, optional
        Run the Gaussian-copula uniqueness estimator on the release for this population size.
    seed : int, optional
        Seed of the copula estimator.
    backend : "numpy" (default), "spark", or a backend object; a pyspark DataFrame as ``release``
        selects Spark. On Spark both tables are grouped there into their distinct tuples of the
        shared attributes with counts, and the same counting runs on those tuples weighted by
        their counts: every figure equals numpy's. The evaluation mode, the copula estimator and
        per-record counts need the records themselves and are refused there.
    spark : Spark settings ``{"master": ..., "conf": {...}}``

    Returns
    -------
    ExposureResult
        Per-record candidate counts and the aggregate figures (``to_dict()``).

    Raises
    ------
    ConfigError
        No shared attribute, a bad tolerance, or a tolerance on a non-numeric column.
    InputError
        A mapped column is missing, or the truth key is not unique in the auxiliary table.

    Notes
    -----
    Candidate counting follows the record-linkage view of re-identification (Sweeney 2002; the
    k-map model of El Emam & Dankar, JAMIA 15(5), 2008, with an explicit table as population).
    ``expected_reidentifications`` is the sum of ``1/candidates`` (a random pick among the
    candidates); the copula figures are those of Rocher, Hendrickx & de Montjoye, Nat. Commun.
    10:3069, 2019.

    Examples
    --------
    >>> import polars as pl
    >>> rel = pl.DataFrame({"age": ["34", "*", "51"], "sex": ["m", "f", "f"]})
    >>> aux = pl.DataFrame({"age": ["34", "35", "51", "51"], "sex": ["m", "f", "f", "f"]})
    >>> e = exposure(rel, aux, on=["age", "sex"], what_if=False)
    >>> e.candidates.tolist(), e.unique_link_share
    ([1, 3, 2], 0.3333333333333333)
    """
    links = attribute_links(on, hierarchies, tolerance)
    engine = get_backend(backend, spark=spark, data=release)
    if engine.name != "numpy":
        return _grouped_exposure(engine, release, auxiliary, links, truth_key=truth_key, what_if=what_if,
                                 population_size=population_size, release_delimiter=release_delimiter,
                                 auxiliary_delimiter=auxiliary_delimiter)
    rel_frame = read_table(release, delimiter=release_delimiter)
    aux_frame = read_table(auxiliary, delimiter=auxiliary_delimiter)
    require_columns(rel_frame, [l.release for l in links], source=f"release {_name_of(release, '')}".strip())
    require_columns(aux_frame, [l.auxiliary for l in links], source=f"auxiliary table {_name_of(auxiliary, '')}".strip())
    if truth_key is not None:
        if not isinstance(truth_key, Mapping) or set(truth_key) != {"release", "auxiliary"}:
            raise ConfigError(f"truth_key must be {{release: column, auxiliary: column}}, got {truth_key!r}",
                              hint="e.g. truth_key: {release: pid, auxiliary: pid}")
        require_columns(rel_frame, [truth_key["release"]], source="release (truth_key)")
        require_columns(aux_frame, [truth_key["auxiliary"]], source="auxiliary table (truth_key)")
    aux = Auxiliary(aux_frame, links)
    columns = encode_release(rel_frame, links)
    counts, rev = aux.count(columns, reverse=True)
    if rev is None:
        raise InternalError("exposure: the reverse counts were asked for but not computed")
    true_ok = None
    if truth_key is not None:
        true_ok = _true_match_compatible(aux, columns, rel_frame[truth_key["release"]], aux_frame[truth_key["auxiliary"]])
    items: list[dict[str, Any]] = []
    if what_if:
        items = what_if_analysis(aux, columns)
    copula = None
    if population_size is not None:
        from unlinkable.linkage.copula import copula_uniqueness

        copula = copula_uniqueness(rel_frame, attributes=[l.release for l in links], population_size=population_size, seed=seed)
    return ExposureResult(counts, rev, _name_of(auxiliary, "the auxiliary table"), tuple(l.release for l in links),
                    true_ok, tuple(items), copula)


def _grouped_exposure(engine: Any, release: Any, auxiliary: Any, links: Sequence[AttributeLink], *,
                      truth_key: Mapping[str, str] | None, what_if: bool, population_size: int | None,
                      release_delimiter: str | None, auxiliary_delimiter: str | None) -> ExposureResult:
    """``exposure`` on a backend that keeps the records (Spark): each table is grouped where it is
    into its distinct tuples of the shared attributes with counts (one distributed ``groupBy``
    each); only those tuples come to this process, where the counting engine runs on them with
    the counts as weights. Candidates depend on a record only through its tuple, so every figure
    is numpy's."""
    for given, what in ((truth_key, "the evaluation mode (truth_key) compares records one by one"),
                        (population_size, "the Gaussian-copula estimator (population) fits the release's records")):
        if given is not None:
            raise ConfigError(f"{what} and does not run on the {engine.name} backend",
                              hint="drop it, or run the exposure with the numpy backend")
    rel_table = engine.read(release, delimiter=release_delimiter)
    aux_table = engine.read(auxiliary, delimiter=auxiliary_delimiter)
    rel_columns = list(dict.fromkeys(link.release for link in links))
    aux_columns = list(dict.fromkeys(link.auxiliary for link in links))
    require_names(engine.columns(rel_table), rel_columns, source=f"release {_name_of(release, '')}".strip())
    require_names(engine.columns(aux_table), aux_columns, source=f"auxiliary table {_name_of(auxiliary, '')}".strip())
    if engine.name == "spark" and not _tuples_fit(engine, (rel_table, rel_columns), (aux_table, aux_columns)):
        return _spark_exposure(engine, rel_table, aux_table, links, what_if=what_if,
                               auxiliary_name=_name_of(auxiliary, "the auxiliary table"))
    rel = engine.snapshot(rel_table, rel_columns)
    aux_snap = engine.snapshot(aux_table, aux_columns)
    aux_frame = pl.DataFrame({name: _values(aux_snap, j) for j, name in enumerate(aux_columns)},
                             schema={name: pl.String for name in aux_columns})
    aux = Auxiliary(aux_frame, links, weights=aux_snap.tuples.counts)
    columns = [(rel.tuples.codes[:, rel_columns.index(link.release)], rel.dictionaries[rel_columns.index(link.release)])
               for link in links]
    weights = np.asarray(rel.tuples.counts, dtype=np.int64)
    counts, rev = aux.count(columns, reverse=True, weights=weights)
    if rev is None:
        raise InternalError("exposure: the reverse counts were asked for but not computed")
    items = what_if_analysis(aux, columns, weights=weights) if what_if else []
    return ExposureResult(counts, rev, _name_of(auxiliary, "the auxiliary table"), tuple(l.release for l in links),
                    None, tuple(items), None, weights=weights, reverse_weights=aux.weights)


def _tuples_fit(engine: Any, *tables: tuple[Any, list[str]]) -> bool:
    """Whether every table's distinct tuples fit under the backend's ``snapshot_limit`` (then the
    tuples come to this process and are counted here, which is quicker than a join in Spark)."""
    from unlinkable.linkage.spark_join import tuples_fit

    limit = engine.snapshot_limit
    return all(tuples_fit(table, columns, limit) for table, columns in tables)


def _spark_exposure(engine: Any, release: Any, auxiliary: Any, links: Sequence[AttributeLink], *, what_if: bool,
                    auxiliary_name: str) -> ExposureResult:
    """``exposure`` with the join in Spark (``linkage/spark_join.py``), for tables whose distinct
    tuples pass ``snapshot_limit``: the candidate counts come back as how many records have each
    count, which is all the figures read."""
    from unlinkable.linkage.spark_join import SparkJoin
    from unlinkable.linkage.whatif import what_if as _what_if

    join = SparkJoin(engine.session, release, auxiliary, links)
    try:
        dictionaries = join.release_dictionaries
        counts, records, reverse, reverse_records = join.histograms(dictionaries)
        items: list[dict[str, Any]] = []
        if what_if:
            total = int(records.sum())

            def share(variant: list[Sequence[str | None]], use: list[int]) -> float:
                c, r, _, _ = join.histograms(variant, use=use, reverse=False)
                return float(r[c == 1].sum()) / total if total else 0.0

            placeholder = np.zeros(0, dtype=np.int64)
            items = _what_if(join.aux, [(placeholder, d) for d in dictionaries], share=share)
    finally:
        join.close()
    return ExposureResult(counts, reverse, auxiliary_name, tuple(l.release for l in links), None, tuple(items), None,
                          weights=records, reverse_weights=reverse_records)


def _values(snapshot: Any, j: int) -> list[str | None]:
    """Column j of every distinct tuple as text, a missing value as None."""
    labels: list[str | None] = [*snapshot.dictionaries[j], None]
    return [labels[c] for c in snapshot.tuples.codes[:, j].tolist()]


def what_if_analysis(aux: Auxiliary, columns: Sequence[tuple[np.ndarray, Sequence[str | None]]], *,
                     weights: np.ndarray | None = None) -> list[dict[str, Any]]:
    """Unique-link share with each attribute dropped, or generalized one level (sorted, lowest first)."""
    from unlinkable.linkage.whatif import what_if as _what_if

    return _what_if(aux, columns, weights=weights)


def _true_match_compatible(aux: Auxiliary, columns: Sequence[tuple[np.ndarray, Sequence[str | None]]],
                           rel_key: pl.Series, aux_key: pl.Series) -> np.ndarray:
    """Per release record: is its true auxiliary record (same truth key) compatible with it?"""
    a_enc = encode_column(aux_key)
    if int((np.bincount(a_enc.codes[a_enc.codes >= 0], minlength=len(a_enc.dictionary)) > 1).sum()):
        dup = np.bincount(a_enc.codes[a_enc.codes >= 0], minlength=len(a_enc.dictionary))
        value = a_enc.dictionary[int(np.argmax(dup))]
        raise InputError(f"truth key column {aux_key.name!r} of the auxiliary table is not unique (value {value!r} repeats)",
                         hint="the evaluation mode needs one auxiliary record per person")
    first_row = np.full(len(a_enc.dictionary), -1, dtype=np.int64)
    ok_rows = np.flatnonzero(a_enc.codes >= 0)
    first_row[a_enc.codes[ok_rows]] = ok_rows
    r_enc = encode_column(rel_key)
    index = {v: i for i, v in enumerate(a_enc.dictionary)}
    lut = np.array([index.get(v, -1) for v in r_enc.dictionary] + [-1], dtype=np.int64)
    code = lut[r_enc.codes]
    target = np.where(code >= 0, first_row[np.maximum(code, 0)], -1)
    ok = target >= 0
    safe = np.maximum(target, 0)
    for a, attr in enumerate(aux.attrs):
        codes, dictionary = columns[a]
        tok = attr.tokens(dictionary)
        kind = tok.kind[codes]
        a_codes = attr.codes[safe]
        match = (kind == WILDCARD) | (a_codes < 0)
        if attr.link.tolerance is not None:
            rank = np.append(attr.rank, -1)[a_codes]
            match |= (kind == RANGE) & (tok.lo[codes] <= rank) & (rank <= tok.hi[codes])
        else:
            for level in np.unique(kind[kind >= 0]):
                sel = kind == level
                match |= sel & (attr.aux_key(int(level))[safe] == tok.key[codes])
        ok &= match
    return ok
