"""Write every report format for one department or a comparison into a directory."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from ..issues import ISSUE_COLUMNS
from ..wording import message, messages
from ..rollup import DEFAULT_MARGIN, DepartmentRollup, departments_frame, rollup_department
from .columns import chinese
from .excel import comparison_workbook, department_workbook, workbook_bytes
from .html import render_comparison, render_department
from .labels import full_marks
from .notices import notices
from .provenance import build_provenance, merge_provenance
from .tables import records, to_csv_bytes, to_json_bytes, write_bytes, write_csv

FORMATS = ("xlsx", "html", "csv", "json")
#: file names written into OUTDIR (documented in docs/reports.md)
FILES = {"xlsx": "report.xlsx", "html": "report.html", "indicators": "indicators.csv", "projects": "projects.csv",
         "departments": "departments.csv", "issues": "issues.csv", "warnings": "boundary_warnings.csv",
         "json": "report.json"}


#: indicator columns of a results CSV: where the indicator is, what it targets, how it scored and why (the
#: explanation also says what is pending, the rating used, flags); every column is in ``write_reports``' CSV
INDICATOR_RESULT_COLUMNS = ["source_file", "project_id", "indicator_no", "name", "target_text", "actual_text", "block",
                            "weight_points", "status", "points", "rule", "flag", "explanation"]
#: project columns of a results CSV: the funds, the points by part, the total and grade, the summary
PROJECT_RESULT_COLUMNS = ["source_file", "project_id", "department", "project", "classified", "n_indicators",
                          "budget_annual", "spent_annual", "execution_rate", "execution_points", "points_output",
                          "points_benefit", "points_satisfaction", "points_cost", "total", "full_marks", "total_min", "total_max",
                          "grade", "status", "self_total", "self_diff", "execution_explanation", "summary"]


def append_results_csv(evaluation: Any, outdir: str | Path) -> dict[str, Path]:
    """Append one table's results to ``indicators.csv`` and ``projects.csv`` (the result columns)
    and ``issues.csv`` in ``outdir``, writing the header (and BOM) when a file is new.

    For runs over many tables (a city's or a province's departments): results go to disk
    table by table, so memory stays that of one table.
    """
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, (frame, columns) in result_columns(evaluation).items():
        path = out / FILES[name]
        new = not path.is_file() or path.stat().st_size == 0
        with path.open("ab") as fh:
            write_csv(fh, frame, header=new, columns=columns, lead="\ufeff" if new else "")
        written[name] = path
    return written


def result_tables(evaluation: Any) -> dict[str, pd.DataFrame]:
    """The result columns of one table's indicators and projects, and its issues: the same columns for
    every table, so rows appended from many tables line up with the header written first."""
    return {name: frame.reindex(columns=columns) for name, (frame, columns) in result_columns(evaluation).items()}


def result_columns(evaluation: Any) -> dict[str, tuple[pd.DataFrame, list[str]]]:
    """:func:`result_tables` as (frame, columns) for ``csv_text(frame, columns=columns)``, which
    writes them as the reindexed frame has them without making it."""
    return {"indicators": (evaluation.indicators, INDICATOR_RESULT_COLUMNS),
            "projects": (_with_full_marks(evaluation.projects, evaluation.rule_pack), PROJECT_RESULT_COLUMNS),
            "issues": (evaluation.issues, ISSUE_COLUMNS)}


def _with_full_marks(projects: pd.DataFrame, pack: Any) -> pd.DataFrame:
    """The projects with 满分 beside 总分 (see :func:`.labels.full_marks`)."""
    if projects is None or not len(projects.columns) or "full_marks" in projects.columns or "total" not in projects:
        return projects
    at = list(projects.columns).index("total") + 1
    out = projects.copy()
    out.insert(at, "full_marks", full_marks(projects, pack))
    return out


def _tables(evaluation: Any, rollup: DepartmentRollup) -> dict[str, pd.DataFrame]:
    return {"indicators": evaluation.indicators, "projects": _with_full_marks(rollup.projects, evaluation.rule_pack),
            "departments": departments_frame([rollup]), "issues": evaluation.issues, "warnings": rollup.warnings}


def _check_formats(formats: Iterable[str]) -> tuple[str, ...]:
    formats = tuple(formats)
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        sep = message("output_writer", "list_separator")
        raise ValueError(message("output_writer", "unknown_format", unknown=sep.join(unknown), known=sep.join(FORMATS)))
    return formats


def write_reports(evaluation: Any, outdir: str | Path, formats: Iterable[str] = FORMATS,
                  margin: float = DEFAULT_MARGIN, generated_at: Any = None,
                  rollup: DepartmentRollup | None = None, headers: str = "en") -> dict[str, Path]:
    """Write the department's reports into ``outdir``; return {kind: path}.

    ``formats`` picks from ``xlsx html csv json``. Same evaluation → same bytes. ``headers``: the CSV
    headers, ``en`` (contract names, the default here) or ``zh`` (Chinese, with code labels; the
    command line's default), see :mod:`.columns`.
    """
    if headers not in ("en", "zh"):
        raise ValueError(message("output_writer", "bad_headers", headers=repr(headers)))
    formats = _check_formats(formats)
    out = Path(outdir)
    rollup = rollup or rollup_department(evaluation, margin=margin)
    prov = build_provenance(evaluation, rollup.department, generated_at)
    written: dict[str, Path] = {}
    tables = _tables(evaluation, rollup)
    if "csv" in formats:  # the CSVs first: the cheapest, and what a long run's user needs soonest
        for name, frame in tables.items():
            written[name] = write_bytes(out / FILES[name], to_csv_bytes(chinese(name, frame) if headers == "zh" else frame))
    if "xlsx" in formats:
        written["xlsx"] = write_bytes(out / FILES["xlsx"], workbook_bytes(department_workbook(evaluation, rollup, prov), prov))
    if "html" in formats:
        written["html"] = write_bytes(out / FILES["html"], render_department(evaluation, rollup, prov).encode("utf-8"))
    if "json" in formats:
        payload = {"provenance": prov, "notices": notices(evaluation),
                   **{name: records(frame) for name, frame in tables.items()}}
        written["json"] = write_bytes(out / FILES["json"], to_json_bytes(payload))
    return written


def _comparison_zh(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """A comparison table with Chinese headers (the merged tables as :func:`.columns.chinese` writes them)."""
    from ..rollup import PROFILE_NAMES
    from .labels import QUALITY_COLUMNS, RANKING_COLUMNS

    if name in ("indicators", "projects", "departments", "issues"):
        return chinese(name, frame)
    zh = messages()["output_comparison_headers"]
    names = {"ranking": {**dict(RANKING_COLUMNS), **{c: zh[c] for c in ("rank_settled", "few_scored", "score_basis")}},
             "quality": dict(QUALITY_COLUMNS),
             "profile": {"department": zh["department"],
                         **{k: zh["profile"].format(block=v) for k, v in PROFILE_NAMES.items()}}}.get(name, {})
    if name == "pack_ranks":
        names = {c: (zh[c] if c in ("department", "rank_stable")
                     else c.replace("score:", zh["score_prefix"]).replace("rank:", zh["rank_prefix"])) for c in frame.columns}
    return frame.rename(columns={c: names.get(c, c) for c in frame.columns})


def write_comparison(comparison: Any, outdir: str | Path, formats: Iterable[str] = FORMATS,
                     generated_at: Any = None, headers: str = "en") -> dict[str, Path]:
    """Write a comparison (ranking, profiles, quality, pack ranks, each department) into ``outdir``.
    ``headers``: CSV headers, ``en`` (contract names) or ``zh`` (Chinese, the command line's default)."""
    formats = _check_formats(formats)
    out = Path(outdir)
    provs = [build_provenance(ev, r.department, generated_at) for r, ev in zip(comparison.rollups, comparison.evaluations)]
    prov = merge_provenance(provs)
    if generated_at is not None:
        prov["generated_at"] = provs[0].get("generated_at") if provs else None
    comparison.provenance = prov
    tables = {"ranking": comparison.ranking, "profile": comparison.profile, "quality": comparison.quality,
              "pack_ranks": comparison.pack_ranks, "departments": comparison.departments}
    frames_ind, frames_proj, frames_iss = [], [], []
    for r, ev in zip(comparison.rollups, comparison.evaluations):
        frames_ind.append(ev.indicators.assign(department=r.department))
        frames_proj.append(r.projects.assign(department=r.department))
        if ev.issues is not None and len(ev.issues):
            frames_iss.append(ev.issues.assign(department=r.department))
    tables["indicators"] = pd.concat(frames_ind, ignore_index=True) if frames_ind else pd.DataFrame()
    tables["projects"] = pd.concat(frames_proj, ignore_index=True) if frames_proj else pd.DataFrame()
    tables["issues"] = pd.concat(frames_iss, ignore_index=True) if frames_iss else pd.DataFrame()
    written: dict[str, Path] = {}
    if "xlsx" in formats:
        written["xlsx"] = write_bytes(out / "comparison.xlsx", workbook_bytes(comparison_workbook(comparison, prov), prov))
    if "html" in formats:
        written["html"] = write_bytes(out / "comparison.html", render_comparison(comparison, prov).encode("utf-8"))
    if "csv" in formats:
        for name, frame in tables.items():
            written[name] = write_bytes(out / f"comparison_{name}.csv" if name in ("ranking", "profile", "quality", "pack_ranks")
                                        else out / f"{name}.csv",
                                        to_csv_bytes(_comparison_zh(name, frame) if headers == "zh" else frame))
    if "json" in formats:
        payload = {"provenance": prov, **{name: records(frame) for name, frame in tables.items()}}
        written["json"] = write_bytes(out / "comparison.json", to_json_bytes(payload))
    return written
