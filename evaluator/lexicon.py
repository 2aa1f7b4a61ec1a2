"""The Chinese vocabulary of targets, loaded once from ``data/lexicon.toml``.

Grammar lives in :mod:`evaluator.compiler`; every word it recognises lives in the
data file, so a phrase learned from one table works in any table.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from .units import defined_units


@dataclass(frozen=True)
class Lexicon:
    fold: dict[int, str]
    before: dict[str, str]
    after: dict[str, str]
    word_gap: int
    unit_spellings: dict[str, str]
    multipliers: dict[str, float]
    per_words: dict[str, str]
    per_excluded: frozenset[str]
    numeral_digits: dict[str, int]
    numeral_small: dict[str, int]
    numeral_large: dict[str, int]
    zero_phrases: tuple[str, ...]
    trend_modifiers: tuple[str, ...]
    trend_up: tuple[str, ...]
    trend_down: tuple[str, ...]
    trend_stable: tuple[str, ...]
    trend_max_subject: int
    trend_vs_prior: dict[str, str]
    trend_vs_prior_longest: tuple[str, ...]
    done_exact: frozenset[str]
    done_no: frozenset[str]
    done_starts: tuple[str, ...]
    done_ends: tuple[str, ...]
    done_not_starts: tuple[str, ...]
    full_phrases: tuple[str, ...]
    scale_words: tuple[str, ...]
    approx_more: tuple[str, ...]
    bound_joiners: frozenset[str]
    inclusive_starts: tuple[str, ...]
    metric_name_ends: tuple[str, ...]
    number_after_nouns: frozenset[str]
    empty_exact: frozenset[str]
    #: characters never read as an unknown counting unit (120万尾 → 尾; 90左右 → no unit)
    not_unit_chars: frozenset[str]
    #: units a leading 每亩/每户 makes per-that-unit (money, or a bare number)
    per_lead_units: frozenset[str]
    prior_words: tuple[str, ...]
    #: change verb → up / down (提高 → up, 下降 → down)
    change_verbs: dict[str, str]
    #: 千分之 → 1000, 万分之 → 10000 … (longest first)
    fraction_words: dict[str, int]
    #: 年底, 年内 …: a deadline at the end of the evaluated year
    year_end_words: tuple[str, ...]
    reasons: dict[str, str]
    # the same phrase sets as longest-first regexes (one C-level match per position)
    before_re: re.Pattern
    after_re: re.Pattern
    units_re: re.Pattern
    multipliers_re: re.Pattern
    not_numbers_re: re.Pattern
    per_words_re: re.Pattern
    #: where a change verb may stand (their first characters), to skip the search in most cells
    change_hint_re: re.Pattern
    #: words around a completion date in an actual (已于…完成)
    deadline_filler_re: re.Pattern
    #: the zero phrases as one regex
    zero_re: re.Pattern
    age_units: tuple[str, ...]
    #: an age that qualifies a noun (60周岁以上老人): never a target
    age_qualifier_re: re.Pattern
    #: where a number may start: a digit, 百分之, or a Chinese numeral that can begin a number
    number_start_re: re.Pattern
    #: the structural words of the compiler's grammar (至, 每, 第, 分之 …: [grammar] of lexicon.toml)
    grammar: dict[str, Any]


def _longest(keys) -> tuple[str, ...]:
    return tuple(sorted(keys, key=len, reverse=True))


def _alternation(keys) -> re.Pattern:
    """A regex trying ``keys`` longest first, so a match is the longest phrase."""
    return re.compile("|".join(re.escape(k) for k in _longest(keys)))


def _fold_table(data: dict) -> dict[int, str]:
    table: dict[int, str] = {}
    # full-width ASCII (！ to ～) maps one-for-one onto ASCII: offsets are kept
    for code in range(0xFF01, 0xFF5F):
        table[code] = chr(code - 0xFEE0)
    for section in ("fold", "traditional"):
        for src, dst in data.get(section, {}).items():
            if len(src) == 1 and len(dst) == 1:
                table[ord(src)] = dst
    return table


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    raw = resources.files("evaluator").joinpath("data/lexicon.toml").read_text(encoding="utf-8")
    data = tomllib.loads(raw)
    spellings = {u: u for u in defined_units()}
    spellings.update(data["unit_spellings"])
    num = data["numerals"]
    trend = data["trend"]
    done = data["done"]
    return Lexicon(
        fold=_fold_table(data),
        before=dict(data["before"]),
        after=dict(data["after"]),
        word_gap=int(data["limits"]["word_gap"]),
        unit_spellings=spellings,
        multipliers={k: float(v) for k, v in data["multipliers"].items()},
        per_words=dict(data["per_words"]),
        per_excluded=frozenset(data["per_applies"]["exclude"]),
        numeral_digits=dict(num["digits"]),
        numeral_small=dict(num["small_units"]),
        numeral_large=dict(num["large_units"]),
        zero_phrases=_longest(data["zero"]["phrases"]),
        trend_modifiers=_longest(trend["modifiers"]),
        trend_up=_longest(trend["up"]),
        trend_down=_longest(trend["down"]),
        trend_stable=_longest(trend["stable"]),
        trend_max_subject=int(trend["max_subject"]),
        trend_vs_prior=dict(data["trend_vs_prior"]),
        trend_vs_prior_longest=_longest(data["trend_vs_prior"]),
        done_exact=frozenset(done["exact"]),
        done_no=frozenset(done["no"]),
        done_starts=_longest(done["starts"]),
        done_ends=_longest(done["ends"]),
        done_not_starts=_longest(done["not_starts"]),
        full_phrases=_longest(data["full"]["phrases"]),
        scale_words=tuple(data["scale_notes"]["words"]),
        approx_more=tuple(data["approx"]["more"]),
        bound_joiners=frozenset(data["bounds"]["joiners"]),
        inclusive_starts=tuple(data["scale_notes"]["inclusive_starts"]),
        metric_name_ends=_longest(data["metric_name"]["ends"]),
        number_after_nouns=frozenset(data["metric_name"]["number_after"]),
        empty_exact=frozenset(data["empty"]["exact"]),
        not_unit_chars=frozenset(data["unknown_units"]["never"]),
        per_lead_units=frozenset(data["per_lead"]["units"]),
        prior_words=tuple(data["prior"]["words"]),
        change_verbs={**{w: "up" for w in data["change_verbs"]["up"]},
                      **{w: "down" for w in data["change_verbs"]["down"]}},
        fraction_words={w: int(data["fractions"]["denominators"][w]) for w in _longest(data["fractions"]["denominators"])},
        year_end_words=tuple(data["deadline"]["year_end"]),
        zero_re=_alternation(data["zero"]["phrases"]),
        deadline_filler_re=_alternation(data["deadline"]["filler"]),
        change_hint_re=re.compile("[" + re.escape("".join(sorted({w[0] for w in data["change_verbs"]["up"]
                                                                   + data["change_verbs"]["down"]}))) + "]"),
        age_units=tuple(data["qualifiers"]["age_units"]),
        age_qualifier_re=re.compile(
            r"(?<!\d)\d{1,3}\s*(?:" + "|".join(map(re.escape, _longest(data["qualifiers"]["age_units"]))) + r")\s*"
            r"(?:" + "|".join(map(re.escape, _longest(data["after"]))) + r")?(?=[\u4e00-\u9fff])"),
        reasons=dict(data["reasons"]),
        before_re=_alternation(data["before"]),
        after_re=_alternation(data["after"]),
        units_re=_alternation(spellings),
        multipliers_re=_alternation(data["multipliers"]),
        not_numbers_re=_alternation(data["not_numbers"]["phrases"]),
        per_words_re=_alternation(data["per_words"]),
        number_start_re=re.compile(
            r"\d|\.\d|百分之|" + "|".join(map(re.escape, _longest(data["fractions"]["denominators"]))) + "|["
            + re.escape("".join(num["digits"]) + "十") + "]"),
        grammar=dict(data["grammar"]),
    )


def normalize(text: str) -> str:
    """Fold look-alike glyphs one-for-one (offsets unchanged).

    >>> normalize("≧735人次；注销率＞98％")
    '≥735人次;注销率>98%'
    """
    return text.translate(lexicon().fold)
