"""Find the header row of a table and name its columns; read label lines.

>>> h = parse_header(("一级指标", "二级指标", "三级指标", "指标值"), 1)
>>> h.layout, [c.field for c in h.columns]
('rows', ['level1', 'level2', 'name', 'annual'])
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ..issues import Issue
from .vocab import fold, has_label, header_field, money_factor, vocabulary

#: fields that may appear in a period block and an annual block side by side
BLOCK_FIELDS = ("level2", "name", "annual")


@dataclass(frozen=True)
class Column:
    index: int
    field: str | None
    block: str | None
    label: str


@dataclass(frozen=True)
class Header:
    row: int
    columns: tuple[Column, ...]
    layout: str  # "seed" (one cell per project) or "rows" (one row per indicator)

    def find(self, field: str, block: str | None = None) -> Column | None:
        """The column holding ``field`` (in ``block`` when given)."""
        for col in self.columns:
            if col.field == field and (block is None or col.block == block):
                return col
        return None

    @property
    def width(self) -> int:
        return len(self.columns)


def parse_header(cells: tuple[str, ...], row: int) -> Header | None:
    """A :class:`Header` when ``cells`` look like a target table's header row, else None."""
    matches = [header_field(c) for c in cells]
    fields = [m[0] for m in matches if m]
    if len(fields) < 2:
        return None
    has = set(fields)
    if "name" in has or ("level2" in has and "annual" in has):
        layout = "rows"
    elif "indicator_cell" in has and "project" in has:
        layout = "seed"
    else:
        return None
    if len(fields) < 3 and len(fields) < len([c for c in cells if c]) / 2:
        return None  # a data row that happens to contain two header words
    columns = _columns(cells, matches, layout)
    return Header(row, columns, layout)


def _columns(cells, matches, layout: str) -> tuple[Column, ...]:
    counts = Counter(m[0] for m in matches if m)
    seen: Counter = Counter()
    columns = []
    for i, (cell, match) in enumerate(zip(cells, matches)):
        field, block = match if match else (None, None)
        if field == "indicator_cell" and layout == "rows":
            field = "label"  # the vertical 绩效指标 label beside an indicator grid
        if field in BLOCK_FIELDS and block is None and counts[field] > 1 and counts["annual"] > 1:
            # (only when 指标值 repeats too: a lone repeated 三级指标 is a duplicated column, not a block)
            # paired blocks without qualifiers: the first is the period block
            block = "period" if seen[field] == 0 else "annual"
        if field is not None:
            seen[field] += 1
        if field == "annual" and block == "period":
            field = "period"
        columns.append(Column(i, field, block, cell))
    return tuple(columns)


#: columns a target table may carry but the engine takes from the actuals file instead
ACTUALS_FIELDS = ("actual", "score")


def header_issues(header: Header, file: str, sheet: str | None) -> list[Issue]:
    """What the header itself says about the table: missing, duplicated, unknown or ignored columns."""
    from .io import column_letter

    where = dict(file=file, sheet=sheet, row=header.row)
    out: list[Issue] = []
    fields = {c.field for c in header.columns}
    if header.layout == "rows" and not fields & {"annual", "period"}:
        out.append(Issue("missing_column", "error", "表头缺少「指标值」（年度指标值/实施周期指标值）列：各指标都没有目标值，"
                         "无法评分", cell=" | ".join(c.label for c in header.columns if c.label), **where))
    if header.layout == "rows" and "name" not in fields:
        out.append(Issue("missing_column", "warning", "表头缺少「三级指标」列：指标没有名称，问题清单中只能按行号指认",
                         cell=" | ".join(c.label for c in header.columns if c.label), **where))
    seen: dict[tuple[str, str | None], Column] = {}
    for col in header.columns:
        letter = column_letter(col.index)
        if col.field is None:
            if col.label:
                out.append(Issue("unknown_column", "info", f"「{col.label}」不是绩效目标表的已知列，该列未读取"
                                 "（如是同义写法，可在 headers.toml 中添加别名）", column=letter, cell=col.label, **where))
            continue
        if col.field in ACTUALS_FIELDS:
            out.append(Issue("self_evaluation_column", "info", f"这是自评表：「{col.label}」列已读取；评分时如未另给实际完成值文件，"
                             "按此列计分（得分列作为单位自评得分对照）", column=letter, cell=col.label, **where))
        key = (col.field, col.block)
        if key in seen and col.field not in ("label", "note"):
            first = seen[key]
            out.append(Issue("duplicate_column", "warning", f"「{col.label}」与第 {column_letter(first.index)} 列"
                             f"「{first.label}」是同一列，只读取第一列中的内容", column=letter, cell=col.label, **where))
        seen.setdefault(key, col)
    return out


_LABEL_VALUE = re.compile(r"^\s*([^:：]{1,12})\s*[:：]\s*(.*?)\s*$", re.S)


def label_value(cell: str) -> tuple[str, str] | None:
    """``部门名称：XX`` → ``('department', 'XX')``; ``单位：万元`` → ``('money_unit', '万元')``.

    >>> label_value("单位:万元")
    ('money_unit', '万元')
    """
    match = _LABEL_VALUE.match(cell or "")
    if not match:
        return None
    label, value = match.group(1), match.group(2)
    if has_label(label, "money_unit") and money_factor(value) is not None:
        return "money_unit", fold(value)
    if has_label(label, "department") and value:
        return "department", strip_department_tags(value)
    return None


def strip_department_tags(name: str) -> str:
    """``中共广州市黄埔区委政法委员会（部门）`` → ``中共广州市黄埔区委政法委员会``."""
    text = name.strip()
    for tag in vocabulary().labels["department_tags"]:
        folded = fold(text)
        if folded.endswith(tag):
            # cut as many printed characters as the folded tag has
            text = text[: len(text) - len(tag)].rstrip()
    return text
