"""``Anonymizer``: global full-domain generalization plus record suppression, with the least loss.

The engine ARX calls "optimal": every quasi-identifier gets one hierarchy level for the whole
table, the records of classes that violate a privacy model are suppressed (``*`` in every
quasi-identifier) as long as at most ``floor(limit * n)`` are, and FLASH finds the transformation
with the lowest loss, breaking ties exactly as ARX 3.9.2 does.
"""

from __future__ import annotations

import copy
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from unlinkable.anonymizer_options import AnonymizeSection
from unlinkable.backend_selection import get_backend
from unlinkable.backends.base import Snapshot
from unlinkable.backends.choice import is_spark_frame
from unlinkable.data.gather import take_blocks
from unlinkable.data.huge_pages import huge_pages_off
from unlinkable.data.io import read_table, to_output_frame
from unlinkable.data.repeated_lines import lines_of
from unlinkable.data.roles import Role, column_roles, kept_as_is
from unlinkable.data.sensitive import SensitiveColumn
from unlinkable.data.table import EncodedColumn, encode_column, encode_columns, require_names
from unlinkable.dp.search import to_double
from unlinkable.errors import ConfigError, NoSolutionError, shown
from unlinkable.hierarchies.hierarchy import GeneralizationMap, Hierarchy
from unlinkable.models import ModelContext
from unlinkable.models.base import PrivacyModel
from unlinkable.progress import Progress
from unlinkable.risk.released import released_uniqueness, unique_on_class_labels
from unlinkable.search import CheckMemo, NodeEvaluator, suppressed_of
from unlinkable.search.algorithms import run_heuristic
from unlinkable.search.flash import FULL, Flash, SearchOutcome, strategy_keys
from unlinkable.search.floors import FloorEvaluator
from unlinkable.search.genetic import GeneticOptions
from unlinkable.search.lattice import Lattice
from unlinkable.search.options import SearchSection
from unlinkable.transform.class_tuples import input_tuples, released_tuples
from unlinkable.transform.generalize import Generalizer, generalized_frame, release_rows
from unlinkable.transform.local_recoding import LocalRecoding, recode, recoded_frame
from unlinkable.transform.released_codes import released_table_codes
from unlinkable.utility.aggregate import score_text
from unlinkable.utility.base import UtilityMetric

if TYPE_CHECKING:
    from unlinkable.models.differential_privacy import DifferentialPrivacy


class UnprotectedSensitiveWarning(UserWarning):
    """A sensitive attribute is released as it is, and no privacy model limits what it discloses."""


@dataclass(frozen=True)
class TransformationFigures:
    """What one transformation of the table gives: its hierarchy levels, loss and released classes.

    The fields :class:`Result` (the optimum) and :class:`TransformationScore` (any one
    transformation) share; ``figures()`` gives them under the keys of both JSON outputs.
    """

    transformation: dict[str, int]
    metric: str
    loss: float
    loss_string: str
    loss_per_attribute: dict[str, float] | None
    suppressed: int
    equivalence_classes: int

    def figures(self) -> dict[str, Any]:
        """The shared figures, JSON-ready."""
        return {"transformation": dict(self.transformation), "metric": self.metric, "loss": self.loss,
                "loss_string": self.loss_string, "loss_per_attribute": self.loss_per_attribute,
                "suppressed": self.suppressed, "equivalence_classes": self.equivalence_classes}


@dataclass(frozen=True)
class Result(TransformationFigures):
    """The anonymized table and how it was obtained (the risk of the release is not assessed here:
    :meth:`assess_release` does it when asked)."""

    table: Any
    min_class_size: int
    max_class_size: int
    avg_class_size: float
    optimal: bool
    nodes_checked: int
    nodes_pruned: int
    lattice_size: int
    runtime_s: float
    quasi_identifiers: list[str] = field(default_factory=list)
    models: list[PrivacyModel] = field(default_factory=list)
    examples: dict[str, list[str]] = field(default_factory=dict)  # generalized labels only, never raw values
    roles: dict[str, str] = field(default_factory=dict)
    released_uniqueness: dict[str, Any] = field(default_factory=dict)
    #: sensitive attributes that no privacy model protects (ARX rejects them; we warn: see README)
    unprotected_sensitive: list[str] = field(default_factory=list)
    #: ARX's score of the transformation SafePub's data-dependent search chose (Python API only:
    #: it is computed from the sampled records, outside the differential-privacy guarantee)
    selection_score: str | None = None
    #: ARX's iterative local recoding: its settings and what each round gave back (None without it)
    local_recoding: dict[str, Any] | None = None
    #: the quasi-identifiers as the search encoded them (``encode_column``'s codes), for an assessment
    #: of the input that need not encode them again; None when one has a missing value (the search
    #: reads it as a value, the assessment as missing)
    input_codes: dict[str, EncodedColumn] | None = field(default=None, repr=False, compare=False)
    #: the input's distinct quasi-identifier tuples as the search grouped them (its bottom classes),
    #: for an assessment of the input that need not group the records again; None when the
    #: search's grouping is not the input's (see ``transform.class_tuples``)
    input_tuples: Snapshot | None = field(default=None, repr=False, compare=False)
    #: the released quasi-identifiers' codes, derived on demand from the search's (None: encode the text)
    _released_codes: Callable[[], dict[str, EncodedColumn]] | None = field(default=None, repr=False, compare=False)
    #: the released table's distinct tuples, derived on demand from the released classes (None: group the records)
    _released_tuples: Callable[[], Snapshot] | None = field(default=None, repr=False, compare=False)
    #: on a distributed backend: the release with the input's quasi-identifiers beside it (hidden
    #: columns, by quasi-identifier), for the verifier to compare row by row where the records are
    paired: tuple[Any, dict[str, str]] | None = field(default=None, repr=False, compare=False)
    #: which records share a row of ``table`` (each record's class; the suppressed ones one more
    #: row), for the CSV writer, which checks it (``transform.generalize.release_rows``); None: unknown
    release_rows: Callable[[], tuple[np.ndarray, int]] | None = field(default=None, repr=False, compare=False)

    def assess_release(self) -> dict[str, Any]:
        """``unlinkable.assess`` figures of the released table (on the search's codes while it holds them).

        The suppressed records (all quasi-identifiers ``*``) are one class of the released table for
        the risk figures, but not a class in ARX's count: ``equivalence_classes`` keeps both, named.
        """
        if self._released_tuples is not None:
            risk = _assess(self.table, self.quasi_identifiers, grouped=self._released_tuples())
        else:
            encoded = self._released_codes() if self._released_codes is not None else None
            risk = _assess(self.table, self.quasi_identifiers, encoded)
        classes = risk.get("equivalence_classes")
        if self.suppressed and isinstance(classes, dict):
            classes["suppressed_records"] = self.suppressed
            classes["count_excluding_suppressed"] = self.equivalence_classes
        return risk

    def drop_codes(self) -> None:
        """Let go of the search's codes (``input_codes``, and those the released table's risk is
        computed from): a command that has taken both assessments frees their memory before verifying."""
        # the codes are a memory handle, not a figure of the result: dropping them changes no figure
        for name in ("input_codes", "input_tuples", "_released_codes", "_released_tuples", "release_rows"):
            object.__setattr__(self, name, None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready result (keys as in the job result file, without ``risk_after``: see
        :meth:`assess_release`)."""
        out: dict[str, Any] = {
            **self.figures(),
            "min_class_size": self.min_class_size,
            "max_class_size": self.max_class_size,
            "avg_class_size": self.avg_class_size,
            "optimal": self.optimal,
            "nodes_checked": self.nodes_checked,
            "runtime_s": self.runtime_s,
            "lattice": {"size": self.lattice_size, "checked": self.nodes_checked, "pruned": self.nodes_pruned,
                        "optimum": dict(self.transformation)},
            "models": [m.to_dict() for m in self.models],
            "guarantees": [m.describe() for m in self.models],
            "examples": self.examples,
            "roles": dict(self.roles),
            "released_uniqueness": self.released_uniqueness,
        }
        if self.unprotected_sensitive:
            out["unprotected_sensitive"] = list(self.unprotected_sensitive)
        if self.local_recoding is not None:
            out["local_recoding"] = self.local_recoding
        return out


def _released_examples(classes: Any, suppressed: np.ndarray, maps: Sequence[Any], levels: Sequence[int],
                       quasi_identifiers: Sequence[str]) -> dict[str, list[str]]:
    """Per quasi-identifier, the most frequent generalized value among the released records.

    Never a record's raw value: a result file must not carry the unique tuple of record 1, so the
    example is a label of the chosen level that the most released records share (ties: first label).
    Counted on the optimum's classes, weighted by their sizes (the records are not read again).
    """
    examples: dict[str, list[str]] = {}
    keep = ~np.asarray(suppressed, dtype=bool)
    if not keep.any():
        return examples
    sizes = np.asarray(classes.sizes)[keep].astype(np.float64)  # integer sums: exact
    for i, (q, gm) in enumerate(zip(quasi_identifiers, maps)):
        labels = gm.labels[levels[i]]
        counts = np.bincount(np.asarray(classes.gen_of(i), dtype=np.int64)[keep], weights=sizes, minlength=len(labels))
        examples[q] = [str(labels[int(counts.argmax())])]
    return examples


@dataclass(frozen=True)
class _Setup:
    n: int
    maps: list[GeneralizationMap]
    codes: np.ndarray
    columns: list[EncodedColumn]
    generalizer: Generalizer
    lattice: Lattice
    keys: list[Any]
    evaluator: NodeEvaluator
    roles: dict[str, Role]
    included: np.ndarray | None = None


@dataclass(frozen=True)
class TransformationScore(TransformationFigures):
    """What one transformation costs: ARX's ``getInformationLoss`` of a node, plus its classes."""

    anonymous: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready figures."""
        return {**self.figures(), "anonymous": self.anonymous}


def score(data: Any, *, levels: Mapping[str, int] | Sequence[int], quasi_identifiers: Sequence[str],
          hierarchies: Mapping[str, Hierarchy | str | os.PathLike[str]], privacy: Sequence[Any],
          suppression_limit: float = 0.0, metric: str | UtilityMetric = "loss", identifiers: Sequence[str] = (),
          sensitive: str | Sequence[str] | None = None, delimiter: str | None = None) -> TransformationScore:
    """Score one transformation: its loss, suppressed records and classes, as ARX's ``getInformationLoss``.

    The arguments are those of :class:`Anonymizer`, plus ``levels`` (one hierarchy level per
    quasi-identifier, by name or in order). Classes that violate a privacy model are suppressed.

    Examples
    --------
    >>> import polars as pl, unlinkable
    >>> from unlinkable.hierarchies.hierarchy import Hierarchy
    >>> df = pl.DataFrame({"zip": ["81667", "81675", "81667", "81675"]})
    >>> h = Hierarchy([["81667", "816**", "*"], ["81675", "816**", "*"]])
    >>> s = unlinkable.score(df, levels={"zip": 0}, quasi_identifiers=["zip"], hierarchies={"zip": h},
    ...                      privacy=[{"k-anonymity": {"k": 2}}], metric="loss")
    >>> s.loss, s.suppressed, s.equivalence_classes
    (0.0, 0, 2)
    """
    anonymizer = Anonymizer(quasi_identifiers=quasi_identifiers, hierarchies=hierarchies, privacy=privacy,
                            suppression_limit=suppression_limit, metric=metric, identifiers=identifiers,
                            sensitive=sensitive, progress=False)
    return anonymizer.score(data, levels, delimiter=delimiter)


def _assess(table: Any, quasi_identifiers: Sequence[str], encoded: Mapping[str, EncodedColumn] | None = None, *,
            grouped: Snapshot | None = None) -> dict[str, Any]:
    from unlinkable.assessment import assess

    frame = table if isinstance(table, pl.DataFrame) or is_spark_frame(table) else read_table(table)
    return assess(frame, quasi_identifiers=list(quasi_identifiers), suda2=False, encoded=encoded, grouped=grouped).to_dict()


def _quasi_identifier_uniques(best: Any, maps: Sequence[Any], names: Sequence[str]) -> int:
    """Released records unique on their quasi-identifier text, counted on classes, not records:
    each released class by its labels, the suppressed records as one more class of ``*``."""
    keep = ~best.suppressed_classes
    gen = best.classes.gen[keep]
    columns = {q: np.append(np.asarray(gm.labels[lv], dtype=object)[gen[:, i]], "*").tolist()
               for i, (q, gm, lv) in enumerate(zip(names, maps, best.levels))}
    sizes = [*best.classes.sizes[keep].tolist(), int(best.suppressed_records)]
    return unique_on_class_labels(pl.DataFrame(columns, schema={q: pl.String for q in names}), sizes)


def _numeric_values(dictionary: Sequence[str]) -> np.ndarray | None:
    """The values as numbers when every one is numeric (for the ordered distance), else None."""
    try:
        return np.array([float(v) for v in dictionary], dtype=np.float64)
    except (TypeError, ValueError):
        return None


def _as_text(series: pl.Series) -> pl.Series:
    """A quasi-identifier as text, a missing value as the empty string (a value of its own).

    A Categorical column without a missing value is text already (encoded from its categories)."""
    if isinstance(series.dtype, (pl.Categorical, pl.Enum)) and not series.null_count():
        return series
    if series.dtype != pl.String:
        series = series.cast(pl.String)
    if series.null_count():
        series = series.fill_null("")
    return series


def _search_spec(search: str | SearchSection, *, time_limit_s: float | None, step_limit: int | None, seed: int | None,
                 genetic: GeneticOptions | Mapping[str, Any] | None, practical_monotonicity: bool) -> SearchSection:
    """The :class:`SearchSection` of the Anonymizer's search arguments (or the one given as ``search``)."""
    if isinstance(search, SearchSection):
        if (time_limit_s, step_limit, seed, genetic) != (None, None, None, None) or practical_monotonicity:
            raise ConfigError("the search's settings are given twice: in search= and as arguments",
                              hint="give them in the SearchSection only, or search='lightning' with the arguments")
        return search
    if genetic is not None and not isinstance(genetic, (GeneticOptions, Mapping)):
        raise ConfigError(f"the genetic search's settings must be a mapping, got {shown(genetic)}",
                          hint="genetic={'iterations': 20}")
    settings: dict[str, Any] = {}
    if isinstance(genetic, GeneticOptions):
        settings = asdict(genetic)
    elif genetic is not None:
        GeneticOptions.from_mapping(genetic)  # its own names checked as the genetic search's settings
        settings = dict(genetic)
    return SearchSection.parse({"algorithm": search, "time_limit_s": time_limit_s, "step_limit": step_limit,
                                "seed": seed, "practical_monotonicity": practical_monotonicity, **settings})


class Anonymizer:
    """Find the transformation that satisfies every privacy model with the least information loss.

    Parameters
    ----------
    quasi_identifiers : sequence of str
    hierarchies : mapping of str to Hierarchy or path
        One hierarchy per quasi-identifier (and one for a sensitive attribute used by
        hierarchical-distance t-closeness).
    privacy : sequence of PrivacyModel or job-file entries (``{"k-anonymity": {"k": 5}}``)
    suppression_limit : float
        Share of records that may be suppressed, in [0, 1].
    metric : str
        ``loss`` | ``discernibility`` | ``entropy`` | ``precision`` | ``aecs`` | ``height`` |
        ``entropy-monotonic`` | ``discernibility-monotonic`` | ``precision-monotonic`` |
        ``entropy-based-information-loss``, or a mapping such as
        ``{"name": "loss", "gs_factor": 0.1, "aggregate": "rank"}``.
    search : {"optimal", "heuristic", "lightning", "top-down", "genetic"} or SearchSection
        The algorithm's name, with its settings as the arguments below; or all of them as the
        :class:`~unlinkable.search.options.SearchSection` a job file's ``search`` section parses
        into (the arguments are then left out). Either way they become that one frozen spec.
        ``optimal`` is FLASH. The others are heuristics for lattices too large for it (see
        :mod:`unlinkable.search.algorithms`): ``lightning`` and ``top-down`` are ARX's LIGHTNING
        searches, ``genetic`` ARX's genetic algorithm (it needs ``seed``); they check nodes in ARX's
        order, so with ARX's limits they stop where ARX stops.
    time_limit_s : float, optional
        Budget of a heuristic search, in seconds (a wall-clock limit: where it stops varies from run
        to run; use ``step_limit`` for a reproducible result).
    step_limit : int, optional
        Budget of a heuristic search, in checked transformations (ARX's ``heuristicSearchStepLimit``).
    seed : int, optional
        Seed of the genetic search (a Java long: ``java.util.Random``'s; ARX's deterministic mode is
        ``unlinkable.search.genetic.ARX_DETERMINISTIC_SEED``).
    genetic : mapping or GeneticOptions, optional
        The genetic search's settings under ARX's names (``subpopulation_size``, ``iterations``,
        ``elite_fraction``, ``crossover_fraction``, ``production_fraction``, ``mutation_probability``,
        ``immigration_fraction``, ``immigration_interval``); those not given keep ARX's defaults
        (:class:`unlinkable.search.genetic.GeneticOptions`). Only with ``search="genetic"``.
    identifiers : sequence of str
        Columns dropped from the output.
    sensitive : str or sequence of str, optional
        Sensitive attributes, kept as they are (the models name theirs; they count as sensitive).
    insensitive : sequence of str
        Columns kept exactly as they are. Every column of the data needs a role (identifier,
        quasi-identifier, sensitive or insensitive): a column without one is an error, so nothing
        is released that nobody looked at. Their uniqueness is measured in
        ``Result.released_uniqueness``.
    progress : bool or unlinkable.progress.Progress
        Show the encode and search phases on a terminal (see :mod:`unlinkable.progress`), or report
        them to the given ``Progress`` of a whole command.
    practical_monotonicity : bool
        ARX's ``setPracticalMonotonicity``: let the optimal search treat every model and the metric
        as monotone (faster; the result may not be optimal, and is still verified).
    backend : "numpy" (default), "spark", or a backend object
        Where the records are read, grouped, generalized and suppressed. A pyspark DataFrame
        given to ``fit`` selects Spark. With Spark the distinct quasi-identifier tuples (with
        their counts and sensitive values) are collected once, the search runs here on them, and
        ``Result.table`` is a pyspark DataFrame computed in Spark (see ``spark/``).
    spark : mapping, optional
        Spark settings ``{"master": ..., "conf": {...}}``.

    Examples
    --------
    >>> import polars as pl
    >>> from unlinkable.hierarchies.hierarchy import Hierarchy
    >>> df = pl.DataFrame({"zip": ["81667", "81675", "81667", "81675"], "d": ["a", "b", "c", "d"]})
    >>> h = Hierarchy([["81667", "816**", "*"], ["81675", "816**", "*"]])
    >>> res = Anonymizer(quasi_identifiers=["zip"], hierarchies={"zip": h}, sensitive="d",
    ...                  privacy=[{"k-anonymity": {"k": 2}}]).fit(df)
    >>> res.transformation, res.suppressed
    ({'zip': 0}, 0)

    Notes
    -----
    Kohlmayer et al., "Flash: efficient, stable and optimal k-anonymity", PASSAT 2012; ARX 3.9.2
    (Prasser and Kohlmayer, "Putting statistical disclosure control into practice: the ARX data
    anonymization tool", 2015).
    """

    #: checks kept from earlier fits of the same records under the same models and suppression limit
    #: (a search's checks do not depend on the metric: ``search.CheckMemo``). Not part of the API: ARX's
    #: peer suite, which runs one configuration under many metrics, sets it (tests/peers/arx).
    _check_memo: CheckMemo | None = None

    def __init__(self, *, quasi_identifiers: Sequence[str], hierarchies: Mapping[str, Hierarchy | str | os.PathLike[str]],
                 privacy: Sequence[Any], suppression_limit: float = 0.0, metric: str | UtilityMetric = "loss",
                 search: str | SearchSection = "optimal", time_limit_s: float | None = None, step_limit: int | None = None,
                 seed: int | None = None, genetic: GeneticOptions | Mapping[str, Any] | None = None,
                 local_recoding: LocalRecoding | Mapping[str, Any] | bool | None = None,
                 identifiers: Sequence[str] = (),
                 sensitive: str | Sequence[str] | None = None, insensitive: Sequence[str] = (),
                 progress: bool | Progress = True, context: ModelContext | None = None,
                 practical_monotonicity: bool = False, backend: Any = None, spark: Any = None) -> None:
        arguments = dict(quasi_identifiers=quasi_identifiers, hierarchies=hierarchies, privacy=privacy,
                         suppression_limit=suppression_limit, metric=metric,
                         search=_search_spec(search, time_limit_s=time_limit_s, step_limit=step_limit, seed=seed,
                                             genetic=genetic, practical_monotonicity=practical_monotonicity),
                         local_recoding=local_recoding, identifiers=identifiers, sensitive=sensitive,
                         insensitive=insensitive, backend=backend, spark=spark)
        self._start(AnonymizeSection.parse(arguments, context={"models": context}), progress)

    @classmethod
    def from_spec(cls, spec: AnonymizeSection, *, progress: bool | Progress = True) -> Anonymizer:
        """The anonymizer of a spec that has its roles (a job's settings :meth:`~AnonymizeSection.completed`).

        Examples
        --------
        >>> from unlinkable.hierarchies.hierarchy import Hierarchy
        >>> spec = AnonymizeSection.parse({"quasi_identifiers": ["zip"], "hierarchies": {"zip": Hierarchy([["1", "*"]])},
        ...                                "privacy": [{"k-anonymity": {"k": 2}}]})
        >>> Anonymizer.from_spec(spec, progress=False).quasi_identifiers
        ['zip']
        """
        if not spec.quasi_identifiers:
            raise ConfigError("give at least one quasi-identifier as a list of column names",
                              hint="e.g. quasi_identifiers=['age', 'zipcode']")
        anonymizer = cls.__new__(cls)
        anonymizer._start(spec, progress)
        return anonymizer

    def _start(self, spec: AnonymizeSection, progress: bool | Progress) -> None:
        #: everything this anonymizer was told, checked: the only thing read below
        self.spec = spec
        self.progress = progress
        # a copy of the spec's metric: a fit prepares it, and the spec may serve several anonymizers
        self.metric = copy.deepcopy(spec.metric)

    @property
    def quasi_identifiers(self) -> list[str]:
        """The quasi-identifiers, in the order of the transformation's levels."""
        return list(self.spec.quasi_identifiers)

    @property
    def hierarchies(self) -> Mapping[str, Hierarchy]:
        """One hierarchy per quasi-identifier (and per sensitive attribute that has one)."""
        return self.spec.hierarchies

    @property
    def models(self) -> list[PrivacyModel]:
        """The privacy models."""
        return list(self.spec.privacy)

    @property
    def suppression_limit(self) -> float:
        """The share of records that may be suppressed."""
        return self.spec.suppression_limit

    @property
    def search_spec(self) -> SearchSection:
        """The search's settings: the same frozen spec a job file's ``search`` section parses into."""
        return self.spec.search

    @property
    def local_recoding(self) -> LocalRecoding | None:
        """ARX's iterative local recoding's settings, or None without it."""
        return self.spec.local_recoding

    @property
    def identifiers(self) -> list[str]:
        """Columns dropped from the output."""
        return list(self.spec.identifiers)

    @property
    def sensitive(self) -> list[str]:
        """Sensitive attributes named as such (the models name theirs too)."""
        return list(self.spec.sensitive)

    @property
    def insensitive(self) -> list[str]:
        """Columns kept exactly as they are."""
        return list(self.spec.insensitive)

    @property
    def backend(self) -> Any:
        """The backend as given (None: numpy, or Spark for a pyspark DataFrame)."""
        return self.spec.backend

    @property
    def spark(self) -> Any:
        """The Spark settings as given."""
        return self.spec.spark

    @property
    def search(self) -> str:
        """The search algorithm's name (``search_spec.algorithm``)."""
        algorithm: str = self.search_spec.algorithm
        return algorithm

    @property
    def genetic(self) -> GeneticOptions | None:
        """The genetic search's settings, or None for ARX's defaults (``search_spec.genetic``)."""
        return self.search_spec.genetic

    # ------------------------------------------------------------------
    def _search(self, lattice: Lattice, evaluator: NodeEvaluator | FloorEvaluator, keys: Any, metric: UtilityMetric,
                update: Callable[..., None] | None) -> tuple[Any, bool]:
        """Run the configured search over ``lattice``; return the outcome and whether it is optimal."""
        spec = self.search_spec
        if spec.algorithm != "optimal":
            outcome = run_heuristic(spec.algorithm, lattice, evaluator.result, step_limit=spec.step_limit,
                                    time_limit_s=spec.time_limit_s, seed=spec.seed, genetic_options=spec.genetic,
                                    progress=update)
            return outcome, False  # a heuristic never proves optimality
        if spec.practical_monotonicity:
            # ARX's setPracticalMonotonicity: every model and the metric are treated as
            # monotone, so FLASH predicts and prunes as if they were; it may miss the true
            # optimum, never release a failing node (only checked nodes become the optimum).
            privacy, metric_monotone = FULL, True
        else:
            privacy, metric_monotone = evaluator.privacy_monotonicity(), metric.monotone(self.suppression_limit)
        flash = Flash(lattice, evaluator.result, keys, privacy=privacy, metric_monotone=metric_monotone,
                      progress=update)
        return flash.run(), True

    def fit(self, data: Any, *, delimiter: str | None = None) -> Result:
        """Anonymize ``data`` (a CSV/Parquet path, or a polars or pandas DataFrame).

        Raises
        ------
        ConfigError
            k larger than the number of records, an unknown sensitive attribute.
        NoSolutionError
            No transformation satisfies the models within the suppression limit; the message lists
            the closest candidates.
        """
        with huge_pages_off():  # see data/huge_pages.py: compaction for 2 MiB pages doubled a large fit's CPU
            return self._fit(data, delimiter=delimiter)

    def _fit(self, data: Any, *, delimiter: str | None) -> Result:
        started = time.perf_counter()
        engine = get_backend(self.backend, spark=self.spark, data=data)
        unprotected = self.unprotected_sensitive()
        if unprotected:
            import warnings

            warnings.warn(f"sensitive attribute {unprotected[0]!r} is released as it is and no privacy model protects it "
                          f"(ARX rejects this); add l-diversity or t-closeness on it, or give it the role insensitive",
                          UnprotectedSensitiveWarning, stacklevel=3)  # the caller of fit
        shown = self.progress if isinstance(self.progress, Progress) else Progress(enabled=None if self.progress else False)
        if engine.name != "numpy":
            return self._fit_snapshot(engine, data, delimiter, shown, started, unprotected)
        frame = read_table(data, delimiter=delimiter)
        setup = self._setup(frame, shown)
        n, maps, codes, roles = setup.n, setup.maps, setup.codes, setup.roles
        included = setup.included
        generalizer, lattice, keys, evaluator = setup.generalizer, setup.lattice, setup.keys, setup.evaluator
        outcome, optimal, best, selection_score = self._run_search(lattice, keys, evaluator, n, shown, maps,
                                                                   frame.height)
        record_class = generalizer.record_class(best.classes)
        suppressed_rows = best.suppressed_classes[record_class]
        if included is not None:
            # records outside the research subset are suppressed in the output
            everything = ~included
            everything[included] = suppressed_rows
            suppressed_rows = everything
        in_subset = setup.evaluator.context.get("in_subset")
        if in_subset is not None:
            # every model that reads a research subset publishes that subset only (delta-presence and
            # a journalist's profitability): the other rows of the population are suppressed in the
            # output, as ARX does for any model with a subset (HashGroupify.performSuppression).
            # suppresses_outside_subset marks delta-presence's own veto in the search, not this.
            suppressed_rows = suppressed_rows | ~np.asarray(in_subset, dtype=bool)
        recoding: dict[str, Any] | None = None
        rows: Callable[[], tuple[np.ndarray, int]] | None = None
        # The search's encoding is encode_column's whenever no quasi-identifier has a missing value
        # (it reads a missing value as the empty string): the assessments before and after reuse it.
        complete = all(frame[q].null_count() == 0 for q in self.quasi_identifiers)
        input_codes = dict(zip(self.quasi_identifiers, setup.columns)) if complete else None
        # The search grouped the records it read: when it read them all, its classes are the tuples
        # of the input and (rolled up, labelled) of the release.
        whole = complete and included is None and in_subset is None
        grouped = input_tuples(generalizer, self.quasi_identifiers, setup.columns, maps) if whole else None
        released_codes = released_tuples_of = None
        if self.local_recoding is None:
            if grouped is not None:
                # the classes' codes, sizes and first records: small arrays (the generalizer and its cache are let go)
                released_tuples_of = partial(released_tuples, best.classes.rep_cols, best.classes.sizes,
                                             generalizer.first_records(best.classes), best.suppressed_classes,
                                             self.quasi_identifiers, maps, best.levels)
            elif complete:
                released_codes = partial(released_table_codes, self.quasi_identifiers, maps, best.levels,
                                         [c.codes for c in setup.columns], suppressed_rows)
            table = generalized_frame(frame, quasi_identifiers=self.quasi_identifiers, maps=maps, codes=codes,
                                      levels=best.levels, suppressed=suppressed_rows, identifiers=self.identifiers)
            if included is None:  # (the search's classes are of every record)
                rows = partial(release_rows, record_class, suppressed_rows, best.classes.classes)
            released = best.classes.sizes[~best.suppressed_classes]
            suppressed_records = int(best.suppressed_records)
            quasi_identifier_uniques = _quasi_identifier_uniques(best, maps, self.quasi_identifiers)
        else:
            shown.begin("local recoding", f"{int(suppressed_rows.sum()):,} suppressed records")
            record_levels, suppressed_rows, rounds = recode(
                best.levels, suppressed_rows, self.local_recoding, partial(self._local_round, setup, {}),
                minimal_class_size=self._required_class_size(n))
            table = recoded_frame(frame, quasi_identifiers=self.quasi_identifiers, maps=maps, codes=codes,
                                  record_levels=record_levels, suppressed=suppressed_rows, identifiers=self.identifiers)
            kept = ~suppressed_rows
            released = (table.filter(pl.Series(kept)).group_by(self.quasi_identifiers).len()["len"].to_numpy()
                        if kept.any() else np.zeros(0, dtype=np.int64))
            suppressed_records = int(suppressed_rows.sum())
            quasi_identifier_uniques = None
            recoding = {**self.local_recoding.to_dict(), "rounds": rounds,
                        "recoded": int(sum(r["recoded"] for r in rounds))}
        uniqueness = released_uniqueness(table, quasi_identifiers=self.quasi_identifiers, kept=kept_as_is(roles),
                                         quasi_identifier_uniques=quasi_identifier_uniques)
        return self._result(to_output_frame(table, data), best, outcome, optimal, maps, lattice, roles, uniqueness,
                            unprotected, started, released=released, suppressed=suppressed_records,
                            selection_score=selection_score, recoding=recoding, input_codes=input_codes,
                            input_tuples=grouped, released_codes=released_codes, released_tuples=released_tuples_of,
                            release_rows=rows)

    def _run_search(self, lattice: Lattice, keys: Any, evaluator: NodeEvaluator | FloorEvaluator, n: int, shown: Progress,
                    maps: list[Any], n_total: int) -> tuple[Any, bool, Any, Any]:
        """FLASH, SafePub or the heuristic over the lattice: the outcome, whether it is optimal, the
        optimum's node outcome (never a failing node) and SafePub's selection score (or None)."""
        shown.begin("search", f"(lattice of {lattice.size:,} transformations)")
        update = shown.search if shown.enabled else None  # no counting work when nobody watches
        private = self._private_sampling()
        try:
            selection_score = None
            if private is not None and private.data_dependent:
                # SafePub's data-dependent search: the exponential mechanism picks the transformation
                node, selection_score, checked = self._dp_search(private, evaluator, lattice, maps, n_total, update)
                outcome = SearchOutcome(optimum=node, checked=checked, lattice_size=lattice.size)
                optimal = False
                shown.search(checked, None)
            elif private is not None:
                # SafePub: the transformation is the data-independent scheme, not searched for
                node = lattice.id_of(private.levels(self.quasi_identifiers, [gm.levels for gm in maps]))
                evaluator.result(node)
                outcome = SearchOutcome(optimum=node, checked=1, lattice_size=lattice.size)
                optimal = False
                shown.search(1, lattice.size - 1)
            else:
                outcome, optimal = self._search(lattice, evaluator, keys, self.metric, update)
                shown.search(outcome.checked, outcome.pruned if optimal else None)
            shown.end()
        finally:
            shown.abort()
        if outcome.optimum is None:
            raise self._no_solution(outcome, lattice, n, evaluator.budget)
        best = evaluator.outcome(outcome.optimum)
        if not best.anonymous:
            # Only under practical monotonicity can a node be taken for anonymous without being
            # so (its anonymity predicted from a finer node); never release it.
            raise NoSolutionError(
                f"the search under practical monotonicity ended on a transformation that does not satisfy "
                f"{', '.join(repr(m) for m in self.models)}",
                hint="run without practical_monotonicity: the models are not monotone on this data")
        return outcome, optimal, best, selection_score

    def _result(self, table: Any, best: Any, outcome: Any, optimal: bool, maps: list[Any], lattice: Lattice,
                roles: Mapping[str, Role], uniqueness: dict[str, Any], unprotected: list[str], started: float, *,
                released: np.ndarray, suppressed: int, selection_score: Any = None,
                recoding: dict[str, Any] | None = None, input_codes: dict[str, EncodedColumn] | None = None,
                input_tuples: Snapshot | None = None,
                released_codes: Callable[[], dict[str, EncodedColumn]] | None = None,
                released_tuples: Callable[[], Snapshot] | None = None,
                release_rows: Callable[[], tuple[np.ndarray, int]] | None = None) -> Result:
        """The result of a fit from the optimum's outcome and the released classes' sizes."""
        examples = _released_examples(best.classes, best.suppressed_classes, maps, best.levels, self.quasi_identifiers)
        return Result(
            table=table,
            transformation=dict(zip(self.quasi_identifiers, best.levels)),
            metric=self.metric.name,
            loss=float(best.score.value),
            loss_string=score_text(best.score.value),
            loss_per_attribute=best.score.per_attribute,
            suppressed=suppressed,
            equivalence_classes=int(released.shape[0]),
            min_class_size=int(released.min()) if released.size else 0,
            max_class_size=int(released.max()) if released.size else 0,
            avg_class_size=float(released.sum() / released.shape[0]) if released.size else 0.0,
            optimal=optimal,
            nodes_checked=outcome.checked,
            nodes_pruned=outcome.pruned,
            lattice_size=lattice.size,
            runtime_s=time.perf_counter() - started,
            quasi_identifiers=list(self.quasi_identifiers),
            models=list(self.models),
            examples=examples,
            roles={name: role.value for name, role in roles.items()},
            released_uniqueness=uniqueness,
            unprotected_sensitive=unprotected,
            selection_score=None if selection_score is None else score_text(to_double(selection_score)),
            local_recoding=recoding,
            input_codes=input_codes,
            input_tuples=input_tuples,
            _released_codes=released_codes,
            _released_tuples=released_tuples,
            release_rows=release_rows,
        )

    def _dp_search(self, private: DifferentialPrivacy, evaluator: NodeEvaluator | FloorEvaluator, lattice: Lattice,
                   maps: list[GeneralizationMap], n_total: int,
                   update: Callable[[int, int | None], None] | None) -> tuple[int, Any, int]:
        """SafePub's data-dependent search over the lattice with the metric's score (dp/search.py)."""
        from unlinkable.dp import search as dp_search

        if self.metric.name not in dp_search.SCORED_METRICS:
            raise ConfigError(f"differential-privacy's data-dependent search has no score function for metric "
                              f"{self.metric.name!r}", hint=f"use one of {', '.join(dp_search.SCORED_METRICS)} (as ARX)")

        def node_score(node: int) -> Any:
            out = evaluator.outcome(node)
            gen = out.classes.gen
            return dp_search.score(self.metric.name, sizes=out.classes.sizes, suppressed=out.suppressed_classes,
                                   gen=lambda i: gen[:, i], levels=out.levels, maps=maps, n_total=n_total, k=private.k,
                                   response=getattr(self.metric, "indices", ()))

        assert private.steps is not None and private.search_budget is not None
        return dp_search.search(lattice, node_score, steps=private.steps, search_budget=private.search_budget,
                                deterministic=private.deterministic, progress=update)

    def _private_sampling(self) -> DifferentialPrivacy | None:
        """The model that samples the records and fixes the transformation (differential privacy), if any."""
        found = [m for m in self.models if m.samples_records]
        if len(found) > 1:
            raise ConfigError(f"{found[0].name} is given twice", hint=f"give one {found[0].name} model (ARX)")
        return found[0] if found else None  # type: ignore[return-value]  # the one model that declares it

    def _required_class_size(self, n: int) -> int | None:
        """ARX's ``getMinimalGroupSize``: the largest minimal class size of the models, or None."""
        sizes = [size for m in self.models if (size := m.required_class_size(n)) is not None]
        return max(sizes) if sizes else None

    def _local_round(self, setup: _Setup, previous: dict[str, Any], rows: np.ndarray,
                     gs_factor: float) -> tuple[tuple[int, ...], np.ndarray] | None:
        """One round of local recoding (ARX ``optimizeFast``): search the given records on their own.

        The models keep what they learnt from the whole table (t-closeness' distribution; k-map's
        derived k becomes k-anonymity, as in ARX's ``KMap.clone(subset)``); the metric takes the
        round's gs-factor. Returns the optimum's levels and which of the records it suppresses.

        A round that recoded nothing is followed by one over the same records with a higher
        gs-factor: ``previous`` (this recoding's own) keeps the last round's records, classes and
        checks, and such a round computes only the scores again.
        """
        models = [m.for_local_recoding(setup.n) for m in self.models]
        metric = copy.deepcopy(self.metric)
        if hasattr(metric, "gs_factor"):
            metric.gs_factor = gs_factor   # ARX: utilityConfig.setGsFactor(gsFactor)
        if "rows" in previous and np.array_equal(previous["rows"], rows):
            generalizer, memo = previous["generalizer"], previous["memo"]
        else:
            # (every round's metric is a copy of the same one: the canonical numbering never changes)
            generalizer = Generalizer(setup.codes[rows], setup.maps, canonical=getattr(metric, "reads_representatives", True))
            memo = CheckMemo()
            previous.update(rows=rows, generalizer=generalizer, memo=memo)
        sensitive = {name: replace(col, codes=col.codes[rows]) for name, col in setup.evaluator.sensitive.items()}
        evaluator = NodeEvaluator(generalizer, setup.lattice, self.quasi_identifiers, models, metric,
                                  suppression_limit=self.suppression_limit, sensitive=sensitive,
                                  context={**setup.evaluator.context, "n": int(rows.shape[0])}, prepare_models=False,
                                  memo=memo)
        outcome, _ = self._search(setup.lattice, evaluator, setup.keys, metric, None)
        if outcome.optimum is None:
            return None
        best = evaluator.outcome(outcome.optimum)
        if not best.anonymous:
            return None
        return best.levels, best.suppressed_classes[generalizer.record_class(best.classes)]

    def _included_rows(self, frame: pl.DataFrame) -> np.ndarray | None:
        """The records searched and released: the research subset of a model that releases it only
        (``inclusion``, k-map with a subset), or the random sample of a ``differential-privacy`` model,
        as a bool per row; None for every row."""
        inclusions = [m for m in self.models if m.releases_subset_only]
        private = self._private_sampling()
        if private is not None:
            if inclusions or any("in_subset" in m.needs for m in self.models):
                raise ConfigError("differential-privacy cannot be combined with a research subset (inclusion, delta-presence)",
                                  hint="ARX refuses this combination too: the sample is the model's own subset")
            # a fresh secret sample on every call (never stored, never seeded), unless ARX's test mode
            return np.asarray(private.sample(frame.height), dtype=bool)
        if not inclusions:
            return None
        hiders = [m for m in self.models if "in_subset" in m.needs]
        if hiders:
            raise ConfigError(f"{inclusions[0].name} and {hiders[0].name} both define a research subset",
                              hint="use one of them: inclusion (or k-map with a subset) releases the subset, "
                                   "delta-presence hides membership in it")
        masks = [np.asarray(m.research_subset(frame), dtype=bool) for m in inclusions]
        if any(not np.array_equal(masks[0], other) for other in masks[1:]):
            raise ConfigError("two models name different research subsets", hint="use one research subset per job")
        mask = masks[0]
        if not mask.any():
            raise ConfigError("the research subset of the inclusion model is empty", hint="give the subset's rows")
        return mask

    def _data_as_population(self, frame: pl.DataFrame) -> pl.DataFrame | None:
        """The quasi-identifiers of the whole data table as text, when a model counts them as its
        population (it needs population counts and has no table of its own: k-map with a research
        subset); else None."""
        if not any("population_counts" in m.needs and m.population_source() is None for m in self.models):
            return None
        return frame.select([_as_text(frame[q]).alias(q) for q in self.quasi_identifiers])

    def unprotected_sensitive(self) -> list[str]:
        """Sensitive attributes that no privacy model uses.

        ARX rejects such a configuration ("No privacy model specified for sensitive attribute").
        unlinkable releases the column as it is and warns (``UnprotectedSensitiveWarning``, and
        ``unprotected_sensitive`` in the result): k-anonymity alone says nothing about what a
        class reveals of it.

        Examples
        --------
        >>> from unlinkable.hierarchies.hierarchy import Hierarchy
        >>> a = Anonymizer(quasi_identifiers=["zip"], hierarchies={"zip": Hierarchy([["1", "*"]])},
        ...                privacy=[{"k-anonymity": {"k": 2}}], sensitive="disease")
        >>> a.unprotected_sensitive()
        ['disease']
        """
        used = {a for m in self.models for a in m.sensitive_attributes()}
        return [s for s in self.sensitive if s not in used]

    def _roles(self, columns: Sequence[str]) -> tuple[list[str], dict[str, Role]]:
        """The sensitive attributes the job needs and every column's role, checked against ``columns``."""
        columns = list(columns)
        require_names(columns, self.quasi_identifiers + self.identifiers, source="data")
        needed = list(dict.fromkeys(self.sensitive + [a for m in self.models for a in m.sensitive_attributes()]))
        for name in needed:
            if name not in columns:
                raise ConfigError(f"unknown sensitive attribute {name!r}: the data has no such column",
                                  hint=f"the columns are: {', '.join(columns[:20])}")
            if name in self.quasi_identifiers:
                raise ConfigError(f"attribute {name!r} is both sensitive and a quasi-identifier",
                                  hint="give each column one role")
        roles = column_roles(columns, [(Role.IDENTIFIER, self.identifiers),
                                       (Role.QUASI_IDENTIFIER, self.quasi_identifiers),
                                       (Role.SENSITIVE, needed), (Role.INSENSITIVE, self.insensitive)])
        private = self._private_sampling()
        kept = [c for c, role in roles.items() if role not in (Role.IDENTIFIER, Role.QUASI_IDENTIFIER)]
        if private is not None and kept:
            # ARX allows it, but the guarantee would be false: such a column is released for every
            # record, sampled or not, and as it is.
            raise ConfigError(f"differential-privacy covers the quasi-identifiers only, and column {kept[0]!r} "
                              f"({roles[kept[0]].value}) would be released as it is for every record",
                              hint="give it the role quasi-identifier (with a hierarchy) or identifier (dropped)")
        return needed, roles

    def _check_sizes(self, n: int) -> None:
        """Every model's minimal class size fits in ``n`` records (ARX's check)."""
        private = self._private_sampling()
        for m in self.models:
            k = m.minimal_class_size()
            if k > n and m is not private:   # differential privacy may suppress every record (ARX)
                raise ConfigError(f"{m!r}: the minimal class size {k} is larger than the number of records ({n})",
                                  hint=f"choose a parameter between 1 and {n} (ARX: 'must be >=1 and less or equal than the number of rows')")

    def _fit_snapshot(self, engine: Any, data: Any, delimiter: str | None, shown: Progress, started: float,
                      unprotected: list[str]) -> Result:
        """``fit`` on a backend that keeps the records (Spark): the search runs here on the
        distinct tuples of the quasi-identifiers and sensitive attributes with their counts,
        collected once; the release is generalized and suppressed by the backend, where the
        records are. Same optimum, loss and suppressed records as the numpy path: the tuples come
        in the order of their first record and are encoded as the records would be."""
        from unlinkable.search.context import SearchContext

        if self._private_sampling() is not None:
            raise ConfigError(f"differential-privacy samples the records themselves and does not run on the "
                              f"{engine.name} backend yet", hint="use the numpy backend for this job")
        if self.local_recoding is not None:
            raise ConfigError(f"local recoding searches the suppressed records themselves and does not run on the "
                              f"{engine.name} backend yet", hint="use the numpy backend for this job")
        for m in self.models:
            # by what each model declares: a research subset (inclusion, delta-presence, k-map's or
            # a journalist's profitability) is matched row by row of the data table
            if "in_subset" in m.needs or m.releases_subset_only or m.suppresses_outside_subset:
                raise ConfigError(f"{m.name} matches a research subset row by row of the data and does not run "
                                  f"on the {engine.name} backend yet", hint="use the numpy backend for this job")
        table = engine.read(data, delimiter=delimiter)
        _, roles = self._roles(engine.columns(table))
        # only the sensitive attributes a model reads are grouped: each one multiplies the tuples
        # the driver holds, and a sensitive column no model reads plays no part in the search
        needed = list(dict.fromkeys(a for m in self.models for a in m.sensitive_attributes()))
        shown.begin("group", f"{len(self.quasi_identifiers) + len(needed)} columns encoded on {engine.name}")
        grouping = engine.grouping(table, self.quasi_identifiers, needed)
        try:
            n = grouping.records
            self._check_sizes(n)
            n_keys = len(self.quasi_identifiers)
            maps = [self._encoded(q, d) for q, d in zip(self.quasi_identifiers, grouping.dictionaries)]
            lattice, keys = self._lattice(maps)
            models_context = SearchContext(self.quasi_identifiers, maps, self.hierarchies, models=self.models, data=None)
            context = {**models_context.fixed, "n": n}
            canonical = getattr(self.metric, "reads_representatives", True)
            # the records' value counts (a floor's representatives would count its classes instead)
            value_counts = grouping.value_counts() if self.metric.reads_value_counts() else None
            limit = getattr(engine, "snapshot_limit", None) or sys.maxsize

            def generalization(levels: Sequence[int]) -> list[np.ndarray]:
                return [gm.table[:, lv] for gm, lv in zip(maps, levels)]

            def evaluator_at(levels: tuple[int, ...]) -> NodeEvaluator | None:
                """The search's evaluator over the records grouped at ``levels`` (None: too many groups)."""
                snap = grouping.at(generalization(levels), smallest=canonical, limit=limit)
                if snap is None:
                    return None
                codes, counts = snap.tuples.codes, snap.tuples.counts
                weights = counts.astype(np.float64)
                sensitive = {}
                for j, name in enumerate(needed, start=n_keys):
                    dictionary = grouping.dictionaries[j]
                    sensitive[name] = SensitiveColumn(name, codes[:, j].astype(np.int32), dictionary,
                                                      _numeric_values(dictionary), self._sensitive_map(name, dictionary),
                                                      weights=weights)
                generalizer = Generalizer(codes[:, :n_keys], maps, canonical=canonical, counts=counts)
                evaluator = NodeEvaluator(generalizer, lattice, self.quasi_identifiers, self.models, self.metric,
                                          suppression_limit=self.suppression_limit, sensitive=sensitive, context=context,
                                          node_context=models_context if models_context.per_node_needed else None)
                if value_counts is not None:
                    self.metric.prepare(value_counts)
                return evaluator

            shown.begin("encode", f"{n:,} records; groups of up to {limit:,} rows come to the driver"
                        if limit < sys.maxsize else f"{n:,} records")
            evaluator = FloorEvaluator(lattice, evaluator_at,
                                       lambda levels, size: grouping.small_records(generalization(levels), size),
                                       limit=limit)
            outcome, optimal, best, _ = self._run_search(lattice, keys, evaluator, n, shown, maps, n)
        finally:
            grouping.close()
        shown.begin("release", f"generalized and suppressed on {engine.name}")
        recodings = {}
        for i, (q, gm, dictionary) in enumerate(zip(self.quasi_identifiers, maps, grouping.dictionaries)):
            labels = gm.labels[best.levels[i]]
            level = gm.table[:, best.levels[i]]
            recodings[q] = {value: labels[int(level[c])] for c, value in enumerate(dictionary)}
        gen = best.classes.gen[best.suppressed_classes]
        suppressed = [tuple(maps[i].labels[best.levels[i]][int(g)] for i, g in enumerate(row)) for row in gen.tolist()]
        # the input's quasi-identifiers ride along, hidden, for the verifier; dropped from the release
        originals = {q: f"__unlinkable_input_{i}" for i, q in enumerate(self.quasi_identifiers)}
        paired = table.select("*", *[table[q].alias(hidden) for q, hidden in originals.items()])
        paired = engine.suppress(engine.generalize(paired, recodings), self.quasi_identifiers, suppressed)
        if self.identifiers:
            paired = paired.drop(*self.identifiers)
        released = paired.drop(*originals.values())
        quasi_identifier_uniques = _quasi_identifier_uniques(best, maps, self.quasi_identifiers)
        kept = kept_as_is(roles)
        uniqueness = released_uniqueness(None, quasi_identifiers=self.quasi_identifiers, kept=kept,
                                         quasi_identifier_uniques=quasi_identifier_uniques, records=n,
                                         unique_records=lambda cols: engine.unique_records(released, cols)) \
            if kept else released_uniqueness(None, quasi_identifiers=self.quasi_identifiers, kept=[],
                                             quasi_identifier_uniques=quasi_identifier_uniques, records=n)
        result = self._result(released, best, outcome, optimal, maps, lattice, roles, uniqueness, unprotected, started,
                              released=best.classes.sizes[~best.suppressed_classes],
                              suppressed=int(best.suppressed_records))
        return replace(result, paired=(paired, originals))

    def _setup(self, frame: pl.DataFrame, shown: Progress | None = None) -> _Setup:
        """Checks of ``frame`` against the configuration, its encoding and the node evaluator."""
        n = frame.height
        needed, roles = self._roles(frame.columns)
        private = self._private_sampling()
        # ARX's Inclusion: only the research subset is searched and released (models/inclusion.py)
        included = self._included_rows(frame)
        if included is not None:
            n = int(included.sum())
        self._check_sizes(n)
        if shown is not None:
            shown.begin("encode", f"{n:,} records")
        # int32: half the memory of int64 on big tables. Column-major, so that each attribute's codes
        # are contiguous: the search's key and the released table gather them column by column. The
        # encoded columns' codes are the matrix's columns (one copy of the codes, not two).
        codes = np.empty((frame.height, len(self.quasi_identifiers)), dtype=np.int32, order="F")
        canonical = getattr(self.metric, "reads_representatives", True)
        # A table read line by line (data/repeated_lines.py) is encoded and grouped on its distinct
        # lines: the same codes, dictionaries and classes, from a few thousand rows, not millions.
        lines = lines_of(frame) if included is None else None
        if lines is None:
            columns = encode_columns([_as_text(frame[q]) for q in self.quasi_identifiers], out=codes)
        else:
            record_line, first_record = lines
            distinct = frame.select(self.quasi_identifiers)[first_record]
            line_codes = np.empty((first_record.shape[0], len(self.quasi_identifiers)), dtype=np.int32, order="F")
            columns = encode_columns([_as_text(distinct[q]) for q in self.quasi_identifiers], out=line_codes)
            for i in range(len(columns)):
                take_blocks(line_codes[:, i], record_line, codes[:, i])
            columns = [EncodedColumn(col.name, codes[:, i], col.dictionary) for i, col in enumerate(columns)]
        maps = [self._encoded(q, col.dictionary) for q, col in zip(self.quasi_identifiers, columns)]
        searched = codes if included is None else codes[included]
        generalizer = Generalizer(searched, maps, canonical=canonical) if lines is None else \
            Generalizer.of_lines(line_codes, record_line, first_record, maps, canonical=canonical)
        lattice, keys = self._lattice(maps)
        sensitive = self._sensitive_columns(frame, needed)
        if included is not None:
            sensitive = {name: SensitiveColumn(col.name, col.codes[included], col.dictionary, col.numeric, col.hierarchy)
                         for name, col in sensitive.items()}
        from unlinkable.search.context import SearchContext

        models_context = SearchContext(self.quasi_identifiers, maps, self.hierarchies, models=self.models,
                                       data=frame if included is None else frame.filter(pl.Series(included)),
                                       population=self._data_as_population(frame))
        context = {**models_context.fixed, "n": n}
        # ARX: under differential privacy any number of records may be suppressed
        limit = 1.0 if private is not None else self.suppression_limit
        evaluator = NodeEvaluator(generalizer, lattice, self.quasi_identifiers, self.models, self.metric,
                                  suppression_limit=limit, sensitive=sensitive, context=context,
                                  node_context=models_context if models_context.per_node_needed else None,
                                  memo=self._check_memo)
        return _Setup(n, maps, codes, columns, generalizer, lattice, keys, evaluator, roles, included)

    def score(self, data: Any, levels: Mapping[str, int] | Sequence[int], *, delimiter: str | None = None) -> TransformationScore:
        """Loss, suppressed records and classes of one transformation (ARX ``getInformationLoss``).

        The classes that violate a privacy model are suppressed (all of them, even beyond the
        suppression limit, as ARX does when it scores a transformation); ``anonymous`` says whether
        the transformation satisfies the models within the limit.

        Examples
        --------
        >>> import polars as pl
        >>> from unlinkable.hierarchies.hierarchy import Hierarchy
        >>> df = pl.DataFrame({"zip": ["81667", "81675", "81667", "81675"]})
        >>> h = Hierarchy([["81667", "816**", "*"], ["81675", "816**", "*"]])
        >>> a = Anonymizer(quasi_identifiers=["zip"], hierarchies={"zip": h}, privacy=[{"k-anonymity": {"k": 3}}],
        ...                metric="discernibility")
        >>> s = a.score(df, {"zip": 1})
        >>> s.loss, s.suppressed, s.equivalence_classes, s.anonymous
        (16.0, 0, 1, True)
        """
        cached = self.__dict__.get("_score_setup")
        if cached is not None and isinstance(data, pl.DataFrame) and cached[0] is data:
            setup = cached[1]  # a polars frame is immutable: score many transformations of one table
        else:
            setup = self._setup(read_table(data, delimiter=delimiter))
            setup.evaluator.enforce_cap = None  # ARX's getOutput: table-level models enforced without early abort
            if isinstance(data, pl.DataFrame):
                self._score_setup = (data, setup)
        if isinstance(levels, Mapping):
            unknown = sorted(set(map(str, levels)) - set(self.quasi_identifiers))
            if unknown:
                raise ConfigError(f"levels name {unknown[0]!r}, which is not a quasi-identifier",
                                  hint=f"give one level per quasi-identifier: {', '.join(self.quasi_identifiers)}")
            missing = [q for q in self.quasi_identifiers if q not in levels]
            if missing:
                raise ConfigError(f"no level given for quasi-identifier {missing[0]!r}",
                                  hint=f"give one level per quasi-identifier: {', '.join(self.quasi_identifiers)}")
            vector = [levels[q] for q in self.quasi_identifiers]
        else:
            vector = list(levels)
            if len(vector) != len(self.quasi_identifiers):
                raise ConfigError(f"{len(vector)} levels given for {len(self.quasi_identifiers)} quasi-identifiers",
                                  hint=f"give one level per quasi-identifier: {', '.join(self.quasi_identifiers)}")
        for q, lv, gm in zip(self.quasi_identifiers, vector, setup.maps):
            if isinstance(lv, bool) or not isinstance(lv, (int, np.integer)) or not 0 <= int(lv) < gm.levels:
                raise ConfigError(f"level {lv!r} of {q!r} is not a level of its hierarchy",
                                  hint=f"{q}: 0 to {gm.levels - 1}")
        out = setup.evaluator.outcome(setup.lattice.id_of([int(v) for v in vector]))
        released = out.classes.sizes[~out.suppressed_classes]
        return TransformationScore(
            transformation=dict(zip(self.quasi_identifiers, (int(v) for v in vector))),
            metric=self.metric.name,
            loss=float(out.score.value),
            loss_string=score_text(out.score.value),
            loss_per_attribute=out.score.per_attribute,
            suppressed=int(out.suppressed_records),
            equivalence_classes=int(released.shape[0]),
            anonymous=bool(out.anonymous),
        )

    def _lattice(self, maps: Sequence[GeneralizationMap]) -> tuple[Lattice, list[Any]]:
        """The lattice and FLASH's node order, cached across fits with the same hierarchies."""
        distinct = tuple(tuple(len(lab) for lab in gm.labels) for gm in maps)
        cached = self.__dict__.get("_lattice_cache")
        if cached is None or cached[0] != distinct:
            lattice = Lattice([gm.levels for gm in maps])
            cached = (distinct, lattice, strategy_keys(lattice, distinct))
            self._lattice_cache = cached
        return cached[1], cached[2]

    def _encoded(self, name: str, dictionary: tuple[str, ...]) -> GeneralizationMap:
        """The hierarchy of ``name`` encoded for ``dictionary``, cached across fits of this Anonymizer."""
        cache = self.__dict__.setdefault("_map_cache", {})
        key = (name, dictionary)
        if key not in cache:
            if len(cache) > 64:
                cache.clear()
            cache[key] = self.hierarchies[name].encode(dictionary, column=name)
        encoded: GeneralizationMap = cache[key]
        return encoded

    def _sensitive_columns(self, frame: pl.DataFrame, names: Sequence[str]) -> dict[str, SensitiveColumn]:
        out = {}
        for name in names:
            col = encode_column(frame[name])
            out[name] = SensitiveColumn(name, col.codes, col.dictionary, _numeric_values(col.dictionary),
                                        self._sensitive_map(name, col.dictionary))
        return out

    def _sensitive_map(self, name: str, dictionary: tuple[str, ...]) -> Any:
        """The hierarchy of a sensitive attribute encoded for its values (None without one)."""
        return self.hierarchies[name].encode(dictionary, column=name) if name in self.hierarchies else None

    def _no_solution(self, outcome: Any, lattice: Lattice, n: int, budget: int) -> NoSolutionError:
        entries = [(v, res, suppressed_of(res)) for v, res in outcome.results.items()]
        rank = [supp if supp is not None else n + 1 for _, _, supp in entries]
        # Only the nodes that can be among the 3 closest need their loss (it may be computed lazily).
        cut = sorted(rank)[min(2, len(rank) - 1)] if rank else 0
        rows = [(res.loss, int(lattice.level_sum[v]), v, supp)
                for (v, res, supp), r in zip(entries, rank) if r <= cut]
        rows.sort(key=lambda r: (r[3] if r[3] is not None else n + 1, r[0]))
        closest = rows[:3]
        candidates = [{"transformation": dict(zip(self.quasi_identifiers, map(int, lattice.levels[v]))),
                       "loss": loss, "suppressed_needed": supp} for loss, _, v, supp in closest]
        shown = "; ".join(
            f"{', '.join(f'{k}={lv}' for k, lv in c['transformation'].items())} would suppress {c['suppressed_needed']}"
            for c in candidates)
        return NoSolutionError(
            f"no transformation satisfies {', '.join(repr(m) for m in self.models)} with at most {budget} of {n} "
            f"records suppressed (limit {self.suppression_limit}); closest candidates: {shown}",
            hint="raise suppression_limit, relax the privacy models, or give hierarchies with more levels",
            candidates=candidates,
        )


__all__ = ["Anonymizer", "Result", "TransformationFigures", "TransformationScore", "UnprotectedSensitiveWarning", "score"]
