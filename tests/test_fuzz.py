"""Fuzzing (hypothesis): the actual-value reader and the table readers never let an exception escape.

- ``parse_actual`` / ``evaluate_formula``: any text → a known kind, finite numbers, no exception;
- ``read_targets``: any small table of random cells written to CSV or .xlsx → an InputError at
  most, and row conservation: every data row with indicator content becomes exactly one
  indicator; every other non-empty row is consumed as a project/category row or reported.

The compiler's properties are in ``test_compiler_properties.py``; points within [0, weight]
in ``test_scoring_properties.py``. CI runs ~100 examples each; a long run:
``EVALUATOR_FUZZ_EXAMPLES=20000 .venv/bin/python -m pytest tests/test_fuzz.py -q`` (docs/robustness.md).
"""
from __future__ import annotations

import csv
import math
import os
import tempfile
import tomllib
from importlib import resources
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from evaluator.issues import InputError
from evaluator.readers import read_targets
from evaluator.values import evaluate_formula, parse_actual

EXAMPLES = int(os.environ.get("EVALUATOR_FUZZ_EXAMPLES", "100"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
ACTUAL_KINDS = {"empty", "na", "none", "yes", "no", "components", "number", "clauses", "unreadable"}

# --- actual values -------------------------------------------------------------
ACTUAL_VOCAB = ["52", "97.5", "-3", "1e400", "nan", "NaN", "inf", "%", "个", "场", "人次", "毫秒", "秒", "万", "亿",
                "万份", "次/月", "；", ";", "，", "=", "＝", "：", "一般", "满意", "非常满意", "是", "否", "完成",
                "未完成", "无", "不适用", "达成预期指标", "约", "≥", "≤", "0", "1,000", "五十", "两", " ", "\n",
                "\x00", "<p>", "×", "/", "(", ")"]
actual_texts = st.one_of(st.text(max_size=40), st.lists(st.sampled_from(ACTUAL_VOCAB), max_size=10).map("".join))


@FUZZ
@given(actual_texts)
def test_parse_actual_never_raises(text):
    value = parse_actual(text)
    assert value.kind in ACTUAL_KINDS
    assert value.raw == text
    if value.kind == "number":
        assert value.value is not None and math.isfinite(value.value), text
    for v, _, _ in value.clauses:
        assert math.isfinite(v), text


FORMULA_VOCAB = ["满意度", "=", "（", "）", "(", ")", "一般", "满意", "非常满意", "评价数量", "+", "-", "*", "/",
                 "×", "÷", "100%", "**", "__import__('os')", "lambda", "[", "]", "1", "0", "。"]


@FUZZ
@given(st.lists(st.sampled_from(FORMULA_VOCAB), max_size=14).map("".join),
       st.lists(st.tuples(st.sampled_from(["一般", "满意", "非常满意", "评价数量", "x"]),
                          st.floats(allow_nan=True, allow_infinity=True)), max_size=4))
def test_evaluate_formula_never_raises_and_never_executes(formula, components):
    result = evaluate_formula(formula, tuple(components))
    assert result is None or isinstance(result, float)


# --- tables -------------------------------------------------------------------
HEADER = ["项目名称", "一级指标", "二级指标", "三级指标", "年度指标值", "分值"]
NAME, VALUE = HEADER.index("三级指标"), HEADER.index("年度指标值")


def _reserved_chars() -> set[str]:
    """Characters of every header alias and label word: random cells avoid them, so a data
    row can never turn into a header or a label row by accident (that is a different test)."""
    raw = tomllib.loads(resources.files("evaluator").joinpath("data/headers.toml").read_text("utf-8"))
    words = [w for aliases in raw["columns"].values() for w in aliases]
    words += [w for labels in raw["labels"].values() for w in labels]
    return set("".join(words)) | set(":：、")


SAFE = "".join(sorted(set("的是在了有和人这大为上个我以要他时来们生到作地于就对成会可主发动同工也能下过子说种面而方后多定"
                          "行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把"
                          "性好应开它还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内正心反你明看原又么利比或但"
                          "气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次"
                          "品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农几九区强放决西被干做"
                          "必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六"
                          "abcXYZ0123456789 .,%≥≤") - _reserved_chars()))
CATEGORY = ["产出指标", "效益指标", "满意度指标", "数量指标", "质量指标", "时效指标", "社会效益指标",
            "服务对象满意度指标", "成本指标"]
TARGET = ["≥50个", "95%", "≤3天", "不少于10场", "逐步提高", "完成", "满意度=（一般+满意）/评价数量", "≥", "0"]

cells = st.one_of(st.just(""), st.text(alphabet=SAFE, max_size=8), st.sampled_from(CATEGORY + TARGET))
rows = st.lists(st.lists(cells, min_size=len(HEADER) - 1, max_size=len(HEADER) - 1), min_size=0, max_size=12)


def _table(data: list[list[str]]) -> list[list[str]]:
    # every data row ends with a weight, so rows keep their width (no merged-cell alignment)
    return [HEADER] + [r + ["10"] for r in data]


def _write_csv(path: Path, table: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(table)


def _write_xlsx(path: Path, table: list[list[str]]) -> None:
    wb = Workbook()
    for r in table:
        wb.active.append([c if c else None for c in r])
    wb.save(path)


def _conserved(table, data: list[list[str]]) -> None:
    expected = [k + 2 for k, r in enumerate(data) if r[NAME].strip() or r[VALUE].strip()]
    got = sorted(table.indicators["source_row"])
    assert got == expected, (got, expected)
    not_read = table.issues.loc[table.issues["code"] == "row_not_read", "row"].tolist()
    assert not set(not_read) & set(expected)
    assert not table.indicators.duplicated(["project_id", "indicator_no"]).any()


@FUZZ
@given(rows, st.sampled_from(["csv", "xlsx"]))
def test_tables_of_random_cells_conserve_rows(data, fmt):
    table = _table(data)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / f"fuzz.{fmt}"
        (_write_csv if fmt == "csv" else _write_xlsx)(path, table)
        try:
            result = read_targets(path)
        except InputError:
            assert not any(any(c.strip() for c in r) for r in data) or fmt == "csv"  # only an empty table
            return
        _conserved(result, data)


@FUZZ
@given(st.lists(st.lists(st.text(max_size=12), max_size=7), max_size=10), st.booleans())
def test_any_text_table_raises_only_input_error(data, with_header):
    table = ([HEADER] if with_header else []) + data
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "fuzz.csv"
        _write_csv(path, table)
        try:
            result = read_targets(path)
        except InputError:
            return
        assert len(result.indicators) == result.projects["n_indicators"].sum()
