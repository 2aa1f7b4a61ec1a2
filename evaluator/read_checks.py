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
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .categories import fold, headers_data, level1_code, level2_code
from .frames import first_rows
from .issues import Issue
from .lint_columns import LintColumns

if TYPE_CHECKING:  # pragma: no cover
    from .readers.model import TargetTable

#: a project's weights are right when they sum to one of these (± WEIGHT_TOLERANCE)
FULL_MARKS = (100.0, 90.0)
WEIGHT_TOLERANCE = 1.0
#: at least this many weighted indicators before their sum is judged
MIN_WEIGHTED = 2
_BARE_NUMBER = re.compile(r"^\s*\d+(\.\d+)?\s*$")
_TARGET_LIKE = re.compile(r"^\s*(≥|≤|>=|<=|＞|＜|>|<|≧|≦|不低于|不少于|不高于|不超过|不多于|大于|小于|达到|控制在)")
_GRADES = {"优", "良", "中", "差", "优秀", "良好", "合格", "不合格", "较差", "一般"}


class _Where:
    """Issue locations of indicator rows, from the indicator columns taken out once."""

    def __init__(self, table, ind):
        self.file = table.source
        self.cols = {c: ind[c].to_numpy() for c in ("source_sheet", "source_row", "source_column", "project_id",
                                                     "project", "indicator_no")}

    def __call__(self, i: int, column: str | None = None) -> dict:
        c = self.cols
        sheet = c["source_sheet"][i]
        return dict(file=self.file, sheet=sheet if isinstance(sheet, str) and sheet else None,
                    row=int(c["source_row"][i]), column=column or str(c["source_column"][i] or "") or None,
                    project_id=str(c["project_id"][i]), project=str(c["project"][i]),
                    indicator_no=int(c["indicator_no"][i]))


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def _project_counts(codes: np.ndarray, n: int, *masks: np.ndarray) -> list[np.ndarray]:
    """Per project code (0 … n-1; -1 is no project): its rows, then its rows in each mask."""
    known = codes >= 0
    kept = codes[known]
    return [np.bincount(kept, minlength=n)] + [np.bincount(kept[m[known]], minlength=n) for m in masks]


def _project_sums(codes: np.ndarray, values: np.ndarray, projects: np.ndarray) -> np.ndarray:
    """Per project of ``projects`` (codes): the sum of its non-NaN ``values``, as pandas' grouped sum
    adds them (compensated, in row order)."""
    rows = np.isin(codes, projects)
    sums = pd.Series(values[rows]).groupby(codes[rows]).sum()
    return sums.reindex(projects).to_numpy(dtype=float)


def _near_full(total: np.ndarray) -> np.ndarray:
    return np.logical_or.reduce([np.abs(total - full) <= WEIGHT_TOLERANCE for full in FULL_MARKS])


def check_weight_sums(table: TargetTable | LintColumns) -> list[Issue]:
    """Weights far from 满分, or above 100: a column or a row was probably read wrong."""
    cols = LintColumns.of(table)
    table, ind = cols.table, cols.ind
    out: list[Issue] = []
    if not len(ind) or "weight" not in ind:
        return out
    weights = ind["weight"].to_numpy(dtype=float)
    where = _Where(table, ind)
    for i in np.flatnonzero(weights > 100):
        out.append(Issue("weight_out_of_range", "error", f"分值/权重 {weights[i]:g} 大于 100，不可能是一个指标的分值："
                         "可能读错了列（如把指标值或金额读成了分值）", cell=_text(ind["weight_text"].iat[i]) or None,
                         **where(i, "分值")))
    codes, pids = cols.factorized("project_id")  # projects in table order
    n, given = _project_counts(codes, len(pids), ~np.isnan(weights))
    judged = np.flatnonzero((given >= MIN_WEIGHTED) & (given >= n / 2))
    if not len(judged):
        return out
    total = _project_sums(codes, weights, judged)
    bad = ~_near_full(total)
    firsts = first_rows(codes)
    for first, n_rows, n_given, t in zip(firsts[judged[bad]].tolist(), n[judged[bad]].tolist(),
                                         given[judged[bad]].tolist(), total[bad].tolist()):
        missing = int(n_rows - n_given)
        extra = f"，另有 {missing} 个指标没有分值" if missing else ""
        out.append(Issue("weight_sum", "error", f"本项目 {int(n_given)} 个指标的分值合计 {t:g}{extra}，与满分 100"
                         "（或 90 分指标 + 10 分预算执行）相差较大：可能有指标没有读到、分值列读错，或表中分值有误，请核对",
                         **where(int(first), "分值")))
    return out


@lru_cache(maxsize=1)
def _header_words() -> frozenset[str]:
    """Every header alias of ``data/headers.toml``, folded (a target cell holding one is a header word)."""
    return frozenset(fold(alias) for aliases in headers_data()["columns"].values() for alias in aliases)


def _text_reason(text: str) -> str:
    """Why a target text alone does not look like a target ("" when it may be one)."""
    t = text.strip()
    if not t:
        return ""
    if "指标" in t and (level1_code(t) or level2_code(t)):  # (the cheap test first: folding is not)
        return "是指标类别名称"
    folded = fold(t)
    if folded in _GRADES:
        return "是评价等级"
    if folded in _header_words():
        return "是表头文字"
    return ""


def _bare_value(text: str) -> float:
    return float(text) if _BARE_NUMBER.match(text) else math.nan


@lru_cache(maxsize=1 << 16)  # (as categories.fold: the tables of a province repeat their target texts)
def _target_facts(text: str) -> tuple[str, float, str]:
    """(why the text alone does not look like a target, its value when a bare number, the text folded)
    of an annual target cell."""
    return _text_reason(text), _bare_value(text), fold(text.strip())


def check_target_shapes(table: TargetTable | LintColumns) -> list[Issue]:
    """Targets that look like a weight, a level/grade name, a header word or another indicator's
    name; actuals that look like targets."""
    cols = LintColumns.of(table)
    table, ind = cols.table, cols.ind
    out: list[Issue] = []
    if not len(ind):
        return out
    where = _Where(table, ind)
    # once per distinct annual target text
    annual_codes, annual_texts = cols.coded("annual_text")
    facts = [_target_facts(_text(t)) for t in annual_texts.tolist()]  # (a missing text read as "")
    why_of = np.array([f[0] for f in facts] or [""], dtype=object)
    value = np.array([f[1] for f in facts], dtype=float).take(annual_codes)
    why = why_of.take(annual_codes)
    if "unit_hint" in ind:  # (a missing unit read as "")
        units = cols.array("unit_hint")
        no_unit = np.asarray(units == "", dtype=bool) | pd.isna(units)
    else:
        no_unit = np.ones(len(ind), dtype=bool)
    weights = ind["weight"].to_numpy(dtype=float)
    as_weight = no_unit & (value == weights) & np.isin(value, (5, 10, 15, 20, 25, 30)) & (why == "")
    why[as_weight] = "与分值相同（可能把分值读成了指标值）"
    # only a target text that is some indicator's name anywhere can be one of its own project
    name_codes, names = cols.coded("name")
    folded_names = [fold(t.strip()) if isinstance(t, str) else "" for t in names.tolist()]
    name_index = {}  # folded name → its number
    for f in folded_names:
        name_index.setdefault(f, len(name_index))
    folded_name = np.array([name_index[f] for f in folded_names], dtype=np.int64).take(name_codes)
    as_name = np.array([name_index.get(f[2], -1) if f[2] else -1 for f in facts] or [-1], dtype=np.int64)
    target_name = as_name.take(annual_codes)
    candidate = (target_name >= 0) & (why == "")
    if candidate.any():
        pids = cols.coded("project_id")[0]
        rows = np.flatnonzero(candidate)
        # (project, folded name) of every row of the candidates' projects, and of the candidates' targets
        in_project = np.zeros(len(pids) and int(pids.max()) + 1, dtype=bool)
        in_project[pids[rows]] = True
        near = np.flatnonzero(in_project[pids])
        span = len(name_index)
        pairs = pids[near].astype(np.int64) * span + folded_name[near]
        mine = pids[rows].astype(np.int64) * span + target_name[rows]
        other = (target_name[rows] != folded_name[rows]) & pd.Index(mine).isin(pairs)
        why[rows[other]] = "是本项目另一个指标的名称（可能行或列错位）"
    for i in np.flatnonzero(why != ""):
        t = _text(annual_texts[annual_codes[i]]).strip()
        out.append(Issue("target_misread", "error", f"指标值「{t}」{why[i]}，不像目标值：可能读错了列或行，请核对",
                         cell=t, **where(int(i))))
    # a project without weights whose bare-number "targets" sum to 满分: the weight column was read as targets
    bare = ~np.isnan(value) & no_unit
    codes, pids = cols.factorized("project_id")
    n, n_bare, n_weighted = _project_counts(codes, len(pids), bare, ~np.isnan(weights))
    maybe = np.flatnonzero((n >= 3) & (n_bare == n) & (n_weighted == 0))
    if len(maybe):
        total = _project_sums(codes, np.where(bare, value, 0.0), maybe)
        firsts = first_rows(codes)
        for first, t in zip(firsts[maybe[_near_full(total)]].tolist(), total[_near_full(total)].tolist()):
            out.append(Issue("target_misread", "error", f"本项目各指标值都是不带单位的数字，合计 {t:g}，像是分值列："
                             "可能把分值读成了指标值，请核对列名", **where(int(first))))
    if "table_actual_text" in ind:
        like = cols.per_distinct("table_actual_text", lambda t: bool(_TARGET_LIKE.match(t)), missing=False, dtype=bool)
        actual = cols.array("table_actual_text")
        for i in np.flatnonzero(like):
            out.append(Issue("actual_misread", "error", f"实际完成值「{actual[i]}」写成了目标的样子（带 ≥、不低于 等），"
                             "可能把指标值读成了实际完成值，请核对", cell=actual[i],
                             **where(int(i), "实际完成值")))
    return out


RULES = (check_weight_sums, check_target_shapes)
