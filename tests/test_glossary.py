"""One name per concept: no identifier in ``src/unlinkable`` is spelt with a word the glossary retires.

The README's architecture section holds the glossary: a table whose "retired" column lists, per
concept, the words no longer used for it. Every identifier of the package (a definition, parameter,
keyword, attribute, variable or import, read from the syntax tree) is split into words
(``snake_case`` and ``camelCase``); a retired word fails, except

- the verb: a retired noun that is also a verb (``group``) may start the name of a function defined
  in the package or of an attribute (``backend.group(...)``, ``_group_rows``, polars' ``group_by``),
  where it forms classes;
- ``ALLOWED``: a module and identifier where the word names another concept, or a peer's API.
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "unlinkable"

#: words that are nouns for a retired concept but also verbs a function may start with
VERBS = frozenset({"group"})

#: (module under src/unlinkable, identifier) -> the other concept the retired word names there
ALLOWED: dict[tuple[str, str], str] = {
    ("sdc/microaggregation.py", "groups"): "microaggregation groups (sdcMicro's aggr)",
    ("sdc/microaggregation.py", "n_groups"): "microaggregation groups (sdcMicro's aggr)",
    ("sdc/microaggregation.py", "mdav_groups"): "microaggregation groups (sdcMicro's aggr)",
    ("sdc/microaggregation.py", "_sorted_groups"): "microaggregation groups (sdcMicro's aggr)",
    ("sdc/pipeline.py", "n_groups"): "microaggregation groups: the step's JSON figure",
    ("verify.py", "_smallest_group"): "microaggregation groups: their checker",
    ("verify.py", "group"): "microaggregation groups: their checker",
    ("datasets.py", "_CHAPTER_GROUP"): "a hierarchy's groups of values (the grouping builder)",
    ("datasets.py", "edu_groups"): "a hierarchy's groups of values (the grouping builder)",
    ("datasets.py", "marital_groups"): "a hierarchy's groups of values (the grouping builder)",
    ("datasets.py", "occ_groups"): "a hierarchy's groups of values (the grouping builder)",
    ("commands/assess.py", "add_mutually_exclusive_group"): "argparse's API",
    ("commands/assess.py", "qi"): "the command line's --qi flag",
    ("sdc/noise.py", "_outliers"): "statistical outliers (sdcMicro's addNoise outdect), not suppression",
}


def retired_words() -> dict[str, str]:
    """Retired word -> its concept, from the README glossary's "retired" column."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| concept | the name | retired |"))
    out: dict[str, str] = {}
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        for word in re.findall(r"`([^`]+)`", cells[2]):
            out[word] = cells[0]
    return out


def words(identifier: str) -> list[str]:
    """``snake_case`` and ``camelCase`` parts, lower case: ``minGroupSize`` -> min, group, size."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", identifier)
    return [w.lower() for w in spaced.split("_") if w]


def identifiers(tree: ast.AST) -> list[tuple[str, int, bool]]:
    """(identifier, line, is an attribute: it may be a method, ours or a library's)."""
    out: list[tuple[str, int, bool]] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.append((node.name, node.lineno, False))
        elif isinstance(node, ast.Attribute):
            out.append((node.attr, node.lineno, True))
        elif isinstance(node, ast.Name):
            out.append((node.id, node.lineno, False))
        elif isinstance(node, ast.arg):
            out.append((node.arg, node.lineno, False))
        elif isinstance(node, ast.keyword) and node.arg:
            out.append((node.arg, node.lineno, False))
        elif isinstance(node, ast.alias):
            out.append(((node.asname or node.name).split(".")[-1], node.lineno, False))
    return out


def functions(trees: list[ast.AST]) -> frozenset[str]:
    """The names of every function and method defined in ``trees``."""
    return frozenset(node.name for tree in trees for node in ast.walk(tree)
                     if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)))


def offences(module: str, tree: ast.AST, retired: dict[str, str], defined: frozenset[str]) -> list[str]:
    found = []
    for name, line, attribute in identifiers(tree):
        parts = words(name)
        for i, word in enumerate(parts):
            if word not in retired or (module, name) in ALLOWED:
                continue
            if word in VERBS and i == 0 and (attribute or name in defined):
                continue
            found.append(f"{module}:{line}: {name!r} says {word!r} for {retired[word]}")
    return found


def test_the_glossary_retires_words():
    retired = retired_words()
    assert {"group", "groups", "withheld", "outliers", "dropped", "qis"} <= set(retired)


@functools.cache
def parsed() -> dict[str, ast.AST]:
    return {path.relative_to(SRC).as_posix(): ast.parse(path.read_text(encoding="utf-8"))
            for path in sorted(SRC.rglob("*.py"))}


def test_no_identifier_uses_a_retired_word():
    retired, trees = retired_words(), parsed()
    defined = functions(list(trees.values()))
    found = [o for module, tree in trees.items() for o in offences(module, tree, retired, defined)]
    assert not found, "retired spellings (README, the glossary):\n" + "\n".join(sorted(set(found)))


def test_every_allowance_is_still_used():
    """An entry of ALLOWED that no longer matches an identifier is stale: delete it."""
    seen = {(module, name) for module, tree in parsed().items() for name, _, _ in identifiers(tree)}
    assert not set(ALLOWED) - seen


def test_the_rule_by_hand():
    retired = {"group": "equivalence class", "groups": "equivalence class"}
    source = "def _group_rows(x): ...\ndef f(groups, min_group_size):\n    backend.group(x)\n    return _group_rows(x).group_by(y)\n"
    tree = ast.parse(source)
    assert [o.split(": ", 1)[1] for o in offences("m.py", tree, retired, functions([tree]))] == [
        "'groups' says 'groups' for equivalence class", "'min_group_size' says 'group' for equivalence class"]
