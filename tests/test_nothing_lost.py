"""Nothing lost: every input indicator row appears in the output exactly once.

Scored, pending or not evaluable with a reason — never silently gone, never twice.
The CLI summaries say how many went in and how many came out.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from broken import builders as b
from evaluator import evaluate
from evaluator.cli import main
from evaluator.readers import read_targets

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "tests" / "fixtures" / "seed" / "000_e143e4407d579c5d.txt"
SEED_ACTUALS = ROOT / "examples" / "seed" / "actuals.csv"
STATUSES = {"scored", "pending", "not_evaluable", "excluded"}
NOT_READ = ("row_not_read", "unparsed_indicators")


def _broken_rows_table(tmp_path: Path) -> tuple[Path, set[int]]:
    """targets_ok.csv plus a blank-target row, a note-only row and a category-only row."""
    text = b.TARGETS_OK.read_text(encoding="utf-8")
    text += "法治宣传,,产出指标,数量指标,培训人次,,5\n"      # row 11: indicator without target
    text += ",,,,,,说明：以上指标由办公室负责\n"            # row 12: not an indicator → row_not_read
    text += "法治宣传,,成本指标,经济成本指标,,,\n"          # row 13: categories only → carried, not data
    path = tmp_path / "broken.csv"
    path.write_text(text, encoding="utf-8")
    return path, set(range(2, 13))


def assert_conserved(table, ev=None) -> None:
    ind = table.indicators
    assert not ind.duplicated(["project_id", "indicator_no"]).any()
    if ev is None:
        return
    out = ev.indicators
    assert len(out) == len(ind)
    assert list(zip(out["project_id"], out["indicator_no"])) == list(zip(ind["project_id"], ind["indicator_no"]))
    assert set(out["status"]) <= STATUSES and out["status"].notna().all()
    unscored = out[out["status"] != "scored"]
    # every indicator not scored says why
    assert (unscored["explanation"].fillna("").str.len() > 0).all()


def test_seed_every_indicator_once():
    table = read_targets(SEED)
    assert len(table.indicators) == 84
    assert table.projects["n_indicators"].sum() == 84
    assert_conserved(table, evaluate(table, SEED_ACTUALS))


def test_seed_without_actuals_everything_pending_not_lost():
    table = read_targets(SEED)
    ev = evaluate(table, None)
    assert_conserved(table, ev)
    assert (ev.indicators["status"] != "scored").sum() > 0


def test_broken_table_every_data_row_is_an_indicator_or_an_issue(tmp_path):
    path, data_rows = _broken_rows_table(tmp_path)
    table = read_targets(path)
    as_indicator = list(table.indicators["source_row"])
    as_issue = list(table.issues.loc[table.issues["code"].isin(NOT_READ), "row"])
    assert sorted(as_indicator + as_issue) == sorted(data_rows)  # each exactly once
    ev = evaluate(table, b.ACTUALS_OK)
    assert_conserved(table, ev)
    row11 = ev.indicators[ev.indicators["source_row"] == 11].iloc[0]
    assert row11["status"] == "not_evaluable"


def test_check_summary_counts_in_and_out(tmp_path, capfd):
    assert main(["check", str(SEED)]) == 0
    assert "读入指标 84 条，输出 84 条" in capfd.readouterr().out
    path, _ = _broken_rows_table(tmp_path)
    assert main(["check", str(path)]) == 0
    out = capfd.readouterr().out
    assert "读入指标 11 条，输出 10 条；另有 1 行未能读取为指标" in out


def test_score_summary_counts_in_and_out(tmp_path, capfd):
    assert main(["score", str(SEED), str(SEED_ACTUALS), "-o", str(tmp_path / "out")]) == 0
    assert "读入指标 84 条，输出 84 条" in capfd.readouterr().out


def test_score_outputs_one_row_per_indicator(tmp_path, capfd):
    assert main(["score", str(SEED), str(SEED_ACTUALS), "-o", str(tmp_path / "out"), "--headers", "en"]) == 0
    capfd.readouterr()
    out = pd.read_csv(tmp_path / "out" / "indicators.csv", encoding="utf-8-sig")
    assert len(out) == 84 and not out.duplicated(["project_id", "indicator_no"]).any()
