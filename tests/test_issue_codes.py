"""One issue-code registry (data/issues.toml): every code the source raises is in it, with the
severities it is raised with; every code has a template that exists, and the source words every
issue message from its code's template."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from evaluator.enums import Severity
from evaluator.issues import SEVERITIES, issue_codes, issue_message, issue_template
from evaluator.wording import messages

ROOT = Path(__file__).parent.parent / "evaluator"
CODE = re.compile(r"^[a-z][a-z0-9_]*$")


def _const(node: ast.AST | None) -> object:
    """A literal's value; a severity named by its member (``Severity.ERROR``) counts as its string."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Severity":
        return Severity[node.attr].value
    return node.value if isinstance(node, ast.Constant) else None


def raised_codes() -> dict[str, set[str | None]]:
    """code → severities, from every place the source names an issue code: ``Issue("code", "sev", …)``
    and helpers called alike, ``code=``/``severity=`` keywords, ``{"code": …, "severity": …}`` and
    ``("code", "sev")`` tables, a parameter ``code``'s default. A severity computed at run time shows as None."""
    found: dict[str, set[str | None]] = {}
    for path in ROOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            pairs = []
            if isinstance(node, ast.Call):
                args = node.args
                if len(args) >= 2 and isinstance(_const(args[0]), str) and _const(args[1]) in SEVERITIES:
                    pairs.append((_const(args[0]), _const(args[1])))
                kw = {k.arg: k.value for k in node.keywords}
                if isinstance(_const(kw.get("code")), str):
                    pairs.append((_const(kw["code"]), _const(kw.get("severity"))))
            elif isinstance(node, ast.Dict):
                d = {_const(k): v for k, v in zip(node.keys, node.values) if k is not None}
                if isinstance(_const(d.get("code")), str):
                    pairs.append((_const(d["code"]), _const(d.get("severity"))))
            elif isinstance(node, ast.FunctionDef):  # a default code (InputError's "unreadable")
                a = node.args
                for arg, default in zip((a.args + a.kwonlyargs)[::-1], (a.defaults + a.kw_defaults)[::-1]):
                    if arg.arg == "code" and isinstance(_const(default), str):
                        pairs.append((_const(default), None))
            elif isinstance(node, ast.Tuple) and len(node.elts) == 2 and _const(node.elts[1]) in SEVERITIES \
                    and isinstance(_const(node.elts[0]), str):
                pairs.append((_const(node.elts[0]), _const(node.elts[1])))
            for code, severity in pairs:
                if CODE.match(code):
                    found.setdefault(code, set()).add(severity)
    return found


def test_every_raised_code_is_registered_with_its_severities() -> None:
    registry = issue_codes()
    raised = raised_codes()
    assert len(raised) > 50  # the scan finds the codes (it would pass vacuously otherwise)
    missing = sorted(set(raised) - set(registry))
    assert not missing, f"issue codes raised but not in data/issues.toml: {missing}"
    for code, severities in raised.items():
        known = {s for s in severities if s is not None}
        assert known <= set(registry[code].severities), (code, known, registry[code].severities)


def test_every_registered_code_is_raised() -> None:
    assert not sorted(set(issue_codes()) - set(raised_codes())), "codes in data/issues.toml nobody raises"


def test_templates_exist_and_every_issue_template_has_a_code() -> None:
    named = {c.template for c in issue_codes().values() if c.template}
    sections = {"issues", *(name.rpartition(".")[0] for name in named if "." in name)}
    keys = {key if section == "issues" else f"{section}.{key}"
            for section in sections for key in messages()[section]}
    assert named == keys  # every template is named by a code, and every name is a template
    for code in issue_codes().values():  # one template, or one per case
        if code.template:
            found = messages()[code.template.rpartition(".")[0] or "issues"][code.template.rpartition(".")[2]]
            cases = found if isinstance(found, dict) else {None: found}
            assert all(isinstance(t, str) for t in cases.values()), code.code
            for case in cases:
                assert issue_template(code.code, case) == cases[case]
    assert issue_message("table_weights", sum="95.00", execution="10.00") == \
        "项目指标分值合计 95.00，加预算执行 10.00 分后不等于100"


def test_every_code_has_a_template() -> None:
    """Each code's message is worded from its template (one, or one per variant) in data/messages.toml
    or data/wording/*.toml."""
    lacking = sorted(code for code, entry in issue_codes().items() if not entry.template)
    assert not lacking, f"issue codes without a template in data/issues.toml: {lacking}"
    for code, entry in issue_codes().items():
        section, _, key = entry.template.rpartition(".")
        assert key in messages().get(section or "issues", {}), f"{code}: no template {entry.template}"


def _issue_message_calls() -> list[tuple[str, str, object]]:
    """(where, code, variant) of every ``issue_message``/``issue_template`` call naming its code: a variant
    chosen by ``a if test else b`` gives both; one computed otherwise is skipped."""
    calls = []
    for path in ROOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None))
                    in ("issue_message", "issue_template") and node.args and isinstance(_const(node.args[0]), str)):
                continue
            where = f"{path.relative_to(ROOT.parent)}:{node.lineno}"
            arg = node.args[1] if len(node.args) > 1 else None
            variants = [arg.body, arg.orelse] if isinstance(arg, ast.IfExp) else [arg]
            for v in variants:
                if v is None or isinstance(v, ast.Constant):
                    calls.append((where, _const(node.args[0]), _const(v)))
    return calls


def test_every_issue_message_names_a_template() -> None:
    calls = _issue_message_calls()
    assert len(calls) > 100  # the scan finds the calls
    for where, code, variant in calls:
        assert code in issue_codes(), where
        issue_template(code, variant)  # KeyError: no such template or variant


def test_issue_templates_are_worded_through_their_code() -> None:
    """No ``message(section, key)`` call words an issue from a section of issue templates behind its
    code's back: the registry names the template of every issue."""
    sections = {c.template.rpartition(".")[0] or "issues" for c in issue_codes().values() if c.template}
    found = []
    for path in ROOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "message"
                    and node.args and _const(node.args[0]) in sections):
                found.append(f"{path.relative_to(ROOT.parent)}:{node.lineno}: {_const(node.args[0])}")
    assert not found, "issue templates worded with message() instead of issue_message():\n" + "\n".join(found)
