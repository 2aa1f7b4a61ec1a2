"""Printed records → the tidy ``projects`` and ``indicators`` tables.

The same decisions for every layout: which category code to trust, how split
指标性质 | 指标值 | 度量单位 cells make one target text, which value is scored
(annual, or period when the annual cell is not a target and the period cell is),
and money converted to 万元.
"""
from __future__ import annotations

from functools import lru_cache

import math
import re
from dataclasses import dataclass

import pandas as pd

from ..issues import Issue
from .model import MONEY_FIELDS, IndicatorRecord, ProjectRecord, RawTable, parse_amount
from .vocab import direction_hint, level1_code, level2_code, money_factor, vocabulary

#: self-evaluation preamble key → projects column
SELF_EVALUATION_FIELDS = {"budget_initial": "table_budget_initial", "budget_annual": "table_budget_annual",
                          "spent_annual": "table_spent_annual", "execution_score": "table_execution_score",
                          "total_score": "table_total_score"}
SELF_EVALUATION_COLUMNS = list(SELF_EVALUATION_FIELDS.values())
PROJECT_COLUMNS = [
    "project_id", "department", "project", *MONEY_FIELDS, "classified", "goal", "n_indicators",
    "source_file", "source_sheet", "source_row",
    # a self-evaluation table's funds block and 总分 row (NaN otherwise)
    *SELF_EVALUATION_COLUMNS,
]
INDICATOR_COLUMNS = [
    "project_id", "project", "department", "indicator_no", "level1_code", "level1", "level2_code",
    "level2", "level1_raw", "level2_raw", "name", "annual_text", "period_text", "target_text",
    "target_source", "target", "kind", "weight", "direction_hint", "unit_hint", "source_file",
    "source_sheet", "source_row", "source_column",
    # additions (docs/contracts.md): how the row was read
    "measurable", "target_class", "level1_code_printed", "level2_code_printed", "category_conflict",
    "annual_kind", "period_kind", "nature_text", "direction_text", "weight_text",
    # a self-evaluation table's own 实际完成值 / 得分 cells (used when no actuals file is given)
    "table_actual_text", "table_score_text",
]

#: target kind → class used in summaries: 可计量 / 非数值 / 待评审 / 不可评价
TARGET_CLASSES = {
    "compare": "measurable", "range": "measurable", "all": "measurable", "zero": "measurable",
    "trend": "non_numeric", "done": "non_numeric",
    "qualitative": "pending_review",
    "formula": "not_evaluable", "empty": "not_evaluable",
}
#: amounts this large with no declared unit are taken to be 元, not 万元
YUAN_GUESS_THRESHOLD = 100_000

_CODE_PREFIX = re.compile(r"^\s*\d+\s*[-－—–]\s*")
_BARE_NUMBER = re.compile(r"^\s*[-+]?\d+(\.\d+)?\s*$")
_LEADING_OP = re.compile(r"^\s*[≥≤＞＜><=＝≧≦═﹦]")


@dataclass(frozen=True)
class Categories:
    level1_code: str
    level1: str
    level2_code: str
    level2: str
    level1_code_printed: str
    level2_code_printed: str
    conflict: bool


def resolve_categories(record: IndicatorRecord) -> Categories:
    """Trust the level-2 code: ``1-产出指标；22-社会效益`` → level 1 is 2 效益指标.

    >>> r = IndicatorRecord(None, 1, "", level1_raw="1-产出指标", level2_raw="22-社会效益",
    ...                     level1_code_printed="1", level2_code_printed="22")
    >>> c = resolve_categories(r); (c.level1_code, c.level1, c.conflict)
    ('2', '效益指标', True)
    """
    return _resolve(record.level1_raw, record.level2_raw, record.level1_code_printed, record.level2_code_printed)


@lru_cache(maxsize=65536)
def _resolve(level1_raw: str, level2_raw: str, level1_printed: str, level2_printed: str) -> Categories:
    """Category cells repeat on almost every row: each distinct combination is resolved once."""
    voc = vocabulary()
    l1_name, l2_name = _CODE_PREFIX.sub("", level1_raw), _CODE_PREFIX.sub("", level2_raw)
    code1 = level1_printed or level1_code(l1_name) or ""
    code2 = level2_printed or level2_code(l2_name) or ""
    trusted1 = code1
    conflict = False
    if code2:
        parent = code2[0]
        compatible = code1 == "4" and code2 in ("14", "41", "42", "43")
        if code1 and code1 != parent and not compatible:
            conflict = True
        if not compatible:
            trusted1 = parent
    level1 = voc.level1_names.get(trusted1, l1_name)
    level2 = voc.level2_names.get(code2, l2_name)
    return Categories(trusted1, level1, code2, level2, code1, code2, conflict)


def compose_target(record: IndicatorRecord) -> str:
    """Split cells → one target text: ``≧`` ``735`` ``人次`` → ``≧735人次``.

    The comparator is prefixed and the unit appended only when the value cell is a
    bare number (some tables repeat the unit inside the value cell).
    """
    value = record.annual_text
    if not value:
        return ""
    if record.unit_text and _BARE_NUMBER.match(value):
        value = value.strip() + record.unit_text.strip()
    if record.nature_text and direction_hint(record.nature_text) and not _LEADING_OP.match(value):
        if _LEADING_NUMBER.match(value):
            value = record.nature_text.strip() + value
    return value


_LEADING_NUMBER = re.compile(r"^\s*[-+]?\d")


def money_factor_for(raw: RawTable, issues: list[Issue]) -> float:
    """万元 factor of the table's amounts: declared unit, else a guess by size (reported)."""
    if raw.money_unit_declared:
        return money_factor(raw.money_unit) or 1.0
    amounts = []
    for p in raw.projects:
        for text in p.money_printed.values():
            try:
                value = parse_amount(text)
            except ValueError:
                continue
            if value is not None:
                amounts.append(value)
    if amounts and max(amounts) >= YUAN_GUESS_THRESHOLD:
        issues.append(Issue("money_unit_guessed", "warning",
                            f"表中未注明金额单位，项目金额最大为 {max(amounts):,.2f}，按「元」理解并换算为万元；"
                            "如不对，请用 money_unit 参数指定", file=raw.file))
        return money_factor("元") or 0.0001
    return 1.0


def project_rows(raw: RawTable, factor: float, issues: list[Issue]) -> list[dict]:
    """One dict per project, ids ``P001``… in table order."""
    rows = []
    for k, p in enumerate(raw.projects, start=1):
        pid = f"P{k:03d}"
        money = {f: amount(p.money_printed.get(f, ""), factor, issues, raw.file, p, pid, p.money_columns.get(f, f))
                 for f in MONEY_FIELDS}
        rows.append({
            "project_id": pid, "department": p.department, "project": p.project, **money,
            "classified": bool(p.classified_text) or _is_classified(p.project),
            "goal": p.goal, "n_indicators": len(p.indicators),
            "source_file": raw.file, "source_sheet": p.sheet or "", "source_row": p.row,
            **{col: _self_amount(p, key, factor, issues, raw.file, pid) for key, col in SELF_EVALUATION_FIELDS.items()},
        })
    return rows


def _self_amount(p: ProjectRecord, key: str, factor: float, issues: list[Issue], file: str, pid: str) -> float:
    """Funds of a self-evaluation table are money (万元 like the rest); scores are points as printed."""
    text = p.self_evaluation.get(key, "")
    money = key in ("budget_initial", "budget_annual", "spent_annual")
    row = int(p.self_evaluation.get("funds_row", p.row)) if money else p.row
    return amount(text, factor if money else 1.0, issues, file, None, pid, key, row=row, sheet=p.sheet)


def _is_classified(name: str) -> bool:
    return any(w in name for w in vocabulary().labels["classified"])


def amount(text: str, factor: float, issues: list[Issue], file: str, project: ProjectRecord | None = None,
           pid: str | None = None, column: str = "", row: int | None = None, sheet: str | None = None) -> float:
    """Printed amount → 万元 (NaN when empty or unreadable; unreadable is reported)."""
    try:
        value = parse_amount(text)
    except ValueError:
        issues.append(Issue("bad_amount", "error", f"金额「{text}」不是数字，按空值处理",
                            file=file, sheet=sheet if project is None else project.sheet,
                            row=row if project is None else project.row, column=column,
                            project_id=pid, project=project.project if project else None, cell=text))
        return math.nan
    return math.nan if value is None else round(value * factor, 6)


def indicator_rows(raw: RawTable, project_ids: list[str], compile_target) -> list[dict]:
    """One dict per indicator, with categories resolved and the scored target chosen."""
    rows = []
    for pid, p in zip(project_ids, raw.projects):
        for rec in p.indicators:
            rows.append(_indicator_row(raw, pid, p, rec, compile_target))
    return rows


def _indicator_row(raw: RawTable, pid: str, p: ProjectRecord, rec: IndicatorRecord, compile_target) -> dict:
    cats = resolve_categories(rec)
    annual = compose_target(rec)
    annual_target = compile_target(annual)
    period_target = compile_target(rec.period_text) if rec.period_text else None
    use_period = period_target is not None and (
        (not annual_target.measurable and period_target.measurable) or not annual.strip())
    target = period_target if use_period else annual_target
    return {
        "project_id": pid, "project": p.project, "department": p.department,
        "indicator_no": rec.indicator_no, "level1_code": cats.level1_code, "level1": cats.level1,
        "level2_code": cats.level2_code, "level2": cats.level2,
        "level1_raw": rec.level1_raw, "level2_raw": rec.level2_raw, "name": rec.name,
        "annual_text": rec.annual_text, "period_text": rec.period_text,
        "target_text": rec.period_text if use_period else annual,
        "target_source": "period" if use_period else "annual",
        "target": target, "kind": target.kind, "weight": _weight(rec.weight_text),
        "direction_hint": direction_hint(rec.direction_text) or direction_hint(rec.nature_text),
        "unit_hint": rec.unit_text, "source_file": raw.file, "source_sheet": rec.sheet or "",
        "source_row": rec.row, "source_column": rec.column,
        "measurable": target.measurable, "target_class": TARGET_CLASSES.get(target.kind, "not_evaluable"),
        "level1_code_printed": cats.level1_code_printed, "level2_code_printed": cats.level2_code_printed,
        "category_conflict": cats.conflict, "annual_kind": annual_target.kind,
        "period_kind": period_target.kind if period_target is not None else "",
        "nature_text": rec.nature_text, "direction_text": rec.direction_text, "weight_text": rec.weight_text,
        "table_actual_text": rec.actual_text, "table_score_text": rec.score_text,
    }


def _weight(text: str) -> float:
    try:
        value = parse_amount(text)
    except ValueError:
        return math.nan
    return math.nan if value is None else value


def frames(raw: RawTable, issues: list[Issue], compile_target) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    """The projects and indicators DataFrames, and the money factor used."""
    factor = money_factor_for(raw, issues)
    projects = pd.DataFrame(project_rows(raw, factor, issues), columns=PROJECT_COLUMNS)
    projects["classified"] = projects["classified"].astype(bool)
    projects["n_indicators"] = projects["n_indicators"].astype(int)
    projects["source_row"] = projects["source_row"].astype(int)
    indicators = pd.DataFrame(indicator_rows(raw, list(projects["project_id"]), compile_target),
                              columns=INDICATOR_COLUMNS)
    for col in ("indicator_no", "source_row"):
        indicators[col] = indicators[col].astype(int)
    for col in ("measurable", "category_conflict"):
        indicators[col] = indicators[col].astype(bool)
    indicators["weight"] = indicators["weight"].astype(float)
    return projects, indicators, factor
