"""The "codes + distinct values" toolkit (evaluator/frames.py), on pandas 2.2 and 3."""
from __future__ import annotations

import numpy as np
import pandas as pd

from evaluator.frames import Codes, distinct_rows, exact_codes, exact_values, factorize_objects, first_rows, joint_codes


def test_factorize_objects_keys_whole_texts_and_missing():
    a, b = "甲乙", "".join(["甲", "乙"])  # equal texts, two objects: one value
    values = [a, "x", b, None, float("nan"), "a\x00b", "a\x00c", "a"]  # (pandas 2 alone would stop at NUL)
    codes, uniques = factorize_objects(values)
    assert codes.tolist() == [0, 1, 0, -1, -1, 2, 3, 4]
    assert uniques.tolist() == [a, "x", "a\x00b", "a\x00c", "a"] and uniques.dtype == object
    codes, uniques = factorize_objects(["x", None, "x"], use_na_sentinel=False)
    assert codes.tolist() == [0, 1, 0] and uniques[0] == "x" and pd.isna(uniques[1])
    codes, uniques = factorize_objects(["x", "y"], use_na_sentinel=False)
    assert codes.tolist() == [0, 1] and uniques.tolist() == ["x", "y"]
    assert factorize_objects([])[0].tolist() == []


def test_joint_codes_and_first_rows():
    assert joint_codes(np.array([0, 1, 0, 1, 0]), np.array([5, 5, 5, -1, 5])).tolist() == [0, 1, 0, 2, 0]
    rng = np.random.default_rng(1)
    cols = [rng.integers(0, 50_000, 400) for _ in range(6)]  # many columns of many values: no overflow
    assert joint_codes(*cols).tolist() == pd.factorize(pd.Series(list(zip(*cols))))[0].tolist()
    assert first_rows(np.array([-1, 0, 1, 0, -1, 2])).tolist() == [1, 2, 5]  # missing (-1) has none


def test_distinct_rows_codes_and_first_values():
    a = pd.Series(["x", "y", "x", "x", None], dtype=object)
    b = pd.Categorical(["1", "1", "1", "2", "1"], categories=["2", "1", "3"])
    codes, (first_a, first_b) = distinct_rows(a, b)
    assert codes.tolist() == [0, 1, 0, 2, 3]
    assert first_a.tolist() == ["x", "y", "x", None] and first_b.tolist() == ["1", "1", "2", "1"]
    # a column given already coded
    codes, (first,) = distinct_rows((np.array([2, 0, 2]), np.array(["p", "q", "r"], dtype=object)))
    assert codes.tolist() == [0, 1, 0] and first.tolist() == ["r", "p"]


def test_exact_codes_keep_types_apart():
    values = np.empty(7, dtype=object)
    values[:] = ["xy", "z", "xy", None, True, 1, [1]]  # True, 1 and an unhashable list apart
    codes, first = exact_codes(values)
    assert len(set(codes[4:].tolist())) == 3 and codes[0] == codes[2] != codes[1]
    assert [values[first][k] for k in codes] == values.tolist()
    codes, first = exact_codes(np.array(["a", "b", "".join(["a"])], dtype=object))  # texts by value
    assert codes.tolist() == [0, 1, 0] and first.tolist() == [0, 1]
    # texts by value, gaps and other types by object, all numbered in order of first appearance
    nan = float("nan")
    values = np.empty(9, dtype=object)
    values[:] = ["a", None, 1, True, "".join(["a"]), nan, None, 1.0, "b"]
    codes, first = exact_codes(values)
    assert codes.tolist() == [0, 1, 2, 3, 0, 4, 1, 5, 6] and first.tolist() == [0, 1, 2, 3, 5, 7, 8]
    codes, first = exact_codes(pd.Series(["a", None, "b", "a"], dtype="str").to_numpy(dtype=object))
    assert codes.tolist() == [0, 1, 2, 0] and first.tolist() == [0, 1, 2]
    assert exact_codes(np.array([], dtype=object))[0].tolist() == []


def test_exact_values_are_the_first_rows_objects():
    nan = float("nan")
    for listed in (["a", "b", "".join(["a"]), "c"], ["a", None, 1, True, "".join(["a"]), nan, None, 1.0, "b"],
                   [None, "a", None], [1, True, 1.0], []):
        values = np.empty(len(listed), dtype=object)
        values[:] = listed
        codes, distinct = exact_values(values)
        same, first = exact_codes(values)
        assert codes.tolist() == same.tolist()
        assert [id(v) for v in distinct.tolist()] == [id(v) for v in values[first].tolist()]


def test_codes_masks_by_value():
    kinds = Codes(np.array([0, 1, 2, 1, 3]), np.array(["number", "text", "empty", "number"], dtype=object))
    assert kinds.isin("number").tolist() == [True, False, False, False, True]
    assert kinds.isin("text", "empty").tolist() == [False, True, True, True, False]
    assert not kinds.isin("absent").any()
    assert Codes.of(["a", None, "a"]).values().tolist() == ["a", None, "a"]


def test_in_first_order_is_how_factorize_numbers():
    from evaluator.frames import factorize_objects, in_first_order
    for cells in (["b", "a", "b", "c"], ["a", None, "a", "b"], [None, "x"], [], ["z"]):
        codes, uniques = factorize_objects(np.array(cells, dtype=object))
        assert in_first_order(codes, len(uniques))
    assert not in_first_order(np.array([1, 0]), 2)  # numbered, but not by first appearance
    assert not in_first_order(np.array([0, 2, 1]), 3)
    assert not in_first_order(np.array([0, 0]), 2)  # a value no row holds
    assert not in_first_order(np.array([], dtype=np.intp), 1)
