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


def test_identity_codes_number_objects_not_values():
    from evaluator.frames import identity_codes

    a, b = "xy", "z"
    c = "".join(["x", "y"])  # equal to a, another object
    assert c == a and c is not a
    values = np.empty(8, dtype=object)
    values[:] = [a, b, a, None, True, 1, c, [1]]
    codes, first = identity_codes(values)
    # True == 1 and the two "x" stay apart; an unhashable list is fine
    assert codes.tolist() == [0, 1, 0, 2, 3, 4, 5, 6]
    assert first.tolist() == [0, 1, 3, 4, 5, 6, 7]
    assert [values[first][k] for k in codes] == values.tolist()
    assert [x.tolist() for x in identity_codes(np.empty(0, dtype=object))] == [[], []]
    block = np.empty((3, 4), dtype=object)  # a strided column of a 2-d block
    block[:] = a
    block[1, 2] = b
    assert identity_codes(block[:, 2])[0].tolist() == [0, 1, 0]


def test_large_frames_with_merged_columns_and_separators_either_side():
    from evaluator.reports.tables import _merged, column_codes, csv_text

    rng = np.random.default_rng(7)
    n = 400
    few = np.array(["a", "b,c", "=x", None, 'q"'], dtype=object)
    many = np.array([f"t{i}" if i % 7 else f"t,{i}" for i in range(n)], dtype=object)
    ends = np.array(["-1", "+a", "z"], dtype=object)
    df = pd.DataFrame({
        "const": ["same"] * n,                              # alone: 1 x 400 combinations would be too many
        "many": many,                                       # one field per row
        "few": few[rng.integers(0, len(few), n)],           # few combinations with the next three: merged
        "flag": rng.integers(0, 2, n).astype(bool),
        "x": rng.choice([1.5, 2.0, math.nan], n),
        "last_few": ends[rng.integers(0, len(ends), n)],
    })
    groups = _merged([column_codes(df[c]) for c in df.columns], n)
    combos = len(set(zip(df["few"], df["flag"], df["x"].fillna(-1), df["last_few"])))
    assert [len(f) for _, f in groups] == [1, n, combos] and combos <= 90
    # the first group has fewer fields than the last: the row end starts the next row
    assert to_csv_bytes(df) == _row_by_row(df)
    # the first group with more fields than the last: the row end goes onto the last group's fields
    flipped = df[df.columns[::-1]]
    assert [len(f) for _, f in _merged([column_codes(flipped[c]) for c in flipped.columns], n)] == [combos, n, 1]
    assert to_csv_bytes(flipped) == _row_by_row(flipped)
    # without a header the text is the rows alone
    body = _row_by_row(df).decode("utf-8-sig").split("\r\n", 1)[1]
    assert csv_text(df, header=False) == body
    assert csv_text(flipped, header=False) == _row_by_row(flipped).decode("utf-8-sig").split("\r\n", 1)[1]
    one = df[["few"]]
    assert to_csv_bytes(one) == _row_by_row(one)
    # columns with a field for most rows side by side: separators and row ends as pieces of their own
    unique = df[["many", "x", "many"]].set_axis(["a", "x", "b"], axis=1).assign(x=np.arange(n) / 7)
    assert to_csv_bytes(unique) == _row_by_row(unique)
    assert csv_text(unique, header=False) == _row_by_row(unique).decode("utf-8-sig").split("\r\n", 1)[1]
    lone = df[["many"]]
    assert to_csv_bytes(lone) == _row_by_row(lone)


def test_chosen_columns_as_reindex_has_them():
    from evaluator.reports.tables import csv_text

    df = pd.DataFrame({"a": ["x", "=y", None], "b": [1.5, math.nan, 3.0], "c": [True, False, True]})
    for columns in (["c", "missing", "a"], ["missing"], ["b"], [], ["a", "b", "c"]):
        for header in (True, False):
            assert csv_text(df, header=header, columns=columns) == csv_text(df.reindex(columns=columns), header=header)
    assert csv_text(df, columns=["c", "missing", "a"]).split("\r\n")[:3] == ["c,missing,a", "true,,x", "false,,'=y"]
    assert csv_text(df.iloc[:0], columns=["a", "missing"]) == "a,missing\r\n"


def test_result_columns_write_what_result_tables_hold():
    from pathlib import Path

    from evaluator import evaluate
    from evaluator.reports.tables import csv_text
    from evaluator.reports.writer import result_columns, result_tables

    seed = Path(__file__).resolve().parent.parent / "examples" / "seed"
    ev = evaluate(seed / "targets.txt", seed / "actuals.csv")
    tables = result_tables(ev)
    for name, (frame, columns) in result_columns(ev).items():
        assert list(tables[name].columns) == columns
        assert csv_text(frame, columns=columns) == csv_text(tables[name])
