"""What every command shares: checking outputs and rule packs before any work, and the terminal lines
a clerk reads first (notices, error-level issues)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ..issues import InputError, Issue, RulePackError, issue_message
from ..rules import available_packs, load_rule_pack
from ..wording import message

#: error-level issues printed in the terminal (the rest are in issues.csv)
ERROR_LINES = 5


def rules_help() -> str:
    return message("cli_common", "rules_help", packs="、".join(available_packs()))


def rule_pack(spec: Any) -> Any:
    """The rule pack, or a Chinese error (exit 2) when the file is not a TOML text."""
    try:
        return load_rule_pack(spec)
    except UnicodeDecodeError:
        raise RulePackError(message("cli_common", "rules_not_utf8", pack=spec), pack=str(spec)) from None
    except IsADirectoryError:
        raise RulePackError(message("cli_common", "rules_is_dir", pack=spec), pack=str(spec)) from None


def output_dir(path: str | Path) -> Path:
    """``-o OUTDIR`` checked before any work: a folder, or a path that does not exist yet."""
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise InputError(issue_message("output_not_dir", "option", path=p), code="output_not_dir")
    return p


def output_file(path: str | Path, suffixes: tuple[str, ...], what: str) -> Path:
    """``-o FILE`` checked before any work: one of ``suffixes``, not a folder."""
    p = Path(path)
    if p.suffix.lower() not in suffixes:
        shown = p.suffix or message("cli_common", "no_suffix")
        raise InputError(issue_message("output_format", "file", what=what, shown=shown, path=p,
                                 suffixes=message("cli_common", "output_format_join").join(suffixes)), code="output_format")
    if p.is_dir():
        raise InputError(issue_message("output_is_dir", "file", path=p, suffixes="/".join(suffixes)), code="output_is_dir")
    return p


def error_lines(issues: pd.DataFrame | None, limit: int = ERROR_LINES) -> list[str]:
    """The first ``limit`` error-level issues as 「位置：说明」 lines, and how many more."""
    if issues is None or not len(issues) or "severity" not in issues:
        return []
    errors = issues[issues["severity"] == "error"]
    lines = []
    for rec in errors.head(limit).to_dict("records"):
        clean = {k: (None if _missing(v) else v) for k, v in rec.items() if k in Issue.__dataclass_fields__}
        issue = Issue(**clean)
        where = issue.location()
        lines.append(message("cli_common", "error_line", where=where, message=issue.message) if where
                     else message("cli_common", "error_line_nowhere", message=issue.message))
    if len(errors) > limit:
        lines.append(message("cli_common", "more_errors", n=len(errors) - limit))
    return lines


def cut(items: list[str], limit: int, sep: str = "、") -> str:
    """``a、b、c等 N 项`` for a list cut at ``limit`` (says how many more), the whole list otherwise."""
    if len(items) <= limit:
        return sep.join(items)
    return sep.join(items[:limit]) + message("cli_common", "more_items", n=len(items) - limit)


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
