"""Build target tables and actuals for scoring tests without the readers.

``table([ind(...), ...])`` gives an object with ``.projects`` and ``.indicators`` shaped as
in docs/contracts.md; targets are compiled with ``compile_target`` like the readers do.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from evaluator import compile_target
from evaluator.issues import issues_frame

LEVEL1 = {"1": "产出指标", "2": "效益指标", "3": "满意度指标", "4": "成本指标"}


def ind(target: str, name: str = "指标", project: str = "P001", no: int | None = None, level2: str = "11",
        weight: float = np.nan, level1: str | None = None, annual: str | None = None, hint: str = "",
        level1_printed: str | None = None, level2_printed: str | None = None) -> dict[str, Any]:
    """One indicator row (no = None → numbered in order inside its project)."""
    l1 = level1 or level2[0]
    t = compile_target(target)
    return {"project_id": project, "project": f"项目{project}", "department": "测试部门", "indicator_no": no,
            "level1_code": l1, "level1": LEVEL1.get(l1, ""), "level2_code": level2, "level2": "",
            "level1_raw": f"{level1_printed or l1}-{LEVEL1.get(level1_printed or l1, '')}",
            "level2_raw": f"{level2_printed or level2}-", "level1_code_printed": level1_printed or l1,
            "level2_code_printed": level2_printed or level2, "name": name,
            "annual_text": annual if annual is not None else target, "period_text": target, "target_text": target,
            "target_source": "annual" if annual is None else "period", "target": t, "kind": t.kind,
            "weight": weight, "direction_hint": hint, "unit_hint": "", "source_file": "t.txt", "source_sheet": "",
            "source_row": 1, "source_column": "绩效指标"}


@dataclass
class Table:
    projects: pd.DataFrame
    indicators: pd.DataFrame
    issues: pd.DataFrame = field(default_factory=lambda: issues_frame([]))
    department: str = "测试部门"
    source: str = ""


def table(rows: list[dict[str, Any]], budgets: dict[str, float] | None = None,
          classified: tuple[str, ...] = ()) -> Table:
    df = pd.DataFrame(rows)
    if len(df):
        counter = df.groupby("project_id").cumcount() + 1
        df["indicator_no"] = [int(c) if n is None or n != n else int(n) for n, c in zip(df["indicator_no"], counter)]
    pids = list(dict.fromkeys(list(df["project_id"]) if len(df) else [])) + list(classified)
    budgets = budgets or {}
    projects = pd.DataFrame({"project_id": pids, "department": "测试部门", "project": [f"项目{p}" for p in pids],
                             "budget_total": [budgets.get(p, 100.0) for p in pids],
                             "classified": [p in classified for p in pids],
                             "n_indicators": [int((df["project_id"] == p).sum()) if len(df) else 0 for p in pids]})
    return Table(projects, df)


def actuals(values: dict[tuple[str, int], dict[str, Any]], funds: dict[str, tuple[float, float]] | None = None):
    """Actuals keyed by (project_id, indicator_no) → {actual_text, prior_text, rating, self_score}."""
    from evaluator.actuals import Actuals
    rows = [{"project_id": p, "indicator_no": n, **v} for (p, n), v in values.items()]
    ind = pd.DataFrame(rows, columns=["project_id", "indicator_no", "actual_text", "prior_text", "rating", "self_score", "note"])
    f = pd.DataFrame([{"project_id": p, "budget_annual": b, "spent_annual": s} for p, (b, s) in (funds or {}).items()],
                     columns=["project_id", "budget_annual", "spent_annual"])
    return Actuals(ind, f, issues_frame([]))
