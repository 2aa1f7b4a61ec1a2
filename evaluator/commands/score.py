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

#: from this many indicators, `score` reports its progress on stderr
PROGRESS_FROM = 5000
#: project summaries printed in the terminal (the rest are in the reports)
SUMMARY_LINES = 60


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("score", help="按规则包对实际完成值评分，输出指标、项目、问题表",
                       description="读取绩效目标表和实际完成值表，按规则包逐项评分并解释，写出 report.xlsx（自评表格式）、"
                                   "report.html（离线）、CSV（UTF-8 带 BOM）、JSON 和 provenance.json。")
    p.add_argument("table", metavar="TABLE", help="绩效目标表或已填好的自评表（txt/tsv/csv/xlsx）")
    p.add_argument("actuals", metavar="ACTUALS", nargs="?", default=None,
                   help="实际完成值表（csv/xlsx，可由 evaluator template 生成）；省略时使用自评表本身的「实际完成值」「得分」列")
    p.add_argument("--rules", default="national-2020", metavar="NAME|PATH", help=rules_help())
    p.add_argument("-o", "--output", required=True, metavar="OUTDIR", help="输出文件夹（不存在时新建）")
    p.add_argument("--headers", choices=["zh", "en"], default="zh",
                   help="CSV 表头：zh 中文（默认）；en 英文契约列名（供程序读取）")
    p.add_argument("--strict", action="store_true", help="有错误级问题时以状态 1 退出")
    p.add_argument("--include-hidden-sheets", action="store_true", help="也读取 Excel 中隐藏的工作表（默认跳过并提示）")
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
        for fmt, label in (("csv", "CSV 表"), ("xlsx", "report.xlsx"), ("html", "report.html"), ("json", "report.json")):
            print(f"正在写出 {label}……", file=sys.stderr, flush=True)
            written.update(write_reports(ev, outdir, formats=(fmt,), rollup=rollup, headers=headers))
    prov = write_atomic(outdir / "provenance.json",
                        (json.dumps(ev.provenance, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8"))
    return list(dict.fromkeys(written.values())) + [prov]


def counts_line(ev: Evaluation) -> str:
    """「读入指标 N 条，输出 M 条：…」 so a user can see that nothing was lost."""
    status = ev.indicators["status"].value_counts()
    parts = [f"{STATUS[key]} {int(status.get(key, 0))}" for key in ("scored", "pending", "not_evaluable", "excluded")]
    return f"读入指标 {ev.indicators_in} 条，输出 {len(ev.indicators)} 条：" + "，".join(parts)


def department_line(rollup: DepartmentRollup) -> str:
    s = rollup.summary
    score = s.get("score")
    if score is None or score != score:
        return f"部门：{department_label(rollup.department)}，没有可参与平均的项目，部门得分无法计算"
    lo, hi = s.get("score_min"), s.get("score_max")
    interval = f"，可达 {points(lo)}–{points(hi)}" if lo == lo and hi == hi and hi - lo > 1e-9 else ""
    return (f"部门：{department_label(rollup.department)}，部门得分 {points(score)}（预算加权{interval}），"
            f"等级 {grade_label(s.get('grade'))}；简单平均 {points(s.get('score_simple'))}（派生，无官方规则）")


def project_lines(ev: Evaluation) -> list[str]:
    """One line per project; identical lines (涉密 projects) folded into one with a count; 满分 beside
    the summary where a project's maximum is not 100."""
    full = full_marks(ev.projects, ev.rule_pack)
    texts = []
    for summary, f in zip(ev.projects["summary"].tolist(), full.tolist()):
        text = str(summary)
        if f == f and abs(f - 100.0) > 1e-6:
            text += f"【满分 {f:g}，不是 100：表中指标分值合计 {f - ev.rule_pack.weights['execution']:g}】"
        texts.append(text)
    counts = Counter(texts)
    out, seen = [], set()
    for text in texts:
        if text in seen:
            continue
        seen.add(text)
        out.append(f"{text}（共 {counts[text]} 个项目）" if counts[text] > 1 else text)
    return out


def print_summary(ev: Evaluation, rollup: DepartmentRollup | None = None) -> None:
    for note in notices(ev):
        print(f"注意：{note}")
    pack = ev.rule_pack
    print(f"规则包：{pack.name}（{pack.version}）{pack.title}")
    print(counts_line(ev))
    if rollup is not None:
        print(department_line(rollup))
    lines = project_lines(ev)
    for text in lines[:SUMMARY_LINES]:
        print(f"- {text}")
    if len(lines) > SUMMARY_LINES:
        print(f"……等，另有 {len(lines) - SUMMARY_LINES} 个项目的摘要见 projects.csv 和 report.html")
    n_err = int((ev.issues["severity"] == "error").sum()) if len(ev.issues) else 0
    print(f"问题 {len(ev.issues)} 条（其中错误 {n_err} 条），详见 issues.csv")
    for line in error_lines(ev.issues):
        print(line)


def run(args: argparse.Namespace) -> int:
    include_hidden_sheets(args.include_hidden_sheets)
    output_dir(args.output)
    pack = rule_pack(args.rules)  # a wrong --rules fails here, before any work
    with locked_output(args.output) as out:  # a second run into OUT stops here (exit 2)
        ev = evaluate(args.table, args.actuals, rules=pack, history=priors_for(args, args.table))
        if len(ev.indicators) >= PROGRESS_FROM:
            print(f"已评分 {len(ev.indicators)} 条指标", file=sys.stderr, flush=True)
        record_inputs(ev, args.table, args.actuals)  # names + sha256 of both inputs into the provenance
        rollup = rollup_department(ev)
        paths = write_outputs(ev, out, rollup, headers=args.headers)
        finish_run(out, paths)
    record_run(args, ev, args.table)  # --history: into the results store
    print_summary(ev, rollup)
    note = missing_font_note()
    if note:
        print(note, file=sys.stderr)
    print("已写出：" + "、".join(str(p) for p in paths))
    errors = int((ev.issues["severity"] == "error").sum()) if len(ev.issues) else 0
    if args.strict and errors:
        print(f"--strict：有 {errors} 个错误级问题，按失败退出", file=sys.stderr)
        return 1
    return 0
