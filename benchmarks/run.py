"""Benchmark the whole pipeline at province scale.

    .venv/bin/python benchmarks/run.py                       # 10k, 100k, 1M; 3 runs each
    .venv/bin/python benchmarks/run.py --quick               # 10k only, 1 run
    .venv/bin/python benchmarks/run.py --sizes 100000 --profile   # + cProfile of one run

Per size it generates the province if needed (``benchmarks/generate.py``; cached under
``benchmarks/data/``), then, for each repetition, in fresh subprocesses:

* ``baseline``: ``pandas.read_csv`` of every input file (targets and actuals);
* ``pipeline``: read targets (+ the lint checks ``read_targets`` runs by default, which
  compiles every target) → read and match actuals → score → roll up → write CSV
  with the engine's writer (``append_results_csv``: indicators with the result columns,
  projects, issues; then departments), one target file at a time, streaming the results
  to disk; the compiler's inner function is wrapped to time compilation
  and count how often each text is compiled;
* ``batch``: the same inputs through ``evaluator.batch.score_batch`` with ``--jobs`` worker
  processes (default 2; what ``evaluator batch -j 2`` runs), timed as a whole (each worker
  compiles the texts it meets with its own cache);
* ``compile``: every distinct target text of the input compiled once with a cold cache,
  each timed alone (median µs per text); the cache must report exactly one miss per text.

Peak memory is the subprocess's VmHWM (peak RSS). Medians over the runs are printed as
a Markdown table and written to ``benchmarks/results/latest.md`` (+ ``latest.json``).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
OUT = HERE / "data" / "out"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

STAGES = ["read", "check", "actuals", "score", "rollup", "explain", "write"]


def peak_rss_mb() -> float:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --------------------------------------------------------------------------------------
# Workers (run in a fresh subprocess each)
# --------------------------------------------------------------------------------------

def _inputs(data: Path) -> tuple[list[Path], list[Path]]:
    meta = json.loads((data / "meta.json").read_text(encoding="utf-8"))
    return ([data / "targets" / f for f in meta["files"]], [data / "actuals" / f for f in meta["files"]])


def worker_baseline(data: Path) -> dict:
    import pandas as pd
    targets, actuals = _inputs(data)
    t0 = time.perf_counter()
    rows = 0
    for p in targets + actuals:
        rows += len(pd.read_csv(p))
    return {"seconds": time.perf_counter() - t0, "rows": rows, "peak_rss_mb": peak_rss_mb()}


class _Timer:
    """Accumulates wall time of wrapped callables by stage name."""

    def __init__(self) -> None:
        self.t: dict[str, float] = {}
        self.active: list[str] = []

    def wrap(self, module, attr: str, stage: str) -> None:
        fn = getattr(module, attr)
        timer = self

        def wrapped(*a, **k):
            if timer.active:  # nested: the outer stage already counts it
                return fn(*a, **k)
            timer.active.append(stage)
            t0 = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                timer.t[stage] = timer.t.get(stage, 0.0) + time.perf_counter() - t0
                timer.active.pop()

        setattr(module, attr, wrapped)

    def add(self, stage: str, seconds: float) -> None:
        self.t[stage] = self.t.get(stage, 0.0) + seconds


def _instrument_compiler() -> tuple[dict[str, int], list[float]]:
    """Count and time every real (uncached) compilation."""
    from evaluator import compiler
    counts: dict[str, int] = {}
    spent = [0.0]
    inner = compiler._compile

    def counted(text):
        counts[text] = counts.get(text, 0) + 1
        t0 = time.perf_counter()
        try:
            return inner(text)
        finally:
            spent[0] += time.perf_counter() - t0

    compiler._compile = counted
    compiler._compile_cached.cache_clear()
    return counts, spent


def read_actuals_any(path: Path, table):
    """``evaluator.actuals.read_actuals`` when it exists; else a plain pandas reading."""
    try:
        from evaluator.actuals import read_actuals
    except ImportError:
        import pandas as pd
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        ind = df[df["行类型"] == "指标"]
        return pd.DataFrame({"project_id": ind["项目编号"], "indicator_no": ind["指标序号"].astype(int),
                             "actual_text": ind["实际完成值"], "prior_text": ind["上年实际值"],
                             "rating": ind["评定"], "self_score": ind["自评得分"], "note": ind["偏差原因"]})
    return read_actuals(path, table)


def worker_pipeline(data: Path, rules: str, out: Path | None, check: bool = True) -> dict:
    import pandas as pd

    import importlib

    ev_mod = importlib.import_module("evaluator.evaluate")  # the module; evaluator.evaluate is also the function
    from evaluator.readers import read_targets
    from evaluator.reports.writer import append_results_csv

    counts, compile_spent = _instrument_compiler()
    timer = _Timer()
    # stages inside evaluate(): scoring, roll-up, explanations (merge/misc stays in "score")
    for attr, stage in (("score_indicators", "score"), ("apply_weights", "rollup"), ("roll_up", "rollup"),
                        ("departments_table", "rollup"), ("_rollup_issues", "rollup"),
                        ("explain_indicators", "explain"), ("explain_executions", "explain"),
                        ("summarize_projects", "explain")):
        if hasattr(ev_mod, attr):
            timer.wrap(ev_mod, attr, stage)
    if check:
        check_mod = importlib.import_module("evaluator.check")
        import evaluator.readers as readers_mod  # noqa: F401 - run_checks is imported lazily there
        timer.wrap(check_mod, "run_checks", "check")
        if hasattr(check_mod, "check_columns"):  # what read_targets calls (run_checks, column by column)
            timer.wrap(check_mod, "check_columns", "check")

    targets, actuals = _inputs(data)
    if out:
        out.mkdir(parents=True, exist_ok=True)
    n_ind = n_proj = n_issues = 0
    departments = []
    t_start = time.perf_counter()
    first = True
    for tpath, apath in zip(targets, actuals):
        before = dict(timer.t)

        def delta(*names):
            return sum(timer.t.get(n, 0.0) - before.get(n, 0.0) for n in names)

        t0 = time.perf_counter()
        table = read_targets(tpath, check=check)
        timer.add("read", time.perf_counter() - t0 - delta("check"))
        t0 = time.perf_counter()
        acts = read_actuals_any(apath, table)
        timer.add("actuals", time.perf_counter() - t0)
        t0 = time.perf_counter()
        ev = ev_mod.evaluate(table, acts, rules=rules)
        # what the wrapped stages did not account for (merging, issues, provenance) counts as score
        timer.add("score", time.perf_counter() - t0 - delta("score", "rollup", "explain"))
        t0 = time.perf_counter()
        if out:
            if first:
                for name in ("indicators.csv", "projects.csv", "issues.csv"):
                    (out / name).unlink(missing_ok=True)
            append_results_csv(ev, out)
        timer.add("write", time.perf_counter() - t0)
        departments.append(ev.departments)
        n_ind += len(ev.indicators)
        n_proj += len(ev.projects)
        n_issues += len(ev.issues)
        first = False
        del table, acts, ev
    t0 = time.perf_counter()
    deps = pd.concat(departments, ignore_index=True)
    if out:
        from evaluator.reports.tables import to_csv_bytes
        (out / "departments.csv").write_bytes(to_csv_bytes(deps))
    timer.add("write", time.perf_counter() - t0)
    total = time.perf_counter() - t_start

    from evaluator.compiler import compile_cache_info
    info = compile_cache_info()
    stages = {s: timer.t.get(s, 0.0) for s in STAGES}
    return {
        "seconds": total, "stages": stages, "indicators_out": n_ind, "projects_out": n_proj,
        "issues_out": n_issues, "departments_out": len(deps), "peak_rss_mb": peak_rss_mb(),
        "compile_seconds": compile_spent[0], "compiled_texts": len(counts),
        "compiled_twice": sum(1 for c in counts.values() if c > 1),
        "cache_misses": info.misses, "cache_hits": info.hits,
    }


def worker_batch(data: Path, rules: str, out: Path, jobs: int, check: bool = True) -> dict:
    """The same inputs through ``evaluator.batch.score_batch`` (what ``evaluator batch -j N`` runs),
    the whole run timed."""
    import resource

    from evaluator.batch import Task, score_batch

    targets, actuals = _inputs(data)
    tasks = [Task(i, t, a) for i, (t, a) in enumerate(zip(targets, actuals))]
    t0 = time.perf_counter()
    res = score_batch(tasks, out, rules=rules, jobs=jobs, check=check)
    total = time.perf_counter() - t0
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"seconds": total, "jobs": res.jobs, "indicators_out": res.indicators, "failed": res.failed,
            "peak_rss_mb": peak_rss_mb(), "worker_peak_rss_mb": children if jobs > 1 else 0.0}


def worker_score(data: Path, out: Path) -> dict:
    """``evaluator score TABLE ACTUALS -o OUT`` on one table (every report: CSV, xlsx, html, json), timed whole."""
    from evaluator.cli import main as cli_main

    table, actuals = (next((data / kind).glob("*.csv")) for kind in ("targets", "actuals"))
    t0 = time.perf_counter()
    code = cli_main(["score", str(table), str(actuals), "-o", str(out)])
    total = time.perf_counter() - t0
    sizes = {p.name: p.stat().st_size for p in out.iterdir() if not p.name.startswith(".")}
    return {"seconds": total, "exit": code, "peak_rss_mb": peak_rss_mb(), "files": sizes}


def score_table_data(size: int, seed: int) -> Path:
    """One department of ``size`` indicators (one target table, one actuals file), generated once."""
    from generate import DATA, generate

    out = DATA / f"score_n{size}_s{seed}"
    if not (out / "meta.json").is_file():
        generate(size, seed, out=out, rows_per_file=size, quiet=True)
    for kind in ("targets", "actuals"):  # the cities of the province as one department: one file each
        files = sorted((out / kind).glob("*.csv"))
        if len(files) > 1:
            lines = files[0].read_text(encoding="utf-8-sig").splitlines(keepends=True)
            for f in files[1:]:
                lines += f.read_text(encoding="utf-8-sig").splitlines(keepends=True)[1:]
                f.unlink()
            files[0].write_text("".join(lines), encoding="utf-8-sig")
    return out


def worker_compile(data: Path) -> dict:
    """Cold-cache compile of every distinct target text, each timed alone."""
    import pandas as pd

    from evaluator import compiler
    targets, _ = _inputs(data)
    texts: set[str] = set()
    for p in targets:
        df = pd.read_csv(p, dtype=str, keep_default_na=False, usecols=["年度指标值", "实施周期指标值"])
        texts.update(df["年度指标值"].unique())
        texts.update(df["实施周期指标值"].unique())
    texts = sorted(texts)
    compiler.compile_target("预热")  # import-time work (lexicon, pint) out of the timing
    clock = time.perf_counter_ns
    passes = []
    for _ in range(3):  # three cold passes; the machine is shared, so report the median pass
        compiler._compile_cached.cache_clear()
        per = []
        for t in texts:
            t0 = clock()
            compiler.compile_target(t)
            per.append(clock() - t0)
        misses = compiler.compile_cache_info().misses
        for t in texts:  # warm pass: all hits, no new misses
            compiler.compile_target(t)
        info = compiler.compile_cache_info()
        per.sort()
        passes.append({"median_us": statistics.median(per) / 1000, "p90_us": per[int(len(per) * 0.9)] / 1000,
                       "mean_us": sum(per) / len(per) / 1000, "total_s": sum(per) / 1e9,
                       "misses_first_pass": misses, "misses_after_second_pass": info.misses})
    passes.sort(key=lambda p: p["median_us"])
    return {"distinct": len(texts), **passes[1], "pass_medians_us": [round(p["median_us"], 1) for p in passes]}


def worker_profile(data: Path, rules: str, out: Path, top: int) -> dict:
    import cProfile
    import io
    import pstats
    prof = cProfile.Profile()
    prof.enable()
    res = worker_pipeline(data, rules, out)
    prof.disable()
    s = io.StringIO()
    st = pstats.Stats(prof, stream=s)
    st.sort_stats("cumulative").print_stats(top)
    st.sort_stats("tottime").print_stats(top)
    res["profile"] = s.getvalue()
    return res


# --------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------

def _spawn(args: list[str], timeout: float | None) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", *args]
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout:.0f} s"}
    if p.returncode != 0:
        return {"error": (p.stderr or p.stdout).strip().splitlines()[-1][:300] if (p.stderr or p.stdout) else "failed",
                "stderr": p.stderr[-3000:]}
    res = json.loads(p.stdout.strip().splitlines()[-1])
    res["process_seconds"] = time.perf_counter() - t0
    return res


def _med(values: list[float]) -> float:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else float("nan")


def fmt_n(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def summarize(size: int, meta: dict, base: list[dict], pipe: list[dict], comp: dict,
              batch: list[dict] | None = None) -> dict:
    ok = [r for r in pipe if "error" not in r]
    okb = [r for r in base if "error" not in r]
    s = {"size": size, "meta": {k: meta[k] for k in ("indicators", "projects", "departments",
                                                    "distinct_target_texts", "distinct_share",
                                                    "target_bytes", "actual_bytes")},
         "runs": len(ok), "errors": [r["error"] for r in pipe if "error" in r],
         "baseline_s": _med([r["seconds"] for r in okb]), "compile": comp}
    if ok:
        s["pipeline_s"] = _med([r["seconds"] for r in ok])
        s["stages"] = {st: _med([r["stages"][st] for r in ok]) for st in STAGES}
        s["compile_in_pipeline_s"] = _med([r["compile_seconds"] for r in ok])
        s["peak_rss_mb"] = _med([r["peak_rss_mb"] for r in ok])
        s["baseline_rss_mb"] = _med([r["peak_rss_mb"] for r in okb])
        s["indicators_per_s"] = size / s["pipeline_s"]
        # ratio per run pair, then the median (both measured in the same repetition)
        ratios = [p["seconds"] / b["seconds"] for p, b in zip(pipe, base) if "error" not in p and "error" not in b]
        s["ratio"] = _med(ratios)
        last = ok[-1]
        s["indicators_out"] = last["indicators_out"]
        s["projects_out"] = last["projects_out"]
        s["compiled_twice"] = max(r["compiled_twice"] for r in ok)
        s["compiled_texts"] = last["compiled_texts"]
        s["cache_misses"] = last["cache_misses"]
    okj = [r for r in batch or [] if "error" not in r]
    s["errors"] += [f"batch: {r['error']}" for r in batch or [] if "error" in r]
    if okj:
        s["batch"] = {"jobs": okj[-1]["jobs"], "seconds": _med([r["seconds"] for r in okj]),
                      "ratio": _med([r["seconds"] / b["seconds"] for r, b in zip(batch, base)
                                     if "error" not in r and "error" not in b]),
                      "peak_rss_mb": _med([r["peak_rss_mb"] for r in okj]),
                      "worker_peak_rss_mb": _med([r["worker_peak_rss_mb"] for r in okj]),
                      "indicators_out": okj[-1]["indicators_out"],
                      "runs": len(okj)}
        if okj[-1]["failed"] or okj[-1]["indicators_out"] < meta["indicators"]:
            s["errors"].append(f"batch: {okj[-1]['indicators_out']} indicators out, failed {okj[-1]['failed']}")
    return s


def markdown(results: list[dict], meta: dict) -> str:
    L = []
    L.append(f"Machine: {meta['machine']}; Python {meta['python']}, pandas {meta['pandas']}; "
             f"commit {meta['commit']}; {meta['date']}.")
    L.append("")
    L.append("| indicators | runs | pipeline s | indicators/s | `read_csv` s | ratio | peak RSS MB | "
             "distinct texts | compile µs/text (median, cold) | compiled twice |")
    L.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        c = r.get("compile") or {}
        if "pipeline_s" not in r:
            L.append(f"| {fmt_n(r['size'])} | 0 | {'; '.join(r['errors'])[:80]} | | {r['baseline_s']:.2f} | | | "
                     f"{fmt_n(r['meta']['distinct_target_texts'])} | {c.get('median_us', float('nan')):.1f} | |")
            continue
        L.append(f"| {fmt_n(r['size'])} | {r['runs']} | {r['pipeline_s']:.2f} | {r['indicators_per_s']:,.0f} | "
                 f"{r['baseline_s']:.2f} | {r['ratio']:.1f}× | {r['peak_rss_mb']:.0f} | "
                 f"{fmt_n(r['meta']['distinct_target_texts'])} | {c.get('median_us', float('nan')):.1f} | "
                 f"{r['compiled_twice']} |")
    if any("batch" in r for r in results):
        L.append("")
        L.append("The same run through `evaluator batch -j N` (worker processes, each compiling with its own cache):")
        L.append("")
        L.append("| indicators | runs | jobs | batch s | indicators/s | `read_csv` s | ratio | peak RSS MB (main / each worker) |")
        L.append("|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in results:
            b = r.get("batch")
            if b:
                L.append(f"| {fmt_n(r['size'])} | {b['runs']} | {b['jobs']} | {b['seconds']:.2f} | "
                         f"{r['size'] / b['seconds']:,.0f} | {r['baseline_s']:.2f} | {b['ratio']:.1f}× | "
                         f"{b['peak_rss_mb']:.0f} / {b['worker_peak_rss_mb']:.0f} |")
    L.append("")
    L.append("Wall time per stage (seconds, median):")
    L.append("")
    L.append("| indicators | " + " | ".join(STAGES) + " | of which compile |")
    L.append("|---:|" + "---:|" * (len(STAGES) + 1))
    for r in results:
        if "stages" in r:
            L.append(f"| {fmt_n(r['size'])} | " + " | ".join(f"{r['stages'][s]:.2f}" for s in STAGES)
                     + f" | {r['compile_in_pipeline_s']:.2f} |")
    L.append("")
    L.append("Inputs and checks:")
    L.append("")
    L.append("| indicators | projects | departments | input MB (targets + actuals) | distinct share | "
             "indicator rows out | compile: distinct / cache misses | `read_csv` peak RSS MB |")
    L.append("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        m = r["meta"]
        c = r.get("compile") or {}
        L.append(f"| {fmt_n(r['size'])} | {fmt_n(m['projects'])} | {m['departments']} | "
                 f"{(m['target_bytes'] + m['actual_bytes']) / 1e6:.0f} | {m['distinct_share'] * 100:.1f} % | "
                 f"{fmt_n(r.get('indicators_out', 0))} | {c.get('distinct', '')} / {c.get('misses_first_pass', '')} | "
                 f"{r.get('baseline_rss_mb', float('nan')):.0f} |")
    return "\n".join(L) + "\n"


def _machine() -> dict:
    import platform

    import pandas as pd
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                cwd=ROOT).stdout.strip()
    except OSError:
        commit = ""
    cpu = platform.processor() or platform.machine()
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"machine": f"{os.cpu_count()} cores, {cpu}", "python": platform.python_version(),
            "pandas": pd.__version__, "commit": commit, "date": time.strftime("%Y-%m-%d %H:%M")}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Benchmark the full pipeline (see module docstring).")
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="10 000 indicators, one run")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--rules", default="national-2020")
    ap.add_argument("--timeout", type=float, default=600, help="seconds per pipeline run at most")
    ap.add_argument("--budget", type=float, default=540,
                    help="skip further repetitions that would end after this many seconds of the whole benchmark")
    ap.add_argument("--profile", action="store_true", help="also profile one pipeline run per size (cProfile)")
    ap.add_argument("--no-check", action="store_true", help="read_targets(check=False): skip the lint")
    ap.add_argument("--no-gc", action="store_true",
                    help="run the pipeline with Python's cyclic garbage collector disabled (to measure its share)")
    ap.add_argument("--jobs", type=int, default=2,
                    help="also run `evaluator batch -j JOBS` (score_batch with worker processes) on the same inputs; "
                         "0 skips it")
    ap.add_argument("--score-sizes", default="10000,100000",
                    help="also time `evaluator score` with every report on ONE table of these sizes (\"\" skips it)")
    ap.add_argument("--worker", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)

    if a.worker:
        kind, data = a.worker[0], Path(a.worker[1])
        if kind == "baseline":
            res = worker_baseline(data)
        elif kind == "pipeline":
            if a.worker[5:] == ["nogc"]:
                import gc
                gc.disable()
            res = worker_pipeline(data, a.worker[2], Path(a.worker[3]) if a.worker[3] != "-" else None,
                                  check=a.worker[4] == "check")
        elif kind == "compile":
            res = worker_compile(data)
        elif kind == "score":
            res = worker_score(data, Path(a.worker[2]))
        elif kind == "batch":
            res = worker_batch(data, a.worker[2], Path(a.worker[3]), int(a.worker[4]), check=a.worker[5] == "check")
        else:
            res = worker_profile(data, a.worker[2], Path(a.worker[3]), int(a.worker[4]))
        print(json.dumps(res, ensure_ascii=False))
        return 0

    from generate import ensure
    sizes = [10_000] if a.quick else [int(s) for s in a.sizes.split(",") if s]
    repeat = 1 if a.quick else a.repeat
    t_all = time.perf_counter()
    results = []
    for size in sizes:
        t0 = time.perf_counter()
        data = ensure(size, a.seed, quiet=True)
        meta = json.loads((data / "meta.json").read_text(encoding="utf-8"))
        print(f"[{size}] data ready in {time.perf_counter() - t0:.1f} s: {meta['indicators']} indicators, "
              f"{len(meta['files'])} files", file=sys.stderr)
        comp = _spawn(["compile", str(data)], a.timeout)
        print(f"[{size}] compile: {comp}", file=sys.stderr)
        base, pipe, batch = [], [], []
        out = OUT / f"n{size}"
        for i in range(repeat):
            # another repetition only if it should end within the budget (the last one's time as estimate)
            last = sum(r[-1].get("process_seconds", 0.0) for r in (pipe, base, batch) if r) if pipe else 0.0
            if i and time.perf_counter() - t_all + last > a.budget:
                print(f"[{size}] time budget: {i} run(s)", file=sys.stderr)
                break
            base.append(_spawn(["baseline", str(data)], a.timeout))
            pipe.append(_spawn(["pipeline", str(data), a.rules, str(out), "nocheck" if a.no_check else "check"]
                               + (["nogc"] if a.no_gc else []), a.timeout))
            if a.jobs:
                batch.append(_spawn(["batch", str(data), a.rules, str(OUT / f"n{size}_batch"), str(a.jobs),
                                     "nocheck" if a.no_check else "check"], a.timeout))
                b = batch[-1]
                print(f"[{size}] run {i + 1}: batch -j {a.jobs} " + (f"{b['seconds']:.2f} s" if "error" not in b
                                                                      else b["error"] + "\n" + b.get("stderr", "")),
                      file=sys.stderr)
            p = pipe[-1]
            print(f"[{size}] run {i + 1}: read_csv {base[-1].get('seconds', float('nan')):.2f} s, pipeline "
                  + (f"{p['seconds']:.2f} s, {p['peak_rss_mb']:.0f} MB, stages "
                     + ", ".join(f"{k} {v:.2f}" for k, v in p["stages"].items()) if "error" not in p
                     else p["error"] + "\n" + p.get("stderr", "")), file=sys.stderr)
            if "error" in p:
                break
        if a.profile:
            prof = _spawn(["profile", str(data), a.rules, str(out), "40"], None)
            RESULTS.mkdir(parents=True, exist_ok=True)
            (RESULTS / f"profile_n{size}.txt").write_text(prof.get("profile", json.dumps(prof)), encoding="utf-8")
            print(f"[{size}] profile → {RESULTS / f'profile_n{size}.txt'}", file=sys.stderr)
        s = summarize(size, meta, base, pipe, comp, batch)
        if "indicators_out" in s and s["indicators_out"] < meta["indicators"]:
            s["errors"].append(f"only {s['indicators_out']} of {meta['indicators']} indicators in the output")
        results.append(s)
    machine = _machine()
    md = markdown(results, machine)
    score_sizes = [10_000] if a.quick and a.score_sizes else [int(s) for s in a.score_sizes.split(",") if s]
    if score_sizes:
        md += "\n`evaluator score` with every report (CSV, xlsx, html, json) on one table:\n\n"
        md += "| indicators | seconds | peak RSS (MB) | report.xlsx (MB) |\n|---|---|---|---|\n"
    for size in score_sizes:
        res = _spawn(["score", str(score_table_data(size, a.seed)), str(OUT / f"score_n{size}")], a.timeout)
        print(f"[score {size}] {res}", file=sys.stderr)
        if "error" in res:
            md += f"| {fmt_n(size)} | {res['error']} | | |\n"
        else:
            md += (f"| {fmt_n(size)} | {res['seconds']:.1f} | {res['peak_rss_mb']:.0f} | "
                   f"{res['files'].get('report.xlsx', 0) / 2**20:.1f} |\n")
        results.append({"size": size, "kind": "score", "errors": [], **res})
    md += f"\nWhole benchmark: {time.perf_counter() - t_all:.0f} s (including data generation).\n"
    for r in results:
        for e in r["errors"]:
            md += f"\n- {fmt_n(r['size'])}: {e}"
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.md").write_text(md, encoding="utf-8")
    (RESULTS / "latest.json").write_text(json.dumps({"machine": machine, "results": results}, ensure_ascii=False,
                                                    indent=1), encoding="utf-8")
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
