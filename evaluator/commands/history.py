"""`evaluator history add|report|match|upgrade`: the results store across years.

Also the ``--history`` options other commands share (:func:`add_history_options`,
:func:`priors_for`, :func:`record_run`), so their own modules need only a small hunk.
"""
from __future__ import annotations

import argparse

import pandas as pd
from pathlib import Path
from typing import Any

from ..history import Priors, match_years, open_store, record_evaluation, record_output, resolve_year
from ..history.store import DEFAULT_WAIT
from ..reports.labels import department_label
from ..wording import fixed, message


def add_history_options(p: argparse.ArgumentParser, record: bool = True) -> None:
    what = message("cli_history", "record_what" if record else "read_what")
    p.add_argument("--history", metavar="DB", help=message("cli_history", "history_help", what=what))
    p.add_argument("--year", type=int, metavar="YYYY",
                   help=message("cli_history", "year_help"))
    p.add_argument("--history-map", metavar="CSV",
                   help=message("cli_history", "map_help"))
    p.add_argument("--history-wait", type=float, default=DEFAULT_WAIT, metavar="SECONDS",
                   help=message("cli_history", "wait_help", wait=DEFAULT_WAIT))


def priors_for(args: argparse.Namespace, table: str | Path) -> Priors | None:
    """The prior-year lookup for a table (None without ``--history`` or before the store exists)."""
    if not getattr(args, "history", None):
        return None
    year, source = resolve_year(args.year, table)
    args._history_year = (year, source)
    return Priors(args.history, year, args.history_map, wait=args.history_wait) if Path(args.history).is_file() else None


def history_issues_for(args: argparse.Namespace, table: Any) -> Any:
    """``check --history``: the store's warnings about a table (see :mod:`evaluator.history.checks`)."""
    from ..history.checks import history_issues
    from ..history.store import HistoryError
    if not Path(args.history).is_file():
        raise HistoryError(message("cli_history", "no_store", db=args.history))
    year, _ = resolve_year(args.year, args.table)
    return history_issues(table, args.history, year, args.history_map)


def record_run(args: argparse.Namespace, ev: Any, table: str | Path) -> None:
    """Record a scored evaluation in ``--history`` and say so."""
    if not getattr(args, "history", None):
        return
    year, source = getattr(args, "_history_year", None) or resolve_year(args.year, table)
    ids = record_evaluation(args.history, ev, year, source, source=f"evaluator score {Path(table).name}",
                            wait=args.history_wait)
    print(message("cli_history", "recorded", db=args.history, year=year, source=source, ids="、".join(map(str, ids))))


def record_folder(args: argparse.Namespace, outdir: str | Path, tables: list[Path]) -> None:
    """``batch --history``: record a whole output folder; the year is the one every table shows
    (else ``--year``); tables showing different years are refused."""
    if not getattr(args, "history", None):
        return
    from ..history import detect_year
    from ..history.store import HistoryError
    shown = {y for y in (detect_year(t) for t in tables) if y}
    years = {y for y, _ in shown}
    if len(years) > 1:
        raise HistoryError(message("cli_history", "years_differ", years="、".join(map(str, sorted(years)))))
    year, source = resolve_year(args.year, *(tables[:1] if years else []))
    ids, _, _ = record_output(args.history, outdir, year, wait=args.history_wait)
    print(message("cli_history", "recorded_folder", db=args.history, year=year, source=source, n=len(ids),
                  first=ids[0], last=ids[-1]) if ids else "")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("history", help=message("cli_history", "help"), description=message("cli_history", "description"))
    hs = p.add_subparsers(dest="history_command", metavar=message("cli_history", "subcommand_metavar"))
    a = hs.add_parser("add", help=message("cli_history", "add_help"))
    a.add_argument("outdir", metavar="OUTDIR", help=message("cli_history", "add_outdir_help"))
    a.add_argument("--db", required=True, metavar="DB", help=message("cli_history", "add_db_help"))
    a.add_argument("--year", type=int, metavar="YYYY", help=message("cli_history", "add_year_help"))
    a.add_argument("--history-map", metavar="CSV", help=message("cli_history", "add_map_help"))
    a.add_argument("--history-wait", type=float, default=DEFAULT_WAIT, metavar="SECONDS",
                   help=message("cli_history", "add_wait_help", wait=DEFAULT_WAIT))
    a.set_defaults(func=run_add)

    r = hs.add_parser("report", help=message("cli_history", "report_help"))
    r.add_argument("--db", required=True, metavar="DB", help=message("cli_history", "db_help"))
    r.add_argument("--dept", action="append", metavar=message("cli_history", "dept_metavar"),
                   help=message("cli_history", "report_dept_help"))
    r.add_argument("-o", "--output", required=True, metavar="OUTDIR", help=message("cli_history", "report_output_help"))
    r.set_defaults(func=run_report)

    m = hs.add_parser("match", help=message("cli_history", "match_help"))
    m.add_argument("--db", required=True, metavar="DB", help=message("cli_history", "db_help"))
    m.add_argument("--year", type=int, required=True, metavar="YYYY", help=message("cli_history", "match_year_help"))
    m.add_argument("--dept", action="append", metavar=message("cli_history", "dept_metavar"),
                   help=message("cli_history", "match_dept_help"))
    m.add_argument("--history-map", metavar="CSV", help=message("cli_history", "add_map_help"))
    m.add_argument("-o", "--output", metavar="CSV", help=message("cli_history", "match_output_help"))
    m.set_defaults(func=run_match)

    u = hs.add_parser("upgrade", help=message("cli_history", "upgrade_help"))
    u.add_argument("--db", required=True, metavar="DB", help=message("cli_history", "db_help"))
    u.set_defaults(func=run_upgrade)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _print_unmatched(db: str, year: int, depts: list[str] | None, mapping: str | None, limit: int = 20) -> Any:
    import pandas as pd
    rows = []
    with open_store(db) as store:
        for dept in depts or store.departments():
            if year - 1 not in store.years(dept) or year not in store.years(dept):
                continue
            m = match_years(store, dept, year, mapping)
            print(message("cli_history", "match_counts", dept=dept, year=year, prior=year - 1, matched=len(m["matched"]),
                          gone=len(m["disappeared"]), new=len(m["new"])))
            for key, suffix in (("disappeared", "_prior"), ("new", "")):
                label = message("cli_history", key)
                part = m[key]
                for r in part.head(limit).itertuples():
                    print(message("cli_history", "unmatched", label=label, project=getattr(r, "project" + suffix),
                                  indicator=getattr(r, "name" + suffix)))
                if len(part) > limit:
                    print(message("cli_history", "more", n=len(part) - limit))
                rows.append(pd.DataFrame({"department": dept, "year": year, "status": label,
                                          "project": part["project" + suffix], "indicator": part["name" + suffix]}))
    return pd.concat(rows, ignore_index=True) if rows else None


def run_add(args: argparse.Namespace) -> int:
    ids, year, source = record_output(args.db, args.outdir, args.year, wait=args.history_wait)
    print(message("cli_history", "recorded", db=args.db, year=year, source=source, ids="、".join(map(str, ids))))
    with open_store(args.db) as store:
        runs = store.query(f"SELECT department FROM runs WHERE run_id IN ({','.join(map(str, ids))})")
    _print_unmatched(args.db, year, list(runs["department"]), args.history_map)  # against the year before
    return 0


def run_match(args: argparse.Namespace) -> int:
    table = _print_unmatched(args.db, args.year, args.dept, args.history_map, limit=10**9)
    if args.output and table is not None:
        table.to_csv(args.output, index=False, encoding="utf-8-sig")
        print(message("cli_history", "written", paths=args.output))
    return 0


def run_upgrade(args: argparse.Namespace) -> int:
    with open_store(args.db, write=True) as store:
        v = store.query("SELECT MAX(version) AS v FROM schema_version")["v"].iat[0]
    print(message("cli_history", "schema", db=args.db, version=v))
    return 0


def run_report(args: argparse.Namespace) -> int:
    from ..history.report import write_history_report
    paths = write_history_report(args.db, args.output, args.dept)
    print(message("cli_history", "written", paths="、".join(str(p) for p in paths)))
    return 0


def run_compare_years(args: argparse.Namespace) -> int:
    """``compare --history DB --years 2022-2024``."""
    from ..history.report import compare_years, parse_years, write_year_comparison
    from ..history.store import HistoryError
    if not args.years:
        raise HistoryError(message("cli_history", "years_needed"))
    years = parse_years(args.years)
    table = compare_years(args.history, years)
    if not len(table):
        raise HistoryError(message("cli_history", "no_results", db=args.history, years=args.years))
    print(message("cli_history", "years_heading", n=len(table), first=years[0], last=years[-1]))
    for r in table.itertuples(index=False):
        d = r._asdict()
        cells = []
        for y in years:
            if d.get(f"rank_{y}") is None or pd.isna(d.get(f"rank_{y}")):
                cells.append(message("cli_history", "year_missing", year=y))
                continue
            span = "" if d[f"rank_best_{y}"] == d[f"rank_worst_{y}"] else message(
                "cli_history", "rank_span", best=int(d[f"rank_best_{y}"]), worst=int(d[f"rank_worst_{y}"]))
            cells.append(message("cli_history", "year_rank", year=y, rank=int(d[f"rank_{y}"]), span=span,
                                 score=fixed(d[f"score_{y}"])))
        if d["movement"] is None or pd.isna(d["movement"]):
            move = message("cli_history", "movement_unknown")
        else:
            m, lo, hi = int(d["movement"]), int(d["movement_min"]), int(d["movement_max"])
            word = (message("cli_history", "up", n=m) if m > 0 else
                    message("cli_history", "down", n=-m) if m < 0 else message("cli_history", "same"))
            move = message("cli_history", "movement", word=word) + (
                "" if lo == hi else message("cli_history", "movement_span", lo=lo, hi=hi))
        print(message("cli_history", "department_years", department=department_label(d["department"]),
                      cells="；".join(cells), movement=move))
    paths = write_year_comparison(table, years, args.outdir)
    print(message("cli_history", "written", paths="、".join(str(p) for p in paths)))
    return 0
