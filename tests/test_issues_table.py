"""issues_table / issues_frame make the frame pandas makes from the columns (the former code is the oracle)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluator.issues import ISSUE_COLUMNS, MAX_ISSUE_CELL, Issue, _quote, issues_frame, issues_table


def _oracle(columns: dict, n: int) -> pd.DataFrame:
    df = pd.DataFrame({c: columns[c] if c in columns else [None] * n for c in ISSUE_COLUMNS}, columns=ISSUE_COLUMNS) \
        if n else pd.DataFrame(columns=ISSUE_COLUMNS)
    cells = df["cell"].tolist()
    if any(c.__class__ is str and len(c) > MAX_ISSUE_CELL for c in cells):
        df["cell"] = pd.Series([_quote(c) for c in cells], index=df.index, dtype=object)
    df["row"] = df["row"].astype("Int64")
    df["indicator_no"] = df["indicator_no"].astype("Int64")
    return df


def _same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(got, want, check_exact=True, check_index_type=True, check_column_type=True)
    for c in want.columns:
        assert [type(v) for v in got[c].tolist()] == [type(v) for v in want[c].tolist()], c


CASES = {
    "texts and gaps": {"code": ["a", "b", "a"], "message": ["m", None, "x,y"], "row": [3, None, 7],
                       "indicator_no": [1, 2, 3], "cell": ["=1", None, "c" * (MAX_ISSUE_CELL + 5)]},
    "all missing numbers": {"code": ["a", "b", "c"], "row": [None, None, None]},
    "floats and bools": {"code": ["a", "b", "c"], "row": [1.0, None, 2.0], "indicator_no": [True, False, None],
                         "project_id": [1, 2, 3], "cell": [1.5, "x", None]},
    "numbers beyond floats": {"code": ["a", "b", "c"], "row": [2 ** 53 + 1, None, 1], "indicator_no": [2 ** 60, 1, 2]},
    "arrays": {"code": np.array(["a", "b", "c"], dtype=object), "row": np.array([1.0, np.nan, 3.0]),
               "indicator_no": np.array([1, 2, 3]), "cell": np.array(["x", None, "y"], dtype=object)},
    "tuples and numpy numbers": {"code": ("a", "b", "c"), "row": [np.int64(1), None, 3], "sheet": ["s", "s", "s"]},
    "one long cell": {"code": ["a", "b", "c"], "cell": [None, "", "é" * (MAX_ISSUE_CELL + 1)]},
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_issues_table_as_pandas_makes_it(name: str) -> None:
    columns = CASES[name]
    _same(issues_table(columns, 3), _oracle(columns, 3))


def test_numbers_that_are_not_whole_fail_as_they_did() -> None:
    for columns in ({"code": ["a", "b"], "row": [1.5, None]}, {"code": ["a", "b"], "indicator_no": ["x", 1]}):
        with pytest.raises((TypeError, ValueError)) as want:
            _oracle(columns, 2)
        with pytest.raises(want.type) as got:
            issues_table(columns, 2)
        assert str(got.value) == str(want.value)


def test_empty_tables_are_fresh_frames() -> None:
    first = issues_table({}, 0)
    _same(first, _oracle({}, 0))
    first["code"] = pd.Series(dtype=object)
    first.loc[0, "code"] = "x"  # changing one leaves the next alone
    _same(issues_frame([]), _oracle({}, 0))


def test_arrays_given_are_not_shared_with_the_table() -> None:
    code = np.array(["a", "b"], dtype=object)
    df = issues_table({"code": code}, 2)
    df.loc[0, "code"] = "changed"
    assert code.tolist() == ["a", "b"]


def test_issues_frame_takes_every_field() -> None:
    issues = [Issue("c1", "error", "m1", "f.csv", "表", 3, "列", "p1", "项目", 2, "x" * 300),
              Issue("c2", "info", "m2")]
    columns = {c: [getattr(i, c) for i in issues] for c in ISSUE_COLUMNS}
    _same(issues_frame(issues), _oracle(columns, 2))
    assert issues_frame(issues)["cell"][0].endswith("…（共 300 字）")
    assert issues_frame(issues)["row"].tolist() == [3, pd.NA]


def test_one_value_for_a_whole_column_as_pandas_spreads_it() -> None:
    columns = {"code": ["a", "b"], "file": "f.csv", "cell": "c" * (MAX_ISSUE_CELL + 1), "row": None}
    _same(issues_table(columns, 2), _oracle(columns, 2))


def test_concat_issues_is_pandas_concat():
    from evaluator.issues import concat_issues

    a = issues_frame([Issue("x", "error", "读不了", file="t.csv", row=3), Issue("y", "info", "提示", indicator_no=2)])
    b = issues_table({"code": ["z"] * 3, "severity": ["warning"] * 3, "message": ["m1", "m2", None],
                      "row": [None, None, None], "project_id": ["P001", None, "P002"]}, 3)
    empty = issues_frame([])
    odd = pd.DataFrame({"code": ["w"], "severity": ["info"], "message": ["m"], "row": [5.0]})  # other columns, float row
    for frames in ([a, b], [a, empty, b, None], [b], [a, odd], [odd], [], [empty]):
        present = [df for df in frames if df is not None and len(df)]
        want = pd.concat(present, ignore_index=True).reindex(columns=ISSUE_COLUMNS) if present \
            else issues_frame([]).reindex(columns=ISSUE_COLUMNS)
        _same(concat_issues(frames), want)
    got = concat_issues([a, b])
    assert got["code"].tolist() == ["x", "y", "z", "z", "z"] and got["row"].tolist()[:2] == [3, pd.NA]
