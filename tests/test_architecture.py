"""The house's rules, read off the import statements of every module (function-level imports
included, so that a cycle cannot hide inside a function):

- arrows point down: each package imports only itself and the packages below it in LAYERS;
- no app imports another app's `forms` or `views` (shared form helpers are lib.forms; gtm's
  URLconf wires views);
- no two modules import each other, directly or round a longer loop.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Lowest first. `lib` knows no app; `clients` knows neither the funnel nor the assessments;
# the assessments combine results with the funnel; workshops build on the assessments (which
# know nothing of them); devtools may use everything, and nothing
# of the product imports it. gtm is the wiring: its URLconf and settings.
LAYERS = (
    "lib",
    "accounts",
    "bank",
    "clients",
    "funnel",
    "assessments",
    "workshops",
    "gtm",
    "devtools",
)
PRIVATE_MODULES = ("forms", "views")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every first-party module the file imports, at any depth of the code."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # `from package import module` imports the module.
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.split(".")[0] in LAYERS}


def _graph() -> dict[str, set[str]]:
    modules = {
        _module_name(path): path
        for package in LAYERS
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    }
    return {
        name: {imported for imported in _imports(path) if imported in modules}
        for name, path in modules.items()
    }


GRAPH = _graph()


def _package(module: str) -> str:
    return module.split(".")[0]


def test_the_graph_sees_every_app():
    assert {_package(module) for module in GRAPH} == set(LAYERS)
    assert "funnel.health" in GRAPH["assessments.funnel_results"]


@pytest.mark.parametrize("package", LAYERS)
def test_arrows_point_down(package):
    rank = LAYERS.index(package)
    upward = sorted(
        f"{module} imports {imported}"
        for module, imported_modules in GRAPH.items()
        if _package(module) == package
        for imported in imported_modules
        if LAYERS.index(_package(imported)) > rank
    )
    assert upward == []


def test_no_app_imports_another_apps_forms_or_views():
    borrowed = sorted(
        f"{module} imports {imported}"
        for module, imported_modules in GRAPH.items()
        for imported in imported_modules
        if imported.split(".")[1:2] in ([name] for name in PRIVATE_MODULES)
        and _package(imported) not in (_package(module), "lib")
        and module != "gtm.urls"
    )
    assert borrowed == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_itself_round_a_loop():
    # A package's __init__ importing its own submodules (lib.charts) is how a package
    # re-exports; only loops between modules count.
    graph = {
        module: {m for m in imported if not module.startswith(f"{m}.")}
        for module, imported in GRAPH.items()
    }
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
