"""The report columns: name, dtype, Chinese header, and which outputs carry it, declared once in
``data/columns.toml`` (loaded and checked here).

CSV files are written with the Chinese headers by default (``evaluator score --headers zh``) and with
the English contract names on request (``--headers en``, and the Python API's default, which programs
read). With Chinese headers, codes are turned into labels a clerk reads — 状态 已评分 — and the code
keeps a column of its own (状态代码 ``scored``). docs/reports.md's data dictionary lists every column
declared here; ``tests/test_report_columns.py`` checks that every column written is declared and
documented.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any, Callable

import pandas as pd

from ..wording import message
from . import labels


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str      # text, int, number, share (0–1), bool, code
    zh: str         # the Chinese header
    outputs: str = "csv json"  # where the column appears (xlsx/html show a chosen subset, see excel.py/html.py)
    meaning: str = ""


_DTYPES = {"text", "int", "number", "share", "bool", "code"}
_OUTPUTS = {"csv", "json", "xlsx", "html"}


def _load() -> tuple[dict[str, list[Column]], dict[str, str]]:
    """The registry of ``data/columns.toml``, checked: per table its columns and its dictionary title."""
    text = resources.files("evaluator").joinpath("data", "columns.toml").read_text(encoding="utf-8")
    tables: dict[str, list[Column]] = {}
    titles: dict[str, str] = {}
    for table, spec in tomllib.loads(text).items():
        cols = [Column(**c) for c in spec["columns"]]
        names = [c.name for c in cols]
        bad = [c.name for c in cols if c.dtype not in _DTYPES or not set(c.outputs.split()) <= _OUTPUTS or not c.zh]
        if bad or len(set(names)) != len(names):
            raise ValueError(f"data/columns.toml [{table}]: bad or repeated columns {bad or names}")
        tables[table], titles[table] = cols, spec["title"]
    return tables, titles


_TABLES, _TITLES = _load()
INDICATORS = _TABLES["indicators"]
PROJECTS = _TABLES["projects"]
DEPARTMENTS = _TABLES["departments"]
ISSUES = _TABLES["issues"]
WARNINGS = _TABLES["warnings"]
#: tables.csv of `evaluator batch`: one row per input table
BATCH_TABLES = _TABLES["tables"]

#: columns of each written table, by the table's name in :data:`evaluator.reports.writer.FILES`
TABLES: dict[str, list[Column]] = {"indicators": INDICATORS, "projects": PROJECTS, "departments": DEPARTMENTS,
                                   "issues": ISSUES, "warnings": WARNINGS, "tables": BATCH_TABLES}

#: code column → (label column, code → label) added beside it with Chinese headers
LABELLED: dict[str, dict[str, tuple[str, Callable[[Any], str]]]] = {
    "indicators": {"status": ("status_label", labels.status_label),
                   "method": ("method_label", lambda c: labels.METHOD.get(str(c), str(c or "")))},
    "projects": {"status": ("status_label", labels.status_label)},
    "issues": {"severity": ("severity_label", lambda c: labels.SEVERITY.get(str(c), str(c or ""))),
               "code": ("code_label", labels.issue_label)},
}


def zh_header(table: str) -> dict[str, str]:
    return {c.name: c.zh for c in TABLES.get(table, [])}


def english_header(table: str) -> dict[str, str]:
    """Chinese header → contract name of a table's columns (to read back a CSV written with ``zh``)."""
    return {c.zh: c.name for c in TABLES.get(table, [])}


def chinese(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as written with Chinese headers: label columns beside their codes, headers renamed.
    Columns not declared keep their name (the registry test keeps that from happening)."""
    if frame is None or not len(frame.columns):
        return frame
    out = frame
    extra = LABELLED.get(table, {})
    if extra:
        cols: dict[str, Any] = {}
        for col in frame.columns:
            if col in extra:
                label_col, fn = extra[col]
                codes = frame[col]
                uniques = {v: fn(v) for v in pd.unique(codes.astype(object))}
                cols[label_col] = codes.astype(object).map(uniques)
            cols[col] = frame[col]
        out = pd.DataFrame(cols, index=frame.index)
    names = zh_header(table)
    return out.rename(columns={c: names.get(c, c) for c in out.columns})


def chinese_csv_file(path: Any, table: str, chunk_rows: int = 200_000) -> None:
    """Rewrite a CSV written with the contract names (as :mod:`evaluator.batch` writes its results) with
    the Chinese headers and label columns, chunk by chunk (memory stays that of one chunk). Cells are
    read back as the text written, so numbers keep their exact digits."""
    import os
    from pathlib import Path

    from .tables import csv_text

    path = Path(path)
    tmp = path.with_name(path.name + ".zh-tmp")
    with tmp.open("w", encoding="utf-8", newline="") as out:
        first = True
        for chunk in pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8-sig",
                                 chunksize=chunk_rows):
            out.write(("\ufeff" if first else "") + csv_text(chinese(table, chunk), header=first))
            first = False
        if first:  # an empty file: the header alone
            head = pd.read_csv(path, dtype=str, encoding="utf-8-sig", nrows=0)
            out.write("\ufeff" + csv_text(chinese(table, head)))
    os.replace(tmp, path)


def dictionary_markdown() -> str:
    """The data dictionary of docs/reports.md (generated from the registry, checked by a test)."""
    parts = []
    head = message("reports_dictionary", "header")
    for table, cols in TABLES.items():
        parts.append(f"### {_TITLES[table]}\n\n{head}\n|---|---|---|---|---|")
        for c in cols:
            parts.append(f"| {c.zh} | `{c.name}` | {c.dtype} | {c.outputs} | {c.meaning} |")
        parts.append("")
    return "\n".join(parts)


if __name__ == "__main__":  # python -m evaluator.reports.columns docs/reports.md: rewrite the dictionary there
    import sys
    from pathlib import Path

    doc = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/reports.md")
    text = doc.read_text(encoding="utf-8")
    start = "<!-- data dictionary: generated from evaluator/reports/columns.py (dictionary_markdown) -->"
    end = "<!-- end of data dictionary -->"
    a, b = text.index(start) + len(start) + 1, text.index(end)
    doc.write_text(text[:a] + dictionary_markdown() + "\n" + text[b:], encoding="utf-8")
