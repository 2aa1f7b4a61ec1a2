"""Hostile input: files that try to do harm when read, or when our outputs are opened.

- formula-looking text is neutralised in every CSV/xlsx we write (numbers stay numbers);
- user text in the HTML report is escaped;
- .xlsx reading refuses entity expansion (our check, and openpyxl's defusedxml) and zip bombs.
Rule packs are data: see ``test_broken_input.py::test_rule_pack_is_data_never_executed``.
"""
from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import defusedxml
import openpyxl
import pytest

from broken import builders as b
from evaluator.cli import main
from evaluator.safety import FORMULA_STARTS

HOSTILE = {
    # the readers drop HTML tags (published cells are wrapped in <p>) and then decode entities,
    # so markup reaches the engine as entities: this cell becomes <script>alert(1)</script>
    "网格巡查": "&lt;script&gt;alert(1)&lt;/script&gt;",
    "巡查次数": "=1+1",
    "问题办结率": "@SUM(A1:A9)",
    "平均响应时间": "+cmd|' /C calc'!A0",
    "群众满意度": "-2+3",
    "法治宣传": '"&gt;&lt;img src=x onerror=alert(2)&gt;',
}


@pytest.fixture
def hostile(tmp_path) -> tuple[Path, Path]:
    targets = b.TARGETS_OK.read_text(encoding="utf-8")
    actuals = b.ACTUALS_OK.read_text(encoding="utf-8")
    for good, bad in HOSTILE.items():
        quoted = '"' + bad.replace('"', '""') + '"'
        targets, actuals = targets.replace(good, quoted), actuals.replace(good, quoted)
    actuals = actuals.replace("96%", "=96%")  # a formula typed as an actual value
    t, a = tmp_path / "targets.csv", tmp_path / "actuals.csv"
    t.write_text(targets, encoding="utf-8")
    a.write_text(actuals, encoding="utf-8")
    return t, a


def _formula_like(value: object) -> bool:
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return False
    try:
        float(value)  # "-3" written as text is a number, not a formula
        return False
    except ValueError:
        return True


def csv_cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [c for row in csv.reader(fh) for c in row]


def xlsx_cells(path: Path) -> list[openpyxl.cell.Cell]:
    wb = openpyxl.load_workbook(path)
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]


def assert_csv_safe(path: Path, must_contain: str) -> None:
    cells = csv_cells(path)
    assert any(must_contain in c for c in cells), f"{must_contain} not in {path.name}"
    bad = [c for c in cells if _formula_like(c)]
    assert not bad, f"{path.name}: formula-looking cells {bad[:5]}"


def assert_xlsx_safe(path: Path) -> None:
    cells = xlsx_cells(path)
    formulas = [c.coordinate for c in cells if c.data_type == "f"]
    assert not formulas, f"{path.name}: cells written as formulas {formulas[:5]}"
    bad = [(c.parent.title, c.coordinate, c.value) for c in cells if _formula_like(c.value)]
    assert not bad, f"{path.name}: formula-looking text {bad[:5]}"


def test_check_output_csv_and_xlsx_neutralised(hostile, tmp_path, capfd):
    targets, _ = hostile
    # an extra formula in a cell the issues table quotes (an unknown column header)
    text = targets.read_text(encoding="utf-8").splitlines()
    text[0] += ",=cmd()"
    targets.write_text("\n".join(text) + "\n", encoding="utf-8")
    for name in ("issues.csv", "issues.xlsx"):
        assert main(["check", str(targets), "-o", str(tmp_path / name)]) == 0
    capfd.readouterr()
    assert_csv_safe(tmp_path / "issues.csv", "'=cmd()")
    assert_xlsx_safe(tmp_path / "issues.xlsx")
    cells = xlsx_cells(tmp_path / "issues.xlsx")
    assert any(c.value == "'=cmd()" for c in cells)
    assert any(isinstance(c.value, int) for c in cells)  # row numbers stay numbers


def test_score_outputs_neutralised(hostile, tmp_path, capfd):
    targets, actuals = hostile
    out = tmp_path / "out"
    assert main(["score", str(targets), str(actuals), "-o", str(out)]) == 0
    capfd.readouterr()
    assert_csv_safe(out / "indicators.csv", "'=1+1")
    assert_csv_safe(out / "projects.csv", "<script>")
    assert_csv_safe(out / "issues.csv", "")
    assert_xlsx_safe(out / "report.xlsx")
    values = [c.value for c in xlsx_cells(out / "report.xlsx")]
    assert "'=1+1" in values or any(isinstance(v, str) and "'=1+1" in v for v in values)
    assert any(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


def test_template_xlsx_neutralised(hostile, tmp_path, capfd):
    targets, _ = hostile
    assert main(["template", str(targets), "-o", str(tmp_path / "t.xlsx")]) == 0
    capfd.readouterr()
    assert_xlsx_safe(tmp_path / "t.xlsx")


def test_template_csv_neutralised(hostile, tmp_path, capfd):
    targets, _ = hostile
    assert main(["template", str(targets), "-o", str(tmp_path / "t.csv")]) == 0
    capfd.readouterr()
    assert_csv_safe(tmp_path / "t.csv", "=1+1")


def test_reader_keeps_markup_as_text(hostile):
    from evaluator.readers import read_targets

    projects = list(read_targets(hostile[0]).projects["project"])
    assert projects == ["<script>alert(1)</script>", '"><img src=x onerror=alert(2)>']


def test_html_report_escapes_user_text(hostile, tmp_path, capfd):
    targets, actuals = hostile
    out = tmp_path / "out"
    assert main(["score", str(targets), str(actuals), "-o", str(out)]) == 0
    capfd.readouterr()
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown as text


def test_defusedxml_is_in_effect():
    assert openpyxl.xml.DEFUSEDXML is True


def test_billion_laughs_refused_by_openpyxl_too(tmp_path):
    """Second line of defence: even without our prolog check, openpyxl's defusedxml refuses entities."""
    path = b.billion_laughs_xlsx(tmp_path / "laughs.xlsx")
    with pytest.raises(Exception) as info:
        openpyxl.load_workbook(path, read_only=True)
    chain, exc = [], info.value
    while exc is not None:
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__
    assert any(isinstance(e, defusedxml.DefusedXmlException) for e in chain), chain


def test_zip_bomb_refused_before_inflating(tmp_path, monkeypatch):
    """The archive check reads sizes from the directory; nothing is inflated."""
    path = b.zip_bomb_xlsx(tmp_path / "bomb.xlsx")
    opened = []
    real_open = zipfile.ZipFile.open

    def spy(self, name, *args, **kwargs):
        opened.append(getattr(name, "filename", name))
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    from evaluator.issues import InputError
    from evaluator.readers import read_targets

    with pytest.raises(InputError) as info:
        read_targets(path)
    assert info.value.code == "archive_too_large"
    assert "xl/media/image1.bin" not in opened
