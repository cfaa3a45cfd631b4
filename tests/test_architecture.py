"""The one path of data, enforced: layered packages, imports only downwards, no cycles.

The import graph is read from the source with ``ast`` (function-level and type-checking imports
included, since they are cycles and upward dependencies all the same) and checked with networkx.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "exposure"

# Low to high: a module may import its own layer and the layers before it, never after.
LAYERS = (
    "core",
    "model",
    "ingest",
    "warehouse",
    "spark",  # the optional Spark backend: reach on DataFrames, over the model's Parquet
    "screening",
    "report",
    "pipeline",
    "api",  # exposure/__init__.py: the public API
    "app",
    "cli",
)
RANK = {layer: rank for rank, layer in enumerate(LAYERS)}


def module_name(path: Path, base: Path = ROOT) -> str:
    parts = list(path.relative_to(base).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> str:
    """The layer of a module of the package (``exposure`` itself is the public API)."""
    parts = module.split(".")
    if parts == ["exposure"]:
        return "api"
    if parts[1] == "__main__":
        return "cli"
    return parts[1]


def imports_of(path: Path, modules: set[str]) -> list[tuple[str, int]]:
    """The package modules a file imports, anywhere in it, with the line of each import."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "exposure":
                    found.append((_known(alias.name, modules), node.lineno))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] != "exposure":
                continue
            for alias in node.names:
                target = f"{node.module}.{alias.name}"
                found.append(
                    (target if target in modules else _known(node.module, modules), node.lineno)
                )
        elif isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{path}:{node.lineno}: relative import; name the module")
    return found


def _known(name: str, modules: set[str]) -> str:
    while name not in modules and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def third_party_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def package_files() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def import_graph(files: dict[str, Path]) -> nx.DiGraph:
    modules = set(files)
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for module, path in files.items():
        for target, line in imports_of(path, modules):
            if target != module:
                graph.add_edge(module, target, line=line)
    return graph


def upward_imports(graph: nx.DiGraph) -> list[str]:
    wrong = []
    for source, target, data in graph.edges(data=True):
        low, high = layer_of(source), layer_of(target)
        if low not in RANK or high not in RANK:
            wrong.append(f"{source} -> {target}: a module outside the layers {LAYERS}")
        elif RANK[high] > RANK[low]:
            wrong.append(f"{source}:{data['line']} ({low}) imports {target} ({high})")
    return sorted(wrong)


def test_every_module_belongs_to_a_layer():
    outside = [m for m in package_files() if layer_of(m) not in RANK]
    assert outside == []


def test_the_import_graph_has_no_cycle():
    graph = import_graph(package_files())
    cycles = list(nx.simple_cycles(graph))
    assert cycles == [], f"import cycles: {cycles[:5]}"


def test_every_import_goes_down_the_layers():
    assert upward_imports(import_graph(package_files())) == []


def test_the_model_is_pure():
    impure = {
        module: sorted(third_party_imports(path) & {"duckdb", "streamlit", "openpyxl"})
        for module, path in package_files().items()
        if layer_of(module) == "model"
    }
    assert {module: found for module, found in impure.items() if found} == {}


@pytest.mark.parametrize("folder", ["dashboards", "exposure/cli"])
def test_the_shells_use_only_the_public_api_and_the_app_layer(folder):
    modules = set(package_files())
    wrong = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for target, line in imports_of(path, modules):
            allowed = target == "exposure" or target.startswith(("exposure.app", "exposure.cli"))
            if not allowed:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {target}")
    assert wrong == []


def test_the_checks_catch_a_cycle_and_an_upward_import(tmp_path):
    """The checks themselves: a tiny package with both faults is caught."""
    package = tmp_path / "exposure"
    for folder in ("core", "model"):
        (package / folder).mkdir(parents=True)
        (package / folder / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "core" / "cells.py").write_text("from exposure.model.graph import Graph\n")
    (package / "model" / "graph.py").write_text(
        "def build():\n    from exposure.core.cells import clean\n"
    )
    files = {module_name(p, tmp_path): p for p in sorted(package.rglob("*.py"))}
    graph = import_graph(files)
    assert list(nx.simple_cycles(graph)) != []
    assert upward_imports(graph) == [
        "exposure.core.cells:1 (core) imports exposure.model.graph (model)"
    ]


def test_the_command_line_starts_without_the_heavy_libraries():
    """``exposure --help`` imports the commands, not NumPy, pandas, DuckDB or Streamlit."""
    code = (
        "import sys, exposure.cli; "
        "print(sorted({'numpy', 'pandas', 'duckdb', 'scipy', 'streamlit', 'pyarrow'} "
        "& set(sys.modules)))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.strip()
    assert loaded == "[]"


def test_only_the_lower_layers_run_sql():
    """Tables belong to the warehouse: above it, no module runs SQL (the dashboard's cursor
    set-up excepted), so nothing reads another layer's tables behind its back."""
    allowed_layers = {"core", "ingest", "warehouse"}
    allowed = {("exposure.app.server", "open_cursor")}
    found = []
    for module, path in package_files().items():
        if layer_of(module) in allowed_layers:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]:
            for node in ast.walk(function):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("execute", "sql", "register")
                    # Spark's own SQL runs on its DataFrames, not on the warehouse's tables.
                    and not (layer_of(module) == "spark" and node.func.attr == "sql")
                    and not (
                        isinstance(node.func.value, ast.Name) and node.func.value.id == "atexit"
                    )
                    and (module, function.name) not in allowed
                ):
                    found.append(f"{module}.{function.name}:{node.lineno}")
    assert sorted(set(found)) == []


def test_no_result_is_left_open():
    """DuckDB keeps a result open until it is fetched to the end, and refuses other work on
    the connection meanwhile: the library fetches whole results (no ``fetchone``)."""
    found = [
        f"{module}:{node.lineno}"
        for module, path in package_files().items()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute) and node.attr in ("fetchone", "fetchmany")
    ]
    assert found == []
