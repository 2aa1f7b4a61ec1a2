"""User-facing Chinese lives in data files, not in code (docs/architecture.md).

A str constant holding a CJK ideograph is allowed in an ``evaluator/`` module only as a
docstring or inside the arguments of a ``re.*`` call (a pattern may keep the characters it
matches); messages, labels, headings, help texts and word lists are in ``evaluator/data/``.
Every template a module asks for by constant section and key exists there.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

from evaluator.wording import messages

ROOT = Path(__file__).parent.parent / "evaluator"
CJK = re.compile(r"[\u3400-\u9fff]")
MODULES = sorted(ROOT.rglob("*.py"))


def _cjk_literals(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    allowed: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                allowed.add(id(first.value))
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "re"):
            allowed.update(id(sub) for sub in ast.walk(node))
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and CJK.search(node.value) and id(node) not in allowed]


def test_no_chinese_wording_in_code() -> None:
    found = [f"{path.relative_to(ROOT.parent)}:{line}: {text[:40]!r}"
             for path in MODULES for line, text in _cjk_literals(path)]
    assert not found, f"{len(found)} Chinese texts in code belong in evaluator/data/:\n" + "\n".join(found[:40])


def test_the_checker_sees_a_message_and_allows_a_pattern(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text('"""模块说明。"""\nimport re\nP = re.compile("个|项")\n'
                      'def f():\n    """函数说明。"""\n    return "未填写实际值"\n', encoding="utf-8")
    assert _cjk_literals(module) == [(6, "未填写实际值")]


def _template_calls(path: Path) -> list[tuple[int, str, str]]:
    calls = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "message"
                and len(node.args) >= 2 and all(isinstance(a, ast.Constant) and isinstance(a.value, str)
                                                for a in node.args[:2])):
            calls.append((node.lineno, node.args[0].value, node.args[1].value))
    return calls


def test_every_template_asked_for_exists() -> None:
    templates = messages()
    missing = [f"{path.relative_to(ROOT.parent)}:{line}: [{s}] {k}"
               for path in MODULES for line, s, k in _template_calls(path) if k not in templates.get(s, {})]
    assert not missing, "no template for:\n" + "\n".join(missing)
