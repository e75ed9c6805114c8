"""The independent verifier: re-read a produced table and re-check every requested privacy model.

Nothing here uses the search engine or the models' vectorised ``check``: the verifier starts from
the output table's **text**, as a reader of the published file would, and checks with its own
plain code (deliberately simple: dictionaries and loops over classes, not over records):

1. the output has the original's rows, in order, and keeps every non-quasi-identifier column
   unchanged (columns may only be dropped: identifiers);
2. every quasi-identifier column is a global generalization of the original column at one
   hierarchy level (the level is inferred from the text), and a suppressed row has ``*`` in every
   quasi-identifier; at most ``floor(limit * n)`` rows are suppressed. After local recoding
   (``local=True``) each record's value is checked on its own: it must be its input value's
   label at some level of the hierarchy;
3. the non-suppressed rows, grouped on their quasi-identifier strings, satisfy every model.

A failure raises :class:`unlinkable.errors.VerificationError` naming the model, the number of
failing classes and one failing class by its generalized quasi-identifier values (never a raw
value of the input). Distances and risks are compared with a tolerance of 1e-9, so the verifier
never rejects a class that the models accept only because of floating-point summation order.

SDC chains are checked by :func:`verify_steps`: each step on its own input and output, by a plain
checker of what the method may produce (see there).

**Fail closed.** A privacy model or SDC step without a checker here (:func:`model_checker`,
:func:`step_checker`), or a parameter value a checker does not know (an l-diversity variant, a
t-closeness distance, an estimator), raises ``VerificationError``: nothing is released on a
claim nobody re-checked. ``tests/test_verify_contract.py`` walks both registries.

**What the checkers share with the code they check, and why.** The checkers never call the
models' ``check``, the search, ``transform/``, ``risk/frequencies`` or the SDC kernels; they
regroup the released text with polars and loop over classes. They do share:

- ``data.io.read_table``, to read auxiliary tables (k-map population, delta-presence subset,
  linkage auxiliary): reading is not a claim, and the input side is tested on its own;
- ``Hierarchy.rows``, the hierarchy as read from its file (never its encoded maps);
- ``sdc.pipeline.step_attributes``, which columns a step summary names (configuration, not a kernel);
- ``risk.population.population_uniqueness`` (Pitman, Zayatz, SNB and Dankar estimates) for
  population-uniqueness: the class sizes it is given are recounted here from the text, and the
  estimators themselves are pinned to ARX's figures in ``tests/reference``; a second copy of
  SNB's nonlinear solver would repeat the same numerics with bugs of its own;
- ``linkage.exposure.exposure`` for the linkage model, run on the released text (not on the
  search's codes): it catches a wrong generalization or suppression, but not an error in the
  link counting itself, which ``tests/linkage`` checks against brute force;
- scipy's Poisson distribution for the k-map estimators (the loops around it are written here).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from unlinkable.errors import VerificationError
from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.risk.sampling import population_size

SUPPRESSED = "*"
_TOL = 1e-9

#: released classes: quasi-identifier text -> records
_Classes = dict[tuple[Any, ...], int]
#: per quasi-identifier, every hierarchy level consistent with the release (None: no hierarchies)
_Levels = Mapping[str, list[int]] | None


def verify_release(output: pl.DataFrame, *, original: pl.DataFrame, quasi_identifiers: list[str],
                   models: list[Any], suppression_limit: float,
                   hierarchies: Mapping[str, Hierarchy], identifiers: Sequence[str] = (), local: bool = False) -> None:
    """Check a release from its text; raise ``VerificationError`` if any guarantee does not hold.

    Parameters
    ----------
    output : polars.DataFrame
        The anonymized table as it will be written.
    original : polars.DataFrame
        The input table.
    quasi_identifiers : list of str
        The quasi-identifiers.
    models : list of PrivacyModel
        The requested models; each is re-checked from its ``to_dict()`` parameters.
    suppression_limit : float
        The share of records that may be suppressed.
    hierarchies : mapping of str to Hierarchy
        Hierarchies of the quasi-identifiers, and of a sensitive attribute used with
        hierarchical-distance t-closeness.
    identifiers : sequence of str
        Columns that must not be in the release.
    local : bool
        The release is a local recoding (ARX's ``optimizeIterative``): records of one column may be
        generalized to different levels.

    Examples
    --------
    >>> import polars as pl
    >>> from unlinkable.hierarchies.hierarchy import Hierarchy
    >>> from unlinkable.models.kanonymity import KAnonymity
    >>> orig = pl.DataFrame({"zip": ["81675", "81667", "81675"], "d": ["a", "b", "c"]})
    >>> out = pl.DataFrame({"zip": ["8167*", "8167*", "8167*"], "d": ["a", "b", "c"]})
    >>> h = Hierarchy([["81675", "8167*", "*"], ["81667", "8167*", "*"]])
    >>> verify_release(out, original=orig, quasi_identifiers=["zip"], models=[KAnonymity(k=3)],
    ...                suppression_limit=0.0, hierarchies={"zip": h})

    Notes
    -----
    Model definitions: Sweeney (2002) k-anonymity; Machanavajjhala et al. (2007) l-diversity;
    Li et al. (2007) t-closeness; ARX 3.9.2 for the risk thresholds, k-map and delta-presence.
    """
    _no_identifiers(output, identifiers)
    _check_shape(output, original, quasi_identifiers, models)
    out_text, orig_text = _text(output), _text(original)
    full_output, full_original = out_text, orig_text
    subset = _included_subset(models)
    if subset is not None:
        # Inclusion, delta-presence and a journalist's profitability release their research subset
        # only: the limit and every model apply to the subset's records (their checkers verify that
        # the others are suppressed).
        member = pl.Series(_subset_rows(orig_text, subset))
        out_text, orig_text = out_text.filter(member), orig_text.filter(member)
    n = orig_text.height

    # Suppressed rows: '*' in every quasi-identifier.
    all_star = pl.all_horizontal([pl.col(q) == SUPPRESSED for q in quasi_identifiers]) if quasi_identifiers else pl.lit(False)
    suppressed = out_text.select(all_star.fill_null(False).alias("s"))["s"].to_numpy()
    tuples = None
    if local:
        _check_local(out_text, orig_text, quasi_identifiers, hierarchies, suppressed)
        levels = None
    else:
        tuples = _released_tuples(out_text, orig_text, quasi_identifiers, suppressed)
        levels = _infer_levels(tuples, quasi_identifiers, hierarchies)
    limit_share = 1.0 if _differentially_private(models) else suppression_limit
    # (ARX: differential privacy suppresses classes below k and every unsampled record, whatever the limit)
    suppressed_records = int(suppressed.sum())
    if (local and suppressed_records > math.floor(limit_share * n)
            and all(_has_star_level(hierarchies[q]) for q in quasi_identifiers)):
        suppressed[:] = False  # '*' is a level of every QI: the '*' rows are one released class
    elif star_rows_released(suppressed_records, n, limit_share, levels, quasi_identifiers, hierarchies):
        suppressed[:] = False  # every QI fully generalized: the '*' rows are one released class

    released = _Released(out_text, ~suppressed)
    # the classes from the distinct tuples, unless the '*' rows turned out to be a released class
    classes = _classes(released, quasi_identifiers) if tuples is None or suppressed_records != int(suppressed.sum()) \
        else _classes_of_tuples(tuples, quasi_identifiers)
    check_models(models, classes=classes, released=released, original=orig_text,
                 output=out_text, quasi_identifiers=quasi_identifiers, hierarchies=hierarchies, levels=levels,
                 suppressed=suppressed, n=n, full_output=full_output, full_original=full_original)


def _text(frame: pl.DataFrame) -> pl.DataFrame:
    """Every column as text: a Categorical or Enum column is text already (its values are its
    categories' labels, grouped on their codes without one string per cell)."""
    return frame.select([pl.col(c) if isinstance(t, (pl.String, pl.Categorical, pl.Enum)) else pl.col(c).cast(pl.String)
                         for c, t in frame.schema.items()])


def star_rows_released(suppressed_records: int, n: int, suppression_limit: float, levels: Mapping[str, list[int]] | None,
                       quasi_identifiers: list[str], hierarchies: Mapping[str, Hierarchy]) -> bool:
    """Check the suppressed count against ``floor(limit * n)``; True when it is over the limit but
    every quasi-identifier is generalized to its top level, so the ``*`` rows are one released
    class rather than suppressed records.

    Examples
    --------
    >>> star_rows_released(1, 30, 0.05, None, [], {})
    False
    """
    limit = int(math.floor(suppression_limit * n))
    if suppressed_records <= limit:
        return False
    if levels is not None and _star_is_a_class(levels, quasi_identifiers, hierarchies):
        return True
    raise VerificationError(
        f"the release suppresses {suppressed_records} records, more than the limit floor({suppression_limit} x {n}) = {limit}",
        hint="nothing was written; this is probably a bug in the search")


def check_models(models: list[Any], *, classes: Mapping[tuple[Any, ...], int], released: Any, original: Any, **given: Any) -> None:
    """Run every model's plain checker on the released classes (``VerificationError`` on a failure).

    ``released`` and ``original`` answer ``columns`` and ``group_by(columns).len()`` (a polars
    frame of the released rows and of the input, or their grouped stand-ins from a distributed
    backend); ``given`` holds the other checker arguments (``quasi_identifiers``, ``levels``, ...).

    Examples
    --------
    >>> from unlinkable.models.kanonymity import KAnonymity
    >>> check_models([KAnonymity(k=2)], classes={("8167*",): 1}, released=None, original=None, quasi_identifiers=["zip"])
    Traceback (most recent call last):
    ...
    unlinkable.errors.VerificationError: k-anonymity (k=2): 1 released class(es) have fewer than 2 records...
    """
    for model in models:
        spec = model.to_dict() if hasattr(model, "to_dict") else dict(model)
        (name, params), = spec.items()
        checker = model_checker(name)
        checker(name, params, classes=classes, released=released, original=original, model=model, **given)


# ---------------------------------------------------------------------------------------------
# Structure
# ---------------------------------------------------------------------------------------------

def _no_identifiers(output: pl.DataFrame, identifiers: Sequence[str]) -> None:
    present = [c for c in identifiers if c in output.columns]
    if present:
        raise VerificationError(f"the release still has the identifier column {present[0]!r}; nothing was written",
                                hint="identifiers are dropped from every output; this is probably a bug")


def _check_shape(output: pl.DataFrame, original: pl.DataFrame, quasi_identifiers: list[str], models: list[Any]) -> None:
    if output.height != original.height:
        raise VerificationError(f"the release has {output.height} rows, the input {original.height}",
                                hint="a release keeps every record (suppressed ones with '*'); this is probably a bug")
    extra = [c for c in output.columns if c not in original.columns]
    if extra:
        raise VerificationError(f"the release has a column {extra[0]!r} that the input does not have",
                                hint="this is probably a bug in the writer")
    missing = [q for q in quasi_identifiers if q not in output.columns]
    if missing:
        raise VerificationError(f"the release lacks the quasi-identifier {missing[0]!r}", hint="this is probably a bug")
    quasi_identifier_set = set(quasi_identifiers)
    for column in output.columns:
        if column in quasi_identifier_set:
            continue
        a = output[column].cast(pl.String)
        b = original[column].cast(pl.String)
        changed = ~((a == b).fill_null(False) | (a.is_null() & b.is_null()))
        count = int(changed.sum())
        if count:
            row = int(changed.arg_max() or 0) + 1
            raise VerificationError(f"column {column!r} is not a quasi-identifier but {count} of its values changed "
                                    f"(first at row {row})",
                                    hint="only quasi-identifiers may be generalized or suppressed; this is probably a bug")


def _released_tuples(out: pl.DataFrame, orig: pl.DataFrame, quasi_identifiers: list[str], suppressed: Any) -> pl.DataFrame:
    """The distinct (input quasi-identifiers, output quasi-identifiers) tuples of the rows not
    suppressed, with their numbers of rows (``len``): one pass over the records, after which the
    levels and the classes are read from tuples (columns ``i0.., o0..`` by quasi-identifier)."""
    inputs = [f"i{j}" for j in range(len(quasi_identifiers))]
    outputs = [f"o{j}" for j in range(len(quasi_identifiers))]
    both = pl.LazyFrame([orig[q].alias(name) for q, name in zip(quasi_identifiers, inputs)]
                        + [out[q].alias(name) for q, name in zip(quasi_identifiers, outputs)]
                        + [pl.Series("keep", ~suppressed)])
    # one fused query (filter + group): the filtered rows are never materialized
    return both.filter(pl.col("keep")).group_by([*inputs, *outputs]).len().collect()


def _infer_levels(tuples: pl.DataFrame, quasi_identifiers: list[str],
                  hierarchies: Mapping[str, Hierarchy]) -> dict[str, list[int]] | None:
    """Per QI, every hierarchy level that maps each released input value to its output text
    (``tuples`` from :func:`_released_tuples`)."""
    # the QIs up to the first without a hierarchy are checked; then no levels are known
    known = quasi_identifiers[:next((j for j, q in enumerate(quasi_identifiers) if q not in hierarchies), len(quasi_identifiers))]
    levels = levels_from_pairs({q: tuples.select(f"i{j}", f"o{j}").unique().rows() for j, q in enumerate(known)}, hierarchies)
    return levels if len(known) == len(quasi_identifiers) else None


def _classes_of_tuples(tuples: pl.DataFrame, quasi_identifiers: list[str]) -> _Classes:
    """Class key (QI strings) -> size, from :func:`_released_tuples` (the same as :func:`_classes`
    of the released rows)."""
    if not quasi_identifiers:
        total = int(tuples["len"].sum())
        return {(): total} if total else {}
    outputs = [f"o{j}" for j in range(len(quasi_identifiers))]
    grouped = tuples.group_by(outputs).agg(pl.col("len").sum())
    return {tuple(row[:-1]): int(row[-1]) for row in grouped.iter_rows()}


def levels_from_pairs(pairs: Mapping[str, Sequence[tuple[Any, Any]]],
                      hierarchies: Mapping[str, Hierarchy]) -> dict[str, list[int]] | None:
    """Per QI, every hierarchy level that maps each distinct (input, output) text pair of the
    released rows; None when a QI has no hierarchy; ``VerificationError`` when no level does.

    Examples
    --------
    >>> h = Hierarchy([["81675", "8167*", "*"], ["81667", "8166*", "*"]])
    >>> levels_from_pairs({"zip": [("81675", "8167*")]}, {"zip": h})
    {'zip': [1]}
    """
    levels: dict[str, list[int]] = {}
    for q, found in pairs.items():
        h = hierarchies.get(q)
        if h is None:
            return None
        index = {row[0]: row for row in h.rows}
        found = [_as_text(i, o) for i, o in found]
        ok = []
        for level in range(h.levels):
            if all(i in index and index[i][level] == o for i, o in found):
                ok.append(level)
        if not ok:
            bad = next(((i, o) for i, o in found if i not in index), None)
            why = "a value of the input is not in its hierarchy" if bad else "no single hierarchy level maps the input to the output"
            raise VerificationError(f"quasi-identifier {q!r} is not a global generalization of the input: {why}",
                                    hint="every record must be generalized to the same level; this is probably a bug")
        levels[q] = ok
    return levels


def _as_text(i: Any, o: Any) -> tuple[Any, Any]:
    """An empty cell is read as missing (null), and a hierarchy file names it by its empty text:
    the encoder matches the two, so the verifier does too."""
    return ("" if i is None else i), ("" if o is None else o)


def _check_local(out: pl.DataFrame, orig: pl.DataFrame, quasi_identifiers: list[str], hierarchies: Mapping[str, Hierarchy],
                 suppressed: Any) -> None:
    """Local recoding: every released value is its input value's label at some hierarchy level."""
    keep = pl.Series(~suppressed)
    for q in quasi_identifiers:
        h = hierarchies.get(q)
        if h is None:
            raise VerificationError(f"quasi-identifier {q!r} has no hierarchy: a local recoding cannot be checked",
                                    hint="give every quasi-identifier a hierarchy")
        pairs = pl.LazyFrame({"i": orig[q], "o": out[q]}).filter(keep).unique().collect()
        labels = {row[0]: set(row) for row in h.rows}
        bad = sum(1 for i, o in (_as_text(*row) for row in pairs.iter_rows()) if o not in labels.get(i, ()))
        if bad:
            raise VerificationError(f"quasi-identifier {q!r}: {bad} released values are no generalization of their "
                                    f"input value in its hierarchy", hint="nothing was written; this is probably a bug")


def _has_star_level(h: Hierarchy) -> bool:
    return any(all(row[lv] == SUPPRESSED for row in h.rows) for lv in range(h.levels))


def _star_is_a_class(levels: Mapping[str, list[int]], quasi_identifiers: list[str], hierarchies: Mapping[str, Hierarchy]) -> bool:
    for q in quasi_identifiers:
        h = hierarchies[q]
        if not any(all(row[lv] == SUPPRESSED for row in h.rows) for lv in levels[q]):
            return False
    return True


class _Released:
    """The released (non-suppressed) rows of the output text.

    Classes and histograms are counted by grouping the whole output on the quasi-identifiers (and
    the attribute) plus a released flag, then keeping the released classes: the rows are grouped
    once and never copied. The rows themselves (with ``_row``, their position in the output) are
    built only when a checker reads them as a table (any other attribute: columns, join, ...).
    """

    _FLAG = "\x00released"

    def __init__(self, output: pl.DataFrame, keep: Any) -> None:
        self._output = output
        self._keep = pl.Series(self._FLAG, keep, dtype=pl.Boolean)
        self._rows: pl.DataFrame | None = None

    def class_sizes(self, columns: list[str]) -> pl.DataFrame:
        """``columns`` + ``len`` of every released class (as ``rows.group_by(columns).len()``)."""
        grouped = self._output.select(columns).with_columns(self._keep).group_by([*columns, self._FLAG]).len()
        return grouped.filter(pl.col(self._FLAG)).drop(self._FLAG)

    @property
    def height(self) -> int:
        return int(self._keep.sum())

    @property
    def columns(self) -> list[str]:
        return ["_row", *self._output.columns]

    def __getattr__(self, name: str) -> Any:
        if self._rows is None:
            self._rows = self._output.with_row_index("_row").filter(self._keep)
        return getattr(self._rows, name)


def _class_sizes(released: Any, columns: list[str]) -> pl.DataFrame:
    if isinstance(released, _Released):
        return released.class_sizes(columns)
    grouped: pl.DataFrame = released.group_by(columns).len()
    return grouped


def _classes(released: Any, quasi_identifiers: list[str]) -> _Classes:
    """Class key (QI strings) -> size."""
    if not quasi_identifiers:
        return {(): released.height} if released.height else {}
    grouped = _class_sizes(released, quasi_identifiers)
    return {tuple(row[:-1]): int(row[-1]) for row in grouped.iter_rows()}


def _histograms(released: Any, quasi_identifiers: list[str], attribute: str) -> dict[tuple[Any, ...], Counter[Any]]:
    grouped = _class_sizes(released, [*quasi_identifiers, attribute])
    out: dict[tuple[Any, ...], Counter[Any]] = defaultdict(Counter)
    for row in grouped.iter_rows():
        if row[-2] is not None:
            out[tuple(row[:-2])][row[-2]] += int(row[-1])
    return out


def _fail(model: str, failing: list[tuple[Any, ...]], quasi_identifiers: list[str], what: str) -> None:
    if not failing:
        return
    example = ", ".join(f"{q}={v}" for q, v in zip(quasi_identifiers, failing[0]))
    raise VerificationError(f"{model}: {len(failing)} released class(es) {what}, e.g. the class {{{example}}}",
                            hint="nothing was written; this is probably a bug in the search")


def _known(model: str, key: str, value: Any, known: tuple[str, ...]) -> None:
    """Fail closed on a parameter value this verifier has no plain check for."""
    if value not in known:
        raise VerificationError(f"{model}: the verifier has no independent check for {key} {value!r}; nothing was written",
                                hint=f"the verifier checks {key} {', '.join(known)}; an uncheckable claim is never released")


def _column_of(name: str, attribute: str, original: pl.DataFrame, released: pl.DataFrame) -> None:
    if attribute not in original.columns:
        raise VerificationError(f"{name}: the sensitive attribute {attribute!r} is not a column of the input",
                                hint="check the attribute name")
    if attribute not in released.columns:
        raise VerificationError(f"{name}: the sensitive attribute {attribute!r} was dropped from the release",
                                hint="only identifiers may be dropped; this is probably a bug")


# ---------------------------------------------------------------------------------------------
# One plain checker per model
# ---------------------------------------------------------------------------------------------

def _k_anonymity(name: str, params: Mapping[str, Any], *, classes: _Classes, quasi_identifiers: list[str], **_: Any) -> None:
    k = int(params["k"])
    _fail(f"k-anonymity (k={k})", [key for key, size in classes.items() if size < k], quasi_identifiers,
          f"have fewer than {k} records")


def _l_diversity(name: str, params: Mapping[str, Any], *, released: Any, original: pl.DataFrame, quasi_identifiers: list[str],
                 **_: Any) -> None:
    attribute, variant, l = params["attribute"], params.get("variant", "distinct"), float(params["l"])
    _known(name, "variant", variant, ("distinct", "entropy", "recursive"))
    estimator = params.get("estimator", "shannon")
    _known(name, "estimator", estimator, ("shannon", "grassberger") if variant == "entropy" else ("shannon",))
    _column_of(name, attribute, original, released)
    need = math.ceil(l)
    failing = []
    for key, counts in _histograms(released, quasi_identifiers, attribute).items():
        freqs = sorted(counts.values(), reverse=True)
        ok = len(freqs) >= need
        if ok and variant == "entropy" and estimator == "grassberger":
            # Grassberger (1988): sum f G(f) <= N (G(N) - ln l), G(n) = psi(n) + (-1)^n / 2 (psi((n+1)/2) - psi(n/2))
            total = sum(freqs)
            ok = sum(f * _grassberger_g(f) for f in freqs) <= total * (_grassberger_g(total) - math.log(l)) + _TOL * total
        elif ok and variant == "entropy":
            total = sum(freqs)
            entropy = -sum(f / total * math.log(f / total) for f in freqs)
            ok = entropy >= math.log(l) - _TOL
        elif ok and variant == "recursive":
            c = float(params["c"])
            ok = freqs[0] < c * sum(freqs[need - 1:])
        if not ok:
            failing.append(key)
    label = f"recursive ({params.get('c')}, {params['l']})-diversity" if variant == "recursive" else f"{variant} {params['l']}-diversity"
    _fail(f"{label} of {attribute!r}", failing, quasi_identifiers, "are not diverse enough")


def _grassberger_g(n: int) -> float:
    from scipy.special import digamma

    return float(digamma(n) + 0.5 * (-1) ** n * (digamma((n + 1) / 2) - digamma(n / 2)))


def _t_closeness(name: str, params: Mapping[str, Any], *, released: Any, original: pl.DataFrame, quasi_identifiers: list[str],
                 hierarchies: Mapping[str, Hierarchy], **_: Any) -> None:
    attribute, distance, t = params["attribute"], params.get("distance", "equal"), float(params["t"])
    _known(name, "distance", distance, ("equal", "ordered", "hierarchical"))
    _column_of(name, attribute, original, released)
    table = Counter({k: v for k, v in original.group_by(attribute).len().iter_rows() if k is not None})
    total = sum(table.values())
    q = {v: c / total for v, c in table.items()}
    if distance == "ordered":
        order = params.get("order")
        if order == "lexicographic":
            domain = sorted(q, key=lambda v: v.encode("utf-16-be"))  # Java's String.compareTo
        elif order is not None:
            position = {v: i for i, v in enumerate(order)}
            if any(v not in position for v in q):
                raise VerificationError(f"t-closeness: a value of {attribute!r} is not in the given order",
                                        hint="list every value of the attribute in `order`")
            domain = sorted(q, key=position.__getitem__)
        else:
            try:
                domain = sorted(q, key=float)
            except ValueError:
                raise VerificationError(f"t-closeness: {attribute!r} is not numeric", hint="use the equal or hierarchical distance") from None
    elif distance == "hierarchical":
        if attribute not in hierarchies:
            raise VerificationError(f"t-closeness: no hierarchy for {attribute!r}", hint="give it in `attributes`")
        tree = _tree(hierarchies[attribute])
    failing = []
    for key, counts in _histograms(released, quasi_identifiers, attribute).items():
        size = sum(counts.values())
        p = {v: c / size for v, c in counts.items()}
        if distance == "equal":
            emd = 0.5 * sum(abs(p.get(v, 0.0) - q.get(v, 0.0)) for v in set(p) | set(q))
        elif distance == "ordered":
            running, emd = 0.0, 0.0
            for v in domain:
                running += p.get(v, 0.0) - q[v]
                emd += abs(running)
            emd = emd / (len(domain) - 1) if len(domain) > 1 else 0.0
        else:
            emd = _hierarchical_emd(p, q, tree)
        if emd > t + _TOL:
            failing.append(key)
    _fail(f"{t}-closeness ({distance} distance) of {attribute!r}", failing, quasi_identifiers,
          f"are farther than {t} from the distribution of the whole table")


def _beta_likeness(name: str, params: Mapping[str, Any], *, released: Any, original: pl.DataFrame, quasi_identifiers: list[str],
                   **_: Any) -> None:
    # Cao and Karras (2012): the relative gain (p - q) / q of every value in a class is at most beta
    # (basic), or at most min(beta, -ln q) (enhanced); q over the whole input, missing values left out.
    attribute, variant, beta = params["attribute"], params.get("variant", "basic"), float(params["beta"])
    _known(name, "variant", variant, ("basic", "enhanced"))
    _column_of(name, attribute, original, released)
    table = Counter({k: v for k, v in original.group_by(attribute).len().iter_rows() if k is not None})
    total = sum(table.values())
    failing = []
    for key, counts in _histograms(released, quasi_identifiers, attribute).items():
        size = sum(counts.values())
        for value, count in counts.items():
            q = table[value] / total
            bound = beta if variant == "basic" else min(beta, -math.log(q))
            if (count / size - q) / q > bound + _TOL:
                failing.append(key)
                break
    _fail(f"{variant} {params['beta']}-likeness of {attribute!r}", failing, quasi_identifiers,
          "make a value of the sensitive attribute too much more likely than in the whole table")


def _tree(h: Hierarchy) -> tuple[int, list[dict[str, list[str]]]]:
    """(height, per level >= 1: node label -> leaf values below it)."""
    height = h.levels - 1
    nodes: list[dict[str, list[str]]] = [{} for _ in range(h.levels)]
    for row in h.rows:
        for level in range(h.levels):
            nodes[level].setdefault(row[level], []).append(row[0])
    children: list[dict[str, list[str]]] = [{} for _ in range(h.levels)]
    for row in h.rows:
        for level in range(1, h.levels):
            kids = children[level].setdefault(row[level], [])
            if row[level - 1] not in kids:
                kids.append(row[level - 1])
    return height, children


def _hierarchical_emd(p: Mapping[str, float], q: Mapping[str, float], tree: tuple[int, list[dict[str, list[str]]]]) -> float:
    # Li et al. (2007): the extra of a leaf is q - p; a node pays (level / height) * min(pos, neg)
    # where pos / neg sum its children's positive / negative net extras.
    height, children = tree
    if height == 0:
        return 0.0
    net = {v: q.get(v, 0.0) - p.get(v, 0.0) for v in set(p) | set(q)}
    cost = 0.0
    for level in range(1, height + 1):
        upper = {}
        for node, kids in children[level].items():
            pos = sum(net.get(k, 0.0) for k in kids if net.get(k, 0.0) > 0)
            neg = -sum(net.get(k, 0.0) for k in kids if net.get(k, 0.0) < 0)
            cost += level / height * min(pos, neg)
            upper[node] = pos - neg
        net = upper
    return cost


# The three table-level risk models hold on an empty release (every record suppressed), as in
# ARX ("All suppressed") and as the models say; a risk that cannot be computed on a non-empty
# release (NaN) fails.


def _average_risk(name: str, params: Mapping[str, Any], *, classes: _Classes, **_: Any) -> None:
    t = float(params["threshold"])
    records = sum(classes.values())
    if records == 0:
        return
    risk = len(classes) / records
    if not (risk <= t + _TOL):
        raise VerificationError(f"average-risk: the average re-identification risk of the release is {risk:.6g}, above {t}",
                                hint="nothing was written; this is probably a bug in the search")


def _sample_uniqueness(name: str, params: Mapping[str, Any], *, classes: _Classes, **_: Any) -> None:
    t = float(params["threshold"])
    records = sum(classes.values())
    if records == 0:
        return
    share = sum(1 for s in classes.values() if s == 1) / records
    if not (share <= t + _TOL):
        raise VerificationError(f"sample-uniqueness: {share:.6g} of the released records are unique, above {t}",
                                hint="nothing was written; this is probably a bug in the search")


def _population_uniqueness(name: str, params: Mapping[str, Any], *, classes: _Classes, n: int, **_: Any) -> None:
    import numpy as np

    from unlinkable.risk.population import population_uniqueness

    t = float(params["threshold"])
    estimator = params.get("estimator", "dankar")
    _known(name, "estimator", estimator, ("pitman", "zayatz", "snb", "dankar"))  # before any shortcut: fail closed
    if not classes:
        return
    size = params.get("population_size")
    if size is None:
        size = population_size(n, sampling_fraction=params["sampling_fraction"])
    sizes = np.array(sorted(classes.values()), dtype=np.int64)
    value = getattr(population_uniqueness(sizes, population_size=int(size)), estimator)
    value = 0.0 if value is None else float(value)
    has_uniques = bool((sizes == 1).any())
    if not ((0.0 < value <= t + _TOL) or (value == 0.0 and not has_uniques)):
        raise VerificationError(f"population-uniqueness: estimated population uniqueness {value:.6g} is above {t} "
                                f"(or unavailable with unique records in the release)",
                                hint="nothing was written; this is probably a bug in the search")


def _k_map(name: str, params: Mapping[str, Any], *, classes: _Classes, quasi_identifiers: list[str],
           hierarchies: Mapping[str, Hierarchy], levels: _Levels, n: int, full_output: pl.DataFrame,
           full_original: pl.DataFrame, **_: Any) -> None:
    k = int(params["k"])
    if params.get("subset") is not None:
        # the data table is the population; only the research subset may be released
        _inclusion(name, params, full_output=full_output, full_original=full_original, quasi_identifiers=quasi_identifiers)
    elif params.get("population") is None:
        _known(name, "estimator", params.get("estimator"), ("poisson", "zero-truncated-poisson"))
        from scipy.stats import poisson

        size = params.get("population_size")
        population = float(size) if size is not None else float(population_size(n, sampling_fraction=params["sampling_fraction"]))
        lam = n / population * k
        goal = 1.0 - float(params.get("significance", 0.01))
        if params["estimator"] == "poisson":
            x = 0
            while poisson.cdf(x, lam) < goal:
                x += 1
            k_needed = x + 2  # ARX returns its loop counter + 1
        else:
            x, acc, norm = 1, poisson.pmf(1, lam) / (1 - poisson.pmf(0, lam)), 1 - poisson.pmf(0, lam)
            while acc < goal:
                x += 1
                acc += poisson.pmf(x, lam) / norm
            k_needed = x + 1
        k_needed = min(k, k_needed, n)
        _fail(f"{k}-map ({params['estimator']} estimate, classes of at least {k_needed})",
              [key for key, s in classes.items() if s < k_needed], quasi_identifiers, f"have fewer than {k_needed} records")
        return
    if levels is None:
        raise VerificationError("k-map: a quasi-identifier has no hierarchy, so the population cannot be generalized",
                                hint="give every quasi-identifier a hierarchy")
    from unlinkable.data.io import read_table

    if params.get("subset") is not None:
        table, source = full_original, "the data table"
    else:
        table, source = read_table(params["population"]), Path(params["population"]).name
    counts = _generalized_counts(table, quasi_identifiers, hierarchies, levels)
    _fail(f"{k}-map against {source}",
          [key for key in classes if counts.get(key, 0) < k], quasi_identifiers,
          f"match fewer than {k} records of the population")


def _generalized_counts(table: pl.DataFrame, quasi_identifiers: list[str], hierarchies: Mapping[str, Hierarchy],
                        levels: Mapping[str, list[int]]) -> _Classes:
    """Rows of ``table`` per class of the release: its values generalized by the hierarchies at the release's levels."""
    generalized = _generalized(table, quasi_identifiers, hierarchies, levels)
    return {tuple(r[:-1]): int(r[-1]) for r in generalized.group_by(quasi_identifiers).len().iter_rows()}


def _information_loss(key: tuple[Any, ...], quasi_identifiers: list[str], hierarchies: Mapping[str, Hierarchy],
                      levels: Mapping[str, list[int]]) -> float:
    """ARX's entropy-based information loss of one released class, from the hierarchies' text:
    each label's share is the hierarchy rows under it / rows; IL = log10(product) / log10(rows product) + 1."""
    product, domain = 1.0, 1.0
    for q, label in zip(quasi_identifiers, key):
        rows = hierarchies[q].rows
        level = levels[q][0]
        product *= sum(1 for row in rows if row[level] == label) / len(rows)
        domain *= len(rows)
    if domain <= 1.0:
        return 0.0
    return min(max(math.log10(product) / math.log10(domain) + 1.0, 0.0), 1.0)


def _profitability(name: str, params: Mapping[str, Any], *, released: Any, original: pl.DataFrame,
                   quasi_identifiers: list[str], hierarchies: Mapping[str, Hierarchy], levels: _Levels,
                   full_output: pl.DataFrame, full_original: pl.DataFrame, **_: Any) -> None:
    """Re-play the game on every released class: a no-attack class is one the adversary gains less from
    (gain / size) than an attack costs; a profitable class gives the publisher a positive expected payout.
    A journalist's release is the research subset (``original`` is the subset's rows here): its class
    sizes are counted in the whole data table (the population), and every other row must be suppressed."""
    _known(name, "variant", params.get("variant"), ("profitable", "no-attack"))
    _known(name, "attacker", params.get("attacker"), ("prosecutor", "journalist"))
    if levels is None:
        raise VerificationError("profitability: a quasi-identifier has no hierarchy, so the game cannot be re-played",
                                hint="give every quasi-identifier a hierarchy")
    benefit, loss = float(params["publisher_benefit"]), float(params["publisher_loss"])
    gain, cost = float(params["adversary_gain"]), float(params["adversary_cost"])
    journalist = params["attacker"] == "journalist"
    counts = _classes(released, quasi_identifiers)
    population = _generalized_counts(full_original, quasi_identifiers, hierarchies, levels) if journalist else counts
    failing = []
    for key, count in counts.items():
        size = population.get(key, count)
        if params["variant"] == "no-attack":
            if not (gain == 0 or (cost > 0 and size > gain / cost)):
                failing.append(key)
            continue
        p = 1.0 / size
        payout = benefit * (1.0 - _information_loss(key, quasi_identifiers, hierarchies, levels))
        if gain * p - cost > 0:
            payout -= loss * p
        if not payout > 0:
            failing.append(key)
    what = "are worth attacking" if params["variant"] == "no-attack" else "give the publisher no positive payout"
    _fail(f"profitability ({params['variant']}, {params['attacker']})", failing, quasi_identifiers, what)
    if journalist:
        _suppressed_outside_subset(name, _subset_rows(full_original, params["subset"]), full_output, quasi_identifiers)


def _subset_rows(original: pl.DataFrame, path: str) -> list[bool]:
    """Per input row: is it in the research subset at ``path``? (each subset row claims one equal row)"""
    from unlinkable.data.io import read_table

    subset = read_table(path)
    cols = subset.columns
    subset = subset.select([pl.col(c).cast(pl.String) for c in cols])
    wanted = {tuple(r[:-1]): int(r[-1]) for r in subset.group_by(cols).len().iter_rows()}
    # The i-th occurrence of a row of the input is in the subset when i < its count in the subset.
    occurrence = original.select(cols).with_columns(pl.int_range(pl.len()).over(cols).alias("_i"))
    return [r[-1] < wanted.get(tuple(r[:-1]), 0) for r in occurrence.iter_rows()]


def _included_subset(models: list[Any]) -> str | None:
    """The research subset that an inclusion, delta-presence, journalist's profitability or k-map model
    releases (ARX suppresses the other rows)."""
    for model in models:
        spec = model.to_dict() if hasattr(model, "to_dict") else dict(model)
        (name, params), = spec.items()
        if name in ("inclusion", "delta-presence") or (name in ("k-map", "profitability") and params.get("subset") is not None):
            return str(params["subset"])
    return None


def _suppressed_outside_subset(name: str, member: list[bool], full_output: pl.DataFrame, quasi_identifiers: list[str]) -> None:
    """Every row outside the research subset is suppressed ('*' in every quasi-identifier)."""
    stars = full_output.select(pl.all_horizontal([pl.col(q) == SUPPRESSED for q in quasi_identifiers])
                               .fill_null(False).alias("s"))["s"].to_list()
    shown = sum(1 for inside, star in zip(member, stars) if not inside and not star)
    if shown:
        raise VerificationError(f"{name}: {shown} record(s) outside the research subset are released",
                                hint="records outside the subset must be suppressed; this is probably a bug")


def _inclusion(name: str, params: Mapping[str, Any], *, full_output: pl.DataFrame, full_original: pl.DataFrame,
               quasi_identifiers: list[str], **_: Any) -> None:
    _suppressed_outside_subset(name, _subset_rows(full_original, params["subset"]), full_output, quasi_identifiers)


def _generalized(frame: pl.DataFrame, quasi_identifiers: list[str], hierarchies: Mapping[str, Hierarchy],
                 levels: Mapping[str, list[int]]) -> pl.DataFrame:
    """``frame``'s quasi-identifier text generalized by the hierarchies' rows at the (lowest) inferred level."""
    out = frame.select([pl.col(q).cast(pl.String) for q in quasi_identifiers])
    for q in quasi_identifiers:
        level = levels[q][0]
        table = {row[0]: row[level] for row in hierarchies[q].rows}
        values = out[q].unique()
        mapping = pl.DataFrame({q: values, "_g": pl.Series([table.get(v) for v in values.to_list()], dtype=pl.String)})
        out = out.join(mapping, on=q, how="left", nulls_equal=True).drop(q).rename({"_g": q})
    return out.select(quasi_identifiers)


def _delta_presence(name: str, params: Mapping[str, Any], *, classes: _Classes, full_output: pl.DataFrame,
                    full_original: pl.DataFrame, quasi_identifiers: list[str],
                    hierarchies: Mapping[str, Hierarchy], levels: _Levels, **_: Any) -> None:
    # The release holds the research subset only (the rest of the population is suppressed, as in
    # ARX); each released class's delta = its subset records / the population records that the
    # same levels generalize into it, recounted from the whole input's text.
    lo, hi = float(params["delta_min"]), float(params["delta_max"])
    member = _subset_rows(full_original, params["subset"])
    _suppressed_outside_subset(name, member, full_output, quasi_identifiers)
    if not classes:
        return  # nothing released: no class to judge
    if levels is None:
        raise VerificationError("delta-presence: a quasi-identifier has no hierarchy, so the population cannot be "
                                "generalized", hint="give every quasi-identifier a hierarchy")
    population = _generalized(full_original, quasi_identifiers, hierarchies, levels).with_columns(
        pl.Series("_in", member, dtype=pl.Boolean))
    counts = {tuple(r[:-2]): (int(r[-2]), int(r[-1])) for r in population.group_by(quasi_identifiers)
              .agg(pl.len().alias("n"), pl.col("_in").sum().alias("s")).iter_rows()}
    failing = []
    for key in classes:
        size, inside = counts.get(key, (0, 0))
        if size == 0 or not (lo - _TOL <= inside / size <= hi + _TOL):
            failing.append(key)
    _fail(f"({lo}, {hi})-presence", failing, quasi_identifiers, "have a share of research-subset records outside the bounds")


def _differentially_private(models: list[Any]) -> bool:
    return any(next(iter(m.to_dict() if hasattr(m, "to_dict") else dict(m))) == "differential-privacy" for m in models)


def _safepub_delta(k: int, epsilon: float, delta_target: float) -> float:
    """SafePub's delta(k) (Bild et al. 2018, Theorem 1), scanned n by n with scipy's binomial tail:
    written apart from ``dp/parameters.py`` (no interval bounds, no vectors), so that a wrong k there
    is caught here."""
    import numpy as np
    from scipy.stats import binom

    beta = 1.0 - math.exp(-epsilon)
    gamma = (math.exp(epsilon) - 1.0 + beta) / math.exp(epsilon)
    rate = gamma * math.log(gamma / beta) - (gamma - beta)
    worst = -math.inf
    n = max(math.ceil(k / gamma - 1.0), 1)
    while True:
        block = list(range(n, n + 256))   # binom.sf per call is slow: 256 tails at a time, scanned in order
        tails = np.atleast_1d(binom.sf([math.floor(m * gamma) for m in block], block, beta))
        for m, tail in zip(block, tails.tolist()):
            worst = max(worst, tail)
            if worst > math.exp(-m * rate) or worst >= delta_target:
                return float(worst)
        n += 256


def _differential_privacy(name: str, params: Mapping[str, Any], *, classes: _Classes, quasi_identifiers: list[str],
                          hierarchies: Mapping[str, Hierarchy], levels: _Levels, model: Any = None, **_: Any) -> None:
    """What the release itself can prove of SafePub: (1) the transformation is the data-independent
    scheme, recomputed from the hierarchies' heights and the declared degree or levels alone; (2) every
    released class holds at least k records; (3) that k satisfies SafePub's bound, delta(k - 1) < delta
    (ARX's k is one above the first k that does), recomputed here. The random sample cannot be checked
    from the release: it is secret by design (``dp/sampling.py``). Without a scheme (ARX's
    data-dependent search) (1) becomes one level per quasi-identifier and (3) uses epsilon minus the
    search budget; that the exponential mechanism chose the transformation with that budget cannot be
    checked from the release (its draw is secret, and made on the secret sample)."""
    from unlinkable.models.differential_privacy import DEGREES

    epsilon, delta, scheme = float(params["epsilon"]), float(params["delta"]), params.get("generalization")
    if levels is None:
        raise VerificationError("differential-privacy: the release's generalization levels cannot be checked "
                                "(a quasi-identifier has no hierarchy)", hint="give every quasi-identifier a hierarchy")
    if scheme is None:
        # ARX's data-dependent search: the exponential mechanism's choice is random and made on the
        # secret sample, so the release cannot show it was drawn fairly; what it can show is one
        # level per quasi-identifier (global recoding) and k for the budget the search left.
        budget = params.get("search_budget")
        if not isinstance(budget, float) or not 0.0 < budget < epsilon or not isinstance(params.get("steps"), int):
            raise VerificationError("differential-privacy: neither a generalization scheme nor a search budget and "
                                    "steps are stated", hint="an unchecked claim is refused; this is probably a bug")
        for q in quasi_identifiers:
            if not levels[q]:   # the levels that map every released value to its output text
                raise VerificationError(f"differential-privacy: {q!r} is not released at one hierarchy level",
                                        hint="the search releases one transformation; this is probably a bug")
        epsilon = epsilon - budget
        quasi_identifiers_checked: list[str] = []
    else:
        quasi_identifiers_checked = list(quasi_identifiers)
    for q in quasi_identifiers_checked:
        spec = scheme if isinstance(scheme, str) else (scheme or {}).get(q, 0)
        top = hierarchies[q].levels - 1
        wanted = min(int(spec) if isinstance(spec, int) else int(math.floor(DEGREES[spec] * top + 0.5)), top)
        if wanted not in levels[q]:
            raise VerificationError(f"differential-privacy: {q!r} is not released at the scheme's level {wanted}",
                                    hint="the generalization must not depend on the data; this is probably a bug")
    k = getattr(model, "k", None)
    if not isinstance(k, int) or k < 2:
        raise VerificationError("differential-privacy: the model does not state its class size k",
                                hint="an unchecked claim is refused; this is probably a bug")
    if not _safepub_delta(k - 1, epsilon, delta) < delta:
        raise VerificationError(f"differential-privacy: k = {k} does not meet SafePub's bound for ({epsilon}, {delta})",
                                hint="this is probably a bug in dp/parameters.py")
    _fail(f"({epsilon}, {delta})-differential privacy (k={k})", [key for key, size in classes.items() if size < k],
          quasi_identifiers, f"have fewer than {k} sampled records")


def _linkage(name: str, params: Mapping[str, Any], *, output: pl.DataFrame, hierarchies: Mapping[str, Hierarchy],
             model: Any = None, **_: Any) -> None:
    """Re-count unique links of the produced table against the auxiliary table (exposure on text)."""
    from unlinkable.linkage.exposure import exposure

    auxiliary = getattr(model, "auxiliary_table", None)
    if auxiliary is None:
        from unlinkable.data.io import read_table

        auxiliary = read_table(params["auxiliary"])
    on = getattr(model, "on", None) or params["on"]
    names = list(on) if not isinstance(on, Mapping) else list(on.keys())
    share = exposure(output.drop("_row", strict=False), auxiliary, on=on,
                     hierarchies={q: hierarchies[q] for q in names if q in hierarchies}, what_if=False).unique_link_share
    limit = float(params["max_unique_link_share"])
    if share > limit + _TOL:
        raise VerificationError(
            f"linkage: {share:.4%} of the released records link to exactly one auxiliary record, above the "
            f"limit {limit:.4%}; nothing was written", hint="this is probably a bug; please report it")


_CHECKERS: dict[str, Callable[..., None]] = {
    "linkage": _linkage,
    "k-anonymity": _k_anonymity,
    "l-diversity": _l_diversity,
    "t-closeness": _t_closeness,
    "average-risk": _average_risk,
    "sample-uniqueness": _sample_uniqueness,
    "population-uniqueness": _population_uniqueness,
    "k-map": _k_map,
    "delta-presence": _delta_presence,
    "beta-likeness": _beta_likeness,
    "inclusion": _inclusion,
    "differential-privacy": _differential_privacy,
    "profitability": _profitability,
}


def model_checker(name: str) -> Callable[..., None]:
    """The plain checker of privacy model ``name``; ``VerificationError`` when there is none.

    Fail closed: a model without an independent checker (a new model, a plug-in) is never released
    on its own word.

    Examples
    --------
    >>> model_checker("k-anonymity").__name__
    '_k_anonymity'
    >>> model_checker("made-up-model")
    Traceback (most recent call last):
    ...
    unlinkable.errors.VerificationError: no independent checker for the privacy model 'made-up-model'...
    """
    return _lookup(_CHECKERS, name, "privacy model")


def _lookup(registry: Mapping[str, Callable[..., None]], name: str, what: str) -> Callable[..., None]:
    checker = registry.get(name)
    if checker is None:
        raise VerificationError(f"no independent checker for the {what} {name!r}; nothing was written",
                                hint=f"every claim is re-checked by verify.py before release; add a checker there for this {what}")
    return checker


# -- statistical disclosure control steps -------------------------------------------------------

#: steps whose output carries a privacy claim (k) that is re-checked on the final table
_CLAIMING_STEPS = ("local-suppression", "microaggregation")


def verify_steps(output: pl.DataFrame, *, original: pl.DataFrame, steps: list[Mapping[str, Any]],
                 stages: Sequence[pl.DataFrame] | None = None, identifiers: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Re-check a chain of SDC steps, on the produced tables alone.

    - the table has the original rows, no identifier column, and every column no step names is unchanged;
    - every step did what it says on its own input and nothing else (:func:`step_checker`): it
      changed only its target columns, and each target column is what the method may produce from
      the step's input (recode: the interval of each value; top-bottom: the caps; local
      suppression: values or missing; rank swap: the same values, permuted; PRAM: categories of
      the column; noise, synthetic and microaggregation: missing exactly where the input is);
    - after ``local-suppression`` (k): every record is compatible with at least k records, a missing
      value matching anything (sdcMicro's rule, recounted here by brute force over key patterns);
    - after ``microaggregation`` (k): every group of records sharing the aggregated values has at
      least k records.

    ``stages`` are the tables between the steps (``PipelineResult.stages``: input, after step 1,
    ..., output). Without them a step is checked on the original and the output, which is possible
    only when no other step touches its columns; otherwise the chain fails closed.

    A claim whose attributes a later step changes no longer describes the output; it is reported as
    ``superseded`` instead of checked. Returns one record per claim: {step, name, k, status}.
    Raises VerificationError when a step has no checker, or a check does not hold.

    Examples
    --------
    >>> import polars as pl
    >>> before = pl.DataFrame({"age": [23, 35, 47, 52]})
    >>> after = pl.DataFrame({"age": [1, 1, 2, 2]})
    >>> step = {"name": "recode", "params": {"attribute": "age", "breaks": [0, 40, 100]}}
    >>> verify_steps(after, original=before, steps=[step])
    []
    """
    from unlinkable.sdc.pipeline import step_attributes

    _no_identifiers(output, identifiers)
    if output.height != original.height:
        raise VerificationError(f"the protected table has {output.height} rows, the input {original.height}",
                                hint="SDC steps never add or drop records; this is probably a bug")
    touched: set[str] = set()
    for step in steps:
        touched.update(step_attributes(step))
    _unchanged(original, output, [c for c in original.columns if c not in touched and c in output.columns],
               "although no step names it")
    targets = [set(_targets(step)) for step in steps]
    for i, step in enumerate(steps):
        checker = step_checker(str(step.get("name")))
        if stages is not None:
            before, after = stages[i], stages[i + 1]
        elif any(targets[i] & targets[j] for j in range(len(steps)) if j != i):
            raise VerificationError(f"step {i} ({step.get('name')}) cannot be checked: another step changes the same "
                                    "columns and the tables between the steps are not given; nothing was written",
                                    hint="pass stages=PipelineResult.stages; this is probably a bug")
        else:
            before, after = original, output
        if before.height != after.height:
            raise VerificationError(f"step {i} ({step.get('name')}) changed the number of records",
                                    hint="SDC steps never add or drop records; this is probably a bug")
        _unchanged(before, after, [c for c in before.columns if c not in targets[i] and c in after.columns],
                   f"in step {i} ({step.get('name')}), which does not target it")
        params = step.get("params", {}) or {}
        for column in sorted(targets[i]):
            if column not in before.columns or column not in after.columns:
                raise VerificationError(f"step {i} ({step.get('name')}): column {column!r} is missing",
                                        hint="this is probably a bug")
            checker(i, column, before[column], after[column], params)
        whole = _TABLE_CHECKERS.get(str(step.get("name")))
        if whole is not None:
            whole(i, before, after, params)
    claims = []
    for i, step in enumerate(steps):
        if step.get("name") not in _CLAIMING_STEPS:
            continue
        attributes = step_attributes(step)
        later = set().union(*(step_attributes(s) for s in steps[i + 1:])) if i + 1 < len(steps) else set()
        raw_k = step.get("params", {}).get("k", 3 if step["name"] == "microaggregation" else 2)
        k = [int(v) for v in raw_k] if isinstance(raw_k, (list, tuple)) else int(raw_k)
        claim = {"step": i, "name": step["name"], "k": k, "attributes": attributes}
        if later & set(attributes):
            claim["status"] = "superseded"
        elif step["name"] == "local-suppression":
            params = step.get("params", {})
            alpha = float(params.get("alpha", 1.0))
            for part, subset, need in _suppression_claims(output, attributes, params, k):
                smallest = _smallest_compatible_count(part, subset, alpha, need)
                if smallest < need:
                    raise VerificationError(
                        f"local suppression claims {need}-anonymity on {', '.join(subset)}"
                        f"{' within each stratum' if params.get('strata') else ''}, but a record is "
                        f"compatible with only {smallest:g} record(s); nothing was written",
                        hint="this is probably a bug; please report it")
            claim["status"] = "verified"
        else:
            method = step.get("params", {}).get("method", "mdav")
            group = _smallest_group(output, attributes, per_attribute=method != "mdav")
            need = k if isinstance(k, int) else min(k)
            if group is not None and group < need:
                raise VerificationError(
                    f"microaggregation claims groups of at least {need} on {', '.join(attributes)}, but a group has "
                    f"{group}; nothing was written", hint="this is probably a bug; please report it")
            claim["status"] = "verified" if group is not None else "not checkable (missing values)"
        claims.append(claim)
    return claims


def _targets(step: Mapping[str, Any]) -> list[str]:
    """The columns a step may write (strata are read only)."""
    params = step.get("params", {}) or {}
    strata = params.get("strata") or []
    strata = [strata] if isinstance(strata, str) else list(strata)
    names = list(params.get("attributes") or []) + ([params["attribute"]] if params.get("attribute") else [])
    names += list(params.get("hierarchy") or []) + list(params.get("carry_along") or [])  # record swapping
    return [str(n) for n in names if n not in strata]


def _unchanged(before: pl.DataFrame, after: pl.DataFrame, columns: list[str], why: str) -> None:
    for name in columns:
        if not after[name].cast(pl.String).equals(before[name].cast(pl.String)):
            raise VerificationError(f"column {name!r} changed {why}", hint="this is probably a bug")


def _step_failed(i: int, name: str, column: str, rows: Any, what: str) -> None:
    import numpy as np

    bad = np.flatnonzero(np.asarray(rows))
    if bad.size:
        raise VerificationError(f"step {i} ({name}): {bad.size} value(s) of {column!r} {what} (first at row {bad[0] + 1}); "
                                "nothing was written", hint="this is probably a bug; please report it")


def _numbers(series: pl.Series) -> Any:
    """A column as float64 (null -> NaN); text that is not a number also becomes NaN."""
    if series.dtype == pl.String:
        series = series.str.strip_chars().cast(pl.Float64, strict=False)
    return series.cast(pl.Float64, strict=False).fill_null(float("nan")).to_numpy()


def _null_mask(series: pl.Series) -> Any:
    """Missing cells: null, and NaN as a float or as text (data.numeric's rule: NaN is missing)."""
    mask = series.is_null()
    if series.dtype == pl.String:
        mask = mask | series.str.strip_chars().cast(pl.Float64, strict=False).is_nan().fill_null(False)
    elif series.dtype.is_float():
        mask = mask | series.is_nan()
    return mask.to_numpy()


def _same_missing(i: int, name: str, column: str, before: pl.Series, after: pl.Series) -> None:
    _step_failed(i, name, column, _null_mask(before) != _null_mask(after), "are missing in only one of input and output")


def _check_recode(i: int, column: str, before: pl.Series, after: pl.Series, params: Mapping[str, Any]) -> None:
    """Each value lands in the interval R's ``cut`` defines for it (read from the breaks, not the kernel)."""
    import numpy as np

    x = _numbers(before)
    missing_in = np.isnan(x)
    breaks = params["breaks"]
    text = after.cast(pl.String).to_numpy()
    if isinstance(breaks, int):
        # Equal-width cut points come from the data range; check the coding is monotone and has at most
        # `breaks` codes instead of recomputing the range.
        codes = _numbers(after)
        order = np.argsort(x[~missing_in], kind="stable")
        kept = codes[~missing_in][order]
        kept = kept[~np.isnan(kept)]
        _step_failed(i, "recode", column, np.diff(kept) < 0, "are not coded in the order of their values")
        _step_failed(i, "recode", column, [len(np.unique(kept)) > breaks], f"use more than {breaks} codes")
        return
    cuts = sorted(float(b) for b in breaks)
    labels = [str(v) for v in params.get("labels") or range(1, len(cuts))]
    right, lowest = params.get("right", True), params.get("include_lowest", False)
    expected = np.full(x.shape[0], None, dtype=object)
    for j, (lo, hi) in enumerate(zip(cuts[:-1], cuts[1:])):
        if right:
            inside = (x > lo) & (x <= hi) | ((x == lo) if (lowest and j == 0) else False)
        else:
            inside = (x >= lo) & (x < hi) | ((x == hi) if (lowest and j == len(cuts) - 2) else False)
        expected[inside & (expected == None)] = labels[j]  # noqa: E711 - elementwise
    wrong = np.array([e != t for e, t in zip(expected, text)], dtype=bool)
    _step_failed(i, "recode", column, wrong, "are not coded to the interval that contains them")


def _check_top_bottom(i: int, column: str, before: pl.Series, after: pl.Series, params: Mapping[str, Any]) -> None:
    import numpy as np

    x, y = _numbers(before), _numbers(after)
    expected = x.copy()
    if params.get("top") is not None:
        top = float(params["top"])
        expected = np.where(x > top, float(params.get("top_value", top) if params.get("top_value") is not None else top), expected)
    if params.get("bottom") is not None:
        bottom = float(params["bottom"])
        value = float(params["bottom_value"]) if params.get("bottom_value") is not None else bottom
        expected = np.where(x < bottom, value, expected)
    wrong = ~((expected == y) | (np.isnan(expected) & np.isnan(y)))
    _step_failed(i, "top-bottom", column, wrong, "are not the input capped at the given top and bottom")


def _check_local_suppression(i: int, column: str, before: pl.Series, after: pl.Series, params: Mapping[str, Any]) -> None:
    a, b = before.cast(pl.String), after.cast(pl.String)
    changed = (a.ne_missing(b) & b.is_not_null()).to_numpy()
    _step_failed(i, "local-suppression", column, changed, "were changed instead of kept or suppressed")


def _check_risk_suppression(i: int, column: str, before: pl.Series, after: pl.Series, params: Mapping[str, Any]) -> None:
    a, b = before.cast(pl.String), after.cast(pl.String)
    changed = (a.ne_missing(b) & b.is_not_null()).to_numpy()
    _step_failed(i, "risk-suppression", column, changed, "were changed instead of kept or suppressed")


def _check_rank_swap(i: int, column: str, before: pl.Series, after: pl.Series, params: Mapping[str, Any]) -> None:
    import numpy as np

    _same_missing(i, "rank-swap", column, before, after)
    x, y = _numbers(before), _numbers(after)
    same = np.array_equal(np.sort(x[~np.isnan(x)]), np.sort(y[~np.isnan(y)]))
    _step_failed(i, "rank-swap", column, [not same], "are not a permutation of the input's values")


def _check_shuffle(i: int, column: str, before: pl.Series, after: pl.Series, params: Mapping[str, Any]) -> None:
    import numpy as np

    x, y = _numbers(before), _numbers(after)
    same = np.array_equal(np.sort(x), np.sort(y), equal_nan=True)
    _step_failed(i, "shuffle", column, [not same], "are not a permutation of the input's values")


def _check_pram(i: int, column: str, before: pl.Series, after: pl.Series, params: Mapping[str, Any]) -> None:
    _same_missing(i, "pram", column, before, after)
    allowed = set(before.cast(pl.String).drop_nulls().to_list()) | {str(c) for c in params.get("categories") or []}
    out = after.cast(pl.String)
    _step_failed(i, "pram", column, (out.is_not_null() & ~out.is_in(list(allowed))).to_numpy(),
                 "are not categories of the column")


def _check_record_swap(i: int, column: str, before: pl.Series, after: pl.Series, params: Mapping[str, Any]) -> None:
    out = after.cast(pl.String)
    _step_failed(i, "record-swap", column, ~out.is_in(before.cast(pl.String).unique().to_list()).to_numpy(),
                 "are not values of the column in the input")


def _check_record_swap_table(i: int, before: pl.DataFrame, after: pl.DataFrame, params: Mapping[str, Any]) -> None:
    """Households exchanged their areas (and carried-along values) in pairs: each household holds one
    value set after the step, and for every two value sets a and b as many households went from a
    to b as from b to a; with one similarity profile, only between households equal on it."""
    household = params.get("household")
    if not household or household not in before.columns or household not in after.columns:
        raise VerificationError(f"step {i} (record-swap) cannot be checked without its household column",
                                hint="pass stages=PipelineResult.stages; this is probably a bug")
    moved = [str(c) for c in list(params.get("hierarchy") or []) + list(params.get("carry_along") or [])]
    similar = params.get("similar") or []
    profile = [str(c) for c in similar[0]] if len(similar) == 1 else []
    a = [f"a{j}" for j in range(len(moved))]
    b = [f"b{j}" for j in range(len(moved))]
    s = [f"s{j}" for j in range(len(profile))]
    frame = pl.DataFrame([before[household].cast(pl.String).rename("h")]
                         + [before[c].cast(pl.String).rename(n) for c, n in zip(moved, a)]
                         + [after[c].cast(pl.String).rename(n) for c, n in zip(moved, b)]
                         + [before[c].cast(pl.String).rename(n) for c, n in zip(profile, s)])
    spread = frame.group_by("h").agg([pl.col(n).n_unique() for n in a + b + s])
    split = spread.filter(pl.any_horizontal([pl.col(n) > 1 for n in b]))
    _step_failed(i, "record-swap", ", ".join(moved), [split.height > 0], "differ within a household after the swap")
    homes = frame.unique(subset=["h"], keep="first")
    changed = homes.filter(pl.any_horizontal([pl.col(x).ne_missing(pl.col(y)) for x, y in zip(a, b)]))
    forth = changed.group_by(s + a + b).len()
    back = changed.rename({**dict(zip(a, b)), **dict(zip(b, a))}).group_by(s + a + b).len()
    pairs = forth.join(back, on=s + a + b, how="full", coalesce=True, nulls_equal=True)
    odd = pairs.filter(pl.col("len").fill_null(0) != pl.col("len_right").fill_null(0))
    _step_failed(i, "record-swap", ", ".join(moved), [odd.height > 0],
                 "were not exchanged in pairs between households" + (" equal on the similarity profile" if s else ""))


def _check_perturbed(name: str) -> Callable[..., None]:
    def check(i: int, column: str, before: pl.Series, after: pl.Series, params: Mapping[str, Any]) -> None:
        import numpy as np

        _same_missing(i, name, column, before, after)
        y = _numbers(after)
        _step_failed(i, name, column, ~np.isnan(y) & ~np.isfinite(y), "are not finite numbers")
        _step_failed(i, name, column, np.isnan(y) & ~_null_mask(after), "are not numbers")

    check.__name__ = f"_check_{name.replace('-', '_')}"
    return check


#: SDC step name -> its plain checker (one per step of ``sdc.pipeline.REGISTRY``; a contract test asserts it)
_STEP_CHECKERS: dict[str, Callable[..., None]] = {
    "recode": _check_recode,
    "top-bottom": _check_top_bottom,
    "local-suppression": _check_local_suppression,
    "risk-suppression": _check_risk_suppression,
    "rank-swap": _check_rank_swap,
    "shuffle": _check_shuffle,
    "pram": _check_pram,
    "noise": _check_perturbed("noise"),
    "synthetic": _check_perturbed("synthetic"),
    "microaggregation": _check_perturbed("microaggregation"),
    "record-swap": _check_record_swap,
}

#: SDC steps that also need a check across columns (run after their per-column checks)
_TABLE_CHECKERS: dict[str, Callable[[int, pl.DataFrame, pl.DataFrame, Mapping[str, Any]], None]] = {
    "record-swap": _check_record_swap_table,
}


def step_checker(name: str) -> Callable[..., None]:
    """The plain checker of SDC step ``name``; ``VerificationError`` when there is none (fail closed).

    Examples
    --------
    >>> step_checker("rank-swap").__name__
    '_check_rank_swap'
    >>> step_checker("made-up-step")
    Traceback (most recent call last):
    ...
    unlinkable.errors.VerificationError: no independent checker for the SDC step 'made-up-step'...
    """
    return _lookup(_STEP_CHECKERS, name, "SDC step")


def _suppression_claims(table: pl.DataFrame, attributes: list[str], params: Mapping[str, Any],
                        k: int | list[int]) -> list[tuple[pl.DataFrame, list[str], int]]:
    """(rows, attributes, k) that a local-suppression step claims: every subset of each size in
    ``combs`` (with its k; the whole set without ``combs``), within each stratum of ``strata``."""
    from itertools import combinations

    combs = list(params.get("combs") or [])
    ks = k if isinstance(k, list) else [k]
    if combs and len(ks) != len(combs):
        ks = (ks * len(combs))[: max(len(combs), len(ks))]
    subsets = ([(list(c), ks[g]) for g, size in enumerate(combs) for c in combinations(attributes, size)]
               if combs else [(attributes, ks[0])])
    strata = params.get("strata") or []
    strata = [strata] if isinstance(strata, str) else list(strata)
    parts = (table.partition_by(strata, maintain_order=True) if strata and table.height
             else [table])
    return [(part, subset, need) for part in parts for subset, need in subsets]


def _smallest_compatible_count(table: pl.DataFrame, attributes: list[str], alpha: float, k: int) -> float:
    """The smallest NA-aware frequency, recounted pattern against pattern (independent of risk/)."""
    import numpy as np

    if table.height == 0:
        return math.inf
    patterns = table.select([pl.col(a).cast(pl.String) for a in attributes]).group_by(attributes).len()
    values = patterns.select(attributes)
    counts = patterns["len"].to_numpy().astype(float)
    codes = np.column_stack([
        values[a].rank("dense").fill_null(0).to_numpy().astype(np.int64) for a in attributes
    ])  # 0 = missing
    missing = codes == 0
    complete = ~missing.any(axis=1)
    all_missing = missing.all(axis=1)
    smallest = math.inf
    # A pattern whose own records already reach k can only gain; only the others need pairing.
    for p in np.flatnonzero(counts < k):
        compatible = ((codes == codes[p]) | missing | missing[p]).all(axis=1)
        compatible[p] = False
        if all_missing[p]:
            fk = float(table.height)
        elif complete[p]:
            fk = counts[p] + alpha * counts[compatible & ~complete & ~all_missing].sum()
        else:
            fk = counts[p] + counts[compatible & complete].sum() + alpha * counts[compatible & ~complete].sum()
        smallest = min(smallest, fk)
    return smallest


def _smallest_group(table: pl.DataFrame, attributes: list[str], *, per_attribute: bool) -> int | None:
    frame = table.select(attributes)
    if frame.null_count().sum_horizontal().item() > 0:
        return None
    if per_attribute:
        return min(int(frame.group_by(a).len()["len"].to_numpy().min()) for a in attributes)
    return int(frame.group_by(attributes).len()["len"].to_numpy().min())


__all__ = ["verify_release", "verify_steps", "model_checker", "step_checker", "SUPPRESSED"]
