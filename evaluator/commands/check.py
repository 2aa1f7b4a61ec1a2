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
from ..issues import InputError, concat_issues, issue_message
from .history import add_history_options, history_issues_for
from ..readers import TargetTable, read_targets
from ..safety import neutralize_frame
from .common import cut, output_file
from ..wording import message, messages

SEVERITY_NAMES: dict[str, str] = dict(messages()["cli_severity"])
#: issues table column headers in the written file
ISSUE_HEADERS: dict[str, str] = dict(messages()["cli_issue_headers"])
#: the choices of --money-unit
MONEY_UNITS: list[str] = list(messages()["cli_check"]["money_units"])


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help=message("cli_check", "help"),
                       description=message("cli_check", "description"))
    p.add_argument("table", metavar="TABLE", help=message("cli_check", "table_help"))
    p.add_argument("-o", "--output", metavar="issues.csv|issues.xlsx", help=message("cli_check", "output_help"))
    p.add_argument("--strict", action="store_true", help=message("cli_check", "strict_help"))
    p.add_argument("--money-unit", choices=MONEY_UNITS, help=message("cli_check", "money_unit_help"))
    p.add_argument("--quiet", "-q", action="store_true", help=message("cli_check", "quiet_help"))
    p.add_argument("--include-hidden-sheets", action="store_true", help=message("cli_check", "hidden_help"))
    p.add_argument("--layout", metavar="LAYOUT.toml",
                   help=message("cli_check", "layout_help"))
    p.add_argument("--explain-layout", action="store_true",
                   help=message("cli_check", "explain_layout_help"))
    add_history_options(p, record=False)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.output:  # refused before the table is read, not after the whole report is printed
        output_file(args.output, (".csv", ".xlsx"), message("cli_check", "issues_file"))
    from ..readers.io import include_hidden_sheets

    include_hidden_sheets(args.include_hidden_sheets)
    table = read_targets(args.table, money_unit=args.money_unit, layout=getattr(args, "layout", None))
    if args.history:  # targets below last year's actual, indicators gone since last year
        table.issues = concat_issues([table.issues, history_issues_for(args, table)])
    print(summarize(table))
    for line in full_marks_lines(table):
        print(line)
    print()
    print(render_issues(table, quiet=args.quiet))
    if getattr(args, "explain_layout", False):
        print("\n" + explain_layout(table))
    elif layout_unclear(table) and not getattr(args, "layout", None):
        print(message("cli_check", "layout_unclear"))
    if args.output:
        path = write_issues(table.issues, Path(args.output))
        print(message("cli_check", "written", path=path))
    n_errors = int((table.issues["severity"] == "error").sum())
    if args.strict and n_errors:
        print(message("cli_check", "strict", n=n_errors))
        return 1
    return 0


#: issue codes that mean the reader may not have understood the layout
LAYOUT_DOUBT_CODES = ("few_rows_read", "target_in_unknown_column", "target_misread", "actual_misread", "weight_sum",
                      "missing_column", "weight_out_of_range")


def layout_unclear(table: TargetTable) -> bool:
    issues = table.issues
    return bool(((issues["severity"] == "error") & issues["code"].isin(LAYOUT_DOUBT_CODES)).any())


def explain_layout(table: TargetTable) -> str:
    """The header row(s) and column mapping the reader used, and a layout file saying the same."""
    from ..readers.layout_file import explain, layout_toml

    headers = getattr(table, "headers", [])
    if not headers:
        return message("cli_check", "no_header")
    lines = [message("cli_check", "columns_used")]
    seen = []
    for sheet, header in headers:
        if (sheet, header.columns) in seen:
            continue
        seen.append((sheet, header.columns))
        lines.append(message("cli_check", "header_row", sheet=_sheet(sheet), row=header.row))
        lines.extend(explain(header))
    lines += ["", message("cli_check", "projects")]
    for rec in table.projects.head(10).to_dict("records"):
        money = [message("cli_check", "money", label=label, amount=rec[col]) for col, label in
                 messages()["cli_check_money"].items() if col in rec and not _missing(rec[col])]
        where = message("cli_check", "project_row", sheet=_sheet(rec.get("source_sheet")), row=rec["source_row"])
        money_text = message("cli_check", "money_sep").join(money) if money else message("cli_check", "no_money")
        lines.append(message("cli_check", "project_line", project=rec["project"], where=where, money=money_text,
                             n=rec["n_indicators"]))
    sheet, header = headers[0]
    if header.layout != "rows":
        lines += ["", message("cli_check", "one_cell_layout")]
        return "\n".join(lines)
    lines += ["", message("cli_check", "layout_file"), "", layout_toml(header, sheet)]
    return "\n".join(lines)


def full_marks_lines(table: TargetTable, execution: float | None = None) -> list[str]:
    """Projects whose 满分 is not 100: indicator weights + the execution weight (national-2020's 10 by
    default) sum to something else, so the project is scored out of that and its grade reads low."""
    ind = table.indicators
    if not len(ind) or "weight" not in ind:
        return []
    if execution is None:
        from ..rules import load_rule_pack
        execution = float(load_rule_pack().weights["execution"])
    sums = ind.groupby("project_id", sort=False, observed=True)["weight"].sum(min_count=1)
    names = ind.groupby("project_id", sort=False, observed=True)["project"].first()
    off = [(names[pid], w + execution) for pid, w in sums.items() if w == w and abs(w + execution - 100.0) > 0.005]
    if not off:
        return []
    shown = [message("cli_check", "full_marks_project", name=name, full=full) for name, full in off]
    return [message("cli_check", "full_marks", n=len(off), execution=execution, projects=cut(shown, 10))]


def render_issues(table: TargetTable, quiet: bool = False) -> str:
    """One line per issue: 级别 · 位置 · 说明."""
    from ..issues import Issue

    issues = table.issues
    if quiet:
        issues = issues[issues["severity"] == "error"]
    if issues.empty:
        return message("cli_check", "quiet_none" if quiet and not table.issues.empty else "none")
    lines = []
    issues = issues.assign(_row=issues["row"].fillna(0)).sort_values("_row", kind="stable").drop(columns="_row")
    # every 涉密 project says the same: one line for all of them, with their rows
    secret = issues[issues["code"] == "classified_project"] if "code" in issues else issues.iloc[0:0]
    if len(secret) > 1:
        rows = [str(int(r)) for r in secret["row"].dropna().tolist()]
        where = (message("cli_check", "secret_rows", rows="、".join(rows[:12]))
                 + (message("cli_check", "secret_more_rows", n=len(rows) - 12) if len(rows) > 12 else "")) if rows else ""
        file = str(secret["file"].dropna().iloc[0]) if secret["file"].notna().any() else ""
        head = " · ".join(x for x in (file, where) if x)
        lines.append(message("cli_check", "secret", severity=SEVERITY_NAMES.get(str(secret["severity"].iloc[0]), ""),
                             head=head, n=len(secret)))
        issues = issues[issues["code"] != "classified_project"]
    for rec in issues.to_dict("records"):
        clean = {k: (None if _missing(v) else v) for k, v in rec.items()}
        issue = Issue(**clean)
        lines.append(f"[{SEVERITY_NAMES.get(issue.severity, issue.severity)}] {issue.location()}：{issue.message}")
    return "\n".join(lines)


def _sheet(name: object) -> str:
    """「工作表「X」」 before a row number, "" without a sheet name."""
    return message("cli_check", "sheet", sheet=name) if name else ""


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
        output_file(path, (".csv", ".xlsx"), message("cli_check", "issues_file"))
    if path.is_dir():
        raise InputError(issue_message("output_is_dir", "issues"), file=str(path), code="output_is_dir")
    import io

    from ..outputs import write_atomic

    buffer = io.BytesIO()
    if suffix == ".xlsx":
        out.to_excel(buffer, index=False, sheet_name=message("cli_check", "issues_file"))
    elif suffix in (".csv", ""):
        out.to_csv(buffer, index=False, encoding="utf-8-sig")
    else:
        raise InputError(issue_message("output_format", "issues"), file=str(path), code="output_format")
    return write_atomic(path, buffer.getvalue())
