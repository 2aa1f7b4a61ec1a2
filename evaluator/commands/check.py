"""`evaluator check TABLE`: read a target table, print a summary and every issue.

Exit status: 0 when the table could be read (issues are data); 2 when it could not
(the message names the file and the reason); with ``--strict``, 1 when any issue
has severity ``error``.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from ..check import summarize
from ..issues import InputError, concat_issues
from .history import add_history_options, history_issues_for
from ..readers import TargetTable, read_targets
from ..safety import neutralize_frame
from .common import cut, output_file

SEVERITY_NAMES = {"error": "错误", "warning": "警告", "info": "提示"}
#: issues table column headers in the written file
ISSUE_HEADERS = {"code": "代码", "severity": "级别", "message": "说明", "file": "文件", "sheet": "工作表",
                 "row": "行", "column": "列", "project_id": "项目编号", "project": "项目",
                 "indicator_no": "指标序号", "cell": "单元格内容"}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help="检查绩效目标表：不可计量的指标值、矛盾的指标类别、对不上的金额等",
                       description="读取绩效目标表（.txt/.tsv/.csv/.xlsx），打印汇总和全部问题。")
    p.add_argument("table", metavar="TABLE", help="绩效目标表文件")
    p.add_argument("-o", "--output", metavar="issues.csv|issues.xlsx", help="把问题清单写入 CSV 或 xlsx 文件")
    p.add_argument("--strict", action="store_true", help="有「错误」级别的问题时以非零状态退出")
    p.add_argument("--money-unit", choices=["万元", "元"], help="金额单位（表中未注明时使用）")
    p.add_argument("--quiet", "-q", action="store_true", help="只打印汇总和错误，不列出警告和提示")
    p.add_argument("--include-hidden-sheets", action="store_true", help="也读取 Excel 中隐藏的工作表（默认跳过并提示）")
    add_history_options(p, record=False)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.output:  # refused before the table is read, not after the whole report is printed
        output_file(args.output, (".csv", ".xlsx"), "问题清单")
    from ..readers.io import include_hidden_sheets

    include_hidden_sheets(args.include_hidden_sheets)
    table = read_targets(args.table, money_unit=args.money_unit)
    if args.history:  # targets below last year's actual, indicators gone since last year
        table.issues = concat_issues([table.issues, history_issues_for(args, table)])
    print(summarize(table))
    for line in full_marks_lines(table):
        print(line)
    print()
    print(render_issues(table, quiet=args.quiet))
    if args.output:
        path = write_issues(table.issues, Path(args.output))
        print(f"\n问题清单已写入 {path}")
    n_errors = int((table.issues["severity"] == "error").sum())
    if args.strict and n_errors:
        print(f"\n--strict：有 {n_errors} 个错误级别的问题")
        return 1
    return 0


def full_marks_lines(table: TargetTable, execution: float | None = None) -> list[str]:
    """Projects whose 满分 is not 100: indicator weights + the execution weight (national-2020's 10 by
    default) sum to something else, so the project is scored out of that and its grade reads low."""
    ind = table.indicators
    if not len(ind) or "weight" not in ind:
        return []
    if execution is None:
        from ..rules import load_rule_pack
        execution = float(load_rule_pack().weights["execution"])
    sums = ind.groupby("project_id", sort=False)["weight"].sum(min_count=1)
    names = ind.groupby("project_id", sort=False)["project"].first()
    off = [(names[pid], w + execution) for pid, w in sums.items() if w == w and abs(w + execution - 100.0) > 0.005]
    if not off:
        return []
    shown = [f"{name}（满分 {full:g}）" for name, full in off]
    return [f"满分不是 100 的项目 {len(off)} 个（指标分值合计 + 预算执行 {execution:g} 分）：{cut(shown, 10)}；"
            "这些项目按实际满分计分，等级会偏低，请核对分值。"]


def render_issues(table: TargetTable, quiet: bool = False) -> str:
    """One line per issue: 级别 · 位置 · 说明."""
    from ..issues import Issue

    issues = table.issues
    if quiet:
        issues = issues[issues["severity"] == "error"]
    if issues.empty:
        return "没有错误级别的问题（警告和提示未列出，去掉 -q 可查看）。" if quiet and not table.issues.empty else "没有发现问题。"
    lines = []
    issues = issues.assign(_row=issues["row"].fillna(0)).sort_values("_row", kind="stable").drop(columns="_row")
    # every 涉密 project says the same: one line for all of them, with their rows
    secret = issues[issues["code"] == "classified_project"] if "code" in issues else issues.iloc[0:0]
    if len(secret) > 1:
        rows = [str(int(r)) for r in secret["row"].dropna().tolist()]
        where = (f"第{'、'.join(rows[:12])}行" + (f"等（另有 {len(rows) - 12} 行）" if len(rows) > 12 else "")) if rows else ""
        file = str(secret["file"].dropna().iloc[0]) if secret["file"].notna().any() else ""
        head = " · ".join(x for x in (file, where) if x)
        lines.append(f"[{SEVERITY_NAMES.get(str(secret['severity'].iloc[0]), '')}] {head}：涉密项目 {len(secret)} 个，"
                     "没有公开的绩效指标：保留在项目表中，不参与评分")
        issues = issues[issues["code"] != "classified_project"]
    for rec in issues.to_dict("records"):
        clean = {k: (None if _missing(v) else v) for k, v in rec.items()}
        issue = Issue(**clean)
        lines.append(f"[{SEVERITY_NAMES.get(issue.severity, issue.severity)}] {issue.location()}：{issue.message}")
    return "\n".join(lines)


def _missing(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def write_issues(issues: pd.DataFrame, path: Path) -> Path:
    """Write the issues table with Chinese column headers (.csv as UTF-8 with BOM for Excel, or .xlsx)."""
    out = issues.copy()
    out["severity"] = out["severity"].map(lambda s: SEVERITY_NAMES.get(s, s))
    out = out.rename(columns=ISSUE_HEADERS)
    out = neutralize_frame(out)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        output_file(path, (".csv", ".xlsx"), "问题清单")
    if path.is_dir():
        raise InputError("输出位置是一个文件夹；请给出 .csv 或 .xlsx 文件名", file=str(path), code="output_is_dir")
    import io

    from ..outputs import write_atomic

    buffer = io.BytesIO()
    if suffix == ".xlsx":
        out.to_excel(buffer, index=False, sheet_name="问题清单")
    elif suffix in (".csv", ""):
        out.to_csv(buffer, index=False, encoding="utf-8-sig")
    else:
        raise InputError("只能写出 .csv 或 .xlsx", file=str(path))
    return write_atomic(path, buffer.getvalue())
