"""Row-per-indicator tables: one 三级指标 per row under a header row.

Handles split 指标性质 | 指标值 | 度量单位 cells, 指标方向 and 权重 columns, paired
长期/中期 and 年度 blocks, project blocks with money between repeated headers
(multi-project pages), and merged cells printed only on the first row they span:
such rows are shorter, and :func:`align` decides which merged columns they lack.

>>> from .header import parse_header
>>> h = parse_header(("一级指标", "二级指标", "三级指标", "指标值"), 1)
>>> [h.columns[i].field for i in align(h, ("质量指标", "验收合格率", "≥98%"))]
['level2', 'name', 'annual']
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import combinations

from ..issues import Issue, issue_message
from .doubts import few_rows_read, target_in_unknown_column
from .header import Header, combine_rows, is_subheader, label_value, parse_header, strip_department_tags
from .io import Row
from .model import MONEY_FIELDS, IndicatorRecord, ProjectRecord, RawTable, TotalRecord, looks_like_amount
from .self_evaluation import preamble_project, starts_block, total_score
from .vocab import direction_hint, fold, has_label, header_field, level1_code, level2_code, vocabulary

_VALUE_LIKE = re.compile(r"\d|^[≥≤＞＜><=＝≧≦═﹦]")
_NUMBER = re.compile(r"^\s*\d+(\.\d+)?\s*$")
#: alignment tries at most this many ways of skipping merged columns per row
MAX_MERGED = 12


def align(header: Header, cells: tuple[str, ...], positional: bool = False) -> list[int]:
    """Column index for each cell of a row that may lack merged (carried-down) cells.

    Tries every set of mergeable columns the row could be missing and keeps the
    placement whose cells best fit their columns (a category name under 一级/二级,
    a comparator under 指标性质, an amount under 预算数 …).

    ``positional`` (a worksheet): a row that keeps empty cells where merged ones are is
    short only because its trailing cells are blank; its cells stay in their columns.
    """
    width, n = header.width, len(cells)
    if n >= width:
        return list(range(width))
    if positional and "" in cells:
        return list(range(n))
    mergeable = [c.index for c in header.columns if c.field in vocabulary().mergeable][:MAX_MERGED]
    best: tuple[float, list[int]] | None = None
    for k in range(0, min(len(mergeable), width - n) + 1):
        for skipped in combinations(mergeable, k):
            free = [i for i in range(width) if i not in skipped]
            placed = free[:n]
            score = sum(_fit(header.columns[i].field, cell) for i, cell in zip(placed, cells))
            score -= 0.3 * (len(free) - n) + sum(0.01 * i for i in skipped)
            if best is None or score > best[0] + 1e-9:
                best = (score, placed)
    return best[1] if best else list(range(n))


def _fit(field_name: str | None, text: str) -> float:
    """How well ``text`` fits a column of ``field_name`` (higher is better)."""
    if not text:
        return 0.0
    l1, l2 = level1_code(text) is not None, level2_code(text) is not None
    if field_name == "level1":
        return 3.0 if l1 else (-2.0 if l2 else -1.0)
    if field_name == "level2":
        return 3.0 if l2 else (-2.0 if l1 else -1.0)
    if l1 or l2:
        return -1.0 if field_name in (None, "label", "note") else -3.0
    if field_name in ("annual", "period"):
        return 1.0 if _VALUE_LIKE.search(text) else 0.0
    if field_name == "nature":
        return 2.0 if direction_hint(text) or fold(text) in vocabulary().natures else -2.0
    if field_name == "direction":
        return 2.0 if direction_hint(text) else -2.0
    if field_name == "unit":
        return 1.0 if len(text) <= 6 and not re.search(r"\d", text) else -2.0
    if field_name == "seq":
        return 1.0 if re.match(r"^\s*\d{1,4}\s*$", text) else -2.0
    if field_name == "weight":
        return 1.5 if _NUMBER.match(text) else -2.0
    if field_name in MONEY_FIELDS:
        return 2.0 if looks_like_amount(text) else -2.0
    if field_name in ("project", "department", "goal", "name"):
        return -1.5 if looks_like_amount(text) or direction_hint(text) else 0.2
    return 0.0


@dataclass
class _State:
    header: Header
    table: RawTable
    sheet: str | None
    issues: list[Issue]
    mode: str = "grid"  # "grid" under a header, "block" inside a project block
    carry: dict[int, str] = field(default_factory=dict)
    project: ProjectRecord | None = None
    department: str = ""
    positional: bool = False
    #: grid rows that became indicators, and those that became nothing (for :func:`_few_rows_read`)
    read: int = 0
    unread: list[int] = field(default_factory=list)


def _few_rows_read(state: _State) -> None:
    """Fewer than half the rows under the header became indicators: the layout was probably not understood."""
    issue = few_rows_read(state.table.file, state.sheet, state.header, state.read, state.unread)
    if issue is not None:
        state.issues.append(issue)


def read_indicator_rows(header: Header, rows: list[Row], table: RawTable, sheet: str | None,
                        issues: list[Issue], project: ProjectRecord | None = None, positional: bool = False) -> None:
    """Read the rows under a row-per-indicator header into ``table``.

    ``project``: the project a self-evaluation table names above its grid (no 项目名称 column).
    """
    state = _State(header, table, sheet, issues, department=table.department, project=project,
                   positional=positional)
    preamble: list[Row] | None = None  # rows above the next stacked 自评表's grid
    header_cells: tuple[str, ...] | None = None  # the last header row, while a second header row may follow
    in_form = project is not None  # the sheet is a form: each project starts with its own 项目名称 row
    for row in rows:
        if not any(row.cells):
            continue
        if header_cells is not None:
            below, header_cells = header_cells, None
            if is_subheader(row.cells) and parse_header(row.cells, 0) is None:
                combined = parse_header(combine_rows(below, row.cells, state.header.width, positional), row.number)
                if combined is not None and combined.layout == "rows":
                    state.header = combined
                    if table.headers and table.headers[-1][0] == sheet:
                        table.headers[-1] = (sheet, combined)
                    continue
        score = total_score(row)
        if score is not None and state.project is not None:
            state.project.self_evaluation["total_score"] = score  # 总分 | … | 得分: the unit's own total
            continue
        new_header = parse_header(row.cells, row.number)
        if preamble is None and header.find("project") is None and starts_block(
                row, in_form or bool(state.project and state.project.self_evaluation)):
            preamble = []
        if preamble is not None:
            if new_header is None or new_header.layout != "rows":
                preamble.append(row)
                continue
            named = preamble_project(new_header, preamble, table, sheet)
            in_form = in_form or named is not None
            state.project = named or state.project
            state.header, state.mode, state.carry, preamble = new_header, "grid", {}, None
            table.headers.append((sheet, new_header))
            header_cells = row.cells
            continue
        if new_header is not None and new_header.layout == "rows":
            if new_header.columns == state.header.columns and state.mode == "grid":
                issues.append(Issue("header_repeated", "info", issue_message("header_repeated"),
                                    file=table.file, sheet=sheet, row=row.number, cell=" | ".join(row.cells)))
            if new_header.columns != state.header.columns:
                table.headers.append((sheet, new_header))
            state.header, state.mode, state.carry = new_header, "grid", {}
            header_cells = row.cells
            continue
        if state.mode == "grid" and _footer_row(state, row):
            state.mode = "footer"  # rows after the grid (评价结论, 存在问题, 填报人 …) hold no indicators
            continue
        if state.mode == "footer":
            if not _looks_like_indicator(row.cells):
                if len([c for c in row.cells if c]) >= 3 and not _footer_row(state, row):
                    _not_read(state, row, issue_message("row_not_read", "after_footer"))
                continue
            state.mode = "grid"  # an indicator row after a 合计 row: the grid goes on
        before = _counts(state)
        mode = state.mode
        if _block_row(state, row):
            if mode == "block" and _looks_like_indicator(row.cells):
                _not_read(state, row, issue_message("row_not_read", "in_project_block"))
            continue
        if state.mode == "grid":
            _grid_row(state, row)
            if _counts(state) == before and not _carries_category(state, row):
                _not_read(state, row, EMPTY_ROW_MESSAGE)
                state.unread.append(row.number)
            elif _counts(state)[2] != before[2] or _counts(state)[1] != before[1]:
                state.read += 1
    _few_rows_read(state)
    if preamble:  # a last stacked form cut off before its indicator header: the project, no indicators
        preamble_project(header, preamble, table, sheet)


def _footer_row(state: _State, row: Row) -> bool:
    """A row after the grid: 合计/总分 (without money columns), 评价结论, 存在问题, 填报人: …"""
    first = next((c for c in row.cells if c), "")
    key = fold(first).rstrip(":")
    if key in vocabulary().labels["footer"]:
        return True
    if has_label(first, "total_row") and not any(state.header.find(f) for f in MONEY_FIELDS):
        if state.project is not None:
            numbers = [c for c in row.cells[1:] if looks_like_amount(c)]
            if numbers:
                state.project.self_evaluation.setdefault("weight_total", numbers[0])
        return True
    return False


def _counts(state: _State) -> tuple[int, int, int, int]:
    """What a row can add: a project, an indicator (always to the current project), a total.

    Constant time: rows are read one by one, so summing over all projects here would make
    reading quadratic in the table size.
    """
    current = state.project
    return (len(state.table.projects), id(current), len(current.indicators) if current else 0,
            len(state.table.totals))


def _looks_like_indicator(cells: tuple[str, ...]) -> bool:
    return len([c for c in cells if c]) >= 3 and any(level1_code(c) or level2_code(c) for c in cells if c)


def _carries_category(state: _State, row: Row) -> bool:
    return carries_category(state.header, row.cells, state.positional)


def carries_category(header: Header, cells: tuple[str, ...], positional: bool = False) -> bool:
    """A row holding only category cells (一级/二级 printed once above their indicators) is used as carry."""
    placed = align(header, cells, positional)
    fields = {header.columns[i].field for i, c in zip(placed, cells) if c}
    return bool(fields & {"level1", "level2"}) and fields <= {"level1", "level2", "label", "project", "department"}


#: why a grid row that adds nothing was not read
EMPTY_ROW_MESSAGE = issue_message("row_not_read", "empty_row")


def not_read_issue(file: str, sheet: str | None, row: Row, message: str = EMPTY_ROW_MESSAGE) -> Issue:
    """Nothing is dropped silently: a row with content that became nothing is an issue."""
    return Issue("row_not_read", "warning", message, file=file, sheet=sheet, row=row.number,
                 cell=" | ".join(c for c in row.cells if c))


def _not_read(state: _State, row: Row, message: str) -> None:
    state.issues.append(not_read_issue(state.table.file, state.sheet, row, message))


def _block_row(state: _State, row: Row) -> bool:
    """Label rows of a project block (项目名称 / 预算数 / 绩效目标 / 单位：万元)."""
    cells = [c for c in row.cells]
    first = cells[0]
    declared = [label_value(c) for c in cells]
    if any(declared):
        others = [c for c, d in zip(cells, declared) if not d and c]
        for d in declared:
            if d:
                _declare(state, *d)
        if len(others) == 1 and not any(d and d[0] == "department" for d in declared):
            _declare(state, "department", strip_department_tags(others[0]))
        if len(others) <= 1:
            state.mode = "block"
            return True
    if has_label(first, "project"):
        name = next((c for c in cells[1:] if c), "")
        state.project = _new_project(state, name, row)
        state.mode, state.carry = "block", {}
        return True
    if state.mode == "block" and has_label(first, "goal"):
        if state.project is not None:
            state.project.goal = "\n".join(c for c in cells[1:] if c)
        return True
    if has_label(first, "budget_block") or (state.mode == "block" and _money_pairs(state, cells, row, dry=True)):
        _money_pairs(state, cells, row)
        state.mode = "block"
        return True
    return state.mode == "block"


def _declare(state: _State, kind: str, value: str) -> None:
    table = state.table
    if kind == "money_unit":
        table.money_unit, table.money_unit_declared = value, True
    elif kind == "department":
        state.department = value
        if not table.department:
            table.department = value


def _money_pairs(state: _State, cells: list[str], row: Row, dry: bool = False) -> bool:
    """``预算数 | 20.00 | 其中:财政资金 | 20.00`` → money of the current project."""
    found = False
    for i, cell in enumerate(cells[:-1]):
        match = header_field(cell)
        if match and match[0] in MONEY_FIELDS and looks_like_amount(cells[i + 1]):
            found = True
            if not dry and state.project is not None:
                state.project.money_printed[match[0]] = cells[i + 1]
                state.project.money_columns[match[0]] = cell
    return found


def _new_project(state: _State, name: str, row: Row) -> ProjectRecord:
    project = ProjectRecord(name, state.department or state.table.department, state.sheet, row.number)
    state.table.projects.append(project)
    return project


def _grid_row(state: _State, row: Row) -> None:
    header = state.header
    placed = align(header, row.cells, state.positional)
    if len(row.cells) > header.width:
        state.issues.append(Issue("extra_cells", "warning", issue_message("extra_cells", cells=len(row.cells), width=header.width),
                                  file=state.table.file, sheet=state.sheet, row=row.number))
    cells = {i: c for i, c in zip(placed, row.cells)}
    values = _fill_merged(state, cells)
    byfield = _by_field(header, values)
    if byfield.get("project") and not byfield.get("goal") and not _is_indicator(byfield):
        if _same_project(state, byfield) and not any(byfield.get(f) for f in MONEY_FIELDS):
            return  # the project's name filled down on a row holding only category cells
        # a name with money but no goal and no indicator: a department (sub)total row
        byfield.setdefault("department", byfield["project"])
        if not byfield.get("department") or byfield["department"] == state.department:
            byfield["department"] = byfield["project"]
        _department_total(state, row, byfield, header)
        return
    if byfield.get("project") and not _same_project(state, byfield):
        _start_grid_project(state, row, byfield, header, cells)
    elif not byfield.get("project") and _money_only(byfield):
        _department_total(state, row, byfield, header)
        return
    classified = _classified_cell(byfield)
    if classified and state.project is not None and not _has_indicator_content(byfield):
        # 涉密项目 | 涉密内容: the project is kept and flagged, the row holds no indicator
        state.project.classified_text = classified
        return
    if _is_indicator(byfield):
        _add_indicator(state, row, byfield, header)
        if not byfield.get("annual") and not byfield.get("period"):
            _target_elsewhere(state, row, header, cells)


def _target_elsewhere(state: _State, row: Row, header: Header, cells: dict[int, str]) -> None:
    """An indicator without target while a column the reader does not know holds target-like text."""
    issue = target_in_unknown_column(state.table.file, state.sheet, header, row.number, cells)
    if issue is not None:
        state.issues.append(issue)


def _classified_cell(byfield: dict[str, str]) -> str:
    words = vocabulary().labels["classified"]
    return next((v for v in byfield.values() if v and any(w in v for w in words)), "")


def _has_indicator_content(byfield: dict[str, str]) -> bool:
    """A name or target that is more than the 涉密内容 placeholder."""
    words = vocabulary().labels["classified"]
    return any(byfield.get(f) and not any(w in byfield[f] for w in words) for f in ("name", "annual", "period"))


def _fill_merged(state: _State, cells: dict[int, str]) -> dict[int, str]:
    """Cells of mergeable columns missing or empty in this row take the value above."""
    values = dict(cells)
    mergeable = vocabulary().mergeable
    for col in state.header.columns:
        if col.field not in mergeable:
            continue
        if values.get(col.index):
            state.carry[col.index] = values[col.index]
        elif col.index in state.carry and col.field not in MONEY_FIELDS and col.field != "project":
            values[col.index] = state.carry[col.index]
    return values


def _by_field(header: Header, values: dict[int, str]) -> dict[str, str]:
    """Row values by field; the annual block wins over the period block for names."""
    out: dict[str, str] = {}
    for col in header.columns:
        text = values.get(col.index, "")
        if not col.field or not text:
            continue
        key = col.field
        if col.block == "period" and key in ("level2", "name"):
            key = f"{key}_period"
        out.setdefault(key, text)
    for key in ("level2", "name"):
        if not out.get(key) and out.get(f"{key}_period"):
            out[key] = out[f"{key}_period"]
    return out


def _same_project(state: _State, byfield: dict[str, str]) -> bool:
    """A project name repeated on every row (filled down in CSV exports) is one project."""
    current = state.project
    return current is not None and current.project == byfield["project"] and (
        not byfield.get("department") or byfield["department"] == current.department)


def _money_only(byfield: dict[str, str]) -> bool:
    return any(byfield.get(f) for f in MONEY_FIELDS) and not _is_indicator(byfield)


def _is_indicator(byfield: dict[str, str]) -> bool:
    return any(byfield.get(f) for f in ("name", "annual", "period", "nature"))


def _start_grid_project(state: _State, row: Row, byfield: dict[str, str], header: Header,
                        cells: dict[int, str]) -> None:
    department = byfield.get("department") or state.department
    project = ProjectRecord(byfield["project"], department, state.sheet, row.number,
                            goal=byfield.get("goal", ""))
    for f in MONEY_FIELDS:
        col = header.find(f)
        if col is not None and cells.get(col.index):
            project.money_printed[f] = cells[col.index]
            project.money_columns[f] = col.label
    state.table.projects.append(project)
    state.project = project
    # category cells carried from the previous project must not leak into this one
    for col in header.columns:
        if col.field in ("level1", "level2") and not cells.get(col.index):
            state.carry.pop(col.index, None)


def _department_total(state: _State, row: Row, byfield: dict[str, str], header: Header) -> None:
    label = byfield.get("department", "")
    money = {f: byfield[f] for f in MONEY_FIELDS if byfield.get(f)}
    columns = {f: header.find(f).label for f in money}
    kind = "total" if has_label(label, "total_row") else "department"
    state.table.totals.append(TotalRecord(kind, label, state.sheet, row.number, money, columns,
                                          first_project=len(state.table.projects)))
    if kind == "department" and label and not state.table.department:
        state.table.department = label


def _add_indicator(state: _State, row: Row, byfield: dict[str, str], header: Header) -> None:
    if state.project is None:
        state.project = _new_project(state, "", row)
    annual_col = header.find("annual") or header.find("period") or header.find("name")
    record = IndicatorRecord(
        sheet=state.sheet, row=row.number, column=annual_col.label if annual_col else "",
        indicator_no=len(state.project.indicators) + 1,
        level1_raw=byfield.get("level1", ""), level2_raw=byfield.get("level2", ""),
        name=byfield.get("name", ""), annual_text=byfield.get("annual", ""),
        period_text=byfield.get("period", ""), nature_text=byfield.get("nature", ""),
        unit_text=byfield.get("unit", ""), weight_text=byfield.get("weight", ""),
        direction_text=byfield.get("direction", ""),
        actual_text=byfield.get("actual", ""), score_text=byfield.get("score", ""),
        rating_text=byfield.get("rating", ""), prior_text=byfield.get("prior", ""),
    )
    if not record.weight_text:
        record.weight_text = weight_in_name(record.name)
    state.project.indicators.append(record)


_WEIGHT_IN_NAME = re.compile(r"[(（]\s*(\d+(?:\.\d+)?)\s*分\s*[)）]\s*$")


def weight_in_name(name: str) -> str:
    """The weight printed inside an indicator name: ``相关性(5 分)`` → ``5``; ``""`` when none."""
    match = _WEIGHT_IN_NAME.search(name or "")
    return match.group(1) if match else ""
