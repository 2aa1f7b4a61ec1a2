"""Chinese explanations: one sentence per indicator, one summary per project.

All wording is in ``data/messages.toml``; this module only picks the template and
fills in the numbers, e.g.
「年度指标值 ≥50个，实际 46个，未达成；按比例得分 46/50 × 5.00 = 4.60」.

The sentences are rendered for whole columns at once, not row by row: rows are grouped by
template, every distinct number or text is formatted once, and :func:`fill` fills a template
once per distinct combination of its fields (the former per-row rendering is the oracle in
tests/test_explain_vectorised.py).
"""
from __future__ import annotations

import math
import string
import tomllib
from functools import lru_cache
from importlib import resources
from itertools import repeat
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd

from .frames import _factorize_values, full_object, identity_codes
from .rules import BLOCKS, RulePack


@lru_cache(maxsize=1)
def messages() -> dict[str, dict[str, Any]]:
    text = resources.files("evaluator").joinpath("data/messages.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def message(section: str, key: str, **values: Any) -> str:
    """Fill template ``[section] key`` of messages.toml."""
    return messages()[section][key].format(**values)


def num(x: Any, digits: int = 2) -> str:
    """A number as a reviewer writes it: 46, 97.5, 4.60 for points."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    return _num_texts([float(x)], digits)[0]


def _num_texts(xs: list[float], digits: int = 2) -> list[str]:
    """:func:`num` of many numbers (floats, not NaN)."""
    if digits == 2:
        return [f"{x:.2f}" for x in xs]
    texts = [f"{x:.4f}".rstrip("0").rstrip(".") for x in xs]
    return [t if t not in ("-0", "") else "0" for t in texts]


def pct(x: float) -> str:
    return "" if x is None or math.isnan(x) else _pct_texts([x])[0]


def _pct_texts(xs: list[float]) -> list[str]:
    """:func:`pct` of many numbers (not NaN)."""
    return [f"{x * 100:.2f}".rstrip("0").rstrip(".") + "%" for x in xs]



# ----------------------------------------------------------------------------------------------
# Column-wise rendering. A column of texts is kept as codes into its distinct values (``_Col``):
# numbers are formatted once per distinct value, a template is filled once per distinct
# combination of its fields (``fill``, the many-rows twin of ``message``), and the parts of a
# sentence are joined the same way. No function is called per row.

#: the example shown for a formula target (年度指标值为公式)
_FORMULA_EXAMPLE = "一般=10；满意=50；非常满意=30；评价数量=100"

#: value kinds pandas can number without merging values that print differently (1 and 1.0, -0.0 and 0.0)
_EXACT_KINDS = ("string", "integer", "boolean", "empty")


def _objects(values: Any) -> np.ndarray:
    """A 1-d object array holding ``values`` as they are (tuples and lists stay single cells)."""
    values = list(values)
    return np.fromiter(values, dtype=object, count=len(values))


class _Col:
    """Per-row texts stored as codes into their distinct values."""

    __slots__ = ("codes", "uniques")

    def __init__(self, codes: np.ndarray, uniques: np.ndarray):
        self.codes, self.uniques = codes, uniques

    @classmethod
    def const(cls, text: str, n: int) -> "_Col":
        return cls(np.zeros(n, dtype=np.intp), _objects([text]))

    @classmethod
    def rows(cls, texts: Any) -> "_Col":
        """Texts that are mostly distinct, one per row."""
        texts = texts if isinstance(texts, np.ndarray) and texts.dtype == object else _objects(texts)
        return cls(np.arange(len(texts), dtype=np.intp), texts)

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, rows: np.ndarray) -> "_Col":
        return _Col(self.codes[rows], self.uniques)

    def values(self) -> np.ndarray:
        return self.uniques[self.codes]

    def used(self) -> "_Col":
        """The same texts without the distinct values no row uses (a slice of a larger column)."""
        if len(self.uniques) <= max(len(self.codes), 16):
            return self
        codes, used = pd.factorize(self.codes)
        return _Col(codes, self.uniques[used])

    def test(self, func: Callable[[Any], Any]) -> np.ndarray:
        """``bool(func(text))`` per row."""
        col = self.used()
        return np.array([bool(func(u)) for u in col.uniques.tolist()], dtype=bool)[col.codes]


def _map_unique(values: Any, func: Callable[[Any], Any], on_str: Callable[[str], Any] | None = None) -> _Col:
    """``func`` of every value, computed once per distinct value (``on_str``: the same for a str, faster)."""
    a = np.asarray(values, dtype=object)
    # the distinct objects first (numbered without hashing: columns repeat the same objects), then
    # the distinct values among them
    rows, first = identity_codes(a)
    col = _map_distinct(a[first], func, on_str)
    return _Col(col.codes[rows], col.uniques)


def _map_distinct(a: np.ndarray, func: Callable[[Any], Any], on_str: Callable[[str], Any] | None) -> _Col:
    """:func:`_map_unique` of an object array of distinct objects."""
    try:  # frames.factorize_objects, without numbering the (distinct) objects first
        codes, uniques = _factorize_values(a, True)
        uniques = uniques.tolist()
    except TypeError:  # unhashable values: never an exact kind
        uniques = None
    # only texts: no value a str could equal was merged with it (1 and 1.0 are, -0.0 and 0.0 are)
    kind = "string" if uniques is not None and set(map(type, uniques)) <= {str} else \
        pd.api.types.infer_dtype(a, skipna=True) if len(a) else "empty"
    if kind not in _EXACT_KINDS:
        return _Col.rows(_objects(func(v) for v in a))
    results = list(map(on_str if on_str is not None and kind == "string" else func, uniques))
    missing = np.flatnonzero(codes < 0)
    if len(missing):  # None and NaN read differently (None or "" → "", NaN or "" → NaN)
        try:
            none = np.asarray(a[missing] == None, dtype=bool)  # noqa: E711 (per element: is it None)
        except TypeError:  # pd.NA has no truth value
            none = np.array([v is None for v in a[missing].tolist()], dtype=bool)
        if none.any():
            codes[missing[none]] = len(results)
            results.append(func(None))
        rest = missing[~none]
        codes[rest] = np.arange(len(results), len(results) + len(rest))
        results.extend(func(v) for v in a[rest])
    return _Col(codes, _objects(results))


def _texts(values: Any) -> _Col:
    """Each value as ``str.format`` shows it (``format(value, "")``)."""
    return _map_unique(values, lambda v: v if type(v) is str else format(v, ""), on_str=str)


def _format_floats(values: Any, texts: Callable[[list[float]], list[str]]) -> _Col:
    """``texts`` of every value (None and NaN: ""), once per distinct float (by bit pattern: -0.0 ≠ 0.0)."""
    a = np.ascontiguousarray(np.asarray(values, dtype=float))
    codes, uniques = pd.factorize(a.view(np.int64))
    xs = uniques.view(np.float64)
    known = ~np.isnan(xs)
    out = np.full(len(xs), "", dtype=object)
    out[known] = texts(xs[known].tolist())
    return _Col(codes, out)


def _nums(values: Any, digits: int = 2) -> _Col:
    """:func:`num` of many values."""
    return _format_floats(values, lambda xs: _num_texts(xs, digits))


def _pcts(values: Any) -> _Col:
    """:func:`pct` of many values."""
    return _format_floats(values, _pct_texts)


def _first_positions(codes: np.ndarray) -> np.ndarray:
    """Where each code first occurs, for codes numbered in order of first appearance (factorize)."""
    if len(codes) == 0:
        return np.zeros(0, dtype=np.intp)
    first = np.empty(len(codes), dtype=bool)
    first[0] = True
    first[1:] = codes[1:] > np.maximum.accumulate(codes)[:-1]
    return np.flatnonzero(first)


def _concat(pieces: list[str | _Col], n: int) -> _Col:
    """Per row the concatenation of ``pieces`` (a str is the same for every row), rendered once per
    distinct combination of the columns."""
    merged: list[str | _Col] = []
    for p in pieces:
        if not isinstance(p, str):
            if len(p) != n:
                raise ValueError(f"_concat: {n} rows but a column of {len(p)}")
            if n and (len(p.uniques) == 1 or p.codes.min() == p.codes.max()):
                p = p.uniques[p.codes[0]]  # the same text in every row
        if not isinstance(p, str):
            merged.append(p)
        elif merged and isinstance(merged[-1], str):
            merged[-1] += p
        elif p:
            merged.append(p)
    cols = [p for p in merged if not isinstance(p, str)]
    if not cols:
        return _Col.const("".join(merged), n)
    if len(cols) == 1:
        col = cols[0].used()
        texts = col.uniques.tolist()
        if len(merged) == 1:
            return col
        if len(merged) == 2:
            a, b = merged
            texts = [a + t for t in texts] if isinstance(a, str) else [t + b for t in texts]
        elif len(merged) == 3 and isinstance(merged[0], str):
            a, _, b = merged
            texts = [a + t + b for t in texts]
        else:
            texts = ["".join(t) for t in zip(*(repeat(p) if isinstance(p, str) else texts for p in merged))]
        return _Col(col.codes, _objects(texts))
    codes, size = cols[0].codes, len(cols[0].uniques)
    if 4 * size > 3 * n:  # (nearly) every row differs: render row by row
        return _Col.rows(["".join(t) for t in zip(*(repeat(p) if isinstance(p, str) else p.values().tolist()
                                                    for p in merged))])
    for col in cols[1:]:  # one key per combination, numbered once (renumbered only if it could overflow)
        if size * len(col.uniques) >= 1 << 62:
            codes, combos = pd.factorize(codes)
            size = len(combos)
        codes, size = codes * len(col.uniques) + col.codes, size * len(col.uniques)
    codes, _ = pd.factorize(codes)
    first = _first_positions(codes)
    iters = [repeat(p) if isinstance(p, str) else p.uniques[p.codes[first]].tolist() for p in merged]
    return _Col(codes, _objects(["".join(t) for t in zip(*iters)]))


def _combos(codes: list[np.ndarray], sizes: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Rows numbered by their combination of ``codes`` (each below its size), in order of first
    appearance, and where each combination first occurs."""
    key, size = codes[0], sizes[0]
    for c, k in zip(codes[1:], sizes[1:]):
        if size * k >= 1 << 62:  # renumber before the key could overflow
            key, distinct = pd.factorize(key)
            size = len(distinct)
        key, size = key * k + c, size * k
    key, _ = pd.factorize(key)
    return key, _first_positions(key)


def _stitch(n: int, parts: list[tuple[np.ndarray, _Col]], default: str = "") -> _Col:
    """One column from the columns of disjoint row groups (``where`` → col); ``default`` elsewhere."""
    codes = np.zeros(n, dtype=np.intp)
    uniques, offset = [_objects([default])], 1
    for where, col in parts:
        codes[where] = col.codes + offset
        uniques.append(col.uniques)
        offset += len(col.uniques)
    return _Col(codes, np.concatenate(uniques))


def _truthy(a: np.ndarray) -> np.ndarray:
    return np.asarray(a).astype(bool)


def _is(a: np.ndarray, *values: str) -> np.ndarray:
    out = a == values[0]
    for v in values[1:]:
        out |= a == v
    return out


def _isin(a: np.ndarray, values: tuple[str, ...]) -> np.ndarray:
    """Per element: is it one of ``values``."""
    if len(values) == 1:
        return _is(a, *values)
    # several values: compared once per distinct text (a missing value, code -1, is none of them)
    codes, uniques = pd.factorize(a)
    return np.array([u in values for u in uniques.tolist()] + [False], dtype=bool)[codes]


def _first_truthy(first: np.ndarray, second: np.ndarray | None = None, *, default: str) -> np.ndarray:
    """Per row ``first or second or default``."""
    out = first.copy()
    empty = np.flatnonzero(~_truthy(first))
    if len(empty):
        out[empty] = default if second is None else _first_truthy(second[empty], default=default)
    return out


class _Rows:
    """Some rows of a frame. Columns are taken out once as numpy arrays and shared by all subsets."""

    def __init__(self, df: pd.DataFrame, pos: np.ndarray | None = None, top: "_Rows | None" = None):
        self.df, self.pos = df, pos
        self._top = self if top is None else top
        self._root: dict[Any, Any] = {} if top is None else top._root  # full-length columns
        self._memo: dict[Any, Any] = {}

    def __len__(self) -> int:
        return len(self.df) if self.pos is None else len(self.pos)

    def sub(self, rows: np.ndarray) -> "_Rows":
        """Some of these rows: a boolean mask over them or their positions."""
        rows = np.flatnonzero(rows) if rows.dtype == bool else rows
        return _Rows(self.df, rows if self.pos is None else self.pos[rows], self._top)

    def memo(self, key: Any, make: Callable[[], Any]) -> Any:
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    def _column(self, key: tuple, make: Callable[[], np.ndarray]) -> np.ndarray:
        if key not in self._root:
            self._root[key] = make()
        full = self._root[key]
        return full if self.pos is None else self.memo(key, lambda: full[self.pos])

    def text(self, name: str, default: Any = None) -> np.ndarray:
        """Column ``name`` as an object array (like ``row.get(name, default)``)."""
        df = self.df
        return self._column(("text", name, default), lambda: df[name].to_numpy(dtype=object) if name in df
                            else full_object(len(df), default))

    def distinct(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Column ``name`` of the whole frame as (codes, distinct objects): numbered by identity, not by
        value (no hashing; the engine's columns repeat the same objects)."""
        key = ("distinct", name)
        if key not in self._root:
            a = self._top.text(name)
            codes, first = identity_codes(a)
            self._root[key] = (codes, a[first])
        return self._root[key]

    def _per_object(self, name: str, func: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        """``func`` (elementwise) of column ``name`` of the whole frame, computed once per distinct
        object when they are few."""
        a = self._top.text(name)
        if len(a) > 4096 and len(identity_codes(a[:1024])[1]) > 64:  # many objects: numbering them costs more
            return func(a)
        codes, objs = self.distinct(name)
        return func(objs)[codes] if 2 * len(objs) <= len(codes) else func(a)

    def isin(self, name: str, *values: str) -> np.ndarray:
        """Per row: is column ``name`` one of ``values`` (compared once for all rows of the frame)."""
        return self._column(("isin", name, values), lambda: self._per_object(name, lambda a: _isin(a, values)))

    def truthy(self, name: str) -> np.ndarray:
        """Per row: ``bool(row.get(name))``."""
        return self._column(("truthy", name), lambda: self._per_object(name, _truthy))

    def number(self, name: str) -> np.ndarray:
        """Column ``name`` as floats (None → NaN; no such column: NaN)."""
        df = self.df
        return self._column(("number", name), lambda: np.asarray(df[name].to_numpy(), dtype=float) if name in df
                            else np.full(len(df), np.nan))

    def _coded(self, key: tuple, make: Callable[["_Rows"], _Col]) -> _Col:
        """A text column made once for all rows of the frame, then taken for these rows."""
        if key not in self._root:
            self._root[key] = make(self._top)
        full = self._root[key]
        return full if self.pos is None else self.memo(key, lambda: full[self.pos])

    def nums(self, name: str, digits: int = 2) -> _Col:
        """:func:`num` of column ``name``."""
        return self._coded(("nums", name, digits), lambda top: _nums(top.number(name), digits))

    def pcts(self, name: str) -> _Col:
        """:func:`pct` of column ``name``."""
        return self._coded(("pcts", name), lambda top: _pcts(top.number(name)))

    def mapped(self, name: str, func: Callable[[Any], str], default: Any = None) -> _Col:
        """``func`` of column ``name`` (``default`` when the frame lacks it)."""
        return self._coded(("map", name, func, default),
                           lambda top: _map_unique(top.text(name, default), func, _ON_STR.get(func)))

    def arg(self, key: str, default: Any = "") -> np.ndarray:
        """``reason_args.get(key, default)`` per row."""
        return self.memo(("arg", key, default), lambda: _objects((d or {}).get(key, default)
                                                                 for d in self.text("reason_args")))


@lru_cache(maxsize=None)
def _pieces(section: str, key: str) -> tuple[tuple[str, str | None], ...]:
    """Template ``[section] key`` as (literal, field) pairs; fields are plain ``{name}``s."""
    out = []
    for literal, field, spec, conversion in string.Formatter().parse(messages()[section][key]):
        if field is not None and (spec or conversion or not field.isidentifier()):
            raise ValueError(f"messages.toml [{section}] {key}: only plain {{name}} fields are supported")
        out.append((literal, field))
    return tuple(out)


Fields = Mapping[str, Callable[[_Rows], _Col]]
_NO_FIELDS: Fields = {}


def fill(section: str, key: str, rows: _Rows | int, fields: Fields = _NO_FIELDS, *, before: str = "",
         **values: str | _Col) -> _Col:
    """Template ``[section] key`` for every row of ``rows``: the many-rows twin of :func:`message`.

    A value is one str for all rows or a :class:`_Col`; a field not given in ``values`` is made by
    ``fields[name](rows)``, once per ``rows``. ``before``: a separator put in front of every text.
    """
    pieces: list[str | _Col] = [before]
    for literal, name in _pieces(section, key):
        pieces.append(literal)
        if name is not None:
            if name in values:
                pieces.append(values[name])
            else:
                make = fields[name]
                pieces.append(rows.memo(make, lambda: make(rows)))
    return _concat(pieces, rows if isinstance(rows, int) else len(rows))


def _unit_of(unit: Any) -> str:
    return unit if isinstance(unit, str) else ""


def _basis_of(per: Any) -> str:
    return f"/{per}" if isinstance(per, str) and per else ""


def _stripped(text: Any) -> str:
    return str(text or "").strip()


#: the text mappings above applied to a str, without the checks for other values
_ON_STR: dict[Callable[[Any], str], Callable[[str], str]] = {_stripped: str.strip, _unit_of: str}


def _unit_texts(values: _Col, units: _Col, pers: _Col | None = None) -> _Col:
    """The value with its unit (and basis), e.g. 46个, 3.5万元/人: nums(values, 4), _unit_of, _basis_of."""
    return _concat([values, units] + ([pers] if pers is not None else []), len(units))


# ---------------------------------------------------------------------------------------- indicators

#: the columns an indicator explanation reads
EXPLAIN_COLUMNS = ("status", "method", "rule", "flag", "ratio", "points", "weight_points", "over_times",
                   "actual_text", "actual_value", "target_value", "target_text", "target_source", "target",
                   "t_canonical", "t_kind", "t_unit", "t_per", "t_low", "t_high", "t_n", "op_used", "op_source",
                   "reason_args", "pending_reason", "prior_text")


def _short_reason(target: Any) -> str:
    reason = getattr(target, "reason", None) or ""
    return reason if reason.endswith("。") or not reason else reason + "。"


#: template fields of the indicator sentences, made from the rows' columns
_INDICATOR_FIELDS: dict[str, Callable[[_Rows], _Col]] = {
    "weight": lambda r: r.nums("weight_points"),
    "points": lambda r: r.nums("points"),
    "ratio": lambda r: _pcts(r.number("ratio")),  # shown by few rules: for these rows only
    "actual": lambda r: r.nums("actual_value", 4),
    "target": lambda r: r.nums("target_value", 4),
    "low": lambda r: r.nums("t_low", 4),
    "high": lambda r: r.nums("t_high", 4),
    "times": lambda r: r.nums("over_times", 4),
    "rating": lambda r: _texts(r.arg("rating", "")),
    "tier": lambda r: _texts(r.arg("tier", "")),
}

#: rules whose sentence needs only the indicator's own numbers
_NUMBER_RULES = ("full", "range_inside", "zero_met", "ge_missed", "le_missed_ratio", "le_missed_linear",
                 "le_zero_target", "zero_missed", "range_low", "range_high", "range_high_linear", "review_points")


def _op_word(op: Any) -> str:
    return messages()["ops"].get(op or "", "")


def _target_parts(rows: _Rows) -> _Col:
    """「年度指标值 ≥50个」 and, when the direction was not written, where it came from.

    Rendered once per distinct combination of target text, period, source of the direction and its word."""
    n = len(rows)
    target = _texts(_first_truthy(rows.text("t_canonical"), rows.text("target_text"), default="（空）"))
    period = rows.isin("target_source", "period")
    how_keys = ("inferred", "default_direction", "hint")
    how = np.zeros(n, dtype=np.intp)  # 0: direction written; else 1 + index in how_keys
    kinds = rows.isin("t_kind", "compare", "all")
    for j, src in enumerate(("name", "default", "hint")):
        how[kinds & rows.isin("op_source", src)] = j + 1
    op = np.zeros(n, dtype=np.intp)
    said = np.flatnonzero(how)
    ops = _map_unique(rows.text("op_used")[said], _op_word)
    op[said] = ops.codes
    codes, first = _combos([target.codes, period.astype(np.intp), how, op],
                           [len(target.uniques), 2, len(how_keys) + 1, max(len(ops.uniques), 1)])
    texts = target.uniques[target.codes[first]]
    period, how, op = period[first], how[first], np.append(ops.uniques, "")[op[first]]
    out = np.empty(len(first), dtype=object)
    for key, m in (("period", period), ("annual", ~period)):
        if m.any():
            out[m] = fill("target", key, int(m.sum()), target=_Col.rows(texts[m])).values()
    for j, key in enumerate(how_keys):
        m = how == j + 1
        if m.any():
            out[m] = out[m] + fill("target", key, int(m.sum()), op=_Col.rows(op[m])).values()
    return _Col(codes, out)


def _actual_parts(rows: _Rows, before: str) -> _Col:
    """「实际 46个」, or how the actual value was read (converted, bare number, formula); after ``before``.

    Rendered once per distinct combination of what it shows (actual text, value, unit, basis, kind)."""
    n = len(rows)
    formula = np.zeros(n, dtype=bool)
    has_args = rows.truthy("reason_args")
    formula[has_args] = [("formula_value" in d) for d in rows.text("reason_args")[has_args]]
    parts = []
    m = ~formula
    if m.any():
        sub = rows if not formula.any() else rows.sub(m)
        cols = [sub.mapped("actual_text", _stripped), sub.nums("actual_value", 4), sub.mapped("t_unit", _unit_of),
                sub.mapped("t_per", _basis_of)]
        kind = sub.isin("t_kind", "compare", "range", "zero")
        codes, first = _combos([c.codes for c in cols] + [kind.astype(np.intp)], [len(c.uniques) for c in cols] + [2])
        actual, value, unit, per = (c.uniques[c.codes[first]].tolist() for c in cols)
        shown = [v + u + p for v, u, p in zip(value, unit, per)]
        plain = np.isnan(sub.number("actual_value")[first]) | ~kind[first]
        plain[~plain] = [s == a for s, a, p in zip(shown, actual, plain.tolist()) if not p]
        bare = ~plain & np.array([bool(u) for u in unit], dtype=bool)
        bare[bare] = [a.replace(".", "").replace("-", "").isdigit() for a, b in zip(actual, bare.tolist()) if b]
        texts = np.empty(len(first), dtype=object)
        actual, unit, shown = _objects(actual), _objects(unit), _objects(shown)
        for key, k in (("plain", plain), ("bare", bare), ("converted", ~plain & ~bare)):
            if k.any():
                texts[k] = fill("actual", key, int(k.sum()), before=before, actual=_Col.rows(actual[k]),
                                unit=_Col.rows(unit[k]), converted=_Col.rows(shown[k])).values()
        parts.append((m, _Col(codes, texts)))
    if formula.any():
        sub = rows.sub(formula)
        parts.append((formula, fill("rule", "formula_value", sub, before=before, formula=_texts(sub.arg("formula", None)),
                                    value=_unit_texts(sub.nums("actual_value", 4), sub.mapped("t_unit", _unit_of)))))
    return parts[0][1] if len(parts) == 1 and len(parts[0][1]) == n else _stitch(n, parts)


def _all_parts(rows: _Rows) -> _Col:
    """Multi-clause targets: 「共 2 项：… 实际 … 得分率 …，…；按规则取平均得分率 …」."""
    clauses = rows.arg("clauses", ())
    counts = [len(c) for c in clauses]
    flat = [c for cs in clauses for c in cs]
    items = fill("rule", "all_part", len(flat), target=_texts([c[0] for c in flat]),
                 actual=_unit_texts(_nums(_objects(c[1][0] for c in flat), 4),
                                    _map_unique(_objects(c[1][1] for c in flat), _unit_of)),
                 ratio=_pcts(_objects(c[2] for c in flat))).values().tolist()
    ends = np.cumsum(counts, dtype=np.int64).tolist()
    joined = _Col.rows("，".join(items[s:e]) for s, e in zip([0] + ends[:-1], ends))
    return fill("rule", "all", rows, _INDICATOR_FIELDS, n=_texts(counts), parts=joined,
                how=_map_unique(rows.arg("how", None), lambda h: message("rule", "how_" + h)))


def _rule_parts(rows: _Rows, rule: _Col, pack: RulePack) -> _Col:
    """The scoring rule with its numbers, e.g. 「按比例得分 46/50 × 5.00 = 4.60」."""
    trend_words = messages()["trend_words"]
    parts = []
    for i, r in enumerate(rule.uniques.tolist()):
        m = rule.codes == i
        sub = rows.sub(m)
        if r in _NUMBER_RULES:
            parts.append((m, fill("rule", r, sub, _INDICATOR_FIELDS)))
        elif r == "all":
            parts.append((m, _all_parts(sub)))
        elif r.startswith("trend"):
            parts.append((m, fill("rule", r, sub, _INDICATOR_FIELDS,
                                  direction=_map_unique(sub.arg("direction", "up"), lambda d: trend_words.get(d, "")),
                                  change=_pcts(sub.arg("change", math.nan)), stated=_texts(sub.arg("stated", "")),
                                  tol=pct(pack.data["trend"]["stable_tolerance"]))))
        elif r in ("done_yes", "done_no", "deadline_met", "deadline_late", "done_yes_undated"):
            parts.append((m, fill("rule", r, sub, _INDICATOR_FIELDS, actual=_texts(sub.text("actual_text", "")),
                                  due=_texts(sub.text("target_text", "")),
                                  late=_texts(sub.arg("months_late", "")))))
        elif r == "review_tier":
            parts.append((m, fill("rule", r, sub, _INDICATOR_FIELDS, low=_pcts(sub.arg("low", None)),
                                  high=_pcts(sub.arg("high", None)))))
    return _stitch(len(rows), parts)


def _scored_texts(rows: _Rows, head: _Col, pack: RulePack) -> np.ndarray:
    """Sentences of scored indicators: target，actual，verdict；rule[；over-achievement][rating ignored]."""
    n = len(rows)
    rule = _texts(rows.text("rule", ""))
    trend = rule.test(lambda r: r.startswith("trend"))
    stated = rule.test(lambda r: r.startswith("trend_stated"))
    missed = rule.test(lambda r: "missed" in r)
    shows_actual = rows.isin("method", "auto") & ~rows.isin("t_kind", "done") & ~stated
    actual = []
    m = shows_actual & ~trend
    if m.any():
        actual.append((m, _actual_parts(rows.sub(m), before="，")))
    m = shows_actual & trend
    if m.any():
        sub = rows.sub(m)
        actual.append((m, fill("actual", "with_prior", sub, before="，", prior=_texts(sub.arg("prior", "")),
                               actual=_texts(sub.text("actual_text", "")))))
    m = shows_actual & ~trend & ~rule.test(lambda r: r == "all")
    met = (rows.number("ratio")[m] >= 1 - 1e-12) & ~missed[m]
    verdict = _Col(met.astype(np.intp), _objects(["，" + message("verdict", "missed"), "，" + message("verdict", "met")]))
    text = _concat([head, _stitch(n, actual), _stitch(n, [(m, verdict)]), "；", _rule_parts(rows, rule, pack)],
                   n).values()
    flag = rows.truthy("flag")
    if flag.any():
        sub = rows.sub(flag)
        extra = ["；", fill("rule", "over", sub, _INDICATOR_FIELDS)]
        deduct = pack.data["over_achievement"]["deduct"]
        if deduct > 0:
            extra += ["；", fill("rule", "deduct", sub, _INDICATOR_FIELDS, deduct=pct(deduct),
                                amount=_nums(deduct * sub.number("weight_points")))]
        text[flag] = text[flag] + _concat(extra, len(sub)).values()
    has_args = np.flatnonzero(rows.truthy("reason_args"))
    if len(has_args):
        ignored = rows.sub(has_args).arg("rating_ignored", None)
        at = _truthy(ignored)
        if at.any():
            text[has_args[at]] = text[has_args[at]] + fill("rule", "rating_ignored", int(at.sum()),
                                                           rating=_texts(ignored[at])).values()
    return text


#: template fields of the pending / not-evaluable explanations
_OPEN_FIELDS: dict[str, Callable[[_Rows], _Col]] = {
    "example": lambda r: _map_unique(r.text("t_unit"), lambda u: messages()["examples"].get(u or "", None)
                                     or (f"52{u}" if isinstance(u, str) and u else messages()["examples"]["default"])),
    "target": lambda r: _texts(_first_truthy(r.text("t_canonical"), r.text("target_text"), default="")),
    "formula": lambda r: _texts(_first_truthy(r.text("t_canonical"), r.text("target_text"), default="")),
    "actual": lambda r: _texts(r.text("actual_text", "")),
    "n": lambda r: _texts(_first_truthy(r.text("t_n"), default="")),
    "reason": lambda r: _Col.rows(_short_reason(t) for t in r.text("target")),
    "weight": lambda r: r.nums("weight_points"),
    "rating": lambda r: _texts(r.arg("rating", "")),
    "prior": lambda r: _texts(_objects((d or {}).get("prior", p) for d, p in zip(r.text("reason_args"),
                                                                                   r.text("prior_text", "")))),
    "actual_unit": lambda r: _texts(r.arg("actual_unit", "")),
    "target_unit": lambda r: _texts(r.arg("target_unit", "")),
}


def _open_texts(rows: _Rows, head: _Col) -> np.ndarray:
    """Sentences of pending / not evaluable indicators: target[，actual]；what is missing."""
    n = len(rows)
    actual = rows.mapped("actual_text", _stripped)
    has = actual.test(bool)
    lead = _stitch(n, [(has, fill("actual", "plain", int(has.sum()), before="，", actual=actual[has]))])
    pending = rows.isin("status", "pending")
    codes, reasons = pd.factorize(rows.text("pending_reason"), use_na_sentinel=False)
    parts = []
    for section, in_section in (("pending", pending), ("not_evaluable", ~pending)):
        for i, reason in enumerate(reasons):
            m = in_section & (codes == i)
            if m.any():
                extra = {"example": _FORMULA_EXAMPLE} if reason == "formula" else {}
                parts.append((m, fill(section, reason, rows.sub(m), _OPEN_FIELDS, **extra)))
    return _concat([head, lead, "；", _stitch(n, parts)], n).values()


def explain_indicators(ind: pd.DataFrame, pack: RulePack) -> pd.Series:
    """The Chinese sentence for every scored indicator row."""
    rows = _Rows(ind)
    out = np.empty(len(rows), dtype=object)
    excluded = rows.isin("status", "excluded")
    if excluded.any():
        key = "na_full" if pack.switches["not_applicable"] == "full" else "na_respread"
        out[excluded] = fill("rule", key, rows.sub(excluded), _INDICATOR_FIELDS).values()
    rest = ~excluded
    if rest.any():
        sub = rows.sub(rest)
        head = _target_parts(sub)
        scored = sub.isin("status", "scored")
        texts = np.empty(len(sub), dtype=object)
        if scored.any():
            texts[scored] = _scored_texts(sub.sub(scored), head[scored], pack)
        if not scored.all():
            texts[~scored] = _open_texts(sub.sub(~scored), head[~scored])
        out[rest] = texts
    return pd.Series(out, index=ind.index, dtype=object)


# ---------------------------------------------------------------------------------------- projects

_EXECUTION_FIELDS: dict[str, Callable[[_Rows], _Col]] = {
    "spent": lambda r: r.nums("spent_annual", 4),
    "budget": lambda r: r.nums("budget_used", 4),
    "rate": lambda r: r.pcts("execution_rate"),
    "points": lambda r: r.nums("execution_points"),
    "cap": lambda r: r.nums("execution_cap"),
}


def explain_executions(projects: pd.DataFrame, pack: RulePack) -> pd.Series:
    """Per project: how the budget-execution points came about (执行率、封顶)."""
    rows = _Rows(projects)
    out = full_object(len(rows), message("pending", "execution"))  # one text object for all rows
    scored = rows.text("execution_status") == "scored"
    if "budget_used" in projects:  # a budget of 0 is given, not missing: say so, not 「缺少…」
        zero = ~scored & (pd.to_numeric(projects["budget_used"], errors="coerce").to_numpy(dtype=float) == 0)
        out[zero] = "待补：" + message("execution", "zero_budget")
    if scored.any():
        out[scored] = _execution_texts(rows.sub(scored), pack)
    return pd.Series(out, index=projects.index, dtype=object)


def _execution_texts(rows: _Rows, pack: RulePack) -> np.ndarray:
    n = len(rows)
    rate = rows.number("execution_rate")
    parts: list[str | _Col] = [fill("execution", "scored", rows, _EXECUTION_FIELDS, weight=num(pack.weights["execution"]))]
    over = rate > 1
    fallback = _truthy(rows.text("budget_fallback"))
    capped = rows.number("execution_cap") < 100  # no such column: never capped
    for key, m in (("over", over), ("budget_fallback", fallback), ("cap", capped)):
        if not m.any():
            continue
        extra = {}
        if key == "cap":
            below = np.full(int(m.sum()), np.inf)
            for c in pack.data["execution"]["cap"]:
                below = np.where(rate[m] < c["below"], np.minimum(below, c["below"]), below)
            if np.isinf(below).any():
                raise ValueError("execution_cap < 100 without a matching [[execution.cap]] entry")
            extra["below"] = _pcts(below)
        sub = rows.sub(m)
        parts.append(_stitch(n, [(m, fill("execution", key, sub, _EXECUTION_FIELDS, before="；", **extra))]))
    return _concat(parts, n).values()


class _Groups:
    """Indicator rows grouped by project: texts joined per project, aligned with the project table."""

    def __init__(self, ind: pd.DataFrame, project_ids: pd.Series):
        self.codes, keys = _factorize(ind["project_id"])  # like groupby: no group for a missing id
        self.n_groups = len(keys)
        self.at = pd.Index(keys).get_indexer(project_ids)  # -1: project without indicators

    def join(self, rows: np.ndarray, texts: np.ndarray, sep: str, limit: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Per project: how many of ``rows`` (indicator positions) it has and the first ``limit`` of ``texts``
        (one per row, in the order of ``rows``) joined by ``sep``; None for none."""
        codes = self.codes[rows]
        keep = np.flatnonzero(codes >= 0)
        codes, texts = codes[keep], texts[keep]
        counts = np.bincount(codes, minlength=self.n_groups)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        ends = starts + (counts if limit is None else np.minimum(counts, limit))
        items = texts[np.argsort(codes, kind="stable")].tolist()
        found = np.flatnonzero(counts)
        # a trailing slot for the projects without such rows (self.at == -1)
        joined = np.full(self.n_groups + 1, None, dtype=object)
        joined[found] = [sep.join(items[s:e]) for s, e in zip(starts[found].tolist(), ends[found].tolist())]
        return np.append(counts, 0)[self.at], joined[self.at]


def _factorize(column: pd.Series) -> tuple[np.ndarray, Any]:
    """``pd.factorize(column)``; an object column numbered by value once per distinct object."""
    if column.dtype != object:
        return pd.factorize(column)
    values = column.to_numpy()
    rows, first = identity_codes(values)
    codes, uniques = pd.factorize(values[first])
    return codes[rows], uniques


def _project_facts(projects: pd.DataFrame, ind: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per project: weakest indicators, over-achieved ones, pending / not evaluable counts and names."""
    groups = _Groups(ind, projects["project_id"])
    names = ind["name"].to_numpy(dtype=object)
    facts = {}
    flag = _map_unique(ind["flag"].to_numpy(dtype=object), str).test(lambda f: f.startswith("over_achieved"))
    flag = np.flatnonzero(flag)
    _, facts["over"] = groups.join(flag, _texts(names[flag]).values(), "、")
    rows = _Rows(ind)
    for key in ("pending", "not_evaluable"):
        m = np.flatnonzero(rows.isin("status", key))
        facts[f"{key}_n"], facts[f"{key}_names"] = groups.join(m, _texts(names[m]).values(), "、", limit=5)
    ratio = ind["ratio"].to_numpy(dtype=float)
    weak = np.flatnonzero(rows.isin("status", "scored") & (ratio < 1 - 1e-9) & (groups.codes >= 0))
    weak = weak[np.lexsort((ratio[weak], groups.codes[weak]))]  # by project, then ratio; ties keep the row order
    codes = groups.codes[weak]
    weak = weak[np.arange(len(weak)) - np.searchsorted(codes, codes) < 3]  # the three lowest of each project
    items = fill("summary", "weakest_item", len(weak), name=_texts(names[weak]), ratio=_pcts(ratio[weak]))
    _, facts["weakest"] = groups.join(weak, items.values(), "、")
    return facts


def summarize_projects(projects: pd.DataFrame, ind: pd.DataFrame, pack: RulePack) -> pd.Series:
    """Every project's summary: total, blocks, weakest, flags, what is open."""
    rows = _Rows(projects)
    out = np.empty(len(rows), dtype=object)
    status = rows.text("status")
    name = _texts(rows.text("project") if "project" in projects else rows.text("project_id"))
    rest = np.ones(len(rows), dtype=bool)
    for key in ("classified", "no_indicators"):
        m = status == key
        if m.any():
            out[m] = fill("summary", key, int(m.sum()), project=name[m]).values()
            rest &= ~m
    if rest.any():
        facts = {k: v[rest] for k, v in _project_facts(projects, ind).items()}
        out[rest] = _summary_texts(rows.sub(rest), name[rest], facts, pack)
    return pd.Series(out, index=projects.index, dtype=object)


def _summary_texts(rows: _Rows, name: _Col, facts: dict[str, np.ndarray], pack: RulePack) -> np.ndarray:
    n = len(rows)
    executed = rows.text("execution_status") == "scored"
    points = _stitch(n, [(executed, rows.nums("execution_points")[executed])], default="待补")
    blocks: list[str | _Col] = [fill("summary", "block_part", n, block=message("blocks", "execution"), points=points,
                                     weight=num(pack.weights["execution"]))]
    for b in BLOCKS:
        m = rows.number(f"weight_{b}") > 0  # no such column: no such block
        if m.any():
            part = fill("summary", "block_part", int(m.sum()), before="；", block=message("blocks", b),
                        points=rows.nums(f"points_{b}")[m], weight=rows.nums(f"weight_{b}")[m])
            blocks.append(_stitch(n, [(m, part)]))
    grade = rows.text("grade")
    grade = _texts(np.where(_truthy(grade), grade, message("summary", "grade_open")))
    total, low, high = rows.number("total"), rows.number("total_min"), rows.number("total_max")
    scored = rows.text("status") == "scored"
    heads = [(scored, fill("summary", "head", int(scored.sum()), project=name[scored], total=_nums(total[scored]),
                           grade=grade[scored]))]
    m = ~scored
    if m.any():
        heads.append((m, fill("summary", "head_pending", int(m.sum()), project=name[m], total=_nums(total[m]),
                              pending=_nums(high[m] - total[m]), min=_nums(low[m]), max=_nums(high[m]), grade=grade[m])))
    parts: list[str | _Col] = [_stitch(n, heads), "。", *blocks]
    for key in ("weakest", "over"):
        m = _truthy(facts[key])
        if m.any():
            parts.append(_stitch(n, [(m, fill("summary", key, int(m.sum()), before="。", items=_Col.rows(facts[key][m])))]))
    for key in ("pending", "not_evaluable"):
        m = facts[f"{key}_n"] > 0
        if m.any():
            part = fill("summary", key, int(m.sum()), before="。", n=_texts(facts[f"{key}_n"][m].tolist()),
                        items=_texts(facts[f"{key}_names"][m]))
            parts.append(_stitch(n, [(m, part)]))
    m = ~np.isnan(rows.number("self_total"))
    if m.any():
        part = fill("summary", "self", int(m.sum()), before="。", self_total=rows.nums("self_total")[m],
                    diff=rows.nums("self_diff")[m])
        parts.append(_stitch(n, [(m, part)]))
    parts.append("。")
    return _concat(parts, n).values()
