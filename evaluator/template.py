"""The actuals file a department fills in, made easy to fill right (``evaluator template``).

On top of :func:`evaluator.actuals.write_template`, :func:`make_template` fills 全年预算数 from the
target table where it is known (the unit corrects it if it changed); puts the 计量单位 of each target
beside its 实际完成值 cell; adds a drop-down on 评定 (达成 / 部分达成 / 未达成 / 不适用) and
number-only cells for scores and amounts; freezes the header row. 涉密 projects are not listed on the
funds sheet: they are never scored, so nobody is asked for their figures.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd

from .actuals import header, vocabulary, write_template
from .wording import message, messages

_FILL = messages()["template_fill"]

#: the choices of the 评定 drop-down
RATINGS = tuple(_FILL["ratings"])
#: header of the unit column added beside 实际完成值 (read back by nobody: the reader ignores it)
UNIT_HEADER = _FILL["unit_header"]
#: numeric columns (canonical keys of data/actuals.toml) that get a number-only validation
NUMBER_KEYS = ("self_score", "budget", "spent", "self_execution", "self_total")


def _budgets(table: Any) -> dict[str, float]:
    """全年预算数 known from the target table: its 全年预算数 column, else the 年初预算数 total."""
    p = table.projects
    out: dict[str, float] = {}
    for col in ("table_budget_annual", "budget_total"):
        if col not in p:
            continue
        for pid, v in zip(p["project_id"], pd.to_numeric(p[col], errors="coerce")):
            if pid not in out and v == v and v is not None:
                out[str(pid)] = float(v)
    return out


def _classified(table: Any) -> set[str]:
    p = table.projects
    if "classified" not in p:
        return set()
    return {str(pid) for pid, c in zip(p["project_id"], p["classified"].fillna(False)) if bool(c)}


def _units(table: Any) -> dict[tuple[str, str], str]:
    ind = table.indicators
    out = {}
    for pid, no, t, hint in zip(ind["project_id"], ind["indicator_no"], ind["target"],
                                ind["unit_hint"] if "unit_hint" in ind else [""] * len(ind)):
        unit = getattr(t, "unit", None) or (hint if isinstance(hint, str) else "") or ""
        out[(str(pid), str(no))] = str(unit)
    return out


def finish_xlsx(table: Any, path: Path) -> None:
    from openpyxl import load_workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    t = vocabulary()["template"]
    wb = load_workbook(path)
    grey = PatternFill("solid", fgColor="EEEEEE")
    ind_ws, proj_ws = wb[t["indicator_sheet"]], wb[t["project_sheet"]]
    # the unit beside the actual cell
    heads = [c.value for c in ind_ws[1]]
    at = heads.index(header("actual_text")) + 2  # the column after 实际完成值
    ind_ws.insert_cols(at)
    ind_ws.cell(1, at, UNIT_HEADER).font = Font(bold=True)
    units = _units(table)
    pid_col, no_col = heads.index(header("project_id")) + 1, heads.index(header("indicator_no")) + 1
    for r in range(2, ind_ws.max_row + 1):
        key = (str(ind_ws.cell(r, pid_col).value), str(ind_ws.cell(r, no_col).value))
        cell = ind_ws.cell(r, at, units.get(key) or None)
        cell.fill = grey
        cell.alignment = Alignment(vertical="top")
    ind_ws.column_dimensions[ind_ws.cell(1, at).column_letter].width = 10
    # the funds sheet: no 涉密 rows; 全年预算数 from the table
    secret = _classified(table)
    pheads = [c.value for c in proj_ws[1]]
    ppid = pheads.index(header("project_id")) + 1
    for r in range(proj_ws.max_row, 1, -1):
        if str(proj_ws.cell(r, ppid).value) in secret:
            proj_ws.delete_rows(r)
    budgets = _budgets(table)
    bcol = pheads.index(header("budget")) + 1
    for r in range(2, proj_ws.max_row + 1):
        v = budgets.get(str(proj_ws.cell(r, ppid).value))
        if v is not None and not math.isnan(v):
            proj_ws.cell(r, bcol, v).number_format = "#,##0.00"
    # drop-down and number-only cells
    for ws in (ind_ws, proj_ws):
        names = [c.value for c in ws[1]]
        last = max(ws.max_row, 2)
        if header("rating") in names:
            col = ws.cell(1, names.index(header("rating")) + 1).column_letter
            dv = DataValidation(type="list", formula1='"' + ",".join(RATINGS) + '"', allow_blank=True,
                                showErrorMessage=True, errorTitle=_FILL["rating_title"],
                                error=message("template_fill", "rating_error", choices="、".join(RATINGS)),
                                promptTitle=_FILL["rating_title"], prompt=_FILL["rating_prompt"], showInputMessage=True)
            dv.add(f"{col}2:{col}{last}")
            ws.add_data_validation(dv)
        for key in NUMBER_KEYS:
            if header(key) in names:
                col = ws.cell(1, names.index(header(key)) + 1).column_letter
                dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                                    showErrorMessage=True, errorTitle=header(key), error=_FILL["number_error"])
                dv.add(f"{col}2:{col}{last}")
                ws.add_data_validation(dv)
        ws.freeze_panes = "A2"
    wb.save(path)


def finish_csv(table: Any, path: Path) -> None:
    """The CSV template: 全年预算数 pre-filled, 涉密 project rows left out (no validation in a CSV)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    pid, kind = header("project_id"), header("kind")
    frame = frame[~frame[pid].isin(_classified(table))]
    project_word = vocabulary()["row_types"]["project"][0]
    budgets = _budgets(table)
    if header("budget") in frame:
        is_project = frame[kind] == project_word
        frame.loc[is_project, header("budget")] = [f"{budgets[p]:g}" if p in budgets else ""
                                                   for p in frame.loc[is_project, pid]]
    frame.to_csv(path, index=False, encoding="utf-8-sig")


def make_template(table: Any, path: str | Path) -> Path:
    """Write the fill-in file for ``table`` to ``path`` (.xlsx or .csv) and return the path written."""
    written = Path(write_template(table, path))
    (finish_csv if written.suffix.lower() == ".csv" else finish_xlsx)(table, written)
    return written


def classified_count(table: Any) -> int:
    """涉密 projects of ``table`` (left off the funds sheet)."""
    return len(_classified(table))
