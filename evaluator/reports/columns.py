"""The one declaration of every report column: name, dtype, Chinese header, and which outputs carry it.

CSV files are written with the Chinese headers by default (``evaluator score --headers zh``) and with
the English contract names on request (``--headers en``, and the Python API's default, which programs
read). With Chinese headers, codes are turned into labels a clerk reads — 状态 已评分 — and the code
keeps a column of its own (状态代码 ``scored``). docs/reports.md's data dictionary lists every column
declared here; ``tests/test_report_columns.py`` checks that every column written is declared and
documented.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import pandas as pd

from . import labels


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str      # text, int, number, share (0–1), bool, code
    zh: str         # the Chinese header
    outputs: str = "csv json"  # where the column appears (xlsx/html show a chosen subset, see excel.py/html.py)
    meaning: str = ""


def _cols(rows: list[tuple[str, ...]]) -> list[Column]:
    return [Column(*r) for r in rows]


INDICATORS = _cols([
    ("source_file", "text", "来源文件"), ("project_id", "text", "项目编号", "csv json xlsx html"),
    ("project", "text", "项目名称", "csv json xlsx html"), ("department", "text", "部门"),
    ("indicator_no", "int", "指标序号", "csv json html"), ("level1_code", "code", "一级指标代码"),
    ("level1", "text", "一级指标", "csv json xlsx html"), ("level1_code_printed", "code", "表中一级指标代码"),
    ("level2_code", "code", "二级指标代码"), ("level2", "text", "二级指标", "csv json xlsx html"),
    ("level2_code_printed", "code", "表中二级指标代码"), ("level1_raw", "text", "表中一级指标原文"),
    ("level2_raw", "text", "表中二级指标原文"), ("name", "text", "指标名称", "csv json xlsx html", "三级指标"),
    ("annual_text", "text", "年度指标值"), ("period_text", "text", "实施周期指标值"),
    ("target_text", "text", "评分所用指标值", "csv json xlsx html"),
    ("target_source", "code", "指标值来源", "csv json", "annual 年度 / period 实施周期"),
    ("target", "text", "编译后的指标值"), ("kind", "code", "指标值种类", "csv json", "compare range all zero trend done formula qualitative empty"),
    ("weight", "number", "表中分值"), ("weight_text", "text", "表中分值原文"),
    ("direction_hint", "code", "方向提示"), ("unit_hint", "text", "单位提示"),
    ("source_sheet", "text", "来源工作表"), ("source_row", "int", "来源行"), ("source_column", "text", "来源列"),
    ("measurable", "bool", "可计量"), ("target_class", "code", "指标类别"), ("category_conflict", "bool", "类别矛盾"),
    ("annual_kind", "code", "年度指标值种类"), ("period_kind", "code", "实施周期指标值种类"),
    ("nature_text", "text", "指标性质原文"), ("direction_text", "text", "指标方向原文"),
    ("table_actual_text", "text", "表中实际完成值"), ("table_score_text", "text", "表中得分"),
    ("table_rating_text", "text", "表中评定"), ("table_prior_text", "text", "表中上年实际值"),
    ("actual_text", "text", "实际完成值", "csv json xlsx html"), ("prior_text", "text", "上年值"),
    ("rating", "text", "评定"), ("self_score", "number", "单位自评得分"), ("note", "text", "偏差原因"),
    ("actual_file", "text", "实际完成值文件"), ("actual_row", "int", "实际完成值行"),
    ("block", "code", "板块", "csv json", "output 产出 / benefit 效益 / satisfaction 满意度 / cost 成本"),
    ("op_used", "code", "比较方向"), ("op_source", "code", "比较方向来源"),
    ("status", "code", "状态代码", "csv json html", "scored pending not_evaluable excluded"),
    ("status_label", "text", "状态", "csv", "状态代码的中文"),
    ("method", "code", "计分方式代码", "csv json", "auto 自动计分 / review 评审评定"),
    ("method_label", "text", "计分方式", "csv", "计分方式代码的中文"),
    ("ratio", "share", "得分率"), ("rule", "text", "计分规则"), ("flag", "code", "提示代码"),
    ("over_times", "number", "超额倍数"), ("actual_value", "number", "实际值（数值）"),
    ("target_value", "number", "指标值（数值）"), ("pending_reason", "text", "待补/待评原因"),
    ("weight_points", "number", "分值", "csv json xlsx html"), ("points", "number", "得分", "csv json xlsx html"),
    ("self_diff", "number", "自评差异", "csv json", "单位自评得分 − 引擎得分"),
    ("explanation", "text", "说明", "csv json xlsx html", "得分的中文解释"),
])

PROJECTS = _cols([
    ("source_file", "text", "来源文件"), ("project_id", "text", "项目编号", "csv json xlsx html"),
    ("department", "text", "部门"), ("project", "text", "项目名称", "csv json xlsx html"),
    ("budget_total", "number", "年初预算数（万元）"), ("budget_fiscal", "number", "财政拨款（万元）"),
    ("budget_special", "number", "财政专户拨款（万元）"), ("budget_other", "number", "其他资金（万元）"),
    ("classified", "bool", "涉密"), ("goal", "text", "年度总体目标"), ("n_indicators", "int", "指标数"),
    ("source_sheet", "text", "来源工作表"), ("source_row", "int", "来源行"),
    ("table_budget_initial", "number", "表中年初预算数"), ("table_budget_annual", "number", "表中全年预算数"),
    ("table_spent_annual", "number", "表中全年执行数"), ("table_execution_score", "number", "表中预算执行得分"),
    ("table_total_score", "number", "表中总分"), ("budget_annual", "number", "全年预算数（万元）", "csv json xlsx html"),
    ("spent_annual", "number", "全年执行数（万元）", "csv json xlsx"), ("self_execution", "number", "单位自评预算执行得分"),
    ("self_total_given", "number", "单位自评总分（表中）"), ("execution_rate", "share", "执行率", "csv json xlsx html"),
    ("execution_points", "number", "预算执行得分", "csv json xlsx html"), ("execution_status", "code", "预算执行状态"),
    ("budget_used", "number", "加权所用预算数（万元）"), ("budget_fallback", "bool", "预算数取自目标表"),
    ("points_output", "number", "产出得分", "csv json html"), ("weight_output", "number", "产出分值"),
    ("points_benefit", "number", "效益得分", "csv json html"), ("weight_benefit", "number", "效益分值"),
    ("points_satisfaction", "number", "满意度得分", "csv json html"), ("weight_satisfaction", "number", "满意度分值"),
    ("points_cost", "number", "成本得分"), ("weight_cost", "number", "成本分值"),
    ("total", "number", "总分", "csv json xlsx html"),
    ("full_marks", "number", "满分", "csv json xlsx html", "预算执行分值 + 各板块指标分值；表中分值合计不足时小于 100"),
    ("total_min", "number", "可达下限", "csv json html"), ("total_max", "number", "可达上限", "csv json html"),
    ("execution_cap", "number", "执行率封顶分"), ("grade", "text", "等级", "csv json xlsx html", "空 = 待定"),
    ("status", "code", "状态代码", "csv json html", "scored partial pending classified no_indicators"),
    ("status_label", "text", "状态", "csv"),
    ("share_auto", "share", "自动计分分值占比"), ("share_review", "share", "评审评定分值占比"),
    ("share_pending", "share", "待补/待评分值占比"), ("share_not_evaluable", "share", "无法评价分值占比"),
    ("absent_points", "number", "缺项板块计入分"), ("self_total", "number", "单位自评分", "csv json html"),
    ("self_diff", "number", "自评差异", "csv json html"), ("execution_explanation", "text", "预算执行说明"),
    ("summary", "text", "项目小结", "csv json xlsx html"), ("included", "bool", "参与部门平均"),
    ("excluded_reason", "text", "不参与平均原因", "csv json html"), ("boundary_warning", "text", "等级临界提示", "csv json xlsx html"),
])

DEPARTMENTS = _cols([
    ("source_file", "text", "来源文件"), ("department", "text", "部门"),
    ("score", "number", "部门得分（预算加权）"), ("score_min", "number", "部门得分可达下限"),
    ("score_max", "number", "部门得分可达上限"), ("score_simple", "number", "简单平均"),
    ("score_simple_min", "number", "简单平均可达下限"), ("score_simple_max", "number", "简单平均可达上限"),
    ("score_basis", "text", "口径"), ("budget_column", "code", "加权所用预算列"),
    ("budget_scored", "number", "参与平均项目预算合计（万元）"), ("grade", "text", "部门等级", "csv json", "空 = 待定"),
    ("grade_note", "text", "等级说明"), ("n_projects", "int", "项目数"), ("n_scored_projects", "int", "参与平均项目数"),
    ("n_pending_projects", "int", "含待评项目数"), ("n_excluded_projects", "int", "不参与平均项目数"),
    ("excluded_projects", "text", "不参与平均的项目"), ("grade_优", "int", "等级优项目数"), ("grade_良", "int", "等级良项目数"),
    ("grade_中", "int", "等级中项目数"), ("grade_差", "int", "等级差项目数"), ("grade_待定", "int", "等级待定项目数"),
    ("grade_distribution", "text", "等级分布"), ("n_indicators", "int", "指标数"),
    ("n_scored_indicators", "int", "已评分指标数"), ("n_pending_indicators", "int", "待补/待评指标数"),
    ("n_not_evaluable_indicators", "int", "无法评价指标数"), ("profile_output", "share", "产出得分率"),
    ("profile_benefit", "share", "效益得分率"), ("profile_satisfaction", "share", "满意度得分率"),
    ("profile_execution", "share", "预算执行得分率"), ("n_measurable", "int", "可计量指标数"),
    ("share_measurable", "share", "可计量指标占比"), ("share_qualitative_weight", "share", "定性指标分值占比"),
    ("n_contradictions", "int", "矛盾数"), ("contradiction_codes", "text", "矛盾代码"),
    ("n_boundary_warnings", "int", "临界提示项目数"), ("rule_pack", "text", "规则包"),
])

ISSUES = _cols([
    ("source_file", "text", "来源文件"), ("department", "text", "部门", "csv json", "比较报告的合并问题清单"), ("code", "code", "问题代码", "csv json html"),
    ("code_label", "text", "问题类型", "csv"), ("severity", "code", "级别代码", "csv json"),
    ("severity_label", "text", "级别", "csv xlsx html"), ("message", "text", "说明", "csv json xlsx html"),
    ("file", "text", "文件", "csv json xlsx html"), ("sheet", "text", "工作表", "csv json xlsx html"),
    ("row", "int", "行", "csv json xlsx html"), ("column", "text", "列", "csv json xlsx html"),
    ("project_id", "text", "项目编号"), ("project", "text", "项目", "csv json xlsx html"),
    ("indicator_no", "int", "指标序号", "csv json xlsx html"), ("cell", "text", "单元格内容", "csv json xlsx html"),
])

WARNINGS = _cols([
    ("project_id", "text", "项目编号"), ("project", "text", "项目名称"), ("total", "number", "总分"),
    ("boundary", "number", "等级线"), ("direction", "code", "方向", "csv json", "up 可升档 / down 可能降档"),
    ("grade_now", "text", "现等级"), ("grade_then", "text", "变动后等级"), ("gap", "number", "差距"),
    ("indicator_no", "int", "指标序号"), ("indicator", "text", "指标"), ("points", "number", "现得分"),
    ("weight_points", "number", "分值"), ("change", "text", "所需变化"),
])

#: tables.csv of `evaluator batch`: one row per input table
BATCH_TABLES = _cols([
    ("source_file", "text", "目标表文件"), ("actuals_file", "text", "实际完成值文件"), ("status", "text", "状态"),
    ("indicators_in", "int", "读入指标数"), ("indicators_out", "int", "输出指标数"), ("projects", "int", "项目数"),
    ("issues", "int", "问题数"), ("errors", "int", "错误数"), ("reason", "text", "未能评分的原因"),
])

#: columns of each written table, by the table's name in :data:`evaluator.reports.writer.FILES`
TABLES: dict[str, list[Column]] = {"indicators": INDICATORS, "projects": PROJECTS, "departments": DEPARTMENTS,
                                   "issues": ISSUES, "warnings": WARNINGS, "tables": BATCH_TABLES}

#: code column → (label column, code → label) added beside it with Chinese headers
LABELLED: dict[str, dict[str, tuple[str, Callable[[Any], str]]]] = {
    "indicators": {"status": ("status_label", labels.status_label),
                   "method": ("method_label", lambda c: labels.METHOD.get(str(c), str(c or "")))},
    "projects": {"status": ("status_label", labels.status_label)},
    "issues": {"severity": ("severity_label", lambda c: labels.SEVERITY.get(str(c), str(c or ""))),
               "code": ("code_label", labels.issue_label)},
}


def zh_header(table: str) -> dict[str, str]:
    return {c.name: c.zh for c in TABLES.get(table, [])}


def english_header(table: str) -> dict[str, str]:
    """Chinese header → contract name of a table's columns (to read back a CSV written with ``zh``)."""
    return {c.zh: c.name for c in TABLES.get(table, [])}


def chinese(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as written with Chinese headers: label columns beside their codes, headers renamed.
    Columns not declared keep their name (the registry test keeps that from happening)."""
    if frame is None or not len(frame.columns):
        return frame
    out = frame
    extra = LABELLED.get(table, {})
    if extra:
        cols: dict[str, Any] = {}
        for col in frame.columns:
            if col in extra:
                label_col, fn = extra[col]
                codes = frame[col]
                uniques = {v: fn(v) for v in pd.unique(codes.astype(object))}
                cols[label_col] = codes.astype(object).map(uniques)
            cols[col] = frame[col]
        out = pd.DataFrame(cols, index=frame.index)
    names = zh_header(table)
    return out.rename(columns={c: names.get(c, c) for c in out.columns})


def chinese_csv_file(path: Any, table: str, chunk_rows: int = 200_000) -> None:
    """Rewrite a CSV written with the contract names (as :mod:`evaluator.batch` writes its results) with
    the Chinese headers and label columns, chunk by chunk (memory stays that of one chunk). Cells are
    read back as the text written, so numbers keep their exact digits."""
    import os
    from pathlib import Path

    from .tables import csv_text

    path = Path(path)
    tmp = path.with_name(path.name + ".zh-tmp")
    with tmp.open("w", encoding="utf-8", newline="") as out:
        first = True
        for chunk in pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8-sig",
                                 chunksize=chunk_rows):
            out.write(("\ufeff" if first else "") + csv_text(chinese(table, chunk), header=first))
            first = False
        if first:  # an empty file: the header alone
            head = pd.read_csv(path, dtype=str, encoding="utf-8-sig", nrows=0)
            out.write("\ufeff" + csv_text(chinese(table, head)))
    os.replace(tmp, path)


def dictionary_markdown() -> str:
    """The data dictionary of docs/reports.md (generated from the registry, checked by a test)."""
    parts = []
    titles = {"indicators": "indicators.csv（每个指标一行）", "projects": "projects.csv（每个项目一行）",
              "departments": "departments.csv（每个部门一行）", "issues": "issues.csv（每个问题一行）",
              "warnings": "boundary_warnings.csv（等级临界提示）",
              "tables": "tables.csv（`evaluator batch`：每张输入表一行）"}
    for table, cols in TABLES.items():
        parts.append(f"### {titles[table]}\n\n| 中文表头 | English (`--headers en`) | 类型 dtype | 出现在 outputs | 说明 |\n|---|---|---|---|---|")
        for c in cols:
            parts.append(f"| {c.zh} | `{c.name}` | {c.dtype} | {c.outputs} | {c.meaning} |")
        parts.append("")
    return "\n".join(parts)


if __name__ == "__main__":  # python -m evaluator.reports.columns docs/reports.md: rewrite the dictionary there
    import sys
    from pathlib import Path

    doc = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/reports.md")
    text = doc.read_text(encoding="utf-8")
    start = "<!-- data dictionary: generated from evaluator/reports/columns.py (dictionary_markdown) -->"
    end = "<!-- end of data dictionary -->"
    a, b = text.index(start) + len(start) + 1, text.index(end)
    doc.write_text(text[:a] + dictionary_markdown() + "\n" + text[b:], encoding="utf-8")
