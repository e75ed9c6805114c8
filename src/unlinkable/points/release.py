"""A set-valued release as it leaves: anonymized, re-checked by the independent verifier, measured.

It sits above ``verify_points.py`` (the search in ``points/anonymize.py`` sits below it), so the
layering holds. Nothing is returned unless the verifier accepts the released text.

The figures (:meth:`PointsAnonymization.to_dict`) name no input item: ``generalization`` is the
cut as released nodes (each released label, its hierarchy level and how many input items it
covers; every label in it is in the release anyway), and suppressed items are counted, not
listed, since an item is suppressed because few records hold it. The Python result keeps the
full item-by-item recoding (:meth:`PointsAnonymization.recoding`) for the data's owner.

A record whose every item is suppressed has nothing left to release: no form can carry it (an
empty line is no basket, a long table has no row for it), so it is left out and counted in
``suppressed_records``. With quasi-identifiers (relational + transaction data) leaving records out
can shrink a class of equal quasi-identifiers below k-anonymity's k (when k^m's k is smaller, or
rho-uncertainty is the only item model): the other records of such a class are suppressed too
(Poulis et al.'s record suppression on the relational side), counted, and the verifier re-checks
k-anonymity on the released records.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import polars as pl

from unlinkable.errors import NoSolutionError
from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.points.anonymize import PointsModel, PointsRelease, anonymize_points
from unlinkable.points.encoded import Points
from unlinkable.points.km import km_exposure
from unlinkable.points.km_anonymity import KmAnonymity
from unlinkable.points.rho_uncertainty import antecedent_sizes, rho_violations
from unlinkable.points.utility import TOP_ITEMSETS, ItemsetError, itemset_error
from unlinkable.verify_points import verify_points_release

__all__ = ["PointsAnonymization", "release_points", "released_records", "release_relational", "anonymize_km", "baskets_text"]


def baskets_text(points: Points) -> list[list[str]]:
    """Each record's distinct items as text (for the verifier and for writing).

    Examples
    --------
    >>> baskets_text(Points.from_codes([0, 0, 1], [1, 0, 1], labels=("a", "b")))
    [['a', 'b'], ['b']]
    """
    sets = points.sets()
    labels = np.asarray(sets.labels, dtype=object)
    return [labels[sets.items[a:b]].tolist() for a, b in zip(sets.indptr[:-1], sets.indptr[1:])]


@dataclass(frozen=True, eq=False)
class PointsAnonymization:
    """A verified set-valued release and its figures."""

    original: Points
    release: PointsRelease
    #: which input records are released (False: every item suppressed, or its class of quasi-identifiers fell below k)
    kept: np.ndarray
    before: dict[str, Any]
    after: dict[str, Any]
    utility: ItemsetError
    runtime_s: float
    #: relational + transaction data: each released record's quasi-identifiers (one row per released record) and figures
    attributes: Any = None
    relational: Mapping[str, Any] | None = None

    @property
    def points(self) -> Points:
        """The released records, in input order (records left out are not in it)."""
        return self.release.points.only(self.kept)

    def recoding(self) -> dict[str, str | None]:
        """Each input item's released label (None: suppressed). Names input items: not for reports."""
        return self.release.generalization(self.original)

    def cut_nodes(self) -> list[dict[str, Any]]:
        """The released nodes of the cut: label, hierarchy level, input items covered (by label)."""
        cut = self.release.cut
        codes, labels = cut.released()
        kept = codes >= 0
        covered = np.bincount(codes[kept], minlength=len(labels))
        level = np.zeros(len(labels), dtype=np.int64)
        level[codes[kept]] = cut.levels[kept]
        return [{"label": label, "level": int(level[i]), "items": int(covered[i])} for i, label in enumerate(labels)]

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON keys; no input item, record or basket in it."""
        cut = self.release.cut
        empty = int(np.count_nonzero(self.release.points.lengths() == 0))
        return {
            "records": self.original.records,
            "released_records": int(np.count_nonzero(self.kept)),
            "suppressed_records": int(np.count_nonzero(~self.kept)),
            "records_without_items": empty,
            "distinct_items": self.original.distinct_items,
            "models": [model.to_dict() for model in self.release.models],
            "released_items": len(self.points.labels),
            "km_before": self.before.get("km"),
            "km_after": self.after.get("km"),
            "rho_before": self.before.get("rho"),
            "rho_after": self.after.get("rho"),
            "generalization": self.cut_nodes(),
            "suppressed_items": int(np.count_nonzero(cut.suppressed)),
            "suppressed_occurrences": self.release.suppressed_occurrences,
            "item_occurrences": self.release.total_occurrences,
            "ncp": cut.ncp(self.original),
            "top_itemsets": self.utility.to_dict(),
            "optimal": self.release.optimal,
            "cuts": self.release.search.get("cuts"),
            "rounds": self.release.rounds,
            "runtime_s": round(self.runtime_s, 3),
            **({"relational": dict(self.relational)} if self.relational is not None else {}),
        }


def _exposure(points: Points, models: Sequence[PointsModel]) -> dict[str, Any]:
    """k^m and rho figures of ``points`` under the models (kernels; the verifier re-checks separately)."""
    figures: dict[str, Any] = {}
    for model in models:
        if isinstance(model, KmAnonymity):
            e = km_exposure(points, k=model.k, m=model.m)
            figures["km"] = {"k": model.k, "m": model.m, "violating_itemsets": e.violating_itemsets,
                             "violating_by_size": list(e.violating_by_size), "affected_records": e.affected_records}
        else:
            wanted = set(model.sensitive_items)
            flags = np.array([label in wanted for label in points.labels], dtype=bool)
            m = antecedent_sizes(points, model.m)
            by_size = list(rho_violations(points, flags, model.rho, m).rules)
            figures["rho"] = {"rho": model.rho, "m": m, "violating_rules": int(sum(by_size)), "violating_by_size": by_size}
    return figures


def released_records(release: Points, classes: np.ndarray | None = None, k_anonymity: int | None = None) -> np.ndarray:
    """Which records can be released: those with an item left and, with quasi-identifier classes
    (``classes``) and k-anonymity's ``k_anonymity``, only in classes that keep at least k such records.

    Examples
    --------
    >>> p = Points.from_codes([0, 1, 2], [0, 0, 0], labels="a", n_records=4)
    >>> released_records(p).tolist(), released_records(p, np.array([0, 0, 1, 1]), 2).tolist()
    ([True, True, True, False], [True, True, False, False])
    """
    kept = release.lengths() > 0
    if classes is not None and k_anonymity is not None and len(classes):
        remaining = np.bincount(classes[kept], minlength=int(classes.max()) + 1)
        kept &= remaining[classes] >= k_anonymity
    return kept


def release_points(points: Points, hierarchy: Hierarchy, models: Sequence[PointsModel], *,
                   suppression_limit: float = 0.0, classes: np.ndarray | None = None,
                   class_text: Sequence[Any] | None = None, k_anonymity: int | None = None,
                   top: int = TOP_ITEMSETS) -> PointsAnonymization:
    """Anonymize, verify the released text independently (fail closed), and measure.

    ``classes`` numbers each record's class of quasi-identifiers (k^m is counted within classes);
    the verifier reads the classes from ``class_text`` (each record's released quasi-identifier
    text) when given, else from ``classes``. With ``k_anonymity``, the classes must keep at least
    that many released records (see :func:`released_records`); the verifier re-checks it.

    Examples
    --------
    >>> h = Hierarchy([["milk", "drink", "*"], ["tea", "drink", "*"], ["bread", "food", "*"]])
    >>> p = Points.from_codes([0, 1, 2, 3], [1, 2, 0, 0], labels=("bread", "milk", "tea"))
    >>> r = release_points(p, h, [KmAnonymity(2, 1)])
    >>> baskets_text(r.points), r.to_dict()["km_after"]["violating_itemsets"], r.to_dict()["optimal"]
    ([['drink'], ['drink'], ['bread'], ['bread']], 0, True)
    """
    start = time.perf_counter()
    release = anonymize_points(points, hierarchy, models, suppression_limit=suppression_limit, classes=classes)
    kept = released_records(release.points, classes, k_anonymity)
    if not kept.any():
        raise NoSolutionError("no record would be released: every record lost all its items (or its class fell below k)",
                              hint="lower suppression_limit, k or m, or give a hierarchy with coarser nodes")
    text = baskets_text(release.points)
    verify_points_release([record if keep else None for record, keep in zip(text, kept.tolist())],
                          original=baskets_text(points), hierarchy=hierarchy, models=[model.to_dict() for model in models],
                          generalization=release.generalization(points), suppression_limit=suppression_limit,
                          classes=class_text if class_text is not None else None if classes is None else classes.tolist(),
                          k_anonymity=k_anonymity)
    runtime = time.perf_counter() - start
    m = max((model.m for model in models if isinstance(model, KmAnonymity)), default=2)
    released = release.points.only(kept)
    return PointsAnonymization(points, release, kept, _exposure(points, models), _exposure(released, models),
                               itemset_error(points, release.cut, m, top, released=released), runtime)


def anonymize_km(points: Points, hierarchy: Hierarchy, *, k: int, m: int) -> PointsRelease:
    """k^m-anonymize and verify; the release (a shorthand of :func:`release_points`).

    Examples
    --------
    >>> h = Hierarchy([["milk", "drink", "*"], ["tea", "drink", "*"], ["bread", "food", "*"]])
    >>> p = Points.from_codes([0, 1, 2, 3], [1, 2, 0, 0], labels=("bread", "milk", "tea"))
    >>> baskets_text(anonymize_km(p, h, k=2, m=1).points)
    [['drink'], ['drink'], ['bread'], ['bread']]
    """
    return release_points(points, hierarchy, [KmAnonymity.from_params({"k": k, "m": m})]).release



def release_relational(points: Points, attributes: Any, hierarchies: Mapping[str, Hierarchy], item_hierarchy: Hierarchy,
                       models: Sequence[PointsModel], *, k: int, suppression_limit: float = 0.0) -> PointsAnonymization:
    """Relational + transaction data (Poulis et al. 2013): k-anonymity on the records' quasi-identifiers, then the
    item models counted within each released class; both re-checked by their independent verifiers.

    ``attributes`` holds one row per record (in record order), one column per quasi-identifier,
    each with a hierarchy in ``hierarchies``. The quasi-identifiers are generalized by the table
    search (no record suppressed); k^m supports are then counted within each class of equal
    released quasi-identifiers, so an adversary who knows a person's quasi-identifiers and m of
    their items still finds k records.

    Examples
    --------
    >>> import polars as pl
    >>> h = Hierarchy([["milk", "drink", "*"], ["tea", "drink", "*"], ["bread", "food", "*"]])
    >>> ages = Hierarchy([["30", "3*", "*"], ["31", "3*", "*"], ["40", "4*", "*"], ["41", "4*", "*"]])
    >>> p = Points.from_codes([0, 1, 2, 3], [1, 2, 0, 0], labels=("bread", "milk", "tea"))
    >>> r = release_relational(p, pl.DataFrame({"age": ["30", "31", "40", "41"]}), {"age": ages}, h,
    ...                        [KmAnonymity(2, 1)], k=2)
    >>> r.attributes["age"].to_list(), baskets_text(r.points)
    (['3*', '3*', '4*', '4*'], [['drink'], ['drink'], ['bread'], ['bread']])
    """
    from unlinkable.anonymizer import Anonymizer
    from unlinkable.points.relational import class_codes
    from unlinkable.verify import verify_release

    start = time.perf_counter()
    quasi_identifiers = list(attributes.columns)
    anonymizer = Anonymizer(quasi_identifiers=quasi_identifiers, hierarchies=hierarchies, privacy=[{"k-anonymity": {"k": k}}],
                            suppression_limit=0.0, progress=False)
    table = anonymizer.fit(attributes)
    verify_release(table.table, original=attributes, quasi_identifiers=quasi_identifiers, models=anonymizer.models,
                   suppression_limit=0.0, hierarchies=hierarchies)
    released = table.table.select(quasi_identifiers)
    classes = class_codes(released, quasi_identifiers)
    # the kernel counts within class numbers; the item verifier reads the classes from the released text
    result = release_points(points, item_hierarchy, models, suppression_limit=suppression_limit, classes=classes,
                            class_text=list(released.iter_rows()), k_anonymity=k)
    kept = result.kept
    below_k = ((result.release.points.lengths() > 0) & ~kept)
    figures = {"k": k, "quasi_identifiers": quasi_identifiers, "transformation": dict(table.transformation),
               "classes": int(np.unique(classes[kept]).size),
               # records that kept items but whose class fell below k once the item-less records were left out
               "suppressed_records": int(np.count_nonzero(below_k))}
    return replace(result, attributes=released.filter(pl.Series(kept)), relational=figures,
                   runtime_s=time.perf_counter() - start)
