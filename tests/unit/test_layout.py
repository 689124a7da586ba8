"""The package keeps rooms a reader can hold in mind: no module over 300 lines, no function
over 60 (docs/architecture.md). Split by responsibility when one grows, never into `utils`."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "django_orm_views_hook"
MODULES = sorted(PACKAGE.rglob("*.py"))
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 60


def _name(path: Path) -> str:
    return str(path.relative_to(PACKAGE.parent))


def test_the_package_is_found():
    assert len(MODULES) > 50
    assert PACKAGE / "sync" / "executor.py" in MODULES


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_no_module_is_over_300_lines(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_MODULE_LINES, f"{_name(path)} has {lines} lines; split it by concern"


def _functions(tree: ast.AST) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef)
    return [node for node in ast.walk(tree) if isinstance(node, kinds)]


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_no_function_is_over_60_lines(path):
    """From its `def` (decorators aside) to its last line, docstring included."""
    tree = ast.parse(path.read_text())
    long = {
        f"{function.name} (line {function.lineno})": function.end_lineno - function.lineno + 1
        for function in _functions(tree)
        if function.end_lineno - function.lineno + 1 > MAX_FUNCTION_LINES
    }
    assert long == {}, f"{_name(path)}: functions over {MAX_FUNCTION_LINES} lines: {long}"


def test_a_long_function_would_be_found():
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    [function] = _functions(ast.parse(f"def f():\n{body}\n"))
    assert function.end_lineno - function.lineno + 1 == MAX_FUNCTION_LINES + 1
