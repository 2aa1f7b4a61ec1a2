"""Properties of scoring: bounds, monotonicity, totals, weights under every pack."""
from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings, strategies as st

from evaluator import evaluate
from evaluator.rules import available_packs, load_rule_pack
from evaluator.scoring import clause_ratios
from scoring_helpers import actuals, ind, table

PACKS = [load_rule_pack(n) for n in available_packs()]
values = st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False)
targets = st.floats(min_value=0, max_value=1e5, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(PACKS), st.sampled_from([">=", ">", "<=", "<", "=="]), targets, values, values)
def test_ratio_bounds_and_monotone(pack, op, t, a1, a2) -> None:
    lo, hi = sorted((a1, a2))
    r = clause_ratios(np.array([op, op], object), np.array([t, t]), np.full(2, np.nan), np.full(2, np.nan),
                      np.array([lo, hi]), pack)["ratio"]
    assert np.all((r >= 0) & (r <= 1))
    if op in (">=", ">"):
        assert r[0] <= r[1] + 1e-12
    if op in ("<=", "<"):
        assert r[0] >= r[1] - 1e-12


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(available_packs()),
       st.lists(st.tuples(st.sampled_from(["≥50个", "≤3秒", "98%以上", "完成", "协助做好相关工作", "逐步提高"]),
                          st.sampled_from(["11", "12", "22", "31"]), st.floats(0, 200)), min_size=1, max_size=6),
       st.floats(1, 100), st.floats(0, 150))
def test_project_total_and_weights(pack, rows, budget, spent) -> None:
    inds = [ind(t, f"指标{i}", level2=l2) for i, (t, l2, _) in enumerate(rows)]
    acts = {}
    for i, (t, _, v) in enumerate(rows):
        acts[("P001", i + 1)] = {"actual_text": ("是" if t == "完成" else f"{v:g}"), "prior_text": "50",
                                 "rating": "部分达成"}
    ev = evaluate(table(inds), actuals(acts, {"P001": (budget, spent)}), rules=pack)
    p = ev.projects.iloc[0]
    ws = ev.indicators["weight_points"]
    assert math.isclose(ws.sum() + ev.rule_pack.weights["execution"], 100, abs_tol=1e-3)  # weights shown to 4 dp
    assert 0 <= p["total"] <= 100 + 1e-9
    pts = ev.indicators["points"].dropna()
    assert ((pts >= 0) & (pts <= ev.indicators.loc[pts.index, "weight_points"] + 0.005)).all()
    assert p["total_min"] <= p["total_max"] <= 100 + 1e-9


def test_pending_interval() -> None:
    t = table([ind("≥50个", "情报模型数"), ind("协助做好相关工作", "服务")])
    ev = evaluate(t, actuals({("P001", 1): {"actual_text": "40个"}}, {"P001": (100, 100)}))
    p = ev.projects.iloc[0]
    assert p["status"] == "partial"
    # 90 points over one block: 45 each; 40/50 × 45 = 36; + execution 10
    assert p["total"] == 46.0 and p["total_max"] == 91.0 and p["grade"] == ""


def test_execution_cap_guangdong() -> None:
    t = table([ind("≥50个", "情报模型数")])
    ev = evaluate(t, actuals({("P001", 1): {"actual_text": "50个"}}, {"P001": (100, 65)}), rules="guangdong-cap")
    p = ev.projects.iloc[0]
    assert p["execution_points"] == 6.5 and p["total"] == 79.0 and p["grade"] == "中"


def test_absent_block_respread_and_category_trust() -> None:
    rows = [ind("≥50个", "a", level2="22", level1="1", level2_printed="22", level1_printed="1"), ind("≥5个", "b")]
    a = actuals({("P001", 1): {"actual_text": "50个"}, ("P001", 2): {"actual_text": "5个"}}, {"P001": (1, 1)})
    nat = evaluate(table(rows), a)           # reader's codes: both output → 90 split in two
    gd = evaluate(table(rows), a, rules="guangdong-cap")  # trust level-2 code 22: one benefit, one output
    assert list(nat.indicators["weight_points"]) == [45.0, 45.0]
    assert list(gd.indicators["block"]) == ["benefit", "output"]
    assert list(gd.indicators["weight_points"]) == [33.75, 56.25]


def test_formula_components_against_period_target() -> None:
    row = ind("满意度需达90%以上", "满意度", level2="31", annual="满意度=（一般+满意+非常满意）/评价数量")
    ev = evaluate(table([row]), actuals({("P001", 1): {"actual_text": "一般=10;满意=40;非常满意=30;评价数量=100"}}))
    r = ev.indicators.iloc[0]
    assert r["status"] == "scored" and math.isclose(r["actual_value"], 80.0)
    assert math.isclose(r["points"], 80)  # 80/90 × 90 = 80
