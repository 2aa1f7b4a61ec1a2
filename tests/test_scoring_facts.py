"""Helpers of the scorer that replace pandas calls: the same values and dtypes as before."""
from __future__ import annotations

import numpy as np
import pandas as pd

from evaluator.compiler import compile_target
from evaluator.scoring import (TARGET_FACTS, _joint_codes, _objects, _target_row, conversion_factors,
                               target_facts)
from evaluator.frames import identity_codes


def test_target_facts_typed_as_a_frame_of_the_rows():
    texts = ["≥95%", "≤3天", "逐步提高", "≥95%", "10-20个", "完成"]
    targets = [compile_target(t) for t in texts]
    targets[3] = targets[0]  # rows of one text share one compiled target
    df = pd.DataFrame({"target": targets + [None]})
    codes, facts, distinct = target_facts(df)
    assert codes.tolist() == [0, 1, 2, 0, 3, 4, 5]
    assert list(distinct) == [targets[i] for i in (0, 1, 2, 4, 5)] + [None]
    rows = [_target_row(t) for t in distinct]
    frame = pd.DataFrame(rows, columns=TARGET_FACTS)
    assert list(facts) == TARGET_FACTS
    for c in TARGET_FACTS:
        assert facts[c].dtype == frame[c].dtype, c
        pd.testing.assert_series_equal(pd.Series(facts[c], name=c), frame[c])
    assert facts["t_kind"].tolist()[-1] == "empty"
    assert facts["t_value"].dtype == float


def test_target_facts_of_no_rows():
    codes, facts, distinct = target_facts(pd.DataFrame({"target": []}))
    assert len(codes) == 0 and len(distinct) == 0
    assert all(len(facts[c]) == 0 and facts[c].dtype == object for c in TARGET_FACTS)


def test_joint_codes_number_combinations_in_order_of_first_appearance():
    a = np.array(["x", "y", "x", "y", "x"], dtype=object)
    b = np.array([1, 1, 1, 2, 1], dtype=object)
    codes = _joint_codes([identity_codes(a), identity_codes(b)])
    assert codes.tolist() == [0, 1, 0, 2, 0]
    # many columns with many values: the key is folded before it could overflow
    rng = np.random.default_rng(1)
    cols = [rng.integers(0, 50_000, 400) for _ in range(6)]
    parts = [pd.factorize(c) for c in cols]
    got = _joint_codes([(c, np.arange(len(u))) for c, u in parts])
    want = pd.factorize(pd.Series(list(zip(*cols))))[0]
    assert got.tolist() == want.tolist()


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
