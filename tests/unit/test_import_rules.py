"""The import rules of docs/architecture.md, read from the source: the layout keeps itself.

Every import of the package (at any depth: a function-level import counts) is resolved to the
subpackage or top-level module it comes from and to, and checked against the arrows that may
exist. One arrow goes up on purpose, at call time only: a module may import a public name from
the package's root inside a function (ReadableView.refresh() calls refresh_materialized_view).
"""

from __future__ import annotations

import ast
import graphlib
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "django_orm_views_hook"
ROOT = PACKAGE.name

LEAVES = {"conf", "exceptions", "signals"}
_BELOW_SYNC = {"database", "sql", "planning", "definitions", *LEAVES}
#: What each subpackage or top-level module may import (its own modules aside).
ALLOWED = {
    "conf": set(),
    "exceptions": set(),
    "signals": set(),
    "admin": set(),
    "embedded": set(),
    "models": set(),
    "definitions": LEAVES,
    "planning": {"definitions", *LEAVES},
    "sql": {"planning", "definitions", *LEAVES},
    "database": {"sql", "planning", "definitions", *LEAVES},
    "sync": {"database", "sql", "planning", "definitions", *LEAVES},
    "refresh": {"sync", *_BELOW_SYNC},
    "migrate": {"sync", *_BELOW_SYNC},
    "checks": {"sync", *_BELOW_SYNC},
    "tenant_checks": LEAVES,
    "apps": {"checks", "tenant_checks", "migrate", "definitions"},
    "__init__": {"refresh", "sync", *_BELOW_SYNC},
    "management": {"checks", "migrate", "refresh", "sync", *_BELOW_SYNC},
}
PURE = ("planning", "sql")
#: What no module of planning/ or sql/ may import: the layers above, and a connection.
IMPURE = {"database", "sync", "refresh", "migrate", "management", "checks", "apps", "__init__"}
CONNECTION_NAMES = {"connections", "connection"}


@dataclass(frozen=True)
class Import:
    source: str  # the importing module, dotted
    target: str  # the imported module (or, for `from m import name`, m.name when a module)
    names: tuple[str, ...]  # the names imported by `from ... import`
    line: int
    in_function: bool


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def unit(module: str) -> str:
    """The subpackage or top-level module a module belongs to ("__init__": the root)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(module: str, path: Path) -> list[Import]:
    tree = ast.parse(path.read_text())
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    nested = {id(inner) for f in functions for inner in ast.walk(f) if inner is not f}
    found = []
    for node in ast.walk(tree):
        in_function = id(node) in nested
        if isinstance(node, ast.Import):
            found += [Import(module, a.name, (), node.lineno, in_function) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, *([node.module] if node.module else [])])
            names = tuple(a.name for a in node.names)
            submodules = [f"{base}.{n}" for n in names if f"{base}.{n}" in MODULES]
            for target in submodules or [base]:
                found.append(Import(module, target, names, node.lineno, in_function))
    return found


IMPORTS = [imp for module, path in MODULES.items() for imp in _imports(module, path)]
OURS = [imp for imp in IMPORTS if imp.target == ROOT or imp.target.startswith(f"{ROOT}.")]


def _where(imp: Import) -> str:
    return f"{imp.source} (line {imp.line}) imports {imp.target}"


def test_the_imports_are_found():
    arrows = {(unit(imp.source), unit(imp.target)) for imp in OURS}
    assert ("sync", "database") in arrows and ("planning", "definitions") in arrows
    assert ("management", "migrate") in arrows


def test_imports_of_the_root_are_public_names_at_call_time():
    from_root = [imp for imp in OURS if imp.target == ROOT and unit(imp.source) != "__init__"]
    bad = [
        _where(imp)
        for imp in from_root
        if not imp.in_function or any(name.startswith("_") for name in imp.names)
    ]
    assert bad == []


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_only_the_allowed_arrows(layer):
    wrong = [
        _where(imp)
        for imp in OURS
        if unit(imp.source) == layer
        and imp.target != ROOT
        and unit(imp.target) != layer
        and unit(imp.target) not in ALLOWED[layer]
    ]
    assert wrong == []


def test_every_module_belongs_to_a_known_layer():
    assert {unit(module) for module in MODULES} <= set(ALLOWED)


@pytest.mark.parametrize("layer", PURE)
def test_planning_and_sql_stay_pure(layer):
    """No import of a layer that talks to the database, nor of Django's connections."""
    wrong = [
        _where(imp) for imp in OURS if unit(imp.source) == layer and unit(imp.target) in IMPURE
    ]
    wrong += [
        f"{_where(imp)} {sorted(CONNECTION_NAMES & set(imp.names))}"
        for imp in IMPORTS
        if unit(imp.source) == layer
        and imp.target == "django.db"
        and CONNECTION_NAMES & set(imp.names)
    ]
    assert wrong == []


def test_database_never_imports_sync_or_above():
    above = {"sync", "refresh", "migrate", "management", "checks", "apps", "__init__"}
    assert [
        _where(imp)
        for imp in OURS
        if unit(imp.source) == "database" and (unit(imp.target) in above)
    ] == []


def test_nothing_imports_management():
    wrong = [
        _where(imp)
        for imp in OURS
        if unit(imp.target) == "management" and unit(imp.source) != "management"
    ]
    assert wrong == []


def test_no_cycle_between_subpackages():
    graph: dict[str, set[str]] = {}
    for imp in OURS:
        if imp.target == ROOT and imp.in_function:
            continue  # the public API at call time (see the module's docstring)
        source, target = unit(imp.source), unit(imp.target)
        if source != target:
            graph.setdefault(source, set()).add(target)
    graphlib.TopologicalSorter(graph).prepare()  # raises CycleError, naming the cycle


def test_no_module_uses_another_modules_private_names():
    wrong = [
        f"{_where(imp)}: {name}"
        for imp in OURS
        for name in imp.names
        if name.startswith("_") and not name.startswith("__")
    ]
    for module, path in MODULES.items():
        bound = {a.asname or a.name for imp in _from_imports(path) for a in imp.names}
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in bound
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                wrong.append(f"{module} (line {node.lineno}): {node.value.id}.{node.attr}")
    assert wrong == []


def _from_imports(path: Path) -> list[ast.ImportFrom]:
    """The package's own `from ... import` statements of a module."""
    return [
        node
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith(ROOT))
    ]


def test_a_forbidden_arrow_would_be_found(tmp_path):
    """The resolution of relative imports, checked on a module written for the purpose."""
    path = PACKAGE / "planning" / "plan.py"
    module = _module_name(path)
    source = tmp_path / "plan.py"
    source.write_text("from ..sync import executor\nfrom django.db import connections\n")
    found = _imports(module, source)
    assert [(imp.target, imp.names) for imp in found] == [
        (f"{ROOT}.sync.executor", ("executor",)),
        ("django.db", ("connections",)),
    ]
    assert unit(found[0].target) == "sync" and unit(found[0].target) not in ALLOWED["planning"]
