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
    # a cell still remembered is not read again: a remembered row altered is what comes back
    values._READ["19个"] = values._READ["19个"][:2] + (19.5,) + values._READ["19个"][3:]
    again = parse_actuals(cells[::-1])
    assert [v.value for v in again] == [19.5] + [float(i) for i in range(18, -1, -1)]
    assert all(_same(a, b) for a, b in zip(first[:-1], again[:0:-1]))


#: cells of numbers with units, read by the shape of the cell (numbers replaced by 1) where it is safe
SHAPED = [
    "1723元/亩", "0元/亩", "2.19次/月", "0次/月", "1140.56元/人/天", "6篇；50439份", "3.1次；1次/月", "12；0", "0；0",
    "10篇；102", "1.6条/天；2.9条/周", "78.6%；98.19%", "10692人；100%", "2.1条/天；0", "6篇;50439份",
    # numbers that the compiler reads otherwise (a date, a phrase never a number, a multiplier, a comparator)
    "2019.5次/月", "2020年/次", "12.31次；2019.12次", "24小时服务；5", "7×24小时；3", "3万元/亩", "5人以上；3",
    "3余人；4", "2至3次；1", "1比2；3", "第3次；4", "12月份；3", "3月；5", "5个；", "5；", "１２个；3",
    "99999999999999999999999次/月", "00.50元/亩；007个",
]


def test_shaped_cells_read_as_the_compiler_reads_them():
    got = parse_actuals(SHAPED)
    for text, value in zip(SHAPED, got):
        assert _same(value, parse_actual(text)), text
    got = dict(zip(SHAPED, got))
    assert (got["1723元/亩"].value, got["1723元/亩"].unit, got["1723元/亩"].per) == (1723.0, "元/亩", None)
    assert (got["0次/月"].kind, got["0次/月"].value, got["0次/月"].unit, got["0次/月"].per) == ("number", 0.0, "次", "月")
    assert got["6篇；50439份"].clauses == ((6.0, "篇", None), (50439.0, "份", None))
    assert got["2.1条/天；0"].clauses == ((2.1, "条", "天"), (0.0, None, None))
    assert (got["3万元/亩"].value, got["3万元/亩"].unit) == (3.0, "万元/亩")


def test_shaped_cells_any_numbers():
    """Every number in every shape (dates, 24 of 24小时, zeros, long numbers) reads as parse_actual reads it."""
    import random

    rng = random.Random(5)
    picks = ["0", "0.0", "1", "7", "12", "24", "31", "365", "1999", "2019", "2020.5", "2019.12", "19.5", "100",
             "3000.25", "123456789012"]
    shapes = ["1元/亩", "1次/月", "1元/人/天", "1篇；1份", "1次；1次/月", "1；1", "1条/天；1条/周", "1%；1",
              "1小时服务", "1小时；1", "1年；1", "1月；1", "1日；1", "1次/年；1", "1个月；1天"]
    cells = []
    for shape in shapes:
        for _ in range(40):
            parts = shape.split("1")
            cells.append(parts[0] + "".join(rng.choice(picks) + p for p in parts[1:]))
    for text, value in zip(cells, parse_actuals(cells)):
        assert _same(value, parse_actual(text)), text


def test_cache_clear_forgets_cells_and_shapes():
    """``parse_actual.cache_clear()`` leaves nothing read: a cold start compiles the same texts again."""
    parse_actuals(["52个", "1723元/亩", "6篇；50439份"])
    assert values._READ and values._SHAPES
    parse_actual("2.19次/月")
    parse_actual.cache_clear()
    assert not values._READ and not values._SHAPES and parse_actual.cache_info().currsize == 0


def test_actual_columns_read_as_parse_actual():
    """``actual_columns``: the fields of every cell as columns, each cell as ``parse_actual`` reads it."""
    from evaluator.values import actual_columns

    cells = CELLS + SHAPED + [None, 5, math.nan]
    cols = actual_columns(cells)
    assert len(cols) == len(cells)
    for k, text in enumerate(cells):
        value = parse_actual(text)
        assert _same(cols.at(k), value), text
        assert cols.number[k] == value.value if value.value is not None else math.isnan(cols.number[k])
    assert len(actual_columns([])) == 0
