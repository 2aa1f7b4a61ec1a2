"""Notices a reader must see first: things that make the whole report mean less than it seems.

One place for the wording, used at the top of the terminal summary, report.html, report.xlsx and
report.json (``notices``), so every output says the same thing.
"""
from __future__ import annotations

from typing import Any

import pandas as pd

NO_ACTUALS = ("没有找到任何实际完成值：既没有给出实际完成值表，目标表中也没有「实际完成值」列（或填报表是空白的）。"
              "所有指标都是「待补」，下面的得分只是预算执行部分或为 0，不是自评结果。"
              "请用 evaluator template 生成填报表、填写后再评分。")


def _filled(column: Any) -> pd.Series:
    text = column.astype("string").fillna("").str.strip()
    return (text != "") & (text.str.lower() != "nan")


def has_actuals(evaluation: Any) -> bool:
    """True when at least one indicator has an actual value, a rating or a self score (the input had actuals)."""
    ind = getattr(evaluation, "indicators", None)
    if ind is None or not len(ind):
        return True  # nothing to fill: not the "no actuals" case
    for col in ("actual_text", "rating", "self_score", "actual_value"):
        if col in ind.columns and bool(_filled(ind[col]).any()):
            return True
    return False


def notices(evaluation: Any) -> list[str]:
    """The notices for one department's evaluation, most important first."""
    out = []
    if not has_actuals(evaluation):
        out.append(NO_ACTUALS)
    return out
