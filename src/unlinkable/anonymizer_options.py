"""Everything an :class:`~unlinkable.anonymizer.Anonymizer` is told, as one frozen spec: what its
arguments and a job file's anonymize sections both parse into.

A job file says the settings (``privacy``, ``suppression_limit``, ``metric``, ``search`` with the
job's ``seed``, ``local_recoding``, ``backend`` and ``spark``) when it is read: they become an
:class:`AnonymizeSection` without roles (``spec.TableJobSpec.anonymize``). The roles and the
hierarchies come with the data; :meth:`AnonymizeSection.completed` adds them, and the anonymizer is
built from that spec alone (:meth:`~unlinkable.anonymizer.Anonymizer.from_spec`).
``Anonymizer(...)`` parses its arguments into the same spec at once. Every value is checked here,
once, with the same words either way; below the entry only the spec is read.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import ConfigDict, ValidationInfo, model_validator

from unlinkable.backends.choice import parse_backend
from unlinkable.constraints import check_float
from unlinkable.errors import ConfigError, shown
from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.hierarchies.io import read_hierarchy
from unlinkable.models import ModelContext, model_from_config
from unlinkable.models.base import PrivacyModel
from unlinkable.search.algorithms import SEEDED
from unlinkable.search.options import SearchSection
from unlinkable.section import Section
from unlinkable.transform.local_recoding import LocalRecoding
from unlinkable.utility import metric_from_name
from unlinkable.utility.base import UtilityMetric

__all__ = ["AnonymizeSection", "ROLE_FIELDS"]

#: the fields that come with the data (a job file's settings leave them out)
ROLE_FIELDS = ("quasi_identifiers", "hierarchies", "identifiers", "sensitive", "insensitive")


class AnonymizeSection(Section):
    """The privacy models, suppression limit, metric, search, local recoding, backend and the
    columns' roles and hierarchies of one anonymization.

    Parsed from :class:`~unlinkable.anonymizer.Anonymizer`'s arguments (a model written as a job-file
    entry is built with the validation context's ``ModelContext``), or from a job file's settings
    without roles (``quasi_identifiers`` left out), which :meth:`completed` fills in.

    Examples
    --------
    >>> from unlinkable.hierarchies.hierarchy import Hierarchy
    >>> s = AnonymizeSection.parse({"privacy": [{"k-anonymity": {"k": 2}}], "suppression_limit": 0.1})
    >>> s.privacy, s.metric.name, s.search.algorithm, s.quasi_identifiers
    ((KAnonymity(k=2),), 'loss', 'optimal', ())
    >>> s.completed(quasi_identifiers=["zip"], hierarchies={"zip": Hierarchy([["1", "*"]])}).quasi_identifiers
    ('zip',)
    >>> AnonymizeSection.parse({"privacy": [{"k-anonymity": {"k": 2}}], "suppression_limit": 2})
    Traceback (most recent call last):
    ...
    unlinkable.errors.ConfigError: the 'suppression_limit' parameter must be a number in [0, 1], got 2...
    """

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)
    name: ClassVar[str] = "anonymize"

    quasi_identifiers: tuple[str, ...] = ()
    hierarchies: dict[str, Hierarchy] = {}
    privacy: tuple[PrivacyModel, ...]
    suppression_limit: float = 0.0
    #: a private copy (bound to the quasi-identifiers once they are given): never a caller's object
    metric: UtilityMetric
    search: SearchSection = SearchSection()
    local_recoding: LocalRecoding | None = None
    identifiers: tuple[str, ...] = ()
    sensitive: tuple[str, ...] = ()
    insensitive: tuple[str, ...] = ()
    #: None (numpy, or Spark for a pyspark DataFrame), a checked choice, or a backend object
    backend: Any = None
    spark: Any = None

    @model_validator(mode="before")
    @classmethod
    def _checked(cls, raw: Any, info: ValidationInfo) -> Any:
        context = (info.context or {}).get("models") if info.context else None
        return _checked(raw, context)

    def given(self) -> dict[str, Any]:
        """The spec's values by field, as :meth:`parse` takes them back."""
        return {key: getattr(self, key) for key in type(self).model_fields}

    def completed(self, **changes: Any) -> AnonymizeSection:
        """This spec with ``changes`` (the roles and hierarchies a job learns with its data, or the
        backend it runs on), checked again as a whole."""
        return type(self).parse({**self.given(), **changes})


def _checked(raw: Any, context: ModelContext | None) -> dict[str, Any]:
    """The arguments checked one by one, in the order (and the words) Anonymizer has always used."""
    if not isinstance(raw, Mapping):
        raise ConfigError(f"the anonymizer's settings must be a mapping, got {shown(raw)}",
                          hint="Anonymizer(quasi_identifiers=[...], hierarchies={...}, privacy=[...])")
    out: dict[str, Any] = {}
    roles = "quasi_identifiers" in raw  # a job file's settings come without them
    if roles:
        out.update(_roles(raw))
    privacy = raw.get("privacy")
    if privacy is None or isinstance(privacy, (str, Mapping, PrivacyModel)):
        privacy = [privacy] if privacy is not None else []
    models = tuple(model_from_config(p, context) for p in privacy)
    if not models:
        raise ConfigError("no privacy model given", hint="e.g. privacy=[{'k-anonymity': {'k': 5}}]")
    out["privacy"] = models
    limit = raw.get("suppression_limit")
    out["suppression_limit"] = check_float(0.0 if limit is None else limit, "suppression_limit", low=0.0, high=1.0)
    # a private copy: binding and preparing a caller's metric would change it for its other users
    metric = copy.deepcopy(metric_from_name("loss" if raw.get("metric") is None else raw["metric"]))
    if roles:
        metric.bind_attributes(list(out["quasi_identifiers"]))
    out["metric"] = metric
    search = SearchSection.parse(raw.get("search"))
    if search.algorithm in SEEDED and search.seed is None:
        raise ConfigError(f"the {search.algorithm} search needs a seed (the same seed gives the same result)",
                          hint=f"search: {{algorithm: {search.algorithm}, seed: 1}}")
    out["search"] = search
    recoding = raw.get("local_recoding")
    if recoding not in (None, False):
        out["local_recoding"] = LocalRecoding.from_config(dict(recoding) if isinstance(recoding, Mapping) else recoding)
        for m in models:  # local recoding splits the table into rounds: only models that hold class by class can
            if not m.supports_local_recoding:
                raise ConfigError(f"local recoding does not support {m!r}: its guarantee is about the whole table or a "
                                  f"subset of it (ARX refuses it too)",
                                  hint="use local recoding with k-anonymity, l-diversity, t-closeness, beta-likeness or "
                                       "k-map with an estimator")
    if roles:
        out.update(_other_roles(raw))
    backend, spark = raw.get("backend"), raw.get("spark")
    if backend is None or isinstance(backend, str):
        parse_backend(backend, spark)  # a typo fails here, not after reading the data
    out["backend"], out["spark"] = backend, spark
    if roles:
        overlap = set(out["identifiers"]) & set(out["quasi_identifiers"])
        if overlap:
            raise ConfigError(f"column {sorted(overlap)[0]!r} is both an identifier and a quasi-identifier",
                              hint="give each column one role")
    return out


def _roles(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The quasi-identifiers and one hierarchy each (a path read here)."""
    quasi_identifiers = raw.get("quasi_identifiers")
    if isinstance(quasi_identifiers, str) or not quasi_identifiers:
        raise ConfigError("give at least one quasi-identifier as a list of column names",
                          hint="e.g. quasi_identifiers=['age', 'zipcode']")
    names = tuple(str(q) for q in quasi_identifiers)
    if len(set(names)) != len(names):
        raise ConfigError("a quasi-identifier is listed twice", hint="list each column once")
    hierarchies: dict[str, Hierarchy] = {}
    for name, h in (raw.get("hierarchies") or {}).items():
        if isinstance(h, Hierarchy):
            hierarchies[str(name)] = h
        elif isinstance(h, (str, os.PathLike)):
            hierarchies[str(name)] = read_hierarchy(h, name=str(name))
        else:
            raise ConfigError(f"hierarchy of {name!r} must be a Hierarchy or a path, got {type(h).__name__}",
                              hint="pass Hierarchy(...) or the path of a hierarchy CSV")
    for q in names:
        if q not in hierarchies:
            raise ConfigError(f"quasi-identifier {q!r} has no hierarchy",
                              hint="give one per quasi-identifier (a CSV file or a builder: intervals, masking, ...)")
    return {"quasi_identifiers": names, "hierarchies": hierarchies}


def _other_roles(raw: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """Identifiers, sensitive and insensitive columns, each a tuple of names (one name reads too)."""
    out: dict[str, tuple[str, ...]] = {}
    for key in ("identifiers", "sensitive", "insensitive"):
        names = raw.get(key) or ()
        if isinstance(names, str):
            names = [names]
        out[key] = tuple(str(n) for n in names)
    return out
