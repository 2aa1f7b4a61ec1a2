"""`evaluator score TABLE ACTUALS [--rules NAME|PATH] -o OUTDIR`: score and write the tables."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..compare import record_inputs
from ..evaluate import Evaluation, evaluate
from ..outputs import finish_run, locked_output, write_atomic
from ..readers.io import include_hidden_sheets
from ..reports import write_reports
from ..reports.labels import STATUS
from ..rules import available_packs
from .history import add_history_options, priors_for, record_run

#: from this many indicators, `score` reports its progress on stderr
PROGRESS_FROM = 5000
#: project summaries printed in the terminal (the rest are in the reports)
SUMMARY_LINES = 60


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("score", help="按规则包对实际完成值评分，输出指标、项目、问题表",
                       description="读取绩效目标表和实际完成值表，按规则包逐项评分并解释，输出 CSV（UTF-8 带 BOM）。")
    p.add_argument("table", metavar="TABLE", help="绩效目标表（txt/tsv/csv/xlsx）")
    p.add_argument("actuals", metavar="ACTUALS", nargs="?", default=None,
                   help="实际完成值表（csv/xlsx，可由 evaluator template 生成）；省略时使用自评表本身的「实际完成值」「得分」列")
    p.add_argument("--rules", default="national-2020", metavar="NAME|PATH",
                   help=f"规则包名称或文件路径（内置：{'、'.join(available_packs())}；默认 national-2020）")
    p.add_argument("-o", "--output", required=True, metavar="OUTDIR", help="输出目录")
    p.add_argument("--strict", action="store_true", help="有错误级问题时以状态 1 退出")
    p.add_argument("--include-hidden-sheets", action="store_true", help="也读取 Excel 中隐藏的工作表（默认跳过并提示）")
    add_history_options(p)
    p.set_defaults(func=run)


def write_outputs(ev: Evaluation, outdir: Path) -> list[Path]:
    """Every report format plus provenance.json; CSV cells are neutralised by the report writer."""
    outdir.mkdir(parents=True, exist_ok=True)
    if len(ev.indicators) < PROGRESS_FROM:
        written = write_reports(ev, outdir, formats=("csv", "xlsx", "html", "json"))
    else:  # a long run says what it is doing; the CSVs are on disk first
        from ..rollup import rollup_department

        rollup = rollup_department(ev)
        written = {}
        for fmt, label in (("csv", "CSV 表"), ("xlsx", "report.xlsx"), ("html", "report.html"), ("json", "report.json")):
            print(f"正在写出 {label}……", file=sys.stderr, flush=True)
            written.update(write_reports(ev, outdir, formats=(fmt,), rollup=rollup))
    prov = write_atomic(outdir / "provenance.json",
                        (json.dumps(ev.provenance, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8"))
    return list(dict.fromkeys(written.values())) + [prov]


def counts_line(ev: Evaluation) -> str:
    """「读入指标 N 条，输出 M 条：…」 so a user can see that nothing was lost."""
    status = ev.indicators["status"].value_counts()
    parts = [f"{STATUS[key]} {int(status.get(key, 0))}" for key in ("scored", "pending", "not_evaluable", "excluded")]
    return f"读入指标 {ev.indicators_in} 条，输出 {len(ev.indicators)} 条：" + "，".join(parts)


def print_summary(ev: Evaluation) -> None:
    pack = ev.rule_pack
    print(f"规则包：{pack.name}（{pack.version}）{pack.title}")
    print(counts_line(ev))
    summaries = ev.projects["summary"].tolist()
    for text in summaries[:SUMMARY_LINES]:
        print(f"- {text}")
    if len(summaries) > SUMMARY_LINES:
        print(f"……其余 {len(summaries) - SUMMARY_LINES} 个项目的摘要见 projects.csv 和 report.html")
    n_err = int((ev.issues["severity"] == "error").sum()) if len(ev.issues) else 0
    print(f"问题 {len(ev.issues)} 条（其中错误 {n_err} 条），详见 issues.csv")


def run(args: argparse.Namespace) -> int:
    include_hidden_sheets(args.include_hidden_sheets)
    with locked_output(args.output) as out:  # a second run into OUT stops here (exit 2)
        ev = evaluate(args.table, args.actuals, rules=args.rules, history=priors_for(args, args.table))
        if len(ev.indicators) >= PROGRESS_FROM:
            print(f"已评分 {len(ev.indicators)} 条指标", file=sys.stderr, flush=True)
        record_inputs(ev, args.table, args.actuals)  # names + sha256 of both inputs into the provenance
        paths = write_outputs(ev, out)
        finish_run(out, paths)
    record_run(args, ev, args.table)  # --history: into the results store
    print_summary(ev)
    print("已写出：" + "、".join(str(p) for p in paths))
    errors = int((ev.issues["severity"] == "error").sum()) if len(ev.issues) else 0
    if args.strict and errors:
        print(f"--strict：有 {errors} 个错误级问题，按失败退出", file=sys.stderr)
        return 1
    return 0
