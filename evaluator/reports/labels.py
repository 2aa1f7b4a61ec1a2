"""Chinese labels for report columns and status codes (one place, shared by xlsx and html)."""
from __future__ import annotations

import re
from typing import Any

from ..wording import fixed, message, messages

#: status → its Chinese name, one wording for every output (data/messages.toml [status])
STATUS = dict(messages()["status"])
#: method / severity code → its Chinese label (data/wording/reports.toml)
METHOD = dict(messages()["reports_method"])
SEVERITY = dict(messages()["reports_severity"])
#: start of a scoring flag code → how the reports word it
FLAG_PREFIX = dict(messages()["reports_flags"])

#: (column, heading) of the tables the workbook and the HTML report show, in order
ISSUE_COLUMNS = list(messages()["reports_issue_columns"].items())
PROJECT_COLUMNS = list(messages()["reports_project_columns"].items())
RANKING_COLUMNS = list(messages()["reports_ranking_columns"].items())
QUALITY_COLUMNS = list(messages()["reports_quality_columns"].items())

PERCENT_COLUMNS = {"execution_rate", "share_measurable", "share_qualitative_weight",
                   "output", "benefit", "satisfaction", "execution", "cost"}


#: a department code the source table writes in front of the name: ``207101天津市…``, ``820001-井研县…``
_DEPT_CODE = re.compile(r"^\s*[\[【(（]?\d{3,}[\]】)）]?[\s\-—_:：.、]*(?=[^\d年月])")


def department_label(name: Any) -> str:
    """A department as shown to a reader: the name without the raw code the table prints in front of it."""
    text = str(name or "")
    stripped = _DEPT_CODE.sub("", text, count=1)
    return stripped if stripped.strip() else text


def grade_label(grade: Any, pending: bool = True) -> str:
    """等级 as shown: 待定 when there is a score but no grade yet (the interval crosses a grade line)."""
    text = "" if grade is None or (isinstance(grade, float) and grade != grade) else str(grade)
    return text or (message("reports_labels", "grade_pending") if pending else "")


def status_label(code: Any) -> str:
    return STATUS.get(str(code), str(code or ""))


def flag_label(code: Any) -> str:
    text = str(code or "")
    for prefix, label in FLAG_PREFIX.items():
        if text.startswith(prefix):
            return label
    return text


def full_marks(projects: Any, pack: Any) -> Any:
    """满分 of each project: the execution weight plus the weights of its indicator blocks (and points of
    blocks the table leaves out, when the pack awards them). 100 for a complete table; e.g. 70 when a
    table's indicator weights sum to 60. NaN for a project without indicators (涉密 …)."""
    import numpy as np
    import pandas as pd

    if projects is None or not len(projects):
        return pd.Series(dtype=float)
    execution = float(pack.weights.get("execution", 0.0)) if pack is not None else 0.0
    blocks = [c for c in projects.columns if c.startswith("weight_")]
    full = projects[blocks].fillna(0.0).sum(axis=1) + execution if blocks else pd.Series(100.0, index=projects.index)
    if "absent_points" in projects:
        full = full + projects["absent_points"].fillna(0.0)
    has = projects["total"].notna() if "total" in projects else pd.Series(True, index=projects.index)
    return full.round(2).where(has, np.nan)


def points(x: Any) -> str:
    """A score as every report writes it: two decimals, half-up from its decimal value (the engine's one
    number formatter, :func:`evaluator.wording.fixed`); "" for None/NaN."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return ""
    return fixed(v, 2)


def total_with_full(total: Any, full: Any, fmt: str = "{:.2f}") -> str:
    """``68.50（满分 70）`` when a project's 满分 is not 100, else just the total."""
    try:
        t, f = float(total), float(full)
    except (TypeError, ValueError):
        return ""
    if t != t:
        return ""
    text = points(t) if fmt == "{:.2f}" else fmt.format(t)
    if f == f and abs(f - 100.0) > 1e-6:
        text += message("reports_labels", "full_marks", full=f)
    return text


def issue_label(code: Any) -> str:
    """An issue code as a clerk reads it: its title in data/issues.toml (unknown codes as they are)."""
    from ..issues import issue_codes

    entry = issue_codes().get(str(code or ""))
    return entry.title if entry is not None else str(code or "")
