#!/usr/bin/env python3
"""Extract the expected values of ARX's own JUnit tests into ``tests/peers/arx/cases.json``.

Usage::

    python scripts/extract_arx_cases.py ARX_GIT_DIR_OR_CHECKOUT [--out tests/peers/arx/cases.json]

ARX_GIT_DIR_OR_CHECKOUT is a bare git directory (read at HEAD with ``git show``) or a working tree.
The script parses the Java sources of the parameterized test classes (every ``new
ARXAnonymizationTestCase(...)`` and ``new ARXUtilityMetricsTestCase(...)``) with a small Java
expression parser and writes what they state as data: the configuration (suppression limit,
quality model, privacy models, practical monotonicity, attribute weights, the rule of a test's
random research subset, the search a class sets on all its cases, the local recoding the hash-code
cases run), the dataset, the sensitive attribute and
the expected loss string, transformation, solution-space statistics, local-recoding hash code or
per-transformation losses. Nothing is typed in by hand; no ARX code is copied, only the facts the
tests assert. The expected loss is ``String.valueOf(double)`` of the literal, as ARX's
``ARXAnonymizationTestCase`` constructor stores it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

TEST_DIR = "src/test/org/deidentifier/arx/test"
#: classes whose cases are ``ARXUtilityMetricsTestCase`` checked value by value (ARX's
#: TestUtilityEstimation and TestUtilityMetrics2 check bounds only, TestUtilityMetricsPrecomputation
#: compares two metrics with each other: none states a value to port)
UTILITY_CLASSES = ("TestUtilityMetrics",)
#: datasets of ARX's data/ folder that ../shared/data/arx holds
AVAILABLE = ("adult", "test", "test2")


# ---------------------------------------------------------------- reading the sources
def _read_sources(root: Path) -> tuple[dict[str, str], str]:
    """{class name: Java source} of the test folder, and the commit read."""
    if (root / "HEAD").exists() and not (root / ".git").exists() and (root / "objects").exists():
        def git(*args: str) -> str:
            return subprocess.run(["git", f"--git-dir={root}", *args], check=True, capture_output=True,
                                  text=True).stdout
        commit = git("rev-parse", "HEAD").strip()
        names = [n for n in git("ls-tree", "--name-only", "HEAD", TEST_DIR + "/").split() if n.endswith(".java")]
        return {Path(n).stem: git("show", f"HEAD:{n}") for n in names}, commit
    folder = root / TEST_DIR
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], check=True, capture_output=True,
                                text=True).stdout.strip()
    except (subprocess.CalledProcessError, FileNotFoundError):
        commit = "unknown"
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.java"))}, commit


# ---------------------------------------------------------------- a small Java expression parser
_TOKEN = re.compile(r"""
    (?P<ws>\s+|//[^\n]*|/\*.*?\*/)
  | (?P<str>"(?:\\.|[^"\\])*")
  | (?P<chr>'(?:\\.|[^'\\])')
  | (?P<num>0[xX][0-9a-fA-F]+[lL]?|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[dDfFlL]?)
  | (?P<name>[A-Za-z_$][A-Za-z0-9_$]*)
  | (?P<op>[(){}\[\],.;<>?:+\-*/=!&|@%^~])
""", re.S | re.X)


def tokenize(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise SyntaxError(f"cannot read Java at {text[pos:pos + 40]!r}")
        pos = m.end()
        kind = m.lastgroup
        if kind != "ws":
            out.append((kind, m.group()))
    return out


def _number(text: str):
    """A Java numeric literal as a JSON value (``{"double": ...}`` keeps the literal's type)."""
    t = text.rstrip("lL")
    if t.lower().startswith("0x"):
        value = int(t, 16)
        return value - (1 << 32) if value >= 1 << 31 and text[-1] not in "lL" else value
    if t[-1] in "dDfF" or "." in t or "e" in t.lower():
        return {"double": t.rstrip("dDfF")}
    return int(t)


class Parser:
    """Recursive descent over the expressions the test tables use: literals, ``new``, calls,
    field accesses, array initializers, unary minus and binary arithmetic."""

    def __init__(self, tokens: list[tuple[str, str]], pos: int = 0) -> None:
        self.toks, self.pos = tokens, pos

    def peek(self, k: int = 0) -> tuple[str, str]:
        return self.toks[self.pos + k] if self.pos + k < len(self.toks) else ("eof", "")

    def take(self, value: str | None = None) -> tuple[str, str]:
        tok = self.peek()
        if value is not None and tok[1] != value:
            raise SyntaxError(f"expected {value!r}, got {tok[1]!r}")
        self.pos += 1
        return tok

    def expression(self):
        left = self.unary()
        while self.peek()[1] in ("+", "-", "*", "/"):
            op = self.take()[1]
            left = {"op": op, "left": left, "right": self.unary()}
        return left

    def unary(self):
        if self.peek()[1] == "-":
            self.take()
            inner = self.unary()
            if isinstance(inner, int):
                return -inner
            if isinstance(inner, dict) and set(inner) == {"double"}:
                return {"double": "-" + inner["double"]}
            return {"op": "neg", "arg": inner}
        return self.postfix(self.primary())

    def arguments(self) -> list:
        self.take("(")
        args = []
        while self.peek()[1] != ")":
            args.append(self.expression())
            if self.peek()[1] == ",":
                self.take()
        self.take(")")
        return args

    def type_name(self) -> str:
        name = self.take()[1]
        while self.peek()[1] == ".":
            self.take()
            name += "." + self.take()[1]
        if self.peek()[1] == "<":                      # generic arguments: skipped
            depth = 0
            while True:
                tok = self.take()[1]
                depth += tok == "<"
                depth -= tok == ">"
                if depth == 0:
                    break
        return name

    def array_init(self) -> list:
        self.take("{")
        items = []
        while self.peek()[1] != "}":
            items.append(self.expression())
            if self.peek()[1] == ",":
                self.take()
        self.take("}")
        return items

    def primary(self):
        kind, text = self.peek()
        if kind == "str":
            self.take()
            return {"string": json.loads(text)}
        if kind == "chr":
            self.take()
            return {"char": text[1:-1]}
        if kind == "num":
            self.take()
            return _number(text)
        if text == "(":
            self.take()
            inner = self.expression()
            self.take(")")
            return inner
        if text == "{":
            return {"array": self.array_init()}
        if text == "new":
            self.take()
            name = self.type_name()
            if self.peek()[1] == "[":
                self.take("[")
                if self.peek()[1] != "]":                # new T[n]: an array of n default values
                    length = self.expression()
                    self.take("]")
                    return {"array": [], "type": name, "length": length}
                self.take("]")
                return {"array": self.array_init(), "type": name}
            return {"new": name, "args": self.arguments()}
        if kind == "name":
            if text in ("true", "false"):
                self.take()
                return text == "true"
            if text == "null":
                self.take()
                return None
            name = self.take()[1]
            while self.peek()[1] == "." and self.peek(1)[0] == "name" and self.peek(2)[1] != "(":
                self.take()
                name += "." + self.take()[1]
            if self.peek()[1] == "." and self.peek(2)[1] == "(":
                self.take()
                method = self.take()[1]
                return {"call": f"{name}.{method}", "args": self.arguments()}
            if self.peek()[1] == "(":
                return {"call": name, "args": self.arguments()}
            return {"ref": name}
        raise SyntaxError(f"unexpected {text!r}")

    def postfix(self, node):
        while self.peek()[1] == "." and self.peek(2)[1] == "(":
            self.take()
            method = self.take()[1]
            node = {"call": method, "on": node, "args": self.arguments()}
        return node


# ---------------------------------------------------------------- from expressions to cases
def _value(node):
    """A literal as a plain JSON value (a double literal as float); other nodes unchanged."""
    if isinstance(node, dict) and set(node) == {"double"}:
        return float(node["double"])
    if isinstance(node, dict) and set(node) == {"string"}:
        return node["string"]
    if isinstance(node, dict) and "array" in node:
        if node.get("length"):
            raise SyntaxError(f"an array of {node['length']} default values is not a literal")
        return [_value(x) for x in node["array"]]
    return node


def _plain(node):
    """Every literal inside ``node`` as a plain value (used for privacy-model arguments)."""
    if isinstance(node, dict):
        if set(node) in ({"double"}, {"string"}) or "array" in node:
            return _value(node)
        if "new" in node and node["new"] == "DataSubset" or node.get("call") == "DataSubset.create":
            return _subset(node)
        if node.get("call") == "Data.create":
            return {"data": _dataset_name(_value(node["args"][0]))}
        if node.get("call") == "Hierarchy.create" and node["args"] and _is_string(node["args"][0]):
            return {"hierarchy_file": Path(_value(node["args"][0])).name}
        return {k: ([_plain(a) for a in v] if isinstance(v, list) else _plain(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(x) for x in node]
    return node


def _subset(node) -> dict:
    args = node["args"]
    if len(args) == 2 and isinstance(args[0], dict) and args[0].get("call") == "Data.create":
        return {"subset_of": _dataset_name(_value(args[0]["args"][0])),
                "subset_file": Path(_value(args[1]["args"][0])).name}
    return {"subset": [_plain(a) for a in args]}


def _dataset_name(path: str) -> str:
    return Path(path).stem


def _is_string(node) -> bool:
    return isinstance(node, dict) and set(node) == {"string"}


def _is_number(node) -> bool:
    return isinstance(node, int) and not isinstance(node, bool) or (isinstance(node, dict) and set(node) == {"double"})


def _config(node) -> dict:
    """``ARXConfiguration.create(limit[, metric]).addPrivacyModel(m)...`` as a dict."""
    models, extra = [], []
    while node.get("on") is not None:
        method = node["call"]
        if method == "addPrivacyModel":
            models.insert(0, _model(node["args"][0]))
        else:
            extra.insert(0, {"call": method, "args": [_plain(a) for a in node["args"]]})
        node = node["on"]
    if node.get("call") != "ARXConfiguration.create":
        # a helper of the test class builds the configuration (differential privacy): kept as written
        return {"suppression_limit": None, "quality_model": None, "privacy_models": models, "other_calls": extra,
                "built_by": _plain(node)}
    args = node["args"]
    limit = _value(args[0]) if args else 0.0
    metric = _metric(args[1]) if len(args) > 1 else None
    return {"suppression_limit": float(limit), "quality_model": metric, "privacy_models": models, "other_calls": extra}


def _metric(node) -> dict:
    name = node["call"].split(".", 1)[1] if node["call"].startswith("Metric.") else node["call"]
    return {"factory": name, "args": [_plain(a) for a in node["args"]]}


def _model(node) -> dict:
    if "new" not in node:
        return {"expression": _plain(node)}
    return {"class": node["new"], "args": [_plain(a) for a in node["args"]]}


def _java_double_string(literal: str) -> str:
    from unlinkable.utility.base import java_double_string

    return java_double_string(float(literal))


def _loss_string(node) -> str:
    """What ``ARXAnonymizationTestCase`` stores: a String as given, a double via String.valueOf."""
    if _is_string(node):
        return node["string"]
    if isinstance(node, int):
        return _java_double_string(str(node))
    return _java_double_string(node["double"])


def _anonymization_case(args: list) -> dict:
    """Map the overloaded constructor's arguments by their types (AbstractAnonymizationTest)."""
    config = _config(args[0])
    case = {"sensitive": None, "builders": None, "response_attributes": [], "statistics": None, "delta": None,
            "hashcode": None, "practical_monotonicity": None, "loss": None, "transformation": None}
    rest = args[1:]
    if len(rest) == 3 and _is_string(rest[0]) and _is_string(rest[1]) and isinstance(rest[2], int):
        # local recoding: (config, dataset, sensitive, hashcode)
        case.update(dataset=_dataset_name(_value(rest[0])), sensitive=_value(rest[1]) or None, hashcode=rest[2])
        return {"config": config, **case}
    if _is_string(rest[0]) and _is_string(rest[1]):
        case["sensitive"] = _value(rest[0])
        rest = rest[1:]
    case["dataset"] = _dataset_name(_value(rest[0]))
    rest = rest[1:]
    if isinstance(rest[0], dict) and "call" in rest[0] and not _is_number(rest[0]):
        case["builders"] = _plain(rest[0])
        rest = rest[1:]
    case["loss"] = _loss_string(rest[0])
    trans = _value(rest[1])
    case["transformation"] = trans
    case["practical_monotonicity"] = bool(rest[2])
    for extra in rest[3:]:
        if _is_number(extra):
            case["delta"] = _value(extra)
        elif isinstance(extra, dict) and "array" in extra and extra.get("type") == "String":
            case["response_attributes"] = _value(extra)
        elif isinstance(extra, dict) and "array" in extra:
            case["statistics"] = _value(extra)
        elif extra is None:
            continue
        else:
            raise SyntaxError(f"unexpected argument {extra}")
    return {"config": config, **case}


def _utility_case(args: list) -> dict:
    config = _config(args[0])
    pairs = [_value(a) for a in args[3:]]
    losses = [{"transformation": json.loads(pairs[i]), "loss": pairs[i + 1]} for i in range(0, len(pairs) - 1, 2)]
    return {"config": config, "sensitive": _value(args[1]) or None, "dataset": _dataset_name(_value(args[2])),
            "node_losses": losses}


def _tcloseness_hack(source: str) -> dict | None:
    """ARX's TestAnonymizationTCloseness adds hierarchical t-closeness on the sensitive attribute to
    every case without a t-closeness model (its overridden ``test()``): read its t from the source."""
    m = re.search(r"if\s*\(\s*!testCase\.config\.isPrivacyModelSpecified\(TCloseness\.class\)\s*\)\s*\{.*?"
                  r"new\s+HierarchicalDistanceTCloseness\(\s*testCase\.sensitiveAttribute\s*,\s*([0-9.eEdD+-]+)\s*,",
                  source, re.S)
    if not m:
        return None
    return {"class": "HierarchicalDistanceTCloseness", "args": ["<sensitive>", float(m.group(1).rstrip("dD")),
                                                               {"hierarchy_file": "<dataset>_hierarchy_<sensitive>.csv"}],
            "added_by": "test() override when no TCloseness model is configured"}


def _weight_rule(source: str) -> dict:
    """ARX's TestUtilityMetricsLoss wraps cases in ``weight(...)``, a helper that gives every column of
    the dataset a weight from its position: read that rule (``i + offset``) from the helper's body."""
    m = re.search(r"private\s+static\s+ARXAnonymizationTestCase\s+weight\s*\(.*?"
                  r"for\s*\(\s*int\s+(\w+)\s*=\s*0\s*;\s*\1\s*<\s*handle\.getNumColumns\(\)\s*;.*?"
                  r"setAttributeWeight\(\s*handle\.getAttributeName\(\s*\1\s*\)\s*,\s*\1\s*\+\s*(\d+)\s*\)",
                  source, re.S)
    if not m:
        raise SyntaxError("a case is wrapped in weight(...), whose rule this script cannot read")
    return {"rule": "column position (0-based, header order, all columns) + offset", "offset": int(m.group(2)),
            "helper": "weight"}


def _subset_rule(source: str, size: int) -> dict:
    """ARX's TestAnonymizationSubset builds its research subsets with ``getSubset(size)``: ``size`` draws
    of ``new Random(SEED).nextInt(size)`` into a set of row indices of a table of ROWS records. Read
    SEED and ROWS from the helper's body; the runner draws the rows again with Java's generator."""
    m = re.search(r"private\s+static\s+DataSubset\s+getSubset\s*\(\s*int\s+(\w+)\s*\)\s*\{\s*"
                  r"Set<Integer>\s+(\w+)\s*=\s*new\s+HashSet<Integer>\(\)\s*;\s*"
                  r"Random\s+(\w+)\s*=\s*new\s+Random\(\s*([0-9A-Fa-fxX]+)\s*\)\s*;\s*"
                  r"for\s*\(\s*int\s+(\w+)\s*=\s*0\s*;\s*\5\s*<\s*\1\s*;\s*\5\+\+\s*\)\s*\{\s*"
                  r"\2\.add\(\s*\3\.nextInt\(\s*\1\s*\)\s*\)\s*;\s*\}\s*"
                  r"return\s+DataSubset\.create\(\s*(\d+)\s*,\s*\2\s*\)", source, re.S)
    if not m:
        raise SyntaxError("a case calls getSubset(...), whose rule this script cannot read")
    return {"java_random_subset": {"seed": _number(m.group(4)), "draws": size, "bound": size,
                                   "rows": int(m.group(6)), "helper": "getSubset"}}


def _resolve_helpers(node, source: str):
    """Replace calls of the test class's own helpers by the data they produce (see ``_subset_rule``)."""
    if isinstance(node, dict):
        if node.get("call") == "getSubset" and len(node.get("args", [])) == 1 and isinstance(node["args"][0], int):
            return _subset_rule(source, node["args"][0])
        return {k: _resolve_helpers(v, source) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve_helpers(x, source) for x in node]
    return node


def _search_settings(source: str) -> dict | None:
    """The search a test class sets on every case (its loop ``for (Object[] testcase : cases)``):
    ARX's algorithm, step and time limits, and the genetic algorithm's deterministic mode."""
    loop = re.search(r"for\s*\(\s*Object\[\]\s*testcase\s*:\s*cases\s*\)\s*\{(.*?)\n\s*\}", source, re.S)
    if not loop:
        return None
    body = loop.group(1)
    algorithm = re.search(r"\.setAlgorithm\(\s*AnonymizationAlgorithm\.(\w+)\s*\)", body)
    if not algorithm:
        return None

    def limit(setter: str) -> int | str | None:
        m = re.search(rf"\.{setter}\(\s*([\w.]+)\s*\)", body)
        return None if m is None else (int(m.group(1)) if m.group(1).isdigit() else m.group(1))

    deterministic = re.search(r"\.setGeneticAlgorithmDeterministic\(\s*(true|false)\s*\)", body)
    return {"algorithm": algorithm.group(1), "step_limit": limit("setHeuristicSearchStepLimit"),
            "time_limit_ms": limit("setHeuristicSearchTimeLimit"),
            "genetic_deterministic": None if deterministic is None else deterministic.group(1) == "true"}


def _local_recoding_call(sources: dict[str, str]) -> dict | None:
    """The local recoding every hash-code case runs (``AbstractAnonymizationTest.test()``):
    ``result.optimizeIterative(output, gsFactor, maxIterations, adaptionFactor)``."""
    m = re.search(r"\.optimizeIterative\(\s*\w+\s*,\s*([0-9.eE+-]+)[dD]?\s*,\s*(\d+)\s*,\s*([0-9.eE+-]+)[dD]?\s*\)",
                  sources.get("AbstractAnonymizationTest", ""))
    if not m:
        return None
    return {"call": "optimizeIterative", "gs_factor": float(m.group(1)), "max_iterations": int(m.group(2)),
            "adaption_factor": float(m.group(3))}


def _cases_of(name: str, source: str, rel: str) -> list[dict]:
    tokens = tokenize(source)
    out = []
    marker = "ARXUtilityMetricsTestCase" if name in UTILITY_CLASSES else "ARXAnonymizationTestCase"
    hack = _tcloseness_hack(source)
    search = _search_settings(source)
    index = 0
    for i, (_kind, text) in enumerate(tokens):
        if text == "new" and tokens[i + 1][1] == marker and tokens[i + 2][1] == "(":
            node = Parser(tokens, i).primary()
            case = _utility_case(node["args"]) if marker == "ARXUtilityMetricsTestCase" else _anonymization_case(node["args"])
            case["config"]["privacy_models"] = _resolve_helpers(case["config"]["privacy_models"], source)
            weighted = i >= 2 and tokens[i - 2][1] == "weight" and tokens[i - 1][1] == "("
            if weighted:
                case["config"]["attribute_weights"] = _weight_rule(source)
            if hack is not None and not any("TCloseness" in m.get("class", "") for m in case["config"]["privacy_models"]):
                case["config"]["privacy_models"].append(hack)
            case = {"id": f"{name}-{index}", "file": rel, "test": name, "index": index,
                    "kind": "utility" if marker == "ARXUtilityMetricsTestCase" else "anonymization",
                    "data_available": case["dataset"] in AVAILABLE, **case}
            if search is not None:
                case["search"] = search
            out.append(case)
            index += 1
    return out


def extract(root: Path) -> dict:
    sources, commit = _read_sources(root)
    cases = []
    for name in sorted(sources):
        source = sources[name]
        rel = f"{TEST_DIR}/{name}.java"
        if name in UTILITY_CLASSES or re.search(r"extends\s+AbstractAnonymizationTest\b", source):
            cases.extend(_cases_of(name, source, rel))
    recoding = _local_recoding_call(sources)
    for case in cases:
        if case.get("hashcode") is not None:
            case["local_recoding"] = recoding
    return {
        "source": {"repository": "arx-deidentifier/arx", "commit": commit, "folder": TEST_DIR,
                   "extracted_by": "scripts/extract_arx_cases.py"},
        "available_datasets": list(AVAILABLE),
        "cases": cases,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("arx", type=Path, help="ARX bare git directory or checkout")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "tests/peers/arx/cases.json")
    ns = parser.parse_args(argv)
    data = extract(ns.arx)
    ns.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = ns.out.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    os.replace(tmp, ns.out)
    cases = data["cases"]
    available = sum(c["data_available"] for c in cases)
    print(f"{len(cases)} cases, {available} on available data, {len(cases) - available} data not obtainable -> {ns.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
