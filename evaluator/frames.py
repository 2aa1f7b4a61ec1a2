"""Small DataFrame helpers shared by the lint, the scorer and the reports."""
from __future__ import annotations

import ctypes
from typing import Any, Callable, Iterable

import numpy as np
import pandas as pd


def records(df: pd.DataFrame, columns: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Rows as plain dicts, built from column arrays.

    Several times faster than ``DataFrame.to_dict("records")`` (no per-cell boxing) and
    far faster than ``iterrows``; values keep their numpy/pandas types.
    """
    cols = [c for c in (columns if columns is not None else df.columns) if c in df.columns]
    if not cols:
        return [{} for _ in range(len(df))]
    arrays = [df[c].to_numpy(dtype=object) for c in cols]
    return [dict(zip(cols, values)) for values in zip(*arrays)]


#: appended to an object array so pandas keys it by Python equality (see :func:`factorize_objects`)
_NOT_TEXT = object()


def factorize_objects(values: Any, use_na_sentinel: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize`` of an object array, keyed by Python equality.

    pandas keys an all-text array with a C-string table that ends a text at NUL ("a\x00b" and
    "a\x00c" become one value); one element that is not a text makes it compare Python objects.
    Values that compare equal across types (``True == 1 == 1.0``, ``-0.0 == 0.0``) are still one
    key: read such columns as text first when the types matter.

    The engine's columns repeat the same objects (pandas' parser shares one object per distinct
    cell text of a column; columns taken back by code repeat their distinct values), so rows are
    numbered by object first (:func:`identity_codes`, integers) and only the distinct objects are
    hashed as values: the same codes and distinct values, several times faster.
    """
    arr = np.asarray(values, dtype=object)
    if arr.ndim != 1 or len(arr) < _BY_OBJECT_FROM:
        return _factorize_values(arr, use_na_sentinel)
    codes, first = identity_codes(arr)
    distinct_codes, uniques = _factorize_values(arr.take(first), use_na_sentinel)
    return distinct_codes.take(codes), uniques


#: columns shorter than this are hashed directly (numbering objects first would not pay)
_BY_OBJECT_FROM = 64


def _factorize_values(arr: np.ndarray, use_na_sentinel: bool) -> tuple[np.ndarray, np.ndarray]:
    """:func:`factorize_objects` hashing every element."""
    keyed = np.empty(len(arr) + 1, dtype=object)
    keyed[:-1], keyed[-1] = arr, _NOT_TEXT
    codes, uniques = pd.factorize(keyed, use_na_sentinel=use_na_sentinel)
    return codes[:-1], np.asarray(uniques, dtype=object)[:-1]


def coded(column: Any) -> tuple[np.ndarray, np.ndarray]:
    """A column as (codes, distinct values); a categorical column is taken as it is coded."""
    if isinstance(column, pd.Series) and isinstance(column.dtype, pd.CategoricalDtype):
        column = column.array
    if isinstance(column, pd.Categorical):
        codes, uniques = np.asarray(column.codes, dtype=np.int64), np.asarray(column.categories, dtype=object)
    else:
        codes, uniques = factorize_objects(column)
    if len(codes) and codes.min() < 0:  # None/NaN: a value of its own
        codes = np.where(codes < 0, len(uniques), codes)
        uniques = np.append(uniques, None)
    return codes, uniques


def _combined(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Code of each row's combination of the coded columns ``parts``, and the first row of each code."""
    if not parts:
        raise ValueError("distinct values need at least one column")
    codes = parts[0][0]
    for c, uniques in parts[1:]:
        codes, _ = pd.factorize(codes * (len(uniques) + 1) + c)
    if len(parts) == 1 and len(codes):
        codes, _ = pd.factorize(codes)  # dense codes (a categorical may have unused categories)
    n = int(codes.max()) + 1 if len(codes) else 0
    first = np.full(n, -1, dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)
    return codes, first


def distinct_apply(func: Callable[..., tuple], *columns: Any, n_out: int) -> tuple[np.ndarray, ...]:
    """Call ``func`` once per distinct row of ``columns``; it returns ``n_out`` values, each taken back
    to every row as an object array.

    Tables repeat the same texts on most rows (categories, target phrasings, units), so work
    done once per distinct combination and taken back by code replaces per-row work.
    """
    parts = [coded(col) for col in columns]
    codes, first = _combined(parts)
    firsts = [uniques.take(c.take(first)) for c, uniques in parts]
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


def full_object(n: int, value: object) -> np.ndarray:
    """``np.full(n, value, dtype=object)`` without converting ``value`` through a fixed-width
    string array (which makes a new str object per element: ~40x slower for 50k rows)."""
    out = np.empty(n, dtype=object)
    out.fill(value)
    return out


def identity_codes(values: Any) -> tuple[np.ndarray, np.ndarray]:
    """Rows of a 1-d object array numbered by object identity, in order of first appearance, and the
    first row of each number: ``values[first]`` are the distinct objects, ``values[first][codes]`` is
    ``values``.

    For work that depends only on the object itself (rendering a cell), this is exact for any
    objects (no ``True == 1`` or NUL merging, unhashable values welcome) and needs no hashing of
    values: the engine's columns repeat the same objects, so this finds few distinct objects at
    the cost of numbering integers (~25x faster than :func:`factorize_objects`). Equal values held
    by different objects get different numbers.
    """
    arr = np.ascontiguousarray(values, dtype=object)
    if arr.ndim != 1:
        raise ValueError("identity_codes: a 1-d array is needed")
    n = len(arr)
    if n == 0:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    # an object array holds its elements' addresses: read them as integers (while ``arr`` holds the objects)
    addresses = np.frombuffer((ctypes.c_char * (n * arr.itemsize)).from_address(arr.ctypes.data), dtype=np.uintp)
    codes, _ = pd.factorize(addresses)
    del addresses
    first = np.empty(n, dtype=bool)
    first[0] = True
    np.greater(codes[1:], np.maximum.accumulate(codes)[:-1], out=first[1:])
    return codes.astype(np.intp, copy=False), np.flatnonzero(first)


def distinct_rows(*columns: Any) -> tuple[np.ndarray, list[np.ndarray]]:
    """The distinct rows of ``columns``: each row's code (numbered in order of first appearance)
    and, per code, the values of its first row (one object array per column).

    What :func:`distinct_apply` works from, for callers that take typed arrays back by code
    (``np.array(flags, dtype=bool).take(codes)``) or reuse the codes. A column may be given
    already coded, as a ``(codes, distinct values)`` pair with no missing code.
    """
    parts = [col if isinstance(col, tuple) else coded(col) for col in columns]
    codes, first = _combined(parts)
    return codes, [uniques.take(c.take(first)) for c, uniques in parts]
