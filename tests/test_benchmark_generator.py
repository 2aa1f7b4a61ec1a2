"""The benchmark's synthetic province is accepted by the pipeline (no timing here).

Row conservation: every generated indicator comes out of ``evaluate`` exactly once.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from generate import generate  # noqa: E402

import evaluator  # noqa: E402
from evaluator.actuals import read_actuals  # noqa: E402


def _province(tmp_path: Path, n: int = 600, **kw) -> tuple[Path, dict]:
    out = generate(n, seed=11, out=tmp_path / "prov", rows_per_file=250, quiet=True, **kw)
    return out, json.loads((out / "meta.json").read_text(encoding="utf-8"))


def test_generator_is_deterministic(tmp_path):
    a, meta = _province(tmp_path / "a")
    b, _ = _province(tmp_path / "b")
    assert meta["indicators"] == 600 and len(meta["files"]) >= 2
    for f in meta["files"]:
        assert (a / "targets" / f).read_bytes() == (b / "targets" / f).read_bytes()
        assert (a / "actuals" / f).read_bytes() == (b / "actuals" / f).read_bytes()


def test_every_generated_indicator_is_scored_once(tmp_path):
    data, meta = _province(tmp_path, classified=0.0)
    frames = []
    for f in meta["files"]:
        table = evaluator.read_targets(data / "targets" / f)
        ev = evaluator.evaluate(table, read_actuals(data / "actuals" / f, table))
        ind = ev.indicators.assign(file=f)
        assert not ind.duplicated(["project_id", "indicator_no"]).any()
        assert ind["status"].isin(["scored", "pending", "not_evaluable", "excluded"]).all()
        frames.append(ind)
    out = pd.concat(frames, ignore_index=True)
    assert len(out) == meta["indicators"]
    # every actual row was matched to its indicator: nothing reported missing beyond the blanks
    assert out["actual_text"].ne("").sum() + out["rating"].ne("").sum() > 0.8 * len(out)
