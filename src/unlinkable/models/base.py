"""The one small interface every privacy model implements.

The search engine generalizes the quasi-identifiers to a vector of levels, groups the records
into equivalence classes and hands each model a ``ClassStatistics``. A model answers, per class,
whether the class may be released as it is (``check``); classes that fail are suppressed when
the suppression limit allows. Models that judge the table as a whole (average risk, population
uniqueness) answer ``holds`` on the released records instead.

Models declare whether they are monotone under generalization and under suppression; the search
prunes only with what is declared (ARX: ``PrivacyCriterion.isMonotonicWithGeneralization``).
A new model is one new file with one subclass; it validates its own parameters in ``__init__``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(eq=False)
class SensitiveColumn:
    """A sensitive attribute encoded for the models: codes per record and the value labels."""

    name: str
    codes: np.ndarray                 # int32 per record, -1 = missing
    dictionary: tuple[str, ...]
    numeric: np.ndarray | None = None  # float value of each code when the attribute is numeric (ordered distance)
    hierarchy: Any = None              # GeneralizationMap of the sensitive attribute, if one was given
    #: records each row stands for, when the rows are distinct tuples with counts (a backend's
    #: snapshot) rather than records; None: one record per row
    weights: np.ndarray | None = None


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


class PrivacyModel(ABC):
    """A privacy model. Subclasses validate parameters in ``__init__`` and stay immutable."""

    #: short name used in job files and reports, e.g. ``"k-anonymity"``
    name: str = ""
    #: a transformation that generalizes every attribute at least as much also satisfies the model
    monotone_generalization: bool = True
    #: suppressing more records never breaks the model
    monotone_suppression: bool = True
    #: True for models judged per class (``check``); False for table-level models (``holds``)
    per_class: bool = True

    def sensitive_attributes(self) -> tuple[str, ...]:
        """Names of the sensitive attributes this model reads."""
        return ()

    def minimal_class_size(self) -> int:
        """A class smaller than this can never pass (lets the search skip work); 1 if unknown."""
        return 1

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

    def __repr__(self) -> str:
        params = next(iter(self.to_dict().values()))
        inner = ", ".join(f"{k}={v!r}" for k, v in params.items())
        return f"{type(self).__name__}({inner})"
