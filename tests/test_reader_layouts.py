"""Layouts from other provinces and years, each checked against a truth file (tests/fixtures/reader).

Truth files have the format of the shared real-table cases (docs/readers.md, "Truth files"):
every indicator's project, 一级/二级/三级, target, actual, weight and score, and every
project's indicator count and budget.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from evaluator import read_targets
from truth_cases import compare

HERE = Path(__file__).parent / "fixtures" / "reader"
TEXT_CASES = sorted(p.stem for p in HERE.glob("*.tsv"))


@pytest.mark.parametrize("doc", TEXT_CASES)
def test_text_layout_matches_truth(doc):
    table = read_targets(HERE / f"{doc}.tsv")
    assert compare(table, HERE / doc) == []


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory):
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_xlsx", HERE / "make_xlsx.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build(tmp_path_factory.mktemp("reader_xlsx"))


@pytest.mark.parametrize("doc", ["two_row_header_xlsx", "decorated_headers_xlsx", "trailing_blank_xlsx", "merged_xlsx"])
def test_workbook_layout_matches_truth(workbooks, doc):
    table = read_targets(workbooks[doc])
    assert compare(table, HERE / doc) == []


def test_text_cases_are_all_listed():
    assert {"two_row_header", "extra_columns_split", "stacked_forms", "stacked_no_title", "department_wide"} <= set(TEXT_CASES)


def test_trailing_blank_row_keeps_actual_out_of_weight(workbooks):
    ind = read_targets(workbooks["trailing_blank_xlsx"]).indicators
    row = ind[ind["name"] == "公厕验收合格率"].iloc[0]
    assert row["table_actual_text"] == "100%"
    assert row["annual_text"] == "100%"
    assert pd_isna(row["weight"])


def pd_isna(x) -> bool:
    return x != x or x is None


def test_split_direction_words_never_in_target_and_reverse_means_at_most():
    ind = read_targets(HERE / "extra_columns_split.tsv").indicators.set_index("name")
    assert ind.loc["投诉率", "target_text"] == "5%"
    assert ind.loc["投诉率", "direction_hint"] == "<="
    assert ind.loc["培训人次", "direction_hint"] == ">="
    for text in ind["target_text"]:
        assert not any(w in text for w in ("正向", "反向", "定量", "定性"))


def test_stacked_forms_money_block_and_footer():
    table = read_targets(HERE / "stacked_forms.tsv")
    p = table.projects.set_index("project")
    assert p.loc["城区绿化提升工程", "table_budget_annual"] == 3400.0
    assert p.loc["城区绿化提升工程", "table_budget_initial"] == 3359.62
    assert p.loc["公园管护经费", "table_spent_annual"] == 118.0
    assert list(p["n_indicators"]) == [3, 2]
    names = set(table.indicators["name"])
    assert not names & {"总分", "等级", "评价结论", "存在问题", "改进措施", "填报人:", "项目支出绩效自评表"}


def test_department_wide_table_is_one_department_project():
    table = read_targets(HERE / "department_wide.tsv")
    assert len(table.projects) == 1
    assert "部门整体" in table.projects["project"].iat[0]
    assert "department_wide" in set(table.issues["code"])
    assert list(table.indicators["weight"]) == [5, 5, 10, 20, 20]


# ---------------------------------------------------------------------------
# never silently wrong: where the reader may have misread, an error names the place


def _errors(path, code):
    issues = read_targets(path).issues
    return issues[(issues["severity"] == "error") & (issues["code"] == code)]


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_weights_far_from_full_marks_are_an_error(tmp_path):
    path = _write(tmp_path, "w.tsv", "一级指标\t二级指标\t三级指标\t指标值\t分值\n"
                  "产出指标\t数量指标\t培训人次\t≥100人次\t30\n\t质量指标\t合格率\t≥95%\t30\n"
                  "效益指标\t社会效益指标\t知晓率\t≥80%\t10\n")
    found = _errors(path, "weight_sum")
    assert len(found) == 1 and "合计 70" in found["message"].iat[0]
    assert found["row"].iat[0] == 2


def test_weights_summing_to_90_beside_execution_are_right(tmp_path):
    path = _write(tmp_path, "w90.tsv", "一级指标\t二级指标\t三级指标\t指标值\t分值\n"
                  "产出指标\t数量指标\t培训人次\t≥100人次\t50\n效益指标\t社会效益指标\t知晓率\t≥80%\t40\n")
    assert _errors(path, "weight_sum").empty


def test_weight_above_100_is_an_error(tmp_path):
    path = _write(tmp_path, "w100.tsv", "一级指标\t二级指标\t三级指标\t指标值\t分值\n"
                  "产出指标\t数量指标\t培训人次\t≥100人次\t120\n")
    found = _errors(path, "weight_out_of_range")
    assert list(found["row"]) == [2] and list(found["column"]) == ["分值"]


def test_target_that_is_a_category_or_grade_is_an_error(tmp_path):
    path = _write(tmp_path, "t.tsv", "一级指标\t二级指标\t三级指标\t指标值\n"
                  "产出指标\t数量指标\t培训人次\t质量指标\n\t质量指标\t合格率\t优\n\t时效指标\t完成时间\t完成\n")
    found = _errors(path, "target_misread")
    assert list(found["row"]) == [2, 3]


def test_target_that_is_another_indicator_name_is_an_error(tmp_path):
    path = _write(tmp_path, "tn.tsv", "一级指标\t二级指标\t三级指标\t指标值\n"
                  "产出指标\t数量指标\t培训人次\t合格率\n\t质量指标\t合格率\t≥95%\n")
    found = _errors(path, "target_misread")
    assert list(found["row"]) == [2] and "另一个指标的名称" in found["message"].iat[0]


def test_weight_column_read_as_targets_is_an_error(tmp_path):
    path = _write(tmp_path, "tw.tsv", "一级指标\t二级指标\t三级指标\t指标值\n"
                  "产出指标\t数量指标\t培训人次\t40\n\t质量指标\t合格率\t30\n效益指标\t社会效益指标\t知晓率\t30\n")
    assert len(_errors(path, "target_misread")) == 1


def test_actual_that_looks_like_a_target_is_an_error(tmp_path):
    path = _write(tmp_path, "a.tsv", "一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\n"
                  "产出指标\t数量指标\t培训人次\t100人次\t≥100人次\t50\n\t质量指标\t合格率\t95%\t96%\t40\n")
    found = _errors(path, "actual_misread")
    assert list(found["row"]) == [2] and list(found["cell"]) == ["≥100人次"]


def test_target_in_an_unknown_column_is_an_error(tmp_path):
    path = _write(tmp_path, "u.tsv", "一级指标\t二级指标\t三级指标\t目标要求\t指标值\n"
                  "产出指标\t数量指标\t培训人次\t≥100人次\t\n\t质量指标\t合格率\t≥95%\t\n")
    found = _errors(path, "target_in_unknown_column")
    assert list(found["row"]) == [2, 3] and list(found["column"]) == ["D", "D"]


def test_target_in_an_unknown_column_is_an_error_in_a_project_list_too(tmp_path):
    # a table with a 项目名称 column is read column-wise unless a row needs the row reader
    path = _write(tmp_path, "u2.tsv", "项目名称\t一级指标\t二级指标\t三级指标\t目标要求\t指标值\t分值\n"
                  "A项目\t产出指标\t数量指标\t培训人次\t≥100人次\t\t50\nA项目\t效益指标\t社会效益指标\t合格率\t≥95%\t\t40\n")
    found = _errors(path, "target_in_unknown_column")
    assert list(found["row"]) == [2, 3] and list(found["column"]) == ["E", "E"]


def test_sheet_with_few_rows_read_is_an_error(tmp_path):
    path = _write(tmp_path, "f.tsv", "序号\t三级指标\t指标值\t说明\n1\t培训人次\t≥100人次\t\n"
                  "2\t\t\t见附件一\n3\t\t\t见附件二\n4\t\t\t见附件三\n")
    found = _errors(path, "few_rows_read")
    assert len(found) == 1 and found["row"].iat[0] == 1


def test_check_strict_fails_on_a_misread(tmp_path):
    from evaluator.cli import main

    path = _write(tmp_path, "s.tsv", "一级指标\t二级指标\t三级指标\t指标值\t分值\n"
                  "产出指标\t数量指标\t培训人次\t≥100人次\t30\n\t质量指标\t合格率\t≥95%\t30\n")
    assert main(["check", str(path), "--strict"]) == 1


# ---------------------------------------------------------------------------
# a layout file: the user names the header row and the columns


LAYOUT_TABLE = HERE / "layout_file_case.txt"   # .txt: not one of the truth-file cases above
LAYOUT_FILE = HERE / "layout_file_case.toml"


def test_unclassifiable_table_reads_with_a_layout_file():
    from evaluator.issues import InputError

    with pytest.raises(InputError, match="--layout"):
        read_targets(LAYOUT_TABLE)
    table = read_targets(LAYOUT_TABLE, layout=LAYOUT_FILE)
    assert table.projects["project"].tolist() == ["高标准农田建设"]
    assert table.projects["budget_total"].tolist() == [3359.62]
    ind = table.indicators
    assert ind["name"].tolist() == ["建设面积", "验收合格率", "亩均增产"]
    assert ind["target_text"].tolist() == ["≥5000亩", "100%", "≥50公斤"]
    assert ind["table_actual_text"].tolist() == ["5200亩", "100%", "55公斤"]
    assert ind["weight"].tolist() == [40, 30, 20]
    assert ind["level2_code"].tolist() == ["11", "12", "21"]


def test_layout_file_errors_name_the_problem(tmp_path):
    from evaluator.issues import InputError

    bad = tmp_path / "bad.toml"
    bad.write_text('header_rows = [3]\n[columns]\n"考核分" = "B"\n', encoding="utf-8")
    with pytest.raises(InputError, match="考核分"):
        read_targets(LAYOUT_TABLE, layout=bad)
    bad.write_text('header_rows = [3]\n[columns]\n"三级指标" = "不存在的列"\n', encoding="utf-8")
    with pytest.raises(InputError, match="不存在的列"):
        read_targets(LAYOUT_TABLE, layout=bad)


def test_check_explain_layout_prints_mapping_and_a_layout_file(capsys, tmp_path):
    from evaluator.cli import main

    assert main(["check", str(HERE / "extra_columns_split.tsv"), "--explain-layout"]) == 0
    out = capsys.readouterr().out
    assert "I 列「指标值」→ 年度指标值" in out
    assert "H 列「指标方向」→ 指标方向" in out
    assert "A 列「序号」→ 序号（不读取）" in out
    assert "B 列「项目单位」→ 不读取" in out
    written = out.split("对应的版式文件")[1].split("\n", 2)[2]
    assert written.startswith("# 版式文件")
    layout = tmp_path / "layout.toml"
    layout.write_text(written, encoding="utf-8")
    again = read_targets(HERE / "extra_columns_split.tsv", layout=layout)
    assert compare(again, HERE / "extra_columns_split") == []


def test_explain_layout_names_the_money_block(capsys):
    from evaluator.cli import main

    main(["check", str(HERE / "stacked_forms.tsv"), "--explain-layout", "-q"])
    out = capsys.readouterr().out
    assert "「城区绿化提升工程」（第 3 行）：年初预算 3359.62 万元，全年预算 3400 万元" in out
    assert "「公园管护经费」（第 21 行）" in out


def test_check_suggests_a_layout_when_unclear(capsys, tmp_path):
    from evaluator.cli import main

    path = tmp_path / "u.tsv"
    path.write_text("一级指标\t二级指标\t三级指标\t目标要求\t指标值\n产出指标\t数量指标\t培训人次\t≥100人次\t\n",
                    encoding="utf-8")
    main(["check", str(path)])
    assert "--explain-layout" in capsys.readouterr().out


def test_score_takes_a_layout_file(tmp_path, capsys):
    from evaluator.cli import main

    assert main(["score", str(LAYOUT_TABLE), "--layout", str(LAYOUT_FILE), "-o", str(tmp_path / "out")]) == 0
    import pandas as pd

    ind = pd.read_csv(tmp_path / "out" / "indicators.csv")
    assert len(ind) == 3


def test_merged_row_number_column_does_not_shift_the_row(tmp_path):
    # 序号 printed once for a group of rows (merged): the shorter row lacks it, not its 一级指标
    path = _write(tmp_path, "seq.tsv", "序号\t一级指标\t二级指标\t三级指标\t指标值\t分值\n"
                  "1\t产出指标\t数量指标\t培训人次\t≥100人次\t30\n质量指标\t合格率\t≥95%\t30\n"
                  "2\t效益指标\t社会效益指标\t知晓率\t≥80%\t30\n")
    ind = read_targets(path).indicators
    assert ind["level2_raw"].tolist() == ["数量指标", "质量指标", "社会效益指标"]
    assert ind["annual_text"].tolist() == ["≥100人次", "≥95%", "≥80%"]
    assert ind["weight"].tolist() == [30, 30, 30]


def test_indicator_rows_after_a_total_row_are_still_read(tmp_path):
    path = _write(tmp_path, "mid.tsv", "项目名称\t一级指标\t二级指标\t三级指标\t指标值\t分值\n"
                  "A项目\t产出指标\t数量指标\t培训人次\t≥100人次\t50\nA项目\t效益指标\t社会效益指标\t合格率\t≥95%\t40\n"
                  "合计\t\t\t\t\t90\nB项目\t产出指标\t数量指标\t检查次数\t≥12次\t90\n")
    table = read_targets(path)
    assert table.projects["n_indicators"].tolist() == [2, 1]
    assert "合计" not in set(table.indicators["name"])


def test_weights_written_with_percent_or_points_are_read(tmp_path):
    path = _write(tmp_path, "pw.tsv", "项目名称\tX\n一级指标\t二级指标\t三级指标\t指标值\t权重\n"
                  "产出指标\t数量指标\t培训人次\t≥100人次\t50%\n效益指标\t社会效益指标\t合格率\t≥95%\t40分\n")
    table = read_targets(path)
    assert table.indicators["weight"].tolist() == [50.0, 40.0]
    assert not (table.issues["code"] == "bad_weight").any()


def test_round_trip_of_the_engines_own_report_reads_the_same_indicators(tmp_path):
    """evaluator score → report.xlsx → read again: same projects and indicators, no 等级/总分 rows."""
    from evaluator.cli import main

    examples = Path(__file__).parent.parent / "examples" / "seed"
    assert main(["score", str(examples / "targets.txt"), str(examples / "actuals.csv"), "-o", str(tmp_path)]) == 0
    first = read_targets(examples / "targets.txt")
    again = read_targets(tmp_path / "report.xlsx")
    assert len(again.projects) == len(first.projects) == 28
    assert len(again.indicators) == len(first.indicators) == 84
    assert list(again.indicators["name"]) == list(first.indicators["name"])
    assert not set(again.indicators["name"]) & {"等级", "总分", ""}
    assert list(again.projects["n_indicators"]) == list(first.projects["n_indicators"])


def test_funds_table_with_budget_and_spent_columns(tmp_path):
    path = _write(tmp_path, "pe.tsv", "项目支出绩效自评表\n项目名称\t河道保洁\n资金情况(万元)\t预算数\t执行数\t执行率\n"
                  "80\t76\t95%\n一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\n"
                  "产出指标\t质量指标\t保洁覆盖率\t100%\t100%\t90\t90\n")
    p = read_targets(path).projects.iloc[0]
    assert (p["table_budget_annual"], p["table_spent_annual"]) == (80.0, 76.0)


def test_department_wide_categories_are_known(tmp_path):
    # the 部门整体 frameworks' categories read clean; a name the national rules place in a block maps to it
    path = _write(tmp_path, "d.tsv", "2023年度部门整体支出绩效自评表\n部门名称：区林业局\n"
                  "一级指标\t二级指标\t三级指标\t指标值\t分值\n"
                  "投入(20分)\t预算配置\t在职人员控制率\t≤100%\t10\n"
                  "\t目标设定\t绩效目标合理性\t合理\t10\n"
                  "过程\t预算执行\t预算完成率\t≥95%\t20\n"
                  "产出\t产出数量\t造林面积\t≥500亩\t20\n"
                  "效果\t履职效益\t森林覆盖率\t≥60%\t10\n"
                  "效果指标\t社会公众或服务对象满意度\t群众满意度\t≥90%\t10\n"
                  "管理指标\t预算编制\t预算编制准确率\t≥90%\t5\n"
                  "履职效能\t重点工作\t重点工作办结率\t100%\t5\n"
                  "其他类\t杂项\t其他事项\t完成\t10\n")
    table = read_targets(path)
    ind = table.indicators
    assert len(table.projects) == 1 and table.projects["project"].iat[0] == "区林业局部门整体"
    assert list(ind["level2_code"])[3:6] == ["11", "", "31"] and list(ind["level1_code"])[3:6] == ["1", "", "3"]
    unknown = table.issues[table.issues["code"] == "unknown_category"]
    assert list(unknown["row"]) == [12, 12] and list(unknown["cell"]) == ["其他类", "杂项"]
