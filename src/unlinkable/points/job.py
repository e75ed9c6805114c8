"""The set-valued job file: a long table (``transactions:``) or a basket-lines file, and ``assess:``.

::

    input: {path: baskets.txt, format: basket-lines, separator: " "}   # or a table + transactions:
    transactions: {record: card, item: sku, time: when}                # long tables only
    items: {hierarchy: items.csv}        # ARX format; or {fanout: 10}, or {parent_child: tax.csv}
    assess: {km: {k: 5, m: 2}, unicity: {p: [1, 2, 3, 4], mode: exact}}
    seed: 7                                                            # sampled unicity only
    privacy: [{km-anonymity: {k: 5, m: 2}}, {rho-uncertainty: {rho: 0.5, sensitive_items: [...]}}]
    suppression_limit: 0.01                                            # share of item occurrences
    output: {path: released.txt, report: report.html}                  # anonymize: same form as the input

Every key is checked, as in the other job files (unknown keys get a "did you mean" hint).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from unlinkable.constraints import check_float, check_int, check_keys, check_section
from unlinkable.errors import ConfigError, shown
from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.hierarchies.io import read_hierarchy
from unlinkable.points.anonymize import PointsModel, parse_models
from unlinkable.points.encoded import Points
from unlinkable.points.hierarchy import fanout, from_parent_child
from unlinkable.points.read import read_basket_lines, read_transactions
from unlinkable.points.resolution import Resolution, resolution_grid
from unlinkable.points.unicity import MODES

SECTIONS = ("input", "transactions", "items", "assess", "seed", "privacy", "suppression_limit", "output", "attributes")
_OUTPUT_KEYS = ("path", "report")
_ITEM_KEYS = ("hierarchy", "fanout", "parent_child", "delimiter")
_INPUT_KEYS = ("path", "format", "separator", "delimiter")
_TRANSACTION_KEYS = ("record", "item", "time", "quantity")
FORMATS = ("basket-lines", "table")


def is_points_job(raw: Any) -> bool:
    """Whether a parsed job file describes points per person (``transactions:`` or basket-lines input).

    Examples
    --------
    >>> is_points_job({"input": {"path": "b.txt", "format": "basket-lines"}}), is_points_job({"input": "d.csv"})
    (True, False)
    """
    if not isinstance(raw, Mapping):
        return False
    inp = raw.get("input")
    return "transactions" in raw or (isinstance(inp, Mapping) and ("format" in inp or "separator" in inp))


@dataclass(frozen=True)
class PointsJob:
    source: Path
    path: Path
    format: str
    separator: str
    delimiter: str | None
    transactions: Mapping[str, str]
    k: int | None
    m: int
    ps: tuple[int, ...]
    mode: str
    seed: int
    items: Mapping[str, Any] | None = None
    models: tuple[PointsModel, ...] = ()
    suppression_limit: float = 0.0
    output: Path | None = None
    report: Path | None = None
    #: relational + transaction data: quasi-identifier column -> its hierarchy file, and k-anonymity's k
    quasi_identifiers: Mapping[str, Path] | None = None
    k_anonymity: int | None = None
    #: unicity at these resolutions too (time bins, price bands)
    resolutions: tuple[Resolution, ...] = ()

    def record_attributes(self) -> Any:
        """The records' quasi-identifiers, one row per record in record order (long tables only)."""
        from unlinkable.points.relational import record_attributes

        return record_attributes(self.path, record=self.transactions["record"], columns=list(self.quasi_identifiers or {}),
                                 delimiter=self.delimiter)

    def attribute_hierarchies(self) -> dict[str, Hierarchy]:
        return {name: read_hierarchy(path, name=name) for name, path in (self.quasi_identifiers or {}).items()}

    def read(self) -> Points:
        if self.format == "basket-lines":
            return read_basket_lines(self.path, separator=self.separator)
        return read_transactions(self.path, delimiter=self.delimiter, **self.transactions)

    def hierarchy(self, points: Points) -> Hierarchy | None:
        """The item hierarchy the job names (a file or a builder), or None."""
        if not self.items:
            return None
        if "fanout" in self.items:
            return fanout(points.labels, fanout=self.items["fanout"])
        if "parent_child" in self.items:
            return from_parent_child(self.source.parent / self.items["parent_child"], delimiter=self.items.get("delimiter", ","))
        return read_hierarchy(self.source.parent / self.items["hierarchy"], delimiter=self.items.get("delimiter", ";"))

    def inputs(self) -> list[Path]:
        files = [self.source, self.path]
        for key in ("hierarchy", "parent_child"):
            if self.items and key in self.items:
                files.append(self.source.parent / self.items[key])
        return files + list((self.quasi_identifiers or {}).values())


def unicity_settings(uni: Mapping[str, Any], p_example: str) -> tuple[tuple[int, ...], str]:
    """The checked ``p`` values (sorted, distinct, 1..10) and ``mode`` of an ``assess.unicity`` section.

    Examples
    --------
    >>> unicity_settings({"p": [4, 1, 4]}, "p: [1, 2, 4]")
    ((1, 4), 'auto')
    """
    ps_raw = uni.get("p", [1, 2, 3, 4])
    if isinstance(ps_raw, int) and not isinstance(ps_raw, bool):
        ps_raw = [ps_raw]
    if not isinstance(ps_raw, list) or not ps_raw:
        raise ConfigError(f"`assess.unicity.p` must be a list of whole numbers 1..10, got {shown(ps_raw)}", hint=p_example)
    ps = tuple(sorted({check_int(v, "assess.unicity.p", low=1, high=10) for v in ps_raw}))
    mode = uni.get("mode", "auto")
    if mode not in MODES:
        raise ConfigError(f"`assess.unicity.mode` {shown(mode)} is not one of {', '.join(MODES)}", hint="mode: exact")
    return ps, mode


def parse_points_job(raw: Any, *, source: Path | None = None) -> PointsJob:
    """The worded checks of a set-valued job's content (that of the job file ``source``, or a mapping
    given in Python: ``source`` None, its paths relative to the current folder) and the job they
    leave: what ``spec.parse_spec(raw, kind="points")`` runs as the spec is parsed, the one way a
    set-valued job is read (its ``.job``).

    Examples
    --------
    >>> parse_points_job({"input": {"path": "b.txt", "format": "basket-lines"}}).path
    PosixPath('b.txt')
    """
    if source is None:
        return _parse(raw, Path("."), base_dir=Path("."))
    path = source
    try:
        return _parse(raw, path)
    except ConfigError as exc:
        if str(path) in exc.message:
            raise
        raise ConfigError(f"{path}: {exc.message}", hint=exc.hint) from None


def _parse(raw: Any, path: Path, base_dir: Path | None = None) -> PointsJob:
    base_dir = path.parent if base_dir is None else base_dir
    if not isinstance(raw, Mapping):
        raise ConfigError("a job file must be a mapping of sections", hint="input: {path: baskets.txt, format: basket-lines}")
    check_keys(raw, SECTIONS, "the set-valued job file", noun="section")
    inp = check_section(raw.get("input"), "input", _INPUT_KEYS, "input: {path: baskets.txt, format: basket-lines, separator: ' '}")
    if not isinstance(inp.get("path"), str) or not inp["path"]:
        raise ConfigError("`input.path` must name the data file", hint="input: {path: baskets.txt}")
    fmt = inp.get("format", "table")
    if fmt not in FORMATS:
        raise ConfigError(f"`input.format` {shown(fmt)} is not one of {', '.join(FORMATS)}", hint="format: basket-lines")
    separator = inp.get("separator", " ")
    if not isinstance(separator, str) or len(separator) != 1:
        raise ConfigError(f"`input.separator` must be one character, got {shown(separator)}", hint='separator: " " (FIMI) or ","')
    delimiter = inp.get("delimiter")
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1):
        raise ConfigError(f"`input.delimiter` must be one character, got {shown(delimiter)}", hint='delimiter: ";"')
    if fmt == "basket-lines":
        if "transactions" in raw:
            raise ConfigError("`transactions` is for long tables; a basket-lines file has one basket per line",
                              hint="drop `transactions`, or drop `format: basket-lines`")
        if delimiter is not None:
            raise ConfigError("`input.delimiter` is for tables; basket-lines files take `separator`", hint='separator: ","')
        transactions: dict[str, str] = {}
    else:
        if "separator" in inp:
            raise ConfigError("`input.separator` is for basket-lines files; a table takes `delimiter`", hint='delimiter: ";"')
        tx = check_section(raw.get("transactions"), "transactions", _TRANSACTION_KEYS, "transactions: {record: card, item: sku}")
        for key in ("record", "item"):
            if not isinstance(tx.get(key), str):
                raise ConfigError(f"`transactions.{key}` must name a column, got {shown(tx.get(key))}",
                                  hint="transactions: {record: card, item: sku}")
        for key in ("time", "quantity"):
            if key in tx and not isinstance(tx[key], str):
                raise ConfigError(f"`transactions.{key}` must name a column, got {shown(tx[key])}", hint=f"{key}: <column>")
        transactions = dict(tx)
    section = raw.get("assess") or {}
    section = check_section(section, "assess", ("km", "unicity", "resolution"),
                       "assess: {km: {k: 5, m: 2}, unicity: {p: [1, 2], mode: exact}, resolution: {time_bins: [3600]}}")
    resolutions: tuple[Resolution, ...] = ()
    if section.get("resolution") is not None:
        res = check_section(section["resolution"], "assess.resolution", ("time_bins", "price_bands"),
                       "resolution: {time_bins: [3600, 86400], price_bands: [1, 10]}")
        widths = {}
        for key, role in (("time_bins", "time"), ("price_bands", "quantity")):
            values = res.get(key, [])
            values = [values] if isinstance(values, (int, float)) and not isinstance(values, bool) else values
            if not isinstance(values, list) or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 for v in values):
                raise ConfigError(f"`assess.resolution.{key}` must be a list of widths above 0, got {shown(values)}",
                                  hint=f"{key}: [3600, 86400]" if role == "time" else f"{key}: [1, 10]")
            if values and (fmt != "table" or role not in (raw.get("transactions") or {})):
                raise ConfigError(f"`assess.resolution.{key}` needs a {role} column", hint=f"transactions: {{..., {role}: <column>}}")
            widths[key] = values
        resolutions = resolution_grid(widths["time_bins"], widths["price_bands"])
    k, m = None, 2
    if section.get("km") is not None:
        km = check_section(section["km"], "assess.km", ("k", "m"), "km: {k: 5, m: 2}")
        k = check_int(km.get("k"), "assess.km.k", low=1)
        m = check_int(km.get("m", 2), "assess.km.m", low=1, high=6)
    uni = check_section(section.get("unicity") or {}, "assess.unicity", ("p", "mode"), "unicity: {p: [1, 2, 3, 4], mode: exact}")
    ps, mode = unicity_settings(uni, "p: [1, 2, 3, 4]")
    seed = check_int(raw.get("seed", 0), "seed", low=0)
    items = None
    if raw.get("items") is not None:
        items = dict(check_section(raw["items"], "items", _ITEM_KEYS, "items: {hierarchy: items.csv} or {fanout: 10}"))
        kinds = [key for key in ("hierarchy", "fanout", "parent_child") if key in items]
        if len(kinds) != 1:
            raise ConfigError("`items` takes exactly one of hierarchy, fanout, parent_child",
                              hint="items: {hierarchy: items.csv} (ARX format), {fanout: 10} or {parent_child: tax.csv}")
        if kinds[0] == "fanout":
            items["fanout"] = check_int(items["fanout"], "items.fanout", low=2)
            if "delimiter" in items:
                raise ConfigError("`items.delimiter` is for hierarchy files", hint="drop it")
        elif not isinstance(items[kinds[0]], str) or not items[kinds[0]]:
            raise ConfigError(f"`items.{kinds[0]}` must name a file, got {shown(items[kinds[0]])}", hint=f"{kinds[0]}: items.csv")
        if "delimiter" in items and (not isinstance(items["delimiter"], str) or len(items["delimiter"]) != 1):
            raise ConfigError(f"`items.delimiter` must be one character, got {shown(items['delimiter'])}", hint='delimiter: ";"')
    entries = raw.get("privacy")
    entries = [entries] if isinstance(entries, Mapping) else entries
    k_anonymity = None
    if isinstance(entries, list):
        tables = [e for e in entries if isinstance(e, Mapping) and "k-anonymity" in e]
        entries = [e for e in entries if not (isinstance(e, Mapping) and "k-anonymity" in e)] or None
        if len(tables) > 1:
            raise ConfigError("`privacy`: k-anonymity is given twice", hint="give each model once")
        if tables:
            params = check_section(tables[0]["k-anonymity"], "privacy.k-anonymity", ("k",), "k-anonymity: {k: 5}")
            k_anonymity = check_int(params.get("k"), "k-anonymity.k", low=2)
    models = parse_models(entries) if entries is not None else ()
    quasi: dict[str, Path] | None = None
    if raw.get("attributes") is not None:
        if fmt != "table":
            raise ConfigError("`attributes` (quasi-identifiers beside the items) need a long table",
                              hint="a basket-lines file has items only; use a long table with transactions:")
        quasi = {}
        attributes = raw["attributes"]
        if not isinstance(attributes, Mapping):
            raise ConfigError(f"`attributes` must be a mapping, got {shown(attributes)}",
                              hint="attributes: {age: {role: quasi-identifier, hierarchy: age.csv}}")
        for name, spec in attributes.items():
            spec = check_section(spec, f"attributes.{name}", ("role", "hierarchy"),
                            f"{name}: {{role: quasi-identifier, hierarchy: {name}.csv}}")
            if spec.get("role") != "quasi-identifier":
                raise ConfigError(f"`attributes.{name}.role` must be quasi-identifier, got {shown(spec.get('role'))}",
                                  hint="set-valued jobs release only the record, its items and its quasi-identifiers")
            if not isinstance(spec.get("hierarchy"), str) or not spec["hierarchy"]:
                raise ConfigError(f"`attributes.{name}.hierarchy` must name a hierarchy file (ARX format)",
                                  hint=f"hierarchy: {name}.csv")
            quasi[str(name)] = base_dir / spec["hierarchy"]
        if not quasi:
            raise ConfigError("`attributes` names no quasi-identifier", hint="attributes: {age: {role: quasi-identifier, hierarchy: age.csv}}")
    if (quasi is None) != (k_anonymity is None):
        raise ConfigError("relational + transaction data needs both `attributes` (quasi-identifiers) and "
                          "privacy: [{k-anonymity: {k}}]", hint="give both, or neither")
    limit = check_float(raw.get("suppression_limit", 0.0), "suppression_limit", low=0.0, high=1.0)
    output = report = None
    if raw.get("output") is not None:
        out = check_section(raw["output"], "output", _OUTPUT_KEYS, "output: {path: released.txt, report: report.html}")
        for key in _OUTPUT_KEYS:
            if key in out and (not isinstance(out[key], str) or not out[key]):
                raise ConfigError(f"`output.{key}` must name a file, got {shown(out[key])}", hint=f"{key}: released.txt")
        output = base_dir / out["path"] if "path" in out else None
        report = base_dir / out["report"] if "report" in out else None
    return PointsJob(path, base_dir / inp["path"], fmt, separator, delimiter, transactions, k, m, ps, mode, seed, items,
                     models, limit, output, report, quasi, k_anonymity, resolutions)


__all__ = ["PointsJob", "parse_points_job", "is_points_job", "SECTIONS", "FORMATS"]
