"""The real phrasings of the corpus (copied from shared/corpus into tests/cases/corpus)."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from evaluator import compile_target

from corpus_match import matches

CORPUS = Path(__file__).parent / "cases" / "corpus"


def _cases(name: str) -> list[dict]:
    return [json.loads(line) for line in (CORPUS / name).read_text(encoding="utf-8").splitlines()
            if line.strip()]


def _failures(cases: list[dict]) -> list[str]:
    bad = []
    for case in cases:
        got = compile_target(case["text"]).to_dict()
        if not any(matches(a, got) for a in case["accept"]):
            bad.append(f"{case['text']!r} → {json.dumps(got, ensure_ascii=False)}")
    return bad


def test_seed_targets_all_compile_correctly():
    cases = _cases("seed_targets.jsonl")
    assert len(cases) == 77
    assert _failures(cases) == []


def test_visible_corpus_at_least_97_percent():
    cases = _cases("targets_visible.jsonl")
    failures = _failures(cases)
    assert len(cases) >= 119
    assert len(failures) <= 0.03 * len(cases), "\n".join(failures)


def test_made_up_cases_at_least_80_of_85():
    """Hand-written phrasings in the style of real tables, grouped by pattern (issue 13)."""
    cases = _cases("made_up_cases.jsonl")
    failures = _failures(cases)
    assert len(cases) == 85
    assert len(failures) <= 5, "\n".join(failures)


def _csv_rows() -> list[dict]:
    with (CORPUS / "targets_visible.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_every_csv_row_compiles_without_parse_error():
    rows = _csv_rows()
    assert len(rows) == 216
    for row in rows:
        t = compile_target(row["target_text"])
        assert "parse_error" not in t.notes, row["target_text"]


def test_csv_rows_with_split_comparator_columns():
    """Rows whose comparator and unit sit in their own cells compile once joined."""
    accept = {c["text"]: c["accept"] for c in _cases("targets_visible.jsonl")}
    checked = 0
    for row in _csv_rows():
        nature, unit = row["nature_column"].strip(), row["unit_column"].strip()
        if nature not in ("≥", "≤", "=", ">", "<", "≧", "≦", "═", "﹦") or not row["target_text"]:
            continue
        joined = nature + row["target_text"].strip() + (unit if unit not in row["target_text"] else "")
        t = compile_target(joined)
        assert t.kind in ("compare", "zero"), joined
        if joined in accept:
            assert any(matches(a, t.to_dict()) for a in accept[joined]), joined
            checked += 1
    assert checked >= 10


@pytest.mark.parametrize("text", ["2000国家大地坐标系", "“一站式”", "“最多跑一次”", "一批", "市级以上",
                                  "（总分30分）", "《反有组织犯罪法》", "个案"])
def test_traps_are_not_targets(text):
    t = compile_target(text)
    assert t.kind not in ("compare", "range", "all", "zero"), t.to_dict()
