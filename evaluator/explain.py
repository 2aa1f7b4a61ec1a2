"""Chinese explanations: one sentence per indicator, one summary per project.

All wording is in ``data/messages.toml``; this module only picks the template and
fills in the numbers, e.g.
「年度指标值 ≥50个，实际 46个，未达成；按比例得分 46/50 × 5.00 = 4.60」.

The sentences are rendered for whole columns at once (a million indicators in about a
second): rows are grouped by template, every distinct number is formatted once, and a
template is filled for all rows of its group by :func:`fill`.
"""
from __future__ import annotations

import math
import string
import tomllib
from functools import lru_cache
from importlib import resources
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd

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
    x = float(x)
    if digits == 2:
        return f"{x:.2f}"
    text = f"{x:.4f}".rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"


def pct(x: float) -> str:
    return "" if x is None or math.isnan(x) else f"{x * 100:.2f}".rstrip("0").rstrip(".") + "%"



# ----------------------------------------------------------------------------------------------
# Vectorised rendering. Every sentence is built for many rows at once: numbers are formatted once
# per distinct value (num/pct above), a template is filled by ``fill`` (the many-rows twin of
# ``message``) and the parts of a sentence are joined column-wise; no per-row function calls.

#: the example shown for a formula target (年度指标值为公式)
_FORMULA_EXAMPLE = "一般=10；满意=50；非常满意=30；评价数量=100"


def _objects(values: Any) -> np.ndarray:
    """A 1-d object array holding ``values`` as they are (tuples and lists stay single cells)."""
    values = list(values)
    return np.fromiter(values, dtype=object, count=len(values))


def _texts(values: Any) -> np.ndarray:
    """Each value as ``str.format`` shows it (``format(value, "")``), as an object array."""
    a = np.asarray(values, dtype=object)
    if pd.api.types.infer_dtype(a, skipna=False) in ("string", "empty"):
        return a
    return _objects(v if type(v) is str else format(v, "") for v in a)


def _map_unique(values: np.ndarray, func: Callable[[Any], Any]) -> np.ndarray:
    """``func`` of every value, computed once per distinct value of a text column."""
    a = np.asarray(values, dtype=object)
    if len(a) == 0 or pd.api.types.infer_dtype(a, skipna=True) not in ("string", "empty"):
        return _objects(func(v) for v in a)
    codes, uniques = pd.factorize(a)
    out = _objects(func(v) for v in uniques)[codes] if len(uniques) else np.empty(len(a), dtype=object)
    missing = np.flatnonzero(codes < 0)  # None / NaN: their own values (None and NaN read differently)
    if len(missing):
        out[missing] = _objects(func(v) for v in a[missing])
    return out


def _format_floats(values: Any, one: Callable[[float], str]) -> np.ndarray:
    """``one`` (num or pct) of every value, computed once per distinct float (bit pattern: -0.0 ≠ 0.0)."""
    a = np.ascontiguousarray(np.asarray(values, dtype=float))
    codes, uniques = pd.factorize(a.view(np.int64))
    return _objects(one(x) for x in uniques.view(np.float64).tolist())[codes]


def nums(values: Any, digits: int = 2) -> np.ndarray:
    """:func:`num` of many values at once."""
    return _format_floats(values, lambda x: num(x, digits))


def pcts(values: Any) -> np.ndarray:
    """:func:`pct` of many values at once."""
    return _format_floats(values, pct)


def _truthy(a: np.ndarray) -> np.ndarray:
    return np.asarray(a).astype(bool)


def _is(a: np.ndarray, *values: str) -> np.ndarray:
    out = a == values[0]
    for v in values[1:]:
        out |= a == v
    return out


class _Rows:
    """Some rows of a frame. Columns are taken out once as numpy arrays and shared by all subsets."""

    def __init__(self, df: pd.DataFrame, pos: np.ndarray | None = None, root: dict | None = None):
        self.df, self.pos = df, pos
        self._root = {} if root is None else root
        self._memo: dict[Any, Any] = {}

    def __len__(self) -> int:
        return len(self.df) if self.pos is None else len(self.pos)

    def sub(self, mask: np.ndarray) -> "_Rows":
        pos = np.flatnonzero(mask) if self.pos is None else self.pos[mask]
        return _Rows(self.df, pos, self._root)

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
                            else np.full(len(df), default, dtype=object))

    def number(self, name: str) -> np.ndarray:
        """Column ``name`` as floats (None → NaN)."""
        df = self.df
        return self._column(("number", name), lambda: np.asarray(df[name].to_numpy(), dtype=float) if name in df
                            else np.full(len(df), np.nan))

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


Fields = Mapping[str, Callable[[_Rows], Any]]
_NO_FIELDS: Fields = {}


def fill(section: str, key: str, rows: _Rows | int, fields: Fields = _NO_FIELDS, **values: Any) -> np.ndarray:
    """Template ``[section] key`` for every row of ``rows`` at once: the many-rows twin of :func:`message`.

    A value is one str for all rows or an array with one str per row; a field not given in ``values``
    is made by ``fields[name](rows)``, once per ``rows``.
    """
    n = rows if isinstance(rows, int) else len(rows)
    fmt, arrays = [], []
    for literal, name in _pieces(section, key):
        fmt.append(literal.replace("%", "%%"))
        if name is None:
            continue
        if name in values:
            value = values[name]
        else:
            make = fields[name]
            value = rows.memo(make, lambda: make(rows))
        if isinstance(value, str):
            fmt.append(value.replace("%", "%%"))
        else:
            fmt.append("%s")
            arrays.append(value)
    if any(len(a) != n for a in arrays):
        raise ValueError(f"fill [{section}] {key}: {n} rows but values of lengths {[len(a) for a in arrays]}")
    template = "".join(fmt)
    if not arrays:
        return _objects([template % ()] * n)
    return np.array([template % t for t in zip(*arrays)], dtype=object)


def _unit_texts(values: Any, units: np.ndarray, pers: np.ndarray | None = None) -> np.ndarray:
    """The value with its unit (and basis), e.g. 46个, 3.5万元/人."""
    text = nums(values, 4) + _map_unique(units, lambda u: u if isinstance(u, str) else "")
    if pers is not None:
        text = text + _map_unique(pers, lambda p: f"/{p}" if isinstance(p, str) and p else "")
    return text


def _stripped(values: np.ndarray) -> np.ndarray:
    return _map_unique(values, lambda a: str(a or "").strip())


def _first_truthy(*columns: np.ndarray, default: str) -> np.ndarray:
    """Per row ``a or b or … or default``."""
    out = np.full(len(columns[0]), default, dtype=object)
    for col in reversed(columns):
        out = np.where(_truthy(col), col, out)
    return out


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
_INDICATOR_FIELDS: dict[str, Callable[[_Rows], Any]] = {
    "weight": lambda r: nums(r.number("weight_points")),
    "points": lambda r: nums(r.number("points")),
    "ratio": lambda r: pcts(r.number("ratio")),
    "actual": lambda r: nums(r.number("actual_value"), 4),
    "target": lambda r: nums(r.number("target_value"), 4),
    "low": lambda r: nums(r.number("t_low"), 4),
    "high": lambda r: nums(r.number("t_high"), 4),
    "times": lambda r: nums(r.number("over_times"), 4),
    "rating": lambda r: _texts(r.arg("rating", "")),
    "tier": lambda r: _texts(r.arg("tier", "")),
}

#: rules whose sentence needs only the indicator's own numbers
_NUMBER_RULES = ("full", "range_inside", "zero_met", "ge_missed", "le_missed_ratio", "le_missed_linear",
                 "le_zero_target", "zero_missed", "range_low", "range_high", "range_high_linear")


def _target_parts(rows: _Rows) -> np.ndarray:
    """「年度指标值 ≥50个」 and, when the direction was not written, where it came from."""
    target = _texts(_first_truthy(rows.text("t_canonical"), rows.text("target_text"), default="（空）"))
    period = rows.text("target_source") == "period"
    part = np.empty(len(rows), dtype=object)
    for key, m in (("period", period), ("annual", ~period)):
        if m.any():
            part[m] = fill("target", key, len(target[m]), target=target[m])
    ops = messages()["ops"]
    kinds = _is(rows.text("t_kind"), "compare", "all")
    source = rows.text("op_source")
    for src, key in (("name", "inferred"), ("default", "default_direction"), ("hint", "hint")):
        m = kinds & (source == src)
        if m.any():
            op = _map_unique(rows.text("op_used")[m], lambda o: ops.get(o or "", ""))
            part[m] = part[m] + fill("target", key, len(op), op=op)
    return part


def _actual_parts(rows: _Rows) -> np.ndarray:
    """「实际 46个」, or how the actual value was read (converted, bare number, formula)."""
    actual = _stripped(rows.text("actual_text"))
    value, unit = rows.number("actual_value"), rows.text("t_unit")
    shown = _unit_texts(value, unit, rows.text("t_per"))
    plain = np.isnan(value) | ~_is(rows.text("t_kind"), "compare", "range", "zero") | (shown == actual)
    bare = ~plain & _truthy(_map_unique(unit, lambda u: isinstance(u, str) and bool(u))) \
        & _truthy(_map_unique(actual, lambda a: a.replace(".", "").replace("-", "").isdigit()))
    formula = np.zeros(len(rows), dtype=bool)
    has_args = _truthy(rows.text("reason_args"))
    formula[has_args] = [("formula_value" in d) for d in rows.text("reason_args")[has_args]]
    out = np.empty(len(rows), dtype=object)
    for key, m in (("plain", plain & ~formula), ("bare", bare & ~formula), ("converted", ~plain & ~bare & ~formula)):
        if m.any():
            out[m] = fill("actual", key, len(actual[m]), actual=actual[m], unit=_texts(unit[m]), converted=shown[m])
    if formula.any():
        sub = rows.sub(formula)
        out[formula] = fill("rule", "formula_value", sub, formula=_texts(sub.arg("formula", None)),
                            value=_unit_texts(value[formula], unit[formula]))
    return out


def _all_parts(rows: _Rows) -> np.ndarray:
    """Multi-clause targets: 「共 2 项：… 实际 … 得分率 …，…；按规则取平均得分率 …」."""
    clauses = rows.arg("clauses", ())
    counts = np.array([len(c) for c in clauses], dtype=np.int64)
    flat = [c for cs in clauses for c in cs]
    items = fill("rule", "all_part", len(flat), target=_texts([c[0] for c in flat]),
                 actual=_unit_texts(_objects(c[1][0] for c in flat), _objects(c[1][1] for c in flat)),
                 ratio=pcts(_objects(c[2] for c in flat))).tolist()
    ends = np.cumsum(counts).tolist()
    joined = _objects("，".join(items[s:e]) for s, e in zip([0] + ends[:-1], ends))
    return fill("rule", "all", rows, _INDICATOR_FIELDS, n=_texts(counts.tolist()), parts=joined,
                how=_map_unique(rows.arg("how", None), lambda h: message("rule", "how_" + h)))


def _rule_parts(rows: _Rows, rule: np.ndarray, pack: RulePack) -> np.ndarray:
    """The scoring rule with its numbers, e.g. 「按比例得分 46/50 × 5.00 = 4.60」."""
    out = np.full(len(rows), "", dtype=object)
    codes, rules = pd.factorize(rule)
    trend_words = messages()["trend_words"]
    for i, r in enumerate(rules):
        m = codes == i
        sub = rows.sub(m)
        if r in _NUMBER_RULES or r == "review_points":
            out[m] = fill("rule", r, sub, _INDICATOR_FIELDS)
        elif r == "all":
            out[m] = _all_parts(sub)
        elif r.startswith("trend"):
            out[m] = fill("rule", r, sub, _INDICATOR_FIELDS,
                          direction=_map_unique(sub.arg("direction", "up"), lambda d: trend_words.get(d, "")),
                          change=pcts(sub.arg("change", math.nan)), stated=_texts(sub.arg("stated", "")),
                          tol=pct(pack.data["trend"]["stable_tolerance"]))
        elif r in ("done_yes", "done_no"):
            out[m] = fill("rule", r, sub, _INDICATOR_FIELDS, actual=_texts(sub.text("actual_text", "")))
        elif r == "review_tier":
            out[m] = fill("rule", r, sub, _INDICATOR_FIELDS, low=pcts(sub.arg("low", None)), high=pcts(sub.arg("high", None)))
    return out


def _scored_texts(rows: _Rows, head: np.ndarray, pack: RulePack) -> np.ndarray:
    """Sentences of scored indicators: target，actual，verdict；rule[；over-achievement][rating ignored]."""
    rule = _texts(rows.text("rule", ""))
    codes, rules = pd.factorize(rule)
    trend = np.array([r.startswith("trend") for r in rules], dtype=bool)[codes]
    stated = np.array([r.startswith("trend_stated") for r in rules], dtype=bool)[codes]
    missed = np.array(["missed" in r for r in rules], dtype=bool)[codes]
    shows_actual = (rows.text("method") == "auto") & (rows.text("t_kind") != "done") & ~stated
    text = head.copy()
    m = shows_actual & ~trend
    if m.any():
        text[m] = text[m] + "，" + _actual_parts(rows.sub(m))
    m = shows_actual & trend
    if m.any():
        sub = rows.sub(m)
        text[m] = text[m] + "，" + fill("actual", "with_prior", sub, prior=_texts(sub.arg("prior", "")),
                                       actual=_texts(sub.text("actual_text", "")))
    m = shows_actual & ~trend & (rule != "all")
    if m.any():
        met = (rows.number("ratio")[m] >= 1 - 1e-12) & ~missed[m]
        text[m] = text[m] + "，" + np.where(met, message("verdict", "met"), message("verdict", "missed"))
    text = text + "；" + _rule_parts(rows, rule, pack)
    flag = _truthy(rows.text("flag"))
    if flag.any():
        sub = rows.sub(flag)
        text[flag] = text[flag] + "；" + fill("rule", "over", sub, _INDICATOR_FIELDS)
        deduct = pack.data["over_achievement"]["deduct"]
        if deduct > 0:
            text[flag] = text[flag] + "；" + fill("rule", "deduct", sub, _INDICATOR_FIELDS, deduct=pct(deduct),
                                                 amount=nums(deduct * sub.number("weight_points")))
    has_args = np.flatnonzero(_truthy(rows.text("reason_args")))
    if len(has_args):
        ignored = rows.sub(has_args).arg("rating_ignored", None)
        at = has_args[_truthy(ignored)]
        if len(at):
            text[at] = text[at] + fill("rule", "rating_ignored", len(at), rating=_texts(ignored[_truthy(ignored)]))
    return text


#: template fields of the pending / not-evaluable explanations
_OPEN_FIELDS: dict[str, Callable[[_Rows], Any]] = {
    "example": lambda r: _map_unique(r.text("t_unit"), lambda u: messages()["examples"].get(u or "", None)
                                     or (f"52{u}" if isinstance(u, str) and u else messages()["examples"]["default"])),
    "target": lambda r: _texts(_first_truthy(r.text("t_canonical"), r.text("target_text"), default="")),
    "formula": lambda r: _texts(_first_truthy(r.text("t_canonical"), r.text("target_text"), default="")),
    "actual": lambda r: _texts(r.text("actual_text", "")),
    "n": lambda r: _texts(_first_truthy(r.text("t_n"), default="")),
    "reason": lambda r: _objects(_short_reason(t) for t in r.text("target")),
    "weight": lambda r: nums(r.number("weight_points")),
    "rating": lambda r: _texts(r.arg("rating", "")),
    "prior": lambda r: _texts(_objects((d or {}).get("prior", p) for d, p in zip(r.text("reason_args"),
                                                                                   r.text("prior_text", "")))),
    "actual_unit": lambda r: _texts(r.arg("actual_unit", "")),
    "target_unit": lambda r: _texts(r.arg("target_unit", "")),
}


def _open_texts(rows: _Rows, head: np.ndarray) -> np.ndarray:
    """Sentences of pending / not evaluable indicators: target[，actual]；what is missing."""
    actual = _stripped(rows.text("actual_text"))
    text = head.copy()
    has = _truthy(actual)
    if has.any():
        text[has] = text[has] + "，" + fill("actual", "plain", int(has.sum()), actual=actual[has])
    pending = rows.text("status") == "pending"
    codes, reasons = pd.factorize(rows.text("pending_reason"), use_na_sentinel=False)
    for section, in_section in (("pending", pending), ("not_evaluable", ~pending)):
        for i, reason in enumerate(reasons):
            m = in_section & (codes == i)
            if m.any():
                extra = {"example": _FORMULA_EXAMPLE} if reason == "formula" else {}
                text[m] = text[m] + "；" + fill(section, reason, rows.sub(m), _OPEN_FIELDS, **extra)
    return text


def explain_indicators(ind: pd.DataFrame, pack: RulePack) -> pd.Series:
    """The Chinese sentence for every scored indicator row."""
    rows = _Rows(ind)
    out = np.empty(len(rows), dtype=object)
    status = rows.text("status")
    excluded = status == "excluded"
    if excluded.any():
        key = "na_full" if pack.switches["not_applicable"] == "full" else "na_respread"
        out[excluded] = fill("rule", key, rows.sub(excluded), _INDICATOR_FIELDS)
    rest = ~excluded
    if rest.any():
        sub = rows.sub(rest)
        head = _target_parts(sub)
        scored = sub.text("status") == "scored"
        texts = np.empty(len(sub), dtype=object)
        if scored.any():
            texts[scored] = _scored_texts(sub.sub(scored), head[scored], pack)
        if not scored.all():
            texts[~scored] = _open_texts(sub.sub(~scored), head[~scored])
        out[rest] = texts
    return pd.Series(out, index=ind.index, dtype=object)


# ---------------------------------------------------------------------------------------- projects

_EXECUTION_FIELDS: dict[str, Callable[[_Rows], Any]] = {
    "spent": lambda r: nums(r.number("spent_annual"), 4),
    "budget": lambda r: nums(r.number("budget_used"), 4),
    "rate": lambda r: pcts(r.number("execution_rate")),
    "points": lambda r: nums(r.number("execution_points")),
    "cap": lambda r: nums(r.number("execution_cap")),
}


def explain_executions(projects: pd.DataFrame, pack: RulePack) -> pd.Series:
    """Per project: how the budget-execution points came about (执行率、封顶)."""
    rows = _Rows(projects)
    out = np.full(len(rows), message("pending", "execution"), dtype=object)
    scored = rows.text("execution_status") == "scored"
    if scored.any():
        out[scored] = _execution_texts(rows.sub(scored), pack)
    return pd.Series(out, index=projects.index, dtype=object)


def _execution_texts(rows: _Rows, pack: RulePack) -> np.ndarray:
    text = fill("execution", "scored", rows, _EXECUTION_FIELDS, weight=num(pack.weights["execution"]))
    rate = rows.number("execution_rate")
    over = rate > 1
    if over.any():
        text[over] = text[over] + "；" + fill("execution", "over", rows.sub(over), _EXECUTION_FIELDS)
    fallback = _truthy(rows.text("budget_fallback"))
    if fallback.any():
        text[fallback] = text[fallback] + "；" + fill("execution", "budget_fallback", rows.sub(fallback), _EXECUTION_FIELDS)
    capped = rows.number("execution_cap") < 100  # no such column: never capped
    if capped.any():
        below = np.full(int(capped.sum()), np.inf)
        for c in pack.data["execution"]["cap"]:
            below = np.where(rate[capped] < c["below"], np.minimum(below, c["below"]), below)
        if np.isinf(below).any():
            raise ValueError("execution_cap < 100 without a matching [[execution.cap]] entry")
        text[capped] = text[capped] + "；" + fill("execution", "cap", rows.sub(capped), _EXECUTION_FIELDS,
                                                 below=pcts(below))
    return text


class _Groups:
    """Indicator rows grouped by project: texts joined per project, aligned with the project table."""

    def __init__(self, ind: pd.DataFrame, project_ids: pd.Series):
        self.codes, keys = pd.factorize(ind["project_id"])  # like groupby: no group for a missing id
        self.n_groups = len(keys)
        self.at = pd.Index(keys).get_indexer(project_ids)  # -1: project without such indicators

    def join(self, mask: np.ndarray, texts: np.ndarray, sep: str, limit: int | None = None,
             order: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Per project: how many rows of ``mask`` it has and the first ``limit`` of ``texts`` joined by ``sep``.

        ``texts`` are for the rows of ``mask`` (in the order of ``order`` when given: positions into them).
        """
        codes = self.codes[mask]
        keep = np.flatnonzero(codes >= 0)
        if order is not None:
            keep = order[codes[order] >= 0]
        codes = codes[keep]
        counts = np.bincount(codes, minlength=self.n_groups)
        first = np.argsort(codes, kind="stable")
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        ends = starts + (counts if limit is None else np.minimum(counts, limit))
        items = texts[keep][first].tolist()
        joined = [sep.join(items[s:e]) if e > s else None for s, e in zip(starts.tolist(), ends.tolist())]
        # a trailing slot for the projects without such rows (self.at == -1)
        return np.append(counts, 0)[self.at], _objects(joined + [None])[self.at]


def _project_facts(projects: pd.DataFrame, ind: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per project: weakest indicators, over-achieved ones, pending / not evaluable counts and names."""
    groups = _Groups(ind, projects["project_id"])
    names = _texts(ind["name"].to_numpy(dtype=object))
    facts = {}
    flag = _truthy(_map_unique(ind["flag"].to_numpy(dtype=object), lambda f: str(f).startswith("over_achieved")))
    _, facts["over"] = groups.join(flag, names[flag], "、")
    status = ind["status"].to_numpy(dtype=object)
    for key in ("pending", "not_evaluable"):
        m = status == key
        facts[f"{key}_n"], facts[f"{key}_names"] = groups.join(m, names[m], "、", limit=5)
    ratio = ind["ratio"].to_numpy(dtype=float)
    weak = (status == "scored") & (ratio < 1 - 1e-9)
    order = np.lexsort((ratio[weak], groups.codes[weak]))  # by project, then ratio; ties keep the row order
    items = fill("summary", "weakest_item", int(weak.sum()), name=names[weak], ratio=pcts(ratio[weak]))
    _, facts["weakest"] = groups.join(weak, items, "、", limit=3, order=order)
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
            out[m] = fill("summary", key, int(m.sum()), project=name[m])
            rest &= ~m
    if rest.any():
        facts = {k: v[rest] for k, v in _project_facts(projects, ind).items()}
        out[rest] = _summary_texts(rows.sub(rest), name[rest], facts, pack)
    return pd.Series(out, index=projects.index, dtype=object)


def _summary_texts(rows: _Rows, name: np.ndarray, facts: dict[str, np.ndarray], pack: RulePack) -> np.ndarray:
    n = len(rows)
    points = np.where(rows.text("execution_status") == "scored", nums(rows.number("execution_points")), "待补")
    blocks = fill("summary", "block_part", n, block=message("blocks", "execution"), points=points,
                  weight=num(pack.weights["execution"]))
    for b in BLOCKS:
        m = rows.number(f"weight_{b}") > 0  # no such column: no such block
        if m.any():
            blocks[m] = blocks[m] + "；" + fill("summary", "block_part", int(m.sum()), block=message("blocks", b),
                                               points=nums(rows.number(f"points_{b}")[m]),
                                               weight=nums(rows.number(f"weight_{b}")[m]))
    grade = rows.text("grade")
    grade = _texts(np.where(_truthy(grade), grade, message("summary", "grade_open")))
    total, low, high = rows.number("total"), rows.number("total_min"), rows.number("total_max")
    scored = rows.text("status") == "scored"
    text = np.empty(n, dtype=object)
    text[scored] = fill("summary", "head", int(scored.sum()), project=name[scored], total=nums(total[scored]),
                        grade=grade[scored])
    m = ~scored
    if m.any():
        text[m] = fill("summary", "head_pending", int(m.sum()), project=name[m], total=nums(total[m]),
                       pending=nums(high[m] - total[m]), min=nums(low[m]), max=nums(high[m]), grade=grade[m])
    text = text + "。" + blocks
    for key in ("weakest", "over"):
        m = _truthy(facts[key])
        if m.any():
            text[m] = text[m] + "。" + fill("summary", key, int(m.sum()), items=facts[key][m])
    for key in ("pending", "not_evaluable"):
        m = facts[f"{key}_n"] > 0
        if m.any():
            text[m] = text[m] + "。" + fill("summary", key, int(m.sum()), n=_texts(facts[f"{key}_n"][m].tolist()),
                                           items=_texts(facts[f"{key}_names"][m]))
    m = ~np.isnan(rows.number("self_total"))
    if m.any():
        text[m] = text[m] + "。" + fill("summary", "self", int(m.sum()), self_total=nums(rows.number("self_total")[m]),
                                       diff=nums(rows.number("self_diff")[m]))
    return text + "。"
