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
from ..issues import InputError
from ..reports.fonts import missing_font_note
from ..reports.labels import department_label, grade_label, points
from ..reports.notices import notices
from ..outputs import finish_run, locked_output
from ..reports.writer import FORMATS, write_comparison
from ..rollup import DEFAULT_MARGIN
from .common import error_lines, output_dir, rule_pack, rules_help


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "compare", help="比较多个部门：排名（含可达区间）、板块得分率、目标质量、不同规则包下的名次",
        description="对多个部门分别评分并比较。部门得分为项目总分的预算加权平均（旁列简单平均），"
                    "属派生指标（无官方规则）。写出 comparison.xlsx / comparison.html / CSV / JSON。")
    p.add_argument("--dept", nargs="+", action="append", metavar=("TABLE", "ACTUALS"),
                   help="一个部门：绩效目标表和实际完成值表，或一张已填好的自评表（只给一个文件）；可重复（使用 --history 时不需要）")
    p.add_argument("--history", metavar="DB", help="改为比较绩效历史库中各部门历年的得分与名次")
    p.add_argument("--years", metavar="YYYY-YYYY", help="与 --history 一起使用：比较的年度，如 2022-2024")
    p.add_argument("--rules", default="national-2020", metavar="NAME|PATH", help=rules_help())
    p.add_argument("--no-packs", action="store_true", help="不计算其他规则包下的名次")
    p.add_argument("--margin", type=float, default=DEFAULT_MARGIN, metavar="分差",
                   help=f"等级临界提示的分差（默认 {DEFAULT_MARGIN} 分）")
    p.add_argument("--min-scored", type=int, default=MIN_SCORED_INDICATORS, metavar="指标数",
                   help=f"已评分指标少于该数的部门标记为“评分指标过少”（默认 {MIN_SCORED_INDICATORS}）")
    p.add_argument("--format", default=",".join(FORMATS), metavar="格式", help="输出格式，逗号分隔：xlsx,html,csv,json")
    p.add_argument("--headers", choices=["zh", "en"], default="zh",
                   help="CSV 表头：zh 中文（默认）；en 英文契约列名（供程序读取）")
    p.add_argument("-o", "--output", "--outdir", dest="outdir", required=True, metavar="OUTDIR",
                   help="输出文件夹（不存在时新建）")
    p.add_argument("--include-hidden-sheets", action="store_true", help="也读取 Excel 中隐藏的工作表（默认跳过并提示）")
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
        raise InputError("请用 --dept TABLE ACTUALS 指定要比较的部门（可重复），或用 --history DB --years 2022-2024 比较历年结果")
    unknown = [f.strip() for f in args.format.split(",") if f.strip() and f.strip() not in FORMATS]
    if unknown:
        raise InputError(f"未知的输出格式：{'、'.join(unknown)}（可选：{'、'.join(FORMATS)}）", code="bad_format")
    from ..readers.io import include_hidden_sheets

    include_hidden_sheets(args.include_hidden_sheets)
    pairs = []
    for files in args.dept:
        if len(files) > 2:
            raise InputError(f"--dept 只接受一个自评表，或 绩效目标表 + 实际完成值表 两个文件，而不是 {len(files)} 个："
                             + "、".join(files), code="bad_argument")
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
            print(f"注意：{department_label(r.department)}：{note}")
    print(f"部门比较（{len(comparison.rollups)} 个部门；部门得分为预算加权平均，派生，无官方规则）：")
    for r in comparison.ranking.itertuples():
        interval = f"{_f(r.score_min)}–{_f(r.score_max)}" if _f(r.score_min) != _f(r.score_max) else "已确定"
        rank = "—" if r.rank is None or str(r.rank) == "<NA>" else r.rank
        line = (f"  第{rank}名  {department_label(r.department)}  {_f(r.score)}（可达 {interval}）"
                f"等级 {grade_label(r.grade)}")
        if r.note:
            line += f"  [{r.note}]"
        print(line)
    stable = comparison.pack_ranks.get("rank_stable")
    if stable is not None and len(stable):
        print("  不同规则包下名次" + ("一致" if bool(stable.all()) else "不一致，见报告「不同规则包下的得分与名次」"))
    for ev, r in zip(comparison.evaluations, comparison.rollups):
        lines = error_lines(ev.issues, 3)
        if lines:
            print(f"{department_label(r.department)} 的错误级问题：")
            for line in lines:
                print(line)
    if "html" in formats and missing_font_note():
        print(missing_font_note(), file=sys.stderr)
    print("已写出：" + "、".join(str(p) for p in dict.fromkeys(written.values())))
    return 0
