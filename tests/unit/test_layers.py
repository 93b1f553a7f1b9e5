"""lifeline's import graph goes down the layers, and packages do not import each other in a cycle.

The graph is read with ``ast`` from the source (every ``import`` statement, including lazy ones
inside functions and under ``TYPE_CHECKING``), so nothing is imported to run this test.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.helpers import ROOT

PACKAGE = ROOT / "lifeline"

#: Layer of each top-level package or module of lifeline, lowest first. A module may import
#: its own package and anything on a lower layer, never a higher one: models stay usable
#: without the engine, the engine without the report, and the CLI stays a thin shell over the
#: API. Modules on the same layer may import each other only without forming a cycle.
LAYERS: dict[str, int] = {
    # 0: vocabulary every layer shares: errors, units and constants, reason codes, time, geodesy.
    "errors": 0,
    "constants": 0,
    "kits": 0,  # the kit catalogue: plain data the schema and the link models both read
    "reasons": 0,
    "time": 0,
    "geo": 0,
    "data": 0,  # shipped data files, no code
    # Process and file hygiene every writer and runner shares: output folders and their lock,
    # worker processes, Dask addresses, run-size estimates.
    "outdir": 0,
    "procs": 0,
    "daskutil": 0,
    "runsize": 0,
    # 1: reading files (io imports only layer 0) and the scenario schema built on them.
    "io": 1,
    "config": 1,
    "presets": 1,  # the shipped preset files and their lookup, read by config
    "ground": 1,  # which listed gateways reach the sites (geometry on rows), read by config
    "stats": 1,  # rank correlations with their confidence, for sweeps
    # 2: physics of one kind each: where satellites are, what a link can carry.
    "orbits": 2,
    "links": 2,
    # 3: what the links make at one instant (the network, the radio pass, events, power), and
    # the output tables both engines write (results imports only layer 0 today).
    "network": 3,
    "radio": 3,
    "events": 3,
    "power": 3,
    "results": 3,
    "streams": 3,  # the per-terminal streams the summary is computed from
    # 4: the two engines that step through time.
    "engine": 4,
    "pairmode": 4,
    # 5: analyses of pair tables.
    "analyze": 5,
    # 6: the report reads results.
    "report": 6,
    # 7: the Python API (and the package root, which re-exports it).
    "api": 7,
    "__init__": 7,
    # 8: what drives many runs through the API: sweeps and the planner.
    "sweep": 8,
    "plan": 8,
    # 9: the command line, over all of the above.
    "cli": 9,
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """lifeline modules imported by ``name`` anywhere in its source (absolute or relative)."""
    is_package = path.name == "__init__.py"
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            # ``from lifeline.x import y`` imports the module lifeline.x.y when there is one.
            targets = [f"{module}.{a.name}" for a in node.names if f"{module}.{a.name}" in known]
            targets = targets or [module]
        else:
            continue
        out.update(t for t in targets if t == "lifeline" or t.startswith("lifeline."))
    out.discard(name)
    return out


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(name, path, known) for name, path in modules.items()}


def _unit(module: str) -> str:
    """The top-level package or module of lifeline that ``module`` belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_every_package_has_a_layer():
    missing = sorted({_unit(m) for m in _modules()} - set(LAYERS))
    assert missing == [], f"give these a layer in LAYERS: {missing}"


def test_imports_go_down_the_layers():
    upward = {
        (module, target)
        for module, targets in _graph().items()
        for target in targets
        if _unit(target) != _unit(module) and LAYERS[_unit(target)] > LAYERS[_unit(module)]
    }
    assert not upward, "imports that go up a layer:\n" + "\n".join(
        f"  {m} (layer {LAYERS[_unit(m)]}) imports {t} (layer {LAYERS[_unit(t)]})"
        for m, t in sorted(upward)
    )


def _strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm (iterative): the strongly connected components of ``graph``."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next((c for c in children if c in graph), None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                components.append(component)
    return components


def test_strongly_connected_finds_a_known_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert sorted(map(sorted, _strongly_connected(graph))) == [["a", "b", "c"], ["d"]]


def test_no_cycles_between_packages():
    # Packages on one layer may import each other, but not both ways: a cycle between two
    # packages (even through different modules) means neither can be read or tested alone.
    packages: dict[str, set[str]] = {}
    for module, targets in _graph().items():
        packages.setdefault(_unit(module), set()).update(
            _unit(t) for t in targets if _unit(t) != _unit(module)
        )
    cycles = {tuple(sorted(c)) for c in _strongly_connected(packages) if len(c) > 1}
    assert not cycles, f"import cycles between packages: {sorted(cycles)}"


#: Documents that do not ship with lifeline (and issue numbers of its tracker): the repository
#: must not send readers to them.
UNSHIPPED = re.compile(r"FACTS\.md|STYLE\.md|DESIGN\.md|\.\./shared|\b[Ii]ssue #?\d+\b")
SEARCHED = ["lifeline", "tests", "docs", "tools", "benchmarks", "examples", "README.md"]


def test_no_file_points_outside_the_repository():
    this = Path(__file__).resolve()
    hits = []
    for top in SEARCHED:
        root = ROOT / top
        for path in [root] if root.is_file() else sorted(root.rglob("*")):
            if not path.is_file() or path.resolve() == this or "__pycache__" in path.parts:
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
            hits += [
                f"{path.relative_to(ROOT)}:{n}"
                for n, line in enumerate(text.splitlines(), 1)
                if UNSHIPPED.search(line)
            ]
    assert hits == [], f"{len(hits)} lines cite unshipped documents, e.g. {hits[:10]}"
