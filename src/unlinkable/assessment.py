"""``unlinkable.assess``: every re-identification risk measure of ARX and sdcMicro for one table.

The backend (numpy in this process, or Spark) groups the records once into their distinct
quasi-identifier tuples with counts and sensitive histograms (``backends/``); each measure
(``risk/``) reads the tuples and their counts, never the records, so every figure is the same on
every backend. Per-record outputs are gathered from the tuples on demand, where the backend holds
the records in this process (numpy).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from unlinkable.assessment_options import AssessmentSpec
from unlinkable.backend_selection import get_backend
from unlinkable.backends.base import Snapshot
from unlinkable.data.huge_pages import huge_pages_off
from unlinkable.data.numeric import numeric_columns
from unlinkable.data.sensitive import SensitiveColumn
from unlinkable.data.table import EncodedColumn, require_names
from unlinkable.errors import ConfigError, InputError, InternalError
from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.hierarchies.io import read_hierarchy
from unlinkable.risk.attribute_effect import attribute_effects
from unlinkable.risk.frequencies import tuple_frequencies
from unlinkable.risk.individual import global_risk, household_risk, individual_risk, kanonymity_violations
from unlinkable.risk.sample import sample_risk
from unlinkable.risk.subsets import uniqueness_by_attributes


@dataclass(frozen=True, eq=False)
class AssessmentResult:
    """The result of :func:`assess` and of ``unlinkable assess``: figures (``to_dict``, the command's
    JSON) and per-record risks (``records``, its per-record CSV)."""

    summary: Mapping[str, Any]
    per_record: Mapping[str, np.ndarray] = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        """All figures as JSON-ready plain data (the keys of ``unlinkable assess --json``)."""
        plain: dict[str, Any] = _plain(self.summary)
        return plain

    def records(self) -> pl.DataFrame:
        """One row per input record: fk, Fk, individual_risk, suda2_score, dis_score, prosecutor_risk.

        Rows are in input order (``row`` is 1-based); no attribute values are included. Not
        available from a distributed backend, which never brings the records to this process.
        """
        if not self.per_record:
            backend = self.summary.get("backend")
            if backend is None:  # numpy, from tuples the caller grouped (assess(grouped=...))
                raise ConfigError("per-record risks are not available from tuples grouped by the caller: the "
                                  "records' tuples were not kept", hint="assess the table without grouped=")
            raise ConfigError(f"per-record risks are not available on the {backend} backend: "
                              f"the records stay where they are",
                              hint="drop --records (the figures are complete), or assess with the numpy backend")
        values = {k: (v() if callable(v) else v) for k, v in self.per_record.items()}
        n = len(next(iter(values.values())))
        return pl.DataFrame({"row": np.arange(1, n + 1), **values})

    def __getitem__(self, key: str) -> Any:
        return self.summary[key]




def assess(
    data: Any,
    *,
    quasi_identifiers: Sequence[str],
    sensitive: str | Sequence[str] | None = None,
    hierarchies: Mapping[str, Hierarchy | str] | None = None,
    weights: str | None = None,
    household: str | None = None,
    population_size: int | None = None,
    sampling_fraction: float | None = None,
    identifiers: Sequence[str] = (),
    threshold: float = 0.2,
    max_subset_size: int = 4,
    alpha: float = 1.0,
    individual_risk_method: str = "approx",
    qual: float = 1.0,
    suda2: bool = True,
    dis_fraction: float = 0.01,
    model_risk: str | None = None,
    model_risk_bound: float = float("inf"),
    risky_cells: Sequence[int] | None = None,
    source: str | None = None,
    delimiter: str | None = None,
    encoded: Mapping[str, EncodedColumn] | None = None,
    grouped: Snapshot | None = None,
    backend: Any = None,
    spark: Any = None,
) -> AssessmentResult:
    """Measure how re-identifiable a table is, by every measure of ARX and sdcMicro.

    Parameters
    ----------
    data : path, polars or pandas DataFrame
    quasi_identifiers : the columns an attacker may know (no hierarchy needed)
    sensitive : column(s) whose l-diversity and t-closeness are reported
    hierarchies : hierarchies by column (used for hierarchical t-closeness and checked against the data)
    weights, household : sampling-weight and household-id columns (sdcMicro measures)
    population_size, sampling_fraction : population model for the Pitman/Zayatz/SNB/Dankar estimators
    threshold : prosecutor risk above which a record counts as at risk (strictly greater)
    max_subset_size : largest attribute subset for ``uniqueness_by_attributes``
    individual_risk_method, qual : sdcMicro ``indivRisk``'s ``method`` ("approx" or "exact") and
        quality factor for the weighted individual risk (see ``risk.individual.individual_risk``)
    model_risk, model_risk_bound : sdcMicro ``modRisk``'s method ("default", "CE", "PML",
        "weightedLLM" or "IPF") and bound: global risk from a log-linear model of the
        quasi-identifiers' main effects (see ``risk.model_based``); needs ``weights``
    risky_cells : sdcMicro ``riskyCells``' thresholds for combinations of 1, 2, ... quasi-identifiers:
        per combination, the number of cells with at most that many records (``risk.risky_cells``)
    encoded : columns of ``data`` already encoded by the caller, exactly as
        ``data.table.encode_column`` encodes them (the Anonymizer hands over its own): not encoded again
    grouped : the distinct tuples of ``quasi_identifiers`` in ``data``, grouped by the caller exactly
        as the numpy backend groups them (the Anonymizer hands over its classes, see
        ``transform.class_tuples``): the records are not grouped again. Only without sensitive
        attributes, weights, households, model risk or risky cells; per-record outputs are not
        available then
    backend : "numpy" (default), "spark", or a backend object; a pyspark DataFrame as ``data``
        selects Spark. On Spark, ``data`` may be a Parquet/CSV file, folder or glob read by Spark;
        weights, households and per-record outputs are not available there.
    spark : Spark settings ``{"master": ..., "conf": {...}}`` (see ``backends.choice``)

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"zip": ["81675", "81675", "81667"], "sex": ["f", "f", "m"]})
    >>> a = assess(df, quasi_identifiers=["zip", "sex"])
    >>> a.to_dict()["sample_uniques"], a.to_dict()["prosecutor"]["highest_risk"]
    (0.3333333333333333, 1.0)

    Notes
    -----
    Sample risks follow ARX 3.9 (Prasser et al.); population uniqueness: Pitman (1993), Zayatz (1991),
    Chen & Keller-McNulty's SNB (1998), Dankar et al. (2012); individual risk: Benedetti & Franconi
    (1998) as in sdcMicro; SUDA2: Elliot et al. (2002), Manning et al. (2008).
    """
    # every argument checked once, into one frozen spec; below, only the spec is read
    spec = AssessmentSpec.from_arguments(
        quasi_identifiers=quasi_identifiers, sensitive=sensitive, hierarchies=hierarchies, weights=weights,
        household=household, population_size=population_size, sampling_fraction=sampling_fraction,
        identifiers=identifiers, threshold=threshold, max_subset_size=max_subset_size, alpha=alpha,
        individual_risk_method=individual_risk_method, qual=qual, suda2=suda2, dis_fraction=dis_fraction,
        model_risk=model_risk, model_risk_bound=model_risk_bound, risky_cells=risky_cells, backend=backend, spark=spark)
    with huge_pages_off():  # see data/huge_pages.py
        return _assess(spec, data, source=source, delimiter=delimiter, encoded=encoded, grouped=grouped)


def _assess(spec: AssessmentSpec, data: Any, *, source: str | None, delimiter: str | None,
            encoded: Mapping[str, EncodedColumn] | None, grouped: Snapshot | None = None) -> AssessmentResult:
    """:func:`assess` of a checked spec."""
    options = spec.measures
    engine = get_backend(spec.backend, spark=spec.spark, data=data)
    where = source or (str(data) if isinstance(data, (str, bytes)) or hasattr(data, "__fspath__") else "data")
    quasi_identifier_names, sensitive_names = list(spec.quasi_identifiers), list(spec.sensitive)
    weights, household, identifiers = spec.weights, spec.household, list(spec.identifiers)
    population_size, sampling_fraction = spec.population_size, spec.sampling_fraction
    threshold, max_subset_size, alpha = spec.threshold, spec.max_subset_size, spec.alpha
    suda2, dis_fraction, hierarchies = spec.suda2, spec.dis_fraction, spec.hierarchies
    # a CSV file's quasi-identifiers are only grouped: read as categories, encoded from their codes
    frame = engine.read(data, delimiter=delimiter, categorical=quasi_identifier_names)
    columns = engine.columns(frame)
    require_names(columns, [*quasi_identifier_names, *sensitive_names, *(c for c in (weights, household) if c), *identifiers], source=where)
    overlap = set(quasi_identifier_names) & set(sensitive_names)
    if overlap:
        raise ConfigError(f"column {sorted(overlap)[0]!r} is both a quasi-identifier and sensitive", hint="give each column one role")
    local = engine.name == "numpy"
    for given, what in ((weights, "sampling weights"), (household, "household risk")):
        if given and not local:
            raise ConfigError(f"{what} are not available on the {engine.name} backend yet",
                              hint="drop the weights/household column, or assess with the numpy backend")

    # Records enter once: the backend groups them into their distinct quasi-identifier tuples (a
    # missing value is a code of its own, -1) with a histogram of each sensitive attribute. Every
    # figure below is computed on the tuples with their counts and equals, bit for bit, the
    # record-level computation; per-record outputs are gathered back only when records() asks.
    # the Anonymizer hands over the columns it encoded already (numpy): not encoded again
    if grouped is not None:
        per_record_inputs = options.model_risk is not None or options.risky_cells is not None
        if not local or grouped.columns != tuple(quasi_identifier_names) or sensitive_names or weights or household or per_record_inputs:
            raise InternalError("tuples grouped by the caller were handed to an assessment they do not describe")
        snap = grouped
    elif encoded and local:
        snap = engine.snapshot(frame, quasi_identifier_names, sensitive=sensitive_names, encoded=encoded)
    else:
        snap = engine.snapshot(frame, quasi_identifier_names, sensitive=sensitive_names)
    tuples = snap.tuples
    n = snap.records
    dictionaries = dict(zip(quasi_identifier_names, snap.dictionaries))
    dictionaries.update({name: h.dictionary for name, h in snap.sensitive.items()})
    hier = _load_hierarchies(hierarchies, dictionaries, where)
    sizes = tuples.counts  # ARX's equivalence classes: a missing value is a value of its own

    summary: dict[str, Any] = {
        "source": where,
        "records": n,
        "quasi_identifiers": quasi_identifier_names,
        "sensitive": sensitive_names,
        "identifiers": list(identifiers),
        # assess releases nothing: a column it was not given is simply not used, and said so
        "not_assessed": [c for c in columns
                         if c not in {*quasi_identifier_names, *sensitive_names, *identifiers, *(x for x in (weights, household) if x)}],
    }
    if not local:
        summary["backend"] = engine.name
    summary.update(sample_risk(sizes, threshold=threshold).to_dict())
    # ARX reads a missing value as a value of its own, sdcMicro as a wildcard: say how many there are.
    summary["missing_values"] = {q: int(sizes[tuples.codes[:, j] < 0].sum()) for j, q in enumerate(quasi_identifier_names)}

    summary["population_uniques"] = None
    if population_size is not None or sampling_fraction is not None:
        from unlinkable.risk.population import population_uniqueness

        if population_size is not None:
            if population_size < n:
                raise ConfigError(
                    f"population size {population_size} is smaller than the sample ({n} records)",
                    hint="give the size of the population the table was drawn from, or a sampling fraction",
                )
        summary["population_uniques"] = population_uniqueness(
            sizes, population_size=population_size, sampling_fraction=sampling_fraction
        ).to_dict()

    # sdcMicro semantics: missing key values are wildcards (-1 kept in the tuples' codes).
    w = _numeric(frame, weights, where) if weights else None
    fk, Fk = tuple_frequencies(tuples, weights=w, alpha=alpha)
    risk = individual_risk(fk, Fk, weighted=w is not None, method=options.individual_risk.method,
                           qual=options.individual_risk.qual)
    g = global_risk(risk, counts=sizes)
    individual: dict[str, Any] = {
        "expected_reidentifications": g.risk_ER,
        "global_risk": g.risk,
        "global_risk_pct": g.risk_pct,
        "threshold": g.threshold,
        "max_risk": g.max_risk,
        "records_higher_risk_than_main_part": g.n_higher_risk_than_main_part,
        "household_expected_reidentifications": None,
        "household_global_risk": None,
        "kanonymity_violations": kanonymity_violations(fk, counts=sizes),
    }
    per_record: dict[str, Any] = {}
    if tuples.per_record:
        per_record.update({"fk": lambda: tuples.expand(fk), "Fk": lambda: tuples.expand(Fk),
                           "individual_risk": lambda: tuples.expand(risk)})
    if household:
        hh = frame[household].cast(pl.String)
        hh_codes = np.asarray(pl.Series(hh).rank("dense").fill_null(0).to_numpy(), dtype=np.int64)
        hr = household_risk(tuples.expand(risk), hh_codes)
        individual["household_expected_reidentifications"] = hr.hier_risk_ER
        individual["household_global_risk"] = hr.hier_risk
        per_record["household_risk"] = hr.per_record
    summary["individual_risk"] = individual

    summary["model_risk"] = None
    if options.model_risk is not None:
        if w is None:
            raise ConfigError("model-based risk needs sampling weights", hint="name the weight column (--weights)")
        from unlinkable.risk.model_based import model_risk as fit_model_risk

        summary["model_risk"] = fit_model_risk(tuples.expand(tuples.codes), w, method=options.model_risk.method,
                                               bound=options.model_risk_bound).to_dict()

    summary["risky_cells"] = None
    if options.risky_cells is not None:
        from unlinkable.risk.risky_cells import risky_cells as count_risky_cells

        if not local:
            raise ConfigError(f"risky cells are not available on the {engine.name} backend yet",
                              hint="drop --risky-cells, or assess with the numpy backend")
        thresholds = list(options.risky_cells)
        if len(thresholds) > len(quasi_identifier_names):
            raise ConfigError(f"{len(thresholds)} risky-cells thresholds for {len(quasi_identifier_names)} quasi-identifiers",
                              hint="give one threshold per combination size 1, 2, ... up to the number of quasi-identifiers")
        summary["risky_cells"] = count_risky_cells(tuples.expand(tuples.codes), quasi_identifier_names, threshold=thresholds,
                                                   max_dim=len(thresholds)).to_dict()

    summary["suda2"] = None
    if suda2:
        from unlinkable.risk.suda2 import suda2 as run_suda2

        s = run_suda2(tuples.codes, dis_fraction=dis_fraction, names=quasi_identifier_names, counts=sizes)
        summary["suda2"] = {
            "records_with_score": int(s.records_with_score),
            "max_score": float(s.max_score),
            "attribute_contributions": {k: float(v) for k, v in dict(s.attribute_contributions).items()},
            "dis_fraction": dis_fraction,
        }
        if tuples.per_record:
            per_record["suda2_score"] = lambda: tuples.expand(np.asarray(s.score, dtype=np.float64))
            per_record["dis_score"] = lambda: tuples.expand(np.asarray(s.dis_score, dtype=np.float64))
    if tuples.per_record:
        per_record["prosecutor_risk"] = lambda: tuples.expand(1.0 / sizes)

    summary["diversity"] = None
    if sensitive_names:
        from unlinkable.risk.diversity import histogram_diversity

        summary["diversity"] = {}
        for name in sensitive_names:
            histogram = snap.sensitive[name]
            numeric = _numeric_dictionary(histogram.dictionary)
            gmap = hier[name].encode(histogram.dictionary, column=name) if name in hier else None
            sc = SensitiveColumn(name, np.zeros(0, dtype=np.int32), histogram.dictionary, numeric, gmap)
            summary["diversity"][name] = histogram_diversity(histogram.dense(len(tuples)), histogram.table_counts(), sc)

    # ARX semantics for subsets too: missing (-1) shifted to a code of its own (0).
    shifted = tuples.codes + 1
    cards = [len(dictionaries[q]) + 1 for q in quasi_identifier_names]
    summary["uniqueness_by_attributes"] = uniqueness_by_attributes(shifted, cards, quasi_identifier_names, max_size=max_subset_size,
                                                                   counts=sizes)
    summary["attribute_effects"] = attribute_effects(shifted, cards, quasi_identifier_names, lifted=_lifts(quasi_identifier_names, dictionaries, hier),
                                                     threshold=threshold, counts=sizes)
    return AssessmentResult(summary, per_record)


def _load_hierarchies(hierarchies: Mapping[str, Hierarchy | str] | None, dictionaries: Mapping[str, Sequence[str]],
                      where: str) -> dict[str, Hierarchy]:
    out: dict[str, Hierarchy] = {}
    for name, h in (hierarchies or {}).items():
        if not isinstance(h, Hierarchy):
            h = read_hierarchy(h, name=name)
        if name in dictionaries:
            h.encode(dictionaries[name], column=name, source=f"{where}: hierarchy of column {name!r}")
        out[name] = h
    return out


def _lifts(quasi_identifier_names: Sequence[str], dictionaries: Mapping[str, Sequence[str]],
           hier: Mapping[str, Hierarchy]) -> dict[str, tuple[np.ndarray, int]]:
    """Per quasi-identifier with a hierarchy: its (shifted) codes mapped one level up, and their range."""
    out = {}
    for q in quasi_identifier_names:
        if q not in hier:
            continue
        gm = hier[q].encode(dictionaries[q], column=q)
        if gm.levels < 2:
            continue
        # code 0 is the missing value (kept as is); code c is dictionary entry c - 1
        out[q] = (np.concatenate([[0], gm.table[:, 1].astype(np.int64) + 1]), len(gm.labels[1]) + 1)
    return out


def _numeric(frame: pl.DataFrame, column: str, where: str) -> np.ndarray:
    hint = "sampling weights must be numbers; fix or drop the record"
    values = numeric_columns(frame, [column], where=where, hint=hint)[column]
    if values.null_count():
        row = int(values.is_null().arg_true()[0])
        raise InputError(f"{where}: column {column!r} row {row + 1}: the weight is missing", hint=hint)
    return values.cast(pl.Float64).to_numpy().astype(np.float64)


def _numeric_dictionary(dictionary: Sequence[str]) -> np.ndarray | None:
    try:
        return np.array([float(v) for v in dictionary], dtype=np.float64)
    except (TypeError, ValueError):
        return None


def _plain(obj: Any) -> Any:
    if isinstance(obj, Mapping):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, float) and obj != obj:
        return None
    return obj
