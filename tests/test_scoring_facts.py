"""Helpers of the scorer: facts per distinct target, unit factors, text codes."""
from __future__ import annotations

import numpy as np
import pandas as pd

from evaluator.compiler import compile_target
from evaluator.scoring import TARGET_FACTS, _objects, _target_row, conversion_factors, target_facts


def test_target_facts_once_per_distinct_target():
    texts = ["≥95%", "≤3天", "逐步提高", "≥95%", "10-20个", "完成"]
    targets = [compile_target(t) for t in texts]
    targets[3] = targets[0]  # rows of one text share one compiled target
    df = pd.DataFrame({"target": targets + [None]})
    codes, facts, distinct = target_facts(df)
    assert codes.tolist() == [0, 1, 2, 0, 3, 4, 5]
    assert list(distinct) == [targets[i] for i in (0, 1, 2, 4, 5)] + [None]
    assert list(facts) == TARGET_FACTS
    for k, t in enumerate(distinct):
        for c, want in zip(TARGET_FACTS, _target_row(t)):
            got = facts[c][k]
            assert got == want or (pd.isna(got) and pd.isna(want)), (c, k, got, want)
    assert facts["t_kind"].tolist() == ["compare", "compare", "trend", "range", "done", "empty"]
    assert facts["t_value"].tolist()[:2] == [95.0, 3.0] and facts["t_value"].dtype == float


def test_target_facts_of_no_rows():
    codes, facts, distinct = target_facts(pd.DataFrame({"target": []}))
    assert len(codes) == 0 and len(distinct) == 0
    assert all(len(facts[c]) == 0 and facts[c].dtype == object for c in TARGET_FACTS)


def test_conversion_factors_by_distinct_units():
    pct, tian, xiaoshi = "%", "天", "小时"
    f = conversion_factors(np.array([pct, None, xiaoshi, "个", np.nan], dtype=object),
                           np.array([None, None, None, None, None], dtype=object),
                           np.array([pct, "个", tian, "场", "万元"], dtype=object),
                           np.array([None, None, None, None, np.nan], dtype=object))
    assert f[0] == 1.0 and f[1] == 1.0 and f[4] == 1.0
    assert abs(f[2] - 1 / 24) < 1e-12
    assert np.isnan(f[3])
    assert len(conversion_factors(*(np.empty(0, dtype=object),) * 4)) == 0


def test_objects_keeps_tuples_and_lists_as_elements():
    out = _objects([(1, 2), [3], "ab", None])
    assert out.shape == (4,) and out[0] == (1, 2) and out[1] == [3] and out[3] is None
    assert _objects([]).shape == (0,)


def test_text_codes_of_texts_places_the_missing_text():
    from evaluator.scoring import text_codes
    # "" already among the texts: a missing cell takes its code; texts differing after a NUL stay apart
    codes, distinct = text_codes(pd.Series(["a", np.nan, "", None, "a\x00b", "a\x00c"] * 20, dtype=object))
    assert distinct.tolist() == ["a", "", "a\x00b", "a\x00c"]
    assert codes[:6].tolist() == [0, 1, 1, 1, 2, 3]
    # no "": it is added after the others (also when no cell is missing)
    codes, distinct = text_codes(pd.Series(["b", np.nan, "a"] * 30, dtype=object))
    assert distinct.tolist() == ["b", "a", ""] and codes[:3].tolist() == [0, 2, 1]
    codes, distinct = text_codes(pd.Series(["b", "a"] * 40, dtype=object))
    assert distinct.tolist() == ["b", "a", ""] and codes[:2].tolist() == [0, 1]
    # missing=None: a missing cell reads as str() of the first missing value
    codes, distinct = text_codes(pd.Series(["a", np.nan, "b", None] * 20, dtype=object), missing=None)
    assert distinct.tolist() == ["a", "nan", "b", ""] and codes[:4].tolist() == [0, 1, 2, 1]


def test_text_codes_takes_a_categorical_by_its_codes():
    from evaluator.scoring import text_codes
    cells = ["b", None, "a", "b", ""] * 10
    for column, distinct_texts in ((pd.Series(pd.Categorical(cells, categories=["", "a", "b"])), ["", "a", "b"]),
                                   (pd.Series(pd.Categorical(["b", None, "a"])), ["", "a", "b"]),
                                   (pd.Series(pd.Categorical(["b", "a"])), ["", "a", "b"])):
        codes, distinct = text_codes(column)
        assert sorted(distinct.tolist()) == distinct_texts  # the categories (and "" unless among them)
        as_objects = text_codes(column.to_numpy(dtype=object))
        assert distinct[codes].tolist() == as_objects[1][as_objects[0]].tolist()
    # a category that is no text: read as text first, as any column
    column = pd.Series(pd.Categorical([1, 2, None]))
    (codes, distinct), as_objects = text_codes(column), text_codes(column.to_numpy(dtype=object))
    assert distinct[codes].tolist() == as_objects[1][as_objects[0]].tolist()
