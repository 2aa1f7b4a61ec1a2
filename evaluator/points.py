"""Weights, points and the project totals (with the interval a pending total can reach).

Weights: a project's 100 points are the pack's execution weight plus its block weights.
Inside a block the table's 分值 is used where given and the rest of the block is split
equally; a project whose indicators all carry 分值 keeps the table's weights as they are.
A block with no indicators is re-spread over the present blocks in proportion to their
weights (or given in full / dropped, per the pack's ``blocks.absent_block``).
"""
from __future__ import annotations


import numpy as np
import pandas as pd

from .frames import full_object
from .enums import Method, ProjectStatus, Reason, Severity, Status
from .issues import Issue, issue_message
from .rules import BLOCKS, RulePack
from .scoring import records_at, round_points, with_columns
from .wording import fixed, message

UNSETTLED = (Status.PENDING, Status.NOT_EVALUABLE)

#: project statuses, by number (see project_scores)
_PROJECT_STATUS = np.array([s.value for s in (ProjectStatus.CLASSIFIED, ProjectStatus.NO_INDICATORS, ProjectStatus.SCORED,
                                              ProjectStatus.PARTIAL, ProjectStatus.PENDING)], dtype=object)
#: execution statuses: not scored / scored
_EXECUTION_STATUS = np.array([Status.PENDING.value, Status.SCORED.value], dtype=object)


def _pb_sum(k: np.ndarray, values: np.ndarray, n_projects: int) -> np.ndarray:
    """Sum ``values`` per (project, block): a (projects × blocks) array."""
    return np.bincount(k, weights=values, minlength=n_projects * len(BLOCKS)).reshape(n_projects, len(BLOCKS))


def indicator_weights(ind: pd.DataFrame, pack: RulePack) -> tuple[np.ndarray, pd.Series]:
    """Points each indicator is worth, and points given per project for absent blocks.

    Computed for all projects at once (no per-project Python): per (project, block)
    sums via ``np.bincount``.
    """
    n = len(ind)
    codes, uniques = pd.factorize(ind["project_id"], sort=False)
    n_p = len(uniques)
    block = pd.Categorical(ind["block"], categories=BLOCKS).codes.astype(np.int64)
    valid = block >= 0
    k = codes.astype(np.int64) * len(BLOCKS) + np.where(valid, block, 0)
    given = ind["weight"].astype(float).to_numpy() if "weight" in ind else np.full(n, np.nan)
    g0 = np.nan_to_num(given)
    missing = np.isnan(given)
    respread_na = pack.switches["not_applicable"] == "respread"
    active = ~((ind["status"].to_numpy() == Status.EXCLUDED) & respread_na) & valid

    # a project whose active indicators all carry 分值 keeps the table's weights;
    # not-applicable ones hand their points to the rest of their block
    has_active = np.bincount(codes, weights=active, minlength=n_p) > 0
    n_missing = np.bincount(codes, weights=active & missing, minlength=n_p)
    table_given = has_active & (n_missing == 0)
    total_b, remaining_b = _pb_sum(k, g0, n_p), _pb_sum(k, g0 * active, n_p)
    total_b, remaining_b = total_b.astype(float), remaining_b.astype(float)  # (no indicators: bincount gives ints)
    scale = np.divide(total_b, remaining_b, out=np.zeros_like(total_b), where=remaining_b > 0).ravel()
    w_table = np.where(active, g0 * scale[k], 0.0)

    # otherwise: block weights from the pack, absent blocks re-spread (or given / dropped)
    base = np.array([pack.weights[b] if pack.weights[b] > 0 else 0.0 for b in BLOCKS])
    present = (_pb_sum(k, active.astype(float), n_p) > 0) & (base > 0)
    absent = ((~present) * base).sum(axis=1)
    have = (present * base).sum(axis=1)
    mode = pack.data["blocks"]["absent_block"]
    bw = present * base
    absent_pts = np.zeros(n_p)
    if mode == "respread":
        spread = np.divide(absent, have, out=np.zeros_like(have), where=have > 0)
        bw = bw * (1.0 + spread[:, None])
    elif mode == "full":
        absent_pts = absent
    # inside a block: 分值 where given, the rest of the block split equally
    given_b = _pb_sum(k, np.where(active, g0, 0.0), n_p)
    missing_b = _pb_sum(k, (active & missing).astype(float), n_p)
    share = np.divide(np.maximum(bw - given_b, 0.0), missing_b, out=np.zeros_like(bw), where=missing_b > 0).ravel()
    in_block = active & present.ravel()[k]
    w_split = np.where(in_block, np.where(missing, share[k], given), 0.0)

    w = np.where(table_given[codes], w_table, w_split)
    absent_pts = np.where(table_given, 0.0, absent_pts)
    return w, pd.Series(absent_pts, index=uniques, dtype=float)


def over_achieved(flag: pd.Series) -> np.ndarray:
    """Rows whose flag starts with ``over_achieved`` (``flag.astype(str).str.startswith``), each
    distinct flag checked once: nearly every row has the empty flag."""
    values = flag.to_numpy(dtype=object)
    out = np.zeros(len(values), dtype=bool)
    rows = np.flatnonzero(values != "")
    if len(rows):
        codes, distinct = pd.factorize(values[rows], use_na_sentinel=False)
        out[rows] = np.array([str(u).startswith("over_achieved") for u in distinct], dtype=bool)[codes]
    return out


def apply_weights(ind: pd.DataFrame, pack: RulePack) -> tuple[pd.DataFrame, pd.Series, list[Issue]]:
    """Add ``weight_points`` and ``points``; also returns points given for absent blocks per project."""
    w, absent = indicator_weights(ind, pack)
    digits, mode = pack.digits, pack.data["rounding"]["mode"]
    wp = np.asarray(w, dtype=float)
    ratio = ind["ratio"].to_numpy(dtype=float)
    rp = ind["rating_points"].to_numpy(dtype=float) if "rating_points" in ind else np.full(len(ind), np.nan)
    review_pts = (ind["rule"].to_numpy() == "review_points")
    over_weight = review_pts & (rp > wp + 1e-9)
    ratio = np.where(review_pts & ~over_weight, np.divide(rp, wp, out=np.zeros_like(wp), where=wp > 0), ratio)
    deduct = pack.data["over_achievement"]["deduct"]
    flagged = over_achieved(ind["flag"])
    raw = ratio * wp - np.where(flagged & (deduct > 0), deduct * wp, 0.0)
    status = ind["status"].to_numpy()
    raw = np.where(status == Status.SCORED, np.maximum(np.nan_to_num(raw), 0.0), np.nan)
    na_full = (status == Status.EXCLUDED) & (pack.switches["not_applicable"] == "full")
    # each indicator's points rounded half-up as shown; project_scores adds these shown figures
    raw = np.where(na_full, wp, raw)
    points = round_points(raw, digits, mode)
    ratio = np.where(status == Status.SCORED, ratio, np.nan)
    new: dict[str, object] = {"weight_points": round_points(wp, max(digits, 4), mode), "points_exact": raw,
                              "ratio": ratio, "points": points}
    issues: list[Issue] = []
    if over_weight.any():
        rows = np.flatnonzero(over_weight)
        new["status"] = np.where(over_weight, Status.NOT_EVALUABLE.value, status).astype(object)
        for c in ("points", "points_exact", "ratio"):
            new[c] = np.where(over_weight, np.nan, new[c])
        new["pending_reason"] = np.where(over_weight, Reason.RATING_OVER.value, ind["pending_reason"].to_numpy(dtype=object)).astype(object)
        args = list(ind["reason_args"])
        sub = records_at(ind, rows, ("rating", "project_id", "project", "indicator_no"))
        for i, row in zip(rows, sub):
            args[i] = {**args[i], "rating": row["rating"]}
            issues.append(Issue(code="rating_over_weight", severity=Severity.ERROR, column=message("scoring_columns", "rating"), cell=str(row["rating"]),
                                message=issue_message("rating_over_weight", rating=row["rating"], weight=fixed(wp[i])),
                                project_id=row["project_id"], project=row.get("project"),
                                indicator_no=int(row["indicator_no"]) if pd.notna(row.get("indicator_no")) else None))
        new["reason_args"] = args
    return with_columns(ind, new), absent, issues


def _grades(totals: np.ndarray, pack: RulePack) -> np.ndarray:
    """pack.grade over a column (lower bounds included), "" for NaN."""
    tiers = sorted(pack.data["grades"]["tiers"], key=lambda g: -g["min"])
    out = full_object(len(totals), tiers[-1]["name"])
    assigned = np.zeros(len(totals), bool)
    for g in tiers:
        hit = ~assigned & (totals >= g["min"] - 1e-9)
        out[hit] = g["name"]
        assigned |= hit
    out[np.isnan(totals)] = ""
    return out


def _executions(projects: pd.DataFrame, pack: RulePack) -> dict[str, np.ndarray]:
    """预算执行率 = 全年执行数 / 全年预算数 and its points, for every project at once."""
    def col(name: str) -> np.ndarray:
        return pd.to_numeric(projects[name], errors="coerce").to_numpy(dtype=float) if name in projects \
            else np.full(len(projects), np.nan)

    budget, spent, total = col("budget_annual"), col("spent_annual"), col("budget_total")
    fallback = np.isnan(budget) & ~np.isnan(spent)
    budget = np.where(fallback, total, budget)
    ok = ~np.isnan(budget) & ~np.isnan(spent) & (np.nan_to_num(budget) > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(ok, spent / budget, np.nan)
    pts = round_points(pack.weights["execution"] * np.minimum(rate, 1.0), pack.digits, pack.data["rounding"]["mode"])
    return {"execution_rate": rate, "execution_points": np.where(ok, pts, np.nan),
            "execution_status": _EXECUTION_STATUS[ok.astype(np.intp)],
            "budget_used": budget, "budget_fallback": fallback}


def _execution_caps(rate: np.ndarray, pack: RulePack) -> np.ndarray:
    cap = np.full(len(rate), 100.0)
    for c in pack.data["execution"]["cap"]:
        cap = np.where(~np.isnan(rate) & (rate < c["below"] - 1e-12), np.minimum(cap, c["max_total"]), cap)
    return cap


def project_scores(projects: pd.DataFrame, ind: pd.DataFrame, absent: pd.Series, pack: RulePack) -> pd.DataFrame:
    """Project totals, block points, the interval still reachable, grade and shares.

    All projects at once: per (project, block) sums with ``np.bincount``.
    """
    digits, mode = pack.digits, pack.data["rounding"]["mode"]
    ex = _executions(projects, pack)
    n_p = len(projects)
    pos_all = pd.Index(projects["project_id"]).get_indexer(ind["project_id"])
    on = pos_all >= 0
    pos = pos_all[on]
    block = pd.Categorical(ind["block"], categories=BLOCKS).codes.astype(np.int64)[on]
    k = pos.astype(np.int64) * len(BLOCKS) + np.maximum(block, 0)
    # the points as shown (each rounded half-up): block points and totals are their sums, so the
    # 得分 cells of a project add up to its 总分 (docs/scoring.md)
    shown = ind["points"].to_numpy(dtype=float)[on]
    wp = ind["weight_points"].to_numpy(dtype=float)[on]
    status = ind["status"].to_numpy()[on]
    method = ind["method"].to_numpy()[on]

    def per_project(values: np.ndarray) -> np.ndarray:
        return np.bincount(pos, weights=values, minlength=n_p)

    r: dict[str, np.ndarray] = dict(ex)
    count_b = _pb_sum(k, np.ones(len(k)), n_p)
    weight_b = _pb_sum(k, wp, n_p)
    # a block never above its weight (three thirds of 50 shown as 16.67 would make 50.01)
    points_b = np.minimum(round_points(_pb_sum(k, np.nan_to_num(shown), n_p), digits, mode),
                          round_points(weight_b, digits, mode))
    for j, b in enumerate(BLOCKS):
        r[f"points_{b}"] = np.where(count_b[:, j] > 0, points_b[:, j], np.nan)
        r[f"weight_{b}"] = np.where(count_b[:, j] > 0, round_points(weight_b[:, j], max(digits, 4), mode), 0.0)
    n_ind = per_project(np.ones(len(pos)))
    ew = pack.weights["execution"]
    exec_pending = ex["execution_status"] == Status.PENDING
    absent_pts = projects["project_id"].map(absent).fillna(0.0).to_numpy(dtype=float)
    earned = points_b.sum(axis=1) + round_points(absent_pts, digits, mode) \
        + np.where(exec_pending, 0.0, ex["execution_points"])
    open_w = per_project(np.where(np.isin(status, UNSETTLED), wp, 0.0)) + np.where(exec_pending, ew, 0.0)
    cap = _execution_caps(ex["execution_rate"], pack)
    total = round_points(np.minimum(earned, cap), digits, mode)
    tmax = round_points(np.minimum(earned + open_w, cap), digits, mode)
    lo, hi = _grades(total, pack), _grades(tmax, pack)
    any_scored = per_project((status == Status.SCORED).astype(float)) > 0

    def share(mask: np.ndarray) -> np.ndarray:
        return np.round(per_project(np.where(mask, wp, 0.0)) / 100.0, 4)

    has = n_ind > 0
    classified = projects["classified"].fillna(False).astype(bool).to_numpy() if "classified" in projects \
        else np.zeros(n_p, bool)
    r["total"] = np.where(has, total, np.nan)
    r["total_min"] = r["total"].copy()
    r["total_max"] = np.where(has, tmax, np.nan)
    r["execution_cap"] = np.where(has, cap, 100.0)
    r["grade"] = np.where(has & (lo == hi), lo, "").astype(object)
    # chosen by number from one object per status (not a new string per project)
    r["status"] = _PROJECT_STATUS[np.where(~has, np.where(classified, 0, 1),
                                           np.where(open_w == 0, 2, np.where(any_scored | ~exec_pending, 3, 4)))]
    scored = status == Status.SCORED
    r["share_auto"] = np.where(has, np.round(share(scored & (method == Method.AUTO)) + np.where(exec_pending, 0, ew / 100.0), 4), np.nan)
    r["share_review"] = np.where(has, share(scored & (method == Method.REVIEW)), np.nan)
    r["share_pending"] = np.where(has, np.round(share(status == Status.PENDING) + np.where(exec_pending, ew / 100.0, 0.0), 4), np.nan)
    r["share_not_evaluable"] = np.where(has, share(status == Status.NOT_EVALUABLE), np.nan)
    r["absent_points"] = np.where(has, absent_pts, 0.0)
    self_total = self_totals(projects, ind, pos_all)
    r["self_total"] = self_total
    r["self_diff"] = round_points(self_total - r["total"], digits, mode)
    # a ratio of two amounts: float noise off (19.6/20 is 0.98, not 0.9800000000000001)
    r["execution_rate"] = np.round(ex["execution_rate"], 10)
    if len(projects):
        return with_columns(projects, r)
    return pd.concat([projects, pd.DataFrame(r, index=projects.index)], axis=1)


def self_totals(projects: pd.DataFrame, ind: pd.DataFrame, pos: np.ndarray | None = None) -> np.ndarray:
    """The unit's own total: 自评总分 when given, else its indicator self-scores plus execution self-score.
    ``pos``: the row in ``projects`` of each indicator's project (-1: none), when known."""
    given = projects["self_total_given"].to_numpy(dtype=float) if "self_total_given" in projects \
        else np.full(len(projects), np.nan)
    score = ind["self_score"].to_numpy(dtype=float) if "self_score" in ind else None
    if score is not None and not np.isnan(score).all():
        if pos is None:
            pos = pd.Index(projects["project_id"]).get_indexer(ind["project_id"])
        on = pos >= 0
        # only a complete set of indicator self-scores adds up to a self-evaluated total
        g = pd.Series(score[on]).groupby(pos[on])
        sums = g.sum(min_count=1).where(g.count() == g.size())
        summed = np.full(len(projects), np.nan)
        summed[sums.index.to_numpy()] = sums.to_numpy()
        exe = projects["self_execution"].to_numpy(dtype=float) if "self_execution" in projects else np.zeros(len(projects))
        summed = summed + np.where(np.isnan(exe), 0.0, exe)
        return np.where(np.isnan(given), summed, given)
    return given
