"""Weights, points and the project totals (with the interval a pending total can reach).

Weights: a project's 100 points are the pack's execution weight plus its block weights.
Inside a block the table's 分值 is used where given and the rest of the block is split
equally; a project whose indicators all carry 分值 keeps the table's weights as they are.
A block with no indicators is re-spread over the present blocks in proportion to their
weights (or given in full / dropped, per the pack's ``blocks.absent_block``).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from .issues import Issue
from .rules import BLOCKS, RulePack
from .scoring import round_points

UNSETTLED = ("pending", "not_evaluable")


def block_weights(present: set[str], pack: RulePack) -> tuple[dict[str, float], float]:
    """Block weights for a project given the blocks it has, and points given for absent blocks."""
    base = {b: pack.weights[b] for b in BLOCKS if pack.weights[b] > 0}
    absent = sum(w for b, w in base.items() if b not in present)
    have = {b: w for b, w in base.items() if b in present}
    mode = pack.data["blocks"]["absent_block"]
    if mode == "respread" and have and absent > 0:
        total = sum(have.values())
        return {b: w + absent * w / total for b, w in have.items()}, 0.0
    return have, (absent if mode == "full" else 0.0)


def project_weights(g: pd.DataFrame, pack: RulePack) -> tuple[np.ndarray, float]:
    """Points each indicator of one project is worth, and points given for absent blocks."""
    respread_na = pack.switches["not_applicable"] == "respread"
    active = (~((g["status"] == "excluded") & respread_na)).to_numpy()
    given = g["weight"].astype(float).to_numpy()
    block = g["block"].to_numpy()
    w = np.zeros(len(g))
    if active.any() and not np.isnan(given[active]).any():
        # the table gives 分值 for every indicator: keep them; re-spread n/a inside the block
        w = np.nan_to_num(given).copy()
        for b in set(block[active]):
            in_b = block == b
            total, remaining = w[in_b].sum(), w[in_b & active].sum()
            scale = total / remaining if remaining > 0 else 0.0
            w[in_b] = np.where(active[in_b], w[in_b] * scale, 0.0)
        return w, 0.0
    blocks, absent_pts = block_weights(set(block[active]), pack)
    for b, bw in blocks.items():
        in_b = (block == b) & active
        gv = given[in_b]
        missing = np.isnan(gv)
        share = max(bw - np.nansum(gv), 0.0) / missing.sum() if missing.any() else 0.0
        w[in_b] = np.where(missing, share, gv)
    if not respread_na:
        # not-applicable indicators keep an equal share of their block (given in full later)
        for b, bw in blocks.items():
            in_b = block == b
            if (~active & in_b).any():
                gv = given[in_b]
                share = max(bw - np.nansum(gv), 0.0) / max(np.isnan(gv).sum(), 1)
                w[in_b] = np.where(np.isnan(gv), share, gv)
    return w, absent_pts


def apply_weights(ind: pd.DataFrame, pack: RulePack) -> tuple[pd.DataFrame, pd.Series, list[Issue]]:
    """Add ``weight_points`` and ``points``; also returns points given for absent blocks per project."""
    from .explain import message

    ind = ind.copy()
    ind["weight_points"] = 0.0
    absent: dict[str, float] = {}
    issues: list[Issue] = []
    for pid, g in ind.groupby("project_id", sort=False):
        w, pts = project_weights(g, pack)
        ind.loc[g.index, "weight_points"] = w
        absent[pid] = pts
    digits, mode = pack.digits, pack.data["rounding"]["mode"]
    wp = ind["weight_points"].to_numpy(dtype=float)
    ratio = ind["ratio"].to_numpy(dtype=float)
    rp = ind["rating_points"].to_numpy(dtype=float) if "rating_points" in ind else np.full(len(ind), np.nan)
    review_pts = (ind["rule"].to_numpy() == "review_points")
    over_weight = review_pts & (rp > wp + 1e-9)
    ratio = np.where(review_pts & ~over_weight, np.divide(rp, wp, out=np.zeros_like(wp), where=wp > 0), ratio)
    deduct = pack.data["over_achievement"]["deduct"]
    flagged = ind["flag"].astype(str).str.startswith("over_achieved").to_numpy()
    raw = ratio * wp - np.where(flagged & (deduct > 0), deduct * wp, 0.0)
    status = ind["status"].to_numpy()
    raw = np.where(status == "scored", np.maximum(np.nan_to_num(raw), 0.0), np.nan)
    na_full = (status == "excluded") & (pack.switches["not_applicable"] == "full")
    raw = np.where(na_full, wp, raw)
    # totals add the unrounded points and round once, so rounding never lifts a block above its weight
    ind["points_exact"] = raw
    points = round_points(raw, digits, mode)
    ind["ratio"] = np.where(status == "scored", ratio, np.nan)
    ind["points"] = points
    if over_weight.any():
        ind.loc[over_weight, "status"] = "not_evaluable"
        ind.loc[over_weight, ["points", "points_exact"]] = np.nan
        ind.loc[over_weight, "ratio"] = np.nan
        ind.loc[over_weight, "pending_reason"] = "rating_over"
        for i in np.flatnonzero(over_weight):
            row = ind.iloc[i]
            ind.at[ind.index[i], "reason_args"] = {**row["reason_args"], "rating": row["rating"]}
            issues.append(Issue(code="rating_over_weight", severity="error", column="评定", cell=str(row["rating"]),
                                message=message("issues", "rating_over_weight", rating=row["rating"],
                                                weight=f"{row['weight_points']:.2f}"),
                                project_id=row["project_id"], project=row.get("project"),
                                indicator_no=int(row["indicator_no"]) if pd.notna(row.get("indicator_no")) else None))
    ind["weight_points"] = round_points(wp, max(digits, 4), mode)
    return ind, pd.Series(absent, dtype=float), issues


def _num(x: Any) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        return math.nan


def execution(row: pd.Series, pack: RulePack) -> dict[str, Any]:
    """预算执行率 = 全年执行数 / 全年预算数, and its points, for one project."""
    weight = pack.weights["execution"]
    budget, spent = _num(row.get("budget_annual")), _num(row.get("spent_annual"))
    fallback = False
    if math.isnan(budget) and not math.isnan(spent):
        budget, fallback = _num(row.get("budget_total")), True
    if math.isnan(budget) or math.isnan(spent) or budget <= 0:
        return {"execution_rate": math.nan, "execution_points": math.nan, "execution_status": "pending",
                "budget_used": budget, "budget_fallback": fallback}
    rate = spent / budget
    pts = float(round_points(weight * min(rate, 1.0), pack.digits, pack.data["rounding"]["mode"]))
    return {"execution_rate": rate, "execution_points": pts, "execution_status": "scored",
            "budget_used": budget, "budget_fallback": fallback}


def execution_cap(rate: float, pack: RulePack) -> float:
    """The highest total allowed at this execution rate (100 when no cap applies)."""
    cap = 100.0
    if math.isnan(rate):
        return cap
    for c in pack.data["execution"]["cap"]:
        if rate < c["below"] - 1e-12:
            cap = min(cap, c["max_total"])
    return cap


def _project_row(p: pd.Series, g: pd.DataFrame, absent: float, pack: RulePack) -> dict[str, Any]:
    digits, mode = pack.digits, pack.data["rounding"]["mode"]
    r: dict[str, Any] = execution(p, pack)
    for b in BLOCKS:
        sel = g[g["block"] == b]
        r[f"points_{b}"] = float(round_points(sel["points_exact"].sum(), pack.digits, pack.data["rounding"]["mode"])) if len(sel) else math.nan
        r[f"weight_{b}"] = float(sel["weight_points"].sum()) if len(sel) else 0.0
    if len(g) == 0:
        r.update(total=math.nan, total_min=math.nan, total_max=math.nan, grade="", execution_cap=100.0,
                 status="classified" if bool(p.get("classified", False)) else "no_indicators",
                 share_auto=math.nan, share_review=math.nan, share_pending=math.nan,
                 share_not_evaluable=math.nan, absent_points=0.0)
        return r
    ew = pack.weights["execution"]
    exec_pending = r["execution_status"] == "pending"
    earned = float(np.nansum(g["points_exact"].to_numpy(dtype=float))) + absent
    earned += 0.0 if exec_pending else r["execution_points"]
    open_w = float(g.loc[g["status"].isin(UNSETTLED), "weight_points"].sum()) + (ew if exec_pending else 0.0)
    cap = execution_cap(r["execution_rate"], pack)
    total = float(round_points(min(earned, cap), digits, mode))
    tmax = float(round_points(min(earned + open_w, cap), digits, mode))
    scored = g["status"] == "scored"
    share = lambda mask: round(float(g.loc[mask, "weight_points"].sum()) / 100.0, 4)  # noqa: E731
    lo, hi = pack.grade(total), pack.grade(tmax)
    r.update(total=total, total_min=total, total_max=tmax, execution_cap=cap, grade=lo if lo == hi else "",
             status="scored" if open_w == 0 else ("partial" if scored.any() or not exec_pending else "pending"),
             share_auto=round(share(scored & (g["method"] == "auto")) + (0 if exec_pending else ew / 100.0), 4),
             share_review=share(scored & (g["method"] == "review")),
             share_pending=round(share(g["status"] == "pending") + (ew / 100.0 if exec_pending else 0.0), 4),
             share_not_evaluable=share(g["status"] == "not_evaluable"), absent_points=absent)
    return r


def project_scores(projects: pd.DataFrame, ind: pd.DataFrame, absent: pd.Series, pack: RulePack) -> pd.DataFrame:
    """Project totals, block points, the interval still reachable, grade and shares."""
    groups = dict(tuple(ind.groupby("project_id", sort=False)))
    empty = ind.iloc[0:0]
    rows = [_project_row(p, groups.get(p["project_id"], empty), float(absent.get(p["project_id"], 0.0)), pack)
            for _, p in projects.iterrows()]
    out = pd.concat([projects, pd.DataFrame(rows, index=projects.index)], axis=1)
    out["self_total"] = self_totals(out, ind)
    out["self_diff"] = round_points(out["self_total"] - out["total"], pack.digits, pack.data["rounding"]["mode"])
    return out


def self_totals(projects: pd.DataFrame, ind: pd.DataFrame) -> pd.Series:
    """The unit's own total: 自评总分 when given, else its indicator self-scores plus execution self-score."""
    given = projects["self_total_given"].astype(float) if "self_total_given" in projects else pd.Series(np.nan, index=projects.index)
    if "self_score" in ind and ind["self_score"].notna().any():
        # only a complete set of indicator self-scores adds up to a self-evaluated total
        complete = ind.groupby("project_id")["self_score"].apply(lambda s: s.notna().all())
        sums = ind.groupby("project_id")["self_score"].sum(min_count=1).where(complete)
        exe = projects["self_execution"].astype(float) if "self_execution" in projects else pd.Series(0.0, index=projects.index)
        summed = projects["project_id"].map(sums).astype(float) + exe.fillna(0.0)
        return given.fillna(summed)
    return given
