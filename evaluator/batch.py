"""Score many target tables in one run: a city's or a province's departments.

Each table is read, matched with its actuals, scored and explained on its own; its results
are appended, in input order, to one set of CSV files (``indicators.csv``, ``projects.csv``,
``issues.csv`` with the result columns of :func:`~evaluator.reports.writer.append_results_csv`,
then ``departments.csv`` and a per-table list ``tables.csv``). Memory stays that of one table
per process.

With ``jobs > 1`` the tables are scored by that many worker processes, forked from the main
process once the engine's data files are loaded. Each worker compiles with its own compiler
cache, so a target text is compiled at most once per process. The files written are byte for
byte those of ``jobs=1``.

Results come back in any order and are written in input order; a worker is not handed a
table more than :data:`LOOKAHEAD` tables per worker past the earliest one still being scored,
so at most that many tables' results wait in memory (one slow table does not make the main
process hold the rest of the province).

A table that cannot be scored (unreadable file, a worker that died) is listed in
``tables.csv`` and ``issues.csv`` with the reason; the other tables are still scored.
"""
from __future__ import annotations

import multiprocessing as mp
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import pandas as pd

from .issues import ISSUE_COLUMNS, Issue, issue_message, issues_frame
from .readers.io import EXCEL_SUFFIXES, TEXT_SUFFIXES
from .wording import message

#: file names in the output directory
FILES = {"indicators": "indicators.csv", "projects": "projects.csv", "issues": "issues.csv",
         "departments": "departments.csv", "tables": "tables.csv"}
#: input files a directory contributes (text tables and Excel workbooks)
TABLE_SUFFIXES = (TEXT_SUFFIXES | EXCEL_SUFFIXES) - {""}

#: columns of tables.csv: one row per input table
TABLE_COLUMNS = ["source_file", "actuals_file", "status", "indicators_in", "indicators_out", "projects",
                 "issues", "errors", "reason"]
#: the status of a table in tables.csv: scored, or not scored (the reason says why)
SCORED, NOT_SCORED = message("status", "scored"), message("output_batch", "not_scored")


@dataclass(frozen=True)
class Task:
    """One table to score: its position in the run, the target table and its actuals (or None)."""

    index: int
    targets: Path
    actuals: Path | None


@dataclass
class BatchResult:
    """What a batch run wrote and counted."""

    outdir: Path
    tables: pd.DataFrame
    departments: pd.DataFrame
    files: dict[str, Path]
    jobs: int
    seconds: float

    @property
    def indicators(self) -> int:
        return int(self.tables["indicators_out"].sum())

    @property
    def failed(self) -> list[str]:
        return self.tables.loc[self.tables["status"] != SCORED, "source_file"].tolist()


@dataclass
class _Outcome:
    """One table's results as CSV bytes (no header), ready to append."""

    index: int
    csv: dict[str, bytes] = field(default_factory=dict)
    departments: pd.DataFrame | None = None
    row: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- inputs
def find_tables(paths: Iterable[str | Path]) -> list[Path]:
    """The target tables named: files as given, directories as their table files in name order."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found += sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in TABLE_SUFFIXES
                            and not f.name.startswith(("~$", ".")))
        else:
            found.append(p)
    return found


def pair_actuals(targets: list[Path], actuals_dir: str | Path | None) -> list[Task]:
    """Each target table with the actuals file of the same name (any table suffix) in ``actuals_dir``.

    Without a match the table is scored with its own 实际完成值/得分 columns, as ``evaluator score``
    does without ACTUALS; ``tables.csv`` says which actuals file each table used.
    """
    by_stem: dict[str, Path] = {}
    if actuals_dir is not None:
        for f in sorted(Path(actuals_dir).iterdir()):
            if f.is_file() and f.suffix.lower() in TABLE_SUFFIXES:
                by_stem.setdefault(f.stem, f)
    tasks = []
    for i, t in enumerate(targets):
        exact = Path(actuals_dir) / t.name if actuals_dir is not None else None
        match = exact if exact is not None and exact.is_file() else by_stem.get(t.stem)
        tasks.append(Task(i, t, match))
    return tasks


# --------------------------------------------------------------------------- one table
def score_table(task: Task, rules: Any, check: bool = True) -> _Outcome:
    """Read, match, score and explain one table; its results as CSV bytes. Never raises on bad input."""
    from .actuals import read_actuals
    from .evaluate import evaluate
    from .readers import read_targets
    from .reports.tables import csv_bytes
    from .reports.writer import result_columns

    row = _blank_row(task)
    try:
        table = read_targets(task.targets, check=check)
        acts = read_actuals(task.actuals, table) if task.actuals is not None else None
        ev = evaluate(table, acts, rules=rules)
    except Exception as exc:  # noqa: BLE001 - one bad table must not stop the run
        return _failed(task, row, exc)
    issues = ev.issues
    row.update(status=SCORED, indicators_in=ev.indicators_in, indicators_out=len(ev.indicators),
               projects=len(ev.projects), issues=len(issues),
               errors=int((issues["severity"] == "error").sum()) if len(issues) else 0)
    return _Outcome(task.index, {name: csv_bytes(frame, header=False, columns=columns)
                                 for name, (frame, columns) in result_columns(ev).items()}, ev.departments, row)


def _failed(task: Task, row: dict[str, Any], exc: BaseException | str) -> _Outcome:
    from .reports.tables import csv_bytes
    reason = exc if isinstance(exc, str) else (str(exc) or type(exc).__name__)
    if not isinstance(exc, str) and type(exc).__module__.split(".")[0] != "evaluator":
        reason = f"{type(exc).__name__}: {reason}"
    row.update(status=NOT_SCORED, reason=reason, issues=1, errors=1)  # the issue below
    issue = Issue(code="table_not_scored", severity="error", message=issue_message("table_not_scored", reason=reason),
                  file=task.targets.name)
    return _Outcome(task.index, {"issues": csv_bytes(issues_frame([issue]), header=False)}, None, row)


# --------------------------------------------------------------------------- workers
def _worker(conn: Connection, rules: Any, check: bool) -> None:
    """A worker process: score the tables it is sent, one at a time, and send back each outcome."""
    while True:
        task = conn.recv()
        if task is None:
            return
        try:
            outcome = score_table(task, rules, check)
        except Exception as exc:  # noqa: BLE001 - said in tables.csv; the worker goes on with the next table
            outcome = _failed(task, _blank_row(task), exc)
        conn.send(outcome)


#: a worker is not given a table more than this many tables per worker after the earliest table not
#: back yet: finished results wait in the main process to be written in order, and this bounds them
LOOKAHEAD = 4


def _scored_in_workers(tasks: list[Task], rules: Any, check: bool, jobs: int) -> Iterator[_Outcome]:
    """Outcomes as workers finish them (any order)."""
    ctx = mp.get_context("fork")
    _load_once()
    todo = list(reversed(tasks))
    busy: dict[Connection, tuple[Any, Task | None]] = {}  # every worker; its task, None while idle
    running: set[int] = set()  # tables handed out and not back yet
    ahead = LOOKAHEAD * jobs

    def start() -> None:
        mine, theirs = ctx.Pipe()
        proc = ctx.Process(target=_worker, args=(theirs, rules, check), daemon=True)
        proc.start()
        theirs.close()
        busy[mine] = (proc, None)
        feed(mine)

    def feed(conn: Connection) -> None:
        """The next table for a worker, unless it is too far ahead of the earliest table not back
        (the results in between wait in memory to be written in order); none left: it stops."""
        proc, _ = busy[conn]
        if not todo:
            conn.send(None)
            conn.close()
            proc.join()
            del busy[conn]
        elif running and todo[-1].index >= min(running) + ahead:
            busy[conn] = (proc, None)  # idle until the earliest table is back
        else:
            task = todo.pop()
            conn.send(task)
            busy[conn] = (proc, task)
            running.add(task.index)

    def feed_idle() -> None:
        for conn in [c for c, (_, t) in busy.items() if t is None]:
            feed(conn)

    try:
        for _ in range(min(jobs, len(tasks))):
            start()
        while busy:
            for conn in wait(list(busy)):
                if conn not in busy:  # stopped while this round was handled
                    continue
                proc, task = busy[conn]
                try:
                    outcome = conn.recv()
                except (EOFError, OSError):  # the worker died (out of memory, killed): say so, go on
                    del busy[conn]
                    proc.join()
                    if task is not None:
                        running.discard(task.index)
                        yield _failed(task, _blank_row(task), message("output_batch", "worker_died", exitcode=proc.exitcode))
                    if todo:
                        start()
                    feed_idle()
                    continue
                running.discard(outcome.index)
                feed(conn)  # the worker's next table first: it scores while this outcome is written
                feed_idle()
                yield outcome
    finally:
        for conn, (proc, _) in busy.items():
            proc.terminate()
            conn.close()


def _load_once() -> None:
    """Load what the engine loads on first use (the unit registry: ~0.6 s; word lists, messages) in the
    main process, so that every worker inherits it instead of loading it again (compiled targets are
    not shared: each worker compiles the texts it meets, once)."""
    from .wording import messages
    from .lexicon import lexicon
    from .readers.vocab import vocabulary as header_words
    from .units import registry
    from .values import vocabulary as actual_words

    for load in (registry, lexicon, header_words, actual_words, messages):
        load()


def _blank_row(task: Task) -> dict[str, Any]:
    return {"source_file": task.targets.name, "actuals_file": task.actuals.name if task.actuals else "",
            "indicators_in": 0, "indicators_out": 0, "projects": 0, "issues": 0, "errors": 0, "reason": ""}


# --------------------------------------------------------------------------- the run
def score_batch(tasks: list[Task], outdir: str | Path, rules: Any = "national-2020", jobs: int = 1,
                check: bool = True, progress: Callable[[dict[str, Any]], None] | None = None) -> BatchResult:
    """Score every task and write the results into ``outdir`` (files replaced); see the module docstring."""
    from .reports.tables import csv_bytes, to_csv_bytes
    from .reports.writer import INDICATOR_RESULT_COLUMNS, PROJECT_RESULT_COLUMNS
    from .rules import load_rule_pack

    t0 = time.perf_counter()
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    pack = load_rule_pack(rules)  # a bad pack fails here, once, not once per table
    jobs = max(1, min(int(jobs), len(tasks)))  # more workers than tables would only idle
    if "fork" not in mp.get_all_start_methods():  # (Windows) workers inherit the loaded engine by fork
        jobs = 1
    headers = {"indicators": INDICATOR_RESULT_COLUMNS, "projects": PROJECT_RESULT_COLUMNS, "issues": ISSUE_COLUMNS}
    rows: list[dict[str, Any]] = []
    departments: list[pd.DataFrame] = []
    from .outputs import AtomicFile, write_atomic

    handles = {name: AtomicFile(out / FILES[name]) for name in headers}  # moved into place only when the run ends
    done = False
    try:
        for name, cols in headers.items():
            handles[name].write(csv_bytes(pd.DataFrame(columns=cols), lead="\ufeff"))
            handles[name].flush()  # before workers are forked
        outcomes = (score_table(t, pack, check) for t in tasks) if jobs == 1 \
            else _in_order(_scored_in_workers(tasks, pack, check, jobs))
        for outcome in outcomes:
            for name, data in outcome.csv.items():
                handles[name].write(data)
            if outcome.departments is not None and len(outcome.departments):
                departments.append(outcome.departments.assign(source_file=outcome.row["source_file"]))
            rows.append(outcome.row)
            if progress is not None:
                progress(outcome.row)
        done = True
    finally:
        for fh in handles.values():
            fh.commit() if done else fh.discard()
    deps = pd.concat(departments, ignore_index=True) if departments else pd.DataFrame()
    tables = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    files = {name: out / FILES[name] for name in headers}
    for name, frame in (("departments", deps), ("tables", tables)):
        files[name] = out / FILES[name]
        write_atomic(files[name], to_csv_bytes(frame))
    return BatchResult(out, tables, deps, files, jobs, time.perf_counter() - t0)


def _in_order(outcomes: Iterator[_Outcome]) -> Iterator[_Outcome]:
    """Outcomes in task order (held back until the ones before them are done)."""
    waiting: dict[int, _Outcome] = {}
    following = 0
    for outcome in outcomes:
        waiting[outcome.index] = outcome
        while following in waiting:
            yield waiting.pop(following)
            following += 1
    for index in sorted(waiting):  # cannot happen unless a task was lost; never drop a result
        yield waiting.pop(index)
