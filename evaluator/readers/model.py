"""What the layout readers hand to the tidy step: projects, indicators, totals as printed.

Layout readers only split the page; deciding categories, composing and compiling
targets happens once, in :mod:`evaluator.readers.tidy`, for every layout alike.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..categories import headers_data

#: units printed after an amount, removed in this order (data/headers.toml [amounts])
_AMOUNT_SUFFIXES: tuple[str, ...] = tuple(headers_data()["amounts"]["suffixes"])

#: money columns, in the order printed in the seed layout
MONEY_FIELDS = ("budget_total", "budget_fiscal", "budget_special", "budget_other")

_AMOUNT = re.compile(r"^[-+]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


@dataclass
class IndicatorRecord:
    """One indicator as printed (no interpretation yet)."""

    sheet: str | None
    row: int
    column: str
    indicator_no: int | None = None
    level1_raw: str = ""
    level2_raw: str = ""
    #: codes printed in the cell itself (seed layout ``1-产出指标``), "" otherwise
    level1_code_printed: str = ""
    level2_code_printed: str = ""
    name: str = ""
    annual_text: str = ""
    period_text: str = ""
    nature_text: str = ""
    unit_text: str = ""
    weight_text: str = ""
    direction_text: str = ""
    #: a self-evaluation table (自评表) also prints the year's result and the unit's score
    actual_text: str = ""
    score_text: str = ""
    #: … and, in the engine's own report.xlsx, the reviewer's 评定 and the 上年实际值
    rating_text: str = ""
    prior_text: str = ""


@dataclass
class ProjectRecord:
    """One project as printed, with the indicators read under it."""

    project: str
    department: str
    sheet: str | None
    row: int
    money_printed: dict[str, str] = field(default_factory=dict)
    goal: str = ""
    classified_text: str = ""
    indicators: list[IndicatorRecord] = field(default_factory=list)
    #: column name of each money cell, for issue locations
    money_columns: dict[str, str] = field(default_factory=dict)
    #: a self-evaluation table's funds block and 总分 row, as printed
    self_evaluation: dict[str, str] = field(default_factory=dict)


@dataclass
class TotalRecord:
    """A 合计 row (``kind='total'``) or a department subtotal row (``kind='department'``)."""

    kind: str
    label: str
    sheet: str | None
    row: int
    money_printed: dict[str, str] = field(default_factory=dict)
    money_columns: dict[str, str] = field(default_factory=dict)
    #: index of the first project this subtotal covers (department rows)
    first_project: int = 0


@dataclass
class RawTable:
    """Everything a layout reader found in one file."""

    file: str
    layout: str
    department: str = ""
    money_unit: str = ""
    money_unit_declared: bool = False
    projects: list[ProjectRecord] = field(default_factory=list)
    totals: list[TotalRecord] = field(default_factory=list)
    #: printed-projects and printed-indicators frames from the column-wise reader (instead of ``projects``)
    printed: tuple[Any, Any] | None = None
    #: a 部门整体 / 单位整体 table: its indicators are one department-level project
    department_wide: bool = False
    #: every header used, as (sheet, Header): what ``check --explain-layout`` prints
    headers: list = field(default_factory=list)


def parse_amount(text: str) -> float | None:
    """Money cell → number; thousands separators read right; empty → None.

    >>> parse_amount("4,157.41")
    4157.41
    >>> parse_amount("")
    >>> parse_amount("abc")
    Traceback (most recent call last):
    ...
    ValueError: abc
    """
    s = (text or "").strip().replace("，", ",").replace(" ", "").replace("\u00a0", "")
    s = s.lstrip("¥￥")
    for suffix in _AMOUNT_SUFFIXES:
        if s.endswith(suffix):
            s = s[: -len(suffix)]
    if s in ("", "-", "—", "--", "/"):
        return None
    if not _AMOUNT.match(s):
        raise ValueError(text)
    return float(s.replace(",", ""))


def looks_like_amount(text: str) -> bool:
    """True for ``3,309,840.00``, ``20.00``, ``4157``."""
    try:
        return parse_amount(text) is not None
    except ValueError:
        return False


@dataclass
class TargetTable:
    """A read target table: ``projects``, ``indicators`` and ``issues`` DataFrames."""

    projects: pd.DataFrame
    indicators: pd.DataFrame
    issues: pd.DataFrame
    department: str
    source: str
    #: ``seed`` (one cell per project) or ``rows`` (one row per indicator)
    layout: str = ""
    encoding: str | None = None
    #: 合计 and department subtotal rows as printed, amounts in 万元
    totals: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: factor applied to printed amounts to get 万元 (1.0, or 0.0001 for 元)
    money_factor: float = 1.0
    #: the file as given to read_targets (``source`` is its base name): provenance hashes it
    path: str = ""
    #: every header the reader used: (sheet, Header), for ``check --explain-layout``
    headers: list = field(default_factory=list)

    def __repr__(self) -> str:
        return (f"TargetTable({self.source!r}, {len(self.projects)} projects, "
                f"{len(self.indicators)} indicators, {len(self.issues)} issues)")
