"""The package's layers, read from its imports with `ast` (every import, at module level or inside
a function): no module imports one of a higher layer, and no import loop exists anywhere in `sim/`.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "sim"
# Lowest first. A module may import its own layer and the layers before it.
LAYERS = ["version", "config", "engine", "mentoring", "charts", "runs", "hris", "studies", "present", "front"]
FRONT = {"api", "cli", "precheck", "seed_workers", "commands", "__init__", "__main__"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "front"
    head = parts[1]
    if head in FRONT:
        return "front"
    if head not in LAYERS:
        raise AssertionError(f"{module}: not in a known layer; add its folder to LAYERS")
    return head


def imports_of(path: Path) -> set[str]:
    """The `sim` modules a file imports, resolved to module names (a name imported from a package
    counts as the submodule when one of that name exists)."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "sim"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            elif node.module and node.module.split(".")[0] == "sim":
                target = node.module
            else:
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.add(sub if _exists(sub) else target)
    found.discard(module)
    return found


def _exists(module: str) -> bool:
    path = PACKAGE.parent / Path(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def import_graph() -> dict[str, set[str]]:
    return {module_name(p): imports_of(p) for p in sorted(PACKAGE.rglob("*.py"))}


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    rank = {name: i for i, name in enumerate(LAYERS)}
    return [f"{m} ({layer_of(m)}) imports {d} ({layer_of(d)})"
            for m, deps in graph.items() for d in sorted(deps)
            if rank[layer_of(d)] > rank[layer_of(m)]]


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each strongly connected component of more than one module (Tarjan), i.e. every loop.

    A package's __init__ is skipped as a target: importing `sim.x.y` runs `sim/x/__init__` first
    but that edge is Python's, not the author's."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_every_module_is_in_a_layer_and_no_import_runs_upward():
    graph = import_graph()
    assert len(graph) > 30  # the walk found the package
    assert upward_imports(graph) == []


def test_no_import_loop_in_the_package():
    assert import_cycles(import_graph()) == []


def test_the_checks_catch_what_they_look_for():
    """The checks themselves can fail: an upward import and a loop, on a made-up graph."""
    graph = {"sim.config.schema": {"sim.runs.jobs"}, "sim.runs.jobs": {"sim.present.report"},
             "sim.present.report": {"sim.runs.jobs"}}
    assert upward_imports(graph) == ["sim.config.schema (config) imports sim.runs.jobs (runs)",
                                     "sim.runs.jobs (runs) imports sim.present.report (present)"]
    assert import_cycles(graph) == [["sim.present.report", "sim.runs.jobs"]]


@pytest.mark.parametrize("front", ["sim", "sim.api", "sim.cli"])
def test_front_doors_are_front(front):
    assert layer_of(front) == "front"
