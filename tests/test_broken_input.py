"""Broken input gets a clear answer: issue code and location, never a traceback.

Every case is one edit away from a good file (``tests/broken/targets_ok.csv``,
``tests/broken/actuals_ok.csv``); binary files are built into ``tmp_path`` by
``tests/broken/builders.py``. Each case asserts the code and where it points (file,
sheet, row, column, cell), and that the rest of the table is still read.

Known failures in code owned elsewhere stay here as strict xfails, so a fix is noticed.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from broken import builders as b
from broken.builders import ok_text, write
from evaluator import evaluate
from evaluator.cli import main
from evaluator.issues import InputError, RulePackError
from evaluator.readers import read_targets
from evaluator.readers import io as rio
from evaluator.rules import load_rule_pack, parse_rule_pack

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "tests" / "fixtures" / "seed" / "000_e143e4407d579c5d.txt"
N_OK = 9  # indicators in targets_ok.csv


def raw(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def issues_of(table, code: str) -> pd.DataFrame:
    return table.issues[table.issues["code"] == code]


def only(table, code: str) -> dict:
    """The single issue with ``code`` (fails when there are none or several)."""
    found = issues_of(table, code)
    assert len(found) == 1, f"expected one {code}, got {len(found)}:\n{table.issues[['code', 'row', 'cell']]}"
    return {k: (None if pd.isna(v) else v) for k, v in found.iloc[0].to_dict().items()}


# ---------------------------------------------------------------------------
# files that cannot be read at all: InputError with a code, the file named

def _lines(*keep: int) -> str:
    lines = ok_text().splitlines()
    return "\n".join(lines[i] for i in keep) + "\n"


UNREADABLE = [
    # (case, builder(tmp_path) -> path, code, words the message must contain)
    ("empty file", lambda d: write(d, "empty.csv", ""), "file_empty", "空"),
    ("only blank lines and a BOM", lambda d: write(d, "blank.csv", "\ufeff\n  \n\n"), "file_empty", "空"),
    ("prose, not a table", lambda d: write(d, "prose.txt", "关于2024年度绩效自评工作的通知\n请各单位于3月底前报送。\n"),
     "no_header", "表头"),
    ("header row missing: data only", lambda d: write(d, "no_header.csv", "\n".join(ok_text().splitlines()[1:])),
     "no_header", "表头"),
    ("binary garbage", lambda d: raw(d, "garbage.csv", bytes(range(256)) * 8),
     "binary_file", "二进制"),
    ("garbage named .xlsx", lambda d: raw(d, "garbage.xlsx", b"\x13\x37" * 900),
     "xlsx_damaged", "损坏"),
    ("truncated .xlsx", lambda d: b.truncated_xlsx(d / "truncated.xlsx"), "xlsx_damaged", "另存为 .xlsx"),
    ("password-protected .xlsx", lambda d: b.encrypted_xlsx(d / "locked.xlsx"), "xlsx_encrypted", "密码"),
    ("old .xls (BIFF)", lambda d: b.biff_xls(d / "old.xls"), "xls_format", "另存为"),
    ("old .xls renamed .xlsx", lambda d: b.biff_xls(d / "renamed.xlsx"), "xls_format", ".xlsx"),
    ("HTML saved as .xls", lambda d: write(d, "web.xls", "<html><table><tr><td>一级指标</td></tr></table></html>"),
     "xls_format", "HTML"),
    ("undecodable bytes on line 3", lambda d: raw(d, "bad_bytes.csv",
        "一级指标,二级指标,三级指标,指标值\n产出指标,数量指标,场次,≥1场\n".encode() + b"\xff\xfe\xff\n"), "encoding_unknown", "第3行"),
    ("Big5 (wrong encoding): no header is recognisable",
     lambda d: write(d, "big5.csv", "一級指標,二級指標,三級指標,指標值\n產出指標,數量指標,培訓場次,不少於10場\n", "big5"),
     "no_header", "编码"),
    ("missing file", lambda d: d / "nowhere.csv", "file_missing", "不存在"),
    ("a folder", lambda d: d, "not_a_file", "文件夹"),
    ("billion laughs in workbook.xml", lambda d: b.billion_laughs_xlsx(d / "laughs.xlsx"), "xml_entities", "ENTITY"),
    ("billion laughs in a sheet", lambda d: b.billion_laughs_xlsx(d / "laughs2.xlsx", "xl/worksheets/sheet1.xml"),
     "xml_entities", "sheet1.xml"),
    ("zip bomb (8 MB of zeros)", lambda d: b.zip_bomb_xlsx(d / "bomb.xlsx"), "archive_too_large", "压缩比"),
    ("archive declaring 2 GB", lambda d: b.lying_sizes_xlsx(d / "huge.xlsx"), "archive_too_large", "512 MB"),
]


@pytest.mark.parametrize("case,build,code,words", UNREADABLE, ids=[c[0] for c in UNREADABLE])
def test_unreadable_file_raises_input_error_with_code(tmp_path, case, build, code, words):
    path = build(tmp_path)
    with pytest.raises(InputError) as info:
        read_targets(path)
    err = info.value
    assert err.code == code, (case, err.code, str(err))
    assert words in str(err)
    assert err.file and Path(err.file).name == path.name  # the message names the file


def test_undecodable_bytes_point_at_the_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes("一级指标,二级指标,三级指标,指标值\n产出指标,数量指标,场次,≥1场\n".encode() + b"\xff\xff\n")
    with pytest.raises(InputError) as info:
        read_targets(path)
    assert (info.value.code, info.value.row) == ("encoding_unknown", 3)


def test_too_many_archive_members(tmp_path, monkeypatch):
    monkeypatch.setattr(rio, "MAX_ARCHIVE_MEMBERS", 50)  # the real limit is 10 000; same code path
    with pytest.raises(InputError) as info:
        read_targets(b.many_members_xlsx(tmp_path / "many.xlsx", 60))
    assert info.value.code == "archive_too_large" and "上限 50" in str(info.value)


def test_oversized_text_file(tmp_path, monkeypatch):
    monkeypatch.setattr(rio, "MAX_BYTES", 100)
    with pytest.raises(InputError) as info:
        read_targets(b.TARGETS_OK)
    assert info.value.code == "file_too_large"


def test_xlsx_saved_as_csv_is_read_as_excel(tmp_path):
    """Content decides: an .xlsx renamed .csv is a workbook, not binary garbage."""
    path = tmp_path / "really_excel.csv"
    path.write_bytes(b.xlsx_bytes(b.ok_rows()))
    assert len(read_targets(path).indicators) == N_OK


# ---------------------------------------------------------------------------
# bad cells and odd tables: an issue with code and location, the rest still read

def test_header_repeated_in_the_middle(tmp_path):
    lines = ok_text().splitlines()
    path = write(tmp_path, "twice.csv", "\n".join(lines[:4] + lines[:1] + lines[4:]))
    table = read_targets(path)
    issue = only(table, "header_repeated")
    assert (issue["file"], issue["row"]) == ("twice.csv", 5)
    assert len(table.indicators) == N_OK


def test_duplicated_column(tmp_path):
    lines = ok_text().splitlines()
    path = write(tmp_path, "dupcol.csv", "\n".join([lines[0] + ",三级指标"] + [l + ",另一个名字" for l in lines[1:]]))
    table = read_targets(path)
    issue = only(table, "duplicate_column")
    assert (issue["row"], issue["column"], issue["cell"], issue["severity"]) == (1, "H", "三级指标", "warning")
    assert "E" in issue["message"]
    assert "另一个名字" not in set(table.indicators["name"])  # the first column is read
    assert len(table.indicators) == N_OK


def test_required_value_column_missing(tmp_path):
    rows = [r[:5] + r[6:] for r in b.ok_rows()]  # drop 年度指标值
    table = read_targets(write(tmp_path, "novalue.csv", "\n".join(",".join(r) for r in rows)))
    issue = only(table, "missing_column")
    assert (issue["severity"], issue["row"]) == ("error", 1)
    assert "指标值" in issue["message"]
    assert len(table.indicators) == N_OK  # still read: every indicator, not evaluable
    assert set(table.indicators["target_class"]) == {"not_evaluable"}


def test_name_column_missing(tmp_path):
    rows = [r[:4] + r[5:] for r in b.ok_rows()]  # drop 三级指标
    table = read_targets(write(tmp_path, "noname.csv", "\n".join(",".join(r) for r in rows)))
    issue = only(table, "missing_column")
    assert (issue["severity"], issue["row"]) == ("warning", 1) and "三级指标" in issue["message"]
    assert len(table.indicators) == N_OK


def test_extra_columns_are_named_and_ignored(tmp_path):
    lines = ok_text().splitlines()
    text = "\n".join([lines[0] + ",联系人,实际完成值"] + [l + ",张三,60次" for l in lines[1:]])
    table = read_targets(write(tmp_path, "extra.csv", text))
    unknown = only(table, "unknown_column")
    assert (unknown["row"], unknown["column"], unknown["cell"]) == (1, "H", "联系人")
    self_eval = only(table, "self_evaluation_column")
    assert (self_eval["column"], self_eval["cell"]) == ("I", "实际完成值")
    assert len(table.indicators) == N_OK
    assert set(table.indicators["table_actual_text"]) == {"60次"}


def test_merged_cells_blank_means_same_as_above_xlsx(tmp_path):
    """Merged 项目名称/预算数/一级指标 cells: openpyxl gives None below the first row; they carry down."""
    merged = ("A2:A6", "B2:B6", "C2:C4", "A7:A10", "B7:B10", "C7:C8")
    rows = b.ok_rows()
    for ref in merged:
        col, first, last = ord(ref[0]) - 65, int(ref[1:ref.index(":")]), int(ref[ref.index(":") + 2:])
        for r in range(first + 1, last + 1):
            rows[r - 1][col] = None
    path = b.write_xlsx(tmp_path / "merged.xlsx", rows, merged=merged)
    table = read_targets(path)
    ind = table.indicators
    assert len(ind) == N_OK
    assert list(ind["project"]) == ["网格巡查"] * 5 + ["法治宣传"] * 4
    assert list(ind["level1"])[:3] == ["产出指标"] * 3 and list(ind["level1"])[5:7] == ["产出指标"] * 2
    assert not (table.issues["code"] == "empty_cell").any()
    assert list(ind["source_sheet"].unique()) == ["目标表"]


def test_cell_of_10000_characters(tmp_path):
    long_target = "≥90%" + "（说明）" * 2500
    text = ok_text().replace("群众满意度,≥90%", "群众满意度," + long_target)
    table = read_targets(write(tmp_path, "long.csv", text))
    issue = only(table, "long_text")
    assert (issue["row"], issue["column"], issue["indicator_no"], issue["project"]) == (6, "年度指标值", 5, "网格巡查")
    assert f"{len(long_target)} 字" in issue["message"]
    assert len(issue["cell"]) < 300  # the issues table quotes, it does not copy 10 000 characters
    assert len(table.indicators) == N_OK


def test_cell_over_the_hard_limit_is_cut(tmp_path, monkeypatch):
    monkeypatch.setattr(rio, "MAX_CELL", 1000)
    text = ok_text().replace("巡查次数", "巡" * 5000)
    table = read_targets(write(tmp_path, "huge_cell.csv", text))
    issue = only(table, "cell_too_long")
    assert (issue["row"], issue["column"]) == (2, "E")
    assert len(table.indicators.loc[0, "name"]) == 1000


def test_control_characters_are_removed_and_reported(tmp_path):
    text = ok_text().replace("巡查次数", "巡查\x07次数").replace("≥95%", "≥95%\x1b")
    table = read_targets(write(tmp_path, "ctrl.csv", text))
    found = issues_of(table, "control_characters")
    assert list(zip(found["row"], found["column"], found["cell"])) == [(2, "E", "巡查\\x07次数"), (3, "F", "≥95%\\x1b")]
    ind = table.indicators
    assert ind.loc[0, "name"] == "巡查次数" and ind.loc[1, "target_text"] == "≥95%"
    assert ind.loc[1, "kind"] == "compare"


def test_control_characters_do_not_break_the_xlsx_issues_file(tmp_path, capfd):
    """openpyxl refuses control characters when writing: they were removed at reading."""
    path = write(tmp_path, "ctrl.csv", ok_text().replace("巡查次数", "巡查\x07次数"))
    assert main(["check", str(path), "-o", str(tmp_path / "issues.xlsx")]) == 0
    assert (tmp_path / "issues.xlsx").stat().st_size > 0


def test_numbers_written_as_text_xlsx(tmp_path):
    """Amounts and weights typed as text ('20.00', '1,234.50', '20') read like numbers."""
    rows = b.ok_rows()
    rows[1][1] = "1,234.50"
    rows[6][1] = " 12 "
    data = [rows[0]] + [r[:6] + [r[6]] for r in rows[1:]]  # weights stay text cells
    table = read_targets(b.write_xlsx(tmp_path / "text_numbers.xlsx", data))
    p = table.projects
    assert list(p["budget_total"]) == [1234.5, 12.0]
    assert table.indicators["weight"].tolist() == [20.0, 20, 10, 30, 10, 25, 25, 30, 10]
    assert not table.issues["code"].isin(["bad_amount", "bad_weight"]).any()


def test_numbers_that_are_not_numbers(tmp_path):
    text = ok_text().replace("20.00,", "二十万,").replace("宣传资料发放,≥5000份,25", "宣传资料发放,≥5000份,二十五")
    table = read_targets(write(tmp_path, "words.csv", text))
    amount = only(table, "bad_amount")
    assert (amount["row"], amount["column"], amount["cell"], amount["project"]) == (2, "预算数", "二十万", "网格巡查")
    weight = only(table, "bad_weight")
    assert (weight["row"], weight["indicator_no"], weight["cell"]) == (8, 2, "二十五")
    assert len(table.indicators) == N_OK


def test_row_without_indicator_content_is_reported_not_dropped(tmp_path):
    text = ok_text() + ",,,,,,说明：以上指标由办公室负责\n"
    table = read_targets(write(tmp_path, "tail.csv", text))
    issue = only(table, "row_not_read")
    assert (issue["row"], issue["cell"]) == (11, "说明：以上指标由办公室负责")
    assert len(table.indicators) == N_OK


def test_seed_cell_that_cannot_be_split(tmp_path):
    text = SEED.read_text(encoding="utf-8")
    lines = text.splitlines()
    k = next(i for i, line in enumerate(lines) if "召开报告会情况" in line)
    cols = lines[k].split("\t")
    j = next(i for i, c in enumerate(cols) if "召开报告会情况" in c)
    cols[j] = "详见附件"
    lines[k] = "\t".join(cols)
    table = read_targets(write(tmp_path, "seed_broken.txt", "\n".join(lines) + "\n"))
    issue = only(table, "unparsed_indicators")
    assert (issue["row"], issue["column"], issue["cell"]) == (k + 1, "绩效指标", "详见附件")
    assert issue["project"]
    full = read_targets(SEED)
    lost = int(full.projects.loc[full.projects["source_row"] == k + 1, "n_indicators"].iloc[0])
    assert len(table.indicators) == len(full.indicators) - lost  # the other projects are all read


# ---------------------------------------------------------------------------
# actuals: issue code and location in the actuals file

def score_with(tmp_path: Path, edit) -> "object":
    text = edit(b.ACTUALS_OK.read_text(encoding="utf-8"))
    path = write(tmp_path, "actuals.csv", text)
    return evaluate(b.TARGETS_OK, path)


def ind_row(ev, pid: str, no: int) -> dict:
    i = ev.indicators
    return i[(i["project_id"] == pid) & (i["indicator_no"] == no)].iloc[0].to_dict()


def issue_in(ev, code: str) -> dict:
    found = ev.issues[ev.issues["code"] == code]
    assert len(found) >= 1, f"no {code} in {list(ev.issues['code'])}"
    return {k: (None if pd.isna(v) else v) for k, v in found.iloc[0].to_dict().items()}


def test_actuals_ok_scores_everything(tmp_path):
    ev = score_with(tmp_path, lambda t: t)
    assert len(ev.indicators) == N_OK and set(ev.indicators["status"]) == {"scored"}
    assert not (ev.issues["severity"] == "error").any()


def test_actual_with_unit_that_cannot_be_converted(tmp_path):
    ev = score_with(tmp_path, lambda t: t.replace("2天", "2场"))
    issue = issue_in(ev, "unit_mismatch")
    assert (issue["file"], issue["row"], issue["column"], issue["project_id"], issue["indicator_no"], issue["cell"]) == \
        ("actuals.csv", 5, "实际完成值", "P001", 3, "2场")
    assert ind_row(ev, "P001", 3)["status"] == "not_evaluable"
    assert ind_row(ev, "P001", 1)["status"] == "scored"  # the rest is still scored


def test_actual_for_unknown_project(tmp_path):
    ev = score_with(tmp_path, lambda t: t + "指标,P009,不存在的项目,1,某指标,,5次,,,,\n")
    issue = issue_in(ev, "actual_unmatched")
    assert (issue["file"], issue["row"], issue["column"], issue["cell"]) == ("actuals.csv", 13, "项目名称", "不存在的项目")
    assert len(ev.indicators) == N_OK


def test_actual_for_unknown_indicator(tmp_path):
    ev = score_with(tmp_path, lambda t: t + "指标,P001,网格巡查,9,不存在的指标,,5次,,,,\n")
    issue = issue_in(ev, "actual_unmatched")
    assert (issue["row"], issue["column"], issue["project_id"], issue["cell"]) == (13, "指标序号", "P001", "9")
    assert len(ev.indicators) == N_OK


def test_duplicate_actual_rows_with_different_values(tmp_path):
    ev = score_with(tmp_path, lambda t: t + "指标,P001,网格巡查,1,巡查次数,≥50次,40次,,,,\n")
    issue = issue_in(ev, "actual_duplicate")
    assert (issue["row"], issue["project_id"], issue["indicator_no"]) == (13, "P001", 1)
    assert "第3行" in issue["message"]
    assert ind_row(ev, "P001", 1)["actual_text"] == "60次"  # the first row is used, as the message says


def test_duplicate_actual_rows_name_the_conflicting_value(tmp_path):
    ev = score_with(tmp_path, lambda t: t + "指标,P001,网格巡查,1,巡查次数,≥50次,40次,,,,\n")
    issue = issue_in(ev, "actual_duplicate")
    assert (issue["column"], issue["cell"]) == ("实际完成值", "40次")


def test_unreadable_actual(tmp_path):
    ev = score_with(tmp_path, lambda t: t.replace("60次", "#N/A"))
    issue = issue_in(ev, "unreadable_actual")
    assert (issue["row"], issue["column"], issue["cell"]) == (3, "实际完成值", "#N/A")
    assert ind_row(ev, "P001", 1)["status"] == "not_evaluable"


def test_number_written_in_chinese_numerals(tmp_path):
    ev = score_with(tmp_path, lambda t: t.replace("60次", "六十次"))
    row = ind_row(ev, "P001", 1)
    assert (row["status"], row["actual_value"]) == ("scored", 60.0)


def test_negative_actual(tmp_path):
    ev = score_with(tmp_path, lambda t: t.replace("60次", "-5次"))
    issue = issue_in(ev, "negative_actual")
    assert (issue["row"], issue["column"], issue["cell"]) == (3, "实际完成值", "-5次")
    assert ind_row(ev, "P001", 1)["status"] == "not_evaluable"


def test_nan_actual(tmp_path):
    ev = score_with(tmp_path, lambda t: t.replace("60次", "NaN"))
    issue = issue_in(ev, "unreadable_actual")
    assert (issue["row"], issue["cell"]) == (3, "NaN")


def test_percentage_above_100_where_impossible(tmp_path):
    ev = score_with(tmp_path, lambda t: t.replace("93%", "130%"))
    issue = issue_in(ev, "impossible_percent")
    assert (issue["row"], issue["column"], issue["cell"]) == (7, "实际完成值", "130%")


def test_nan_actual_is_not_scored(tmp_path):
    """What holds today: NaN never earns points."""
    ev = score_with(tmp_path, lambda t: t.replace("60次", "NaN"))
    assert ind_row(ev, "P001", 1)["status"] in ("pending", "not_evaluable")


# ---------------------------------------------------------------------------
# rule packs: data, validated, errors name pack and key

NATIONAL = (ROOT / "scoring_rules" / "national-2020.toml").read_text(encoding="utf-8")
PACKS = [
    # (case, edit of the national pack, key named, words in the message)
    ("typo in a key", lambda t: t.replace("satisfaction =", "satisfacton =", 1), "weights.satisfacton", "拼写"),
    ("missing weight", lambda t: _drop_line(t, "[weights]", "cost"), "weights.cost", "缺少"),
    ("weights not 100", lambda t: _set_line(t, "[weights]", "output", "output = 55"), "weights", "合计应为100"),
    ("unknown section", lambda t: t + "\n[bonus]\nextra = 5\n", "bonus", "未知"),
    ("weight as text", lambda t: _set_line(t, "[weights]", "output", 'output = "50"'), "weights.output", "数值"),
    ("broken TOML", lambda t: t + "\n[weights\n", None, "TOML"),
]


def _section_line(text: str, section: str, key: str) -> int:
    lines = text.splitlines()
    start = lines.index(section)
    return next(i for i in range(start + 1, len(lines)) if lines[i].split("=")[0].strip() == key)


def _drop_line(text: str, section: str, key: str) -> str:
    lines = text.splitlines()
    del lines[_section_line(text, section, key)]
    return "\n".join(lines)


def _set_line(text: str, section: str, key: str, new: str) -> str:
    lines = text.splitlines()
    lines[_section_line(text, section, key)] = new
    return "\n".join(lines)


@pytest.mark.parametrize("case,edit,key,words", PACKS, ids=[c[0] for c in PACKS])
def test_broken_rule_pack(tmp_path, case, edit, key, words):
    path = write(tmp_path, "my-pack.toml", edit(NATIONAL))
    with pytest.raises(RulePackError) as info:
        load_rule_pack(path)
    assert info.value.pack == "my-pack"
    assert info.value.key == key, (case, info.value.key, str(info.value))
    assert words in str(info.value)


def test_rule_pack_is_data_never_executed(tmp_path):
    """Text that looks like code stays text; TOML has no way to run anything."""
    marker = tmp_path / "pwned"
    hostile = NATIONAL.replace('[pack]\n', f'[pack]\n# __import__("os").system("touch {marker}")\n', 1)
    hostile = _set_line(hostile, "[pack]", "notes", f'notes = "__import__(\'os\').system(\'touch {marker}\')"')
    pack = parse_rule_pack(hostile, "hostile")
    assert "__import__" in pack.data["pack"]["notes"]
    assert not marker.exists()


# ---------------------------------------------------------------------------
# the CLI: exit status 2 and a Chinese message naming the file; never a traceback

def run_cli(argv: list[str], capfd) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capfd.readouterr()
    return code, out, err


@pytest.mark.parametrize("case,build,code,words", UNREADABLE, ids=[c[0] for c in UNREADABLE])
def test_cli_on_unreadable_targets(tmp_path, capfd, monkeypatch, case, build, code, words):
    monkeypatch.delenv("EVALUATOR_DEBUG", raising=False)
    path = build(tmp_path)
    for argv in (["check", str(path)], ["template", str(path), "-o", str(tmp_path / "t.xlsx")],
                 ["score", str(path), str(b.ACTUALS_OK), "-o", str(tmp_path / "out")]):
        status, _, err = run_cli(argv, capfd)
        assert status == 2, (argv[0], case, err)
        assert err.startswith("错误：") and path.name in err and "Traceback" not in err


BROKEN_ACTUALS = [
    # (case, builder(tmp_path) -> path)
    ("garbage", lambda d: raw(d, "a.csv", bytes(range(256)) * 8)),
    ("truncated xlsx", lambda d: b.truncated_xlsx(d / "a.xlsx")),
    ("password-protected xlsx", lambda d: b.encrypted_xlsx(d / "a.xlsx")),
    ("billion laughs xlsx", lambda d: b.billion_laughs_xlsx(d / "a.xlsx")),
    ("missing", lambda d: d / "nowhere.csv"),
]
ACTUALS_KNOWN_FAILURES = [
    # actuals.py reads with pandas directly: an empty file raises EmptyDataError → 内部错误, exit 3
    ("empty", lambda d: write(d, "a.csv", "")),
    ("BOM only", lambda d: write(d, "a.csv", "\ufeff")),
]


@pytest.mark.parametrize("case,build", BROKEN_ACTUALS, ids=[c[0] for c in BROKEN_ACTUALS])
def test_cli_score_on_broken_actuals(tmp_path, capfd, case, build):
    path = build(tmp_path)
    status, _, err = run_cli(["score", str(b.TARGETS_OK), str(path), "-o", str(tmp_path / "out")], capfd)
    assert status == 2, (case, err)
    assert path.name in err and "Traceback" not in err


@pytest.mark.parametrize("case,build", ACTUALS_KNOWN_FAILURES, ids=[c[0] for c in ACTUALS_KNOWN_FAILURES])
def test_cli_score_on_empty_actuals(tmp_path, capfd, case, build):
    path = build(tmp_path)
    status, _, err = run_cli(["score", str(b.TARGETS_OK), str(path), "-o", str(tmp_path / "out")], capfd)
    assert status == 2 and path.name in err


def test_cli_score_with_broken_rule_pack(tmp_path, capfd):
    pack = write(tmp_path, "typo.toml", NATIONAL.replace("satisfaction =", "satisfacton =", 1))
    status, _, err = run_cli(["score", str(b.TARGETS_OK), str(b.ACTUALS_OK), "--rules", str(pack),
                              "-o", str(tmp_path / "out")], capfd)
    assert status == 2 and "typo" in err and "weights.satisfacton" in err and "Traceback" not in err


def test_cli_check_exit_status_and_strict(tmp_path, capfd):
    good = run_cli(["check", str(b.TARGETS_OK)], capfd)
    assert good[0] == 0 and "读入指标 9 条，输出 9 条" in good[1]
    broken = write(tmp_path, "words.csv", ok_text().replace("20.00,", "二十万,"))
    assert run_cli(["check", str(broken)], capfd)[0] == 0  # issues are data
    status, out, _ = run_cli(["check", str(broken), "--strict"], capfd)
    assert status == 1 and "--strict" in out
    assert run_cli(["check", str(b.TARGETS_OK), "--strict"], capfd)[0] == 0  # no error-level issue


@pytest.mark.parametrize("argv", [
    ["check", "{empty}"],
    ["template", "{locked}", "-o", "{tmp}/t.xlsx"],
    ["score", "{targets}", "{garbage}", "-o", "{tmp}/out"],
    ["check", "{targets}"],
])
def test_cli_in_a_subprocess_never_shows_a_traceback(tmp_path, argv):
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "garbage.csv").write_bytes(bytes(range(256)) * 4)
    paths = {"empty": tmp_path / "empty.csv", "locked": b.encrypted_xlsx(tmp_path / "locked.xlsx"),
             "garbage": tmp_path / "garbage.csv", "targets": b.TARGETS_OK, "tmp": tmp_path}
    args = [a.format(**paths) for a in argv]
    env = {k: v for k, v in os.environ.items() if k != "EVALUATOR_DEBUG"}
    proc = subprocess.run([sys.executable, "-m", "evaluator", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=120)
    assert "Traceback" not in proc.stderr
    if args[-1] == str(b.TARGETS_OK):
        assert proc.returncode == 0 and "读入指标" in proc.stdout
    else:
        assert proc.returncode == 2 and proc.stderr.startswith("错误：")
