"""A self-evaluation table (自评表) carries its own 实际完成值 and 得分: score it without an actuals file."""
from __future__ import annotations

from pathlib import Path

from evaluator import evaluate, read_targets
from evaluator.cli import main

TABLE = Path(__file__).parent / "fixtures" / "tables" / "self_evaluation.csv"


def test_self_evaluation_table_scores_from_its_own_columns():
    ev = evaluate(read_targets(TABLE))
    ind = ev.indicators.set_index("name")
    assert ind.loc["抽检批次", "actual_text"] == "520批次"
    assert ind.loc["抽检批次", "points"] == 20.0
    # 240 of ≥300 人 on a 15-point indicator: 15 × 240/300 = 12
    assert ind.loc["培训人数", "points"] == 12.0
    assert ind.loc["食品安全事故", "points"] == 15.0
    # the unit's own 得分 is kept beside the engine's points
    assert ind.loc["培训人数", "self_score"] == 12.0 and ind.loc["培训人数", "self_diff"] == 0.0
    # a trend stated in words (实际: 逐步提高) is taken as stated, and the explanation says so
    assert ind.loc["监管能力", "points"] == 15.0
    assert "未提供上年实际值" in ind.loc["监管能力", "explanation"]
    assert len(ev.indicators) == 6


def test_score_command_without_actuals_file(tmp_path, capfd):
    assert main(["score", str(TABLE), "-o", str(tmp_path / "out")]) == 0
    out = capfd.readouterr().out
    assert "读入指标 6 条，输出 6 条" in out
    assert (tmp_path / "out" / "report.xlsx").is_file()


OFFICIAL = Path(__file__).parent / "fixtures" / "tables" / "official_self_evaluation.csv"


def test_official_self_evaluation_layout_preamble():
    """The 财预〔2020〕10号 自评表: project, department, funds block and 总分 above/below the grid."""
    t = read_targets(OFFICIAL)
    p = t.projects.iloc[0]
    assert (p["project"], p["department"]) == ("社区矫正工作经费", "某区司法局")
    assert (p["table_budget_annual"], p["table_spent_annual"], p["table_execution_score"]) == (50.0, 46.0, 9.2)
    assert p["table_total_score"] == 97.7
    assert p["goal"].startswith("做好社区矫正对象监督管理")
    assert len(t.indicators) == 7
    assert "row_not_read" not in set(t.issues["code"])


def test_official_self_evaluation_scores_like_the_unit():
    ev = evaluate(read_targets(OFFICIAL))
    p = ev.projects.iloc[0]
    # 执行率 46/50 = 92 % → 9.2; indicators 15+13.5+10+10+15+15+10 = 88.5 with the table's 分值
    assert p["execution_rate"] == 0.92 and p["execution_points"] == 9.2
    assert p["total"] == 97.7
    assert p["self_total"] == 97.7 and p["self_diff"] == 0.0


def test_stacked_self_evaluation_tables_in_one_sheet():
    """A department's 自评表 one after another: each block's title, preamble and 总分 belong to its project."""
    t = read_targets(Path(__file__).parent / "fixtures" / "tables" / "stacked_self_evaluations.csv")
    assert list(t.projects["project"]) == ["社区矫正工作经费", "人民调解工作经费"]
    assert list(t.projects["n_indicators"]) == [7, 7]
    assert list(t.projects["table_spent_annual"]) == [46.0, 30.0]
    ev = evaluate(t)
    assert list(ev.projects["total"]) == [97.7, 98.5]
    assert list(ev.projects["self_diff"]) == [0.0, 0.0]
    assert "empty_target" not in set(t.issues["code"])  # title rows are not indicators
