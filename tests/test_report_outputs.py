"""What a reader sees in the reports: department colours, names, grades (issue #15)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from evaluator.compare import compare_files
from evaluator.reports import charts
from evaluator.reports.html import render_comparison
from evaluator.reports.labels import department_label, grade_label

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
PAIRS = [(EXAMPLES / "seed" / "targets.txt", EXAMPLES / "seed" / "actuals.csv"),
         (EXAMPLES / "tianjin-hebei-court" / "targets.tsv", EXAMPLES / "tianjin-hebei-court" / "actuals.csv"),
         (EXAMPLES / "sichuan-mata-zhen" / "targets.tsv", EXAMPLES / "sichuan-mata-zhen" / "actuals.csv")]


@pytest.fixture(scope="module")
def comparison():
    return compare_files(PAIRS, all_packs=False)


@pytest.fixture(scope="module")
def comparison_html(comparison):
    return render_comparison(comparison, {"engine_version": "t", "inputs": []})


def _series_fills(svg: str) -> set[str]:
    return set(re.findall(r'fill="(#[0-9a-f]{6})"', svg)) & set(charts.SERIES_COLOURS)


def test_one_colour_per_department_across_compare_charts(comparison, comparison_html):
    html = comparison_html
    names = [department_label(r.department) for r in comparison.rollups]
    head, *sections = html.split("<section>")
    svgs = re.findall(r"<svg.*?</svg>", head, re.S)
    ranking_svg, profile_svg = svgs[0], svgs[1]
    colour_of = {}
    for name in names:
        # ranking chart: the bar drawn right after the department's label
        m = re.search(re.escape(name) + r"</text><rect [^>]*fill=\"(#[0-9a-f]{6})\"", ranking_svg)
        assert m, name
        colour_of[name] = m.group(1)
        # profile chart legend: swatch then name
        legend = re.search(r'fill="(#[0-9a-f]{6})"/><text [^>]*>' + re.escape(name[:20]), profile_svg)
        assert legend and legend.group(1) == colour_of[name], name
    assert len(set(colour_of.values())) == len(names)
    for name, section in zip(names, sections):
        assert f"<h2>{name} · 部门汇总</h2>" in section
        assert _series_fills("".join(re.findall(r"<svg.*?</svg>", section, re.S))) == {colour_of[name]}


def test_department_names_without_raw_codes(comparison, comparison_html):
    raw = [r.department for r in comparison.rollups]
    assert "207101天津市河北区人民法院" in raw and "820001-井研县马踏镇人民政府" in raw
    assert "207101" not in comparison_html and "820001" not in comparison_html
    assert "天津市河北区人民法院" in comparison_html
    assert department_label("207101天津市河北区人民法院") == "天津市河北区人民法院"
    assert department_label("【820001】井研县马踏镇人民政府") == "井研县马踏镇人民政府"
    assert department_label("12345") == "12345"   # nothing but a code stays as it is
    assert department_label("2024年度某局") == "2024年度某局"  # a year is not a code


def test_pending_grade_shown_as_pending(comparison, comparison_html):
    assert grade_label("") == "待定" and grade_label(None) == "待定" and grade_label("优") == "优"
    pending = comparison.ranking[comparison.ranking["grade"].fillna("") == ""]
    assert len(pending)  # the town's interval crosses a grade line
    row = re.search(r"<tr><td class=\"n\">\d+</td><td class=\"\">井研县马踏镇人民政府</td>.*?</tr>", comparison_html, re.S)
    assert row and ">待定<" in row.group(0)


def test_targets_sha256_filled_through_the_api(tmp_path):
    import hashlib
    import json

    from evaluator.evaluate import evaluate
    from evaluator.readers import read_targets
    from evaluator.reports import write_reports

    seed = EXAMPLES / "seed"
    want = hashlib.sha256((seed / "targets.txt").read_bytes()).hexdigest()
    for targets in (read_targets(seed / "targets.txt"), seed / "targets.txt", str(seed / "targets.txt")):
        ev = evaluate(targets, seed / "actuals.csv")
        assert ev.provenance["targets_sha256"] == want
        paths = write_reports(ev, tmp_path, formats=("json", "html"))
        prov = json.loads(paths["json"].read_text(encoding="utf-8"))["provenance"]
        assert {i["role"]: i["sha256"] for i in prov["inputs"]}["targets"] == want
        assert f"sha256={want}" in paths["html"].read_text(encoding="utf-8")


def test_comparison_xlsx_pending_grade_and_names(comparison, tmp_path):
    import openpyxl

    from evaluator.reports import write_comparison
    paths = write_comparison(comparison, tmp_path, formats=("xlsx",))
    wb = openpyxl.load_workbook(paths["xlsx"])
    ws = wb["部门比较"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=4, max_row=3 + len(comparison.ranking))]
    town = next(r for r in rows if r[1] == "井研县马踏镇人民政府")
    assert town[7] == "待定"
    assert not any("207101" in str(v) for r in rows for v in r)
    assert any(name.startswith("汇总-天津市河北区人民法院") for name in wb.sheetnames)
