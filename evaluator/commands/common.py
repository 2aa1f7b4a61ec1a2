"""What every command shares: checking outputs and rule packs before any work, and the terminal lines
a clerk reads first (notices, error-level issues)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ..issues import InputError, Issue, RulePackError
from ..rules import available_packs, load_rule_pack

#: error-level issues printed in the terminal (the rest are in issues.csv)
ERROR_LINES = 5


def rules_help() -> str:
    return f"规则包名称或 .toml 文件路径（内置：{'、'.join(available_packs())}；默认 national-2020）"


def rule_pack(spec: Any) -> Any:
    """The rule pack, or a Chinese error (exit 2) when the file is not a TOML text."""
    try:
        return load_rule_pack(spec)
    except UnicodeDecodeError:
        raise RulePackError(f"规则包文件「{spec}」不是 UTF-8 编码的 TOML 文本（是否选错了文件？）",
                            pack=str(spec)) from None
    except IsADirectoryError:
        raise RulePackError(f"规则包「{spec}」是一个文件夹，应为 .toml 文件", pack=str(spec)) from None


def output_dir(path: str | Path) -> Path:
    """``-o OUTDIR`` checked before any work: a folder, or a path that does not exist yet."""
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise InputError(f"输出位置「{p}」是一个已有的文件；-o 应指向一个文件夹（不存在时会新建）", code="output_not_dir")
    return p


def output_file(path: str | Path, suffixes: tuple[str, ...], what: str) -> Path:
    """``-o FILE`` checked before any work: one of ``suffixes``, not a folder."""
    p = Path(path)
    if p.suffix.lower() not in suffixes:
        shown = p.suffix or "（无扩展名）"
        raise InputError(f"{what}只能写成 {' 或 '.join(suffixes)} 文件，而不是 {shown}：{p}", code="output_format")
    if p.is_dir():
        raise InputError(f"输出位置「{p}」是一个文件夹；-o 应指向一个{'/'.join(suffixes)} 文件", code="output_is_dir")
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
        lines.append(f"  [错误] {where}：{issue.message}" if where else f"  [错误] {issue.message}")
    if len(errors) > limit:
        lines.append(f"  等，另有 {len(errors) - limit} 条错误见 issues.csv")
    return lines


def cut(items: list[str], limit: int, sep: str = "、") -> str:
    """``a、b、c等 N 项`` for a list cut at ``limit`` (says how many more), the whole list otherwise."""
    if len(items) <= limit:
        return sep.join(items)
    return sep.join(items[:limit]) + f"等（另有 {len(items) - limit} 项）"


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
