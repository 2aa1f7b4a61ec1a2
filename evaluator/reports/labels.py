"""Chinese labels for report columns and status codes (one place, shared by xlsx and html)."""
from __future__ import annotations

from typing import Any

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


def status_label(code: Any) -> str:
    return STATUS.get(str(code), str(code or ""))


def flag_label(code: Any) -> str:
    text = str(code or "")
    for prefix, label in FLAG_PREFIX.items():
        if text.startswith(prefix):
            return label
    return text
