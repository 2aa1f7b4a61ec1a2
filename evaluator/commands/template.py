"""`evaluator template TABLE -o actuals.xlsx|csv`: write the actuals file a department fills in."""
from __future__ import annotations

import argparse

from ..actuals import write_template
from ..readers import read_targets


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("template", help="根据绩效目标表生成实际完成值填报表（xlsx 或 csv）",
                       description="生成实际完成值填报表：每个指标一行（目标值作为参考），每个项目一行填写全年预算数、全年执行数。")
    p.add_argument("table", metavar="TABLE", help="绩效目标表（txt/tsv/csv/xlsx）")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="输出文件，.xlsx 或 .csv")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..issues import InputError

    if Path(args.output).is_dir():
        raise InputError("输出位置是一个文件夹；请给出 .xlsx 或 .csv 文件名（如 实际完成值.xlsx）", file=args.output,
                         code="output_is_dir")
    table = read_targets(args.table)
    path = write_template(table, args.output)
    print(f"已生成填报表 {path}：{len(table.projects)} 个项目，{len(table.indicators)} 个指标。")
    return 0
