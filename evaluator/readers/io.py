"""Files to rows of cells: encodings, delimiters, Excel, HTML remnants.

Every row keeps where it came from (sheet and the 1-based line or Excel row number
the user sees). Nothing here knows about indicators.

>>> clean_cell("<p>164.36</p>")
'164.36'
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import html
import io
import os
import re
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..issues import InputError, Issue

#: a cell longer than this is cut (a pasted page in one cell is not a target)
MAX_CELL = 20_000
#: rows read per sheet at most
MAX_ROWS = 200_000
#: bytes read from a text file at most; also the largest .xlsx file accepted
MAX_BYTES = 64 * 1024 * 1024
#: an .xlsx is a zip archive: its members may unpack to this many bytes in total at most …
MAX_ARCHIVE_BYTES = 512 * 1024 * 1024
#: … in this many members at most …
MAX_ARCHIVE_MEMBERS = 10_000
#: … and a member larger than 1 MB may not unpack to more than this many times its packed size
MAX_COMPRESSION_RATIO = 500

#: first bytes of a zip archive (.xlsx) and of an OLE compound file (.xls, encrypted .xlsx)
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: stream name (UTF-16LE, as stored in the OLE directory) of a password-protected OOXML file
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
#: C0 control characters other than tab and line breaks, and DEL: invisible, and Excel refuses them
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

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


@dataclass(frozen=True)
class Grid:
    """The rows of a text table as one array: what :func:`load_rows` gives, column-wise.

    ``cells[i, :lengths[i]]`` are the cells of ``Row(numbers[i], …)``; the rest of the
    row is padded with ``""`` up to the widest row.
    """

    cells: np.ndarray    # 2-D object array of str, shape (n_rows, width)
    lengths: np.ndarray  # cells per row, trailing empty cells dropped (0 for a blank row)
    numbers: np.ndarray  # 1-based line where the row's record starts
    encoding: str
    issues: tuple[Issue, ...]

    def rows(self, start: int = 0, stop: int | None = None) -> tuple[Row, ...]:
        """The :class:`Row` objects of ``start:stop`` (e.g. to find the header)."""
        window = slice(start, stop)
        return tuple(Row(n, tuple(cells[:k])) for n, cells, k in
                     zip(self.numbers[window].tolist(), self.cells[window].tolist(), self.lengths[window].tolist()))

    @classmethod
    def from_rows(cls, rows: tuple[Row, ...], encoding: str, issues: tuple[Issue, ...]) -> Grid:
        lengths = np.array([len(r.cells) for r in rows], dtype=np.int64)
        width = int(lengths.max(initial=0))
        cells = np.full((len(rows), width), "", dtype=object)
        for i, r in enumerate(rows):
            cells[i, :len(r.cells)] = r.cells
        return cls(cells, lengths, np.array([r.number for r in rows], dtype=np.int64), encoding, issues)


def clean_cell(text: object) -> str:
    """Cell value → text as printed: HTML tags dropped, entities decoded, trimmed.

    >>> clean_cell("<p>1、1-产出指标</p>")
    '1、1-产出指标'
    """
    if text is None:
        return ""
    s = text if isinstance(text, str) else str(text)
    if "<" in s:
        s = _TAG.sub("", _TAG_BREAK.sub("\n", s))
    if "&" in s:
        s = html.unescape(s)
    if "\r" in s:
        s = s.replace("\r\n", "\n").replace("\r", "\n")
    return s.strip()


def load_rows(path: Path) -> Loaded:
    """Read a target table into rows of cells; raise :class:`InputError` if unreadable.

    The format is decided by the file's first bytes, then by its suffix: an .xlsx saved
    as ``.csv`` is still read as Excel, and an old .xls renamed ``.xlsx`` is named as such.
    """
    return _load_text(path) if _is_text(path) else _load_excel(path)


def load_text_grid(path: Path) -> Grid | None:
    """The same rows as ``load_rows(path)`` for a text table, as a :class:`Grid`; None for Excel.

    A machine-exported table (one record per line, no control characters, no line longer
    than :data:`MAX_CELL`) is split by pandas' C parser, and only the rows that can hold
    HTML, entities or surrounding white space are cleaned cell by cell; any other text takes
    the exact route of :func:`load_rows`. Callers fall back to :func:`load_rows` on None.
    """
    if not _is_text(path):
        return None
    data = _read_bytes(path)
    suffix = path.suffix.lower()
    head = _utf8_head(data)
    if head is not None and head.strip():
        try:
            grid = _parse_grid(data[len(codecs.BOM_UTF8):] if data.startswith(codecs.BOM_UTF8) else data,
                               _sniff_delimiter(head, suffix), "utf-8-sig")
        except UnicodeDecodeError:  # not UTF-8 after all (GBK): decoded below
            grid = head = None
        if grid is not None:
            return grid
    text, encoding = _decode_text(data, path.name)
    delimiter = _sniff_delimiter(text, suffix)
    if head is None:  # the fast route was not tried on this text yet
        grid = _parse_grid(text.encode("utf-8"), delimiter, encoding)
        if grid is not None:
            return grid
    rows, issues = _split_text(text, delimiter, path.name)
    return Grid.from_rows(rows, encoding, tuple(issues))


def _is_text(path: Path) -> bool:
    """True for a text table, False for an .xlsx; raise :class:`InputError` for what cannot be read.

    The format is decided by the file's first bytes, then by its suffix.
    """
    if not path.exists():
        raise InputError("文件不存在", file=str(path), code="file_missing")
    if path.is_dir():
        raise InputError("这是一个文件夹，不是表格文件", file=str(path), code="not_a_file")
    with path.open("rb") as fh:
        magic = fh.read(8)
    suffix = path.suffix.lower()
    if magic.startswith(OLE_MAGIC):
        raise _ole_error(path)
    if magic.startswith(ZIP_MAGIC) or suffix in EXCEL_SUFFIXES:
        return False
    if suffix == ".xls" and magic.lstrip().startswith(b"<"):
        raise InputError("扩展名为 .xls，但内容是网页（HTML），不是 Excel 工作簿；请在 Excel 中打开后另存为 .xlsx",
                         file=path.name, code="xls_format")
    return True


def _ole_error(path: Path) -> InputError:
    """An OLE compound file: a password-protected .xlsx, or an old binary .xls (BIFF)."""
    with path.open("rb") as fh:
        head = fh.read(MAX_BYTES)
    if _ENCRYPTED_STREAM in head:
        return InputError("Excel 文件设置了打开密码（已加密），无法读取；请在 Excel 中取消密码"
                          "（文件 → 信息 → 保护工作簿 → 用密码进行加密，清空密码）后另存为 .xlsx",
                          file=path.name, code="xlsx_encrypted")
    return InputError("这是旧版 Excel 97-2003 格式（.xls），无法读取；请在 Excel 或 WPS 中打开，"
                      "「另存为」Excel 工作簿（.xlsx）后再试", file=path.name, code="xls_format")


def decode(data: bytes, file: str) -> tuple[str, str]:
    """Bytes → text, trying UTF-8 (with or without BOM) then GB18030 (a superset of GBK).

    >>> decode("指标".encode("gbk"), "x.csv")
    ('指标', 'gb18030')
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise InputError("文件以 UTF-16 标记开头，但内容无法按 UTF-16 解码", file=file,
                             code="encoding_unknown") from exc
    first_error: UnicodeDecodeError | None = None
    for enc in ENCODINGS:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError as exc:
            first_error = first_error or exc
            continue
    line = data[: first_error.start].count(b"\n") + 1 if first_error else None
    raise InputError(f"无法识别文件编码（已尝试 UTF-8、GBK/GB18030）：第{line}行有无法解码的字节；"
                     "请在 Excel 或记事本中「另存为」UTF-8 编码的 CSV", file=file, code="encoding_unknown", row=line)


def _load_text(path: Path) -> Loaded:
    text, encoding = _decode_text(_read_bytes(path), path.name)
    rows, issues = _split_text(text, _sniff_delimiter(text, path.suffix.lower()), path.name)
    return Loaded((Sheet(None, rows),), encoding, tuple(issues))


def _read_bytes(path: Path) -> bytes:
    """The bytes of a text table; refuse a file too large, empty or binary."""
    with path.open("rb") as fh:
        # read up to the size the file declares (a read of MAX_BYTES allocates and then shrinks a
        # 64 MB buffer, several times the cost of the read); the rest, if it has more (a pipe)
        size = min(os.fstat(fh.fileno()).st_size, MAX_BYTES)
        data = fh.read(size + 1)
        if len(data) > size:
            data += fh.read(MAX_BYTES + 1 - len(data))
    if len(data) > MAX_BYTES:
        raise InputError(f"文件超过 {MAX_BYTES // (1024 * 1024)} MB，不像是一张绩效目标表", file=path.name,
                         code="file_too_large")
    if not data or data.isspace():
        raise InputError("文件是空的", file=path.name, code="file_empty")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("这是二进制文件，不是文本表格（如为 Excel，请使用 .xlsx 扩展名）", file=path.name,
                         code="binary_file")
    return data


def _decode_text(data: bytes, file: str) -> tuple[str, str]:
    """:func:`decode`, refusing a file of white space only."""
    text, encoding = decode(data, file)
    if not text.strip():
        raise InputError("文件是空的", file=file, code="file_empty")
    return text, encoding


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
        raise InputError(f"第{start}行无法按表格读取：{exc}", file=file, code="not_a_table", row=start) from exc
    return tuple(rows), issues


#: how many characters of the text the delimiter is sniffed from
_SNIFF_CHARS = 65536


def _utf8_head(data: bytes) -> str | None:
    """The first characters of ``data`` decoded as :func:`decode` would if it is UTF-8, else None.

    Only a prefix is decoded: enough for :func:`_sniff_delimiter`.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    chunk = data[: 4 * _SNIFF_CHARS + 8]
    try:
        return codecs.getincrementaldecoder("utf-8-sig")().decode(chunk, final=len(chunk) == len(data))[:_SNIFF_CHARS]
    except UnicodeDecodeError:
        return None


#: UTF-8 of the non-ASCII characters ``str.strip`` removes (U+0085, U+00A0, U+1680, U+2000–U+200A,
#: U+2028, U+2029, U+202F, U+205F, U+3000) as big-endian 3-byte integers, a 2-byte sequence padded
#: with a zero byte (tests/test_io_grid.py checks the list against ``str.isspace``)
_WIDE_SPACES = np.array([
    0xC28500, 0xC2A000, 0xE19A80, 0xE28080, 0xE28081, 0xE28082, 0xE28083, 0xE28084, 0xE28085, 0xE28086,
    0xE28087, 0xE28088, 0xE28089, 0xE2808A, 0xE280A8, 0xE280A9, 0xE280AF, 0xE2819F, 0xE38080,
], dtype=np.int64)

#: byte → 1 for the bytes :func:`_dirty_positions` looks at (quote, ``<``, ``&``, space, the lead
#: byte of a wide space), else 0: a table for ``bytes.translate``
_LOOK_AT = bytes(1 if x in {ord('"'), ord("<"), ord("&"), 32, *(_WIDE_SPACES >> 16).tolist()} else 0
                 for x in range(256))

#: :data:`_LOOK_AT` and the C0 control bytes (line breaks, tabs, control characters): :func:`_parse_grid`
#: finds both in one pass
_MARKED = bytes(1 if x < 32 or _LOOK_AT[x] else 0 for x in range(256))

_ASCII_LETTER = np.zeros(256, dtype=bool)
_ASCII_LETTER[[*range(65, 91), *range(97, 123)]] = True


def _parse_grid(body: bytes, delimiter: str, encoding: str) -> Grid | None:
    """UTF-8 ``body`` split by pandas' C parser as :func:`_split_text` would split it; None when unusual.

    Unusual (left to the exact route): control characters, a line break other than LF or
    CRLF, a record over several lines (quoted line breaks), a line longer than
    :data:`MAX_CELL`, more than :data:`MAX_ROWS` lines, a quote left open. Raises
    UnicodeDecodeError when ``body`` is not UTF-8 (the C parser checks every field).
    """
    import pandas as pd

    from ..frames import exact_codes

    if body.startswith(codecs.BOM_UTF8):  # a second BOM is text to csv.reader, pandas would drop it
        return None
    b = np.frombuffer(body, dtype=np.uint8)
    size = len(b)
    # one pass of bytes.translate (cheaper than a comparison per byte value) marks the bytes worth a look
    marked = np.flatnonzero(np.frombuffer(body.translate(_MARKED), dtype=np.bool_))
    marked_byte = b[marked]
    is_low = marked_byte < 32
    low, low_byte = marked[is_low], marked_byte[is_low]  # line breaks, tabs, and control characters
    newlines, returns, tabs = low[low_byte == 10], low[low_byte == 13], low[low_byte == 9]
    if len(newlines) + len(returns) + len(tabs) != len(low) or b"\x7f" in body:
        return None
    if len(returns) and (returns[-1] == size - 1 or (b[returns + 1] != 10).any()):
        return None  # a lone CR: csv.reader breaks lines there too, its numbering is left to it
    ends = newlines if b[-1] == 10 else np.append(newlines, size)  # where each line's break is
    starts = np.concatenate(([0], ends[:-1] + 1))
    if len(ends) >= MAX_ROWS or (ends - starts).max() > MAX_CELL:  # csv.reader reports the MAX_ROWS-th
        return None
    seps = tabs if delimiter == "\t" else np.flatnonzero(b == ord(delimiter))
    fields = np.diff(np.searchsorted(seps, ends), prepend=0) + 1  # quoted delimiters count too
    width = int(fields.max())
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.ParserWarning)  # a record wider than a line: over several lines
        try:  # (dtype=object: the parser's fields are str already; dtype=str adds a pass over every column)
            frame = pd.read_csv(_ByteReader(body), sep=delimiter, header=None, names=range(width), dtype=object,
                                keep_default_na=False, na_filter=False, skip_blank_lines=False, engine="c",
                                encoding="utf-8", encoding_errors="strict", index_col=False)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, pd.errors.ParserWarning):
            return None
    if len(frame) != len(ends):  # a quoted field runs over a line break
        return None
    cells = frame.to_numpy(dtype=object)
    looked = ~is_low
    marks, quotes = _dirty_positions(b, marked[looked], marked_byte[looked], delimiter, tabs)
    dirty = _lines_of(marks, ends)
    if len(dirty):  # each distinct cell (the parser gives repetitions one object) cleaned once
        raw = cells[dirty].ravel()
        codes, first = exact_codes(raw)
        distinct = raw.take(first).tolist()
        cleaned = [clean_cell(v) for v in distinct]
        if any(_CONTROL.search(c) for v, c in zip(distinct, cleaned) if c != v):  # &#1; decodes to a control character
            return None
        values = np.empty(len(cleaned), dtype=object)
        values[:] = cleaned
        cells[dirty] = values.take(codes).reshape(len(dirty), -1)
    lengths = _plain_lengths(b, delimiter, starts, ends, fields)
    special = _lines_of(np.concatenate((marks, quotes)), ends)  # where a cell is not the bytes between delimiters
    if len(special):
        filled = cells[special].astype(bool)
        lengths[special] = np.where(filled.any(axis=1), width - np.argmax(filled[:, ::-1], axis=1), 0)
    return Grid(cells[:, :int(lengths.max())], lengths, np.arange(1, len(ends) + 1), encoding, ())


def _lines_of(positions: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The lines (ascending, each once) holding the byte ``positions``."""
    hit = np.zeros(len(ends), dtype=bool)
    hit[np.searchsorted(ends, positions)] = True
    return np.flatnonzero(hit)


def _plain_lengths(b: np.ndarray, delimiter: str, starts: np.ndarray, ends: np.ndarray,
                   fields: np.ndarray) -> np.ndarray:
    """Cells per line without the trailing empty ones, for lines of plain cells (no quotes, nothing to clean)."""
    stop = ends - ((ends > starts) & (b[np.maximum(ends - 1, 0)] == 13))  # before a CRLF
    trailing = np.zeros(len(ends), dtype=np.int64)
    at = stop - 1
    alive = at >= starts
    while alive.any():  # count the delimiters ending each line
        alive &= b[np.maximum(at, 0)] == ord(delimiter)
        trailing += alive
        at -= 1
        alive &= at >= starts
    return np.where(stop - trailing == starts, 0, fields - trailing)


class _ByteReader:
    """``body`` as a reader pandas hands to its C parser as bytes, as it does a file path.

    pandas wraps an ``io.BytesIO`` in a TextIOWrapper, decoding the text only for its C
    parser to encode it again (a sixth of the parse time); an object without a binary
    ``mode`` is read directly, and the C parser decodes (and checks) the UTF-8 itself.
    """

    def __init__(self, body: bytes):
        self._stream = io.BytesIO(body)

    def read(self, size: int = -1) -> bytes:
        return self._stream.read(size)


def _dirty_positions(b: np.ndarray, looked: np.ndarray, looked_byte: np.ndarray, delimiter: str,
                     tabs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Byte positions where :func:`clean_cell` may change a cell (a superset: tags, entities, white space
    at a cell's edge, non-ASCII white space anywhere), and the positions of quotes.

    ``looked``: the positions of the bytes :data:`_LOOK_AT` marks, ``looked_byte`` those bytes;
    ``tabs``: the positions of the tabs.
    """
    last = len(b) - 1
    wide = _WIDE_SPACES
    if delimiter == "\t":  # a tab inside quotes is text: white space at the edge of a quoted cell
        tabs = tabs[(b[np.maximum(tabs - 1, 0)] == ord('"')) | (b[np.minimum(tabs + 1, last)] == ord('"'))]
    at = np.concatenate((looked, tabs))
    byte = np.concatenate((looked_byte, b[tabs]))
    quotes = at[byte == ord('"')]
    after = b[np.minimum(at + 1, last)]
    before = b[np.maximum(at - 1, 0)]
    tag = (byte == ord("<")) & (_ASCII_LETTER[after] | (after == ord("/")) | (after == 32) | (after == 9)
                                | (after >= 128))
    space = (byte == 32) | (byte == 9)  # (the tabs left with a tab delimiter are next to a quote)
    edge = space & ((at == 0) | (at == last) | (before == ord(delimiter)) | (before == ord('"')) | (before == 10)
                    | (after == ord(delimiter)) | (after == ord('"')) | (after == 13) | (after == 10))
    dirty = tag | edge | (byte == ord("&"))
    lead = np.flatnonzero(byte >= 128)
    if len(lead):
        key = (byte[lead].astype(np.int64) << 16 | after[lead].astype(np.int64) << 8
               | b[np.minimum(at[lead] + 2, last)])
        key = np.where(byte[lead] < 0xE0, key & ~0xFF, key)  # a 2-byte sequence: the third byte is another character
        dirty[lead] = wide[np.minimum(np.searchsorted(wide, key), len(wide) - 1)] == key
    return at[dirty], quotes


def _cap_cells(values, file: str, row: int, issues: list[Issue], sheet: str | None = None) -> tuple[str, ...]:
    cells = [clean_cell(v) for v in values]
    # the common case (no control characters, no huge cell) costs one regex scan of the joined row
    joined = "".join(cells)
    if len(joined) <= MAX_CELL and not _CONTROL.search(joined):
        while cells and not cells[-1]:
            cells.pop()
        return tuple(cells)
    for i, c in enumerate(cells):
        if _CONTROL.search(c):
            shown = _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", c)
            issues.append(Issue("control_characters", "warning", "单元格含不可见的控制字符，已删除",
                                file=file, sheet=sheet, row=row, column=column_letter(i), cell=shown))
            c = cells[i] = _CONTROL.sub("", c).strip()
        if len(c) > MAX_CELL:
            issues.append(Issue("cell_too_long", "warning", f"单元格有 {len(c)} 字，超过 {MAX_CELL} 字，已截断",
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
    except ImportError as exc:  # pragma: no cover - openpyxl is a dependency
        raise InputError("读取 .xlsx 需要 openpyxl", file=path.name) from exc
    check_archive(path)
    with path.open("rb") as fh:  # a file object: openpyxl would refuse an .xlsx saved under another suffix
        return _read_workbook(openpyxl, fh, path)


def _read_workbook(openpyxl, fh, path: Path) -> Loaded:
    try:
        wb = openpyxl.load_workbook(fh, read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, XML errors from damaged files
        raise InputError(f"Excel 文件已损坏或不是 .xlsx（{type(exc).__name__}），请在 Excel 中打开后重新另存为 .xlsx",
                         file=path.name, code="xlsx_damaged") from exc
    issues: list[Issue] = []
    sheets = []
    try:
        for ws in wb.worksheets:
            try:
                sheets.append(Sheet(ws.title, _excel_rows(ws, path.name, issues)))
            except Exception as exc:  # a damaged sheet is read lazily, after the workbook opened
                raise InputError(f"工作表「{ws.title}」已损坏，无法读取（{type(exc).__name__}）；"
                                 "请在 Excel 中打开后重新另存为 .xlsx", file=path.name, code="xlsx_damaged",
                                 sheet=ws.title) from exc
    finally:
        wb.close()
    return Loaded(tuple(sheets), None, tuple(issues))


def check_archive(path: Path) -> None:
    """Refuse an .xlsx before opening it when its zip archive is oversized or its XML declares entities.

    A zip bomb (a few KB unpacking to GB) is caught from the sizes the archive declares
    (Python's zipfile never inflates a member past its declared size); a "billion laughs"
    entity bomb from a ``<!DOCTYPE``/``<!ENTITY`` in a part's prolog (spreadsheets never
    have one). openpyxl's own defusedxml parsing is the second line of defence.
    """
    name = path.name
    if path.stat().st_size > MAX_BYTES:
        raise InputError(f"文件超过 {MAX_BYTES // (1024 * 1024)} MB，不像是一张绩效目标表", file=name,
                         code="file_too_large")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > MAX_ARCHIVE_MEMBERS:
                raise InputError(f"Excel 文件内部有 {len(members)} 个部件，超过上限 {MAX_ARCHIVE_MEMBERS}，拒绝打开",
                                 file=name, code="archive_too_large")
            total = sum(m.file_size for m in members)
            if total > MAX_ARCHIVE_BYTES:
                raise InputError(f"Excel 文件解压后有 {total / 2**20:,.0f} MB，超过上限 {MAX_ARCHIVE_BYTES // 2**20} MB，"
                                 "拒绝打开（可能是压缩炸弹）", file=name, code="archive_too_large")
            for m in members:
                if m.file_size > 2**20 and m.file_size > MAX_COMPRESSION_RATIO * max(m.compress_size, 1):
                    raise InputError(f"Excel 文件的部件 {m.filename} 压缩比超过 {MAX_COMPRESSION_RATIO} 倍，"
                                     "拒绝打开（可能是压缩炸弹）", file=name, code="archive_too_large")
            for m in members:
                if m.filename.endswith((".xml", ".rels")) and _declares_entities(archive, m):
                    raise InputError(f"Excel 文件的部件 {m.filename} 含 DOCTYPE/ENTITY 声明（XML 实体扩展攻击的写法），"
                                     "正常的 Excel 文件没有，拒绝打开", file=name, code="xml_entities")
    except zipfile.BadZipFile as exc:
        raise InputError(f"Excel 文件已损坏或不完整（{exc}），请在 Excel 中打开后重新另存为 .xlsx",
                         file=name, code="xlsx_damaged") from exc
    except (OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise InputError(f"Excel 文件已损坏或无法解压（{type(exc).__name__}）", file=name,
                         code="xlsx_damaged") from exc


def _declares_entities(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    """True when the XML prolog of ``member`` has a DOCTYPE or ENTITY declaration."""
    with archive.open(member) as fh:
        head = fh.read(65536)
    # the prolog ends where the root element starts: the first "<" not followed by ? or !
    parts = re.split(rb"<[^?!]", head, maxsplit=1)
    if len(parts) == 1 and len(head) == 65536:
        return True  # no root element in 64 KB: a padded prolog hiding a declaration
    prolog = parts[0].upper()
    return b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog


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
