"""CSV and JSON of the indicator, project, department and issue tables.

CSV is UTF-8 with a BOM (Excel on Chinese Windows then opens it correctly). Text
cells that a spreadsheet would run as a formula — starting with ``= + - @``, tab or
carriage return — are prefixed with ``'``; numbers stay numbers.

>>> neutralise("=HYPERLINK(\\"http://x\\")")
'\\'=HYPERLINK("http://x")'
>>> neutralise(-3.5)
-3.5
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, BinaryIO, Iterator

import numpy as np
import pandas as pd

from ..frames import exact_values
from ..safety import FORMULA_STARTS, neutralize_cell
from ..wording import message

def neutralise(value: Any) -> Any:
    """Make a text cell inert in a spreadsheet; leave everything else alone (see :mod:`evaluator.safety`)."""
    return neutralize_cell(value)


def plain(value: Any) -> Any:
    """A cell as a plain JSON/CSV value: numpy scalars unwrapped, NaN → None, objects → text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return None if math.isnan(f) or math.isinf(f) else f
    if isinstance(value, str):
        return value
    if hasattr(value, "canonical"):  # a compiled Target: its canonical text stands for it
        return str(getattr(value, "canonical") or getattr(value, "raw", "") or "")
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value)


def export_frame(df: pd.DataFrame | None) -> pd.DataFrame:
    """The table as written: plain values, object columns rendered to text, stable column order."""
    if df is None:
        return pd.DataFrame()
    out = pd.DataFrame(index=range(len(df)))
    for col in df.columns:
        values = [plain(v) for v in df[col].tolist()]
        out[str(col)] = pd.Series(values, dtype=object)
    return out


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def to_csv_bytes(df: pd.DataFrame | None) -> bytes:
    """CSV text (UTF-8 with BOM, CRLF rows, formula-like cells neutralised)."""
    return csv_bytes(df, lead="\ufeff")


def csv_text(df: pd.DataFrame | None, header: bool = True, columns: list[str] | None = None) -> str:
    """The table as CSV text (CRLF rows, quoted as :mod:`csv` quotes, formula-like cells neutralised).

    Column by column (each distinct value rendered once, see :func:`column_codes`), then the fields
    joined a block of rows at a time (:func:`csv_chunks`). ``columns``: write these, as
    ``df.reindex(columns=columns)`` has them (a column ``df`` lacks is empty cells), without making that frame.
    """
    return "".join(csv_chunks(df, header, columns))


def csv_bytes(df: pd.DataFrame | None, header: bool = True, columns: list[str] | None = None, lead: str = "") -> bytes:
    """``(lead + csv_text(df, header, columns)).encode("utf-8")``, encoded a block of rows at a time."""
    return b"".join(text.encode("utf-8") for text in csv_chunks(df, header, columns, lead))


def write_csv(fh: BinaryIO, df: pd.DataFrame | None, header: bool = True, columns: list[str] | None = None,
              lead: str = "") -> None:
    """Write :func:`csv_bytes` into the binary file ``fh``, a block of rows at a time."""
    for text in csv_chunks(df, header, columns, lead):
        fh.write(text.encode("utf-8"))


#: rows joined, encoded and written at a time: the text of a block (~0.5 MB) is encoded while still in
#: the processor's cache; a whole table at once is ~25 % slower (1 000 to 16 000 rows do the same)
BLOCK_ROWS = 4096


def csv_chunks(df: pd.DataFrame | None, header: bool = True, columns: list[str] | None = None,
               lead: str = "") -> Iterator[str]:
    """``lead + csv_text(df, header, columns)`` in pieces of :data:`BLOCK_ROWS` rows.

    Every row is ``f0 , f1 , … , fk \\r\\n``: the separators are glued to the distinct fields of the
    column beside them that has fewer (adjacent columns with few combinations are merged first),
    and one ``str.join`` over a block's pieces makes its text (one join per row costs ~3x more).
    """
    if df is None:
        df = pd.DataFrame()
    if columns is None:
        columns, series = list(df.columns), [df.iloc[:, j] for j in range(len(df.columns))]
    else:
        if not df.columns.is_unique:
            raise ValueError("cannot write chosen columns of a frame with duplicate column names")
        series = [df[c] if c in df.columns else None for c in columns]  # None: a column of NaN
    names = [_quoted(_csv_cell(neutralise(str(c)))) for c in columns]
    head = lead + (",".join(names) if names != [""] else '""') if header else lead
    n, k = len(df), len(columns)
    if not (n and k):
        yield head + "\r\n" if header else lead
        return
    fields_of = [column_codes(s) if s is not None else (np.zeros(n, dtype=np.intp), [""]) for s in series]
    if k == 1:  # the csv module writes a lone empty field as "" (a blank line is no row)
        codes, fields = fields_of[0]
        groups = [(codes, [f or '""' for f in fields])]
    else:
        groups = _merged(fields_of, n)
    g = len(groups)
    # the separator after group j goes onto group j's fields or group j+1's, whichever has fewer,
    # or is a piece of its own when both have a field for most rows (a piece costs ~1/3 of a
    # concatenation); the row end likewise onto the last group's fields, or onto the next row's
    # first group (then the first row needs none)
    sizes = [len(f) for _, f in groups]
    pre, post, own = [""] * g, [""] * g, [""] * g
    for j in range(g - 1):
        if 3 * min(sizes[j], sizes[j + 1]) > n:
            own[j] = ","
        elif sizes[j] <= sizes[j + 1]:
            post[j] += ","
        else:
            pre[j + 1] += ","
    row_start = sizes[0] < sizes[-1] and 3 * sizes[0] <= n
    if row_start:
        pre[0] = "\r\n" + pre[0]
    elif 3 * sizes[-1] > n:
        own[-1] = "\r\n"
    else:
        post[-1] += "\r\n"
    cells = np.empty((n, g + sum(map(bool, own))), dtype=object)
    at = 0
    for j, (codes, fields) in enumerate(groups):
        if pre[j] or post[j]:
            fields = [pre[j] + f + post[j] for f in fields]
        cells[:, at] = np.array(fields, dtype=object).take(codes)
        if own[j]:
            cells[:, at + 1] = own[j]
        at += 1 + bool(own[j])
    # the header line (and ``lead``) goes in front of the first row's first piece, which starts no row
    cells[0, 0] = (head + "\r\n" if header else head) + (cells[0, 0][2:] if row_start else cells[0, 0])
    for start in range(0, n, BLOCK_ROWS):
        yield "".join(cells[start:start + BLOCK_ROWS].ravel().tolist())
    if row_start:
        yield "\r\n"


def _merged(columns: list[tuple[np.ndarray, list[str]]], n: int) -> list[tuple[np.ndarray, list[str]]]:
    """Adjacent columns with few combinations of fields as one (codes, fields ``a,b``): fewer pieces to join."""
    out = [columns[0]]
    for codes, fields in columns[1:]:
        last_codes, last_fields = out[-1]
        m = len(fields)
        if len(last_fields) * m <= n // 4:  # a combination costs ~4x a piece saved per row
            key, combos = pd.factorize(last_codes.astype(np.int64) * m + codes)
            left, right = np.divmod(combos, m)
            out[-1] = (key, [last_fields[a] + "," + fields[b] for a, b in zip(left.tolist(), right.tolist())])
        else:
            out.append((codes, fields))
    return out


def column_cells(column: pd.Series) -> list[str]:
    """The CSV field of every value of a column (see :func:`column_codes`)."""
    codes, fields = column_codes(column)
    return np.array(fields or [""], dtype=object).take(codes).tolist()


def column_codes(column: pd.Series) -> tuple[np.ndarray, list[str]]:
    """The CSV fields of a column as codes into its distinct fields (row ``i`` is ``fields[codes[i]]``):
    text as it is unless it needs quoting or neutralising, each distinct value rendered once."""
    if isinstance(column.dtype, pd.CategoricalDtype) and column.dtype.categories.dtype.kind in "OT":
        # texts already coded: their categories rendered once, a missing value (-1) an empty field
        codes = np.asarray(column.array.codes, dtype=np.intp)
        fields = _object_fields(np.asarray(column.dtype.categories, dtype=object)) + [""]
        return np.where(codes < 0, len(fields) - 1, codes), fields
    if isinstance(column.dtype, pd.api.extensions.ExtensionDtype) and column.dtype.kind in "iu":
        # whole numbers with gaps (Int64): numbered as numbers, a gap (-1) an empty field
        codes, uniques = pd.factorize(column.array)
        fields = [str(u) for u in uniques.tolist()] + [""]
        return np.where(codes < 0, len(fields) - 1, codes), fields
    values = column.to_numpy()
    kind = values.dtype.kind
    if kind == "b":
        return values.astype(np.intp), ["false", "true"]
    if kind in "Mm":  # dates and durations as pandas prints them
        return np.arange(len(values)), [_field(v) for v in column.tolist()]
    if kind in "fiu":
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        return codes, _float_fields(uniques) if kind == "f" else [str(u) for u in uniques.tolist()]
    # anything else as Python objects, each distinct one rendered once (no True == 1 merging)
    codes, distinct = exact_values(values)
    return codes, _object_fields(distinct)


def _object_fields(objs: np.ndarray) -> list[str]:
    """:func:`_field` of every object (distinct objects of a column); the texts checked all at once."""
    values = objs.tolist()
    others = [] if set(map(type, values)) == {str} else [i for i, v in enumerate(values) if v.__class__ is not str]
    texts = values if not others else [v if v.__class__ is str else "" for v in values]
    # a text needs care when it starts like a formula or holds a character that makes it quoted
    joined = "".join(texts)
    starts = [c for c in FORMULA_STARTS if c in joined]
    # (first characters: U1 truncates each text, ~3x cheaper than slicing them in Python)
    firsts = (objs if not others else np.array(texts, dtype=object)).astype("U1") if starts else None
    formula = np.isin(firsts, starts) if starts else np.zeros(len(texts), dtype=bool)
    quote = np.zeros(len(texts), dtype=bool)
    for c in ',"\n\r':
        if c in joined:
            quote |= np.array([c in t for t in texts], dtype=bool)
    fields = list(texts) if others or formula.any() or quote.any() else texts
    at = np.flatnonzero(quote & ~formula).tolist()
    if at:  # quoted as they are: the common case of a sentence with a comma
        wrapped = ['"' + texts[i].replace('"', '""') + '"' for i in at] if '"' in joined else \
            ['"' + texts[i] + '"' for i in at]
        for i, f in zip(at, wrapped):
            fields[i] = f
    for i in np.flatnonzero(formula).tolist():
        fields[i] = _quoted(neutralise(texts[i]))
    for i in others:
        fields[i] = _text_field(values[i])
    return fields


def _float_fields(values: np.ndarray) -> list[str]:
    """What :func:`_field` gives for floats, without the general dispatch: NaN and ±inf empty,
    whole numbers without ``.0`` (decided for all values at once; only the others go through ``repr``).

    Amounts and points are mostly whole cents: a float that is the nearest to ``c / 100`` (and below
    1e13, where floats are far closer together than a cent) has ``repr`` the cents' digits, which are
    written from the integer ``c`` (~2x faster than ``repr``).
    """
    x = np.asarray(values, dtype=np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        whole = (np.abs(x) < 1e15) & (x == np.trunc(x))
        cents = np.rint(x * 100)
        in_cents = ~whole & (np.abs(x) < 1e13) & (cents / 100 == x)
    fraction = np.isfinite(x) & ~whole & ~in_cents
    out = np.empty(len(x), dtype=object)
    out.fill("")
    out[whole] = [str(i) for i in x[whole].astype(np.int64).tolist()]
    out[in_cents] = [f"{c // 100}{_CENTS[c % 100]}" if c > 0 else f"-{-c // 100}{_CENTS[-c % 100]}"
                     for c in cents[in_cents].astype(np.int64).tolist()]
    out[fraction] = list(map(float.__repr__, x[fraction].tolist()))
    return out.tolist()


#: the decimals of a number of cents by the cents below a unit: "", ".01" … ".1" … ".99" (no trailing 0)
_CENTS = [""] + ["." + f"{c:02d}".rstrip("0") for c in range(1, 100)]


def _text_field(value: Any) -> str:
    """A text cell that needs quoting or neutralising, or a gap (None/NaN) in a text column."""
    if value.__class__ is str:
        return _quoted(neutralise(value))
    return "" if value is None else _field(value)


def _field(value: Any) -> str:
    return _quoted(_csv_cell(neutralise(plain(value))))


def _quoted(text: str) -> str:
    """As :mod:`csv` writes a field with the default (minimal) quoting."""
    if "," in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def records(df: pd.DataFrame | None) -> list[dict[str, Any]]:
    """Rows as JSON records (plain values, column order kept)."""
    frame = export_frame(df)
    cols = list(frame.columns)
    return [dict(zip(cols, row)) for row in frame.itertuples(index=False, name=None)]


def to_json_bytes(payload: Any) -> bytes:
    """Deterministic JSON: UTF-8, no ASCII escaping, fixed indentation, trailing newline."""
    return (json.dumps(payload, ensure_ascii=False, indent=1, allow_nan=False, default=plain) + "\n").encode("utf-8")


def target_cell(row: Any) -> str:
    """年度指标值 as shown in reports: the composed target; says so when the period value is scored."""
    annual = str(plain(row.get("annual_text")) or "")
    target = str(plain(row.get("target_text")) or "")
    if str(row.get("target_source") or "") == "period" and target and target != annual:
        return (message("reports_target", "period_scored", annual=annual, target=target) if annual
                else message("reports_target", "period_only", target=target))
    return target or annual


def write_bytes(path: Path, data: bytes) -> Path:
    """Write only when the content changed (keeps mtimes of unchanged reports); whole or not at all, never
    through a link (:func:`evaluator.outputs.write_atomic`)."""
    from ..outputs import write_atomic

    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_symlink() or not path.is_file() or path.stat().st_size != len(data) or path.read_bytes() != data:
        write_atomic(path, data)
    return path
