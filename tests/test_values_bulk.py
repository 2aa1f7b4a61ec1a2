"""``parse_actuals`` (many distinct cells at once) reads every cell as ``parse_actual`` does."""
from __future__ import annotations

import math

import pytest

from evaluator import values
from evaluator.values import ActualValue, parse_actual, parse_actuals

CELLS = [
    "", "  ", "。", "52个", "98.5%", " 97% ", "97%。", "3.2万元", "2500毫秒", "46", "-3", "-2.5%", "0", "0次",
    "无", "没有", "是", "已完成", "否", "未完成", "基本完成", "不适用", "N/A", "NA", "N", "Y", "yes", "√",
    "5个个", "5 个", "5.", ".5", "1,000", "1,000元", "５个", "12xyz", "5公里/小时", "2.19次/月", "1723元/亩",
    "1140.56元/人/天", "6篇；50439份", "12；0", "96%;99%", "一般=10;满意=50", "逐步提高", "达成预期指标",
    "2020年", "2019.5次", "3月份", "十二次", "约50人", "≥95%", "50人以上", "NaN", "nan", "None", "a\x00b",
    "5\x00个", "100 %", "1e3", "∞", "完成\n", "\t46\t",
]


def _same(a: ActualValue, b: ActualValue) -> bool:
    return a == b and type(a.value) is type(b.value) and repr(a) == repr(b)


@pytest.fixture(autouse=True)
def _fresh():
    values._READ.clear()
    yield
    values._READ.clear()


def test_parse_actuals_equals_parse_actual():
    got = parse_actuals(CELLS)
    assert len(got) == len(CELLS)
    for text, value in zip(CELLS, got):
        assert _same(value, parse_actual(text)), text


def test_parse_actuals_values():
    got = dict(zip(CELLS, parse_actuals(CELLS)))
    assert (got["52个"].kind, got["52个"].value, got["52个"].unit) == ("number", 52.0, "个")
    assert (got[" 97% "].value, got[" 97% "].unit, got[" 97% "].raw) == (97.0, "%", " 97% ")
    assert got["46"].unit is None and got["46"].value == 46.0
    assert (got["0次"].kind, got["0次"].value) == ("none", 0.0)
    assert got["不适用"].kind == "na" and got["基本完成"].kind == "partial" and got["否"].kind == "no"
    assert got[""].kind == "empty" and got["。"].kind == "empty"
    assert got["6篇；50439份"].clauses == ((6.0, "篇", None), (50439.0, "份", None))
    assert (got["2.19次/月"].unit, got["2.19次/月"].per) == ("次", "月")


def test_parse_actuals_not_text():
    cells = [None, 5, 2.5, True, math.nan, -0.0]
    for text, value in zip(cells, parse_actuals(cells)):
        assert _same(value, parse_actual(text)), text


def test_parse_actuals_remembers_and_forgets(monkeypatch):
    monkeypatch.setattr(values, "_READ_MAX", 8)
    cells = [f"{i}个" for i in range(20)]
    first = parse_actuals(cells)
    assert len(values._READ) <= 8
    again = parse_actuals(cells[::-1])
    assert [v.value for v in again] == [float(i) for i in range(19, -1, -1)]
    assert again[0] is first[-1]  # a cell still remembered is not read again
    assert all(_same(a, b) for a, b in zip(first, again[::-1]))
