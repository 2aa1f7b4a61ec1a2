"""Printed records → the tidy ``projects`` and ``indicators`` tables.

The same decisions for every layout: which category code to trust, how split
指标性质 | 指标值 | 度量单位 cells make one target text, which value is scored
(annual, or period when the annual cell is not a target and the period cell is),
and money converted to 万元.
"""
from __future__ import annotations

from functools import lru_cache

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..frames import distinct_map, distinct_rows, factorize_objects, in_first_order
from ..issues import Issue, issue_message
from ..wording import message
from .model import MONEY_FIELDS, IndicatorRecord, ProjectRecord, RawTable, parse_amount
from .vocab import direction_hint, level1_code, level2_code, money_factor, vocabulary

#: self-evaluation preamble key → projects column
SELF_EVALUATION_FIELDS = {"budget_initial": "table_budget_initial", "budget_annual": "table_budget_annual",
                          "spent_annual": "table_spent_annual", "execution_score": "table_execution_score",
                          "total_score": "table_total_score"}
SELF_EVALUATION_COLUMNS = list(SELF_EVALUATION_FIELDS.values())
PROJECT_COLUMNS = [
    "project_id", "department", "project", *MONEY_FIELDS, "classified", "goal", "n_indicators",
    "source_file", "source_sheet", "source_row",
    # a self-evaluation table's funds block and 总分 row (NaN otherwise)
    *SELF_EVALUATION_COLUMNS,
]
INDICATOR_COLUMNS = [
    "project_id", "project", "department", "indicator_no", "level1_code", "level1", "level2_code",
    "level2", "level1_raw", "level2_raw", "name", "annual_text", "period_text", "target_text",
    "target_source", "target", "kind", "weight", "direction_hint", "unit_hint", "source_file",
    "source_sheet", "source_row", "source_column",
    # additions (docs/contracts.md): how the row was read
    "measurable", "target_class", "level1_code_printed", "level2_code_printed", "category_conflict",
    "annual_kind", "period_kind", "nature_text", "direction_text", "weight_text",
    # a self-evaluation table's own 实际完成值 / 得分 cells (used when no actuals file is given)
    "table_actual_text", "table_score_text",
    # … and the 评定 / 上年实际值 columns of the engine's own report.xlsx
    "table_rating_text", "table_prior_text",
]

#: target kind → class used in summaries: 可计量 / 非数值 / 待评审 / 无法评价
TARGET_CLASSES = {
    "compare": "measurable", "range": "measurable", "all": "measurable", "zero": "measurable",
    "trend": "non_numeric", "done": "non_numeric",
    "qualitative": "pending_review",
    "formula": "not_evaluable", "empty": "not_evaluable",
}
#: amounts this large with no declared unit are taken to be 元, not 万元
YUAN_GUESS_THRESHOLD = 100_000

_CODE_PREFIX = re.compile(r"^\s*\d+\s*[-－—–]\s*")
_BARE_NUMBER = re.compile(r"^\s*[-+]?\d+(\.\d+)?\s*$")
_LEADING_OP = re.compile(r"^\s*[≥≤＞＜><=＝≧≦═﹦]")


@dataclass(frozen=True)
class Categories:
    level1_code: str
    level1: str
    level2_code: str
    level2: str
    level1_code_printed: str
    level2_code_printed: str
    conflict: bool


def resolve_categories(record: IndicatorRecord) -> Categories:
    """Trust the level-2 code: ``1-产出指标；22-社会效益`` → level 1 is 2 效益指标.

    >>> r = IndicatorRecord(None, 1, "", level1_raw="1-产出指标", level2_raw="22-社会效益",
    ...                     level1_code_printed="1", level2_code_printed="22")
    >>> c = resolve_categories(r); (c.level1_code, c.level1, c.conflict)
    ('2', '效益指标', True)
    """
    return _resolve(record.level1_raw, record.level2_raw, record.level1_code_printed, record.level2_code_printed)


@lru_cache(maxsize=65536)
def _resolve(level1_raw: str, level2_raw: str, level1_printed: str, level2_printed: str) -> Categories:
    """Category cells repeat on almost every row: each distinct combination is resolved once."""
    voc = vocabulary()
    l1_name, l2_name = _CODE_PREFIX.sub("", level1_raw), _CODE_PREFIX.sub("", level2_raw)
    code1 = level1_printed or level1_code(l1_name) or ""
    code2 = level2_printed or level2_code(l2_name) or ""
    trusted1 = code1
    conflict = False
    if code2:
        parent = code2[0]
        compatible = code1 == "4" and code2 in ("14", "41", "42", "43")
        if code1 and code1 != parent and not compatible:
            conflict = True
        if not compatible:
            trusted1 = parent
    level1 = voc.level1_names.get(trusted1, l1_name)
    level2 = voc.level2_names.get(code2, l2_name)
    return Categories(trusted1, level1, code2, level2, code1, code2, conflict)


def compose_target(record: IndicatorRecord) -> str:
    """Split cells → one target text: ``≧`` ``735`` ``人次`` → ``≧735人次``.

    The comparator is prefixed and the unit appended only when the value cell is a
    bare number, or a comparator and a bare number (``≥5000`` | ``亩`` → ``≥5000亩``; some
    tables repeat the unit inside the value cell).
    """
    value = record.annual_text
    if not value:
        return ""
    if record.unit_text and (_BARE_NUMBER.match(value) or _OP_NUMBER.match(value)):
        value = value.strip() + record.unit_text.strip()
    if record.nature_text and direction_hint(record.nature_text) and not _LEADING_OP.match(value):
        if _LEADING_NUMBER.match(value):
            value = record.nature_text.strip() + value
    return value


_LEADING_NUMBER = re.compile(r"^\s*[-+]?\d")
_OP_NUMBER = re.compile(r"^\s*[≥≤＞＜><=＝≧≦═﹦]{1,2}\s*\d+(\.\d+)?\s*$")


#: a printed-projects frame: what a layout reader found per project, as text (see :func:`printed_projects`)
PRINTED_PROJECT_COLUMNS = [
    "project", "department", "sheet", "row", "goal", "classified_text", "n_indicators", *MONEY_FIELDS,
    *(f"column_{f}" for f in MONEY_FIELDS), *(f"se_{k}" for k in SELF_EVALUATION_FIELDS), "se_funds_row",
]
#: a printed-indicators frame: one row per indicator record; ``project_index`` counts projects from 0
PRINTED_INDICATOR_COLUMNS = [
    "project_index", "sheet", "row", "column", "indicator_no", "level1_raw", "level2_raw", "level1_code_printed",
    "level2_code_printed", "name", "annual_text", "period_text", "nature_text", "unit_text", "weight_text",
    "direction_text", "actual_text", "score_text", "rating_text", "prior_text",
]


def printed_projects(raw: RawTable) -> pd.DataFrame:
    """The project records of the row-by-row readers as a printed-projects frame."""
    data: dict[str, list] = {c: [] for c in PRINTED_PROJECT_COLUMNS}
    for p in raw.projects:
        values = {"project": p.project, "department": p.department, "sheet": p.sheet or "", "row": p.row,
                  "goal": p.goal, "classified_text": p.classified_text, "n_indicators": len(p.indicators),
                  **{f: p.money_printed.get(f, "") for f in MONEY_FIELDS},
                  **{f"column_{f}": p.money_columns.get(f, f) for f in MONEY_FIELDS},
                  **{f"se_{k}": p.self_evaluation.get(k, "") for k in SELF_EVALUATION_FIELDS},
                  "se_funds_row": int(p.self_evaluation.get("funds_row", p.row))}
        for c in PRINTED_PROJECT_COLUMNS:
            data[c].append(values[c])
    return pd.DataFrame(data, columns=PRINTED_PROJECT_COLUMNS)


def printed_indicators(raw: RawTable) -> pd.DataFrame:
    """The indicator records of the row-by-row readers as a printed-indicators frame."""
    names = PRINTED_INDICATOR_COLUMNS[1:]
    rows = [(k, *(getattr(rec, c) for c in names)) for k, p in enumerate(raw.projects) for rec in p.indicators]
    df = pd.DataFrame(rows, columns=PRINTED_INDICATOR_COLUMNS)
    df["sheet"] = df["sheet"].fillna("")
    return df


def _amount_or_error(text: str) -> float | None:
    """A printed amount as a number (NaN when empty); None when it is not a number."""
    try:
        value = parse_amount(text)
    except ValueError:
        return None
    return math.nan if value is None else value


def money_factor_for(raw: RawTable, projects: pd.DataFrame, issues: list[Issue],
                     read: dict[str, tuple[np.ndarray, np.ndarray]] | None = None) -> float:
    """万元 factor of the table's amounts: declared unit, else a guess by size (reported).

    ``read`` receives the amounts as printed (factor 1), for :func:`project_frame` to reuse.
    """
    if raw.money_unit_declared:
        return money_factor(raw.money_unit) or 1.0
    largest = -math.inf
    for f in MONEY_FIELDS:
        values, bad = amounts(projects[f], 1.0)
        if read is not None:
            read[f] = values, bad
        if (~np.isnan(values)).any():
            largest = max(largest, float(np.nanmax(values)))
    if largest >= YUAN_GUESS_THRESHOLD:
        issues.append(Issue("money_unit_guessed", "warning", issue_message("money_unit_guessed", largest=largest),
                            file=raw.file))
        return money_factor(message("read_money", "guessed_unit")) or 0.0001
    return 1.0


#: an amount read at C speed: digits with at most six decimals (round(x, 6) keeps it as it is)
_PLAIN_AMOUNT = r"\d{1,15}(\.\d{1,6})?"
_PLAIN_AMOUNT_RE = re.compile(_PLAIN_AMOUNT)


def amounts(texts: pd.Series | np.ndarray, factor: float) -> tuple[np.ndarray, np.ndarray]:
    """Printed amounts → 万元 (NaN when empty or unreadable) and a mask of the unreadable ones.

    Each distinct text is read once; plain decimals in a table already in 万元 are read by
    numpy, the rest by :func:`parse_amount`.
    """
    codes, uniques = pd.factorize(np.asarray(texts, dtype=object))
    uniques = np.asarray(uniques, dtype=object)
    values = np.full(len(uniques), np.nan)
    bad = np.zeros(len(uniques), dtype=bool)
    if factor == 1.0:
        match = _PLAIN_AMOUNT_RE.fullmatch
        plain = np.array([isinstance(u, str) and match(u) is not None for u in uniques.tolist()], dtype=bool)
    else:
        plain = np.zeros(len(uniques), dtype=bool)
    values[plain] = uniques[plain].astype(float)
    for i in np.flatnonzero(~plain).tolist():
        value = _amount_or_error(uniques[i])
        if value is None:
            bad[i] = True
        elif not math.isnan(value):
            values[i] = round(value * factor, 6)
    return values.take(codes), bad.take(codes)


def project_frame(pp: pd.DataFrame, factor: float, issues: list[Issue], file: str,
                  read: dict[str, tuple[np.ndarray, np.ndarray]] | None = None) -> pd.DataFrame:
    """The tidy projects table from a printed-projects frame; ids ``P001``… in table order."""
    n = len(pp)
    ids = project_ids(n)
    out = {"project_id": _object_array(ids), "department": pp["department"].to_numpy(dtype=object),
           "project": pp["project"].to_numpy(dtype=object)}
    found: list[tuple[int, int, Issue]] = []  # (project, field order, issue): reported in table order
    sheets, rows, names = pp["sheet"].to_numpy(), pp["row"].to_numpy(), pp["project"].to_numpy()
    for order, f in enumerate(MONEY_FIELDS):
        out[f], bad = read[f] if read and f in read and factor == 1.0 else amounts(pp[f], factor)
        for k in np.flatnonzero(bad):
            found.append((k, order, _bad_amount(pp[f].iat[k], file, sheets[k] or None, int(rows[k]),
                                                pp[f"column_{f}"].iat[k], ids[k], names[k])))
    classified = distinct_map(_is_classified, pp["project"]).astype(bool)
    out["classified"] = ((pp["classified_text"].to_numpy() != "") | classified).astype(bool)
    out["goal"] = pp["goal"].to_numpy(dtype=object)
    out["n_indicators"] = pp["n_indicators"].to_numpy(dtype=int)
    out["source_file"], out["source_sheet"], out["source_row"] = file, pp["sheet"].to_numpy(dtype=object), rows.astype(int)
    funds_rows = pp["se_funds_row"].to_numpy()
    for order, (key, col) in enumerate(SELF_EVALUATION_FIELDS.items(), start=len(MONEY_FIELDS)):
        money = key in ("budget_initial", "budget_annual", "spent_annual")
        out[col], bad = amounts(pp[f"se_{key}"], factor if money else 1.0)
        for k in np.flatnonzero(bad):
            found.append((k, order, _bad_amount(pp[f"se_{key}"].iat[k], file, sheets[k] or None,
                                                int(funds_rows[k] if money else rows[k]), key, ids[k], None)))
    issues.extend(issue for _, _, issue in sorted(found, key=lambda t: (t[0], t[1])))
    # one frame from the columns (fresh arrays, or the printed frame's, which is not used after this)
    return pd.DataFrame(out, index=range(n), columns=PROJECT_COLUMNS, copy=False)


#: ``P001``, ``P002``… written once and shared by every table (replaced, never changed in place)
_PROJECT_IDS: list[str] = []


def project_ids(n: int) -> list[str]:
    """The ids of ``n`` projects in table order: ``["P001", "P002", …]``."""
    global _PROJECT_IDS
    ids = _PROJECT_IDS
    if len(ids) < n:
        ids = _PROJECT_IDS = ids + [f"P{k:03d}" for k in range(len(ids) + 1, n + 1)]
    return ids[:n]


def _object_array(values: list) -> np.ndarray:
    """``values`` as a 1-d object array (``np.array`` would make a list of tuples 2-d)."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _bad_amount(text: str, file: str, sheet: str | None, row: int, column: str, pid: str,
                project: str | None) -> Issue:
    return Issue("bad_amount", "error", issue_message("bad_amount", text=text), file=file, sheet=sheet, row=row,
                 column=column, project_id=pid, project=project, cell=text)


def _is_classified(name: str) -> bool:
    return any(w in name for w in vocabulary().labels["classified"])


def amount(text: str, factor: float, issues: list[Issue], file: str, project: ProjectRecord | None = None,
           pid: str | None = None, column: str = "", row: int | None = None, sheet: str | None = None) -> float:
    """Printed amount → 万元 (NaN when empty or unreadable; unreadable is reported)."""
    try:
        value = parse_amount(text)
    except ValueError:
        issues.append(Issue("bad_amount", "error", issue_message("bad_amount", text=text),
                            file=file, sheet=sheet if project is None else project.sheet,
                            row=row if project is None else project.row, column=column,
                            project_id=pid, project=project.project if project else None, cell=text))
        return math.nan
    return math.nan if value is None else round(value * factor, 6)


@lru_cache(maxsize=65536)
def _scored_target(annual_text: str, period_text: str, compile_target) -> tuple:
    """The target scored for an (annual, period) pair of cells, and what the tables say of it
    (pairs repeat across the tables of a run: each is decided once)."""
    annual = compile_target(annual_text)
    period = compile_target(period_text) if period_text else None
    use_period = period is not None and ((not annual.measurable and period.measurable) or not annual_text.strip())
    target = period if use_period else annual
    return (target, use_period, target.kind, target.measurable, TARGET_CLASSES.get(target.kind, "not_evaluable"),
            annual.kind, period.kind if period is not None else "")


def _objects(values: list | np.ndarray, codes: np.ndarray) -> np.ndarray | pd.Categorical:
    """Per-distinct ``values`` taken back to every row by ``codes`` (numbered in order of first appearance).

    Texts are handed on coded, as a categorical (:func:`_coded`): the values are numbered once (values of
    several codes may be one text), so later stages take the column by its codes instead of coding every
    row's text again. Other values (compiled targets) are an object array."""
    distinct = _object_array(values) if isinstance(values, list) else values
    if len(codes) and pd.api.types.infer_dtype(distinct, skipna=False) == "string":
        numbers, texts = factorize_objects(distinct)
        return _coded(numbers.take(codes), texts)
    return distinct.take(codes)


def _coded(codes: np.ndarray, texts: np.ndarray) -> pd.Categorical:
    """A text column as a categorical: ``codes`` (numbered in order of first appearance, none missing)
    into ``texts``, the distinct texts present."""
    return pd.Categorical.from_codes(codes, categories=pd.Index(texts, dtype=object), validate=False)


def coded_in_order(codes: np.ndarray, texts: np.ndarray) -> pd.Categorical:
    """Rows coded into distinct ``texts`` (codes >= 0; not every text held, not numbered by first
    appearance) as a categorical of the texts the rows hold, numbered by their first appearance."""
    n = len(codes)
    if in_first_order(codes, len(texts)):
        return _coded(codes, texts)  # numbered as wanted already
    first = np.full(len(texts), n)
    np.minimum.at(first, codes, np.arange(n))
    present = np.flatnonzero(first < n)
    order = present[np.argsort(first[present], kind="stable")]
    number = np.empty(len(texts), dtype=codes.dtype)
    number[order] = np.arange(len(order))
    return _coded(number.take(codes), texts.take(order))


def _printed(column: pd.Series) -> np.ndarray | pd.Categorical:
    """A printed column for the tidy frame: a coded (categorical) one stays coded (:func:`coded_in_order`)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = np.asarray(column.array.codes)
        if len(codes) and codes.min() >= 0:
            if in_first_order(codes, len(column.dtype.categories)):
                return column.array
            return coded_in_order(codes, np.asarray(column.array.categories, dtype=object))
    return column.to_numpy(dtype=object)


def _by_project(values: np.ndarray, k: np.ndarray) -> np.ndarray | pd.Categorical:
    """A projects-table column of texts taken to the indicator rows of projects ``k`` (in table order),
    coded: numbered once per project, and each indicator row takes its project's number."""
    if not len(k) or pd.api.types.infer_dtype(values, skipna=False) != "string":
        return np.asarray(values, dtype=object).take(k)
    with_rows = np.flatnonzero(np.bincount(k, minlength=len(values)))  # (a project may have no indicator)
    numbers, texts = factorize_objects(values.take(with_rows))
    number = np.zeros(len(values), dtype=np.intp)
    number[with_rows] = numbers
    return _coded(number.take(k), texts)


def indicator_frame(pi: pd.DataFrame, projects: pd.DataFrame, compile_target) -> pd.DataFrame:
    """The tidy indicators table from a printed-indicators frame: categories resolved, targets compiled,
    the scored value chosen — each once per distinct combination of the cells it depends on.

    The printed columns of the column-wise reader come coded (categoricals): their codes are
    used as they are. Every array handed to the frame is fresh, so it is built without a copy.
    """
    k = pi["project_index"].to_numpy(dtype=np.int64)
    codes, cells = distinct_rows(pi["level1_raw"], pi["level2_raw"], pi["level1_code_printed"],
                                 pi["level2_code_printed"])
    resolved = [_resolve(*row) for row in zip(*cells)]
    l1c, l1, l2c, l2, l1p, l2p = (_objects([getattr(c, f) for c in resolved], codes) for f in
                                  ("level1_code", "level1", "level2_code", "level2", "level1_code_printed",
                                   "level2_code_printed"))
    conflict = np.array([c.conflict for c in resolved], dtype=bool).take(codes)
    col = {c: _printed(pi[c]) for c in PRINTED_INDICATOR_COLUMNS[1:] if c not in ("row", "indicator_no")}
    if (pi["unit_text"] == "").all() and (pi["nature_text"] == "").all():
        annual_coded = pi["annual_text"]  # nothing to compose: the value cell is the target text
    else:  # composed once per distinct (value, unit, nature), then numbered by the text composed
        codes, cells = distinct_rows(pi["annual_text"], pi["unit_text"], pi["nature_text"])
        text_codes, texts = factorize_objects([_compose(*row) for row in zip(*cells)])
        annual_coded = (text_codes.take(codes), texts)
    codes, (annual_first, period_first) = distinct_rows(annual_coded, pi["period_text"])
    scored = [_scored_target(a, p, compile_target) for a, p in zip(annual_first.tolist(), period_first.tolist())]
    use_period = [s[1] for s in scored]
    codes_w, (weights,) = distinct_rows(pi["weight_text"])
    codes_d, (directions, natures) = distinct_rows(pi["direction_text"], pi["nature_text"])
    of_project = {c: _by_project(projects[c].to_numpy(dtype=object), k) for c in ("project_id", "project",
                                                                                    "department", "source_file")}
    return pd.DataFrame({
        **{c: of_project[c] for c in ("project_id", "project", "department")},
        "indicator_no": np.asarray(pi["indicator_no"]).astype(int),
        "level1_code": l1c, "level1": l1, "level2_code": l2c, "level2": l2,
        "level1_raw": col["level1_raw"], "level2_raw": col["level2_raw"], "name": col["name"],
        "annual_text": col["annual_text"], "period_text": col["period_text"],
        "target_text": _objects([p if u else a for a, p, u in zip(annual_first.tolist(), period_first.tolist(),
                                                                   use_period)], codes),
        "target_source": _objects(["period" if u else "annual" for u in use_period], codes),
        "target": _objects([s[0] for s in scored], codes), "kind": _objects([s[2] for s in scored], codes),
        "weight": np.array([_weight(w) for w in weights.tolist()], dtype=float).take(codes_w),
        "direction_hint": _objects([direction_hint(d) or direction_hint(n) for d, n in
                                    zip(directions.tolist(), natures.tolist())], codes_d),
        "unit_hint": col["unit_text"], "source_file": of_project["source_file"],
        "source_sheet": col["sheet"], "source_row": np.asarray(pi["row"]).astype(int),
        "source_column": col["column"],
        "measurable": np.array([s[3] for s in scored], dtype=bool).take(codes),
        "target_class": _objects([s[4] for s in scored], codes),
        "level1_code_printed": l1p, "level2_code_printed": l2p, "category_conflict": conflict,
        "annual_kind": _objects([s[5] for s in scored], codes), "period_kind": _objects([s[6] for s in scored], codes),
        "nature_text": col["nature_text"], "direction_text": col["direction_text"],
        "weight_text": col["weight_text"], "table_actual_text": col["actual_text"],
        "table_score_text": col["score_text"],
        "table_rating_text": col["rating_text"], "table_prior_text": col["prior_text"],
    }, columns=INDICATOR_COLUMNS, copy=False)


def _compose(annual_text: str, unit_text: str, nature_text: str) -> str:
    return compose_target(IndicatorRecord(None, 0, "", annual_text=annual_text, unit_text=unit_text,
                                          nature_text=nature_text))


_WEIGHT_SUFFIX = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(%|％|分)\s*$")


def _weight(text: str) -> float:
    """``20`` → 20; ``20分`` and ``20%`` (a share of the 100 points) → 20; anything else NaN."""
    match = _WEIGHT_SUFFIX.match(text or "")
    if match:
        return float(match.group(1))
    value = _amount_or_error(text)
    return math.nan if value is None else value


def frames(raw: RawTable, issues: list[Issue], compile_target) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    """The projects and indicators DataFrames, and the money factor used.

    A layout reader hands over either records (``raw.projects``) or, from the column-wise
    reader, printed frames (``raw.printed``); both go through the same column-wise steps.
    """
    if raw.printed is not None:
        pp, pi = raw.printed
    else:
        pp, pi = printed_projects(raw), printed_indicators(raw)
    read: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    factor = money_factor_for(raw, pp, issues, read)
    projects = project_frame(pp, factor, issues, raw.file, read)
    indicators = indicator_frame(pi, projects, compile_target)
    return projects, indicators, factor
