"""load_text_grid gives exactly the rows load_rows gives, for every text table."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluator.issues import InputError
from evaluator.readers import io as rio
from evaluator.readers.io import load_rows, load_text_grid

ROOT = Path(__file__).resolve().parent.parent
TEXT_SUFFIXES = {".csv", ".tsv", ".txt", ".tab"}


def outcome(fn, path: Path):
    try:
        return fn(path)
    except InputError as exc:
        return ("InputError", exc.code, str(exc))


def assert_same(path: Path) -> rio.Grid | None:
    """load_text_grid(path) holds the rows, encoding and issues of load_rows(path), or both refuse alike."""
    ref, grid = outcome(load_rows, path), outcome(load_text_grid, path)
    if isinstance(ref, tuple) or isinstance(grid, tuple):
        assert ref == grid
        return None
    if grid is None:  # Excel
        assert [s.name for s in ref.sheets] != [None]
        return None
    (sheet,) = ref.sheets
    assert grid.rows() == sheet.rows
    assert grid.encoding == ref.encoding
    assert grid.issues == ref.issues
    n = len(sheet.rows)
    assert grid.cells.shape == (n, max((len(r.cells) for r in sheet.rows), default=0))
    assert grid.lengths.tolist() == [len(r.cells) for r in sheet.rows]
    assert grid.numbers.tolist() == [r.number for r in sheet.rows]
    for i, k in enumerate(grid.lengths.tolist()):
        assert all(c == "" for c in grid.cells[i, k:])
    assert grid.rows(1, 3) == sheet.rows[1:3]
    return grid


def write(tmp_path: Path, data: bytes, suffix: str = ".csv") -> Path:
    path = tmp_path / f"t{suffix}"
    path.write_bytes(data)
    return path


CASES = {
    "plain": "a,b,c\n1,2,3\n",
    "no trailing newline": "a,b\n1,2",
    "crlf": "a,b\r\n1,2\r\n\r\n3,4\r\n",
    "lone cr": "a,b\r1,2\r3\n4",
    "blank lines": "\n\na,b\n\n\nc\n\n",
    "only delimiters": "a,b,c\n,,\n, ,\n,,x\n",
    "ragged longer later": "a\nb,c\nd,e,f,g\n\nh,,,,,,,\n",
    "ragged shorter later": "a,b,c,d\ne\n",
    "trailing empties": "a,,,\n,b,,\n,,,c\n",
    "quoted delimiter": 'a,"b,c",d\n"x,y,z"\n',
    "quoted newline": 'a,"b\nc",d\ne,f\n"g\r\nh"\ni\n',
    "quote after quoted": '"a"b,c\n"a" ,b\n"a""b",c\n',
    "quote inside field": 'a"b"c,d\ne,f"\n',
    "empty quoted": '"",""\n"",x\n"  ",y\n',
    "unterminated quote": 'a,b\n"c,d\ne,f\n',
    "quote at end": 'a,"b',
    "bom": "\ufeffa,b\n1,2\n",
    "double bom": "\ufeff\ufeffa,b\n1,2\n",
    "tabs": "a\tb\tc\n1\t 2 \t3\n",
    "quoted tabs": 'a\tb\n"\t"\t"\tx"\n"y\t"\t"a\tb"\n\t\tc\n',
    "tab beyond sniffing": "a,b\n" * 40_000 + "c\td,e\n",
    "spaces at edges": " a , b ,c \n\t1\t,2 , 3\n  \n",
    "wide spaces": "\u3000a\u3000,b\xa0,\u2028c,d\u3000e\n\x85x,y\u205f\n\u1680z,\u2009\n",
    "html": "<p>项目</p>,<br>a<br/>b,&amp;&lt;x&gt;\n</p><p>c,<b>粗</b>,&nbsp;d\n",
    "html like": "<5%,<=3,a<b,< br>,<\u3000br>,a&b,&,&#,&#x41;\n",
    "entity to control": "a,&#1;b,c\n",
    "control": "a,b\x01c\n\x7fd,e\n",
    "nul late": "a,b\n" * 2000 + "c\x00d\n",
    "long cell": "a," + "长" * (rio.MAX_CELL + 5) + "\nb,c\n",
    "long line short cells": ("x" * 1000 + ",") * 25 + "\n",
    "whitespace only": " \n\u3000\n",
    "chinese": "项目名称,指标值\n乡村振兴,≥95%\n“服务”,—\n",
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("encoding", ["utf-8", "gb18030", "utf-16"])
def test_cases(tmp_path, name, encoding):
    text = CASES[name]
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        pytest.skip("not encodable")
    for suffix in (".csv", ".txt"):
        assert_same(write(tmp_path, data, suffix))


@pytest.mark.parametrize("data", [b"", b"  \n", b"\x00\x01\x02binary", b"a,b\n\xff\xfe\xfa\n", b"\xef\xbb\xbf",
                                  b"\xff\xfe\x00", "\u3000".encode()])
def test_refusals(tmp_path, data):
    assert_same(write(tmp_path, data))


def test_missing_and_folder(tmp_path):
    assert_same(tmp_path / "missing.csv")
    assert_same(tmp_path)


def test_excel_is_none(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["a", "b"])
    wb.save(tmp_path / "t.xlsx")
    assert load_text_grid(tmp_path / "t.xlsx") is None


def test_too_many_rows(tmp_path, monkeypatch):
    monkeypatch.setattr(rio, "MAX_ROWS", 5)
    for n in (4, 5, 6, 12):
        assert_same(write(tmp_path, "".join(f"a{i},b\n" for i in range(n)).encode()))


def test_cell_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(rio, "MAX_CELL", 8)
    for text in ("abcdefgh,b\n", "abcdefghi,b\n", "a,b,c,d,e,f\n", "<p>abcdefgh</p>\n", "<p>abcdefg</p>,x\n"):
        assert_same(write(tmp_path, text.encode()))


def test_machine_export_takes_the_columnar_route(tmp_path, monkeypatch):
    """An ordinary CSV (quotes, HTML remnants, CRLF, BOM) is split by pandas, not csv.reader."""
    text = "\ufeff行类型,项目名称,指标值\r\n" + "".join(
        f'指标,<p>项目{i}</p>,"≥{i},0%"\r\n项目资金,项目{i} ,,\r\n' for i in range(50))
    path = write(tmp_path, text.encode())
    expected = load_rows(path)
    monkeypatch.setattr(rio, "_split_text", lambda *a: pytest.fail("took the row-by-row route"))
    grid = load_text_grid(path)
    assert grid.rows() == expected.sheets[0].rows
    assert grid.cells.dtype == object and grid.cells.shape == (101, 3)


TOKENS = ["a", "中", "1.5", ",", ",", "\t", '"', '"', "\n", "\n", "\r\n", "\r", " ", "\u3000", "\xa0", "\u2028",
          "\x85", "<p>", "</p>", "<br>", "< b>", "&amp;", "&#1;", "&", "<", "<5", "\ufeff", "\x01", "\x7f", "x" * 30]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tokens=st.lists(st.sampled_from(TOKENS), min_size=1, max_size=60),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]), suffix=st.sampled_from([".csv", ".txt", ".tsv"]),
       cell_limit=st.sampled_from([rio.MAX_CELL, 12]))
def test_fuzz(tmp_path, tokens, encoding, suffix, cell_limit):
    text = "".join(tokens)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return
    old = rio.MAX_CELL
    rio.MAX_CELL = cell_limit
    try:
        assert_same(write(tmp_path, data, suffix))
    finally:
        rio.MAX_CELL = old


#: without control characters, lone CRs and BOMs: texts the columnar route takes unless a quote spans lines
CLEAN_TOKENS = [t for t in TOKENS if t not in ("\x01", "\x7f", "\ufeff", "\r")] + ["\n", "\r\n", ",,", '" a "', '""']


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tokens=st.lists(st.sampled_from(CLEAN_TOKENS), min_size=1, max_size=80),
       encoding=st.sampled_from(["utf-8", "gb18030"]), suffix=st.sampled_from([".csv", ".tsv"]))
def test_fuzz_clean(tmp_path, tokens, encoding, suffix):
    try:
        data = "".join(tokens).encode(encoding)
    except UnicodeEncodeError:
        return
    assert_same(write(tmp_path, data, suffix))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(st.sampled_from(["", "a", " b ", "中文", "x,y", 'q"q', "<p>p</p>", "1\n2", "\u3000"]),
                              max_size=6), min_size=1, max_size=30),
       newline=st.sampled_from(["\n", "\r\n"]), final=st.booleans())
def test_fuzz_csv_writer(tmp_path, rows, newline, final):
    """Tables as csv.writer (Excel, pandas) writes them: quoting where needed, ragged rows."""
    import csv
    import io

    buf = io.StringIO()
    csv.writer(buf, lineterminator=newline).writerows(rows)
    text = buf.getvalue() if final else buf.getvalue().removesuffix(newline)
    if text.strip():
        assert_same(write(tmp_path, text.encode("utf-8")))


def _text_tables() -> list[Path]:
    roots = [ROOT / "tests" / "fixtures", ROOT / "tests" / "cases", ROOT / "examples",
             ROOT.parent / "shared" / "seed", ROOT.parent / "shared" / "corpus"]
    return sorted(p for r in roots if r.is_dir() for p in r.rglob("*") if p.is_file() and p.suffix in TEXT_SUFFIXES)


@pytest.mark.parametrize("path", _text_tables(), ids=lambda p: p.name)
def test_every_text_table(path):
    assert_same(path)


def test_grid_from_rows_round_trip():
    rows = (rio.Row(1, ("a", "b")), rio.Row(3, ()), rio.Row(4, ("c",)))
    grid = rio.Grid.from_rows(rows, "utf-8-sig", ())
    assert grid.rows() == rows and grid.cells.shape == (3, 2)
    assert np.array_equal(grid.numbers, [1, 3, 4])


def test_each_distinct_cell_is_cleaned_once(tmp_path, monkeypatch):
    """The columnar route cleans a repeated cell once, however many rows repeat it (work counted)."""
    text = "项目名称,指标值\n" + "".join(f"<p>项目{i % 3}</p>,≥95%\n" for i in range(3000))
    path = write(tmp_path, text.encode())
    calls = []
    original = rio.clean_cell
    monkeypatch.setattr(rio, "clean_cell", lambda v: calls.append(v) or original(v))
    grid = load_text_grid(path)
    assert grid.cells[1].tolist() == ["项目0", "≥95%"] and len(grid.numbers) == 3001
    assert len(calls) <= 10  # 2 header cells, 3 project cells, 1 target (not 6002)


def test_clean_texts_is_clean_cell():
    texts = ["", " a ", "a", "<p>b</p>", "&amp; c", "x\r", "\u3000d\xa0", "e<", "f&", "\u2028g", "中 文"]
    assert rio._clean_texts(texts) == [rio.clean_cell(t) for t in texts]


def test_a_later_wider_line_is_split_columnwise(tmp_path, monkeypatch):
    """The parser is first given the width of the first lines; a wider line further down is read all the same."""
    text = "a,b\n" * (rio._SNIFF_LINES + 10) + "c,d,e,f\n" + "g\n"
    path = write(tmp_path, text.encode())
    expected = load_rows(path)
    monkeypatch.setattr(rio, "_split_text", lambda *a: pytest.fail("took the row-by-row route"))
    grid = load_text_grid(path)
    assert grid.rows() == expected.sheets[0].rows and grid.cells.shape[1] == 4
