"""Answer matching for the annotated corpus (same semantics as shared/checks/compile_cases.py).

An answer is a partial ``Target.to_dict()``: every key it names must match, numbers
within 1e-9 relative, units after folding spellings and multiplier prefixes.
"""
from __future__ import annotations

import math

UNIT_SYNONYMS = {
    "%": "%", "percent": "%", "百分比": "%", "百分之": "%",
    "s": "秒", "sec": "秒", "second": "秒", "秒": "秒", "秒钟": "秒",
    "min": "分钟", "minute": "分钟", "分钟": "分钟", "h": "小时", "hour": "小时", "小时": "小时",
    "d": "天", "day": "天", "天": "天", "日": "天", "week": "周", "周": "周", "星期": "周",
    "month": "月", "月": "月", "个月": "月", "quarter": "季度", "季度": "季度", "季": "季度",
    "year": "年", "a": "年", "年": "年", "年度": "年", "yuan": "元", "元": "元", "万元": "万元", "亿元": "亿元",
}
MULTIPLIERS = {"万": 1e4, "萬": 1e4, "亿": 1e8, "億": 1e8, "千": 1e3}


def _scaled(value, unit):
    try:
        value = float(value)
    except (TypeError, ValueError):
        return value
    if unit and len(str(unit)) > 1 and str(unit)[0] in MULTIPLIERS:
        return value * MULTIPLIERS[str(unit)[0]]
    return value


def _fold_unit(unit, per=None):
    def one(u):
        return "" if u in (None, "") else UNIT_SYNONYMS.get(str(u).strip(), str(u).strip())
    if unit and len(str(unit)) > 1 and str(unit)[0] in MULTIPLIERS:
        unit = str(unit)[1:]
    if unit is not None and "/" in str(unit) and not per:
        head, _, tail = str(unit).partition("/")
        folded = one(head) + "/" + one(tail)
    else:
        folded = one(unit) + ("/" + one(per) if per else "")
    return folded[:-2] if folded.endswith("/年") else folded


def _same(a, b):
    try:
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
    except (TypeError, ValueError):
        return False


def matches(answer: dict, got: dict) -> bool:
    for key, want in answer.items():
        if key == "unit":
            if _fold_unit(want, answer.get("per")) != _fold_unit(got.get("unit"), got.get("per")):
                return False
        elif key == "per":
            continue
        elif key == "clauses":
            have = got.get("clauses") or []
            if len(have) != len(want) or not all(matches(w, h) for w, h in zip(want, have)):
                return False
        elif key in ("value", "low", "high"):
            if not _same(_scaled(want, answer.get("unit")), _scaled(got.get(key), got.get("unit"))):
                return False
        elif key == "op":
            if (want or None) != (got.get("op") or None):
                return False
        elif want != got.get(key):
            return False
    return True
