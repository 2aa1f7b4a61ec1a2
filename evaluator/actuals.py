"""The actuals file (实际完成值表): writing the template, reading it back.

``write_template(table, "actuals.xlsx")`` writes one row per indicator (with the target
as read-only context) and one row per project for 全年预算数 / 全年执行数; a ``.csv``
template holds both kinds of rows, told apart by the 行类型 column.
``read_actuals(path, table)`` reads it back (CSV in UTF-8 or GBK, xlsx), matches every
row to an indicator or project and reports unmatched, duplicate and missing rows as issues.
"""
from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .frames import Codes, distinct_map, factorize_objects, ordered_codes, texts
from .issues import ISSUE_COLUMNS, InputError, Issue, issue_message, issues_frame, issues_table
from .safety import neutralize_cell, neutralize_frame
from .values import vocabulary
from .wording import message, messages

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
    printed = [c for c in ("table_actual_text", "table_rating_text", "table_prior_text") if c in ind]
    if not printed or not any((texts(ind[c]).str.strip() != "").any() for c in printed):
        return None
    printed_score = texts(ind["table_score_text"]).str.strip()
    # a status word in the 得分 cell (the engine's own report prints 待补/待评, 无法评价 …) says "no score"
    score, bad = _numbers(printed_score.mask(printed_score.isin(list(messages()["status"].values())), ""))
    issues = [Issue("bad_number", "warning",
                    issue_message("bad_number", "table_score", cell=ind["table_score_text"].iat[i]),
                    file=ind["source_file"].iat[i], row=int(ind["source_row"].iat[i]),
                    column=message("actuals_labels", "table_score_column"),
                    project_id=ind["project_id"].iat[i], indicator_no=int(ind["indicator_no"].iat[i]),
                    cell=str(ind["table_score_text"].iat[i])) for i in np.flatnonzero(bad)]

    def text(name: str) -> Any:  # a column the reader may not give (older tables): empty
        return texts(ind[name]).str.strip() if name in ind else ""

    frame = pd.DataFrame({"project_id": ind["project_id"], "indicator_no": ind["indicator_no"].astype(int),
                          "actual_text": text("table_actual_text"),
                          "prior_text": text("table_prior_text"), "rating": text("table_rating_text"), "note": "",
                          "self_score": score,
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


_BRACKETED = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]")


@functools.lru_cache(maxsize=4096)
def header_key(text: str) -> str | None:
    """The canonical key a header names: one of its spellings, the same with a note in brackets dropped
    (「实际完成值（含单位）」, 「执行数（万元）」), else the first of ``[header_patterns]`` it matches."""
    aliases = _alias_map()
    key = aliases.get(_norm(text))
    if key is None:
        head = _norm(_BRACKETED.sub("", str(text)))
        key = aliases.get(head)
        if key is None and head:
            for name, patterns in vocabulary().get("header_patterns", {}).items():
                if any(re.search(p, head) for p in patterns):
                    return name
    return key


# --- template ---------------------------------------------------------------
def _indicator_rows(table: Any) -> pd.DataFrame:
    ind = table.indicators
    get = lambda c: _plain(ind[c]) if c in ind else ""  # noqa: E731
    return pd.DataFrame({header("project_id"): get("project_id"), header("project"): get("project"),
                         header("indicator_no"): pd.to_numeric(get("indicator_no")).astype("Int64").astype(str),
                         header("level1"): get("level1"),
                         header("level2"): get("level2"), header("name"): get("name"),
                         header("target_text"): get("target_text"),
                         **{header(k): "" for k in ("actual_text", "prior_text", "rating", "self_score", "note")}})


def _plain(column: pd.Series) -> pd.Series:
    """A column of the tables as plain values, for the template: a new table whose empty cells are filled
    in (a column the reader hands on coded, a categorical, takes no value it does not hold)."""
    return column.astype(object) if isinstance(column.dtype, pd.CategoricalDtype) else column


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
#: a sheet read: its name, its text columns under canonical keys, each coded (``_row``: the Excel/line
#: row number, as ints), and the header each key was found under
_SheetColumns = tuple[str | None, dict[str, Any], dict[str, str]]


def _sheet_frames(path: Path, found: list[Issue] | None = None) -> list[_SheetColumns]:
    """Each sheet as text columns (:class:`Codes`: codes into the column's distinct texts) under
    canonical keys, with the row number in ``_row`` (ints).

    A text table comes with its columns coded (:attr:`Grid.coded`): the codes are kept, not the texts
    decoded and coded again.
    Files are opened by the same loader as target tables (encodings, Excel safety limits,
    control characters); a text table comes column-wise (:func:`load_text_grid`). The header
    is the first row that names a known column; rows empty under the header are dropped.
    The reader's issues (control characters, hidden sheets, formulas without values…), unknown
    and repeated columns are appended to ``found``.
    """
    from .readers.io import Grid, column_letter, load_rows, load_text_grid

    found = [] if found is None else found
    grid = load_text_grid(path)
    if grid is not None:
        sheets = [(None, grid)]
        found.extend(grid.issues)
    else:
        loaded = load_rows(path)
        sheets = [(s.name, Grid.from_rows(s.rows, loaded.encoding or "", ())) for s in loaded.sheets]
        found.extend(loaded.issues)
    aliases = _alias_map()
    out = []
    for name, grid in sheets:
        if name == vocabulary()["template"]["readme_sheet"] or not len(grid.numbers):
            continue
        head_at = _header_row(grid, aliases)
        if head_at is None:
            continue
        head = grid.rows(head_at, head_at + 1)[0].cells
        first: dict[str, int] = {}  # a header repeated: the first column of that name is read
        for j, h in enumerate(head):
            first.setdefault(h or message("actuals_labels", "unnamed_column", number=j + 1), j)
        body = grid.cells[head_at + 1:]
        keep = _filled_rows(body, grid.lengths[head_at + 1:], list(first.values()), len(head))
        mapping = _canonical_columns(list(first))
        row = int(grid.numbers[head_at])
        for h, j in first.items():
            if h in mapping or not head[j]:
                continue
            key = header_key(h)
            if key is not None:
                earlier = next(k for k, v in mapping.items() if v == key)
                found.append(Issue("duplicate_column", "warning",
                                   issue_message("duplicate_column", "actuals", header=h, first=earlier),
                                   file=path.name, sheet=name, row=row, column=column_letter(j), cell=h))
            else:
                found.append(Issue("unknown_column", "info", issue_message("unknown_column", "actuals", header=h),
                                   file=path.name, sheet=name, row=row, column=column_letter(j), cell=h))
        every = bool(keep.all())
        coded = grid.column_codes(slice(head_at + 1, None))

        def column(j: int) -> Codes:
            if coded is None:
                return Codes(*factorize_objects(body[:, j] if every else body[keep, j]))
            codes, texts = coded[j]
            return Codes(codes if every else codes[keep], texts)

        columns: dict[str, Any] = {mapping.get(h, h): column(j) for h, j in first.items()}
        n = int(np.count_nonzero(keep))
        for key in set(IND_KEYS) | set(PROJ_KEYS) | {"kind"}:
            if key not in columns:
                columns[key] = Codes(np.zeros(n, dtype=np.intp), np.array([""], dtype=object))
        columns["_row"] = grid.numbers[head_at + 1:][keep]
        out.append((name, columns, {v: k for k, v in mapping.items()}))
    if not out:
        raise InputError(issue_message("no_header", "actuals"), file=str(path), code="no_header")
    return out


def _header_row(grid: Any, aliases: dict[str, str], chunk: int = 64) -> int | None:
    """Index of the first row naming a known column (rows made into :class:`Row` objects a chunk at a time)."""
    for start in range(0, len(grid.numbers), chunk):
        for i, r in enumerate(grid.rows(start, start + chunk), start=start):
            if any(_norm(c) in aliases for c in r.cells):
                return i
            if any(header_key(c) for c in r.cells if c and len(c) <= 30) and \
                    sum(bool(header_key(c)) for c in r.cells if c and len(c) <= 30) >= 2:
                return i
    return None


def _filled_rows(body: np.ndarray, lengths: np.ndarray, columns: list[int], width: int) -> np.ndarray:
    """Mask of the rows with a non-empty cell in one of ``columns`` (the header's columns, < ``width``)."""
    if columns != list(range(width)):
        return (body[:, columns] != "").any(axis=1) if columns else np.zeros(len(body), dtype=bool)
    keep = lengths > 0  # a cell up to the row's length is filled; only rows longer than the header need a look
    wide = np.flatnonzero(lengths > width)
    if len(wide):
        keep[wide] = (body[wide, :width] != "").any(axis=1)
    return keep


def _canonical_columns(names: list[str]) -> dict[str, str]:
    """Header → canonical key for the headers that name one (the first header naming a key wins)."""
    mapping: dict[str, str] = {}
    for col in names:
        key = header_key(col)
        if key and key not in mapping.values():
            mapping[col] = key
    return mapping


_NUMBER_NOISE = re.compile(r"[,，\s]|万元|元|分$")


def _numbers(texts: Any) -> tuple[np.ndarray, np.ndarray]:
    """Cells (texts, or :class:`Codes` of them) → numbers (NaN where empty) and a mask of cells that are not numbers.

    Each distinct text is parsed once (a column repeats few values); an empty column costs one scan.
    """
    if isinstance(texts, Codes):  # the distinct texts present in these rows (the dtype follows them)
        present = np.flatnonzero(np.bincount(texts.codes, minlength=len(texts.uniques)))
        number = np.zeros(len(texts.uniques), dtype=np.intp)
        number[present] = np.arange(len(present))
        codes, uniques = number.take(texts.codes), texts.uniques.take(present)
    else:
        texts = np.asarray(texts, dtype=object)
        if len(texts) and not texts.any():  # all "" (or None)
            return np.full(len(texts), np.nan), np.zeros(len(texts), dtype=bool)
        codes, uniques = factorize_objects(texts, use_na_sentinel=False)
    clean = pd.Series(uniques, dtype=object).fillna("").astype(str)
    values = pd.to_numeric(clean, errors="coerce")  # a text parsed as it is holds no noise but at its ends
    if ((clean != "") & values.isna()).any():  # noise (thousands separators, 元, 分, spaces) taken out
        clean = clean.str.replace(_NUMBER_NOISE, "", regex=True)
        values = pd.to_numeric(clean, errors="coerce")
    bad = (clean != "") & values.isna()
    return values.to_numpy()[codes], bad.to_numpy()[codes]


def _money_units() -> list[str]:
    """The money units a funds cell or header may name (``[money] units`` of actuals.toml), longest first."""
    return sorted(vocabulary()["money"]["units"], key=len, reverse=True)


@functools.cache
def _money_factor(unit: str) -> float:
    """The factor from a money unit to the unit of the actuals file (``[money] file_unit``), from the unit registry."""
    from .units import conversion_factor

    factor = conversion_factor(unit, None, vocabulary()["money"]["file_unit"], None)
    if factor is None:
        raise ValueError(f"actuals.toml [money]: {unit!r} is not a money unit of data/units.txt")
    return factor


_MONEY_UNIT = "|".join(map(re.escape, _money_units()))
#: a funds cell: an amount, a money unit at most
_MONEY_CELL = re.compile(r"\s*([-+]?[\d,，\s]*\.?\d+)\s*(" + _MONEY_UNIT + r")?\s*")
#: a money unit in a header's brackets: 执行数（元）
_MONEY_HEADER = re.compile(r"[（(]\s*(" + _MONEY_UNIT + r")\s*[）)]")


#: a money cell as it is mostly written: digits with a decimal point at most (no sign, unit or separator)
_PLAIN_AMOUNT = re.compile(r"[0-9]*\.?[0-9]+")


def _money(texts: Any, header_text: str = "") -> tuple[np.ndarray, np.ndarray]:
    """Money cells → 万元 and, per cell, why it could not be read (None when read or empty).

    A unit written in the cell (265000元) or in the header's brackets (执行数（元）) is converted; a
    space is a thousands separator only between groups of three digits; a negative, infinite or
    non-numeric amount is refused (never points). Each distinct cell is read once, a plain amount
    (digits and a decimal point) by one conversion of all of them.
    """
    head = _MONEY_HEADER.search(header_text or "")
    default = _money_factor(head.group(1)) if head else 1.0
    if isinstance(texts, Codes):
        codes, uniques = texts.codes, texts.uniques
    else:
        codes, uniques = factorize_objects(texts, use_na_sentinel=False)
    listed = uniques.tolist()
    plain = _plain_amounts(listed)
    values = np.full(len(listed), np.nan)
    values[plain] = np.array(uniques[plain], dtype=float) * default  # float() of each text
    why = np.empty(len(listed), dtype=object)
    for k in np.flatnonzero(~plain | np.isinf(values)).tolist():  # the rest (and amounts too long for a float)
        values[k], why[k] = _money_cell(listed[k], default)
    return values.take(codes), why.take(codes)


def _plain_amounts(listed: list[Any]) -> np.ndarray:
    """Mask of the texts that are plain amounts (:data:`_PLAIN_AMOUNT`: ASCII digits, one decimal point at
    most, a digit last), told from the characters of all the texts at once."""
    if pd.api.types.infer_dtype(listed, skipna=False) != "string":  # not only texts: one at a time
        match = _PLAIN_AMOUNT.fullmatch
        return np.fromiter((type(t) is str and match(t) is not None for t in listed), dtype=bool, count=len(listed))
    lengths = np.fromiter(map(len, listed), dtype=np.int64, count=len(listed))
    chars = np.frombuffer("".join(listed).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    digit = (chars >= ord("0")) & (chars <= ord("9"))
    dot = chars == ord(".")
    ends = np.cumsum(lengths)
    starts = ends - lengths

    def per_text(mask: np.ndarray) -> np.ndarray:  # how many characters of each text are in the mask
        running = np.concatenate(([0], np.cumsum(mask)))
        return running[ends] - running[starts]

    last_digit = np.append(digit, False)[np.where(lengths > 0, ends - 1, len(chars))]
    return last_digit & (per_text(~(digit | dot)) == 0) & (per_text(dot) <= 1)


def _money_cell(text: Any, default: float) -> tuple[float, str | None]:
    """One money cell in 万元 (NaN when empty or refused) and why it was refused."""
    cell = "" if text is None else str(text).strip()
    if not cell:
        return math.nan, None
    m = _MONEY_CELL.fullmatch(cell)
    number = m.group(1) if m else ""
    if m and re.search(r"\d\s+\d", number):
        number = _spaced(number)
    try:
        v = float(number.replace(",", "").replace("，", "")) if number else math.nan
    except ValueError:
        v = math.nan
    if math.isnan(v):
        return math.nan, issue_message("bad_number", "not_a_number", cell=cell)
    if not math.isfinite(v):
        return math.nan, issue_message("bad_number", "not_finite", cell=cell)
    if v < 0:
        return math.nan, issue_message("bad_number", "negative_money", cell=cell)
    return v * (_money_factor(m.group(2)) if m.group(2) else default), None


def _spaced(number: str) -> str:
    from .values import _spaced_number

    return _spaced_number(number) or ""


def _take(values: Any, rows: np.ndarray) -> Any:
    """``values[rows]`` (an array or :class:`Codes`) for ascending distinct ``rows``; ``values`` itself when
    that is every row."""
    if len(rows) == len(values.codes if isinstance(values, Codes) else values):
        return values
    return values.take(rows) if isinstance(values, Codes) else values[rows]


def _texts(column: Codes, rows: np.ndarray | None = None) -> np.ndarray:
    """The texts of a coded column (of its ``rows``) as an object array."""
    return column.uniques.take(column.codes if rows is None else column.codes[rows])


def _empty(column: Codes, rows: np.ndarray) -> np.ndarray:
    """Mask of the ``rows`` whose cell is empty (decided once per distinct text)."""
    return (column.uniques == "").take(column.codes[rows])


#: :func:`_row_kinds`: the kinds of row
_INDICATOR, _PROJECT = 0, 1


def _row_kinds(cols: dict[str, Any], rows: np.ndarray, sheet: str | None) -> np.ndarray:
    """:data:`_PROJECT` or :data:`_INDICATOR` per row: by the 行类型 column, else a row with money but no
    indicator is a project's."""
    types = vocabulary()["row_types"]
    if sheet == vocabulary()["template"]["project_sheet"]:
        return np.full(len(rows), _PROJECT, dtype=np.int8)
    given = cols["kind"]
    named = np.array([_PROJECT if t in types["project"] else _INDICATOR if t in types["indicator"] else -1
                      for t in given.uniques.tolist()], dtype=np.int8)
    kind = named.take(given.codes[rows])
    unnamed = np.flatnonzero(kind < 0)
    if len(unnamed):
        at = rows[unnamed]
        money_only = (_empty(cols["indicator_no"], at) & _empty(cols["name"], at)
                      & ~(_empty(cols["budget"], at) & _empty(cols["spent"], at)))
        kind[unnamed] = np.where(money_only, _PROJECT, _INDICATOR)
    return kind


class _Matcher:
    """Finds the project and indicator the rows of the actuals file belong to (whole columns at once).

    Projects are numbered by their position in :attr:`pids` (the target table's project ids
    first); a (project, indicator number) pair is one integer key: the project's number times
    the count of distinct indicator numbers, plus the number's position in :attr:`nos`.
    """

    def __init__(self, table: Any):
        self.table = table
        ind = table.indicators
        coded = ordered_codes(ind["project_id"])  # handed on coded by the reader: ids as texts already
        self.keys = pd.DataFrame({"project_id": ind["project_id"] if coded else ind["project_id"].astype(str),
                                  "indicator_no": pd.to_numeric(ind["indicator_no"]).astype(int),
                                  "ind_name": ind["name"]}, copy=False)  # stripped where used; read only
        ids = pd.unique(table.projects["project_id"].astype(str).to_numpy())
        self.n_ids = len(ids)
        # the project ids, then those only indicators name, numbered in one pass (ids are distinct: 0 … n_ids-1)
        if coded is not None and coded[0].min() >= 0:  # the same, once per distinct id of the indicators
            codes, pids = factorize_objects(np.concatenate((ids, coded[1])))
            codes = np.concatenate((codes[:len(ids)], codes[len(ids):].take(coded[0])))
        else:
            codes, pids = factorize_objects(np.concatenate((ids, self.keys["project_id"].to_numpy())))
        self.pids = pd.Index(pids, dtype=object)
        #: the project ids by number
        self.ids = np.asarray(pids, dtype=object)
        #: each indicator's project number
        self.project_of = codes[len(ids):]
        self.nos = pd.Index(pd.unique(self.keys["indicator_no"].to_numpy()))
        self.known = self._pair(self.project_of, self.keys["indicator_no"].to_numpy())
        self.known_index = pd.Index(self.known)

    def _pair(self, project: np.ndarray, no: np.ndarray) -> np.ndarray:
        """The key of each (project number, indicator number) pair; -1 where the number is unknown."""
        n = self.nos.get_indexer(no)
        return np.where(n >= 0, project.astype(np.int64) * len(self.nos) + n, -1)

    @functools.cached_property
    def _project_names(self) -> tuple[dict[str, str], dict[str, int]]:
        """Project name → its id where the name is the name of one project; name → how many projects have it."""
        names = self.table.projects["project"]
        counts = names.value_counts(dropna=True, sort=False).to_dict()
        return ({n: i for n, i in zip(names.tolist(), self.table.projects["project_id"].tolist()) if counts.get(n) == 1},
                counts)

    @functools.cached_property
    def _target_names(self) -> tuple[np.ndarray, np.ndarray]:
        """Each indicator's project number and name (stripped), for matching by name."""
        return self.project_of, self.keys["ind_name"].astype(str).str.strip().to_numpy()

    def _by_name(self, code: np.ndarray, names: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For indicators named ``names`` in projects numbered ``code``: the position in the table where
        the name is unique in the project (else -1), and whether the project has the name more than once."""
        project, target = self._target_names
        name_code, _ = factorize_objects(np.concatenate((target, names)), use_na_sentinel=False)
        n = int(name_code.max(initial=0)) + 1
        keys = project.astype(np.int64) * n + name_code[:len(target)]  # (project, name) as one integer
        asked = code.astype(np.int64) * n + name_code[len(target):]
        repeated = pd.Series(keys).duplicated(keep=False).to_numpy()
        unique = np.flatnonzero(~repeated)
        at = pd.Index(keys[unique]).get_indexer(asked)
        position = unique.take(np.maximum(at, 0)) if len(unique) else np.zeros(len(at), dtype=np.int64)
        return np.where(at >= 0, position, -1), np.isin(asked, keys[repeated])

    def projects(self, given: Codes, names: Codes) -> tuple[np.ndarray, _Unmatched]:
        """Project number per row (-1 where unmatched), and why not for the unmatched rows; a matched
        row's project id is ``ids[number]``.

        The id given must be in the table's projects, else the name must name exactly one.
        """
        known = self.pids.get_indexer(given.uniques)  # once per distinct id
        known[known >= self.n_ids] = -1  # the id of indicators without a project row is not a project
        code = known.take(given.codes)
        why: list[str] = []
        unknown = np.flatnonzero(code < 0)
        if not len(unknown):
            return code, (unknown, why)
        unique_name, name_count = self._project_names
        named_as = _texts(names, unknown)
        found = np.array([unique_name.get(name) for name in named_as.tolist()], dtype=object)
        named = found != None  # noqa: E711 - elementwise
        code[unknown[named]] = self.pids.get_indexer(found[named].astype(str))
        failed = unknown[~named]
        for g, name in zip(_texts(given, failed).tolist(), named_as[~named].tolist()):
            n = name_count.get(name, 0)
            why.append(message("actuals_unmatched", "project_name_repeated", name=name, count=n) if n > 1
                       else message("actuals_unmatched", "project_unknown", project=g or name))
        return code, (failed, why)

    def indicators(self, pid: np.ndarray, code: np.ndarray, given_no: Codes, names: Codes
                   ) -> tuple[np.ndarray, np.ndarray, _Unmatched]:
        """Indicator number per row (NaN where unmatched), the pair's position in the table's
        indicators, and why not for the unmatched rows. By number, else by a name unique in the project."""
        no, _ = _numbers(given_no)
        rounded = np.round(no.astype(float))
        whole = np.isfinite(rounded) & (np.abs(rounded) < 2.0 ** 62)
        key = np.full(len(pid), -1, dtype=np.int64)
        key[whole] = self._pair(code[whole], rounded[whole].astype(np.int64))
        at = self.known_index.get_indexer(key)
        result = np.where(at >= 0, rounded, np.nan)
        why: list[str] = []
        rest = np.flatnonzero(at < 0)
        if not len(rest):
            return result, at, (rest, why)
        named_as = _texts(names, rest)
        found, repeated = self._by_name(code[rest], named_as)
        at[rest] = found
        named = found >= 0
        result[rest[named]] = self.keys["indicator_no"].to_numpy()[found[named]]
        failed = rest[~named]
        for p, name, shown, twice in zip(pid[failed].tolist(), named_as[~named].tolist(),
                                         _texts(given_no, failed).tolist(), repeated[~named].tolist()):
            why.append(message("actuals_unmatched", "indicator_name_repeated", name=name, project=p) if twice
                       else message("actuals_unmatched", "indicator_unknown", project=p, indicator=shown or name))
        return result, at, (failed, why)


@functools.cache
def _no_issues() -> pd.DataFrame:
    """The empty issues table (copied for each use)."""
    return issues_table({}, 0)


#: the rows that match nothing (positions, ascending) and why not, one text each
_Unmatched = tuple[np.ndarray, list[str]]


class _Issues:
    """Issues found many at a time, kept column by column in the order found (for :func:`issues_table`).

    A column is given as a sequence (one value per issue) or as one value for all of them.
    """

    def __init__(self) -> None:
        self.chunks: list[tuple[int, dict[str, Any]]] = []

    def add(self, code: str, severity: str, message: list[str], **columns: Any) -> None:
        if len(message):
            self.chunks.append((len(message), {"code": code, "severity": severity, "message": message, **columns}))

    def frame(self) -> pd.DataFrame:
        n = sum(k for k, _ in self.chunks)
        if not n:
            return _no_issues().copy()
        columns: dict[str, np.ndarray] = {}
        for name in ISSUE_COLUMNS:
            parts = []
            for k, chunk in self.chunks:
                v = chunk.get(name)
                if v is None or isinstance(v, str):
                    part = np.empty(k, dtype=object)
                    part.fill(v)
                else:
                    part = v.astype(object) if isinstance(v, np.ndarray) else np.array(v, dtype=object)
                parts.append(part)
            columns[name] = np.concatenate(parts)
        for name in ("row", "indicator_no"):  # whole numbers: as floats (None as NaN), made Int64 at once
            as_float = columns[name].astype(float)  # (None → NaN)
            if not (np.abs(as_float) >= 2.0 ** 53).any():  # exact as floats
                columns[name] = as_float
        return issues_table(columns, n)


def read_actuals(path: str | Path, table: Any) -> Actuals:
    """Read a filled actuals file and match it to the target table."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        from .readers.io import refuse_special

        refuse_special(path)  # a FIFO or device: refused, never opened (it would block)
    if not path.is_file():
        raise InputError(issue_message("file_missing", "actuals"), file=str(path), code="file_missing")
    matcher = _Matcher(table)
    issues = _Issues()
    ind_parts, at_parts, proj_parts = [], [], []
    read_issues: list[Issue] = []
    sheets = _sheet_frames(path, read_issues)
    # the table and its actuals share a base name (部门.csv in two folders): messages name the full path
    name = str(path) if path.name == Path(str(getattr(table, "source", "") or "")).name else path.name
    for found in read_issues:
        issues.add(found.code, found.severity, [found.message],
                   **{k: [name if k == "file" and getattr(found, k) == path.name else getattr(found, k)]
                      for k in ISSUE_COLUMNS if k not in ("code", "severity", "message")})
    _require_actual_column(path, sheets)
    for sheet, cols, shown in sheets:
        where = dict(file=name, sheet=sheet)
        code, (failed, why) = matcher.projects(cols["project_id"], cols["project"])
        issues.add("actual_unmatched", "error", _unmatched(why), column=shown.get("project", header("project")),
                   cell=_texts(cols["project"], failed), row=cols["_row"][failed], **where)
        cols = {**cols, "_code": code}
        rows = np.flatnonzero(code >= 0)  # the matched rows
        kinds = _row_kinds(cols, rows, sheet)
        proj_parts.append(_project_rows_read(cols, rows[kinds == _PROJECT], matcher, shown, where, issues))
        part, at = _indicator_rows_read(cols, rows[kinds == _INDICATOR], matcher, shown, where, issues)
        ind_parts.append(part)
        at_parts.append(at)
    ind = ind_parts[0] if len(ind_parts) == 1 else pd.concat(ind_parts, ignore_index=True)
    at = np.concatenate(at_parts)  # each row's (project, indicator) pair, as its position in the table
    first = ~pd.Series(at).duplicated(keep="first").to_numpy()
    if not first.all():
        _duplicates(ind, first, at, issues)
        ind, at = ind[first].reset_index(drop=True), at[first]
    seen = np.zeros(len(matcher.known), dtype=bool)
    seen[at] = True
    keys = matcher.keys
    missing = np.flatnonzero(~seen)
    issues.add("actual_missing", "warning", [issue_message("actual_missing")] * len(missing),
               file=name, project_id=keys["project_id"].to_numpy()[missing],
               indicator_no=keys["indicator_no"].to_numpy()[missing].astype(np.int64))
    proj = pd.concat(proj_parts, ignore_index=True)
    first_p = ~proj["project_id"].duplicated(keep="first").to_numpy()
    if not first_p.all():
        _duplicates(proj, first_p, factorize_objects(proj["project_id"])[0], issues)
        proj = proj[first_p]
    if ind["indicator_no"].dtype != int:
        ind = ind.astype({"indicator_no": int})
    return Actuals(ind[IND_COLUMNS] if list(ind.columns) != IND_COLUMNS else ind,
                   proj[["project_id", "budget_annual", "spent_annual", "self_execution", "self_total_given",
                         "funds_row"]].reset_index(drop=True),
                   issues.frame(), source=str(path))


def _unmatched(why: list[str]) -> list[str]:
    """The messages of the rows that match nothing, from why not."""
    return [issue_message("actual_unmatched", reason=reason) for reason in why]


def _require_actual_column(path: Path, sheets: list[_SheetColumns]) -> None:
    """Refuse an actuals file none of whose sheets has a column of actual values: every indicator would be
    待补 without a word about why."""
    if any("actual_text" in shown for _, _, shown in sheets):
        return
    headers = [h for _, _, shown in sheets for h in shown.values()]
    names = vocabulary()["headers"]["actual_text"]
    known = "、".join(headers) or message("actuals_errors", "none_known")
    raise InputError(issue_message("missing_actual_column", known=known, names="」「".join(names[:6])),
                     file=str(path), code="missing_actual_column")


def _duplicates(df: pd.DataFrame, first: np.ndarray, key: np.ndarray, issues: _Issues) -> None:
    """A second row for the same indicator (or project funds: ``df`` without ``indicator_no``), with the
    same ``key`` (ints ≥ 0) as an earlier row, is reported and not used."""
    line = df["actual_row" if "indicator_no" in df else "funds_row"].to_numpy()
    first_at = np.zeros(int(key.max()) + 1, dtype=np.int64)
    first_at[key[first]] = np.flatnonzero(first)
    again = np.flatnonzero(~first)
    kept = line[first_at[key[again]]].tolist()
    file, sheet = (df[c].to_numpy()[again] for c in ("actual_file", "actual_sheet"))
    where = dict(file=[f or None for f in file.tolist()], sheet=[s or None for s in sheet.tolist()],
                 row=line[again].astype(np.int64), project_id=df["project_id"].to_numpy()[again])
    if "indicator_no" not in df:
        issues.add("actual_duplicate", "error", [issue_message("actual_duplicate", "funds", row=k) for k in kept],
                   **where)
        return
    no = df["indicator_no"].to_numpy()[again].astype(np.int64)
    issues.add("actual_duplicate", "error",
               [issue_message("actual_duplicate", "indicator" if n else "indicator_row", row=k)
                for k, n in zip(kept, no.tolist())],
               indicator_no=no, column=header("actual_text"), cell=df["actual_text"].to_numpy()[again], **where)


#: the columns of :attr:`Actuals.indicators` read from a file
IND_COLUMNS = ["project_id", "indicator_no", "actual_text", "prior_text", "rating", "note", "self_score",
               "actual_file", "actual_sheet", "actual_row"]


def _indicator_rows_read(cols: dict[str, Any], rows: np.ndarray, matcher: _Matcher, shown: dict[str, str],
                         where: dict[str, Any], issues: _Issues) -> tuple[pd.DataFrame, np.ndarray]:
    """The indicator rows matched (columns :data:`IND_COLUMNS`) and their pairs' positions in the table."""
    code, names, given_no, line = (_take(cols[k], rows) for k in ("_code", "name", "indicator_no", "_row"))
    pid = matcher.ids.take(code)
    no, at, (failed, why) = matcher.indicators(pid, code, given_no, names)
    issues.add("actual_unmatched", "error", _unmatched(why),
               project_id=pid[failed], column=shown.get("indicator_no", header("indicator_no")),
               cell=_texts(given_no, failed), row=line[failed], **where)
    if why:
        ok = np.flatnonzero(~np.isnan(no))
        rows, pid, names, line, no, at = rows[ok], pid[ok], names.take(ok), line[ok], no[ok], at[ok]
    names = _texts(names)
    no = no.astype(int)
    target = matcher.keys["ind_name"].to_numpy()[at]
    differs = np.flatnonzero((names != "") & (names != target))  # compared once more with the target stripped
    if len(differs):
        stripped = matcher._target_names[1][at[differs]]
        other = names[differs] != stripped
        differs, stripped = differs[other], stripped[other]
        worded = distinct_map(lambda g, t: issue_message("actual_name_mismatch", given=g, target=t),
                              names[differs], stripped)  # once per distinct pair of names
        issues.add("actual_name_mismatch", "warning", worded,
                   project_id=pid[differs], indicator_no=no[differs], column=shown.get("name"), cell=names[differs],
                   row=line[differs], **where)
    given_score = _take(cols["self_score"], rows)
    score, bad = _numbers(given_score)
    bad = np.flatnonzero(bad)
    bad_score = _texts(given_score, bad)
    issues.add("bad_number", "warning",
               [issue_message("bad_number", "self_score", cell=g) for g in bad_score.tolist()],
               project_id=pid[bad], indicator_no=no[bad], column=shown.get("self_score"), cell=bad_score,
               row=line[bad], **where)
    return pd.DataFrame({"project_id": pid, "indicator_no": no,
                         **{k: _texts(cols[k], rows) for k in ("actual_text", "prior_text", "rating", "note")},
                         "self_score": score, "actual_file": where["file"], "actual_sheet": where["sheet"],
                         "actual_row": line}, copy=False), at  # columns not consolidated (a copy of each)


def _project_rows_read(cols: dict[str, Any], rows: np.ndarray, matcher: _Matcher, shown: dict[str, str],
                       where: dict[str, Any], issues: _Issues) -> pd.DataFrame:
    pid, line = matcher.ids.take(cols["_code"][rows]), _take(cols["_row"], rows)
    out = {"project_id": pid, "funds_row": line, "actual_file": where["file"], "actual_sheet": where["sheet"]}
    targets = {"budget": "budget_annual", "spent": "spent_annual", "self_execution": "self_execution",
               "self_total": "self_total_given"}
    for key, col in targets.items():
        given = _take(cols[key], rows)
        if key in ("budget", "spent"):  # money: units converted, impossible amounts refused
            values, why = _money(given, shown.get(key, ""))
            bad = np.not_equal(why, None)
            at = np.flatnonzero(bad)
            issues.add("bad_number", "error", why[at].tolist(), project_id=pid[at],
                       column=shown.get(key, header(key)), cell=_texts(given, at), row=line[at], **where)
            out[col] = np.where(bad, np.nan, values).astype(float)
            continue
        values, bad = _numbers(given)
        bad = bad | ~np.isfinite(np.where(np.isnan(values), 0.0, values))
        at = np.flatnonzero(bad)
        cells = _texts(given, at)
        issues.add("bad_number", "error", [issue_message("bad_number", "not_a_number", cell=g) for g in cells.tolist()],
                   project_id=pid[at], column=shown.get(key, header(key)), cell=cells, row=line[at], **where)
        out[col] = np.where(bad, np.nan, values).astype(float)
    return pd.DataFrame(out, copy=False)
