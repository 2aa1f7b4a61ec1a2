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
