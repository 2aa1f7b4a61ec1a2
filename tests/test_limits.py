"""Pathological inputs at small sizes: every step's work grows linearly with its input.

Work is counted, not timed: the Python lines executed (``sys.settrace``) or the calls of the
function that was quadratic. Each case runs at n and 4n; the work at 4n must stay within
``4 × SLACK`` times the work at n (a quadratic step gives 16×).
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from evaluator.issues import InputError
from evaluator.readers import io as rio

SLACK = 1.6  # work(4n) <= 4 * SLACK * work(n): linear with room for constant terms; quadratic is 16x


def lines_run(fn, *args) -> int:
    """Python lines executed by ``fn(*args)`` (in the evaluator package only)."""
    count = 0

    def local(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return local

    def tracer(frame, event, arg):
        return local if "evaluator" in frame.f_code.co_filename else None

    old = sys.gettrace()
    sys.settrace(tracer)
    try:
        fn(*args)
    except InputError:
        pass
    finally:
        sys.settrace(old)
    return count


def assert_linear(make, run, n: int = 300) -> None:
    small, large = lines_run(run, make(n)), lines_run(run, make(4 * n))
    assert large <= 4 * SLACK * max(small, 1), f"work {small} at n={n}, {large} at 4n: not linear"


@pytest.mark.parametrize("make", [lambda n: "一" * n, lambda n: "1." * n, lambda n: "1个" * n,
                                  lambda n: "每月1次；" * n, lambda n: "≥" + "+1" * n,
                                  lambda n: "（" * n + "1", lambda n: "二十" * n],
                         ids=["numerals", "dots", "units", "per", "terms", "brackets", "numeral pairs"])
def test_compile_target_is_linear(make):
    from evaluator.compiler import _compile

    def run(text):
        _compile(text)  # (below the cache)

    assert_linear(make, run)


@pytest.mark.parametrize("make", [lambda n: "每亩1元" * n, lambda n: "提高1%" * n, lambda n: "无事故,1%" * n,
                                  lambda n: "(上年1%)1" * n, lambda n: "每周不少于1天" * n, lambda n: "三分之" * n,
                                  lambda n: "1/" * n, lambda n: "1尾" * n, lambda n: "60岁老人" * n],
                         ids=["lead per", "change verbs", "zero clauses", "prior brackets", "adjacent basis",
                              "fractions", "slash fractions", "unknown units", "ages"])
def test_compile_target_issue13_patterns_are_linear(make):
    """The look-backs added for issue 13 stay bounded in a long cell."""
    from evaluator.compiler import _compile

    assert_linear(make, _compile)


def test_stray_quotes_are_linear():
    """A stray quote on every other line: each is reported and its line read as typed; no rescans."""
    def run(text):
        rows, issues = rio._split_text(text, ",", "t.csv")
        assert sum(i.code == "unbalanced_quote" for i in issues) >= 1

    assert_linear(lambda n: 'a,"b\nc,d\n' * n, run)


def test_parse_actuals_spaced_numbers_are_linear():
    from evaluator.values import _spaced_number

    assert_linear(lambda n: "1 000 " * n + "份", _spaced_number)


def test_formula_of_a_thousand_terms():
    from evaluator.values import evaluate_formula

    names = [f"甲{i}" for i in range(1500)]
    formula = "满意度=(" + "+".join(names) + ")/总数"
    assert len(formula.encode()) > 6000
    assert evaluate_formula(formula, tuple((n, 1.0) for n in names) + (("总数", 15.0),)) == 100.0


def test_one_row_of_commas_is_refused_before_parsing(tmp_path):
    path = tmp_path / "commas.csv"
    path.write_bytes(b"a,b\n" + b"," * (4 * rio.MAX_COLUMNS) + b"\n")
    for load in (rio.load_rows, rio.load_text_grid):
        with pytest.raises(InputError) as exc:
            load(path)
        assert exc.value.code == "too_many_columns" and exc.value.row == 2


def test_far_cell_does_not_pad_every_row(tmp_path):
    """One cell at XFD1048576: the sheet is bounded by the cells present, not 16384 × 1048576."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"] = "项目名称"
    wb.active["XFD1048576"] = "x"
    wb.save(tmp_path / "far.xlsx")
    (sheet,) = rio.load_rows(tmp_path / "far.xlsx").sheets
    assert len(sheet.rows) <= rio._BLANK_RUN + 2
    assert sheet.rows[0].cells == ("项目名称",)
    assert sheet.rows[-1].number == 1_048_576 and sheet.rows[-1].cells[-1] == "x"


def test_merged_ranges_are_not_compared_with_each_other(monkeypatch):
    """The report workbook registers merged ranges without openpyxl's check of each against all
    earlier ones (quadratic in projects): no range comparison at all."""
    from openpyxl.worksheet.cell_range import CellRange, MultiCellRange

    from evaluator import evaluate
    from evaluator.reports.excel import department_workbook
    from evaluator.reports.provenance import build_provenance
    from evaluator.rollup import rollup_department

    calls = [0]
    original = CellRange.issubset

    def counted(self, other):
        calls[0] += 1
        return original(self, other)

    monkeypatch.setattr(CellRange, "issubset", counted)
    monkeypatch.setattr(CellRange, "__le__", counted)
    monkeypatch.setattr(MultiCellRange, "__contains__", lambda self, c: pytest.fail("merged range compared"))
    root = Path(__file__).resolve().parent
    ev = evaluate(root / "broken" / "targets_ok.csv", root / "broken" / "actuals_ok.csv")
    rollup = rollup_department(ev)
    wb = department_workbook(ev, rollup, build_provenance(ev, rollup.department, None))
    assert sum(len(ws.merged_cells.ranges) for ws in wb.worksheets) > 4
    assert calls[0] == 0


def test_fifo_is_refused(tmp_path):
    import os

    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(InputError) as exc:
        rio.load_rows(fifo)  # would block forever if opened
    assert exc.value.code == "not_a_file"


def test_too_many_rows_is_refused_never_cut(tmp_path, monkeypatch):
    monkeypatch.setattr(rio, "MAX_ROWS", 10)
    path = tmp_path / "long.csv"
    path.write_text("".join(f"a{i},b\n" for i in range(11)), encoding="utf-8")
    for load in (rio.load_rows, rio.load_text_grid):
        with pytest.raises(InputError) as exc:
            load(path)
        assert exc.value.code == "too_many_rows" and exc.value.row == 11
