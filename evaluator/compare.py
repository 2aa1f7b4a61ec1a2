"""Comparing departments: ranking with intervals, block profiles, target quality, pack stability.

A rank is only as firm as the scores under it. Each department carries the interval
its (derived) score can still reach while ratings or actuals are pending; from the
intervals follow the best and worst rank it could still end up with, so an open
rating that could swap two departments is visible. The ranking is recomputed under
every shipped rule pack to show whether it depends on the pack.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .wording import message
from .rollup import DERIVED_LABEL, PROFILE_KEYS, PROFILE_NAMES, DepartmentRollup, departments_frame

#: a department with fewer scored indicators than this is marked 评分指标过少
MIN_SCORED_INDICATORS = 10


def _num(x: Any) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        return math.nan


def rank_with_intervals(frame: pd.DataFrame, score: str = "score", low: str = "score_min",
                        high: str = "score_max") -> pd.DataFrame:
    """``rank`` (1 = best, ties share the rank), ``rank_best`` and ``rank_worst``.

    Best rank: 1 + departments that are surely ahead (their minimum above this
    maximum). Worst rank: 1 + departments that could be ahead (their maximum above
    this minimum). Departments without a score rank last with no interval.
    """
    s = pd.to_numeric(frame[score], errors="coerce")
    lo = pd.to_numeric(frame[low], errors="coerce").fillna(s)
    hi = pd.to_numeric(frame[high], errors="coerce").fillna(s)
    rank, best, worst = [], [], []
    for i in frame.index:
        if math.isnan(s[i]):
            rank.append(pd.NA), best.append(pd.NA), worst.append(pd.NA)
            continue
        others = [j for j in frame.index if j != i and not math.isnan(s[j])]
        rank.append(1 + sum(s[j] > s[i] + 1e-9 for j in others))
        best.append(1 + sum(lo[j] > hi[i] + 1e-9 for j in others))
        worst.append(1 + sum(hi[j] > lo[i] + 1e-9 for j in others))
    out = pd.DataFrame({"rank": rank, "rank_best": best, "rank_worst": worst}, index=frame.index)
    return out.astype("Int64")


@dataclass
class Comparison:
    """Several departments side by side (all tables have one row per department)."""

    rollups: list[DepartmentRollup]
    ranking: pd.DataFrame
    profile: pd.DataFrame
    quality: pd.DataFrame
    pack_ranks: pd.DataFrame
    evaluations: list[Any] = field(default_factory=list)
    provenance: dict[str, Any] = field(default_factory=dict)

    @property
    def departments(self) -> pd.DataFrame:
        return departments_frame(self.rollups)


def compare_departments(rollups: list[DepartmentRollup],
                        pack_rollups: dict[str, list[DepartmentRollup]] | None = None,
                        min_scored: int = MIN_SCORED_INDICATORS,
                        evaluations: list[Any] | None = None) -> Comparison:
    """Build the comparison tables from each department's roll-up.

    ``pack_rollups`` maps a rule-pack name to the same departments (same order)
    rolled up under that pack; it gives the rank-under-each-pack table.
    """
    frame = departments_frame(rollups)
    if frame.empty:
        frame = pd.DataFrame(columns=["department", "score", "score_min", "score_max", "score_simple",
                                      "n_scored_indicators"])
    ranks = rank_with_intervals(frame)
    simple_rank = rank_with_intervals(frame, "score_simple", "score_simple_min", "score_simple_max")["rank"]
    ranking = pd.DataFrame({
        "rank": ranks["rank"],
        "department": frame["department"],
        "score": frame["score"],
        "score_min": frame["score_min"],
        "score_max": frame["score_max"],
        "rank_best": ranks["rank_best"],
        "rank_worst": ranks["rank_worst"],
        "rank_settled": (ranks["rank_best"] == ranks["rank_worst"]).astype(bool),
        "grade": frame.get("grade", ""),
        "score_simple": frame["score_simple"],
        "rank_simple": simple_rank,
        "n_scored_projects": frame.get("n_scored_projects"),
        "n_scored_indicators": frame["n_scored_indicators"],
        "few_scored": pd.to_numeric(frame["n_scored_indicators"], errors="coerce").fillna(0) < min_scored,
        "score_basis": frame.get("score_basis", DERIVED_LABEL),
    })
    ranking["note"] = [_rank_note(r, min_scored) for r in ranking.itertuples()]
    ranking = ranking.sort_values(["rank", "department"], kind="stable", na_position="last").reset_index(drop=True)

    profile = pd.DataFrame({"department": frame["department"]})
    for key in PROFILE_KEYS:
        profile[key] = frame.get(f"profile_{key}")
    quality_cols = ["department", "n_indicators", "share_measurable", "share_qualitative_weight",
                    "n_contradictions", "n_excluded_projects", "excluded_projects"]
    quality = frame.reindex(columns=quality_cols)

    pack_ranks = pd.DataFrame({"department": frame["department"]})
    for pack, rolls in sorted((pack_rollups or {}).items()):
        f = departments_frame(rolls)
        if len(f) != len(frame):
            continue
        pack_ranks[f"score:{pack}"] = f["score"].values
        pack_ranks[f"rank:{pack}"] = rank_with_intervals(f)["rank"].values
    rank_cols = [c for c in pack_ranks.columns if c.startswith("rank:")]
    if rank_cols:
        pack_ranks["rank_stable"] = pack_ranks[rank_cols].nunique(axis=1).eq(1)
    return Comparison(rollups=rollups, ranking=ranking, profile=profile, quality=quality,
                      pack_ranks=pack_ranks, evaluations=list(evaluations or []))


def _rank_note(row: Any, min_scored: int) -> str:
    notes = []
    if not pd.isna(row.rank_best) and row.rank_best != row.rank_worst:
        notes.append(message("compare_notes", "rank_open", best=row.rank_best, worst=row.rank_worst))
    if row.few_scored:
        n = int(_num(row.n_scored_indicators) if not math.isnan(_num(row.n_scored_indicators)) else 0)
        notes.append(message("compare_notes", "few_scored", n=n, min=min_scored))
    if not pd.isna(row.rank_simple) and not pd.isna(row["rank"] if isinstance(row, dict) else row.rank) \
            and row.rank_simple != row.rank:
        notes.append(message("compare_notes", "simple_rank", rank=row.rank_simple))
    return "；".join(notes)


def profile_labels() -> dict[str, str]:
    """Chinese column names of the block profile."""
    return {k: PROFILE_NAMES[k] for k in PROFILE_KEYS}


def compare_files(departments: list[tuple[Any, Any]], rules: Any = "national-2020", all_packs: bool = True,
                  margin: float | None = None, min_scored: int = MIN_SCORED_INDICATORS) -> Comparison:
    """Read, score and compare departments given as (target table, actuals) pairs.

    Each pair may hold paths or already-read objects (anything :func:`evaluator.evaluate`
    accepts). With ``all_packs`` every shipped rule pack is also applied, for the
    rank-under-each-pack table. The targets are read once and reused across packs.
    """
    from .evaluate import evaluate
    from .rollup import DEFAULT_MARGIN, rollup_department
    from .rules import available_packs, load_rule_pack

    margin = DEFAULT_MARGIN if margin is None else margin
    pack = load_rule_pack(rules)
    tables = [_read_table(t) for t, _ in departments]
    evaluations = [evaluate(t, a, rules=pack) for t, (_, a) in zip(tables, departments)]
    for ev, (t, a) in zip(evaluations, departments):
        record_inputs(ev, t, a)
    rollups = [rollup_department(ev, margin=margin) for ev in evaluations]
    pack_rollups: dict[str, list[DepartmentRollup]] = {}
    if all_packs:
        for name in available_packs():
            other = load_rule_pack(name)
            if other.sha256 == pack.sha256:
                pack_rollups[name] = rollups
                continue
            pack_rollups[name] = [rollup_department(evaluate(t, a, rules=other), margin=margin)
                                  for t, (_, a) in zip(tables, departments)]
    return compare_departments(rollups, pack_rollups, min_scored=min_scored, evaluations=evaluations)


def record_inputs(evaluation: Any, table: Any, actuals: Any) -> None:
    """Put name + sha256 of the input files into the provenance when we know the paths."""
    from pathlib import Path

    from .reports.provenance import file_record

    records = [file_record(p, role) for role, p in (("targets", table), ("actuals", actuals))
               if isinstance(p, (str, Path)) and Path(p).is_file()]
    if records and isinstance(getattr(evaluation, "provenance", None), dict):
        evaluation.provenance["inputs"] = records


def _read_table(table: Any) -> Any:
    from pathlib import Path

    if isinstance(table, (str, Path)):
        from .readers import read_targets
        return read_targets(table)
    return table
