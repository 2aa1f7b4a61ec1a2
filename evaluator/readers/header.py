"""Find the header row of a table and name its columns; read label lines.

>>> h = parse_header(("一级指标", "二级指标", "三级指标", "指标值"), 1)
>>> h.layout, [c.field for c in h.columns]
('rows', ['level1', 'level2', 'name', 'annual'])
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

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
        if field in BLOCK_FIELDS and block is None and counts[field] > 1:
            # paired blocks without qualifiers: the first is the period block
            block = "period" if seen[field] == 0 else "annual"
        if field is not None:
            seen[field] += 1
        if field == "annual" and block == "period":
            field = "period"
        columns.append(Column(i, field, block, cell))
    return tuple(columns)


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
