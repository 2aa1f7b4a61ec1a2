"""Row-per-indicator tables read column by column: the path for large machine exports.

A budget system's export is one header row, then one row per indicator, with the
project's cells (name, money, goal) on its first row or repeated on every row and the
category cells merged or repeated. :func:`read_columns` reads such a sheet with whole-
column operations and decides exactly what :mod:`.rows_layout` would decide row by row;
every decision that depends on a cell's text is made once per distinct text.

It reads only what it can read identically. When a sheet has any row the row reader
treats specially — a repeated header, a label line (单位：万元), a project block, a total
or subtotal row, a row with more cells than the header, a short row whose cells would
be placed under other columns, a row that adds nothing — it returns None and the
caller reads the sheet row by row, so both paths give the same table, issues included.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Callable

import numpy as np
import pandas as pd

from ..frames import Codes, factorize_objects
from ..issues import Issue
from .doubts import few_rows_read, target_in_unknown_column, target_like, unknown_columns
from .header import Header, label_value, parse_header
from .io import Row
from .model import MONEY_FIELDS, RawTable
from .rows_layout import align, carries_category, not_read_issue
from .tidy import PRINTED_INDICATOR_COLUMNS, PRINTED_PROJECT_COLUMNS, SELF_EVALUATION_FIELDS, coded_in_order
from .self_evaluation import is_title
from .vocab import fold, has_label, header_field, vocabulary

#: fields that identify an indicator row (``rows_layout._is_indicator``)
INDICATOR_FIELDS = ("name", "annual", "period", "nature")
#: printed-indicator column ← row field
RECORD_FIELDS = {"level1_raw": "level1", "level2_raw": "level2", "name": "name", "annual_text": "annual",
                 "period_text": "period", "nature_text": "nature", "unit_text": "unit", "weight_text": "weight",
                 "direction_text": "direction", "actual_text": "actual", "score_text": "score",
                 "rating_text": "rating", "prior_text": "prior"}


class Coded(Codes):
    """A column of texts as codes into its distinct texts ("" always among them): per-text decisions
    are made once per distinct text."""

    @classmethod
    def of(cls, column: np.ndarray) -> "Coded":
        codes, uniques = factorize_objects(column)
        if not (uniques == "").any():
            uniques = np.append(uniques, "").astype(object)
        return cls(codes, np.asarray(uniques, dtype=object))

    @classmethod
    def of_codes(cls, codes: np.ndarray, uniques: np.ndarray) -> "Coded":
        """:meth:`of` a column given as codes into texts distinct by value (not all of them used):
        the same codes and distinct texts, renumbered by first appearance without hashing a text."""
        codes, used = pd.factorize(codes)
        uniques = uniques.take(used)
        if not (uniques == "").any():
            uniques = np.append(uniques, "").astype(object)
        return cls(codes, np.asarray(uniques, dtype=object))

    def at(self, rows: np.ndarray) -> np.ndarray:
        """``values()[rows]``, taking only those rows."""
        return self.uniques.take(self.codes.take(rows))

    def categorical(self, rows: np.ndarray) -> pd.Categorical:
        """The texts of ``rows``, kept coded (the tidy step decides once per distinct text, and hands the
        column on as it is): only the texts the rows hold, numbered by first appearance."""
        return coded_in_order(self.codes.take(rows), self.uniques)

    def where(self, predicate: Callable[[str], bool], among: np.ndarray | None = None) -> np.ndarray:
        """``predicate`` of every row's text, as a boolean array; asked only of the distinct texts
        marked in ``among`` (the others are False)."""
        flags = np.zeros(len(self.uniques), dtype=bool)
        ask = np.flatnonzero(among) if among is not None else range(len(self.uniques))
        flags[ask] = [bool(predicate(u)) for u in self.uniques[ask]] if len(ask) else []
        return flags.take(self.codes)

    def nonempty(self) -> np.ndarray:
        return (self.uniques != "").take(self.codes)

    def containing(self, words: tuple[str, ...], seen: dict[int, np.ndarray]) -> np.ndarray:
        """Distinct texts containing any of ``words`` (a mask over ``uniques``). A filled column shares
        its column's distinct texts: ``seen`` keeps the masks of one table, so each text is looked at once."""
        if id(self.uniques) not in seen:
            seen[id(self.uniques)] = texts_containing(self.uniques.tolist(), words)
        return seen[id(self.uniques)]

    def short(self, longest: int) -> np.ndarray:
        """Distinct texts that could be a header word or a row label: a colon, or short and not a number."""
        texts = _Joined(self.uniques.tolist())
        out = texts.containing((":", "："))
        few = np.flatnonzero(~out & (texts.sizes > 0) & (texts.sizes <= longest))
        out[few] = ~texts.digit_first(few)
        return out

    def filled(self, barrier: np.ndarray | None = None) -> "Coded":
        """Empty cells take the last non-empty text above, not looking back past a barrier row."""
        empty = int(np.flatnonzero(self.uniques == "")[0])
        n = len(self.codes)
        idx = np.arange(n)
        last = np.maximum.accumulate(np.where(self.codes != empty, idx, -1)) if n else idx
        ok = last >= 0
        if barrier is not None and n:
            ok &= last >= np.maximum.accumulate(np.where(barrier, idx, 0))
        return Coded(np.where(ok, self.codes.take(np.maximum(last, 0)), empty), self.uniques)


def read_columns(header: Header, cells: np.ndarray, lengths: np.ndarray, numbers: np.ndarray,
                 raw: RawTable, sheet: str | None, issues: list[Issue],
                 coded: list[tuple[np.ndarray, np.ndarray]] | None = None) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """Printed-projects and printed-indicators frames of the rows under ``header``, or None.

    ``cells``: the rows below the header as a 2-D array of cleaned texts padded with "";
    ``lengths``: cells per row as printed (trailing empty cells dropped); ``numbers``: row numbers;
    ``coded``: the columns of ``cells`` already coded (:meth:`.io.Grid.column_codes`), if they are.
    Rows it reports (as the row reader would) are added to ``issues`` (only when it returns frames).
    """
    if header.layout != "rows" or header.find("project") is None:
        return None
    keep = lengths > 0
    every = bool(keep.all())
    if not every:  # (a copy of every cell otherwise)
        cells, lengths, numbers = cells[keep], lengths[keep], numbers[keep]
    width = header.width
    if len(cells) == 0 or (lengths > width).any():
        return None
    if coded is not None:
        columns = [Coded.of_codes(codes if every else codes[keep], uniques) for codes, uniques in coded[:width]]
        columns += [Coded(np.zeros(len(cells), dtype=np.intp), np.array([""], dtype=object))
                    for _ in range(width - len(columns))]
    if cells.shape[1] < width:
        cells = np.concatenate([cells, np.full((len(cells), width - cells.shape[1]), "", dtype=object)], axis=1)
    if coded is None:
        columns = [Coded.of(cells[:, j]) for j in range(width)]
    if _special_rows(header, columns, cells, lengths):
        return None
    mergeable = vocabulary().mergeable
    filled = {}
    for col in header.columns:
        if col.field in mergeable and col.field not in MONEY_FIELDS and col.field not in ("project", "level1", "level2"):
            filled[col.index] = columns[col.index].filled()
        else:
            filled[col.index] = columns[col.index]
    project = _field(header, filled, "project").values()
    department = _field(header, filled, "department").values()
    starts = _project_starts(project, department, raw.department)
    # category cells carried down within a project; a project's first row may still take the
    # previous project's (the row reader pops its carry only after that row)
    for col in header.columns:
        if col.field in ("level1", "level2"):
            column = columns[col.index]
            barrier = np.zeros(len(cells), dtype=bool)
            reset = np.flatnonzero(starts & ~column.nonempty())
            barrier[reset[reset + 1 < len(cells)] + 1] = True
            filled[col.index] = column.filled(barrier)
    byfield = {key: _field(header, filled, key) for key in _field_keys(header)}
    for key in ("level2", "name"):
        if f"{key}_period" in byfield:
            own = _get(byfield, key, len(cells)).values()
            byfield[key] = Coded.of(np.where(own != "", own, byfield[f"{key}_period"].values()))
    return _frames(header, columns, numbers, lengths, byfield, starts, department, raw, sheet, issues)


def _special_rows(header: Header, columns: list[Coded], cells: np.ndarray, lengths: np.ndarray) -> bool:
    """True when a row needs the row reader: header, label line, block label, 总分 row, misplaced short row."""
    header_words = np.zeros(len(cells), dtype=np.int64)
    longest = _longest_header_word()
    for column in columns:
        kinds = np.zeros(len(column.uniques), dtype=np.int64)
        ask = np.flatnonzero(column.short(longest))  # the other texts are neither
        kinds[ask] = [_text_kind(t, longest) for t in column.uniques[ask].tolist()]
        row_kinds = kinds.take(column.codes)
        if (row_kinds & _LABEL).any():
            return True
        header_words += row_kinds >> 1  # _HEADER_WORD
    for i in np.flatnonzero(header_words >= 2):
        if parse_header(tuple(cells[i, :lengths[i]]), 0) is not None:
            return True
    if columns[0].where(lambda t: has_label(t, "project") or has_label(t, "budget_block")).any():
        return True
    for i in np.flatnonzero(lengths < header.width):
        row = tuple(cells[i, :lengths[i]])
        if align(header, row) != list(range(len(row))):
            return True
    return False


#: what :func:`_text_kind` says of a cell: a label line or 总分 cell, a header word
_LABEL, _HEADER_WORD = 1, 2


@lru_cache(maxsize=65536)
def _text_kind(text: str, longest: int) -> int:
    """:data:`_LABEL` | :data:`_HEADER_WORD` flags of a short cell (cached: tables share their texts)."""
    return (_LABEL if _is_label(text, longest) else 0) | (_HEADER_WORD if header_field(text) is not None else 0)


@lru_cache(maxsize=1)
def _longest_header_word() -> int:
    """No header word or row label is longer than this (aliases, with a bracketed qualifier and spaces)."""
    voc = vocabulary()
    words = [*voc.columns, *(w for labels in voc.labels.values() for w in labels)]
    return max(len(w) for w in words) + max(len(q) for q in voc.qualifiers) + 8


def _is_label(text: str, longest: int) -> bool:
    """A label line (部门名称：…, 单位：万元) or a 总分 row's first cell."""
    if ":" in text or "：" in text:
        return label_value(text) is not None
    if not text or len(text) > 60:
        return False
    key = fold(text).rstrip(":")
    return (key in vocabulary().labels["footer"] or key in vocabulary().labels["total_row"]
            or (len(text) <= longest and has_label(text, "se_total")) or is_title(Row(0, (text,))))


def _field_key(col) -> str:
    return f"{col.field}_period" if col.block == "period" and col.field in ("level2", "name") else col.field


def _field_keys(header: Header) -> list[str]:
    keys = []
    for col in header.columns:
        if col.field and _field_key(col) not in keys:
            keys.append(_field_key(col))
    return keys


def _field(header: Header, filled: dict[int, Coded], key: str) -> Coded:
    """The first non-empty cell among the columns of ``key``, per row (``rows_layout._by_field``)."""
    sources = [filled[col.index] for col in header.columns if col.field and _field_key(col) == key]
    if len(sources) == 1:
        return sources[0]
    n = len(next(iter(filled.values())).codes)
    out = np.full(n, "", dtype=object)
    for source in sources:
        out = np.where(out != "", out, source.values())
    return Coded.of(out)


def _get(byfield: dict[str, Coded], key: str, n: int) -> Coded:
    return byfield.get(key) or Coded(np.zeros(n, dtype=np.int64), np.array([""], dtype=object))


def _project_starts(project: np.ndarray, department: np.ndarray, table_department: str) -> np.ndarray:
    """Rows that start a project: a printed name that is not the current project's (``_same_project``).

    Row by row: a row with a name starts a project unless the current project has that name
    and the row names no department or the current one; the current project is the last one
    started, with the department printed on its first row (else the table's). Column-wise:
    the current name is always the previous named row's, and the current department the last
    one printed since the current name began (or the first row's, or the table's).
    """
    starts = np.zeros(len(project), dtype=bool)
    named = np.flatnonzero(project != "")
    if not len(named):
        return starts
    names, deps = project[named], department[named]
    new_name = np.r_[True, names[1:] != names[:-1]]
    has_dep = deps != ""
    # departments numbered (the table's last); the effective department of a row, -1 for none
    dep_codes, _ = factorize_objects(np.append(deps, table_department))
    effective = np.where(has_dep, dep_codes[:-1], np.where(new_name, dep_codes[-1], -1))
    order = np.arange(len(named))
    last = np.maximum.accumulate(np.where(effective >= 0, order, 0))  # a name's first row always has one
    current = np.r_[-1, effective.take(last)[:-1]]  # the current department before each row
    starts[named] = new_name | (has_dep & (dep_codes[:-1] != current))
    return starts


def _project_starts_row_by_row(project: np.ndarray, department: np.ndarray, table_department: str) -> np.ndarray:
    """:func:`_project_starts` as the row reader decides it, one row at a time (tests compare the two)."""
    starts = np.zeros(len(project), dtype=bool)
    current: tuple[str, str] | None = None
    for i in np.flatnonzero(project != ""):
        name, dep = project[i], department[i]
        if current is not None and current[0] == name and (not dep or dep == current[1]):
            continue
        starts[i] = True
        current = (name, dep or table_department)
    return starts


def _frames(header: Header, columns: list[Coded], numbers: np.ndarray, lengths: np.ndarray,
            byfield: dict[str, Coded], starts: np.ndarray, department: np.ndarray, raw: RawTable,
            sheet: str | None, issues: list[Issue]) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    n = len(numbers)
    get = lambda key: _get(byfield, key, n)  # noqa: E731
    is_indicator = np.zeros(n, dtype=bool)
    for key in INDICATOR_FIELDS:
        is_indicator |= get(key).nonempty()
    money_any = np.zeros(n, dtype=bool)
    for f in MONEY_FIELDS:
        money_any |= get(f).nonempty()
    has_project = get("project").nonempty()
    if (has_project & ~get("goal").nonempty() & ~is_indicator).any() or (~has_project & money_any & ~is_indicator).any():
        return None  # a name or money without indicator: a subtotal or a category row
    if not starts.any() or (is_indicator[: np.argmax(starts)]).any():
        return None  # indicators before any project
    words = vocabulary().labels["classified"]
    seen: dict[int, np.ndarray] = {}  # classified-word masks by distinct-text array
    classified_text = np.full(n, "", dtype=object)
    unset = np.ones(n, dtype=bool)
    for key in byfield:  # the first field value (in header order) naming a classified project
        coded = byfield[key]
        hit = np.flatnonzero(coded.containing(words, seen).take(coded.codes) & unset)
        classified_text[hit] = coded.uniques.take(coded.codes.take(hit))  # (a text naming it is not empty)
        unset[hit] = False
    content = np.zeros(n, dtype=bool)
    for key in ("name", "annual", "period"):
        coded = get(key)
        content |= ((coded.uniques != "") & ~coded.containing(words, seen)).take(coded.codes)
    classified_row = (classified_text != "") & ~content
    indicator = is_indicator & ~classified_row
    idle = ~starts & ~indicator
    if (idle & ~classified_row).any():
        return None  # a row that adds nothing (the row reader reports it or uses it as carry)
    found: list[tuple[int, Issue]] = []  # issued in row order, as the row reader does
    unread: list[int] = []
    for i in np.flatnonzero(idle):  # a second classified row of the same project: kept as the flag, reported
        row = Row(int(numbers[i]), tuple(c.uniques[c.codes[i]] for c in columns)[:lengths[i]])
        if not carries_category(header, row.cells):
            found.append((i, not_read_issue(raw.file, sheet, row)))
            unread.append(row.number)
    unknown = unknown_columns(header)
    no_target = indicator & ~get("annual").nonempty() & ~get("period").nonempty()
    if unknown and no_target.any():
        hit = np.zeros(n, dtype=bool)
        for j in unknown:
            hit |= columns[j].where(target_like, among=columns[j].uniques != "")
        for i in np.flatnonzero(no_target & hit):
            texts = {j: columns[j].uniques[columns[j].codes[i]] for j in unknown}
            found.append((i, target_in_unknown_column(raw.file, sheet, header, int(numbers[i]), texts, unknown)))
    issues.extend(issue for _, issue in sorted(found, key=lambda pair: pair[0]))
    doubt = few_rows_read(raw.file, sheet, header, int((indicator | starts).sum()), unread)
    if doubt is not None:
        issues.append(doubt)
    project_index = np.cumsum(starts) - 1
    s = np.flatnonzero(starts)
    n_projects = len(s)
    pp = {"project": get("project").at(s),
          "department": np.where(department[s] != "", department[s], raw.department),
          "sheet": sheet or "", "row": numbers[s].astype(int), "goal": get("goal").at(s)}
    ci = np.flatnonzero(classified_row & (project_index >= 0))  # the row reader flags the current project only
    flagged = np.full(n_projects, "", dtype=object)
    flagged[project_index[ci]] = classified_text[ci]  # the last such row of a project wins, as row by row
    pp["classified_text"] = flagged
    rows = np.flatnonzero(indicator)
    k = project_index[rows]
    pp["n_indicators"] = np.bincount(k, minlength=n_projects)
    for f in MONEY_FIELDS:
        col = header.find(f)
        pp[f] = columns[col.index].at(s) if col is not None else ""
        pp[f"column_{f}"] = col.label if col is not None else f
    for key in SELF_EVALUATION_FIELDS:
        pp[f"se_{key}"] = ""
    pp["se_funds_row"] = pp["row"].copy()
    # every array is fresh: no copy (nor consolidation into one block) needed
    projects = pd.DataFrame(pp, index=range(n_projects), columns=PRINTED_PROJECT_COLUMNS, copy=False)
    annual_col = header.find("annual") or header.find("period") or header.find("name")
    first_of_project = np.r_[True, k[1:] != k[:-1]] if len(k) else np.zeros(0, dtype=bool)
    run_start = np.maximum.accumulate(np.where(first_of_project, np.arange(len(k)), 0)) if len(k) else k
    pi = {"project_index": k, "sheet": _blank(len(k), sheet or ""), "row": numbers[rows].astype(int),
          "column": _blank(len(k), annual_col.label if annual_col else ""),
          "indicator_no": np.arange(len(k)) - run_start + 1,
          "level1_code_printed": _blank(len(k)), "level2_code_printed": _blank(len(k))}
    for out, key in RECORD_FIELDS.items():
        pi[out] = get(key).categorical(rows)
    indicators = pd.DataFrame(pi, index=range(len(k)), columns=PRINTED_INDICATOR_COLUMNS, copy=False)
    return projects, indicators


def _blank(n: int, text: str = "") -> pd.Categorical:
    """A column of ``n`` times ``text`` (empty), coded (the tidy step takes its codes as they are)."""
    return pd.Categorical.from_codes(np.zeros(n, dtype=np.int64), categories=pd.Index([text], dtype=object))


#: joins texts for :func:`texts_containing` (no word looked for has it)
_JOIN = "\x00"


def texts_containing(texts: list[str], words: tuple[str, ...]) -> np.ndarray:
    """``[any(w in t for w in words) for t in texts]`` as a boolean array: each word is looked for
    once in the texts joined, and every occurrence marks the text it falls in."""
    return _Joined(texts).containing(words)


class _Joined:
    """Distinct texts joined into one string, for whole-array questions about them."""

    def __init__(self, texts: list[str]):
        self.texts = texts
        self.sizes = np.fromiter(map(len, texts), np.int64, len(texts))
        #: text i is ``joined[starts[i]:starts[i] + sizes[i]]``
        self.starts = np.concatenate(([0], np.cumsum(self.sizes + 1)[:-1])).astype(np.int64)
        self._joined: str | None = None

    @property
    def joined(self) -> str:
        if self._joined is None:
            self._joined = _JOIN.join(self.texts)
        return self._joined

    def containing(self, words: tuple[str, ...]) -> np.ndarray:
        """Texts containing any of ``words``."""
        found = np.zeros(len(self.texts), dtype=bool)
        if not self.texts or not words:
            return found
        if any(not w or _JOIN in w for w in words):
            found[:] = [any(w in t for w in words) for t in self.texts]
            return found
        # a word without the separator cannot run over the separator after a text: an occurrence lies in one text
        joined, at = self.joined, []
        for w in words:
            i = joined.find(w)
            while i >= 0:
                at.append(i)
                i = joined.find(w, i + 1)
        if at:
            found[np.searchsorted(self.starts, np.array(at, dtype=np.int64), side="right") - 1] = True
        return found

    def digit_first(self, which: np.ndarray) -> np.ndarray:
        """``texts[i][0].isdigit()`` for the (non-empty) texts ``which``: the first characters as code
        points, ``str.isdigit`` asked once per distinct character that is not ASCII."""
        if not len(which):
            return np.zeros(0, dtype=bool)
        points = np.frombuffer(self.joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        first = points[self.starts[which]]
        digit = (first >= 48) & (first <= 57)
        other = np.flatnonzero(first >= 128)
        if len(other):
            chars, codes = np.unique(first[other], return_inverse=True)
            digit[other] = np.array([chr(c).isdigit() for c in chars.tolist()], dtype=bool)[codes.ravel()]
        return digit
