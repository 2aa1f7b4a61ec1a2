"""`evaluator history add|report|match|upgrade`: the results store across years.

Also the ``--history`` options other commands share (:func:`add_history_options`,
:func:`priors_for`, :func:`record_run`), so their own modules need only a small hunk.
"""
from __future__ import annotations

import argparse

import pandas as pd
from pathlib import Path
from typing import Any

from ..history import Priors, match_years, open_store, record_evaluation, record_output, resolve_year
from ..history.store import DEFAULT_WAIT
from ..reports.labels import department_label
from ..wording import fixed


def add_history_options(p: argparse.ArgumentParser, record: bool = True) -> None:
    what = "记录本次结果，并从中取上年实际值为趋势类指标评分" if record else "从中取上年实际值"
    p.add_argument("--history", metavar="DB", help=f"绩效历史库文件（DuckDB，如 绩效历史.duckdb）：{what}")
    p.add_argument("--year", type=int, metavar="YYYY",
                   help="本表的年度；目标表标题或文件名写明年度时可省略（两者不一致时报错）")
    p.add_argument("--history-map", metavar="CSV",
                   help="跨年指标对应表（表头 旧项目,旧指标,新项目,新指标），用于项目或指标改名")
    p.add_argument("--history-wait", type=float, default=DEFAULT_WAIT, metavar="SECONDS",
                   help=f"历史库正被另一程序写入时最多等待的秒数（默认 {DEFAULT_WAIT:.0f}）")


def priors_for(args: argparse.Namespace, table: str | Path) -> Priors | None:
    """The prior-year lookup for a table (None without ``--history`` or before the store exists)."""
    if not getattr(args, "history", None):
        return None
    year, source = resolve_year(args.year, table)
    args._history_year = (year, source)
    return Priors(args.history, year, args.history_map, wait=args.history_wait) if Path(args.history).is_file() else None


def history_issues_for(args: argparse.Namespace, table: Any) -> Any:
    """``check --history``: the store's warnings about a table (see :mod:`evaluator.history.checks`)."""
    from ..history.checks import history_issues
    from ..history.store import HistoryError
    if not Path(args.history).is_file():
        raise HistoryError(f"找不到绩效历史库 {args.history}：check --history 只读取已有的历史库")
    year, _ = resolve_year(args.year, args.table)
    return history_issues(table, args.history, year, args.history_map)


def record_run(args: argparse.Namespace, ev: Any, table: str | Path) -> None:
    """Record a scored evaluation in ``--history`` and say so."""
    if not getattr(args, "history", None):
        return
    year, source = getattr(args, "_history_year", None) or resolve_year(args.year, table)
    ids = record_evaluation(args.history, ev, year, source, source=f"evaluator score {Path(table).name}",
                            wait=args.history_wait)
    print(f"已记入绩效历史库 {args.history}：{year} 年（年度来自{source}），运行编号 {'、'.join(map(str, ids))}")


def record_folder(args: argparse.Namespace, outdir: str | Path, tables: list[Path]) -> None:
    """``batch --history``: record a whole output folder; the year is the one every table shows
    (else ``--year``); tables showing different years are refused."""
    if not getattr(args, "history", None):
        return
    from ..history import detect_year
    from ..history.store import HistoryError
    shown = {y for y in (detect_year(t) for t in tables) if y}
    years = {y for y, _ in shown}
    if len(years) > 1:
        raise HistoryError("这批目标表写明的年度不同（" + "、".join(map(str, sorted(years))) +
                           "）：请按年度分批评分后再记入历史库")
    year, source = resolve_year(args.year, *(tables[:1] if years else []))
    ids, _, _ = record_output(args.history, outdir, year, wait=args.history_wait)
    print(f"已记入绩效历史库 {args.history}：{year} 年（年度来自{source}），{len(ids)} 个部门，"
          f"运行编号 {ids[0]}–{ids[-1]}" if ids else "")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("history", help="绩效历史库：记录各年结果、跨年比较趋势、生成历年报告",
                       description="绩效历史库（一个 DuckDB 文件）保存每次评分的结果；每年每个部门以最近一次记录为准，"
                                   "以前的记录保留备查。")
    hs = p.add_subparsers(dest="history_command", metavar="子命令")
    a = hs.add_parser("add", help="把已有的输出目录（score 或 batch 的结果）记入历史库")
    a.add_argument("outdir", metavar="OUTDIR", help="evaluator score / batch 的输出目录")
    a.add_argument("--db", required=True, metavar="DB", help="历史库文件（不存在时新建）")
    a.add_argument("--year", type=int, metavar="YYYY", help="年度；目标表文件名或输出目录名写明年度时可省略")
    a.add_argument("--history-map", metavar="CSV", help="跨年指标对应表（旧项目,旧指标,新项目,新指标）")
    a.add_argument("--history-wait", type=float, default=DEFAULT_WAIT, metavar="SECONDS",
                   help=f"历史库正被写入时最多等待的秒数（默认 {DEFAULT_WAIT:.0f}）")
    a.set_defaults(func=run_add)

    r = hs.add_parser("report", help="历年报告：部门与项目得分、板块得分率、变差的指标、低于上年实际的目标")
    r.add_argument("--db", required=True, metavar="DB", help="历史库文件")
    r.add_argument("--dept", action="append", metavar="部门", help="只报告这些部门（可重复；默认全部）")
    r.add_argument("-o", "--output", required=True, metavar="OUTDIR", help="输出目录（history.xlsx、history.html）")
    r.set_defaults(func=run_report)

    m = hs.add_parser("match", help="列出某年与上年未能对应的指标（上年有今年无、今年新增）")
    m.add_argument("--db", required=True, metavar="DB", help="历史库文件")
    m.add_argument("--year", type=int, required=True, metavar="YYYY", help="年度（与上一年比较）")
    m.add_argument("--dept", action="append", metavar="部门", help="只看这些部门（默认全部）")
    m.add_argument("--history-map", metavar="CSV", help="跨年指标对应表（旧项目,旧指标,新项目,新指标）")
    m.add_argument("-o", "--output", metavar="CSV", help="把未对应的指标写入该 CSV 文件")
    m.set_defaults(func=run_match)

    u = hs.add_parser("upgrade", help="把旧版本引擎写入的历史库升级到当前库结构")
    u.add_argument("--db", required=True, metavar="DB", help="历史库文件")
    u.set_defaults(func=run_upgrade)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _print_unmatched(db: str, year: int, depts: list[str] | None, mapping: str | None, limit: int = 20) -> Any:
    import pandas as pd
    rows = []
    with open_store(db) as store:
        for dept in depts or store.departments():
            if year - 1 not in store.years(dept) or year not in store.years(dept):
                continue
            m = match_years(store, dept, year, mapping)
            print(f"{dept}：{year} 年与 {year - 1} 年对应上的指标 {len(m['matched'])} 条；"
                  f"{year - 1} 年有而 {year} 年没有 {len(m['disappeared'])} 条；{year} 年新增 {len(m['new'])} 条")
            for label, key, suffix in (("上年有今年无", "disappeared", "_prior"), ("今年新增", "new", "")):
                part = m[key]
                for r in part.head(limit).itertuples():
                    print(f"  {label}：{getattr(r, 'project' + suffix)} / {getattr(r, 'name' + suffix)}")
                if len(part) > limit:
                    print(f"  ……另有 {len(part) - limit} 条")
                rows.append(pd.DataFrame({"department": dept, "year": year, "status": label,
                                          "project": part["project" + suffix], "indicator": part["name" + suffix]}))
    return pd.concat(rows, ignore_index=True) if rows else None


def run_add(args: argparse.Namespace) -> int:
    ids, year, source = record_output(args.db, args.outdir, args.year, wait=args.history_wait)
    print(f"已记入绩效历史库 {args.db}：{year} 年（年度来自{source}），运行编号 {'、'.join(map(str, ids))}")
    with open_store(args.db) as store:
        runs = store.query(f"SELECT department FROM runs WHERE run_id IN ({','.join(map(str, ids))})")
    _print_unmatched(args.db, year, list(runs["department"]), args.history_map)  # against the year before
    return 0


def run_match(args: argparse.Namespace) -> int:
    table = _print_unmatched(args.db, args.year, args.dept, args.history_map, limit=10**9)
    if args.output and table is not None:
        table.to_csv(args.output, index=False, encoding="utf-8-sig")
        print(f"已写出：{args.output}")
    return 0


def run_upgrade(args: argparse.Namespace) -> int:
    with open_store(args.db, write=True) as store:
        v = store.query("SELECT MAX(version) AS v FROM schema_version")["v"].iat[0]
    print(f"绩效历史库 {args.db} 的库结构版本为 {v}（当前）")
    return 0


def run_report(args: argparse.Namespace) -> int:
    from ..history.report import write_history_report
    paths = write_history_report(args.db, args.output, args.dept)
    print("已写出：" + "、".join(str(p) for p in paths))
    return 0


def run_compare_years(args: argparse.Namespace) -> int:
    """``compare --history DB --years 2022-2024``."""
    from ..history.report import compare_years, parse_years, write_year_comparison
    from ..history.store import HistoryError
    if not args.years:
        raise HistoryError("使用 --history 比较历年结果时请用 --years 指定年度，如 --years 2022-2024")
    years = parse_years(args.years)
    table = compare_years(args.history, years)
    if not len(table):
        raise HistoryError(f"绩效历史库 {args.history} 中没有 {args.years} 年的结果")
    print(f"历年部门比较（{len(table)} 个部门，{years[0]}–{years[-1]} 年；部门得分为派生指标，无官方规则）：")
    for r in table.itertuples(index=False):
        d = r._asdict()
        cells = []
        for y in years:
            if d.get(f"rank_{y}") is None or pd.isna(d.get(f"rank_{y}")):
                cells.append(f"{y}年 —")
                continue
            span = "" if d[f"rank_best_{y}"] == d[f"rank_worst_{y}"] else f"（可能 {int(d[f'rank_best_{y}'])}–{int(d[f'rank_worst_{y}'])}）"
            cells.append(f"{y}年 第{int(d[f'rank_{y}'])}名{span} {fixed(d[f'score_{y}'])}")
        if d["movement"] is None or pd.isna(d["movement"]):
            move = "名次变动：无法比较（有年度缺少结果）"
        else:
            m, lo, hi = int(d["movement"]), int(d["movement_min"]), int(d["movement_max"])
            word = f"上升 {m} 名" if m > 0 else (f"下降 {-m} 名" if m < 0 else "名次不变")
            move = f"名次变动：{word}" + ("" if lo == hi else f"（可能 {lo:+d} 至 {hi:+d}）")
        print(f"  {department_label(d['department'])}：" + "；".join(cells) + f"；{move}")
    paths = write_year_comparison(table, years, args.outdir)
    print("已写出：" + "、".join(str(p) for p in paths))
    return 0
