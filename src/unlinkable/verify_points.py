"""The independent verifier of set-valued releases (baskets, code sets), from their text.

Nothing here uses the points kernels, the cut or the search: each record's items are lists of
strings, itemsets are tuples counted in a ``Counter``, and every check is a plain loop.

1. The release keeps the records in order; ``released[i]`` is input record i as released, or
   None when it is left out. Each input item is released as one label, the same in every record
   (a global recoding), that is one of its labels in the item hierarchy's row, or is suppressed
   everywhere; a sensitive item (rho-uncertainty) is released as itself or suppressed. The
   claimed recoding (``generalization``) is applied to each input record and must give the
   released record exactly. Without a claimed recoding it is inferred from the records and no
   item may be suppressed. A record whose recoding is empty must be left out (no output form can
   carry it); a record with items left may be left out only with quasi-identifier classes
   (``classes``: record suppression on the relational side), and every model is then checked on
   the released records only.
2. At most ``floor(limit * occurrences)`` item occurrences (distinct items per input record) are
   suppressed.
3. Every model holds on the released text:
   - ``km-anonymity {k, m}``: every itemset of 1..m items of a released record is in at least k
     released records (within each of ``classes``, the classes of the quasi-identifiers,
     when given);
   - ``rho-uncertainty {rho, sensitive_items, m}``: for every sensitive item s and itemset X of
     1..m items (every size when ``m`` is absent) held by a record with s, ``sup(X + s) / sup(X)``
     is below rho;
4. With ``k_anonymity`` (relational + transaction data, whose quasi-identifiers the table verifier
   has checked before any record was left out): every class of ``classes`` that has a released
   record has at least that many released records.

A model without a checker here fails closed (``points_model_checker``); the contract test
(``tests/test_verify_contract.py``) walks ``unlinkable.points.anonymize.MODELS``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from itertools import combinations
from typing import Any

from unlinkable.errors import VerificationError
from unlinkable.hierarchies.hierarchy import Hierarchy

_BUG = "this is probably a bug; nothing was written"


def verify_points_release(released: Sequence[Sequence[str] | None], *, original: Sequence[Sequence[str]],
                          hierarchy: Hierarchy, models: Sequence[Mapping[str, Any]],
                          generalization: Mapping[str, str | None] | None = None, suppression_limit: float = 0.0,
                          classes: Sequence[Any] | None = None, k_anonymity: int | None = None) -> None:
    """Re-check a set-valued release from its text, with plain loops and no shared kernel.

    Examples
    --------
    >>> h = Hierarchy([["milk", "drink", "*"], ["tea", "drink", "*"]])
    >>> verify_points_release([["drink"], ["drink"]], original=[["milk"], ["tea"]], hierarchy=h,
    ...                       models=[{"km-anonymity": {"k": 2, "m": 1}}])
    >>> verify_points_release([["milk"], ["tea"]], original=[["milk"], ["tea"]], hierarchy=h,
    ...                       models=[{"km-anonymity": {"k": 2, "m": 1}}])
    Traceback (most recent call last):
    ...
    unlinkable.errors.VerificationError: km-anonymity does not hold: 2 itemset(s) of at most 1 item(s) ...
    """
    if len(released) != len(original):
        raise VerificationError(f"the release has {len(released)} records, the input {len(original)}", hint=_BUG)
    if classes is not None and len(classes) != len(original):
        raise VerificationError("the quasi-identifier classes do not cover the records", hint=_BUG)
    rows = {row[0]: row for row in hierarchy.rows}
    chosen = dict(generalization) if generalization is not None else _inferred(released, original, rows)
    sensitive = {str(item) for spec in models for name, params in spec.items() if name == "rho-uncertainty"
                 for item in params.get("sensitive_items", ())}
    for item, label in chosen.items():
        if item not in rows:
            raise VerificationError("an item of the recoding is not in the item hierarchy", hint=_BUG)
        if label is not None and label not in rows[item]:
            raise VerificationError("an item is released as a label that is not one of its ancestors", hint=_BUG)
        if item in sensitive and label is not None and label != item:
            raise VerificationError("a sensitive item is generalized (it may only be kept or suppressed)", hint=_BUG)
    occurrences = suppressed = 0
    for number, (before, after) in enumerate(zip(original, released), start=1):
        items = set(before)
        for item in items:
            if item not in chosen:
                raise VerificationError(f"record {number}: an item is not in the recoding", hint=_BUG)
        expected = {chosen[item] for item in items} - {None}
        if after is None:
            if expected and classes is None:
                raise VerificationError(f"record {number}: a record with items left is not released", hint=_BUG)
        elif not after:
            raise VerificationError(f"record {number}: a record with no item is released (no output form can carry it)",
                                    hint=_BUG)
        elif len(after) != len(set(after)) or expected != set(after):
            raise VerificationError(f"record {number}: the released items are not one global recoding of the input",
                                    hint=_BUG)
        occurrences += len(items)
        suppressed += sum(1 for item in items if chosen[item] is None)
    allowed = math.floor(suppression_limit * occurrences + 1e-9)
    if suppressed > allowed:
        raise VerificationError(f"{suppressed} item occurrences are suppressed, more than the {allowed} allowed", hint=_BUG)
    shown = [number for number, record in enumerate(released) if record is not None]
    kept_records = [released[number] for number in shown]
    kept_classes = None if classes is None else [classes[number] for number in shown]
    for spec in models:
        for name, params in spec.items():
            points_model_checker(name)(name, params, released=kept_records, classes=kept_classes)
    if k_anonymity is not None:
        _k_anonymity(k_anonymity, kept_classes)


def _inferred(released: Sequence[Sequence[str] | None], original: Sequence[Sequence[str]],
              rows: Mapping[str, Sequence[str]]) -> dict[str, str | None]:
    """The recoding read off the records: each item's first ancestor label present in its released record."""
    chosen: dict[str, str | None] = {}
    for number, (before, after) in enumerate(zip(original, released), start=1):
        if after is None:  # left out: it shows no label, and without a claimed recoding nothing may be suppressed
            raise VerificationError(f"record {number}: a record is left out but no recoding is claimed", hint=_BUG)
        present = set(after)
        for item in before:
            if item in chosen:
                continue
            if item not in rows:
                raise VerificationError(f"record {number}: an item is not in the item hierarchy", hint="nothing was written")
            candidates = [label for label in rows[item] if label in present]
            if not candidates:
                raise VerificationError(f"record {number}: an item has no ancestor in the released record", hint=_BUG)
            chosen[item] = candidates[0]
    return chosen


def _km_anonymity(name: str, params: Mapping[str, Any], *, released: Sequence[Sequence[str]],
                  classes: Sequence[Any] | None) -> None:
    k, m = int(params["k"]), int(params["m"])
    support: Counter[Any] = Counter()
    for number, record in enumerate(released):
        items = sorted(set(record))
        record_class = classes[number] if classes is not None else None
        for size in range(1, m + 1):
            support.update((record_class, c) for c in combinations(items, size))
    failing = sum(1 for count in support.values() if count < k)
    if failing:
        within = " within a class of the quasi-identifiers" if classes is not None else ""
        raise VerificationError(f"{name} does not hold: {failing} itemset(s) of at most {m} item(s) occur in fewer "
                                f"than {k} records{within}; nothing was written", hint="this is probably a bug")


def _rho_uncertainty(name: str, params: Mapping[str, Any], *, released: Sequence[Sequence[str]],
                     classes: Sequence[Any] | None) -> None:
    rho = float(params["rho"])
    sensitive = {str(item) for item in params["sensitive_items"]}
    records = [sorted(set(record)) for record in released]
    longest = max((len(r) for r in records), default=0)
    m = int(params["m"]) if params.get("m") is not None else max(longest - 1, 0)
    joint: Counter[tuple[tuple[str, ...], str]] = Counter()
    for items in records:
        for s in sensitive.intersection(items):
            rest = [i for i in items if i != s]
            for size in range(1, m + 1):
                joint.update((x, s) for x in combinations(rest, size))
    needed = {x for x, _ in joint}
    alone: Counter[tuple[str, ...]] = Counter()
    for items in records:
        for size in range(1, m + 1):
            alone.update(x for x in combinations(items, size) if x in needed)
    failing = sum(1 for (x, s), count in joint.items() if count / alone[x] >= rho)
    if failing:
        raise VerificationError(f"{name} does not hold: {failing} rule(s) of at most {m} known item(s) infer a "
                                f"sensitive item with confidence >= {rho}; nothing was written", hint="this is probably a bug")


def _k_anonymity(k: int, classes: Sequence[Any] | None) -> None:
    """Every class of the released records' quasi-identifiers holds at least k of them."""
    if classes is None:
        raise VerificationError("k-anonymity is claimed on a release without quasi-identifiers; nothing was written",
                                hint=_BUG)
    sizes = Counter(_hashable(c) for c in classes)
    failing = sum(1 for count in sizes.values() if count < k)
    if failing:
        raise VerificationError(f"k-anonymity does not hold: {failing} class(es) of the quasi-identifiers hold fewer "
                                f"than {k} released records; nothing was written", hint=_BUG)


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


#: set-valued privacy model -> its plain checker (``points.anonymize.MODELS`` must all be here; a contract test asserts it)
_CHECKERS: dict[str, Callable[..., None]] = {"km-anonymity": _km_anonymity, "rho-uncertainty": _rho_uncertainty}


def points_model_checker(name: str) -> Callable[..., None]:
    """The plain checker of a set-valued privacy model; ``VerificationError`` when there is none.

    Examples
    --------
    >>> points_model_checker("km-anonymity").__name__
    '_km_anonymity'
    """
    checker = _CHECKERS.get(name)
    if checker is None:
        raise VerificationError(f"no independent checker for the set-valued privacy model {name!r}; nothing was written",
                                hint="every claim is re-checked by verify_points.py before release; add a checker there")
    return checker


__all__ = ["verify_points_release", "points_model_checker"]
