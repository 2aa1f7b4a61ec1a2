"""The vectorised scorer reads each distinct text once and routes rows by masks; a row's
score must not depend on the other rows of the table. Every case of the case table, crossed
with actuals, ratings and prior values of every kind, is scored as one table and row by row."""
from __future__ import annotations

import csv
import math
import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evaluator.evaluate import _merge_actuals
from evaluator.rules import load_rule_pack
from evaluator.scoring import score_indicators
from scoring_helpers import actuals, ind, table

CASES = list(csv.DictReader((Path(__file__).parent / "cases" / "scoring_cases.tsv").open(encoding="utf-8"),
                            delimiter="\t"))
ACTUALS = sorted({c["actual"] for c in CASES}) + [
    "NaN", "不适用", "基本完成", "部分完成", "是", "否", "无", "已完成", "一般=10;满意=50;非常满意=30;评价数量=100",
    "下降", "-3个", "120%", "12次/月", "3个;4个", "2小时;3天", "100元/人"]
RATINGS = ["", "", "优", "良", "差", "3", "3分", "不适用", "很好", "部分达成", "基本完成"]
PRIORS = ["", "40", "50个", "abc", "10次/月", "0", "12"]
COLUMNS = ["block", "op_used", "op_source", "status", "method", "ratio", "rule", "flag", "over_times",
           "actual_value", "target_value", "pending_reason", "reason_args", "t_kind", "t_unit", "rating_points"]


def _mixed(n: int = 120, seed: int = 7):
    rnd = random.Random(seed)
    targets = sorted({(c["target"], c["name"]) for c in CASES})
    rows, values = [], {}
    for k in range(n):
        target, name = rnd.choice(targets)
        pid = f"P{k // 5:03d}"
        row = ind(target, name, project=pid, no=k % 5 + 1, level2=rnd.choice(["11", "21", "31", "41"]),
                  hint=rnd.choice(["", "", ">=", "<="]), annual=target if "满意度=" in target else None)
        row["unit_hint"] = rnd.choice(["", "", "个", "%"])
        rows.append(row)
        values[(pid, k % 5 + 1)] = {"actual_text": rnd.choice(ACTUALS), "prior_text": rnd.choice(PRIORS),
                                    "rating": rnd.choice(RATINGS)}
    t = table(rows)
    return _merge_actuals(t.indicators, actuals(values))


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    return a == b or (pd.isna(a) and pd.isna(b)) if not isinstance(a, dict) else a == b


@pytest.mark.parametrize("pack", ["national-2020", "hubei-2020", "guangdong-cap"])
def test_rows_score_alone_as_in_the_table(pack: str) -> None:
    rules = load_rule_pack(pack)
    merged = _mixed()
    whole, issues = score_indicators(merged, rules)
    assert len(set(whole["rule"])) > 8 and len(set(whole["pending_reason"])) > 5  # the mix reaches many branches
    n_issues = 0
    for i in range(len(merged)):
        alone, row_issues = score_indicators(merged.iloc[[i]], rules)
        n_issues += len(row_issues)
        for col in COLUMNS:
            a, b = whole[col].iat[i], alone[col].iat[0]
            assert _same(a, b), (i, col, a, b, merged["target_text"].iat[i], merged["actual_text"].iat[i])
    assert n_issues == len(issues)


def test_empty_table_scores() -> None:
    merged = _mixed().iloc[0:0]
    out, issues = score_indicators(merged, load_rule_pack("national-2020"))
    assert len(out) == 0 and len(issues) == 0 and "status" in out
