"""Units: the pint registry with the Chinese vocabulary, and cached conversions.

The definitions live in ``data/units.txt``; spellings (日 → 天, 百分比 → %) live in
``data/lexicon.toml``. Scoring never does per-row pint arithmetic: it asks
:func:`conversion_factor` once per distinct unit pair.
"""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

import pint

#: canonical unit names whose pint name differs
_PINT_NAME = {"%": "percent", "‰": "permille"}


@lru_cache(maxsize=1)
def _units_text() -> str:
    """``data/units.txt``: the pint definitions of the Chinese units."""
    return resources.files("evaluator").joinpath("data/units.txt").read_text(encoding="utf-8")


def _rate_bases() -> frozenset[str]:
    """The time units a rate can be counted per (次/月, 元/人/天): the ``# rate bases:`` line of units.txt."""
    line = re.search(r"^#\s*rate bases:(.*)$", _units_text(), re.MULTILINE)
    if line is None:
        raise ValueError("data/units.txt: the '# rate bases:' line is missing")
    return frozenset(line.group(1).split())


#: time bases a rate can have (次/月, 元/人/天), canonical names
RATE_BASES = _rate_bases()


@lru_cache(maxsize=1)
def registry() -> pint.UnitRegistry:
    ureg = pint.UnitRegistry(cache_folder=None)
    ureg.load_definitions(_units_text().splitlines())
    return ureg


@lru_cache(maxsize=1)
def defined_units() -> frozenset[str]:
    """Canonical unit names defined in data/units.txt (plus % and ‰)."""
    text = _units_text()
    names = {"%", "‰"}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            names.add(line.split("=", 1)[0].strip())
    names.discard("permille")
    return frozenset(names)


def pint_expr(unit: str | None, per: str | None = None) -> str:
    """The pint expression for a canonical unit and optional rate basis."""
    parts = []
    if unit:
        # compound units such as 元/人 or 元/人/天 are written with '/'
        # an omitted numerator (≤15/人次) is a plain count: 1/人次
        parts.append("/".join(f"({_PINT_NAME.get(u, u) or 1})" for u in unit.split("/")))
    else:
        parts.append("dimensionless")
    if per:
        parts.append(f"({_PINT_NAME.get(per, per)})")
    return "/".join(parts)


@lru_cache(maxsize=4096)
def conversion_factor(unit_from: str | None, per_from: str | None,
                      unit_to: str | None, per_to: str | None) -> float | None:
    """Factor f with ``value_to = value_from * f``; ``None`` when dimensions differ.

    >>> conversion_factor("毫秒", None, "秒", None)
    0.001
    >>> conversion_factor("个", None, "场", None) is None
    True
    """
    unit_from, unit_to = _numerator_from(unit_from, unit_to), _numerator_from(unit_to, unit_from)
    if (unit_from, per_from) == (unit_to, per_to):
        return 1.0
    ureg = registry()
    for _ in range(2):
        try:
            q = ureg.Quantity(1.0, pint_expr(unit_from, per_from))
            return float(q.to(pint_expr(unit_to, per_to)).magnitude)
        except pint.errors.UndefinedUnitError:
            # a counting word or denominator the lexicon does not know (尾, 元/校): its own dimension
            if not _define_unknown(ureg, unit_from, unit_to):
                return None
        except (pint.errors.DimensionalityError, pint.errors.DefinitionSyntaxError, ValueError,
                AttributeError, TypeError):
            return None
    return None


def _numerator_from(unit: str | None, other: str | None) -> str | None:
    """``/人次`` (the numerator not written) takes the numerator of the other side: 元/人次."""
    if unit and other and unit.startswith("/") and other.endswith(unit) and len(other) > len(unit):
        return other
    return unit


_UNKNOWN_NAME = re.compile(r"[\u4e00-\u9fff]{1,4}")


def _define_unknown(ureg: pint.UnitRegistry, *units: str | None) -> bool:
    """Define every Chinese unit name in ``units`` pint lacks as a dimension of its own;
    False when there is none to define (the error is something else)."""
    added = False
    for unit in units:
        for name in (unit or "").split("/"):
            if _UNKNOWN_NAME.fullmatch(name) and name not in ureg:
                ureg.define(f"{name} = [{name}]")
                added = True
    return added
