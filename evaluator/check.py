"""The lint behind ``evaluator check``: every problem in a read target table, as issues.

Each rule is a small function over the tidy tables of a
:class:`~evaluator.readers.TargetTable` that returns :class:`~evaluator.issues.Issue`
rows; :func:`run_checks` runs them all. Nothing is changed here: the reader already
decided which category code and which target value to trust, and the rules say so.

The rules work on whole columns (masks, ``factorize``, per-distinct-text work) and build
issues only for the rows that have one, in row order: a million indicators take about a
second. ``tests/test_check_identity.py`` pins their exact output.

>>> table = read_targets("seed.txt")           # doctest: +SKIP
>>> summarize(table).splitlines()[0]            # doctest: +SKIP
'中共广州市黄埔区委政法委员会：28 个项目（涉密 5 个），84 个指标'
"""
from __future__ import annotations

import math
import re
import string
from collections import Counter
from typing import TYPE_CHECKING, Callable

import numpy as np
import pandas as pd

from .categories import framework_category, is_tag_only
from .frames import coded, factorize_objects, first_rows, joint_codes, records, values_at
from .issues import ISSUE_COLUMNS, Issue, _ISSUE_FIELDS, concat_issues, issue_message, issue_template, issues_table
from .lint_columns import LintColumns, label, labels
from .wording import message

if TYPE_CHECKING:  # pragma: no cover
    from .readers.model import TargetTable

#: money differences below this many 万元 are rounding, not a mismatch
MONEY_TOLERANCE = 0.005
#: a project whose targets are this share (or more) non-measurable gets a warning
QUALITATIVE_WARNING_SHARE = 0.5
#: the money columns, in the order they are checked, and their names (data/wording/check.toml)
MONEY_NAMES = labels("money")
#: the target classes and their names (data/wording/check.toml)
CLASS_NAMES = labels("target_class")
#: classes no number from the actuals can score: a reviewer rates them, or the table must be fixed
UNSCORABLE_CLASSES = ("pending_review", "not_evaluable")
#: place-name stems: two characters before 区/县/市/镇, after a 省/市/州 name or at the start
_PLACE = re.compile(r"(?:省|市|州|^)([\u4e00-\u9fff]{2})(区|县)")


def run_checks(table: TargetTable) -> list[Issue]:
    """All lint rules, in a fixed order."""
    issues: list[Issue] = []
    columns = LintColumns.of(table)
    for rule in RULES:
        found = rule(columns)
        issues.extend(found.issues() if isinstance(found, IssueColumns) else found)
    return issues


def lint(table: TargetTable) -> TargetTable:
    """The table with the lint's issues after the reader's (the pipeline reads, then lints)."""
    found = check_columns(table)
    table.issues = concat_issues([table.issues, issues_table(found.columns, found.n)])
    return table


def check_columns(table: TargetTable) -> IssueColumns:
    """The issues of :func:`run_checks` column by column, without an :class:`Issue` per row
    (``issues_table(found.columns, found.n)`` is ``issues_frame(run_checks(table))``)."""
    found = IssueColumns()
    columns = LintColumns.of(table)  # each column coded once for all the rules
    for rule in RULES:
        found.extend(rule(columns))
    return found


# ---------------------------------------------------------------------------
# issues


#: (the name the rules were written with)
_issue = Issue


class IssueColumns:
    """Issues given column by column: ``columns[name]`` is the list of the Issue field ``name``
    of every issue, in order (``n`` issues)."""

    __slots__ = ("columns", "n")

    def __init__(self, columns: dict[str, list] | None = None, n: int = 0):
        self.columns = columns if columns is not None else {c: [] for c in ISSUE_COLUMNS}
        self.n = n

    def extend(self, found: IssueColumns | list[Issue]) -> None:
        """Append issues given as :class:`IssueColumns` or as a list of :class:`Issue`."""
        if isinstance(found, IssueColumns):
            for c in ISSUE_COLUMNS:
                self.columns[c].extend(found.columns[c])
            self.n += found.n
        elif found:
            for c, values in zip(ISSUE_COLUMNS, zip(*map(_ISSUE_FIELDS, found))):
                self.columns[c].extend(values)
            self.n += len(found)

    def issues(self) -> list[Issue]:
        """One :class:`Issue` per row."""
        return [_issue(*values) for values in zip(*(self.columns[c] for c in ISSUE_COLUMNS))]

    @classmethod
    def merged(cls, parts: list[tuple[np.ndarray, dict]], locate: Callable[[np.ndarray], dict] | None = None,
               per_key: int = 1) -> IssueColumns:
        """Issues from ``parts`` of (sort keys, columns), ordered by key (each key once); a column
        given as a list has a value per key, any other value is the same for all of the part's issues.
        ``locate(rows)`` gives the columns no part gives, for the rows ``key // per_key`` in that order
        (a column some part gives is the parts': None for the issues of the parts without it)."""
        n = sum(len(keys) for keys, _ in parts)
        if not n:
            return cls()
        keys = np.concatenate([keys for keys, _ in parts])
        order = np.argsort(keys, kind="stable")
        in_order = bool((order == np.arange(n)).all())
        given = {c for _, part in parts for c in part}
        located = {} if locate is None else locate(keys.take(order) // per_key)
        columns = {c: v if isinstance(v, list) else [v] * n for c, v in located.items()}
        for c in ISSUE_COLUMNS:
            if c in given or c not in columns:
                given_values = [part.get(c) for _, part in parts]
                first = given_values[0]
                if not isinstance(first, list) and all(v is first for v in given_values):
                    columns[c] = [first] * n  # the same value for every issue: nothing to order
                    continue
                values: list = []
                for (k, _), v in zip(parts, given_values):
                    values.extend(v if isinstance(v, list) else [v] * len(k))
                columns[c] = values if in_order else np.fromiter(values, dtype=object, count=n).take(order).tolist()
        return cls({c: columns[c] for c in ISSUE_COLUMNS}, n)


# ---------------------------------------------------------------------------
# column helpers: the rules work on whole columns and build issues only for the rows that have one


def _truthy(values) -> np.ndarray:
    """``bool(x)`` of every value, as a boolean array ('' and None are false, NaN is true)."""
    values = np.asarray(values)
    if values.dtype == bool:
        return values
    return (values if values.dtype == object else values.astype(object)).astype(bool)


def _pick(df: pd.DataFrame, pos: np.ndarray, columns: tuple[str, ...]) -> list[tuple]:
    """Values of ``columns`` at row positions ``pos``, as Python objects, one tuple per row."""
    if not len(pos):
        return []
    return list(zip(*(values_at(df[c], pos).tolist() for c in columns)))


def _flags(pos: np.ndarray, *masks: np.ndarray) -> list[list[bool]]:
    """Each mask at row positions ``pos``, as lists (a loop reads them faster than numpy scalars)."""
    return [mask[pos].tolist() for mask in masks]


#: indicator columns that locate an issue
_LOC_COLUMNS = ("source_sheet", "source_row", "source_column", "project_id", "project", "indicator_no")


def _locations(table: TargetTable, ind: pd.DataFrame, pos: np.ndarray) -> list[tuple]:
    """The Issue fields after the message — (file, sheet, row, column, project_id, project,
    indicator_no) — of the indicator rows at ``pos``; ``column`` is the row's source column."""
    file = table.source
    return [(file, sheet or None, int(row), column or None, pid, project, int(no))
            for sheet, row, column, pid, project, no in _pick(ind, pos, _LOC_COLUMNS)]


def _location_columns(cols: LintColumns, pos: np.ndarray) -> dict:
    """:func:`_locations` column by column: the Issue fields file … indicator_no of the rows at ``pos``."""
    sheet, column, pid, project = (cols.at(c, pos).tolist() for c in
                                   ("source_sheet", "source_column", "project_id", "project"))
    return {"file": cols.table.source, "sheet": [s or None for s in sheet], "row": _ints(cols, "source_row", pos),
            "column": [c or None for c in column], "project_id": pid, "project": project,
            "indicator_no": _ints(cols, "indicator_no", pos)}


def _ints(cols: LintColumns, column: str, pos: np.ndarray) -> list:
    """``[int(x) for x in values]`` of a column's values at row positions ``pos`` (a column of whole numbers
    is taken as it is, not boxed row by row)."""
    values = cols.ind[column]
    if values.dtype.kind in "iu":
        return values.to_numpy()[pos].tolist()
    return [int(x) for x in cols.at(column, pos).tolist()]


def _at(loc: tuple, column: str) -> tuple:
    """The same location in another column."""
    return (*loc[:3], column, *loc[4:])


# ---------------------------------------------------------------------------
# categories


def check_categories(table: TargetTable | LintColumns) -> IssueColumns:
    """一级 code contradicting the 二级 code (trust 二级), and category names not recognised."""
    cols = LintColumns.of(table)
    table, ind = cols.table, cols.ind
    conflict = cols.truthy("category_conflict")
    unknown1 = _unknown_category(cols, "level1_raw", "level1_code_printed", "level1")
    unknown2 = _unknown_category(cols, "level2_raw", "level2_code_printed", "level2")
    parts = []  # per row: the conflict, then the unknown 一级, then the unknown 二级 category
    pos = np.flatnonzero(conflict)
    if len(pos):
        raw1, raw2, code1, name1, code2 = (cols.at(c, pos).tolist() for c in
                                           ("level1_raw", "level2_raw", "level1_code", "level1", "level2_code"))
        template = issue_template("category_conflict")
        parts.append((pos * 3, {
            "code": "category_conflict", "severity": "warning",
            "message": _worded(lambda r1, r2, c1, n1, c2: template.format(
                level1_raw=r1, level2_raw=r2, level1_code=c1, level1=n1, level2_code=c2), raw1, raw2, code1, name1, code2),
            "cell": [f"{r1}；{r2}" for r1, r2 in zip(raw1, raw2)]}))
    for sub, (level, column, unknown) in enumerate((("level1", "level1_raw", unknown1),
                                                    ("level2", "level2_raw", unknown2)), start=1):
        pos = np.flatnonzero(unknown)
        if len(pos):
            raw = cols.at(column, pos).tolist()
            template = issue_template("unknown_category", level)
            parts.append((pos * 3 + sub, {
                "code": "unknown_category", "severity": "warning",
                "message": [template.format(raw=r) for r in raw],
                "cell": raw}))
    return IssueColumns.merged(parts, lambda rows: _location_columns(cols, rows), per_key=3)


def _worded(word: Callable[..., str], *columns: list) -> list[str]:
    """``[word(*row) for row in zip(*columns)]``, ``word`` called once per distinct row (messages repeat)."""
    said: dict[tuple, str] = {}
    out = []
    for row in zip(*columns):
        found = said.get(row)
        if found is None:
            found = said[row] = word(*row)
        out.append(found)
    return out


def _unknown_category(cols: LintColumns, raw: str, code: str, level: str) -> np.ndarray:
    """A category cell with text that is neither a known name (of a block, or of a national evaluation
    framework such as 部门整体's 投入/过程/效果: ``framework_category``) nor only a score tag."""
    found = cols.truthy_where(~cols.truthy(code), raw)
    if found.any():
        codes, uniques = cols.coded(raw)
        asked = np.zeros(len(uniques), dtype=bool)
        asked[codes[found]] = True
        known = np.zeros(len(uniques), dtype=bool)  # a missing value (NaN) is no known name
        has_missing = uniques[-1] is None
        for u in np.flatnonzero(asked).tolist():
            if not (has_missing and u == len(uniques) - 1):
                text = uniques[u]
                known[u] = bool(is_tag_only(text) or framework_category(text, level))
        found &= ~known[codes]
    return found


# ---------------------------------------------------------------------------
# targets


def check_targets(table: TargetTable | LintColumns) -> IssueColumns:
    """Period value used instead of a non-target annual value; targets nothing can measure."""
    cols = LintColumns.of(table)
    period = cols.equals("target_source", "period")
    unmeasurable = ~cols.equals("kind", "empty") & ~cols.truthy("measurable")
    parts = []  # per row: the period value used, then the target not measurable
    pos = np.flatnonzero(period)
    if len(pos):
        annual, annual_kind, period_text = (cols.at(c, pos).tolist()
                                            for c in ("annual_text", "annual_kind", "period_text"))
        parts.append((pos * 2, {
            "code": "period_value_used",
            "severity": ["warning" if a else "info" for a in annual],
            "message": [issue_message("period_value_used", "not_target", annual=a, kind=_kind_word(k), period=p) if a else
                        issue_message("period_value_used", "empty", period=p)
                        for a, k, p in zip(annual, annual_kind, period_text)],
            "cell": [a if a else p for a, p in zip(annual, period_text)]}))
    pos = np.flatnonzero(unmeasurable)  # an empty target is reported by check_empty_cells
    if len(pos):
        codes, reasons, _ = cols.once("target_notes", _target_notes)
        kind_words = labels("kind")  # (a kind without a word is shown as it is)
        words = [reason or kind_words.get(kind, kind) for reason, kind in
                 zip(reasons.take(codes.take(pos)).tolist(), cols.at("kind", pos).tolist())]
        said: dict[str, str] = {}  # (the rows share a few reasons: each message is worded once)
        messages = [said.get(w) or said.setdefault(w, issue_message("not_measurable", reason=w)) for w in words]
        parts.append((pos * 2 + 1, {
            "code": "not_measurable",
            "severity": _SEVERITIES.take(cols.at("target_class", pos) == "not_evaluable").tolist(),
            "message": messages,
            "cell": cols.at("target_text", pos).tolist()}))
    return IssueColumns.merged(parts, lambda rows: _location_columns(cols, rows), per_key=2)


#: a severity by a row mask: info where false, warning where true (``_SEVERITIES.take(mask)``)
_SEVERITIES = np.array(["info", "warning"], dtype=object)


def _target_notes(cols: LintColumns) -> tuple[np.ndarray, np.ndarray, dict[int, list[str]]]:
    """What the compiled targets say, once per target (the rows of one text share it): each row's target
    number, per number the reason it is not measurable (or None), and the unknown counting words of the
    numbers that have some (few targets have notes: no list is made for the others)."""
    codes, first = cols.targets()
    targets = cols.array("target").take(first).tolist()
    reasons = np.fromiter((getattr(t, "reason", None) for t in targets), dtype=object, count=len(targets))
    notes = [getattr(t, "notes", None) for t in targets]
    unknown = {}
    for i in [i for i, n in enumerate(notes) if n]:
        words = [n.split(":", 1)[1] for n in notes[i] if n.startswith("unknown_unit:")]
        if words:
            unknown[i] = words
    return codes, reasons, unknown


def _cut_at_field(template: str, field: str) -> tuple[str, str]:
    """``template`` cut around its field ``{field}`` (there once, plain): the templates before and after it,
    so ``before.format(**v) + str(x) + after.format(**v) == template.format(**v, field=x)``."""
    parts = list(string.Formatter().parse(template))
    at = [i for i, (_, name, spec, conversion) in enumerate(parts) if name == field and not spec and not conversion]
    if len(at) != 1 or sum(name == field for _, name, _, _ in parts) != 1:
        raise ValueError(f"template {template!r} must show {{{field}}} once, plain")

    def joined(pieces) -> str:
        return "".join(literal.replace("{", "{{").replace("}", "}}")
                       + ("" if name is None else "{" + name + (f"!{conv}" if conv else "") + (f":{spec}" if spec else "") + "}")
                       for literal, name, spec, conv in pieces)

    i = at[0]
    return joined(parts[:i]) + parts[i][0].replace("{", "{{").replace("}", "}}"), joined(parts[i + 1:])


def _kind_word(kind: str) -> str:
    """A target kind as messages say it (data/wording/check.toml [check_labels.kind]; else as it is)."""
    return labels("kind").get(kind, kind)


def check_qualitative_share(table: TargetTable | LintColumns) -> IssueColumns:
    """Per project: the share of indicators no number can score (定性/公式/空)."""
    out = IssueColumns()
    cols = LintColumns.of(table)
    if not len(cols):
        return out
    codes, pids = cols.factorized("project_id")  # in order of appearance; none: -1
    known = codes >= 0
    flagged = np.flatnonzero(cols.isin("target_class", UNSCORABLE_CLASSES) & known)
    if not len(flagged):
        return out
    n_projects = len(pids)
    totals = np.bincount(codes[known], minlength=n_projects)
    # per (project, class): its rows and its first row; classes numbered in order of appearance
    class_codes, classes = factorize_objects(cols.at("target_class", flagged))
    n_classes, classes = len(classes), classes.tolist()
    pairs = codes[flagged] * n_classes + class_codes
    counts = np.bincount(pairs, minlength=n_projects * n_classes).reshape(n_projects, n_classes)
    first = np.full(n_projects * n_classes, len(cols), dtype=np.int64)
    seen, at_pair = np.unique(pairs, return_index=True)
    first[seen] = flagged[at_pair]
    first = first.reshape(n_projects, n_classes)
    # the projects with such indicators, in order of their first one; in each, its classes in order of appearance
    hit = np.flatnonzero(counts.sum(axis=1) > 0)
    hit = hit[np.argsort(first[hit].min(axis=1), kind="stable")]
    class_order = np.argsort(first[hit], axis=1, kind="stable")
    ordered = np.take_along_axis(counts[hit], class_order, axis=1)
    # projects share their counts: each (severity, message after the project name, cell) is made once
    key = joint_codes(totals[hit], *(class_order[:, j] for j in range(n_classes)),
                      *(ordered[:, j] for j in range(n_classes)))
    firsts_of_key = first_rows(key)
    said = []
    for p, order, ms in zip(hit[firsts_of_key].tolist(), class_order[firsts_of_key].tolist(),
                            ordered[firsts_of_key].tolist()):
        n = int(totals[p])
        shown = [(classes[c], m) for c, m in zip(order, ms) if m]
        k = sum(m for _, m in shown)
        share = k / n
        detail = "、".join(message("check_labels", "class_count", name=CLASS_NAMES[c], count=m) for c, m in shown)
        said.append(("warning" if share >= QUALITATIVE_WARNING_SHARE else "info",
                     {"n": n, "k": k, "share": share, "detail": detail}, f"{k}/{n}"))
    # the message around the project name is worded once per distinct count
    head, tail = _cut_at_field(issue_template("qualitative_share"), "project")
    said = [(severity, head.format(**values), tail.format(**values), cell) for severity, values, cell in said]
    found = [said[k] for k in key.tolist()]
    at = first_rows(codes)[hit]  # each project's first row
    project, sheet, column = (cols.at(c, at).tolist() for c in ("project", "source_sheet", "source_column"))
    return IssueColumns.merged([(np.arange(len(at)), {  # in the order found
        "code": "qualitative_share", "severity": [f[0] for f in found],
        "message": [f"{f[1]}{name}{f[2]}" for name, f in zip(project, found)],
        "file": cols.table.source,
        "sheet": [x or None for x in sheet], "row": _ints(cols, "source_row", at), "column": [c or None for c in column],
        "project_id": pids[hit].tolist(), "project": project, "indicator_no": None,
        "cell": [f[3] for f in found]})])


# ---------------------------------------------------------------------------
# projects


def check_projects(table: TargetTable | LintColumns) -> list[Issue]:
    """Classified projects (kept, flagged, excluded) and projects with no indicators."""
    table = LintColumns.of(table).table
    out = []
    projects = table.projects
    if projects.empty:
        out.append(_issue("no_projects", "error", issue_message("no_projects"), file=table.source))
        return out
    classified = _truthy(projects["classified"])
    pos = np.flatnonzero(classified | (projects["n_indicators"].to_numpy() == 0))
    columns = ("source_sheet", "source_row", "project_id", "project", "budget_total")
    for i, (sheet, row, pid, project, budget) in zip(pos, _pick(projects, pos, columns)):
        where = {"file": table.source, "sheet": sheet or None, "row": int(row),
                 "column": label("columns", "project"), "project_id": pid, "project": project, "cell": project}
        if classified[i]:
            out.append(_issue("classified_project", "info",
                              issue_message("classified_project", "budget", budget=_fmt(budget))
                              if not math.isnan(budget) else issue_message("classified_project", "no_budget"), **where))
        else:
            out.append(_issue("no_indicators", "error", issue_message("no_indicators", "project"), **where))
    return out


# ---------------------------------------------------------------------------
# money


def check_money(table: TargetTable | LintColumns) -> list[Issue]:
    """总计 = 财政拨款 + 财政专户拨款 + 其他资金 per row; 合计 and subtotals = Σ projects."""
    table = LintColumns.of(table).table
    out = _row_sums(table, table.projects, "project")
    out.extend(_row_sums(table, table.totals, "total"))
    out.extend(_totals(table))
    return out


def _row_sums(table: TargetTable, df: pd.DataFrame, kind: str) -> list[Issue]:
    """Rows (projects, or 合计/subtotal rows) whose 总计 is not the sum of its parts."""
    out = []
    if df.empty:
        return out
    total = df["budget_total"].to_numpy(dtype=float)
    parts = [df[f].to_numpy(dtype=float) for f in ("budget_fiscal", "budget_special", "budget_other")]
    given = [~np.isnan(x) for x in parts]
    s = 0.0 + np.where(given[0], parts[0], 0.0) + np.where(given[1], parts[1], 0.0) + np.where(given[2], parts[2], 0.0)
    with np.errstate(invalid="ignore"):
        wrong = ~np.isnan(total) & (given[0] | given[1] | given[2]) & (np.abs(total - s) > MONEY_TOLERANCE)
    pos = np.flatnonzero(wrong)
    columns = ("project", "project_id") if kind == "project" else ("label",)
    for i, (sheet, row, name, *pid) in zip(pos, _pick(df, pos, ("source_sheet", "source_row", *columns))):
        t, si = float(total[i]), float(s[i])
        out.append(_issue("row_sum_mismatch", "error",
                          issue_message("row_sum_mismatch", label=name, total=_fmt(t), parts=_fmt(si),
                                        difference=_fmt(t - si)),
                          file=table.source, sheet=sheet or None, row=int(row),
                          column=label("columns", "budget_total"), project_id=pid[0] if pid else None, project=name))
    return out


def _totals(table: TargetTable) -> list[Issue]:
    out = []
    if table.totals.empty:
        return out
    projects = table.projects
    bounds = _subtotal_ranges(table)
    for t, (lo, hi) in zip(records(table.totals), bounds):
        covered = projects.iloc[lo:hi]
        if t["source_sheet"] and "source_sheet" in covered:  # a 合计 sums the projects of its own sheet
            covered = covered[covered["source_sheet"].astype(str) == str(t["source_sheet"])]
        what = message("check_labels", "total_row") if t["kind"] == "total" else message("check_labels", "subtotal_row", label=t["label"])
        for f, name in MONEY_NAMES.items():
            declared = t[f]
            if math.isnan(declared):
                continue
            s = float(covered[f].fillna(0).sum())
            where = {"file": table.source, "sheet": t["source_sheet"] or None, "row": int(t["source_row"]),
                     "column": t["columns"].get(f, name)}
            if abs(declared - s) > MONEY_TOLERANCE:
                out.append(_issue("total_mismatch", "error",
                                  issue_message("total_mismatch", what=what, name=name, declared=_fmt(declared),
                                                n=len(covered), sum=_fmt(s), difference=_fmt(declared - s)),
                                  cell=_fmt(declared), **where))
            elif f == "budget_total":
                out.append(_issue("total_reconciled", "info",
                                  issue_message("total_reconciled", what=what, declared=_fmt(declared), n=len(covered)),
                                  **where))
    return out


def _subtotal_ranges(table: TargetTable) -> list[tuple[int, int]]:
    """Project index range each 合计 / department row covers."""
    n = len(table.projects)
    starts = [int(x) for x, k in zip(table.totals["first_project"], table.totals["kind"]) if k == "department"]
    out = []
    for t in records(table.totals):
        if t["kind"] == "total":
            out.append((0, n))
        else:
            lo = int(t["first_project"])
            later = [s for s in starts if s > lo]
            out.append((lo, min(later) if later else n))
    return out


def _fmt(x: float) -> str:
    return f"{x:,.2f}"


# ---------------------------------------------------------------------------
# cells


def check_duplicates(table: TargetTable | LintColumns) -> list[Issue]:
    """The same 三级指标 twice in one project."""
    out = []
    cols = LintColumns.of(table)
    table, ind = cols.table, cols.ind
    if ind.empty:
        return out
    named = np.flatnonzero(cols.truthy("name"))
    if not len(named):
        return out
    # key: (project, name without whitespace); the first row of each key is kept, later ones are reported
    codes, names = cols.factorized("name")
    bare = np.append(factorize_objects([re.sub(r"\s+", "", x) for x in names.tolist()])[0], -1)
    name_codes = bare[codes[named]] + 1
    pid_codes = cols.coded("project_id")[0][named]  # (a missing project id is a project of its own)
    keys = pd.factorize(pid_codes.astype(np.int64) * (int(name_codes.max()) + 1) + name_codes)[0]
    first = first_rows(keys)[keys]  # position in ``named`` of each key's first row
    later = np.flatnonzero(first != np.arange(len(keys)))
    pos, first_pos = named[later], named[first[later]]
    firsts = _pick(ind, first_pos, ("indicator_no", "target_text"))
    column = label("columns", "name")
    for loc, (name, target_text), (first_no, first_text) in zip(
            _locations(table, ind, pos), _pick(ind, pos, ("name", "target_text")), firsts):
        same = first_text == target_text
        out.append(_issue("duplicate_indicator", "warning",
                          issue_message("duplicate_indicator", "same_target" if same else "other_target",
                                        name=name, first=int(first_no)),
                          *_at(loc, column), name))
    return out


def check_empty_cells(table: TargetTable | LintColumns) -> list[Issue]:
    """Empty 三级指标, target, category and money cells."""
    out = []
    cols = LintColumns.of(table)
    table, ind = cols.table, cols.ind
    truthy = cols.truthy
    no_name = ~truthy("name")
    no_target = cols.all_empty("annual_text", "period_text")
    no_level1 = cols.all_empty("level1_code", "level1_raw")
    no_level2 = cols.all_empty("level2_code", "level2_raw")
    bad_weight = cols.truthy_where(np.isnan(ind["weight"].to_numpy(dtype=float)), "weight_text")
    pos = np.flatnonzero(no_name | no_target | no_level1 | no_level2 | bad_weight)
    columns = labels("columns")
    for loc, (weight_text,), *empty in zip(_locations(table, ind, pos), _pick(ind, pos, ("weight_text",)),
                                            *_flags(pos, no_name, no_target, no_level1, no_level2, bad_weight)):
        if empty[0]:
            out.append(_issue("empty_cell", "error", issue_message("empty_cell", "no_name"), *_at(loc, columns["name"])))
        if empty[1]:
            out.append(_issue("empty_cell", "error", issue_message("empty_cell", "no_target"), *loc))
        if empty[2]:
            out.append(_issue("empty_cell", "warning", issue_message("empty_cell", "no_level1"),
                              *_at(loc, columns["level1"])))
        if empty[3]:
            out.append(_issue("empty_cell", "info", issue_message("empty_cell", "no_level2"), *_at(loc, columns["level2"])))
        if empty[4]:
            out.append(_issue("bad_weight", "warning", issue_message("bad_weight", weight=weight_text),
                              *_at(loc, columns["weight"]), weight_text))
    projects = table.projects
    if not len(projects):
        return out
    no_money = np.logical_and.reduce([np.isnan(projects[f].to_numpy(dtype=float)) for f in MONEY_NAMES])
    if no_money.all():  # no project has money: nothing to weigh by
        return out
    pos = np.flatnonzero(no_money & ~_truthy(projects["classified"]))
    for sheet, row, pid, project in _pick(projects, pos, ("source_sheet", "source_row", "project_id", "project")):
        out.append(_issue("empty_cell", "info", issue_message("empty_cell", "no_budget"),
                          file=table.source, sheet=sheet or None, row=int(row), project_id=pid, project=project))
    return out


# ---------------------------------------------------------------------------
# spelling


def check_spelling(table: TargetTable | LintColumns) -> list[Issue]:
    """A place name spelled two ways in one table (黄埔/黄浦): reported, not changed."""
    table = LintColumns.of(table).table
    out = []
    stems = _place_stems(table)
    if not stems:
        return out
    cells = _TextCells(table)
    for stem, suffix in sorted(stems):
        n_stem = None
        for variant in sorted(cells.variants(stem, suffix)):
            counts = cells.counts(variant)
            hit = np.flatnonzero(counts)
            if n_stem is None:
                n_stem = int(cells.counts(stem).sum())
            rows = sorted(set(cells.rows[hit].tolist()))
            sheet, row, column, pid, project = cells.location(int(hit[0]))
            out.append(_issue(
                "name_variant", "warning",
                issue_message("name_variant", "many" if len(rows) > 12 else "few", stem=stem, n_stem=n_stem,
                              variant=variant, n_variant=int(counts.sum()), rows="、".join(str(r) for r in rows[:12]),
                              more=len(rows) - 12),
                file=table.source, sheet=sheet or None, row=row, column=column,
                project_id=pid, project=project, cell=variant))
    return out


class _TextCells:
    """Every name, goal and target cell, as distinct texts: per project its 项目名称 and 绩效目标 cells,
    then per indicator one cell ``"{name} {annual_text} {period_text}"``.

    Words are two CJK characters, so no word spans the space between the parts of an indicator
    cell: counting in the parts is counting in the cell.
    """

    def __init__(self, table: TargetTable):
        self.projects, self.ind = table.projects, table.indicators
        self.n_projects = len(self.projects)
        parts = [(self.projects, "project"), (self.projects, "goal"),
                 (self.ind, "name"), (self.ind, "annual_text"), (self.ind, "period_text")]
        #: (codes, distinct texts) of each part; missing and non-text cells count as no text
        self.parts = []
        for df, column in parts:
            codes, uniques = factorize_objects(df[column])
            self.parts.append((codes, [u if isinstance(u, str) else "" for u in uniques]))
        self.rows = np.concatenate([np.repeat(self.projects["source_row"].to_numpy(dtype=np.int64), 2),
                                    self.ind["source_row"].to_numpy(dtype=np.int64)])

    def variants(self, stem: str, suffix: str) -> set[str]:
        """Spellings differing from ``stem`` in one character, written before the same suffix."""
        pattern = re.compile(r"([\u4e00-\u9fff]{2})" + suffix)
        found = set()
        for _, texts in self.parts:
            for text in texts:
                if suffix in text:
                    for m in pattern.finditer(text):
                        word = m.group(1)
                        if word != stem and sum(a != b for a, b in zip(word, stem)) == 1:
                            found.add(word)
        return found

    def counts(self, word: str) -> np.ndarray:
        """Occurrences of ``word`` in every cell, in cell order."""
        per_part = []
        for codes, texts in self.parts:
            n = np.array([text.count(word) for text in texts] + [0], dtype=np.int64)
            per_part.append(n[codes])  # code -1 (missing) → the trailing 0
        project, goal, name, annual, period = per_part
        cells = np.empty(2 * self.n_projects + len(name), dtype=np.int64)
        cells[0:2 * self.n_projects:2] = project
        cells[1:2 * self.n_projects:2] = goal
        cells[2 * self.n_projects:] = name + annual + period
        return cells

    def location(self, cell: int) -> tuple:
        """(sheet, row, column, project_id, project) of a cell."""
        if cell < 2 * self.n_projects:
            (sheet, row, pid, project), = _pick(self.projects, np.array([cell // 2]),
                                                ("source_sheet", "source_row", "project_id", "project"))
            return sheet, int(row), label("columns", "goal" if cell % 2 else "project"), pid, project
        (sheet, row, column, pid, project), = _pick(self.ind, np.array([cell - 2 * self.n_projects]),
                                                    ("source_sheet", "source_row", "source_column", "project_id", "project"))
        return sheet, int(row), column, pid, project


def _place_stems(table: TargetTable) -> set[tuple[str, str]]:
    names = {table.department, *pd.unique(np.asarray(table.projects["department"], dtype=object))}
    stems = set()
    for name in names:
        for m in _PLACE.finditer(name or ""):
            stems.add((m.group(1), m.group(2)))
    return stems


#: an indicator name or target longer than this is a pasted paragraph, not a target
LONG_TEXT = 300


def _lengths(values) -> np.ndarray:
    """``len(x or "")`` of every value, measured once per distinct value."""
    codes, distinct = coded(values)
    return np.array([len(x or "") for x in distinct.tolist()], dtype=np.int64).take(codes)


def check_long_text(table: TargetTable | LintColumns) -> list[Issue]:
    """Names and target values of hundreds of characters: a note pasted into the wrong cell."""
    out = []
    cols = LintColumns.of(table)
    table, ind = cols.table, cols.ind
    fields = (("name", "name", label("columns", "name")), ("target_text", "target", None))
    long = [cols.per_distinct(f, lambda x: len(x or "") > LONG_TEXT, missing=False, dtype=bool) for f, _, _ in fields]
    pos = np.flatnonzero(long[0] | long[1])
    for i, loc, texts in zip(pos, _locations(table, ind, pos), _pick(ind, pos, ("name", "target_text"))):
        for (_, variant, column), is_long, text in zip(fields, long, texts):
            if is_long[i]:
                out.append(_issue("long_text", "warning", issue_message("long_text", variant, n=len(text)),
                                  *(loc if column is None else _at(loc, column)), text))
    return out


def check_unknown_units(table: TargetTable | LintColumns) -> IssueColumns:
    """Targets whose counting word the lexicon does not know (120万尾): read as a unit of its own
    (comparable only with the same word), said as an info so a real typo is seen."""
    cols = LintColumns.of(table)
    ind = cols.ind
    if ind.empty or "target" not in ind:
        return IssueColumns()
    # once per compiled target (the rows of one text share it), not hashing targets by value
    codes, reasons, words = cols.once("target_notes", _target_notes)
    if not words:
        return IssueColumns()
    has_words = np.zeros(len(reasons), dtype=bool)
    has_words[list(words)] = True
    pos = np.flatnonzero(has_words.take(codes))
    found = [words[c] for c in codes.take(pos).tolist()]
    return IssueColumns.merged([(pos, {
        "code": "unknown_unit", "severity": "info",
        "message": [issue_message("unknown_unit", words="、".join(w)) for w in found],
        "cell": cols.at("target_text", pos).tolist()})], lambda rows: _location_columns(cols, rows))


RULES = (check_categories, check_targets, check_qualitative_share, check_projects, check_money,
         check_duplicates, check_empty_cells, check_spelling, check_long_text, check_unknown_units)
# how the table was read (weights far from 满分, targets that look like weights or names …)
from .read_checks import RULES as _READER_RULES  # noqa: E402 - kept beside the rule list it extends

RULES = RULES + _READER_RULES


# ---------------------------------------------------------------------------
# summary


def summarize(table: TargetTable) -> str:
    """Chinese summary: projects, indicators, target classes, by department, issue counts
    (worded from data/wording/check.toml [check_summary])."""
    p, ind = table.projects, table.indicators
    unnamed = _said("unnamed")
    lines = [_said("file", source=table.source, layout=_said("layout_seed" if table.layout == "seed" else "layout_rows"),
                   encoding=_said("encoding", encoding=table.encoding) if table.encoding else ""),
             _said("department", department=table.department or unnamed),
             _said("projects", projects=len(p), classified=int(p["classified"].sum()), indicators=len(ind))]
    lines.append(conservation_line(table))
    lines.append(_said("targets", counts=_class_counts(ind)))
    if int((ind["target_source"] == "period").sum()) if not ind.empty else 0:
        lines.append(_said("period", n=int((ind["target_source"] == "period").sum())))
    if p["department"].nunique() > 1 or len(p):
        lines.append(_said("by_department"))
        for dep, group in p.groupby("department", sort=False):
            sub = ind[ind["project_id"].isin(group["project_id"])]
            budget = group["budget_total"].sum(min_count=1)
            money = _said("budget", budget=_fmt(budget)) if not math.isnan(budget) else ""
            lines.append(_said("department_line", department=dep or unnamed, projects=len(group), budget=money,
                               indicators=len(sub), counts=_class_counts(sub)))
    sev = Counter(table.issues["severity"]) if not table.issues.empty else Counter()
    lines.append(_said("issues", error=sev.get("error", 0), warning=sev.get("warning", 0), info=sev.get("info", 0)))
    return "\n".join(lines)


def _said(key: str, **values) -> str:
    return message("check_summary", key, **values)


#: issue codes of input rows (or seed cells) with indicator content that became no indicator
NOT_READ_CODES = ("row_not_read", "unparsed_indicators")


def conservation_line(table: TargetTable) -> str:
    """读入指标 N 条，输出 N 条: every input row with indicator content is an indicator or an issue."""
    issues = table.issues
    lost = int(issues["code"].isin(NOT_READ_CODES).sum()) if not issues.empty else 0
    n = len(table.indicators)
    line = _said("conservation", read=n + lost, out=n)
    if lost:
        line += _said("conservation_lost", lost=lost, codes="、".join(NOT_READ_CODES))
    return line


def _class_counts(ind: pd.DataFrame) -> str:
    counts = Counter(ind["target_class"]) if not ind.empty else Counter()
    return "，".join(_said("class_count", name=name, count=counts.get(c, 0)) for c, name in CLASS_NAMES.items())
