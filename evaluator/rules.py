"""Rule packs: versioned scoring rules as data (``scoring_rules/*.toml``).

A rule pack is read with :mod:`tomllib`, checked against the schema below and turned
into a frozen :class:`RulePack`. Nothing in a pack is executed. Every problem raises
:class:`~evaluator.issues.RulePackError` naming the pack and the key, in Chinese.

>>> pack = load_rule_pack("national-2020")          # doctest: +SKIP
>>> pack.weights["output"], pack.tier("部分达成").default  # doctest: +SKIP
(50.0, 0.7)
"""
from __future__ import annotations

import hashlib
import math
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any, Callable

from .issues import RulePackError
from .wording import message

DEFAULT_PACK = "national-2020"
#: scoring blocks in report order; ``execution`` is 预算执行率
BLOCKS = ("output", "benefit", "satisfaction", "cost")
WEIGHT_KEYS = ("execution",) + BLOCKS

# --- schema -------------------------------------------------------------------
# Each leaf is a checker(value, pack, key) that returns the cleaned value or raises.
Checker = Callable[[Any, str, str], Any]


def _fail(pack: str, key: str, what: str, /, **values: Any) -> RulePackError:
    """The error of ``key`` in ``pack``: template ``what`` of data/wording/rules.toml [rules_pack]."""
    return RulePackError(_say(what, **values), pack=pack, key=key)


def _say(what: str, /, **values: Any) -> str:
    return message("rules_pack", what, **values)


def _str(value: Any, pack: str, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(pack, key, "not_text")
    return value


def _number(lo: float | None = None, hi: float | None = None) -> Checker:
    def check(value: Any, pack: str, key: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _fail(pack, key, "not_number", value=value)
        if not math.isfinite(value):  # nan/inf would turn every total into NaN
            raise _fail(pack, key, "not_finite", value=value)
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise _fail(pack, key, "out_of_range", value=value, lo=lo, hi=hi)
        return float(value)
    return check


def _int(lo: int, hi: int) -> Checker:
    def check(value: Any, pack: str, key: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise _fail(pack, key, "not_int", lo=lo, hi=hi, value=value)
        return value
    return check


def _choice(*options: str) -> Checker:
    def check(value: Any, pack: str, key: str) -> str:
        if value not in options:
            raise _fail(pack, key, "bad_choice", value=value, options="、".join(options))
        return value
    return check


def _words(value: Any, pack: str, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(w, str) and w for w in value):
        raise _fail(pack, key, "not_words")
    return tuple(value)


def _code_map(value: Any, pack: str, key: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise _fail(pack, key, "not_code_map")
    for code, block in value.items():
        if block not in BLOCKS:
            raise _fail(pack, f"{key}.{code}", "bad_block", block=block, blocks="、".join(BLOCKS))
    return dict(value)


def _table_list(schema: dict[str, Checker]) -> Checker:
    def check(value: Any, pack: str, key: str) -> tuple[dict[str, Any], ...]:
        if not isinstance(value, list):
            raise _fail(pack, key, "not_table_list")
        return tuple(_check_table(item, schema, pack, f"{key}[{i}]") for i, item in enumerate(value))
    return check


@dataclass(frozen=True)
class _Default:
    """A key a pack may leave out: then ``check`` runs on ``value``. Every new switch gets one, so
    adding a switch does not mean editing every pack (docs/architecture.md)."""

    check: Checker
    value: Any


def _run(checker: Checker | _Default, value: Any, pack: str, key: str) -> Any:
    return checker.check(value, pack, key) if isinstance(checker, _Default) else checker(value, pack, key)


_TIER = {"name": _str, "low": _number(0, 1), "high": _number(0, 1), "default": _number(0, 1),
         "words": _words}
_GRADE = {"name": _str, "min": _number(0, 100)}
_CAP = {"below": _number(0, 1), "max_total": _number(0, 100)}
_LATE = {"months": _int(1, 1200), "ratio": _number(0, 1)}

SCHEMA: dict[str, dict[str, Checker | _Default]] = {
    "pack": {"name": _str, "version": _str, "title": _str, "source": _str, "notes": _str},
    "weights": {k: _number(0, 100) for k in WEIGHT_KEYS},
    "blocks": {"level1": _code_map, "level2": _code_map, "cost_into": _choice(*BLOCKS[:3]),
               "absent_block": _choice("respread", "full", "zero")},
    # switches: a pack that leaves one out gets the national default
    "switches": {"category_trust": _Default(_choice("reader", "level1", "level2"), "reader"),
                 "not_applicable": _Default(_choice("respread", "full"), "respread"),
                 "multi_clause": _Default(_choice("mean", "min"), "mean"),
                 "reverse_rule": _Default(_choice("ratio", "linear"), "ratio"),
                 "done_no_ratio": _Default(_number(0, 1), 0.0)},
    "direction": {"default": _choice(">=", "<="), "less": _words, "more": _words},
    "qualitative": {"tiers": _table_list(_TIER), "not_applicable_words": _words},
    "trend": {"flat_tier": _str, "wrong_tier": _str, "stable_tolerance": _number(0, 1)},
    "over_achievement": {"factor": _number(0, 100), "deduct": _number(0, 1)},
    "execution": {"rule": _choice("proportional"), "cap": _table_list(_CAP)},
    "grades": {"tiers": _table_list(_GRADE)},
    "rounding": {"digits": _int(0, 6), "mode": _choice("half_up", "half_even")},
    # a deliverable done after its deadline: [[deadline.late]] months = at most this late, ratio = share
    "deadline": {"late": _Default(_table_list(_LATE), [])},
}


def _join(key: str, sub: str) -> str:
    return f"{key}.{sub}" if key else sub


def _check_table(value: Any, schema: dict[str, Checker | _Default], pack: str, key: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(pack, key, "not_table")
    unknown = sorted(set(value) - set(schema))
    if unknown:
        raise _fail(pack, _join(key, unknown[0]), "unknown_key", name=unknown[0], keys="、".join(schema))
    missing = [k for k in schema if k not in value and not isinstance(schema[k], _Default)]
    if missing:
        raise _fail(pack, _join(key, missing[0]), "missing_key", name=missing[0])
    return {k: _run(c, value[k] if k in value else c.value, pack, _join(key, k))  # type: ignore[union-attr]
            for k, c in schema.items()}


# --- the pack ------------------------------------------------------------------
@dataclass(frozen=True)
class Tier:
    name: str
    low: float
    high: float
    default: float
    words: tuple[str, ...]


@dataclass(frozen=True)
class RulePack:
    """A validated rule pack. ``data`` keeps the checked sections as plain values."""

    name: str
    version: str
    title: str
    source: str
    path: str
    sha256: str
    data: dict[str, dict[str, Any]] = field(repr=False)

    # convenience views ---------------------------------------------------------
    @property
    def weights(self) -> dict[str, float]:
        return self.data["weights"]

    @property
    def switches(self) -> dict[str, Any]:
        return self.data["switches"]

    @cached_property
    def tiers(self) -> tuple[Tier, ...]:
        """The qualitative tiers, built once per pack (scoring asks for them per distinct rating)."""
        return tuple(Tier(**t) for t in self.data["qualitative"]["tiers"])

    @cached_property
    def _tiers_by_name(self) -> dict[str, Tier]:
        return {t.name: t for t in self.tiers}

    def tier(self, name: str) -> Tier:
        return self._tiers_by_name[name]

    @property
    def digits(self) -> int:
        return self.data["rounding"]["digits"]

    def block_of(self, block: str) -> str:
        """The block an indicator category scores in (成本 folds into ``cost_into`` at 0 points)."""
        if block == "cost" and self.weights["cost"] == 0:
            return self.data["blocks"]["cost_into"]
        return block

    def grade(self, total: float) -> str:
        for g in sorted(self.data["grades"]["tiers"], key=lambda g: -g["min"]):
            if total >= g["min"] - 1e-9:
                return g["name"]
        return self.data["grades"]["tiers"][-1]["name"]

    def provenance(self) -> dict[str, str]:
        return {"rule_pack": self.name, "rule_pack_version": self.version,
                "rule_pack_sha256": self.sha256, "rule_pack_source": self.source}


def _check_semantics(data: dict[str, Any], pack: str) -> None:
    total = sum(data["weights"].values())
    if abs(total - 100) > 1e-9:
        raise _fail(pack, "weights", "weights_sum", total=total)
    if data["weights"]["cost"] == 0 and data["weights"][data["blocks"]["cost_into"]] == 0:
        raise _fail(pack, "blocks.cost_into", "cost_into_zero")
    tiers = data["qualitative"]["tiers"]
    if not tiers:
        raise _fail(pack, "qualitative.tiers", "no_tiers")
    names = [t["name"] for t in tiers]
    for i, t in enumerate(tiers):
        if not t["low"] <= t["default"] <= t["high"]:
            raise _fail(pack, f"qualitative.tiers[{i}].default", "tier_default", tier=t["name"], default=t["default"],
                        low=t["low"], high=t["high"])
    for key in ("flat_tier", "wrong_tier"):
        if data["trend"][key] not in names:
            raise _fail(pack, f"trend.{key}", "unknown_tier", tier=data["trend"][key])
    mins = [g["min"] for g in data["grades"]["tiers"]]
    if not mins or min(mins) != 0:
        raise _fail(pack, "grades.tiers", "no_zero_grade")


def _section(schema: dict[str, Checker | _Default]) -> Checker | _Default:
    """The checker of a section; a section whose every key has a default may be left out."""
    def check(value: Any, pack: str, key: str) -> dict[str, Any]:
        return _check_table(value, schema, pack, key)
    return _Default(check, {}) if all(isinstance(c, _Default) for c in schema.values()) else check


def parse_rule_pack(text: str, label: str, path: str = "") -> RulePack:
    """Validate the TOML text of a pack; ``label`` names it in error messages."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulePackError(_say("toml_error", error=exc), pack=label) from exc
    except RecursionError as exc:  # arrays nested thousands deep
        raise RulePackError(_say("too_deep"), pack=label) from exc
    data = _check_table(raw, {k: _section(s) for k, s in SCHEMA.items()}, label, "")
    _check_semantics(data, label)
    info = data["pack"]
    return RulePack(name=info["name"], version=info["version"], title=info["title"],
                    source=info["source"], path=path,
                    sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(), data=data)


def available_packs() -> list[str]:
    """Names of the packs shipped with the engine."""
    return sorted(p.name[:-5] for p in _pack_dir_entries())


def _pack_dir_entries() -> list[Any]:
    entries: list[Any] = []
    try:
        entries = [p for p in resources.files("evaluator.scoring_rules").iterdir() if p.name.endswith(".toml")]
    except (ModuleNotFoundError, FileNotFoundError):
        pass
    if not entries:
        src = Path(__file__).resolve().parent.parent / "scoring_rules"
        if src.is_dir():
            entries = sorted(src.glob("*.toml"))
    return entries


def load_rule_pack(name_or_path: str | Path | RulePack = DEFAULT_PACK) -> RulePack:
    """Load a shipped pack by name (``national-2020``) or any pack file by path."""
    if isinstance(name_or_path, RulePack):
        return name_or_path
    text_name = str(name_or_path)
    path = Path(text_name)
    if text_name.endswith(".toml") or path.suffix or "/" in text_name or "\\" in text_name:
        if not path.is_file():
            raise RulePackError(_say("file_missing", file=text_name), pack=text_name)
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise RulePackError(_say("not_utf8"), pack=text_name) from exc
        except OSError as exc:
            raise RulePackError(_say("unreadable", kind=type(exc).__name__), pack=text_name) from exc
        return parse_rule_pack(text, path.stem, str(path))
    for entry in _pack_dir_entries():
        if entry.name == f"{text_name}.toml":
            pack = parse_rule_pack(entry.read_text(encoding="utf-8"), text_name, str(entry))
            if pack.name != text_name:
                raise RulePackError(_say("name_differs", name=pack.name), pack=text_name, key="pack.name")
            return pack
    raise RulePackError(_say("no_such_pack", name=text_name, packs="、".join(available_packs())), pack=text_name)
