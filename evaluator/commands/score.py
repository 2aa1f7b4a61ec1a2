"""`evaluator score TABLE ACTUALS [--rules NAME|PATH] -o OUTDIR`: score and write the tables."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from ..compare import record_inputs
from ..evaluate import Evaluation, evaluate
from ..reports import write_reports
from ..rules import available_packs

#: leading characters that make a spreadsheet treat a cell as a formula
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("score", help="按规则包对实际完成值评分，输出指标、项目、问题表",
                       description="读取绩效目标表和实际完成值表，按规则包逐项评分并解释，输出 CSV（UTF-8 带 BOM）。")
    p.add_argument("table", metavar="TABLE", help="绩效目标表（txt/tsv/csv/xlsx）")
    p.add_argument("actuals", metavar="ACTUALS", help="实际完成值表（csv/xlsx，可由 evaluator template 生成）")
    p.add_argument("--rules", default="national-2020", metavar="NAME|PATH",
                   help=f"规则包名称或文件路径（内置：{'、'.join(available_packs())}；默认 national-2020）")
    p.add_argument("-o", "--output", required=True, metavar="OUTDIR", help="输出目录")
    p.set_defaults(func=run)


def neutralise(value: object) -> object:
    """Text that Excel would run as a formula gets a leading apostrophe (CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        # a plain negative number is data, not a formula
        try:
            float(value)
            return value
        except ValueError:
            return "'" + value
    return value


def write_csv(df: pd.DataFrame, path: Path) -> None:
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(lambda v: neutralise(v) if isinstance(v, str) else (
                json.dumps(v, ensure_ascii=False, default=str) if isinstance(v, (dict, list)) else v))
    out.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")


def write_outputs(ev: Evaluation, outdir: Path) -> list[Path]:
    outdir.mkdir(parents=True, exist_ok=True)
    ind = ev.indicators.drop(columns=["target"], errors="ignore")
    paths = []
    for name, df in (("indicators", ind), ("projects", ev.projects), ("departments", ev.departments),
                     ("issues", ev.issues)):
        p = outdir / f"{name}.csv"
        write_csv(df, p)
        paths.append(p)
    prov = outdir / "provenance.json"
    prov.write_text(json.dumps(ev.provenance, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return paths + [prov]


def print_summary(ev: Evaluation) -> None:
    pack = ev.rule_pack
    print(f"规则包：{pack.name}（{pack.version}）{pack.title}")
    for _, p in ev.projects.iterrows():
        print(f"- {p['summary']}")
    n_err = int((ev.issues["severity"] == "error").sum()) if len(ev.issues) else 0
    print(f"问题 {len(ev.issues)} 条（其中错误 {n_err} 条），详见 issues.csv")


def run(args: argparse.Namespace) -> int:
    ev = evaluate(args.table, args.actuals, rules=args.rules)
    record_inputs(ev, args.table, args.actuals)  # names + sha256 of both inputs into the provenance
    paths = write_outputs(ev, Path(args.output))
    paths += list(dict.fromkeys(write_reports(ev, Path(args.output), formats=("xlsx", "html", "json")).values()))
    print_summary(ev)
    print("已写出：" + "、".join(str(p) for p in paths))
    return 0
