"""The engine's closed vocabularies as ``StrEnum``s: target kind, status, method, reason, severity.

Each member *is* its string (``Status.SCORED == "scored"``), the value the tables, CSV and JSON
carry, so code can name a member while outputs stay the plain words. A leaf module.
The Chinese label of a status lives in ``data/messages.toml`` ``[status]``.
"""
from __future__ import annotations

from enum import StrEnum


class TargetKind(StrEnum):
    """What a target compiles to (``Target.kind``, the indicator column ``kind``)."""

    COMPARE = "compare"
    RANGE = "range"
    ALL = "all"
    ZERO = "zero"
    TREND = "trend"
    DONE = "done"
    FORMULA = "formula"
    QUALITATIVE = "qualitative"
    EMPTY = "empty"


#: kinds that carry a number the engine can score on its own
MEASURABLE_KINDS = frozenset({TargetKind.COMPARE, TargetKind.RANGE, TargetKind.ALL, TargetKind.ZERO})


class Status(StrEnum):
    """An indicator's outcome (column ``status``)."""

    SCORED = "scored"
    PENDING = "pending"
    NOT_EVALUABLE = "not_evaluable"
    EXCLUDED = "excluded"


class ProjectStatus(StrEnum):
    """A project's outcome (project column ``status``)."""

    SCORED = "scored"
    PARTIAL = "partial"
    PENDING = "pending"
    CLASSIFIED = "classified"
    NO_INDICATORS = "no_indicators"


class Method(StrEnum):
    """How an indicator was scored (column ``method``)."""

    AUTO = "auto"
    REVIEW = "review"


class Reason(StrEnum):
    """Why an indicator is pending or not evaluable (column ``pending_reason``); each has a
    sentence in ``data/messages.toml`` under ``[pending]`` or ``[not_evaluable]``."""

    ACTUAL = "actual"
    RATING = "rating"
    RATING_WITH_ACTUAL = "rating_with_actual"
    PRIOR = "prior"
    DONE = "done"
    FORMULA = "formula"
    UNIT = "unit"
    UNREADABLE = "unreadable"
    CLAUSES = "clauses"
    EMPTY = "empty"
    RATING_OVER = "rating_over"
    NEGATIVE = "negative"
    IMPOSSIBLE_PERCENT = "impossible_percent"
    AMBIGUOUS_FRACTION = "ambiguous_fraction"
    STATED = "stated"


class Severity(StrEnum):
    """How bad an issue is (issues column ``severity``)."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
