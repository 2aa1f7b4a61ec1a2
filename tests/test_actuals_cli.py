"""Actuals template round trip, matching issues, and the score command on the seed example."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from evaluator.actuals import read_actuals, write_template
from evaluator.cli import main
from scoring_helpers import ind, table

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "seed"


def _table():
    return table([ind("≥50个", "情报模型数"), ind("≤3秒", "响应时间"), ind("完成", "支付", project="P002")])


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_template_round_trip(tmp_path: Path, suffix: str) -> None:
    t = _table()
    path = write_template(t, tmp_path / f"a{suffix}")
    a = read_actuals(path, t)
    assert len(a.indicators) == 3 and set(a.projects["project_id"]) == {"P001", "P002"}
    assert a.issues.empty


def test_gbk_english_headers_and_issues(tmp_path: Path) -> None:
    t = _table()
    rows = "project_id,indicator_no,actual,prior\nP001,1,46个,\nP001,1,47个,\nP001,9,1,\nP404,1,1,\n"
    p = tmp_path / "a.csv"
    p.write_bytes(rows.encode("gbk"))
    a = read_actuals(p, t)
    codes = list(a.issues["code"])
    assert codes.count("actual_duplicate") == 1 and codes.count("actual_unmatched") == 2
    assert codes.count("actual_missing") == 2  # P001-2 and P002-1 have no row
    assert a.indicators.iloc[0]["actual_text"] == "46个"
    dup = a.issues[a.issues["code"] == "actual_duplicate"].iloc[0]
    assert dup["row"] == 3 and dup["file"] == "a.csv"


def test_score_command_on_seed(tmp_path: Path, capsys) -> None:
    assert main(["score", str(SEED / "targets.txt"), str(SEED / "actuals.csv"), "-o", str(tmp_path),
                 "--headers", "en"]) == 0  # the contract names (Chinese headers are the default)
    out = capsys.readouterr().out
    assert "总分" in out and "national-2020" in out
    projects = pd.read_csv(tmp_path / "projects.csv", encoding="utf-8-sig")
    assert (projects["total"].dropna() <= 100).all()
    assert set(projects["status"]) >= {"scored", "partial", "classified"}
    ind = pd.read_csv(tmp_path / "indicators.csv", encoding="utf-8-sig")
    assert ind["explanation"].notna().all()
    assert (tmp_path / "issues.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_template_command(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    assert main(["template", str(SEED / "targets.txt"), "-o", str(out)]) == 0
    assert out.exists()
