"""The layers of docs/architecture.md hold: imports run one way, and importing the package
or the CLI loads nothing heavy."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "mtsum"


def _name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_name(p): p for p in PACKAGE.rglob("*.py")}


def _owner(name: str) -> str:
    """The module a dotted import name lands in (``mtsum.a.b.C`` → ``mtsum.a.b``)."""
    while name not in MODULES and "." in name:
        name = name.rsplit(".", 1)[0]
    return name if name in MODULES else ""


def _imports(path: Path) -> set[str]:
    """Every mtsum module *path* imports: at module level, under TYPE_CHECKING and inside
    functions alike, since a lazy import that closes a circle is still a circle."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "mtsum":
            for alias in node.names:
                found.add(_owner(f"{node.module}.{alias.name}"))
        elif isinstance(node, ast.Import):
            found.update(_owner(a.name) for a in node.names if a.name.split(".")[0] == "mtsum")
    return found - {"", _name(path)}


GRAPH = {name: _imports(path) for name, path in MODULES.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_circles() -> None:
    assert _cycles(GRAPH) == []


# Each module may import only from these (besides itself and its own subpackage).
LOWER = {
    "mtsum.errors": set(),
    "mtsum.settings": {"mtsum.errors"},
    "mtsum.signature": set(),
    "mtsum.config": {"mtsum.errors", "mtsum.settings"},
}


@pytest.mark.parametrize("module", sorted(LOWER))
def test_foundation_modules_import_only_below_them(module: str) -> None:
    assert GRAPH[module] <= LOWER[module], f"{module} imports {sorted(GRAPH[module] - LOWER[module])}"


@pytest.mark.parametrize(("statement", "forbidden"), [
    ("import mtsum", ["mtsum.translation", "mtsum.pipeline", "torch", "transformers", "ctranslate2"]),
    ("import mtsum.cli", ["torch", "transformers", "ctranslate2", "mtsum.translation.translator"]),
    ("import mtsum.config", ["mtsum.translation", "mtsum.backends"]),
])
def test_imports_stay_light(statement: str, forbidden: list[str]) -> None:
    code = (f"{statement}; import sys; "
            f"print(' '.join(m for m in sys.modules if any(m == f or m.startswith(f + '.') for f in {forbidden!r})))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert loaded == []


def test_no_module_is_overlong() -> None:
    long = {name: n for name, path in MODULES.items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > 420}
    assert long == {}


def _packages() -> dict[str, set[str]]:
    """Edges between mtsum's top-level packages and modules (``mtsum.pipeline.core`` counts
    as ``pipeline``), the package's own ``__init__`` (the public façade) left out."""
    def top(name: str) -> str:
        return name.split(".")[1] if "." in name else ""

    edges: dict[str, set[str]] = {}
    for name, deps in GRAPH.items():
        if top(name):
            edges.setdefault(top(name), set()).update(top(d) for d in deps if top(d) and top(d) != top(name))
    return edges


def test_packages_depend_one_way() -> None:
    """Not only modules: packages too (backends never reach up into models management,
    the pipeline never into the CLI), so each layer can be read without the ones above."""
    assert _cycles(_packages()) == []
