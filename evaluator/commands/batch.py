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

from ..batch import FILES as BATCH_FILES, TABLE_SUFFIXES, Task, find_tables, pair_actuals, score_batch
from ..issues import InputError
from ..reports.columns import TABLES, chinese_csv_file
from ..rules import available_packs
from .common import output_dir, rule_pack
from .history import add_history_options, record_folder


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("batch", help="批量评分：一个市/省的多张目标表一次评分，结果写入同一组 CSV",
                       description="逐表读取绩效目标表、匹配同名的实际完成值表、评分并解释，结果按输入顺序追加到同一组 CSV"
                                   "（indicators.csv、projects.csv、issues.csv、departments.csv，另有逐表清单 tables.csv）。")
    p.add_argument("tables", metavar="TABLE|DIR", nargs="+", help="绩效目标表文件或目录（目录取其中的 csv/txt/tsv/xlsx，按文件名排序）")
    p.add_argument("--actuals", metavar="DIR", help="实际完成值表所在目录：与目标表同名（扩展名可不同）的文件；"
                                                   "省略或找不到时使用目标表自身的「实际完成值」「得分」列")
    p.add_argument("-o", "--output", required=True, metavar="OUTDIR", help="输出目录（其中同名文件会被覆盖）")
    p.add_argument("--rules", default="national-2020", metavar="NAME|PATH",
                   help=f"规则包名称或文件路径（内置：{'、'.join(available_packs())}；默认 national-2020）")
    p.add_argument("--jobs", "-j", type=int, default=1, metavar="N",
                   help=f"并行评分的进程数（默认 1；0 表示本机全部核数，本机 {os.cpu_count()} 核）。"
                        "每个不同的指标值文本仍只编译一次，结果与单进程逐字节相同")
    p.add_argument("-r", "--recursive", action="store_true",
                   help="目录连同其子目录一起查找目标表；未给 --actuals 时，同一文件夹中名为 actuals.* 或 实际完成值.* "
                        "的文件作为该文件夹中目标表的实际完成值（examples/ 即是这样放的）")
    p.add_argument("--headers", choices=["zh", "en"], default="zh",
                   help="CSV 表头：zh 中文（默认，与 evaluator score 相同）；en 英文契约列名（供程序读取）")
    p.add_argument("--no-check", action="store_true", help="不运行目标表检查（只评分；问题表中不含检查提示）")
    p.add_argument("--include-hidden-sheets", action="store_true", help="也读取 Excel 中隐藏的工作表（默认跳过并提示）")
    add_history_options(p)
    p.set_defaults(func=run)


#: file-name prefixes of a folder's actuals in a recursive run (never scored as target tables):
#: ``actuals.csv`` goes with every table of its folder, ``actuals-X.csv`` with ``targets-X.*``
ACTUALS_STEMS = ("actuals", "实际完成值")
TARGETS_STEMS = ("targets", "目标表", "绩效目标表")


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
            raise InputError(f"输出目录在输入文件夹「{folder}」之内，下次运行会把输出的 CSV 当成目标表读入；"
                             "请用 -o 指定输入文件夹之外的目录", file=args.output, code="output_inside_input")
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
        raise InputError("找不到目标表：" + "、".join(missing), code="file_missing")
    if not targets:
        raise InputError("没有找到目标表（目录中没有 csv/txt/tsv/xlsx 文件）：" + "、".join(args.tables), code="file_missing")
    if args.actuals and not Path(args.actuals).is_dir():
        raise InputError("--actuals 应为目录", file=args.actuals, code="file_missing")
    names = [t.name for t in targets]
    same = sorted({n for n in names if names.count(n) > 1})
    if same:
        print("注意：不同目录中有同名的目标表（" + "、".join(same) + "），结果中的 source_file 只有文件名，"
              "这些表的行按 tables.csv 的顺序区分；建议改名后再评分", file=sys.stderr)
    tasks = pair_actuals(targets, args.actuals)
    if folder_actuals and not args.actuals:
        tasks = [Task(t.index, t.targets, folder_actuals.get(t.targets)) for t in tasks]
    jobs = args.jobs if args.jobs > 0 else (os.cpu_count() or 1)
    total = len(tasks)

    def progress(row: dict) -> None:
        progress.done += 1
        state = f"指标 {row['indicators_out']} 条" if row["status"] == "已评分" else f"未能评分：{row['reason']}"
        print(f"[{progress.done}/{total}] {row['source_file']}：{state}", file=sys.stderr)
    progress.done = 0

    result = score_batch(tasks, args.output, rules=args.rules, jobs=jobs, check=not args.no_check,
                         progress=progress)
    finish_run(args.output, result.files)
    t = result.tables
    no_actuals = int((t["actuals_file"] == "").sum())
    print(f"共 {total} 张表，已评分 {total - len(result.failed)} 张；指标 {int(t['indicators_out'].sum())} 条，"
          f"项目 {int(t['projects'].sum())} 个，问题 {int(t['issues'].sum())} 条（其中错误 {int(t['errors'].sum())} 条）；"
          f"用时 {result.seconds:.1f} 秒（{result.jobs} 个进程）")
    if no_actuals and args.actuals:
        print(f"{no_actuals} 张表在 {args.actuals} 中没有同名的实际完成值表，按目标表自身的实际完成值列评分（见 tables.csv）")
    for name in result.failed:
        reason = t.loc[t["source_file"] == name, "reason"].iloc[0]
        print(f"未能评分：{name}：{reason}")
    print("已写出：" + "、".join(str(p) for p in result.files.values()))
    return (1 if result.failed else 0), targets
