"""Lint rules about how a table was read: where the reader may have misread, say so as an error.

A silent misread is the worst failure of a scoring engine, so these rules look for the
shapes a misread leaves behind and report them with file, sheet, row and column (the
rule list of :mod:`evaluator.check` runs them; ``check --strict`` fails on their errors):

* a project whose weights sum far from its 满分 (100, or 90 beside the 10 of 预算执行),
  or a weight above 100;
* a target that looks like a weight (a bare number, and the project's bare-number
  targets sum to a 满分 while it has no weight column), a level or grade name, or a
  header word; an actual value that looks like a target (≥95%, 不低于…).
"""
from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .categories import fold, headers_data, level1_code, level2_code
from .frames import factorize_objects, first_rows
from .issues import Issue, issue_message, issue_template
from .lint_columns import LintColumns, label, words

if TYPE_CHECKING:  # pragma: no cover
    from .readers.model import TargetTable

#: a project's weights are right when they sum to one of these (± WEIGHT_TOLERANCE)
FULL_MARKS = (100.0, 90.0)
WEIGHT_TOLERANCE = 1.0
#: at least this many weighted indicators before their sum is judged
MIN_WEIGHTED = 2
_BARE_NUMBER = re.compile(r"^\s*\d+(\.\d+)?\s*$")
_TARGET_LIKE = re.compile(r"^\s*(≥|≤|>=|<=|＞|＜|>|<|≧|≦|不低于|不少于|不高于|不超过|不多于|大于|小于|达到|控制在)")
#: a target text naming a category holds this word (the cheap test before looking the name up)
_CATEGORY_WORD = re.compile("指标")


class _Where:
    """Issue locations of indicator rows, from the indicator columns taken out once."""

    def __init__(self, table, ind):
        self.file = table.source
        self.cols = {c: ind[c].to_numpy() for c in ("source_sheet", "source_row", "source_column", "project_id",
                                                     "project", "indicator_no")}

    def __call__(self, i: int, column: str | None = None) -> dict:
        c = self.cols
        sheet = c["source_sheet"][i]
        return dict(file=self.file, sheet=sheet if isinstance(sheet, str) and sheet else None,
                    row=int(c["source_row"][i]), column=column or str(c["source_column"][i] or "") or None,
                    project_id=str(c["project_id"][i]), project=str(c["project"][i]),
                    indicator_no=int(c["indicator_no"][i]))


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def _project_counts(codes: np.ndarray, n: int, *masks: np.ndarray) -> list[np.ndarray]:
    """Per project code (0 … n-1; -1 is no project): its rows, then its rows in each mask."""
    known = codes >= 0
    kept = codes[known]
    return [np.bincount(kept, minlength=n)] + [np.bincount(kept[m[known]], minlength=n) for m in masks]


def _project_sums(codes: np.ndarray, values: np.ndarray, projects: np.ndarray) -> np.ndarray:
    """Per project of ``projects`` (codes): the sum of its non-NaN ``values``, as pandas' grouped sum
    adds them (compensated, in row order)."""
    rows = np.isin(codes, projects)
    sums = pd.Series(values[rows]).groupby(codes[rows]).sum()
    return sums.reindex(projects).to_numpy(dtype=float)


def _near_full(total: np.ndarray) -> np.ndarray:
    return np.logical_or.reduce([np.abs(total - full) <= WEIGHT_TOLERANCE for full in FULL_MARKS])


def check_weight_sums(table: TargetTable | LintColumns) -> list[Issue]:
    """Weights far from 满分, or above 100: a column or a row was probably read wrong."""
    cols = LintColumns.of(table)
    table, ind = cols.table, cols.ind
    out: list[Issue] = []
    if not len(ind) or "weight" not in ind:
        return out
    weights = ind["weight"].to_numpy(dtype=float)
    where = _Where(table, ind)
    column = label("columns", "score")
    for i in np.flatnonzero(weights > 100):
        out.append(Issue("weight_out_of_range", "error", issue_message("weight_out_of_range", weight=weights[i]),
                         cell=_text(ind["weight_text"].iat[i]) or None, **where(i, column)))
    codes, pids = cols.factorized("project_id")  # projects in table order
    n, given = _project_counts(codes, len(pids), ~np.isnan(weights))
    judged = np.flatnonzero((given >= MIN_WEIGHTED) & (given >= n / 2))
    if not len(judged):
        return out
    total = _project_sums(codes, weights, judged)
    bad = ~_near_full(total)
    firsts = first_rows(codes)
    for first, n_rows, n_given, t in zip(firsts[judged[bad]].tolist(), n[judged[bad]].tolist(),
                                         given[judged[bad]].tolist(), total[bad].tolist()):
        missing = int(n_rows - n_given)
        out.append(Issue("weight_sum", "error",
                         issue_message("weight_sum", "some_missing" if missing else "all_weighted",
                                       given=int(n_given), total=t, missing=missing),
                         **where(int(first), column)))
    return out


@lru_cache(maxsize=1)
def _header_words() -> frozenset[str]:
    """Every header alias of ``data/headers.toml``, folded (a target cell holding one is a header word)."""
    return frozenset(fold(alias) for aliases in headers_data()["columns"].values() for alias in aliases)


@lru_cache(maxsize=1)
def _grades() -> frozenset[str]:
    """The grade names (data/wording/check.toml [check_words] grades)."""
    return frozenset(words("grades"))


#: why a target text does not look like a target: the variants of target_misread's message, by number
#: (0: it may be one); the text alone tells the first three
_REASONS = ("", "category_name", "grade", "header_word", "like_weight", "other_name")
_CATEGORY_NAME, _GRADE, _HEADER_WORD, _LIKE_WEIGHT, _OTHER_NAME = range(1, 6)


def _text_reason(text: str) -> int:
    """Why a target text alone does not look like a target (a number of ``_REASONS``; 0 when it may be one)."""
    t = text.strip()
    if not t:
        return 0
    if _CATEGORY_WORD.search(t) and (level1_code(t) or level2_code(t)):  # (the cheap test first: folding is not)
        return _CATEGORY_NAME
    folded = fold(t)
    if folded in _grades():
        return _GRADE
    if folded in _header_words():
        return _HEADER_WORD
    return 0


def _bare_value(text: str) -> float:
    return float(text) if _BARE_NUMBER.match(text) else math.nan


#: a bare-number target equal to the indicator's weight and one of these looks like the weight read as target
_WEIGHT_LIKE = frozenset((5.0, 10.0, 15.0, 20.0, 25.0, 30.0))


@lru_cache(maxsize=1 << 16)  # (as categories.fold: the tables of a province repeat their target texts)
def _target_facts(text: str) -> tuple[int, float, bool, str]:
    """Of an annual target text: why the text alone does not look like a target (``_text_reason``), its
    value when a bare number, whether that value is a usual weight, and the text folded."""
    value = _bare_value(text)
    return _text_reason(text), value, value in _WEIGHT_LIKE, fold(text.strip())


def check_target_shapes(table: TargetTable | LintColumns) -> list[Issue]:
    """Targets that look like a weight, a level/grade name, a header word or another indicator's
    name; actuals that look like targets."""
    cols = LintColumns.of(table)
    table, ind = cols.table, cols.ind
    out: list[Issue] = []
    if not len(ind):
        return out
    where = _Where(table, ind)
    # once per distinct annual target text (a missing one read as "")
    annual_codes, annual_texts = cols.coded("annual_text")
    facts = [_target_facts(t if isinstance(t, str) else "") for t in annual_texts.tolist()]
    why = np.array([f[0] for f in facts], dtype=np.int8).take(annual_codes)
    value = np.array([f[1] for f in facts], dtype=float).take(annual_codes)
    weight_like = np.array([f[2] for f in facts], dtype=bool).take(annual_codes)
    if "unit_hint" in ind:  # (a missing unit read as "")
        no_unit = cols.per_distinct("unit_hint", lambda u: u == "", missing=True, dtype=bool)
    else:
        no_unit = np.ones(len(ind), dtype=bool)
    weights = ind["weight"].to_numpy(dtype=float)
    why[no_unit & weight_like & (value == weights) & (why == 0)] = _LIKE_WEIGHT
    # only a target text that is some indicator's name anywhere can be one of its own project
    name_codes, names = cols.coded("name")
    folded_names = [fold(t.strip()) if isinstance(t, str) else "" for t in names.tolist()]
    name_index: dict[str, int] = {}  # folded name → its number
    for f in folded_names:
        name_index.setdefault(f, len(name_index))
    folded_name = np.array([name_index[f] for f in folded_names], dtype=np.int64).take(name_codes)
    as_name = np.array([name_index.get(f[3], -1) if f[3] else -1 for f in facts], dtype=np.int64)
    target_name = as_name.take(annual_codes)
    candidate = (target_name >= 0) & (why == 0)
    if candidate.any():
        pids = cols.coded("project_id")[0]
        rows = np.flatnonzero(candidate)
        # (project, folded name) of every row of the candidates' projects, and of the candidates' targets
        in_project = np.zeros(int(pids.max()) + 1, dtype=bool)
        in_project[pids[rows]] = True
        near = np.flatnonzero(in_project[pids])
        span = len(name_index)
        pairs = pids[near].astype(np.int64) * span + folded_name[near]
        mine = pids[rows].astype(np.int64) * span + target_name[rows]
        other = (target_name[rows] != folded_name[rows]) & pd.Index(mine).isin(pairs)
        why[rows[other]] = _OTHER_NAME
    for i in np.flatnonzero(why).tolist():
        text = annual_texts[annual_codes[i]]
        t = text.strip() if isinstance(text, str) else ""
        out.append(Issue("target_misread", "error", issue_message("target_misread", _REASONS[why[i]], target=t),
                         cell=t, **where(i)))
    # a project without weights whose bare-number "targets" sum to 满分: the weight column was read as targets
    bare = ~np.isnan(value) & no_unit
    codes, pids = cols.factorized("project_id")
    n, n_bare, n_weighted = _project_counts(codes, len(pids), bare, ~np.isnan(weights))
    maybe = np.flatnonzero((n >= 3) & (n_bare == n) & (n_weighted == 0))
    if len(maybe):
        total = _project_sums(codes, np.where(bare, value, 0.0), maybe)
        full = _near_full(total)
        for first, t in zip(first_rows(codes)[maybe[full]].tolist(), total[full].tolist()):
            out.append(Issue("target_misread", "error", issue_message("target_misread", "bare_numbers", total=t),
                             **where(int(first))))
    if "table_actual_text" in ind:
        out.extend(_actuals_like_targets(cols, where))
    return out


def _actuals_like_targets(cols: LintColumns, where: _Where) -> list[Issue]:
    """Actual values written as targets (≥95%, 不低于…): looked at once per distinct filled cell."""
    filled = np.flatnonzero(cols.truthy("table_actual_text"))
    if not len(filled):
        return []
    actual = cols.array("table_actual_text")
    codes, texts = factorize_objects(actual[filled])
    like = np.array([isinstance(t, str) and bool(_TARGET_LIKE.match(t)) for t in texts.tolist()] + [False],
                    dtype=bool).take(codes)  # (code -1, a missing value, is no text)
    template = issue_template("actual_misread")
    column = label("columns", "actual")
    return [Issue("actual_misread", "error", template.format(actual=actual[i]), cell=actual[i], **where(i, column))
            for i in filled[like].tolist()]


RULES = (check_weight_sums, check_target_shapes)
