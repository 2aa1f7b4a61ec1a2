"""``check --history``: a year's targets against the year before, from the store.

* ``target_below_prior`` (warning): a ≥ target below last year's actual of the same indicator
  (or a ≤ target above it) — the target may be set low;
* ``indicator_disappeared`` (warning): an indicator of last year's table not in this one
  (matched as in :mod:`evaluator.history.keys`; a mapping CSV names renamed ones).

Last year's value comes from the store; where it has none, from a prior printed in the target
itself (the compiler's ``prior`` field, e.g. ``≥85%(2023年:82%)``).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ..issues import Issue, issue_message, issues_frame
from ..trends import _printed_prior, stated_change
from ..units import conversion_factor
from ..values import parse_actual
from ..wording import message
from . import Priors, _store_dept, match_years
from .store import open_store


def _below(target: Any, prior_text: str) -> bool:
    """True when a compare target is on the easy side of last year's actual."""
    if getattr(target, "kind", None) != "compare" or target.value is None or target.op not in (">=", ">", "<=", "<"):
        return False
    if stated_change(getattr(target, "raw", "")):
        return False
    p = parse_actual(prior_text)
    if p.kind != "number":
        return False
    f = conversion_factor(p.unit or target.unit, p.per, target.unit or p.unit, target.per)
    if f is None:
        return False
    prior = p.value * f
    return target.value < prior - 1e-9 if target.op in (">=", ">") else target.value > prior + 1e-9


def history_issues(table: Any, db: str | Path, year: int, mapping: str | Path | None = None) -> pd.DataFrame:
    ind = table.indicators
    found: list[Issue] = []
    priors = Priors(db, year, mapping).lookup(ind) if Path(db).is_file() else [None] * len(ind)
    targets = ind["target"].tolist() if "target" in ind else [None] * len(ind)
    for k, (prior, target) in enumerate(zip(priors, targets)):
        prior = prior or _printed_prior(target)
        if prior is None or not _below(target, prior.text):
            continue
        r = ind.iloc[k]
        found.append(Issue(
            code="target_below_prior", severity="warning",
            column=message("history_issue_words", "target_below_prior_column"),
            message=issue_message("target_below_prior", target=r.get("target_text", ""),
                            year=prior.year or message("history_issue_words", "prior_year_unknown"), prior=prior.text,
                            source=prior.source),
            file=r.get("source_file"), row=r.get("source_row"), project_id=r.get("project_id"),
            project=r.get("project"), indicator_no=r.get("indicator_no"), cell=r.get("target_text")))
    if Path(db).is_file():
        dept = table.department or (str(ind["department"].iloc[0]) if len(ind) and "department" in ind else "")
        with open_store(db) as store:
            if year - 1 in store.years(_store_dept(store, dept, year - 1)):
                gone = match_years(store, dept, year, mapping, this_year=ind)["disappeared"]
                for r in gone.itertuples(index=False):
                    found.append(Issue(
                        code="indicator_disappeared", severity="warning",
                        column=message("history_issue_words", "indicator_disappeared_column"),
                        message=issue_message("indicator_disappeared", year=year - 1, project=r.project_prior,
                                        name=r.name_prior, target=r.target_text_prior),
                        project=r.project_prior, cell=r.name_prior))
    return issues_frame(found)
