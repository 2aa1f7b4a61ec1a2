"""Issues: every problem found in the input, as data (code, severity, location, message).

Nothing stops at the first problem: readers, the lint and the scorer append
:class:`Issue` rows and carry on. ``issues_frame`` turns them into the issues table.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

import pandas as pd

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Issue:
    code: str
    severity: str
    message: str
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    project_id: str | None = None
    project: str | None = None
    indicator_no: int | None = None
    cell: str | None = None

    def location(self) -> str:
        """Where the issue is, as a user sees it: 文件 · 工作表 · 第N行 · 列."""
        parts = []
        if self.file:
            parts.append(str(self.file))
        if self.sheet:
            parts.append(f"工作表「{self.sheet}」")
        if self.row is not None:
            parts.append(f"第{self.row}行")
        if self.column:
            parts.append(f"「{self.column}」列")
        if self.project:
            parts.append(f"项目「{self.project}」")
        if self.indicator_no is not None:
            parts.append(f"指标{self.indicator_no}")
        return " · ".join(parts)


ISSUE_COLUMNS = [f.name for f in fields(Issue)]


#: the ``cell`` column quotes at most this many characters (a 10 000-character cell stays readable)
MAX_ISSUE_CELL = 200


def _quote(cell: object) -> object:
    if isinstance(cell, str) and len(cell) > MAX_ISSUE_CELL:
        return cell[:MAX_ISSUE_CELL] + f"…（共 {len(cell)} 字）"
    return cell


def issues_frame(issues: list[Issue]) -> pd.DataFrame:
    """The issues table, columns in a fixed order even when empty."""
    # plain lists, not dataclasses.asdict (which deep-copies every field)
    return issues_table({c: [getattr(i, c) for i in issues] for c in ISSUE_COLUMNS}, len(issues))


def issues_table(columns: dict[str, list], n: int) -> pd.DataFrame:
    """The issues table from ``n`` issues given column by column (a missing column is None),
    for callers that find many issues at once and need not build an :class:`Issue` each."""
    df = pd.DataFrame({c: columns[c] if c in columns else [None] * n for c in ISSUE_COLUMNS}, columns=ISSUE_COLUMNS) \
        if n else pd.DataFrame(columns=ISSUE_COLUMNS)
    cells = df["cell"].tolist()
    if any(c.__class__ is str and len(c) > MAX_ISSUE_CELL for c in cells):
        df["cell"] = pd.Series([_quote(c) for c in cells], index=df.index, dtype=object)
    df["row"] = df["row"].astype("Int64")
    df["indicator_no"] = df["indicator_no"].astype("Int64")
    return df


class EvaluatorError(Exception):
    """Base of every error the engine raises on purpose."""


class InputError(ValueError, EvaluatorError):
    """A file could not be read at all (as opposed to a bad cell, which is an Issue)."""

    def __init__(self, message: str, file: str | None = None, code: str = "unreadable",
                 sheet: str | None = None, row: int | None = None):
        super().__init__(f"{file}: {message}" if file else message)
        self.file = file
        self.reason = message
        #: why the file could not be read (``file_empty``, ``xls_format``, ``xlsx_encrypted`` …;
        #: docs/robustness.md lists them), so tests and callers key on it, not on wording
        self.code = code
        self.sheet = sheet
        self.row = row


class RulePackError(ValueError, EvaluatorError):
    """A rule pack failed validation."""

    def __init__(self, message: str, pack: str | None = None, key: str | None = None):
        where = " · ".join(x for x in (pack, key) if x)
        super().__init__(f"{where}: {message}" if where else message)
        self.pack = pack
        self.key = key
