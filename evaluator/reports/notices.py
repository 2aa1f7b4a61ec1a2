"""Notices a reader must see first: things that make the whole report mean less than it seems.

One place for the wording, used at the top of the terminal summary, report.html, report.xlsx and
report.json (``notices``), so every output says the same thing.
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from ..wording import message

#: no actual value anywhere: the scores are only the budget execution part
NO_ACTUALS = message("reports_notices", "no_actuals")


def _filled(column: Any) -> pd.Series:
    text = column.astype("string").fillna("").str.strip()
    return (text != "") & (text.str.lower() != "nan")


def has_actuals(evaluation: Any) -> bool:
    """True when at least one indicator has an actual value, a rating or a self score (the input had actuals)."""
    ind = getattr(evaluation, "indicators", None)
    if ind is None or not len(ind):
        return True  # nothing to fill: not the "no actuals" case
    for col in ("actual_text", "rating", "self_score", "actual_value"):
        if col in ind.columns and bool(_filled(ind[col]).any()):
            return True
    return False


def notices(evaluation: Any) -> list[str]:
    """The notices for one department's evaluation, most important first."""
    out = []
    if not has_actuals(evaluation):
        out.append(NO_ACTUALS)
    return out
