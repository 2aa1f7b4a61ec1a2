"""Readers: the seed layout, row-per-indicator layouts, encodings, .csv/.xlsx, errors.

Fixtures are copies of ../shared (seed, corpus layouts) plus small tables in
tests/fixtures/tables/; the suite runs without ../shared.
"""
from __future__ import annotations

import csv
import math
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from evaluator import read_targets
from evaluator.issues import InputError
from evaluator.readers.header import parse_header
from evaluator.readers.model import parse_amount
from evaluator.readers.seed_layout import parse_item, split_items
from evaluator.readers.vocab import fold, header_field, level1_code, level2_code

FIXTURES = Path(__file__).parent / "fixtures"
TABLES = FIXTURES / "tables"
SEED = FIXTURES / "seed" / "000_e143e4407d579c5d.txt"
LAYOUTS = FIXTURES / "layouts"
SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="module")
def seed():
    return read_targets(SEED)


# ---------------------------------------------------------------------------
# vocabulary data file


def test_headers_toml_loads_without_alias_collisions():
    raw = tomllib.loads(resources.files("evaluator").joinpath("data/headers.toml").read_text("utf-8"))
    owners: dict[str, str] = {}
    for field, aliases in raw["columns"].items():
        for alias in aliases:
            key = fold(alias)
            assert owners.setdefault(key, field) == field, f"{alias} is both {owners[key]} and {field}"
    assert set(raw["level1_names"]) == set(raw["level1"])
    assert set(raw["level2_names"]) == set(raw["level2"])


@pytest.mark.parametrize("text, expected", [
    ("三级指标", ("name", None)),
    ("三級指標", ("name", None)),                    # traditional characters
    ("指标值(长期)", ("period", "period")),           # qualifier puts it in the period block
    ("指标值（年度）", ("annual", "annual")),          # full-width brackets
    ("实施周期指标值", ("period", "period")),
    ("Annual target", ("annual", None)),             # English alias, any case
    ("计算符号", ("nature", None)),
    ("度量單位", ("unit", None)),
    ("指标方向性", ("direction", None)),
    ("项目名称（资金使用单位）", ("project", None)),   # the seed's header
    ("绩 效 指 标", ("indicator_cell", None)),         # spaces inside a vertical label
    ("联系人", None),
])
def test_header_field(text, expected):
    assert header_field(text) == expected


@pytest.mark.parametrize("text, l1, l2", [
    ("产出指标", "1", None),
    ("產出指標(50分)", "1", None),       # score tag and traditional characters
    ("项目完成指标", "1", None),          # Sichuan
    ("项目效益指标", "2", None),
    ("数量指标 (必填硬性指标)", None, "11"),
    ("社会效益", None, "22"),
    ("服務對象滿意度指標", None, "31"),
    ("可持续影响指标", None, "24"),
    ("经济成本指标", None, "41"),
    ("成本指标", "4", "14"),              # level 1 in newer tables, level 2 under 产出 in older
])
def test_category_codes(text, l1, l2):
    assert level1_code(text) == l1
    assert level2_code(text) == l2


@pytest.mark.parametrize("text, expected", [
    ("4,157.41", 4157.41),
    ("3,309,840.00", 3309840.0),
    ("<p>164.36</p>".replace("<p>", "").replace("</p>", ""), 164.36),
    ("20.00万元", 20.0),
    ("", None),
    ("-", None),
])
def test_parse_amount(text, expected):
    assert parse_amount(text) == expected


def test_parse_amount_rejects_text():
    with pytest.raises(ValueError):
        parse_amount("二十万")


# ---------------------------------------------------------------------------
# the seed layout


def test_seed_counts(seed):
    assert len(seed.projects) == 28
    assert int(seed.projects["classified"].sum()) == 5
    assert (seed.projects.loc[seed.projects["classified"], "n_indicators"] == 0).all()
    assert len(seed.indicators) == 84
    assert seed.projects["n_indicators"].sum() == 84
    assert seed.department == "中共广州市黄埔区委政法委员会"
    assert seed.layout == "seed"


def test_seed_project_ids_are_stable_and_unique(seed):
    ids = list(seed.projects["project_id"])
    assert ids[0] == "P001" and ids[-1] == "P028" and len(set(ids)) == 28
    assert list(seed.projects["project"]).count("涉密项目") == 5


def test_seed_budget(seed):
    assert math.isclose(seed.projects["budget_total"].sum(), 4157.41, abs_tol=1e-6)
    total = seed.totals[seed.totals["kind"] == "total"].iloc[0]
    assert total["budget_total"] == pytest.approx(4157.41)
    p = seed.projects.set_index("project").loc["综合网格管理绩效奖励专项资金"]
    assert p["budget_total"] == pytest.approx(2155.84)          # 2,155.84 inside <p>
    assert p["source_row"] == 43


def test_seed_html_and_source_positions(seed):
    ind = seed.indicators
    row = ind[(ind["project"] == "黄浦区情报信息研判指挥中心项目经费") & (ind["indicator_no"] == 5)].iloc[0]
    assert row["annual_text"] == "≥10次/年"                    # </p> removed
    assert row["source_row"] == 42 and row["source_column"] == "绩效指标"
    assert row["source_file"] == SEED.name


def test_seed_first_indicator(seed):
    first = seed.indicators.iloc[0]
    assert (first["project"], first["indicator_no"], first["level1_code"], first["level2_code"]) == \
        ("区法学会经费", 1, "1", "11")
    assert first["name"] == "召开报告会情况"
    assert first["annual_text"] == first["period_text"] == "不少于1场"
    assert first["kind"] == "compare" and first["target"].value == 10 / 10


def test_seed_category_trust(seed):
    conflicts = seed.indicators[seed.indicators["category_conflict"]]
    pairs = sorted(zip(conflicts["level1_raw"], conflicts["level2_raw"]))
    assert pairs == [("1-产出指标", "21-经济效益"), ("1-产出指标", "22-社会效益"), ("1-产出指标", "24-可持续影响")]
    assert set(conflicts["level1_code"]) == {"2"} and set(conflicts["level1"]) == {"效益指标"}


def test_seed_period_used_where_annual_is_a_formula(seed):
    used = seed.indicators[seed.indicators["target_source"] == "period"]
    assert len(used) == 3
    assert set(used["annual_kind"]) == {"formula"}
    assert used["measurable"].all()
    row = used[used["project"] == "广州市黄埔区来穗人员动态纳管数据分析系统"].iloc[0]
    assert row["target_text"] == "80%"


def test_seed_texts_match_the_annotated_corpus(seed):
    """The distinct target texts read are exactly the 77 annotated in the corpus."""
    jsonl = SHARED / "corpus" / "seed_targets.jsonl"
    if not jsonl.exists():
        pytest.skip("../shared not present")
    import json

    expected = {json.loads(line)["text"] for line in jsonl.read_text("utf-8").splitlines() if line.strip()}
    got = set(seed.indicators["annual_text"]) | set(seed.indicators["period_text"])
    assert got == expected


@pytest.mark.parametrize("body, expected", [
    # full-width separators, colon after level 2
    ("1-产出指标：11-数量指标：召开报告会情况；实施周期指标值：不少于1场；年度指标值：不少于1场。",
     ("1", "11", "召开报告会情况", "不少于1场", "不少于1场")),
    # half-width separators
    ("2-效益指标;22-社会效益;政法网链路覆盖情况;实施周期指标值:全覆盖;年度指标值:全覆盖。",
     ("2", "22", "政法网链路覆盖情况", "全覆盖", "全覆盖")),
    # mixed: half-width colon after the label, full-width semicolons
    ("1-产出指标；11-数量指标；出租屋纳管率；实施周期指标值:95%以上；年度指标值:95%以上。",
     ("1", "11", "出租屋纳管率", "95%以上", "95%以上")),
    # a period value holding a semicolon, a trailing comma kept
    ("1-产出指标;11-数量指标;登记率;实施周期指标值:登记率95%以上;注销率在98%以上;年度指标值:做到提高意识，。",
     ("1", "11", "登记率", "登记率95%以上;注销率在98%以上", "做到提高意识，")),
])
def test_parse_item(body, expected):
    r = parse_item(body)
    assert (r.level1_code_printed, r.level2_code_printed, r.name, r.period_text, r.annual_text) == expected


def test_split_items_needs_sequential_numbers():
    cell = "1、1-产出指标：11-数量指标；a；实施周期指标值：2至3条；年度指标值：1、2-3条。2、2-效益指标；22-社会效益；b；年度指标值：完成。"
    items = split_items(cell)
    assert [i.indicator_no for i in items] == [1, 2]
    assert items[0].annual_text == "1、2-3条"


def test_seed_as_csv_with_line_breaks_reads_the_same(tmp_path, seed):
    rows = [line.split("\t") for line in SEED.read_text("utf-8").split("\n")]
    path = tmp_path / "seed.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        for cells in rows:
            # Excel keeps Alt+Enter line breaks inside quoted cells
            writer.writerow([c.replace("。2、", "。\n2、") for c in cells])
    table = read_targets(path)
    assert len(table.projects) == 28 and len(table.indicators) == 84
    assert list(table.indicators["target_text"]) == list(seed.indicators["target_text"])


def test_seed_as_xlsx_reads_the_same(tmp_path, seed):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "绩效目标表"
    for cells in (line.split("\t") for line in SEED.read_text("utf-8").split("\n")):
        ws.append([_as_excel_value(c) for c in cells])
    path = tmp_path / "seed.xlsx"
    wb.save(path)
    table = read_targets(path)
    assert len(table.projects) == 28 and len(table.indicators) == 84
    assert table.projects["budget_total"].sum() == pytest.approx(4157.41)
    assert list(table.indicators["target_text"]) == list(seed.indicators["target_text"])
    assert set(table.indicators["source_sheet"]) == {"绩效目标表"}
    assert table.indicators.iloc[0]["source_row"] == 13          # Excel row = line number here


def _as_excel_value(cell: str):
    """Amounts as numbers (as a real workbook would hold them)."""
    try:
        return parse_amount(cell.replace("<p>", "").replace("</p>", "")) if cell and cell[-1].isdigit() else cell
    except ValueError:
        return cell


# ---------------------------------------------------------------------------
# row-per-indicator layouts from the corpus


LAYOUT_COUNTS = {
    "anhui-luan-nongchanpin-zhijian-2024.tsv": (1, 7),
    "hubei-wuhan-qingshan-jiaoyu-jichu-sheshi-2020.tsv": (1, 7),
    "jiangxi-fuliang-linye-zhengti.tsv": (1, 13),
    "sichuan-jingyan-mata-zhen-2023.tsv": (2, 13),
    "tianjin-hebei-court-2023.tsv": (2, 11),
}


@pytest.mark.parametrize("name, counts", sorted(LAYOUT_COUNTS.items()))
def test_layout_counts(name, counts):
    table = read_targets(LAYOUTS / name)
    assert (len(table.projects), len(table.indicators)) == counts
    assert table.layout == "rows"
    assert (table.indicators["name"] != "").all()
    assert (table.indicators["annual_text"] != "").all()


def test_layouts_match_shared_copies():
    """The fixtures are byte copies of ../shared/corpus/layouts (when present)."""
    src = SHARED / "corpus" / "layouts"
    if not src.exists():
        pytest.skip("../shared not present")
    for name in LAYOUT_COUNTS:
        assert (src / name).read_bytes() == (LAYOUTS / name).read_bytes()


def test_layout_luan_paired_midterm_annual_blocks():
    ind = read_targets(LAYOUTS / "anhui-luan-nongchanpin-zhijian-2024.tsv").indicators
    assert list(ind["name"]) == ["鉴定校准实验室仪器", "购买标准试剂", "监督抽检批次", "农产品例行监测合格率",
                                 "农产品监督抽样合格率", "实验室仪器维修维护", "检测及时率"]
    assert list(ind["level2_code"]) == ["11", "11", "11", "12", "12", "12", "13"]
    assert (ind["annual_text"] == ind["period_text"]).all()
    assert ind.iloc[6]["annual_text"] == "≤7工作日"
    assert list(ind["source_row"]) == [2, 3, 4, 5, 6, 7, 8]


def test_layout_qingshan_empty_longterm_block():
    ind = read_targets(LAYOUTS / "hubei-wuhan-qingshan-jiaoyu-jichu-sheshi-2020.tsv").indicators
    assert (ind["period_text"] == "").all()
    assert list(ind["annual_text"]) == ["2", "100%", "参照政府采购成本控制", "100%", "巩固提高", "持续改善", "≥90%"]
    assert list(ind["level1_code"]) == ["1", "1", "1", "1", "2", "2", "3"]


def test_layout_fuliang_nature_value_unit():
    ind = read_targets(LAYOUTS / "jiangxi-fuliang-linye-zhengti.tsv").indicators
    assert ind.iloc[0][["annual_text", "unit_hint", "target_text", "direction_hint"]].tolist() == \
        ["116", "人", "=116人", "=="]
    last = ind.iloc[-1]
    assert (last["level2"], last["target_text"], last["source_row"]) == ("质量指标", "≥95%", 14)
    assert (ind["level1_code"] == "1").all()


def test_layout_jingyan_projects_weights_directions_money_in_yuan():
    table = read_targets(LAYOUTS / "sichuan-jingyan-mata-zhen-2023.tsv")
    p, ind = table.projects, table.indicators
    assert list(p["project"]) == ["村组干部报酬", "基层组织活动经费"]
    assert list(p["n_indicators"]) == [8, 5]
    assert p.iloc[0]["budget_total"] == pytest.approx(330.984)         # 3,309,840.00 元 → 万元
    assert p.iloc[0]["department"] == "820001-井研县马踏镇人民政府"
    assert ind.iloc[0][["level2_code", "name", "target_text", "weight", "direction_hint"]].tolist() == \
        ["22", "维护社会稳定", "≥95%", 10.0, ">="]
    assert ind.iloc[-1]["target_text"] == "=11个"                       # last row has no direction cell
    assert ind["weight"].sum() == 150
    codes = set(table.issues["code"])
    assert "money_unit_guessed" in codes
    assert "total_mismatch" in codes                                     # 8,827,620.53 vs a partial page


def test_layout_tianjin_multi_project_money_blocks():
    table = read_targets(LAYOUTS / "tianjin-hebei-court-2023.tsv")
    p, ind = table.projects, table.indicators
    assert list(p["project"]) == ["安全隐患维修", "办案业务费(陪审员及互联网专线)"]
    assert list(p["budget_total"]) == [20.0, 24.0] and list(p["budget_fiscal"]) == [20.0, 24.0]
    assert list(p["goal"])[0].startswith("1.维修审判大楼玻璃幕墙")
    assert list(p["n_indicators"]) == [6, 5]
    assert table.department == "207101天津市河北区人民法院"
    assert list(ind["annual_text"][:2]) == ["≥400平方米", "≥98百分比"]
    assert list(ind.loc[ind["project_id"] == "P002", "source_row"]) == [20, 21, 22, 23, 24]


# ---------------------------------------------------------------------------
# small fixtures: split columns, traditional headers, encodings, xlsx, errors


def test_split_columns_traditional_headers():
    ind = read_targets(TABLES / "rows_split_traditional.csv").indicators
    assert len(ind) == 7
    assert list(ind["target_text"]) == ["≧735人次", "═12场", "≥98%", "≤30天", "≥90%", "≥95%", "≤2875元/人"]
    assert list(ind["level1_code"]) == ["1", "1", "1", "1", "2", "3", "4"]   # 成本指标 raised to level 1
    assert list(ind["direction_hint"])[3] == "<="
    assert ind.iloc[0]["target"].op == ">=" and ind.iloc[0]["target"].value == 735


def test_gbk_file():
    table = read_targets(TABLES / "rows_gbk.csv")
    assert table.encoding == "gb18030"
    assert list(table.indicators["name"]) == ["新建高标准农田", "工程验收合格率", "亩均增产", "农户满意度"]
    assert list(table.indicators["weight"]) == [20, 20, 30, 10]
    assert list(table.indicators["level1_code"]) == ["1", "1", "2", "3"]  # merged 一级 cells filled down


def test_utf8_bom_and_utf16(tmp_path):
    text = (TABLES / "rows_gbk.csv").read_bytes().decode("gbk")
    for enc in ("utf-8-sig", "utf-16"):
        path = tmp_path / f"t-{enc}.csv"
        path.write_bytes(text.encode(enc))
        assert len(read_targets(path).indicators) == 4


def test_english_headers_and_period_column():
    table = read_targets(TABLES / "rows_english.csv")
    assert list(table.projects["project"]) == ["Road repair"]     # repeated on every row: one project
    first = table.indicators.iloc[0]
    assert (first["annual_text"], first["period_text"], first["target_text"]) == ("≥2km", "≥10km", "≥2km")


def test_paired_blocks_period_used():
    ind = read_targets(TABLES / "rows_paired.tsv").indicators
    assert list(ind["name"]) == ["建设学校数", "验收合格率", "办学条件"]
    assert ind.iloc[0]["target_source"] == "period" and ind.iloc[0]["target_text"] == "≥3所"


def test_xlsx_with_merged_cells_and_percent_format(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "目标表"
    ws.append(["单位：万元"])
    ws.append(["项目名称", "预算数", "一级指标", "二级指标", "三级指标", "指标值", "权重"])
    ws.append(["设备购置", 30, "产出指标", "数量指标", "设备数量", "≥10台", 40])
    ws.append([None, None, None, "质量指标", "验收合格率", 0.98, 30])
    ws.append([None, None, "满意度指标", "服务对象满意度指标", "满意度", "≥90%", 30])
    ws.merge_cells("A3:A5")
    ws.merge_cells("B3:B5")
    ws.merge_cells("C3:C4")
    ws["F4"].number_format = "0%"
    path = tmp_path / "t.xlsx"
    wb.save(path)
    table = read_targets(path)
    assert list(table.projects["project"]) == ["设备购置"]
    assert table.projects.iloc[0]["budget_total"] == 30
    ind = table.indicators
    assert list(ind["annual_text"]) == ["≥10台", "98%", "≥90%"]
    assert list(ind["level1_code"]) == ["1", "1", "3"]
    assert list(ind["source_row"]) == [3, 4, 5] and set(ind["source_sheet"]) == {"目标表"}


@pytest.mark.parametrize("name, content, reason", [
    ("missing.csv", None, "不存在"),
    ("empty.csv", b"", "空"),
    ("not_a_table.txt", "copy", "表头"),
    ("broken.xlsx", b"PK\x03\x04 not really a zip", "Excel"),
    ("old.xls", b"\xd0\xcf\x11\xe0", ".xls"),
    ("binary.csv", b"\x00\x01\x02\xff\xfe\x00" * 10, "二进制"),
])
def test_unreadable_files_raise_input_error(tmp_path, name, content, reason):
    path = tmp_path / name
    if content == "copy":
        path.write_bytes((TABLES / name).read_bytes())
    elif content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError) as err:
        read_targets(path)
    assert reason in str(err.value) and err.value.file and name in err.value.file


def test_bad_cells_do_not_stop_the_read(tmp_path):
    text = (TABLES / "mini_seed.tsv").read_text("utf-8").replace("200.00\t200.00", "两百\t200.00")
    path = tmp_path / "bad.tsv"
    path.write_text(text, encoding="utf-8")
    table = read_targets(path)
    assert len(table.projects) == 3
    bad = table.issues[table.issues["code"] == "bad_amount"]
    assert len(bad) == 1 and bad.iloc[0]["row"] == 11 and bad.iloc[0]["column"] == "总计"


def test_header_detection_rejects_data_rows():
    assert parse_header(("产出指标", "数量指标", "培训人次", "≥10"), 2) is None
    assert parse_header(("项目名称", "总计", "绩效指标"), 1).layout == "seed"


def test_corpus_csv_reads_every_row_into_the_right_columns():
    """../shared/corpus/targets_visible.csv (216 rows, 26 documents) read as a row table."""
    path = SHARED / "corpus" / "targets_visible.csv"
    if not path.exists():
        pytest.skip("../shared not present")
    import pandas as pd

    src = pd.read_csv(path, dtype=str, keep_default_na=False)
    table = read_targets(path)
    ind = table.indicators
    assert len(ind) == len(src) == 216
    assert list(ind["name"]) == list(src["indicator"])
    assert list(ind["annual_text"]) == list(src["target_text"])
    assert list(ind["period_text"]) == list(src["period_target_text"])
    assert "unknown_category" not in set(table.issues["code"])   # 项目完成指标, (50分), 社会公众或服务对象满意度指标


@pytest.mark.parametrize("text, l1", [
    ("(50分)", None),                 # a score tag alone names no category
    ("产出指标 (40-50)分", "1"),
])
def test_category_score_tags(text, l1):
    assert level1_code(text) == l1


@pytest.mark.parametrize("module", ["evaluator.readers.vocab", "evaluator.readers.io", "evaluator.readers.header",
                                    "evaluator.readers.model", "evaluator.readers.seed_layout",
                                    "evaluator.readers.rows_layout", "evaluator.readers.tidy"])
def test_docstring_examples(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.failed == 0


@pytest.mark.parametrize("name, first, last", [
    ("jiangxi-fuliang-linye-zhengti.tsv", "=116人", "≥95%"),           # 计算符号 | 目标值 | 度量单位
    ("sichuan-jingyan-mata-zhen-2023.tsv", "≥95%", "=11个"),           # 指标性质 | 指标值 | 度量单位 | 权重 | 方向
    ("tianjin-hebei-court-2023.tsv", "≥400平方米", "100元"),            # 绩效指标描述 beside 指标值, stacked forms
    ("anhui-luan-nongchanpin-zhijian-2024.tsv", "≥57个", "≤7工作日"),    # paired 中长期 | 年度 blocks
    ("hubei-wuhan-qingshan-jiaoyu-jichu-sheshi-2020.tsv", "2", "≥90%"),
])
def test_layouts_read_as_a_user_reads_them(name, first, last):
    """Every row under a corpus layout's header is an indicator with its own target; nothing is
    left unread, no category is unknown, no read doubt is raised."""
    table = read_targets(LAYOUTS / name)
    ind, codes = table.indicators, set(table.issues["code"])
    assert (ind["target_text"].iat[0], ind["target_text"].iat[-1]) == (first, last)
    assert not codes & {"row_not_read", "unknown_category", "few_rows_read", "target_in_unknown_column",
                        "target_misread", "extra_cells"}
    assert (ind["level1_code"] != "").all() and (ind["level2_code"] != "").all()
