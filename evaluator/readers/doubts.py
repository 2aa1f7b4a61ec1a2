"""Read doubts every layout reader reports the same way: one rule, one message, each reader calls it.

* :func:`few_rows_read` — fewer than half of the rows under a header became indicators:
  the layout was probably not understood (an error, ``check --strict`` fails);
* :func:`target_in_unknown_column` — an indicator without a target while a column the
  reader does not know holds target-like text (``≥100人次``): maybe that column is the target.

The row reader (:mod:`.rows_layout`) asks them row by row; the column-wise reader
(:mod:`.columnar`) asks :func:`target_like` once per distinct text and builds the same
issues with the same functions.
"""
from __future__ import annotations

import re
from typing import Iterable

from ..issues import Issue, issue_message
from .header import Header

#: a sheet where fewer than this share of the rows under the header became indicators is reported
MIN_READ_SHARE = 0.5
#: at least this many unread rows before the share is judged (one stray note row is not a misread)
MIN_UNREAD = 2

_TARGET_LIKE = re.compile(r"^\s*([≥≤><=＞＜≧≦＝]|不低于|不少于|不高于|不超过|不多于|达到|大于|小于)|^\s*\d+(\.\d+)?\s*%\s*$")


def target_like(text: str) -> bool:
    """A cell that reads like a target: a comparator or ``不低于…`` first, or a bare percentage."""
    return bool(text) and bool(_TARGET_LIKE.match(text))


def unknown_columns(header: Header) -> list[int]:
    """Indexes of the columns whose cells could hide the target (not a known field)."""
    return [c.index for c in header.columns if c.field in (None, "note", "label")]


def few_rows_read(file: str, sheet: str | None, header: Header, read: int, unread: list[int]) -> Issue | None:
    """The ``few_rows_read`` error when ``read`` indicator rows are fewer than half of the rows under
    ``header`` (``unread``: numbers of the rows that became nothing), else None."""
    total = read + len(unread)
    if len(unread) < MIN_UNREAD or read >= total * MIN_READ_SHARE:
        return None
    rows = "、".join(str(r) for r in unread[:8]) + ("…" if len(unread) > 8 else "")
    return Issue("few_rows_read", "error", issue_message("few_rows_read", total=total, read=read, rows=rows), file=file,
                 sheet=sheet, row=header.row, cell=" | ".join(c.label for c in header.columns if c.label))


def target_in_unknown_column(file: str, sheet: str | None, header: Header, row: int,
                             cells: dict[int, str], columns: Iterable[int] | None = None) -> Issue | None:
    """The ``target_in_unknown_column`` error for an indicator row without a target (``cells``: its
    texts by column index), naming the first unknown column holding target-like text; else None."""
    from .io import column_letter

    for index in (unknown_columns(header) if columns is None else columns):
        text = cells.get(index, "")
        if target_like(text):
            col = next(c for c in header.columns if c.index == index)
            return Issue("target_in_unknown_column", "error", issue_message("target_in_unknown_column",
                                 column=col.label or column_letter(index), text=text),
                         file=file, sheet=sheet, row=row, column=column_letter(index), cell=text)
    return None
