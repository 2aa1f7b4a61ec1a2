"""Keep user-provided text harmless in the files we write.

A cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab / carriage return) is
run as a formula by Excel and LibreOffice when a CSV or xlsx is opened ("CSV
injection"). Every writer passes text cells through :func:`neutralize_cell`;
numbers stay numbers.
"""
from __future__ import annotations

import math
import numbers

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize_cell(value: object) -> object:
    """Prefix a formula-looking text with an apostrophe; leave everything else alone.

    >>> neutralize_cell("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralize_cell(-3.5)
    -3.5
    >>> neutralize_cell("≥50个")
    '≥50个'
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        if _is_plain_number(value):
            return value
        return "'" + value
    return value


def _is_plain_number(text: str) -> bool:
    """'-3' or '+2.5' typed as text is a number, not a formula."""
    try:
        number = float(text)
    except ValueError:
        return False
    return math.isfinite(number) and text.strip() == text


def neutralize_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with every text cell (and column name) neutralised."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(lambda v: v if isinstance(v, numbers.Number) else neutralize_cell(v))
    out.columns = [neutralize_cell(c) if isinstance(c, str) else c for c in out.columns]
    return out
