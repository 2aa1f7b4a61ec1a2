"""`evaluator compile TEXT…`: show how target texts compile."""
from __future__ import annotations

import argparse
import json

from ..compiler import compile_target
from ..target import Target
from ..wording import message, messages

KIND_NAMES: dict[str, str] = dict(messages()["cli_compile_kinds"])


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compile", help=message("cli_compile", "help"), description=message("cli_compile", "description"))
    p.add_argument("texts", nargs="+", metavar="TEXT", help=message("cli_compile", "texts_help"))
    p.add_argument("--json", action="store_true", help=message("cli_compile", "json_help"))
    p.set_defaults(func=run)


def describe(target: Target) -> str:
    """One readable Chinese line for a compiled target."""
    kind = KIND_NAMES.get(target.kind, target.kind)
    if target.kind == "all":
        return message("cli_compile", "clauses", kind=kind, clauses="；".join(describe(c) for c in target.clauses))
    if target.kind in ("compare", "range", "zero"):
        line = message("cli_compile", "canonical", kind=kind, canonical=target.canonical)
        if target.kind == "compare" and target.op is None:
            line += message("cli_compile", "no_direction")
        return line
    return message("cli_compile", "reason", kind=kind, reason=target.reason or target.canonical)


def _texts(args: argparse.Namespace) -> list[str]:
    import sys

    out: list[str] = []
    for t in args.texts:
        if t == "-":
            out.extend(line.rstrip("\n") for line in sys.stdin)
        else:
            out.append(t)
    return out


def run(args: argparse.Namespace) -> int:
    for text in _texts(args):
        target = compile_target(text)
        if args.json:
            print(json.dumps(target.to_dict(), ensure_ascii=False))
        else:
            print(message("cli_compile", "line", text=text, description=describe(target)))
    return 0
