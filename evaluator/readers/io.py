"""Files to rows of cells: encodings, delimiters, Excel, HTML remnants.

Every row keeps where it came from (sheet and the 1-based line or Excel row number
the user sees). Nothing here knows about indicators.

>>> clean_cell("<p>164.36</p>")
'164.36'
"""
from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from dataclasses import dataclass
from pathlib import Path

from ..issues import InputError, Issue

#: a cell longer than this is cut (a pasted page in one cell is not a target)
MAX_CELL = 20_000
#: rows read per sheet at most
MAX_ROWS = 200_000
#: bytes read from a text file at most
MAX_BYTES = 64 * 1024 * 1024

ENCODINGS = ("utf-8-sig", "gb18030")
TEXT_SUFFIXES = {".txt", ".tsv", ".csv", ".tab", ""}
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}

_TAG_BREAK = re.compile(r"<\s*br\s*/?\s*>|</\s*p\s*>\s*<\s*p[^>]*>", re.I)
_TAG = re.compile(r"</?\s*[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>")


@dataclass(frozen=True)
class Row:
    """One printed row: its number as the user sees it, and its cells (cleaned)."""

    number: int
    cells: tuple[str, ...]


@dataclass(frozen=True)
class Sheet:
    """The rows of one sheet (a text file is one sheet named ``None``)."""

    name: str | None
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Loaded:
    sheets: tuple[Sheet, ...]
    encoding: str | None
    issues: tuple[Issue, ...]


def clean_cell(text: object) -> str:
    """Cell value → text as printed: HTML tags dropped, entities decoded, trimmed.

    >>> clean_cell("<p>1、1-产出指标</p>")
    '1、1-产出指标'
    """
    if text is None:
        return ""
    s = str(text)
    if "<" in s:
        s = _TAG.sub("", _TAG_BREAK.sub("\n", s))
    if "&" in s:
        s = html.unescape(s)
    return s.replace("\r\n", "\n").replace("\r", "\n").strip()


def load_rows(path: Path) -> Loaded:
    """Read a target table into rows of cells; raise :class:`InputError` if unreadable."""
    if not path.exists():
        raise InputError("文件不存在", file=str(path))
    if path.is_dir():
        raise InputError("这是一个文件夹，不是表格文件", file=str(path))
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        return _load_excel(path)
    if suffix == ".xls":
        raise InputError("不支持旧版 .xls 格式，请在 Excel 中另存为 .xlsx 或 .csv", file=str(path))
    return _load_text(path)


def decode(data: bytes, file: str) -> tuple[str, str]:
    """Bytes → text, trying UTF-8 (with or without BOM) then GB18030 (a superset of GBK).

    >>> decode("指标".encode("gbk"), "x.csv")
    ('指标', 'gb18030')
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    for enc in ENCODINGS:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise InputError("无法识别文件编码（已尝试 UTF-8、GBK/GB18030）", file=file)


def _load_text(path: Path) -> Loaded:
    with path.open("rb") as fh:
        data = fh.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise InputError(f"文件超过 {MAX_BYTES // (1024 * 1024)} MB，不像是一张绩效目标表", file=path.name)
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("这是二进制文件，不是文本表格（如为 Excel，请使用 .xlsx 扩展名）", file=path.name)
    text, encoding = decode(data, path.name)
    if not text.strip():
        raise InputError("文件是空的", file=path.name)
    delimiter = _sniff_delimiter(text, path.suffix.lower())
    rows, issues = _split_text(text, delimiter, path.name)
    return Loaded((Sheet(None, rows),), encoding, tuple(issues))


def _sniff_delimiter(text: str, suffix: str) -> str:
    """Tab when the text has tabs (copied tables, .tsv), otherwise comma."""
    head = text[:65536]
    if "\t" in head:
        return "\t"
    if suffix == ".csv" or "," in head:
        return ","
    return "\t"


def _split_text(text: str, delimiter: str, file: str) -> tuple[tuple[Row, ...], list[Issue]]:
    issues: list[Issue] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    rows: list[Row] = []
    start = 1
    try:
        for record in reader:
            rows.append(Row(start, _cap_cells(record, file, start, issues)))
            start = reader.line_num + 1
            if len(rows) >= MAX_ROWS:
                issues.append(Issue("too_many_rows", "warning", f"超过 {MAX_ROWS} 行，其后的行未读取", file=file, row=start))
                break
    except csv.Error as exc:
        raise InputError(f"第{start}行无法按表格读取：{exc}", file=file) from exc
    return tuple(rows), issues


def _cap_cells(values, file: str, row: int, issues: list[Issue], sheet: str | None = None) -> tuple[str, ...]:
    cells = [clean_cell(v) for v in values]
    for i, c in enumerate(cells):
        if len(c) > MAX_CELL:
            issues.append(Issue("cell_too_long", "warning", f"单元格超过 {MAX_CELL} 字，已截断",
                                file=file, sheet=sheet, row=row, column=column_letter(i), cell=c[:40] + "…"))
            cells[i] = c[:MAX_CELL]
    while cells and not cells[-1]:
        cells.pop()
    return tuple(cells)


def column_letter(index: int) -> str:
    """0 → ``A``, 27 → ``AB`` (Excel column names)."""
    name = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(65 + rem) + name
    return name


def _load_excel(path: Path) -> Loaded:
    try:
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException
    except ImportError as exc:  # pragma: no cover - openpyxl is a dependency
        raise InputError("读取 .xlsx 需要 openpyxl", file=path.name) from exc
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise InputError(f"无法作为 Excel 工作簿打开（{type(exc).__name__}）", file=path.name) from exc
    except Exception as exc:  # zipfile.BadZipFile and XML errors from damaged files
        raise InputError(f"Excel 文件已损坏或不是 .xlsx（{type(exc).__name__}）", file=path.name) from exc
    issues: list[Issue] = []
    sheets = []
    try:
        for ws in wb.worksheets:
            sheets.append(Sheet(ws.title, _excel_rows(ws, path.name, issues)))
    finally:
        wb.close()
    return Loaded(tuple(sheets), None, tuple(issues))


def _excel_rows(ws, file: str, issues: list[Issue]) -> tuple[Row, ...]:
    rows: list[Row] = []
    for number, cells in enumerate(ws.iter_rows(min_row=1), start=1):
        if number > MAX_ROWS:
            issues.append(Issue("too_many_rows", "warning", f"超过 {MAX_ROWS} 行，其后的行未读取",
                                file=file, sheet=ws.title, row=number))
            break
        values = [_excel_text(c) for c in cells]
        rows.append(Row(number, _cap_cells(values, file, number, issues, ws.title)))
    return tuple(rows)


def _excel_text(cell) -> str:
    """An Excel cell as the user sees it: 0.95 formatted as percent → ``95%``."""
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)):
        fmt = getattr(cell, "number_format", "") or ""
        if "%" in fmt:
            return _number_text(value * 100) + "%"
        if "," in fmt and isinstance(value, float):
            return f"{value:,.2f}"
        return _number_text(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _number_text(value: float) -> str:
    """116.0 → ``116``; 0.1 + 0.2 → ``0.3`` (Excel shows 15 significant digits)."""
    if isinstance(value, int):
        return str(value)
    text = f"{value:.15g}"
    return text[:-2] if text.endswith(".0") else text
