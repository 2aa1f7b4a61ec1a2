"""The preamble of the official 项目支出绩效自评表 (财预〔2020〕10号 template).

Above the indicator grid a self-evaluation table prints label cells followed by their
value: 项目名称 | …, 主管部门 | … | 实施单位 | …, a funds block (项目资金 | 年初预算数 |
全年预算数 | 全年执行数 | 分值 | 执行率 | 得分, then the 年度资金总额 row) and 年度总体目标;
its last row is 总分. Every label word is in ``data/headers.toml`` ([labels] se_*).

>>> from evaluator.readers.io import Row
>>> rows = [Row(1, ("项目名称", "社区矫正工作经费")),
...         Row(2, ("项目资金（万元）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")),
...         Row(3, ("", "年度资金总额", "50", "50", "46", "10", "92%", "9.2"))]
>>> p = read_preamble(rows); (p["project"], p["budget_annual"], p["spent_annual"], p["execution_score"])
('社区矫正工作经费', '50', '46', '9.2')
"""
from __future__ import annotations

from .io import Row
from .model import ProjectRecord, RawTable, looks_like_amount
from .vocab import fold, has_label, vocabulary


def _value_after(cells: tuple[str, ...], j: int) -> str:
    return next((c for c in cells[j + 1:] if c), "")


def read_preamble(rows: list[Row]) -> dict[str, str]:
    """What the rows above the indicator header say about the project ({} when nothing)."""
    out: dict[str, str] = {}
    funds_cols: dict[str, int] = {}
    for k, row in enumerate(rows):
        cells = row.cells
        for j, cell in enumerate(cells):
            if not cell:
                continue
            if has_label(cell, "se_project") and "project" not in out:
                out["project"] = _value_after(cells, j)
            elif has_label(cell, "se_department") and "department" not in out:
                out["department"] = _value_after(cells, j)
        if any(has_label(c, "se_budget") for c in cells) and any(has_label(c, "se_spent") for c in cells):
            funds_cols = _funds_columns(cells)
            out["funds_row"] = str(row.number)
            continue
        first = next((c for c in cells if c), "")
        if funds_cols and any(has_label(c, "se_funds_row") for c in cells[:3]):
            for key, j in funds_cols.items():
                if j < len(cells) and looks_like_amount(cells[j]):
                    out.setdefault(key, cells[j])
            funds_cols = {}
        elif has_label(first, "se_goal") and "goal" not in out:
            below = rows[k + 1].cells if k + 1 < len(rows) else ()
            out["goal"] = next((c for c in below if c), "")
    return {k: v for k, v in out.items() if v}


def _funds_columns(cells: tuple[str, ...]) -> dict[str, int]:
    cols: dict[str, int] = {}
    for j, cell in enumerate(cells):
        for key, label in (("budget_initial", "se_initial"), ("budget_annual", "se_budget"),
                           ("spent_annual", "se_spent"), ("execution_score", "se_exec_score")):
            if key not in cols and has_label(cell, label):
                cols[key] = j
    return cols


def total_score(row: Row) -> str | None:
    """The 得分 printed on a 总分 row (its last number), or None when the row is not one."""
    first = next((c for c in row.cells if c), "")
    if not has_label(first, "se_total"):
        return None
    numbers = [c for c in row.cells if looks_like_amount(c)]
    return numbers[-1] if numbers else ""


def preamble_project(header, rows, table: RawTable, sheet: str | None) -> ProjectRecord | None:
    """The project a self-evaluation table names above its grid, with its funds (None if it names none)."""
    if header.find("project") is not None:
        return None
    pre = read_preamble(list(rows))
    if not pre.get("project"):
        return None
    department = pre.get("department", "") or table.department
    if department and not table.department:
        table.department = department
    row = next((r.number for r in rows if pre["project"] in r.cells), rows[0].number if rows else 1)
    project = ProjectRecord(pre["project"], department, sheet, row, goal=pre.get("goal", ""))
    project.self_evaluation = {k: pre[k] for k in ("budget_initial", "budget_annual", "spent_annual",
                                                   "execution_score", "funds_row") if k in pre}
    table.projects.append(project)
    return project


def starts_block(row: Row, in_self_evaluation: bool) -> bool:
    """The first row of the next stacked 自评表: its title, or 项目名称 inside a self-evaluation file."""
    first = next((c for c in row.cells if c), "")
    if any(w in fold(first) for w in vocabulary().labels["se_title"]):
        return True
    return in_self_evaluation and has_label(first, "se_project")
