import pandas as pd
import pytest

from evaluator.safety import neutralize_cell, neutralize_frame


@pytest.mark.parametrize("text,expected", [
    ("=1+1", "'=1+1"),
    ("+SUM(A1)", "'+SUM(A1)"),
    ("-2+3", "'-2+3"),
    ("@cmd", "'@cmd"),
    ("\tx", "'\tx"),
    ("\rx", "'\rx"),
    ("-3", "-3"),
    ("+2.5", "+2.5"),
    ("≥50个", "≥50个"),
    ("", ""),
])
def test_neutralize_cell(text, expected):
    assert neutralize_cell(text) == expected


def test_numbers_stay_numbers():
    df = pd.DataFrame({"name": ["=cmd|' /C calc'!A0", "正常"], "points": [-1.5, 4.6], "n": [1, 2]})
    out = neutralize_frame(df)
    assert out["name"].tolist() == ["'=cmd|' /C calc'!A0", "正常"]
    assert out["points"].tolist() == [-1.5, 4.6]
    assert out["n"].dtype == df["n"].dtype
    assert df["name"][0].startswith("=")  # the input is not modified
