"""Row tables as budget systems export them: project cells on every row, a classified project row."""
from __future__ import annotations

from pathlib import Path

from evaluator import read_targets

TABLE = Path(__file__).parent / "fixtures" / "tables" / "repeated_project_cells.csv"


def test_project_name_repeated_on_every_row_is_one_project():
    t = read_targets(TABLE)
    assert list(t.projects["project"]) == ["网格巡查", "宣传经费", "涉密项目"]
    assert list(t.projects["n_indicators"]) == [3, 2, 0]
    assert list(t.projects["budget_total"]) == [100.0, 20.0, 30.0]


def test_classified_row_is_a_flagged_project_without_indicators():
    t = read_targets(TABLE)
    p = t.projects.set_index("project").loc["涉密项目"]
    assert bool(p["classified"]) and p["n_indicators"] == 0
    assert len(t.indicators) == 5
    assert "classified_project" in set(t.issues["code"])
    assert "empty_target" not in set(t.issues["code"])
