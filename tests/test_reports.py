"""Roll-up arithmetic, department comparison and the reports (xlsx, html, csv, json)."""
from __future__ import annotations

import math
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pandas as pd
import pytest

from evaluator.compare import compare_departments, compare_files, rank_with_intervals
from evaluator.reports import write_reports
from evaluator.reports.tables import neutralise, to_csv_bytes
from evaluator.rollup import DERIVED_LABEL, boundary_warnings, rollup_department
from evaluator.rules import load_rule_pack
from evaluator.target import Target
from evaluator import compile_target

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
PACK = load_rule_pack("national-2020")


# --- a small hand-made evaluation in the contract's shape -------------------------
def _ind(pid: str, no: int, name: str, target: str, weight: float, points: float | None, status: str = "scored",
         actual: str = "", block: str = "output", **extra) -> dict:
    t: Target = compile_target(target)
    return {"project_id": pid, "project": pid, "department": "测试部门", "indicator_no": no, "level1": "产出指标",
            "level2": "数量指标", "name": name, "annual_text": target, "target_text": target, "target_source": "annual",
            "target": t, "kind": t.kind, "block": block, "weight_points": weight,
            "points": math.nan if points is None else points, "ratio": math.nan if points is None else points / weight,
            "status": status, "method": "auto", "op_used": t.op or ">=", "actual_text": actual,
            "actual_value": extra.pop("actual_value", math.nan), "target_value": t.value if t.value is not None else math.nan,
            "flag": "", "note": "", "explanation": f"{name} 的说明", **extra}


def _proj(pid: str, name: str, budget: float, total: float, tmin: float | None = None, tmax: float | None = None,
          classified: bool = False, status: str = "scored", grade: str | None = None) -> dict:
    tmin = total if tmin is None else tmin
    tmax = total if tmax is None else tmax
    return {"project_id": pid, "project": name, "department": "测试部门", "budget_total": budget, "classified": classified,
            "goal": "目标", "execution_rate": 1.0, "execution_points": 10.0, "points_output": math.nan,
            "points_benefit": math.nan, "points_satisfaction": math.nan, "total": total, "total_min": tmin,
            "total_max": tmax, "grade": PACK.grade(total) if grade is None and not math.isnan(total) else (grade or ""),
            "status": status, "summary": f"{name} 小结"}


def _evaluation(projects: list[dict], indicators: list[dict], issues: pd.DataFrame | None = None) -> SimpleNamespace:
    return SimpleNamespace(projects=pd.DataFrame(projects), indicators=pd.DataFrame(indicators),
                           issues=issues if issues is not None else pd.DataFrame(columns=["code", "severity", "message"]),
                           rule_pack=PACK, provenance={"targets": "t.tsv", "actuals": "a.csv"}, department="测试部门")


def small_evaluation() -> SimpleNamespace:
    projects = [
        _proj("P001", "甲项目", 100.0, 80.0),
        _proj("P002", "乙项目", 300.0, 90.0),
        _proj("P003", "涉密项目", 500.0, math.nan, classified=True, status="classified"),
        _proj("P004", "丙项目", 100.0, 70.0, 70.0, 85.0, status="partial", grade=""),
    ]
    indicators = [
        _ind("P001", 1, "培训场次", "≥50场", 40.0, 40.0),
        _ind("P002", 1, "覆盖人数", "≥100人", 40.0, 40.0),
        _ind("P004", 1, "宣传次数", "≥10次", 15.0, None, status="pending"),
    ]
    return _evaluation(projects, indicators)


# --- roll-up arithmetic ----------------------------------------------------------------
def test_department_budget_weighted_and_simple_mean():
    r = rollup_department(small_evaluation())
    s = r.summary
    # scored: 80 (100万), 90 (300万), 70 [70–85] (100万); classified excluded, not averaged as 0
    assert s["score"] == pytest.approx((80 * 100 + 90 * 300 + 70 * 100) / 500)
    assert s["score_min"] == pytest.approx((80 * 100 + 90 * 300 + 70 * 100) / 500)
    assert s["score_max"] == pytest.approx((80 * 100 + 90 * 300 + 85 * 100) / 500)
    assert s["score_simple"] == pytest.approx(80.0)
    assert s["score_simple_max"] == pytest.approx(85.0)
    assert DERIVED_LABEL in s["score_basis"]
    assert s["n_excluded_projects"] == 1 and "涉密项目" in s["excluded_projects"]
    assert s["n_pending_projects"] == 1
    assert s["grade_良"] == 1 and s["grade_优"] == 1 and s["grade_待定"] == 1
    # 84 … 87: the interval stays inside 良
    assert s["grade"] == "良"


def test_department_grade_open_when_interval_crosses_a_boundary():
    ev = _evaluation([_proj("P001", "甲", 100.0, 88.0, 88.0, 95.0, status="partial", grade="")],
                     [_ind("P001", 1, "a", "≥10个", 10.0, None, status="pending")])
    s = rollup_department(ev).summary
    assert s["score"] == pytest.approx(88.0) and s["grade"] == ""


def test_department_without_budgets_falls_back_to_simple_mean():
    ev = _evaluation([_proj("P001", "甲", math.nan, 80.0), _proj("P002", "乙", math.nan, 90.0)], [])
    s = rollup_department(ev).summary
    assert s["score"] == pytest.approx(85.0) and "简单平均" in s["score_basis"]


def test_boundary_warning_names_indicator_and_required_actual():
    # 89.6 against 优 at 90: the missed ≥50 indicator (8 of 10 points, actual 40) must reach 42
    ind = [_ind("P001", 1, "培训场次", "≥50场", 10.0, 8.0, actual="40场", actual_value=40.0),
           _ind("P001", 2, "覆盖人数", "≥100人", 10.0, 9.8, actual="98人", actual_value=98.0)]
    ev = _evaluation([_proj("P001", "甲", 100.0, 89.6)], ind)
    w = boundary_warnings(ev.indicators, ev.projects, PACK, margin=1.0)
    assert list(w["indicator"]) == ["培训场次"]  # 覆盖人数 has only 0.2 points of headroom
    row = w.iloc[0]
    assert row["direction"] == "up" and row["boundary"] == 90 and row["gap"] == pytest.approx(0.4)
    assert "42" in row["change"] and "40" in row["change"]
    text = rollup_department(ev).projects.loc[0, "boundary_warning"]
    assert "优" in text and "0.4" in text and "培训场次" in text


def test_boundary_warning_just_above_a_boundary():
    ind = [_ind("P001", 1, "培训场次", "≥50场", 20.0, 20.0, actual="50场", actual_value=50.0),
           _ind("P001", 2, "差错率", "≤2%", 10.0, 10.0, actual="1%", actual_value=1.0)]
    ev = _evaluation([_proj("P001", "甲", 100.0, 90.5)], ind)
    w = boundary_warnings(ev.indicators, ev.projects, PACK, margin=1.0)
    assert set(w["direction"]) == {"down"}
    first = w[w["indicator"] == "培训场次"].iloc[0]["change"]
    # losing more than 0.5 of 20 points: actual below 50 × 19.5/20 = 48.75
    assert "48.75" in first
    rev = w[w["indicator"] == "差错率"].iloc[0]["change"]
    # ≤ target, ratio rule: 2 / (9.5/10) = 2.105…
    assert "2.11" in rev


def test_no_warning_outside_margin():
    ev = _evaluation([_proj("P001", "甲", 100.0, 85.0)], [_ind("P001", 1, "a", "≥10个", 10.0, 5.0)])
    assert boundary_warnings(ev.indicators, ev.projects, PACK, margin=1.0).empty


def test_rank_intervals():
    f = pd.DataFrame({"score": [90.0, 88.0, 70.0], "score_min": [90.0, 85.0, 70.0], "score_max": [90.0, 95.0, 72.0]})
    r = rank_with_intervals(f)
    assert list(r["rank"]) == [1, 2, 3]
    assert list(r["rank_best"]) == [1, 1, 3]   # B could still overtake A
    assert list(r["rank_worst"]) == [2, 2, 3]


def test_comparison_marks_few_scored_and_packs():
    a = rollup_department(small_evaluation())
    b = rollup_department(_evaluation([_proj("P001", "甲", 10.0, 95.0)], [_ind("P001", 1, "a", "≥1个", 40.0, 40.0)]))
    c = compare_departments([a, b], {"national-2020": [a, b]}, min_scored=3)
    assert list(c.ranking["department"]) == ["测试部门", "测试部门"]
    assert c.ranking["few_scored"].all() and list(c.ranking["score"])[0] == pytest.approx(95.0)
    assert "少于3个" in c.ranking.loc[0, "note"]
    assert "rank:national-2020" in c.pack_ranks.columns and c.pack_ranks["rank_stable"].all()


# --- the example departments -------------------------------------------------------------
def _example_dirs() -> list[Path]:
    out = []
    for d in sorted(EXAMPLES.iterdir()) if EXAMPLES.is_dir() else []:
        targets = sorted(p for p in d.glob("targets.*"))
        actuals = sorted(p for p in d.glob("actuals.*"))
        if targets and actuals:
            out.append((targets[0], actuals[0]))
    return out


@pytest.fixture(scope="module")
def example_comparison():
    pairs = _example_dirs()
    if len(pairs) < 2:
        pytest.skip("fewer than two example departments")
    return compare_files(pairs, rules="national-2020", all_packs=True)


def test_examples_compare(example_comparison):
    c = example_comparison
    assert len(c.rollups) == len(_example_dirs()) >= 3  # the seed and two corpus departments
    ranking = c.ranking
    assert ranking["rank"].notna().all()
    assert (ranking["score_min"] <= ranking["score"] + 1e-9).all()
    assert (ranking["score"] <= ranking["score_max"] + 1e-9).all()
    assert (ranking["rank_best"] <= ranking["rank"]).all() and (ranking["rank"] <= ranking["rank_worst"]).all()
    packs = [col for col in c.pack_ranks.columns if col.startswith("rank:")]
    assert {"rank:national-2020", "rank:hubei-2020", "rank:guangdong-cap"} <= set(packs)
    assert set(c.profile.columns) == {"department", "output", "benefit", "satisfaction", "execution"}
    by_name = {r.department: r for r in c.rollups}
    court = next(r for n, r in by_name.items() if "法院" in n)
    assert court.summary["score"] == pytest.approx(98.58, abs=0.01)
    town = next(r for n, r in by_name.items() if "马踏镇" in n)
    # 村组干部报酬 sits at 89.26 with a pending indicator: warned, interval crosses 优
    assert town.summary["grade"] == "" and town.summary["score_max"] > town.summary["score"]
    assert (town.projects["boundary_warning"] != "").any()
    assert town.summary["n_contradictions"] >= 1  # the excerpt's subtotal does not reconcile
    seed = next(r for n, r in by_name.items() if "政法委" in n)
    # five classified projects are listed, not averaged in as zero
    assert seed.summary["n_excluded_projects"] == 5 and "涉密" in seed.summary["excluded_projects"]
    assert seed.summary["score_min"] > 60


# --- reports -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def town_evaluation():
    from evaluator.evaluate import evaluate
    d = EXAMPLES / "sichuan-mata-zhen"
    return evaluate(d / "targets.tsv", d / "actuals.csv")


def test_excel_points_and_totals_match_engine(town_evaluation, tmp_path):
    ev = town_evaluation
    paths = write_reports(ev, tmp_path, formats=("xlsx",))
    ws = openpyxl.load_workbook(paths["xlsx"])["项目自评表"]
    rows = list(ws.iter_rows(values_only=True))
    totals = [r[7] for r in rows if r[0] == "总分"]
    assert totals == pytest.approx(list(ev.projects["total"]))
    head = [i for i, r in enumerate(rows) if r[0] == "绩效指标"]
    got = []
    for h in head:
        for r in rows[h + 1:]:
            if r[0] == "总分":
                break
            got.append(r[7])
    expected = [p if s == "scored" else "待补/待评" for p, s in zip(ev.indicators["points"], ev.indicators["status"])]
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert g == (pytest.approx(e) if isinstance(e, float) else e)
    wb = openpyxl.load_workbook(paths["xlsx"])
    assert {"部门汇总", "问题清单", "出处"} <= set(wb.sheetnames)


def test_outputs_byte_identical(town_evaluation, tmp_path):
    a = write_reports(town_evaluation, tmp_path / "a")
    b = write_reports(town_evaluation, tmp_path / "b")
    assert a.keys() == b.keys()
    for key in a:
        assert a[key].read_bytes() == b[key].read_bytes(), key


def _hostile_evaluation() -> SimpleNamespace:
    ev = small_evaluation()
    ev.projects.loc[0, "project"] = "<script>alert(1)</script>"
    ev.projects.loc[1, "goal"] = '=HYPERLINK("http://evil.example","x")'
    ev.indicators.loc[0, "name"] = "<img src=x onerror=alert(2)>"
    ev.indicators.loc[0, "actual_text"] = "@SUM(A1)"
    ev.indicators.loc[1, "note"] = "-2+3"
    return ev


def test_html_escapes_and_is_offline(tmp_path):
    paths = write_reports(_hostile_evaluation(), tmp_path, formats=("html",))
    html = paths["html"].read_text(encoding="utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    # no resource is ever fetched: no src/href/url()/@import pointing anywhere, no <script>/<link>
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html, re.I)
    # the one url() is the embedded font subset, a data: URL (tests/test_browser.py checks it renders)
    assert not re.search(r"url\((?!data:font/woff;base64,)|@import|<link\b|<script\b|<iframe\b", html, re.I)
    # the only URL is the hostile text itself, shown escaped as text
    assert [u for u in re.findall(r"https?://[^\s\"'<]+", html) if "evil.example" not in u] == []
    assert '"Noto Sans CJK SC"' in html or "&#34;Noto Sans CJK SC&#34;" in html or "Noto Sans CJK SC" in html


@pytest.mark.parametrize("cell, expected", [
    ("=1+2", "'=1+2"),            # formula
    ("+SUM(A1)", "'+SUM(A1)"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"),
    ("\rx", "'\rx"),
    ("正常文本", "正常文本"),
    ("-5", "-5"),                 # a signed number as text is data
    (-3.5, -3.5),                 # numbers stay numbers
    (12, 12),
])
def test_neutralise(cell, expected):
    assert neutralise(cell) == expected


def test_csv_neutralised_numbers_stay_numbers(tmp_path):
    paths = write_reports(_hostile_evaluation(), tmp_path, formats=("csv",))
    raw = paths["indicators"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    df = pd.read_csv(paths["indicators"], encoding="utf-8-sig", keep_default_na=False)
    assert df.loc[0, "actual_text"] == "'@SUM(A1)"
    assert df.loc[1, "note"] == "'-2+3"
    assert pd.api.types.is_numeric_dtype(df["weight_points"])
    proj = pd.read_csv(paths["projects"], encoding="utf-8-sig", keep_default_na=False)
    assert proj.loc[1, "goal"].startswith("'=HYPERLINK")
    assert to_csv_bytes(pd.DataFrame({"x": [-1.5]})).decode("utf-8-sig").splitlines()[1] == "-1.5"


def test_xlsx_has_no_formulas(tmp_path):
    paths = write_reports(_hostile_evaluation(), tmp_path, formats=("xlsx",))
    wb = openpyxl.load_workbook(paths["xlsx"])
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)


def test_json_has_provenance(town_evaluation, tmp_path):
    import json
    paths = write_reports(town_evaluation, tmp_path, formats=("json",))
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    prov = data["provenance"]
    assert prov["rule_pack"] == "national-2020" and len(prov["rule_pack_sha256"]) == 64
    assert {i["name"] for i in prov["inputs"]} == {"targets.tsv", "actuals.csv"}
    assert {i["name"]: len(i["sha256"]) for i in prov["inputs"]}["actuals.csv"] == 64
    assert set(data) >= {"indicators", "projects", "departments", "issues"}


def test_comparison_provenance_hashes_every_input(example_comparison, tmp_path):
    import hashlib
    import json
    from evaluator.reports import write_comparison
    paths = write_comparison(example_comparison, tmp_path, formats=("json",))
    prov = json.loads(paths["json"].read_text(encoding="utf-8"))["provenance"]
    expected = {(p.name, hashlib.sha256(p.read_bytes()).hexdigest()) for pair in _example_dirs() for p in pair}
    assert {(i["name"], i["sha256"]) for i in prov["inputs"]} == expected




def test_embedded_font_subset_is_the_same_bytes_at_another_time(monkeypatch):
    """The font subset keeps the font's own date: a report made a minute later is the same file."""
    from evaluator.reports import fonts
    found = fonts.find_cjk_font()
    assert found is not None, "CI installs fonts-noto-cjk (.ci/run); without a CJK font no subset is embedded"
    made = []
    for epoch in ("1700000000", "1800000000"):  # fontTools stamps 'now' from SOURCE_DATE_EPOCH when set
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
        made.append(fonts._subset.__wrapped__(found[0], found[1], "绩效自评得分"))
    assert made[0] and made[0] == made[1]
