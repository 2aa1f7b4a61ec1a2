"""Roll-up beyond the project table: grade-boundary warnings and the department score.

The scorer gives one row per project (total, the interval it can still reach, grade).
This module adds what a reviewer asks next:

* **grade-boundary warnings** — a project within ``margin`` points of a grade
  boundary (89.6 against 优 at 90) names the indicators whose change would move the
  grade and by how much the actual would have to change;
* **the department** — budget-weighted mean of the scored projects (default) and the
  simple mean beside it, both *derived* (no official rule exists); classified and
  unscorable projects are listed, never averaged in as zero; grade distribution;
  points earned per block; quality of the targets.

Pure functions over DataFrames; nothing here reads or writes files.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .enums import MEASURABLE_KINDS, Method, ProjectStatus, Status, TargetKind
from .frames import texts as as_texts
from .wording import fixed, message, round_half_up

#: label put beside every department score: there is no official averaging rule
DERIVED_LABEL = message("scoring_rollup", "derived")
#: default distance (points) from a grade boundary that triggers a warning
DEFAULT_MARGIN = 1.0
#: block keys in report order and their Chinese names (scorer may use either form)
BLOCK_NAMES = {key: message("blocks", key) for key in ("output", "benefit", "satisfaction", "cost")}
PROFILE_KEYS = ("output", "benefit", "satisfaction", "execution")
PROFILE_NAMES = {**BLOCK_NAMES, "execution": message("blocks", "execution")}
#: budget columns, best first: 全年预算数 from the actuals, then the table's 总计
BUDGET_COLUMNS = ("budget_used", "budget_annual", "budget_year", "annual_budget", "budget_total")
#: comparison operators as printed in Chinese reports
OP_SIGNS = {">=": "≥", "<=": "≤", ">": "＞", "<": "＜", "==": "＝"}
#: issue codes of ``check`` that mean the table contradicts itself (categories, totals)
CONTRADICTION_CODES = frozenset({"category_conflict", "row_sum_mismatch", "total_mismatch"})


def block_key(value: Any) -> str:
    """``output``/``benefit``/… whether the scorer wrote the key or the Chinese name."""
    text = str(value or "")
    if text in BLOCK_NAMES:
        return text
    for key, name in BLOCK_NAMES.items():
        if name and name in text:
            return key
    return text


def _num(value: Any) -> float:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return math.nan
    return f


def _col(df: pd.DataFrame, name: str, default: Any = np.nan) -> pd.Series:
    return df[name] if name in df.columns else pd.Series(default, index=df.index)


def budget_column(projects: pd.DataFrame) -> str:
    """The budget used to weight projects: 全年预算数 when the actuals give it, else 总计."""
    for name in BUDGET_COLUMNS:
        if name in projects.columns and pd.to_numeric(projects[name], errors="coerce").fillna(0).gt(0).any():
            return name
    return "budget_total"


# --- which projects count -------------------------------------------------------
def project_inclusion(projects: pd.DataFrame) -> pd.DataFrame:
    """``included`` (bool) and ``excluded_reason`` (Chinese) for every project.

    A project counts towards the department when it is not classified and has a
    total. Classified projects and projects without a single scored point are
    listed with the reason instead — averaging them in as zero would punish a
    department for secrecy or for missing paperwork twice.
    """
    total = pd.to_numeric(_col(projects, "total"), errors="coerce").to_numpy(dtype=float)
    classified = _col(projects, "classified", False).fillna(False).astype(bool).to_numpy()
    status = _col(projects, "status", "").fillna("").astype(str)
    unscorable = np.isnan(total) | status.isin([Status.NOT_EVALUABLE, "unscorable", "empty", ProjectStatus.NO_INDICATORS]).to_numpy()
    reasons = np.where(classified, message("scoring_rollup", "classified"),
                       np.where(unscorable, message("scoring_rollup", "unscorable"), "")).astype(object)
    out = pd.DataFrame({"included": reasons == "", "excluded_reason": reasons}, index=projects.index)
    return out


# --- grade-boundary warnings ------------------------------------------------------
def grade_boundaries(rule_pack: Any) -> list[tuple[float, str, str]]:
    """(boundary, grade at or above, grade below) for every boundary above zero, descending."""
    tiers = sorted(rule_pack.data["grades"]["tiers"], key=lambda g: -g["min"])
    return [(float(t["min"]), t["name"], tiers[i + 1]["name"]) for i, t in enumerate(tiers[:-1]) if t["min"] > 0]


def _fmt(x: float, unit: str = "") -> str:
    """Up to two decimals, half-up (wording.fixed), no trailing zeros; NaN: ?."""
    text = fixed(x).rstrip("0").rstrip(".") if not math.isnan(x) else "?"
    return f"{text}{unit}"


def _unit(row: pd.Series) -> str:
    target = row.get("target")
    unit = getattr(target, "unit", None) or row.get("unit_hint") or ""
    return str(unit) if isinstance(unit, str) else ""


def _required_change(row: pd.Series, delta: float, rule_pack: Any) -> str:
    """How the actual of one indicator must change for its points to move by ``delta``.

    ``delta`` > 0: gain at least that many points; < 0: lose more than ``-delta``.
    Proportional rules are inverted exactly; other kinds are described in points.
    """
    w = _num(row.get("weight_points"))
    pts = _num(row.get("points"))
    target = _num(row.get("target_value"))
    if math.isnan(target):
        target = _num(getattr(row.get("target"), "value", None))
    actual = _num(row.get("actual_value"))
    op = str(row.get("op_used") or getattr(row.get("target"), "op", "") or "")
    kind = str(row.get("kind") or "")
    unit = _unit(row)
    new_ratio = (pts + delta) / w if w > 0 else math.nan
    if delta > 0:
        points_text = message("scoring_boundary", "points_up", delta=_fmt(delta), pts=_fmt(pts), weight=_fmt(w))
    else:
        points_text = message("scoring_boundary", "points_down", delta=_fmt(-delta), pts=_fmt(pts), weight=_fmt(w))
    shown_op = OP_SIGNS.get(op, op)
    if kind != TargetKind.COMPARE or math.isnan(target) or target <= 0 or math.isnan(new_ratio):
        if str(row.get("method")) == Method.REVIEW:
            return message("scoring_boundary", "review", points=points_text)
        return points_text
    now = message("scoring_boundary", "now", actual=_fmt(actual, unit)) if not math.isnan(actual) else ""
    shown = {"op": shown_op, "target": _fmt(target, unit), "actual": _fmt(actual, unit), "now": now}
    if op in (">=", ">"):
        if delta > 0:
            need = target * new_ratio
            return message("scoring_boundary", "ge_up", need=_fmt(need, unit), **shown)
        need = target * max(new_ratio, 0.0)
        return message("scoring_boundary", "ge_down", need=_fmt(need, unit), **shown)
    if op in ("<=", "<"):
        linear = rule_pack.switches.get("reverse_rule") == "linear"
        if delta > 0:
            if new_ratio >= 1:
                need = target
            else:
                need = target * (2 - new_ratio) if linear else target / new_ratio
            return message("scoring_boundary", "le_up", need=_fmt(need, unit), **shown)
        r = max(new_ratio, 1e-9)
        need = target * (2 - r) if linear else target / r
        return message("scoring_boundary", "le_down", need=_fmt(need, unit), **shown)
    return points_text


def boundary_warnings(indicators: pd.DataFrame, projects: pd.DataFrame, rule_pack: Any,
                      margin: float = DEFAULT_MARGIN) -> pd.DataFrame:
    """One row per (project near a boundary, indicator whose change alone would cross it).

    Columns: ``project_id project total boundary direction grade_now grade_then gap
    indicator_no indicator points weight_points change``. ``direction`` is ``up`` when
    the project sits just below a boundary, ``down`` just above it. The budget
    execution rate counts as an indicator (``indicator_no`` 0, 预算执行率).
    """
    cols = ["project_id", "project", "total", "boundary", "direction", "grade_now", "grade_then", "gap",
            "indicator_no", "indicator", "points", "weight_points", "change"]
    rows: list[dict[str, Any]] = []
    if projects is None or projects.empty:
        return pd.DataFrame(columns=cols)
    inc = project_inclusion(projects)
    exec_weight = float(rule_pack.weights.get("execution", 0))
    by_project = {pid: g for pid, g in indicators.groupby("project_id", sort=False, observed=True)} if len(indicators) else {}
    for idx, proj in projects.iterrows():
        if not inc.at[idx, "included"]:
            continue
        total = _num(proj.get("total"))
        for boundary, upper, lower in grade_boundaries(rule_pack):
            if 0 < boundary - total <= margin:
                direction, gap, now, then = "up", boundary - total, lower, upper
            elif 0 <= total - boundary < margin:
                direction, gap, now, then = "down", total - boundary, upper, lower
            else:
                continue
            base = {"project_id": proj.get("project_id"), "project": proj.get("project"), "total": total,
                    "boundary": boundary, "direction": direction, "grade_now": now, "grade_then": then,
                    "gap": round(gap, 4)}
            # execution rate as a pseudo-indicator
            ep = _num(proj.get("execution_points"))
            rate = _num(proj.get("execution_rate"))
            if exec_weight > 0 and not math.isnan(ep):
                if direction == "up" and exec_weight - ep >= gap - 1e-9:
                    need = (ep + gap) / exec_weight
                    rows.append({**base, "indicator_no": 0, "indicator": message("scoring_boundary", "execution"),
                                 "points": ep, "weight_points": exec_weight,
                                 "change": message("scoring_boundary", "execution_up", rate=_fmt(rate * 100, '%'),
                                                   need=_fmt(need * 100, '%'))})
                elif direction == "down" and ep > gap:
                    need = (ep - gap) / exec_weight
                    rows.append({**base, "indicator_no": 0, "indicator": message("scoring_boundary", "execution"),
                                 "points": ep, "weight_points": exec_weight,
                                 "change": message("scoring_boundary", "execution_down", rate=_fmt(rate * 100, '%'),
                                                   need=_fmt(need * 100, '%'))})
            group = by_project.get(proj.get("project_id"))
            if group is None:
                continue
            for _, ind in group.iterrows():
                w, pts = _num(ind.get("weight_points")), _num(ind.get("points"))
                status = str(ind.get("status") or "")
                if status == Status.PENDING and direction == "up" and w >= gap - 1e-9:
                    change = message("scoring_boundary", "open", weight=_fmt(w))
                elif status != Status.SCORED or math.isnan(pts) or math.isnan(w):
                    continue
                elif direction == "up" and w - pts >= gap - 1e-9:
                    change = _required_change(ind, gap, rule_pack)
                elif direction == "down" and pts > gap:
                    change = _required_change(ind, -gap, rule_pack)
                else:
                    continue
                rows.append({**base, "indicator_no": ind.get("indicator_no"), "indicator": ind.get("name"),
                             "points": pts, "weight_points": w, "change": change})
    return pd.DataFrame(rows, columns=cols)


def warning_text(warnings: pd.DataFrame) -> dict[Any, str]:
    """One Chinese sentence per project from :func:`boundary_warnings`."""
    out: dict[Any, str] = {}
    for pid, g in warnings.groupby("project_id", sort=False, observed=True):
        parts = []
        for (boundary, direction), h in g.groupby(["boundary", "direction"], sort=False):
            first = h.iloc[0]
            names = "；".join(f"{r.indicator}：{r.change}" for r in h.itertuples())
            up = direction == "up"
            parts.append(message("scoring_boundary", "warning_up" if up else "warning_down", total=_fmt(first.total),
                                 grade=first.grade_then if up else first.grade_now, boundary=_fmt(boundary),
                                 gap=_fmt(first.gap), names=names))
        out[pid] = "。".join(parts)
    return out


# --- department --------------------------------------------------------------------
def block_profile(indicators: pd.DataFrame, projects: pd.DataFrame, rule_pack: Any) -> dict[str, float]:
    """Share of the points earned per block (产出/效益/满意度/预算执行) over scored items.

    Pending and not-evaluable indicators are left out of both numerator and
    denominator: the profile says how well the department did where it can be known.
    """
    inc = project_inclusion(projects)
    keep_ids = set(projects.loc[inc["included"], "project_id"]) if len(projects) else set()
    out: dict[str, float] = {}
    if len(indicators):
        ind = indicators[indicators["project_id"].isin(keep_ids) & (_col(indicators, "status", "") == Status.SCORED)]
        keys = _col(ind, "block", "").map(block_key)
        for key in ("output", "benefit", "satisfaction", "cost"):
            sel = ind[keys == key]
            w = pd.to_numeric(sel.get("weight_points"), errors="coerce").sum() if len(sel) else 0.0
            out[key] = round_half_up(float(pd.to_numeric(sel["points"], errors="coerce").sum() / w), 4) if w > 0 \
                else math.nan
    else:
        out = {k: math.nan for k in ("output", "benefit", "satisfaction", "cost")}
    ew = float(rule_pack.weights.get("execution", 0))
    ep = pd.to_numeric(_col(projects.loc[inc["included"]], "execution_points"), errors="coerce").dropna()
    out["execution"] = round_half_up(float(ep.sum() / (ew * len(ep))), 4) if ew > 0 and len(ep) else math.nan
    return out


def target_quality(indicators: pd.DataFrame, issues: pd.DataFrame | None) -> dict[str, Any]:
    """Share of measurable targets, share of weight needing a reviewer, contradictions found."""
    n = len(indicators)
    kind = as_texts(_col(indicators, "kind", ""))
    w = pd.to_numeric(_col(indicators, "weight_points"), errors="coerce").fillna(0.0)
    review = (as_texts(_col(indicators, "method", "")) == Method.REVIEW) | (kind == TargetKind.QUALITATIVE)
    codes = issues["code"].fillna("").astype(str) if issues is not None and len(issues) and "code" in issues else pd.Series([], dtype=str)
    contradictions = codes[codes.isin(CONTRADICTION_CODES)]
    # the reader's own verdict (``measurable`` column, same as ``check``) wins over the kind
    if "measurable" in indicators.columns:
        measurable = indicators["measurable"].fillna(False).astype(bool)
    else:
        measurable = kind.isin(MEASURABLE_KINDS)
    return {
        "n_indicators": n,
        "n_measurable": int(measurable.sum()),
        "share_measurable": round_half_up(float(measurable.mean()), 4) if n else math.nan,
        "share_qualitative_weight": round_half_up(float(w[review].sum() / w.sum()), 4) if w.sum() > 0 else math.nan,
        "n_contradictions": int(len(contradictions)),
        "contradiction_codes": "、".join(sorted(set(contradictions))),
    }


#: the score columns of :func:`department_scores`: (column, project column it averages)
SCORE_COLUMNS = (("score", "total"), ("score_min", "total_min"), ("score_max", "total_max"))
BASIS_WEIGHTED = message("scoring_rollup", "basis_weighted")
BASIS_SIMPLE = message("scoring_rollup", "basis_simple")


def department_scores(projects: pd.DataFrame, pack: Any, department: Any = None) -> pd.DataFrame:
    """The department score, one row per department (by ``department``: a label per project; None:
    the ``department`` column), unrounded — the one place its rules live.

    Projects that count (:func:`project_inclusion`) are averaged, weighted by budget
    (:func:`budget_column`; a project whose budget is missing weighs 0); a pending project at its
    score so far, its interval at ``total_min``/``total_max`` (its total where these are empty).
    When no counted project has a budget, the simple mean stands in (``score_basis`` says so).
    The simple means are given beside. The grade is given only when the whole interval falls in
    one band. Columns: department, n_projects, n_scored_projects, score, score_min, score_max,
    score_simple, score_simple_min, score_simple_max, grade, n_excluded_projects, budget_column,
    budget_scored, score_basis.
    """
    included = project_inclusion(projects)["included"].to_numpy()
    bcol = budget_column(projects)
    budget = pd.to_numeric(_col(projects, bcol), errors="coerce").to_numpy(dtype=float)
    if department is None:
        department = _col(projects, "department", "").fillna("").astype(str).to_numpy(dtype=object)
    total = pd.to_numeric(_col(projects, "total"), errors="coerce").to_numpy(dtype=float)
    cols: dict[str, np.ndarray] = {"included": included, "budget": np.where(included, np.nan_to_num(budget), 0.0)}
    for name, src in SCORE_COLUMNS:
        values = total if src == "total" else pd.to_numeric(_col(projects, src), errors="coerce").to_numpy(dtype=float)
        values = np.where(np.isnan(values), total, values)
        cols[name] = np.where(included, values, np.nan)
        cols[name + "_w"] = np.where(~np.isnan(cols[name]), cols["budget"], 0.0)  # weights where there is a value
        cols[name + "_vw"] = cols[name] * cols[name + "_w"]
    g = pd.DataFrame(cols).groupby(np.asarray(department, dtype=object), sort=False)
    sums = g.sum(min_count=1)
    means = g[[name for name, _ in SCORE_COLUMNS]].mean()
    n_projects = g.size().to_numpy()
    n_scored = sums["included"].fillna(0).astype(int).to_numpy()
    out: dict[str, Any] = {"department": sums.index.to_numpy(dtype=object), "n_projects": n_projects,
                           "n_scored_projects": n_scored}
    weighted_total = None
    with np.errstate(divide="ignore", invalid="ignore"):
        for name, _ in SCORE_COLUMNS:
            w = sums[name + "_w"].fillna(0.0).to_numpy()
            weighted = np.where(w > 0, sums[name + "_vw"].to_numpy() / np.where(w > 0, w, 1.0), np.nan)
            weighted_total = weighted if weighted_total is None else weighted_total
            simple = means[name].to_numpy()
            out[name] = np.where(np.isnan(weighted_total), simple, weighted)
            out[name.replace("score", "score_simple")] = simple
    low, high = (np.array([round_half_up(x, pack.digits) for x in out[k].tolist()], dtype=float)
                 for k in ("score_min", "score_max"))
    lo, hi = ([pack.grade(x) if not math.isnan(x) else "" for x in v.tolist()] for v in (low, high))
    out["grade"] = np.array([a if a == b else "" for a, b in zip(lo, hi)], dtype=object)
    out["n_excluded_projects"] = n_projects - n_scored
    out["budget_column"] = bcol
    out["budget_scored"] = sums["budget"].fillna(0.0).to_numpy()
    fallback = np.isnan(weighted_total) & (n_scored > 0)
    out["score_basis"] = np.where(fallback, BASIS_SIMPLE, BASIS_WEIGHTED).astype(object) + ("；" + DERIVED_LABEL)
    return pd.DataFrame(out)


@dataclass
class DepartmentRollup:
    """One department after roll-up: its summary row plus the project-level extras."""

    department: str
    summary: dict[str, Any]
    projects: pd.DataFrame
    warnings: pd.DataFrame
    profile: dict[str, float] = field(default_factory=dict)


def department_name(evaluation: Any) -> str:
    for source in (getattr(evaluation, "department", None),
                   getattr(getattr(evaluation, "targets", None), "department", None)):
        if isinstance(source, str) and source:
            return source
    projects = getattr(evaluation, "projects", None)
    if projects is not None and "department" in projects and len(projects):
        names = projects["department"].dropna().astype(str)
        names = names[names != ""]
        if len(names):
            return str(names.mode().iloc[0])
    return message("scoring_rollup", "unnamed_department")


def rollup_department(evaluation: Any, margin: float = DEFAULT_MARGIN, department: str = "") -> DepartmentRollup:
    """Department summary, project extras and boundary warnings of one evaluation."""
    pack = evaluation.rule_pack
    projects = evaluation.projects.copy()
    indicators = evaluation.indicators
    name = department or department_name(evaluation)
    inc = project_inclusion(projects)
    projects["included"] = inc["included"]
    projects["excluded_reason"] = inc["excluded_reason"]
    warnings = boundary_warnings(indicators, projects, pack, margin)
    texts = warning_text(warnings)
    projects["boundary_warning"] = pd.Series([texts.get(p, "") for p in projects["project_id"].tolist()],
                                             index=projects.index, dtype=object)

    scored = projects[projects["included"]]
    total = _col(scored, "total")
    tmin = _col(scored, "total_min").where(_col(scored, "total_min").notna(), total)
    tmax = _col(scored, "total_max").where(_col(scored, "total_max").notna(), total)
    scores = department_scores(projects, pack, department=np.full(len(projects), name, dtype=object))
    row = scores.iloc[0] if len(scores) else pd.Series(dtype=object)
    summary: dict[str, Any] = {"department": name}
    for key in ("score", "score_min", "score_max", "score_simple", "score_simple_min", "score_simple_max"):
        summary[key] = round_half_up(float(row.get(key, math.nan)), pack.digits)  # as shown
    summary.update({"score_basis": row.get("score_basis", f"{BASIS_WEIGHTED}；{DERIVED_LABEL}"),
                    "budget_column": budget_column(projects),
                    "budget_scored": round_half_up(float(row.get("budget_scored", 0.0)), 6),
                    "grade": row.get("grade", "")})
    summary["grade_note"] = message("scoring_rollup", "grade_note", derived=DERIVED_LABEL)
    pending = (pd.to_numeric(tmax, errors="coerce") - pd.to_numeric(tmin, errors="coerce")).fillna(0) > 1e-9
    summary.update({
        "n_projects": int(len(projects)),
        "n_scored_projects": int(len(scored)),
        "n_pending_projects": int(pending.sum()),
        "n_excluded_projects": int((~projects["included"]).sum()),
        "excluded_projects": _excluded_text(projects),
    })
    grades = [t["name"] for t in sorted(pack.data["grades"]["tiers"], key=lambda g: -g["min"])]
    counts = _col(scored, "grade", "").value_counts()
    for g in grades:
        summary[f"grade_{g}"] = int(counts.get(g, 0))
    open_grade = int((_col(scored, "grade", "").fillna("") == "").sum())
    grade_open = message("scoring_rollup", "grade_open")
    summary[f"grade_{grade_open}"] = open_grade
    summary["grade_distribution"] = " ".join(f"{g}{int(counts.get(g, 0))}" for g in grades) + \
        (f" {grade_open}{open_grade}" if open_grade else "")
    status = _col(indicators, "status", "")
    in_scope = indicators["project_id"].isin(set(scored["project_id"])) if len(indicators) else status.astype(bool)
    summary["n_indicators"] = int(len(indicators))
    summary["n_scored_indicators"] = int(((status == Status.SCORED) & in_scope).sum())
    summary["n_pending_indicators"] = int(((status == Status.PENDING) & in_scope).sum())
    summary["n_not_evaluable_indicators"] = int(((status == Status.NOT_EVALUABLE) & in_scope).sum())
    profile = block_profile(indicators, projects, pack)
    for key in PROFILE_KEYS:
        summary[f"profile_{key}"] = profile.get(key, math.nan)
    quality = target_quality(indicators, getattr(evaluation, "issues", None))
    summary.update({k: v for k, v in quality.items() if k != "n_indicators"})
    summary["n_boundary_warnings"] = int(warnings["project_id"].nunique()) if len(warnings) else 0
    summary["rule_pack"] = f"{pack.name} {pack.version}"
    return DepartmentRollup(department=name, summary=summary, projects=projects, warnings=warnings, profile=profile)


def _excluded_text(projects: pd.DataFrame) -> str:
    """「涉密项目 ×5（涉密项目，无公开指标，不参与平均）」: repeated names counted once."""
    out = projects.loc[~projects["included"]]
    parts = []
    for (name, reason), g in out.groupby([out["project"].astype(str), out["excluded_reason"]], sort=False):
        parts.append(f"{name}{' ×' + str(len(g)) if len(g) > 1 else ''}（{reason}）")
    return "、".join(parts)


def departments_frame(rollups: list[DepartmentRollup]) -> pd.DataFrame:
    """The department table: one row per department, columns in a fixed order."""
    return pd.DataFrame([r.summary for r in rollups])
