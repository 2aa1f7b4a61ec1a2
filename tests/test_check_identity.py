"""The lint gives exactly the issues it gave before it worked on whole columns.

``fixtures/lint/expected_issues.csv`` holds every issue (code, severity, message, location,
cell) that the row-by-row lint found on the tables below: a mutated benchmark table with
category contradictions, unknown categories, duplicates, place-name variants, money that
does not add up, empty cells, bad weights and pasted paragraphs (``fixtures/lint/stress.csv``),
and the seed and layout fixtures. Any change to a rule's result, its order or its wording
shows up here as a line-by-line difference.

If a rule is changed on purpose (or the reader reads one of these tables differently),
regenerate the file with ``python tests/test_check_identity.py`` and review the diff.
"""
from __future__ import annotations

import difflib
import sys
from pathlib import Path

import pandas as pd
import pytest

from evaluator import read_targets
from evaluator.check import run_checks
from evaluator.issues import issues_frame

FIXTURES = Path(__file__).parent / "fixtures"
EXPECTED = FIXTURES / "lint" / "expected_issues.csv"
TABLES = [
    "lint/stress.csv",
    "seed/000_e143e4407d579c5d.txt",
    "tables/mini_seed.tsv",
    "tables/rows_multi.tsv",
    "tables/rows_paired.tsv",
    "tables/rows_split_traditional.csv",
    "tables/rows_gbk.csv",
    "tables/official_self_evaluation.csv",
    "tables/stacked_self_evaluations.csv",
    "tables/repeated_project_cells.csv",
    "layouts/jiangxi-fuliang-linye-zhengti.tsv",
    "layouts/tianjin-hebei-court-2023.tsv",
]


def lint_csv() -> str:
    """The issues of every table, one CSV (a ``table`` column first)."""
    frames = []
    for name in TABLES:
        frame = issues_frame(run_checks(read_targets(FIXTURES / name, check=False)))
        frames.append(frame.assign(table=name)[["table", *frame.columns]])
    return pd.concat(frames, ignore_index=True).to_csv(index=False, lineterminator="\n")


@pytest.fixture(scope="module")
def found() -> list[str]:
    return lint_csv().splitlines()


def test_issues_identical_to_row_by_row_lint(found):
    expected = EXPECTED.read_text(encoding="utf-8").splitlines()
    if found != expected:
        diff = "\n".join(list(difflib.unified_diff(expected, found, "expected", "found", lineterm="", n=0))[:40])
        pytest.fail(f"the lint's issues changed:\n{diff}")


def test_stress_table_has_every_kind_of_issue(found):
    codes = {line.split(",")[1] for line in found[1:] if line.startswith("lint/stress.csv,")}
    assert codes >= {"category_conflict", "unknown_category", "period_value_used", "not_measurable",
                     "qualitative_share", "classified_project", "no_indicators", "row_sum_mismatch",
                     "total_mismatch", "duplicate_indicator", "empty_cell", "bad_weight", "name_variant",
                     "long_text"}
    all_codes = {line.split(",")[1] for line in found[1:]}
    assert "total_reconciled" in all_codes


if __name__ == "__main__":  # regenerate the expected issues
    EXPECTED.write_text(lint_csv(), encoding="utf-8")
    print(f"wrote {EXPECTED}", file=sys.stderr)


def test_names_differing_after_a_nul_are_not_duplicates():
    """Names are compared as whole texts (pandas' fast string table would stop at the NUL)."""
    from evaluator.check import check_duplicates

    table = read_targets(FIXTURES / "tables" / "rows_english.csv", check=False)
    first = table.indicators.index[table.indicators["project_id"] == table.indicators["project_id"].iloc[0]]
    assert len(first) >= 2
    names = ["a\x00投诉率", "a\x00满意度"]
    if isinstance(table.indicators["name"].dtype, pd.CategoricalDtype):  # handed on coded: new texts, new categories
        table.indicators["name"] = table.indicators["name"].cat.add_categories(names)
    table.indicators.loc[first[:2], "name"] = names
    assert [i.code for i in check_duplicates(table)] == []


@pytest.mark.parametrize("name", TABLES[:6])
def test_read_targets_issues_are_reader_issues_then_lint(name):
    """read_targets hands the lint's issues on column by column: the same table as the Issue rows give."""
    table = read_targets(FIXTURES / name)
    unchecked = read_targets(FIXTURES / name, check=False)
    expected = pd.concat([unchecked.issues, issues_frame(run_checks(unchecked))], ignore_index=True)
    def values(df):  # text may be object or pandas 3's str (missing: None or NaN)
        return df.astype(object).where(df.notna(), None)

    pd.testing.assert_frame_equal(values(table.issues), values(expected))
    assert table.issues["row"].dtype == "Int64"


def test_issue_columns_merged_in_key_order_and_back_to_issues():
    import numpy as np

    from evaluator.check import IssueColumns
    from evaluator.issues import Issue

    found = IssueColumns.merged([
        (np.array([4, 0]), {"code": "b", "severity": "info", "message": ["m4", "m0"], "row": [5, 1]}),
        (np.array([1]), {"code": "a", "severity": "warning", "message": ["m1"], "file": "x.csv", "cell": ["c"]}),
    ])
    assert found.n == 3
    assert found.columns["code"] == ["b", "a", "b"]
    assert found.columns["message"] == ["m0", "m1", "m4"]
    assert found.columns["row"] == [1, None, 5]
    assert found.columns["file"] == [None, "x.csv", None]
    assert found.issues() == [Issue("b", "info", "m0", row=1), Issue("a", "warning", "m1", file="x.csv", cell="c"),
                              Issue("b", "info", "m4", row=5)]
    more = IssueColumns()
    more.extend([Issue("z", "error", "first")])
    more.extend(found)
    assert more.n == 4 and more.columns["code"] == ["z", "b", "a", "b"]
    assert IssueColumns.merged([]).n == 0


def test_issue_columns_merged_locates_rows_in_key_order():
    import numpy as np

    from evaluator.check import IssueColumns

    seen = []

    def locate(rows):
        seen.append(rows.tolist())
        return {"file": "t.csv", "row": [r + 10 for r in rows.tolist()], "column": ["A"] * len(rows)}

    found = IssueColumns.merged([(np.array([6, 0]), {"code": "x", "message": ["m3", "m0"]}),
                                 (np.array([3]), {"code": "y", "message": ["m1b"], "column": ["B"]})],
                                locate, per_key=2)
    assert seen == [[0, 1, 3]]
    assert found.columns["message"] == ["m0", "m1b", "m3"]
    assert found.columns["row"] == [10, 11, 13]
    assert found.columns["file"] == ["t.csv"] * 3
    assert found.columns["column"] == [None, "B", None]  # a column a part gives is the part's (None where left out)
    assert found.columns["cell"] == [None] * 3


def test_lengths_per_distinct_object():
    import numpy as np

    from evaluator.check import _lengths

    word = "目标值"
    values = np.array([word, "", word, "ab", None, "ab" * 200], dtype=object)
    assert _lengths(values).tolist() == [3, 0, 3, 2, 0, 400]
    assert _lengths(np.array([], dtype=object)).tolist() == []
