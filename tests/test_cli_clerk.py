"""What a finance clerk meets on the command line (issue #15): Chinese help and errors, outputs that
cannot be written, wrong files refused before any work, the terminal summary, CSV headers."""
from __future__ import annotations

import errno
import hashlib
import json
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from evaluator.cli import main, os_error_message
from evaluator.reports.notices import NO_ACTUALS

ROOT = Path(__file__).resolve().parent.parent
EX = ROOT / "examples"
SEED = (str(EX / "seed" / "targets.txt"), str(EX / "seed" / "actuals.csv"))
TOWN = EX / "sichuan-mata-zhen"
SEVENTY = str(ROOT / "tests" / "fixtures" / "tables" / "rows_english.csv")  # weights 30+20+10 → 满分 70


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse exits
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


# --- argparse in Chinese ------------------------------------------------------------------------
@pytest.mark.parametrize("argv", [["--help"], ["score", "--help"], ["compare", "-h"], ["batch", "-h"]])
def test_help_is_chinese(capsys, argv):
    code, out, _ = run(capsys, *argv)
    assert code == 0
    assert out.startswith("用法：") and "选项：" in out
    for english in ("usage:", "positional arguments", "options:", "show this help", "optional arguments"):
        assert english not in out


def test_argument_errors_are_chinese(capsys):
    code, _, err = run(capsys, "score")
    assert code == 2 and "用法：evaluator score" in err and "错误：缺少必需的参数：TABLE, -o/--output" in err
    assert "required" not in err and "usage" not in err
    code, _, err = run(capsys, "batch", "x", "-o", "o", "-j", "abc")
    assert code == 2 and "应为整数" in err and "invalid" not in err
    code, _, err = run(capsys, "frobnicate")
    assert code == 2 and "无效的选择" in err
    code, _, err = run(capsys, "check", "a.txt", "--bogus")
    assert code == 2 and "无法识别的参数：--bogus" in err


def test_rules_help_lists_the_builtin_packs(capsys):
    for command in ("score", "compare", "batch"):
        _, out, _ = run(capsys, command, "-h")
        assert all(pack in out.replace("\n", "").replace(" ", "") for pack in ("national-2020", "hubei-2020", "guangdong-cap"))


# --- outputs that cannot be written -------------------------------------------------------------
def test_report_open_in_excel_is_a_chinese_error_exit_2(capsys, tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    locked = out / "report.xlsx"
    locked.write_bytes(b"old")
    # an immutable file refuses writes even to root, as Windows refuses a workbook open in Excel
    chattr = subprocess.run(["chattr", "+i", str(locked)], capture_output=True)
    try:
        if chattr.returncode != 0:  # file system without attributes: the same error raised by the writer
            import evaluator.reports.tables as tables

            real = tables.write_bytes

            def refuse(path, data):
                if Path(path).name == "report.xlsx":
                    raise PermissionError(errno.EACCES, "Permission denied", str(path))
                return real(path, data)
            monkeypatch.setattr("evaluator.reports.writer.write_bytes", refuse)
        code, _, err = run(capsys, "score", *SEED, "-o", str(out))
    finally:
        subprocess.run(["chattr", "-i", str(locked)], capture_output=True)
    assert code == 2
    assert "无法写入" in err and "report.xlsx" in err and "Excel" in err
    assert "内部错误" not in err and "Traceback" not in err


def test_os_error_messages_name_the_file_and_reason():
    e = PermissionError(errno.EACCES, "Permission denied", "/tmp/x.tmp", None, "/o/report.xlsx")
    assert os_error_message(e).startswith("无法写入 /o/report.xlsx：") and "Excel" in os_error_message(e)
    assert "只读" in os_error_message(OSError(errno.EROFS, "Read-only file system", "/o/a.csv"))
    assert "无法读取" in os_error_message(PermissionError(errno.EACCES, "x", "/in/t.txt"), {"/in/t.txt"})


def test_output_folder_that_is_a_file(capsys, tmp_path):
    blocker = tmp_path / "out"
    blocker.write_text("x")
    code, out, err = run(capsys, "score", *SEED, "-o", str(blocker))
    assert code == 2 and "是一个已有的文件" in err and out == ""


def test_rules_not_toml_is_exit_2(capsys, tmp_path):
    binary = tmp_path / "pack.toml"
    binary.write_bytes(bytes(range(256)) * 4)
    code, out, err = run(capsys, "score", *SEED, "--rules", str(binary), "-o", str(tmp_path / "o"))
    assert code == 2 and "UTF-8" in err and "规则包" in err and out == ""
    docx = tmp_path / "rules.docx"
    docx.write_bytes(b"PK\x03\x04" + bytes(200))
    code, _, err = run(capsys, "score", *SEED, "--rules", str(docx), "-o", str(tmp_path / "o"))
    assert code == 2 and "错误：" in err and "内部错误" not in err
    assert not (tmp_path / "o").exists()


def test_template_refuses_docx(capsys, tmp_path):
    target = tmp_path / "t.docx"
    code, _, err = run(capsys, "template", SEED[0], "-o", str(target))
    assert code == 2 and ".docx" in err and "xlsx" in err
    assert not target.exists()


def test_check_refuses_txt_before_the_work(capsys, tmp_path):
    code, out, err = run(capsys, "check", SEED[0], "-o", str(tmp_path / "issues.txt"))
    assert code == 2 and out == "" and ".txt" in err
    code, out, _ = run(capsys, "check", SEED[0], "-o", str(tmp_path / "issues.xlsx"))
    assert code == 0 and (tmp_path / "issues.xlsx").is_file()


# --- score: what the terminal says ----------------------------------------------------------------
def test_score_without_any_actuals_says_so_first(capsys, tmp_path):
    code, out, _ = run(capsys, "score", str(TOWN / "targets.tsv"), "-o", str(tmp_path))
    assert code == 0
    assert out.splitlines()[0] == f"注意：{NO_ACTUALS}"
    assert NO_ACTUALS in (tmp_path / "report.html").read_text(encoding="utf-8")
    assert json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["notices"] == [NO_ACTUALS]
    wb = openpyxl.load_workbook(tmp_path / "report.xlsx")
    assert any(NO_ACTUALS in str(c.value) for ws in wb.worksheets[:2] for row in ws.iter_rows(max_row=4) for c in row)
    # with actuals there is no such notice
    run(capsys, "score", *SEED, "-o", str(tmp_path / "seed"))
    assert json.loads((tmp_path / "seed" / "report.json").read_text(encoding="utf-8"))["notices"] == []


def test_error_issues_printed_with_locations(capsys, tmp_path):
    actuals = tmp_path / "actuals.csv"
    extra = "".join(f"指标,P09{i},不存在的项目{i},1,产出指标,数量指标,培训场次,≥5场,6场,,,,,,,,\n" for i in range(8))
    actuals.write_text((TOWN / "actuals.csv").read_text(encoding="utf-8-sig") + extra, encoding="utf-8")
    code, out, _ = run(capsys, "score", str(TOWN / "targets.tsv"), str(actuals), "-o", str(tmp_path / "o"))
    lines = [l for l in out.splitlines() if l.startswith("  [错误]")]
    assert len(lines) == 5
    assert any("actuals.csv · 第17行 · 「项目名称」列" in l and "P090" in l for l in lines)
    # 2 in the table (an amount that does not add up; a project whose 分值 sum to 60) + 8 unmatched rows
    assert "  等，另有 5 条错误见 issues.csv" in out


def test_summary_department_grade_and_folded_classified(capsys, tmp_path):
    code, out, _ = run(capsys, "score", *SEED, "-o", str(tmp_path))
    assert "部门：中共广州市黄埔区委政法委员会，部门得分 96.01（预算加权，可达 96.01–98.43），等级 优" in out
    assert out.count("涉密项目：") == 1 and "（共 5 个项目）" in out


def test_full_marks_not_100_everywhere(capsys, tmp_path):
    code, out, _ = run(capsys, "score", SEVENTY, "-o", str(tmp_path))
    assert "【满分 70，不是 100：表中指标分值合计 60】" in out
    proj = pd.read_csv(tmp_path / "projects.csv", encoding="utf-8-sig")
    assert proj.loc[0, "满分"] == 70
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "满分 70" in html
    ws = openpyxl.load_workbook(tmp_path / "report.xlsx")["项目自评表"]
    assert any(c.value == 70 for row in ws.iter_rows() for c in row if row[0].value == "总分")
    code, out, _ = run(capsys, "check", SEVENTY)
    assert "满分不是 100 的项目 1 个" in out and "Road repair（满分 70）" in out


def test_provenance_json_has_targets_sha256(capsys, tmp_path):
    run(capsys, "score", *SEED, "-o", str(tmp_path))
    prov = json.loads((tmp_path / "provenance.json").read_text(encoding="utf-8"))
    assert prov["targets_sha256"] == hashlib.sha256(Path(SEED[0]).read_bytes()).hexdigest()


# --- CSV headers ------------------------------------------------------------------------------------
def test_csv_headers_chinese_by_default_english_on_request(capsys, tmp_path):
    run(capsys, "score", *SEED, "-o", str(tmp_path / "zh"))
    ind = pd.read_csv(tmp_path / "zh" / "indicators.csv", encoding="utf-8-sig", keep_default_na=False)
    for col in ("指标名称", "年度指标值", "实际完成值", "分值", "得分", "状态", "状态代码", "说明", "计分方式"):
        assert col in ind.columns
    from evaluator.reports.labels import STATUS
    assert set(ind["状态"]) <= {STATUS[k] for k in ("scored", "pending", "not_evaluable", "excluded")}
    assert STATUS["scored"] in set(ind["状态"])
    assert set(ind["状态代码"]) <= {"scored", "pending", "not_evaluable", "excluded"}
    iss = pd.read_csv(tmp_path / "zh" / "issues.csv", encoding="utf-8-sig", keep_default_na=False)
    assert {"问题类型", "问题代码", "级别", "级别代码"} <= set(iss.columns)
    from evaluator.issues import issue_codes
    assert issue_codes()["category_conflict"].title in set(iss["问题类型"]) and "category_conflict" in set(iss["问题代码"])
    run(capsys, "score", *SEED, "-o", str(tmp_path / "en"), "--headers", "en")
    en = pd.read_csv(tmp_path / "en" / "indicators.csv", encoding="utf-8-sig", keep_default_na=False)
    assert {"name", "target_text", "actual_text", "weight_points", "points", "status", "explanation"} <= set(en.columns)
    assert len(en) == len(ind) and list(en["points"].astype(str)) == list(ind["得分"].astype(str))


# --- compare and batch ------------------------------------------------------------------------------
def test_compare_single_self_evaluation_and_output_option(capsys, tmp_path):
    form = EX / "self-evaluation" / "自评表.xlsx"
    code, out, _ = run(capsys, "compare", "--dept", *SEED, "--dept", str(form), "--no-packs",
                       "--output", str(tmp_path))
    assert code == 0 and (tmp_path / "comparison.html").is_file()
    assert "第1名" in out and "第2名" in out and "<NA>" not in out
    code, _, err = run(capsys, "compare", "--dept", "a", "b", "c", "-o", str(tmp_path))
    assert code == 2 and "--dept" in err


def test_batch_recursive_scores_examples_as_shipped(capsys, tmp_path):
    code, out, _ = run(capsys, "batch", "-r", str(EX), "-o", str(tmp_path), "--headers", "en")
    assert code == 0
    tables = pd.read_csv(tmp_path / "tables.csv", encoding="utf-8-sig", keep_default_na=False)
    assert (tables["status"] == "已评分").all()
    assert len(tables) == len([p for p in EX.rglob("*") if p.is_file() and p.suffix in (".txt", ".tsv", ".xlsx")
                               and not p.stem.startswith("actuals")])
    paired = tables[tables["source_file"].str.startswith("targets")]
    assert (paired["actuals_file"].str.replace("targets", "actuals")
            == paired["source_file"].str.rsplit(".", n=1).str[0].str.replace("targets", "actuals") + ".csv").all() \
        or (paired["actuals_file"] != "").all()
    assert (paired["actuals_file"] != "").all() and len(paired) >= 3
    code, _, err = run(capsys, "batch", str(EX), "-o", str(tmp_path / "flat"))
    assert code == 2  # without -r the sub-folders are not searched


def test_batch_csv_headers_as_score_writes_them(capsys, tmp_path):
    from evaluator.reports.columns import TABLES
    run(capsys, "batch", "-r", str(EX), "-o", str(tmp_path / "b"))
    run(capsys, "score", *SEED, "-o", str(tmp_path / "s"))
    for name in ("indicators", "projects", "issues"):
        batch_head = list(pd.read_csv(tmp_path / "b" / f"{name}.csv", encoding="utf-8-sig", nrows=0).columns)
        score_head = list(pd.read_csv(tmp_path / "s" / f"{name}.csv", encoding="utf-8-sig", nrows=0).columns)
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in h) for h in batch_head), batch_head
        assert set(batch_head) <= set(score_head)  # the batch's result columns, under score's headers
    ind = pd.read_csv(tmp_path / "b" / "indicators.csv", encoding="utf-8-sig", keep_default_na=False)
    assert {"状态", "状态代码", "得分", "说明"} <= set(ind.columns)
    seed = ind[ind["来源文件"] == "targets.txt"]
    ref = pd.read_csv(tmp_path / "s" / "indicators.csv", encoding="utf-8-sig", keep_default_na=False)
    assert list(seed["得分"].astype(str)) == list(ref["得分"].astype(str))
    proj = pd.read_csv(tmp_path / "b" / "projects.csv", encoding="utf-8-sig", keep_default_na=False)
    assert "满分" in proj.columns
    tables = pd.read_csv(tmp_path / "b" / "tables.csv", encoding="utf-8-sig", keep_default_na=False)
    assert list(tables.columns)[:3] == ["目标表文件", "实际完成值文件", "状态"]


# --- the example 自评表 and report.xlsx -----------------------------------------------------------
def test_example_self_evaluation_scores_directly(capsys, tmp_path):
    form = EX / "self-evaluation" / "自评表.xlsx"
    code, out, _ = run(capsys, "score", str(form), "-o", str(tmp_path), "--headers", "en")
    assert code == 0 and NO_ACTUALS not in out
    proj = pd.read_csv(tmp_path / "projects.csv", encoding="utf-8-sig")
    assert list(proj["project"]) == ["社区矫正工作经费", "法律援助办案补贴"]
    assert list(proj["total"]) == [97.7, 99.6] and list(proj["self_diff"]) == [0, 0]
    ind = pd.read_csv(tmp_path / "indicators.csv", encoding="utf-8-sig")
    assert len(ind) == 13 and (ind["status"] == "scored").all()


def test_report_xlsx_form_blocks(capsys, tmp_path):
    run(capsys, "score", *SEED, "-o", str(tmp_path))
    ws = openpyxl.load_workbook(tmp_path / "report.xlsx")["项目自评表"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    titles = [i for i, r in enumerate(rows) if r[0] == "项目支出绩效自评表"]
    assert len(titles) == 28
    for t in titles:
        assert rows[t + 1][0] == "（　　　　年度）"
        funds = next(i for i in range(t, t + 8) if rows[i][0] == "年度资金总额")
        assert [rows[funds + k][0] for k in range(4)] == ["年度资金总额", "其中：当年财政拨款", "上年结转资金", "其他资金"]
    # one 等级 line per block, and no second grade in the 总分 row's note
    assert sum(1 for r in rows if r[0] == "等级") == len(titles)
    assert not any(str(r[8] or "").startswith("等级：") for r in rows if r[0] == "总分")
    # row height of 年度总体目标 computed from its text (merged cells are never auto-fitted)
    goals = [i + 1 for i, r in enumerate(rows) if r[0] == "年度总体目标"]
    heights = {ws.row_dimensions[g].height for g in goals}
    assert len(heights) > 3 and min(heights) >= 30
    longest = max(goals, key=lambda g: len(str(rows[g - 1][1] or "")))
    assert ws.row_dimensions[longest].height == max(heights)


# --- template -----------------------------------------------------------------------------------------
def test_template_from_python_is_the_same_workbook_as_the_command(capsys, tmp_path):
    """evaluator.template.make_template gives the drop-downs, units and pre-filled budgets the CLI gives."""
    from evaluator.readers import read_targets
    from evaluator.template import make_template
    made = make_template(read_targets(SEED[0]), tmp_path / "api.xlsx")
    code, _, _ = run(capsys, "template", SEED[0], "-o", str(tmp_path / "cli.xlsx"))
    assert code == 0
    api, cli = openpyxl.load_workbook(made), openpyxl.load_workbook(tmp_path / "cli.xlsx")
    for name in ("指标实际值", "项目资金"):
        assert [[c.value for c in r] for r in api[name].iter_rows()] == [[c.value for c in r] for r in cli[name].iter_rows()]
        assert [(dv.type, str(dv.sqref)) for dv in api[name].data_validations.dataValidation] == \
               [(dv.type, str(dv.sqref)) for dv in cli[name].data_validations.dataValidation]
    assert any(dv.type == "list" for dv in api["指标实际值"].data_validations.dataValidation)


def test_template_prefilled_validated_and_read_back(capsys, tmp_path):
    out = tmp_path / "填报表.xlsx"
    code, text, _ = run(capsys, "template", SEED[0], "-o", str(out))
    assert code == 0 and "涉密项目 5 个不列出" in text
    wb = openpyxl.load_workbook(out)
    ind, proj = wb["指标实际值"], wb["项目资金"]
    heads = [c.value for c in ind[1]]
    assert heads[heads.index("实际完成值") + 1] == "计量单位（参考）"
    assert ind.cell(2, heads.index("计量单位（参考）") + 1).value == "场"  # 不少于1场
    assert ind.freeze_panes == "A2" and proj.freeze_panes == "A2"
    lists = [dv for dv in ind.data_validations.dataValidation if dv.type == "list"]
    assert len(lists) == 1 and lists[0].formula1 == '"达成,部分达成,未达成,不适用"'
    rating_col = ind.cell(1, heads.index("评定") + 1).column_letter
    assert str(lists[0].sqref) == f"{rating_col}2:{rating_col}{ind.max_row}"
    numeric = {str(dv.sqref)[0] for ws in (ind, proj) for dv in ws.data_validations.dataValidation if dv.type == "decimal"}
    assert len(numeric) >= 4
    prows = [[c.value for c in r] for r in proj.iter_rows(min_row=2)]
    assert len(prows) == 23 and not any(r[1] == "涉密项目" for r in prows)
    assert prows[0][:3] == ["P002", "区法学会经费", 28]  # 全年预算数 from the table
    # filled in and read back: the unit column is only a reference
    ind.cell(2, heads.index("实际完成值") + 1, "2场")
    proj.cell(2, 4, 27.5)
    wb.save(out)
    code, _, _ = run(capsys, "score", SEED[0], str(out), "-o", str(tmp_path / "o"), "--headers", "en")
    assert code == 0
    res = pd.read_csv(tmp_path / "o" / "indicators.csv", encoding="utf-8-sig", keep_default_na=False)
    first = res[(res["project_id"] == "P002") & (res["indicator_no"] == 1)].iloc[0]
    assert first["actual_text"] == "2场" and first["status"] == "scored"
    p = pd.read_csv(tmp_path / "o" / "projects.csv", encoding="utf-8-sig")
    assert p.loc[p["project_id"] == "P002", "execution_rate"].iloc[0] == pytest.approx(27.5 / 28)


def test_template_csv_prefilled_without_classified(capsys, tmp_path):
    out = tmp_path / "t.csv"
    run(capsys, "template", SEED[0], "-o", str(out))
    frame = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert "P001" not in set(frame["项目编号"])
    row = frame[(frame["行类型"] == "项目资金") & (frame["项目编号"] == "P002")].iloc[0]
    assert row["全年预算数"] == "28"


def test_check_folds_classified_projects_and_cut_lists_say_how_many(capsys, tmp_path):
    code, out, _ = run(capsys, "check", SEED[0])
    lines = [l for l in out.splitlines() if "涉密项目" in l and l.startswith("[")]
    assert lines == ["[提示] targets.txt · 第12、20、21、22、39行：涉密项目 5 个，没有公开的绩效指标：保留在项目表中，不参与评分"]
    from evaluator.commands.common import cut
    assert cut(list("abcde"), 3) == "a、b、c等（另有 2 项）" and cut(list("ab"), 3) == "a、b"


def test_score_with_a_blank_template_says_nothing_was_found(capsys, tmp_path):
    blank = tmp_path / "blank.xlsx"
    run(capsys, "template", SEED[0], "-o", str(blank))
    code, out, _ = run(capsys, "score", SEED[0], str(blank), "-o", str(tmp_path / "o"))
    assert code == 0 and out.splitlines()[0] == f"注意：{NO_ACTUALS}"


def test_compare_csv_headers_chinese_by_default(capsys, tmp_path):
    run(capsys, "compare", "--dept", *SEED, "--dept", str(EX / "self-evaluation" / "自评表.xlsx"), "-o", str(tmp_path))
    for name in ("comparison_ranking", "comparison_profile", "comparison_quality", "comparison_pack_ranks",
                 "departments", "indicators", "projects", "issues"):
        head = list(pd.read_csv(tmp_path / f"{name}.csv", encoding="utf-8-sig", nrows=0).columns)
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in h) for h in head), (name, head)
    run(capsys, "compare", "--dept", *SEED, "--dept", str(EX / "self-evaluation" / "自评表.xlsx"), "-o",
        str(tmp_path / "en"), "--headers", "en")
    assert "department" in pd.read_csv(tmp_path / "en" / "comparison_ranking.csv", encoding="utf-8-sig", nrows=0).columns
