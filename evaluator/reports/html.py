"""Self-contained offline HTML report: summary, inline SVG charts, issues, per-project detail.

One file, no network: CSS inline, charts generated as SVG by :mod:`.charts`, no
scripts. Rendered with Jinja2 autoescaping, so a project named ``<script>`` shows as
text; the SVG charts are built with :func:`html.escape` on every label and passed
in as ``Markup``.
"""
from __future__ import annotations

import math
from importlib import resources
from typing import Any

import pandas as pd
from jinja2 import Environment, select_autoescape
from markupsafe import Markup

from ..rollup import DERIVED_LABEL, PROFILE_KEYS, PROFILE_NAMES, DepartmentRollup, budget_column
from ..wording import fixed, message, messages
from . import charts, fonts, labels
from .notices import notices
from .provenance import provenance_rows
from .tables import plain, target_cell


def _env() -> Environment:
    return Environment(autoescape=select_autoescape(default=True, default_for_string=True),
                       trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def _template() -> Any:
    text = resources.files("evaluator").joinpath("data/report.html.j2").read_text(encoding="utf-8")
    return _env().from_string(text)


def _n(x: Any, digits: int = 2) -> str:
    v = plain(x)
    if v is None or isinstance(v, str):
        return v or ""
    return labels.points(v) if digits == 2 else fixed(float(v), digits)


def _pct(x: Any) -> str:
    v = plain(x)
    return "" if v is None or isinstance(v, str) else fixed(float(v) * 100, 1) + "%"


def _cell(text: Any, cls: str = "") -> dict[str, str]:
    return {"text": "" if text is None else str(plain(text) if plain(text) is not None else ""), "cls": cls}


def _interval(lo: Any, hi: Any) -> str:
    a, b = plain(lo), plain(hi)
    if a is None or b is None:
        return "—"
    return labels.points(a) if abs(b - a) < 1e-9 else f"{labels.points(a)}–{labels.points(b)}"


def _bands(pack: Any) -> list[tuple[float, str]]:
    return [(float(t["min"]), t["name"]) for t in sorted(pack.data["grades"]["tiers"], key=lambda g: -g["min"])]


def _w(key: str, **values: Any) -> str:
    """Wording of the page: ``[reports_html]`` of data/wording/reports.toml."""
    return message("reports_html", key, **values)


PROJECT_HEAD = list(messages()["reports_html"]["project_heads"])


def _project_rows(projects: pd.DataFrame, pack: Any = None) -> list[dict[str, Any]]:
    bcol = budget_column(projects)
    full = labels.full_marks(projects, pack) if pack is not None else pd.Series(math.nan, index=projects.index)
    rows = []
    for (_, p), fm in zip(projects.iterrows(), full.tolist()):
        # the full boundary warning is in its own section above the table: a pointer here keeps the column narrow
        note = p.get("excluded_reason") or (_w("boundary_pointer") if p.get("boundary_warning") else "")
        grade = str(p.get("grade") or "")
        cells = [_cell(p.get("project_id"), "id"), _cell(p.get("project"), "name"), _cell(_n(p.get(bcol)), "n"),
                 _cell(_pct(p.get("execution_rate")), "n"), _cell(_n(p.get("execution_points")), "n"),
                 _cell(_n(p.get("points_output")), "n"), _cell(_n(p.get("points_benefit")), "n"),
                 _cell(_n(p.get("points_satisfaction")), "n"),
                 _cell(labels.total_with_full(plain(p.get("total")), fm) if plain(p.get("total")) is not None else "", "n"),
                 _cell(_interval(p.get("total_min"), p.get("total_max")), "n"),
                 _cell(grade or (message("reports_labels", "grade_pending") if plain(p.get("total")) is not None else ""), f"g-{grade}"),
                 _cell(labels.status_label(p.get("status")), f"s-{p.get('status')}"),
                 _cell(_n(p.get("self_total")), "n"), _cell(note, "note")]
        rows.append({"cells": cells, "cls": "" if p.get("included", True) else "excluded"})
    return rows


def _name_em(projects: pd.DataFrame) -> int:
    """Width of the project-name column in em: the longest name on two lines (at most 15em, then three)."""
    longest = max((len(str(plain(n) or "")) for n in projects.get("project", [])), default=4)
    return max(6, min(15, math.ceil(longest / 2) + 1))


ISSUE_HEAD = [h for _, h in labels.ISSUE_COLUMNS]


def _issue_rows(issues: pd.DataFrame | None) -> list[list[dict[str, str]]]:
    if issues is None or not len(issues):
        return []
    out = []
    for _, i in issues.iterrows():
        row = []
        for key, _ in labels.ISSUE_COLUMNS:
            v = i.get(key)
            if key == "severity":
                row.append(_cell(labels.SEVERITY.get(str(v), v), f"sev-{v}"))
            else:
                row.append(_cell(v))
        out.append(row)
    return out


def _detail(p: pd.Series, g: pd.DataFrame, full: float = math.nan) -> dict[str, Any]:
    rows = []
    for _, i in g.iterrows():
        status = str(i.get("status") or "")
        flag = labels.flag_label(i.get("flag"))
        explanation = str(plain(i.get("explanation")) or "")
        if flag:
            explanation = _w("flagged", explanation=explanation, flag=flag) if flag not in explanation else explanation
        rows.append([_cell(i.get("indicator_no")), _cell(i.get("level1")), _cell(i.get("level2")), _cell(i.get("name")),
                     _cell(target_cell(i)), _cell(i.get("actual_text")),
                     _cell(_n(i.get("weight_points")), "n"), _cell(_n(i.get("points")), "n"),
                     _cell(labels.status_label(status), f"s-{status}"), _cell(explanation)])
    grade = p.get("grade") or (message("reports_labels", "grade_pending") if plain(p.get("total")) is not None else labels.status_label(p.get("status")))
    headline = _w("headline", total=labels.total_with_full(p.get("total"), full), grade=grade) if plain(p.get("total")) is not None \
        else str(grade)
    if plain(p.get("total_max")) is not None and plain(p.get("total_min")) is not None \
            and p.get("total_max") - p.get("total_min") > 1e-9:
        headline += _w("headline_interval", interval=_interval(p.get("total_min"), p.get("total_max")))
    return {"name": str(p.get("project") or ""), "headline": headline, "summary": str(plain(p.get("summary")) or ""),
            "execution": str(plain(p.get("execution_explanation")) or ""), "rows": rows, "open": True}


def department_colours(departments: list[str]) -> dict[str, str]:
    """One colour per department, in input order, used by every chart of a comparison."""
    return {d: charts.SERIES_COLOURS[i % len(charts.SERIES_COLOURS)] for i, d in enumerate(dict.fromkeys(departments))}


def department_context(evaluation: Any, rollup: DepartmentRollup, with_details: bool = True,
                       colour: str | None = None) -> dict[str, Any]:
    s = rollup.summary
    pack = evaluation.rule_pack
    projects = rollup.projects
    colour = colour or charts.SERIES_COLOURS[0]
    name = labels.department_label(rollup.department)
    bars = [{"label": str(p.get("project")), "value": plain(p.get("total")), "low": plain(p.get("total_min")),
             "high": plain(p.get("total_max")), "colour": colour} for _, p in projects[projects["included"]].iterrows()]
    chart = charts.score_bars(bars, _bands(pack), _w("score_chart", department=name))
    profile = [s.get(f"profile_{k}") for k in PROFILE_KEYS]
    profile_chart = charts.grouped_bars([PROFILE_NAMES[k] for k in PROFILE_KEYS],
                                        [(name, [math.nan if v is None else float(v) for v in profile])],
                                        _w("profile_chart", department=name), height=240, colours=[colour])
    groups = {pid: g for pid, g in evaluation.indicators.groupby("project_id", sort=False, observed=True)} if len(evaluation.indicators) else {}
    empty = evaluation.indicators.iloc[0:0]
    warnings = [{"project": str(p.get("project")), "text": str(p.get("boundary_warning"))}
                for _, p in projects.iterrows() if str(p.get("boundary_warning") or "")]
    return {
        "name": name,
        "score": _n(s.get("score")), "interval": _interval(s.get("score_min"), s.get("score_max")),
        "simple": _n(s.get("score_simple")), "simple_interval": _interval(s.get("score_simple_min"), s.get("score_simple_max")),
        "grade": labels.grade_label(s.get("grade")), "grades": s.get("grade_distribution", ""),
        "n_scored": s.get("n_scored_projects"), "n_projects": s.get("n_projects"), "n_pending": s.get("n_pending_projects"),
        "n_scored_ind": s.get("n_scored_indicators"), "n_ind": s.get("n_indicators"),
        "n_pending_ind": s.get("n_pending_indicators"), "n_ne_ind": s.get("n_not_evaluable_indicators"),
        "measurable": _pct(s.get("share_measurable")), "qualitative": _pct(s.get("share_qualitative_weight")),
        "contradictions": s.get("n_contradictions", 0), "basis": s.get("score_basis", DERIVED_LABEL),
        "excluded": s.get("excluded_projects", ""),
        "chart": Markup(chart), "profile_chart": Markup(profile_chart), "warnings": warnings,
        "project_head": PROJECT_HEAD, "project_rows": _project_rows(projects, pack), "name_em": _name_em(projects),
        "notices": notices(evaluation),
        "issue_head": ISSUE_HEAD, "issues": _issue_rows(getattr(evaluation, "issues", None)),
        "details": [_detail(p, groups.get(p["project_id"], empty), fm)
                    for (_, p), fm in zip(projects.iterrows(), labels.full_marks(projects, pack).tolist())]
        if with_details else [],
    }


def comparison_context(comparison: Any) -> dict[str, Any]:
    ranking = comparison.ranking
    pack = comparison.evaluations[0].rule_pack if comparison.evaluations else None
    bands = _bands(pack) if pack is not None else [(float(g["min"]), g["name"]) for g in messages()["reports_html"]["default_grades"]]
    colours = department_colours([r.department for r in comparison.rollups])
    fallback = charts.SERIES_COLOURS[0]
    bars = [{"label": _w("rank_bar", rank=plain(r["rank"]) or "—", department=labels.department_label(r["department"]))
                      + (_w("few_scored") if r["few_scored"] else ""),
             "value": plain(r["score"]), "low": plain(r["score_min"]), "high": plain(r["score_max"]),
             "colour": colours.get(r["department"], fallback)}
            for _, r in ranking.iterrows()]
    chart = charts.score_bars(bars, bands, _w("comparison_chart", basis=DERIVED_LABEL))
    prof = comparison.profile
    series = [(labels.department_label(r["department"]),
               [math.nan if plain(r[k]) is None else float(r[k]) for k in PROFILE_KEYS]) for _, r in prof.iterrows()]
    profile_chart = charts.grouped_bars([PROFILE_NAMES[k] for k in PROFILE_KEYS], series, _w("comparison_profile_chart"),
                                        colours=[colours.get(r["department"], fallback) for _, r in prof.iterrows()])
    rank_cols = labels.RANKING_COLUMNS
    ranking_rows = []
    for _, r in ranking.iterrows():
        row = []
        for key, _ in rank_cols:
            v = r.get(key)
            if key in ("score", "score_min", "score_max", "score_simple"):
                row.append(_cell(_n(v), "n"))
            elif key == "grade":
                row.append(_cell(labels.grade_label(v, plain(r.get("score")) is not None), f"g-{v}"))
            elif key == "department":
                row.append(_cell(labels.department_label(v)))
            else:
                row.append(_cell(v, "n" if isinstance(plain(v), (int, float)) else ""))
        ranking_rows.append(row)
    quality_rows = []
    for _, r in comparison.quality.iterrows():
        quality_rows.append([_cell(_pct(r.get(k)), "n") if k in labels.PERCENT_COLUMNS
                             else _cell(labels.department_label(r.get(k)) if k == "department" else r.get(k))
                             for k, _ in labels.QUALITY_COLUMNS])
    pack_cols = [c for c in comparison.pack_ranks.columns if c != "department"]
    say = messages()["reports_comparison"]
    pack_head = [say["department"]] + [(say["rank_stable"] if c == "rank_stable"
                                        else c.replace("score:", say["pack_score"]).replace("rank:", say["pack_rank"]))
                                       for c in pack_cols]
    pack_rows = []
    if pack_cols:
        for _, r in comparison.pack_ranks.iterrows():
            row = [_cell(labels.department_label(r["department"]))]
            for c in pack_cols:
                v = r[c]
                row.append(_cell((say["yes"] if v else say["no"]) if c == "rank_stable" else (_n(v) if c.startswith("score:") else v), "n"))
            pack_rows.append(row)
    return {"chart": Markup(chart), "profile_chart": Markup(profile_chart),
            "ranking_head": [h for _, h in rank_cols], "ranking_rows": ranking_rows,
            "quality_head": [h for _, h in labels.QUALITY_COLUMNS], "quality_rows": quality_rows,
            "pack_head": pack_head, "pack_rows": pack_rows}


def _with_font(page: str) -> str:
    """The page with the glyphs it uses embedded (see :mod:`.fonts`); unchanged when no CJK font is found."""
    return page.replace("/*FONT-FACE*/", fonts.font_face_css(page), 1)


def render_department(evaluation: Any, rollup: DepartmentRollup, provenance: dict[str, Any]) -> str:
    ctx = department_context(evaluation, rollup)
    return _with_font(_template().render(title=_w("department_title", department=labels.department_label(rollup.department)), prov=provenance,
                              prov_rows=provenance_rows(provenance), comparison=None, departments=[ctx]))


def render_comparison(comparison: Any, provenance: dict[str, Any]) -> str:
    colours = department_colours([r.department for r in comparison.rollups])
    deps = [department_context(ev, r, colour=colours[r.department])
            for r, ev in zip(comparison.rollups, comparison.evaluations)]
    return _with_font(_template().render(title=_w("comparison_title"), prov=provenance,
                                         prov_rows=provenance_rows(provenance),
                                         comparison=comparison_context(comparison), departments=deps))
