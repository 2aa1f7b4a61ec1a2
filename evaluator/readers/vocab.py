"""The readers' vocabulary, loaded once from ``data/headers.toml``.

Header aliases, category names and codes, labels and money units live in the data
file; this module folds spellings and looks words up.

>>> header_field("指标值(长期)")
('period', 'period')
>>> level1_code("產出指標(50分)")
'1'
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# the category vocabulary is shared with the lint and the scorer: it lives in evaluator.categories
from ..categories import _BRACKETED, fold, headers_data, is_category, is_tag_only, level1_code, level2_code  # noqa: F401
from ..categories import to_simplified  # noqa: F401 - traditional → simplified (opencc) for cell text
from ..categories import category_index as _category_index, make_fold as _make_fold


@dataclass(frozen=True)
class Vocabulary:
    columns: dict[str, str]          # folded alias -> field
    qualifiers: dict[str, str]       # folded qualifier -> block
    mergeable: frozenset[str]
    labels: dict[str, tuple[str, ...]]
    money_units: dict[str, float]
    directions: dict[str, str]
    level1: dict[str, str]           # folded name -> code
    level2: dict[str, str]
    level1_names: dict[str, str]
    level2_names: dict[str, str]
    seed_labels: dict[str, tuple[str, ...]]
    traditional: dict[int, str]
    natures: frozenset[str]          # folded 指标性质 words (定量, 定性)
    se_goal_heads: tuple[str, ...]   # words of the two heads under 年度总体目标 (目标, 完成)


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """Load and index ``headers.toml`` (cached)."""
    raw = headers_data()
    trad = {ord(k): v for k, v in raw["traditional"].items()}
    fold = _make_fold(trad)
    columns: dict[str, str] = {}
    for field, aliases in raw["columns"].items():
        for alias in aliases:
            columns.setdefault(fold(alias), field)
    qualifiers = {fold(q): block for block, qs in raw["qualifiers"].items() for q in qs}
    return Vocabulary(
        columns=columns,
        qualifiers=qualifiers,
        mergeable=frozenset(raw["mergeable"]["fields"]),
        labels={k: tuple(fold(x) for x in v) for k, v in raw["labels"].items()},
        money_units=dict(raw["money_units"]),
        directions={fold(k): v for k, v in raw["directions"].items()},
        level1=_category_index(raw["level1"], fold),
        level2=_category_index(raw["level2"], fold),
        level1_names=dict(raw["level1_names"]),
        level2_names=dict(raw["level2_names"]),
        seed_labels={k: tuple(v) for k, v in raw["seed_labels"].items()},
        traditional=trad,
        natures=frozenset(fold(w) for w in raw["natures"]["words"]),
        se_goal_heads=tuple(raw["se_goal_heads"]["words"]),
    )


@lru_cache(maxsize=65536)
def header_field(text: str) -> tuple[str, str | None] | None:
    """The field a header cell names, and its block (``period``/``annual``/None).

    >>> header_field("二级指标(年度)")
    ('level2', 'annual')
    """
    voc = vocabulary()
    key = undecorate(fold(text))
    if not key:
        return None
    if key in voc.columns:
        field = voc.columns[key]
        return field, ("period" if field == "period" else None)
    match = _BRACKETED.search(key)
    if match:
        base = (key[: match.start()] + key[match.end():]).strip()
        qualifier = match.group(1) if match.group(1) is not None else match.group(2)
        block = _qualifier_block(qualifier)
        if base in voc.columns:
            field = voc.columns[base]
            if field == "period" or (field == "annual" and block == "period"):
                return "period", "period"
            return field, block
    return None


#: marks and tags printed around a header label that do not change what the column is
_MARKS = re.compile(r"^[*★☆＊※#]+|[*★☆＊※]+$")
_TAGS = re.compile(r"\((必填|必填项|选填|可选|必录|必须填写|可不填|填写说明)\)|\[(必填|选填)\]")
_UNIT_TAG = re.compile(r"\((万元|元|亿元|千元|%|分|个|人|次|天|单位:万元|单位:元)\)$")


def undecorate(key: str) -> str:
    """A folded header label without required-field marks and tags: ``*指标值(必填)`` → ``指标值``.

    A trailing unit in brackets (``(万元)``) is removed only when the label is not known with it.

    >>> undecorate("★三级指标(必填)")
    '三级指标'
    """
    key = _TAGS.sub("", _MARKS.sub("", key))
    if key not in vocabulary().columns:
        bare = _UNIT_TAG.sub("", key)
        if bare and bare in vocabulary().columns:
            return bare
    return key


def _qualifier_block(qualifier: str) -> str | None:
    for word, block in vocabulary().qualifiers.items():
        if word and word in qualifier:
            return block
    return None


def direction_hint(text: str) -> str:
    """``正向指标`` → ``>=``; ``≧`` → ``>=``; unknown → ``""``."""
    key = fold(text)
    return vocabulary().directions.get(key, "")


def has_label(text: str, kind: str) -> bool:
    """True when the folded cell equals one of the labels of ``kind``."""
    return fold(text) in vocabulary().labels[kind]


def money_factor(word: str) -> float | None:
    """Factor from a money unit word to 万元 (``元`` → 0.0001)."""
    return vocabulary().money_units.get(fold(word))
