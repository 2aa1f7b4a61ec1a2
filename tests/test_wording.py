"""The one number formatter (evaluator.wording): half-up from the written decimal, no float noise."""
from __future__ import annotations

import math

import pytest

from evaluator.wording import fixed, num, pct, round_half_up

CASES = [  # value, fixed(x, 2), num(x, 4), pct(x), round_half_up(x, 2)
    (28.125, "28.13", "28.125", "2812.5%", 28.13),      # issue #15: 分值 28.125 showed as 28.12 beside 得分 28.13
    (2.675, "2.68", "2.675", "267.5%", 2.68),           # binary 2.67499… : round() gives 2.67
    (98.58000000000001, "98.58", "98.58", "9858%", 98.58),  # float noise never shown
    (5, "5.00", "5", "500%", 5.0),
    (0.975, "0.98", "0.975", "97.5%", 0.98),
    (-0.0, "0.00", "0", "0%", 0.0),                     # no 「-0.00」
    (-0.001, "0.00", "-0.001", "-0.1%", 0.0),
    (1 / 3, "0.33", "0.3333", "33.33%", 0.33),
    (0.99999999999999, "1.00", "1", "100%", 1.0),
    (12.5, "12.50", "12.5", "1250%", 12.5),
    (81.27499999999999, "81.28", "81.275", "8127.5%", 81.28),  # a float mean of shown figures whose sum is 81.275
]


@pytest.mark.parametrize("x,two,four,percent,rounded", CASES)
def test_formatter(x, two, four, percent, rounded) -> None:
    assert fixed(x) == two and num(x) == two
    assert num(x, 4) == four
    assert pct(x) == percent
    r = round_half_up(x, 2)
    assert r == rounded and repr(r) == repr(rounded)


def test_missing_values() -> None:
    for x in (None, math.nan):
        assert fixed(x) == num(x) == num(x, 4) == pct(x) == ""
    assert round_half_up(None) is None and math.isnan(round_half_up(math.nan))


def test_trend_explanations_use_the_one_formatter():
    """A stated or measured change in a trend explanation rounds half-up like every other figure."""
    from evaluator import trends
    assert trends._amount(1.125) == "1.13" and trends._amount(5.0) == "5" and trends._amount(1.5) == "1.5"
    assert trends._num(28.125) == "28.13" and trends._num(float("nan")) == "—"


def test_many_numbers_at_once_write_as_one_at_a_time() -> None:
    """fixed_all / num_all / pct_all (a table's distinct numbers in one call) give what the one-value
    functions give: ties, -0.0, tiny negatives, NaN, huge and infinite values included."""
    import numpy as np

    from evaluator.wording import fixed_all, num_all, pct_all

    rng = np.random.default_rng(7)
    special = [math.nan, math.inf, -math.inf, -0.0, 0.0, 1e16, -1e-9, 1e13, 5e-5, -5e-5, 0.005, -0.005]
    xs = np.concatenate([rng.random(2000) * 1000, -rng.random(200) / 1000, np.arange(-400, 400) / 8,
                         np.arange(-400, 400) / 1000, [c[0] for c in CASES], special])
    for digits in (2, 4):
        assert fixed_all(xs, digits) == [fixed(x, digits) for x in xs.tolist()]
        assert num_all(xs, digits) == [num(x, digits) for x in xs.tolist()]
    for values in (xs, xs / 100):
        assert pct_all(values) == [pct(x) for x in values.tolist()]
    assert fixed_all(np.zeros(0)) == num_all([], 4) == pct_all([]) == []


def test_a_template_filled_in_two_steps_reads_as_one_message() -> None:
    """wording.template fills some fields and leaves the others; filling those (template_pieces) then
    gives what message gives with every value, braces in values and conversions included."""
    from evaluator.wording import Field, message, messages, template, template_pieces

    def fill(text: str, **values) -> str:
        return "".join(p if isinstance(p, str) else p.fill(values[p.name]) for p in template_pieces(text))

    for section, key, first, rest in [("execution", "scored", {"weight": "1{0}}"}, {"spent": "a{", "budget": 2.5,
                                                                                    "rate": "9%", "points": None}),
                                      ("rule", "ge_missed", {}, {"actual": "46", "target": "50", "weight": "5.00",
                                                                 "points": "4.60"}),
                                      ("summary", "head", {"grade": "优", "project": "p{x}"}, {"total": 91.75})]:
        assert fill(template(section, key, **first), **rest) == message(section, key, **first, **rest)
    assert template_pieces("a{x!r:>6}b{y.real}{{c}}") == ("a", Field("x", "{x!r:>6}"), "b", Field("y", "{y.real}"), "{c}")
    assert fill("a{x!r:>6}b{y.real}{{c}}", x="q", y=2.5) == "a{x!r:>6}b{y.real}{{c}}".format(x="q", y=2.5)
    assert messages()  # the templates load
