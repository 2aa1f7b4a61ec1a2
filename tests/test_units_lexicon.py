"""The vocabulary data files load, agree with each other, and convert through pint."""
from __future__ import annotations

import math

import pytest

from evaluator.lexicon import lexicon, normalize
from evaluator.units import conversion_factor, defined_units


def test_every_unit_spelling_points_at_a_defined_unit():
    lex = lexicon()
    units = defined_units()
    for spelling, canonical in lex.unit_spellings.items():
        assert canonical in units, (spelling, canonical)
    for word, per in lex.per_words.items():
        assert per in units, word


def test_every_defined_unit_converts_to_itself():
    for unit in defined_units():
        assert conversion_factor(unit, None, unit, None) == 1.0
        assert conversion_factor(unit, None, unit, "月") is None or unit in ("%", "‰")


@pytest.mark.parametrize("a,pa,b,pb,factor", [
    ("毫秒", None, "秒", None, 0.001),
    ("次", "年", "次", "月", 1 / 12),
    ("万元", None, "元", None, 10000.0),
    ("亩", None, "平方米", None, 10000 / 15),
    ("公里", None, "米", None, 1000.0),
    ("工作日", None, "天", None, 1.0),
    ("季度", None, "月", None, 3.0),
    ("‰", None, "%", None, 0.1),
])
def test_conversions(a, pa, b, pb, factor):
    assert math.isclose(conversion_factor(a, pa, b, pb), factor, rel_tol=1e-9)


@pytest.mark.parametrize("a,b", [("个", "场"), ("%", "百分点"), ("分", "分钟"), ("人", "人次"), ("元", "人")])
def test_counting_units_never_silently_equal(a, b):
    assert conversion_factor(a, None, b, None) is None


def test_normalize_keeps_offsets():
    text = "≧735人次；注销率＞98％（总分３０分）"
    assert len(normalize(text)) == len(text)
    assert normalize(text) == "≥735人次;注销率>98%(总分30分)"
