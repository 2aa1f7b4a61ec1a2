"""The engine's Chinese wording: message templates and how numbers are written.

A leaf module (it imports nothing from the engine), so every stage — scoring, points,
roll-up, explanations, reports — can word a message without importing the explanations.
All templates live in ``data/messages.toml``; this module only fills them, e.g.
``message("actual", "plain", actual="46个")`` → 「实际 46个」.
"""
from __future__ import annotations

import math
import re
import string
import tomllib
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from importlib import resources
from typing import Any, NamedTuple

import numpy as np


@lru_cache(maxsize=1)
def messages() -> dict[str, dict[str, Any]]:
    """The templates by section and key: ``data/messages.toml`` and every ``data/wording/*.toml``
    (one file per area of the engine, e.g. the command line or the reports). A section is defined
    in one file only."""
    data = resources.files("evaluator").joinpath("data")
    files = [data.joinpath("messages.toml")]
    wording = data.joinpath("wording")
    if wording.is_dir():
        files += sorted((f for f in wording.iterdir() if f.name.endswith(".toml")), key=lambda f: f.name)
    sections: dict[str, dict[str, Any]] = {}
    for f in files:
        for name, section in tomllib.loads(f.read_text(encoding="utf-8")).items():
            if name in sections:
                raise ValueError(f"data/wording: section [{name}] is defined twice (again in {f.name})")
            sections[name] = section
    return sections


def message(section: str, key: str, /, **values: Any) -> str:
    """Fill template ``[section] key`` (data/messages.toml or data/wording/*.toml); positional-only, so a
    template may have fields named ``section`` or ``key``."""
    return messages()[section][key].format_map(values)


def template(section: str, key: str, /, **values: Any) -> str:
    """Template ``[section] key`` with ``values`` filled in and its other fields left as fields:
    filling its other fields (:func:`template_pieces`) then gives what :func:`message` gives with all."""
    out = []
    for piece in template_pieces(messages()[section][key]):
        if isinstance(piece, str):
            out.append(_escape(piece))
        elif piece.name in values:
            out.append(_escape(piece.fill(values[piece.name])))
        else:
            out.append(piece.text)
    return "".join(out)


def _escape(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


class Field(NamedTuple):
    """A ``{field}`` of a template: the name it reads and its text in the template (with any
    conversion, format spec, attribute or index)."""

    name: str
    text: str

    def fill(self, value: Any) -> str:
        """The field filled with ``value``, as ``str.format_map`` fills it."""
        if self.text == "{" + self.name + "}":  # a plain field: the value's text
            return value if type(value) is str else format(value, "")
        return self.text.format_map({self.name: value})


@lru_cache(maxsize=None)
def template_pieces(text: str) -> tuple[str | Field, ...]:
    """A template as its literal texts (adjacent ones as one) and :class:`Field` s, in order."""
    pieces: list[str | Field] = []
    for literal, name, spec, conversion in string.Formatter().parse(text):
        if literal:
            if pieces and isinstance(pieces[-1], str):
                pieces[-1] += literal
            else:
                pieces.append(literal)
        if name is not None:
            field = "{" + name + ("!" + conversion if conversion else "") + (":" + spec if spec else "") + "}"
            pieces.append(Field(re.match(r"[^.\[]*", name).group(), field))
    return tuple(pieces)


def round_half_up(x: Any, digits: int = 2) -> Any:
    """``x`` rounded half-up (四舍五入) from its decimal value (:func:`_exact`): 28.125 → 28.13, 2.675 → 2.68
    (``round`` gives 28.12 and 2.67: it rounds the binary value, half to even). The result is the
    float closest to that decimal, so it prints without noise (98.58, never 98.58000000000001).
    None, NaN and infinities come back as they are."""
    if x is None or isinstance(x, str):
        return x
    f = float(x)
    if not math.isfinite(f):
        return x
    if _clear_of_half(f, digits):
        return round(f, digits) + 0.0  # + 0.0: no -0.0
    return float(_decimal(f, digits)) + 0.0


def _clear_of_half(f: float, digits: int) -> bool:
    """True when ``f`` is not near a tie at ``digits`` decimals: then rounding its binary value
    (fast) gives what rounding its decimal value half-up gives."""
    scaled = abs(f) * 10.0 ** digits
    return scaled < 1e13 and abs(scaled - math.floor(scaled) - 0.5) > 1e-6


def _exact(f: float) -> Decimal:
    """The decimal a float stands for: its value at 15 significant digits (what a double holds), so a
    float sum of shown figures (81.27499999999999 for 81.275) rounds as their decimal sum."""
    return Decimal(f"{f:.15g}")


def _decimal(f: float, digits: int) -> Decimal:
    return _exact(f).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def _unsigned_zero(text: str) -> str:
    """「-0.00」 → 「0.00」: a tiny negative shown as zero carries no sign."""
    return text[1:] if text[:1] == "-" and not text.strip("-0.") else text


@lru_cache(maxsize=1 << 16)  # tables repeat their figures; equal keys (0.0 and -0.0, 1 and 1.0) print alike
def fixed(x: Any, digits: int = 2) -> str:
    """The one number formatter of every output: ``x`` with exactly ``digits`` decimals, rounded
    half-up from its decimal value (:func:`round_half_up`): 28.125 → 「28.13」, 5 → 「5.00」.
    None and NaN: ""."""
    if x is None:
        return ""
    f = x if type(x) is float else float(x)
    if f != f:  # NaN
        return ""
    scaled = f * _SCALES[digits]
    if scaled < 0:
        scaled = -scaled
    if scaled < 1e13:
        rest = scaled - int(scaled)
        if rest < 0.499999 or rest > 0.500001:  # not near a tie: the binary value rounds the same way (fast)
            text = _FORMATS[digits] % f
            return text if text[0] != "-" else _unsigned_zero(text)
    if not math.isfinite(f):
        return _FORMATS[digits] % f
    return _unsigned_zero(f"{_decimal(f, digits):f}")


_FORMATS = tuple(f"%.{d}f" for d in range(16))
_SCALES = tuple(10.0 ** d for d in range(16))


@lru_cache(maxsize=1 << 16)
def num(x: Any, digits: int = 2) -> str:
    """A number as a reviewer writes it: 4.60 for points (``digits=2``: :func:`fixed`); 46, 97.5 for
    values (``digits=4``: up to four decimals, no trailing zeros). None and NaN: ""."""
    if digits == 2:
        return fixed(x, 2)
    text = fixed(x, digits)
    return text.rstrip("0").rstrip(".") if "." in text else text


@lru_cache(maxsize=1 << 16)
def pct(x: Any) -> str:
    """A ratio as a percentage: 0.975 → 「97.5%」 (up to two decimals, half-up). None and NaN: ""."""
    if x is None or math.isnan(x):
        return ""
    f = float(x)
    if not math.isfinite(f):
        return f"{f * 100:.2f}%"
    if _clear_of_half(f, 4):
        text = f"{f * 100:.2f}"
    else:
        text = f"{(_exact(f) * 100).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):f}"
    return _unsigned_zero(text).rstrip("0").rstrip(".") + "%"


# Many numbers at once (a table's distinct values): the tie test of the fast route above made for
# the whole array, the rest (ties, NaN, huge and infinite values) through the functions above.

def _clear_of_half_all(xs: np.ndarray, digits: int) -> np.ndarray:
    """:func:`_clear_of_half` of every value of the float array ``xs`` (NaN and infinities: False)."""
    scaled = np.abs(xs * _SCALES[digits])
    with np.errstate(invalid="ignore"):
        return (scaled < 1e13) & (np.abs(scaled - np.floor(scaled) - 0.5) > 1e-6)


def fixed_all(values: Any, digits: int = 2, trim: bool = False) -> list[str]:
    """:func:`fixed` of every value of the float array ``values``; ``trim``: without trailing zeros,
    as :func:`num` writes values."""
    xs = np.asarray(values, dtype=np.float64)
    fast = _clear_of_half_all(xs, digits)
    form = _FORMATS[digits]
    texts = [(form % x).rstrip("0").rstrip(".") for x in xs.tolist()] if trim else [form % x for x in xs.tolist()]
    one = num if trim else fixed
    for i in np.flatnonzero(~fast).tolist():  # near a tie, NaN, huge or infinite
        texts[i] = one(float(xs[i]), digits)
    for i in np.flatnonzero(fast & np.signbit(xs)).tolist():  # 「-0.00」 → 「0.00」, 「-0」 → 「0」
        texts[i] = _unsigned_zero(texts[i])
    return texts


def num_all(values: Any, digits: int = 2) -> list[str]:
    """:func:`num` of every value of the float array ``values``."""
    return fixed_all(values, digits, trim=digits != 2)


def pct_all(values: Any) -> list[str]:
    """:func:`pct` of every value of the float array ``values``."""
    xs = np.asarray(values, dtype=np.float64)
    fast = _clear_of_half_all(xs, 4)
    texts = [("%.2f" % x).rstrip("0").rstrip(".") + "%" for x in (xs * 100).tolist()]
    for i in np.flatnonzero(fast & np.signbit(xs)).tolist():  # 「-0%」 → 「0%」
        texts[i] = _unsigned_zero(texts[i][:-1]) + "%"
    for i in np.flatnonzero(~fast).tolist():  # near a tie, NaN, huge or infinite
        texts[i] = pct(float(xs[i]))
    return texts
