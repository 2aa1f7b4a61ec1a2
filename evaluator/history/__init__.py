"""Years, not one year: the results store and what is read back from it.

* :func:`record_evaluation` / :func:`record_output` put a scoring run into the store
  (:mod:`evaluator.history.store`, one DuckDB file);
* :class:`Priors` gives trend targets last year's actual of the same indicator
  (:mod:`evaluator.trends`), matched by :mod:`evaluator.history.keys`;
* :func:`match_years` lists what could not be matched between two years.

See ``docs/history.md`` for the schema and the decisions.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..frames import texts
from ..readers.vocab import fold
from ..trends import Prior, PriorLookup, _data as _trend_data
from ..wording import message
from .keys import apply_mapping, indicator_keys, read_mapping
from .store import DEFAULT_WAIT, SCHEMA_VERSION, HistoryError, Store, open_store

__all__ = ["HistoryError", "Priors", "SCHEMA_VERSION", "Store", "detect_year", "match_years", "open_store",
           "record_evaluation", "record_output", "resolve_year"]

_YEAR = re.compile(r"(?<!\d)(20\d{2}|19\d{2})\s*年")
#: in a file or folder name the year may stand alone (targets-2023.tsv)
_NAME_YEAR = re.compile(r"(?<!\d)(20\d{2}|19\d{2})(?!\d)")
#: lines of a table read when looking for its year (the title and the lines under it)
_TITLE_LINES = 8


def _year_in(text: str, pattern: re.Pattern[str] = _YEAR) -> int | None:
    found = {int(y) for y in pattern.findall(text or "")}
    return found.pop() if len(found) == 1 else None


def detect_year(path: str | Path | None) -> tuple[int, str] | None:
    """The year a target table shows in its title lines (``2023年度项目支出绩效目标表``), else in
    its file name; None when neither shows exactly one year."""
    if not path:
        return None
    p = Path(path)
    text = ""
    try:
        if p.suffix.lower() in (".xlsx", ".xlsm"):
            from openpyxl import load_workbook
            wb = load_workbook(p, read_only=True, data_only=True)
            try:
                ws = wb.worksheets[0]
                lines = [" ".join(str(c) for c in row if c is not None)
                         for row in ws.iter_rows(max_row=_TITLE_LINES, values_only=True)]
            finally:
                wb.close()
        else:
            raw = p.read_bytes()[:8192]
            for enc in ("utf-8-sig", "gb18030"):
                try:
                    decoded = raw.decode(enc)
                    break
                except UnicodeDecodeError:
                    continue
            else:
                decoded = ""
            lines = [ln for ln in decoded.splitlines() if ln.strip()][:_TITLE_LINES]
        text = "\n".join(lines)
    except Exception:  # noqa: BLE001 - an unreadable title is reported by the reader, not here
        text = ""
    year = _year_in(text)
    if year:
        return year, message("history_year", "title", file=p.name)
    year = _year_in(p.name, _NAME_YEAR)
    if year:
        return year, message("history_year", "file_name", file=p.name)
    return None


def resolve_year(option: int | None, *places: str | Path | None) -> tuple[int, str]:
    """The year of a run: shown by the table (or its file name), else ``--year``. Both given and
    different → refuse (one of them is wrong)."""
    found = next((y for y in (detect_year(p) for p in places if p) if y), None)
    if found and option and found[0] != option:
        raise HistoryError(message("history_errors", "year_conflict", found=found[1], year=found[0], option=option))
    if found:
        return found
    if option:
        return int(option), message("history_year", "option")
    raise HistoryError(message("history_errors", "no_year"))


def record_evaluation(db: str | Path, ev: Any, year: int, year_source: str, source: str = "evaluator score",
                      wait: float = DEFAULT_WAIT) -> list[int]:
    """Record an :class:`~evaluator.evaluate.Evaluation`; returns the run ids (one per department)."""
    with open_store(db, write=True, wait=wait) as store:
        return store.add_run(year, year_source, ev.indicators, ev.projects, ev.issues, ev.departments,
                             ev.provenance, source)


#: the output columns the store keeps (the rest of a wide indicators.csv is not read)
_WANTED = {"source_file", "department", "project_id", "project_code", "project", "indicator_no", "level1", "level2", "name", "block",
           "target_text", "kind", "target", "actual_text", "actual_value", "target_value", "weight_points", "points",
           "status", "rule", "explanation", "total", "total_min", "total_max", "grade", "score", "score_min",
           "score_max", "budget_annual", "spent_annual", "execution_rate", "code", "severity", "message", "file",
           "sheet", "row", "column", "cell", *(f"{k}_{b}" for k in ("points", "weight")
                                                  for b in ("output", "benefit", "satisfaction", "cost"))}


def _read_csv(path: Path) -> pd.DataFrame:
    from ..reports.columns import english_header

    names = english_header(path.stem)  # a CSV written with Chinese headers (the command line's default)
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig",
                       usecols=lambda c: names.get(c, c) in _WANTED).rename(columns=lambda c: names.get(c, c))


def record_output(db: str | Path, outdir: str | Path, year: int | None = None, wait: float = DEFAULT_WAIT
                  ) -> tuple[list[int], int, str]:
    """Record an existing output folder (of ``score`` or ``batch``); returns (run ids, year, source)."""
    out = Path(outdir)
    if not out.is_dir():
        raise HistoryError(message("history_errors", "no_folder", folder=out))
    need = out / "indicators.csv"
    if not need.is_file():
        raise HistoryError(message("history_errors", "no_indicators", folder=out))
    prov_path = out / "provenance.json"
    prov: dict[str, Any] = json.loads(prov_path.read_text(encoding="utf-8")) if prov_path.is_file() else {}
    ind = _read_csv(need)
    projects = _read_csv(out / "projects.csv") if (out / "projects.csv").is_file() else pd.DataFrame()
    issues = _read_csv(out / "issues.csv") if (out / "issues.csv").is_file() else pd.DataFrame()
    depts = _read_csv(out / "departments.csv") if (out / "departments.csv").is_file() else None
    if depts is not None:
        for c in ("score", "score_min", "score_max"):
            if c in depts:
                depts[c] = pd.to_numeric(depts[c], errors="coerce")
    ind, issues = _with_departments(ind, projects, issues)
    names = [prov.get("targets")] + [str(out.name)]
    y, y_source = resolve_year(year, *[n for n in names if n])
    with open_store(db, write=True, wait=wait) as store:
        ids = store.add_run(y, y_source, ind, projects, issues, depts, prov, source=str(out))
    return ids, y, y_source


def _with_departments(ind: pd.DataFrame, projects: pd.DataFrame, issues: pd.DataFrame
                      ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A batch folder's indicators.csv names the table (source_file) and project_id but not the
    department or project: take them from projects.csv (project ids repeat across tables)."""
    if not len(projects) or "department" not in projects or "project_id" not in ind:
        return ind, issues
    on = ["source_file", "project_id"] if "source_file" in ind and "source_file" in projects else ["project_id"]
    info = projects[on + ["department", "project"]].drop_duplicates(on)
    missing = [c for c in ("department", "project") if c not in ind]
    if missing:
        ind = ind.merge(info[on + missing], on=on, how="left", validate="many_to_one")
    if len(issues) and "project_id" in issues and "department" not in issues and "source_file" in on:
        # an issue names its file: the target table's (or the actuals') name; match on the table where it is one
        by_file = info.rename(columns={"source_file": "file"})[["file", "project_id", "department"]]
        issues = issues.merge(by_file, on=["file", "project_id"], how="left", validate="many_to_one")
    return ind, issues


# ---------------------------------------------------------------------------------------- priors
@dataclass
class Priors(PriorLookup):
    """Last year's current actual of each indicator, from the store at ``db``, for a table of
    year ``year``. ``mapping``: a CSV of renamed projects/indicators (old → new)."""

    db: str | Path
    year: int
    mapping: str | Path | None = None
    #: seconds to wait while another process writes the store
    wait: float = DEFAULT_WAIT
    _cache: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    def prior_frame(self, department: str) -> pd.DataFrame:
        """Last year's current indicators of ``department`` (folded name match), keyed."""
        key = fold(department or "")
        if key in self._cache:
            return self._cache[key]
        with open_store(self.db, wait=self.wait) as store:
            names = store.query("SELECT DISTINCT department FROM latest_runs WHERE year = ?", [self.year - 1])
            match = [d for d in names["department"] if fold(d or "") == key]
            if not match:
                frame = pd.DataFrame(columns=["indicator_key", "actual_text", "run_id", "targets_file", "year"])
            else:
                frame = store.query(
                    "SELECT i.indicator_key, i.actual_text, i.actual_value, i.project, i.name, i.run_id, "
                    "r.targets_file, r.year FROM indicators i JOIN latest_runs r ON i.run_id = r.run_id "
                    "WHERE r.year = ? AND r.department = ?", [self.year - 1, match[0]])
        frame["indicator_key"] = apply_mapping(frame["indicator_key"].astype(str), read_mapping(self.mapping))
        frame = frame.drop_duplicates("indicator_key")
        self._cache[key] = frame
        return frame

    def lookup(self, ind: pd.DataFrame) -> list[Prior | None]:
        keys = indicator_keys(ind)
        depts = texts(ind["department"]).to_numpy() if "department" in ind else np.full(len(ind), "")
        out: list[Prior | None] = []
        src = _trend_data()["sources"]["store"]
        by_dept: dict[str, dict[str, Prior]] = {}
        for k, d in zip(keys, depts):
            if d not in by_dept:
                by_dept[d] = self._priors(self.prior_frame(d), src)
            out.append(by_dept[d].get(k))
        return out

    def _priors(self, frame: pd.DataFrame, src: str) -> dict[str, Prior]:
        """indicator key → :class:`Prior` (rows with no actual left out)."""
        found: dict[str, Prior] = {}
        for r in frame.itertuples(index=False):
            text = r.actual_text
            if text is None or (isinstance(text, float) and np.isnan(text)) or not str(text).strip():
                continue
            found[r.indicator_key] = Prior(text=str(text), year=int(r.year), source=src.format(
                db=Path(self.db).name, year=int(r.year), run=int(r.run_id), file=r.targets_file or "—"))
        return found


# ---------------------------------------------------------------------------------------- matching
def match_years(store: Store, department: str, year: int, mapping: str | Path | None = None,
                this_year: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """Indicators of ``department`` in ``year`` against the year before: ``matched`` (with both
    values), ``disappeared`` (last year only), ``new`` (this year only). ``this_year``: a table's
    indicators not yet in the store (``check --history``)."""
    prior = Priors(store.path, year, mapping)
    with_prior = store.query(
        "SELECT i.indicator_key, i.project, i.name, i.target_text, i.actual_text, i.actual_value "
        "FROM indicators i JOIN latest_runs r ON i.run_id = r.run_id WHERE r.year = ? AND r.department = ?",
        [year - 1, _store_dept(store, department, year - 1)])
    with_prior["indicator_key"] = apply_mapping(with_prior["indicator_key"].astype(str), read_mapping(mapping))
    if this_year is None:
        now = store.query(
            "SELECT i.indicator_key, i.project, i.name, i.target_text, i.actual_text, i.actual_value "
            "FROM indicators i JOIN latest_runs r ON i.run_id = r.run_id WHERE r.year = ? AND r.department = ?",
            [year, _store_dept(store, department, year)])
    else:
        now = pd.DataFrame({"indicator_key": indicator_keys(this_year), "project": this_year["project"],
                            "name": this_year["name"], "target_text": this_year.get("target_text"),
                            "target": this_year.get("target")})
    del prior
    merged = now.merge(with_prior, on="indicator_key", how="outer", suffixes=("", "_prior"), indicator=True)
    return {"matched": merged[merged["_merge"] == "both"].drop(columns="_merge"),
            "disappeared": merged[merged["_merge"] == "right_only"].drop(columns="_merge"),
            "new": merged[merged["_merge"] == "left_only"].drop(columns="_merge")}


def _store_dept(store: Store, department: str, year: int) -> str:
    names = store.query("SELECT DISTINCT department FROM latest_runs WHERE year = ?", [year])["department"]
    key = fold(department or "")
    return next((d for d in names if fold(d or "") == key), department)
