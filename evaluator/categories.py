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


@lru_cache(maxsize=1)
def headers_data() -> dict[str, Any]:
    """``data/headers.toml`` as parsed (cached)."""
    return tomllib.loads(resources.files("evaluator").joinpath("data/headers.toml").read_text("utf-8"))


def make_fold(trad: dict[int, str]) -> Callable[[str], str]:
    """A folding function with the traditional → simplified table ``trad`` (by code point)."""
    def fold(text: str) -> str:
        return _SPACES.sub("", text.translate(_WIDTH).translate(trad)).lower()
    return fold


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
    return key[:-2] if key.endswith("指标") and len(key) > 2 else key


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


def is_category(text: str) -> bool:
    """True when a cell is a level-1 or level-2 category name."""
    return bool(text) and (level1_code(text) is not None or level2_code(text) is not None)
