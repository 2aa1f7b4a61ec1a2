"""`evaluator score TABLE ACTUALS [--rules NAME|PATH] -o OUTDIR`: score and write the tables."""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from ..compare import record_inputs
from ..evaluate import Evaluation, evaluate
from ..outputs import finish_run, locked_output, write_atomic
from ..readers.io import include_hidden_sheets
from ..reports import write_reports
from ..reports.fonts import missing_font_note
from ..reports.labels import STATUS, department_label, full_marks, grade_label, points
from ..reports.notices import notices
from ..rollup import DepartmentRollup, rollup_department
from .common import error_lines, output_dir, rule_pack, rules_help
from .history import add_history_options, priors_for, record_run
from ..wording import message

#: from this many indicators, `score` reports its progress on stderr
PROGRESS_FROM = 5000
#: project summaries printed in the terminal (the rest are in the reports)
SUMMARY_LINES = 60


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("score", help=message("cli_score", "help"), description=message("cli_score", "description"))
    p.add_argument("table", metavar="TABLE", help=message("cli_score", "table_help"))
    p.add_argument("actuals", metavar="ACTUALS", nargs="?", default=None,
                   help=message("cli_score", "actuals_help"))
    p.add_argument("--rules", default="national-2020", metavar="NAME|PATH", help=rules_help())
    p.add_argument("-o", "--output", required=True, metavar="OUTDIR", help=message("cli_score", "output_help"))
    p.add_argument("--headers", choices=["zh", "en"], default="zh",
                   help=message("cli_score", "headers_help"))
    p.add_argument("--strict", action="store_true", help=message("cli_score", "strict_help"))
    p.add_argument("--include-hidden-sheets", action="store_true", help=message("cli_score", "hidden_help"))
    p.add_argument("--layout", metavar="LAYOUT.toml",
                   help=message("cli_score", "layout_help"))
    add_history_options(p)
    p.set_defaults(func=run)


def write_outputs(ev: Evaluation, outdir: Path, rollup: DepartmentRollup | None = None,
                  headers: str = "en") -> list[Path]:
    """Every report format plus provenance.json; CSV cells are neutralised by the report writer."""
    outdir.mkdir(parents=True, exist_ok=True)
    rollup = rollup or rollup_department(ev)
    if len(ev.indicators) < PROGRESS_FROM:
        written = write_reports(ev, outdir, formats=("csv", "xlsx", "html", "json"), rollup=rollup, headers=headers)
    else:  # a long run says what it is doing; the CSVs are on disk first
        written = {}
        for fmt, label in (("csv", message("cli_score", "csv_tables")), ("xlsx", "report.xlsx"), ("html", "report.html"),
                           ("json", "report.json")):
            print(message("cli_score", "writing", label=label), file=sys.stderr, flush=True)
            written.update(write_reports(ev, outdir, formats=(fmt,), rollup=rollup, headers=headers))
    prov = write_atomic(outdir / "provenance.json",
                        (json.dumps(ev.provenance, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8"))
    return list(dict.fromkeys(written.values())) + [prov]


def counts_line(ev: Evaluation) -> str:
    """「读入指标 N 条，输出 M 条：…」 so a user can see that nothing was lost."""
    status = ev.indicators["status"].value_counts()
    parts = [message("cli_score", "status_count", status=STATUS[key], n=int(status.get(key, 0)))
             for key in ("scored", "pending", "not_evaluable", "excluded")]
    return message("cli_score", "counts", read=ev.indicators_in, written=len(ev.indicators),
                   parts=message("cli_score", "counts_sep").join(parts))


def department_line(rollup: DepartmentRollup) -> str:
    s = rollup.summary
    score = s.get("score")
    if score is None or score != score:
        return message("cli_score", "department_none", department=department_label(rollup.department))
    lo, hi = s.get("score_min"), s.get("score_max")
    interval = message("cli_score", "department_interval", lo=points(lo), hi=points(hi)) if lo == lo and hi == hi and hi - lo > 1e-9 else ""
    return message("cli_score", "department", department=department_label(rollup.department), score=points(score),
                   interval=interval, grade=grade_label(s.get("grade")), simple=points(s.get("score_simple")))


def project_lines(ev: Evaluation) -> list[str]:
    """One line per project; identical lines (涉密 projects) folded into one with a count; 满分 beside
    the summary where a project's maximum is not 100."""
    full = full_marks(ev.projects, ev.rule_pack)
    texts = []
    for summary, f in zip(ev.projects["summary"].tolist(), full.tolist()):
        text = str(summary)
        if f == f and abs(f - 100.0) > 1e-6:
            text += message("cli_score", "full_marks", full=f, weights=f - ev.rule_pack.weights["execution"])
        texts.append(text)
    counts = Counter(texts)
    out, seen = [], set()
    for text in texts:
        if text in seen:
            continue
        seen.add(text)
        out.append(message("cli_score", "same_projects", text=text, n=counts[text]) if counts[text] > 1 else text)
    return out


def print_summary(ev: Evaluation, rollup: DepartmentRollup | None = None) -> None:
    for note in notices(ev):
        print(message("cli_score", "notice", note=note))
    pack = ev.rule_pack
    print(message("cli_score", "rule_pack", name=pack.name, version=pack.version, title=pack.title))
    print(counts_line(ev))
    if rollup is not None:
        print(department_line(rollup))
    lines = project_lines(ev)
    for text in lines[:SUMMARY_LINES]:
        print(message("cli_score", "project", text=text))
    if len(lines) > SUMMARY_LINES:
        print(message("cli_score", "more_projects", n=len(lines) - SUMMARY_LINES))
    n_err = int((ev.issues["severity"] == "error").sum()) if len(ev.issues) else 0
    print(message("cli_score", "issues", n=len(ev.issues), errors=n_err))
    for line in error_lines(ev.issues):
        print(line)


def run(args: argparse.Namespace) -> int:
    include_hidden_sheets(args.include_hidden_sheets)
    output_dir(args.output)
    pack = rule_pack(args.rules)  # a wrong --rules fails here, before any work
    with locked_output(args.output) as out:  # a second run into OUT stops here (exit 2)
        table = args.table
        if getattr(args, "layout", None):  # the user says where the header and each column are
            from ..readers import read_targets
            table = read_targets(args.table, layout=args.layout)
        ev = evaluate(table, args.actuals, rules=pack, history=priors_for(args, args.table))
        if len(ev.indicators) >= PROGRESS_FROM:
            print(message("cli_score", "scored_progress", n=len(ev.indicators)), file=sys.stderr, flush=True)
        record_inputs(ev, args.table, args.actuals)  # names + sha256 of both inputs into the provenance
        rollup = rollup_department(ev)
        paths = write_outputs(ev, out, rollup, headers=args.headers)
        finish_run(out, paths)
    record_run(args, ev, args.table)  # --history: into the results store
    print_summary(ev, rollup)
    note = missing_font_note()
    if note:
        print(note, file=sys.stderr)
    print(message("cli_score", "written", paths="、".join(str(p) for p in paths)))
    errors = int((ev.issues["severity"] == "error").sum()) if len(ev.issues) else 0
    if args.strict and errors:
        print(message("cli_score", "strict", n=errors), file=sys.stderr)
        return 1
    return 0
