"""The actuals join hands its text codes to the scorer: scoring with them equals scoring
without them, and the join keeps the first actuals row of a repeated key as pandas does."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluator.evaluate import _join_actuals, _merge_actuals, departments_table
from evaluator.rules import load_rule_pack
from evaluator.scoring import score_indicators
from scoring_helpers import actuals, ind, table


def _table():
    rows = [ind("≥95%", "完成率", project="P1", no=1), ind("≤3天", "办理时长", project="P1", no=2),
            ind("逐步提高", "满意度", project="P2", no=1), ind("≥10个", "数量", project="P2", no=2)]
    values = {("P1", 1): {"actual_text": "96%", "rating": "优"}, ("P1", 2): {"actual_text": "4天", "prior_text": "5天"},
              ("P2", 1): {"actual_text": "90", "prior_text": "80"}}
    return table(rows), actuals(values)


@pytest.mark.parametrize("pack", ["national-2020", "hubei-2020", "guangdong-cap"])
def test_scoring_with_the_join_codes_equals_scoring_without(pack: str) -> None:
    t, a = _table()
    merged, coded = _join_actuals(t.indicators, a)
    pd.testing.assert_frame_equal(merged, _merge_actuals(t.indicators, a))
    with_codes, issues_codes = score_indicators(merged, load_rule_pack(pack), coded)
    without, issues = score_indicators(merged, load_rule_pack(pack))
    pd.testing.assert_frame_equal(with_codes, without)
    pd.testing.assert_frame_equal(issues_codes, issues)


def test_repeated_actuals_key_keeps_the_first_row() -> None:
    t, a = _table()
    extra = a.indicators.iloc[[0]].assign(actual_text="10%")
    a.indicators = pd.concat([a.indicators, extra], ignore_index=True)
    merged = _merge_actuals(t.indicators, a)
    assert merged["actual_text"].tolist()[:2] == ["96%", "4天"]
    assert pd.isna(merged["self_score"]).all() or merged["self_score"].dtype == float


def test_departments_table_without_projects_in_a_department() -> None:
    projects = pd.DataFrame({"project_id": ["A", "B"], "department": ["d", None], "total": [80.0, np.nan],
                             "total_min": [80.0, np.nan], "total_max": [90.0, np.nan], "budget_total": [1.0, 2.0],
                             "status": ["partial", "no_indicators"], "classified": [False, False]})
    out = departments_table(projects, load_rule_pack("national-2020"))
    assert out["department"].tolist() == ["d", ""] and out["n_scored_projects"].tolist() == [1, 0]
    assert out["score"].iloc[0] == 80.0 and np.isnan(out["score"].iloc[1])
    # nothing counted: no budget is missing, so no fallback is claimed
    assert out["score_basis"].tolist() == ["预算加权；派生（无官方规则）"] * 2


def test_departments_table_and_report_rollup_agree() -> None:
    """departments.csv and the report's department row come from one rule (rollup.department_scores)."""
    from evaluator import evaluate
    from evaluator.rollup import rollup_department

    ev = evaluate("examples/seed/targets.txt", "examples/seed/actuals.csv")
    for budget in (None, np.nan):  # with budgets; without any (the simple mean stands in)
        projects = ev.projects if budget is None else ev.projects.assign(budget_used=budget, budget_annual=budget, budget_total=budget)
        ev.projects = projects
        row = departments_table(projects, ev.rule_pack).iloc[0]
        summary = rollup_department(ev, department=row["department"]).summary
        for key in ("score", "score_min", "score_max", "score_simple", "n_scored_projects", "grade", "score_basis"):
            want = round(summary[key], 2) if isinstance(summary[key], float) else summary[key]
            assert row[key] == want, key
    assert summary["score_basis"].startswith("预算数缺失")


def test_actual_cells_are_read_as_their_own_text() -> None:
    """Distinct values are found by text: True and 1, -0.0 and 0.0, texts differing after a NUL stay apart."""
    from evaluator import evaluate
    from evaluator.scoring import text_codes

    codes, texts = text_codes(pd.Series([True, 1, 1.0, -0.0, 0.0, "a\x00b", "a\x00c", None, np.nan]))
    assert list(texts[codes]) == ["True", "1", "1.0", "-0.0", "0.0", "a\x00b", "a\x00c", "", ""]
    t = table([ind("≥1个", "a", weight=45), ind("≥1个", "b", weight=45)])
    a = pd.DataFrame({"project_id": ["P001"] * 2, "indicator_no": [1, 2], "actual_text": [True, 1],
                      "self_score": pd.array([30, None], dtype="Int64")})
    ev = evaluate(t, a)
    assert list(ev.indicators["actual_text"]) == ["True", "1"]
    assert list(ev.indicators["status"]) == ["not_evaluable", "scored"]
    assert ev.indicators["self_score"].dtype == "Int64"  # as the table gave it


def test_key_codes_whole_numbers_as_objects():
    """_key_codes of int columns (read without boxing) equals the codes of the same values as Python objects."""
    import importlib

    ev = importlib.import_module("evaluator.evaluate")
    left = np.array([3, 1, 2, 3, 2**62, -1], dtype=np.int64)
    right = np.array([2, 2**62, 7, 3], dtype=np.int64)
    fast = ev._key_codes([pd.Series(left)], [right])
    slow = ev._key_codes([left.astype(object)], [right.astype(object)])
    assert [c.tolist() for c in fast] == [c.tolist() for c in slow] == [[0, 1, 2, 0, 3, 4], [2, 3, 5, 0]]
    # other dtypes on one side are keyed as objects: 1 and 1.0 are one key, a missing number its own
    mixed = ev._key_codes([pd.Series([1, 2], dtype=np.int64)], [np.array([1.0, np.nan])])
    assert [c.tolist() for c in mixed] == [[0, 1], [0, 2]]
