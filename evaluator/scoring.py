"""Scoring indicators under a rule pack: the hot path, over whole columns.

Each distinct target text and actual text is compiled once, units are converted once
per distinct unit pair (:func:`evaluator.units.conversion_factor`), and the points of
every numeric comparison are computed with numpy over the whole column. Kinds that need
a person or a prior year (qualitative, done, trend, formula) are routed row by row, but
they only look up values already parsed.

The result adds to the indicator table: ``block op_used op_source status method ratio
rule flag over_times actual_value target_value clause_detail weight_points points``;
:mod:`evaluator.explain` turns these into Chinese sentences.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .issues import Issue
from .readers.vocab import level1_code
from .rules import RulePack
from .target import Target
from .units import conversion_factor
from .values import ActualValue, evaluate_formula, parse_actual, vocabulary

NUMERIC_KINDS = ("compare", "range", "zero")
#: the time basis assumed for a value written without one (a yearly evaluation)
YEAR = "年"


# --- small helpers -----------------------------------------------------------
def round_points(x: np.ndarray | float, digits: int, mode: str = "half_up") -> np.ndarray:
    """Round like a reviewer (四舍五入), not like IEEE (banker's rounding)."""
    arr = np.asarray(x, dtype=float)
    if mode == "half_even":
        return np.round(arr, digits)
    scale = 10.0 ** digits
    return np.floor(arr * scale + 0.5 + 1e-9) / scale


def _code_digit(text: Any) -> str:
    m = re.match(r"\s*(\d)", str(text)) if isinstance(text, str) else None
    return m.group(1) if m else ""


def _printed(df: pd.DataFrame, level: str, fallback: pd.Series) -> pd.Series:
    """The code as printed in the table (before the reader reconciled the levels)."""
    if f"{level}_code_printed" in df:
        s = df[f"{level}_code_printed"].fillna("").astype(str).map(_code_digit)
    elif f"{level}_raw" in df:
        s = df[f"{level}_raw"].map(_code_digit)
    else:
        return fallback
    return s.where(s != "", fallback)


def assign_blocks(df: pd.DataFrame, pack: RulePack) -> pd.Series:
    """Scoring block (output/benefit/satisfaction/cost) of each indicator.

    The reader's trusted codes are used unless the pack says to trust the raw
    level-1 or level-2 code and the raw cells are there.
    """
    maps = pack.data["blocks"]
    trust = pack.switches["category_trust"]
    l1 = df.get("level1_code", pd.Series("", index=df.index)).fillna("").astype(str)
    l2 = df.get("level2_code", pd.Series("", index=df.index)).fillna("").astype(str)
    if trust == "level1":
        l1 = _printed(df, "level1", l1)
    if trust == "level2":
        l2 = _printed(df, "level2", l2.str[:1])
    by1 = l1.str[:1].map(maps["level1"])
    by2 = l2.str[:1].map(maps["level2"])
    block = (by2.combine_first(by1) if trust == "level2" else by1.combine_first(by2))
    if block.isna().any():
        # a level-1 name without a code: the readers' category vocabulary (headers.toml) knows it
        names = df.get("level1", pd.Series("", index=df.index)).fillna("").astype(str)
        codes = {n: level1_code(n) or "" for n in names.unique()}
        block = block.fillna(names.map(codes).str[:1].map(maps["level1"])).fillna("output")
    return block.map(pack.block_of)


# --- facts per distinct text -----------------------------------------------------
def _target_row(t: Target | None) -> dict[str, Any]:
    if not isinstance(t, Target):
        return {"t_kind": "empty"}
    d: dict[str, Any] = {"t_kind": t.kind, "t_op": t.op, "t_value": t.value, "t_unit": t.unit,
                         "t_per": t.per, "t_low": t.low, "t_high": t.high, "t_canonical": t.canonical or t.raw,
                         "t_n": len(t.clauses), "t_direction": t.direction}
    if t.kind == "zero":
        d.update(t_op="==", t_value=0.0)
    return d


def target_facts(df: pd.DataFrame) -> pd.DataFrame:
    """Target attributes as columns, looked up once per distinct target text."""
    key = df["target_text"].fillna("").astype(str) + "\x00" + df.get("kind", pd.Series("", index=df.index)).astype(str)
    codes, uniques = pd.factorize(key)
    first = pd.Series(np.arange(len(df))).groupby(codes).first().to_numpy()
    targets = df["target"].to_numpy()
    facts = pd.DataFrame([_target_row(targets[i]) for i in first])
    facts = facts.reindex(columns=["t_kind", "t_op", "t_value", "t_unit", "t_per", "t_low", "t_high",
                                   "t_canonical", "t_n", "t_direction"])
    out = facts.iloc[codes].reset_index(drop=True)
    out.index = df.index
    return out


def actual_facts(texts: pd.Series, prefix: str = "a") -> pd.DataFrame:
    """Parsed actual cells as columns; each distinct text parsed once."""
    clean = texts.fillna("").astype(str)
    codes, uniques = pd.factorize(clean)
    parsed = [parse_actual(u) for u in uniques]
    facts = pd.DataFrame({f"{prefix}_kind": [p.kind for p in parsed], f"{prefix}_value": [p.value for p in parsed],
                          f"{prefix}_unit": [p.unit for p in parsed], f"{prefix}_per": [p.per for p in parsed],
                          f"{prefix}_obj": parsed})
    if len(clean) and len(facts) == 0:
        facts = pd.DataFrame({c: [] for c in facts.columns})
    out = facts.iloc[codes].reset_index(drop=True) if len(clean) else facts.iloc[0:0]
    out.index = texts.index
    return out


@dataclass(frozen=True)
class Rating:
    kind: str  # none tier points na bad
    raw: str = ""
    tier: str = ""
    ratio: float = math.nan
    low: float = math.nan
    high: float = math.nan
    points: float = math.nan


def parse_rating(text: Any, pack: RulePack) -> Rating:
    """A reviewer's 评定: a tier word, a point value or 不适用."""
    raw = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text).strip()
    core = raw.rstrip("。.").strip()
    if not core or core.lower() == "nan":
        return Rating("none")
    if core in pack.data["qualitative"]["not_applicable_words"]:
        return Rating("na", raw)
    for tier in pack.tiers:
        if core == tier.name or core in tier.words:
            return Rating("tier", raw, tier.name, tier.default, tier.low, tier.high)
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*分?", core)
    if m:
        return Rating("points", raw, points=float(m.group(1)))
    return Rating("bad", raw)


# --- direction -----------------------------------------------------------------
def infer_direction(name: str, pack: RulePack) -> tuple[str, str]:
    """Direction of a bare value from the indicator name: (op, source)."""
    words = pack.data["direction"]
    for w in words["less"]:
        if w in name:
            return "<=", "name"
    for w in words["more"]:
        if w in name:
            return ">=", "name"
    return words["default"], "default"


def directions(df: pd.DataFrame, t_op: pd.Series, pack: RulePack) -> tuple[pd.Series, pd.Series]:
    """op_used and where it came from (target, hint, name, default)."""
    names = df.get("name", pd.Series("", index=df.index)).fillna("").astype(str)
    codes, uniques = pd.factorize(names)
    inferred = [infer_direction(u, pack) for u in uniques]
    inf_op = pd.Series([inferred[c][0] if c >= 0 else pack.data["direction"]["default"] for c in codes], index=df.index)
    inf_src = pd.Series([inferred[c][1] if c >= 0 else "default" for c in codes], index=df.index)
    hint = df.get("direction_hint", pd.Series("", index=df.index)).fillna("").astype(str)
    has_hint = hint.isin([">=", "<=", "=="])
    op = t_op.where(t_op.notna(), hint.where(has_hint, inf_op))
    src = pd.Series(np.where(t_op.notna(), "target", np.where(has_hint, "hint", inf_src)), index=df.index)
    return op, src


# --- unit conversion -------------------------------------------------------------
def conversion_factors(a_unit: pd.Series, a_per: pd.Series, t_unit: pd.Series, t_per: pd.Series) -> np.ndarray:
    """Factor from the actual's unit to the target's, once per distinct unit pair.

    A bare actual takes the target's unit; a value with a time basis compared with one
    without is read as per year (12 次 in the year = 1 次/月). NaN where they can't convert.
    """
    cols = [s.astype(object).where(s.notna(), None).to_numpy() for s in (a_unit, a_per, t_unit, t_per)]
    key = pd.Series(cols[0]).astype(str)
    for c in cols[1:]:
        key = key + "\x00" + pd.Series(c).astype(str)
    codes, uniques = pd.factorize(key)
    first = pd.Series(np.arange(len(codes))).groupby(codes).first().to_numpy()
    factors = np.array([_factor(*(c[i] for c in cols)) for i in first], dtype=float)
    return factors[codes] if len(codes) else np.empty(0)


def _factor(a_unit: str | None, a_per: str | None, t_unit: str | None, t_per: str | None) -> float:
    """One pair's factor with the same conventions as :func:`conversion_factors` (cached by units)."""
    au = a_unit if a_unit is not None else t_unit
    tu = t_unit if t_unit is not None else au
    if (a_per is None) != (t_per is None):
        a_per, t_per = a_per or YEAR, t_per or YEAR
    v = conversion_factor(au, a_per, tu, t_per)
    return math.nan if v is None else v


def _implausible(df: pd.DataFrame, idx: np.ndarray, value: np.ndarray, a_unit: pd.Series,
                 t_unit: pd.Series) -> dict[int, str]:
    """Actual values that cannot be true: a negative count, a share above 100 %.

    Returns {row position: reason} (``negative`` or ``impossible_percent``).
    """
    checks = vocabulary()["checks"]
    unit = a_unit.where(a_unit.notna(), t_unit).to_numpy(dtype=object)
    negative = (value < 0) & ~np.isin(unit, checks["may_be_negative"])
    over = (value > 100 + 1e-9) & (unit == "%")
    out: dict[int, str] = {int(i): "negative" for i in idx[negative]}
    if over.any():
        names = df["name"].to_numpy(dtype=object)[idx[over]] if "name" in df else np.array([], dtype=object)
        words = checks["share_words"]
        for i, name in zip(idx[over], names):
            if any(w in str(name) for w in words):
                out[int(i)] = "impossible_percent"
    return out


# --- the vectorised comparison ------------------------------------------------------
def clause_ratios(op: np.ndarray, t: np.ndarray, low: np.ndarray, high: np.ndarray, a: np.ndarray,
                  pack: RulePack) -> dict[str, np.ndarray]:
    """Share of points earned by each (target, actual) pair, with the rule applied.

    ``op`` holds ``>= > <= < == range``; ``==`` with target 0 is the zero-event rule.
    """
    op = np.asarray(op, dtype=object)
    linear = pack.switches["reverse_rule"] == "linear"
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ge = np.isin(op, [">=", ">"]) | ((op == "==") & (t > 0))
        le = np.isin(op, ["<=", "<"])
        zero = (op == "==") & ~(t > 0)
        rng = op == "range"
        met_ge = ge & (a >= t)
        met_le = le & (a <= t)
        met_zero = zero & (np.abs(a) < 1e-12)
        met_rng = rng & (a >= low) & (a <= high)
        met = met_ge | met_le | met_zero | met_rng
        r_ge = np.where(t > 0, np.clip(a / t, 0, 1), 0.0)
        r_le = np.where(t > 0, np.clip(2 - a / t, 0, 1) if linear else np.clip(np.where(a > 0, t / a, 1.0), 0, 1), 0.0)
        below = rng & (a < low)
        r_low = np.where(low > 0, np.clip(a / low, 0, 1), 0.0)
        r_high = np.where(high > 0, np.clip(2 - a / high, 0, 1) if linear else np.clip(high / a, 0, 1), 0.0)
        ratio = np.select([met, ge, le, zero, below, rng], [1.0, r_ge, r_le, 0.0, r_low, r_high], default=np.nan)
        rule = np.select(
            [met & rng, met & zero, met, ge, le & (t > 0), le, zero, below, rng],
            ["range_inside", "zero_met", "full", "ge_missed",
             "le_missed_linear" if linear else "le_missed_ratio", "le_zero_target", "zero_missed",
             "range_low", "range_high_linear" if linear else "range_high"], default="")
        factor = pack.data["over_achievement"]["factor"]
        # only a higher-is-better target can be set too low (DESIGN §1); a ceiling beaten is no flag
        over = ge & (t > 0) & (a >= factor * t * (1 - 1e-12)) if factor > 0 else np.zeros(len(op), bool)
        times = np.where(over, a / t, np.nan)
    return {"ratio": ratio, "met": met, "rule": rule, "over": over, "times": times}


# --- the scorer ------------------------------------------------------------------------
SCORE_COLUMNS = ["block", "op_used", "op_source", "status", "method", "ratio", "rule", "flag", "over_times",
                 "actual_value", "target_value", "clause_detail", "pending_reason", "reason_args"]


def _loc(row: pd.Series) -> dict[str, Any]:
    """Where to point an issue about this indicator: the actuals row when known."""
    file = row.get("actual_file") or row.get("source_file")
    r = row.get("actual_row")
    if r is None or (isinstance(r, float) and math.isnan(r)):
        r = row.get("source_row")
    try:
        r = int(r) if r is not None and not (isinstance(r, float) and math.isnan(r)) else None
    except (TypeError, ValueError):
        r = None
    no = row.get("indicator_no")
    return {"file": None if file is None or (isinstance(file, float)) else str(file), "row": r,
            "project_id": row.get("project_id"), "project": row.get("project"),
            "indicator_no": int(no) if no is not None and not pd.isna(no) else None}


def score_indicators(df: pd.DataFrame, pack: RulePack) -> tuple[pd.DataFrame, list[Issue]]:
    """Score every indicator row (weights are applied later, by :func:`apply_weights`)."""
    df = df.copy()
    for col in ("actual_text", "prior_text", "rating"):
        if col not in df:
            df[col] = ""
    n = len(df)
    issues: list[Issue] = []
    df["block"] = assign_blocks(df, pack) if n else pd.Series(dtype=object)
    tf = target_facts(df) if n else pd.DataFrame(columns=["t_kind", "t_op", "t_value", "t_unit", "t_per", "t_low",
                                                          "t_high", "t_canonical", "t_n", "t_direction"])
    unit_hint = df.get("unit_hint", pd.Series("", index=df.index)).fillna("").astype(str)
    tf["t_unit"] = tf["t_unit"].where(tf["t_unit"].notna() | (unit_hint == ""), unit_hint)
    af = actual_facts(df["actual_text"], "a")
    op_used, op_source = directions(df, tf["t_op"], pack)
    op_used = op_used.where(tf["t_kind"] != "range", "range")
    op_used = op_used.where(tf["t_kind"] != "zero", "==")
    df["op_used"] = op_used.where(tf["t_kind"].isin(NUMERIC_KINDS + ("all", "trend")), "")
    df["op_source"] = op_source.where(df["op_used"] != "", "")
    codes, uniques = pd.factorize(df["rating"].fillna("").astype(str))
    parsed = [parse_rating(u, pack) for u in uniques]
    ratings = [parsed[c] for c in codes]

    status = np.full(n, "pending", dtype=object)
    method = np.full(n, "", dtype=object)
    ratio = np.full(n, np.nan)
    rule = np.full(n, "", dtype=object)
    flag = np.full(n, "", dtype=object)
    times = np.full(n, np.nan)
    a_val = np.full(n, np.nan)
    t_val = tf["t_value"].astype(float).to_numpy()
    detail = np.full(n, "", dtype=object)
    reason = np.full(n, "", dtype=object)
    args: list[dict[str, Any]] = [{} for _ in range(n)]

    t_kind = tf["t_kind"].to_numpy()
    a_kind = af["a_kind"].to_numpy()
    a_objs = af["a_obj"].to_numpy()

    # formula components on a numeric target: compute the actual from the annual formula
    a_number = af["a_value"].astype(float).to_numpy().copy()
    a_unit = af["a_unit"].copy()
    a_per = af["a_per"].copy()
    for i in np.flatnonzero(a_kind == "components"):
        formula = str(df["annual_text"].iat[i]) if "annual_text" in df else ""
        value = evaluate_formula(formula, a_objs[i].components) if "=" in formula else None
        if value is not None and t_kind[i] in NUMERIC_KINDS:
            pct = tf["t_unit"].iat[i] == "%"
            a_number[i] = value * 100 if pct and value <= 1.5 else value
            a_unit.iat[i] = "%" if pct else None
            a_kind[i] = "number"
            args[i]["formula"] = formula
            args[i]["formula_value"] = a_number[i]
    zero_word = (t_kind == "zero") & np.isin(a_kind, ["none", "yes"])
    a_number[zero_word] = 0.0
    a_kind = np.where(zero_word, "number", a_kind)

    # 1. the hot path: one numeric target, one numeric actual
    hot = np.isin(t_kind, NUMERIC_KINDS) & (a_kind == "number")
    if hot.any():
        idx = np.flatnonzero(hot)
        f = conversion_factors(a_unit.iloc[idx], a_per.iloc[idx], tf["t_unit"].iloc[idx], tf["t_per"].iloc[idx])
        ok = ~np.isnan(f)
        conv = a_number[idx] * np.where(ok, f, 1.0)
        res = clause_ratios(df["op_used"].to_numpy()[idx], t_val[idx], tf["t_low"].astype(float).to_numpy()[idx],
                            tf["t_high"].astype(float).to_numpy()[idx], conv, pack)
        implausible = _implausible(df, idx, a_number[idx], a_unit.iloc[idx], tf["t_unit"].iloc[idx])
        for i, why in implausible.items():
            ok[np.searchsorted(idx, i)] = False
        good = idx[ok]
        a_val[idx] = conv
        ratio[good] = res["ratio"][ok]
        rule[good] = res["rule"][ok]
        times[good] = res["times"][ok]
        flag[good] = np.where(res["over"][ok], "over_achieved", "")
        status[good] = "scored"
        method[good] = "auto"
        bad = idx[~ok]
        status[bad] = "not_evaluable"
        reason[bad] = "unit"
        for i in bad:
            reason[i] = implausible.get(i, "unit")
            args[i].update(actual_unit=a_unit.iat[i] or "", target_unit=tf["t_unit"].iat[i] or "")

    # 2. everything else, row by row over parsed values
    for i in np.flatnonzero(~hot):
        _score_other(i, df, tf, a_kind[i], a_objs[i], a_number, ratings[i], pack,
                     status, method, ratio, rule, flag, times, a_val, detail, reason, args)

    # a reviewer's rating on an auto-scored indicator is not used; say so
    for i in np.flatnonzero((method == "auto")):
        if ratings[i].kind in ("tier", "points", "bad"):
            args[i]["rating_ignored"] = ratings[i].raw

    df["status"], df["method"], df["ratio"], df["rule"] = status, method, ratio, rule
    df["flag"], df["over_times"], df["actual_value"], df["target_value"] = flag, times, a_val, t_val
    df["clause_detail"], df["pending_reason"], df["reason_args"] = detail, reason, args
    df["t_kind"], df["t_canonical"], df["t_unit"] = tf["t_kind"].to_numpy(), tf["t_canonical"].to_numpy(), tf["t_unit"].to_numpy()
    df["t_low"], df["t_high"], df["t_direction"] = tf["t_low"].to_numpy(), tf["t_high"].to_numpy(), tf["t_direction"].to_numpy()
    df["t_per"], df["t_n"] = tf["t_per"].to_numpy(), tf["t_n"].to_numpy()
    # an 'all' target whose clauses all state their direction needs no inference note
    explicit = df["target"].map(lambda t: isinstance(t, Target) and t.kind == "all" and all(c.op or c.kind != "compare" for c in t.clauses))
    df.loc[explicit.astype(bool), "op_source"] = "target"
    df["rating_points"] = [r.points for r in ratings]
    issues.extend(_score_issues(df))
    return df, issues


def _score_other(i: int, df: pd.DataFrame, tf: pd.DataFrame, a_kind: str, a_obj: ActualValue,
                 a_number: np.ndarray, rating: Rating, pack: RulePack, status, method, ratio, rule, flag,
                 times, a_val, detail, reason, args) -> None:
    """Score one indicator that is not a plain number-against-number comparison."""
    kind = tf["t_kind"].iat[i]
    if rating.kind == "na":
        status[i], rule[i] = "excluded", "na_" + pack.switches["not_applicable"]
        return
    if kind == "all" and a_kind == "clauses":
        _score_all(i, df, tf, a_obj, pack, status, method, ratio, rule, flag, times, detail, reason, args)
        return
    if kind == "trend" and a_kind == "number":
        _score_trend(i, df, tf, a_obj, pack, status, method, ratio, rule, a_val, reason, args)
        return
    if kind == "trend" and a_kind in ("trend", "yes") and rating.kind not in ("tier", "points"):
        # the unit states the result in words (实际: 逐步提高 / 已达成): taken as stated, and said so
        want = tf["t_direction"].iat[i] or "up"
        same = a_kind == "yes" or a_obj.direction == want
        status[i], method[i] = "scored", "auto"
        args[i].update(direction=want, stated=a_obj.raw)
        if same:
            ratio[i], rule[i] = 1.0, "trend_stated"
        else:
            t = pack.tier(pack.data["trend"]["wrong_tier"])
            ratio[i], rule[i] = t.default, "trend_stated_wrong"
            args[i]["tier"] = t.name
        return
    if kind == "done" and a_kind == "partial" and rating.kind == "none":
        # 基本完成 / 部分完成 on a deliverable: the pack's tier for that word (else its middle tier)
        rating = parse_rating(a_obj.raw, pack)
        if rating.kind != "tier":
            tier = pack.tiers[len(pack.tiers) // 2]
            rating = Rating("tier", a_obj.raw, tier.name, tier.default, tier.low, tier.high)
    if kind == "done" and a_kind in ("yes", "no", "none") and not (a_kind != "yes" and rating.kind in ("tier", "points")):
        expect_no = tf["t_canonical"].iat[i] in ("否", "无", "没有")
        met = (a_kind == "yes") != expect_no
        status[i], method[i] = "scored", "auto"
        ratio[i] = 1.0 if met else pack.switches["done_no_ratio"]
        rule[i] = "done_yes" if met else "done_no"
        return
    if rating.kind in ("tier", "points"):
        status[i], method[i] = "scored", "review"
        if rating.kind == "tier":
            ratio[i], rule[i] = rating.ratio, "review_tier"
            args[i].update(rating=rating.raw, tier=rating.tier, low=rating.low, high=rating.high)
        else:
            rule[i] = "review_points"
            args[i].update(rating=rating.raw)
        return
    if rating.kind == "bad":
        status[i], reason[i] = "not_evaluable", "rating"
        args[i]["rating"] = rating.raw
        return
    # no usable rating: say what is missing
    if a_kind == "unreadable":
        status[i], reason[i] = "not_evaluable", "unreadable"
    elif kind in NUMERIC_KINDS + ("all",) and a_kind in ("clauses", "number"):
        status[i], reason[i] = "not_evaluable", "clauses"
    elif kind == "empty":
        status[i], reason[i] = "not_evaluable", "empty"
    elif kind in NUMERIC_KINDS + ("all",):
        status[i], reason[i] = "pending", "actual"
    elif kind == "trend":
        status[i], reason[i] = "pending", ("prior" if a_kind == "number" else "actual")
    elif kind == "done":
        status[i], reason[i] = "pending", "done"
    elif kind == "formula":
        status[i], reason[i] = "pending", "formula"
    else:
        status[i], reason[i] = "pending", ("rating_with_actual" if a_kind != "empty" else "rating")


def _score_all(i, df, tf, a_obj: ActualValue, pack, status, method, ratio, rule, flag, times, detail, reason, args):
    target: Target = df["target"].iat[i]
    clauses = [c for c in target.clauses]
    if len(clauses) != len(a_obj.clauses) or not all(c.kind in NUMERIC_KINDS for c in clauses):
        status[i], reason[i] = "not_evaluable", "clauses"
        return
    k = len(clauses)
    row_op = df["op_used"].iat[i] if df["op_used"].iat[i] not in ("", "range") else ">="
    ops = np.array(["range" if c.kind == "range" else ("==" if c.kind == "zero" else (c.op or row_op)) for c in clauses], object)
    tv = np.array([0.0 if c.kind == "zero" else (c.value if c.value is not None else np.nan) for c in clauses], float)
    lo = np.array([c.low if c.low is not None else np.nan for c in clauses], float)
    hi = np.array([c.high if c.high is not None else np.nan for c in clauses], float)
    f = np.array([_factor(u, p, c.unit, c.per) for (_, u, p), c in zip(a_obj.clauses, clauses)], float)
    if np.isnan(f).any():
        j = int(np.flatnonzero(np.isnan(f))[0])
        status[i], reason[i] = "not_evaluable", "unit"
        args[i].update(actual_unit=a_obj.clauses[j][1] or "", target_unit=clauses[j].unit or "")
        return
    a = np.array([v for v, _, _ in a_obj.clauses]) * f
    res = clause_ratios(ops, tv, lo, hi, a, pack)
    how = pack.switches["multi_clause"]
    r = float(res["ratio"].mean() if how == "mean" else res["ratio"].min())
    status[i], method[i], ratio[i], rule[i] = "scored", "auto", r, "all"
    if res["over"].any():
        j = int(np.flatnonzero(res["over"])[0])
        flag[i] = "over_achieved"
        times[i] = res["times"][j]
    args[i]["clauses"] = [(clauses[j].canonical or "", a_obj.clauses[j], float(res["ratio"][j])) for j in range(k)]
    args[i]["how"] = how


def _score_trend(i, df, tf, a_obj: ActualValue, pack, status, method, ratio, rule, a_val, reason, args):
    prior = parse_actual(str(df["prior_text"].iat[i]) if pd.notna(df["prior_text"].iat[i]) else "")
    if prior.kind == "empty":
        status[i], reason[i] = "pending", "prior"
        return
    f = conversion_factor(prior.unit or a_obj.unit, prior.per, a_obj.unit or prior.unit, a_obj.per) if prior.kind == "number" else None
    if f is None:
        status[i], reason[i] = "not_evaluable", "prior"
        args[i]["prior"] = prior.raw
        return
    p, a = prior.value * f, a_obj.value
    a_val[i] = a
    direction = tf["t_direction"].iat[i] or "up"
    trend = pack.data["trend"]
    status[i], method[i] = "scored", "auto"
    args[i].update(prior=prior.raw, direction=direction)
    if direction == "stable":
        tol = trend["stable_tolerance"]
        good_up = df["op_used"].iat[i] != "<="
        change = (a - p) / abs(p) if p else (0.0 if a == p else math.inf)
        ok = abs(change) <= tol or (change > 0 if good_up else change < 0)
        args[i]["change"] = change
        if ok:
            ratio[i], rule[i] = 1.0, "trend_stable_met"
        else:
            t = pack.tier(trend["wrong_tier"])
            ratio[i], rule[i] = t.default, "trend_wrong"
            args[i]["tier"] = t.name
        return
    sign = 1 if direction == "up" else -1
    if (a - p) * sign > 1e-12:
        ratio[i], rule[i] = 1.0, "trend_met"
    else:
        t = pack.tier(trend["flat_tier"] if abs(a - p) <= 1e-12 else trend["wrong_tier"])
        ratio[i], rule[i] = t.default, ("trend_flat" if abs(a - p) <= 1e-12 else "trend_wrong")
        args[i]["tier"] = t.name


def _score_issues(df: pd.DataFrame) -> list[Issue]:
    """Issues for indicators that could not be scored for a data reason."""
    out: list[Issue] = []
    codes = {"unit": ("unit_mismatch", "error"), "unreadable": ("unreadable_actual", "error"),
             "negative": ("negative_actual", "error"), "impossible_percent": ("impossible_percent", "error"),
             "clauses": ("clause_mismatch", "error"), "rating": ("bad_rating", "error"),
             "prior": ("bad_prior", "error")}
    from .explain import message  # local import: explain depends on scoring columns only
    mask = df["pending_reason"].isin(list(codes)) & (df["status"] == "not_evaluable")
    for _, row in df[mask].iterrows():
        code, sev = codes[row["pending_reason"]]
        a = row["reason_args"]
        text = message("issues", code, actual_unit=a.get("actual_unit", ""), target_unit=a.get("target_unit", ""),
                       actual=row["actual_text"], n=row.get("t_n") or "", rating=a.get("rating", ""),
                       prior=a.get("prior", row.get("prior_text", "")))
        column = {"rating": "评定", "prior": "上年实际值"}.get(row["pending_reason"], "实际完成值")
        cell = {"rating": a.get("rating", ""), "prior": row.get("prior_text", "")}.get(row["pending_reason"], row["actual_text"])
        out.append(Issue(code=code, severity=sev, message=text, column=column, cell=str(cell), **_loc(row)))
    for _, row in df[df["reason_args"].map(lambda a: "rating_ignored" in a)].iterrows():
        out.append(Issue(code="rating_ignored", severity="info", column="评定",
                         message=message("issues", "rating_ignored", rating=row["reason_args"]["rating_ignored"]),
                         cell=str(row["reason_args"]["rating_ignored"]), **_loc(row)))
    return out
