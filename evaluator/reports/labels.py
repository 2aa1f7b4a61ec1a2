"""Chinese labels for report columns and status codes (one place, shared by xlsx and html)."""
from __future__ import annotations

import re
from typing import Any

from ..wording import fixed

from ..wording import messages

#: status → its Chinese name, one wording for every output (data/messages.toml [status])
STATUS = dict(messages()["status"])
METHOD = {"auto": "自动计分", "review": "评审评定"}
SEVERITY = {"error": "错误", "warning": "警告", "info": "提示"}
FLAG_PREFIX = {"over_achieved": "超额完成（指标值可能设置偏低）"}

ISSUE_COLUMNS = [("severity", "级别"), ("code", "代码"), ("message", "说明"), ("file", "文件"),
                 ("sheet", "工作表"), ("row", "行"), ("column", "列"), ("project", "项目"),
                 ("indicator_no", "指标序号"), ("cell", "单元格内容")]

PROJECT_COLUMNS = [("project_id", "编号"), ("project", "项目名称"), ("budget", "预算数（万元）"),
                   ("execution_rate", "执行率"), ("execution_points", "预算执行得分"),
                   ("points_output", "产出"), ("points_benefit", "效益"), ("points_satisfaction", "满意度"),
                   ("total", "总分"), ("total_min", "可达下限"), ("total_max", "可达上限"), ("grade", "等级"),
                   ("status", "状态"), ("self_total", "单位自评分"), ("self_diff", "差异"),
                   ("boundary_warning", "等级临界提示"), ("excluded_reason", "不参与平均原因")]

RANKING_COLUMNS = [("rank", "名次"), ("department", "部门"), ("score", "部门得分（预算加权）"),
                   ("score_min", "可达下限"), ("score_max", "可达上限"), ("rank_best", "最好名次"),
                   ("rank_worst", "最差名次"), ("grade", "等级"), ("score_simple", "简单平均"),
                   ("rank_simple", "简单平均名次"), ("n_scored_projects", "已评分项目数"),
                   ("n_scored_indicators", "已评分指标数"), ("note", "说明")]

QUALITY_COLUMNS = [("department", "部门"), ("n_indicators", "指标数"), ("share_measurable", "可量化指标占比"),
                   ("share_qualitative_weight", "定性指标分值占比"), ("n_contradictions", "检查发现的矛盾"),
                   ("n_excluded_projects", "不参与平均的项目数"), ("excluded_projects", "不参与平均的项目")]

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
    return text or ("待定" if pending else "")


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
        text += f"（满分 {f:g}）"
    return text


def issue_label(code: Any) -> str:
    """An issue code as a clerk reads it: its title in data/issues.toml (unknown codes as they are)."""
    from ..issues import issue_codes

    entry = issue_codes().get(str(code or ""))
    return entry.title if entry is not None else str(code or "")
