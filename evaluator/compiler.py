"""The target compiler: one 指标值 cell → one :class:`~evaluator.target.Target`.

The grammar is small and hand-written; every word it knows is in
``data/lexicon.toml``. The steps:

1. fold look-alike glyphs (``≧`` → ``≥``, full-width → ASCII), offsets unchanged;
2. mask what is never a target: quoted slogans (“最多跑一次”), book titles
   (《反有组织犯罪法》), scale notes (（总分30分）), dates, idioms such as 一批;
3. find every quantity: comparator phrase, number (Arabic or Chinese, 万/亿),
   unit, rate basis, range, trailing 以上/以内;
4. one quantity → ``compare``/``range``/``zero``; several → ``all``; none → the
   non-numeric kinds (zero event, trend, full coverage, deliverable, formula,
   metric name, qualitative), each with a reason the user can act on.

>>> compile_target("不少于10场").to_dict()["op"], compile_target("不少于10场").value
('>=', 10.0)
"""
from __future__ import annotations

import bisect
import math
import re
from decimal import Decimal
from dataclasses import dataclass, replace
from functools import lru_cache

from .lexicon import Lexicon, lexicon, normalize
from .target import Target
from .units import RATE_BASES

_MASK = "\x00"
_SEGMENT_BREAKS = frozenset(";,。!?\n\r")
# clauses of a cell that may each state a target (无安全事故、完好率不低于95%)
_CLAUSE_BREAKS = _SEGMENT_BREAKS | {"、"}
_PUNCT = " \t\r\n,.;:、。!?'\"“”‘’()[]<>《》{}…·-~_=+*/\\|"
_ARABIC = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# control characters count as white space; runs of white space fold to one
_SPACES = re.compile(r"[\s\x00-\x1f\x7f]+")
# (the date parts are compiled on their own so their characters stay inside re.compile; the
# regexes below are built from their ``.pattern``)
_YMD = re.compile(r"(?:19|20)\d{2}\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?)?"
                  r"|(?:19|20)\d{2}[.\-/](?:0?[1-9]|1[0-2])(?:[.\-/](?:[0-2]?\d|3[01]))?(?![\d.])").pattern
_MD = re.compile(r"\d{1,2}\s*月\s*\d{1,2}\s*[日号]|\d{1,2}\s*月(?=底|末|初|前|中旬|上旬|下旬|份)").pattern
_DATE_TAIL = re.compile(r"(?:底|末|初|前|以前|之前|中旬|上旬|下旬|份)?").pattern
# quarters and halves of the year as a deadline: 第三季度, 三季度前, 2023年4季度, 上半年
_QUARTER = re.compile(r"(?:(?:19|20)\d{2}\s*年\s*(?:第\s*)?[1-4一二三四]|第\s*[1-4一二三四]|[一二三四])\s*季度"
                      r"|(?:(?:19|20)\d{2}\s*年\s*)?[上下]半年(?!度)").pattern
_DATE = f"(?:{_YMD}|{_MD}){_DATE_TAIL}"
# months of the year: 1-12月, 1月至12月 (a span of the calendar, not a duration of 个月)
_MONTH = r"(?:1[0-2]|0?[1-9])"
_MONTH_SPAN = re.compile(rf"{_MONTH}\s*月?\s*(?:-{{1,2}}|~|至|到)\s*{_MONTH}\s*月(?![\d])").pattern
_DATE_SPAN = re.compile(
    rf"(?:(?:19|20)\d{{2}}\s*年\s*)?{_MONTH_SPAN}{_DATE_TAIL}"
    rf"|{_DATE}(?:\s*(?:-{{1,2}}|~|至|到)\s*(?:{_DATE}|\d{{1,2}}\s*月{_DATE_TAIL}))?")
# every _DATE_SPAN match holds 年 or 月, or a year followed by . - / (2024.01, 2024-05-06): the
# regex (the costliest step of a short cell) is tried only where this finds one
_DATE_HINT = re.compile(r"[年月]|(?:19|20)\d{2}[.\-/]")
# a quarter or half year as a deadline: every match names 季度 or 半年 (tried only then)
_QUARTER_SPAN = re.compile(f"(?:{_QUARTER}){_DATE_TAIL}")
_QUOTES = re.compile(r"“[^”]{0,40}”|‘[^’]{0,40}’|\"[^\"]{0,40}\"|「[^」]{0,40}」|《[^》]{0,60}》|〈[^〉]{0,60}〉")
_QUOTE_CHARS = re.compile(r"[“‘\"「《〈]")
_LATIN = re.compile(r"[A-Za-z]")
_CODES = re.compile(r"第\s*[\d零〇一二两三四五六七八九十百]+|[A-Za-z]+\d+(?:\.\d+)?[A-Za-z]*|\d+[A-Za-z]+\d*")
_RATIO = re.compile(r"\d+(?:\.\d+)?\s*(?::|比)\s*\d+(?:\.\d+)?")
_PAREN = re.compile(r"\([^()]{0,40}\)")
# a remark in brackets at the end of a cell with no number in it: 较上年提升（新增指标）
_REMARK = re.compile(r"\s*\([^()\d]{1,12}\)$")
# a Chinese fraction: 三分之二, 5分之1 (千分之 and 万分之 are read by the lexicon's words)
_FRACTION = re.compile(r"([一二两三四五六七八九十]{1,4}|\d{1,6})\s*分之\s*([零〇一二两三四五六七八九十]{1,6}|\d{1,9}(?:\.\d{1,9})?)")
# 1/3以上: a share written as a fraction of small whole numbers, nothing glued after it
_SLASH_FRACTION = re.compile(r"/(\d{1,2})(?![\d./%])")
_CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")
_FORMULA = re.compile(r"[\u4e00-\u9fff)\]]\s*=\s*[(\[\u4e00-\u9fff]|[\u4e00-\u9fff)]\s*[/÷]\s*[(\u4e00-\u9fff]")
_FORMULA_STRONG = re.compile(r"[\u4e00-\u9fff]\s*=\s*[^=]*[\u4e00-\u9fff)]\s*[/÷×*]\s*[(\u4e00-\u9fff]")
# the structural words of the grammar (data/lexicon.toml [grammar])
_GRAMMAR = lexicon().grammar
_RANGE_WORDS: tuple[str, ...] = tuple(_GRAMMAR["range_words"])  # 至, 到
_PER: str = _GRAMMAR["per"]  # 每
_RATE_MARKS = "/" + _PER
_RATIO_WORD: str = _GRAMMAR["ratio"]  # 比
_ORDINAL: str = _GRAMMAR["ordinal"]  # 第
_FRACTION_WORD: str = _GRAMMAR["fraction"]  # 分之
_PERCENT_WORDS: str = _GRAMMAR["percent_words"]  # 百分之
_HUNDRED: str = _GRAMMAR["hundred"]  # 百
_TEN: str = _GRAMMAR["ten"]  # 十
_ZEROS: tuple[str, ...] = tuple(_GRAMMAR["zeros"])  # 零, 〇
_QUARTER_WORD: str = _GRAMMAR["quarter"]  # 季度
_HALF_YEAR_WORD: str = _GRAMMAR["half_year"]  # 半年
_FIRST_HALF: str = _GRAMMAR["first_half"]  # 上
_STABLE_VERB: str = _GRAMMAR["stable_verb"]  # 稳定
_RANGE_SEPS = ("--", "-", "~", *_RANGE_WORDS)
_RANGE_FIRST = frozenset(sep[0] for sep in _RANGE_SEPS)
_OPS = (">=", "<=", ">", "<", "==")
_OP_SYMBOL = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "==": "="}


@dataclass(slots=True)
class _Quantity:
    """A quantity found in the text, before it becomes a Target."""

    start: int
    end: int
    value: float
    unit: str | None = None
    per: str | None = None
    op: str | None = None
    high: float | None = None  # set for ranges
    has_comparator: bool = False
    #: a counting word the lexicon does not know, read as a unit of its own (120万尾)
    unknown_unit: str | None = None
    #: up / down when a change verb stands right before the number (提高2%, 下降1%)
    change: str | None = None


def compile_target(text: object) -> Target:
    """Compile one target cell. Never raises; each distinct text is compiled once.

    >>> compile_target("≥10次/年").to_dict()["per"]
    '年'
    """
    return _compile_cached(_as_text(text))


def _as_text(text: object) -> str:
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    return text if isinstance(text, str) else str(text)


@lru_cache(maxsize=262144)
def _compile_cached(text: str) -> Target:
    try:
        return _compile(text)
    except Exception as exc:  # noqa: BLE001 - a cell must never stop the table
        return Target(kind="qualitative", raw=text, canonical=_clean(text),
                      reason=lexicon().reasons["parse_error"].format(error=type(exc).__name__),
                      notes=("parse_error",))


def compile_cache_info():
    """Cache statistics (hits, misses) of the compiler, for benchmarks."""
    return _compile_cached.cache_info()


def _clean(text: str) -> str:
    """Normalised text used as the canonical form of non-numeric targets."""
    return _SPACES.sub(" ", normalize(text)).strip()


def _compile(raw: str) -> Target:
    lex = lexicon()
    s = _SPACES.sub(" ", raw.translate(lex.fold)).strip()  # _clean(raw)
    core = s.strip(_PUNCT)
    empty_exact = lex.empty_exact
    if s in empty_exact or core in empty_exact or not core:
        return Target(kind="empty", raw=raw, canonical="", reason=lex.reasons["empty"])
    masked, notes = _mask(s, lex)
    if ("=" in s or "/" in s or "÷" in s) and _is_formula(s, masked):
        return Target(kind="formula", raw=raw, canonical=s,
                      reason=lex.reasons["formula"].format(text=s), notes=("formula",))
    quantities = _find_quantities(s, masked, lex)
    if quantities:
        if len(quantities) == 2:
            quantities = _join_bounds(quantities, masked, lex)
        notes += [f"unknown_unit:{q.unknown_unit}" for q in quantities if q.unknown_unit]
        zeros = _zero_clauses(s, masked, quantities, raw, lex)
        if len(quantities) == 1 and not zeros:
            return _with_prior(_to_target(quantities[0], raw, tuple(notes)), notes)
        clauses = sorted([(q.start, _to_target(q, raw)) for q in quantities] + zeros, key=lambda c: c[0])
        canonical = ";".join(c.canonical for _, c in clauses)
        return _with_prior(Target(kind="all", raw=raw, canonical=canonical, clauses=tuple(c for _, c in clauses),
                                  span=(clauses[0][0], quantities[-1].end), notes=tuple(notes)), notes)
    return _non_numeric(raw, s, masked, notes, lex)


def _with_prior(target: Target, notes: list[str]) -> Target:
    """``target`` with the value of a bracketed prior-year or base figure (≥85%(2023年:82%))."""
    for note in notes:
        if note.startswith("prior:"):
            side = compile_target(note[len("prior:"):])
            unit = target.unit if target.kind == "compare" else (target.clauses[0].unit if target.clauses else None)
            if side.kind == "compare" and side.value is not None and side.unit in (unit, None):
                return replace(target, prior=side.value)
    return target


def _zero_clauses(s: str, masked: str, quantities: list[_Quantity], raw: str,
                  lex: Lexicon) -> list[tuple[int, Target]]:
    """Zero-event clauses beside numbers (无安全事故、完好率不低于95%): each a ``zero`` clause.

    Only a clause with no number of its own counts (安全事故发生率为0 is read as a number).
    """
    if lex.zero_re.search(s) is None:
        return []
    out: list[tuple[int, Target]] = []
    spans = sorted((q.start, q.end) for q in quantities)  # in order, not overlapping: ends ascend too
    starts, ends = [a for a, _ in spans], [b for _, b in spans]
    start = 0
    for end in [i for i, c in enumerate(masked) if c in _CLAUSE_BREAKS] + [len(s)]:
        part = s[start:end]
        # no number of its own in the clause: the first number ending after its start begins at or
        # after its end (a number may run into it over a break: the comma of 1,000 is no clause break)
        k = bisect.bisect_right(ends, start)
        if (not (k < len(starts) and starts[k] < end)
                and lex.zero_re.search(part) is not None):
            # the clause as written, without what the mask set aside (a score range in brackets is no
            # part of it: its number would read as a target of its own)
            text = "".join(c for c, m in zip(part, masked[start:end]) if m != _MASK).strip(_PUNCT)
            out.append((start, Target(kind="zero", raw=raw, canonical=text, span=(start, end),
                                      notes=("zero_phrase",))))
        start = end + 1
    return out


# --------------------------------------------------------------------------- masking
def _mask(s: str, lex: Lexicon) -> tuple[str, list[str]]:
    """Blank out (same length) the parts of ``s`` that are never a target."""
    notes: list[str] = []
    spans: list[tuple[int, int]] = []  # blanked, in the order found (overlaps allowed)

    # each pattern is tried only when a character it needs is present (most cells are short)
    if _QUOTE_CHARS.search(s):
        for m in _QUOTES.finditer(s):
            spans.append(m.span())
    if "(" in s:
        digits = sum(c.isdigit() for c in s)  # a prior bracket needs a number outside it
        for m in _PAREN.finditer(s):
            inner = m.group(0)
            if any(w in inner for w in lex.scale_words):
                spans.append(m.span())
                notes.append(lex.reasons["scale_note"].format(text=inner))
            elif (inner[1:].startswith(lex.inclusive_starts) and m.start() > 0
                  and any(c.isdigit() for c in inner)):
                spans.append(m.span())
            elif _is_prior_note(inner, lex) and digits > sum(c.isdigit() for c in inner):
                spans.append(m.span())
                notes.append("prior:" + inner[1:-1])
    if _DATE_HINT.search(s):
        for m in _DATE_SPAN.finditer(s):
            spans.append(m.span())
            notes.append("date:" + m.group(0))
    if _QUARTER_WORD in s or _HALF_YEAR_WORD in s:
        for m in _QUARTER_SPAN.finditer(s):
            spans.append(m.span())
            notes.append("date:" + m.group(0))
    for m in lex.not_numbers_re.finditer(s):
        spans.append(m.span())
    if any(u in s for u in lex.age_units):  # the age pattern names one of them
        for m in lex.age_qualifier_re.finditer(s):
            spans.append(m.span())
    text = _blank(s, spans) if spans else s
    # ratios (1:3, 1比1) are not quantities
    if ":" in text or _RATIO_WORD in text:
        spans = [m.span() for m in _RATIO.finditer(text)]
        if spans:
            text = _blank(text, spans)
    # ordinals (第3季度) and codes (G20, 5G, shp2000) are not quantities
    if _ORDINAL in text or _LATIN.search(text):
        spans = []
        for m in _CODES.finditer(text):
            tok = m.group(0)
            if tok.startswith(_ORDINAL) or not _is_number_with_latin_unit(tok, lex):
                spans.append(m.span())
        if spans:
            text = _blank(text, spans)
    return text, notes


def _is_prior_note(inner: str, lex: Lexicon) -> bool:
    """(2023年:82%), (上年实际94%), (基数:55%): last year's or a base figure, with a number."""
    body = _DATE_SPAN.sub("", inner)
    if not any(c.isdigit() for c in body):
        return False
    return any(w in inner for w in lex.prior_words) or bool(re.match(r"\((?:19|20)\d{2}\s*年", inner))


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with each (start, end) span replaced by as many mask characters."""
    chars = list(text)
    for a, b in spans:
        chars[a:b] = _MASK * (b - a)
    return "".join(chars)


def _is_number_with_latin_unit(tok: str, lex: Lexicon) -> bool:
    """True for 80M, 2km, 3s (a number then a known Latin unit spelling)."""
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([A-Za-z]+\d?)", tok)
    return bool(m) and m.group(2) in lex.unit_spellings


def _is_formula(s: str, masked: str) -> bool:
    if "=" not in s and "/" not in s and "÷" not in s:
        return False
    if _FORMULA_STRONG.search(s):
        return True
    has_digit = any(c.isdigit() for c in masked)
    return not has_digit and bool(_FORMULA.search(s))


# --------------------------------------------------------------------------- quantities
def _find_quantities(s: str, masked: str, lex: Lexicon) -> list[_Quantity]:
    found: list[_Quantity] = []
    pos = 0
    fractions = _FRACTION_WORD in masked or "/" in masked
    # a change verb or a time-basis word found nowhere in the text is found before no number
    # (each look-back below searches a part of the text for the same words)
    changes = lex.change_hint_re.search(masked) is not None
    for m in lex.number_start_re.finditer(masked):
        if m.start() < pos:
            continue
        start = m.start()
        c = masked[start]
        q = _read_fraction(masked, start, lex) if fractions else None
        if q is not None:
            pass
        elif c.isdigit() or c == ".":
            q = _read_arabic(masked, start, lex)
        elif masked.startswith(_PERCENT_WORDS, start):
            q = _read_percent_words(masked, start, lex)
        else:
            q = _read_chinese(masked, start, lex)
        if q is None:
            continue
        _read_comparators(masked, q, lex, changes)
        lead = _lead_per(masked, q, lex) if _PER in masked else None
        if lead:
            q.unit = (q.unit or "") + "/" + lead
        if q.unit or q.op or q.has_comparator or _keep(q, masked, lex):
            found.append(q)
        pos = max(q.end, start + 1)
    if not found or lex.per_words_re.search(masked) is None:
        return found
    per_excluded = lex.per_excluded
    clauses = _Clauses(masked, lex) if len(found) > 8 else None  # many numbers: each clause scanned once
    for q in found:
        if q.per is None:
            if q.unit in per_excluded:
                q.per = _adjacent_per(masked, q.start, lex, compared=q.op is not None)
            else:
                q.per = _context_per(masked, q.start, lex) if clauses is None else clauses.per(q.start)
            if q.per is not None and q.per == q.unit:
                q.per = None
    return found


def _read_fraction(t: str, pos: int, lex: Lexicon) -> _Quantity | None:
    """三分之二 → 66.67 %, 千分之三 → 3 ‰, 万分之五 → 0.05 %, 1/3 → 33.33 %."""
    for w, denominator in lex.fraction_words.items():
        if t.startswith(w, pos):
            m = _ARABIC.match(t, pos + len(w))
            parsed = (float(m.group(0)), m.end()) if m else _chinese_number(t, pos + len(w), lex)
            if parsed is None:
                return None
            if denominator == 1000:  # per-mille keeps its own unit
                return _Quantity(start=pos, end=parsed[1], value=parsed[0], unit="‰")
            return _Quantity(start=pos, end=parsed[1], value=parsed[0] * 100 / denominator, unit="%")
    c = t[pos]
    if c.isdigit():
        m = _ARABIC.match(t, pos)
        if m is None or "." in m.group(0) or "," in m.group(0):
            return None
        f = _SLASH_FRACTION.match(t, m.end())
        if f is not None and (pos == 0 or not t[pos - 1].isdigit()):
            num, den = int(m.group(0)), int(f.group(1))
            if 0 < num < den <= 10:  # 12/31 is a date, not a share
                return _Quantity(start=pos, end=f.end(), value=num * 100 / den, unit="%")
    m = _FRACTION.match(t, pos)
    if m is None:
        return None
    den, num = (_number_text(g, lex) for g in m.groups())
    if not den or num is None:
        return None
    return _Quantity(start=pos, end=m.end(), value=num * 100 / den, unit="%")


def _number_text(text: str, lex: Lexicon) -> float | None:
    """A whole Arabic or Chinese number (二, 12)."""
    if text[0].isdigit():
        return float(text)
    parsed = _chinese_number(text, 0, lex)
    return parsed[0] if parsed is not None and parsed[1] == len(text) else None


def _lead_per(t: str, q: _Quantity, lex: Lexicon) -> str | None:
    """每亩补助150, 每亩不超过80元: the non-time unit of a leading 每 in the same clause, for a bare
    number or a money amount not already a rate."""
    if q.per is not None or (q.unit is not None and q.unit not in lex.per_lead_units):
        return None
    i = _clause_start(t, q.start, lex.word_gap)  # 每亩 … stands within the reach of a comparator word
    found = None
    at = t.find(_PER, i, q.start)
    while at >= 0:
        word = _match_longest(t, at + 1, lex.units_re)
        if word is not None and not _is_time_basis(lex.unit_spellings[word]):
            found = lex.unit_spellings[word]
        at = t.find(_PER, at + 1, q.start)
    return found


class _Clauses:
    """:func:`_context_per` for many positions of one text in linear time: the clause starts found once,
    the time-basis words of each clause found once (exactly what a scan of ``[clause start, position)``
    finds, unless a word runs over the position; that rare case is scanned as before)."""

    def __init__(self, t: str, lex: Lexicon):
        self.t, self.lex = t, lex
        self.breaks = [k for k, ch in enumerate(t) if ch in _SEGMENT_BREAKS]
        self.words: dict[int, tuple[list[int], list[int], list[str]]] = {}

    def per(self, start: int) -> str | None:
        import bisect

        k = bisect.bisect_left(self.breaks, start)
        i = self.breaks[k - 1] + 1 if k else 0
        if i not in self.words:
            stop = self.breaks[k] if k < len(self.breaks) else len(self.t)
            found = list(self.lex.per_words_re.finditer(self.t, i, stop))
            self.words[i] = ([m.start() for m in found], [m.end() for m in found], [m.group(0) for m in found])
        starts, ends, words = self.words[i]
        n = bisect.bisect_right(ends, start)  # the words ending by ``start`` (ends ascend: matches do not overlap)
        if n < len(starts) and starts[n] < start:  # a word runs over ``start``: scan as _context_per does
            return _context_per(self.t, start, self.lex)
        return self.lex.per_words[words[n - 1]] if n else None


def _read_arabic(t: str, pos: int, lex: Lexicon) -> _Quantity | None:
    m = _ARABIC.match(t, pos)
    if not m:
        return None
    # a digit glued to a preceding letter or digit run is part of a code
    if pos > 0 and (t[pos - 1].isascii() and t[pos - 1].isalpha()):
        return None
    value = float(m.group(0).replace(",", ""))
    start = pos
    # a minus sign at the start of the cell or after a comparator is a sign, not a range dash
    if pos > 0 and t[pos - 1] == "-" and (pos == 1 or t[pos - 2] in " ,;:(=<>≥≤"):
        value, start = -value, pos - 1
    q = _Quantity(start=start, end=m.end(), value=value)
    _read_unit(t, q, lex)
    _read_range(t, q, lex)
    return q


def _read_percent_words(t: str, pos: int, lex: Lexicon) -> _Quantity | None:
    start = pos + len(_PERCENT_WORDS)
    m = _ARABIC.match(t, start)
    if m:
        value, end = float(m.group(0).replace(",", "")), m.end()
    else:
        parsed = _chinese_number(t, start, lex)
        if parsed is None and t.startswith(_HUNDRED, start):  # 百分之百
            parsed = (100.0, start + 1)
        if parsed is None:
            return None
        value, end = parsed
    return _Quantity(start=pos, end=end, value=value, unit="%")


def _read_chinese(t: str, pos: int, lex: Lexicon) -> _Quantity | None:
    parsed = _chinese_number(t, pos, lex)
    if parsed is None:
        return None
    value, end = parsed
    q = _Quantity(start=pos, end=end, value=value)
    _read_unit(t, q, lex)
    if q.unit is None:  # a Chinese numeral counts only with its classifier (一场, 十二次)
        return None
    _read_range(t, q, lex)
    return q


#: Chinese numerals read as one number at most (一千二百三十四万五千六百七十八 is 15)
MAX_NUMERAL_RUN = 40


def _chinese_number(t: str, pos: int, lex: Lexicon) -> tuple[float, int] | None:
    """Parse 十二, 两, 一百零五, 三千五百 … starting at ``pos``."""
    digits, small, large = lex.numeral_digits, lex.numeral_small, lex.numeral_large
    end = pos
    stop = min(len(t), pos + MAX_NUMERAL_RUN)  # a longer run of numerals is no number: bounded (linear) scan
    while end < stop and (t[end] in digits or t[end] in small or t[end] in large):
        end += 1
    if end == pos or t[pos] in large or (t[pos] in small and t[pos] != _TEN):
        # 百分点, 千方百计, 万家: a number never starts with 百/千/万/亿
        return None
    total, section, current = 0, 0, None
    for ch in t[pos:end]:
        if ch in digits:
            current = digits[ch]
        elif ch in small:
            section += (1 if current is None else current) * small[ch]
            current = None
        else:
            section += current or 0
            total += (section or 1) * large[ch]
            section, current = 0, None
    value = total + section + (current or 0)
    if value == 0 and not any(ch in _ZEROS for ch in t[pos:end]):
        return None
    return float(value), end


def _match_longest(t: str, pos: int, phrases: re.Pattern) -> str | None:
    m = phrases.match(t, pos)
    return m.group(0) if m else None


def _skip_spaces(t: str, pos: int) -> int:
    while pos < len(t) and t[pos] == " ":
        pos += 1
    return pos


def _read_unit(t: str, q: _Quantity, lex: Lexicon) -> None:
    """Read multiplier, unit and rate basis after the number (in place)."""
    pos = q.end
    if t[pos:pos + 1] == " ":
        pos = _skip_spaces(t, pos)
    m = lex.units_re.match(t, pos)
    unit_word = m.group(0) if m else None
    if unit_word is None or (unit_word.isascii() and _is_latin_prefix(t, pos, unit_word)):
        mult = _match_longest(t, pos, lex.multipliers_re)
        if mult:
            q.value *= lex.multipliers[mult]
            pos += len(mult)
            q.end = pos
            unit_word = _match_longest(t, pos, lex.units_re)
            if unit_word is not None and _is_latin_prefix(t, pos, unit_word):
                unit_word = None
    if unit_word is None and t.startswith(lex.approx_more, pos):
        # 3000余人, 100多人: "more than" the number, when a unit follows
        word = _match_longest(t, pos + 1, lex.units_re)
        if word is not None and not _is_latin_prefix(t, pos + 1, word):
            q.op, q.has_comparator = ">=", True
            pos, unit_word = pos + 1, word
    if unit_word is None and t.startswith("(", pos):
        inner = _match_longest(t, pos + 1, lex.units_re)
        if inner and t.startswith(")", pos + 1 + len(inner)):
            q.unit = lex.unit_spellings[inner]
            q.end = pos + len(inner) + 2
            return
    if unit_word is not None:
        q.unit = lex.unit_spellings[unit_word]
        pos += len(unit_word)
        q.end = pos
    elif pos < len(t) and t[q.start].isdigit() and _unknown_word(t, pos, lex, 1):
        q.unit = q.unknown_unit = t[pos]
        pos += 1
        q.end = pos
    if pos < len(t) and t[pos] in _RATE_MARKS:  # else _read_rate reads nothing
        _read_rate(t, q, lex)


def _unknown_word(t: str, pos: int, lex: Lexicon, size: int) -> bool:
    """Whether ``t[pos:pos + size]`` is a Chinese word that can only be a unit the lexicon lacks:
    not a word of the grammar, and ending the phrase (end, punctuation, '/', '·', or 以上)."""
    end = pos + size
    word = t[pos:end]
    if len(word) != size or not all(_CJK_CHAR.match(c) and c not in lex.not_unit_chars for c in word):
        return False
    if lex.numeral_digits.keys() & set(word):
        return False
    if end == len(t) or t[end] in _PUNCT or t[end] in _SEGMENT_BREAKS or t[end] == _MASK:
        return True
    return lex.after_re.match(t, end) is not None


def _is_latin_prefix(t: str, pos: int, word: str) -> bool:
    """'m' in 'mu' or 'M' in 'Mbps' is not the unit 米."""
    end = pos + len(word)
    return word.isascii() and end < len(t) and t[end].isascii() and t[end].isalpha()


def _read_rate(t: str, q: _Quantity, lex: Lexicon) -> None:
    """``/月``, ``/人/天``, ``/人.每天``, ``/人、天`` after the unit."""
    pos = q.end
    compound = [q.unit] if q.unit else []
    while pos < len(t) and t[pos] in _RATE_MARKS:
        nxt = pos + 1
        word = _match_longest(t, nxt, lex.units_re)
        if word is not None:
            unit = lex.unit_spellings[word]
        elif t[pos] == "/" and (_unknown_word(t, nxt, lex, 1) or _unknown_word(t, nxt, lex, 2)):
            # 元/生·月, 万元/校: a denominator the lexicon does not know, kept as written
            word = unit = t[nxt:nxt + (1 if _unknown_word(t, nxt, lex, 1) else 2)]
        else:
            break
        if _is_time_basis(unit):
            q.per = unit
            pos = nxt + len(word)
            break
        if t[pos] == _PER:
            break
        if not compound:  # ≤15/人次: the numerator unit is not written
            compound.append("")
        compound.append(unit)
        pos = nxt + len(word)
        # 元/人.每天 · 元/人、天 · 元/人*月 : a trailing time basis after a compound unit
        if pos < len(t) and t[pos] in ".、·*×":
            j = pos + 1 + (1 if t.startswith(_PER, pos + 1) else 0)
            word2 = _match_longest(t, j, lex.units_re)
            if word2 and _is_time_basis(lex.unit_spellings[word2]):
                q.per = lex.unit_spellings[word2]
                pos = j + len(word2)
                break
    if len(compound) > 1:
        q.unit = "/".join(compound)
    q.end = max(q.end, pos)


def _is_time_basis(unit: str) -> bool:
    return unit in RATE_BASES


def _read_range(t: str, q: _Quantity, lex: Lexicon) -> None:
    pos = q.end
    if t[pos:pos + 1] == " ":
        pos = _skip_spaces(t, pos)
    first = t[pos:pos + 1]
    if not first or first not in _RANGE_FIRST:
        return
    for sep in _RANGE_SEPS:
        if t.startswith(sep, pos):
            j = _skip_spaces(t, pos + len(sep))
            m = _ARABIC.match(t, j)
            if not m:
                return
            other = _Quantity(start=j, end=m.end(), value=float(m.group(0).replace(",", "")))
            _read_unit(t, other, lex)
            if q.unit and other.unit and q.unit != other.unit:
                return
            if other.value < q.value:
                return
            q.high = other.value
            q.unit = q.unit or other.unit
            q.per = q.per or other.per
            q.end = other.end
            return


def _read_comparators(t: str, q: _Quantity, lex: Lexicon, changes: bool = True) -> None:
    """Attach the comparator written after (以上) or before (不少于) the number, and the change verb
    before it (none looked for when ``changes`` is false: the text holds no change verb)."""
    number_start = q.start
    pos = q.end
    if t[pos:pos + 1] == " ":
        pos = _skip_spaces(t, pos)
    m = lex.after_re.match(t, pos)
    after = m.group(0) if m else None
    if after:
        q.op = lex.after[after]
        q.has_comparator = True
        q.end = pos + len(after)
    before, before_start = _before_phrase(t, q.start, lex)
    if before:
        op = lex.before[before]
        if q.op is None and op != "none":
            q.op = op
        # 为/在 right before the number (投诉为0, 在10秒内) make it a stated value, not a stray number
        adjacent = before_start is not None and before_start == q.start - len(before)
        q.has_comparator = q.has_comparator or op != "none" or adjacent
        if adjacent:
            q.start = before_start
    q.change = _change_before(t, number_start, lex) if changes else None


def _change_before(t: str, start: int, lex: Lexicon) -> str | None:
    """up / down: the last change verb in the clause before ``start`` (同比下降不超过2% → down);
    none when the verb names a level (降低至8%)."""
    i = _clause_start(t, start, lex.word_gap)  # as far as a comparator word may stand
    if lex.change_hint_re.search(t, i, start) is None:
        return None
    last = None
    for m in lex.before_re.finditer(t, i, start):
        if m.group(0) in lex.change_verbs:
            last = m
    if last is None or t[last.end():last.end() + 1] in _RANGE_WORDS:
        return None
    return lex.change_verbs[last.group(0)]


def _before_phrase(t: str, start: int, lex: Lexicon) -> tuple[str | None, int | None]:
    """The nearest comparator phrase before ``start`` in the same clause.

    Symbols and one-character words (达, 在) must stand right before the number;
    longer words may stand a few characters away (每月至少到网格巡查走访20次).
    """
    end = start
    while end > 0 and t[end - 1] == " ":
        end -= 1
    if end == 0:  # nothing before the number
        return None, None
    lo = max(0, end - lex.word_gap)
    i = end
    while i > lo:
        c = t[i - 1]
        if c in _SEGMENT_BREAKS or c.isdigit() or c == _MASK:
            break
        i -= 1
    if i == end:  # no room for a phrase
        return None, None
    matches = list(lex.before_re.finditer(t, i, end))
    if not matches:
        return None, None
    if matches[-1].end() == end:
        return matches[-1].group(0), matches[-1].start()
    for m in reversed(matches):
        word = m.group(0)
        if len(word) >= 2 and _CJK.match(word):
            return word, None
    return None, None


def _join_bounds(qs: list[_Quantity], t: str, lex: Lexicon) -> list[_Quantity]:
    """``≥90%且≤100%`` is one range, not two targets."""
    if len(qs) != 2:
        return qs
    a, b = qs
    between = t[a.end:b.start].strip()
    if (a.op in (">=", ">") and b.op in ("<=", "<") and a.unit == b.unit and a.per == b.per
            and a.high is None and b.high is None and between in lex.bound_joiners
            and a.value <= b.value):
        return [_Quantity(start=a.start, end=b.end, value=a.value, unit=a.unit, per=a.per,
                          high=b.value, has_comparator=True)]
    return qs


def _keep(q: _Quantity, t: str, lex: Lexicon) -> bool:
    """A quantity counts when it has a unit or a comparator, follows a metric noun
    (发生率0), or is the whole cell."""
    if q.unit or q.op or q.has_comparator:
        return True
    if q.start > 0 and t[q.start - 1] in lex.number_after_nouns:
        return True
    # the whole cell, or the whole clause between separators (95;98): nothing but punctuation around it,
    # looked at only up to the first other character (a scan of the whole clause per number was quadratic)
    filler = _PUNCT + _MASK
    lo, hi = q.start, q.end
    while lo > 0 and t[lo - 1] not in _SEGMENT_BREAKS:
        if t[lo - 1] not in filler:
            return False
        lo -= 1
    while hi < len(t) and t[hi] not in _SEGMENT_BREAKS:
        if t[hi] not in filler:
            return False
        hi += 1
    return True


def _context_per(t: str, start: int, lex: Lexicon) -> str | None:
    """每月 … 20次: the time basis written earlier in the same clause."""
    i = start
    while i > 0 and t[i - 1] not in _SEGMENT_BREAKS:
        i -= 1
    last = None
    for last in lex.per_words_re.finditer(t, i, start):
        pass
    return lex.per_words[last.group(0)] if last else None


def _clause_start(t: str, start: int, reach: int) -> int:
    """Where the clause holding ``start`` begins, looking back ``reach`` characters at most (so that a
    look-back per number stays linear in a long cell)."""
    i, lo = start, max(0, start - reach)
    while i > lo and t[i - 1] not in _SEGMENT_BREAKS:
        i -= 1
    return i


#: characters a time basis and a comparator may take together before a number (每半年不少于)
_ADJACENT_REACH = 12


def _adjacent_per(t: str, start: int, lex: Lexicon, compared: bool) -> str | None:
    """每周不少于3天: the time basis of a time or a score, counted only with nothing but a comparator
    between it and the number (每月…办结时间3天 is a time limit; 每年3月 a month of the year)."""
    last = None
    for last in lex.per_words_re.finditer(t, _clause_start(t, start, _ADJACENT_REACH), start):
        pass
    if last is None:
        return None
    between = t[last.end():start].strip()  # the comparator may already start the quantity
    if (between or not compared) and lex.before.get(between, "none") == "none":
        return None
    return lex.per_words[last.group(0)]


# --------------------------------------------------------------------------- targets
def _num(v: float) -> str:
    """Plain decimal digits, never an exponent (1e16 → 10000000000000000)."""
    if math.isfinite(v) and v == int(v):
        return str(int(v))
    text = repr(v)
    if "e" in text or "n" in text:  # exponent (or nan): spell the digits out
        text = format(Decimal(text), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _unit_text(unit: str | None, per: str | None) -> str:
    return (unit or "") + (f"/{per}" if per else "")


def _to_target(q: _Quantity, raw: str, notes: tuple[str, ...] = ()) -> Target:
    if q.high is not None and q.high != q.value:
        canonical = f"{_num(q.value)}-{_num(q.high)}{_unit_text(q.unit, q.per)}"
        return Target("range", raw, canonical, low=q.value, high=q.high,
                      unit=q.unit, per=q.per, span=(q.start, q.end), notes=notes)
    if q.value == 0 and q.op in (None, "==", "<="):
        canonical = f"=0{_unit_text(q.unit, q.per)}"
        return Target("zero", raw, canonical, unit=q.unit, per=q.per,
                      span=(q.start, q.end), notes=notes)
    op, unit, per = q.op, q.unit, q.per
    canonical = f"{_OP_SYMBOL.get(op, '')}{_num(q.value)}{unit or ''}{'/' + per if per else ''}"
    # direction: the way a change verb says the amount goes (提高2% → up); not part of the contract
    # of a compare target, used to read the sign of an actual written with a verb (下降1%)
    return Target("compare", raw, canonical, op, q.value, unit, per, direction=q.change,
                  span=(q.start, q.end), notes=notes)


def _non_numeric(raw: str, s: str, masked: str, notes: list[str], lex: Lexicon) -> Target:
    core = s.strip(_PUNCT)
    reasons = lex.reasons
    if lex.zero_re.search(s) is not None:
        return Target(kind="zero", raw=raw, canonical=s, notes=("zero_phrase",))
    if s.endswith(")"):  # 较上年提升（新增指标）: a trailing remark is not part of the target
        core = _REMARK.sub("", s).strip(_PUNCT) or core
    direction = _trend(core, lex)
    if direction:
        return Target(kind="trend", raw=raw, canonical=s, direction=direction,
                      reason=reasons["trend"].format(text=core))
    full = next((p for p in lex.full_phrases if p in core), None)
    if full and core.startswith(full) and _is_done(core[len(full):], lex):
        # 全部完成, 全部按期完成, 全部落实到位: a deliverable done in full, not a 100 % share
        return Target(kind="done", raw=raw, canonical=s, value=1.0, reason=reasons["done"].format(text=core))
    if full and _short_state(core):
        return Target(kind="compare", raw=raw, canonical="100%", value=100.0, unit="%",
                      notes=("full_coverage",))
    dates = [n[5:] for n in notes if n.startswith("date:")]
    if dates and len(masked.replace(_MASK, "").strip(_PUNCT)) <= 6:
        return Target(kind="done", raw=raw, canonical=s, value=1.0, due=_due_text(deadline_of(dates[-1])),
                      reason=reasons["deadline"].format(text="、".join(dates)), notes=("deadline",))
    if core in lex.done_no:
        return Target(kind="done", raw=raw, canonical=s, value=0.0,
                      reason=reasons["done_no"].format(text=core))
    if _is_done(core, lex):
        due = deadline_of(dates[-1]) if dates else None
        if due is None and any(w in core for w in lex.year_end_words):
            due = (None, 12)  # 年底前完成: by the end of the evaluated year
        return Target(kind="done", raw=raw, canonical=s, value=1.0, due=_due_text(due),
                      reason=reasons["done"].format(text=core))
    if core.endswith(lex.metric_name_ends) and not _has_verb(core, lex):
        return Target(kind="qualitative", raw=raw, canonical=s,
                      reason=reasons["metric_name"].format(text=core), notes=("metric_name",))
    return Target(kind="qualitative", raw=raw, canonical=s,
                  reason=reasons["qualitative"].format(text=_short(core)), notes=("qualitative",))


_DUE_PARTS = re.compile(
    r"((?:19|20)\d{2})\s*年|((?:19|20)\d{2})[.\-/](\d{1,2})(?![\d])|(\d{1,2})\s*月"
    r"|(?:第\s*)?([1-4一二三四])\s*季度|([上下])半年")
_QUARTER_NO = {"1": 1, "2": 2, "3": 3, "4": 4, **_GRAMMAR["quarter_numbers"]}


def deadline_of(text: str) -> tuple[int | None, int | None] | None:
    """(year, month) a date or deadline text ends at; None when it names none.

    The last date of a span counts (1-12月 → month 12); a quarter ends at its last month
    (第三季度 → 9), a half year at 6 or 12; a year alone gives no month.

    >>> deadline_of("2023年12月底前"), deadline_of("10月前"), deadline_of("第三季度"), deadline_of("2022年")
    ((2023, 12), (None, 10), (None, 9), (2022, None))
    """
    year: int | None = None
    found: tuple[int | None, int | None] | None = None
    for m in _DUE_PARTS.finditer(text):
        y, y2, m2, month, quarter, half = m.groups()
        if y:
            year = int(y)
            found = (year, None)
        elif y2:
            year = int(y2)
            found = (year, int(m2)) if 1 <= int(m2) <= 12 else (year, None)
        elif month:
            if 1 <= int(month) <= 12:
                found = (year, int(month))
        elif quarter:
            found = (year, _QUARTER_NO[quarter] * 3)
        elif half:
            found = (year, 6 if half == _FIRST_HALF else 12)
    return found


def _due_text(due: tuple[int | None, int | None] | None) -> str | None:
    """2023-12, 2022 (a year), --10 (a month of the evaluated year), as ISO 8601 writes them."""
    if due is None:
        return None
    year, month = due
    if year is None:
        return f"--{month:02d}"
    return f"{year}-{month:02d}" if month else str(year)


def _short(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _short_state(core: str) -> bool:
    """全覆盖 as the whole statement (not buried in a long sentence)."""
    return len(core) <= 16 and not any(c in core for c in ",;。")


def _has_verb(core: str, lex: Lexicon) -> bool:
    return core.startswith(lex.done_starts) or core.startswith(lex.done_not_starts)


def _trend(core: str, lex: Lexicon) -> str | None:
    for phrase in lex.trend_vs_prior_longest:
        at = core.find(phrase)
        if at >= 0 and at <= lex.trend_max_subject and len(core) - at - len(phrase) <= 4:
            return lex.trend_vs_prior[phrase]
    for direction, verbs in (("stable", lex.trend_stable), ("up", lex.trend_up),
                             ("down", lex.trend_down)):
        for verb in verbs:
            if not core.endswith(verb):
                continue
            prefix = core[: len(core) - len(verb)]
            had_modifier = False
            stripped = True
            while stripped:
                stripped = False
                for mod in lex.trend_modifiers:
                    if prefix.endswith(mod):
                        prefix = prefix[: len(prefix) - len(mod)]
                        had_modifier = stripped = True
                        break
            if prefix == "" and (had_modifier or direction != "stable" or verb != _STABLE_VERB):
                return direction
            if (had_modifier and len(prefix) <= lex.trend_max_subject
                    and not any(ch in prefix for ch in ",;、。 ")):
                return direction
            return None
    return None


def _is_done(core: str, lex: Lexicon) -> bool:
    if core in lex.done_exact:
        return True
    if core.startswith(lex.done_not_starts):
        return False
    return core.startswith(lex.done_starts) or core.endswith(lex.done_ends)
