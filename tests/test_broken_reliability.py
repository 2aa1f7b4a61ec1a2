"""Broken input of the reliability pass (issue #14): nothing lost, nothing misread, nothing half-written.

Same style as tests/test_broken_input.py: each case is one edit away from the good files in
tests/broken/, and asserts the issue code, where it points, and that the rest is still read.
"""
from __future__ import annotations

import math
import os
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from broken import builders as b
from broken.builders import ok_text, write
from evaluator import evaluate
from evaluator.actuals import read_actuals
from evaluator.cli import main
from evaluator.issues import InputError, RulePackError
from evaluator.readers import read_targets
from evaluator.readers import io as rio
from evaluator.rules import parse_rule_pack

ROOT = Path(__file__).resolve().parent.parent
N_OK = 9


def actuals_text() -> str:
    return b.ACTUALS_OK.read_text(encoding="utf-8")


def codes(frame: pd.DataFrame, code: str) -> pd.DataFrame:
    return frame[frame["code"] == code]


def one(frame: pd.DataFrame, code: str) -> dict:
    found = codes(frame, code)
    assert len(found) == 1, f"expected one {code}, got {len(found)}: {list(frame['code'])}"
    return {k: (None if pd.isna(v) else v) for k, v in found.iloc[0].to_dict().items()}


def ind(ev, pid: str, no: int) -> dict:
    i = ev.indicators
    return i[(i["project_id"] == pid) & (i["indicator_no"] == no)].iloc[0].to_dict()


def score_actuals(tmp_path: Path, text: str, name: str = "actuals.csv"):
    return evaluate(b.TARGETS_OK, write(tmp_path, name, text))


# --------------------------------------------------------------------------- silent data loss
def test_stray_quote_is_located_and_the_rest_is_read(tmp_path):
    lines = ok_text().splitlines()
    lines[2] = lines[2].replace("问题办结率", '"问题办结率')  # an opening quote never closed
    table = read_targets(write(tmp_path, "t.csv", "\n".join(lines) + "\n"))
    issue = one(table.issues, "unbalanced_quote")
    assert (issue["severity"], issue["row"]) == ("error", 3)
    assert len(table.indicators) == N_OK  # the line is read as typed, the next lines as usual
    assert table.indicators["name"].tolist()[2:] == [line.split(",")[4] for line in lines[3:]]


def test_stray_quote_closing_on_a_later_line(tmp_path):
    lines = ok_text().splitlines()
    lines[2] = lines[2].replace("问题办结率", '"问题办结率')
    lines[6] = lines[6].replace("宣传活动场次", '宣传活动场次"')
    table = read_targets(write(tmp_path, "t.csv", "\n".join(lines) + "\n"))
    assert len(table.indicators) == N_OK
    assert 3 in codes(table.issues, "unbalanced_quote")["row"].tolist()


def _hidden_workbook(path: Path, hidden_first: bool, visible_rows, hidden_rows, title="目标表") -> Path:
    wb = Workbook()
    first = wb.active
    second = wb.create_sheet()
    hidden, visible = (first, second) if hidden_first else (second, first)
    visible.title, hidden.title = title, "旧版"
    for row in visible_rows:
        visible.append(row)
    for row in hidden_rows:
        hidden.append(row)
    hidden.sheet_state = "hidden"
    wb.save(path)
    return path


def test_hidden_sheet_is_skipped_and_said(tmp_path):
    path = _hidden_workbook(tmp_path / "t.xlsx", False, b.ok_rows(), b.ok_rows())
    table = read_targets(path)
    assert len(table.indicators) == N_OK  # an old hidden copy does not double the department
    issue = one(table.issues, "hidden_sheet_skipped")
    assert issue["sheet"] == "旧版" and "--include-hidden-sheets" in issue["message"]
    assert [s.name for s in rio.load_rows(path, hidden_sheets=True).sheets] == ["目标表", "旧版"]


def test_hidden_first_sheet_of_actuals_does_not_win(tmp_path):
    rows = [line.split(",") for line in actuals_text().splitlines()]
    old = [[c.replace("60次", "1次") for c in r] for r in rows]
    path = _hidden_workbook(tmp_path / "a.xlsx", True, rows, old, title="指标实际值")
    ev = evaluate(b.TARGETS_OK, path)
    assert ind(ev, "P001", 1)["actual_text"] == "60次"
    assert one(ev.issues, "hidden_sheet_skipped")["sheet"] == "旧版"


def test_formula_without_cached_value_is_reported_per_cell(tmp_path):
    rows = [line.split(",") for line in actuals_text().splitlines()]
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    ws["G3"] = "=50+10"  # 实际完成值 of P001 #1, as a script writes it: a formula, no cached value
    wb.save(tmp_path / "a.xlsx")
    ev = evaluate(b.TARGETS_OK, tmp_path / "a.xlsx")
    issue = one(ev.issues, "formula_without_value")
    assert (issue["severity"], issue["row"], issue["column"], issue["cell"]) == ("error", 3, "G", "=50+10")
    assert ind(ev, "P001", 1)["status"] == "pending" and ind(ev, "P001", 2)["status"] == "scored"


def test_actuals_keep_the_readers_issues(tmp_path):
    ev = score_actuals(tmp_path, actuals_text().replace("60次", "60\x07次"))
    issue = one(ev.issues, "control_characters")
    assert (issue["file"], issue["row"], issue["column"]) == ("actuals.csv", 3, "G")
    assert ind(ev, "P001", 1)["status"] == "scored"


def test_too_many_rows_is_an_error_not_a_partial_table(tmp_path, monkeypatch):
    table = read_targets(b.TARGETS_OK)
    monkeypatch.setattr(rio, "MAX_ROWS", 6)
    with pytest.raises(InputError) as info:
        read_targets(b.TARGETS_OK)
    assert (info.value.code, info.value.row) == ("too_many_rows", 7) and "未读取" in str(info.value)
    with pytest.raises(InputError) as info:  # the actuals too: never "no row for this indicator"
        read_actuals(b.ACTUALS_OK, table)
    assert info.value.code == "too_many_rows"


# --------------------------------------------------------------------------- the actuals file's columns
@pytest.mark.parametrize("name", ["完成情况", "实际完成情况", "全年实际完成值", "实际完成值（含单位）", "实际完成值(单位)"])
def test_common_names_of_the_actual_column(tmp_path, name):
    ev = score_actuals(tmp_path, actuals_text().replace("实际完成值", name, 1))
    assert (ev.indicators["status"] == "scored").sum() == N_OK


@pytest.mark.parametrize("name", ["执行金额", "实际执行数", "全年执行数（万元）"])
def test_common_names_of_the_spent_column(tmp_path, name):
    ev = score_actuals(tmp_path, actuals_text().replace("全年执行数", name, 1))
    assert ev.projects.set_index("project_id").loc["P001", "spent_annual"] == 19


def test_unknown_columns_are_listed(tmp_path):
    lines = actuals_text().splitlines()
    text = "\n".join([lines[0] + ",联系人"] + [line + ",张三" for line in lines[1:]]) + "\n"
    ev = score_actuals(tmp_path, text)
    issue = one(ev.issues, "unknown_column")
    assert (issue["column"], issue["cell"], issue["row"]) == ("L", "联系人", 1)


def test_missing_actual_column_is_an_error(tmp_path):
    with pytest.raises(InputError) as info:
        score_actuals(tmp_path, actuals_text().replace("实际完成值", "结果", 1))
    assert info.value.code == "missing_actual_column" and "实际完成值" in str(info.value)


def test_actuals_given_as_the_table_exit_2(tmp_path, capsys):
    assert main(["score", str(b.ACTUALS_OK), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "没有读到任何项目或指标" in err and "内部错误" not in err


def test_department_of_classified_projects_scores(tmp_path, capsys):
    text = ("项目名称,预算数,一级指标,二级指标,三级指标,年度指标值,分值\n"
            "涉密项目甲,20.00,涉密内容,涉密内容,涉密内容,涉密内容,\n")
    assert main(["score", str(write(tmp_path, "t.csv", text)), "-o", str(tmp_path / "out")]) == 0
    assert "涉密" in capsys.readouterr().out


# --------------------------------------------------------------------------- values misread
@pytest.mark.parametrize("cell,status,value", [("6 500份", "scored", 6500.0), ("5 200份", "scored", 5200.0),
                                               ("52 00份", "not_evaluable", None), ("=A1*2", "not_evaluable", None)])
def test_spaces_and_formulas_in_an_actual(tmp_path, cell, status, value):
    ev = score_actuals(tmp_path, actuals_text().replace("5200份", cell))
    row = ind(ev, "P002", 2)
    assert row["status"] == status
    if value is None:
        assert one(ev.issues, "unreadable_actual")["row"] == 10
    else:
        assert row["actual_value"] == value


def test_bare_fraction_against_a_percent_target_is_refused(tmp_path):
    ev = score_actuals(tmp_path, actuals_text().replace("96%", "0.96"))
    assert ind(ev, "P001", 2)["status"] == "not_evaluable"
    issue = one(ev.issues, "ambiguous_fraction")
    assert (issue["row"], issue["cell"]) == (4, "0.96")


def test_negative_percent_of_a_share_is_an_error(tmp_path):
    ev = score_actuals(tmp_path, actuals_text().replace("93%", "-5%"))
    assert ind(ev, "P001", 5)["status"] == "not_evaluable"
    assert one(ev.issues, "negative_actual")["row"] == 7


@pytest.mark.parametrize("cell,expected", [("190000元", 19.0), ("0.0019亿元", 19.0), ("19万元", 19.0), ("19", 19.0)])
def test_money_unit_written_in_the_cell_is_converted(tmp_path, cell, expected):
    ev = score_actuals(tmp_path, actuals_text().replace(",20,19", f",20,{cell}"))
    assert math.isclose(ev.projects.set_index("project_id").loc["P001", "spent_annual"], expected)


@pytest.mark.parametrize("cell", ["-19", "inf", "1e999", "26 5"])
def test_impossible_money_is_a_located_error(tmp_path, cell):
    ev = score_actuals(tmp_path, actuals_text().replace(",20,19", f",20,{cell}"))
    issue = one(ev.issues, "bad_number")
    assert (issue["severity"], issue["row"], issue["column"]) == ("error", 2, "全年执行数")
    assert pd.isna(ev.projects.set_index("project_id").loc["P001", "execution_points"]) or \
        ev.projects.set_index("project_id").loc["P001", "execution_points"] != 10


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_rule_pack_refuses_nan_and_infinity(value):
    text = (ROOT / "scoring_rules" / "national-2020.toml").read_text(encoding="utf-8")
    for key in ("execution = 10", "factor = 1.2"):
        with pytest.raises(RulePackError) as info:
            parse_rule_pack(text.replace(key, key.split("=")[0] + "= " + value), "bad")
        assert "有限" in str(info.value)


# --------------------------------------------------------------------------- refused where it should read
def test_nul_byte_early_is_stripped_and_reported(tmp_path):
    text = ok_text().replace("巡查次数", "巡查\x00次数")
    table = read_targets(write(tmp_path, "t.csv", text))
    assert len(table.indicators) == N_OK
    assert one(table.issues, "control_characters")["row"] == 2


def test_tab_in_a_quoted_note_does_not_change_the_delimiter(tmp_path):
    lines = ok_text().splitlines()
    lines[1] += ',"备注\t含制表符"'
    lines[0] += ",备注"
    table = read_targets(write(tmp_path, "t.csv", "\n".join(lines) + "\n"))
    assert len(table.indicators) == N_OK


def test_semicolon_separated_csv(tmp_path):
    table = read_targets(write(tmp_path, "t.csv", ok_text().replace(",", ";")))
    assert len(table.indicators) == N_OK


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom(tmp_path, encoding):
    table = read_targets(write(tmp_path, "t.csv", ok_text(), encoding))
    assert len(table.indicators) == N_OK


def test_cell_longer_than_the_csv_field_limit(tmp_path):
    lines = ok_text().splitlines()
    lines[0] += ",备注"
    lines[1] += ',"' + "长" * 140_000 + '"'
    table = read_targets(write(tmp_path, "t.csv", "\n".join(lines) + "\n"))
    assert len(table.indicators) == N_OK
    assert one(table.issues, "cell_too_long")["row"] == 2


# --------------------------------------------------------------------------- outputs
def _score(tmp_path, out: Path) -> int:
    return main(["score", str(b.TARGETS_OK), str(b.ACTUALS_OK), "-o", str(out)])


def test_symlink_in_out_is_replaced_not_followed(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep", encoding="utf-8")
    (out / "indicators.csv").symlink_to(victim)
    assert _score(tmp_path, out) == 0
    assert victim.read_text(encoding="utf-8") == "keep"
    assert not (out / "indicators.csv").is_symlink() and (out / "indicators.csv").stat().st_size > 100


def test_second_run_into_a_locked_out_is_refused(tmp_path, capsys):
    import fcntl

    out = tmp_path / "out"
    assert _score(tmp_path, out) == 0
    fd = os.open(out / ".evaluator.lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        assert _score(tmp_path, out) == 2
        assert "正被另一次评分使用" in capsys.readouterr().err
    finally:
        os.close(fd)
    assert _score(tmp_path, out) == 0  # the lock is the OS's: gone with its holder


def test_stale_files_of_an_earlier_run_are_removed_and_named(tmp_path, capsys):
    out = tmp_path / "out"
    tables = tmp_path / "tables"
    tables.mkdir()
    (tables / "t.csv").write_bytes(b.TARGETS_OK.read_bytes())
    assert main(["batch", str(tables), "-o", str(out)]) == 0
    assert (out / "tables.csv").is_file()
    assert _score(tmp_path, out) == 0
    assert not (out / "tables.csv").exists()
    assert "tables.csv" in capsys.readouterr().err


def test_no_temporary_file_is_left_and_no_partial_file_replaces_a_good_one(tmp_path, monkeypatch):
    from evaluator import outputs

    path = tmp_path / "report.csv"
    outputs.write_atomic(path, b"complete")

    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        with outputs.AtomicFile(path) as fh:
            fh.write(b"half")
            raise Boom
    assert path.read_bytes() == b"complete"
    assert [p.name for p in tmp_path.iterdir()] == ["report.csv"]


def test_batch_output_inside_the_tables_folder_is_refused(tmp_path, capsys):
    tables = tmp_path / "tables"
    tables.mkdir()
    (tables / "t.csv").write_bytes(b.TARGETS_OK.read_bytes())
    assert main(["batch", str(tables), "-o", str(tables / "out")]) == 2
    assert "输入文件夹" in capsys.readouterr().err and not (tables / "out").exists()


@pytest.mark.parametrize("argv", [
    ["score", "{ok}", "-o", "{ok}"],                      # -o names an existing file
    ["template", "{ok}", "-o", "{tmp}"],                  # template -o a folder
    ["compare", "--dept", "{ok}", "{act}", "--format", "pdf", "-o", "{tmp}/c"],
])
def test_user_errors_exit_2_not_3(tmp_path, capsys, argv):
    args = [a.format(ok=b.TARGETS_OK, act=b.ACTUALS_OK, tmp=tmp_path) for a in argv]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误") and "内部错误" not in err


def test_rule_pack_not_utf8_or_deeply_nested(tmp_path, capsys):
    gbk = tmp_path / "gbk.toml"
    gbk.write_bytes("[pack]\nname = \"测试\"\n".encode("gbk"))
    deep = tmp_path / "deep.toml"
    deep.write_text("x = " + "[" * 3000 + "]" * 3000 + "\n", encoding="utf-8")
    for pack in (gbk, deep):
        assert main(["score", str(b.TARGETS_OK), "--rules", str(pack), "-o", str(tmp_path / "o")]) == 2
        assert "内部错误" not in capsys.readouterr().err


# --------------------------------------------------------------------------- messages
@pytest.mark.parametrize("cell", ["N/A", "不适用"])
def test_not_applicable_actual_is_excluded_not_missing(tmp_path, cell):
    ev = score_actuals(tmp_path, actuals_text().replace("60次", cell))
    row = ind(ev, "P001", 1)
    assert row["status"] == "excluded" and "缺少" not in row["explanation"]


def test_zero_budget_is_not_missing(tmp_path):
    ev = score_actuals(tmp_path, actuals_text().replace(",20,19", ",0,0"))
    text = ev.projects.set_index("project_id").loc["P001", "execution_explanation"]
    assert "预算数为0" in text and "缺少" not in text


def test_same_base_name_messages_name_the_full_path(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    table = tmp_path / "a" / "部门.csv"
    table.write_bytes(b.TARGETS_OK.read_bytes())
    acts = tmp_path / "b" / "部门.csv"
    acts.write_text(actuals_text().replace("2天", "2场"), encoding="utf-8")
    ev = evaluate(table, acts)
    assert one(ev.issues, "unit_mismatch")["file"] == str(acts)


def test_progress_path_writes_the_same_bytes(tmp_path, monkeypatch, capsys):
    from evaluator.commands import score

    assert _score(tmp_path, tmp_path / "quiet") == 0
    monkeypatch.setattr(score, "PROGRESS_FROM", 0)
    assert _score(tmp_path, tmp_path / "loud") == 0
    assert "正在写出 CSV 表" in capsys.readouterr().err
    for name in ("indicators.csv", "report.xlsx", "report.html", "report.json"):
        assert (tmp_path / "quiet" / name).read_bytes() == (tmp_path / "loud" / name).read_bytes(), name


def test_fifo_as_actuals_is_refused(tmp_path, capsys):
    fifo = tmp_path / "actuals.csv"
    os.mkfifo(fifo)
    assert main(["score", str(b.TARGETS_OK), str(fifo), "-o", str(tmp_path / "out")]) == 2
    assert "不是普通文件" in capsys.readouterr().err


def test_a_run_that_fails_half_way_changes_no_file_of_the_previous_run(tmp_path, monkeypatch):
    from evaluator.reports import writer

    out = tmp_path / "out"
    assert _score(tmp_path, out) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")}
    other = tmp_path / "other.csv"
    other.write_text(actuals_text().replace("60次", "70次"), encoding="utf-8")

    def killed(*args, **kwargs):
        raise KeyboardInterrupt  # as Ctrl-C during the xlsx

    monkeypatch.setattr(writer, "workbook_bytes", killed)
    assert main(["score", str(b.TARGETS_OK), str(other), "-o", str(out)]) == 130
    after = {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")}
    assert after == before  # indicators.csv (written before the kill) is not the new run's either
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
