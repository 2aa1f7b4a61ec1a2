"""`evaluator template TABLE -o actuals.xlsx|csv`: write the actuals file a department fills in
(:func:`evaluator.template.make_template`)."""
from __future__ import annotations

import argparse

from ..readers import read_targets
from ..template import classified_count, make_template
from .common import output_file


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("template", help="根据绩效目标表生成实际完成值填报表（xlsx 或 csv）",
                       description="生成实际完成值填报表：每个指标一行（目标值和计量单位作为参考），每个项目一行填写全年预算数"
                                   "（已按目标表预填）、全年执行数。涉密项目不列出。")
    p.add_argument("table", metavar="TABLE", help="绩效目标表（txt/tsv/csv/xlsx）")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="输出文件，.xlsx 或 .csv")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    path = output_file(args.output, (".xlsx", ".csv"), "填报表")  # refused before any work: t.docx is not an xlsx
    table = read_targets(args.table)
    written = make_template(table, path)
    secret = classified_count(table)
    note = f"（涉密项目 {secret} 个不列出）" if secret else ""
    print(f"已生成填报表 {written}：{len(table.projects) - secret} 个项目{note}，{len(table.indicators)} 个指标。")
    return 0
