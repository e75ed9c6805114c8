"""The one small interface every privacy model implements.

The search engine generalizes the quasi-identifiers to a vector of levels, groups the records
into equivalence classes and hands each model a ``ClassStatistics``. A model answers, per class,
whether the class may be released as it is (``check``); classes that fail are suppressed when
the suppression limit allows. Models that judge the table as a whole (average risk, population
uniqueness) answer ``holds`` on the released records instead.

Models declare whether they are monotone under generalization and under suppression; the search
prunes only with what is declared (ARX: ``PrivacyCriterion.isMonotonicWithGeneralization``).
A new model is one new file with one subclass; it validates its own parameters in ``__init__``
and declares what it reads (``needs``): the search never asks for a model's type.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from unlinkable.constraints import check_keys
from unlinkable.data.sensitive import SensitiveColumn
from unlinkable.errors import ConfigError, shown


@dataclass(eq=False)
class ClassStatistics:
    """Equivalence classes of one transformation, as every model sees them.

    ``record_class[i]`` is the class of record i, ``sizes[c]`` the records in class c.
    ``histogram(name)`` gives the (classes x values) counts of a sensitive attribute, computed once
    on demand with one ``bincount``.
    """

    record_class: np.ndarray
    sizes: np.ndarray
    sensitive: Mapping[str, SensitiveColumn] = field(default_factory=dict)
    weights: np.ndarray | None = None
    context: Mapping[str, Any] = field(default_factory=dict)
    _cache: dict[Any, Any] = field(default_factory=dict, repr=False)

    @property
    def n(self) -> int:
        return int(self.record_class.shape[0])

    @property
    def classes(self) -> int:
        return int(self.sizes.shape[0])

    def class_sums(self, weights: np.ndarray | None = None) -> np.ndarray:
        """Per class, the sum of a per-record weight (None: the records themselves), as doubles;
        a record outside every class (class -1) counts in none.

        >>> ClassStatistics(np.array([0, 1, 0, -1]), np.array([2, 1])).class_sums(np.array([1, 1, 0, 1])).tolist()
        [1.0, 1.0]
        """
        rc = np.asarray(self.record_class)
        keep = rc >= 0
        w = None if weights is None else np.asarray(weights, dtype=np.float64)
        if not keep.all():
            rc, w = rc[keep], None if w is None else w[keep]
        sums: np.ndarray = np.bincount(rc, weights=w, minlength=self.classes).astype(np.float64)
        return sums

    def histogram(self, name: str) -> np.ndarray:
        """Counts of each value of sensitive attribute ``name`` in each class, shape (classes, values)."""
        if name not in self._cache:
            col = self.sensitive[name]
            d = max(len(col.dictionary), 1)
            given = self._cache.get(("dense_f", name))
            if given is not None:
                # Counts given value-major in float (rolled up by the search): exact integers.
                dense: np.ndarray = given.astype(np.int64).reshape(d, self.classes).T
                self._cache[name] = dense
                return dense
            ok = col.codes >= 0
            c = self.classes
            # Value-major counts, returned as a (classes, values) view: distance code that runs
            # value by value then reads contiguous rows.
            weights = col.weights
            if ok.all():
                flat = col.codes.astype(np.int64) * c + self.record_class
            else:
                flat = col.codes[ok].astype(np.int64) * c + self.record_class[ok]
                weights = None if weights is None else weights[ok]
            if weights is None:
                counts = np.bincount(flat, minlength=c * d).reshape(d, c).T
            else:  # float sums of integer counts: exact
                counts = np.bincount(flat, weights=weights, minlength=c * d).astype(np.int64).reshape(d, c).T
            self._cache[name] = counts
        histogram: np.ndarray = self._cache[name]
        return histogram

    def _sparse(self, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The non-zero cells of ``histogram(name)`` as (value, class, count), value-major order."""
        key = ("sparse", name)
        if key not in self._cache:
            flat = self._cache.get(("dense_f", name))
            if flat is None or name in self._cache:
                flat = self.histogram(name).T.ravel()   # (values, classes), contiguous
            nz = np.flatnonzero(flat != 0)  # a boolean mask: numpy finds its non-zeros far faster
            v, cls = np.divmod(nz, self.classes)
            self._cache[key] = (v, cls, flat[nz])
        cells: tuple[np.ndarray, np.ndarray, np.ndarray] = self._cache[key]
        return cells


@dataclass(frozen=True)
class Param:
    """One parameter of a privacy model, as a job file writes it (a keyword of the model's ``__init__``).

    ``path``: a file path, relative to the job file's folder. ``population``: taken from the job's
    ``population`` section (``size`` / ``sampling_fraction``) when the entry does not give it.
    The value itself is checked by the model's ``__init__`` (``unlinkable.constraints``).
    """

    required: bool = True
    path: bool = False
    population: bool = False


class PrivacyModel(ABC):
    """A privacy model. Subclasses take keyword-only parameters, check them in ``__init__`` and stay
    immutable; ``from_config`` is derived from :attr:`parameters`, so ``KAnonymity(k=5)`` and the
    job-file entry ``{"k-anonymity": {"k": 5}}`` are the same model."""

    #: short name used in job files and reports, e.g. ``"k-anonymity"``: the model's registry name
    name: str = ""
    #: the job-file parameters, each a keyword of ``__init__``
    parameters: ClassVar[Mapping[str, Param]] = {}
    #: a job-file entry for hints, e.g. ``"{k: 5}"``
    example: ClassVar[str] = ""
    #: a transformation that generalizes every attribute at least as much also satisfies the model
    monotone_generalization: bool = True
    #: suppressing more records never breaks the model
    monotone_suppression: bool = True
    #: True for models judged per class (``check``); False for table-level models (``holds``)
    per_class: bool = True
    #: ``check`` is exactly "class size >= minimal_class_size()": the search then needs no histograms
    #: and counts the records of small classes itself (ARX's k-anonymity shortcut)
    sizes_only: bool = False
    #: what the model reads from ``ClassStatistics.context`` besides sizes and sensitive histograms;
    #: the search provides exactly what its models declare (``search/context.py``):
    #:
    #: - ``"in_subset"``: a bool per record, the research subset of :meth:`research_subset`;
    #: - ``"population_counts"``: per class, the records of :meth:`population_table` generalizing into it;
    #: - ``"levels"`` and ``"class_codes"``: the transformation being checked and each class's codes.
    needs: frozenset[str] = frozenset()
    #: only the records of :meth:`research_subset` are searched and released (ARX ``Inclusion``)
    releases_subset_only: bool = False
    #: every record is searched, but the release holds the research subset only: the other rows
    #: are suppressed in the output (ARX's delta-presence, ``HashGroupify.performSuppression``)
    suppresses_outside_subset: bool = False
    #: the model holds class by class on any part of the table, so ARX's iterative local recoding
    #: may search the suppressed records again on their own (ARX ``isLocalRecodingSupported``);
    #: a guarantee about the whole table or a subset of it cannot be split into rounds
    supports_local_recoding: bool = False
    #: the model draws its own random sample of the records and fixes the transformation itself
    #: (SafePub's differential privacy): the anonymizer asks it for ``sample(n)`` and ``levels(...)``
    #: instead of searching, and only the sample is published
    samples_records: bool = False

    def research_subset(self, data: Any) -> np.ndarray:
        """A bool per row of ``data``: is it in the research subset (models that need ``in_subset``)?"""
        raise NotImplementedError(f"{type(self).__name__} declares no research subset")

    def population_table(self, columns: list[str]) -> Any:
        """The population table with ``columns``, as a polars DataFrame of text (models that need
        ``population_counts``)."""
        raise NotImplementedError(f"{type(self).__name__} declares no population table")

    def population_source(self) -> str | None:
        """Where :meth:`population_table` reads from (two models must not name different tables)."""
        return None

    def sensitive_attributes(self) -> tuple[str, ...]:
        """Names of the sensitive attributes this model reads."""
        return ()

    def minimal_class_size(self) -> int:
        """A class smaller than this can never pass (lets the search skip work); 1 if unknown."""
        return 1

    def required_class_size(self, n: int) -> int | None:
        """The class size this model requires of a table of ``n`` records, or None when it sets none.

        ARX's ``getMinimalClassSize`` as its local recoding reads it (``getMinimalGroupSize``, the
        largest over the models): a round of recoding is worth running only when at least this many
        records are left. A model that reduces to k-anonymity declares its k (k-map with an
        estimator: the k' derived for ``n`` records), even k = 1.

        Examples
        --------
        >>> from unlinkable.models.kanonymity import KAnonymity
        >>> from unlinkable.models.uniqueness import SampleUniqueness
        >>> KAnonymity(k=1).required_class_size(10), SampleUniqueness(threshold=0.1).required_class_size(10)
        (1, None)
        """
        size = self.minimal_class_size()
        return size if size > 1 else None

    def for_local_recoding(self, n: int) -> PrivacyModel:
        """The model a round of local recoding checks, prepared on the whole table of ``n`` records.

        ARX's ``clone(DataSubset)``: itself by default (what it learnt from the whole table, such as
        t-closeness' distribution, is kept); k-map with an estimator becomes k-anonymity with the k'
        derived for the whole table, so that the rounds do not derive it again from fewer records.
        Called only on a model that ``supports_local_recoding``.
        """
        return self

    def prepare(self, stats_of_input: ClassStatistics) -> None:  # noqa: B027 - optional hook
        """Called once with the statistics of the whole input (for distributions over the table)."""

    def check(self, stats: ClassStatistics) -> np.ndarray:
        """A bool per class: may this class be released unsuppressed?"""
        return np.ones(stats.classes, dtype=bool)

    def holds(self, stats: ClassStatistics, released: np.ndarray) -> bool:
        """Table-level check on the classes marked ``released`` (bool per class)."""
        return True

    @abstractmethod
    def describe(self) -> str:
        """What the model guarantees, in plain words, for the report."""

    @abstractmethod
    def to_dict(self) -> dict[str, Any]:
        """The model and its parameters, as in a job file: ``{"k-anonymity": {"k": 5}}``."""

    @classmethod
    def from_config(cls, params: Mapping[str, Any], context: Any = None, *, also: tuple[str, ...] = ()) -> PrivacyModel:
        """The model of a job-file entry's parameters: names checked against :attr:`parameters`,
        paths resolved against ``context.base_dir``, the population filled from the job's section.

        ``also``: keys the caller has already read (a variant's name), listed in the hint.

        Examples
        --------
        >>> from unlinkable.models.kanonymity import KAnonymity
        >>> KAnonymity.from_config({"k": 5}) == KAnonymity(k=5)
        True
        >>> KAnonymity.from_config({})
        Traceback (most recent call last):
        ...
        unlinkable.errors.ConfigError: k-anonymity needs the parameter(s) k...
        """
        check_keys(params, [*cls.parameters, *also], cls.name, noun="parameter")
        missing = [key for key, spec in cls.parameters.items() if spec.required and key not in params]
        if missing:
            raise ConfigError(f"{cls.name} needs the parameter(s) {', '.join(missing)}",
                              hint=f"e.g. - {cls.name}: {cls.example}")
        kwargs = dict(params)
        base = Path(getattr(context, "base_dir", None) or ".")
        for key, spec in cls.parameters.items():
            if spec.path and isinstance(kwargs.get(key), (str, os.PathLike)):
                kwargs[key] = str(base / str(kwargs[key]))
        population = [key for key, spec in cls.parameters.items() if spec.population]
        if population and context is not None and not any(kwargs.get(key) is not None for key in population):
            for key in population:
                kwargs[key] = getattr(context, key, None)
        return cls(**kwargs)

    def __eq__(self, other: object) -> bool:
        # a model is its parameters: KAnonymity(k=5) == model_from_config({"k-anonymity": {"k": 5}})
        if not isinstance(other, PrivacyModel):
            return NotImplemented
        return type(self) is type(other) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash((type(self).__name__, repr(self.to_dict())))

    def __repr__(self) -> str:
        params = next(iter(self.to_dict().values()))
        inner = ", ".join(f"{k}={v!r}" for k, v in params.items())
        return f"{type(self).__name__}({inner})"


@dataclass(frozen=True)
class Variants:
    """One job-file name for several model classes, chosen by one parameter (l-diversity's ``variant``).

    Examples
    --------
    >>> from unlinkable.models.ldiversity import VARIANT_CLASSES
    >>> VARIANT_CLASSES.from_config({"attribute": "d", "variant": "distinct", "l": 2})
    DistinctLDiversity(attribute='d', variant='distinct', l=2)
    """

    name: str
    key: str
    default: str
    classes: Mapping[str, type[PrivacyModel]]

    def from_config(self, params: Mapping[str, Any], context: Any = None) -> PrivacyModel:
        params = dict(params)
        choice = str(params.pop(self.key, self.default)).strip().lower()
        if choice not in self.classes:
            raise ConfigError(f"{self.name}: unknown {self.key} {shown(choice)}",
                              hint=f"{self.key} is one of {', '.join(self.classes)}")
        return self.classes[choice].from_config(params, context, also=(self.key,))

