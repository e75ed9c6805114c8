"""The package is layered, and no import goes upward, across via a private name, or round in a loop.

Every ``import`` statement under ``src/unlinkable`` is read from the syntax tree (lazy imports
inside functions too: a lazy import that hides a cycle is still a cycle). The layers, lowest
first, are those of the README's architecture section::

    errors/constraints/progress/java_random/compiled -> data -> hierarchies -> backends/spark -> risk/models/utility/dp
      -> search/transform/sdc/linkage/... -> verify/results -> report -> job files/commands/cli

A module may import from its own layer or any lower one. Four kinds of violation are found:

- ``upward``: a module imports from a higher layer;
- ``private``: a module imports a ``_name`` (or a ``_module``) of another top-level package;
- ``cycle``: modules that import each other, directly or round a loop; ``package cycle``: the
  same between top-level packages;
- ``yaml``: a module below the job-file boundary imports ``yaml``.

``KNOWN`` lists the violations that exist today. It may only shrink: a new violation fails, and so
does an entry that no longer happens (delete it from the list).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "unlinkable"

#: lowest first; a name is a top-level module or package of unlinkable, or a dotted module that
#: sits above its package (the points job-file reader belongs to the job-file boundary)
LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors", "constraints", "section", "progress", "java_random", "compiled"),
    ("data",),
    ("hierarchies",),
    ("backends", "spark", "backend_selection"),
    ("risk", "models", "utility", "dp"),
    ("search", "dp.search", "transform", "sdc", "linkage", "points", "traces", "assessment", "assessment_options",
     "anonymizer", "anonymizer_options", "datasets"),
    ("verify", "verify_spark", "verify_traces", "verify_points", "results"),
    ("report",),
    ("config", "spec", "points.job", "points.release", "traces.job", "traces.release", "jobs", "commands", "cli",
     "demo", "__main__"),
)

#: violations today; this list may only shrink
KNOWN: set[str] = set()


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(SRC.rglob("*.py"))}


def _imports(name: str, path: Path, modules: dict[str, Path]) -> list[tuple[str, list[str]]]:
    """(imported module, names taken from it) for every import statement of one module."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in modules:       # `from package import module` imports the module
                    found.append((sub, []))
                else:
                    found.append((target, [alias.name]))
    return found


def _layer(name: str) -> int:
    if name == "unlinkable":    # the public API (__init__.py) is the top
        return len(LAYERS) - 1
    short = name.removeprefix("unlinkable.")
    best, rank = "", -1
    for i, layer in enumerate(LAYERS):
        for entry in layer:
            if (short == entry or short.startswith(entry + ".")) and len(entry) > len(best):
                best, rank = entry, i
    assert rank >= 0, f"{name} is in no layer: add it to LAYERS in {__file__}"
    return rank


def _top(name: str) -> str:
    return name.split(".")[1] if name.count(".") else name


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    out.append(sorted(component))
    return out


def violations() -> set[str]:
    modules = _modules()
    found: set[str] = set()
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        graph[name]
        for target, names in _imports(name, path, modules):
            if target == "yaml" and _layer(name) < _layer("unlinkable.config"):
                found.add(f"yaml: {name}")
            if not target.startswith("unlinkable.") or target == name:
                continue
            graph[name].add(target)
            if _layer(target) > _layer(name):
                found.add(f"upward: {name} -> {target}")
            if _top(target) != _top(name):
                private = [n for n in names if n.startswith("_")]
                private += [p for p in target.split(".")[1:] if p.startswith("_") and p != "__init__"]
                for n in private:
                    found.add(f"private: {name} -> {target}.{n}" if n in names else f"private: {name} -> {target}")
    for component in _cycles(graph):
        found.add("cycle: " + " <-> ".join(component))
    # packages of one layer may use each other, but not both ways round
    packages: dict[str, set[str]] = defaultdict(set)
    for name, targets in graph.items():
        packages[_top(name)] |= {_top(t) for t in targets if _top(t) != _top(name)}
    for component in _cycles(packages):
        found.add("package cycle: " + " <-> ".join(component))
    return found


def test_layers_hold():
    found = violations()
    new = sorted(found - KNOWN)
    gone = sorted(KNOWN - found)
    assert not new, "imports that break the layering (see this test's docstring):\n" + "\n".join(new)
    assert not gone, "these violations are gone: delete them from KNOWN\n" + "\n".join(gone)


def test_every_module_has_a_layer():
    for name in _modules():
        if name != "unlinkable":
            _layer(name)
