"""Issue 13: deadlines compared as dates, signs from change verbs, statements against rated
targets, zero clauses beside numbers, direction warnings, unknown counting words."""
from __future__ import annotations

import math
from pathlib import Path

import pytest

from evaluator import compile_target, evaluate, read_targets
from evaluator.rules import load_rule_pack, parse_rule_pack
from scoring_helpers import actuals, ind, table

NATIONAL = Path(__file__).parent.parent / "scoring_rules" / "national-2020.toml"


def score(rows: list[tuple[str, str, str]], rules="national-2020"):
    """(target, name, actual) rows of one project, 10 points each: the indicator table and the issues."""
    t = table([ind(target, name, weight=10.0) for target, name, _ in rows])
    a = actuals({("P001", i + 1): {"actual_text": actual, "prior_text": "", "rating": ""}
                 for i, (_, _, actual) in enumerate(rows)})
    res = evaluate(t, a, rules=rules)
    return res.indicators, res.issues


def test_late_deadline_is_not_met():
    out, _ = score([("2023年12月", "项目完成时间", "2024年3月"), ("2023年12月", "项目完成时间", "2023年10月"),
                    ("10月前", "采购完成时间", "11月")])
    assert out["status"].tolist() == ["scored"] * 3
    assert out["points"].tolist() == [0.0, 10.0, 0.0]
    assert out["rule"].tolist() == ["deadline_late", "deadline_met", "deadline_late"]
    assert "逾期 3 个月" in out["explanation"].iloc[0]


def test_late_tier_of_a_pack():
    text = NATIONAL.read_text("utf-8").replace('name = "national-2020"', 'name = "late-half"').replace(
        "late = []", "late = [{ months = 12, ratio = 0.5 }]")
    pack = parse_rule_pack(text, "late-half")
    out, _ = score([("2023年12月", "完成时间", "2024年3月"), ("2022年", "完成时间", "2024年")], rules=pack)
    assert out["points"].tolist() == [5.0, 0.0]  # three months late: the tier; two years late: none


def test_a_pack_without_the_deadline_section_loads_with_no_late_tier():
    text = NATIONAL.read_text("utf-8")
    text = text[:text.index("[deadline]")]
    assert parse_rule_pack(text, "x").data["deadline"] == {"late": ()}


def test_done_without_a_date_says_no_date_was_checked():
    out, _ = score([("2023年12月", "完成时间", "完成")])
    assert out["points"].iloc[0] == 10.0 and out["rule"].iloc[0] == "done_yes_undated"
    assert "未核对是否按期" in out["explanation"].iloc[0]


def test_a_fall_against_a_rise_is_negative():
    out, issues = score([("提高2%", "收入增长率", "下降1%"), ("提高2%", "收入增长率", "增长1%")])
    assert out["actual_value"].tolist() == [-1.0, 1.0]
    assert out["points"].tolist() == [0.0, 5.0]
    assert "negative_actual" not in set(issues["code"])


def test_rate_with_star_keeps_the_month_basis():
    out, _ = score([("≥600元/人·月", "补助标准", "650元/人*月")])
    assert out["status"].iloc[0] == "scored" and out["points"].iloc[0] == 10.0
    assert out["actual_value"].iloc[0] == 650.0


def test_zero_clause_beside_a_number_is_checked():
    out, issues = score([("无安全事故、完好率不低于95%", "设施运行", "0;97%"),
                         ("无安全事故、完好率不低于95%", "设施运行", "发生1起安全事故;97%"),
                         ("无安全事故、完好率不低于95%", "设施运行", "97%")])
    assert out["status"].tolist() == ["scored", "scored", "not_evaluable"]
    assert out["points"].iloc[0] == 10.0 and out["points"].iloc[1] == 5.0
    assert (issues["code"] == "clause_mismatch").sum() == 1


def test_statement_against_a_qualitative_target_is_pending_without_an_error():
    out, issues = score([("群众满意度较高", "社会效益", "有效"), ("按要求公开", "信息公开", "已按要求公开"),
                         ("≤50万元", "项目成本", "完成")])
    assert out["status"].tolist() == ["pending"] * 3
    assert all(math.isnan(p) for p in out["points"])
    assert "「有效」" in out["explanation"].iloc[0]
    assert "缺少实际完成值" not in out["explanation"].iloc[2]
    assert "「完成」是文字表述" in out["explanation"].iloc[2] and out["pending_reason"].iloc[2] == "stated"
    assert not {"unreadable_actual"} & set(issues["code"])


def test_statement_against_a_number_is_still_an_error():
    out, issues = score([("≥95%", "完好率", "效果明显")])
    assert out["status"].iloc[0] == "not_evaluable"
    assert (issues["code"] == "unreadable_actual").sum() == 1


@pytest.mark.parametrize("name,warned", [("林木病害程度", True), ("病害指数", False), ("服务满意度", False)])
def test_direction_guess_warning(name, warned):
    target = "0.5%" if name != "病害指数" else "≥0.5%"
    _, issues = score([(target, name, "0.1%")])
    assert ((issues["code"] == "direction_guess") & (issues["severity"] == "warning")).sum() == int(warned)


def test_bad_event_rates_are_lower_is_better():
    out, issues = score([("0.5%", "林木病害成灾率", "0.1%")])
    assert out["op_used"].iloc[0] == "<=" and out["points"].iloc[0] == 10.0
    assert "direction_guess" not in set(issues["code"])
    less = load_rule_pack("national-2020").data["direction"]["less"]
    for word in ("受害率", "成灾率", "发病率", "死亡率", "逾期率", "空置率", "返工率", "误差", "超支"):
        assert word in less


def test_prior_and_due_in_the_contract():
    d = compile_target("≥85%(2023年:82%)").to_dict()
    assert d["kind"] == "compare" and d["value"] == 85.0 and d["prior"] == 82.0
    assert compile_target("不低于60%(基数:55%)").prior == 55.0
    assert compile_target("较上年增长5%（上年基数100万元）").prior is None  # another unit: not a prior of 5 %
    assert "prior" not in compile_target("≥85%").to_dict()
    assert compile_target("2023年12月").to_dict()["due"] == "2023-12"
    assert compile_target("10月前").due == "--10"
    assert compile_target("第三季度完成设备采购").due == "--09"
    assert compile_target("2022年").due == "2022"
    assert compile_target("年底前完成").due == "--12"


def test_unknown_counting_word_is_an_info_issue(tmp_path):
    text = (Path(__file__).parent / "fixtures" / "tables" / "mini_seed.tsv").read_text("utf-8")
    assert "年度指标值：500人次" in text
    path = tmp_path / "t.tsv"
    path.write_text(text.replace("年度指标值：500人次", "年度指标值：500尾", 1), encoding="utf-8")
    table_ = read_targets(path)
    found = table_.issues[table_.issues["code"] == "unknown_unit"]
    assert len(found) == 1 and found.iloc[0]["severity"] == "info" and "「尾」" in found.iloc[0]["message"]
    assert found.iloc[0]["cell"] == "500尾"
    t = table_.indicators.loc[table_.indicators["target_text"] == "500尾", "target"].iloc[0]
    assert (t.kind, t.value, t.unit) == ("compare", 500.0, "尾")


@pytest.mark.parametrize("text,value,unit", [("下降1%", -1.0, "%"), ("减少2万元", -2.0, "万元"),
                                             ("降低0.5个百分点", -0.5, "百分点"), ("提高1%", 1.0, "%"),
                                             ("降低至8%", 8.0, "%")])
def test_actual_change_verbs_give_the_sign(text, value, unit):
    from evaluator.values import parse_actual
    a = parse_actual(text)
    assert (a.kind, a.value, a.unit) == ("number", value, unit)
