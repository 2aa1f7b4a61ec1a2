"""The module graph runs one way (docs/architecture.md): read → lint → score → explain → report.

Imports are read from the source (top-level and inside functions alike), so a lazy import
cannot hide a dependency that runs backwards.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent / "evaluator"


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _run_time_nodes(tree: ast.AST):
    """Every node, except those under ``if TYPE_CHECKING:`` (imports for type hints only)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            continue
        yield node
        yield from _run_time_nodes(node)


def _imports(path: Path) -> set[str]:
    """The evaluator modules ``path`` imports (a submodule also runs its packages' __init__)."""
    name = _module(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in _run_time_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
            target = f"{base}.{node.module}" if node.module else base
            targets = [target] + [f"{target}.{a.name}" for a in node.names]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("evaluator"):
            targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            targets = [a.name for a in node.names if a.name.startswith("evaluator")]
        else:
            continue
        for t in targets:
            while t:
                found.add(t)
                t = t.rpartition(".")[0]
    return found


GRAPH = {_module(p): {m for m in _imports(p) if m in {_module(q) for q in ROOT.rglob("*.py")}} - {_module(p)}
         for p in ROOT.rglob("*.py")}


def _reach(start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for m in GRAPH.get(todo.pop(), ()):
            if m not in seen and m != "evaluator":  # the package __init__ re-exports the public API
                seen.add(m)
                todo.append(m)
    return seen


@pytest.mark.parametrize("module", ["check", "scoring", "points", "rollup", "issues", "wording", "categories"])
def test_engine_stages_do_not_import_explanations_or_readers(module: str) -> None:
    reached = _reach(f"evaluator.{module}")
    assert "evaluator.explain" not in reached
    assert not {m for m in reached if m.startswith("evaluator.readers")}, sorted(reached)


@pytest.mark.parametrize("module", ["wording", "categories"])
def test_leaf_modules_import_nothing_from_the_engine(module: str) -> None:
    assert _reach(f"evaluator.{module}") == set()


def test_check_and_readers_do_not_import_each_other_at_import_time() -> None:
    """The readers' ``read_targets(check=True)`` is a thin wrapper over :func:`evaluator.check.lint`
    (a lazy import); the lint never imports the readers."""
    assert not {m for m in _reach("evaluator.check") if m.startswith("evaluator.readers")}


def test_no_import_cycle_between_modules() -> None:
    """Collapsing each subpackage (readers, reports, commands) into one node, the graph has no cycle."""
    def top(m: str) -> str:
        return ".".join(m.split(".")[:2])
    graph: dict[str, set[str]] = {}
    for m, deps in GRAPH.items():
        graph.setdefault(top(m), set()).update(top(d) for d in deps if d != "evaluator" and top(d) != top(m))
    done: set[str] = set()

    def visit(m: str, path: tuple[str, ...]) -> None:
        assert m not in path, " → ".join(path[path.index(m):] + (m,))
        if m in done:
            return
        for d in sorted(graph.get(m, ())):
            visit(d, path + (m,))
        done.add(m)
    for m in sorted(graph):
        visit(m, ())
