"""Excel report in the official 项目支出绩效自评表 layout (财预〔2020〕10号 附件).

Sheets: 项目自评表 (one block per project, a page break between projects),
部门汇总, 问题清单, 部门比较 (comparisons only) and 出处 (provenance).
Every text cell goes through :func:`~evaluator.reports.tables.neutralise`, so a cell
typed as ``=HYPERLINK(...)`` is shown as text, never run as a formula.

The file is byte-identical for identical inputs: workbook properties carry a fixed
time (see :func:`~evaluator.reports.provenance.report_time`) and the zip is rewritten
with fixed entry timestamps.
"""
from __future__ import annotations

import io
import math
import re
import zipfile
from typing import Any, Iterable

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

from ..rollup import DERIVED_LABEL, PROFILE_KEYS, PROFILE_NAMES, DepartmentRollup
from ..wording import message, messages
from . import labels
from .provenance import provenance_rows, report_time
from .tables import neutralise, plain, target_cell


def _w(section: str, key: str, **values: Any) -> str:
    """Wording of the workbook: ``[reports_excel…]`` of data/wording/reports.toml."""
    return message(f"reports_{section}", key, **values)


FONT = _w("excel", "font")
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="DDE5F0")
TITLE_FONT = Font(name=FONT, size=14, bold=True)
NOTICE_FONT = Font(name=FONT, size=11, bold=True, color="B03020")
BOLD = Font(name=FONT, bold=True)
BODY = Font(name=FONT, size=10)
WRAP = Alignment(wrap_text=True, vertical="center")
CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")

#: named styles (one per look): assigning a registered name is far cheaper than per-cell style objects
STYLES = {
    "ev_body": dict(font=BODY, alignment=WRAP, border=BORDER),
    "ev_plain": dict(font=BODY, alignment=WRAP),
    "ev_head": dict(font=BOLD, alignment=CENTER, border=BORDER, fill=HEAD_FILL),
    "ev_label": dict(font=BOLD, alignment=WRAP, border=BORDER, fill=HEAD_FILL),
    "ev_bold": dict(font=BOLD, alignment=WRAP, border=BORDER),
    "ev_bold_plain": dict(font=BOLD, alignment=WRAP),
    "ev_title": dict(font=TITLE_FONT, alignment=CENTER),
}

#: 自评表 columns A–I and their print widths
FORM_WIDTHS = [14, 10, 12, 22, 16, 16, 8, 8, 40]
#: columns after the official ones, each written only when some indicator of the report has a value for it:
#: what the engine scored from besides the form's cells, so that the report handed back re-scores the same
#: (indicator field, header the 自评表 reader recognises, print width); see docs/reports.md
EXTRA_COLUMNS = [(key, head, {"period_text": 16, "prior_text": 10, "rating": 10}[key])
                 for key, head in messages()["reports_excel_extra_columns"].items()]


def _style_name(font: Font, align: Alignment, fill: PatternFill | None, border: bool) -> str:
    if font is TITLE_FONT:
        return "ev_title"
    if fill is not None:
        return "ev_head" if align is CENTER else "ev_label"
    if font is BOLD:
        return "ev_bold" if border else "ev_bold_plain"
    return "ev_body" if border else "ev_plain"


def _put(ws: Any, row: int, col: int, value: Any, font: Font = BODY, align: Alignment = WRAP,
         fill: PatternFill | None = None, number_format: str | None = None, border: bool = True) -> Any:
    cell = ws.cell(row=row, column=col, value=neutralise(plain(value)))
    cell.style = _style_name(font, align, fill, border)
    if number_format and isinstance(cell.value, (int, float)):
        cell.number_format = number_format
    return cell


def _merge(ws: Any, row: int, c1: int, c2: int, value: Any, **kw: Any) -> None:
    for c in range(c1, c2 + 1):
        _put(ws, row, c, value if c == c1 else None, **kw)
    if c2 > c1:
        _merge_range(ws, row, c1, row, c2)


def _merge_range(ws: Any, r1: int, c1: int, r2: int, c2: int) -> None:
    """Register a merged range without openpyxl's per-cell border rewrite (slow); the covered
    cells are already written empty with the same style."""
    # (straight into the set: MultiCellRange.add checks each new range against every earlier one, quadratic
    # in the projects; the ranges written here never overlap)
    ws.merged_cells.ranges.add(CellRange(min_col=c1, min_row=r1, max_col=c2, max_row=r2))


def _num(x: Any) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        return math.nan


def _value(x: Any) -> Any:
    """Number for a numeric cell, or None when missing (keeps the cell a number, not text)."""
    f = _num(x)
    return None if math.isnan(f) else f


def deviation_text(ind: pd.Series) -> str:
    """偏差原因分析及改进措施: the unit's note; where empty, drafted from the explanation."""
    note = str(plain(ind.get("note")) or "").strip()
    if note:
        return note
    status = str(ind.get("status") or "")
    explanation = str(plain(ind.get("explanation")) or "")
    ratio = _num(ind.get("ratio"))
    if status == "scored" and not math.isnan(ratio) and ratio >= 1 - 1e-9 and not str(ind.get("flag") or ""):
        return ""
    if status == "scored" and str(ind.get("flag") or "").startswith("over_achieved"):
        return _w("excel_deviation", "over_achieved", explanation=explanation)
    if status == "scored":
        return _w("excel_deviation", "missed", explanation=explanation)
    return _w("excel_deviation", "other", explanation=explanation)


def fit_height(text: Any, width: float, line: float = 15.0) -> float:
    """Row height (points) that shows ``text`` wrapped in a cell ``width`` characters wide: Excel never
    auto-fits merged cells, so it is computed (a CJK character takes two width units, 11-pt 宋体)."""
    value = plain(text)
    if value is None or value == "":
        return line
    lines = 0
    for para in str(value).split("\n"):
        units = sum(2.0 if ord(ch) > 0x2E7F else 1.1 for ch in para)
        lines += max(1, math.ceil(units / max(width - 1.0, 1.0)))
    return float(min(409.0, lines * line + 4.0))


def _budget_cells(p: pd.Series) -> tuple[Any, Any, Any]:
    start = _value(p.get("budget_total"))
    year = _value(p.get("budget_annual")) if _value(p.get("budget_annual")) is not None else _value(p.get("budget_used"))
    spent = _value(p.get("spent_annual"))
    if spent is None:
        spent = _value(p.get("spent"))
    return start, year, spent


def extra_columns(indicators: pd.DataFrame) -> list[tuple[str, str, int]]:
    """The :data:`EXTRA_COLUMNS` some indicator has a value for (none: the form stays the official A–I)."""
    out = []
    for key, head, width in EXTRA_COLUMNS:
        if key in indicators and (indicators[key].map(lambda v: str(plain(v) or "").strip()) != "").any():
            out.append((key, head, width))
    return out


def annual_cell(ind: pd.Series, period_column: bool) -> str:
    """年度指标值 as printed: with a 实施周期指标值 column beside it, the table's own annual value (the reader
    chooses between the two again, as it did the first time); otherwise :func:`target_cell`."""
    if period_column:
        annual = str(plain(ind.get("annual_text")) or "")
        return str(plain(ind.get("target_text")) or "") if str(ind.get("target_source") or "") == "annual" else annual
    return target_cell(ind)


def _project_block(ws: Any, r: int, p: pd.Series, ind: pd.DataFrame, pack: Any, department: str,
                   extra: list[tuple[str, str, int]] = []) -> int:
    """Write one 自评表 block from row ``r``; return the next free row."""
    period_column = any(key == "period_text" for key, _, _ in extra)
    form = messages()["reports_excel_form"]
    _merge(ws, r, 1, 9, form["title"], font=TITLE_FONT, align=CENTER, border=False)
    ws.row_dimensions[r].height = 24
    r += 1
    year = plain(p.get("year")) if "year" in p else None
    _merge(ws, r, 1, 9, _w("excel_form", "year", year=year) if year else form["year_blank"], align=CENTER, border=False)
    r += 1
    _put(ws, r, 1, form["project"], font=BOLD, fill=HEAD_FILL)
    _merge(ws, r, 2, 5, p.get("project"))
    _put(ws, r, 6, form["project_id"], font=BOLD, fill=HEAD_FILL)
    _merge(ws, r, 7, 9, p.get("project_id"))
    r += 1
    _put(ws, r, 1, form["department"], font=BOLD, fill=HEAD_FILL)
    _merge(ws, r, 2, 5, labels.department_label(p.get("department") or department))
    _put(ws, r, 6, form["unit"], font=BOLD, fill=HEAD_FILL)
    _merge(ws, r, 7, 9, labels.department_label(p.get("department") or department))
    r += 1
    # funds block
    heads = form["funds_heads"]
    for c, h in enumerate(heads, 1):
        _put(ws, r, c, h or None, font=BOLD, align=CENTER, fill=HEAD_FILL)
    _merge_range(ws, r, 1, r, 3)
    r += 1
    start, year, spent = _budget_cells(p)
    exec_weight = float(pack.weights.get("execution", 0))
    _merge(ws, r, 1, 3, form["funds_total"])
    _put(ws, r, 4, start, number_format="#,##0.00")
    _put(ws, r, 5, year, number_format="#,##0.00")
    _put(ws, r, 6, spent, number_format="#,##0.00")
    _put(ws, r, 7, exec_weight, number_format="0.00")
    _put(ws, r, 8, _value(p.get("execution_rate")), number_format="0.00%")
    _put(ws, r, 9, _value(p.get("execution_points")), number_format="0.00")
    r += 1
    # as in the official form: 其中：当年财政拨款 / 上年结转资金 / 其他资金 (年初数; 财政专户拨款 counts as
    # 当年财政拨款; the target table has no 上年结转 figure, so that row is left for the unit to fill)
    fiscal, special = _value(p.get("budget_fiscal")), _value(p.get("budget_special"))
    current = None if fiscal is None and special is None else (fiscal or 0.0) + (special or 0.0)
    for label, value in zip(form["funds_rows"], (current, None, _value(p.get("budget_other")))):
        _merge(ws, r, 1, 3, label)
        _put(ws, r, 4, value, number_format="#,##0.00")
        for c in range(5, 10):
            _put(ws, r, c, "—" if c in (7, 9) else None, align=CENTER if c in (7, 9) else WRAP)
        r += 1
    # goal
    _put(ws, r, 1, form["goal"], font=BOLD, fill=HEAD_FILL)
    _merge(ws, r, 2, 5, p.get("goal"))
    _put(ws, r, 6, form["summary"], font=BOLD, fill=HEAD_FILL)
    _merge(ws, r, 7, 9, p.get("summary"))
    ws.row_dimensions[r].height = max(fit_height(p.get("goal"), sum(FORM_WIDTHS[1:5])),
                                      fit_height(p.get("summary"), sum(FORM_WIDTHS[6:9])), 30.0)
    r += 1
    # indicator rows
    heads = [*form["indicator_heads"], *(head for _, head, _ in extra)]
    for c, h in enumerate(heads, 1):
        _put(ws, r, c, h, font=BOLD, align=CENTER, fill=HEAD_FILL)
    r += 1
    first = r
    for _, i in ind.iterrows():
        status = str(i.get("status") or "")
        _put(ws, r, 1, None)
        _put(ws, r, 2, i.get("level1"))
        _put(ws, r, 3, i.get("level2"))
        _put(ws, r, 4, i.get("name"))
        _put(ws, r, 5, annual_cell(i, period_column))
        _put(ws, r, 6, i.get("actual_text"))
        _put(ws, r, 7, _value(i.get("weight_points")), number_format="0.00")
        pts = _value(i.get("points"))
        _put(ws, r, 8, pts if status == "scored" else labels.status_label(status), number_format="0.00")
        _put(ws, r, 9, deviation_text(i))
        for c, (key, _, _) in enumerate(extra, 10):
            _put(ws, r, c, i.get(key))
        r += 1
    if r > first:
        _merge_range(ws, first, 1, r - 1, 1)
    # total
    _put(ws, r, 1, form["total"], font=BOLD, fill=HEAD_FILL)
    _merge(ws, r, 2, 6, None, fill=HEAD_FILL)
    full = _num(p.get("full_marks"))
    _put(ws, r, 7, 100.0 if math.isnan(full) else full, font=BOLD, number_format="0.00")
    _put(ws, r, 8, _value(p.get("total")), font=BOLD, number_format="0.00")
    lo, hi = _num(p.get("total_min")), _num(p.get("total_max"))
    notes = []
    if not math.isnan(full) and abs(full - 100.0) > 1e-6:
        notes.append(_w("excel_form", "full_marks_note", full=full, indicators=full - exec_weight))
    if not math.isnan(lo) and not math.isnan(hi) and hi - lo > 1e-9:
        notes.append(_w("excel_form", "interval_note", low=labels.points(lo), high=labels.points(hi)))
    if str(p.get("boundary_warning") or ""):
        notes.append(str(p.get("boundary_warning")))
    _put(ws, r, 9, "；".join(notes) or None, font=BOLD)
    ws.row_dimensions[r].height = max(fit_height("；".join(notes), FORM_WIDTHS[8]), 15.0)
    r += 1
    _put(ws, r, 1, form["grade"], font=BOLD, fill=HEAD_FILL)
    grade = p.get("grade") or (form["grade_pending"] if not math.isnan(_num(p.get("total")))
                               else labels.status_label(p.get("status")))
    _merge(ws, r, 2, 9, grade, font=BOLD)
    return r + 1


def write_form_sheet(wb: Workbook, rollup: DepartmentRollup, evaluation: Any, notices: Iterable[str] = ()) -> None:
    ws = wb.create_sheet(_w("excel_sheets", "form"))
    extra = extra_columns(evaluation.indicators)
    for c, w in enumerate(FORM_WIDTHS + [w for _, _, w in extra], 1):
        ws.column_dimensions[get_column_letter(c)].width = w
    groups = {pid: g for pid, g in evaluation.indicators.groupby("project_id", sort=False, observed=True)} if len(evaluation.indicators) else {}
    empty = evaluation.indicators.iloc[0:0]
    r = 1
    for note in notices:
        _merge(ws, r, 1, 9, _w("excel", "notice", note=note), font=NOTICE_FONT, border=False)
        ws.row_dimensions[r].height = fit_height(note, sum(FORM_WIDTHS))
        r += 1
    projects = rollup.projects
    if "full_marks" not in projects.columns:
        projects = projects.assign(full_marks=labels.full_marks(projects, evaluation.rule_pack))
    for _, p in projects.iterrows():
        r = _project_block(ws, r, p, groups.get(p["project_id"], empty), evaluation.rule_pack, rollup.department,
                           extra)
        ws.row_breaks.append(Break(id=r - 1))
        r += 1
    ws.freeze_panes = "A2"
    _print_setup(ws, landscape=False)


def _table(ws: Any, r: int, frame: pd.DataFrame, columns: list[tuple[str, str]],
           percent: Iterable[str] = labels.PERCENT_COLUMNS) -> int:
    """Header + rows of ``frame`` restricted to ``columns``; return the next free row."""
    percent = set(percent)
    for c, (_, head) in enumerate(columns, 1):
        _put(ws, r, c, head, font=BOLD, align=CENTER, fill=HEAD_FILL)
    r += 1
    for _, row in frame.iterrows():
        for c, (key, _) in enumerate(columns, 1):
            v = row.get(key)
            if key == "status":
                v = labels.status_label(v)
            elif key == "severity":
                v = labels.SEVERITY.get(str(v), v)
            elif key == "grade":  # no grade while a score's interval crosses a grade line: 待定
                scored = plain(row.get("score") if "score" in row else row.get("total")) is not None
                v = labels.grade_label(v, scored)
            elif key == "department":
                v = labels.department_label(v)
            fmt = "0.00%" if key in percent else ("0.00" if isinstance(plain(v), float) else None)
            _put(ws, r, c, v, number_format=fmt)
        r += 1
    return r


def _widths(ws: Any, widths: list[int]) -> None:
    for c, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(c)].width = w


def _print_setup(ws: Any, landscape: bool = True, title_row: int | None = None) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    if title_row:
        ws.print_title_rows = f"{title_row}:{title_row}"


def _summary_pairs(s: dict[str, Any]) -> list[tuple[str, Any, str | None]]:
    say = messages()["reports_excel_summary"]
    grade = s.get("grade") or message("reports_labels", "grade_pending")
    return [
        (say["department"], s.get("department"), None),
        (say["score"], s.get("score"), "0.00"),
        (say["interval"], f"{labels.points(s.get('score_min'))}–{labels.points(s.get('score_max'))}", None),
        (say["score_simple"], s.get("score_simple"), "0.00"),
        (say["basis"], s.get("score_basis"), None),
        (say["grade"], _w("excel_summary", "grade_value", grade=grade, basis=DERIVED_LABEL), None),
        (say["projects"], f"{s.get('n_projects')} / {s.get('n_scored_projects')} / "
                                          f"{s.get('n_pending_projects')} / {s.get('n_excluded_projects')}", None),
        (say["excluded"], s.get("excluded_projects") or say["excluded_none"], None),
        (say["grades"], s.get("grade_distribution"), None),
        (say["indicators"], f"{s.get('n_indicators')} / {s.get('n_scored_indicators')} / "
                                     f"{s.get('n_pending_indicators')} / {s.get('n_not_evaluable_indicators')}", None),
        *[(_w("excel_summary", "profile", block=PROFILE_NAMES[k]), s.get(f"profile_{k}"), "0.00%") for k in PROFILE_KEYS],
        (say["measurable"], s.get("share_measurable"), "0.00%"),
        (say["qualitative"], s.get("share_qualitative_weight"), "0.00%"),
        (say["contradictions"], s.get("n_contradictions"), None),
        (say["rule_pack"], s.get("rule_pack"), None),
    ]


def write_summary_sheet(wb: Workbook, rollup: DepartmentRollup, notices: Iterable[str] = ()) -> None:
    ws = wb.create_sheet(_w("excel_sheets", "summary"))
    _merge(ws, 1, 1, 6, _w("excel_summary", "title", department=labels.department_label(rollup.department)), font=TITLE_FONT,
           align=CENTER, border=False)
    r = 2
    for note in notices:  # what makes the whole report mean less than it seems, before any figure
        _merge(ws, r, 1, 8, _w("excel", "notice", note=note), font=NOTICE_FONT, border=False)
        ws.row_dimensions[r].height = fit_height(note, 100)
        r += 1
    for label, value, fmt in _summary_pairs(rollup.summary):
        _put(ws, r, 1, label, font=BOLD, fill=HEAD_FILL)
        _put(ws, r, 2, None, font=BOLD, fill=HEAD_FILL)
        _merge_range(ws, r, 1, r, 2)
        _merge(ws, r, 3, 8, value, number_format=fmt)
        r += 1
    r += 1
    projects = rollup.projects.copy()
    from ..rollup import budget_column
    projects["budget"] = projects.get(budget_column(projects))
    header_row = r
    _table(ws, r, projects, labels.PROJECT_COLUMNS)
    _widths(ws, [8, 28, 12, 9, 9, 8, 8, 8, 8, 8, 8, 6, 9, 9, 8, 40, 24])
    ws.freeze_panes = ws.cell(row=header_row + 1, column=3)
    _print_setup(ws, title_row=header_row)


def write_issues_sheet(wb: Workbook, issues: pd.DataFrame | None, title: str | None = None) -> None:
    ws = wb.create_sheet(title or _w("excel_sheets", "issues"))
    frame = issues if issues is not None else pd.DataFrame(columns=[k for k, _ in labels.ISSUE_COLUMNS])
    cols = list(labels.ISSUE_COLUMNS)
    if "department" in frame.columns:
        cols.insert(0, ("department", _w("comparison", "department")))
    _table(ws, 1, frame, cols)
    _widths(ws, ([14] if "department" in frame.columns else []) + [6, 18, 50, 18, 10, 6, 10, 24, 8, 30])
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{max(len(frame) + 1, 1)}"
    _print_setup(ws, title_row=1)


def write_comparison_sheet(wb: Workbook, comparison: Any) -> None:
    say = messages()["reports_comparison"]
    ws = wb.create_sheet(_w("excel_sheets", "comparison"))
    _merge(ws, 1, 1, 8, _w("comparison", "title", basis=DERIVED_LABEL), font=TITLE_FONT, align=CENTER, border=False)
    r = _table(ws, 3, comparison.ranking, labels.RANKING_COLUMNS) + 1
    _put(ws, r, 1, say["profile"], font=BOLD, border=False)
    r = _table(ws, r + 1, comparison.profile, [("department", say["department"])] + [(k, PROFILE_NAMES[k]) for k in PROFILE_KEYS]) + 1
    _put(ws, r, 1, say["quality"], font=BOLD, border=False)
    r = _table(ws, r + 1, comparison.quality, labels.QUALITY_COLUMNS) + 1
    if len(comparison.pack_ranks.columns) > 1:
        _put(ws, r, 1, say["packs"], font=BOLD, border=False)
        cols = [("department", say["department"])] + [(c, c.replace("score:", say["pack_score"]).replace("rank:", say["pack_rank"]))
                                          for c in comparison.pack_ranks.columns if c != "department"]
        cols = [(k, say["rank_stable"] if k == "rank_stable" else h) for k, h in cols]
        r = _table(ws, r + 1, comparison.pack_ranks, cols)
    _widths(ws, [6, 24, 14, 10, 10, 10, 10, 8, 10, 10, 10, 10, 50])
    ws.freeze_panes = "A4"
    _print_setup(ws, title_row=3)


def write_provenance_sheet(wb: Workbook, provenance: dict[str, Any]) -> None:
    ws = wb.create_sheet(_w("excel_sheets", "provenance"))
    _put(ws, 1, 1, _w("excel_provenance", "item"), font=BOLD, fill=HEAD_FILL)
    _put(ws, 1, 2, _w("excel_provenance", "content"), font=BOLD, fill=HEAD_FILL)
    for r, (label, value) in enumerate(provenance_rows(provenance), 2):
        _put(ws, r, 1, label)
        _put(ws, r, 2, value)
    _widths(ws, [28, 110])
    _print_setup(ws)


def _workbook(provenance: dict[str, Any], title: str) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    for name, attrs in STYLES.items():
        wb.add_named_style(NamedStyle(name=name, **attrs))
    when = report_time(provenance.get("generated_at"))
    props = wb.properties
    props.creator = "evaluator"
    props.lastModifiedBy = "evaluator"
    props.title = neutralise(title)
    props.created = when
    props.modified = when
    props.description = _w("excel", "description", version=provenance.get("engine_version", ""),
                           pack=provenance.get("rule_pack", ""))
    return wb


def department_workbook(evaluation: Any, rollup: DepartmentRollup, provenance: dict[str, Any]) -> Workbook:
    from .notices import notices

    wb = _workbook(provenance, _w("excel", "department_title", department=rollup.department))
    found = notices(evaluation)
    write_form_sheet(wb, rollup, evaluation, found)
    write_summary_sheet(wb, rollup, found)
    write_issues_sheet(wb, getattr(evaluation, "issues", None))
    write_provenance_sheet(wb, provenance)
    return wb


def comparison_workbook(comparison: Any, provenance: dict[str, Any]) -> Workbook:
    wb = _workbook(provenance, _w("excel", "comparison_title"))
    write_comparison_sheet(wb, comparison)
    for rollup in comparison.rollups:
        ws_name = re.sub(r"[\\/*?:\[\]]", "_", labels.department_label(rollup.department))[:24] or _w("excel_sheets", "department")
        write_summary_sheet(wb, rollup)
        wb[_w("excel_sheets", "summary")].title = _unique(wb, _w("excel_sheets", "summary_of", department=ws_name))
    frames = []
    for rollup, ev in zip(comparison.rollups, comparison.evaluations):
        iss = getattr(ev, "issues", None)
        if iss is not None and len(iss):
            frames.append(iss.assign(department=rollup.department))
    issues = pd.concat(frames, ignore_index=True) if frames else None
    write_issues_sheet(wb, issues)
    write_provenance_sheet(wb, provenance)
    return wb


def _unique(wb: Workbook, name: str) -> str:
    base, n = name[:31], 2
    while name[:31] in wb.sheetnames:
        name = f"{base[:28]}-{n}"
        n += 1
    return name[:31]


_CORE_TIME = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def workbook_bytes(wb: Workbook, provenance: dict[str, Any]) -> bytes:
    """Save deterministically: fixed core-property times and fixed zip entry timestamps."""
    raw = io.BytesIO()
    wb.save(raw)
    stamp = report_time(provenance.get("generated_at"))
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _CORE_TIME.sub(lambda m: m.group(1) + iso + m.group(3), data)
            entry = zipfile.ZipInfo(info.filename, date_time=(max(stamp.year, 1980), stamp.month, stamp.day,
                                                              stamp.hour, stamp.minute, stamp.second))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, data)
    return out.getvalue()
