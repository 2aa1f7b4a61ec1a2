"""The actuals file (实际完成值表): writing the template, reading it back.

``write_template(table, "actuals.xlsx")`` writes one row per indicator (with the target
as read-only context) and one row per project for 全年预算数 / 全年执行数; a ``.csv``
template holds both kinds of rows, told apart by the 行类型 column.
``read_actuals(path, table)`` reads it back (CSV in UTF-8 or GBK, xlsx), matches every
row to an indicator or project and reports unmatched, duplicate and missing rows as issues.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .gc_tuning import bulk_gc
from .issues import InputError, Issue, issues_frame
from .safety import neutralize_cell, neutralize_frame
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


def actuals_from_table(table: Any) -> Actuals | None:
    """The actuals printed in a self-evaluation table (实际完成值, 得分 columns), or None if it has none."""
    ind = table.indicators
    if "table_actual_text" not in ind or not (ind["table_actual_text"].fillna("").astype(str).str.strip() != "").any():
        return None
    score, bad = _numbers(ind["table_score_text"].fillna("").astype(str).str.strip())
    issues = [Issue("bad_number", "warning", f"得分「{ind['table_score_text'].iat[i]}」不是数值",
                    file=ind["source_file"].iat[i], row=int(ind["source_row"].iat[i]), column="得分",
                    project_id=ind["project_id"].iat[i], indicator_no=int(ind["indicator_no"].iat[i]),
                    cell=str(ind["table_score_text"].iat[i])) for i in np.flatnonzero(bad.to_numpy())]
    frame = pd.DataFrame({"project_id": ind["project_id"], "indicator_no": ind["indicator_no"].astype(int),
                          "actual_text": ind["table_actual_text"].fillna("").astype(str).str.strip(),
                          "prior_text": "", "rating": "", "note": "", "self_score": score.to_numpy(),
                          "actual_file": ind["source_file"], "actual_sheet": ind["source_sheet"],
                          "actual_row": ind["source_row"]})
    projects = table.projects

    def column(name: str) -> np.ndarray:
        return projects[name].to_numpy(dtype=float) if name in projects else np.full(len(projects), np.nan)

    funds = pd.DataFrame({"project_id": projects["project_id"], "budget_annual": column("table_budget_annual"),
                          "spent_annual": column("table_spent_annual"),
                          "self_execution": column("table_execution_score"),
                          "self_total_given": column("table_total_score"), "funds_row": projects["source_row"]})
    return Actuals(frame, funds, issues_frame(issues), source=str(getattr(table, "source", "")))


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
    neutralize_frame(out).to_csv(path, index=False, encoding="utf-8-sig")


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
            ws.append([None if v == "" else neutralize_cell(v) for v in row])
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
def _sheet_frames(path: Path) -> list[tuple[str | None, pd.DataFrame, dict[str, str]]]:
    """Each sheet as text columns under canonical keys, with the Excel/line row number in ``_row``.

    Files are opened by the same loader as target tables (encodings, Excel safety limits,
    control characters); the header is the first row that names a known column.
    """
    from .readers.io import load_rows

    loaded = load_rows(path)
    aliases = _alias_map()
    out = []
    for sheet in loaded.sheets:
        if sheet.name == vocabulary()["template"]["readme_sheet"] or not sheet.rows:
            continue
        head_at = next((i for i, r in enumerate(sheet.rows) if any(_norm(c) in aliases for c in r.cells)), None)
        if head_at is None:
            continue
        head = sheet.rows[head_at].cells
        width = len(head)
        body = sheet.rows[head_at + 1:]
        cells = [(tuple(r.cells) + ("",) * width)[:width] for r in body]
        raw = pd.DataFrame(cells, columns=[h or f"列{i + 1}" for i, h in enumerate(head)], dtype=object)
        raw = raw.loc[:, ~pd.Index(raw.columns).duplicated()]
        # cells come cleaned and stripped from the loader
        df, shown = _canonical_columns(raw)
        for key in set(IND_KEYS) | set(PROJ_KEYS) | {"kind"}:
            if key not in df:
                df[key] = ""
        df["_row"] = [r.number for r in body]
        df = df[(raw.to_numpy() != "").any(axis=1)]
        out.append((sheet.name, df, shown))
    if not out:
        raise InputError("没有找到实际完成值表的表头（如「项目编号」「指标序号」「实际完成值」）；"
                         "请用 evaluator template 生成模板后填写", file=str(path), code="no_header")
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


_NUMBER_NOISE = re.compile(r"[,，\s]|万元|元|分$")


def _numbers(texts: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Cells → numbers (NaN where empty) and a mask of cells that are not numbers."""
    clean = texts.fillna("").astype(str).str.replace(_NUMBER_NOISE, "", regex=True)
    values = pd.to_numeric(clean, errors="coerce")
    return values, (clean != "") & values.isna()


def _row_kinds(df: pd.DataFrame, sheet: str | None) -> np.ndarray:
    types = vocabulary()["row_types"]
    if sheet == vocabulary()["template"]["project_sheet"]:
        return np.full(len(df), "project", dtype=object)
    money_only = (df["indicator_no"] == "") & (df["name"] == "") & ((df["budget"] != "") | (df["spent"] != ""))
    kind = np.where(df["kind"].isin(types["project"]), "project",
                    np.where(df["kind"].isin(types["indicator"]), "indicator",
                             np.where(money_only, "project", "indicator")))
    return kind


class _Matcher:
    """Finds the project and indicator the rows of the actuals file belong to (whole columns at once)."""

    def __init__(self, table: Any):
        projects = table.projects
        self.ids = set(projects["project_id"].astype(str))
        counts = projects.groupby("project")["project_id"].agg(list)
        self.unique_name = {n: ids[0] for n, ids in counts.items() if len(ids) == 1}
        self.name_count = {n: len(ids) for n, ids in counts.items()}
        ind = table.indicators
        self.keys = pd.DataFrame({"project_id": ind["project_id"].astype(str),
                                  "indicator_no": pd.to_numeric(ind["indicator_no"]).astype(int),
                                  "ind_name": ind["name"].astype(str).str.strip()})
        by_name = self.keys.groupby(["project_id", "ind_name"])["indicator_no"]
        self.by_name = by_name.first()[by_name.size() == 1]
        self.dup_names = set(by_name.size()[by_name.size() > 1].index)

    def projects(self, df: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
        """Project id per row (None where unmatched) and why not."""
        pid = df["project_id"].where(df["project_id"].isin(self.ids), df["project"].map(self.unique_name))
        why = pd.Series("", index=df.index)
        for i in np.flatnonzero(pid.isna().to_numpy()):
            name, given = df["project"].iat[i], df["project_id"].iat[i]
            n = self.name_count.get(name, 0)
            why.iat[i] = (f"项目名称「{name}」在目标表中出现 {n} 次，请填写项目编号" if n > 1
                          else f"目标表中没有项目「{given or name}」")
        return pid, why

    def indicators(self, df: pd.DataFrame, pid: pd.Series) -> tuple[pd.Series, pd.Series]:
        """Indicator number per row (NaN where unmatched) and why not."""
        no, _ = _numbers(df["indicator_no"])
        known = pd.MultiIndex.from_frame(self.keys[["project_id", "indicator_no"]])
        by_no = pd.MultiIndex.from_arrays([pid.astype(str), no.fillna(-1).round().astype(int)]).isin(known)
        by_name = pd.MultiIndex.from_arrays([pid.astype(str), df["name"]])
        from_name = pd.Series(self.by_name.reindex(by_name).to_numpy(), index=df.index)
        result = pd.Series(np.where(by_no & no.notna().to_numpy(), no.fillna(-1).round(), from_name), index=df.index)
        why = pd.Series("", index=df.index)
        for i in np.flatnonzero(result.isna().to_numpy()):
            p, name = pid.iat[i], df["name"].iat[i]
            shown = df["indicator_no"].iat[i] or name
            why.iat[i] = (f"指标名称「{name}」在项目 {p} 中重复，请填写指标序号" if (p, name) in self.dup_names
                          else f"项目 {p} 中没有指标「{shown}」")
        return result, why


@bulk_gc()
def read_actuals(path: str | Path, table: Any) -> Actuals:
    """Read a filled actuals file and match it to the target table."""
    path = Path(path)
    if not path.is_file():
        raise InputError("找不到实际完成值文件", file=str(path), code="file_missing")
    matcher = _Matcher(table)
    issues: list[Issue] = []
    ind_parts, proj_parts = [], []
    for sheet, df, shown in _sheet_frames(path):
        where = dict(file=path.name, sheet=sheet)
        pid, why = matcher.projects(df)
        for i in np.flatnonzero(pid.isna().to_numpy()):
            issues.append(Issue("actual_unmatched", "error", f"无法匹配：{why.iat[i]}；该行未使用",
                                column=shown.get("project", "项目名称"), cell=df["project"].iat[i],
                                row=int(df["_row"].iat[i]), **where))
        df = df.assign(project_id=pid)[pid.notna().to_numpy()]
        kinds = _row_kinds(df, sheet)
        proj_parts.append(_project_rows_read(df[kinds == "project"], shown, where, issues))
        ind_parts.append(_indicator_rows_read(df[kinds == "indicator"], matcher, shown, where, issues))
    ind = pd.concat(ind_parts, ignore_index=True)
    first = ~ind.duplicated(["project_id", "indicator_no"], keep="first")
    _duplicates(ind, first, ["project_id", "indicator_no"], "指标", shown_actual=header("actual_text"), issues=issues)
    ind = ind[first.to_numpy()]
    seen = pd.MultiIndex.from_frame(ind[["project_id", "indicator_no"]].astype({"indicator_no": int}))
    expected = pd.MultiIndex.from_frame(matcher.keys[["project_id", "indicator_no"]])
    for p, n in expected[~expected.isin(seen)]:
        issues.append(Issue("actual_missing", "warning", "实际完成值表中没有这一指标的行，按待补处理", file=path.name,
                            project_id=p, indicator_no=int(n)))
    proj = pd.concat(proj_parts, ignore_index=True)
    first_p = ~proj.duplicated(["project_id"], keep="first")
    _duplicates(proj, first_p, ["project_id"], "项目资金", shown_actual=None, issues=issues)
    proj = proj[first_p.to_numpy()]
    ind = ind.astype({"indicator_no": int}).reset_index(drop=True)
    return Actuals(ind[["project_id", "indicator_no", "actual_text", "prior_text", "rating", "note", "self_score",
                        "actual_file", "actual_sheet", "actual_row"]],
                   proj[["project_id", "budget_annual", "spent_annual", "self_execution", "self_total_given",
                         "funds_row"]].reset_index(drop=True),
                   issues_frame(issues), source=str(path))


def _duplicates(df: pd.DataFrame, first: pd.Series, keys: list[str], what: str, shown_actual: str | None,
                issues: list[Issue]) -> None:
    """A second row for the same indicator (or project funds) is reported and not used."""
    if first.all():
        return
    first_row = df.groupby(keys, sort=False)["actual_row" if "actual_row" in df else "funds_row"].transform("first")
    for i in np.flatnonzero(~first.to_numpy()):
        r = df.iloc[i]
        row_no = int(r["actual_row"] if "actual_row" in df else r["funds_row"])
        kept = int(first_row.iat[i])
        extra = {"indicator_no": int(r["indicator_no"])} if "indicator_no" in keys else {}
        if shown_actual:
            extra.update(column=shown_actual, cell=r["actual_text"])
        issues.append(Issue("actual_duplicate", "error",
                            f"{what}与第{kept}行重复（同一项目同一指标）；采用先出现的一行" if extra.get("indicator_no")
                            else f"{what}行与第{kept}行重复；采用先出现的一行",
                            file=r.get("actual_file") or None, sheet=r.get("actual_sheet") or None, row=row_no,
                            project_id=r["project_id"], **extra))


def _indicator_rows_read(df: pd.DataFrame, matcher: _Matcher, shown: dict[str, str], where: dict[str, Any],
                         issues: list[Issue]) -> pd.DataFrame:
    no, why = matcher.indicators(df, df["project_id"])
    for i in np.flatnonzero(no.isna().to_numpy()):
        issues.append(Issue("actual_unmatched", "error", f"无法匹配：{why.iat[i]}；该行未使用",
                            project_id=df["project_id"].iat[i], column=shown.get("indicator_no", "指标序号"),
                            cell=df["indicator_no"].iat[i], row=int(df["_row"].iat[i]), **where))
    ok = no.notna().to_numpy()
    df, no = df[ok], no[ok].astype(int)
    printed = pd.MultiIndex.from_arrays([df["project_id"], no])
    names = matcher.keys.set_index(["project_id", "indicator_no"])["ind_name"].reindex(printed).to_numpy()
    differs = (df["name"] != "").to_numpy() & (df["name"].to_numpy() != names)
    for i in np.flatnonzero(differs):
        issues.append(Issue("actual_name_mismatch", "warning",
                            f"指标名称「{df['name'].iat[i]}」与目标表「{names[i]}」不一致，已按序号匹配",
                            project_id=df["project_id"].iat[i], indicator_no=int(no.iat[i]), column=shown.get("name"),
                            cell=df["name"].iat[i], row=int(df["_row"].iat[i]), **where))
    score, bad = _numbers(df["self_score"])
    for i in np.flatnonzero(bad.to_numpy()):
        issues.append(Issue("bad_number", "warning", f"自评得分「{df['self_score'].iat[i]}」不是数值",
                            project_id=df["project_id"].iat[i], indicator_no=int(no.iat[i]),
                            column=shown.get("self_score"), cell=df["self_score"].iat[i], row=int(df["_row"].iat[i]),
                            **where))
    return pd.DataFrame({"project_id": df["project_id"].to_numpy(), "indicator_no": no.to_numpy(),
                         **{k: df[k].to_numpy() for k in ("actual_text", "prior_text", "rating", "note")},
                         "self_score": score.to_numpy(), "actual_file": where["file"], "actual_sheet": where["sheet"],
                         "actual_row": df["_row"].to_numpy()})


def _project_rows_read(df: pd.DataFrame, shown: dict[str, str], where: dict[str, Any],
                       issues: list[Issue]) -> pd.DataFrame:
    out = {"project_id": df["project_id"].to_numpy(), "funds_row": df["_row"].to_numpy(),
           "actual_file": where["file"], "actual_sheet": where["sheet"]}
    targets = {"budget": "budget_annual", "spent": "spent_annual", "self_execution": "self_execution",
               "self_total": "self_total_given"}
    for key, col in targets.items():
        values, bad = _numbers(df[key])
        for i in np.flatnonzero(bad.to_numpy()):
            issues.append(Issue("bad_number", "error", f"「{df[key].iat[i]}」不是数值", project_id=df["project_id"].iat[i],
                                column=shown.get(key, header(key)), cell=df[key].iat[i], row=int(df["_row"].iat[i]),
                                **where))
        out[col] = values.where(~bad, np.nan).to_numpy(dtype=float)
    return pd.DataFrame(out)
