"""Linkage privacy model: at most a given share of the release links to exactly one outside record.

A k-map-style model against an explicit table (El Emam & Dankar, "Protecting privacy using
k-anonymity", JAMIA 15(5), 2008, with the population replaced by the auxiliary table an adversary
holds). Job file::

    privacy:
      - linkage: {auxiliary: voters.csv, on: [age, sex, zip], max_unique_link_share: 0.01}

``on`` lists shared names or maps release columns to auxiliary columns; optional ``hierarchies``
(release column -> ARX hierarchy file) and ``delimiter`` (of the auxiliary CSV).

What the engine must pass (``ClassStatistics.context``), either form:

- engine-native (preferred, no strings built per node): ``context["quasi_identifiers"]`` (names, in
  the column order below), ``context["maps"]`` (the ``GeneralizationMap`` of each quasi-identifier,
  same order), and per transformation ``context["levels"]`` (the node's level per quasi-identifier)
  and ``context["class_codes"]`` (``NodeClasses.gen``: classes x quasi-identifiers generalized
  codes); the label of class ``c`` for attribute ``i`` is ``maps[i].labels[levels[i]][gen[c, i]]``;
- or ``context["class_labels"]``: ``{attribute: sequence of str}``, the generalized label of every
  class for each attribute of ``on`` (``*`` or ``None`` for a fully generalized value).

To read a label as the set of raw values under it the model needs the hierarchies: its own
(``hierarchies=``), else ``context["hierarchies"]`` (``{attribute: Hierarchy}``), else it rebuilds
them from ``context["maps"]`` (restricted to the values of the data, so an auxiliary value the
data never has is then compatible only with ``*`` and an equal raw value).

Monotonicity, reasoned out:

- *generalization*: **not monotone**. Generalizing only enlarges each record's candidate set, so a
  record with 2 candidates never drops to 1 — but a record with 0 candidates (its person is not in
  the auxiliary table) can rise to exactly 1, so the unique-link share can grow;
- *suppression*: monotone when the auxiliary table has at least 2 records. A suppressed record
  (``*`` everywhere) is compatible with every auxiliary record, so it is never a unique link, and the
  share is taken over all records (suppressed ones included); suppressing more can only remove
  unique links. With a one-record auxiliary table suppression creates unique links, and the model
  says so (``monotone_suppression`` is then False).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from unlinkable.constraints import check_float
from unlinkable.data.io import read_table
from unlinkable.data.table import encode_column, require_columns
from unlinkable.errors import ConfigError, InputError
from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.hierarchies.io import read_hierarchy
from unlinkable.models.base import ClassStatistics, Param, PrivacyModel

__all__ = ["LinkageModel"]


class LinkageModel(PrivacyModel):
    """At most ``max_unique_link_share`` of the release records match exactly one auxiliary record.

    Parameters
    ----------
    auxiliary : path, polars.DataFrame or pandas.DataFrame
        The outside table (raw values).
    on : list of str or dict
        Shared names, or release column -> auxiliary column.
    max_unique_link_share : float
        In [0, 1].
    hierarchies : dict, optional
        Release column -> Hierarchy or hierarchy file; otherwise taken from
        ``stats.context["hierarchies"]``.

    Examples
    --------
    >>> import numpy as np, polars as pl
    >>> from unlinkable.models.base import ClassStatistics
    >>> aux = pl.DataFrame({"sex": ["m", "f", "f"]})
    >>> model = LinkageModel(auxiliary=aux, on=["sex"], max_unique_link_share=0.5)
    >>> stats = ClassStatistics(np.array([0, 0, 1]), np.array([2, 1]), context={"class_labels": {"sex": ["f", "m"]}})
    >>> model.unique_link_share(stats, np.array([True, True]))  # class "m" (1 record) links to one person
    0.3333333333333333
    >>> model.holds(stats, np.array([True, True]))
    True

    Notes
    -----
    El Emam & Dankar (2008) for k-map; candidate counting as in
    :func:`unlinkable.linkage.exposure.exposure`.
    """

    name = "linkage"
    monotone_generalization = False
    monotone_suppression = True
    per_class = False
    needs = frozenset({"levels", "class_codes"})
    parameters = {"auxiliary": Param(path=True), "on": Param(), "max_unique_link_share": Param(),
                  "hierarchies": Param(required=False), "delimiter": Param(required=False)}
    example = "{auxiliary: voters.csv, on: [age, sex], max_unique_link_share: 0.01}"

    def __init__(self, *, auxiliary: Any, on: Any, max_unique_link_share: float,
                 hierarchies: Mapping[str, Any] | None = None, delimiter: str | None = None) -> None:
        from unlinkable.risk.links import attribute_links

        self.max_unique_link_share = check_float(max_unique_link_share, "max_unique_link_share", low=0.0, high=1.0,
                                                 owner="linkage")
        self._source = str(auxiliary) if isinstance(auxiliary, (str, os.PathLike)) else None
        self._on = dict(on) if isinstance(on, Mapping) else list(on) if isinstance(on, (list, tuple)) else on
        self._links = attribute_links(on, hierarchies, None)
        self._own_hierarchies = hierarchies is not None and any(l.hierarchy is not None for l in self._links)
        self._frame = read_table(auxiliary, delimiter=delimiter)
        require_columns(self._frame, [l.auxiliary for l in self._links], source="linkage: auxiliary table")
        self.monotone_suppression = self._frame.height >= 2
        self._prepared: dict[Any, Any] = {}

    @classmethod
    def from_config(cls, params: Mapping[str, Any], context: Any = None, *, also: tuple[str, ...] = ()) -> PrivacyModel:
        """The job-file entry ``- linkage: {auxiliary: voters.csv, on: [...], max_unique_link_share: 0.01}``;
        hierarchy files are relative to the job file, as the auxiliary table is.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp()); _ = (d / "v.csv").write_text("sex\\nm\\nf\\n")
        >>> from unlinkable.models import ModelContext
        >>> LinkageModel.from_config({"auxiliary": "v.csv", "on": ["sex"], "max_unique_link_share": 0.01},
        ...                          ModelContext(base_dir=d)).attributes
        ('sex',)
        """
        hierarchies = params.get("hierarchies")
        if hierarchies is not None:
            if not isinstance(hierarchies, Mapping):
                raise ConfigError("linkage: hierarchies must map columns to hierarchy files",
                                  hint="e.g. hierarchies: {age: age.csv}")
            base = Path(getattr(context, "base_dir", None) or ".")
            params = {**params, "hierarchies": {k: v if isinstance(v, Hierarchy) else base / str(v)
                                                for k, v in hierarchies.items()}}
        return super().from_config(params, context, also=also)

    @property
    def attributes(self) -> tuple[str, ...]:
        return tuple(l.release for l in self._links)

    def _auxiliary(self, stats: ClassStatistics) -> Any:  # linkage.exposure._Auxiliary
        from dataclasses import replace

        from unlinkable.risk.links import Auxiliary

        links: Sequence[Any] = self._links
        context_h = stats.context.get("hierarchies") if not self._own_hierarchies else None
        if not context_h and not self._own_hierarchies and "maps" in stats.context and "quasi_identifiers" in stats.context:
            maps = stats.context["maps"]
            # Rebuild once per set of maps: the search calls holds() for many transformations.
            if getattr(self, "_maps_key", None) is not maps:
                self._maps_key, self._maps_h = maps, _hierarchies_from_maps(stats.context)
            context_h = self._maps_h
        if context_h:
            links = tuple(replace(l, hierarchy=_as_hierarchy(context_h.get(l.release), l.release) or l.hierarchy) for l in links)
        key = tuple(id(l.hierarchy) for l in links)
        if key not in self._prepared:
            self._prepared = {key: Auxiliary(self._frame, links)}
        return self._prepared[key]

    def class_candidates(self, stats: ClassStatistics) -> np.ndarray:
        """Auxiliary records compatible with each class's generalized values."""
        ctx = stats.context
        labels = ctx.get("class_labels")
        if labels is None and all(k in ctx for k in ("class_codes", "levels", "maps", "quasi_identifiers")):
            return np.asarray(self._auxiliary(stats).count(self._native_columns(ctx, stats.classes))[0])
        if labels is None:
            raise ConfigError("the linkage model needs the generalized values of the classes "
                              "(context['class_codes'] + ['levels'] + ['maps'], or context['class_labels'])",
                              hint="this is an engine wiring problem; please report it")
        columns = []
        for attr in self.attributes:
            if attr not in labels:
                raise InputError(f"linkage: attribute {attr!r} is not a quasi-identifier of the release",
                                 hint="list only quasi-identifiers in `on`")
            enc = encode_column(pl.Series(attr, list(labels[attr]), dtype=pl.String))
            if enc.codes.shape[0] != stats.classes:
                raise InputError(f"linkage: {enc.codes.shape[0]} labels for {stats.classes} classes in {attr!r}",
                                 hint="context['class_labels'] needs one label per class")
            columns.append((enc.codes, enc.dictionary))
        counts, _ = self._auxiliary(stats).count(columns)
        return np.asarray(counts)

    def _native_columns(self, ctx: Mapping[str, Any], classes: int) -> list[tuple[np.ndarray, tuple[str | None, ...]]]:
        names = list(ctx["quasi_identifiers"])
        levels = ctx["levels"]
        levels = [levels[n] for n in names] if isinstance(levels, Mapping) else list(levels)
        gen = np.asarray(ctx["class_codes"])
        columns = []
        for attr in self.attributes:
            if attr not in names:
                raise InputError(f"linkage: attribute {attr!r} is not a quasi-identifier of the release",
                                 hint="list only quasi-identifiers in `on`")
            i = names.index(attr)
            codes = gen[:, i].astype(np.int32, copy=False) if gen.size else np.zeros(classes, dtype=np.int32)
            columns.append((codes, tuple(ctx["maps"][i].labels[int(levels[i])])))
        return columns

    def unique_link_share(self, stats: ClassStatistics, released: np.ndarray) -> float:
        """Share of all records (suppressed included) that match exactly one auxiliary record."""
        if stats.n == 0:
            return 0.0
        counts = self.class_candidates(stats)
        released = np.asarray(released, dtype=bool)
        sizes = np.asarray(stats.sizes)
        unique = int(sizes[released & (counts == 1)].sum())
        if self._frame.height == 1:
            unique += int(sizes[~released].sum())  # a suppressed record matches the single record
        return unique / stats.n

    def holds(self, stats: ClassStatistics, released: np.ndarray) -> bool:
        return self.unique_link_share(stats, released) <= self.max_unique_link_share

    def describe(self) -> str:
        where = Path(self._source).name if self._source else "the auxiliary table"
        return (f"linkage (at most {self.max_unique_link_share:.2%} unique links): at most that share of the released "
                f"records can be joined to exactly one person in {where} on {', '.join(self.attributes)}.")

    @property
    def auxiliary_table(self) -> pl.DataFrame:
        """The auxiliary table the model guards against (for the independent verifier)."""
        return self._frame

    @property
    def on(self) -> Any:
        """The shared attributes as given: a list of names or {release column: auxiliary column}."""
        return self._on

    def to_dict(self) -> dict[str, Any]:
        params: dict[str, Any] = {"auxiliary": self._source or "<table>", "on": self._on,
                                  "max_unique_link_share": self.max_unique_link_share}
        return {"linkage": params}


def _hierarchies_from_maps(ctx: Mapping[str, Any]) -> dict[str, Hierarchy]:
    """Hierarchies rebuilt from the engine's GeneralizationMaps (rows = the data's values only)."""
    out = {}
    for name, gm in zip(ctx["quasi_identifiers"], ctx["maps"]):
        table = np.asarray(gm.table)
        rows = [[gm.labels[level][table[v, level]] for level in range(table.shape[1])] for v in range(table.shape[0])]
        if rows:
            out[name] = Hierarchy(rows, name=name)
    return out


def _as_hierarchy(value: Any, name: str) -> Hierarchy | None:
    if value is None or isinstance(value, Hierarchy):
        return value
    if hasattr(value, "rows"):
        return Hierarchy(value.rows, name=name)
    return read_hierarchy(value, name=name)
