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

from ..issues import InputError, Issue, issue_message
from ..wording import message

#: a cell longer than this is cut (a pasted page in one cell is not a target)
MAX_CELL = 20_000
#: rows per sheet at most (Excel's own limit); a longer sheet is refused, never read in part
MAX_ROWS = 1_048_576
#: cells per row at most (Excel's own limit, column XFD); a wider row is refused with its line number
MAX_COLUMNS = 16_384
#: share of control bytes (other than tab and line breaks) above which a text file is binary
BINARY_SHARE = 0.05
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
#: the separators a text table may use, in the order preferred on a tie
DELIMITERS = (",", "\t", ";")

csv.field_size_limit(max(csv.field_size_limit(), MAX_BYTES + 1))  # a cell is bounded by the file size
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
    #: each column of ``cells`` as (codes, distinct texts), when the parser coded it (else None)
    coded: tuple[tuple[np.ndarray, np.ndarray], ...] | None = None

    def column_codes(self, rows: slice) -> list[tuple[np.ndarray, np.ndarray]] | None:
        """The columns of ``cells[rows]`` as (codes, distinct texts), the texts of a column distinct by
        value (not all of them need occur in ``rows``); None when the grid was not read coded."""
        if self.coded is None:
            return None
        return [(codes[rows], uniques) for codes, uniques in self.coded]

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


#: set (to 1) by ``--include-hidden-sheets``: an environment variable, so batch workers see it too
HIDDEN_SHEETS_ENV = "EVALUATOR_INCLUDE_HIDDEN_SHEETS"


def include_hidden_sheets(on: bool = True) -> None:
    """Read hidden and very hidden sheets of every workbook from now on (this process and its workers)."""
    if on:
        os.environ[HIDDEN_SHEETS_ENV] = "1"
    else:
        os.environ.pop(HIDDEN_SHEETS_ENV, None)


def load_rows(path: Path, *, hidden_sheets: bool | None = None) -> Loaded:
    """Read a target table into rows of cells; raise :class:`InputError` if unreadable.

    The format is decided by the file's first bytes, then by its suffix: an .xlsx saved
    as ``.csv`` is still read as Excel, and an old .xls renamed ``.xlsx`` is named as such.
    Hidden sheets of a workbook are skipped (and said so) unless ``hidden_sheets`` (default:
    :data:`HIDDEN_SHEETS_ENV` set).
    """
    if hidden_sheets is None:
        hidden_sheets = os.environ.get(HIDDEN_SHEETS_ENV, "") not in ("", "0")
    return _load_text(path) if _is_text(path) else _load_excel(path, hidden_sheets)


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
        body = data[len(codecs.BOM_UTF8):] if data.startswith(codecs.BOM_UTF8) else data
        delimiter = _sniff_delimiter(head, suffix)
        try:
            grid = _parse_grid(body, delimiter, "utf-8-sig", path.name)
        except UnicodeDecodeError:  # not UTF-8 after all (GBK): decoded below
            grid = head = None
        if grid is not None:
            return grid
    text, encoding = _decode_text(data, path.name)
    delimiter = _sniff_delimiter(text, suffix)
    if head is None:  # the fast route was not tried on this text yet
        body = text.encode("utf-8", "surrogatepass")
        grid = _parse_grid(body, delimiter, encoding, path.name)
        if grid is not None:
            return grid
    rows, issues = _split_text(text, delimiter, path.name)
    return Grid.from_rows(rows, encoding, tuple(issues))


def _is_text(path: Path) -> bool:
    """True for a text table, False for an .xlsx; raise :class:`InputError` for what cannot be read.

    The format is decided by the file's first bytes, then by its suffix.
    """
    if not path.exists():
        raise InputError(issue_message("file_missing", "table"), file=str(path), code="file_missing")
    if path.is_dir():
        raise InputError(issue_message("not_a_file", "directory"), file=str(path), code="not_a_file")
    refuse_special(path)
    with path.open("rb") as fh:
        magic = fh.read(8)
    suffix = path.suffix.lower()
    if magic.startswith(OLE_MAGIC):
        raise _ole_error(path)
    if magic.startswith(ZIP_MAGIC) or suffix in EXCEL_SUFFIXES:
        return False
    if suffix == ".xls" and magic.lstrip().startswith(b"<"):
        raise InputError(issue_message("xls_format", "html"), file=path.name, code="xls_format")
    return True


def refuse_special(path: Path) -> None:
    """Raise :class:`InputError` unless ``path`` is a regular file (a FIFO, device or socket would block or never end)."""
    import stat

    if not stat.S_ISREG(path.stat().st_mode):
        raise InputError(issue_message("not_a_file", "special"), file=str(path), code="not_a_file")


def _ole_error(path: Path) -> InputError:
    """An OLE compound file: a password-protected .xlsx, or an old binary .xls (BIFF)."""
    with path.open("rb") as fh:
        head = fh.read(MAX_BYTES)
    if _ENCRYPTED_STREAM in head:
        return InputError(issue_message("xlsx_encrypted"), file=path.name, code="xlsx_encrypted")
    return InputError(issue_message("xls_format", "old"), file=path.name, code="xls_format")


def decode(data: bytes, file: str) -> tuple[str, str]:
    """Bytes → text, trying UTF-8 (with or without BOM) then GB18030 (a superset of GBK).

    >>> decode("指标".encode("gbk"), "x.csv")
    ('指标', 'gb18030')
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise InputError(issue_message("encoding_unknown", "utf16"), file=file, code="encoding_unknown") from exc
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return utf16
    first_error: UnicodeDecodeError | None = None
    for enc in ENCODINGS:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError as exc:
            first_error = first_error or exc
            continue
    line = data[: first_error.start].count(b"\n") + 1 if first_error else None
    raise InputError(issue_message("encoding_unknown", "line", line=line), file=file, code="encoding_unknown", row=line)


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 text saved without a byte-order mark: most NUL bytes on one side of each pair (ASCII characters)."""
    head = data[:4096]
    zeros = head.count(0)
    if zeros < 4 or len(data) % 2:
        return None
    odd = head[1::2].count(0)
    for enc, share in (("utf-16-le", odd), ("utf-16-be", zeros - odd)):
        if share >= 0.9 * zeros:
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                return None
            if len(_CONTROL.findall(text[:2048])) <= BINARY_SHARE * min(len(text), 2048):
                return text, enc
    return None


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
        raise InputError(issue_message("file_too_large", mb=MAX_BYTES // (1024 * 1024)), file=path.name,
                         code="file_too_large")
    if not data or data.isspace():
        raise InputError(issue_message("file_empty"), file=path.name, code="file_empty")
    if _looks_binary(data):
        raise InputError(issue_message("binary_file"), file=path.name, code="binary_file")
    return data


#: control bytes other than tab and line breaks
_CONTROL_BYTES = bytes(range(0, 9)) + b"\x0b\x0c" + bytes(range(0x0e, 0x20))


def _looks_binary(data: bytes) -> bool:
    """Binary when more than :data:`BINARY_SHARE` of the first 4 KB are control bytes (UTF-16 text excepted);
    a few stray NULs or control characters in a text table are stripped and reported cell by cell."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or _utf16_without_bom(data) is not None:
        return False
    head = data[:4096]
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return controls > BINARY_SHARE * len(head)


def _decode_text(data: bytes, file: str) -> tuple[str, str]:
    """:func:`decode`, refusing a file of white space only."""
    text, encoding = decode(data, file)
    if not text.strip():
        raise InputError(issue_message("file_empty"), file=file, code="file_empty")
    return text, encoding


#: a quoted cell (its delimiters and line breaks are text, not structure)
_QUOTED = re.compile(r'"(?:[^"]|"")*+"')
#: lines the delimiter is sniffed from
_SNIFF_LINES = 50


def _sniff_delimiter(text: str, suffix: str) -> str:
    """The separator of the table's lines, judged by their structure outside quoted cells.

    Over the first non-blank lines, each candidate (comma, tab, semicolon) is counted per line;
    the candidate that splits the most lines into the same number of cells (more than one)
    wins. A tab inside a quoted note, or commas inside numbers of a tab-separated copy, do not
    change the separator. On a tie: tab for .tsv/.tab/.txt, comma for .csv; no separator at all:
    comma for .csv, else tab (a single column).
    """
    head = _QUOTED.sub("", text[:_SNIFF_CHARS])
    lines = [line for line in re.split(r"\r\n|\r|\n", head, maxsplit=4 * _SNIFF_LINES) if line.strip()][:_SNIFF_LINES]
    order = DELIMITERS if suffix == ".csv" else ("\t", ",", ";")
    best, best_key = None, (0, 0)
    for rank, d in enumerate(order):
        counts = [line.count(d) for line in lines]
        used = [c for c in counts if c]
        if not used:
            continue
        mode = max(set(used), key=lambda c: (used.count(c), c))
        key = (counts.count(mode), mode)
        if key > best_key:
            best, best_key = d, key
    if best is not None:
        return best
    return "," if suffix == ".csv" else "\t"


#: the lines of a text as csv.reader breaks them (CRLF, CR or LF), each with its line break
_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def _split_text(text: str, delimiter: str, file: str) -> tuple[tuple[Row, ...], list[Issue]]:
    """Records of ``text``; a record whose quotes do not pair up is a located error, its line is read as typed
    (quotes as text) and reading goes on with the next line, so one stray ``"`` cannot swallow the table."""
    check_width(text.encode("utf-8", "surrogatepass"), delimiter, file)
    issues: list[Issue] = []
    lines = _LINES.findall(text)
    rows: list[Row] = []
    at = 0  # index of the first line not read yet
    width = 0  # the most cells of a record so far
    while at < len(lines):
        reader = csv.reader(iter(lines[at:]) if at else iter(lines), delimiter=delimiter, strict=True)
        start = at + 1
        try:
            for record in reader:
                spans = at + reader.line_num + 1 - start
                if spans > 1 and _swallows_records(record, delimiter, width):
                    raise csv.Error("a quoted cell holds whole records")
                width = max(width, len(record))
                _add_row(rows, Row(start, _cap_cells(record, file, start, issues)), file)
                start = at + reader.line_num + 1
            break
        except csv.Error:
            line = lines[start - 1]
            cells = line.rstrip("\r\n").split(delimiter)
            issues.append(Issue("unbalanced_quote", "error", issue_message("unbalanced_quote"),
                                file=file, row=start, cell=line.rstrip("\r\n")[:80]))
            _add_row(rows, Row(start, _cap_cells(cells, file, start, issues)), file)
            at = start
    return tuple(rows), issues


def _swallows_records(record: list[str], delimiter: str, width: int) -> bool:
    """A quoted cell over several lines whose later lines have a record's delimiters: two stray quotes
    took the lines between them into one cell (a note written over lines has no such structure)."""
    need = max(2, width - 2)
    return any(line.count(delimiter) >= need for cell in record if "\n" in cell or "\r" in cell
               for line in re.split(r"\r\n|\r|\n", cell)[1:])


def _add_row(rows: list[Row], row: Row, file: str, sheet: str | None = None) -> None:
    """Append ``row``; refuse the sheet when it has more than :data:`MAX_ROWS` rows (never read in part)."""
    if len(rows) >= MAX_ROWS:
        raise too_many_rows(file, sheet, row.number)
    rows.append(row)


def too_many_rows(file: str, sheet: str | None, row: int) -> InputError:
    return InputError(issue_message("too_many_rows", limit=MAX_ROWS, row=row),
                      file=file, sheet=sheet, row=row, code="too_many_rows")


def check_width(body: bytes, delimiter: str, file: str, lines: tuple[np.ndarray, np.ndarray] | None = None) -> None:
    """Refuse a text whose line has more than :data:`MAX_COLUMNS` cells (counting every delimiter, quoted or not).

    ``lines``: where each line (broken at LF) starts and where it ends, when found already.
    """
    d = delimiter.encode()
    if lines is None:
        if body.count(d) < MAX_COLUMNS:  # (counted, never listed: a 62 MB line of commas stays 62 MB)
            return
        breaks = np.flatnonzero(np.frombuffer(body, dtype=np.uint8) == 10)
        lines = np.r_[0, breaks + 1], np.r_[breaks, len(body)]
    starts, ends = lines
    for line in np.flatnonzero(ends - starts >= MAX_COLUMNS).tolist():  # only a line that long can be that wide
        count = body.count(d, int(starts[line]), int(ends[line]))
        if count >= MAX_COLUMNS:
            raise _too_wide(line, count, file)


def _too_wide(line: int, count: int, file: str) -> InputError:
    return InputError(issue_message("too_many_columns", line=line + 1, count=count + 1, limit=MAX_COLUMNS),
                      file=file, row=line + 1, code="too_many_columns")


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


def _parse_grid(body: bytes, delimiter: str, encoding: str, file: str) -> Grid | None:
    """UTF-8 ``body`` split by pandas' C parser (``read_csv(dtype=object)``) and cleaned once per distinct
    cell, as :func:`_split_text` would read it; None when unusual.

    Unusual (left to the exact route): control characters, a line break other than LF or
    CRLF, a record over several lines (quoted line breaks), a line longer than
    :data:`MAX_CELL`, :data:`MAX_ROWS` lines or more, a quote left open or misplaced. Raises
    UnicodeDecodeError when ``body`` is not UTF-8 (the C parser checks every field), and first
    :class:`InputError` for a line too wide (:func:`check_width`).

    Each column is coded by ``pd.factorize`` and each of its distinct cells cleaned once: the cost
    follows the distinct cells, not the rows; the codes are kept (:attr:`Grid.coded`).
    """
    import pandas as pd

    from ..frames import factorize_objects

    b = np.frombuffer(body, dtype=np.uint8)
    size = len(b)
    newlines = np.flatnonzero(b == 10)
    ends = newlines if b[-1] == 10 else np.append(newlines, size)  # where each line's break is
    starts = np.concatenate(([0], ends[:-1] + 1))
    check_width(body, delimiter, file, (starts, ends))
    if body.startswith(codecs.BOM_UTF8):  # a second BOM is text to csv.reader, pandas would drop it
        return None
    returns = np.count_nonzero(b == 13) if b"\r" in body else 0
    if np.count_nonzero(b < 32) != len(newlines) + returns + np.count_nonzero(b == 9) or b"\x7f" in body:
        return None  # a control character (not tab or line break)
    if returns and returns != np.count_nonzero(b[newlines[newlines > 0] - 1] == 13):
        return None  # a lone CR (not before an LF): csv.reader breaks lines there too, its numbering is left to it
    if len(ends) >= MAX_ROWS or (ends - starts).max() > MAX_CELL:  # csv.reader reports the MAX_ROWS-th
        return None
    # the parser is given as many columns as the widest of the first lines has cells (delimiters counted,
    # quoted ones too); a later line with more cells makes it fail, and it is given the most of any line
    first = min(len(ends), _SNIFF_LINES)
    width = max(body.count(delimiter.encode(), start, end) for start, end in zip(starts[:first].tolist(),
                                                                              ends[:first].tolist())) + 1
    frame = _split_columns(body, delimiter, width)
    if frame is None:
        seps = np.flatnonzero(b == ord(delimiter))
        widest = int((np.searchsorted(seps, ends) - np.searchsorted(seps, starts)).max()) + 1
        frame, width = (_split_columns(body, delimiter, widest) if widest > width else None), widest
    if frame is None:
        return None
    if len(frame) != len(ends):  # a quoted field runs over a line break
        return None
    if _misplaced_quote(body, delimiter, newlines):  # "a"b: csv.reader reports it, the C parser would join it
        return None
    # coded column by column (a column's distinct cells are few, so its hash table stays small:
    # faster than coding the whole grid at once); each distinct cell of a column is cleaned once, and
    # cells that clean to the same text share a code. The codes go on to the column-wise reader.
    n = len(frame)
    coded = []
    for j in range(width):
        codes, uniques = pd.factorize(frame[j].to_numpy(dtype=object))  # (no NUL: a key is the whole text)
        distinct = uniques.tolist()
        cleaned = _clean_texts(distinct)
        if cleaned != distinct:
            if any(_CONTROL.search(c) for v, c in zip(distinct, cleaned) if c != v):
                return None  # &#1; decodes to a control character: reported by the exact route
            merged, uniques = factorize_objects(cleaned)  # " a" and "a" are one text once cleaned
            codes = merged.take(codes)
        else:
            uniques = np.asarray(uniques, dtype=object)
        coded.append((codes, uniques))
    filled = np.empty((n, width), dtype=bool)
    for j, (codes, uniques) in enumerate(coded):
        filled[:, j] = (uniques != "").take(codes)
    lengths = np.where(filled.any(axis=1), width - np.argmax(filled[:, ::-1], axis=1), 0).astype(np.int64)
    used = int(lengths.max(initial=0))
    cells = np.empty((n, used), dtype=object)
    for j, (codes, uniques) in enumerate(coded[:used]):
        cells[:, j] = uniques.take(codes)
    return Grid(cells, lengths, np.arange(1, len(ends) + 1), encoding, (), tuple(coded[:used]))


def _split_columns(body: bytes, delimiter: str, width: int):
    """``body`` split into ``width`` columns of texts by pandas' C parser; None when it refuses (a line with
    more cells, a quote it cannot pair, a record wider than a line: over several lines)."""
    import pandas as pd

    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.ParserWarning)
        # (dtype=object: the parser's fields are str already, dtype=str adds a pass over every column;
        # low_memory=False: one chunk, not chunks joined afterwards: 25 % less parse time on pandas 3)
        try:
            return pd.read_csv(_ByteReader(body), sep=delimiter, header=None, names=range(width), dtype=object,
                               keep_default_na=False, na_filter=False, skip_blank_lines=False, engine="c",
                               encoding="utf-8", encoding_errors="strict", index_col=False, low_memory=False)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, pd.errors.ParserWarning):
            return None


def _clean_texts(texts: list[str]) -> list[str]:
    """``[clean_cell(t) for t in texts]`` for the cells of a grid (texts, no line break): a text without
    markup, entity or CR is only trimmed, without a call (half the time of calling :func:`clean_cell`)."""
    return [clean_cell(t) if "<" in t or "&" in t or "\r" in t else t.strip() for t in texts]


def _misplaced_quote(body: bytes, delimiter: str, newlines: np.ndarray) -> bool:
    """True when a quoted cell's closing quote is followed by something other than the delimiter or a line break.

    A quote opens a cell at the start of a line or after the delimiter; inside the cell two quotes
    are one quote of the text, and the first lone quote closes it (on the same line: a cell over
    several lines is not read here). Worked out on the runs of consecutive quotes: a cell closes in
    the run that opens it when that run has an even length, else in the next run of odd length.
    ``newlines``: the positions of the LFs (``body`` has no CR but before an LF).
    """
    if b'"' not in body:
        return False
    b = np.frombuffer(body, dtype=np.uint8)
    quotes = np.flatnonzero(b == ord('"'))
    first = np.flatnonzero(np.r_[True, quotes[1:] != quotes[:-1] + 1])  # the first quote of each run
    start, end = quotes[first], quotes[np.r_[first[1:] - 1, len(quotes) - 1]]
    before = b[np.maximum(start - 1, 0)]
    opening = np.flatnonzero((start == 0) | (before == 10) | (before == ord(delimiter)))
    odd = np.flatnonzero((end - start) % 2 == 0)
    later = np.searchsorted(odd, opening, side="right")
    closing = np.where((end - start)[opening] % 2 == 1, opening, odd[np.minimum(later, max(len(odd) - 1, 0))]
                       if len(odd) else opening)
    line_end = np.append(newlines, len(b))[np.searchsorted(newlines, start[opening])]
    closed = ((end - start)[opening] % 2 == 1) | ((later < len(odd)) & (start[closing] < line_end))
    after = b[np.minimum(end[closing] + 1, len(b) - 1)]
    follows = (end[closing] + 1 < len(b)) & (after != ord(delimiter)) & (after != 10) & (after != 13)
    return bool((closed & follows).any())


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
            issues.append(Issue("control_characters", "warning", issue_message("control_characters"),
                                file=file, sheet=sheet, row=row, column=column_letter(i), cell=shown))
            c = cells[i] = _CONTROL.sub("", c).strip()
        if len(c) > MAX_CELL:
            issues.append(Issue("cell_too_long", "warning", issue_message("cell_too_long", length=len(c), limit=MAX_CELL),
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


def _load_excel(path: Path, hidden_sheets: bool = False) -> Loaded:
    try:
        import openpyxl
    except ImportError as exc:  # pragma: no cover - openpyxl is a dependency
        raise InputError(issue_message("unreadable"), file=path.name) from exc
    check_archive(path)
    with path.open("rb") as fh:  # a file object: openpyxl would refuse an .xlsx saved under another suffix
        return _read_workbook(openpyxl, fh, path, hidden_sheets)


def _read_workbook(openpyxl, fh, path: Path, hidden_sheets: bool = False) -> Loaded:
    try:
        wb = openpyxl.load_workbook(fh, read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, XML errors from damaged files
        raise InputError(issue_message("xlsx_damaged", "file", error=type(exc).__name__), file=path.name,
                         code="xlsx_damaged") from exc
    issues: list[Issue] = []
    sheets = []
    try:
        for ws in wb.worksheets:
            state = getattr(ws, "sheet_state", "visible") or "visible"
            if state != "visible" and not hidden_sheets:
                issues.append(Issue("hidden_sheet_skipped", "warning", issue_message("hidden_sheet_skipped"),
                                    file=path.name, sheet=ws.title))
                continue
            try:
                overrides = _formula_cells(wb, ws, path.name, issues)
                sheets.append(Sheet(ws.title, _excel_rows(ws, path.name, issues, overrides)))
            except Exception as exc:  # a damaged sheet is read lazily, after the workbook opened
                raise InputError(issue_message("xlsx_damaged", "sheet", sheet=ws.title, error=type(exc).__name__),
                                 file=path.name, code="xlsx_damaged", sheet=ws.title) from exc
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
        raise InputError(issue_message("file_too_large", mb=MAX_BYTES // (1024 * 1024)), file=name,
                         code="file_too_large")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > MAX_ARCHIVE_MEMBERS:
                raise InputError(issue_message("archive_too_large", "members", count=len(members), limit=MAX_ARCHIVE_MEMBERS),
                                 file=name, code="archive_too_large")
            total = sum(m.file_size for m in members)
            if total > MAX_ARCHIVE_BYTES:
                raise InputError(issue_message("archive_too_large", "unpacked", mb=total / 2**20,
                                         limit=MAX_ARCHIVE_BYTES // 2**20), file=name, code="archive_too_large")
            for m in members:
                if m.file_size > 2**20 and m.file_size > MAX_COMPRESSION_RATIO * max(m.compress_size, 1):
                    raise InputError(issue_message("archive_too_large", "ratio", member=m.filename,
                                             ratio=MAX_COMPRESSION_RATIO), file=name, code="archive_too_large")
            for m in members:
                if m.filename.endswith((".xml", ".rels")) and _declares_entities(archive, m):
                    raise InputError(issue_message("xml_entities", member=m.filename), file=name,
                                     code="xml_entities")
    except zipfile.BadZipFile as exc:
        raise InputError(issue_message("xlsx_damaged", "incomplete", error=exc), file=name, code="xlsx_damaged") from exc
    except (OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise InputError(issue_message("xlsx_damaged", "unpack", error=type(exc).__name__), file=name,
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


#: a formula cell (``<c …><f>…</f>…</c>``) in a worksheet's XML, with or without a namespace prefix
_FORMULA_CELL = re.compile(rb'<(?:\w+:)?c\b([^>]*?)(?<!/)>((?:(?!</(?:\w+:)?c>).)*?<(?:\w+:)?f\b(?:(?!</(?:\w+:)?c>).)*)'
                           rb'</(?:\w+:)?c>', re.S)
_CACHED_VALUE = re.compile(rb'<(?:\w+:)?v>[^<]')
_CELL_REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]{1,7})"')
_FORMULA_TEXT = re.compile(rb'<(?:\w+:)?f\b[^>]*>([^<]*)</(?:\w+:)?f>')


_CELL_TYPE = re.compile(rb'\bt="(\w+)"')
_CACHED_TEXT = re.compile(rb'<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>')
#: what makes a formula a real one: a function call, a cell or a sheet reference, a quoted string
_REFERENCE = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*\(|\$?\b[A-Za-z]{1,3}\$?\d+\b|!|\"")
_NUMBER_LITERAL = re.compile(r"^\s*[+-]?\d+(\.\d+)?\s*%?\s*$")


def literal_formula(formula: str) -> bool:
    """A "formula" that is a typed value after an ``=``: a number (``100%``, ``95``) or text Excel
    cannot compute (``8个``, ``≥95%``), without function call or reference; not ``SUM(B2:B5)``,
    ``A1*2`` or ``50+10``. Excel stores what a clerk typed as ``=100%`` as a formula.

    >>> [literal_formula(f) for f in ("100%", "8个", "≥95%", "95", "SUM(B2:B5)", "A1*2", "50+10", '"≥95%"', "")]
    [True, True, True, True, False, False, False, False, False]
    """
    if not formula.strip() or _REFERENCE.search(formula):
        return False
    return bool(_NUMBER_LITERAL.match(formula)) or any(ord(ch) > 127 for ch in formula)


def _formula_cells(wb, ws, file: str, issues: list[Issue]) -> dict[tuple[int, int], str]:
    """The text of each formula cell whose cached value the reader should not take as is, by (row, column).

    openpyxl (``data_only``) reads a formula cell as its cached value, or as empty when the file
    kept none (written by a script or converter, never recalculated). Decided per cell:

    * a typed value after ``=`` (``=100%``, ``=8个``: :func:`literal_formula`) → its text without
      the ``=``, a warning (its cached value, if any, is that value or an error such as #NAME?);
    * a real formula with a cached value → that value (an info); with an error value (#DIV/0!) → empty
      and an error;
    * a real formula without a cached value → empty and an error (``formula_without_value``).

    Each issue names the sheet, row, column and formula.
    """
    archive, part = getattr(wb, "_archive", None), getattr(ws, "_worksheet_path", None)
    if archive is None or part is None:
        return {}
    try:
        xml = archive.read(part)
    except (KeyError, OSError):
        return {}
    if b"<f" not in xml and b":f" not in xml:
        return {}
    out: dict[tuple[int, int], str] = {}
    for m in _FORMULA_CELL.finditer(xml):
        ref = _CELL_REF.search(m.group(1))
        formula = _FORMULA_TEXT.search(m.group(2))
        text = html.unescape(formula.group(1).decode("utf-8", "replace")) if formula else ""
        cached = _CACHED_TEXT.search(m.group(2)) if _CACHED_VALUE.search(m.group(2)) else None
        kind = _CELL_TYPE.search(m.group(1))
        error = cached is not None and kind is not None and kind.group(1) == b"e"
        where = dict(file=file, sheet=ws.title, row=int(ref.group(2)) if ref else None,
                     column=ref.group(1).decode() if ref else None, cell="=" + text)
        key = (int(ref.group(2)), column_index(ref.group(1).decode())) if ref else None
        shown = html.unescape(cached.group(1).decode("utf-8", "replace")) if cached else ""
        if text and literal_formula(text):
            if key is not None:
                out[key] = text.strip()
            issues.append(Issue("formula_as_text", "warning", issue_message("formula_as_text", text=text.strip()),
                                **where))
        elif cached is None:
            issues.append(Issue("formula_without_value", "error", issue_message("formula_without_value"),
                                **where))
        elif error:
            if key is not None:
                out[key] = ""
            issues.append(Issue("formula_error", "error", issue_message("formula_error", value=shown), **where))
        else:
            issues.append(Issue("formula_value", "info", issue_message("formula_value", value=shown), **where))
    return out


def column_index(letters: str) -> int:
    """``A`` → 0, ``AA`` → 26 (the inverse of :func:`column_letter`)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


#: blank rows kept in a run of blank rows; past these, blank rows are not materialised (their numbers are not needed)
_BLANK_RUN = 100


def _excel_rows(ws, file: str, issues: list[Issue],
                overrides: dict[tuple[int, int], str] | None = None) -> tuple[Row, ...]:
    """Rows of a sheet, bounded by the cells present: the dimension a file declares (or a lone cell at
    XFD1048576) does not pad every row; a row is as wide as its last cell."""
    rows: list[Row] = []
    if hasattr(ws, "reset_dimensions"):  # read-only: pad rows to their own last cell, not the declared width
        ws.reset_dimensions()
    by_row: dict[int, list[tuple[int, str]]] = {}
    for (r, c), text in (overrides or {}).items():
        by_row.setdefault(r, []).append((c, text))
    blank = 0
    for number, cells in enumerate(ws.iter_rows(min_row=1), start=1):
        if not cells:
            blank += 1
            if blank > _BLANK_RUN:
                continue
        else:
            blank = 0
        if number > MAX_ROWS:
            raise too_many_rows(file, ws.title, number)
        values = [_excel_text(c) for c in cells]
        for c, text in by_row.get(number, ()):
            values.extend([""] * (c + 1 - len(values)))
            values[c] = text
        rows.append(Row(number, _cap_cells(values, file, number, issues, ws.title)))
    return tuple(rows)


def _excel_text(cell) -> str:
    """An Excel cell as the user sees it: 0.95 formatted as percent → ``95%``."""
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, bool):
        return message("read_excel", "true" if value else "false")
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
