"""The column-wise reader gives exactly the row reader's table, or declines.

Every table is read twice: as ``read_targets`` reads it (column-wise when it can) and
with the column-wise reader switched off (row by row). Projects, indicators (targets by
canonical form), totals and issues must be equal; for the machine-export shapes the
column-wise path must actually have been taken.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import evaluator.readers as readers
from evaluator.readers import read_targets

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "tables"


def _comparable(table) -> tuple:
    ind = table.indicators.copy()
    ind["target"] = ind["target"].map(lambda t: t.canonical)
    return table.projects, ind, table.totals, table.issues, table.department, table.layout, table.money_factor


def _both(path: Path, monkeypatch) -> tuple[tuple, tuple, bool]:
    taken = []
    columnar = readers.read_columns

    def spy(*a, **k):
        result = columnar(*a, **k)
        taken.append(result is not None)
        return result

    monkeypatch.setattr(readers, "read_columns", spy)
    fast = _comparable(read_targets(path))
    monkeypatch.setattr(readers, "read_columns", lambda *a, **k: None)
    slow = _comparable(read_targets(path))
    monkeypatch.setattr(readers, "read_columns", columnar)
    return fast, slow, any(taken)


def _texts_as_values(df: pd.DataFrame) -> pd.DataFrame:
    """The frame by value: text columns (``str``, or handed on coded as a categorical by one reader and
    not the other) as object columns; other columns keep their dtype."""
    texts = [c for c in df.columns if isinstance(df[c].dtype, (pd.CategoricalDtype, pd.StringDtype))]
    return df.astype({c: object for c in texts}) if texts else df


def _assert_same(fast: tuple, slow: tuple) -> None:
    for a, b in zip(fast[:4], slow[:4]):
        pd.testing.assert_frame_equal(_texts_as_values(a.reset_index(drop=True)),
                                      _texts_as_values(b.reset_index(drop=True)), check_dtype=len(a) > 0)
    assert fast[4:] == slow[4:]


def _write(tmp_path: Path, rows: list[list[str]], name: str = "t.csv") -> Path:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path = tmp_path / name
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


HEADER = ["部门名称", "项目名称", "总计", "财政拨款", "年度目标", "一级指标", "二级指标", "三级指标", "年度指标值"]


def test_machine_export_is_read_column_wise(tmp_path, monkeypatch):
    rows = [HEADER,
            ["区教育局", "校舍维修", "120.5", "120.5", "完成维修", "产出指标", "数量指标", "维修面积", "≥3000平方米"],
            ["", "", "", "", "", "", "质量指标", "验收合格率", "100%"],
            ["", "", "", "", "", "效益指标", "社会效益指标", "安全隐患", "逐步减少"],
            ["", "涉密项目", "10", "10", "涉密内容。", "", "", "涉密内容", "涉密内容"],
            ["", "课后服务", "1,200", "1,200", "", "", "", "服务学生", "≥500人次"],  # goal and categories carried
            ["", "课后服务", "", "", "", "满意度指标", "服务对象满意度指标", "家长满意度", "≥90%"]]
    fast, slow, taken = _both(_write(tmp_path, rows), monkeypatch)
    assert taken
    _assert_same(fast, slow)
    projects, ind = fast[0], fast[1]
    assert list(projects["project"]) == ["校舍维修", "涉密项目", "课后服务"]
    assert list(projects["classified"]) == [False, True, False]
    assert list(projects["n_indicators"]) == [3, 0, 2]
    assert list(projects["goal"]) == ["完成维修", "涉密内容。", "涉密内容。"]  # the row reader carries goals down
    assert list(ind["indicator_no"]) == [1, 2, 3, 1, 2]
    # categories carry down within a project; the classified project's empty cells reset the carry
    assert list(ind["level1_raw"]) == ["产出指标", "产出指标", "效益指标", "", "满意度指标"]
    assert list(ind["kind"]) == ["compare", "compare", "trend", "compare", "compare"]
    assert list(ind["target_text"]) == ["≥3000平方米", "100%", "逐步减少", "≥500人次", "≥90%"]
    assert projects["budget_total"].tolist() == [120.5, 10.0, 1200.0]


def test_repeated_classified_row_is_reported_as_the_row_reader_does(tmp_path, monkeypatch):
    rows = [HEADER,
            ["区教育局", "涉密项目", "6.83", "6.83", "涉密内容。", "", "", "涉密内容", "涉密内容"],
            ["区教育局", "涉密项目", "28.49", "28.49", "涉密内容。", "", "", "涉密内容", "涉密内容"],
            ["区教育局", "校舍维修", "120.5", "120.5", "完成维修", "产出指标", "数量指标", "维修面积", "≥3000平方米"]]
    fast, slow, taken = _both(_write(tmp_path, rows), monkeypatch)
    assert taken
    _assert_same(fast, slow)
    issues = fast[3]
    assert list(issues.loc[issues["code"] == "row_not_read", "row"]) == [3]
    assert list(fast[0]["project"]) == ["涉密项目", "校舍维修"]


def test_classified_row_above_the_first_project_flags_no_project(tmp_path, monkeypatch):
    rows = [["项目名称", "一级指标", "二级指标", "三级指标", "指标值", "绩效目标"],
            ["", "", "", "", "", "涉密内容"],
            ["A", "产出指标", "数量指标", "培训人数", "≥50人", "目标A"],
            ["A", "产出指标", "质量指标", "合格率", "≥90%", ""],
            ["B", "产出指标", "数量指标", "场次", "≥5场", "目标B"]]
    fast, slow, taken = _both(_write(tmp_path, rows), monkeypatch)
    assert taken
    _assert_same(fast, slow)
    assert list(fast[0]["classified"]) == [False, False]
    assert list(fast[3]["code"]) == ["row_not_read"]


@pytest.mark.parametrize("extra", [
    ["合计", "", "130.5", "130.5", "", "", "", "", ""],                      # a total row
    ["单位：万元"],                                                           # a label line
    HEADER,                                                                  # the header again
    ["", "", "", "", "", "", "", "", "", "多出的单元格"],                        # more cells than the header
    ["", "", "", "", "", "产出指标"],                                          # a category-only row
])
def test_special_rows_are_left_to_the_row_reader(tmp_path, monkeypatch, extra):
    rows = [HEADER,
            ["区教育局", "校舍维修", "120.5", "120.5", "完成维修", "产出指标", "数量指标", "维修面积", "≥3000平方米"],
            extra,
            ["", "", "", "", "", "", "质量指标", "验收合格率", "100%"]]
    fast, slow, taken = _both(_write(tmp_path, rows), monkeypatch)
    assert not taken
    _assert_same(fast, slow)


@pytest.mark.parametrize("name", ["rows_english.csv", "rows_gbk.csv", "self_evaluation.csv",
                                  "repeated_project_cells.csv", "rows_split_traditional.csv"])
def test_fixture_tables_read_the_same(name, monkeypatch):
    fast, slow, _ = _both(FIXTURES / name, monkeypatch)
    _assert_same(fast, slow)


def test_corpus_table_is_read_column_wise(monkeypatch):
    fast, slow, taken = _both(ROOT / "tests" / "cases" / "corpus" / "targets_visible.csv", monkeypatch)
    assert taken
    _assert_same(fast, slow)
    assert len(fast[1]) == 216 and fast[0]["project"].nunique() == len(fast[0])


CELLS = st.sampled_from(["", "", "", "", "", "产出指标", "效益指标", "数量指标", "质量指标", "社会效益指标", "≥95%", "100%",
                         "完成", "逐步提高", "≥10场", "30", "1,000.5", "abc", "涉密内容", "合计", "单位：元", "三级指标",
                         "指标值", "项目名称", "培训人次", " 巡查 ", "满意度"])

CLEAN_CELLS = st.sampled_from(["", "", "产出指标", "效益指标", "数量指标", "质量指标", "≥95%", "100%", "完成", "≥10场",
                               "培训人次", "涉密内容"])


@st.composite
def tables(draw):
    rows = [HEADER]
    noisy = draw(st.booleans())  # clean exports (column-wise) and tables with odd rows (mostly row by row)
    kinds = ["new", "same", "plain", "plain", "random", "blank", "short"] if noisy else ["new", "same", "plain", "blank"]
    cell = CELLS if noisy else CLEAN_CELLS
    for i in range(draw(st.integers(1, 12))):
        kind = draw(st.sampled_from(kinds)) if i or noisy else "new"
        if kind == "new":
            rows.append([draw(st.sampled_from(["", "区教育局", "区卫健委"])), draw(st.sampled_from(["甲", "乙", "丙"])),
                         draw(st.sampled_from(["", "10", "2,000"])), "", draw(st.sampled_from(["", "目标"])),
                         draw(cell), draw(cell), draw(cell), draw(cell)])
        elif kind == "same":
            rows.append(["", rows[-1][1] if len(rows) > 1 and len(rows[-1]) > 1 else "甲", "", "", "",
                         draw(cell), draw(cell), draw(cell), draw(cell)])
        elif kind == "plain":
            rows.append(["", "", "", "", "", draw(cell), draw(cell), draw(st.sampled_from(["培训人次", "合格率", ""])),
                         draw(cell)])
        elif kind == "random":
            rows.append([draw(cell) for _ in range(draw(st.integers(1, 10)))])
        elif kind == "short":
            rows.append(["", "", "", "", "", draw(cell), draw(cell), draw(cell)])
        else:
            rows.append([])
    return rows


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=tables())
def test_column_wise_equals_row_by_row(tmp_path, monkeypatch, rows):
    fast, slow, _ = _both(_write(tmp_path, rows), monkeypatch)
    _assert_same(fast, slow)


# ---------------------------------------------------------------------------
# helpers of the column-wise reader


TEXTS = st.lists(st.text(alphabet="ab涉密项目：:1２ \x00", max_size=6), max_size=12)


@given(texts=TEXTS, words=st.lists(st.text(alphabet="ab涉密项目：: \x00", min_size=0, max_size=3), max_size=3))
def test_texts_containing_is_any_word_in_text(texts, words):
    from evaluator.readers.columnar import texts_containing

    found = texts_containing(texts, tuple(words))
    assert found.dtype == bool
    assert found.tolist() == [any(w in t for w in words) for t in texts]


def test_texts_containing_values():
    from evaluator.readers.columnar import texts_containing

    texts = ["涉密项目甲", "", "乙", "x涉密内容", "涉密"]
    assert texts_containing(texts, ("涉密项目", "涉密内容")).tolist() == [True, False, False, True, False]
    assert texts_containing(texts, ()).tolist() == [False] * 5
    assert texts_containing([], ("a",)).tolist() == []


def test_short_texts():
    import numpy as np
    from evaluator.readers.columnar import Coded, _text_kind

    texts = ["部门名称：甲", "12人", "一级指标", "", "很长的一段文字" * 3, "a:b", "单位：万元", "总分", "3:1", "²x", "①", "٣"]
    coded = Coded(np.arange(len(texts)), np.array(texts, dtype=object))
    assert coded.short(10).tolist() == [True, False, True, False, False, True, True, True, True, False, False, False]
    assert coded.short(10).tolist() == [":" in t or "：" in t or (0 < len(t) <= 10 and not t[0].isdigit())
                                        for t in texts]
    kinds = [_text_kind(t, 10) for t in ("部门名称：甲", "一级指标", "a:b", "单位：万元", "总分")]
    assert kinds == [1, 2, 0, 1, 1]  # label line, header word, colon only, label line, 总分 row


@given(texts=TEXTS, longest=st.integers(0, 4))
def test_short_is_the_rule_per_text(texts, longest):
    import numpy as np
    from evaluator.readers.columnar import Coded

    texts = [t + s for t in texts for s in ("", "²", "٣")]
    coded = Coded(np.arange(len(texts)), np.array(texts, dtype=object))
    assert coded.short(longest).tolist() == [":" in t or "：" in t or (0 < len(t) <= longest and not t[0].isdigit())
                                             for t in texts]


@given(rows=st.lists(st.tuples(st.sampled_from(["", "甲", "乙"]), st.sampled_from(["", "局", "委", "办"])), max_size=12),
       table_department=st.sampled_from(["", "局", "委"]))
def test_project_starts_column_wise_equals_row_by_row(rows, table_department):
    import numpy as np
    from evaluator.readers.columnar import _project_starts, _project_starts_row_by_row

    project = np.array([r[0] for r in rows], dtype=object)
    department = np.array([r[1] for r in rows], dtype=object)
    assert _project_starts(project, department, table_department).tolist() == \
        _project_starts_row_by_row(project, department, table_department).tolist()


def test_project_starts_values():
    import numpy as np
    from evaluator.readers.columnar import _project_starts

    project = np.array(["甲", "", "甲", "甲", "甲", "乙", "甲", "甲"], dtype=object)
    department = np.array(["", "", "局", "", "局", "", "", "委"], dtype=object)
    # 甲 (table's 局) · 甲 局: same · 甲 · 甲 局 · 乙 · 甲 · 甲 委: another department
    assert _project_starts(project, department, "局").tolist() == [True, False, False, False, False, True, True, True]
    assert _project_starts(project, department, "").tolist() == [True, False, True, False, False, True, True, True]


def test_project_ids():
    from evaluator.readers.tidy import project_ids

    assert project_ids(3) == ["P001", "P002", "P003"]
    assert project_ids(0) == []
    ids = project_ids(1001)
    assert ids[:2] == ["P001", "P002"] and ids[-1] == "P1001" and len(ids) == 1001
    assert project_ids(2) == ["P001", "P002"]


def test_target_in_unknown_column_is_reported_column_wise(tmp_path, monkeypatch):
    # the read doubts (readers/doubts.py) apply to the column-wise reader too, without falling back
    rows = [["项目名称", "一级指标", "二级指标", "三级指标", "目标要求", "指标值", "分值"],
            ["A项目", "产出指标", "数量指标", "培训人次", "≥100人次", "", "50"],
            ["A项目", "效益指标", "社会效益指标", "合格率", "≥95%", "", "40"],
            ["A项目", "满意度指标", "服务对象满意度指标", "满意度", "见附件", "≥90%", "10"]]
    fast, slow, taken = _both(_write(tmp_path, rows), monkeypatch)
    assert taken
    _assert_same(fast, slow)
    found = fast[3][fast[3]["code"] == "target_in_unknown_column"]
    assert list(found["row"]) == [2, 3] and list(found["column"]) == ["E", "E"]
    assert list(found["cell"]) == ["≥100人次", "≥95%"] and set(found["severity"]) == {"error"}


def test_few_rows_read_is_reported_column_wise(tmp_path, monkeypatch):
    # three of four rows under the header are classified placeholders that read as nothing
    rows = [["项目名称", "一级指标", "二级指标", "三级指标", "指标值", "绩效目标"],
            ["A", "产出指标", "数量指标", "培训人数", "≥50人", "目标A"],
            ["", "", "", "", "", "涉密内容"],
            ["", "", "", "", "", "涉密内容一"],
            ["", "", "", "", "", "涉密内容二"],
            ["", "", "", "", "", "涉密内容三"]]
    fast, slow, taken = _both(_write(tmp_path, rows), monkeypatch)
    assert taken
    _assert_same(fast, slow)
    found = fast[3][fast[3]["code"] == "few_rows_read"]
    assert len(found) == 1 and found["row"].iat[0] == 1 and found["severity"].iat[0] == "error"
    assert "只有 1 行读成了指标" in found["message"].iat[0]


def test_tidy_columns_typed_as_the_frame_would_type_them():
    """Per-distinct values taken to every row: texts handed on coded, as a categorical of the distinct texts
    in order of first appearance; other values get the dtype the frame's own inference gives (pandas 3:
    object for other values and for an empty column). A printed column given coded stays coded, numbered
    by first appearance, with only the texts its rows hold."""
    import numpy as np

    from evaluator.readers.tidy import _objects, _printed

    codes = np.array([1, 0, 1, 2])
    for values in (["a", "", "b"], ["a", "", "a"], [object(), object(), object()], ["a", None, "b"], ["a", 1, "b"]):
        expected = pd.DataFrame({"c": np.array(values, dtype=object).take(codes)})["c"]
        got = pd.DataFrame({"c": _objects(list(values), codes)}, copy=False)["c"]
        if all(isinstance(v, str) for v in values):
            assert isinstance(got.dtype, pd.CategoricalDtype)
            assert got.cat.categories.tolist() == list(dict.fromkeys(values))  # (numbered as the values)
        else:
            assert got.dtype == expected.dtype
        assert got.tolist() == expected.tolist()
    empty = np.zeros(0, dtype=np.intp)
    assert pd.DataFrame({"c": _objects(["a"], empty)})["c"].dtype == pd.DataFrame({"c": np.zeros(0, dtype=object)})["c"].dtype
    cat = pd.Series(pd.Categorical.from_codes(codes, categories=pd.Index(["x", "", "y", "unused"], dtype=object)))
    got = pd.DataFrame({"c": _printed(cat)})["c"]
    assert got.cat.categories.tolist() == ["", "x", "y"] and got.cat.codes.tolist() == [0, 1, 0, 2]
    assert got.tolist() == cat.tolist()
