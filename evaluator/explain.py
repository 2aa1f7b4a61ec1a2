"""Chinese explanations: one sentence per indicator, one summary per project.

All wording is in ``data/messages.toml`` (filled by :mod:`evaluator.wording`); this module
only picks the template and the numbers, e.g.
「年度指标值 ≥50个，实际 46个，未达成；按比例得分 46/50 × 5.00 = 4.60」.

A sentence is made of parts. Each part is a small function of declared fields (columns of the
scored table), written for one row — ``@part("t_canonical", "target_text", …) def _target(…)``
— and called once per distinct combination of its fields, the result taken back to every row
by code (tables repeat the same targets, units, ratings and points on most rows). Each field is
coded once per table (a field only some rows read: on those rows); a part's combinations are one
integer key per row made from its fields' codes. A number the sentence shows is declared as its
text (``num:points``, ``num4:actual_value``, ``pct:ratio``): each distinct number is written once
for the whole table. A part that shows numbers differing on nearly every row (points, actual
values, totals) reads only what decides its wording and returns a template
(``@part("rule", shows={"points": "num:points", …})``); the template is filled when the sentence
is joined, one join per row of literal texts and the rows' field texts (:func:`join`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import repeat
from typing import Any, Callable

import numpy as np
import pandas as pd

from .enums import Method, ProjectStatus, Status, TargetKind
from .frames import factorize_objects, first_rows, full_object, joint_codes
from .rules import BLOCKS, RulePack
from .wording import Field, message, messages, num, num_all, pct, pct_all, template, template_pieces

__all__ = ["explain_indicators", "explain_executions", "summarize_projects", "message", "messages", "num", "pct",
           "EXPLAIN_COLUMNS"]

# ----------------------------------------------------------------------------------- the machinery

#: a column as codes (one per row, none negative) into its distinct values
Coded = tuple[np.ndarray, np.ndarray]

#: columns read as numbers (floats; a missing column is NaN): every other field is read as it is
NUMBERS = frozenset({
    "ratio", "points", "weight_points", "over_times", "actual_value", "target_value", "t_low", "t_high",
    "spent_annual", "budget_used", "execution_rate", "execution_points", "execution_cap",
    "total", "total_min", "total_max", "total_open", "self_total", "self_diff",
    *(f"{kind}_{b}" for kind in ("points", "weight") for b in BLOCKS)})


#: what a field reads when the frame has no such column (else None, or NaN for numbers)
DEFAULTS = {"actual_text": "", "prior_text": ""}

#: number fields, ``KIND:column``: the column's numbers as the text a sentence shows, each distinct
#: number written once (:mod:`evaluator.wording`)
FORMATS: dict[str, Callable[[np.ndarray], list[str]]] = {
    "num": num_all, "num4": lambda values: num_all(values, 4), "pct": pct_all}


class _Absent:
    """A reason argument the row does not have."""

    def __repr__(self) -> str:
        return "<absent>"


ABSENT = _Absent()

#: types whose values equal only values of the same type that render alike
_BY_VALUE = (str, _Absent)


def part(*fields: str, shows: dict[str, str] | None = None) -> Callable[[Callable[..., str]], Callable[..., str]]:
    """Declare the fields a sentence part reads, in the order of its parameters: a column (``rule``),
    a reason argument (``arg:KEY``) or a column's numbers as shown (``num:``, ``num4:``, ``pct:``
    and the column, see :data:`FORMATS`).

    A part that ``shows`` fields (a template's field name → the field it shows) returns a template
    (:func:`evaluator.wording.template`) instead of a text: it is called once per distinct
    combination of the fields it reads, and each row's template is filled with the row's values of
    the fields it shows when the sentence is joined (:func:`join`) — the numbers that differ on
    nearly every row then make no combinations of their own."""
    def declare(func: Callable[..., str]) -> Callable[..., str]:
        func.fields = fields  # type: ignore[attr-defined]
        func.shows = shows  # type: ignore[attr-defined]
        return func
    return declare


def _exact(values: np.ndarray) -> Coded:
    """``values`` as (codes, distinct values), equal codes only for values that render alike:
    numbers by bit pattern (-0.0 is not 0.0), texts by value, None apart from NaN, and values of
    different types apart (1, 1.0 and True)."""
    if values.dtype.kind in "iub":
        return pd.factorize(values)
    if values.dtype.kind == "f":
        return _floats(values)
    try:
        codes, uniques = factorize_objects(values)
    except TypeError:  # unhashable values
        return _apart(values)
    other = [i for i, u in enumerate(uniques.tolist()) if type(u) not in _BY_VALUE]
    rest = np.flatnonzero((codes < 0) | np.isin(codes, other)) if other else np.flatnonzero(codes < 0)
    if len(rest):  # missing values, and values another type could equal (1 == 1.0 == True)
        more_codes, more = _apart(values[rest])
        codes[rest] = len(uniques) + more_codes
        uniques = np.concatenate([uniques, more])
    return codes, uniques


def _floats(values: np.ndarray) -> Coded:
    codes, bits = pd.factorize(np.ascontiguousarray(values, dtype=np.float64).view(np.int64))
    return codes, bits.view(np.float64)


def _apart(values: np.ndarray) -> Coded:
    """:func:`_exact` of values that are not texts: numbered by value within one type, else by ``repr``."""
    items = values.tolist()
    kinds = set(map(type, items))
    if kinds == {float}:
        codes, uniques = _floats(np.array(items, dtype=np.float64))
        return codes, _objects(uniques.tolist())
    if len(kinds) == 1 and kinds <= {int, bool, type(None)}:
        codes, _ = pd.factorize(values, use_na_sentinel=False)
    else:
        codes, _ = pd.factorize(np.array([repr(v) for v in items] + [None], dtype=object)[:-1])
    return codes, values[first_rows(codes)]


def _objects(values: list[Any]) -> np.ndarray:
    """A 1-d object array of ``values`` (tuples stay single cells)."""
    return np.fromiter(values, dtype=object, count=len(values))


class _Table:
    """The fields of a frame, each coded once for all rows (:meth:`coded`); derived fields added by name."""

    def __init__(self, df: pd.DataFrame):
        self.df, self.n = df, len(df)
        self._raw: dict[str, np.ndarray] = {}
        self._coded: dict[str, Coded] = {}
        self._args: dict[str, tuple[list[int], list[Any]]] | None = None  # argument → (rows, values)

    def raw(self, name: str) -> np.ndarray:
        """Column ``name``: floats for :data:`NUMBERS` (missing: NaN), else objects (missing: None)."""
        if name not in self._raw:
            if name in NUMBERS:
                self._raw[name] = self.df[name].to_numpy(dtype=float, na_value=np.nan) if name in self.df \
                    else np.full(self.n, np.nan)
            else:
                self._raw[name] = self.df[name].to_numpy(dtype=object) if name in self.df \
                    else full_object(self.n, DEFAULTS.get(name))
        return self._raw[name]

    def add(self, name: str, values: np.ndarray) -> None:
        self._raw[name] = values
        for key in [k for k in self._coded if k.rpartition(":")[2] == name]:
            del self._coded[key]

    def coded(self, name: str) -> Coded:
        """Field ``name`` (see :func:`part`) of every row as (codes, distinct values)."""
        if name not in self._coded:
            kind, _, column = name.rpartition(":")
            if kind == "arg":
                self._coded[name] = self._arg(column)
            elif kind:
                codes, numbers = self.shown(name)
                shown, texts = factorize_objects(numbers)  # 0.125 and 0.1250001: one text
                self._coded[name] = shown[codes], texts
            else:
                self._coded[name] = self._column(name)
        return self._coded[name]

    def shown(self, name: str) -> Coded:
        """Field ``name`` as :meth:`coded`, but a number field as the column's codes and the text of
        each distinct number (two numbers may show alike)."""
        kind, _, column = name.rpartition(":")
        if kind not in FORMATS:
            return self.coded(name)
        key = "shown:" + name
        if key not in self._coded:
            codes, numbers = self.coded(column)
            self._coded[key] = codes, _objects(FORMATS[kind](numbers))
        return self._coded[key]

    def filled(self, name: str, field: Field) -> Coded:
        """Template field ``field`` filled with field ``name`` of every row: (codes, distinct texts)."""
        key = f"{field.text}={name}"
        if key not in self._coded:
            codes, values = self.shown(name)
            if field.text != "{" + field.name + "}" or name.rpartition(":")[0] not in FORMATS:
                values = _objects([field.fill(v) for v in values.tolist()])  # (a number field's are texts already)
            self._coded[key] = codes, values
        return self._coded[key]

    def field(self, name: str, rows: np.ndarray | None = None) -> Coded:
        """Field ``name`` as :meth:`coded`, but a column not coded yet is coded on the rows ``rows`` only
        (all rows: None; the other rows' codes mean nothing): a field only a few rows read costs little."""
        if rows is None or name in self._coded or ":" in name or self._categorical(name):
            return self.coded(name)  # (a categorical column is coded already: all its rows cost nothing)
        codes = np.zeros(self.n, dtype=np.intp)
        codes[rows], uniques = self._column(name, rows)
        return codes, uniques

    def _column(self, name: str, rows: np.ndarray | None = None) -> Coded:
        """Column ``name`` (of the rows ``rows`` only, if given) coded by value (:func:`_exact`)."""
        dtype = self.df[name].dtype if name not in self._raw and name in self.df and name not in NUMBERS else None
        if rows is None and self._categorical(name):  # coded already
            codes = self.df[name].cat.codes.to_numpy().astype(np.intp)
            uniques = _objects(dtype.categories.tolist())
            missing = np.flatnonzero(codes < 0)
            if len(missing):  # a missing value: what the row holds
                codes[missing] = len(uniques)
                uniques = _objects([*uniques.tolist(), self.raw(name)[missing[0]]])
            return codes, uniques
        if isinstance(dtype, np.dtype) and dtype.kind in "iub":
            values = self.df[name].to_numpy()
            codes, uniques = pd.factorize(values if rows is None else values[rows])
            return codes, _objects(uniques.tolist())  # as Python ints and bools, the values a row holds
        values = self.raw(name) if rows is None else self.raw(name)[rows]
        if isinstance(dtype, pd.StringDtype):  # texts and one missing value
            codes, uniques = factorize_objects(values)
            if len(codes) and codes.min() < 0:
                codes[codes < 0] = len(uniques)
                uniques = _objects([*uniques.tolist(), dtype.na_value])
            return codes, uniques
        return _exact(values)

    def _categorical(self, name: str) -> bool:
        """Is column ``name`` (as the frame holds it) a categorical of texts: coded already."""
        if name in self._raw or name not in self.df or name in NUMBERS:
            return False
        dtype = self.df[name].dtype
        return isinstance(dtype, pd.CategoricalDtype) and all(type(c) is str for c in dtype.categories.tolist())

    def _arg(self, key: str) -> Coded:
        """``reason_args[KEY]`` of every row, :data:`ABSENT` where the row has no such argument."""
        if self._args is None:  # every argument of every row, gathered in one pass
            found: dict[str, tuple[list[int], list[Any]]] = {}
            every = self.raw("reason_args")
            given = every.astype(bool)  # a row with arguments (bool per row, as `if args`)
            for i, args in zip(np.flatnonzero(given).tolist(), every[given].tolist()):
                for name, value in args.items():
                    rows, values = found.setdefault(name, ([], []))
                    rows.append(i)
                    values.append(value)
            self._args = found
        codes = np.zeros(self.n, dtype=np.intp)
        if key not in self._args:
            return codes, _objects([ABSENT])
        rows, values = self._args[key]
        value_codes, uniques = _exact(_objects(values))
        codes[rows] = value_codes + 1
        return codes, _objects([ABSENT, *uniques.tolist()])

    def render(self, func: Callable[..., str], where: np.ndarray | None = None) -> "Rendered":
        """Part ``func`` on the rows ``where`` (all rows: None); it says nothing elsewhere."""
        rows = None if where is None else np.flatnonzero(where)
        codes, texts = render(func, [self.field(name, rows) for name in func.fields], self.n, rows)  # type: ignore[attr-defined]
        shows = func.shows  # type: ignore[attr-defined]
        if shows is None:  # texts, one column
            said = np.array([t != "" for t in texts.tolist()], dtype=bool)
            return Rendered(np.where(said[codes], 0, -1), [((codes, texts),)])
        kinds, templates = factorize_objects(texts)  # the distinct templates: a layout each
        layouts = [tuple(p if isinstance(p, str) else self.filled(shows[p.name], p) for p in template_pieces(text))
                   for text in templates.tolist()]
        kinds = kinds[codes]
        kinds[np.array([not layout for layout in layouts], dtype=bool)[kinds]] = -1  # an empty template says nothing
        return Rendered(kinds, layouts)


def combinations(columns: list[Coded], rows: np.ndarray | None = None) -> np.ndarray:
    """Per row (of ``rows``, if given) the code of its combination of ``columns``, in order of first
    appearance (:func:`evaluator.frames.joint_codes`)."""
    return joint_codes(*(codes if rows is None else codes[rows] for codes, _ in columns))


def render(func: Callable[..., str], columns: list[Coded], n: int, rows: np.ndarray | None = None) -> Coded:
    """``func(*values)`` for each row of the coded ``columns`` (of ``rows`` only, if given: of ``n``
    rows), called once per distinct combination; rows not among ``rows`` get ""."""
    if rows is not None and len(rows) == n:
        rows = None
    m = n if rows is None else len(rows)
    if m == 0:
        return np.zeros(n, dtype=np.intp), _objects([""])
    if columns:
        codes = combinations(columns, rows)
        first = first_rows(codes) if rows is None else rows[first_rows(codes)]
        values = [uniques[c[first]].tolist() for c, uniques in columns]
        texts = [func(*row) for row in zip(*values)]
    else:
        codes, texts = np.zeros(m, dtype=np.intp), [func()]
    if rows is None:
        return codes, _objects(texts)
    full = np.zeros(n, dtype=np.intp)
    full[rows] = codes + 1
    return full, _objects([""] + texts)


@dataclass
class Rendered:
    """A sentence part on every row: row ``i`` says layout ``kinds[i]`` (-1: nothing), a layout being
    literal texts and coded columns (the row's text in each), joined in order."""

    kinds: np.ndarray
    layouts: list[tuple[str | Coded, ...]]


def either(*parts: Rendered) -> Rendered:
    """One part from parts said on disjoint rows: alternatives of one place in a sentence."""
    kinds = np.full(len(parts[0].kinds), -1, dtype=np.intp)
    layouts: list[tuple[str | Coded, ...]] = []
    for p in parts:
        said = p.kinds >= 0
        kinds[said] = p.kinds[said] + len(layouts)
        layouts += p.layouts
    return Rendered(kinds, layouts)


def join(*parts: Rendered) -> np.ndarray:
    """Per row the texts of ``parts`` joined in order, as an object array: rows with the same layouts
    are joined together, each row once ("" where no part says anything)."""
    n = len(parts[0].kinds)
    out = full_object(n, "")
    if n == 0:
        return out
    groups = joint_codes(*(p.kinds for p in parts))
    ends = np.cumsum(np.bincount(groups)).tolist()
    order = np.argsort(groups.astype(np.min_scalar_type(len(ends))), kind="stable")  # few groups: a radix sort
    kinds = [p.kinds[first_rows(groups)].tolist() for p in parts]
    for g, (start, end) in enumerate(zip([0] + ends, ends)):
        rows = order[start:end]
        pieces: list[Any] = []
        for p, k in zip(parts, kinds):
            for piece in p.layouts[k[g]] if k[g] >= 0 else ():
                if not isinstance(piece, str):
                    pieces.append(piece[1][piece[0][rows]])
                elif pieces and isinstance(pieces[-1], str):
                    pieces[-1] += piece
                else:
                    pieces.append(piece)
        if len(pieces) == 1:
            out[rows] = pieces[0]
        elif pieces:
            out[rows] = list(map("".join, zip(*(repeat(p) if isinstance(p, str) else p.tolist() for p in pieces))))
    return out


def _given(value: Any, default: Any) -> Any:
    return default if value is ABSENT else value


# ---------------------------------------------------------------------------------------- indicators

#: the columns an indicator explanation reads
EXPLAIN_COLUMNS = ("status", "method", "rule", "flag", "ratio", "points", "weight_points", "over_times",
                   "actual_text", "actual_value", "target_value", "target_text", "target_source", "target",
                   "t_canonical", "t_kind", "t_unit", "t_per", "t_low", "t_high", "t_n", "op_used", "op_source",
                   "reason_args", "pending_reason", "prior_text")

#: rules whose sentence needs only the indicator's own numbers
_NUMBER_RULES = ("full", "range_inside", "zero_met", "ge_missed", "le_missed_ratio", "le_missed_linear",
                 "le_zero_target", "zero_missed", "range_low", "range_high", "range_high_linear")

#: where an unwritten direction came from (op_source) → its template in [target]
_DIRECTION_SOURCES = {"name": "inferred", "default": "default_direction", "hint": "hint"}

#: target kinds whose sentence names an unwritten direction (≥, ≤); a tuple, not read from the enum on
#: every call: the parts below run once per distinct combination, ~250k times at 1M indicators, and
#: reading an enum member costs ~0.15 µs
_DIRECTED_KINDS = (TargetKind.COMPARE, TargetKind.ALL)

#: target kinds whose actual value is read as a number in the target's unit
_NUMBER_KINDS = (TargetKind.COMPARE, TargetKind.RANGE, TargetKind.ZERO)


def _unit_text(value: str, unit: Any, per: Any = None) -> str:
    """The value (as :func:`num` with 4 digits shows it) with its unit (and basis), e.g. 46个, 3.5万元/人."""
    u = unit if isinstance(unit, str) else ""
    basis = f"/{per}" if isinstance(per, str) and per else ""
    return f"{value}{u}{basis}"


def _target_text(canonical: Any, text: Any, empty: str) -> Any:
    return canonical or text or empty


@part("t_canonical", "target_text", "target_source", "op_used", "op_source", "t_kind")
def _target(canonical: Any, text: Any, source: Any, op: Any, op_source: Any, kind: Any) -> str:
    """「年度指标值 ≥50个」 and, when the direction was not written, where it came from."""
    out = message("target", "period" if source == "period" else "annual",
                  target=_target_text(canonical, text, "") or message("explain", "empty_target"))
    if op_source in _DIRECTION_SOURCES and kind in _DIRECTED_KINDS:
        out += message("target", _DIRECTION_SOURCES[op_source], op=messages()["ops"].get(op or "", ""))
    return out


@part("actual_text", "num4:actual_value", "t_unit", "t_per", "t_kind", "arg:formula", "arg:formula_value")
def _actual(actual_text: Any, value: str, unit: Any, per: Any, kind: Any, formula: Any, formula_value: Any) -> str:
    """「，实际 46个」, or how the actual value was read (converted, bare number, formula)."""
    actual = str(actual_text or "").strip()
    if formula_value is not ABSENT:
        return "，" + message("rule", "formula_value", formula=_given(formula, None), value=_unit_text(value, unit))
    if value == "" or kind not in _NUMBER_KINDS:  # "": NaN
        return "，" + message("actual", "plain", actual=actual)
    shown = _unit_text(value, unit, per)
    if shown == actual:
        return "，" + message("actual", "plain", actual=actual)
    if isinstance(unit, str) and unit and actual.replace(".", "").replace("-", "").isdigit():
        return "，" + message("actual", "bare", actual=actual, unit=unit)
    return "，" + message("actual", "converted", actual=actual, converted=shown)


@part("arg:prior", "actual_text")
def _actual_with_prior(prior: Any, actual: Any) -> str:
    return "，" + message("actual", "with_prior", prior=_given(prior, ""), actual=actual)


@part("reached", "rule", shows={})
def _verdict(reached: bool, rule: Any) -> str:
    return "，" + template("verdict", "met" if reached and "missed" not in rule else "missed")


@part("rule", shows={"weight": "num:weight_points", "points": "num:points", "actual": "num4:actual_value",
                     "target": "num4:target_value", "low": "num4:t_low", "high": "num4:t_high"})
def _number_rule(rule: str) -> str:
    """「；按比例得分 46/50 × 5.00 = 4.60」: a rule that needs only the indicator's own numbers."""
    return "；" + template("rule", rule)


@part("num:weight_points", "num:points", "pct:ratio", "arg:clauses", "arg:how")
def _all_rule(weight: str, points: str, ratio: str, clauses: Any, how: Any) -> str:
    """「；共 2 项：… 实际 … 得分率 …，…；按规则取平均得分率 …」: targets of several clauses."""
    clauses = _given(clauses, [])
    parts = "，".join(message("rule", "all_part", target=c[0], actual=_unit_text(num(c[1][0], 4), c[1][1]),
                             ratio=pct(c[2])) for c in clauses)
    return "；" + message("rule", "all", n=len(clauses), parts=parts, how=message("rule", "how_" + _given(how, None)),
                         ratio=ratio, weight=weight, points=points)


def _trend_part(pack: RulePack) -> Callable[..., str]:
    tol = pct(pack.data["trend"]["stable_tolerance"])

    @part("rule", "num:weight_points", "num:points", "pct:ratio", "arg:direction", "arg:tier", "arg:change", "arg:stated")
    def _trend_rule(rule: str, weight: str, points: str, ratio: str, direction: Any, tier: Any, change: Any,
                    stated: Any) -> str:
        """「；趋势为提高，已提高，得满分 5.00」"""
        return "；" + message("rule", rule, direction=messages()["trend_words"].get(_given(direction, "up"), ""),
                             tier=_given(tier, ""), ratio=ratio, weight=weight, points=points,
                             change=pct(_given(change, math.nan)), tol=tol, stated=_given(stated, ""))
    return _trend_rule


@part("rule", "num:weight_points", "num:points", "pct:ratio", "actual_text")
def _done_rule(rule: str, weight: str, points: str, ratio: str, actual: Any) -> str:
    """「；完成类指标，实际为「是」，得满分 5.00」"""
    return "；" + message("rule", rule, actual=actual, ratio=ratio, weight=weight, points=points)


@part("rule", "num:weight_points", "num:points", "pct:ratio", "actual_text", "target_text", "arg:months_late")
def _deadline_rule(rule: str, weight: str, points: str, ratio: str, actual: Any, due: Any, late: Any) -> str:
    """「；时限类指标（2023年12月），实际完成时间「2024年3月」，逾期 3 个月，…」 (issue 13)"""
    return "；" + message("rule", rule, actual=actual, due=_given(due, ""), late=_given(late, ""), ratio=ratio,
                         weight=weight, points=points)


@part("num:weight_points", "num:points", "pct:ratio", "arg:rating", "arg:tier", "arg:low", "arg:high")
def _review_tier_rule(weight: str, points: str, ratio: str, rating: Any, tier: Any, low: Any, high: Any) -> str:
    """「；评审评定「达成」（达成档 80%–100%），…」"""
    return "；" + message("rule", "review_tier", rating=_given(rating, ""), tier=_given(tier, ""),
                         low=pct(_given(low, None)), high=pct(_given(high, None)), ratio=ratio,
                         weight=weight, points=points)


@part("num:weight_points", "num:points")
def _review_points_rule(weight: str, points: str) -> str:
    return "；" + message("rule", "review_points", points=points, weight=weight)


def _rule_parts(pack: RulePack) -> dict[str, Callable[..., str]]:
    """The part saying how each rule (the ``rule`` column) scored, by rule; a rule not listed: 「；」."""
    parts = {r: _number_rule for r in _NUMBER_RULES}
    parts.update({"all": _all_rule, "done_yes": _done_rule, "done_no": _done_rule,
                  "review_tier": _review_tier_rule, "review_points": _review_points_rule,
                  "deadline_met": _deadline_rule, "deadline_late": _deadline_rule, "done_yes_undated": _deadline_rule})
    trend = _trend_part(pack)
    parts.update({r: trend for r in messages()["rule"] if r.startswith("trend")})
    return parts


def _over_part(pack: RulePack) -> Callable[..., str]:
    """「；实际达到目标的 2 倍，超额完成…」 and the deduction, if the pack makes one."""
    deduct = pack.data["over_achievement"]["deduct"]

    @part("num4:over_times", "weight_points", "num:points")
    def _over(times: str, weight: float, points: str) -> str:
        text = "；" + message("rule", "over", times=times)
        if deduct > 0:
            text += "；" + message("rule", "deduct", deduct=pct(deduct), weight=num(weight), amount=num(deduct * weight),
                                  points=points)
        return text
    return _over


@part("arg:rating_ignored")
def _rating_ignored(rating: Any) -> str:
    return message("rule", "rating_ignored", rating=rating) if rating is not ABSENT and rating else ""


@part("actual_text")
def _open_actual(actual_text: Any) -> str:
    actual = str(actual_text or "").strip()
    return "，" + message("actual", "plain", actual=actual) if actual else ""


def _example(unit: Any) -> str:
    examples = messages()["examples"]
    return examples.get(unit or "", None) or (f"52{unit}" if isinstance(unit, str) and unit else examples["default"])


def _short_reason(target: Any) -> str:
    reason = getattr(target, "reason", None) or ""
    return reason if reason.endswith("。") or not reason else reason + "。"


@part("status", "pending_reason", "t_unit", "t_canonical", "target_text", "actual_text", "t_n", "target_reason",
      "num:weight_points", "arg:rating", "arg:prior", "prior_text", "arg:actual_unit", "arg:target_unit")
def _open(status: Any, reason: Any, unit: Any, canonical: Any, text: Any, actual: Any, n: Any, short_reason: str,
          weight: str, rating: Any, prior: Any, prior_text: Any, actual_unit: Any, target_unit: Any) -> str:
    """「；待补：缺少实际完成值…」: what a pending or not evaluable indicator is missing."""
    target = _target_text(canonical, text, "")
    values = dict(example=message("explain", "formula_example") if reason == "formula" else _example(unit),
                  target=target, actual=actual, n=n or "", reason=short_reason, formula=target, weight=weight, rating=_given(rating, ""), prior=_given(prior, prior_text),
                  actual_unit=_given(actual_unit, ""), target_unit=_given(target_unit, ""))
    return "；" + message("pending" if status == Status.PENDING else "not_evaluable", reason, **values)


def _excluded_part(pack: RulePack) -> Callable[..., str]:
    key = "na_full" if pack.switches["not_applicable"] == "full" else "na_respread"

    @part("num:weight_points")
    def _excluded(weight: str) -> str:
        return message("rule", key, weight=weight)
    return _excluded


def _is(table: _Table, name: str, *values: str) -> np.ndarray:
    """Per row: is field ``name`` one of ``values``."""
    codes, uniques = table.coded(name)
    return np.array([isinstance(u, str) and u in values for u in uniques.tolist()], dtype=bool)[codes] \
        if len(codes) else np.zeros(0, dtype=bool)


def _test(table: _Table, name: str, func: Callable[[Any], bool]) -> np.ndarray:
    """Per row: ``bool(func(value))`` of field ``name``."""
    codes, uniques = table.coded(name)
    return np.array([bool(func(u)) for u in uniques.tolist()], dtype=bool)[codes] \
        if len(codes) else np.zeros(0, dtype=bool)


def explain_indicators(ind: pd.DataFrame, pack: RulePack) -> pd.Series:
    """The Chinese sentence for every scored indicator row."""
    t = _Table(ind)
    if t.n == 0:
        return pd.Series([], index=ind.index, dtype=object)
    excluded = _is(t, "status", Status.EXCLUDED)
    scored = _is(t, "status", Status.SCORED)
    open_ = ~excluded & ~scored
    if open_.any():
        reasons = full_object(t.n, "")
        reasons[open_] = _objects([_short_reason(x) for x in t.raw("target")[open_].tolist()])
        t.add("target_reason", reasons)
    trend = scored & _test(t, "rule", lambda r: str(r).startswith("trend"))
    shows_actual = scored & _is(t, "method", Method.AUTO) & ~_is(t, "t_kind", TargetKind.DONE) \
        & ~_test(t, "rule", lambda r: str(r).startswith("trend_stated"))
    verdict = shows_actual & ~trend & ~_is(t, "rule", "all")
    t.add("reached", t.raw("ratio") >= 1 - 1e-12)
    rules = _rule_parts(pack)
    rule_parts = []
    for func in dict.fromkeys(rules.values()):
        names = tuple(r for r, f in rules.items() if f is func)
        rule_parts.append(t.render(func, scored & _is(t, "rule", *names)))
    other = scored & ~_is(t, "rule", *rules)
    sentence = join(
        either(t.render(_excluded_part(pack), excluded), t.render(_target, ~excluded)),
        either(t.render(_actual, shows_actual & ~trend), t.render(_actual_with_prior, shows_actual & trend),
               t.render(_open_actual, open_)),
        t.render(_verdict, verdict),
        either(*rule_parts, t.render(part(shows={})(lambda: "；"), other), t.render(_open, open_)),
        t.render(_over_part(pack), scored & _test(t, "flag", bool)),
        t.render(_rating_ignored, scored),
    )
    return pd.Series(sentence, index=ind.index, dtype=object)


# ---------------------------------------------------------------------------------------- projects

def _execution_part(pack: RulePack) -> Callable[..., str]:
    weight = num(pack.weights["execution"])

    @part(shows={"spent": "num4:spent_annual", "budget": "num4:budget_used", "rate": "pct:execution_rate",
                 "points": "num:execution_points"})
    def _execution() -> str:
        return template("execution", "scored", weight=weight)
    return _execution


@part(shows={"rate": "pct:execution_rate"})
def _execution_over() -> str:
    return "；" + template("execution", "over")


@part(shows={"budget": "num4:budget_used"})
def _budget_fallback() -> str:
    return "；" + template("execution", "budget_fallback")


def _cap_part(pack: RulePack) -> Callable[..., str]:
    caps = pack.data["execution"]["cap"]

    @part("execution_rate", "execution_cap")
    def _cap(rate: float, cap: float) -> str:
        below = [c["below"] for c in caps if rate < c["below"]]
        if not below:
            raise ValueError("execution_cap < 100 without a matching [[execution.cap]] entry")
        return "；" + message("execution", "cap", rate=pct(rate), below=pct(min(below)), cap=num(cap))
    return _cap


def explain_executions(projects: pd.DataFrame, pack: RulePack) -> pd.Series:
    """Per project: how the budget-execution points came about (执行率、封顶)."""
    t = _Table(projects)
    out = full_object(t.n, message("pending", "execution"))  # one text object for all rows
    scored = _is(t, "execution_status", Status.SCORED)
    if "budget_used" in projects:  # a budget of 0 is given, not missing: say so, not 「缺少…」
        out[~scored & (t.raw("budget_used") == 0)] = message("explain", "open", reason=message("execution", "zero_budget"))
    if scored.any():
        text = join(t.render(_execution_part(pack), scored),
                    t.render(_execution_over, scored & (t.raw("execution_rate") > 1)),
                    t.render(_budget_fallback, scored & _test(t, "budget_fallback", bool)),
                    t.render(_cap_part(pack), scored & (t.raw("execution_cap") < 100)))
        out[scored] = text[scored]
    return pd.Series(out, index=projects.index, dtype=object)


class _Groups:
    """Indicator rows grouped by project: texts joined per project, aligned with the project table."""

    def __init__(self, ind: pd.DataFrame, project_ids: pd.Series):
        column = ind["project_id"]
        if isinstance(column.dtype, pd.CategoricalDtype):  # coded already (a missing id: -1, no group)
            self.codes, keys = column.cat.codes.to_numpy().astype(np.intp), column.cat.categories
        else:
            self.codes, keys = factorize_objects(column.to_numpy(dtype=object))  # no group for a missing id
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


@part(shows={"name": "name", "ratio": "pct:ratio"})
def _weakest_item() -> str:
    return template("summary", "weakest_item")


@part("name")
def _name(name: Any) -> str:
    return str(name)


def _project_facts(projects: pd.DataFrame, ind: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per project: weakest indicators, over-achieved ones, pending / not evaluable counts and names."""
    groups = _Groups(ind, projects["project_id"])
    t = _Table(ind)
    over = _test(t, "flag", lambda f: str(f).startswith("over_achieved"))
    open_ = {key: _is(t, "status", key) for key in ("pending", "not_evaluable")}
    names = join(t.render(_name, over | open_["pending"] | open_["not_evaluable"]))  # the rows listed by name
    facts = {}
    over = np.flatnonzero(over)
    _, facts["over"] = groups.join(over, names[over], "、")
    for key, m in open_.items():
        m = np.flatnonzero(m)
        facts[f"{key}_n"], facts[f"{key}_names"] = groups.join(m, names[m], "、", limit=5)
    ratio = t.raw("ratio")
    weak = np.flatnonzero(_is(t, "status", Status.SCORED) & (ratio < 1 - 1e-9) & (groups.codes >= 0))
    weak = weak[np.lexsort((ratio[weak], groups.codes[weak]))]  # by project, then ratio; ties keep the row order
    codes = groups.codes[weak]
    weak = weak[np.arange(len(weak)) - np.searchsorted(codes, codes) < 3]  # the three lowest of each project
    listed = np.zeros(t.n, dtype=bool)
    listed[weak] = True
    items = join(t.render(_weakest_item, listed))
    _, facts["weakest"] = groups.join(weak, items[weak], "、")
    return facts


@part("status", "grade", shows={"project": "project_name", "total": "num:total", "min": "num:total_min",
                                 "max": "num:total_max", "pending": "num:total_open"})
def _summary_head(status: Any, grade: Any) -> str:
    """「项目：总分 91.75（优）」, or the score so far and the range of a project still open."""
    if status in (ProjectStatus.CLASSIFIED, ProjectStatus.NO_INDICATORS):
        return template("summary", status)
    grade = grade or message("summary", "grade_open")
    return template("summary", "head" if status == ProjectStatus.SCORED else "head_pending", grade=grade)


def _execution_block(pack: RulePack) -> Callable[..., str]:
    weight = num(pack.weights["execution"])

    @part("execution_status", shows={"points": "num:execution_points"})
    def _execution(status: Any) -> str:
        """「。预算执行 9.75/10.00」"""
        points = {} if status == Status.SCORED else {"points": message("explain", "points_open")}
        return "。" + template("summary", "block_part", block=message("blocks", "execution"), weight=weight, **points)
    return _execution


def _block(b: str) -> Callable[..., str]:
    @part(shows={"weight": f"num:weight_{b}", "points": f"num:points_{b}"})
    def _points() -> str:
        """「；产出 45.00/50.00」"""
        return "；" + template("summary", "block_part", block=message("blocks", b))
    return _points


def _listed(key: str) -> Callable[..., str]:
    @part(shows={"items": key})
    def _items() -> str:
        return "。" + template("summary", key)
    return _items


def _counted(key: str) -> Callable[..., str]:
    @part(shows={"n": f"{key}_n", "items": f"{key}_names"})
    def _items() -> str:
        return "。" + template("summary", key)
    return _items


@part(shows={"self_total": "num:self_total", "diff": "num:self_diff"})
def _self() -> str:
    return "。" + template("summary", "self")


def summarize_projects(projects: pd.DataFrame, ind: pd.DataFrame, pack: RulePack) -> pd.Series:
    """Every project's summary: total, blocks, weakest, flags, what is open."""
    t = _Table(projects)
    if t.n == 0:
        return pd.Series([], index=projects.index, dtype=object)
    t.add("project_name", t.raw("project") if "project" in projects else t.raw("project_id"))
    t.add("total_open", t.raw("total_max") - t.raw("total"))
    open_ = ~_is(t, "status", ProjectStatus.CLASSIFIED, ProjectStatus.NO_INDICATORS)
    pieces = [t.render(_summary_head)]
    if open_.any():
        facts = _project_facts(projects, ind)
        for key, values in facts.items():
            t.add(key, values)
        pieces.append(t.render(_execution_block(pack), open_))
        for b in BLOCKS:
            pieces.append(t.render(_block(b), open_ & (t.raw(f"weight_{b}") > 0)))  # no such column: no such block
        for key in ("weakest", "over"):
            pieces.append(t.render(_listed(key), open_ & _test(t, key, bool)))
        for key in ("pending", "not_evaluable"):
            pieces.append(t.render(_counted(key), open_ & (facts[f"{key}_n"] > 0)))
        pieces.append(t.render(_self, open_ & ~np.isnan(t.raw("self_total"))))
        pieces.append(t.render(part(shows={})(lambda: "。"), open_))
    return pd.Series(join(*pieces), index=projects.index, dtype=object)
