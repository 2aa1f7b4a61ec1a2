"""``evaluate(targets, actuals, rules)``: the whole scoring pipeline as one pure call.

>>> from evaluator import evaluate                                # doctest: +SKIP
>>> ev = evaluate("examples/seed/targets.txt", "examples/seed/actuals.csv")
>>> ev.projects[["project", "total", "grade"]]
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import __version__
from .enums import Severity
from .frames import factorize_objects, ordered_codes
from .issues import InputError, Issue, concat_issues, issue_message, issues_frame
from .rules import RulePack, load_rule_pack
from .points import apply_weights, project_scores
from .scoring import score_indicators, text_codes, texts_column, with_columns
from .explain import explain_executions, explain_indicators, summarize_projects
from .trends import apply_trends
from .wording import message, num, round_half_up

#: internal working columns dropped from the public indicator table
_INTERNAL = ["points_exact", "reason_args", "t_kind", "t_canonical", "t_unit", "t_per", "t_low", "t_high", "t_direction", "t_n",
             "rating_points", "clause_detail"]
INDICATOR_SCORE_COLUMNS = ["actual_text", "prior_text", "rating", "self_score", "self_diff", "note", "block",
                           "weight_points", "status", "method", "points", "ratio", "op_used", "op_source", "rule",
                           "flag", "pending_reason", "actual_value", "target_value", "explanation"]
PROJECT_SCORE_COLUMNS = ["budget_annual", "spent_annual", "execution_rate", "execution_points", "execution_status",
                         "points_output", "points_benefit", "points_satisfaction", "points_cost",
                         "weight_output", "weight_benefit", "weight_satisfaction", "weight_cost",
                         "total", "total_min", "total_max", "execution_cap", "grade", "status",
                         "share_auto", "share_review", "share_pending", "share_not_evaluable",
                         "self_total", "self_diff", "execution_explanation", "summary"]


@dataclass
class Evaluation:
    indicators: pd.DataFrame
    projects: pd.DataFrame
    departments: pd.DataFrame
    issues: pd.DataFrame
    rule_pack: RulePack
    provenance: dict[str, Any] = field(default_factory=dict)
    #: rows read from the target table, so a user can check that nothing was lost
    indicators_in: int = 0


#: SHA-256 of files already hashed, by (path, inode, size, modification time in ns)
_HASHES: dict[tuple[str, int, int, int], str] = {}


def _file_hash(path: str | Path) -> str:
    """SHA-256 of a file ("" when it cannot be read); a file not changed since it was last
    hashed (same inode, size and modification time) is not read again."""
    try:
        st = Path(path).stat()
        key = (str(Path(path).resolve()), st.st_ino, st.st_size, st.st_mtime_ns)
        if key not in _HASHES:
            if len(_HASHES) > 4096:
                _HASHES.clear()
            _HASHES[key] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        return _HASHES[key]
    except OSError:
        return ""


def _load_targets(targets: Any) -> Any:
    if isinstance(targets, (str, Path)):
        from .check import lint
        from .readers import read_targets
        table = read_targets(targets, check=False)
        if not len(table.indicators) and not len(table.projects):  # nothing to score: not an engine bug
            raise InputError(issue_message("no_indicators", "table"), file=str(targets), code="no_indicators")
        return lint(table)
    return targets


def _load_actuals(actuals: Any, table: Any) -> Any:
    from .actuals import Actuals, read_actuals, empty_actuals, actuals_from_table
    if actuals is None:
        # a self-evaluation table (自评表) carries its own 实际完成值 / 得分 columns
        return actuals_from_table(table) or empty_actuals()
    if isinstance(actuals, (str, Path)):
        return read_actuals(actuals, table)
    if isinstance(actuals, pd.DataFrame):
        return Actuals(indicators=actuals, projects=pd.DataFrame(columns=["project_id"]), issues=issues_frame([]))
    return actuals


def _key_codes(left: list[Any], right: list[Any]) -> tuple[np.ndarray, np.ndarray]:
    """Codes of the key (one array per key column) of each row of ``left`` and of ``right``, equal
    where a left merge would join them (missing keys match missing keys)."""
    n = len(left[0])
    key = None
    for lc, rc in zip(left, right):
        lv, rv = (c.to_numpy() if isinstance(c, pd.Series) and c.dtype.kind in "iu" else c for c in (lc, rc))
        coded = ordered_codes(lc)
        if isinstance(lv, np.ndarray) and isinstance(rv, np.ndarray) and lv.dtype.kind in "iu" and lv.dtype == rv.dtype:
            # whole numbers on both sides (indicator numbers): equal here exactly when equal as Python ints
            codes, uniques = pd.factorize(np.concatenate([lv, rv]))
        elif coded is not None and coded[0].min() >= 0:  # left coded by the reader: its distinct texts coded with right
            both, uniques = factorize_objects(np.concatenate([coded[1], np.asarray(rc, dtype=object)]), use_na_sentinel=False)
            codes = np.concatenate([both[:len(coded[1])].take(coded[0]), both[len(coded[1]):]])
        else:
            codes, uniques = factorize_objects(np.concatenate([np.asarray(lc, dtype=object), np.asarray(rc, dtype=object)]),
                                               use_na_sentinel=False)
        # (the first column's codes are the key as they are: dense, numbered in order of first appearance)
        key = codes if key is None else pd.factorize(key * (len(uniques) + 1) + codes)[0]
    return key[:n], key[n:]


def _lookup(left: pd.DataFrame, right: pd.DataFrame, on: list[str]) -> np.ndarray | None:
    """Row of ``right`` matching each row of ``left`` on the ``on`` columns (-1: none), as a left
    merge would join them (missing keys match missing keys); None when a key repeats in ``right``."""
    return _lookup_keys(*_key_codes([left[c] for c in on], [right[c] for c in on]))


def _lookup_keys(left: np.ndarray, right: np.ndarray) -> np.ndarray | None:
    keys = pd.Index(right)
    if not keys.is_unique:
        return None
    return keys.get_indexer(left)


def _take(values: pd.Series, pos: np.ndarray) -> Any:
    """``values`` at ``pos``, missing (NaN, with the dtype a merge would give) where ``pos`` is -1."""
    return pd.api.extensions.take(values.array if isinstance(values.dtype, pd.api.extensions.ExtensionDtype)
                                  else values.to_numpy(), pos, allow_fill=True)


#: columns the actuals add to each indicator; the text ones are read as text
ACTUAL_COLUMNS = ["actual_text", "prior_text", "rating", "self_score", "note", "actual_file", "actual_row"]
ACTUAL_TEXTS = ("actual_text", "prior_text", "rating", "note")


def _merge_actuals(ind: pd.DataFrame, acts: Any) -> pd.DataFrame:
    """The indicators with their actuals (the first actuals row of each project and 序号)."""
    return _join_actuals(ind, acts)[0]


def _join_actuals(ind: pd.DataFrame, acts: Any) -> tuple[pd.DataFrame, dict[str, tuple[np.ndarray, np.ndarray]]]:
    """:func:`_merge_actuals`, and the :func:`~evaluator.scoring.text_codes` of its text columns
    (for the scorer, which reads them by code)."""
    cols = ACTUAL_COLUMNS
    a = acts.indicators
    if any(c not in a for c in cols):
        a = a.assign(**{c: np.nan for c in cols if c not in a})
    base = ind.drop(columns=[c for c in cols if c in ind], errors="ignore") if any(c in ind for c in cols) else ind
    # the first actuals row of each (project, 序号) as written, matched on the number it reads as
    pid_l, pid_r = _key_codes([base["project_id"]], [a["project_id"]])
    no_raw = pd.factorize(a["indicator_no"], use_na_sentinel=False)[0]
    kept = np.flatnonzero(~pd.Series(pid_r * (int(no_raw.max(initial=0)) + 1) + no_raw).duplicated().to_numpy())
    all_kept = len(kept) == len(a)
    no_l, no_r = _key_codes([pd.to_numeric(base["indicator_no"], errors="coerce")],
                            [pd.to_numeric(a["indicator_no"], errors="coerce").to_numpy()[kept]])
    width = int(max(no_l.max(initial=0), no_r.max(initial=0))) + 1
    pos = _lookup_keys(pid_l * width + no_l, pid_r[kept] * width + no_r)
    if pos is None:
        # a key given twice in the actuals: join as pandas does (one row per match)
        first = a[["project_id", "indicator_no"] + cols] if all_kept else a[["project_id", "indicator_no"] + cols].iloc[kept]
        first = first.assign(_no=pd.to_numeric(first["indicator_no"], errors="coerce"))
        merged = base.assign(_no=pd.to_numeric(base["indicator_no"], errors="coerce")).merge(
            first.drop(columns=["indicator_no"]), how="left", on=["project_id", "_no"]).drop(columns=["_no"])
        merged.index = ind.index
        new = {c: merged[c] for c in cols}
    else:
        if not all_kept:
            pos = np.where(pos >= 0, kept[pos], -1)
        new = {c: _take(a[c], pos) for c in cols}
    coded = {}
    for c in ACTUAL_TEXTS:
        # a missing row is NaN here; text typed as "NaN" stays text (and is reported as unreadable)
        coded[c] = text_codes(pd.Series(new[c]) if not isinstance(new[c], pd.Series) else new[c])
        new[c] = texts_column(coded[c][1][coded[c][0]])
    new["self_score"] = pd.to_numeric(pd.Series(new["self_score"]), errors="coerce").array  # Int64 stays Int64
    return with_columns(base, new), coded


def _merge_funds(projects: pd.DataFrame, acts: Any) -> pd.DataFrame:
    cols = ["budget_annual", "spent_annual", "self_execution", "self_total_given"]
    funds = acts.projects
    funds = funds.assign(**{c: np.nan for c in cols if c not in funds})
    funds = funds[["project_id"] + cols].drop_duplicates("project_id")
    base = projects.drop(columns=[c for c in cols if c in projects]) if any(c in projects for c in cols) else projects
    pos = _lookup(base, funds, ["project_id"])
    if pos is None:
        out = base.merge(funds, how="left", on="project_id")
        out.index = projects.index
        return out
    return with_columns(base, {c: _take(funds[c], pos) for c in cols})


def departments_table(projects: pd.DataFrame, pack: RulePack) -> pd.DataFrame:
    """Derived department scores, one row per department, rounded as shown: the rules are
    :func:`evaluator.rollup.department_scores` (the report's roll-up uses the same)."""
    from .rollup import department_scores

    out = department_scores(projects, pack)
    for name in ("score", "score_min", "score_max", "score_simple", "score_simple_min", "score_simple_max"):
        out[name] = [round_half_up(x, pack.digits) for x in out[name].tolist()]
    return out[["department", "n_projects", "n_scored_projects", "score", "score_simple", "score_min",
                "score_simple_min", "score_max", "score_simple_max", "grade", "n_excluded_projects",
                "budget_column", "score_basis"]]


def evaluate(targets: Any, actuals: Any = None, rules: str | Path | RulePack = "national-2020",
             history: Any = None) -> Evaluation:
    """Score a target table against the year's actuals under a rule pack.

    ``targets``: a :class:`~evaluator.readers.TargetTable` (or anything with ``.projects``
    and ``.indicators``), or a path to read. ``actuals``: the result of
    :func:`evaluator.actuals.read_actuals`, a path, an indicator-level DataFrame, or None.
    ``history``: where trend targets find last year's values (:class:`evaluator.history.Priors`).
    """
    pack = load_rule_pack(rules)
    table = _load_targets(targets)
    acts = _load_actuals(actuals, table)
    ind, coded = _join_actuals(table.indicators, acts)
    ind, score_issues = score_indicators(ind, pack, coded)
    ind, trends = apply_trends(ind, pack, history)  # trend targets against the prior year (evaluator.trends)
    score_issues = trends.drop_issues(score_issues, ind) if trends else score_issues
    ind, absent, w_issues = apply_weights(ind, pack)
    ind = with_columns(ind, {"self_diff": (ind["self_score"] - ind["points"]).round(pack.digits)})
    ind = with_columns(ind, {"explanation": explain_indicators(ind, pack)})
    ind = trends.explain(ind, pack) if trends else ind
    projects = project_scores(_merge_funds(table.projects, acts), ind, absent, pack)
    projects["execution_explanation"] = explain_executions(projects, pack)
    projects["summary"] = summarize_projects(projects, ind, pack)
    lint = getattr(table, "issues", None)
    if trends and lint is not None:  # "needs last year's value" no longer holds where one was found
        lint = trends.drop_issues(lint, ind, codes=("not_measurable",))
    found = [lint, getattr(acts, "issues", None), score_issues,
             issues_frame(w_issues + _rollup_issues(projects, ind, pack))]
    all_issues = concat_issues(found)
    public = pd.DataFrame({c: ind[c] for c in ind.columns if c not in _INTERNAL}, index=ind.index, copy=False) \
        if len(ind) else ind.drop(columns=[c for c in _INTERNAL if c in ind])
    provenance = {"engine": "evaluator", "engine_version": __version__, **pack.provenance(),
                  "targets": getattr(table, "source", ""), "actuals": getattr(acts, "source", "")}
    for key, read in (("targets", table), ("actuals", acts)):
        if provenance[key]:  # hash the file as given (a table's ``source`` is only its base name)
            provenance[f"{key}_sha256"] = _file_hash(getattr(read, "path", "") or provenance[key])
    return Evaluation(indicators=public, projects=projects, departments=departments_table(projects, pack),
                      issues=all_issues, rule_pack=pack, provenance=provenance,
                      indicators_in=len(table.indicators))


def _rollup_issues(projects: pd.DataFrame, ind: pd.DataFrame, pack: RulePack) -> list[Issue]:
    out: list[Issue] = []
    over = projects["execution_rate"].to_numpy(dtype=float) > 1
    fallback = projects["budget_fallback"].fillna(False).astype(bool).to_numpy()
    weights = ind.groupby("project_id", sort=False, observed=True)["weight"]
    complete = weights.count() == weights.size()
    sums = weights.sum()
    execution = pack.weights["execution"]
    # (complete and sums: one row per project, in the same order)
    off = complete.to_numpy(dtype=bool) & (np.abs(sums.to_numpy(dtype=float) + execution - 100) > 0.01)
    bad_sum = set(complete.index[off].tolist())
    for i in np.flatnonzero(over | fallback | projects["project_id"].isin(bad_sum).to_numpy()):
        p = projects.iloc[i]
        loc = {"project_id": p["project_id"], "project": p.get("project")}
        if over[i]:
            out.append(Issue(code="execution_over", severity=Severity.WARNING, column=message("scoring_columns", "spent"),
                             message=issue_message("execution_over", spent=num(p["spent_annual"], 4),
                                                   budget=num(p["budget_used"], 4)), **loc))
        if fallback[i]:
            out.append(Issue(code="budget_fallback", severity=Severity.INFO, column=message("scoring_columns", "budget"),
                             message=issue_message("budget_fallback"), **loc))
        if p["project_id"] in bad_sum:
            out.append(Issue(code="table_weights", severity=Severity.WARNING, column=message("scoring_columns", "weight"),
                             message=issue_message("table_weights", sum=num(float(sums[p["project_id"]])),
                                                   execution=num(execution)), **loc))
    return out
