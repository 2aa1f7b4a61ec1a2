"""The results store: every scoring run of every year and department in one DuckDB file.

The schema is plain SQL (see ``docs/history.md``): tables ``schema_version``, ``runs``,
``projects``, ``indicators``, ``issues`` and views ``latest_runs``, ``current_projects``,
``current_indicators``. Every run is kept; the views pick the latest run of each year and
department, so adding the same year and department again never duplicates current figures.

Each write is one transaction: a writer killed midway leaves the file as it was. DuckDB lets
one process hold a file for writing; a second writer waits (up to ``wait`` seconds) and then
gets a Chinese message, never a damaged file.
"""
from __future__ import annotations

import json
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pandas as pd

from .. import __version__
from ..frames import texts
from ..issues import EvaluatorError
from ..wording import message
from .keys import indicator_keys, project_keys

#: the layout written by this engine; older files are migrated, newer ones refused
SCHEMA_VERSION = 2

#: how long a writer waits for another process to finish with the store (seconds)
DEFAULT_WAIT = 30.0


class HistoryError(RuntimeError, EvaluatorError):
    """The store cannot be opened or written: the message says why, in Chinese."""


TABLES_SQL = """
CREATE TABLE schema_version (
    version        INTEGER NOT NULL,
    engine_version VARCHAR NOT NULL,
    changed_at     TIMESTAMP NOT NULL
);
CREATE TABLE runs (
    run_id            INTEGER PRIMARY KEY,
    year              INTEGER NOT NULL,
    year_source       VARCHAR NOT NULL,
    department        VARCHAR NOT NULL,
    rule_pack         VARCHAR,
    rule_pack_version VARCHAR,
    rule_pack_sha256  VARCHAR,
    engine_version    VARCHAR,
    targets_file      VARCHAR,
    targets_sha256    VARCHAR,
    actuals_file      VARCHAR,
    actuals_sha256    VARCHAR,
    source            VARCHAR,
    recorded_at       TIMESTAMP NOT NULL,
    score             DOUBLE PRECISION,
    score_min         DOUBLE PRECISION,
    score_max         DOUBLE PRECISION,
    grade             VARCHAR,
    n_projects        INTEGER,
    n_indicators      INTEGER
);
CREATE TABLE projects (
    run_id         INTEGER NOT NULL,
    project_id     VARCHAR,
    project_code   VARCHAR,
    project        VARCHAR,
    project_key    VARCHAR,
    budget_annual  DOUBLE PRECISION,
    spent_annual   DOUBLE PRECISION,
    execution_rate DOUBLE PRECISION,
    points_output  DOUBLE PRECISION,
    weight_output  DOUBLE PRECISION,
    points_benefit DOUBLE PRECISION,
    weight_benefit DOUBLE PRECISION,
    points_satisfaction DOUBLE PRECISION,
    weight_satisfaction DOUBLE PRECISION,
    points_cost    DOUBLE PRECISION,
    weight_cost    DOUBLE PRECISION,
    total          DOUBLE PRECISION,
    total_min      DOUBLE PRECISION,
    total_max      DOUBLE PRECISION,
    grade          VARCHAR,
    status         VARCHAR
);
CREATE TABLE indicators (
    run_id          INTEGER NOT NULL,
    project_id      VARCHAR,
    project         VARCHAR,
    indicator_key   VARCHAR NOT NULL,
    indicator_no    INTEGER,
    level1          VARCHAR,
    level2          VARCHAR,
    name            VARCHAR,
    block           VARCHAR,
    target_text     VARCHAR,
    target_kind     VARCHAR,
    target_compiled VARCHAR,
    actual_text     VARCHAR,
    actual_value    DOUBLE PRECISION,
    target_value    DOUBLE PRECISION,
    weight_points   DOUBLE PRECISION,
    points          DOUBLE PRECISION,
    status          VARCHAR,
    rule            VARCHAR,
    explanation     VARCHAR
);
CREATE TABLE issues (
    run_id       INTEGER NOT NULL,
    code         VARCHAR,
    severity     VARCHAR,
    message      VARCHAR,
    file         VARCHAR,
    sheet        VARCHAR,
    "row"        VARCHAR,
    "column"     VARCHAR,
    project_id   VARCHAR,
    project      VARCHAR,
    indicator_no VARCHAR,
    cell         VARCHAR
);
"""

VIEWS_SQL = """
CREATE VIEW latest_runs AS
    SELECT r.* FROM runs r
    WHERE r.run_id = (SELECT MAX(l.run_id) FROM runs l WHERE l.year = r.year AND l.department = r.department);
CREATE VIEW current_projects AS
    SELECT r.year, r.department, p.* FROM projects p JOIN latest_runs r ON p.run_id = r.run_id;
CREATE VIEW current_indicators AS
    SELECT r.year, r.department, i.* FROM indicators i JOIN latest_runs r ON i.run_id = r.run_id;
"""

#: SQL that brings a store of version ``v`` to ``v + 1``
MIGRATIONS: dict[int, str] = {
    # version 1 did not record where the year came from
    1: f"ALTER TABLE runs ADD COLUMN year_source VARCHAR DEFAULT '{message('history_year', 'unrecorded')}';",
}

#: columns of each table, in order (read from the SQL above, so the two cannot disagree)
def _columns(sql: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for block in sql.split("CREATE TABLE ")[1:]:
        name, body = block.split("(", 1)
        cols = [line.strip().split()[0].strip('"') for line in body.strip().splitlines()
                if line.strip() and not line.strip().startswith(")")]
        out[name.strip()] = cols
    return out


COLUMNS = _columns(TABLES_SQL)


def _run(con: Any, sql: str, params: list[Any] | None = None) -> None:
    """Execute a statement whose result is not read (DuckDB 2 wants the result completed)."""
    result = con.execute(sql, params) if params else con.execute(sql)
    complete = getattr(result, "complete", None)
    if complete is not None:
        complete()


def _duckdb():
    try:
        import duckdb
    except ImportError as exc:  # pragma: no cover - duckdb is a declared dependency
        raise HistoryError(message("history_errors", "no_duckdb")) from exc
    return duckdb


def _connect(path: Path, read_only: bool, wait: float):
    """A connection to ``path``; waits while another process holds the file."""
    duckdb = _duckdb()
    deadline = time.monotonic() + wait
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            text = str(exc)
            if "lock" not in text.lower():
                raise HistoryError(message("history_errors", "unreadable", path=path, error=text)) from exc
            if time.monotonic() >= deadline:
                raise HistoryError(message("history_errors", "locked", path=path, wait=wait)) from exc
            time.sleep(0.2)
        except duckdb.Error as exc:
            raise HistoryError(message("history_errors", "cannot_open", path=path, error=exc)) from exc


@dataclass
class Store:
    """An open store. Use :func:`open_store` (a context manager)."""

    path: Path
    con: Any
    read_only: bool

    def query(self, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
        return self.con.execute(sql, params or []).df()

    # ---- writing ----------------------------------------------------------------------------
    def add_run(self, year: int, year_source: str, indicators: pd.DataFrame, projects: pd.DataFrame,
                issues: pd.DataFrame, departments: pd.DataFrame | None, provenance: dict[str, Any],
                source: str) -> list[int]:
        """Record one scoring output (one run per department in it); returns the run ids.
        All departments go in one transaction."""
        if self.read_only:
            raise HistoryError(message("history_errors", "read_only", path=self.path))
        depts = _departments(indicators, projects)
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        prov = provenance or {}
        ind_all = _indicator_rows(indicators)
        proj_all = _project_rows(projects)
        iss_all = _issue_rows(issues)
        _run(self.con, "BEGIN TRANSACTION")
        try:
            first = int(self.con.execute("SELECT COALESCE(MAX(run_id), 0) FROM runs").fetchall()[0][0]) + 1
            run_of = {d: first + k for k, d in enumerate(depts)}
            dep_of_pid = _dept_of_project(projects)
            if len(iss_all) and "department" in issues and issues["department"].notna().any():
                iss_dept = pd.Series(_text(issues["department"].reset_index(drop=True))).fillna(depts[0])
            else:
                iss_dept = iss_all["project_id"].map(dep_of_pid).fillna(depts[0]) if len(iss_all) else None
            counts_p = proj_all["department"].value_counts() if len(proj_all) else {}
            counts_i = ind_all["department"].value_counts() if len(ind_all) else {}
            rows = []
            for dept, run_id in run_of.items():
                d = _dept_row(departments, dept)
                rows.append({"run_id": run_id, "year": int(year), "year_source": year_source, "department": dept,
                             "rule_pack": prov.get("rule_pack"), "rule_pack_version": prov.get("rule_pack_version"),
                             "rule_pack_sha256": prov.get("rule_pack_sha256"),
                             "engine_version": prov.get("engine_version", __version__),
                             "targets_file": prov.get("targets"), "targets_sha256": _sha(prov, "targets"),
                             "actuals_file": prov.get("actuals"), "actuals_sha256": _sha(prov, "actuals"),
                             "source": source, "recorded_at": now,
                             "score": d.get("score"), "score_min": d.get("score_min"), "score_max": d.get("score_max"),
                             "grade": d.get("grade") or None, "n_projects": int(counts_p.get(dept, 0)),
                             "n_indicators": int(counts_i.get(dept, 0))})
            self._insert("runs", pd.DataFrame(rows))
            # every department's rows in one statement each: run ids by department
            self._insert("projects", proj_all.assign(run_id=proj_all["department"].map(run_of).to_numpy()))
            self._insert("indicators", ind_all.assign(run_id=ind_all["department"].map(run_of).to_numpy()))
            if len(iss_all):
                self._insert("issues", iss_all.assign(run_id=pd.Series(iss_dept).map(run_of).to_numpy()))
            _run(self.con, "COMMIT")
        except BaseException:
            _run(self.con, "ROLLBACK")
            raise
        run_ids = list(run_of.values())
        return run_ids

    def _insert(self, table: str, frame: pd.DataFrame) -> None:
        cols = COLUMNS[table]
        frame = pd.DataFrame({c: frame[c] if c in frame else None for c in cols})
        self.con.register("_frame", frame)
        try:
            names = ", ".join(f'"{c}"' for c in cols)
            _run(self.con, f"INSERT INTO {table} ({names}) SELECT {names} FROM _frame")
        finally:
            try:
                self.con.unregister("_frame")
            except Exception:  # noqa: BLE001 - an aborted transaction refuses it; the insert's own error is raised
                pass

    # ---- reading ----------------------------------------------------------------------------
    def years(self, department: str | None = None) -> list[int]:
        sql = "SELECT DISTINCT year FROM latest_runs" + (" WHERE department = ?" if department else "") + " ORDER BY year"
        return [int(y) for (y,) in self.con.execute(sql, [department] if department else []).fetchall()]

    def departments(self) -> list[str]:
        return [d for (d,) in self.con.execute("SELECT DISTINCT department FROM latest_runs ORDER BY department").fetchall()]

    def indicators_of(self, department: str, year: int) -> pd.DataFrame:
        """The current indicators of a department in a year (its latest run)."""
        return self.query("SELECT i.*, r.recorded_at FROM indicators i JOIN latest_runs r ON i.run_id = r.run_id "
                          "WHERE r.department = ? AND r.year = ?", [department, int(year)])

    def trend(self, department: str) -> pd.DataFrame:
        """Every year's current value of every indicator of a department: the trend query."""
        return self.query("SELECT r.year, i.indicator_key, i.project, i.name, i.actual_value, i.points, "
                          "i.weight_points, i.status, i.target_text FROM indicators i "
                          "JOIN latest_runs r ON i.run_id = r.run_id WHERE r.department = ? "
                          "ORDER BY i.indicator_key, r.year", [department])


def _sha(prov: dict[str, Any], role: str) -> str | None:
    if prov.get(f"{role}_sha256"):
        return prov[f"{role}_sha256"]
    for item in prov.get("inputs", []) or []:
        if item.get("role") == role:
            return item.get("sha256")
    return None


def _text(s: pd.Series) -> np.ndarray:
    """Text cells as Python strings, missing and empty cells as NULL."""
    arr = s.astype(object).where(s.notna(), None).to_numpy(dtype=object, copy=True)
    if pd.api.types.infer_dtype(arr, skipna=True) not in ("string", "empty"):
        arr = np.array([v if v is None or isinstance(v, str) else str(v) for v in arr], dtype=object)
    arr[arr == ""] = None
    return arr


def _num(frame: pd.DataFrame, col: str) -> Any:
    return pd.to_numeric(frame[col], errors="coerce") if col in frame else np.nan


def _departments(indicators: pd.DataFrame, projects: pd.DataFrame) -> list[str]:
    seen = []
    for frame in (projects, indicators):
        if "department" in frame:
            seen += [str(d) for d in texts(frame["department"]).unique()]
    out = list(dict.fromkeys(seen)) or [""]
    return out


def _dept_of_project(projects: pd.DataFrame) -> dict[str, str]:
    if "department" not in projects or "project_id" not in projects:
        return {}
    return dict(zip(projects["project_id"].astype(str), texts(projects["department"])))


def _dept_row(departments: pd.DataFrame | None, dept: str) -> dict[str, Any]:
    if departments is None or not len(departments) or "department" not in departments:
        return {}
    hit = departments[texts(departments["department"]) == dept]
    if not len(hit):
        return {}
    row = hit.iloc[0].to_dict()
    return {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in row.items()}


def _compiled(target: Any) -> str | None:
    to_dict = getattr(target, "to_dict", None)
    if to_dict is None:
        return None if target is None or (isinstance(target, float) and np.isnan(target)) else json.dumps(
            {"canonical": str(target)}, ensure_ascii=False)
    return json.dumps(to_dict(), ensure_ascii=False, sort_keys=True)


def _indicator_rows(ind: pd.DataFrame) -> pd.DataFrame:
    n = len(ind)
    target = ind["target"] if "target" in ind else pd.Series([None] * n, index=ind.index)
    # compile each distinct target once (a million rows share far fewer targets)
    codes, uniques = pd.factorize(target.map(id) if n and hasattr(target.iloc[0], "to_dict") else target.astype(object))
    first = pd.Series(np.arange(n)).groupby(codes).first().to_numpy() if n else np.array([], dtype=int)
    compiled = np.array([_compiled(target.iloc[i]) for i in first], dtype=object)
    out = pd.DataFrame({
        "department": texts(ind["department"]) if "department" in ind else "",
        "project_id": _text(ind["project_id"]) if "project_id" in ind else None,
        "project": _text(ind["project"]) if "project" in ind else None,
        "indicator_key": indicator_keys(ind),
        "indicator_no": pd.to_numeric(ind.get("indicator_no"), errors="coerce").astype("Int64") if "indicator_no" in ind else None,
        "level1": _text(ind["level1"]) if "level1" in ind else None,
        "level2": _text(ind["level2"]) if "level2" in ind else None,
        "name": _text(ind["name"]) if "name" in ind else None,
        "block": _text(ind["block"]) if "block" in ind else None,
        "target_text": _text(ind["target_text"]) if "target_text" in ind else None,
        "target_kind": _text(ind["kind"]) if "kind" in ind else None,
        "target_compiled": compiled[codes[codes >= 0]] if n and (codes >= 0).all() else
        [compiled[c] if c >= 0 else None for c in codes],
        "actual_text": _text(ind["actual_text"]) if "actual_text" in ind else None,
        "actual_value": _num(ind, "actual_value"), "target_value": _num(ind, "target_value"),
        "weight_points": _num(ind, "weight_points"), "points": _num(ind, "points"),
        "status": _text(ind["status"]) if "status" in ind else None,
        "rule": _text(ind["rule"]) if "rule" in ind else None,
        "explanation": _text(ind["explanation"]) if "explanation" in ind else None,
    }, index=ind.index)
    return out.reset_index(drop=True)


def _project_rows(projects: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({"department": texts(projects["department"]) if "department" in projects else ""},
                       index=projects.index)
    for c in ("project_id", "project_code", "project", "grade", "status"):
        out[c] = _text(projects[c]) if c in projects else None
    out["project_key"] = project_keys(projects)
    for c in COLUMNS["projects"]:
        if c not in out and c != "run_id":
            out[c] = _num(projects, c)
    return out.reset_index(drop=True)


def _issue_rows(issues: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=issues.index)
    for c in COLUMNS["issues"]:
        if c != "run_id":
            out[c] = _text(issues[c]) if c in issues else None
    return out.reset_index(drop=True)


def _version(con: Any) -> int | None:
    tables = {t for (t,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    if "schema_version" not in tables:
        if tables & {"runs", "indicators"}:
            return 0
        return None
    row = con.execute("SELECT MAX(version) FROM schema_version").fetchall()[0]
    return int(row[0]) if row and row[0] is not None else 0


def _prepare(con: Any, path: Path, read_only: bool) -> None:
    """Create the schema in a new file; migrate an older one; refuse one newer or unknown."""
    version = _version(con)
    if version == SCHEMA_VERSION:
        return
    if version is None:
        if read_only:
            raise HistoryError(message("history_errors", "empty", path=path))
        _run(con, "BEGIN TRANSACTION")
        _run(con, TABLES_SQL)
        _run(con, VIEWS_SQL)
        _run(con, "INSERT INTO schema_version VALUES (?, ?, ?)",
             [SCHEMA_VERSION, __version__, datetime.now(timezone.utc).replace(tzinfo=None)])
        _run(con, "COMMIT")
        return
    if version == 0:
        raise HistoryError(message("history_errors", "not_a_store", path=path))
    if version > SCHEMA_VERSION:
        raise HistoryError(message("history_errors", "too_new", path=path, version=version, known=SCHEMA_VERSION))
    if read_only:
        raise HistoryError(message("history_errors", "needs_upgrade", path=path, version=version, known=SCHEMA_VERSION))
    _run(con, "BEGIN TRANSACTION")
    try:
        for v in range(version, SCHEMA_VERSION):
            _run(con, MIGRATIONS[v])
        # views are re-created so they see the new columns
        for view in ("current_indicators", "current_projects", "latest_runs"):
            _run(con, f"DROP VIEW IF EXISTS {view}")
        _run(con, VIEWS_SQL)
        _run(con, "INSERT INTO schema_version VALUES (?, ?, ?)",
             [SCHEMA_VERSION, __version__, datetime.now(timezone.utc).replace(tzinfo=None)])
        _run(con, "COMMIT")
    except BaseException:
        _run(con, "ROLLBACK")
        raise


@contextmanager
def open_store(path: str | Path, write: bool = False, wait: float = DEFAULT_WAIT) -> Iterator[Store]:
    """Open (``write``: create or migrate) the store at ``path``."""
    path = Path(path)
    if not write and not path.is_file():
        raise HistoryError(message("history_errors", "missing", path=path))
    if path.is_dir():
        raise HistoryError(message("history_errors", "is_folder", path=path))
    con = _connect(path, read_only=not write, wait=wait)
    try:
        _prepare(con, path, read_only=not write)
        yield Store(path=path, con=con, read_only=not write)
    finally:
        con.close()
