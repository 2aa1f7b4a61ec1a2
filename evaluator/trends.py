"""Trend targets scored against the prior year's actual, after the main scorer has run.

Two kinds of row are (re)scored here:

* a trend target (``逐步提高``, ``不低于上年``) the scorer left pending for want of last year's
  value: direction right → met, flat → the pack's ``trend.flat_tier``, wrong way →
  ``trend.wrong_tier``; ``保持稳定`` within ``trend.stable_tolerance``;
* a stated change on last year (``较上年提高5%``, ``超上年2个百分点``): the compiler reads the number
  alone (≥5%), which is not what is meant; here the actual change is compared with the stated
  one, relative (%) or in percentage points (百分点) as written. Reached → met; a smaller change
  in the right direction → change ÷ stated (as a missed ≥ target); no change → flat tier; the
  wrong way → wrong tier. Without a prior value such a row is pending (需要上年实际值), never
  scored against the bare number.

The prior value comes from, in order: the actuals' 上年实际值 column, the history store (the
same indicator's current actual of the year before), a prior printed in the target itself
(``≥85%(2023年:82%)``, the compiler's ``prior`` field). The explanation names the year, the
value and the source.
"""
from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from .enums import Method, Reason, Status, TargetKind
from .rules import RulePack
from .scoring import plain, text_codes, with_columns
from .units import conversion_factor
from .values import parse_actual
from .wording import fixed, pct


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    return tomllib.loads(resources.files("evaluator").joinpath("data/trends.toml").read_text(encoding="utf-8"))


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=1)
def change_pattern() -> re.Pattern[str]:
    c = _data()["change"]
    return re.compile(
        rf"(?:(?P<lead>{_alt(c['lead_up'] + c['lead_down'])})|{_alt(c['lead_words'])})?"
        rf"(?:{_alt(c['prior_words'])})[^\d%％]{{0,4}}?"
        rf"(?P<verb>{_alt(c['up'] + c['down'])})?[^\d]{{0,3}}?(?P<num>\d+(?:\.\d+)?)\s*"
        rf"(?P<unit>{_alt(c['points_units'] + c['percent_units'])})")


@dataclass(frozen=True)
class StatedChange:
    """``较上年提高5%`` → sign +1, amount 5, how "relative"; ``超上年2个百分点`` → "points"."""

    sign: int
    amount: float
    how: str


def stated_change(text: str) -> StatedChange | None:
    """The change on last year a target states, if any.

    >>> stated_change("较上年提高5%")
    StatedChange(sign=1, amount=5.0, how='relative')
    >>> stated_change("超上年2个百分点")
    StatedChange(sign=1, amount=2.0, how='points')
    """
    m = change_pattern().search(text or "")
    if not m or not (m["lead"] or m["verb"]):
        return None
    c = _data()["change"]
    sign = -1 if (m["verb"] in c["down"] if m["verb"] else m["lead"] in c["lead_down"]) else 1
    how = "points" if m["unit"] in c["points_units"] else "relative"
    return StatedChange(sign, float(m["num"]), how)


@dataclass(frozen=True)
class Prior:
    """Last year's value of one indicator, and where it came from."""

    text: str
    year: int | None
    source: str


class PriorLookup:
    """Where :func:`apply_trends` finds last year's values (see :mod:`evaluator.history`).
    ``lookup(ind)`` returns one :class:`Prior` or None per indicator row."""

    def lookup(self, ind: pd.DataFrame) -> list[Prior | None]:  # pragma: no cover - interface
        raise NotImplementedError


def _printed_prior(target: Any) -> Prior | None:
    """The compiler's ``prior`` field of a target (``≥85%(2023年:82%)``), if it has one."""
    prior = getattr(target, "prior", None)
    if prior is None and hasattr(target, "to_dict"):
        prior = target.to_dict().get("prior")
    if not prior:
        return None
    if isinstance(prior, dict):
        text = prior.get("text") or (f"{prior.get('value')}{prior.get('unit') or ''}" if prior.get("value") is not None else "")
        year = prior.get("year")
    else:
        text, year = str(prior), None
    if not text:
        return None
    src = _data()["sources"]["printed"].format(text=getattr(target, "raw", text))
    return Prior(text=str(text), year=int(year) if year else None, source=src)


@dataclass
class TrendResult:
    """Rows re-scored by :func:`apply_trends`, for :meth:`explain` after the points are known."""

    rows: np.ndarray
    facts: list[dict[str, Any]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(len(self.rows))

    def drop_issues(self, issues: pd.DataFrame, ind: pd.DataFrame, codes: tuple[str, ...] = ()) -> pd.DataFrame:
        """The scorer's issues without those about the rows scored here (a 较上年增长5% read as ≥5%
        against 1100件 is not a unit mismatch once it is compared with last year); with ``codes``,
        only issues of those codes (the lint's 需要上年实际值 note, answered once a prior was found)."""
        if not len(self.rows) or not len(issues) or not {"project_id", "indicator_no"} <= set(issues.columns):
            return issues
        done = set(zip(ind["project_id"].iloc[self.rows].astype(str),
                       pd.to_numeric(ind["indicator_no"].iloc[self.rows], errors="coerce").astype(float)))
        keys = zip(issues["project_id"].astype(str), pd.to_numeric(issues["indicator_no"], errors="coerce").astype(float))
        keep = np.array([k not in done for k in keys], dtype=bool)
        if codes:
            keep |= ~issues["code"].isin(codes).to_numpy()
        return issues if keep.all() else issues[keep].reset_index(drop=True)

    def explain(self, ind: pd.DataFrame, pack: RulePack) -> pd.DataFrame:
        """``ind`` with the explanation of every re-scored row naming last year's value and source."""
        if not len(self.rows):
            return ind
        msgs = _data()["messages"]
        words = _data()["words"]
        expl = ind["explanation"].to_numpy(dtype=object).copy()
        points = ind["points"].to_numpy(dtype=float)
        weights = ind["weight_points"].to_numpy(dtype=float)
        for i, f in zip(self.rows.tolist(), self.facts):
            if f.get("message") is None:
                continue
            args = dict(f)
            args.update(weight=_num(weights[i]), points=_num(points[i]), ratio=pct(f["r"]) if "r" in f else "",
                        direction=words.get(f.get("direction", "up"), ""),
                        how=words.get(f.get("how", ""), ""), tol=pct(pack.data["trend"]["stable_tolerance"]))
            expl[i] = msgs[f["message"]].format(**args)
        out = {"explanation": expl}
        if "rule" in ind and any("final_rule" in f for f in self.facts):
            rule = ind["rule"].to_numpy(dtype=object).copy()
            for i, f in zip(self.rows.tolist(), self.facts):
                if "final_rule" in f:
                    rule[i] = f["final_rule"]
            out["rule"] = rule
        return ind.assign(**out)


def _num(x: float) -> str:
    return fixed(x) or "—"


def _amount(x: float) -> str:
    """A stated or measured change: as few digits as it needs (5%, 1.5个百分点), rounded half-up."""
    text = fixed(x)
    return text.rstrip("0").rstrip(".") if "." in text else text


def _candidates(ind: pd.DataFrame) -> tuple[np.ndarray, list[StatedChange | None]]:
    """Rows this module may score: pending trends (no prior) and stated changes on last year."""
    n = len(ind)
    if not n or "target_text" not in ind:
        return np.array([], dtype=np.int64), []
    codes, uniques = text_codes(ind["target_text"])  # each distinct text read once
    changes = [stated_change(u) for u in uniques.tolist()]
    has_change = np.array([c is not None for c in changes], dtype=bool)
    row_change = has_change[codes] if len(uniques) else np.zeros(n, bool)
    kind = ind["t_kind"].to_numpy(dtype=object) if "t_kind" in ind else ind.get("kind", pd.Series([""] * n)).to_numpy(dtype=object)
    pending_trend = (kind == TargetKind.TREND) & (ind["status"].to_numpy(dtype=object) == Status.PENDING)
    if "pending_reason" in ind:
        pending_trend &= ind["pending_reason"].to_numpy(dtype=object) == Reason.PRIOR
    rows = np.flatnonzero(row_change | pending_trend)
    return rows, [changes[codes[i]] for i in rows]


def apply_trends(ind: pd.DataFrame, pack: RulePack, history: PriorLookup | None = None
                 ) -> tuple[pd.DataFrame, TrendResult]:
    """Score trend targets from the prior year; the rest of ``ind`` unchanged. Call between
    scoring and weighting; then :meth:`TrendResult.explain` after the explanations."""
    rows, changes = _candidates(ind)
    result = TrendResult(rows=np.array([], dtype=np.int64))
    if not len(rows):
        return ind, result
    sub = ind.iloc[rows]
    from_store = history.lookup(sub) if history is not None else [None] * len(rows)
    column = sub["prior_text"].to_numpy(dtype=object) if "prior_text" in sub else np.full(len(rows), None, dtype=object)
    targets = sub["target"].to_numpy(dtype=object) if "target" in sub else np.full(len(rows), None, dtype=object)
    cols = {c: ind[c].to_numpy(dtype=object).copy() for c in ("status", "method", "rule", "pending_reason", "flag")
            if c in ind}
    ratio = ind["ratio"].to_numpy(dtype=float).copy()
    args = ind["reason_args"].to_numpy(dtype=object).copy() if "reason_args" in ind else None
    done_rows, facts = [], []
    trend = pack.data["trend"]
    labels = _data()["labels"]
    for k, i in enumerate(rows.tolist()):
        change = changes[k]
        col_text = column[k]
        prior: Prior | None = None
        if isinstance(col_text, str) and col_text.strip():
            prior = Prior(col_text.strip(), None, _data()["sources"]["column"])
        prior = prior or from_store[k] or _printed_prior(targets[k])
        if change is None and prior is not None and prior.source == _data()["sources"]["column"]:
            continue  # the scorer already used the 上年实际值 column (it is pending for another reason)
        actual = parse_actual(ind["actual_text"].iat[i] if "actual_text" in ind else "")
        if change is not None and actual.kind == "number" and actual.direction in ("up", "down"):
            continue  # the actual states its change too (较上年提高6%): the scorer compared the two changes
        if prior is None or actual.kind != "number":
            if change is not None and actual.kind == "number":
                # 较上年提高5% must not be scored against a bare 5%: wait for last year's value
                _set(cols, ratio, args, i, status=Status.PENDING, method="", rule="", reason=Reason.PRIOR)
                done_rows.append(i)
                facts.append({"message": None})
            continue
        p_obj = parse_actual(prior.text)
        f = conversion_factor(p_obj.unit or actual.unit, p_obj.per, actual.unit or p_obj.unit, actual.per) \
            if p_obj.kind == "number" else None
        fact: dict[str, Any] = {"target": sub["target_text"].iat[k], "prior": prior.text,
                                "year": prior.year if prior.year else labels["unknown_year"], "source": prior.source,
                                "actual": actual.raw}
        if f is None:
            _set(cols, ratio, args, i, status=Status.NOT_EVALUABLE, method="", rule="", reason=Reason.PRIOR)
            fact["message"] = "unit"
            done_rows.append(i)
            facts.append(fact)
            continue
        p, a = p_obj.value * f, actual.value
        if change is not None:
            fact.update(direction="up" if change.sign > 0 else "down", how=change.how,
                        stated=_amount(change.amount) + (labels["points"] if change.how == "points" else "%"))
            if change.how == "points":
                moved = (a - p) * change.sign
                fact["change"] = _amount(abs(a - p)) + labels["points"]
            else:
                moved = ((a - p) / abs(p) * 100 if p else (0.0 if a == p else math.inf)) * change.sign
                fact["change"] = _amount(abs(moved)) + "%" if math.isfinite(moved) else "—"
            if moved >= change.amount - 1e-9:
                r, rule, msg = 1.0, "trend_met", "change_met"
                fact["final_rule"] = "trend_change_met"
            elif moved > 1e-12:
                r, rule, msg = moved / change.amount, "trend_met", "change_short"
                fact["final_rule"] = "trend_change_short"
            else:
                t = pack.tier(trend["flat_tier"] if abs(a - p) <= 1e-12 else trend["wrong_tier"])
                r, rule, msg = t.default, "trend_flat" if abs(a - p) <= 1e-12 else "trend_wrong", \
                    "flat" if abs(a - p) <= 1e-12 else "wrong"
                fact.update(tier=t.name)
        else:
            direction = (ind["t_direction"].iat[i] if "t_direction" in ind else None) or "up"
            fact["direction"] = direction
            if direction == "stable":
                rel = (a - p) / abs(p) if p else (0.0 if a == p else math.inf)
                good_up = (ind["op_used"].iat[i] if "op_used" in ind else "") != "<="
                fact["change"] = pct(rel) if math.isfinite(rel) else "—"
                if abs(rel) <= trend["stable_tolerance"] or (rel > 0 if good_up else rel < 0):
                    r, rule, msg = 1.0, "trend_stable_met", "stable_met"
                else:
                    t = pack.tier(trend["wrong_tier"])
                    r, rule, msg = t.default, "trend_wrong", "wrong"
                    fact.update(tier=t.name)
            else:
                sign = 1 if direction == "up" else -1
                if (a - p) * sign > 1e-12:
                    r, rule, msg = 1.0, "trend_met", "met"
                else:
                    flat = abs(a - p) <= 1e-12
                    t = pack.tier(trend["flat_tier"] if flat else trend["wrong_tier"])
                    r, rule, msg = t.default, "trend_flat" if flat else "trend_wrong", "flat" if flat else "wrong"
                    fact.update(tier=t.name)
        _set(cols, ratio, args, i, status=Status.SCORED, method=Method.AUTO, rule=rule, reason=None, r=r,
             a={"prior": prior.text, "direction": fact.get("direction", "up"), "tier": fact.get("tier", ""),
                "change": 0.0})
        fact["message"] = msg
        fact["r"] = r
        done_rows.append(i)
        facts.append(fact)
    if not done_rows:
        return ind, result
    new = {c: v for c, v in cols.items()}
    new["ratio"] = ratio
    if args is not None:
        new["reason_args"] = args
    out = with_columns(ind, new)
    return out, TrendResult(rows=np.array(done_rows, dtype=np.int64), facts=facts)


def _set(cols: dict[str, np.ndarray], ratio: np.ndarray, args: np.ndarray | None, i: int, status: str,
         method: str, rule: str, reason: str | None, r: float = math.nan, a: dict[str, Any] | None = None) -> None:
    status, reason = plain(status), plain(reason)  # the tables keep plain strings
    cols["status"][i] = status
    if "method" in cols:
        cols["method"][i] = method
    if "rule" in cols:
        cols["rule"][i] = rule
    if "pending_reason" in cols:
        cols["pending_reason"][i] = reason
    if "flag" in cols:
        cols["flag"][i] = None
    ratio[i] = r
    if args is not None:
        args[i] = a or {}
