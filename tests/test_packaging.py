"""The wheel ships every subpackage and every data file the code loads."""
from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_subpackage_is_listed_in_pyproject():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    found = {".".join(p.relative_to(ROOT).parent.parts) for p in (ROOT / "evaluator").rglob("__init__.py")}
    assert found <= listed, found - listed
    assert "evaluator.scoring_rules" in listed


def test_data_files_live_where_package_data_ships_them():
    stray = [p for p in (ROOT / "evaluator").rglob("*") if p.is_file() and p.suffix not in (".py", ".pyc")
             and p.parent.name != "data" and p.parent != ROOT / "evaluator" / "data" / "wording"
             and "__pycache__" not in p.parts]
    assert stray == []
    assert {"national-2020.toml", "hubei-2020.toml", "guangdong-cap.toml"} <= {p.name for p in (ROOT / "scoring_rules").glob("*.toml")}
