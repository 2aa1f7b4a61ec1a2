"""The actuals file (实际完成值表): writing the template, reading it back.

``write_template(table, "actuals.xlsx")`` writes one row per indicator (with the target
as read-only context) and one row per project for 全年预算数 / 全年执行数; a ``.csv``
template holds both kinds of rows, told apart by the 行类型 column.
``read_actuals(path, table)`` reads it back (CSV in UTF-8 or GBK, xlsx), matches every
row to an indicator or project and reports unmatched, duplicate and missing rows as issues.
"""
from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .issues import InputError, Issue, issues_frame
from .values import vocabulary

IND_KEYS = ["project_id", "project", "indicator_no", "level1", "level2", "name", "target_text",
            "actual_text", "prior_text", "rating", "self_score", "note"]
PROJ_KEYS = ["project_id", "project", "budget", "spent", "self_execution", "self_total"]
#: columns the user fills in (the rest is context)
FILL_KEYS = {"actual_text", "prior_text", "rating", "self_score", "note", "budget", "spent", "self_execution", "self_total"}


@dataclass
class Actuals:
    indicators: pd.DataFrame
    projects: pd.DataFrame
    issues: pd.DataFrame
    source: str = ""


def empty_actuals() -> Actuals:
    return Actuals(pd.DataFrame(columns=["project_id", "indicator_no"]), pd.DataFrame(columns=["project_id"]),
                   issues_frame([]))


def header(key: str) -> str:
    """The Chinese header written for a canonical column key."""
    return vocabulary()["headers"][key][0]


def _alias_map() -> dict[str, str]:
    out: dict[str, str] = {}
    for key, names in vocabulary()["headers"].items():
        for n in names:
            out.setdefault(_norm(n), key)
    return out


def _norm(text: Any) -> str:
    return re.sub(r"[\s（）()]", "", str(text)).lower()


# --- template ---------------------------------------------------------------
def _indicator_rows(table: Any) -> pd.DataFrame:
    ind = table.indicators
    get = lambda c: ind[c] if c in ind else ""  # noqa: E731
    return pd.DataFrame({header("project_id"): get("project_id"), header("project"): get("project"),
                         header("indicator_no"): pd.to_numeric(get("indicator_no")).astype("Int64").astype(str),
                         header("level1"): get("level1"),
                         header("level2"): get("level2"), header("name"): get("name"),
                         header("target_text"): get("target_text"),
                         **{header(k): "" for k in ("actual_text", "prior_text", "rating", "self_score", "note")}})


def _project_rows(table: Any) -> pd.DataFrame:
    p = table.projects
    return pd.DataFrame({header("project_id"): p["project_id"], header("project"): p["project"],
                         **{header(k): "" for k in ("budget", "spent", "self_execution", "self_total")}})


def write_template(table: Any, path: str | Path) -> Path:
    """Write the actuals template for a target table (.xlsx or .csv)."""
    path = Path(path)
    ind, proj = _indicator_rows(table), _project_rows(table)
    if path.suffix.lower() == ".csv":
        _write_template_csv(ind, proj, path)
    else:
        _write_template_xlsx(ind, proj, path)
    return path


def _write_template_csv(ind: pd.DataFrame, proj: pd.DataFrame, path: Path) -> None:
    types = vocabulary()["row_types"]
    kind = header("kind")
    cols = [kind] + list(dict.fromkeys(list(proj.columns[:2]) + list(ind.columns) + list(proj.columns[2:])))
    frames = []
    for pid, prow in proj.groupby(header("project_id"), sort=False):
        frames.append(prow.assign(**{kind: types["project"][0]}))
        frames.append(ind[ind[header("project_id")] == pid].assign(**{kind: types["indicator"][0]}))
    out = pd.concat(frames, ignore_index=True).reindex(columns=cols).fillna("") if frames else pd.DataFrame(columns=cols)
    out.to_csv(path, index=False, encoding="utf-8-sig")


def _write_template_xlsx(ind: pd.DataFrame, proj: pd.DataFrame, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    t = vocabulary()["template"]
    wb = Workbook()
    grey = PatternFill("solid", fgColor="EEEEEE")
    for ws, df in ((wb.active, ind), (wb.create_sheet(), proj)):
        ws.title = t["indicator_sheet"] if df is ind else t["project_sheet"]
        ws.append(list(df.columns))
        for row in df.itertuples(index=False):
            ws.append([None if v == "" else v for v in row])
        fill_cols = {header(k) for k in FILL_KEYS}
        for j, name in enumerate(df.columns, start=1):
            ws.cell(1, j).font = Font(bold=True)
            letter = ws.cell(1, j).column_letter
            ws.column_dimensions[letter].width = 30 if name in (header("name"), header("target_text"), header("project")) else 14
            if name not in fill_cols:
                for r in range(2, len(df) + 2):
                    ws.cell(r, j).fill = grey
                    ws.cell(r, j).alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "A2"
    readme = wb.create_sheet(t["readme_sheet"])
    for line in t["readme"]:
        readme.append([line])
    readme.column_dimensions["A"].width = 120
    wb.save(path)


# --- reading ------------------------------------------------------------------------
def _read_csv(path: Path) -> list[tuple[str | None, pd.DataFrame]]:
    data = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InputError("无法识别文件编码（应为 UTF-8 或 GBK）", file=str(path))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
        sep = dialect.delimiter
    except csv.Error:
        sep = ","
    df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    return [(None, df)]


def _read_xlsx(path: Path) -> list[tuple[str | None, pd.DataFrame]]:
    from openpyxl import load_workbook
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a bad file
        raise InputError(f"无法打开 Excel 文件：{exc}", file=str(path)) from exc
    out = []
    for ws in wb.worksheets:
        rows = [["" if v is None else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)) for v in r]
                for r in ws.iter_rows(values_only=True)]
        if not rows:
            continue
        head = rows[0]
        out.append((ws.title, pd.DataFrame(rows[1:], columns=[h or f"列{i + 1}" for i, h in enumerate(head)])))
    return out


def _canonical_columns(df: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    aliases = _alias_map()
    mapping: dict[str, str] = {}
    for col in df.columns:
        key = aliases.get(_norm(col))
        if key and key not in mapping.values():
            mapping[col] = key
    shown = {v: k for k, v in mapping.items()}
    return df.rename(columns=mapping), shown


def _float(text: Any) -> float | None:
    s = re.sub(r"[,，\s]|万元|元|分$", "", str(text or ""))
    if not s:
        return None
    try:
        return float(s)
    except ValueError:
        return math.nan


def _row_kind(row: pd.Series, sheet: str | None) -> str:
    types = vocabulary()["row_types"]
    k = str(row.get("kind", "")).strip()
    if k in types["project"]:
        return "project"
    if k in types["indicator"]:
        return "indicator"
    if sheet == vocabulary()["template"]["project_sheet"]:
        return "project"
    if not str(row.get("indicator_no", "")).strip() and not str(row.get("name", "")).strip() and (
            str(row.get("budget", "")).strip() or str(row.get("spent", "")).strip()):
        return "project"
    return "indicator"


class _Matcher:
    """Finds the project and indicator a row of the actuals file belongs to."""

    def __init__(self, table: Any):
        self.projects = table.projects
        self.ids = set(self.projects["project_id"].astype(str))
        names = self.projects.groupby("project")["project_id"].agg(list)
        self.by_name = {n: ids for n, ids in names.items()}
        ind = table.indicators
        self.numbers = set(zip(ind["project_id"].astype(str), pd.to_numeric(ind["indicator_no"]).astype(int)))
        self.by_ind_name: dict[tuple[str, str], list[int]] = {}
        self.ind_name: dict[tuple[str, int], str] = {}
        for pid, no, name in zip(ind["project_id"].astype(str), pd.to_numeric(ind["indicator_no"]).astype(int), ind["name"].astype(str)):
            self.by_ind_name.setdefault((pid, name.strip()), []).append(no)
            self.ind_name[(pid, no)] = name

    def project(self, row: pd.Series) -> tuple[str | None, str]:
        pid = str(row.get("project_id", "")).strip()
        if pid in self.ids:
            return pid, ""
        name = str(row.get("project", "")).strip()
        ids = self.by_name.get(name, [])
        if len(ids) == 1:
            return ids[0], ""
        if len(ids) > 1:
            return None, f"项目名称「{name}」在目标表中出现 {len(ids)} 次，请填写项目编号"
        return None, f"目标表中没有项目「{pid or name}」"

    def indicator(self, pid: str, row: pd.Series) -> tuple[int | None, str]:
        no = _float(row.get("indicator_no", ""))
        if no is not None and not math.isnan(no) and (pid, int(no)) in self.numbers:
            return int(no), ""
        name = str(row.get("name", "")).strip()
        nos = self.by_ind_name.get((pid, name), [])
        if len(nos) == 1:
            return nos[0], ""
        shown = row.get("indicator_no", "") or name
        return None, f"项目 {pid} 中没有指标「{shown}」" if len(nos) == 0 else f"指标名称「{name}」在项目 {pid} 中重复，请填写指标序号"


def read_actuals(path: str | Path, table: Any) -> Actuals:
    """Read a filled actuals file and match it to the target table."""
    path = Path(path)
    if not path.is_file():
        raise InputError("找不到实际完成值文件", file=str(path))
    sheets = _read_xlsx(path) if path.suffix.lower() in (".xlsx", ".xlsm") else _read_csv(path)
    matcher = _Matcher(table)
    issues: list[Issue] = []
    ind_rows: list[dict[str, Any]] = []
    proj_rows: list[dict[str, Any]] = []
    seen: dict[tuple[str, int], int] = {}
    seen_p: dict[str, int] = {}
    for sheet, raw in sheets:
        if sheet == vocabulary()["template"]["readme_sheet"]:
            continue
        df, shown = _canonical_columns(raw)
        for i, row in df.iterrows():
            excel_row = int(i) + 2
            where = dict(file=path.name, sheet=sheet, row=excel_row)
            if not any(str(v).strip() for v in row.to_numpy()):
                continue
            pid, why = matcher.project(row)
            if pid is None:
                issues.append(Issue("actual_unmatched", "error", f"无法匹配：{why}；该行未使用", column=shown.get("project", "项目名称"),
                                    cell=str(row.get("project", "")), **where))
                continue
            if _row_kind(row, sheet) == "project":
                _read_project_row(row, pid, shown, where, seen_p, proj_rows, issues)
                continue
            no, why = matcher.indicator(pid, row)
            if no is None:
                issues.append(Issue("actual_unmatched", "error", f"无法匹配：{why}；该行未使用", project_id=pid,
                                    column=shown.get("indicator_no", "指标序号"), cell=str(row.get("indicator_no", "")), **where))
                continue
            if (pid, no) in seen:
                issues.append(Issue("actual_duplicate", "error", f"与第{seen[(pid, no)]}行重复（同一项目同一指标）；采用先出现的一行",
                                    project_id=pid, indicator_no=no, **where))
                continue
            seen[(pid, no)] = excel_row
            name = str(row.get("name", "")).strip()
            if name and name != matcher.ind_name[(pid, no)].strip():
                issues.append(Issue("actual_name_mismatch", "warning",
                                    f"指标名称「{name}」与目标表「{matcher.ind_name[(pid, no)]}」不一致，已按序号匹配",
                                    project_id=pid, indicator_no=no, column=shown.get("name"), cell=name, **where))
            score = _float(row.get("self_score", ""))
            if score is not None and math.isnan(score):
                issues.append(Issue("bad_number", "warning", f"自评得分「{row.get('self_score')}」不是数值", project_id=pid,
                                    indicator_no=no, column=shown.get("self_score"), cell=str(row.get("self_score")), **where))
            ind_rows.append({"project_id": pid, "indicator_no": no,
                             **{k: str(row.get(k, "")).strip() for k in ("actual_text", "prior_text", "rating", "note")},
                             "self_score": score, "actual_file": path.name, "actual_sheet": sheet, "actual_row": excel_row})
    for (pid, no) in sorted(matcher.numbers - set(seen)):
        issues.append(Issue("actual_missing", "warning", "实际完成值表中没有这一指标的行，按待补处理", file=path.name,
                            project_id=pid, indicator_no=no))
    ind = pd.DataFrame(ind_rows, columns=["project_id", "indicator_no", "actual_text", "prior_text", "rating", "note",
                                          "self_score", "actual_file", "actual_sheet", "actual_row"])
    proj = pd.DataFrame(proj_rows, columns=["project_id", "budget_annual", "spent_annual", "self_execution",
                                            "self_total_given", "funds_row"])
    return Actuals(ind, proj, issues_frame(issues), source=str(path))


def _read_project_row(row: pd.Series, pid: str, shown: dict[str, str], where: dict[str, Any],
                      seen: dict[str, int], out: list[dict[str, Any]], issues: list[Issue]) -> None:
    if pid in seen:
        issues.append(Issue("actual_duplicate", "error", f"项目资金行与第{seen[pid]}行重复；采用先出现的一行",
                            project_id=pid, **where))
        return
    seen[pid] = where["row"]
    values: dict[str, float | None] = {}
    for key in ("budget", "spent", "self_execution", "self_total"):
        v = _float(row.get(key, ""))
        if v is not None and math.isnan(v):
            issues.append(Issue("bad_number", "error", f"「{row.get(key)}」不是数值", project_id=pid,
                                column=shown.get(key, header(key)), cell=str(row.get(key)), **where))
            v = None
        values[key] = v
    nan = lambda v: np.nan if v is None else v  # noqa: E731
    out.append({"project_id": pid, "budget_annual": nan(values["budget"]), "spent_annual": nan(values["spent"]),
                "self_execution": nan(values["self_execution"]), "self_total_given": nan(values["self_total"]),
                "funds_row": where["row"]})
