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

from ..issues import InputError, Issue, issue_message, issues_frame
from ..wording import message
from .columnar import read_columns
from .header import Header, header_issues, label_value, parse_header, strip_department_tags, two_row_header
from .io import Grid, Loaded, Sheet, load_rows, load_text_grid
from .layout_file import Layout, cell_ref, explain, layout_header, load_layout
from .model import MONEY_FIELDS, ProjectRecord, RawTable, TargetTable
from .vocab import fold, vocabulary
from .rows_layout import read_indicator_rows
from .seed_layout import read_seed_rows
from .self_evaluation import preamble_project
from .tidy import frames

__all__ = ["TargetTable", "read_targets"]


def read_targets(path: str | os.PathLike, *, money_unit: str | None = None, check: bool = True,
                 layout: str | os.PathLike | Layout | None = None) -> TargetTable:
    """Read a target table file; with ``check`` (default) the lint's issues are included.

    ``money_unit`` (``万元``/``元``) overrides the unit printed in (or guessed for) the table.
    ``layout``: a layout file (or :class:`~.layout_file.Layout`) naming the header rows and
    columns, for a table the reader cannot classify (see :mod:`.layout_file`).
    """
    from ..compiler import compile_target

    path = Path(path)
    if layout is not None:
        layout = layout if isinstance(layout, Layout) else load_layout(layout)
        loaded = load_rows(path)
        issues = list(loaded.issues)
        raw = read_with_layout(loaded.sheets, layout, path.name, issues)
        grid = None
    else:
        grid = load_text_grid(path)  # None for an Excel workbook
        issues = list(grid.issues) if grid is not None else []
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
                        path.name, raw.layout, encoding, _totals_frame(raw, factor, issues), factor, str(path),
                        list(raw.headers))
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
    printed = read_columns(header, grid.cells[body], grid.lengths[body], grid.numbers[body], raw, None, found,
                           grid.column_codes(body))
    if printed is None:
        return None
    issues.extend(header_issues(header, file, None))
    issues.extend(found)
    raw.layout, raw.printed = header.layout, printed
    raw.headers.append((None, header))
    return raw


def _read_sheets(sheets: tuple[Sheet, ...], file: str, issues: list[Issue]) -> RawTable:
    raw = RawTable(file=file, layout="")
    found = False
    for sheet in sheets:
        header, start = _find_header(sheet, raw)
        if header is None:
            if len(sheets) > 1 and any(any(r.cells) for r in sheet.rows):
                issues.append(Issue("sheet_skipped", "info", issue_message("sheet_skipped"),
                                    file=file, sheet=sheet.name))
            continue
        found = True
        raw.headers.append((sheet.name, header))
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
        LAYOUT_READERS[header.layout](header, sheet, start, raw, issues)
    if not found:
        raise InputError(issue_message("no_header", "table"), file=file, code="no_header")
    return raw


def _read_seed(header: Header, sheet: Sheet, start: int, raw: RawTable, issues: list[Issue]) -> None:
    read_seed_rows(header, list(sheet.rows[start + 1:]), raw, sheet.name, issues)


def _read_rows(header: Header, sheet: Sheet, start: int, raw: RawTable, issues: list[Issue]) -> None:
    project = preamble_project(header, sheet.rows[:start], raw, sheet.name)
    read_indicator_rows(header, list(sheet.rows[start + 1:]), raw, sheet.name, issues, project=project,
                        positional=sheet.name is not None)


#: layout name (as :func:`.header.parse_header` detects it) -> reader of the rows under its header
LAYOUT_READERS = {"seed": _read_seed, "rows": _read_rows}


def read_with_layout(sheets: tuple[Sheet, ...], layout: Layout, file: str, issues: list[Issue]) -> RawTable:
    """Read the sheet a layout file names, with its header rows and columns as the file says."""
    raw = RawTable(file=file, layout="rows")
    if layout.sheet:
        sheet = next((s for s in sheets if s.name == layout.sheet), None)
        if sheet is None:
            raise InputError(issue_message("layout_file", "sheet_missing", sheet=layout.sheet,
                                     sheets="、".join(str(s.name) for s in sheets)), file=file, code="layout_file")
    else:
        sheet = next((s for s in sheets if any(any(r.cells) for r in s.rows)), sheets[0])
    by_number = {r.number: r for r in sheet.rows}
    missing = [n for n in layout.header_rows if n not in by_number]
    if missing:
        raise InputError(issue_message("layout_file", "rows_missing", rows="、".join(map(str, missing))), file=file,
                         sheet=sheet.name, code="layout_file")
    last = max(layout.header_rows)
    header = layout_header(layout, [by_number[n].cells for n in sorted(layout.header_rows)], last, file)
    raw.headers.append((sheet.name, header))
    not_read = message("readers_layout", "not_read")
    issues.append(Issue("layout_file", "info", issue_message("layout_file", "read", columns="；".join(
        line.strip() for line in explain(header) if not_read not in line)), file=file, sheet=sheet.name, row=last))
    above = [r for r in sheet.rows if r.number < min(layout.header_rows)]
    for row in above:
        for cell in row.cells:
            declared = label_value(cell)
            if declared and declared[0] == "money_unit":
                raw.money_unit, raw.money_unit_declared = declared[1], True
    project = preamble_project(header, above, raw, sheet.name)
    if layout.project_name:
        if project is None:
            project = ProjectRecord(layout.project_name, raw.department, sheet.name, last)
            raw.projects.append(project)
        project.project = layout.project_name
    if layout.budget_cell:
        ref = cell_ref(layout.budget_cell)
        row = by_number.get(ref[0]) if ref else None
        text = row.cells[ref[1]] if row is not None and ref[1] < len(row.cells) else ""
        if not text:
            raise InputError(issue_message("layout_file", "budget_empty", cell=layout.budget_cell), file=file,
                             sheet=sheet.name, code="layout_file")
        if project is None:
            project = ProjectRecord("", raw.department, sheet.name, last)
            raw.projects.append(project)
        project.money_printed["budget_total"] = text
        project.money_columns["budget_total"] = layout.budget_cell
    body = [r for r in sheet.rows if r.number > last]
    read_indicator_rows(header, body, raw, sheet.name, issues, project=project, positional=True)
    return raw


def _find_header(sheet: Sheet, raw: RawTable) -> tuple[Header | None, int]:
    """The first header row; label lines above it (部门名称：, 单位：万元) are read on the way.

    A header printed on two rows (a group row above, or 年度/实施周期 below) is read as one:
    the returned index is that of its last row.
    """
    for k, row in enumerate(sheet.rows):
        header = parse_header(row.cells, row.number)
        if header is not None:
            return two_row_header(header, sheet.rows, k, sheet.name is not None)
        if any(w in fold(c) for c in row.cells[:2] if c for w in vocabulary().labels["department_wide"]):
            raw.department_wide = True
        for cell in row.cells:
            declared = label_value(cell)
            if declared and declared[0] == "department" and not raw.department:
                raw.department = strip_department_tags(declared[1])
            elif declared and declared[0] == "money_unit":
                raw.money_unit, raw.money_unit_declared = declared[1], True
    return None, 0


def _name_unnamed_projects(raw: RawTable, path: Path, issues: list[Issue]) -> None:
    if raw.department_wide and len(raw.projects) == 1 and not raw.projects[0].project:
        # 部门整体支出绩效表: the whole department is the one "project"
        p = raw.projects[0]
        p.project = (message("readers_table", "department_wide_project", department=raw.department) if raw.department
                     else message("readers_table", "department_wide_unnamed", file=path.stem))
        issues.append(Issue("department_wide", "info", issue_message("department_wide", project=p.project),
                            file=raw.file, sheet=p.sheet, row=p.row))
    for p in raw.projects:
        if not p.project:
            p.project = path.stem
            issues.append(Issue("missing_project_name", "info", issue_message("missing_project_name", file=path.stem),
                                file=raw.file, sheet=p.sheet, row=p.row))
        if not p.department:
            p.department = raw.department


def _first_department(projects: pd.DataFrame) -> str:
    """The first department named (as an array: a Series is read one element at a time)."""
    return next((d for d in projects["department"].to_numpy(dtype=object) if d), "")


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
