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

import re

from .io import Row
from .model import ProjectRecord, RawTable, looks_like_amount
from .vocab import fold, has_label, vocabulary
from ..wording import message


def _value_after(cells: tuple[str, ...], j: int) -> str:
    return next((c for c in cells[j + 1:] if c), "")


def _value_not_label(cells: tuple[str, ...], j: int) -> str:
    """The value after a label cell, or "" when the next filled cell is another label (the value is empty)."""
    value = _value_after(cells, j)
    kinds = ("se_department", "se_project", "se_budget_value", "money_unit")
    return "" if value and any(is_label(value, k) for k in kinds) else value


def _label(cell: str) -> str:
    """A label cell folded, without its trailing colon: ``年度资金总额：`` → ``年度资金总额``."""
    return fold(cell).rstrip(":")


def is_label(cell: str, kind: str) -> bool:
    return bool(cell) and _label(cell) in vocabulary().labels[kind]


def read_preamble(rows: list[Row]) -> dict[str, str]:
    """What the rows above the indicator header say about the project ({} when nothing).

    Money is read in two shapes: a funds table (a row naming 年初预算数 / 全年预算数 /
    调整后预算数 / 全年执行数 …, then the 年度资金总额 / 总额 row under it, whose cells may be
    shifted left by a merged label cell), or a label followed by its amount
    (``年度资金总额： | 1000.00``, ``当年预算 | 229.66``, ``3359.62万``).
    """
    out: dict[str, str] = {}
    funds_cols: dict[str, int] = {}
    for k, row in enumerate(rows):
        cells = _split_labels(row.cells)
        for j, cell in enumerate(cells):
            if not cell:
                continue
            if is_label(cell, "se_project") and not out.get("project"):
                out["project"] = _value_not_label(cells, j)
            elif is_label(cell, "se_department") and not out.get("department"):
                out["department"] = _value_not_label(cells, j)
            elif is_label(cell, "se_budget_value") and "budget_total" not in out and not funds_cols:
                value = _value_after(cells, j)
                if looks_like_amount(value):
                    out["budget_total"] = value
                    out["budget_row"] = str(row.number)
        cols = _funds_columns(cells)
        if "budget_annual" in cols or ("budget_initial" in cols and "spent_annual" in cols) or (
                "budget_total" in cols and not any(looks_like_amount(c) for c in cells)):
            funds_cols = cols
            out["funds_row"] = str(row.number)
            continue
        first = next((c for c in cells if c), "")
        amounts = [j for j, c in enumerate(cells) if looks_like_amount(c)]
        if funds_cols and amounts and (any(is_label(c, "se_funds_row") for c in cells[:3])
                                       or not any(is_label(c, "se_funds_part") for c in cells[:3])):
            # the row's cells may be shifted left by label cells merged from the funds header row
            offset = min(funds_cols.values()) - amounts[0] if amounts[0] < min(funds_cols.values()) else 0
            for key, j in funds_cols.items():
                if 0 <= j - offset < len(cells) and looks_like_amount(cells[j - offset]):
                    out.setdefault(key, cells[j - offset])
            funds_cols = {}
        elif is_label(first, "se_goal") and "goal" not in out:
            rest = [c for c in cells[cells.index(first) + 1:] if c]
            below = rows[k + 1].cells if k + 1 < len(rows) else ()
            # 年度总体目标 | 预期目标 | … | 实际完成情况 heads two columns whose text is on the next row
            heads = rest and all(len(fold(c)) <= 8 and any(w in c for w in vocabulary().se_goal_heads) for c in rest)
            out["goal"] = rest[0] if rest and not heads else next((c for c in below if c), "")
    return {k: v for k, v in out.items() if v}


_LABEL_IN_CELL = re.compile(r"^\s*([^:：]{2,12}?)\s*[:：]\s*(\S.*?)\s*$", re.S)


def _split_labels(cells: tuple[str, ...]) -> tuple[str, ...]:
    """``项目名称：河道保洁`` in one cell → ``项目名称`` | ``河道保洁`` (label and value in one cell)."""
    if not any(":" in c or "：" in c for c in cells):
        return cells
    out: list[str] = []
    for cell in cells:
        match = _LABEL_IN_CELL.match(cell) if cell else None
        if match and any(is_label(match.group(1), kind) for kind in ("se_project", "se_department", "se_budget_value")):
            out.extend((match.group(1), match.group(2)))
        else:
            out.append(cell)
    return tuple(out)


#: a money label naming its unit: 项目资金（元）, 年度预算数(万元)
_MONEY_UNIT_LABEL = re.compile(r"(资金|预算|金额|执行数)[^()]*\((万元|元)\)")


def declared_money_unit(rows: list[Row]) -> str:
    """The unit a form's money labels name (``项目资金（元）`` → ``元``), or ""."""
    for row in rows:
        for cell in row.cells:
            match = _MONEY_UNIT_LABEL.search(fold(cell)) if cell else None
            if match:
                return match.group(2)
    return ""


def _funds_columns(cells: tuple[str, ...]) -> dict[str, int]:
    cols: dict[str, int] = {}
    for j, cell in enumerate(cells):
        for key, label in (("budget_initial", "se_initial"), ("budget_annual", "se_budget"),
                           ("spent_annual", "se_spent"), ("execution_score", "se_exec_score"),
                           ("budget_total", "se_budget_value")):
            if key not in cols and is_label(cell, label):
                cols[key] = j
    if set(cols) <= {"execution_score"}:
        return {}
    if "budget_total" in cols and set(cols) & {"budget_initial", "budget_annual"}:
        del cols["budget_total"]  # a funds table: its own columns say which figure is which
    elif "budget_total" in cols and "spent_annual" in cols:
        cols["budget_annual"] = cols.pop("budget_total")  # 预算数 | 执行数: the year's budget and spending
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
    unit = declared_money_unit(list(rows))
    if unit and not table.money_unit_declared:
        table.money_unit, table.money_unit_declared = unit, True
    if not pre.get("project"):
        return None
    department = pre.get("department", "") or table.department
    if department and not table.department:
        table.department = department
    row = next((r.number for r in rows if pre["project"] in r.cells), rows[0].number if rows else 1)
    project = ProjectRecord(pre["project"], department, sheet, row, goal=pre.get("goal", ""))
    if pre.get("budget_total"):
        project.money_printed["budget_total"] = pre["budget_total"]
        project.money_columns["budget_total"] = message("readers_self_evaluation", "budget_column")
    project.self_evaluation = {k: pre[k] for k in ("budget_initial", "budget_annual", "spent_annual",
                                                   "execution_score", "funds_row") if k in pre}
    table.projects.append(project)
    return project


#: a form's number printed as its own title row: 表十二, 附表3, 表3-1
_FORM_NUMBER = re.compile(r"^(附表|附件|表)[0-9一二三四五六七八九十]+([-—－][0-9]+)?[:：]?$")


def is_title(row: Row) -> bool:
    """A form's title row (项目支出绩效自评表, 表十二, 2023年一般性项目绩效目标表(一级项目))."""
    filled = [c for c in row.cells if c]
    if not filled or len(filled) > 2:
        return False
    first = fold(filled[0])
    return bool(_FORM_NUMBER.match(first)) or (
        any(w in first for w in vocabulary().labels["se_title"]) and len(first) <= 40)


def starts_block(row: Row, in_self_evaluation: bool) -> bool:
    """The first row of the next stacked form: its title, or its project-name row inside a form file."""
    if is_title(row):
        return True
    first = next((c for c in row.cells if c), "")
    return in_self_evaluation and is_label(first, "se_project")
