"""How an indicator is recognised across years.

By project code where the table has one (a ``project_code`` column), else by the project and
indicator names folded as the reader folds headers (traditional → simplified, full-width →
half-width, no spaces). The same name twice in one project gets ``#2``, ``#3`` in table order.
A mapping CSV (旧项目,旧指标,新项目,新指标) renames last year's keys to this year's.

>>> indicator_key("  社区矫正 经费", "培训場次")
'社区矫正经费|培训场次'
"""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from ..frames import distinct_map
from ..issues import InputError, issue_message
from ..wording import messages
from ..readers.vocab import fold

SEP = "|"


def indicator_key(project: str, name: str, code: str = "") -> str:
    head = f"code:{fold(code)}" if code else fold(project or "")
    return head + SEP + fold(name or "")


def _texts(frame: pd.DataFrame, col: str) -> np.ndarray:
    if col not in frame:
        return np.full(len(frame), "", dtype=object)
    return frame[col].astype(object).where(frame[col].notna(), "").astype(str).to_numpy(dtype=object)


def _folded(values: np.ndarray) -> np.ndarray:
    """``fold`` of each value, each distinct value folded once."""
    return distinct_map(fold, values) if len(values) else values


def indicator_keys(ind: pd.DataFrame) -> np.ndarray:
    """The cross-year key of each indicator row (vectorised over distinct names)."""
    if not len(ind):
        return np.array([], dtype=object)
    base = pd.Series(_texts(ind, "project_code")).str.strip()
    head = np.where(base != "", "code:" + _folded(base.to_numpy(dtype=object)), _folded(_texts(ind, "project")))
    keys = pd.Series(head, dtype=object) + SEP + _folded(_texts(ind, "name"))
    # the department is part of the row's identity: keys repeat only within one department
    dept = pd.Series(_texts(ind, "department"))
    n = (pd.DataFrame({"d": dept, "k": keys}).groupby(["d", "k"], sort=False).cumcount() + 1).to_numpy()
    out = keys.to_numpy(dtype=object)
    again = n > 1
    if again.any():
        out = out.copy()
        out[again] = out[again] + "#" + n[again].astype(str).astype(object)
    return out


def project_keys(projects: pd.DataFrame) -> np.ndarray:
    if not len(projects):
        return np.array([], dtype=object)
    code = pd.Series(_texts(projects, "project_code")).str.strip()
    proj = pd.Series(_texts(projects, "project"))
    return np.where(code != "", "code:" + code.map(fold), proj.map(fold)).astype(object)


#: the header of the mapping CSV (old project, old indicator, new project, new indicator)
MAPPING_HEADER = tuple(messages()["history_mapping"]["header"])


def read_mapping(path: str | Path | None) -> dict[str, str]:
    """Old key → new key from a CSV with header 旧项目,旧指标,新项目,新指标. A row with 旧指标
    empty renames a whole project (``project|`` prefix); 新指标 empty keeps the indicator name."""
    if not path:
        return {}
    p = Path(path)
    if not p.is_file():
        raise InputError(issue_message("file_missing", "mapping"), file=str(p), code="file_missing")
    out: dict[str, str] = {}
    with p.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    if not rows or tuple(c.strip() for c in rows[0][:4]) != MAPPING_HEADER:
        raise InputError(issue_message("bad_mapping", "header", header=",".join(MAPPING_HEADER)), file=str(p), row=1,
                         code="bad_mapping")
    for n, row in enumerate(rows[1:], start=2):
        row = [c.strip() for c in row] + [""] * 4
        old_p, old_i, new_p, new_i = row[:4]
        if not old_p or not new_p:
            raise InputError(issue_message("bad_mapping", "row", row=n), file=str(p), row=n, code="bad_mapping")
        if old_i:
            out[indicator_key(old_p, old_i)] = indicator_key(new_p, new_i or old_i)
        else:
            out[fold(old_p) + SEP] = fold(new_p) + SEP
    return out


def apply_mapping(keys: pd.Series, mapping: dict[str, str]) -> pd.Series:
    """``keys`` (last year's) renamed by ``mapping``: whole keys first, then project prefixes."""
    if not mapping:
        return keys
    whole = {k: v for k, v in mapping.items() if not k.endswith(SEP)}
    prefixes = {k: v for k, v in mapping.items() if k.endswith(SEP)}

    def one(key: str) -> str:
        base, _, rep = key.partition("#")
        suffix = "#" + rep if rep else ""
        if base in whole:
            return whole[base] + suffix
        head = base.split(SEP, 1)[0] + SEP
        if head in prefixes:
            return prefixes[head] + base[len(head):] + suffix
        return key
    return keys.map(one)
