"""The lint (`evaluator check`): one test per rule, on the seed and small fixtures."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from evaluator import read_targets
from evaluator.check import summarize
from evaluator.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
TABLES = FIXTURES / "tables"
SEED = FIXTURES / "seed" / "000_e143e4407d579c5d.txt"


@pytest.fixture(scope="module")
def seed():
    return read_targets(SEED)


@pytest.fixture(scope="module")
def mini():
    return read_targets(TABLES / "mini_seed.tsv")


def codes(table, code: str) -> pd.DataFrame:
    return table.issues[table.issues["code"] == code]


def test_issue_columns_and_locations(seed):
    assert list(seed.issues.columns) == ["code", "severity", "message", "file", "sheet", "row", "column",
                                         "project_id", "project", "indicator_no", "cell"]
    assert set(seed.issues["severity"]) <= {"error", "warning", "info"}
    assert (seed.issues["file"] == SEED.name).all()
    assert seed.issues["row"].notna().all()


def test_seed_category_conflicts(seed):
    found = codes(seed, "category_conflict")
    assert len(found) == 3
    assert sorted(found["row"].tolist()) == [18, 18, 36]
    assert all("以二级编码为准" in m for m in found["message"])
    assert set(found["column"]) == {"绩效指标"}


def test_seed_reconciles(seed):
    assert codes(seed, "total_mismatch").empty and codes(seed, "row_sum_mismatch").empty
    ok = codes(seed, "total_reconciled")
    assert any("4,157.41" in m for m in ok["message"])


def test_changed_amount_is_caught(tmp_path):
    text = SEED.read_text("utf-8").replace("扫黑除恶斗争工作经费\t54.32\t54.32", "扫黑除恶斗争工作经费\t54.33\t54.32")
    path = tmp_path / "changed.txt"
    path.write_text(text, encoding="utf-8")
    table = read_targets(path)
    row_sum = codes(table, "row_sum_mismatch")
    assert len(row_sum) == 1 and row_sum.iloc[0]["row"] == 14
    totals = codes(table, "total_mismatch")
    assert len(totals) == 2                                   # 合计 and the department subtotal
    assert all("4,157.41" in m and "4,157.42" in m for m in totals["message"])
    assert (totals["severity"] == "error").all()


def test_total_row_with_thousands_separators(tmp_path):
    text = (TABLES / "mini_seed.tsv").read_text("utf-8").replace("合计\t1,250.50", "合计\t1,205.50")
    path = tmp_path / "t.tsv"
    path.write_text(text, encoding="utf-8")
    found = codes(read_targets(path), "total_mismatch")
    assert len(found) == 1 and found.iloc[0]["row"] == 7 and "1,205.50" in found.iloc[0]["message"]


def test_total_row_is_checked_against_its_own_sheet(tmp_path):
    """Two sheets, each with its own 合计: each total is the sum of its sheet's projects, not of all sheets."""
    import openpyxl
    rows = [line.split("\t") for line in (TABLES / "mini_seed.tsv").read_text("utf-8").splitlines()]
    wb = openpyxl.Workbook()
    first = wb.active
    first.title = "一"
    second = wb.create_sheet("二")
    for r in rows:
        first.append(r)
        second.append([c.replace("某某局", "另一局") for c in r])
    assert second["A7"].value == "合计"
    second["B7"] = "1,205.50"                                  # sheet 二: a 合计 that does not add up
    path = tmp_path / "two.xlsx"
    wb.save(path)
    table = read_targets(path)
    assert set(table.totals["source_sheet"]) == {"一", "二"}
    found = codes(table, "total_mismatch")
    assert set(found["sheet"]) == {"二"}                      # sheet 一 adds up; sheet 二's 合计 does not
    assert all("3 个项目之和" in m for m in found["message"])
    assert any("合计" in m and "1,250.50" in m for m in codes(table, "total_reconciled")["message"])


def test_period_value_used(seed, mini):
    found = codes(seed, "period_value_used")
    assert len(found) == 3 and (found["severity"] == "warning").all()
    assert all("评分改用实施周期指标值" in m for m in found["message"])
    empty_annual = codes(mini, "period_value_used")
    assert "年度指标值为空" in " ".join(empty_annual["message"])


def test_not_measurable_and_qualitative_share(seed):
    share = codes(seed, "qualitative_share").set_index("project")
    assert "100%" in share.loc["区城市更新护航保障经费", "message"]
    assert share.loc["区城市更新护航保障经费", "severity"] == "warning"
    assert len(codes(seed, "not_measurable")) == int((~seed.indicators["measurable"]).sum())


def test_classified_projects_kept_flagged(seed):
    found = codes(seed, "classified_project")
    assert len(found) == 5
    assert set(found["project"]) == {"涉密项目"}
    assert len(set(found["project_id"])) == 5
    assert codes(seed, "no_indicators").empty


def test_name_spelled_two_ways_reported_not_changed(seed):
    found = codes(seed, "name_variant")
    assert len(found) == 1
    assert found.iloc[0]["cell"] == "黄浦" and "黄埔" in found.iloc[0]["message"]
    assert "黄浦区社会治理工作队经费" in set(seed.projects["project"])   # text unchanged


def test_duplicate_indicator(mini):
    found = codes(mini, "duplicate_indicator")
    assert len(found) == 1 and found.iloc[0]["indicator_no"] == 2 and found.iloc[0]["row"] == 11


def test_empty_cells_and_row_sum():
    table = read_targets(TABLES / "rows_multi.tsv")
    empty = codes(table, "empty_cell")
    assert len(empty) == 1 and empty.iloc[0]["row"] == 16 and empty.iloc[0]["severity"] == "error"
    assert len(codes(table, "row_sum_mismatch")) == 1
    assert len(codes(table, "duplicate_indicator")) == 1


def test_unknown_category(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("一级指标,二级指标,三级指标,指标值\n产出指标,奇怪指标,人数,10人\n", encoding="utf-8")
    found = codes(read_targets(path), "unknown_category")
    assert len(found) == 1 and found.iloc[0]["cell"] == "奇怪指标"


def test_summary_text(seed):
    text = summarize(seed)
    assert "项目 28 个（涉密 5 个" in text and "指标 84 个" in text
    assert "可计量" in text and "待评审" in text and "无法评价" in text
    assert "中共广州市黄埔区委政法委员会：项目 28 个，预算 4,157.41 万元" in text


def test_cli_exit_codes_and_output(tmp_path, capsys):
    out = tmp_path / "issues.csv"
    assert main(["check", str(SEED), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "指标 84 个" in printed and "矛盾" in printed
    written = pd.read_csv(out, encoding="utf-8-sig")
    assert "说明" in written.columns and len(written) > 0
    xlsx = tmp_path / "issues.xlsx"
    assert main(["check", str(SEED), "-o", str(xlsx)]) == 0
    assert len(pd.read_excel(xlsx)) == len(written)
    # error-severity issues fail only with --strict
    assert main(["check", str(TABLES / "rows_multi.tsv")]) == 0
    assert main(["check", str(TABLES / "rows_multi.tsv"), "--strict"]) == 1
    assert main(["check", str(SEED), "--strict"]) == 0


def test_cli_unreadable_file(tmp_path, capsys):
    assert main(["check", str(TABLES / "not_a_table.txt")]) != 0
    err = capsys.readouterr().err
    assert "not_a_table.txt" in err and "表头" in err
    assert main(["check", str(tmp_path / "missing.xlsx")]) != 0
    assert "missing.xlsx" in capsys.readouterr().err


def test_header_without_rows(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("一级指标,二级指标,三级指标,指标值\n", encoding="utf-8")
    table = read_targets(path)
    assert len(codes(table, "no_projects")) == 1
    assert main(["check", str(path), "--strict"]) == 1
