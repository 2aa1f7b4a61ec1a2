"""The scoring case table: every kind, every switch, the edges (tests/cases/scoring_cases.tsv).

Each case is one indicator, carrying its own 分值 (so the table weight is used as is),
scored under the named pack; expected status, points and flag were worked out by hand.
"""
from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

from evaluator import evaluate
from scoring_helpers import actuals, ind, table

CASES = list(csv.DictReader((Path(__file__).parent / "cases" / "scoring_cases.tsv").open(encoding="utf-8"),
                            delimiter="\t"))


@pytest.mark.parametrize("case", CASES, ids=[f"{i + 2}:{c['target'][:12]}→{c['actual'] or c['rating']}" for i, c in enumerate(CASES)])
def test_case(case: dict[str, str]) -> None:
    t = table([ind(case["target"], case["name"], weight=float(case["weight"]))])
    a = actuals({("P001", 1): {"actual_text": case["actual"], "prior_text": case["prior"], "rating": case["rating"]}})
    row = evaluate(t, a, rules=case["pack"]).indicators.iloc[0]
    assert row["status"] == case["status"], row["explanation"]
    if case["points"]:
        assert math.isclose(row["points"], float(case["points"]), abs_tol=1e-9), row["explanation"]
    else:
        assert math.isnan(row["points"])
    assert (row["flag"] or "") == case["flag"], row["explanation"]
    assert row["explanation"]


def test_case_count() -> None:
    assert len(CASES) >= 80
