"""`evaluator compare --dept TABLE [ACTUALS] [--dept …] -o OUTDIR`: several departments side by side.

A ``--dept`` is a target table with its actuals file, or one filled 自评表 (the actual values and
scores are in the table itself, as ``evaluator score TABLE`` reads it).
"""
from __future__ import annotations

import argparse
import math
from pathlib import Path

import sys

from ..compare import MIN_SCORED_INDICATORS, compare_files
from ..issues import InputError, issue_message
from ..reports.fonts import missing_font_note
from ..reports.labels import department_label, grade_label, points
from ..reports.notices import notices
from ..outputs import finish_run, locked_output
from ..reports.writer import FORMATS, write_comparison
from ..rollup import DEFAULT_MARGIN
from .common import error_lines, output_dir, rule_pack, rules_help
from ..wording import message


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "compare", help=message("cli_compare", "help"), description=message("cli_compare", "description"))
    p.add_argument("--dept", nargs="+", action="append", metavar=("TABLE", "ACTUALS"),
                   help=message("cli_compare", "dept_help"))
    p.add_argument("--history", metavar="DB", help=message("cli_compare", "history_help"))
    p.add_argument("--years", metavar="YYYY-YYYY", help=message("cli_compare", "years_help"))
    p.add_argument("--rules", default="national-2020", metavar="NAME|PATH", help=rules_help())
    p.add_argument("--no-packs", action="store_true", help=message("cli_compare", "no_packs_help"))
    p.add_argument("--margin", type=float, default=DEFAULT_MARGIN, metavar=message("cli_compare", "margin_metavar"),
                   help=message("cli_compare", "margin_help", margin=DEFAULT_MARGIN))
    p.add_argument("--min-scored", type=int, default=MIN_SCORED_INDICATORS, metavar=message("cli_compare", "min_scored_metavar"),
                   help=message("cli_compare", "min_scored_help", n=MIN_SCORED_INDICATORS))
    p.add_argument("--format", default=",".join(FORMATS), metavar=message("cli_compare", "format_metavar"),
                   help=message("cli_compare", "format_help"))
    p.add_argument("--headers", choices=["zh", "en"], default="zh",
                   help=message("cli_compare", "headers_help"))
    p.add_argument("-o", "--output", "--outdir", dest="outdir", required=True, metavar="OUTDIR",
                   help=message("cli_compare", "output_help"))
    p.add_argument("--include-hidden-sheets", action="store_true", help=message("cli_compare", "hidden_help"))
    p.set_defaults(func=run)


def _f(x: object) -> str:
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "—"
    return "—" if math.isnan(v) else points(v)


def run(args: argparse.Namespace) -> int:
    if args.history:  # departments across years, from the results store
        from .history import run_compare_years
        return run_compare_years(args)
    if not args.dept:
        raise InputError(issue_message("bad_argument", "no_dept"), code="bad_argument")
    unknown = [f.strip() for f in args.format.split(",") if f.strip() and f.strip() not in FORMATS]
    if unknown:
        raise InputError(issue_message("bad_format", formats="、".join(unknown), choices="、".join(FORMATS)),
                         code="bad_format")
    from ..readers.io import include_hidden_sheets

    include_hidden_sheets(args.include_hidden_sheets)
    pairs = []
    for files in args.dept:
        if len(files) > 2:
            raise InputError(issue_message("bad_argument", "too_many_files", n=len(files), files="、".join(files)),
                             code="bad_argument")
        for path in files:
            if not Path(path).is_file():
                raise FileNotFoundError(2, "not found", path)
        pairs.append((files[0], files[1] if len(files) == 2 else None))
    outdir = output_dir(args.outdir)
    pack = rule_pack(args.rules)
    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    comparison = compare_files(pairs, rules=pack, all_packs=not args.no_packs,
                               margin=args.margin, min_scored=args.min_scored)
    with locked_output(outdir) as out:
        written = write_comparison(comparison, out, formats, headers=args.headers)
        finish_run(out, written)
    for ev, r in zip(comparison.evaluations, comparison.rollups):
        for note in notices(ev):
            print(message("cli_compare", "notice", department=department_label(r.department), note=note))
    print(message("cli_compare", "heading", n=len(comparison.rollups)))
    for r in comparison.ranking.itertuples():
        interval = f"{_f(r.score_min)}–{_f(r.score_max)}" if _f(r.score_min) != _f(r.score_max) else message(
            "cli_compare", "settled")
        rank = "—" if r.rank is None or str(r.rank) == "<NA>" else r.rank
        line = message("cli_compare", "rank", rank=rank, department=department_label(r.department), score=_f(r.score),
                       interval=interval, grade=grade_label(r.grade))
        if r.note:
            line += f"  [{r.note}]"
        print(line)
    stable = comparison.pack_ranks.get("rank_stable")
    if stable is not None and len(stable):
        print(message("cli_compare", "packs_same" if bool(stable.all()) else "packs_differ"))
    for ev, r in zip(comparison.evaluations, comparison.rollups):
        lines = error_lines(ev.issues, 3)
        if lines:
            print(message("cli_compare", "errors", department=department_label(r.department)))
            for line in lines:
                print(line)
    if "html" in formats and missing_font_note():
        print(missing_font_note(), file=sys.stderr)
    print(message("cli_compare", "written", paths="、".join(str(p) for p in dict.fromkeys(written.values()))))
    return 0
