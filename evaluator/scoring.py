"""Scoring indicators under a rule pack: the hot path, over whole columns.

Each distinct target text and actual text is compiled once, units are converted once
per distinct unit pair (:func:`evaluator.units.conversion_factor`), and the points of
every numeric comparison are computed with numpy over the whole column. Kinds that need
a person or a prior year (qualitative, done, trend, formula) are routed row by row, but
they only look up values already parsed.

The result adds to the indicator table: ``block op_used op_source status method ratio
rule flag over_times actual_value target_value clause_detail weight_points points``;
:mod:`evaluator.explain` turns these into Chinese sentences.
"""
from __future__ import annotations

import math
import re
from operator import itemgetter
from dataclasses import dataclass
from enum import Enum
from typing import Any

import numpy as np
import pandas as pd

from .deadlines import deadline_outcome
from .enums import Method, Reason, Severity, Status, TargetKind
from .frames import (Codes, coded as coded_values, distinct_rows, factorize_objects, first_rows, full_object,
                     joint_codes, object_codes, ordered_codes, texts, values_at)
from .issues import issue_message, issues_table
from .categories import level1_code
from .rules import RulePack
from .target import Target
from .units import conversion_factor
from .values import ActualColumns, ActualValue, actual_columns, evaluate_formula, parse_actuals, vocabulary
from .wording import messages

NUMERIC_KINDS = (TargetKind.COMPARE, TargetKind.RANGE, TargetKind.ZERO)
#: the time basis assumed for a value written without one (a yearly evaluation)
YEAR = messages()["scoring_words"]["year"]


# --- small helpers -----------------------------------------------------------
def with_columns(df: pd.DataFrame, new: dict[str, Any]) -> pd.DataFrame:
    """``df`` with columns replaced (in place) or added (at the end), like ``df[c] = v`` for
    each, but without copying ``df`` or consolidating its blocks."""
    if not len(df):
        out = df.copy()
        for c, v in new.items():
            out[c] = v
        return out
    return pd.DataFrame({**{c: df[c] for c in df.columns}, **new}, index=df.index, copy=False)


#: the dtype pandas gives a column of texts (``str`` from pandas 3; pandas 2 keeps objects)
TEXT_DTYPE = pd.Series(np.array(["a"], dtype=object)).dtype


def texts_column(values: np.ndarray) -> Any:
    """A column whose cells are all texts (or missing) typed as pandas would type it, without pandas
    reading every cell to find out (pandas 3 tries other types first: ~10x slower)."""
    return pd.array(values, dtype=TEXT_DTYPE) if isinstance(TEXT_DTYPE, pd.StringDtype) and len(values) else values


def round_points(x: np.ndarray | float, digits: int, mode: str = "half_up") -> np.ndarray:
    """Round like a reviewer (四舍五入), not like IEEE (banker's rounding)."""
    arr = np.asarray(x, dtype=float)
    if mode == "half_even":
        return np.round(arr, digits)
    scale = 10.0 ** digits
    return np.floor(arr * scale + 0.5 + 1e-9) / scale


def _code_digit(text: Any) -> str:
    m = re.match(r"\s*(\d)", str(text)) if isinstance(text, str) else None
    return m.group(1) if m else ""


def _printed(df: pd.DataFrame, level: str, fallback: pd.Series) -> pd.Series:
    """The code as printed in the table (before the reader reconciled the levels)."""
    if f"{level}_code_printed" in df:
        s = texts(df[f"{level}_code_printed"]).map(_code_digit)
    elif f"{level}_raw" in df:
        s = df[f"{level}_raw"].map(_code_digit)
    else:
        return fallback
    return s.where(s != "", fallback)


def assign_blocks(df: pd.DataFrame, pack: RulePack) -> pd.Series:
    """Scoring block (output/benefit/satisfaction/cost) of each indicator, as a categorical column.

    The reader's trusted codes are used unless the pack says to trust the raw
    level-1 or level-2 code and the raw cells are there. Worked out once per distinct
    combination of the category cells the pack reads; the level-1 name only for the rows
    whose codes say nothing.
    """
    maps = pack.data["blocks"]
    trust = pack.switches["category_trust"]
    columns = ["level1_code", "level2_code"]
    if trust in ("level1", "level2"):
        printed = f"{trust}_code_printed"
        columns.append(printed if printed in df else f"{trust}_raw")
    present = [c for c in columns if c in df]
    codes, first_values = distinct_rows(*(df[c] for c in present))
    firsts = pd.DataFrame(dict(zip(present, first_values)), index=range(len(first_values[0])))
    # one block per distinct combination (NaN where the codes give none), then per distinct level-1 name
    blocks = _code_blocks(firsts, pack).to_numpy(dtype=object)
    known = ~pd.isna(blocks)
    unknown = np.flatnonzero(~known[codes]) if not known.all() else np.zeros(0, dtype=np.intp)
    if len(unknown):
        # a level-1 name without a code: the readers' category vocabulary (headers.toml) knows it
        names = df["level1"].to_numpy(dtype=object)[unknown] if "level1" in df else full_object(len(unknown), "")
        n_codes, n_texts = text_codes(names)
        by_name = np.array([maps["level1"].get((level1_code(u) or "")[:1], "output") for u in n_texts], dtype=object)
        codes = codes.astype(np.intp, copy=True)
        codes[unknown] = len(blocks) + n_codes
        blocks, known = np.concatenate([blocks, by_name]), np.concatenate([known, np.ones(len(by_name), bool)])
    cache: dict[Any, Any] = {}
    for b in blocks[known]:
        if b not in cache:
            cache[b] = pack.block_of(b)
    named = np.array([cache[b] if k else None for b, k in zip(blocks, known)] + [None], dtype=object)[:-1]
    return pd.Series(coded_texts(codes, named), index=df.index)  # handed on coded: a handful of blocks


def _code_blocks(df: pd.DataFrame, pack: RulePack) -> pd.Series:
    """The block the category codes give (NaN where they give none)."""
    maps = pack.data["blocks"]
    trust = pack.switches["category_trust"]
    l1 = texts(df.get("level1_code", pd.Series("", index=df.index)))
    l2 = texts(df.get("level2_code", pd.Series("", index=df.index)))
    if trust == "level1":
        l1 = _printed(df, "level1", l1)
    if trust == "level2":
        l2 = _printed(df, "level2", l2.str[:1])
    by1 = l1.str[:1].map(maps["level1"])
    by2 = l2.str[:1].map(maps["level2"])
    return by2.combine_first(by1) if trust == "level2" else by1.combine_first(by2)


# --- facts per distinct text -----------------------------------------------------
TARGET_FACTS = ["t_kind", "t_op", "t_value", "t_unit", "t_per", "t_low", "t_high", "t_canonical", "t_n", "t_direction"]


def text_codes(values: Any, missing: str | None = "") -> tuple[np.ndarray, np.ndarray]:
    """A column read as text, factorized: (code per row, distinct texts).

    Missing cells read as ``missing`` (``fillna("").astype(str)``), or, with ``missing=None``,
    as ``str()`` of the missing value (``astype(str)``). Only distinct values are converted.
    """
    coded = ordered_codes(values)  # a column the reader handed on coded: taken by its codes
    if coded is not None and (missing is not None or coded[0].min() >= 0):
        codes, uniques = coded
    else:
        arr = values.to_numpy(dtype=object) if isinstance(values, pd.Series) else np.asarray(values, dtype=object)
        if pd.api.types.infer_dtype(arr, skipna=True) not in ("string", "empty"):
            # numbers, booleans, objects: each read as text first (True and 1, -0.0 and 0.0 are other texts)
            gaps = pd.isna(arr) if missing is not None else np.zeros(len(arr), dtype=bool)
            arr = np.array([missing if gap else str(v) for v, gap in zip(arr.tolist(), gaps.tolist())] or [],
                           dtype=object)
        codes, uniques = factorize_objects(arr, use_na_sentinel=missing is not None)
    if all(type(u) is str for u in uniques.tolist()):
        # distinct texts already (each its own str()): only the text of a missing cell is to be placed,
        # at the first "" or after the others, as factorizing the texts again would place it
        blank = np.flatnonzero(uniques == "")
        at = int(blank[0]) if len(blank) else len(uniques)
        merged = np.append(np.arange(len(uniques), dtype=np.intp), np.intp(at))
        distinct = uniques if len(blank) else np.append(uniques, _objects([missing or ""]))
        return merged[codes], distinct
    texts = np.array([str(u) for u in uniques] + [missing or ""], dtype=object)
    merged, distinct = factorize_objects(texts)
    return merged[codes], distinct


def _column_codes(df: pd.DataFrame, col: str, missing: str | None = "") -> tuple[np.ndarray, np.ndarray]:
    """:func:`text_codes` of a column, or every row "" when the column is absent."""
    if col in df:
        return text_codes(df[col], missing)
    return np.zeros(len(df), dtype=np.intp), np.array([""], dtype=object)


def coded_column(values: np.ndarray) -> Any:
    """A per-row column of a few distinct texts (statuses, rules, flags, comparators; None: missing)
    handed on coded (:func:`coded_texts`): explain and the writer take it by its codes instead of
    coding a million rows again."""
    return coded_texts(*factorize_objects(values))


def coded_texts(codes: np.ndarray, values: Any) -> Any:
    """Rows coded into ``values`` (code -1, or a missing value: missing) as a pandas ``Categorical`` of
    the texts the rows hold (categories: the distinct texts used, as plain ``str``), built from the
    codes with no text read per row; ``values`` taken to the rows as objects when one is no text."""
    values = np.asarray(values, dtype=object)
    codes = np.asarray(codes, dtype=np.intp)
    # each distinct value read once (``values`` often repeats a handful of kinds or units); -1: missing
    v_codes, distinct = factorize_objects(values)
    rows = np.append(v_codes, -1)[np.where(codes >= 0, codes, len(values))]
    used = np.bincount(rows[rows >= 0], minlength=len(distinct)) > 0
    texts = [v if type(v) is str else plain(v) for v in distinct[used].tolist()]
    if not all(type(v) is str for v in texts):
        return np.append(values, np.nan)[np.where(codes >= 0, codes, len(values))]
    cat_codes, categories = factorize_objects(_objects(texts))
    mapping = np.full(len(distinct) + 1, -1, dtype=np.intp)
    mapping[np.flatnonzero(used)] = cat_codes
    return pd.Categorical.from_codes(mapping[rows],
                                     categories=pd.Index(categories.tolist(), dtype=object if not len(categories) else None),
                                     validate=False)


def records_at(df: pd.DataFrame, rows: np.ndarray, columns: Any) -> list[dict[str, Any]]:
    """``records(df.iloc[rows], columns)`` without taking the other columns of ``df``."""
    cols = [c for c in columns if c in df.columns]
    if not cols:
        return [{} for _ in range(len(rows))]
    return [dict(zip(cols, values)) for values in _values_at(df, rows, cols)]


def _values_at(df: pd.DataFrame, rows: np.ndarray, columns: Any) -> Any:
    """The values of ``columns`` (None for a column ``df`` lacks) at ``rows`` (:func:`frames.values_at`):
    one tuple per row."""
    return zip(*(values_at(df[c], rows) if c in df.columns else full_object(len(rows), None) for c in columns))


def _objects(values: list[Any]) -> np.ndarray:
    """``values`` as a 1-D object array (never a 2-D one, whatever the values are)."""
    # element by element, with no look at whether an element is a sequence (~10x faster than
    # assigning the list to a slice for objects that are not numpy scalars)
    return np.fromiter(values, dtype=object, count=len(values))


_NO_TARGET = (TargetKind.EMPTY,) + (np.nan,) * (len(TARGET_FACTS) - 1)


def _target_row(t: Target | None) -> tuple[Any, ...]:
    """The :data:`TARGET_FACTS` of one target (NaN for the facts of a missing target)."""
    if not isinstance(t, Target):
        return _NO_TARGET
    zero = t.kind == TargetKind.ZERO
    return (t.kind, "==" if zero else t.op, 0.0 if zero else t.value, t.unit, t.per, t.low, t.high,
            t.canonical or t.raw, len(t.clauses), t.direction)


def target_facts(df: pd.DataFrame) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray]:
    """Target attributes, looked up once per distinct compiled target (the readers compile each
    distinct target text once, so rows with the same text share one :class:`Target`).

    Returns the code of each row, the facts of each code (one array per fact) and the target of each code.
    """
    if not len(df):
        return np.zeros(0, dtype=np.intp), {c: np.empty(0, dtype=object) for c in TARGET_FACTS}, np.empty(0, dtype=object)
    targets = df["target"].to_numpy(dtype=object)
    codes, first = object_codes(targets)  # one Target per distinct text: numbered by object
    distinct = targets[first]
    rows = [_target_row(t) for t in distinct]
    # one array per fact, typed as a frame built from the rows would type it (pandas' inference of a
    # list, without building and consolidating the frame)
    facts = {c: pd.Series(list(map(itemgetter(j), rows))).to_numpy() for j, c in enumerate(TARGET_FACTS)}
    return codes, facts, distinct


class _RowFacts(dict):
    """The :data:`TARGET_FACTS` of each row's target (``codes``), taken to the rows when first used."""

    def __init__(self, facts: dict[str, np.ndarray], codes: np.ndarray):
        super().__init__()
        self.facts, self.codes = facts, codes

    def __missing__(self, name: str) -> np.ndarray:
        value = self[name] = self.facts[name][self.codes]
        return value


def actual_facts(texts: Any, coded: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, ActualColumns]:
    """Parsed actual cells: the code of each row and each distinct text parsed once
    (``coded``: the :func:`text_codes` of ``texts`` when already known)."""
    codes, distinct = coded if coded is not None else text_codes(texts)
    return codes, actual_columns(distinct)


@dataclass(frozen=True)
class Rating:
    kind: str  # none tier points na bad
    raw: str = ""
    tier: str = ""
    ratio: float = math.nan
    low: float = math.nan
    high: float = math.nan
    points: float = math.nan


def parse_rating(text: Any, pack: RulePack) -> Rating:
    """A reviewer's 评定: a tier word, a point value or 不适用."""
    raw = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text).strip()
    core = raw.rstrip("。.").strip()
    if not core or core.lower() == "nan":
        return Rating("none")
    if core in pack.data["qualitative"]["not_applicable_words"]:
        return Rating("na", raw)
    for tier in pack.tiers:
        if core == tier.name or core in tier.words:
            return Rating("tier", raw, tier.name, tier.default, tier.low, tier.high)
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*分?", core)
    if m:
        return Rating("points", raw, points=float(m.group(1)))
    return Rating("bad", raw)


# --- direction -----------------------------------------------------------------
def infer_direction(name: str, pack: RulePack) -> tuple[str, str]:
    """Direction of a bare value from the indicator name: (op, source)."""
    words = pack.data["direction"]
    for w in words["less"]:
        if w in name:
            return "<=", "name"
    for w in words["more"]:
        if w in name:
            return ">=", "name"
    return words["default"], "default"


def change_signs(a_change: np.ndarray, t_change: np.ndarray) -> np.ndarray:
    """Factor that turns an actual written as a change (下降1% read as -1 %, 提高1% as +1 %) into the
    amount the target asks for: -1 where the target's own verb is a fall (下降5%: a fall of 6 % is
    +6 of it, a rise of 2 % is -2), else 1 (a target with no verb is read as a rise)."""
    a = np.asarray(a_change, dtype=object)
    changed = pd.notna(a) & np.isin(a, ["up", "down"])
    return np.where(changed & (np.asarray(t_change, dtype=object) == "down"), -1.0, 1.0)


# --- unit conversion -------------------------------------------------------------
def conversion_factors(a_unit: Any, a_per: Any, t_unit: Any, t_per: Any) -> np.ndarray:
    """Factor from the actual's unit to the target's, once per distinct unit pair.

    A bare actual takes the target's unit; a value with a time basis compared with one
    without is read as per year (12 次 in the year = 1 次/月). NaN where they can't convert.
    """
    cols = [np.asarray(c, dtype=object) for c in (a_unit, a_per, t_unit, t_per)]
    if not len(cols[0]):
        return np.empty(0)
    # one factor per distinct combination of the four units (missing ones as None)
    codes, firsts = distinct_rows(*cols)
    firsts = [v.tolist() for v in firsts]
    factors = np.array([_factor(*units) for units in zip(*firsts)], dtype=float)
    return factors[codes]


def _keyed_factors(key: np.ndarray, a_unit: np.ndarray, a_per: np.ndarray, t_unit: np.ndarray,
                   t_per: np.ndarray) -> np.ndarray:
    """:func:`conversion_factors` of rows whose four units are already coded (``key``: one row of
    integer codes per unit column): the factor looked up once per distinct combination."""
    if not len(key):
        return np.empty(0)
    codes = joint_codes(key) if key.ndim == 1 else joint_codes(*key)
    first = first_rows(codes)
    units = []
    for column in (a_unit, a_per, t_unit, t_per):
        values = np.asarray(column, dtype=object)[first]
        values[pd.isna(values)] = None  # a missing unit as None, as conversion_factors reads it
        units.append(values.tolist())
    return np.array([_factor(*row) for row in zip(*units)], dtype=float)[codes]


def _factor(a_unit: str | None, a_per: str | None, t_unit: str | None, t_per: str | None) -> float:
    """One pair's factor with the same conventions as :func:`conversion_factors` (cached by units)."""
    au = a_unit if a_unit is not None else t_unit
    tu = t_unit if t_unit is not None else au
    if (a_per is None) != (t_per is None):
        a_per, t_per = a_per or YEAR, t_per or YEAR
    v = conversion_factor(au, a_per, tu, t_per)
    return math.nan if v is None else v


def _implausible(names: np.ndarray | None, idx: np.ndarray, value: np.ndarray, a_unit: np.ndarray,
                 t_unit: np.ndarray) -> dict[int, str]:
    """Actual values that cannot be true: a negative count, a share above 100 %.

    ``idx`` are row positions, the other arrays are aligned with it (``names`` with the
    whole table). Returns {row position: reason} (``negative`` or ``impossible_percent``).
    """
    checks = vocabulary()["checks"]

    def unit(j: np.ndarray) -> np.ndarray:
        return np.where(pd.notna(a_unit[j]), a_unit[j], t_unit[j]).astype(object, copy=False)

    neg = np.flatnonzero(value < 0)
    signed = np.isin(unit(neg), checks["may_be_negative"])
    if names is not None and signed.any():  # a percent falls below zero only where it measures a change
        change = checks.get("change_words", [])
        signed[signed] = [any(w in str(names[i]) for w in change) for i in idx[neg[signed]]]
    out: dict[int, str] = {int(i): Reason.NEGATIVE for i in idx[neg[~signed]]}
    # a bare 0.975 against a percent target: 97.5 % or 0.975 %? refused, never guessed (docs/robustness.md)
    bare = np.flatnonzero((value > 0) & (value <= 1))
    bare = bare[pd.isna(a_unit[bare]) & (t_unit[bare] == "%")]  # object compares on those rows only
    for i in idx[bare]:
        out.setdefault(int(i), Reason.AMBIGUOUS_FRACTION)
    big = np.flatnonzero(value > 100 + 1e-9)
    over = big[unit(big) == "%"]
    if len(over) and names is not None:
        words = checks["share_words"]
        for i in idx[over]:
            if any(w in str(names[i]) for w in words):
                out[int(i)] = Reason.IMPOSSIBLE_PERCENT
    return out


# --- the vectorised comparison ------------------------------------------------------
def clause_ratios(op: np.ndarray, t: np.ndarray, low: np.ndarray, high: np.ndarray, a: np.ndarray,
                  pack: RulePack) -> dict[str, np.ndarray]:
    """Share of points earned by each (target, actual) pair, with the rule applied.

    ``op`` holds ``>= > <= < == range``; ``==`` with target 0 is the zero-event rule.
    """
    ops = Codes(*coded_values(np.asarray(op, dtype=object)))  # a handful of comparators: compared once each
    linear = pack.switches["reverse_rule"] == "linear"
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        equal = ops.isin("==")
        ge = ops.isin(">=", ">") | (equal & (t > 0))
        le = ops.isin("<=", "<")
        zero = equal & ~(t > 0)
        rng = ops.isin("range")
        met_ge = ge & (a >= t)
        met_le = le & (a <= t)
        met_zero = zero & (np.abs(a) < 1e-12)
        met_rng = rng & (a >= low) & (a <= high)
        met = met_ge | met_le | met_zero | met_rng
        r_ge = np.where(t > 0, np.clip(a / t, 0, 1), 0.0)
        r_le = np.where(t > 0, np.clip(2 - a / t, 0, 1) if linear else np.clip(np.where(a > 0, t / a, 1.0), 0, 1), 0.0)
        below = rng & (a < low)
        r_low = np.where(low > 0, np.clip(a / low, 0, 1), 0.0)
        r_high = np.where(high > 0, np.clip(2 - a / high, 0, 1) if linear else np.clip(high / a, 0, 1), 0.0)
        ratio = np.select([met, ge, le, zero, below, rng], [1.0, r_ge, r_le, 0.0, r_low, r_high], default=np.nan)
        # selected by number, then named from an object array (no fixed-width string array to convert)
        rule = np.array(["range_inside", "zero_met", "full", "ge_missed",
                         "le_missed_linear" if linear else "le_missed_ratio", "le_zero_target", "zero_missed",
                         "range_low", "range_high_linear" if linear else "range_high", ""], dtype=object)[np.select(
            [met & rng, met & zero, met, ge, le & (t > 0), le, zero, below, rng], list(range(9)), default=9)]
        factor = pack.data["over_achievement"]["factor"]
        # only a higher-is-better target can be set too low (DESIGN §1); a ceiling beaten is no flag
        over = ge & (t > 0) & (a >= factor * t * (1 - 1e-12)) if factor > 0 else np.zeros(len(op), bool)
        times = np.where(over, a / t, np.nan)
    return {"ratio": ratio, "met": met, "rule": rule, "over": over, "times": times}


# --- the scorer ------------------------------------------------------------------------
SCORE_COLUMNS = ["block", "op_used", "op_source", "status", "method", "ratio", "rule", "flag", "over_times",
                 "actual_value", "target_value", "clause_detail", "pending_reason", "reason_args"]
#: issue code and severity of each data reason an indicator could not be scored for
SCORE_ISSUES = {Reason.UNIT: ("unit_mismatch", Severity.ERROR), Reason.UNREADABLE: ("unreadable_actual", Severity.ERROR),
                Reason.NEGATIVE: ("negative_actual", Severity.ERROR), Reason.IMPOSSIBLE_PERCENT: ("impossible_percent", Severity.ERROR),
                Reason.AMBIGUOUS_FRACTION: ("ambiguous_fraction", Severity.ERROR),
                Reason.CLAUSES: ("clause_mismatch", Severity.ERROR), Reason.RATING: ("bad_rating", Severity.ERROR),
                Reason.PRIOR: ("bad_prior", Severity.ERROR)}


def _loc(file: Any, source_file: Any, r: Any, source_row: Any, project_id: Any, project: Any, no: Any) -> tuple[Any, ...]:
    """Where to point an issue about an indicator, from its :data:`LOC_COLUMNS`: (file, row, project_id,
    project, indicator_no), the actuals row when known."""
    file = file or source_file
    if r is None or (isinstance(r, float) and math.isnan(r)):
        r = source_row
    try:
        r = int(r) if r is not None and not (isinstance(r, float) and math.isnan(r)) else None
    except (TypeError, ValueError):
        r = None
    return (None if file is None or (isinstance(file, float)) else str(file), r, project_id, project,
            int(no) if no is not None and not pd.isna(no) else None)


LOC_COLUMNS = ("actual_file", "source_file", "actual_row", "source_row", "project_id", "project", "indicator_no")


@dataclass
class _Scores:
    """The score columns under construction, one array per column."""
    n: int

    def __post_init__(self) -> None:
        n = self.n
        self.status = full_object(n, Status.PENDING.value)
        self.method = full_object(n, "")
        self.ratio = np.full(n, np.nan)
        self.rule = full_object(n, "")
        self.flag = full_object(n, "")
        self.times = np.full(n, np.nan)
        self.a_val = np.full(n, np.nan)
        self.reason = full_object(n, "")
        #: reason_args of the rows that have any
        self.args: dict[int, dict[str, Any]] = {}

    def arg(self, i: int) -> dict[str, Any]:
        d = self.args.get(i)
        if d is None:
            d = self.args[i] = {}
        return d

    def put(self, rows: np.ndarray, outcome: dict[str, Any]) -> None:
        """Give ``rows`` one outcome (status, method, ratio, rule, flag, times, a_val, reason, args)."""
        for name in ("status", "method", "ratio", "rule", "flag", "times", "a_val", "reason"):
            if name in outcome:
                getattr(self, name)[rows] = plain(outcome[name])
        if outcome.get("args"):
            for i in rows:
                self.arg(int(i)).update(outcome["args"])

    def put_groups(self, rows: np.ndarray, group: np.ndarray, outcomes: list[dict[str, Any]]) -> None:
        """``put(rows[group == k], outcomes[k])`` for every group k, one array assignment per column."""
        for name in ("status", "method", "ratio", "rule", "flag", "times", "a_val", "reason"):
            has = np.array([name in o for o in outcomes], dtype=bool)
            if not has.any():
                continue
            column = getattr(self, name)
            values = np.empty(len(outcomes), dtype=column.dtype)
            values[has] = [plain(o[name]) for o in outcomes if name in o]
            sel = has[group]
            column[rows[sel]] = values[group[sel]]
        args = [o.get("args") for o in outcomes]
        if any(args):
            for i, k in zip(rows.tolist(), group.tolist()):
                if args[k]:
                    self.arg(i).update(args[k])

    def args_column(self) -> np.ndarray:
        # rows without reason arguments share one empty dict (read only: nothing updates a row's
        # reason_args in place; :func:`~evaluator.points.apply_weights` gives a row a new dict)
        col = full_object(self.n, {})
        for i, d in self.args.items():
            col[i] = d
        return col


def _by_kind(codes: np.ndarray, kinds: Any) -> Codes:
    """Rows coded by kind, from rows coded by distinct value (``codes``) and the kind of each distinct
    value: a handful of codes, so that a mask of kinds (:meth:`Codes.isin`) is one small lookup."""
    k_codes, names = coded_values(kinds)
    return Codes(k_codes[codes], names)


def plain(value: Any) -> Any:
    """A member of the enums as its plain string (the value a table keeps: the explanations and the
    writers read exact str cells the quick way); any other value as it is."""
    return value.value if isinstance(value, Enum) else value


def _grouped(rows: np.ndarray, *keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group ``rows`` by the codes in ``keys`` (aligned with the whole table):
    (group of each row, first row of each group)."""
    key = joint_codes(*(k[rows] for k in keys))
    return key, rows[first_rows(key)]


def score_indicators(df: pd.DataFrame, pack: RulePack,
                     coded: dict[str, tuple[np.ndarray, np.ndarray]] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Score every indicator row (weights are applied later, by :func:`apply_weights`).

    Returns the table with the score columns and the issues table of the rows that could
    not be scored for a data reason. Whole columns at once: targets, actuals, ratings and
    names are read once per distinct text; rows are routed by kind with boolean masks.
    ``coded``: :func:`text_codes` of text columns already factorized by the caller (the join
    of the actuals), so that no column is factorized twice.
    """
    missing = {col: "" for col in ("actual_text", "prior_text", "rating") if col not in df}
    if missing:
        df = with_columns(df, missing)
    n = len(df)
    coded = {c: v for c, v in (coded or {}).items() if c not in missing}

    def codes_of(col: str) -> tuple[np.ndarray, np.ndarray]:
        return coded[col] if col in coded else _column_codes(df, col)

    block = assign_blocks(df, pack) if n else pd.Series(dtype=object)

    # targets: facts per distinct target; the unit hint stands in for a target without unit
    t_codes, facts, distinct_targets = target_facts(df)
    tf = _RowFacts(facts, t_codes)
    hint_codes, hints = _column_codes(df, "unit_hint")
    unit_hint = hints[hint_codes]
    # missing-value checks once per distinct target / hint, not per row
    t_unit_given = pd.notna(facts["t_unit"])[t_codes]
    own_unit = t_unit_given | (hints == "")[hint_codes]  # the target's unit stands (else the hint's)
    tf["t_unit"] = np.where(own_unit, tf["t_unit"], unit_hint)
    t_unit, t_per = tf["t_unit"], tf["t_per"]
    t_kinds = facts["t_kind"].astype(object, copy=False)

    def kind_is(*kinds: str) -> np.ndarray:
        return np.isin(t_kinds, kinds)[t_codes] if n else np.zeros(0, bool)

    numeric = kind_is(*NUMERIC_KINDS)

    # actuals: each distinct text parsed once
    a_codes, actuals = actual_facts(df["actual_text"], coded.get("actual_text"))
    p_kinds, p_units, p_pers = actuals.kind, actuals.unit, actuals.per
    a_kind = p_kinds[a_codes]
    a_number = actuals.number[a_codes]
    a_unit, a_per = p_units[a_codes], p_pers[a_codes]
    # the verb of an actual written as a change (下降1%), per distinct actual: the rows take it by code
    a_changes = np.where(p_kinds == "number", actuals.direction, None)

    # direction of each comparison
    op_used, op_source = directions(df, tf["t_op"], pack, pd.notna(facts["t_op"])[t_codes])
    op_used[kind_is(TargetKind.RANGE)] = "range"
    op_used[kind_is(TargetKind.ZERO)] = "=="
    op_used = np.where(kind_is(*NUMERIC_KINDS, TargetKind.ALL, TargetKind.TREND), op_used, "").astype(object)
    op_source = np.where(op_used != "", op_source, "").astype(object)

    # ratings: each distinct 评定 parsed once
    r_codes, r_texts = codes_of("rating")
    ratings = [parse_rating(u, pack) for u in r_texts]
    r_kind = np.array([r.kind for r in ratings], dtype=object)[r_codes]

    sc = _Scores(n)
    t_val = facts["t_value"].astype(float)[t_codes]

    # formula components on a numeric target: compute the actual from the annual formula
    annual = df["annual_text"].to_numpy(dtype=object) if "annual_text" in df else None
    a_set_unit = np.full(n, -1, dtype=np.intp)  # rows whose unit a formula set: 0 none, 1 %
    for i in np.flatnonzero(a_kind == "components"):
        formula = str(annual[i]) if annual is not None else ""
        value = evaluate_formula(formula, actuals.components[a_codes[i]]) if "=" in formula else None
        if value is not None and numeric[i]:
            pct = t_unit[i] == "%"
            a_number[i] = value * 100 if pct and value <= 1.5 else value
            a_unit[i] = "%" if pct else None
            a_set_unit[i] = int(pct)
            a_kind[i] = "number"
            sc.arg(int(i)).update(formula=formula, formula_value=a_number[i])
    zero_word = kind_is(TargetKind.ZERO) & np.isin(a_kind, ["none", "yes"])
    a_number[zero_word] = 0.0
    a_kind[zero_word] = "number"

    # 1. the hot path: one numeric target, one numeric actual
    hot = numeric & (a_kind == "number")
    idx = np.flatnonzero(hot)
    if len(idx):
        # the four units of each row coded from the units of its actual (or the % / none a formula gave
        # it), of its target and of its unit hint: no unit text is hashed per row
        au_codes, au = coded_values(p_units)
        au_codes = np.where(a_set_unit[idx] >= 0, len(au) + a_set_unit[idx], au_codes[a_codes[idx]])
        tu_codes, tu = coded_values(facts["t_unit"])
        tu_codes = np.where(own_unit[idx], tu_codes[t_codes[idx]], len(tu) + hint_codes[idx])
        f = _keyed_factors(np.stack([au_codes, coded_values(p_pers)[0][a_codes[idx]], tu_codes,
                                     coded_values(facts["t_per"])[0][t_codes[idx]]]),
                           a_unit[idx], a_per[idx], t_unit[idx], t_per[idx])
        ok = ~np.isnan(f)
        signs = change_signs(a_changes, np.full(len(a_changes), "down", dtype=object))  # -1 where a change is stated
        t_down = np.asarray(facts["t_direction"], dtype=object) == "down"
        # each distinct actual and target checked once (change_signs of the rows, taken by code)
        conv = a_number[idx] * np.where(ok, f, 1.0) * np.where(t_down[t_codes[idx]], signs[a_codes[idx]], 1.0)
        res = clause_ratios(op_used[idx], t_val[idx], facts["t_low"].astype(float)[t_codes[idx]],
                            facts["t_high"].astype(float)[t_codes[idx]], conv, pack)
        names = df["name"].to_numpy(dtype=object) if "name" in df else None
        # a change written with its verb (下降1%) may be negative; its size is what is checked
        changed = pd.notna(a_changes)[a_codes[idx]]
        implausible = _implausible(names, idx, np.where(changed, np.abs(a_number[idx]), a_number[idx]),
                                   a_unit[idx], t_unit[idx])
        for i in implausible:
            ok[np.searchsorted(idx, i)] = False
        good = idx[ok]
        sc.a_val[idx] = conv
        sc.ratio[good] = res["ratio"][ok]
        sc.rule[good] = res["rule"][ok]
        sc.times[good] = res["times"][ok]
        sc.flag[good] = np.array(["", "over_achieved"], dtype=object)[res["over"][ok].astype(np.intp)]
        sc.status[good] = Status.SCORED.value
        sc.method[good] = Method.AUTO.value
        bad = idx[~ok]
        sc.status[bad] = Status.NOT_EVALUABLE.value
        for i in bad:
            sc.reason[i] = plain(implausible.get(int(i), Reason.UNIT))
            sc.arg(int(i)).update(actual_unit=a_unit[i] or "", target_unit=t_unit[i] or "")

    # 2. everything else, by kind of target, actual and rating
    tk = _by_kind(t_codes, t_kinds)
    # formula components and zero words read as numbers
    ak = _by_kind(np.where(a_kind == "number", len(p_kinds), a_codes), np.append(p_kinds, "number"))
    _score_rest(~hot, df, tf, tk, ak, a_kind, a_codes, actuals, r_codes, ratings, op_used, pack, sc,
                codes_of("prior_text"), facts["t_direction"].astype(object, copy=False), t_codes)

    guessed = _direction_guesses(df, hot, op_used, op_source, sc, t_val, pack)

    # a reviewer's rating on an auto-scored indicator is not used; say so
    ignored = np.flatnonzero((sc.method == Method.AUTO) & np.isin(r_kind, ["tier", "points", "bad"]))
    alone: dict[str, dict[str, Any]] = {}  # the arguments of rows with no other, one (read only) per rating
    for i, k in zip(ignored.tolist(), r_codes[ignored].tolist()):
        raw = ratings[k].raw
        d = sc.args.get(i)
        if d is None:
            if raw not in alone:
                alone[raw] = {"rating_ignored": raw}
            sc.args[i] = alone[raw]
        else:
            d["rating_ignored"] = raw

    # an 'all' target whose clauses all state their direction needs no inference note
    if n:
        explicit = np.array([_explicit(t) for t in distinct_targets], dtype=bool)[t_codes]
        op_source[explicit] = "target"
    points = np.array([r.points for r in ratings], dtype=float)[r_codes]
    target_units = np.asarray(facts["t_unit"], dtype=object)
    df = with_columns(df, {
        "block": block, "op_used": coded_column(op_used), "op_source": coded_column(op_source),
        "status": coded_column(sc.status), "method": coded_column(sc.method), "ratio": sc.ratio,
        "rule": coded_column(sc.rule), "flag": coded_column(sc.flag), "over_times": sc.times, "actual_value": sc.a_val,
        "target_value": t_val, "clause_detail": coded_texts(np.zeros(n, dtype=np.intp), [""]),
        "pending_reason": coded_column(sc.reason), "reason_args": sc.args_column(),
        # the facts of the targets handed on coded (each distinct target's, taken to the rows by code)
        "t_kind": coded_texts(t_codes, facts["t_kind"]), "t_canonical": coded_texts(t_codes, facts["t_canonical"]),
        "t_unit": coded_texts(np.where(own_unit, t_codes, len(target_units) + hint_codes),
                              np.concatenate([target_units, hints])),
        "t_low": tf["t_low"], "t_high": tf["t_high"], "t_direction": coded_texts(t_codes, facts["t_direction"]),
        "t_per": coded_texts(t_codes, facts["t_per"]),
        "t_n": tf["t_n"], "rating_points": points if n else []})
    return df, _score_issues(df, ignored, guessed)


#: an actual below this share of a bare target whose direction was only guessed (≥) raises a warning
DIRECTION_GUESS_SHARE = 0.5


def _direction_guesses(df: pd.DataFrame, hot: np.ndarray, op_used: np.ndarray, op_source: np.ndarray,
                       sc: "_Scores", t_val: np.ndarray, pack: RulePack) -> np.ndarray:
    """Rows scored as higher-is-better only by guess (no comparator in the target, and the name gives
    no direction or only a generic one such as 率) whose actual is far below the target: the
    indicator may be a rate of bad events (≤). Row positions."""
    with np.errstate(invalid="ignore"):
        rows = np.flatnonzero(hot & (t_val > 0) & (sc.a_val < DIRECTION_GUESS_SHARE * t_val))
    # the object columns compared on those rows only
    rows = rows[(op_used[rows] == ">=") & np.isin(op_source[rows], ["default", "name"]) & (sc.status[rows] == Status.SCORED)]
    if not len(rows) or "name" not in df:
        return rows
    more = pack.data["direction"]["more"]
    names = df["name"].to_numpy(dtype=object)[rows]
    weak = {n: all(len(w) == 1 for w in more if w in str(n)) for n in set(names.tolist())}
    return rows[np.array([weak[n] for n in names.tolist()], dtype=bool)]


def _explicit(t: Any) -> bool:
    return isinstance(t, Target) and t.kind == TargetKind.ALL and all(c.op or c.kind != TargetKind.COMPARE for c in t.clauses)


def directions(df: pd.DataFrame, t_op: np.ndarray, pack: RulePack,
               given: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """op_used and where it came from (target, hint, name, default), as object arrays
    (``given``: ``pd.notna(t_op)`` when already known)."""
    codes, names = _column_codes(df, "name")
    inferred = [infer_direction(u, pack) for u in names]
    op = np.array([o for o, _ in inferred], dtype=object)[codes]
    src = np.array([s for _, s in inferred], dtype=object)[codes]
    h_codes, hints = _column_codes(df, "direction_hint")
    has_hint = np.isin(hints, [">=", "<=", "=="])[h_codes]
    op[has_hint] = hints[h_codes[has_hint]]
    src[has_hint] = "hint"
    if given is None:
        given = pd.notna(t_op)
    op[given] = t_op[given]
    src[given] = "target"
    return op, src


def _score_rest(todo: np.ndarray, df: pd.DataFrame, tf: dict[str, np.ndarray], tk: Codes, ak: Codes,
                a_kind: np.ndarray, a_codes: np.ndarray, actuals: ActualColumns, r_codes: np.ndarray,
                ratings: list[Rating], op_used: np.ndarray, pack: RulePack, sc: _Scores,
                prior: tuple[np.ndarray, np.ndarray], t_directions: np.ndarray, t_codes: np.ndarray) -> None:
    """Score the indicators that are not a plain number-against-number comparison.

    The branches are tried in order; each takes its rows out of ``todo``. ``tk``/``ak``: the
    kinds of target and actual; ``actuals``: the distinct actual cells (``a_codes``); ``prior``: the
    text codes of 上年实际值; ``t_directions``: the direction of each distinct target (``t_codes``).
    """
    todo = todo.copy()
    rk = _by_kind(r_codes, _objects([r.kind for r in ratings]))

    def take(mask: np.ndarray) -> np.ndarray:
        rows = np.flatnonzero(todo & mask)
        todo[rows] = False
        return rows

    rows = take(rk.isin("na") | (ak.isin("na") & ~rk.isin("tier", "points")))  # 不适用 / N/A as the actual too
    sc.put(rows, {"status": Status.EXCLUDED, "rule": "na_" + pack.switches["not_applicable"]})
    # a number written beside zero-event statements (未发生安全事故，完好率97%) carries its clauses too
    stated_clauses = np.fromiter(map(bool, actuals.clauses), dtype=bool, count=len(actuals))[a_codes]
    rows = take(tk.isin(TargetKind.ALL) & (ak.isin("clauses") | stated_clauses))
    if len(rows):
        targets = df["target"].to_numpy(dtype=object)
        group, first = _grouped(rows, t_codes, a_codes, op_used)
        outcomes = _score_all([targets[i] for i in first], actuals.clauses[a_codes[first]].tolist(),
                              [op_used[i] for i in first], pack)
        sc.put_groups(rows, group, outcomes)
    tiers = pack.tiers
    direction = factorize_objects(t_directions, use_na_sentinel=False)[0][t_codes]
    rows = take(tk.isin(TargetKind.TREND) & ak.isin("number"))
    if len(rows):
        p_codes, priors = prior
        group, first = _grouped(rows, p_codes, a_codes, direction, op_used)
        # each distinct prior text read once (as parse_actual reads it)
        needed = np.unique(p_codes[first])
        read = np.empty(len(priors), dtype=object)
        read[needed] = _objects(parse_actuals(priors[needed].tolist()))
        sc.put_groups(rows, group, [_score_trend(read[p_codes[i]], actuals.value[k], actuals.unit[k], actuals.per[k],
                                                 tf["t_direction"][i], op_used[i], pack)
                                    for i, k in zip(first.tolist(), a_codes[first].tolist())])
    # the unit states the result in words (实际: 逐步提高 / 已达成): taken as stated, and said so
    rows = take(tk.isin(TargetKind.TREND) & ak.isin("trend", "yes") & ~rk.isin("tier", "points"))
    if len(rows):
        group, first = _grouped(rows, a_codes, ak.codes, direction)  # once per (actual, direction)
        outcomes = []
        for i in first:
            want = tf["t_direction"][i] or "up"
            k = a_codes[i]
            outcome: dict[str, Any] = {"status": Status.SCORED, "method": Method.AUTO, "args": {"direction": want, "stated": actuals.raw[k]}}
            if a_kind[i] == "yes" or actuals.direction[k] == want:
                outcome.update(ratio=1.0, rule="trend_stated")
            else:
                t = pack.tier(pack.data["trend"]["wrong_tier"])
                outcome.update(ratio=t.default, rule="trend_stated_wrong")
                outcome["args"] = {**outcome["args"], "tier": t.name}
            outcomes.append(outcome)
        sc.put_groups(rows, group, outcomes)

    # the rating that decides the rest: 基本完成 / 部分完成 on a deliverable is the pack's
    # tier for that word (else its middle tier)
    eff = r_codes.astype(np.int64)
    eff_ratings = list(ratings)
    partial = np.flatnonzero(todo & tk.isin(TargetKind.DONE) & ak.isin("partial") & rk.isin("none"))
    if len(partial):
        group, first = _grouped(partial, a_codes)  # once per distinct actual
        for i in first:
            raw = actuals.raw[a_codes[i]]
            rating = parse_rating(raw, pack)
            if rating.kind != "tier":
                tier = tiers[len(tiers) // 2]
                rating = Rating("tier", raw, tier.name, tier.default, tier.low, tier.high)
            eff_ratings.append(rating)
        eff[partial] = len(ratings) + group
    ek = _by_kind(eff, _objects([r.kind for r in eff_ratings]))

    # a deadline (2023年12月) against a completion date (2024年3月): compared as dates
    rows = np.flatnonzero(todo & tk.isin(TargetKind.DONE) & ~ak.isin("empty", "no", "none", "partial"))
    targets = df["target"].to_numpy(dtype=object)
    if len(rows):  # only a target with a deadline compares dates: looked up once per distinct target
        due = np.array([bool(getattr(t, "due", None)) for t in targets[first_rows(t_codes)]], dtype=bool)
        rows = rows[due[t_codes[rows]]]
    if len(rows):
        group, first = _grouped(rows, t_codes, a_codes)
        outcomes = [deadline_outcome(targets[i], actuals.at(a_codes[i]), pack) for i in first]
        dated = np.array([o is not None for o in outcomes], dtype=bool)[group]
        todo[rows[dated]] = False
        sc.put_groups(rows[dated], group[dated], [o or {} for o in outcomes])

    rows = take(tk.isin(TargetKind.DONE) & ak.isin("yes", "no", "none") & ~(~ak.isin("yes") & ek.isin("tier", "points")))
    if len(rows):
        expect_no = np.isin(tf["t_canonical"][rows], messages()["scoring_words"]["expect_no"])
        met = (a_kind[rows] == "yes") != expect_no
        sc.put(rows, {"status": Status.SCORED, "method": Method.AUTO})
        sc.ratio[rows] = np.where(met, 1.0, pack.switches["done_no_ratio"])
        sc.rule[rows] = np.where(met, "done_yes", "done_no")
    rows = take(ek.isin("tier"))
    sc.put(rows, {"status": Status.SCORED, "method": Method.REVIEW, "rule": "review_tier"})
    if len(rows):
        e = eff[rows]
        sc.ratio[rows] = np.array([r.ratio for r in eff_ratings], dtype=float)[e]
        used = {k: {"rating": eff_ratings[k].raw, "tier": eff_ratings[k].tier, "low": eff_ratings[k].low,
                    "high": eff_ratings[k].high} for k in np.unique(e).tolist()}
        for i, k in zip(rows.tolist(), e.tolist()):
            d = sc.args.get(i)
            if d is None:
                # rows rated alike share their arguments (read only, as every row's reason_args: nothing
                # below gives a reviewed row another argument)
                sc.args[i] = used[k]
            else:
                d.update(used[k])
    rows = take(ek.isin("points"))
    sc.put(rows, {"status": Status.SCORED, "method": Method.REVIEW, "rule": "review_points"})
    for i in rows:
        sc.arg(int(i))["rating"] = eff_ratings[eff[i]].raw
    rows = take(ek.isin("bad"))
    sc.put(rows, {"status": Status.NOT_EVALUABLE, "reason": Reason.RATING})
    for i in rows:
        sc.arg(int(i))["rating"] = eff_ratings[eff[i]].raw

    # no usable rating: say what is missing
    measurable = tk.isin(*NUMERIC_KINDS, TargetKind.ALL)
    for mask, status, reason in (
            # a statement (有效, 已按要求公开) against a target a reviewer rates is the unit's own
            # account, shown to the reviewer; against a number it is not read
            (ak.isin("unreadable") & measurable, Status.NOT_EVALUABLE, Reason.UNREADABLE),
            (ak.isin("unreadable") & ~tk.isin(TargetKind.FORMULA, TargetKind.EMPTY), Status.PENDING, Reason.RATING_WITH_ACTUAL),
            (ak.isin("unreadable"), Status.NOT_EVALUABLE, Reason.UNREADABLE),
            # 完成 against ≤50万元: a stated result, not a missing value
            (measurable & ak.isin("yes", "partial", "no"), Status.PENDING, Reason.STATED),
            (measurable & ak.isin("clauses", "number"), Status.NOT_EVALUABLE, Reason.CLAUSES),
            (tk.isin(TargetKind.EMPTY), Status.NOT_EVALUABLE, Reason.EMPTY),
            (measurable, Status.PENDING, Reason.ACTUAL),
            (tk.isin(TargetKind.TREND) & ak.isin("number"), Status.PENDING, Reason.PRIOR),
            (tk.isin(TargetKind.TREND), Status.PENDING, Reason.ACTUAL),
            (tk.isin(TargetKind.DONE), Status.PENDING, Reason.DONE),
            (tk.isin(TargetKind.FORMULA), Status.PENDING, Reason.FORMULA),
            (~ak.isin("empty"), Status.PENDING, Reason.RATING_WITH_ACTUAL),
            (np.ones(len(todo), bool), Status.PENDING, Reason.RATING)):
        sc.put(take(mask), {"status": status, "reason": reason})


def _score_all(targets: list[Target], stated: list[tuple[tuple[float, str | None, str | None], ...]], ops: list[str],
               pack: RulePack) -> list[dict[str, Any]]:
    """Outcomes of composite targets (every clause against its own actual), one per
    (target, actual, direction), ``stated``: the clauses of each actual (:attr:`ActualValue.clauses`);
    all clauses are compared in one :func:`clause_ratios` call."""
    outcomes: list[dict[str, Any]] = []
    pending: list[tuple[int, int, Target, tuple]] = []
    cols: dict[str, list] = {"op": [], "t": [], "lo": [], "hi": [], "a": []}
    for target, a_clauses, row_op in zip(targets, stated, ops):
        clauses = list(target.clauses)
        if len(clauses) != len(a_clauses) or not all(c.kind in NUMERIC_KINDS for c in clauses):
            outcomes.append({"status": Status.NOT_EVALUABLE, "reason": Reason.CLAUSES})
            continue
        row_op = row_op if row_op not in ("", "range") else ">="
        # a few clauses per target: plain floats (the same IEEE products as small arrays, without their overhead)
        f = [float(_factor(u, p, c.unit, c.per)) for (_, u, p), c in zip(a_clauses, clauses)]
        nan = [j for j, x in enumerate(f) if x != x]
        if nan:
            j = nan[0]
            outcomes.append({"status": Status.NOT_EVALUABLE, "reason": Reason.UNIT,
                             "args": {"actual_unit": a_clauses[j][1] or "", "target_unit": clauses[j].unit or ""}})
            continue
        pending.append((len(outcomes), len(cols["op"]), target, a_clauses))
        outcomes.append({})
        cols["op"] += ["range" if c.kind == TargetKind.RANGE else ("==" if c.kind == TargetKind.ZERO else (c.op or row_op)) for c in clauses]
        cols["t"] += [0.0 if c.kind == TargetKind.ZERO else (c.value if c.value is not None else np.nan) for c in clauses]
        cols["lo"] += [c.low if c.low is not None else np.nan for c in clauses]
        cols["hi"] += [c.high if c.high is not None else np.nan for c in clauses]
        cols["a"] += [float(v) * x for (v, _, _), x in zip(a_clauses, f)]
    if not pending:
        return outcomes
    res = clause_ratios(np.array(cols["op"], object), np.array(cols["t"], float), np.array(cols["lo"], float),
                        np.array(cols["hi"], float), np.array(cols["a"], float), pack)
    how = pack.switches["multi_clause"]
    for at, start, target, a_clauses in pending:
        k = len(target.clauses)
        ratios, over = res["ratio"][start:start + k], res["over"][start:start + k]
        outcome = {"status": Status.SCORED, "method": Method.AUTO, "rule": "all",
                   "ratio": float(ratios.mean() if how == "mean" else ratios.min())}
        if over.any():
            outcome.update(flag="over_achieved", times=res["times"][start + int(np.flatnonzero(over)[0])])
        outcome["args"] = {"clauses": [(c.canonical or "", a, float(r)) for c, a, r in zip(target.clauses, a_clauses, ratios)],
                           "how": how}
        outcomes[at] = outcome
    return outcomes


def _score_trend(prior: ActualValue, a: float, a_unit: str | None, a_per: str | None, direction: Any, op_used: str,
                 pack: RulePack) -> dict[str, Any]:
    """Outcome of a trend target (逐步提高) with a number: this year's value ``a`` (in ``a_unit`` per ``a_per``)
    against last year's (``prior``: last year's value as read by :func:`evaluator.values.parse_actual`)."""
    if prior.kind == "empty":
        return {"status": Status.PENDING, "reason": Reason.PRIOR}
    f = conversion_factor(prior.unit or a_unit, prior.per, a_unit or prior.unit, a_per) if prior.kind == "number" else None
    if f is None:
        return {"status": Status.NOT_EVALUABLE, "reason": Reason.PRIOR, "args": {"prior": prior.raw}}
    p = prior.value * f
    direction = direction or "up"
    trend = pack.data["trend"]
    out: dict[str, Any] = {"status": Status.SCORED, "method": Method.AUTO, "a_val": a}
    args: dict[str, Any] = {"prior": prior.raw, "direction": direction}
    out["args"] = args
    if direction == "stable":
        tol = trend["stable_tolerance"]
        good_up = op_used != "<="
        change = (a - p) / abs(p) if p else (0.0 if a == p else math.inf)
        ok = abs(change) <= tol or (change > 0 if good_up else change < 0)
        args["change"] = change
        if ok:
            out.update(ratio=1.0, rule="trend_stable_met")
        else:
            t = pack.tier(trend["wrong_tier"])
            out.update(ratio=t.default, rule="trend_wrong")
            args["tier"] = t.name
        return out
    sign = 1 if direction == "up" else -1
    if (a - p) * sign > 1e-12:
        out.update(ratio=1.0, rule="trend_met")
    else:
        t = pack.tier(trend["flat_tier"] if abs(a - p) <= 1e-12 else trend["wrong_tier"])
        out.update(ratio=t.default, rule="trend_flat" if abs(a - p) <= 1e-12 else "trend_wrong")
        args["tier"] = t.name
    return out


def _score_issues(df: pd.DataFrame, ignored: np.ndarray, guessed: np.ndarray = np.zeros(0, np.intp)) -> pd.DataFrame:
    """Issues for indicators that could not be scored for a data reason, then for ratings
    not used (rows ``ignored``): an issues table."""
    reason = df["pending_reason"].to_numpy(dtype=object)
    args = df["reason_args"].to_numpy(dtype=object)
    names = ("code", "severity", "message", "column", "cell", "file", "row", "project_id", "project", "indicator_no")
    found: list[tuple[Any, ...]] = []  # one issue per tuple, its values in the order of ``names``

    def add(code: str, severity: str, text: str, column: str, cell: Any, loc: tuple[Any, ...]) -> None:
        found.append((code, plain(severity), text, column, str(cell), *_loc(*loc)))

    columns = messages()["scoring_columns"]  # the column each issue points at, as the tables print it
    bad = np.flatnonzero(df["status"].to_numpy(dtype=object) == Status.NOT_EVALUABLE)
    bad = bad[pd.Series(reason[bad], dtype=object).isin(list(SCORE_ISSUES)).to_numpy()]
    for i, row in zip(bad, _values_at(df, bad, ("actual_text", "t_n", "prior_text", *LOC_COLUMNS))):
        (actual, t_n, prior), loc = row[:3], row[3:]
        code, severity = SCORE_ISSUES[reason[i]]
        a = args[i]
        text = issue_message(code, actual_unit=a.get("actual_unit", ""), target_unit=a.get("target_unit", ""),
                             actual=actual, n=t_n or "", rating=a.get("rating", ""), prior=a.get("prior", prior))
        column = columns[reason[i] if reason[i] in (Reason.RATING, Reason.PRIOR) else "actual"]
        cell = {"rating": a.get("rating", ""), "prior": prior}.get(reason[i], actual)
        add(code, severity, text, column, cell, loc)
    said: dict[str, str] = {}  # the message of each rating ignored (a handful of distinct ratings)
    for i, loc in zip(ignored, _values_at(df, ignored, LOC_COLUMNS)):
        rating = args[i]["rating_ignored"]
        if rating not in said:
            said[rating] = issue_message("rating_ignored", rating=rating)
        add("rating_ignored", Severity.INFO, said[rating], columns["rating"], rating, loc)
    for i, row in zip(guessed, _values_at(df, guessed, ("target_text", "name", "actual_text", *LOC_COLUMNS))):
        (target, name, actual), loc = row[:3], row[3:]
        add("direction_guess", Severity.WARNING, issue_message("direction_guess", name=name or "", target=target or "", actual=actual),
            columns["target"], target or "", loc)
    return issues_table({name: list(map(itemgetter(j), found)) for j, name in enumerate(names)}, len(found))
