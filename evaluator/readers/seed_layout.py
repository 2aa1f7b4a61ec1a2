"""The seed layout: one row per project, all its indicators in one cell.

The cell reads like ``1、1-产出指标：11-数量指标；召开报告会情况；实施周期指标值：不少于1场；
年度指标值：不少于1场。2、…`` with full- and half-width ``：:；;`` mixed.

>>> items = split_items("1、1-产出指标：11-数量指标；召开报告会情况；实施周期指标值：不少于1场；年度指标值：不少于1场。")
>>> [(i.level1_code_printed, i.level2_raw, i.name, i.annual_text) for i in items]
[('1', '11-数量指标', '召开报告会情况', '不少于1场')]
"""
from __future__ import annotations

import re

from ..issues import Issue, issue_message
from .header import Header
from .io import Row
from .model import MONEY_FIELDS, IndicatorRecord, ProjectRecord, RawTable, TotalRecord
from .vocab import has_label, vocabulary

_ITEM_START = re.compile(r"(\d{1,3})\s*[、．.]\s*(?=\d{1,2}\s*[-－—–]\s*\D)")
_CATEGORIES = re.compile(
    r"^\s*(?:(\d)\s*[-－—–]\s*([^：:；;\d][^：:；;]*?)\s*[：:；;]\s*)?"
    r"(?:(\d{2})\s*[-－—–]\s*([^：:；;]*?)\s*[：:；;]\s*)?(.*)$",
    re.S,
)
_SEPARATORS = " \t\n：:；;，,"
_END = " \t\n。；;"
_LEAD = " \t\n：:；;"


def read_seed_rows(header: Header, rows: list[Row], table: RawTable, sheet: str | None,
                   issues: list[Issue]) -> None:
    """Read the data rows under a seed-layout header into ``table``."""
    cols = {c.field: c for c in header.columns if c.field}
    department = table.department
    for row in rows:
        cells = {f: (row.cells[c.index] if c.index < len(row.cells) else "") for f, c in cols.items()}
        name = cells.get("project", "")
        if not any(row.cells):
            continue
        money = {f: cells.get(f, "") for f in MONEY_FIELDS if f in cols}
        money_cols = {f: cols[f].label for f in money}
        if has_label(name, "total_row"):
            table.totals.append(TotalRecord("total", name, sheet, row.number, money, money_cols))
            continue
        goal, cell = cells.get("goal", ""), cells.get("indicator_cell", "")
        classified = _classified_text(name, goal, cell)
        if not goal and not cell and not classified and name:
            department = name
            table.totals.append(TotalRecord("department", name, sheet, row.number, money, money_cols,
                                            first_project=len(table.projects)))
            continue
        project = ProjectRecord(name, department, sheet, row.number, money, goal, classified,
                                money_columns=money_cols)
        if cell and not classified:
            column = cols["indicator_cell"].label
            project.indicators = split_items(cell, sheet, row.number, column)
            if not project.indicators:
                issues.append(Issue("unparsed_indicators", "error",
                                    issue_message("unparsed_indicators"),
                                    file=table.file, sheet=sheet, row=row.number, column=column,
                                    project=name, cell=cell[:200]))
        table.projects.append(project)


def _classified_text(*cells: str) -> str:
    words = vocabulary().labels["classified"]
    for cell in cells:
        if any(w in cell for w in words):
            return cell
    return ""


def split_items(cell: str, sheet: str | None = None, row: int = 0, column: str = "") -> list[IndicatorRecord]:
    """Split the one-cell indicator text into numbered items (1、 2、 … in sequence)."""
    starts = []
    expected = 1
    for match in _ITEM_START.finditer(cell):
        if int(match.group(1)) == expected:
            starts.append(match)
            expected += 1
    records = []
    for k, match in enumerate(starts):
        end = starts[k + 1].start() if k + 1 < len(starts) else len(cell)
        body = cell[match.end():end]
        record = parse_item(body)
        record.indicator_no = int(match.group(1))
        record.sheet, record.row, record.column = sheet, row, column
        records.append(record)
    return records


def parse_item(body: str) -> IndicatorRecord:
    """One item: categories, name, period value, annual value.

    >>> r = parse_item("2-效益指标;22-社会效益;政法网链路覆盖情况;实施周期指标值:全覆盖;年度指标值:全覆盖。")
    >>> (r.level1_raw, r.level2_code_printed, r.name, r.period_text, r.annual_text)
    ('2-效益指标', '22', '政法网链路覆盖情况', '全覆盖', '全覆盖')
    """
    head, period, annual = _split_values(body)
    match = _CATEGORIES.match(head)
    code1, name1, code2, name2, rest = match.groups() if match else (None, None, None, None, head)
    record = IndicatorRecord(sheet=None, row=0, column="")
    if code1:
        record.level1_code_printed, record.level1_raw = code1, f"{code1}-{name1.strip()}"
    if code2:
        record.level2_code_printed, record.level2_raw = code2, f"{code2}-{name2.strip()}"
    record.name = (rest or "").strip(_SEPARATORS)
    record.period_text = _value(period)
    record.annual_text = _value(annual)
    return record


def _value(text: str) -> str:
    """A value between labels: leading colons and trailing ``。；`` removed, ``，`` kept."""
    return text.lstrip(_LEAD).rstrip(_END).strip()


def _split_values(body: str) -> tuple[str, str, str]:
    """Cut an item at its 实施周期指标值 / 年度指标值 labels → (head, period, annual)."""
    labels = vocabulary().seed_labels
    period_at = _find_label(body, labels["period"])
    annual_at = _find_label(body, labels["annual"], start=period_at[1] if period_at else 0)
    if period_at and annual_at:
        return body[: period_at[0]], body[period_at[1]: annual_at[0]], body[annual_at[1]:]
    if annual_at:
        return body[: annual_at[0]], "", body[annual_at[1]:]
    if period_at:
        return body[: period_at[0]], body[period_at[1]:], ""
    return body, "", ""


def _find_label(text: str, labels: tuple[str, ...], start: int = 0) -> tuple[int, int] | None:
    best = None
    for label in labels:
        pos = text.find(label, start)
        if pos >= 0 and (best is None or pos < best[0]):
            end = pos + len(label)
            while end < len(text) and text[end] in " ：:":
                end += 1
            best = (pos, end)
    return best
