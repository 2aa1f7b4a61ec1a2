"""Find the header row of a table and name its columns; read label lines.

>>> h = parse_header(("一级指标", "二级指标", "三级指标", "指标值"), 1)
>>> h.layout, [c.field for c in h.columns]
('rows', ['level1', 'level2', 'name', 'annual'])
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ..issues import Issue, issue_message
from ..wording import message, messages
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


#: words that, alone in a header cell, only say which block a column belongs to
_QUALIFIER_ONLY = re.compile(r"^(年度|本年度?|当年|全年|实施周期|周期|中期|长期|整体)(目标|指标值|目标值|值)?$")
#: words of an upper header cell that groups the columns under it (data/wording/read.toml [read_header])
_GROUP_WORDS = tuple(messages()["read_header"]["group_words"])


def _qualifier_of(text: str) -> str:
    """``年度`` / ``实施周期`` when a header cell names only a block (``年度``, ``实施周期目标``)."""
    match = _QUALIFIER_ONLY.match(fold(text))
    return match.group(1) if match and not header_field(text) else ""


def is_subheader(cells: tuple[str, ...]) -> bool:
    """A second header row: every filled cell is a header word or a block word (年度, 实施周期)."""
    filled = [c for c in cells if c]
    return bool(filled) and all(header_field(c) or _qualifier_of(c) for c in filled)


def is_group_row(cells: tuple[str, ...]) -> bool:
    """An upper header row grouping the columns below: 绩效指标 | | | 年度指标值 | 实际完成值 …"""
    filled = [c for c in cells if c]
    if not filled:
        return False
    return all(header_field(c) or _qualifier_of(c) or any(w in fold(c) for w in _GROUP_WORDS)
               for c in filled) and any(_is_group_cell(c) for c in filled)


def _is_group_cell(text: str) -> bool:
    match = header_field(text)
    return not match or match[0] in ("label", "indicator_cell") or bool(_qualifier_of(text))


def combine_rows(upper: tuple[str, ...], lower: tuple[str, ...], width: int, positional: bool) -> tuple[str, ...]:
    """The labels of a two-row header, one per column: the lower label where there is one, qualified by
    the block its upper (group) cell names (``指标值`` under ``实施周期`` → ``指标值(实施周期)``), else the upper.

    ``positional``: both rows keep empty cells where merged ones are (a worksheet); otherwise
    (text copied from a page) merged cells are left out and the lower row lists only the cells
    under the upper row's group cells.
    """
    if positional or (len(upper) >= width and len(lower) >= width):
        n = max(len(upper), len(lower))
        up = list(upper) + [""] * (n - len(upper))
        low = list(lower) + [""] * (n - len(lower))
        group = ""
        out = []
        for j in range(n):
            if up[j]:
                group = up[j]
            u = up[j] or (group if low[j] else "")
            out.append(_combine(u, low[j]))
        return tuple(out)
    # text: each upper cell is a column of its own unless it groups lower cells
    upper_cells = list(upper)
    lower_cells = [c for c in lower if c]
    value_groups = [j for j, c in enumerate(upper_cells) if c and (_qualifier_of(c) or (
        header_field(c) and header_field(c)[0] in ("annual", "period")))]
    other_groups = [j for j, c in enumerate(upper_cells) if c and _is_group_cell(c) and j not in value_groups]
    assign: dict[int, list[str]] = {j: [] for j in value_groups + other_groups}
    under_values = [c for c in lower_cells if _qualifier_of(c) or (
        header_field(c) and header_field(c)[0] in ("annual", "period", "nature", "unit", "direction"))]
    if value_groups and len(under_values) == len(lower_cells) and len(value_groups) > 1 \
            and len(value_groups) == len(lower_cells):
        for j, c in zip(value_groups, lower_cells):  # 年度 | 实施周期 each under its own group cell
            assign[j] = [c]
    elif len(value_groups) > 1 and all(_qualifier_of(upper_cells[j]) for j in value_groups) \
            and len(lower_cells) % len(value_groups) == 0:
        size = len(lower_cells) // len(value_groups)  # 实施周期 | 年度, each over 二级 | 三级 | 指标值
        for k, j in enumerate(value_groups):
            assign[j] = lower_cells[k * size:(k + 1) * size]
    else:
        for c in lower_cells:
            if c in under_values and value_groups:
                assign[value_groups[0]].append(c)
            elif other_groups:
                assign[other_groups[0]].append(c)
            elif value_groups:
                assign[value_groups[0]].append(c)
    out = []
    for j, u in enumerate(upper_cells):
        if j in assign and assign[j]:
            out.extend(_combine(u, c) for c in assign[j])
        else:
            out.append(u)
    return tuple(out)


def _combine(upper: str, lower: str) -> str:
    if not lower:
        return upper
    if not upper:
        return lower
    lq, uq = _qualifier_of(lower), _qualifier_of(upper)
    if lq:  # 指标值 over 年度 | 实施周期
        return f"{upper}({lq})" if header_field(upper) else lower
    if uq and header_field(lower):  # 实施周期 over 二级指标 | 三级指标 | 指标值
        return f"{lower}({uq})"
    if header_field(lower):
        if header_field(upper) and header_field(upper)[0] in ("annual", "period") and \
                header_field(lower)[0] in ("annual", "period", "nature", "unit", "direction"):
            block = header_field(upper)[0]  # 年度指标值 over 指标性质 | 指标值 | 度量单位
            return f"{lower}({message('read_header', block + '_block')})" if header_field(lower)[0] in (
                "annual", "period") else lower
        return lower
    return upper if header_field(upper) else lower


def two_row_header(header: Header, rows, k: int, positional: bool) -> tuple[Header, int]:
    """``header`` (found on ``rows[k]``) combined with a second header row below or a group row above.

    Returns the header and the index of its last row (the grid starts after it).
    """
    if header.layout != "rows":
        return header, k
    width = max([len(r.cells) for r in rows[k + 1:k + 12]] + [header.width])
    if k + 1 < len(rows) and is_subheader(rows[k + 1].cells) and parse_header(rows[k + 1].cells, 0) is None:
        combined = parse_header(combine_rows(rows[k].cells, rows[k + 1].cells, width, positional), header.row)
        if combined is not None and combined.layout == "rows":
            return combined, k + 1
    if k > 0 and is_group_row(rows[k - 1].cells):
        combined = parse_header(combine_rows(rows[k - 1].cells, rows[k].cells, width, positional), header.row)
        if combined is not None and combined.layout == "rows" and _more_fields(combined, header):
            return combined, k
    return header, k


def _more_fields(a: Header, b: Header) -> bool:
    """True when ``a`` names more (field, block) columns than ``b``."""
    return len({(c.field, c.block) for c in a.columns if c.field}) > len({(c.field, c.block) for c in b.columns if c.field})


#: columns a target table may carry but the engine takes from the actuals file instead
ACTUALS_FIELDS = ("actual", "score", "rating", "prior")


def header_issues(header: Header, file: str, sheet: str | None) -> list[Issue]:
    """What the header itself says about the table: missing, duplicated, unknown or ignored columns."""
    from .io import column_letter

    where = dict(file=file, sheet=sheet, row=header.row)
    out: list[Issue] = []
    fields = {c.field for c in header.columns}
    if header.layout == "rows" and not fields & {"annual", "period"}:
        out.append(Issue("missing_column", "error", issue_message("missing_column", "target"),
                         cell=" | ".join(c.label for c in header.columns if c.label), **where))
    if header.layout == "rows" and "name" not in fields:
        out.append(Issue("missing_column", "warning", issue_message("missing_column", "name"),
                         cell=" | ".join(c.label for c in header.columns if c.label), **where))
    seen: dict[tuple[str, str | None], Column] = {}
    for col in header.columns:
        letter = column_letter(col.index)
        if col.field is None:
            if col.label:
                out.append(Issue("unknown_column", "info", issue_message("unknown_column", "table", label=col.label),
                                 column=letter, cell=col.label, **where))
            continue
        if col.field in ACTUALS_FIELDS:
            out.append(Issue("self_evaluation_column", "info",
                             issue_message("self_evaluation_column", label=col.label),
                             column=letter, cell=col.label, **where))
        key = (col.field, col.block)
        if key in seen and col.field not in ("label", "note"):
            first = seen[key]
            out.append(Issue("duplicate_column", "warning", issue_message("duplicate_column", "table", label=col.label,
                                                                    column=column_letter(first.index), first=first.label),
                             column=letter, cell=col.label, **where))
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
