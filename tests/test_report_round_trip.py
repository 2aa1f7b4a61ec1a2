"""The engine's own report.xlsx, handed back, re-scores to the same totals (issue #17, round trip).

``evaluator score TARGETS ACTUALS -o a`` then ``evaluator score a/report.xlsx -o b``: every project total,
the budget-execution points and the department score of ``b`` equal those of ``a``. What the report must
carry for that (the reviewer's 评定, the 上年实际值, the 实施周期指标值 beside the 年度指标值) is in
docs/reports.md (report.xlsx) and docs/readers.md.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from evaluator.cli import main

EXAMPLES = Path(__file__).parent.parent / "examples"

#: every example under examples/ scored with an actuals file (history: one year of each department)
CASES = {
    "seed": ("seed/targets.txt", "seed/actuals.csv"),
    "sichuan-mata-zhen": ("sichuan-mata-zhen/targets.tsv", "sichuan-mata-zhen/actuals.csv"),
    "tianjin-hebei-court": ("tianjin-hebei-court/targets.tsv", "tianjin-hebei-court/actuals.csv"),
    "history-court-2024": ("history/targets-court-2024.tsv", "history/actuals-court-2024.csv"),
    "history-procuratorate-2023": ("history/targets-procuratorate-2023.tsv",
                                   "history/actuals-procuratorate-2023.csv"),
}


def _score(tmp_path: Path, name: str, *inputs: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    out = tmp_path / name
    assert main(["score", *map(str, inputs), "-o", str(out), "--headers", "en"]) == 0
    return (pd.read_csv(out / "projects.csv"), pd.read_csv(out / "departments.csv"),
            pd.read_csv(out / "indicators.csv"))


@pytest.mark.parametrize("case", sorted(CASES))
def test_report_xlsx_rescores_to_the_same_totals(tmp_path: Path, case: str) -> None:
    targets, actuals = CASES[case]
    projects, departments, indicators = _score(tmp_path, "first", EXAMPLES / targets, EXAMPLES / actuals)
    again, departments_again, indicators_again = _score(tmp_path, "again", tmp_path / "first" / "report.xlsx")
    assert list(again["project_id"]) == list(projects["project_id"])
    assert list(again["project"]) == list(projects["project"])
    assert len(indicators_again) == len(indicators)
    for column in ("total", "total_min", "total_max", "execution_points"):
        assert again[column].round(6).tolist() == pytest.approx(projects[column].round(6).tolist(), nan_ok=True), column
    assert list(again["status"]) == list(projects["status"])
    assert departments_again["score"].iat[0] == pytest.approx(departments["score"].iat[0])
    assert departments_again["score_min"].iat[0] == pytest.approx(departments["score_min"].iat[0])
    assert departments_again["score_max"].iat[0] == pytest.approx(departments["score_max"].iat[0])
    # indicator by indicator, the same points from the same target
    assert indicators_again["points"].round(6).tolist() == pytest.approx(indicators["points"].round(6).tolist(),
                                                                         nan_ok=True)
    assert list(indicators_again["target_text"]) == list(indicators["target_text"])


def test_seed_report_carries_rating_prior_and_period_target_after_the_official_columns(tmp_path: Path) -> None:
    """The official A–I stay as they are; 实施周期指标值 / 上年实际值 / 评定 follow in J–L, and the 年度指标值 cell
    holds the annual value only (the period target is in its own column, not written inside it)."""
    assert main(["score", str(EXAMPLES / "seed/targets.txt"), str(EXAMPLES / "seed/actuals.csv"),
                 "-o", str(tmp_path)]) == 0
    ws = load_workbook(tmp_path / "report.xlsx")["项目自评表"]
    rows = [tuple(row) for row in ws.iter_rows(values_only=True)]
    header = next(r for r in rows if r[1] == "一级指标")
    assert header[:12] == ("绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                           "偏差原因分析及改进措施", "实施周期指标值", "上年实际值", "评定")
    def cells(name: str, *columns: int) -> set[tuple]:
        return {tuple(r[c] for c in columns) for r in rows if r[3] == name}

    # P013 #2: scored from its period target, the annual cell keeps the table's own annual value
    assert ("网格事件正常办结率=正常办结数/上报数", "网格事件顺利流转，网格事件正常办结率达90%以上") in cells("网格事件流转时限", 4, 9)
    assert ("逐步提高", "40次") in cells("综治视联网视频会议召开数量", 4, 10)  # P021 #4: from last year's 40次
    assert ("攻克一批重点案件，净化社会环境", "部分达成") in cells("维护社会安定", 4, 11)  # P003 #2: the reviewer's rating
    assert not any("按实施周期指标值" in str(r[4]) for r in rows)
    assert all(len(r) == 12 for r in rows)


def test_a_report_without_ratings_priors_or_period_targets_keeps_the_official_nine_columns(tmp_path: Path) -> None:
    assert main(["score", str(EXAMPLES / "self-evaluation/自评表.xlsx"), "-o", str(tmp_path)]) == 0
    ws = load_workbook(tmp_path / "report.xlsx")["项目自评表"]
    assert ws.max_column == 9
    projects = pd.read_csv(tmp_path / "projects.csv")
    assert projects["总分"].round(2).tolist() == [97.70, 99.60]


def test_status_word_in_a_score_cell_is_no_score_not_a_bad_number(tmp_path: Path) -> None:
    """The engine prints 待补/待评 in the 得分 cell of a pending indicator: read back, that is "no score"."""
    assert main(["score", str(EXAMPLES / "seed/targets.txt"), str(EXAMPLES / "seed/actuals.csv"),
                 "-o", str(tmp_path / "a"), "--headers", "en"]) == 0
    assert main(["score", str(tmp_path / "a" / "report.xlsx"), "-o", str(tmp_path / "b"), "--headers", "en"]) == 0
    issues = pd.read_csv(tmp_path / "b" / "issues.csv")
    assert not (issues["code"] == "bad_number").any()
    ind = pd.read_csv(tmp_path / "b" / "indicators.csv")
    pending = ind[ind["status"] == "pending"]
    assert len(pending) and pending["self_score"].isna().all()
