"""Compare ``read_targets`` with truth files in the format of the shared real-table cases.

``DOC.indicators.csv`` (one row per indicator a correct reader returns) and
``DOC.projects.csv`` (one row per project: budget in 万元, expected indicator count), as
described in ``docs/readers.md`` ("Truth files"). The rules are those of the project's
read check: text compared after NFKC folding without whitespace, numbers numerically, a
target right as printed or with its separate comparator/unit cells put around it.
"""
from __future__ import annotations

import csv
import math
import re
import unicodedata
from pathlib import Path

_NUM = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_COMPARATORS = {"≥", "≤", "=", ">", "<", "≧", "≦", ">=", "<="}
_DIRECTION_WORDS = {"大于等于": "≥", "小于等于": "≤", "等于": "=", "大于": ">", "小于": "<"}


def norm(text) -> str:
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    s = "".join(unicodedata.normalize("NFKC", str(text)).split())
    return "" if s.lower() in ("nan", "none") else s


def same(a, b) -> bool:
    na, nb = norm(a), norm(b)
    if na == nb:
        return True
    if _NUM.match(na.replace(",", "")) and _NUM.match(nb.replace(",", "")):
        return math.isclose(float(na.replace(",", "")), float(nb.replace(",", "")), abs_tol=1e-9)
    return False


def read_csv(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _cell(row: dict, key: str) -> str:
    v = row.get(key)
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)


def _target_ok(t: dict, r: dict) -> bool:
    value = t.get("target_text", "")
    got = [_cell(r, "annual_text"), _cell(r, "target_text")]
    if not norm(value):
        return norm(got[0]) == "" or norm(got[1]) == ""
    comps = {""}
    if t.get("nature_column", "").strip() in _COMPARATORS:
        comps.add(t["nature_column"].strip())
    if t.get("direction_column", "").strip() in _DIRECTION_WORDS:
        comps.add(_DIRECTION_WORDS[t["direction_column"].strip()])
    unit = t.get("unit_column", "").strip()
    units = {"", unit} if unit and unit not in value else {""}
    return any(same(c + value + u, g) for c in comps for u in units for g in got)


def field_failures(t: dict, r: dict) -> list[str]:
    """Fields of indicator row ``r`` that differ from truth row ``t``."""
    bad = []
    for lvl in ("level1", "level2"):
        if not any(same(t.get(lvl, ""), _cell(r, k)) for k in (lvl + "_raw", lvl)):
            bad.append(lvl)
    if not same(t.get("indicator", ""), _cell(r, "name")):
        bad.append("name")
    if not _target_ok(t, r):
        bad.append("target_text")
    if not same(t.get("actual_text", ""), _cell(r, "table_actual_text")):
        bad.append("actual_text")
    want_w = t.get("weight", "")
    got_w = r.get("weight")
    got_w = None if got_w is None or (isinstance(got_w, float) and math.isnan(got_w)) else got_w
    if norm(want_w) and not (got_w is not None and same(want_w, got_w)):
        bad.append("weight")
    if not norm(want_w) and got_w is not None:
        bad.append("weight")
    if not same(t.get("self_score", ""), _cell(r, "table_score_text")):
        bad.append("self_score")
    return bad


def compare(table, stem: Path) -> list[str]:
    """Every difference between a read table and the truth files next to ``stem`` (empty: all right)."""
    truth = read_csv(stem.with_name(stem.name + ".indicators.csv"))
    projects = read_csv(stem.with_name(stem.name + ".projects.csv"))
    inds = table.indicators.to_dict("records")
    eng = table.projects.to_dict("records")
    out = []
    if len(eng) != len(projects):
        out.append(f"projects: {len(eng)} read, {len(projects)} expected ({[p['project'] for p in eng]})")
    for tp, ep in zip(projects, eng):
        if norm(tp["project"]) and not same(tp["project"], ep["project"]):
            out.append(f"project name {ep['project']!r} != {tp['project']!r}")
        rows = [r for r in inds if r["project_id"] == ep["project_id"]]
        if len(rows) != int(tp["expected_indicators"]):
            out.append(f"{tp['project']!r}: {len(rows)} indicators, {tp['expected_indicators']} expected")
        wants = [float(tp[k]) for k in ("budget_wan", "budget_alt_wan") if norm(tp.get(k))]
        gots = [ep.get(k) for k in ("budget_total", "table_budget_annual", "table_budget_initial")]
        gots = [g for g in gots if g is not None and not (isinstance(g, float) and math.isnan(g))]
        if wants and not any(math.isclose(w, g, abs_tol=0.005) for w in wants for g in gots):
            out.append(f"{tp['project']!r}: budget {gots} expected {wants}")
        if not wants and gots:
            out.append(f"{tp['project']!r}: budget {gots} read, none printed")
        truth_rows = [t for t in truth if norm(t["project"]) == norm(tp["project"])]
        for t, r in zip(truth_rows, rows):
            bad = field_failures(t, r)
            if bad:
                out.append(f"{tp['project']!r} #{t['indicator_no']} {t['indicator']}: {bad} "
                           f"(read {[_cell(r, k) for k in ('level1_raw', 'level2_raw', 'name', 'annual_text', 'table_actual_text', 'weight', 'table_score_text')]})")
    return out
