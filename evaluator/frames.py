"""The one "codes + distinct values" toolkit, and small DataFrame helpers.

Tables repeat the same texts on most rows (categories, target phrasings, units, flags), so
the engine works once per distinct value, or per distinct combination of values, and takes
the result back to every row by code. Everything here is ``pd.factorize`` underneath:

* :func:`factorize_objects` — ``pd.factorize`` of a column as Python values: (codes, distinct values)
* :func:`coded` — the same with a missing value as a value of its own; a categorical taken as coded
* :func:`joint_codes` — codes of each row's combination of several code columns
* :func:`first_rows` — the first row of each code
* :func:`distinct_rows` — (codes, first values per column) of the distinct rows of several columns
* :func:`distinct_map` / :func:`distinct_apply` — call a function once per distinct row
* :class:`Codes` — a column kept as (codes, distinct values), with row masks by value
* :func:`object_codes` — rows numbered by the object they hold, for columns of shared compiled
  objects (targets) that are costly to hash by value
* :func:`exact_codes` — texts by value, other columns by object (``True`` and ``1`` apart), for
  work whose result depends on the type (rendering a cell); :func:`exact_values` with the distinct objects

Codes are numbered in order of first appearance, so results do not depend on sorting.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable

import numpy as np
import pandas as pd


def records(df: pd.DataFrame, columns: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Rows as plain dicts, built from column arrays (values keep their numpy/pandas types)."""
    cols = [c for c in (columns if columns is not None else df.columns) if c in df.columns]
    if not cols:
        return [{} for _ in range(len(df))]
    arrays = [df[c].to_numpy(dtype=object) for c in cols]
    return [dict(zip(cols, values)) for values in zip(*arrays)]


def factorize_objects(values: Any, use_na_sentinel: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize`` of a column as Python values: the code of each row (missing: -1, or a value
    of its own with ``use_na_sentinel=False``) and the distinct values as an object array.

    Values that compare equal across types (``True == 1 == 1.0``, ``-0.0 == 0.0``) are one value:
    read such columns as text first when the types matter.

    Texts are keyed as Python objects (one None, which is no text, is put in front of the values):
    pandas would key an all-text array by its UTF-8 bytes instead, encoding every cell again (twice
    as slow on the engine's columns, where a str keeps its hash), and pandas 2 ends such a key at NUL
    ("a\\x00b" and "a\\x00c" would be one value). In front rather than behind, pandas' check "are these
    all texts?" stops at the first value instead of reading the whole column (~15 % of the cost).
    """
    arr = np.asarray(values, dtype=object)
    if not len(arr):
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=object)
    if not use_na_sentinel:  # a missing value is numbered where it first appears: the None goes behind
        codes, uniques = pd.factorize(np.append(arr, None), use_na_sentinel=False)
        codes, uniques = codes[:-1], np.asarray(uniques, dtype=object)
        if not (codes == len(uniques) - 1).any():
            uniques = uniques[:-1]  # the None added is no value of the column
        return codes, uniques
    keyed = np.empty(len(arr) + 1, dtype=object)
    keyed[1:] = arr
    codes, uniques = pd.factorize(keyed)
    return codes[1:], np.asarray(uniques, dtype=object)


def coded(column: Any) -> tuple[np.ndarray, np.ndarray]:
    """A column as (codes, distinct values), a missing value (None/NaN) a value of its own;
    a categorical column is taken as it is coded."""
    if isinstance(column, pd.Series) and isinstance(column.dtype, pd.CategoricalDtype):
        column = column.array
    if isinstance(column, pd.Categorical):
        codes, uniques = np.asarray(column.codes, dtype=np.int64), np.asarray(column.categories, dtype=object)
    else:
        codes, uniques = factorize_objects(column)
    if len(codes) and codes.min() < 0:
        codes = np.where(codes < 0, len(uniques), codes)
        uniques = np.append(uniques, None)
    return codes, uniques


@dataclass
class Codes:
    """A column kept as codes into its distinct values: decisions are made once per distinct
    value and taken back to the rows by code."""

    codes: np.ndarray
    uniques: np.ndarray

    @classmethod
    def of(cls, column: Any) -> "Codes":
        """:func:`coded` of ``column``."""
        return cls(*coded(column))

    def values(self) -> np.ndarray:
        return np.asarray(self.uniques, dtype=object).take(self.codes)

    def take(self, rows: np.ndarray) -> "Codes":
        """The rows ``rows``, still coded."""
        return type(self)(self.codes.take(rows), self.uniques)

    def isin(self, *values: Any) -> np.ndarray:
        """Row mask: is the row's value one of ``values`` (compared once per distinct value)."""
        wanted = np.flatnonzero([u in values for u in np.asarray(self.uniques, dtype=object).tolist()])
        if len(wanted) == 1:
            return self.codes == wanted[0]
        return np.isin(self.codes, wanted)


def joint_codes(*codes: np.ndarray) -> np.ndarray:
    """Dense codes of each row's combination of the columns ``codes`` (usually integer codes, -1
    included; other values are numbered first), in order of first appearance. Dense integer columns
    make one key per row with no numbering of their own; the key is numbered once at the end."""
    if not codes:
        raise ValueError("joint codes need at least one column")
    key, size = None, 1
    for c in codes:
        c = np.asarray(c)
        integers = c.dtype.kind in "iub"
        low, high = (int(c.min()), int(c.max())) if integers and len(c) else (0, 0)
        span = high - low + 1
        if not integers or span > max(len(c), 1):  # values, or sparse integers (large numbers): numbered first
            c = pd.factorize(c, use_na_sentinel=False)[0]  # (missing values: one code of their own, not -1)
            span = int(c.max(initial=0)) + 1
        else:
            c = c.astype(np.int64) - low  # 0 … span-1
        if key is None:
            key, size = c.astype(np.int64), span
            continue
        if size * span >= 1 << 62:  # the key would overflow: number the combinations so far
            key = pd.factorize(key)[0]
            size = int(key.max(initial=0)) + 1
        key, size = key * span + c, size * span
    return pd.factorize(key)[0]


def first_rows(codes: np.ndarray) -> np.ndarray:
    """Position of the first row of each code, for codes numbered in order of first appearance
    (as :func:`pandas.factorize` numbers them); a negative code (missing) has none."""
    codes = np.asarray(codes)
    if not len(codes):
        return np.zeros(0, dtype=np.intp)
    # a code appears first where it exceeds every code before it
    return np.flatnonzero(codes > np.concatenate(([-1], np.maximum.accumulate(codes)[:-1])))


def distinct_rows(*columns: Any) -> tuple[np.ndarray, list[np.ndarray]]:
    """The distinct rows of ``columns``: each row's code (numbered in order of first appearance)
    and, per code, the values of its first row (one object array per column).

    A column may be given already coded, as a ``(codes, distinct values)`` pair with no missing code.
    """
    parts = [col if isinstance(col, tuple) else coded(col) for col in columns]
    codes = joint_codes(*(c for c, _ in parts))
    first = first_rows(codes)
    return codes, [uniques.take(c.take(first)) for c, uniques in parts]


def distinct_apply(func: Callable[..., tuple], *columns: Any, n_out: int) -> tuple[np.ndarray, ...]:
    """Call ``func`` once per distinct row of ``columns``; it returns ``n_out`` values, each taken back
    to every row as an object array."""
    codes, firsts = distinct_rows(*columns)
    results = [func(*row) for row in zip(*firsts)]
    outs = []
    for j in range(n_out):
        values = np.empty(len(results), dtype=object)
        values[:] = [r[j] for r in results]
        outs.append(values.take(codes))
    return tuple(outs)


def distinct_map(func: Callable[..., Any], *columns: Any) -> np.ndarray:
    """``[func(*row) for row in zip(*columns)]`` as an object array, calling ``func`` once per distinct row."""
    return distinct_apply(lambda *row: (func(*row),), *columns, n_out=1)[0]


def object_codes(values: Any) -> tuple[np.ndarray, np.ndarray]:
    """Rows numbered by the object they hold (``id``), in order of first appearance, and the first
    row of each number.

    For columns of compiled objects shared by the rows of one text (the compiler's cache gives one
    :class:`~evaluator.target.Target` per distinct text): exact for any object, and no value is hashed.
    """
    arr = np.asarray(values, dtype=object)
    # (ids of a list: iterating the object array itself costs ~1.6x more)
    codes = pd.factorize(np.fromiter(map(id, arr.tolist()), dtype=np.uint64, count=len(arr)))[0]
    return codes, first_rows(codes)


def full_object(n: int, value: object) -> np.ndarray:
    """``np.full(n, value, dtype=object)`` without converting ``value`` through a fixed-width
    string array (which makes a new str object per element)."""
    out = np.empty(n, dtype=object)
    out.fill(value)
    return out


def exact_codes(values: Any) -> tuple[np.ndarray, np.ndarray]:
    """Rows numbered by distinct value, in order of first appearance, and the first row of each
    number, telling apart values that compare equal across types (``True``, ``1``, ``1.0``): texts
    by value (:func:`factorize_objects`), anything else by object (:func:`object_codes`). For work
    whose result depends on the type as well (rendering a cell).

    A column that starts with a text is coded by value, then the rows whose value is no text (a gap,
    a number) are numbered by object (the types checked once per distinct value, not per row); any
    other column is numbered by object.
    """
    codes, _ = exact_values(values)
    return codes, first_rows(codes)


def exact_values(values: Any) -> tuple[np.ndarray, np.ndarray]:
    """:func:`exact_codes` as (codes, the distinct objects: the first row's of each code). A column of
    texts alone takes its distinct texts from ``pd.factorize``, without finding their first rows.

    A column of texts and gaps that holds one value along runs of rows (a project's or a table's rows,
    a status repeated) is coded one run at a time when the runs are at most half the rows: comparing
    neighbours costs a fifth of hashing a row. (A value equal to a text is taken as that text.)
    """
    arr = np.asarray(values, dtype=object)
    starts = run_starts(arr)
    if starts is not None and 2 * len(starts) <= len(arr):
        codes, distinct = _exact_values(arr[starts])
        if all(u.__class__ is str or u is None or (u.__class__ is float and u != u) for u in distinct.tolist()):
            return np.repeat(codes, np.diff(np.append(starts, len(arr)))), distinct
    return _exact_values(arr)


def run_starts(values: np.ndarray) -> np.ndarray | None:
    """Positions where a run of equal neighbours starts (the first row's included), or None when
    neighbours cannot be compared (``pd.NA``). Texts compare as Python compares them (a text is
    equal to itself at once), NaN is equal to nothing."""
    if len(values) < 2:
        return np.zeros(len(values), dtype=np.intp)
    try:
        change = values[1:] != values[:-1]
    except (TypeError, ValueError):
        return None
    return np.flatnonzero(np.concatenate(([True], change)))


def _exact_values(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`exact_values` of an object array, every row hashed."""
    if not len(arr) or not isinstance(arr[0], str):
        codes, first = object_codes(arr)
        return codes, arr[first]
    try:
        codes, uniques = factorize_objects(arr)
    except TypeError:  # an unhashable value: numbered by object
        codes, first = object_codes(arr)
        return codes, arr[first]
    if pd.api.types.infer_dtype(uniques, skipna=False) != "string":
        texts = np.array([isinstance(u, str) for u in uniques.tolist()] + [False])  # [-1]: a gap
        codes = np.where(texts[codes], codes, -1)
    others = codes < 0
    if not others.any():
        return codes, uniques
    # gaps and other types by object, numbered after the texts, then all renumbered
    codes[others] = len(uniques) + object_codes(arr[others])[0]
    codes = pd.factorize(codes)[0]
    return codes, arr[first_rows(codes)]


def texts(column: pd.Series, missing: str = "") -> pd.Series:
    """``column.fillna(missing).astype(str)``: a column as plain texts, a missing value as ``missing``.
    A coded (categorical) column is decoded from its categories, each made a text once (pandas 2 refuses
    to fill a categorical with a value it does not hold)."""
    if not isinstance(column.dtype, pd.CategoricalDtype):
        return column.fillna(missing).astype(str)
    made = np.empty(len(column.cat.categories) + 1, dtype=object)
    made[:] = [*map(str, column.cat.categories.tolist()), missing]  # code -1 (missing): the last
    typed = pd.Series(made, copy=False).astype(str).array  # (the type astype(str) gives, made per category)
    return pd.Series(typed.take(column.cat.codes.to_numpy()), index=column.index, name=column.name, copy=False)


def ordered_codes(column: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """A categorical column of texts as :func:`factorize_objects` would code it — (codes, missing -1;
    the distinct texts) — when its codes already number every category in order of first appearance
    (as the reader hands its text columns on); else None (code the values)."""
    if not (isinstance(column, pd.Series) and isinstance(column.dtype, pd.CategoricalDtype)):
        return None
    codes = np.asarray(column.array.codes)
    texts = np.asarray(column.dtype.categories, dtype=object)
    if not len(codes) or not all(type(t) is str for t in texts.tolist()) or not in_first_order(codes, len(texts)):
        return None
    return codes.astype(np.intp, copy=False), texts


def in_first_order(codes: np.ndarray, n_values: int) -> bool:
    """Do ``codes`` (-1: missing) number ``n_values`` values, every one held, in order of first
    appearance (each new code one more than every code before it), as :func:`factorize_objects` numbers?"""
    if not len(codes):
        return n_values == 0
    before = np.concatenate(([-1], np.maximum.accumulate(codes)[:-1]))
    return int(codes.max()) == n_values - 1 and bool((codes <= np.maximum(before, -1) + 1).all())


def values_at(column: pd.Series, rows: np.ndarray) -> np.ndarray:
    """The values of ``column`` at row positions ``rows`` as Python objects, only those rows converted
    (a categorical column is not decoded whole, an int or float column not made objects whole)."""
    return column.take(np.asarray(rows, dtype=np.intp)).to_numpy(dtype=object)
