"""The category vocabulary shared by the readers, the lint and the scorer.

一级/二级指标 names and their codes live in ``data/headers.toml`` (``[level1]``, ``[level2]``,
with the traditional → simplified table ``[traditional]``); this module folds a category
cell and looks it up. A leaf module: it imports nothing from the engine, so the lint and the
scorer need not import the readers.

>>> level1_code("產出指標(50分)")
'1'
>>> is_tag_only("（50分）")
True
"""
from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from importlib import resources
from typing import Any, Callable

#: full-width punctuation folded in keys (headers, categories, labels)
_WIDTH = str.maketrans({"（": "(", "）": ")", "：": ":", "［": "[", "］": "]", "【": "[", "】": "]",
                        "\u3000": " ", "\u00a0": " "})
_SPACES = re.compile(r"\s+")
_BRACKETED = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]")
#: a trailing 指标 after at least one character (数量指标 → 数量; 指标 alone stays)
_TRAILING_WORD = re.compile(r"(?s)(?<=.)指标\Z")


@lru_cache(maxsize=1)
def headers_data() -> dict[str, Any]:
    """``data/headers.toml`` as parsed (cached)."""
    return tomllib.loads(resources.files("evaluator").joinpath("data/headers.toml").read_text("utf-8"))


def make_fold(trad: dict[int, str]) -> Callable[[str], str]:
    """A folding function: traditional → simplified (opencc, then the table ``trad`` by code point)."""
    def fold(text: str) -> str:
        return _SPACES.sub("", to_simplified(text.translate(_WIDTH)).translate(trad)).lower()
    return fold


@lru_cache(maxsize=1)
def _converter():
    """opencc's traditional → simplified converter, or None when opencc is not installed."""
    try:
        import opencc
    except ImportError:  # the [traditional] table of headers.toml still folds the common characters
        return None
    try:
        return opencc.OpenCC("t2s")
    except Exception:  # noqa: BLE001 - a broken opencc install must not stop reading
        return None


_CJK = re.compile(r"[\u3400-\u9fff]")


@lru_cache(maxsize=65536)
def to_simplified(text: str) -> str:
    """Traditional characters folded to simplified (指標值 → 指标值, 應收盡收 → 应收尽收).

    >>> to_simplified("實際完成值")
    '实际完成值'
    """
    conv = _converter()
    if conv is None or not text or not _CJK.search(text):
        return text
    return conv.convert(text)


@lru_cache(maxsize=1)
def _folder() -> Callable[[str], str]:
    return make_fold({ord(k): v for k, v in headers_data()["traditional"].items()})


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Fold a header or label: traditional → simplified, full-width brackets, no spaces.

    >>> fold("績 效 指 標")
    '绩效指标'
    """
    return _folder()(text or "")


def category_key(folded: str) -> str:
    """``数量指标(必填硬性指标)`` → ``数量``: tags and a trailing 指标 removed."""
    key = _BRACKETED.sub("", folded)
    key = re.sub(r"(\d+(-\d+)?)?分$", "", key)
    return _TRAILING_WORD.sub("", key)


def category_index(table: dict[str, list[str]], fold: Callable[[str], str]) -> dict[str, str]:
    """Folded category key → code, from ``{code: [names]}`` (the first name wins)."""
    index: dict[str, str] = {}
    for code, names in table.items():
        for name in names:
            index.setdefault(category_key(fold(name)), code)
    return index


@lru_cache(maxsize=2)
def _codes(level: str) -> dict[str, str]:
    return category_index(headers_data()[level], fold)


def is_tag_only(text: str) -> bool:
    """True for a category cell that holds only a score tag such as ``(50分)``."""
    return bool(text) and not category_key(fold(text))


def level1_code(text: str) -> str | None:
    """Level-1 code for a category cell, or None when the name is not known."""
    return _codes("level1").get(category_key(fold(text))) if text else None


def level2_code(text: str) -> str | None:
    """Level-2 code for a category cell, or None when the name is not known."""
    return _codes("level2").get(category_key(fold(text))) if text else None


@lru_cache(maxsize=2)
def _framework(level: str) -> frozenset[str]:
    return frozenset(category_key(fold(n)) for n in headers_data().get("framework_categories", {}).get(level, ()))


def framework_category(text: str, level: str) -> bool:
    """True for a category name of the national evaluation frameworks that maps to no project block
    (``level``: ``level1`` or ``level2``; ``data/headers.toml`` [framework_categories]).

    >>> framework_category("管理指标(30分)", "level1"), framework_category("其他指标", "level1")
    (True, False)
    """
    return bool(text) and category_key(fold(text)) in _framework(level)


def is_category(text: str) -> bool:
    """True when a cell is a level-1 or level-2 category name."""
    return bool(text) and (level1_code(text) is not None or level2_code(text) is not None)
