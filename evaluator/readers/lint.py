"""Lint rules about how a table was read: where the reader may have misread, say so as an error.

A silent misread is the worst failure of a scoring engine, so these rules look for the
shapes a misread leaves behind and report them with file, sheet, row and column (the
rule list of :mod:`evaluator.check` runs them; ``check --strict`` fails on their errors):

* a project whose weights sum far from its 满分 (100, or 90 beside the 10 of 预算执行),
  or a weight above 100;
* a target that looks like a weight (a bare number, and the project's bare-number
  targets sum to a 满分 while it has no weight column), a level or grade name, or a
  header word; an actual value that looks like a target (≥95%, 不低于…).
"""
from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

import numpy as np

from ..issues import Issue
from .vocab import fold, header_field, level1_code, level2_code

if TYPE_CHECKING:  # pragma: no cover
    from . import TargetTable

#: a project's weights are right when they sum to one of these (± WEIGHT_TOLERANCE)
FULL_MARKS = (100.0, 90.0)
WEIGHT_TOLERANCE = 1.0
#: at least this many weighted indicators before their sum is judged
MIN_WEIGHTED = 2
_BARE_NUMBER = re.compile(r"^\s*\d+(\.\d+)?\s*$")
_TARGET_LIKE = re.compile(r"^\s*(≥|≤|>=|<=|＞|＜|>|<|≧|≦|不低于|不少于|不高于|不超过|不多于|大于|小于|达到|控制在)")
_GRADES = {"优", "良", "中", "差", "优秀", "良好", "合格", "不合格", "较差", "一般"}


def _where(table, ind, i: int, column: str | None = None) -> dict:
    sheet = ind["source_sheet"].iat[i]
    return dict(file=table.source, sheet=sheet if isinstance(sheet, str) and sheet else None,
                row=int(ind["source_row"].iat[i]), column=column or str(ind["source_column"].iat[i] or "") or None,
                project_id=str(ind["project_id"].iat[i]), project=str(ind["project"].iat[i]),
                indicator_no=int(ind["indicator_no"].iat[i]))


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def check_weight_sums(table: TargetTable) -> list[Issue]:
    """Weights far from 满分, or above 100: a column or a row was probably read wrong."""
    ind = table.indicators
    out: list[Issue] = []
    if not len(ind) or "weight" not in ind:
        return out
    weights = ind["weight"].to_numpy(dtype=float)
    for i in np.flatnonzero(weights > 100):
        out.append(Issue("weight_out_of_range", "error", f"分值/权重 {weights[i]:g} 大于 100，不可能是一个指标的分值："
                         "可能读错了列（如把指标值或金额读成了分值）", cell=_text(ind["weight_text"].iat[i]) or None,
                         **_where(table, ind, i, "分值")))
    for pid, rows in ind.groupby("project_id", sort=False).indices.items():
        w = weights[rows]
        given = w[~np.isnan(w)]
        if len(given) < MIN_WEIGHTED or len(given) < len(rows) / 2:
            continue
        total = float(given.sum())
        if any(abs(total - full) <= WEIGHT_TOLERANCE for full in FULL_MARKS):
            continue
        missing = len(rows) - len(given)
        extra = f"，另有 {missing} 个指标没有分值" if missing else ""
        out.append(Issue("weight_sum", "error", f"本项目 {len(given)} 个指标的分值合计 {total:g}{extra}，与满分 100"
                         "（或 90 分指标 + 10 分预算执行）相差较大：可能有指标没有读到、分值列读错，或表中分值有误，请核对",
                         **_where(table, ind, int(rows[0]), "分值")))
    return out


def check_target_shapes(table: TargetTable) -> list[Issue]:
    """Targets that look like a weight, a level/grade name or a header word; actuals that look like targets."""
    ind = table.indicators
    out: list[Issue] = []
    if not len(ind):
        return out
    annual = [_text(t) for t in ind["annual_text"]]
    actual = [_text(t) for t in ind["table_actual_text"]] if "table_actual_text" in ind else [""] * len(ind)
    units = [_text(t) for t in ind["unit_hint"]] if "unit_hint" in ind else [""] * len(ind)
    weights = ind["weight"].to_numpy(dtype=float)
    names_by_project: dict[str, set[str]] = {}
    for pid, name in zip(ind["project_id"], ind["name"]):
        if isinstance(name, str) and name.strip():
            names_by_project.setdefault(pid, set()).add(fold(name))
    for i, text in enumerate(annual):
        t = text.strip()
        if not t:
            continue
        key = fold(t)
        why = ""
        if (level1_code(t) or level2_code(t)) and "指标" in t:
            why = "是指标类别名称"
        elif key in _GRADES:
            why = "是评价等级"
        elif header_field(t):
            why = "是表头文字"
        elif key != fold(_text(ind["name"].iat[i])) and key in names_by_project.get(ind["project_id"].iat[i], ()):
            why = "是本项目另一个指标的名称（可能行或列错位）"
        elif _BARE_NUMBER.match(t) and not units[i] and not math.isnan(weights[i]) and float(t) == weights[i] \
                and float(t) in (5, 10, 15, 20, 25, 30):
            why = "与分值相同（可能把分值读成了指标值）"
        if why:
            out.append(Issue("target_misread", "error", f"指标值「{t}」{why}，不像目标值：可能读错了列或行，请核对",
                             cell=t, **_where(table, ind, i)))
    # a project without a weight column whose bare-number "targets" sum to 满分: the weight column was read as targets
    bare = np.array([bool(_BARE_NUMBER.match(t)) and not units[i] for i, t in enumerate(annual)])
    for pid, rows in ind.groupby("project_id", sort=False).indices.items():
        if len(rows) < 3 or not bare[rows].all() or not np.isnan(weights[rows]).all():
            continue
        total = sum(float(annual[i]) for i in rows)
        if any(abs(total - full) <= WEIGHT_TOLERANCE for full in FULL_MARKS):
            out.append(Issue("target_misread", "error", f"本项目各指标值都是不带单位的数字，合计 {total:g}，像是分值列："
                             "可能把分值读成了指标值，请核对列名", **_where(table, ind, int(rows[0]))))
    for i, text in enumerate(actual):
        if _TARGET_LIKE.match(text):
            out.append(Issue("actual_misread", "error", f"实际完成值「{text}」写成了目标的样子（带 ≥、不低于 等），"
                             "可能把指标值读成了实际完成值，请核对", cell=text, **_where(table, ind, i, "实际完成值")))
    return out


RULES = (check_weight_sums, check_target_shapes)
