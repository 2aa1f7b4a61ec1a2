"""`evaluator history report`: every department over the years, from the store.

Tables (each one sheet of ``history.xlsx`` and one section of the offline ``history.html``):
department scores and grades by year, project totals by year, the blocks' 得分率 by year,
indicators that got worse (得分率 down on the year before), targets set below last year's actual.
Only the latest run of each year and department counts (views ``latest_runs`` …).
"""
from __future__ import annotations

import html
import io
import json
import math
from importlib import resources
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from .. import __version__
from ..compare import rank_with_intervals
from ..frames import texts
from ..outputs import write_atomic
from ..reports.labels import department_label
from ..trends import stated_change
from ..wording import fixed, message, messages
from .store import open_store

#: (block, its Chinese name) of the indicator blocks (data/messages.toml [blocks])
BLOCKS = tuple((b, messages()["blocks"][b]) for b in ("output", "benefit", "satisfaction", "cost"))


def _w(key: str, **values: Any) -> str:
    """Wording of the history report: ``[history_report]`` of data/wording/history.toml."""
    return message("history_report", key, **values)


def _c(key: str, **values: Any) -> str:
    """Wording of the comparison across years: ``[history_compare]`` of data/wording/history.toml."""
    return message("history_compare", key, **values)


def _dept_filter(depts: Sequence[str] | None) -> tuple[str, list[Any]]:
    if not depts:
        return "", []
    return " AND r.department IN (" + ",".join("?" * len(depts)) + ")", list(depts)


def history_tables(db: str | Path, depts: Sequence[str] | None = None) -> dict[str, pd.DataFrame]:
    """The report's tables (English column names; the writers put Chinese headings)."""
    where, params = _dept_filter(depts)
    with open_store(db) as store:
        runs = store.query("SELECT r.department, r.year, r.score, r.score_min, r.score_max, r.grade, r.run_id, "
                           "r.rule_pack, r.rule_pack_version, r.recorded_at FROM latest_runs r WHERE 1=1" + where +
                           " ORDER BY r.department, r.year", params)
        projects = store.query("SELECT r.department, r.year, p.project, p.project_key, p.total, p.grade, "
                               + ", ".join(f"p.points_{b}, p.weight_{b}" for b, _ in BLOCKS) +
                               " FROM projects p JOIN latest_runs r ON p.run_id = r.run_id WHERE 1=1" + where, params)
        ind = store.query("SELECT r.department, r.year, i.indicator_key, i.project, i.name, i.target_text, "
                          "i.target_compiled, i.actual_text, i.actual_value, i.target_value, i.points, i.weight_points, "
                          "i.status FROM indicators i JOIN latest_runs r ON i.run_id = r.run_id WHERE 1=1" + where, params)
    n_runs = runs.groupby("department")["year"].count() if len(runs) else pd.Series(dtype=int)
    proj_wide = projects.pivot_table(index=["department", "project"], columns="year", values="total",
                                     aggfunc="first").reset_index() if len(projects) else pd.DataFrame()
    # 得分率 of each block: points over the weight of the projects that have a total
    scored = projects[projects["total"].notna()]
    rates = []
    for (dept, year), g in scored.groupby(["department", "year"], sort=True):
        row: dict[str, Any] = {"department": dept, "year": int(year)}
        for b, label in BLOCKS:
            w = g[f"weight_{b}"].sum()
            row[label] = g[f"points_{b}"].sum() / w if w > 0 else np.nan
        rates.append(row)
    rates_df = pd.DataFrame(rates)
    worse, low = _year_pairs(ind)
    return {"departments": runs.drop(columns=["run_id"]), "projects": proj_wide, "blocks": rates_df,
            "worse": worse, "low_targets": low, "n_runs": n_runs.reset_index()}


def _target_floor(compiled: Any) -> tuple[str | None, float | None]:
    """(op, value) of a compiled ≥/≤ target, from the stored JSON."""
    if not isinstance(compiled, str) or not compiled:
        return None, None
    try:
        d = json.loads(compiled)
    except ValueError:
        return None, None
    if d.get("kind") == "compare" and d.get("op") in (">=", ">", "<=", "<") and d.get("value") is not None:
        return d["op"], float(d["value"])
    return None, None


def _year_pairs(ind: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Indicators whose 得分率 fell on the year before; targets below (≥) / above (≤) last year's actual."""
    if not len(ind):
        return pd.DataFrame(), pd.DataFrame()
    # points are rounded to the pack's digits: a rate is read to 0.1 %
    ind = ind.assign(rate=(ind["points"] / ind["weight_points"].where(ind["weight_points"] > 0)).clip(upper=1.0).round(3))
    prev = ind.assign(year=ind["year"] + 1)[["department", "year", "indicator_key", "rate", "actual_text",
                                             "actual_value", "points"]]
    pair = ind.merge(prev, on=["department", "year", "indicator_key"], suffixes=("", "_prior"))
    worse = pair[(pair["rate"] < pair["rate_prior"] - 0.0005)]
    worse = worse[["department", "year", "project", "name", "target_text", "actual_text_prior", "actual_text",
                   "rate_prior", "rate"]].sort_values(["department", "year", "project"])
    ops = [_target_floor(c) for c in pair["target_compiled"]]
    op = np.array([o for o, _ in ops], dtype=object)
    val = np.array([v if v is not None else np.nan for _, v in ops], dtype=float)
    prior = pair["actual_value_prior"].to_numpy(dtype=float)
    # a stated change on last year (较上年增长5%) compiles to ≥5% but is no level: not a low target
    changes = np.array([stated_change(str(t)) is None for t in texts(pair["target_text"])], dtype=bool)
    low_mask = ((np.isin(op, [">=", ">"]) & (val < prior)) | (np.isin(op, ["<=", "<"]) & (val > prior))) & changes
    low = pair[low_mask][["department", "year", "project", "name", "target_text", "actual_text_prior"]]
    return worse.reset_index(drop=True), low.reset_index(drop=True)


#: table → (its title: sheet name and heading, {column: Chinese heading}) (data/wording/history.toml)
HEADINGS = {name: (t["title"], dict(t["columns"])) for name, t in messages()["history_tables"].items()}
#: the columns shown as percentages in the table of indicators that got worse
_RATE_HEADS = [HEADINGS["worse"][1]["rate_prior"], HEADINGS["worse"][1]["rate"]]


def _chinese(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns={k: v for k, v in HEADINGS[name][1].items()}) if len(frame) else frame


def _fmt(v: Any, pct: bool = False) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if isinstance(v, (float, np.floating)):
        return fixed(float(v) * 100, 1) + "%" if pct else fixed(v)  # half-up, as every output
    return str(v)


def sparkline(values: Sequence[float], years: Sequence[int], lo: float | None = None, hi: float | None = None,
              width: int = 160, height: int = 36) -> str:
    """A small inline SVG line of a score over the years (missing years leave a gap); the
    vertical scale is the values' own range, at least 10 points wide, within 0–100."""
    pts = [(i, v) for i, v in enumerate(values) if v is not None and not (isinstance(v, float) and math.isnan(v))]
    if lo is None or hi is None:
        vals = [v for _, v in pts] or [0.0]
        mid = (min(vals) + max(vals)) / 2
        half = max((max(vals) - min(vals)) / 2 + 1, 5)
        lo, hi = max(0.0, mid - half), min(100.0, mid + half)
    n = max(len(values) - 1, 1)
    span = (hi - lo) or 1.0

    def xy(i: int, v: float) -> tuple[float, float]:
        return 4 + (width - 8) * i / n, height - 4 - (height - 8) * (min(max(v, lo), hi) - lo) / span
    body = []
    if len(pts) > 1:
        body.append('<polyline fill="none" stroke="#3b6fb6" stroke-width="2" points="' +
                    " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(i, v) for i, v in pts)) + '"/>')
    for i, v in pts:
        x, y = xy(i, v)
        point = message("history_sparkline", "point", year=years[i], value=v)
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="#3b6fb6"><title>{point}</title></circle>')
    if pts:
        x, y = xy(*pts[-1])
        body.append(f'<text x="{min(x + 4, width - 2):.1f}" y="{(y + 12 if y < 16 else y - 4):.1f}" font-size="10" '
                    f'text-anchor="end" fill="#333">{pts[-1][1]:.1f}</text>')
    label = "，".join(message("history_sparkline", "described", year=years[i], value=v) for i, v in pts)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
            f'aria-label="{html.escape(label)}">{"".join(body)}</svg>')


#: the pages' style sheet (data/history.css, without its heading comment)
_CSS = resources.files("evaluator").joinpath("data", "history.css").read_text(encoding="utf-8").split("*/\n", 1)[1].rstrip("\n")


def _table(frame: pd.DataFrame, pct_cols: Sequence[str] = ()) -> str:
    if not len(frame):
        return f'<p class="muted">{html.escape(_w("empty"))}</p>'
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for rec in frame.itertuples(index=False):
        cells = []
        for c, v in zip(frame.columns, rec):
            num = isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
            cls = ' class="n"' if num else (f' class="g-{html.escape(str(v))}"' if c in (HEADINGS["departments"][1]["grade"], "grade") else "")
            cells.append(f"<td{cls}>{html.escape(_fmt(v, c in pct_cols))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def render_html(t: dict[str, pd.DataFrame], db: str | Path) -> str:
    deps = t["departments"]
    years = sorted({int(y) for y in deps["year"]}) if len(deps) else []
    subtitle = _w("subtitle", db=html.escape(Path(db).name), departments=len(set(deps["department"])) if len(deps) else 0,
                  years="、".join(map(str, years)) or "—", version=__version__)
    parts = [f"<h1>{_w('title')}</h1><p class=\"muted\">{subtitle}</p>"]
    for dept, g in (deps.groupby("department", sort=True) if len(deps) else []):
        g = g.set_index("year").reindex(years)
        parts.append(f"<h2>{html.escape(str(dept))}</h2>")
        parts.append(f'<div class="multiples"><div class="multiple"><div class="l">{_w("score")} '
                     f'<span class="derived">{_w("derived")}</span></div>'
                     + sparkline(g["score"].tolist(), years) + "</div>")
        blocks = t["blocks"]
        b = blocks[blocks["department"] == dept].set_index("year").reindex(years) if len(blocks) else None
        for _, label in BLOCKS:
            if b is not None and label in b and b[label].notna().any():
                parts.append(f'<div class="multiple"><div class="l">{_w("block_rate", block=label)}</div>'
                             + sparkline((b[label] * 100).tolist(), years) + "</div>")
        parts.append("</div>")
        parts.append(f"<h3>{_w('department_scores')}</h3>" + _table(_chinese("departments", deps[deps["department"] == dept])))
        proj = t["projects"]
        if len(proj):
            pj = proj[proj["department"] == dept]
            ycols = [y for y in years if y in pj.columns]
            parts.append(f"<h3>{_w('project_totals')}</h3><div class=\"multiples\">")
            for rec in pj.itertuples(index=False):
                vals = [pj.loc[pj["project"] == rec.project, y].iat[0] if y in pj.columns else np.nan for y in years]
                last = next((v for v in reversed(vals) if not (isinstance(v, float) and math.isnan(v))), None)
                label = _w("latest", project=html.escape(str(rec.project)), total=_fmt(last))
                parts.append(f'<div class="multiple"><div class="l">{label}</div>' + sparkline(vals, years) + "</div>")
            parts.append("</div>")
            parts.append(_table(pj.drop(columns=["department"]).rename(columns={"project": HEADINGS["projects"][1]["project"],
                                                                          **{y: _w("year", year=y) for y in ycols}})))
        if b is not None:
            parts.append(f"<h3>{HEADINGS['blocks'][0]}</h3>" + _table(b.reset_index().drop(columns=["department"]).rename(
                columns={"year": HEADINGS["blocks"][1]["year"]}), pct_cols=[lab for _, lab in BLOCKS]))
        for key in ("worse", "low_targets"):
            f = t[key]
            f = f[f["department"] == dept].drop(columns=["department"]) if len(f) else f
            parts.append(f"<h3>{HEADINGS[key][0]}</h3>" + _table(_chinese(key, f), pct_cols=_RATE_HEADS))
    parts.append(f"<footer class=\"muted\">{_w('footer')}</footer>")
    return ("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"generator\" content=\"evaluator {__version__}\"><title>{_w('title')}</title>"
            f"<style>{_CSS}</style></head><body>" + "".join(parts) + "</body></html>\n")


def write_history_report(db: str | Path, outdir: str | Path, depts: Sequence[str] | None = None) -> list[Path]:
    t = history_tables(db, depts)
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    xlsx = out / "history.xlsx"
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        for key in ("departments", "projects", "blocks", "worse", "low_targets"):
            frame = t[key]
            if key == "projects" and len(frame):
                frame = frame.rename(columns={c: _w("year", year=c) for c in frame.columns if isinstance(c, (int, np.integer))})
            frame = _chinese(key, frame) if len(frame) else pd.DataFrame({_w("empty_column"): [_w("empty")]})
            frame.to_excel(xw, sheet_name=HEADINGS[key][0], index=False)
    write_atomic(xlsx, buf.getvalue())  # whole or not at all, never through a link (evaluator.outputs)
    page = write_atomic(out / "history.html", render_html(t, db).encode("utf-8"))
    return [xlsx, page]


# ---------------------------------------------------------------------------------------- compare
def parse_years(text: str) -> list[int]:
    """``2022-2024`` → [2022, 2023, 2024]; ``2022,2024`` → [2022, 2024]."""
    from .store import HistoryError
    try:
        if "-" in text:
            a, b = (int(x) for x in text.split("-", 1))
            if b < a or b - a > 50:
                raise ValueError
            return list(range(a, b + 1))
        return sorted({int(x) for x in text.replace("，", ",").split(",") if x.strip()})
    except ValueError:
        raise HistoryError(_c("bad_years", text=text)) from None


def rank_intervals(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (one year's departments) with rank, best and worst rank, by the rule of ``compare``
    (:func:`evaluator.compare.rank_with_intervals`)."""
    return frame.assign(**rank_with_intervals(frame))


def compare_years(db: str | Path, years: Sequence[int], depts: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per department: score, grade and rank (with interval) in each year; the rank
    movement from the first to the last year, with its interval."""
    where, params = _dept_filter(depts)
    marks = ",".join("?" * len(years))
    with open_store(db) as store:
        runs = store.query("SELECT r.department, r.year, r.score, r.score_min, r.score_max, r.grade FROM latest_runs r "
                           f"WHERE r.year IN ({marks})" + where, [*years, *params])
    ranked = pd.concat([rank_intervals(g) for _, g in runs.groupby("year")], ignore_index=True) if len(runs) else runs
    out = pd.DataFrame({"department": sorted(set(runs["department"]))})
    for y in years:
        g = ranked[ranked["year"] == y].set_index("department") if len(ranked) else pd.DataFrame()
        for col in ("score", "grade", "rank", "rank_best", "rank_worst"):
            out[f"{col}_{y}"] = out["department"].map(g[col]) if len(g) else None
    first, last = years[0], years[-1]

    def move(r: pd.Series) -> tuple[Any, Any, Any]:
        if pd.isna(r.get(f"rank_{first}")) or pd.isna(r.get(f"rank_{last}")):
            return None, None, None
        # a positive movement is a rise (a smaller rank number)
        m = int(r[f"rank_{first}"]) - int(r[f"rank_{last}"])
        lo_ = int(r[f"rank_best_{first}"]) - int(r[f"rank_worst_{last}"])
        hi_ = int(r[f"rank_worst_{first}"]) - int(r[f"rank_best_{last}"])
        return m, lo_, hi_
    moves = out.apply(move, axis=1, result_type="expand") if len(out) else pd.DataFrame(columns=[0, 1, 2])
    out["movement"], out["movement_min"], out["movement_max"] = moves[0], moves[1], moves[2]
    return out


def write_year_comparison(table: pd.DataFrame, years: Sequence[int], outdir: str | Path) -> list[Path]:
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    names = {"department": _c("department"), "movement": _c("movement", first=years[0], last=years[-1]),
             "movement_min": _c("movement_min"), "movement_max": _c("movement_max")}
    for y in years:
        names.update({f"{col}_{y}": _c(col, year=y) for col in ("score", "grade", "rank", "rank_best", "rank_worst")})
    table = table.assign(department=[department_label(d) for d in table["department"]])  # no raw codes
    zh = table.rename(columns=names)
    csv = write_atomic(out / "history_comparison.csv", zh.to_csv(index=False).encode("utf-8-sig"))
    buf = io.BytesIO()
    zh.to_excel(buf, index=False, sheet_name=_c("title"))
    xlsx = write_atomic(out / "history_comparison.xlsx", buf.getvalue())
    page = write_atomic(out / "history_comparison.html", (f"<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{_c('title')}</title>"
                    f"<style>{_CSS}</style></head><body><h1>{_c('title')}</h1><p class=\"muted\">{_c('intro')}</p>"
                    + _compact(table, years) + f"<h2>{_c('details')}</h2>" + _table(zh) + "</body></html>\n").encode("utf-8"))
    return [xlsx, page, csv]


def _compact(table: pd.DataFrame, years: Sequence[int]) -> str:
    """One row per department: each year's rank (with its interval), score and grade; the score
    as a sparkline; the rank movement with its interval."""
    head = (f"<tr><th>{_c('department')}</th><th>{_c('trend')}</th>" + "".join(f"<th>{_c('year', year=y)}</th>" for y in years)
            + f"<th>{_c('moved')}</th></tr>")
    rows = []
    for r in table.to_dict("records"):
        cells = [f"<td>{html.escape(str(r['department']))}</td>",
                 "<td>" + sparkline([r.get(f"score_{y}") if r.get(f"score_{y}") is not None else np.nan
                                     for y in years], list(years)) + "</td>"]
        for y in years:
            rank = r.get(f"rank_{y}")
            if rank is None or pd.isna(rank):
                cells.append("<td>—</td>")
                continue
            lo, hi = int(r[f"rank_best_{y}"]), int(r[f"rank_worst_{y}"])
            span = "" if lo == hi else _c("rank_span", best=lo, worst=hi)
            grade = r.get(f"grade_{y}") or _c("grade_pending")
            cells.append(f"<td>{_c('rank_cell', rank=int(rank), span=span)}<br><span class=\"muted\">{_fmt(r[f'score_{y}'])}</span> "
                         f"<span class=\"g-{html.escape(str(grade))}\">{html.escape(str(grade))}</span></td>")
        m = r.get("movement")
        if m is None or pd.isna(m):
            move = _c("no_comparison")
        else:
            m, lo, hi = int(m), int(r["movement_min"]), int(r["movement_max"])
            move = (_c("up", n=m) if m > 0 else _c("down", n=-m) if m < 0 else _c("same")) + \
                ("" if lo == hi else _c("move_span", low=lo, high=hi))
        cells.append(f"<td>{move}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table>{head}{''.join(rows)}</table>"
