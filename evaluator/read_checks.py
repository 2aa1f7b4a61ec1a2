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
from .frames import factorize_objects
from .issues import Issue

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


def _texts_coded(values) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct values) of a column, a missing value read as ""."""
    arr = np.asarray(values, dtype=object)
    missing = pd.isna(arr)
    if missing.any():
        arr = np.where(missing, "", arr)
    return factorize_objects(arr)


def _distinct(values, fn):
    """``fn`` of every distinct value, spread back over the rows (one call per distinct text);
    ``values`` may be given already coded by :func:`_texts_coded`."""
    codes, uniques = values if isinstance(values, tuple) else _texts_coded(values)
    out = [fn(u) for u in uniques.tolist()]
    return np.array(out, dtype=object)[codes] if len(out) else np.array([], dtype=object)


def _project_sums(ind: pd.DataFrame, weights: np.ndarray) -> pd.DataFrame:
    """Per project (in table order): first row, rows, weighted rows, weight sum."""
    frame = pd.DataFrame({"pid": ind["project_id"].to_numpy(), "w": weights, "pos": np.arange(len(ind))})
    grouped = frame.groupby("pid", sort=False)
    return pd.DataFrame({"first": grouped["pos"].min(), "n": grouped["pos"].size(), "given": grouped["w"].count(),
                         "total": grouped["w"].sum()})


def _near_full(total: np.ndarray) -> np.ndarray:
    return np.logical_or.reduce([np.abs(total - full) <= WEIGHT_TOLERANCE for full in FULL_MARKS])


def check_weight_sums(table: TargetTable) -> list[Issue]:
    """Weights far from 满分, or above 100: a column or a row was probably read wrong."""
    ind = table.indicators
    out: list[Issue] = []
    if not len(ind) or "weight" not in ind:
        return out
    weights = ind["weight"].to_numpy(dtype=float)
    where = _Where(table, ind)
    for i in np.flatnonzero(weights > 100):
        out.append(Issue("weight_out_of_range", "error", f"分值/权重 {weights[i]:g} 大于 100，不可能是一个指标的分值："
                         "可能读错了列（如把指标值或金额读成了分值）", cell=_text(ind["weight_text"].iat[i]) or None,
                         **where(i, "分值")))
    sums = _project_sums(ind, weights)
    judged = (sums["given"] >= MIN_WEIGHTED) & (sums["given"] >= sums["n"] / 2)
    bad = sums[judged.to_numpy() & ~_near_full(sums["total"].to_numpy())]
    for first, n, given, total in zip(bad["first"], bad["n"], bad["given"], bad["total"]):
        missing = int(n - given)
        extra = f"，另有 {missing} 个指标没有分值" if missing else ""
        out.append(Issue("weight_sum", "error", f"本项目 {int(given)} 个指标的分值合计 {total:g}{extra}，与满分 100"
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


def check_target_shapes(table: TargetTable) -> list[Issue]:
    """Targets that look like a weight, a level/grade name, a header word or another indicator's
    name; actuals that look like targets."""
    ind = table.indicators
    out: list[Issue] = []
    if not len(ind):
        return out
    where = _Where(table, ind)
    annual = ind["annual_text"].fillna("").astype(object).to_numpy()
    units = ind["unit_hint"].fillna("").astype(object).to_numpy() if "unit_hint" in ind else np.full(len(ind), "")
    weights = ind["weight"].to_numpy(dtype=float)
    annual_coded = _texts_coded(annual)
    why = _distinct(annual_coded, _text_reason)
    value = _distinct(annual_coded, _bare_value).astype(float)
    no_unit = units == ""
    as_weight = no_unit & (value == weights) & np.isin(value, (5, 10, 15, 20, 25, 30)) & (why == "")
    why[as_weight] = "与分值相同（可能把分值读成了指标值）"
    pids = ind["project_id"].to_numpy()
    folded_name = _distinct(ind["name"].to_numpy(), lambda t: fold(t.strip()) if isinstance(t, str) else "")
    names = set(pd.unique(folded_name).tolist()) - {""}
    # only a target text that is some indicator's name anywhere can be one of its own project
    candidate = _distinct(annual_coded, lambda t: fold(t.strip()) in names).astype(bool) & (why == "")
    if candidate.any():
        rows = np.flatnonzero(candidate)
        projects = set(pids[rows].tolist())
        pairs = {(p, n) for p, n in zip(pids.tolist(), folded_name.tolist()) if p in projects}
        for i in rows:
            target = fold(annual[i].strip())
            if target != folded_name[i] and (pids[i], target) in pairs:
                why[i] = "是本项目另一个指标的名称（可能行或列错位）"
    for i in np.flatnonzero(why != ""):
        t = annual[i].strip()
        out.append(Issue("target_misread", "error", f"指标值「{t}」{why[i]}，不像目标值：可能读错了列或行，请核对",
                         cell=t, **where(int(i))))
    # a project without weights whose bare-number "targets" sum to 满分: the weight column was read as targets
    bare = ~np.isnan(value) & no_unit
    frame = pd.DataFrame({"pid": pids, "bare": bare, "value": np.where(bare, value, 0.0),
                          "weighted": ~np.isnan(weights), "pos": np.arange(len(ind))})
    grouped = frame.groupby("pid", sort=False)
    per = pd.DataFrame({"n": grouped["pos"].size(), "bare": grouped["bare"].sum(), "weighted": grouped["weighted"].sum(),
                        "total": grouped["value"].sum(), "first": grouped["pos"].min()})
    hit = per[(per["n"] >= 3) & (per["bare"] == per["n"]) & (per["weighted"] == 0)
              & _near_full(per["total"].to_numpy())]
    for first, total in zip(hit["first"], hit["total"]):
        out.append(Issue("target_misread", "error", f"本项目各指标值都是不带单位的数字，合计 {total:g}，像是分值列："
                         "可能把分值读成了指标值，请核对列名", **where(int(first))))
    if "table_actual_text" in ind:
        actual = ind["table_actual_text"].fillna("").astype(object).to_numpy()
        like = _distinct(actual, lambda t: bool(_TARGET_LIKE.match(t))).astype(bool)
        for i in np.flatnonzero(like):
            out.append(Issue("actual_misread", "error", f"实际完成值「{actual[i]}」写成了目标的样子（带 ≥、不低于 等），"
                             "可能把指标值读成了实际完成值，请核对", cell=actual[i],
                             **where(int(i), "实际完成值")))
    return out


RULES = (check_weight_sums, check_target_shapes)
