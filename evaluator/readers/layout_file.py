"""A layout file: the user says where the header is and what each column holds.

For a table whose layout the reader cannot classify (or classifies wrong), a small TOML
file names the header row(s) and the columns, and where the project's money is::

    # 版式文件 layout.toml
    sheet = "自评表"            # 工作表名（xlsx；省略时为第一个有内容的工作表）
    header_rows = [4, 5]        # 表头所在行（从 1 开始；两行表头写两行）
    [columns]                   # 列：字母（B）、序号（2）或表头文字（"考核内容"）
    "一级指标" = "A"            # 中文名要加引号（TOML 规定）；也可写 level1 = "A"
    "二级指标" = "B"
    "三级指标" = "C"
    "指标值" = "D"
    "单位" = "E"
    "实际完成值" = "F"
    "分值" = "G"
    "得分" = "H"
    [project]
    name = "城区绿化提升工程"    # 表中没有项目名称时
    budget = "C3"               # 项目预算所在的单元格（万元）

Column names are looked up like header cells (``一级指标``, ``指标值``, ``level1`` …), so
any alias of ``data/headers.toml`` works. ``--layout`` on ``check`` and ``score`` takes
the file; ``check --explain-layout`` prints the mapping the reader used.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..issues import InputError, issue_message
from ..wording import message, messages
from .header import Column, Header
from .vocab import fold, header_field

_LETTERS = re.compile(r"^[A-Za-z]{1,3}$")
_CELL = re.compile(r"^([A-Za-z]{1,3})(\d+)$")

#: the Chinese name of each field, for messages and --explain-layout (data/wording/readers.toml)
FIELD_NAMES: dict[str, str] = dict(messages()["readers_fields"])


@dataclass
class Layout:
    """What a layout file says (columns as 0-based indexes or header texts still to find)."""

    source: str
    header_rows: tuple[int, ...] = ()
    sheet: str | None = None
    columns: dict[str, str] = field(default_factory=dict)  # field -> column spec as written
    project_name: str = ""
    budget_cell: str = ""


def column_index(spec: str) -> int | None:
    """``B`` → 1, ``2`` → 1 (1-based number); None for a header text."""
    spec = str(spec).strip()
    if spec.isdigit():
        return int(spec) - 1
    if _LETTERS.match(spec):
        n = 0
        for ch in spec.upper():
            n = n * 26 + ord(ch) - 64
        return n - 1
    return None


def cell_ref(spec: str) -> tuple[int, int] | None:
    """``C3`` → (row 3, column index 2)."""
    match = _CELL.match(str(spec).strip())
    if not match:
        return None
    return int(match.group(2)), column_index(match.group(1))


def load_layout(path: str | Path) -> Layout:
    """Read and check a layout file; a wrong key or value is an :class:`InputError` naming it."""
    path = Path(path)
    name = path.name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError as exc:
        raise InputError(issue_message("layout_file", "missing"), file=name, code="layout_file") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(issue_message("layout_file", "not_toml", error=exc), file=name, code="layout_file") from exc
    unknown = set(data) - {"sheet", "header_rows", "header_row", "columns", "project"}
    if unknown:
        raise InputError(issue_message("layout_file", "unknown_keys", keys="、".join(sorted(unknown))), file=name,
                         code="layout_file")
    rows = data.get("header_rows", data.get("header_row", ()))
    rows = (rows,) if isinstance(rows, int) else tuple(rows)
    if not rows or not all(isinstance(r, int) and r >= 1 for r in rows):
        raise InputError(issue_message("layout_file", "no_header_rows"), file=name, code="layout_file")
    columns: dict[str, str] = {}
    for key, spec in dict(data.get("columns", {})).items():
        match = header_field(key) or ((key, None) if key in FIELD_NAMES else None)
        if match is None:
            raise InputError(issue_message("layout_file", "unknown_column", name=key), file=name, code="layout_file")
        field_name = "period" if match[1] == "period" and match[0] == "annual" else match[0]
        columns[field_name] = str(spec)
    if not columns:
        raise InputError(issue_message("layout_file", "no_columns"), file=name, code="layout_file")
    project = dict(data.get("project", {}))
    return Layout(str(path), rows, data.get("sheet"), columns, str(project.get("name", "")),
                  str(project.get("budget", "")))


def layout_header(layout: Layout, header_cells: list[tuple[str, ...]], row: int, file: str) -> Header:
    """The :class:`Header` a layout file describes, over the printed header row(s)."""
    width = max([len(c) for c in header_cells] + [0])
    labels = [" ".join(dict.fromkeys(c[j] for c in header_cells if j < len(c) and c[j])) for j in range(width)]
    index: dict[int, str] = {}
    for field_name, spec in layout.columns.items():
        j = column_index(spec)
        if j is None:  # a header text
            j = next((k for k, label in enumerate(labels) if fold(label) == fold(spec)), None)
            if j is None:
                j = next((k for k, label in enumerate(labels) if fold(spec) in fold(label)), None)
            if j is None:
                raise InputError(issue_message("layout_file", "column_not_found", field=FIELD_NAMES.get(field_name, field_name),
                                               spec=spec, rows="、".join(map(str, layout.header_rows))),
                                 file=file, code="layout_file")
        if j in index:
            raise InputError(issue_message("layout_file", "column_twice", column=j + 1,
                                           first=FIELD_NAMES.get(index[j], index[j]),
                                           second=FIELD_NAMES.get(field_name, field_name)), file=file, code="layout_file")
        index[j] = field_name
    width = max([width, *(j + 1 for j in index)])
    columns = tuple(Column(j, index.get(j), "period" if index.get(j) == "period" else None,
                           labels[j] if j < len(labels) else "") for j in range(width))
    return Header(row, columns, "rows")


def explain(header: Header) -> list[str]:
    """One line per column: letter, printed label, what the reader takes it for."""
    from .io import column_letter

    out = []
    for col in header.columns:
        what = FIELD_NAMES.get(col.field, col.field) if col.field else _say("not_read")
        if col.block and col.field not in ("period",):
            what += _say("block_period" if col.block == "period" else "block_annual")
        out.append(_say("column", letter=column_letter(col.index), label=col.label, what=what))
    return out


def _say(what: str, /, **values: object) -> str:
    return message("readers_layout", what, **values)


def layout_toml(header: Header, sheet: str | None) -> str:
    """A layout file that says what the reader used (a starting point the user can correct)."""
    from .io import column_letter

    lines = [_say("toml_heading"), *([f'sheet = "{sheet}"'] if sheet else []),
             f"header_rows = [{header.row}]", "[columns]"]
    for col in header.columns:
        if col.field and col.field not in ("note", "label", "indicator_cell", "seq"):
            lines.append(f'"{FIELD_NAMES.get(col.field, col.field)}" = "{column_letter(col.index)}"')
    return "\n".join(lines)
