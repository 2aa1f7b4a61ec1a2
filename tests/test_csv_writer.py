"""The column-wise CSV writer writes exactly what the csv module writes row by row."""
from __future__ import annotations

import csv
import io
import math

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluator.compiler import compile_target
from evaluator.reports.tables import _csv_cell, export_frame, neutralise, to_csv_bytes


def _row_by_row(df: pd.DataFrame) -> bytes:
    """The reference: every cell through plain → neutralise → the csv module."""
    frame = export_frame(df)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([neutralise(c) for c in frame.columns])
    for row in frame.itertuples(index=False, name=None):
        writer.writerow([_csv_cell(neutralise(v)) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def test_mixed_frame_as_the_csv_module_writes_it():
    df = pd.DataFrame({
        "text": ["≥50个", "=SUM(A1)", "a,b", 'say "hi"', "two\nlines", "", None, "-3", "a\x00b"],
        "float": [1.0, 2.5, math.nan, -0.1, 1e16, 3.0, math.inf, 0.1 + 0.2, -7.0],
        "int": list(range(9)),
        "bool": [True, False] * 4 + [True],
        "mixed": [1.5, "x", None, True, 2, np.nan, "+1", compile_target("≥95%"), ("a", 1)],
    })
    assert to_csv_bytes(df) == _row_by_row(df)
    lines = to_csv_bytes(df).decode("utf-8-sig").split("\r\n")
    assert lines[2].startswith("'=SUM(A1),2.5,1,false,x")


def test_missing_numbers_are_empty_cells():
    # the row-by-row writer once wrote "nan" here (a float column with a gap)
    assert to_csv_bytes(pd.DataFrame({"a": [1.0, math.nan], "b": ["x", None]})) == "\ufeffa,b\r\n1,x\r\n,\r\n".encode()


def test_text_columns_found_cells_needing_care():
    texts = ["a", "=1+1", "b,c", "x\x1f=y", "", "\x1f", 'q"', "line\r", "-", "ok", "@", "\t1"]
    df = pd.DataFrame({"t": texts, "u": list(reversed(texts))})
    assert to_csv_bytes(df) == _row_by_row(df)


def test_dates_durations_and_an_unnamed_single_column():
    df = pd.DataFrame({"d": pd.to_datetime(["2024-01-01 00:00", None]), "x": [1, 2],
                       "t": pd.to_timedelta(["1 day", "2h"])})
    assert to_csv_bytes(df) == _row_by_row(df)
    assert to_csv_bytes(df).decode("utf-8-sig").split("\r\n")[1] == "2024-01-01 00:00:00,1,1 days 00:00:00"
    unnamed = pd.DataFrame({"": ["a", ""]})
    assert to_csv_bytes(unnamed) == _row_by_row(unnamed) == '\ufeff""\r\na\r\n""\r\n'.encode()


def test_single_column_and_empty_frames():
    for df in (pd.DataFrame({"x": ["", "a", None]}), pd.DataFrame({"x": []}), pd.DataFrame()):
        assert to_csv_bytes(df) == _row_by_row(df)


def test_coded_text_columns_and_floats_as_the_csv_module_writes_them():
    texts = ["=1", "a,b", None, "a,b", "q", "", "-"]
    df = pd.DataFrame({"cat": pd.Categorical(texts), "obj": pd.Series(texts, dtype=object),
                       "f": [0.5, -0.0, 1e15, 1e15 - 1, 5e-324, math.nan, -1e300]})
    assert to_csv_bytes(df) == _row_by_row(df.astype({"cat": object}))
    assert to_csv_bytes(df).decode("utf-8-sig").split("\r\n")[2] == '"a,b","a,b",0'


cells = st.one_of(st.text(max_size=6), st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**16, 10**16),
                  st.booleans(), st.none())


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(cells, st.text(max_size=4), st.floats(allow_nan=True)), max_size=12))
def test_any_frame_as_the_csv_module_writes_it(rows):
    df = pd.DataFrame(rows, columns=["a", "b", "c"]) if rows else pd.DataFrame({"a": [], "b": [], "c": []})
    assert to_csv_bytes(df) == _row_by_row(df)


def test_results_are_appended_table_by_table(tmp_path):
    from pathlib import Path

    from evaluator import evaluate
    from evaluator.reports.writer import INDICATOR_RESULT_COLUMNS, PROJECT_RESULT_COLUMNS, append_results_csv

    seed = Path(__file__).resolve().parent.parent / "examples" / "seed"
    ev = evaluate(seed / "targets.txt", seed / "actuals.csv")
    append_results_csv(ev, tmp_path)
    append_results_csv(ev, tmp_path)
    back = pd.read_csv(tmp_path / "indicators.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(back.columns) == INDICATOR_RESULT_COLUMNS
    assert len(back) == 2 * len(ev.indicators) == 168
    assert (tmp_path / "indicators.csv").read_bytes().count("\ufeff".encode()) == 1
    assert back["points"].iloc[0] == to_csv_bytes(ev.indicators[["points"]]).decode("utf-8-sig").split("\r\n")[1]
    projects = pd.read_csv(tmp_path / "projects.csv", encoding="utf-8-sig")
    assert len(projects) == 2 * len(ev.projects) == 56
    assert list(projects.columns) == PROJECT_RESULT_COLUMNS
    scored = ev.projects["total"].notna().to_numpy()
    assert scored.any()
    assert projects["total"].head(len(ev.projects))[scored].round(2).tolist() == \
        ev.projects["total"][scored].round(2).tolist()


def test_categorical_text_columns_write_as_object_columns_on_every_path(tmp_path):
    """A stage may hand a text column on as a categorical: every CSV path (indicators, projects, issues
    appended, departments, a batch table's bytes) takes it by its codes and writes what the object
    column writes; a missing value (code -1) is the empty cell that None or NaN makes."""
    from pathlib import Path
    from types import SimpleNamespace

    from evaluator import evaluate
    from evaluator.reports.tables import csv_text
    from evaluator.reports.writer import append_results_csv, result_columns

    seed = Path(__file__).resolve().parent.parent / "examples" / "seed"
    ev = evaluate(seed / "targets.txt", seed / "actuals.csv")

    def texts(frame: pd.DataFrame, gap: object) -> pd.DataFrame:
        out = frame.copy()
        for c in out.columns:
            if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
                values = out[c].to_numpy(dtype=object).copy()
                values[0] = gap
                out[c] = pd.Series(values, index=out.index, dtype=object)
        return out

    def categorical(frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.copy()
        for c in out.columns:
            if out[c].dtype == object and all(isinstance(v, str) or v is None or v != v for v in out[c].tolist()):
                out[c] = out[c].astype("category")
        return out

    written = {}
    for gap in (None, math.nan, "cat"):
        plain_ev = SimpleNamespace(indicators=texts(ev.indicators, gap), projects=texts(ev.projects, gap),
                                   issues=texts(ev.issues, gap), rule_pack=ev.rule_pack)
        coded_ev = SimpleNamespace(**{k: categorical(v) if isinstance(v, pd.DataFrame) else v
                                      for k, v in vars(plain_ev).items()})
        assert isinstance(coded_ev.indicators["explanation"].dtype, pd.CategoricalDtype)
        if gap is not None and gap == gap:
            assert coded_ev.indicators["explanation"].iloc[0] == gap
        else:
            assert (coded_ev.indicators["explanation"].array.codes[0] == -1)
        for name, e in (("plain", plain_ev), ("coded", coded_ev)):
            append_results_csv(e, tmp_path / f"{name}-{gap}")
            written[name, gap] = {f: (tmp_path / f"{name}-{gap}" / f).read_bytes()
                                  for f in ("indicators.csv", "projects.csv", "issues.csv")}
            written[name, gap]["batch"] = [csv_text(frame, header=False, columns=cols)
                                           for frame, cols in result_columns(e).values()]
            written[name, gap]["departments"] = to_csv_bytes(categorical(texts(ev.departments, gap)) if name == "coded"
                                                             else texts(ev.departments, gap))
        assert written["coded", gap] == written["plain", gap]
    assert written["plain", None] == written["plain", math.nan]  # a gap: None and NaN alike
    assert written["plain", None] != written["plain", "cat"]


def test_float_fields_are_repr_of_every_float():
    from evaluator.reports.tables import _float_fields

    rng = np.random.default_rng(7)
    values = [np.round((rng.random(20000) - 0.3) * scale, digits) for scale in (1, 300, 1e6, 1e12, 1e14, 1e16)
              for digits in (1, 2, 3, 9)]
    values.append(np.array([0.01, -0.01, 0.1, -0.5, 0.05, 1e-5, 123456789.12, -0.0, 0.0, 2.5, 1e15 + 0.5,
                            9999999999999.99, np.nan, np.inf, -np.inf, 5e-324, 0.015, 1.005, 2 ** 53 + 0.0, 1e300,
                            -1.7e308]))
    for x in values:
        expected = ["" if not math.isfinite(v) else str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
                    for v in x.tolist()]
        assert _float_fields(x) == expected
