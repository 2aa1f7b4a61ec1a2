"""Issues: every problem found in the input, as data (code, severity, location, message).

Nothing stops at the first problem: readers, the lint and the scorer append
:class:`Issue` rows and carry on. ``issues_frame`` turns them into the issues table.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from functools import lru_cache
from importlib import resources
from operator import attrgetter
from types import NoneType
from typing import Any

import numpy as np
import pandas as pd

from .enums import Severity
from .frames import full_object
from .wording import message, messages

SEVERITIES = tuple(s.value for s in Severity)


@dataclass(frozen=True)
class IssueCode:
    """One entry of the issue-code registry ``data/issues.toml``."""

    code: str
    #: the severities it is raised with (most often one)
    severities: tuple[str, ...]
    #: where it is found: read, lint, actuals, score, rollup, batch, file
    stage: str
    #: what it means, in a few Chinese words
    title: str
    #: its message template (:func:`issue_message`): its key in data/messages.toml [issues], or
    #: ``SECTION.KEY`` of data/wording/*.toml (every code has one: tests/test_issue_codes.py)
    template: str | None = None


@lru_cache(maxsize=1)
def issue_codes() -> dict[str, IssueCode]:
    """Every issue code the engine raises, by code (``data/issues.toml``)."""
    raw = tomllib.loads(resources.files("evaluator").joinpath("data/issues.toml").read_text(encoding="utf-8"))
    out = {}
    for code, entry in raw.items():
        severity = entry["severity"]
        severities = tuple(severity) if isinstance(severity, list) else (severity,)
        if not set(severities) <= set(SEVERITIES):
            raise ValueError(f"data/issues.toml [{code}]: unknown severity {severity!r}")
        out[code] = IssueCode(code, severities, entry["stage"], entry["title"], entry.get("template"))
    return out


@lru_cache(maxsize=None)
def issue_template(code: str, variant: str | None = None) -> str:
    """The message template of a registered issue: its ``template`` in data/issues.toml names a key
    of data/messages.toml [issues], or ``SECTION.KEY`` of a ``data/wording/*.toml`` section. A key
    holding a table has one template per variant (``variant`` picks one)."""
    name = issue_codes()[code].template
    if name is None:
        raise KeyError(f"issue code {code!r} has no template in data/issues.toml")
    section, _, key = name.rpartition(".")
    found = messages()[section or "issues"][key]
    if isinstance(found, dict):
        if variant is None:
            raise KeyError(f"issue code {code!r} has several templates: name one of {sorted(found)}")
        return found[variant]
    if variant is not None:
        raise KeyError(f"issue code {code!r} has one template, not variant {variant!r}")
    return found


def issue_message(code: str, variant: str | None = None, /, **values: Any) -> str:
    """The message of a registered issue worded from its template (:func:`issue_template`)."""
    return issue_template(code, variant).format_map(values)


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
        for field in ("sheet", "row", "column", "project", "indicator_no"):
            value = getattr(self, field)
            if value is not None if field in ("row", "indicator_no") else value:
                parts.append(message("issues_location", field, value=value))
        return " · ".join(parts)


ISSUE_COLUMNS = [f.name for f in fields(Issue)]


#: the ``cell`` column quotes at most this many characters (a 10 000-character cell stays readable)
MAX_ISSUE_CELL = 200


def _quote(cell: object) -> object:
    if isinstance(cell, str) and len(cell) > MAX_ISSUE_CELL:
        return cell[:MAX_ISSUE_CELL] + message("issues_location", "cut", n=len(cell))
    return cell


def issues_frame(issues: list[Issue]) -> pd.DataFrame:
    """The issues table, columns in a fixed order even when empty."""
    # plain lists, not dataclasses.asdict (which deep-copies every field): one tuple per issue, transposed
    if not issues:
        return issues_table({}, 0)
    return issues_table(dict(zip(ISSUE_COLUMNS, map(list, zip(*map(_ISSUE_FIELDS, issues))))), len(issues))


_ISSUE_FIELDS = attrgetter(*ISSUE_COLUMNS)
#: the columns read as whole numbers (Int64)
_INT_COLUMNS = ("row", "indicator_no")


def issues_table(columns: dict[str, list], n: int) -> pd.DataFrame:
    """The issues table from ``n`` issues given column by column (a missing column is None),
    for callers that find many issues at once and need not build an :class:`Issue` each.

    As ``pd.DataFrame`` makes it from the columns (types inferred from lists; ``row`` and
    ``indicator_no`` then Int64), with the common columns made directly: lists of texts and None
    as object arrays, lists of whole numbers and None as Int64, the frame not consolidated
    (every array is fresh).
    """
    if not n:
        return _empty_issues().copy()
    data = {c: _issue_column(c, columns[c] if c in columns else None, n) for c in ISSUE_COLUMNS}
    df = pd.DataFrame(data, columns=ISSUE_COLUMNS, copy=False)
    cells = df["cell"].tolist()
    if _any_longer(cells, MAX_ISSUE_CELL):
        df["cell"] = pd.Series([_quote(c) for c in cells], index=df.index, dtype=object)
    for c in _INT_COLUMNS:
        if df[c].dtype != "Int64":
            df[c] = df[c].astype("Int64")
    return df


def _issue_column(name: str, values: Any, n: int) -> Any:
    """One column for :func:`issues_table`: a fresh array, or the values as given for pandas to infer."""
    if values is None:
        if name in _INT_COLUMNS:
            return pd.arrays.IntegerArray(np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool))
        return full_object(n, None)
    if isinstance(values, np.ndarray):
        return values.copy()
    if not isinstance(values, list) or len(values) != n:
        return values  # pandas says what is wrong, or makes what it makes of it
    types = set(map(type, values))
    if name in _INT_COLUMNS:
        if types <= {int, NoneType}:
            arr = np.fromiter(values, dtype=object, count=n)
            missing = arr == None  # noqa: E711 (per element: is it None)
            ints = np.where(missing, 0, arr)
            # as pandas would (through floats when some are missing): only numbers exact as floats
            if np.abs(ints).max() < 2 ** 53:
                return pd.arrays.IntegerArray(ints.astype(np.int64), missing)
        return values
    if types <= {str, NoneType}:  # (pandas 3 stores it as its str dtype)
        return np.fromiter(values, dtype=object, count=n)
    return values


def _any_longer(values: list, limit: int) -> bool:
    """Is any text among ``values`` longer than ``limit``."""
    if set(map(type, values)) <= {str, NoneType}:
        return max(map(len, filter(None, values)), default=0) > limit  # (None and "" are left out)
    return any(c.__class__ is str and len(c) > limit for c in values)


def concat_issues(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """``pd.concat(frames, ignore_index=True).reindex(columns=ISSUE_COLUMNS)`` for issue tables.

    When every frame has the issue columns with the issue table's types (object, and Int64 for
    ``row``/``indicator_no``), column by column: pandas' concat looks at every cell of frames laid
    out differently to see if a column is all missing (about 10 µs per issue at a million
    indicators). Anything else goes through pandas.
    """
    frames = [df for df in frames if df is not None and len(df)]
    if not frames:
        return _empty_issues().copy()
    if len(frames) == 1 or not all(_plain_issues(df) for df in frames):
        return pd.concat(frames, ignore_index=True).reindex(columns=ISSUE_COLUMNS)
    data = {c: (pd.arrays.IntegerArray._concat_same_type([df[c].array for df in frames]) if c in _INT_COLUMNS
                else np.concatenate([df[c].to_numpy() for df in frames])) for c in ISSUE_COLUMNS}
    return pd.DataFrame(data, columns=ISSUE_COLUMNS, copy=False)


def _plain_issues(df: pd.DataFrame) -> bool:
    return list(df.columns) == ISSUE_COLUMNS and all(
        (dtype == "Int64") if c in _INT_COLUMNS else (dtype == object) for c, dtype in df.dtypes.items())


@lru_cache(maxsize=1)
def _empty_issues() -> pd.DataFrame:
    """The issues table without issues (copied for each caller)."""
    df = pd.DataFrame(columns=ISSUE_COLUMNS)
    for c in _INT_COLUMNS:
        df[c] = df[c].astype("Int64")
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
