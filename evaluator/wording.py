"""The engine's Chinese wording: message templates and how numbers are written.

A leaf module (it imports nothing from the engine), so every stage — scoring, points,
roll-up, explanations, reports — can word a message without importing the explanations.
All templates live in ``data/messages.toml``; this module only fills them, e.g.
``message("actual", "plain", actual="46个")`` → 「实际 46个」.
"""
from __future__ import annotations

import math
import tomllib
from functools import lru_cache
from importlib import resources
from typing import Any


@lru_cache(maxsize=1)
def messages() -> dict[str, dict[str, Any]]:
    """The templates of ``data/messages.toml`` by section and key."""
    text = resources.files("evaluator").joinpath("data/messages.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def message(section: str, key: str, **values: Any) -> str:
    """Fill template ``[section] key`` of messages.toml."""
    return messages()[section][key].format(**values)


def num(x: Any, digits: int = 2) -> str:
    """A number as a reviewer writes it: 4.60 for points (``digits=2``); 46, 97.5 for values
    (``digits=4``: up to four decimals, no trailing zeros). None and NaN: ""."""
    if x is None or (isinstance(x, float) and x != x):  # NaN
        return ""
    x = float(x)
    if digits == 2:
        return f"{x:.2f}"
    text = f"{x:.4f}".rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"


def pct(x: Any) -> str:
    """A ratio as a percentage: 0.975 → 「97.5%」 (up to two decimals). None and NaN: ""."""
    if x is None or math.isnan(x):
        return ""
    return f"{x * 100:.2f}".rstrip("0").rstrip(".") + "%"
