"""Case table for the target compiler: tests/cases/compile_cases.tsv."""
from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

from evaluator import compile_target

CASES = Path(__file__).parent / "cases" / "compile_cases.tsv"


def load_cases():
    rows = []
    with CASES.open(encoding="utf-8") as fh:
        for line_no, row in enumerate(csv.reader(fh, delimiter="\t"), start=1):
            if not row or row[0].startswith("#"):
                continue
            row += [""] * (8 - len(row))
            rows.append(pytest.param(*row[:8], id=f"L{line_no}:{row[0][:20]}"))
    return rows


@pytest.mark.parametrize("text,kind,canonical,op,value,unit,per,note", load_cases())
def test_compile_case(text, kind, canonical, op, value, unit, per, note):
    t = compile_target(text)
    assert t.kind == kind, (text, t.to_dict())
    if canonical:
        assert t.canonical == canonical
    if kind == "compare":
        assert t.op == (op or None)
        assert math.isclose(t.value, float(value), rel_tol=1e-12)
    if kind in ("compare", "range", "zero") and canonical:
        assert t.unit == (unit or None)
        assert t.per == (per or None)
    if kind not in ("compare", "range", "all", "zero"):
        assert t.reason or kind == "zero", "every non-numeric result says why"


def test_multi_clause_cells():
    t = compile_target("来穗人员登记率95%以上;注销率在98%以上")
    assert t.kind == "all"
    assert [(c.op, c.value, c.unit) for c in t.clauses] == [(">=", 95.0, "%"), (">=", 98.0, "%")]
    t = compile_target("开展相关线上、线下活动不少于10次，每月不少于1次。")
    assert [(c.op, c.value, c.unit, c.per) for c in t.clauses] == [
        (">=", 10.0, "次", None), (">=", 1.0, "次", "月")]
    t = compile_target("微信公众号每天推送2至3条微信内容，每周推送2-3条微信原创信息")
    assert [(c.kind, c.low, c.high, c.unit, c.per) for c in t.clauses] == [
        ("range", 2.0, 3.0, "条", "天"), ("range", 2.0, 3.0, "条", "周")]


def test_to_dict_contract():
    d = compile_target("≥10次/年").to_dict()
    assert {k: d[k] for k in ("kind", "op", "value", "unit", "per")} == {
        "kind": "compare", "op": ">=", "value": 10.0, "unit": "次", "per": "年"}
    d = compile_target("逐步提高").to_dict()
    assert d["kind"] == "trend" and d["direction"] == "up" and d["reason"]
    assert compile_target("平稳下降").direction == "down"
    assert compile_target("保持稳定").direction == "stable"
    d = compile_target("2-3条").to_dict()
    assert (d["low"], d["high"], d["unit"]) == (2.0, 3.0, "条")
    d = compile_target("满意度=（一般+满意+非常满意）/评价数量").to_dict()
    assert d["kind"] == "formula" and "公式" in d["reason"]


def test_bare_value_has_no_direction():
    assert compile_target("95%").op is None
    assert compile_target("1000份").op is None


def test_compile_is_cached():
    from evaluator.compiler import compile_cache_info

    text = "不少于987654场（缓存测试）"
    before = compile_cache_info().misses
    a = compile_target(text)
    b = compile_target(text)
    assert a is b
    assert compile_cache_info().misses == before + 1


def test_done_no_target():
    assert compile_target("否").value == 0.0
    assert compile_target("是").value == 1.0


def test_date_hint_precedes_every_date():
    """_mask tries the date regex only where _DATE_HINT finds 年, 月 or a year with . - /: every
    branch of _DATE_SPAN (years, year-month, month-day, month spans, numeric dates) must hold one."""
    from evaluator import compiler
    for text in ["2025年12月", "3月底", "1-12月", "1月至12月", "2024.01", "2024/3", "2024-05-06",
                 "12月31日", "2023年", "2019.12-2020.3", "12月底前", "2023年3月-2023年11月"]:
        assert compiler._DATE_SPAN.search(text), text
        assert compiler._DATE_HINT.search(text), text
    for text in ["第三季度", "三季度前", "2023年4季度", "上半年"]:
        assert compiler._QUARTER_SPAN.search(text) and ("季度" in text or "半年" in text), text


def test_canonical_numbers_never_use_an_exponent():
    from evaluator import compiler
    assert [compiler._num(v) for v in (1607.7, 0.001, 1e-05, 1.5e16, 1e16, -3.25, 12.0)] == [
        "1607.7", "0.001", "0.00001", "15000000000000000", "10000000000000000", "-3.25", "12"]
