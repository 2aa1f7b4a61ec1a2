"""Property tests: compile_target never raises, and canonical forms compile back."""
from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from evaluator import compile_target
from evaluator.target import KINDS

VOCAB = ["≥", "≤", ">=", "<=", "＞", "＜", "═", "﹦", "≧", "≦", "不少于", "不超过", "以上", "以内", "达",
         "在", "内", "每月", "每天", "月度", "个", "场", "次", "人次", "%", "百分比", "‰", "百分点", "分",
         "分钟", "秒", "万", "亿", "万元", "元/人", "/月", "/年", "至", "-", "～", "；", ";", "，", "。",
         "（总分30分）", "“一站式”", "《法》", "一批", "一场", "十二", "两", "零事故", "不发生", "逐步提高",
         "保持稳定", "完成", "全覆盖", "=", "/", "+", "满意度", "率", "2000", "0", "1", "3.5", "1,000",
         "95", "2025年12月", "\x00", "\t", "\n", " ", "<p>", "G20", "第3"]

texts = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(VOCAB), max_size=12).map("".join),
    st.lists(st.one_of(st.sampled_from(VOCAB), st.text(max_size=3)), max_size=10).map("".join),
)


def _semantic(d: dict) -> dict:
    out = {k: v for k, v in d.items() if k not in ("raw", "canonical", "notes", "reason", "clauses", "prior")}
    if "clauses" in d:
        out["clauses"] = [_semantic(c) for c in d["clauses"]]
    return out


@settings(max_examples=400, deadline=None)
@given(texts)
def test_never_raises_and_kind_is_known(text):
    t = compile_target(text)
    assert t.kind in KINDS
    assert "parse_error" not in t.notes, text
    if not t.measurable and t.kind != "zero":
        assert t.reason


@settings(max_examples=400, deadline=None)
@given(texts)
@example("0,000月零事故")  # the comma of a number is no clause break
@example("0;(总分0丌)零事故")  # a masked score range stays out of the zero clause
def test_canonical_round_trips(text):
    t = compile_target(text)
    again = compile_target(t.canonical)
    assert _semantic(again.to_dict()) == _semantic(t.to_dict()), (text, t.canonical)


def test_zero_clauses_beside_numbers():
    assert compile_target("0,000月零事故").canonical == "=0月"  # one number, its clause has no zero clause
    assert compile_target("0;(总分0丌)零事故").canonical == "=0;零事故"
    assert compile_target("无安全事故、完好率不低于95%").canonical == "无安全事故;≥95%"


def test_huge_and_control_character_cells():
    assert compile_target("不少于10场" * 2000).kind == "all"
    assert compile_target("x" * 10000).kind == "qualitative"
    assert compile_target("\x00\x01≥5个\x7f").value == 5.0
    assert compile_target(None).kind == "empty"
    assert compile_target(float("nan")).kind == "empty"
    assert compile_target(95).value == 95.0
