"""The lint behind ``evaluator check``: every problem in a read target table, as issues.

Each rule is a small function over the tidy tables of a
:class:`~evaluator.readers.TargetTable` that returns :class:`~evaluator.issues.Issue`
rows; :func:`run_checks` runs them all. Nothing is changed here: the reader already
decided which category code and which target value to trust, and the rules say so.

>>> table = read_targets("seed.txt")           # doctest: +SKIP
>>> summarize(table).splitlines()[0]            # doctest: +SKIP
'中共广州市黄埔区委政法委员会：28 个项目（涉密 5 个），84 个指标'
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from typing import TYPE_CHECKING

import pandas as pd

from .frames import records

from .issues import Issue
from .readers.vocab import is_tag_only

if TYPE_CHECKING:  # pragma: no cover
    from .readers import TargetTable

#: money differences below this many 万元 are rounding, not a mismatch
MONEY_TOLERANCE = 0.005
#: a project whose targets are this share (or more) non-measurable gets a warning
QUALITATIVE_WARNING_SHARE = 0.5
MONEY_NAMES = {"budget_total": "总计", "budget_fiscal": "财政拨款", "budget_special": "财政专户拨款",
               "budget_other": "其他资金"}
CLASS_NAMES = {"measurable": "可计量", "non_numeric": "非数值（完成/趋势）", "pending_review": "待评审（定性）",
               "not_evaluable": "不可评价（公式/空）"}
#: classes no number from the actuals can score: a reviewer rates them, or the table must be fixed
UNSCORABLE_CLASSES = ("pending_review", "not_evaluable")
#: place-name stems: two characters before 区/县/市/镇, after a 省/市/州 name or at the start
_PLACE = re.compile(r"(?:省|市|州|^)([\u4e00-\u9fff]{2})(区|县)")


def run_checks(table: TargetTable) -> list[Issue]:
    """All lint rules, in a fixed order."""
    issues: list[Issue] = []
    try:
        for rule in RULES:
            issues.extend(rule(table))
    finally:
        _ROWS.clear()
    return issues


#: rows of the tables being checked, built once per table for all rules (rules only read them)
_ROWS: dict[int, tuple[pd.DataFrame, list[dict]]] = {}


def _records(df: pd.DataFrame) -> list[dict]:
    """Rows as dicts, shared by the rules of one run."""
    hit = _ROWS.get(id(df))
    if hit is None or hit[0] is not df:
        hit = _ROWS[id(df)] = (df, records(df))
    return hit[1]


def _where(table: TargetTable, row: dict, column: str | None = None) -> dict:
    return {
        "file": table.source, "sheet": row.get("source_sheet") or None, "row": int(row["source_row"]),
        "column": column if column is not None else (row.get("source_column") or None),
        "project_id": row.get("project_id"), "project": row.get("project"),
    }


def _ind(table: TargetTable, row: dict, column: str | None = None) -> dict:
    return {**_where(table, row, column), "indicator_no": int(row["indicator_no"])}


# ---------------------------------------------------------------------------
# categories


def check_categories(table: TargetTable) -> list[Issue]:
    """一级 code contradicting the 二级 code (trust 二级), and category names not recognised."""
    out = []
    for r in _records(table.indicators):
        if r["category_conflict"]:
            out.append(Issue(
                "category_conflict", "warning",
                f"一级指标「{r['level1_raw']}」与二级指标「{r['level2_raw']}」矛盾：二级编码 {r['level2_code']} "
                f"属于「{r['level1_code']}-{r['level1']}」，按二级指标归入「{r['level1']}」评分（以二级编码为准）",
                cell=f"{r['level1_raw']}；{r['level2_raw']}", **_ind(table, r)))
        for level, raw, code in (("一级", r["level1_raw"], r["level1_code_printed"]),
                                 ("二级", r["level2_raw"], r["level2_code_printed"])):
            if raw and not code and not is_tag_only(raw):
                out.append(Issue("unknown_category", "warning",
                                 f"{level}指标「{raw}」不是已知的指标类别，请核对（可在 headers.toml 中补充别名）",
                                 cell=raw, **_ind(table, r)))
    return out


# ---------------------------------------------------------------------------
# targets


def check_targets(table: TargetTable) -> list[Issue]:
    """Period value used instead of a non-target annual value; targets nothing can measure."""
    out = []
    for r in _records(table.indicators):
        target = r["target"]
        if r["target_source"] == "period" and r["annual_text"]:
            out.append(Issue(
                "period_value_used", "warning",
                f"年度指标值「{r['annual_text']}」不是可计量的目标（{_kind_word(r['annual_kind'])}），"
                f"评分改用实施周期指标值「{r['period_text']}」",
                cell=r["annual_text"], **_ind(table, r)))
        elif r["target_source"] == "period":
            out.append(Issue("period_value_used", "info",
                             f"年度指标值为空，评分使用实施周期指标值「{r['period_text']}」",
                             cell=r["period_text"], **_ind(table, r)))
        if r["kind"] == "empty":
            continue  # reported by check_empty_cells
        if not r["measurable"]:
            severity = "warning" if r["target_class"] == "not_evaluable" else "info"
            reason = getattr(target, "reason", None) or _kind_word(r["kind"])
            out.append(Issue("not_measurable", severity, f"指标值不可计量：{reason}",
                             cell=r["target_text"], **_ind(table, r)))
    return out


def _kind_word(kind: str) -> str:
    return {"formula": "计算公式", "qualitative": "定性描述或指标名称", "empty": "空", "trend": "趋势",
            "done": "完成类"}.get(kind, kind)


def check_qualitative_share(table: TargetTable) -> list[Issue]:
    """Per project: the share of indicators no number can score (定性/公式/空)."""
    out = []
    ind = table.indicators
    if ind.empty:
        return out
    unscorable_all = ind["target_class"].isin(UNSCORABLE_CLASSES)
    totals = ind.groupby("project_id", sort=False).size()
    firsts = ind.groupby("project_id", sort=False).head(1).set_index("project_id")
    flagged = ind[unscorable_all]
    for pid, group in flagged.groupby("project_id", sort=False):
        n, k = int(totals[pid]), len(group)
        share = k / n
        first = firsts.loc[pid]
        severity = "warning" if share >= QUALITATIVE_WARNING_SHARE else "info"
        kinds = Counter(group["target_class"])
        detail = "、".join(f"{CLASS_NAMES[c]} {m} 个" for c, m in kinds.items())
        out.append(Issue("qualitative_share", severity,
                         f"项目「{first['project']}」{n} 个指标中有 {k} 个定性或无目标值、无法按数值计分"
                         f"（{share:.0%}：{detail}），这些指标需要评审人评定或补充目标值",
                         file=table.source, sheet=first["source_sheet"] or None, row=int(first["source_row"]),
                         column=first["source_column"] or None, project_id=pid, project=first["project"],
                         cell=f"{k}/{n}"))
    return out


# ---------------------------------------------------------------------------
# projects


def check_projects(table: TargetTable) -> list[Issue]:
    """Classified projects (kept, flagged, excluded) and projects with no indicators."""
    out = []
    if table.projects.empty:
        out.append(Issue("no_projects", "error", "表头下面没有读到任何项目或指标", file=table.source))
    for p in _records(table.projects):
        where = {"file": table.source, "sheet": p["source_sheet"] or None, "row": int(p["source_row"]),
                 "column": "项目名称", "project_id": p["project_id"], "project": p["project"], "cell": p["project"]}
        if p["classified"]:
            out.append(Issue("classified_project", "info",
                             f"涉密项目（{_fmt(p['budget_total'])} 万元）没有公开的绩效指标：保留在项目表中，不参与评分"
                             if not math.isnan(p["budget_total"]) else
                             "涉密项目没有公开的绩效指标：保留在项目表中，不参与评分", **where))
        elif p["n_indicators"] == 0:
            out.append(Issue("no_indicators", "error", "项目没有读到任何绩效指标，无法评分", **where))
    return out


# ---------------------------------------------------------------------------
# money


def check_money(table: TargetTable) -> list[Issue]:
    """总计 = 财政拨款 + 财政专户拨款 + 其他资金 per row; 合计 and subtotals = Σ projects."""
    out = _row_sums(table)
    out.extend(_totals(table))
    return out


def _row_sums(table: TargetTable) -> list[Issue]:
    out = []
    rows = [(p, "project") for p in _records(table.projects)]
    rows += [(t, "total") for t in _records(table.totals)]
    for r, kind in rows:
        total = r["budget_total"]
        parts = [r[f] for f in ("budget_fiscal", "budget_special", "budget_other")]
        if math.isnan(total) or all(math.isnan(x) for x in parts):
            continue
        s = sum(x for x in parts if not math.isnan(x))
        if abs(total - s) > MONEY_TOLERANCE:
            label = r["project"] if kind == "project" else r["label"]
            out.append(Issue("row_sum_mismatch", "error",
                             f"「{label}」总计 {_fmt(total)} 万元 ≠ 财政拨款 + 财政专户拨款 + 其他资金 = {_fmt(s)} 万元"
                             f"（相差 {_fmt(total - s)}）",
                             file=table.source, sheet=r["source_sheet"] or None, row=int(r["source_row"]),
                             column="总计", project_id=r.get("project_id") if kind == "project" else None,
                             project=label))
    return out


def _totals(table: TargetTable) -> list[Issue]:
    out = []
    if table.totals.empty:
        return out
    projects = table.projects
    bounds = _subtotal_ranges(table)
    for t, (lo, hi) in zip(_records(table.totals), bounds):
        covered = projects.iloc[lo:hi]
        what = "合计" if t["kind"] == "total" else f"部门小计「{t['label']}」"
        for f, name in MONEY_NAMES.items():
            declared = t[f]
            if math.isnan(declared):
                continue
            s = float(covered[f].fillna(0).sum())
            where = {"file": table.source, "sheet": t["source_sheet"] or None, "row": int(t["source_row"]),
                     "column": t["columns"].get(f, name)}
            if abs(declared - s) > MONEY_TOLERANCE:
                out.append(Issue("total_mismatch", "error",
                                 f"{what}的{name} {_fmt(declared)} 万元 ≠ {len(covered)} 个项目之和 {_fmt(s)} 万元"
                                 f"（相差 {_fmt(declared - s)} 万元）", cell=_fmt(declared), **where))
            elif f == "budget_total":
                out.append(Issue("total_reconciled", "info",
                                 f"{what} {_fmt(declared)} 万元与 {len(covered)} 个项目之和一致", **where))
    return out


def _subtotal_ranges(table: TargetTable) -> list[tuple[int, int]]:
    """Project index range each 合计 / department row covers."""
    n = len(table.projects)
    starts = [int(x) for x, k in zip(table.totals["first_project"], table.totals["kind"]) if k == "department"]
    out = []
    for t in _records(table.totals):
        if t["kind"] == "total":
            out.append((0, n))
        else:
            lo = int(t["first_project"])
            later = [s for s in starts if s > lo]
            out.append((lo, min(later) if later else n))
    return out


def _fmt(x: float) -> str:
    return f"{x:,.2f}"


# ---------------------------------------------------------------------------
# cells


def check_duplicates(table: TargetTable) -> list[Issue]:
    """The same 三级指标 twice in one project."""
    out = []
    ind = table.indicators
    if ind.empty:
        return out
    seen: dict[tuple, dict] = {}
    for r in _records(ind):
        if not r["name"]:
            continue
        key = (r["project_id"], re.sub(r"\s+", "", r["name"]))
        if key in seen:
            first = seen[key]
            same = first["target_text"] == r["target_text"]
            out.append(Issue("duplicate_indicator", "warning",
                             f"指标「{r['name']}」在本项目中重复（与指标{int(first['indicator_no'])}"
                             f"{'目标值也相同' if same else '同名但目标值不同'}），评分时会被计两次",
                             cell=r["name"], **_ind(table, r, column="三级指标")))
        else:
            seen[key] = r
    return out


def check_empty_cells(table: TargetTable) -> list[Issue]:
    """Empty 三级指标, target, category and money cells."""
    out = []
    for r in _records(table.indicators):
        if not r["name"]:
            out.append(Issue("empty_cell", "error", "三级指标名称为空", **_ind(table, r, column="三级指标")))
        if not r["annual_text"] and not r["period_text"]:
            out.append(Issue("empty_cell", "error", "指标值为空：表中没有填写目标值，该指标不可评价",
                             **_ind(table, r)))
        if not r["level1_code"] and not r["level1_raw"]:
            out.append(Issue("empty_cell", "warning", "一级指标为空，无法确定计分板块", **_ind(table, r, column="一级指标")))
        if not r["level2_code"] and not r["level2_raw"]:
            out.append(Issue("empty_cell", "info", "二级指标为空", **_ind(table, r, column="二级指标")))
        if r["weight_text"] and math.isnan(r["weight"]):
            out.append(Issue("bad_weight", "warning", f"分值/权重「{r['weight_text']}」不是数字，按未给分值处理",
                             cell=r["weight_text"], **_ind(table, r, column="权重")))
    has_money = table.projects[list(MONEY_NAMES)].notna().any().any() if len(table.projects) else False
    for p in _records(table.projects):
        if has_money and not p["classified"] and all(math.isnan(p[f]) for f in MONEY_NAMES):
            out.append(Issue("empty_cell", "info", "项目没有预算金额（其他项目有），部门得分按预算加权时该项目权重为 0",
                             file=table.source, sheet=p["source_sheet"] or None, row=int(p["source_row"]),
                             project_id=p["project_id"], project=p["project"]))
    return out


# ---------------------------------------------------------------------------
# spelling


def check_spelling(table: TargetTable) -> list[Issue]:
    """A place name spelled two ways in one table (黄埔/黄浦): reported, not changed."""
    cells = _text_cells(table)
    stems = _place_stems(table)
    out = []
    for stem, suffix in sorted(stems):
        variants = _variants(stem, suffix, cells)
        for variant, where in sorted(variants.items()):
            n_stem = sum(text.count(stem) for _, text in cells)
            rows = sorted({w[1] for w in where})
            first = where[0]
            out.append(Issue(
                "name_variant", "warning",
                f"同一名称在表中有两种写法：「{stem}」（{n_stem} 处）与「{variant}」（{len(where)} 处，"
                f"第{'、'.join(str(r) for r in rows[:12])}{'…' if len(rows) > 12 else ''}行）；"
                "已按原文保留，未作修改，请核对",
                file=table.source, sheet=first[0] or None, row=first[1], column=first[2],
                project_id=first[3], project=first[4], cell=variant))
    return out


def _text_cells(table: TargetTable) -> list[tuple[tuple, str]]:
    """(location, text) of every name, goal and target cell."""
    cells = []
    for p in _records(table.projects):
        loc = (p["source_sheet"], int(p["source_row"]), "项目名称", p["project_id"], p["project"])
        cells.append((loc, p["project"]))
        cells.append(((p["source_sheet"], int(p["source_row"]), "绩效目标", p["project_id"], p["project"]), p["goal"]))
    for r in _records(table.indicators):
        loc = (r["source_sheet"], int(r["source_row"]), r["source_column"], r["project_id"], r["project"])
        cells.append((loc, f"{r['name']} {r['annual_text']} {r['period_text']}"))
    return cells


def _place_stems(table: TargetTable) -> set[tuple[str, str]]:
    names = [table.department, *table.projects["department"].tolist()]
    stems = set()
    for name in names:
        for m in _PLACE.finditer(name or ""):
            stems.add((m.group(1), m.group(2)))
    return stems


def _variants(stem: str, suffix: str, cells) -> dict[str, list[tuple]]:
    """Spellings differing from ``stem`` in one character, written before the same suffix."""
    pattern = re.compile(r"([\u4e00-\u9fff]{2})" + suffix)
    found: dict[str, list[tuple]] = defaultdict(list)
    candidates = set()
    for _, text in cells:
        for m in pattern.finditer(text or ""):
            word = m.group(1)
            if word != stem and sum(a != b for a, b in zip(word, stem)) == 1:
                candidates.add(word)
    for loc, text in cells:
        for word in candidates:
            for _ in range((text or "").count(word)):
                found[word].append(loc)
    return found


#: an indicator name or target longer than this is a pasted paragraph, not a target
LONG_TEXT = 300


def check_long_text(table: TargetTable) -> list[Issue]:
    """Names and target values of hundreds of characters: a note pasted into the wrong cell."""
    out = []
    for r in _records(table.indicators):
        for field, label, column in (("name", "三级指标", "三级指标"), ("target_text", "指标值", None)):
            text = r[field] or ""
            if len(text) > LONG_TEXT:
                out.append(Issue("long_text", "warning", f"{label}有 {len(text)} 字，不像是一个{label}（通常不超过几十字）；"
                                 "请检查是否把说明粘进了这个单元格", cell=text, **_ind(table, r, column)))
    return out


RULES = (check_categories, check_targets, check_qualitative_share, check_projects, check_money,
         check_duplicates, check_empty_cells, check_spelling, check_long_text)


# ---------------------------------------------------------------------------
# summary


def summarize(table: TargetTable) -> str:
    """Chinese summary: projects, indicators, target classes, by department, issue counts."""
    p, ind = table.projects, table.indicators
    lines = [f"文件：{table.source}（{'每项目一格' if table.layout == 'seed' else '每指标一行'}版式"
             f"{'，编码 ' + table.encoding if table.encoding else ''}）",
             f"部门：{table.department or '（未注明）'}",
             f"项目 {len(p)} 个（涉密 {int(p['classified'].sum())} 个，不参与评分），指标 {len(ind)} 个"]
    lines.append(conservation_line(table))
    lines.append("指标值：" + _class_counts(ind))
    if int((ind["target_source"] == "period").sum()) if not ind.empty else 0:
        lines.append(f"其中 {int((ind['target_source'] == 'period').sum())} 个指标改用实施周期指标值评分")
    if p["department"].nunique() > 1 or len(p):
        lines.append("按部门：")
        for dep, group in p.groupby("department", sort=False):
            sub = ind[ind["project_id"].isin(group["project_id"])]
            budget = group["budget_total"].sum(min_count=1)
            money = f"，预算 {_fmt(budget)} 万元" if not math.isnan(budget) else ""
            lines.append(f"  {dep or '（未注明）'}：项目 {len(group)} 个{money}，指标 {len(sub)} 个（{_class_counts(sub)}）")
    sev = Counter(table.issues["severity"]) if not table.issues.empty else Counter()
    lines.append(f"问题：错误 {sev.get('error', 0)} 个，警告 {sev.get('warning', 0)} 个，提示 {sev.get('info', 0)} 个")
    return "\n".join(lines)


#: issue codes of input rows (or seed cells) with indicator content that became no indicator
NOT_READ_CODES = ("row_not_read", "unparsed_indicators")


def conservation_line(table: TargetTable) -> str:
    """读入指标 N 条，输出 N 条: every input row with indicator content is an indicator or an issue."""
    issues = table.issues
    lost = int(issues["code"].isin(NOT_READ_CODES).sum()) if not issues.empty else 0
    n = len(table.indicators)
    line = f"读入指标 {n + lost} 条，输出 {n} 条"
    if lost:
        line += f"；另有 {lost} 行未能读取为指标，已列入问题清单（{'、'.join(NOT_READ_CODES)}）"
    return line


def _class_counts(ind: pd.DataFrame) -> str:
    counts = Counter(ind["target_class"]) if not ind.empty else Counter()
    return "，".join(f"{name} {counts.get(c, 0)}" for c, name in CLASS_NAMES.items())
