"""Read a department's 项目支出绩效目标表 into one tidy indicator table.

>>> table = read_targets("seed.txt")            # doctest: +SKIP
>>> len(table.projects), len(table.indicators)  # doctest: +SKIP
(28, 84)

Layouts: the seed's one-cell-per-project table and row-per-indicator tables (see
``docs/readers.md``), as .txt/.tsv/.csv (UTF-8, UTF-8 with BOM, GBK/GB18030) or .xlsx.
Bad cells never stop the read: they become rows of ``issues``. A file that cannot be
read at all raises :class:`evaluator.issues.InputError`.
"""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from ..issues import InputError, Issue, issues_frame
from .columnar import read_columns
from .header import Header, header_issues, label_value, parse_header, strip_department_tags
from .io import Grid, Loaded, Sheet, load_rows, load_text_grid
from .model import MONEY_FIELDS, RawTable, TargetTable
from .rows_layout import read_indicator_rows
from .seed_layout import read_seed_rows
from .self_evaluation import preamble_project
from .tidy import frames

__all__ = ["TargetTable", "read_targets"]


def read_targets(path: str | os.PathLike, *, money_unit: str | None = None, check: bool = True) -> TargetTable:
    """Read a target table file; with ``check`` (default) the lint's issues are included.

    ``money_unit`` (``万元``/``元``) overrides the unit printed in (or guessed for) the table.
    """
    from ..compiler import compile_target

    path = Path(path)
    grid = load_text_grid(path)  # None for an Excel workbook
    issues: list[Issue] = list(grid.issues) if grid is not None else []
    raw = _read_grid(grid, path.name, issues) if grid is not None else None
    if raw is None:  # Excel, or a text table that needs the row reader
        loaded = Loaded((Sheet(None, grid.rows()),), grid.encoding, grid.issues) if grid is not None else load_rows(path)
        issues = list(loaded.issues)
        raw = _read_sheets(loaded.sheets, path.name, issues)
    encoding = grid.encoding if grid is not None else loaded.encoding
    if money_unit:
        raw.money_unit, raw.money_unit_declared = money_unit, True
    _name_unnamed_projects(raw, path, issues)
    projects, indicators, factor = frames(raw, issues, compile_target)
    table = TargetTable(projects, indicators, issues_frame([]), raw.department or _first_department(projects),
                        path.name, raw.layout, encoding, _totals_frame(raw, factor, issues), factor, str(path))
    table.issues = issues_frame(issues)
    if check:  # a thin wrapper: the pipeline reads with check=False, then runs evaluator.check.lint
        from ..check import lint
        lint(table)
    return table


#: the header of a text table is looked for in this many rows before the column-wise path gives up
HEADER_SCAN = 200


def _read_grid(grid: Grid, file: str, issues: list[Issue]) -> RawTable | None:
    """A text table read column-wise, or None when it needs the row reader (see :mod:`.columnar`)."""
    raw = RawTable(file=file, layout="")
    header, start = _find_header(Sheet(None, grid.rows(0, HEADER_SCAN)), raw)
    if header is None or header.layout != "rows":
        return None
    body = slice(start + 1, None)
    found: list[Issue] = []
    printed = read_columns(header, grid.cells[body], grid.lengths[body], grid.numbers[body], raw, None, found)
    if printed is None:
        return None
    issues.extend(header_issues(header, file, None))
    issues.extend(found)
    raw.layout, raw.printed = header.layout, printed
    return raw


def _read_sheets(sheets: tuple[Sheet, ...], file: str, issues: list[Issue]) -> RawTable:
    raw = RawTable(file=file, layout="")
    found = False
    for sheet in sheets:
        header, start = _find_header(sheet, raw)
        if header is None:
            if len(sheets) > 1 and any(any(r.cells) for r in sheet.rows):
                issues.append(Issue("sheet_skipped", "info", "该工作表中没有找到绩效目标表的表头，未读取",
                                    file=file, sheet=sheet.name))
            continue
        found = True
        issues.extend(header_issues(header, file, sheet.name))
        raw.layout = raw.layout or header.layout
        if len(sheets) == 1 and header.layout == "rows":
            body = Grid.from_rows(sheet.rows[start + 1:], "", ())
            reported: list[Issue] = []
            printed = read_columns(header, body.cells, body.lengths, body.numbers, raw, sheet.name, reported)
            if printed is not None:
                issues.extend(reported)
                raw.printed = printed
                continue
        rows = list(sheet.rows[start + 1:])
        if header.layout == "seed":
            read_seed_rows(header, rows, raw, sheet.name, issues)
        else:
            read_indicator_rows(header, rows, raw, sheet.name, issues,
                                project=preamble_project(header, sheet.rows[:start], raw, sheet.name))
    if not found:
        raise InputError("没有找到绩效目标表的表头（需要「项目名称…绩效指标」或「一级指标/二级指标/三级指标/指标值」等列）；"
                         "如果表头在，可能是文件编码不对（如 Big5、Shift-JIS），请另存为 UTF-8 的 CSV 或 .xlsx",
                         file=file, code="no_header")
    return raw


def _find_header(sheet: Sheet, raw: RawTable) -> tuple[Header | None, int]:
    """The first header row; label lines above it (部门名称：, 单位：万元) are read on the way."""
    for k, row in enumerate(sheet.rows):
        header = parse_header(row.cells, row.number)
        if header is not None:
            return header, k
        for cell in row.cells:
            declared = label_value(cell)
            if declared and declared[0] == "department" and not raw.department:
                raw.department = strip_department_tags(declared[1])
            elif declared and declared[0] == "money_unit":
                raw.money_unit, raw.money_unit_declared = declared[1], True
    return None, 0


def _name_unnamed_projects(raw: RawTable, path: Path, issues: list[Issue]) -> None:
    for p in raw.projects:
        if not p.project:
            p.project = path.stem
            issues.append(Issue("missing_project_name", "info", f"表中没有项目名称，以文件名「{path.stem}」代替",
                                file=raw.file, sheet=p.sheet, row=p.row))
        if not p.department:
            p.department = raw.department


def _first_department(projects: pd.DataFrame) -> str:
    deps = [d for d in projects["department"] if d]
    return deps[0] if deps else ""


def _totals_frame(raw: RawTable, factor: float, issues: list[Issue]) -> pd.DataFrame:
    from .tidy import amount

    rows = []
    for t in raw.totals:
        money = {f: amount(t.money_printed.get(f, ""), factor, issues, raw.file, column=t.money_columns.get(f, f),
                           row=t.row, sheet=t.sheet) for f in MONEY_FIELDS}
        rows.append({"kind": t.kind, "label": t.label, **money, "first_project": t.first_project,
                     "source_sheet": t.sheet or "", "source_row": t.row,
                     "columns": dict(t.money_columns)})
    return pd.DataFrame(rows, columns=["kind", "label", *MONEY_FIELDS, "first_project", "source_sheet",
                                       "source_row", "columns"])
