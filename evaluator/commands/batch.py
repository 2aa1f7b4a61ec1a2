"""`evaluator batch TABLES... [--actuals DIR] -o OUTDIR [--jobs N]`: score many tables in one run.

Every target table named (a directory stands for the table files in it, in name order) is scored
with the actuals file of the same name in ``--actuals``; the results of all tables go into one set
of CSV files (see :mod:`evaluator.batch`). Exit status: 0 when every table was scored; 1 when some
could not be (they are listed, the others are still written); 2 when nothing could be run.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..batch import FILES as BATCH_FILES, SCORED, TABLE_SUFFIXES, Task, find_tables, pair_actuals, score_batch
from ..issues import InputError, issue_message
from ..reports.columns import TABLES, chinese_csv_file
from ..rules import available_packs
from .common import output_dir, rule_pack
from .history import add_history_options, record_folder
from ..wording import message, messages


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("batch", help=message("cli_batch", "help"), description=message("cli_batch", "description"))
    p.add_argument("tables", metavar="TABLE|DIR", nargs="+", help=message("cli_batch", "tables_help"))
    p.add_argument("--actuals", metavar="DIR", help=message("cli_batch", "actuals_help"))
    p.add_argument("-o", "--output", required=True, metavar="OUTDIR", help=message("cli_batch", "output_help"))
    p.add_argument("--rules", default="national-2020", metavar="NAME|PATH",
                   help=message("cli_batch", "rules_help", packs="、".join(available_packs())))
    p.add_argument("--jobs", "-j", type=int, default=1, metavar="N",
                   help=message("cli_batch", "jobs_help", cores=os.cpu_count()))
    p.add_argument("-r", "--recursive", action="store_true",
                   help=message("cli_batch", "recursive_help"))
    p.add_argument("--headers", choices=["zh", "en"], default="zh",
                   help=message("cli_batch", "headers_help"))
    p.add_argument("--no-check", action="store_true", help=message("cli_batch", "no_check_help"))
    p.add_argument("--include-hidden-sheets", action="store_true", help=message("cli_batch", "hidden_help"))
    add_history_options(p)
    p.set_defaults(func=run)


#: file-name prefixes of a folder's actuals in a recursive run (never scored as target tables):
#: ``actuals.csv`` goes with every table of its folder, ``actuals-X.csv`` with ``targets-X.*``
ACTUALS_STEMS: tuple[str, ...] = tuple(messages()["cli_batch_stems"]["actuals"])
TARGETS_STEMS: tuple[str, ...] = tuple(messages()["cli_batch_stems"]["targets"])


def _suffix(stem: str, prefixes: tuple[str, ...]) -> str | None:
    low = stem.lower()
    for p in prefixes:
        if low == p:
            return ""
        if low.startswith(p) and low[len(p)] in "-_ .":
            return low[len(p) + 1:]
    return None


def find_recursive(paths: list[str]) -> tuple[list[Path], dict[Path, Path]]:
    """Tables under the directories (and files) named, subfolders included, in path order; and for
    each table whose folder holds its actuals (``actuals.*`` for the folder, ``actuals-X.*`` for
    ``targets-X.*``), that file (it is not a table)."""
    found: list[Path] = []
    by_key: dict[tuple[Path, str], Path] = {}
    for p in map(Path, paths):
        if not p.is_dir():
            found.append(p)
            continue
        files = sorted((f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in TABLE_SUFFIXES
                        and not f.name.startswith(("~$", ".")) and not any(part.startswith(".") for part in f.parts)),
                       key=lambda f: f.relative_to(p).parts)
        for f in files:
            key = _suffix(f.stem, ACTUALS_STEMS)
            if key is not None:
                by_key.setdefault((f.parent, key), f)
            else:
                found.append(f)
    pairs: dict[Path, Path] = {}
    for t in found:
        key = _suffix(t.stem, TARGETS_STEMS)
        match = by_key.get((t.parent, key)) if key is not None else None
        match = match or by_key.get((t.parent, ""))
        if match is not None:
            pairs[t] = match
    return found, pairs


def run(args: argparse.Namespace) -> int:
    from ..outputs import finish_run, inside, locked_output
    from ..readers.io import include_hidden_sheets

    for folder in [t for t in args.tables if Path(t).is_dir()] + ([args.actuals] if args.actuals else []):
        if inside(args.output, folder):  # the next run would read this run's CSVs as tables
            raise InputError(issue_message("output_inside_input", folder=folder), file=args.output,
                             code="output_inside_input")
    output_dir(args.output)
    rule_pack(args.rules)  # a wrong --rules fails here, before any table is read
    include_hidden_sheets(args.include_hidden_sheets)
    with locked_output(args.output):  # the files move into place when this block ends
        status, targets = _run(args, finish_run)
    record_folder(args, args.output, targets)  # --history: the whole run into the results store
    if args.headers == "zh":  # the same Chinese headers and code labels as `evaluator score` writes
        for name in TABLES:
            path = Path(args.output) / f"{name}.csv"
            if name in BATCH_FILES and path.is_file():
                chinese_csv_file(path, name)
    return status


def _run(args: argparse.Namespace, finish_run) -> tuple[int, list[Path]]:
    folder_actuals: dict[Path, Path] = {}
    if args.recursive:
        targets, folder_actuals = find_recursive(args.tables)
    else:
        targets = find_tables(args.tables)
    missing = [str(t) for t in targets if not t.is_file()]
    if missing:
        raise InputError(issue_message("file_missing", "tables", tables="、".join(missing)), code="file_missing")
    if not targets:
        raise InputError(issue_message("file_missing", "no_tables", paths="、".join(args.tables)), code="file_missing")
    if args.actuals and not Path(args.actuals).is_dir():
        raise InputError(issue_message("file_missing", "actuals_folder"), file=args.actuals, code="file_missing")
    names = [t.name for t in targets]
    same = sorted({n for n in names if names.count(n) > 1})
    if same:
        print(message("cli_batch", "same_names", names="、".join(same)), file=sys.stderr)
    tasks = pair_actuals(targets, args.actuals)
    if folder_actuals and not args.actuals:
        tasks = [Task(t.index, t.targets, folder_actuals.get(t.targets)) for t in tasks]
    jobs = args.jobs if args.jobs > 0 else (os.cpu_count() or 1)
    total = len(tasks)

    def progress(row: dict) -> None:
        progress.done += 1
        state = (message("cli_batch", "progress_scored", n=row["indicators_out"]) if row["status"] == SCORED
                 else message("cli_batch", "progress_failed", reason=row["reason"]))
        print(message("cli_batch", "progress", done=progress.done, total=total, file=row["source_file"], state=state),
              file=sys.stderr)
    progress.done = 0

    result = score_batch(tasks, args.output, rules=args.rules, jobs=jobs, check=not args.no_check,
                         progress=progress)
    finish_run(args.output, result.files)
    t = result.tables
    no_actuals = int((t["actuals_file"] == "").sum())
    print(message("cli_batch", "summary", total=total, scored=total - len(result.failed),
                  indicators=int(t["indicators_out"].sum()), projects=int(t["projects"].sum()),
                  issues=int(t["issues"].sum()), errors=int(t["errors"].sum()), seconds=result.seconds, jobs=result.jobs))
    if no_actuals and args.actuals:
        print(message("cli_batch", "no_actuals", n=no_actuals, folder=args.actuals))
    for name in result.failed:
        reason = t.loc[t["source_file"] == name, "reason"].iloc[0]
        print(message("cli_batch", "failed", file=name, reason=reason))
    print(message("cli_batch", "written", paths="、".join(str(p) for p in result.files.values())))
    return (1 if result.failed else 0), targets
