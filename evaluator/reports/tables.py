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
from typing import Any

import numpy as np
import pandas as pd

from ..frames import factorize_objects
from ..safety import neutralize_cell

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
    return ("\ufeff" + csv_text(df)).encode("utf-8")


def csv_text(df: pd.DataFrame | None, header: bool = True) -> str:
    """The table as CSV text (CRLF rows, quoted as :mod:`csv` quotes, formula-like cells neutralised).

    Column by column (text written as it is unless it needs quoting or neutralising, each
    distinct number rendered once), then rows joined.
    """
    if df is None:
        df = pd.DataFrame()
    names = [_quoted(_csv_cell(neutralise(str(c)))) for c in df.columns]
    lines = [",".join(names) if names != [""] else '""'] if header else []
    if len(df) and len(df.columns):
        if len(df.columns) == 1:  # the csv module writes a lone empty field as "" (a blank line is no row)
            lines += [c or '""' for c in column_cells(df.iloc[:, 0])]
        else:
            lines.append("\r\n".join(map(",".join, zip(*(column_cells(df[c]) for c in df.columns)))))
    return "\r\n".join(lines) + "\r\n" if lines else ""


def column_cells(column: pd.Series) -> list[str]:
    """The CSV field of every value of a column: text as it is unless it needs quoting or
    neutralising, numbers rendered once per distinct value."""
    values = column.to_numpy()
    kind = values.dtype.kind
    if kind == "b":
        return np.where(values, "true", "false").tolist()
    if kind in "Mm":  # dates and durations as pandas prints them
        return [_field(v) for v in column.tolist()]
    if kind in "fiu":
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        rendered = _float_fields(uniques.tolist()) if kind == "f" else [str(u) for u in uniques.tolist()]
        return np.array(rendered or [""], dtype=object).take(codes).tolist()
    if pd.api.types.infer_dtype(values, skipna=True) in _MIXED:  # False == 0 as keys, but they print differently
        return [_field(v) for v in values.tolist()]
    # distinct values keyed as Python objects: the engine's columns repeat the same string
    # objects, whose hashes Python keeps
    try:
        codes, uniques = factorize_objects(values, use_na_sentinel=False)
    except TypeError:  # unhashable values: render each
        return [_field(v) for v in values.tolist()]
    rendered = np.array([t if t.__class__ is str and (not t or t[0] not in _FORMULA and "," not in t and '"' not in t
                                                      and "\n" not in t and "\r" not in t) else _text_field(t)
                         for t in uniques.tolist()], dtype=object)
    return rendered.take(codes).tolist()


def _float_fields(values: list[float]) -> list[str]:
    """What :func:`_field` gives for floats, without the general dispatch: NaN and ±inf empty,
    whole numbers without ``.0``."""
    return ["" if x != x or x in (math.inf, -math.inf) else str(int(x)) if x.is_integer() and abs(x) < 1e15
            else repr(x) for x in values]


#: object columns whose values may compare equal across types (True == 1): rendered value by value
_MIXED = frozenset({"mixed", "mixed-integer", "mixed-integer-float", "boolean"})
_FORMULA = frozenset("=+-@\t\r")


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
        return f"{annual}（按实施周期指标值 {target} 计分）" if annual else f"{target}（实施周期指标值）"
    return target or annual


def write_bytes(path: Path, data: bytes) -> Path:
    """Write only when the content changed (keeps mtimes of unchanged reports)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.is_file() or path.read_bytes() != data:
        path.write_bytes(data)
    return path
