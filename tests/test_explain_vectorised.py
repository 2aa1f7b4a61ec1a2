"""The column-wise explanations (evaluator/explain.py) against the per-row reference.

The oracle below is the former row-by-row implementation, kept verbatim: every sentence the
column-wise code renders must be byte-identical to it, on frames built from every scoring case
under every rule pack, on the examples, and on frames with odd values (None, NaN, -0.0, …).
"""
from __future__ import annotations

import csv
import importlib
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from evaluator import evaluate
from evaluator import explain
from evaluator.explain import message, messages
from evaluator.frames import records
from evaluator.rules import BLOCKS, RulePack, load_rule_pack
from scoring_helpers import actuals, ind, table

# ------------------------------------------------------------------------------------- the oracle

from evaluator.wording import num, pct  # noqa: E402 (the one number formatter: tests/test_wording.py)


def _unit_text(value: float, unit: Any, per: Any = None) -> str:
    u = unit if isinstance(unit, str) else ""
    basis = f"/{per}" if isinstance(per, str) and per else ""
    return f"{num(value, 4)}{u}{basis}"


def _target_part(row: pd.Series) -> str:
    target = row.get("t_canonical") or row.get("target_text") or "（空）"
    part = message("target", "period" if row.get("target_source") == "period" else "annual", target=target)
    op = messages()["ops"].get(row.get("op_used") or "", "")
    src = row.get("op_source")
    if src in ("name", "default", "hint") and row.get("t_kind") in ("compare", "all"):
        key = {"name": "inferred", "default": "default_direction", "hint": "hint"}[src]
        part += message("target", key, op=op)
    return part


def _actual_part(row: pd.Series) -> str:
    actual = str(row.get("actual_text") or "").strip()
    av, unit = row.get("actual_value"), row.get("t_unit")
    args = row.get("reason_args") or {}
    if "formula_value" in args:
        return message("rule", "formula_value", formula=args["formula"], value=_unit_text(av, unit))
    if av is None or (isinstance(av, float) and math.isnan(av)) or row.get("t_kind") not in ("compare", "range", "zero"):
        return message("actual", "plain", actual=actual)
    shown = _unit_text(av, unit, row.get("t_per"))
    if shown == actual:
        return message("actual", "plain", actual=actual)
    if isinstance(unit, str) and unit and actual.replace(".", "").replace("-", "").isdigit():
        return message("actual", "bare", actual=actual, unit=unit)
    return message("actual", "converted", actual=actual, converted=shown)


def _rule_part(row: pd.Series, pack: RulePack) -> str:
    rule = row["rule"]
    w, p = num(row["weight_points"]), num(row["points"])
    a, t = num(row.get("actual_value"), 4), num(row.get("target_value"), 4)
    args = row.get("reason_args") or {}
    tw = messages()["trend_words"]
    if rule in ("full", "range_inside", "zero_met", "ge_missed", "le_missed_ratio", "le_missed_linear",
                "le_zero_target", "zero_missed", "range_low", "range_high", "range_high_linear"):
        return message("rule", rule, weight=w, points=p, actual=a, target=t,
                       low=num(row.get("t_low"), 4), high=num(row.get("t_high"), 4))
    if rule == "all":
        parts = "，".join(message("rule", "all_part", target=c[0], actual=_unit_text(c[1][0], c[1][1]), ratio=pct(c[2]))
                         for c in args.get("clauses", []))
        return message("rule", "all", n=len(args.get("clauses", [])), parts=parts, how=message("rule", "how_" + args["how"]),
                       ratio=pct(row["ratio"]), weight=w, points=p)
    if rule.startswith("trend"):
        return message("rule", rule, direction=tw.get(args.get("direction", "up"), ""), tier=args.get("tier", ""),
                       ratio=pct(row["ratio"]), weight=w, points=p, change=pct(args.get("change", math.nan)),
                       tol=pct(pack.data["trend"]["stable_tolerance"]), stated=args.get("stated", ""))
    if rule in ("done_yes", "done_no"):
        return message("rule", rule, actual=row.get("actual_text", ""), ratio=pct(row["ratio"]), weight=w, points=p)
    if rule in ("deadline_met", "deadline_late", "done_yes_undated"):  # issue 13: deadlines are dates
        return message("rule", rule, actual=row.get("actual_text", ""), due=row.get("target_text", ""),
                       late=args.get("months_late", ""), ratio=pct(row["ratio"]), weight=w, points=p)
    if rule == "review_tier":
        return message("rule", rule, rating=args.get("rating", ""), tier=args.get("tier", ""), low=pct(args.get("low")),
                       high=pct(args.get("high")), ratio=pct(row["ratio"]), weight=w, points=p)
    if rule == "review_points":
        return message("rule", rule, points=p, weight=w)
    return ""


def _pending_part(row: pd.Series) -> str:
    reason = row["pending_reason"]
    args = row.get("reason_args") or {}
    ex = messages()["examples"]
    example = ex.get(row.get("t_unit") or "", None) or (f"52{row['t_unit']}" if isinstance(row.get("t_unit"), str) and row.get("t_unit") else ex["default"])
    section = "pending" if row["status"] == "pending" else "not_evaluable"
    target = row.get("t_canonical") or row.get("target_text") or ""
    values = dict(example=example, target=target, actual=row.get("actual_text", ""), n=row.get("t_n") or "",
                  reason=_short_reason(row), formula=target, weight=num(row.get("weight_points")),
                  rating=args.get("rating", ""), prior=args.get("prior", row.get("prior_text", "")),
                  actual_unit=args.get("actual_unit", ""), target_unit=args.get("target_unit", ""))
    if reason == "formula":
        values["example"] = "一般=10；满意=50；非常满意=30；评价数量=100"
    return message(section, reason, **values)


def _short_reason(row: pd.Series) -> str:
    t = row.get("target")
    reason = getattr(t, "reason", None) or ""
    return reason if reason.endswith("。") or not reason else reason + "。"


def explain_indicator(row: pd.Series, pack: RulePack) -> str:
    """The Chinese sentence for one scored indicator row."""
    status = row["status"]
    if status == "excluded":
        key = "na_full" if pack.switches["not_applicable"] == "full" else "na_respread"
        return message("rule", key, weight=num(row["weight_points"]))
    head = _target_part(row)
    if status != "scored":
        actual = str(row.get("actual_text") or "").strip()
        lead = f"{head}，{message('actual', 'plain', actual=actual)}" if actual else head
        return f"{lead}；{_pending_part(row)}"
    parts = [head]
    rule = str(row.get("rule", ""))
    if row["method"] == "auto" and row["t_kind"] not in ("done",) and not rule.startswith("trend_stated"):
        parts.append(_actual_part(row) if not rule.startswith("trend")
                     else message("actual", "with_prior", prior=(row.get("reason_args") or {}).get("prior", ""),
                                  actual=row.get("actual_text", "")))
        if row["rule"] not in ("all",) and not str(row["rule"]).startswith("trend"):
            parts.append(message("verdict", "met" if row["ratio"] >= 1 - 1e-12 and "missed" not in row["rule"] else "missed"))
    text = "，".join(parts) + "；" + _rule_part(row, pack)
    flag = row.get("flag") or ""
    if flag:
        times = row.get("over_times")
        text += "；" + message("rule", "over", times=num(times, 4))
        deduct = pack.data["over_achievement"]["deduct"]
        if deduct > 0:
            text += "；" + message("rule", "deduct", deduct=pct(deduct), weight=num(row["weight_points"]),
                                  amount=num(deduct * row["weight_points"]), points=num(row["points"]))
    ignored = (row.get("reason_args") or {}).get("rating_ignored")
    if ignored:
        text += message("rule", "rating_ignored", rating=ignored)
    return text


ORACLE_COLUMNS = ("status", "method", "rule", "flag", "ratio", "points", "weight_points", "over_times",
                   "actual_text", "actual_value", "target_value", "target_text", "target_source", "target",
                   "t_canonical", "t_kind", "t_unit", "t_per", "t_low", "t_high", "t_n", "op_used", "op_source",
                   "reason_args", "pending_reason", "prior_text")


def oracle_indicators(ind: pd.DataFrame, pack: RulePack) -> pd.Series:
    return pd.Series([explain_indicator(r, pack) for r in records(ind, ORACLE_COLUMNS)], index=ind.index, dtype=object)


def oracle_executions(projects: pd.DataFrame, pack: RulePack) -> pd.Series:
    return pd.Series([explain_execution(p, pack) for p in records(projects)], index=projects.index, dtype=object)


def explain_execution(p: pd.Series, pack: RulePack) -> str:
    if p.get("execution_status") != "scored":
        return message("pending", "execution")
    text = message("execution", "scored", spent=num(p.get("spent_annual"), 4), budget=num(p.get("budget_used"), 4),
                   rate=pct(p["execution_rate"]), weight=num(pack.weights["execution"]), points=num(p["execution_points"]))
    if p["execution_rate"] > 1:
        text += "；" + message("execution", "over", rate=pct(p["execution_rate"]))
    if p.get("budget_fallback"):
        text += "；" + message("execution", "budget_fallback", budget=num(p.get("budget_used"), 4))
    if p.get("execution_cap", 100) < 100:
        caps = [c for c in pack.data["execution"]["cap"] if p["execution_rate"] < c["below"]]
        below = min(c["below"] for c in caps)
        text += "；" + message("execution", "cap", rate=pct(p["execution_rate"]), below=pct(below), cap=num(p["execution_cap"]))
    return text


def _joined_names(ind: pd.DataFrame, mask: pd.Series, limit: int | None = None) -> tuple[pd.Series, pd.Series]:
    """Per project: how many indicators match ``mask`` and their names joined by 、."""
    sel = ind.loc[mask, ["project_id", "name"]]
    counts = sel.groupby("project_id", sort=False, observed=True).size()
    if limit is not None:
        sel = sel.groupby("project_id", sort=False, observed=True).head(limit)
    names = sel.assign(name=sel["name"].astype(str)).groupby("project_id", sort=False, observed=True)["name"].agg("、".join)
    return counts, names


def _weakest(ind: pd.DataFrame) -> pd.Series:
    """Per project: the three scored indicators with the lowest ratio, as 「名称（得分率）」、…."""
    sel = ind.loc[(ind["status"] == "scored") & (ind["ratio"] < 1 - 1e-9), ["project_id", "name", "ratio"]]
    sel = sel.sort_values(["project_id", "ratio"], kind="stable").groupby("project_id", sort=False, observed=True).head(3)
    items = [message("summary", "weakest_item", name=n, ratio=pct(r)) for n, r in zip(sel["name"], sel["ratio"])]
    return pd.Series(items, index=sel.index, dtype=object).groupby(sel["project_id"], sort=False, observed=True).agg("、".join)


def summarize_project(p: dict[str, Any], facts: dict[str, Any], pack: RulePack) -> str:
    """A short Chinese summary of one project: total, blocks, weakest, flags, what is open."""
    name = p.get("project", p["project_id"])
    if p["status"] in ("classified", "no_indicators"):
        return message("summary", p["status"], project=name)
    blocks_text = [message("summary", "block_part", block=message("blocks", "execution"),
                           points=num(p["execution_points"]) if p["execution_status"] == "scored" else "待补",
                           weight=num(pack.weights["execution"]))]
    for b in BLOCKS:
        if p.get(f"weight_{b}", 0) > 0:
            blocks_text.append(message("summary", "block_part", block=message("blocks", b),
                                       points=num(p[f"points_{b}"]), weight=num(p[f"weight_{b}"])))
    grade = p["grade"] or message("summary", "grade_open")
    if p["status"] == "scored":
        head = message("summary", "head", project=name, total=num(p["total"]), grade=grade)
    else:
        head = message("summary", "head_pending", project=name, total=num(p["total"]),
                       pending=num(p["total_max"] - p["total"]), min=num(p["total_min"]), max=num(p["total_max"]), grade=grade)
    parts = [head, "；".join(blocks_text)]
    if facts.get("weakest"):
        parts.append(message("summary", "weakest", items=facts["weakest"]))
    if facts.get("over"):
        parts.append(message("summary", "over", items=facts["over"]))
    for key in ("pending", "not_evaluable"):
        if facts.get(f"{key}_n"):
            parts.append(message("summary", key, n=int(facts[f"{key}_n"]), items=facts[f"{key}_names"]))
    if pd.notna(p.get("self_total")):
        parts.append(message("summary", "self", self_total=num(p["self_total"]), diff=num(p["self_diff"])))
    return "。".join(parts) + "。"


def oracle_summaries(projects: pd.DataFrame, ind: pd.DataFrame, pack: RulePack) -> pd.Series:
    """Every project's summary; the per-project facts are gathered with one groupby each."""
    _, over = _joined_names(ind, ind["flag"].astype(str).str.startswith("over_achieved"))
    facts = {"weakest": _weakest(ind), "over": over}
    for key in ("pending", "not_evaluable"):
        facts[f"{key}_n"], facts[f"{key}_names"] = _joined_names(ind, ind["status"] == key, limit=5)
    frame = pd.DataFrame(facts).reindex(projects["project_id"])
    per_project = [{k: v for k, v in f.items() if isinstance(v, str) or (v == v and v)}
                   for f in records(frame)]
    rows = records(projects)
    return pd.Series([summarize_project(p, f, pack) for p, f in zip(rows, per_project)],
                     index=projects.index, dtype=object)


# ------------------------------------------------------------------------------------- the tests

PACKS = ("national-2020", "hubei-2020", "guangdong-cap")
CASES = list(csv.DictReader((Path(__file__).parent / "cases" / "scoring_cases.tsv").open(encoding="utf-8"),
                            delimiter="\t"))
EXAMPLES = sorted(p for p in (Path(__file__).parent.parent / "examples").iterdir()
                  if p.is_dir() and any(f.name.startswith("targets") for f in p.iterdir()))
STAGES = {"explain_indicators": oracle_indicators, "explain_executions": oracle_executions,
          "summarize_projects": oracle_summaries}


def captured(run) -> dict[str, tuple]:
    """The arguments evaluate() passes to the three explain functions."""
    module = importlib.import_module("evaluator.evaluate")  # the module (evaluator.evaluate is also the function)
    seen: dict[str, tuple] = {}
    with pytest.MonkeyPatch.context() as mp:
        for name in STAGES:
            def spy(*args, _f=getattr(module, name), _name=name):
                seen[_name] = args
                return _f(*args)
            mp.setattr(module, name, spy)
        run()
    assert set(seen) == set(STAGES)
    return seen


def assert_same(new: pd.Series, old: pd.Series) -> None:
    assert new.index.equals(old.index)
    for i, (a, b) in enumerate(zip(new.tolist(), old.tolist())):
        assert type(a) is str and a == b, f"row {i}:\n new: {a!r}\n old: {b!r}"
    assert len(new) == len(old)


def assert_matches_oracle(seen: dict[str, tuple]) -> None:
    for name, oracle in STAGES.items():
        assert_same(getattr(explain, name)(*seen[name]), oracle(*seen[name]))


def cases_run(pack: str):
    """Every scoring case under ``pack``: seven indicators a project, funds of every kind, a classified project."""
    rows, values, funds = [], {}, {}
    fund_kinds = [(100.0, 80.0), (100.0, 120.0), (np.nan, 50.0), (100.0, 50.0), (100.0, 65.0), None]
    for i, c in enumerate(CASES):
        pid = f"P{i // 7:03d}"
        rows.append(ind(c["target"], c["name"], project=pid, weight=float(c["weight"])))
        values[(pid, i % 7 + 1)] = {"actual_text": c["actual"], "prior_text": c["prior"], "rating": c["rating"],
                                    "self_score": float(i % 4) if i % 3 else np.nan}
        kind = fund_kinds[(i // 7) % len(fund_kinds)]
        if kind is not None:
            funds[pid] = kind
    t, a = table(rows, classified=("S001",)), actuals(values, funds)
    return lambda: evaluate(t, a, rules=pack)


@pytest.mark.parametrize("pack", PACKS)
def test_scoring_cases_match_oracle(pack: str) -> None:
    assert_matches_oracle(captured(cases_run(pack)))


@pytest.mark.parametrize("pack", PACKS)
@pytest.mark.parametrize("example", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_examples_match_oracle(example: Path, pack: str) -> None:
    targets = next(p for p in example.iterdir() if p.name.startswith("targets"))
    acts = example / "actuals.csv"
    assert_matches_oracle(captured(lambda: evaluate(targets, acts if acts.exists() else None, rules=pack)))


def odd(frame: pd.DataFrame, column: str, values: list[Any], every: int, start: int = 0) -> None:
    """Put ``values`` (in turn) into every ``every``-th row of ``column``."""
    col = frame[column].astype(object).to_numpy(copy=True)
    for k, i in enumerate(range(start, len(col), every)):
        col[i] = values[k % len(values)]
    frame[column] = col


@pytest.mark.parametrize("pack", ("national-2020", "guangdong-cap"))
def test_odd_values_match_oracle(pack: str) -> None:
    """None, NaN, "", -0.0, tiny and huge numbers, padded texts: the same sentences as row by row."""
    seen = captured(cases_run(pack))
    ind_, pk = seen["explain_indicators"]
    ind_ = ind_.copy()
    odd(ind_, "t_canonical", [None, "", np.nan], 5)
    odd(ind_, "target_text", [None, "", "≥3项"], 10)
    odd(ind_, "target_source", ["period"], 6, 2)
    odd(ind_, "t_unit", [None, np.nan, "", "万元"], 3, 1)
    odd(ind_, "t_per", ["人", None, ""], 4, 2)
    odd(ind_, "op_used", [None, np.nan, ">"], 6)
    odd(ind_, "op_source", ["name", "default", "hint"], 4)
    odd(ind_, "actual_text", [" 46 ", "４６", "1.5", "-2", "nan"], 7, 3)
    odd(ind_, "actual_value", [-0.0, 1e-5, -4e-5, 1e16, 0.123456, np.nan], 3)
    odd(ind_, "target_value", [-0.0, 3.00004, 1e-9], 5, 1)
    odd(ind_, "points", [-0.0, 0.005, 2.675, np.nan], 4)
    odd(ind_, "weight_points", [-0.0, 1 / 3, 12.5], 6, 1)
    odd(ind_, "ratio", [-0.0, 0.99999999999999, 1e-7, 0.125], 5, 2)
    odd(ind_, "over_times", [1.23456, -0.0, np.nan], 2)
    odd(ind_, "flag", ["", "over_achieved", np.nan], 9, 4)
    odd(ind_, "reason_args", [None], 11, 5)
    odd(ind_, "t_n", [0, 2, 3], 8)
    odd(ind_, "prior_text", [None, "12", ""], 5)
    projects, pk2 = seen["explain_executions"]
    projects = projects.copy()
    odd(projects, "grade", [None, "", np.nan, "良"], 2)
    odd(projects, "project", [np.nan, "", "同名项目"], 5, 1)
    odd(projects, "self_total", [-0.0, 88.125, np.nan], 3)
    odd(projects, "spent_annual", [-0.0, 1e-5, 123.45678], 2)
    odd(projects, "budget_fallback", [True, False, None], 3)
    odd(projects, "total", [-0.0, 59.995, 100.0], 4)
    assert_same(explain.explain_indicators(ind_, pk), oracle_indicators(ind_, pk))
    assert_same(explain.explain_executions(projects, pk2), oracle_executions(projects, pk2))
    assert_same(explain.summarize_projects(projects, ind_, pk2), oracle_summaries(projects, ind_, pk2))


def test_fields_keep_values_that_compare_equal_apart() -> None:
    """1, 1.0 and True; -0.0 and 0.0; None and NaN; lists; texts after a NUL: each rendered as itself."""
    mixes = [["a", "b", "a", None, np.nan, "b"], ["a", 1, 1.0, True, "a"], [0.0, -0.0, "0"], [-0.0, 0.0, np.nan],
             [None, None], [np.nan, None, "x"], [[1], "a", [1]], ["x", "x", b"x"], ["x\x00y", "x\x00z"], [1, 2, 1], []]
    for values in mixes:
        arr = np.empty(len(values), dtype=object)
        arr[:] = values
        for column in (arr, np.array(values, dtype=float) if all(isinstance(v, float) for v in values) else arr):
            codes, texts = explain.render(repr, [explain._exact(column)], len(column))
            assert texts[codes].tolist() == [repr(v) for v in column.tolist()], values


def test_fields_coded_once_per_table() -> None:
    """A number field is the number as shown, one code per shown text (-0.0 and 0.0 both 「0.00」);
    an argument field reads reason_args, ABSENT where a row has no such argument (or none at all)."""
    points = [4.6, 4.6000000001, -0.0, 0.0, np.nan, 4.6, 2.675]
    t = explain._Table(pd.DataFrame({"points": points, "ratio": [0.975] * 7,
                                     "reason_args": [None, {"tier": "A"}, {}, {"tier": "A", "low": 0.8}, {"tier": "B"},
                                                     {"low": [1]}, None]}))
    codes, texts = t.coded("num:points")
    assert texts[codes].tolist() == [num(x) for x in points]
    assert len(texts) == 4 and codes[0] == codes[1] == codes[5] and codes[2] == codes[3]
    codes, texts = t.coded("pct:ratio")
    assert texts.tolist() == ["97.5%"] and not codes.any()
    codes, values = t.coded("arg:tier")
    assert values[codes].tolist() == [explain.ABSENT, "A", explain.ABSENT, "A", "B", explain.ABSENT, explain.ABSENT]
    codes, values = t.coded("arg:low")
    assert values[codes].tolist() == [explain.ABSENT] * 3 + [0.8, explain.ABSENT, [1], explain.ABSENT]
    codes, values = t.coded("arg:nothing")
    assert values[codes].tolist() == [explain.ABSENT] * 7


def test_empty_frames_match_oracle() -> None:
    """No indicators at all, and projects without indicators."""
    seen = captured(cases_run("national-2020"))
    ind_, pack = seen["explain_indicators"]
    projects, _ = seen["explain_executions"]
    none = ind_.iloc[:0]
    assert_same(explain.explain_indicators(none, pack), oracle_indicators(none, pack))
    assert_same(explain.explain_executions(projects.iloc[:0], pack), oracle_executions(projects.iloc[:0], pack))
    assert_same(explain.summarize_projects(projects, none, pack), oracle_summaries(projects, none, pack))
    assert_same(explain.summarize_projects(projects.iloc[:0], ind_, pack), oracle_summaries(projects.iloc[:0], ind_, pack))


@pytest.mark.parametrize("pack", ("national-2020", "guangdong-cap"))
def test_odd_kinds_and_sources_match_oracle(pack: str) -> None:
    """Missing and unknown kinds / direction sources, formula values among shown actuals."""
    seen = captured(cases_run(pack))
    ind_, pk = seen["explain_indicators"]
    ind_ = ind_.copy()
    odd(ind_, "t_kind", [None, np.nan, "", "range", "zero", "all", "other"], 3)
    odd(ind_, "op_source", [None, np.nan, "name", "hint", "default"], 2, 1)
    odd(ind_, "op_used", ["<", None, "≥"], 5)
    odd(ind_, "t_unit", ["个", None, "%"], 2)
    multi = (ind_["rule"] == "all").to_numpy()  # a multi-clause row needs its clauses in reason_args
    kept = ind_["reason_args"].to_numpy(dtype=object)[multi]
    odd(ind_, "reason_args", [{"formula_value": 1.5, "formula": "a/b"}], 13, 2)
    args = ind_["reason_args"].to_numpy(dtype=object).copy()
    args[multi] = kept
    ind_["reason_args"] = args
    assert_same(explain.explain_indicators(ind_, pk), oracle_indicators(ind_, pk))


def test_pending_executions_share_one_text_object() -> None:
    """Projects without scored execution all get the one pending text, as one object (the CSV writer
    then renders it once)."""
    pack = load_rule_pack("national-2020")
    projects = pd.DataFrame({"execution_status": ["pending"] * 5, "execution_rate": [np.nan] * 5})
    out = explain.explain_executions(projects, pack)
    assert out.tolist() == [message("pending", "execution")] * 5
    assert len({id(v) for v in out.tolist()}) == 1
    assert_same(out, oracle_executions(projects, pack))


def test_text_columns_given_as_categoricals_match_oracle() -> None:
    """A text column handed on as a categorical (codes into its distinct texts) is read by its codes:
    the sentences do not change."""
    seen = captured(cases_run("national-2020"))
    ind_, pk = seen["explain_indicators"]
    projects, pk2 = seen["explain_executions"]

    def categorical(df: pd.DataFrame) -> pd.DataFrame:
        df = df.copy()
        for c in df.columns:
            values = df[c].to_numpy(dtype=object)
            if df[c].dtype.kind in "OT" and all(isinstance(v, str) or v is None or v != v for v in values.tolist()):
                df[c] = pd.Categorical(df[c])
        return df

    cat_ind, cat_projects = categorical(ind_), categorical(projects)
    assert any(isinstance(d, pd.CategoricalDtype) for d in cat_ind.dtypes)
    assert_same(explain.explain_indicators(cat_ind, pk), oracle_indicators(ind_, pk))
    assert_same(explain.explain_executions(cat_projects, pk2), oracle_executions(projects, pk2))
    assert_same(explain.summarize_projects(cat_projects, cat_ind, pk2), oracle_summaries(projects, ind_, pk2))


def test_template_fields_with_conversions_fill_as_format() -> None:
    """A shown field with a conversion, a format spec or an attribute is filled as str.format fills it."""
    df = pd.DataFrame({"name": ["a", "b{", "a", None], "points": [1.5, 2.0, np.nan, 1.5]})
    t = explain._Table(df)

    @explain.part(shows={"name": "name", "points": "num:points"})
    def _odd() -> str:
        return "[{name!r:>6}|{name}|{points}|{points!s:^8}]"

    texts = explain.join(t.render(_odd))
    expected = ["[{0!r:>6}|{0}|{1}|{1!s:^8}]".format(n, explain.num(p))  # the missing name as the frame holds it
                for n, p in zip(df["name"].tolist(), df["points"].tolist())]
    assert texts.tolist() == expected
