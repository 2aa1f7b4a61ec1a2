"""Benchmark the results store (evaluator.history) at province scale.

    .venv/bin/python benchmarks/history.py                 # 1 M add vs CSV; 10 M store trend query
    .venv/bin/python benchmarks/history.py --rows 100000 --store-rows 1000000   # smaller

Two measurements (numbers go to the README and docs/history.md):

* ``add``: an output folder of ``--rows`` indicators (the columns `evaluator score` writes,
  made by repeating the scored examples/history tables under many departments and projects)
  is recorded with ``evaluator history add``'s code path (:func:`evaluator.history.record_output`:
  read the CSVs, key the indicators, one transaction) — against writing the same indicator
  table as CSV with ``DataFrame.to_csv`` (the baseline the issue sets);
* ``trend``: a store of ``--store-rows`` indicators (ten years of the same province) answers a
  department's trend query (:meth:`Store.trend`: every year's current value of each of its
  indicators) — median of 5, after one warm-up. The store is built once under
  ``benchmarks/data/`` (git-ignored) and reused.

Seven people share the machine's two cores: run sparingly; numbers are medians.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data" / "history"
sys.path.insert(0, str(ROOT))

from evaluator import evaluate  # noqa: E402
from evaluator.history import open_store, record_output  # noqa: E402

EXAMPLE = ROOT / "examples" / "history"
PER_DEPT = 2000  # indicators per department, like a large bureau


def scored_examples() -> dict[str, pd.DataFrame]:
    """indicators/projects/issues/departments of the six example tables, stacked."""
    parts: dict[str, list[pd.DataFrame]] = {"indicators": [], "projects": [], "issues": [], "departments": []}
    for dept in ("court", "procuratorate"):
        for year in (2022, 2023, 2024):
            ev = evaluate(EXAMPLE / f"targets-{dept}-{year}.tsv", EXAMPLE / f"actuals-{dept}-{year}.csv")
            for k in parts:
                parts[k].append(getattr(ev, k))
    return {k: pd.concat(v, ignore_index=True) for k, v in parts.items()}


def province(n: int, seed: int = 7) -> dict[str, pd.DataFrame]:
    """``n`` indicator rows: the examples' rows repeated, renamed into departments of PER_DEPT
    indicators and projects of ~7 (names differ, so keys and folding do real work)."""
    base = scored_examples()
    ind = base["indicators"]
    take = np.resize(np.arange(len(ind)), n)
    big = ind.iloc[take].reset_index(drop=True)
    dept_no = np.arange(n) // PER_DEPT
    proj_no = np.arange(n) // 7
    big["department"] = pd.Series(dept_no).map(lambda d: f"示例市第{d}部门").to_numpy(dtype=object)
    big["project"] = pd.Series(proj_no).map(lambda p: f"项目{p}").to_numpy(dtype=object)
    big["project_id"] = pd.Series(proj_no).map(lambda p: f"P{p:06d}").to_numpy(dtype=object)
    projects = big.drop_duplicates("project_id")[["project_id", "project", "department"]].reset_index(drop=True)
    rng = np.random.default_rng(seed)
    projects["total"] = rng.uniform(60, 100, len(projects)).round(2)
    projects["grade"] = np.where(projects["total"] >= 90, "优", "良")
    depts = projects.groupby("department", sort=False)["total"].mean().reset_index().rename(columns={"total": "score"})
    return {"indicators": big, "projects": projects, "issues": base["issues"].iloc[:0], "departments": depts}


def write_folder(frames: dict[str, pd.DataFrame], out: Path, year: int) -> float:
    """Write an output folder; returns the seconds writing indicators.csv took (the baseline)."""
    out.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    frames["indicators"].to_csv(out / "indicators.csv", index=False, encoding="utf-8-sig")
    csv_seconds = time.perf_counter() - t
    for k in ("projects", "issues", "departments"):
        frames[k].to_csv(out / f"{k}.csv", index=False, encoding="utf-8-sig")
    (out / "provenance.json").write_text(json.dumps({"targets": f"province-{year}.xlsx", "rule_pack": "national-2020",
                                                     "rule_pack_version": "2020.1"}), encoding="utf-8")
    return csv_seconds


def bench_add(rows: int) -> dict[str, float]:
    frames = province(rows)
    out = DATA / f"out-{rows}"
    if out.exists():
        shutil.rmtree(out)
    csv_seconds = write_folder(frames, out, 2024)
    db = DATA / f"add-{rows}.duckdb"
    db.unlink(missing_ok=True)
    t = time.perf_counter()
    record_output(db, out, 2024)
    add_seconds = time.perf_counter() - t
    db.unlink(missing_ok=True)
    return {"rows": rows, "csv_write_s": round(csv_seconds, 2), "history_add_s": round(add_seconds, 2)}


def build_store(store_rows: int, years: int = 10) -> Path:
    db = DATA / f"store-{store_rows}.duckdb"
    if db.exists():
        return db
    per_year = store_rows // years
    frames = province(per_year)
    tmp = db.with_suffix(".building")
    tmp.unlink(missing_ok=True)
    t = time.perf_counter()
    with open_store(tmp, write=True) as store:
        for k in range(years):
            y = 2015 + k
            ind = frames["indicators"]
            # the values move a little every year, as real ones do
            ind = ind.assign(actual_value=pd.to_numeric(ind["actual_value"], errors="coerce") * (1 + 0.01 * k))
            store.add_run(y, "benchmark", ind, frames["projects"], frames["issues"], frames["departments"],
                          {"targets": f"province-{y}.xlsx"}, source="benchmark")
            print(f"  store: year {y} added ({(k + 1) * per_year:,} indicators, {time.perf_counter() - t:.0f} s)",
                  flush=True)
    tmp.rename(db)
    return db


def bench_trend(store_rows: int) -> dict[str, float]:
    db = build_store(store_rows)
    with open_store(db) as store:
        n = int(store.query("SELECT COUNT(*) AS n FROM indicators")["n"].iat[0])
        dept = store.query("SELECT department FROM runs ORDER BY run_id LIMIT 1 OFFSET 123")["department"].iat[0]
        store.trend(dept)  # warm-up: the first query reads the file's metadata
        times = []
        for _ in range(5):
            t = time.perf_counter()
            rows = len(store.trend(dept))
            times.append(time.perf_counter() - t)
    return {"store_rows": n, "store_mb": round(db.stat().st_size / 2**20), "trend_rows": rows,
            "trend_query_s": round(statistics.median(times), 3)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000, help="indicators in the output folder recorded by `add`")
    ap.add_argument("--store-rows", type=int, default=10_000_000, help="indicators in the store for the trend query")
    ap.add_argument("--skip-add", action="store_true")
    ap.add_argument("--skip-trend", action="store_true")
    args = ap.parse_args(argv)
    DATA.mkdir(parents=True, exist_ok=True)
    results = {}
    if not args.skip_add:
        results["add"] = bench_add(args.rows)
        print(json.dumps(results["add"], ensure_ascii=False), flush=True)
    if not args.skip_trend:
        results["trend"] = bench_trend(args.store_rows)
        print(json.dumps(results["trend"], ensure_ascii=False), flush=True)
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "history.json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
