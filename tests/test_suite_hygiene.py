"""The suite itself, read as source: every test asserts something, and no test turns a
missing module or attribute of nntui into a skip (a deleted layer must fail, not skip).

A test "asserts" when its body, or a function it calls that is defined anywhere under
``tests/`` (followed transitively), holds an ``assert``, a ``raise AssertionError``, or
a call to ``pytest.raises``/``warns``/``fail`` or to any ``assert*`` function
(``np.testing.assert_allclose``, ``snap_compare`` results are asserted explicitly).
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
PYTEST_CHECKS = {"raises", "warns", "fail", "deprecated_call"}
Function = ast.FunctionDef | ast.AsyncFunctionDef


def called_name(node: ast.Call) -> str:
    f = node.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""


def asserts_directly(fn: Function) -> bool:
    for node in ast.walk(fn):
        if isinstance(node, ast.Assert):
            return True
        if isinstance(node, ast.Raise) and node.exc is not None:
            exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if isinstance(exc, ast.Name) and exc.id == "AssertionError":
                return True
        if isinstance(node, ast.Call):
            name = called_name(node)
            if name.startswith("assert") or name in PYTEST_CHECKS:
                return True
    return False


def calls(fn: Function) -> set[str]:
    return {called_name(node) for node in ast.walk(fn) if isinstance(node, ast.Call)}


def parsed() -> list[tuple[Path, ast.Module]]:
    return [(p, ast.parse(p.read_text(encoding="utf-8"))) for p in sorted(TESTS.rglob("*.py"))]


def test_every_test_function_asserts_something() -> None:
    functions: dict[str, list[Function]] = {}
    tests: list[tuple[Path, Function]] = []
    for path, tree in parsed():
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                functions.setdefault(node.name, []).append(node)
                if node.name.startswith("test") and path.name.startswith("test_"):
                    tests.append((path, node))
    asserting = {name for name, fns in functions.items() if any(map(asserts_directly, fns))}
    grown = True
    while grown:  # helpers that call asserting helpers assert too
        more = {name for name, fns in functions.items()
                if name not in asserting and any(calls(f) & asserting for f in fns)}
        asserting |= more
        grown = bool(more)
    empty = [f"{path.relative_to(TESTS)}::{fn.name}" for path, fn in tests
             if not (asserts_directly(fn) or calls(fn) & asserting)]
    assert len(tests) > 500 and not empty, empty


def test_no_test_skips_on_a_missing_module_or_attribute() -> None:
    """``except ModuleNotFoundError/ImportError/AttributeError: pytest.skip(...)`` hides a
    deleted or renamed part of nntui; optional libraries use ``pytest.importorskip``."""
    hiding = []
    for path, tree in parsed():
        for node in ast.walk(tree):
            if not isinstance(node, ast.ExceptHandler) or node.type is None:
                continue
            types = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
            names = {t.id for t in types if isinstance(t, ast.Name)}
            skips = any(isinstance(n, ast.Call) and called_name(n) == "skip"
                        for stmt in node.body for n in ast.walk(stmt))
            if skips and names & {"ModuleNotFoundError", "ImportError", "AttributeError"}:
                hiding.append(f"{path.relative_to(TESTS)}:{node.lineno}")
    assert not hiding, hiding
