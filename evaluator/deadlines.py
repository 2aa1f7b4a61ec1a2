"""Deadline targets (2023年12月, 10月前, 第三季度) scored against completion dates.

A deadline target compiles to a ``done`` target with ``due`` set (``"2023-12"``, ``"--10"``,
``"2022"``). An actual that is a date (2024年3月, 8月, 2023年, 2024年3月完成) is compared with it:
on time or early is met; late is not met and takes the rule pack's ``[deadline] late`` tiers
(none in the national pack: late scores 0). An actual of just 完成/是 keeps the done rule, and
the explanation says that no date was checked.

>>> months_late("2023-12", (2024, 3)), months_late("--10", (None, 8)), months_late("2022", (2023, None))
(3, -2, 12)
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from .compiler import _DATE_SPAN, _PUNCT, _QUARTER_SPAN, deadline_of
from .enums import Method, Status
from .lexicon import lexicon, normalize

# 8月, 11月份, 2024年3月: a month alone is a date in an actual cell (the compiler reads 8月 as a
# duration only because a target never states a month that way)
_MONTH = re.compile(r"(?:(?:19|20)\d{2}\s*年\s*)?\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?(?:份|底|末|初|中旬|上旬|下旬)?")


@lru_cache(maxsize=65536)
def actual_date(text: str) -> tuple[int | None, int | None] | None:
    """(year, month) of an actual that states a completion date, else None.

    >>> actual_date("2024年3月"), actual_date("已于8月完成"), actual_date("延期至2024年3月完成"), actual_date("完成")
    ((2024, 3), (None, 8), (2024, 3), None)
    """
    s = normalize(text).strip()
    rest = _MONTH.sub("", _DATE_SPAN.sub("", _QUARTER_SPAN.sub("", s)))
    if rest == s:
        return None
    rest = lexicon().deadline_filler_re.sub("", rest).strip(_PUNCT + " ")
    return deadline_of(s) if not rest else None


def _due(due: str) -> tuple[int | None, int | None]:
    if due.startswith("--"):
        return None, int(due[2:])
    year, _, month = due.partition("-")
    return int(year), (int(month) if month else None)


def months_late(due: str, actual: tuple[int | None, int | None]) -> int | None:
    """Months the actual date is after the deadline (0 or less: on time); None when the two
    cannot be compared (a year against a month of an unknown year)."""
    t_year, t_month = _due(due)
    a_year, a_month = actual
    if t_year is not None and a_year is not None:
        if t_month is None or a_month is None:
            return (a_year - t_year) * 12
        return (a_year * 12 + a_month) - (t_year * 12 + t_month)
    if t_month is not None and a_month is not None:
        return a_month - t_month
    return None


def late_ratio(months: int, pack: Any) -> float:
    """Share of the points for a deliverable ``months`` late under the pack's ``[deadline] late``
    tiers (the first tier whose ``months`` covers it); 0 when none does."""
    for tier in sorted(pack.data["deadline"]["late"], key=lambda t: t["months"]):
        if months <= tier["months"]:
            return float(tier["ratio"])
    return 0.0


def deadline_outcome(target: Any, actual: Any, pack: Any) -> dict[str, Any] | None:
    """The outcome of a deadline target against one actual, or None when the date rules do not
    apply (no deadline, or an actual that is neither a date nor a plain yes)."""
    due = getattr(target, "due", None)
    if not due:
        return None
    date = actual_date(actual.raw)
    late = months_late(due, date) if date is not None else None
    if late is None:
        if actual.kind != "yes":
            return None
        return {"status": Status.SCORED, "method": Method.AUTO, "ratio": 1.0, "rule": "done_yes_undated", "args": {"due": due}}
    if late <= 0:
        return {"status": Status.SCORED, "method": Method.AUTO, "ratio": 1.0, "rule": "deadline_met",
                "args": {"due": due}}
    return {"status": Status.SCORED, "method": Method.AUTO, "ratio": late_ratio(late, pack), "rule": "deadline_late",
            "args": {"due": due, "months_late": late}}
