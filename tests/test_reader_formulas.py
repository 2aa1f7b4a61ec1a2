"""Formula cells in an .xlsx target table (readers/io.py ``_formula_cells``).

A clerk who types ``=100%`` or ``=8个`` gets a formula cell: it is read as its text with a
warning, never as empty. A real formula is read as its cached value (an info); without one,
or with an error value, it is a located error.
"""
from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

from openpyxl import Workbook

from evaluator.readers import read_targets
from evaluator.readers.io import literal_formula

HEADER = ["一级指标", "二级指标", "三级指标", "指标值", "分值"]


def _workbook(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "目标表"
    ws.append(["项目名称：校舍维修"])
    ws.append(HEADER)
    ws.append(["产出指标", "数量指标", "维修学校", "=8个", 30])       # row 3: typed text after "="
    ws.append(["产出指标", "质量指标", "验收合格率", "=100%", 30])     # row 4: a typed percentage
    ws.append(["效益指标", "社会效益指标", "安全隐患", "逐步减少", "=SUM(5,15)"])  # row 5: a real formula
    ws.append(["满意度指标", "服务对象满意度指标", "师生满意度", "≥90%", 20])
    wb.save(path)
    return path


def _with_cached(src: Path, dst: Path, cached: dict[str, str]) -> Path:
    """``src`` with cached values written into the formula cells named in ``cached`` (as Excel saves them;
    openpyxl writes none). A value starting with ``#`` is written as an error value (t="e")."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                xml = data.decode("utf-8")
                for ref, value in cached.items():
                    kind = ' t="e"' if value.startswith("#") else ""
                    xml, n = re.subn(rf'<c r="{ref}"([^>]*)><f>([^<]*)</f><v\s*/?>(?:</v>)?',
                                     rf'<c r="{ref}"\1{kind}><f>\2</f><v>{value}</v>', xml)
                    if n == 0:
                        xml, n = re.subn(rf'<c r="{ref}"([^>]*)><f>([^<]*)</f>',
                                         rf'<c r="{ref}"\1{kind}><f>\2</f><v>{value}</v>', xml)
                    assert n == 1, (ref, xml)
                data = xml.encode("utf-8")
            zout.writestr(item, data)
    return dst


def _issues(table, code):
    found = table.issues[table.issues["code"] == code]
    return list(zip(found["severity"], found["row"], found["column"], found["cell"]))


def test_literal_formula():
    assert [literal_formula(f) for f in ("100%", "8个", "≥95%", "-5", "SUM(B2:B5)", "A1*2", "50+10", "Sheet1!A1",
                                         '"≥95%"')] == [True, True, True, True, False, False, False, False, False]


def test_formulas_without_cached_values(tmp_path):
    table = read_targets(_workbook(tmp_path / "t.xlsx"))
    ind = table.indicators
    assert list(ind["target_text"]) == ["8个", "100%", "逐步减少", "≥90%"]
    assert list(ind["kind"])[:2] == ["compare", "compare"]
    assert _issues(table, "formula_as_text") == [("warning", 3, "D", "=8个"), ("warning", 4, "D", "=100%")]
    # the real formula kept no value: empty, and said so where it is
    assert _issues(table, "formula_without_value") == [("error", 5, "E", "=SUM(5,15)")]
    assert ind["weight"].isna().tolist() == [False, False, True, False]


def test_formulas_with_cached_values(tmp_path):
    src = _workbook(tmp_path / "t.xlsx")
    path = _with_cached(src, tmp_path / "cached.xlsx", {"D3": "#NAME?", "D4": "1", "E5": "20"})
    table = read_targets(path)
    ind = table.indicators
    # typed values stay their text (the cached 1 of =100% would lose the percent; =8个 caches #NAME?)
    assert list(ind["target_text"]) == ["8个", "100%", "逐步减少", "≥90%"]
    assert _issues(table, "formula_as_text") == [("warning", 3, "D", "=8个"), ("warning", 4, "D", "=100%")]
    assert list(ind["weight"]) == [30.0, 30.0, 20.0, 20.0]
    assert _issues(table, "formula_value") == [("info", 5, "E", "=SUM(5,15)")]
    assert _issues(table, "formula_without_value") == []


def test_formula_with_an_error_value_is_a_located_error(tmp_path):
    src = _workbook(tmp_path / "t.xlsx")
    path = _with_cached(src, tmp_path / "err.xlsx", {"E5": "#DIV/0!"})
    table = read_targets(path)
    assert _issues(table, "formula_error") == [("error", 5, "E", "=SUM(5,15)")]
    assert table.indicators["weight"].isna().tolist() == [False, False, True, False]
