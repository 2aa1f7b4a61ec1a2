"""The compiled form of one indicator target (指标值).

A :class:`Target` is what the compiler makes of a cell such as ``≥50个`` or
``逐步提高``; ``Target.to_dict()`` is the stable contract other tools rely on
(see ``docs/contracts.md``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# MEASURABLE_KINDS: the kinds that carry a number the engine can score on its own (kept importable here)
from .enums import MEASURABLE_KINDS, TargetKind

#: Every kind a target can compile to.
KINDS = tuple(TargetKind)


@dataclass(frozen=True)
class Target:
    """A compiled target.

    >>> compile_target("不少于10场").to_dict()   # doctest: +SKIP
    {'kind': 'compare', 'op': '>=', 'value': 10.0, 'unit': '场', 'per': None, ...}
    """

    kind: str
    raw: str
    canonical: str = ""
    op: str | None = None
    value: float | None = None
    unit: str | None = None
    per: str | None = None
    low: float | None = None
    high: float | None = None
    clauses: tuple["Target", ...] = ()
    direction: str | None = None
    reason: str | None = None
    #: (start, end) offsets into ``raw`` of the text this target was read from
    span: tuple[int, int] | None = None
    #: short notes on how the text was read (e.g. "（总分30分）为分值量程，已忽略")
    notes: tuple[str, ...] = field(default=())
    #: last year's or a base figure written beside the target (≥85%(2023年:82%) → 82.0), in the
    #: target's unit; context for the reader and the history, never a second target
    prior: float | None = None
    #: the deadline of a deadline target (2023年12月 → "2023-12", 10月前 → "--10", 2022年 → "2022"),
    #: in ISO 8601 form; an actual completion date is compared with it
    due: str | None = None

    @property
    def measurable(self) -> bool:
        return self.kind in MEASURABLE_KINDS

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types; keys as in the contract."""
        d: dict[str, Any] = {"kind": self.kind, "canonical": self.canonical}
        if self.kind == TargetKind.COMPARE:
            d.update(op=self.op, value=self.value, unit=self.unit, per=self.per)
        elif self.kind == TargetKind.RANGE:
            d.update(low=self.low, high=self.high, unit=self.unit, per=self.per)
        elif self.kind == TargetKind.ZERO:
            d.update(op="==", value=0.0, unit=self.unit, per=self.per)
        elif self.kind == TargetKind.ALL:
            d["clauses"] = [c.to_dict() for c in self.clauses]
        elif self.kind == TargetKind.TREND:
            d["direction"] = self.direction
        if self.reason is not None or self.kind in (TargetKind.DONE, TargetKind.FORMULA, TargetKind.QUALITATIVE, TargetKind.EMPTY,
                                                 TargetKind.TREND):
            d["reason"] = self.reason
        if self.due is not None:
            d["due"] = self.due
        if self.prior is not None:
            d["prior"] = self.prior
        d["raw"] = self.raw
        if self.notes:
            d["notes"] = list(self.notes)
        return d
