"""The compiler's shortcuts give what the plain code gives.

``target.make_target`` skips the frozen dataclass ``__init__``; ``_mask`` skips the quote, scale
note, date, ratio and code masks when no character they need is in the text. Both are checked
here against the plain form on generated and hand-picked texts.
"""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from evaluator import compiler
from evaluator.lexicon import lexicon
from evaluator.target import Target, make_target

VOCAB = ["≥", "<=", "不少于", "以上", "“一站式”", "《法》", "(总分30分)", "(含", "2025年12月", "3月底",
         "1-12月", "2024.01", "2024/3", "2024-05-06", "1:3", "1比1", "第3", "G20", "5G", "80M", "km",
         "个", "人", "万元", "/月", "每天", ".", "-", "/", "至", "1", "23", "4.5", "十二", "一批", " ",
         ";", ",", "(", ")", "年", "月", "日"]
texts = st.one_of(st.text(max_size=40),
                  st.lists(st.sampled_from(VOCAB), max_size=10).map("".join))


def _plain_mask(s: str, lex) -> tuple[str, list[str]]:
    """_mask without the shortcuts: every pattern tried on every text."""
    chars = list(s)
    notes: list[str] = []

    def blank(a: int, b: int) -> None:
        for i in range(a, b):
            chars[i] = compiler._MASK

    for m in compiler._QUOTES.finditer(s):
        blank(m.start(), m.end())
    for m in compiler._PAREN.finditer(s):
        inner = m.group(0)
        if any(w in inner for w in lex.scale_words):
            blank(m.start(), m.end())
            notes.append(lex.reasons["scale_note"].format(text=inner))
        elif inner[1:].startswith(lex.inclusive_starts) and m.start() > 0 and any(c.isdigit() for c in inner):
            blank(m.start(), m.end())
    for m in compiler._DATE_SPAN.finditer(s):
        blank(m.start(), m.end())
        notes.append("date:" + m.group(0))
    for m in lex.not_numbers_re.finditer(s):
        blank(m.start(), m.end())
    text = "".join(chars)
    for m in compiler._RATIO.finditer(text):
        blank(m.start(), m.end())
    text = "".join(chars)
    for m in compiler._CODES.finditer(text):
        tok = m.group(0)
        if tok.startswith("第") or not compiler._is_number_with_latin_unit(tok, lex):
            blank(m.start(), m.end())
    return "".join(chars), notes


@settings(max_examples=400, deadline=None)
@given(texts)
def test_mask_shortcuts_change_nothing(text):
    lex = lexicon()
    s = compiler._clean(text)
    assert compiler._mask(s, lex) == _plain_mask(s, lex)


def test_date_hint_precedes_every_date():
    for text in ["2025年12月", "3月底", "1-12月", "1月至12月", "2024.01", "2024/3", "2024-05-06",
                 "12月31日", "2023年", "2019.12-2020.3"]:
        assert compiler._DATE_SPAN.search(text), text
        assert compiler._DATE_HINT.search(text), text


@settings(max_examples=200, deadline=None)
@given(texts)
def test_make_target_equals_the_dataclass(text):
    target = compiler._compile(text)
    fields = {name: getattr(target, name) for name in Target.__dataclass_fields__}
    plain, fast = Target(**fields), make_target(**fields)
    assert fast == plain and repr(fast) == repr(plain) and hash(fast) == hash(plain)
    assert fast.to_dict() == plain.to_dict() and vars(fast) == vars(plain)


def test_num_spells_digits_out():
    for v in (1607.7, 0.001, 1e-05, 1.5e16, 1e16, -3.25, 12.0, float("inf")):
        assert compiler._num(v) == _plain_num(v)


def _plain_num(v: float) -> str:
    import math
    from decimal import Decimal
    if math.isfinite(v) and v == int(v):
        return str(int(v))
    text = format(Decimal(repr(v)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
