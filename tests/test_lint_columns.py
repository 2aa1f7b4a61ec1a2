"""The lint's shared columns (evaluator.lint_columns) give what the rules computed column by column."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from evaluator.check import _cut_at_field
from evaluator.issues import issue_message, issue_template
from evaluator.lint_columns import LintColumns


def _columns(**data) -> LintColumns:
    return LintColumns(SimpleNamespace(indicators=pd.DataFrame(data), source="t.csv"))


@pytest.mark.parametrize("dtype", [object, "str"])
def test_truthy_is_bool_of_every_value_coded_or_not(dtype):
    values = ["a", "", None, "a", "b", ""]
    frame = pd.Series(values, dtype=dtype)
    expected = np.asarray(frame, dtype=object).astype(bool)  # NaN (pandas 3's missing text) is true
    assert _columns(x=frame).truthy("x").tolist() == expected.tolist()
    cols = _columns(x=frame)
    cols.coded("x")  # worked out from the codes once the column is coded
    assert cols.truthy("x").tolist() == expected.tolist()


def test_all_empty_and_truthy_where():
    cols = _columns(a=pd.Series(["", "x", "", None], dtype=object), b=["y", "", "", ""])
    assert cols.all_empty("a", "b").tolist() == [False, False, True, True]
    assert cols.truthy_where(np.array([True, True, False, True]), "b").tolist() == [True, False, False, False]


def test_per_distinct_calls_once_per_value_and_not_for_missing():
    seen = []
    cols = _columns(x=pd.Series(["a", None, "a", "bb"], dtype=object))
    out = cols.per_distinct("x", lambda v: seen.append(v) or len(v), missing=-1, dtype=np.int64)
    assert out.tolist() == [1, -1, 1, 2]
    assert seen == ["a", "bb"]


def test_once_works_once_per_table():
    cols = _columns(x=[1, 2])
    calls = []
    assert cols.once("n", lambda c: calls.append(1) or len(c)) == 2
    assert cols.once("n", lambda c: calls.append(1) or len(c)) == 2
    assert calls == [1]


def test_issue_templates_with_cases():
    assert issue_message("empty_cell", "no_level2") == issue_template("empty_cell", "no_level2")
    with pytest.raises(KeyError):
        issue_template("empty_cell")  # several cases: name one
    with pytest.raises(KeyError):
        issue_template("not_measurable", "no_such_case")
    assert issue_message("name_variant", "few", stem="黄埔", n_stem=3, variant="黄浦", n_variant=1, rows="4",
                         more=0).startswith("同一名称在表中有两种写法：「黄埔」（3 处）与「黄浦」（1 处，第4行）")


def test_cut_at_field():
    template = "项目「{project}」{n} 个（{share:.0%}）{{x}}"
    head, tail = _cut_at_field(template, "project")
    values = {"n": 3, "share": 0.5}
    assert head.format(**values) + "P" + tail.format(**values) == template.format(project="P", **values)
    with pytest.raises(ValueError):
        _cut_at_field("{project}{project}", "project")


def test_categorical_columns_give_what_their_values_give():
    values = ["a", "", None, "a", "b", ""]
    plain = _columns(x=pd.Series(values, dtype=object))
    coded = _columns(x=pd.Series(values, dtype=object).astype("category"))
    # (a categorical holds a missing value as NaN, which is true)
    expected = [True, False, True, True, True, False]
    assert coded.truthy("x").tolist() == coded.array("x").astype(bool).tolist() == expected
    for value in ("a", "", "zz"):
        assert coded.equals("x", value).tolist() == plain.equals("x", value).tolist()
    assert coded.isin("x", ("b", "a")).tolist() == [True, False, False, True, True, False]


def test_values_in_runs_coded_as_row_by_row():
    from evaluator.lint_columns import _coded_by_runs
    from evaluator.frames import coded

    nan = float("nan")
    for listed in (["p", "p", None, None, "q", "p", nan, nan, "q"], ["x"], [], ["a", pd.NA, "a"]):
        values = np.empty(len(listed), dtype=object)
        values[:] = listed
        by_runs, by_rows = _coded_by_runs(values), coded(values)
        assert by_runs[0].tolist() == by_rows[0].tolist()
        assert by_runs[1].tolist() == by_rows[1].tolist()
