"""The columns of a target table as the lint rules use them, each worked out once per table.

Every rule of :mod:`evaluator.check` and :mod:`evaluator.read_checks` looks at the same few
indicator columns (project, name, target texts, compiled targets …). :class:`LintColumns`
keeps, per table, each column's object array, its codes and distinct values
(:func:`evaluator.frames.coded`), its truthiness mask and the compiled targets numbered by
object, so a column is factorized once for all the rules, and a rule's per-value work runs
once per distinct value (:meth:`LintColumns.per_distinct`).

A rule takes the :class:`~evaluator.readers.TargetTable` or its :class:`LintColumns`
(``LintColumns.of(table)`` gives the one to use): the rule list runs them all on one.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

import numpy as np
import pandas as pd

from .frames import coded, first_rows, run_starts, values_at
from .wording import messages

if TYPE_CHECKING:  # pragma: no cover
    from .readers.model import TargetTable


class LintColumns:
    """The indicator columns of one table, coded and masked on first use (then kept)."""

    def __init__(self, table: TargetTable):
        self.table = table
        self.ind: pd.DataFrame = table.indicators
        self._arrays: dict[str, np.ndarray] = {}
        self._coded: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._factorized: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._truthy: dict[str, np.ndarray] = {}
        self._targets: tuple[np.ndarray, np.ndarray] | None = None
        self._worked: dict[str, Any] = {}

    @classmethod
    def of(cls, table: TargetTable | LintColumns) -> LintColumns:
        """``table``'s columns: the same object when given one, else new."""
        return table if isinstance(table, cls) else cls(table)

    def __len__(self) -> int:
        return len(self.ind)

    def array(self, column: str) -> np.ndarray:
        """The column as an object array (missing values as the frame holds them)."""
        found = self._arrays.get(column)
        if found is None:
            found = self._arrays[column] = np.asarray(self.ind[column], dtype=object)
        return found

    def at(self, column: str, rows: np.ndarray) -> np.ndarray:
        """``array(column)[rows]`` (``rows``: positions); a categorical column not made whole for it."""
        if column not in self._arrays and isinstance(self.ind[column].dtype, pd.CategoricalDtype):
            return values_at(self.ind[column], rows)
        return self.array(column)[rows]

    def coded(self, column: str) -> tuple[np.ndarray, np.ndarray]:
        """(codes, distinct values) of the column, a missing value a value of its own: the last
        distinct value, None (:func:`evaluator.frames.coded`)."""
        found = self._coded.get(column)
        if found is None:
            values = self.ind[column]
            if column in RUN_COLUMNS and not isinstance(values.dtype, pd.CategoricalDtype):
                found = _coded_by_runs(self.array(column))
            else:  # (a categorical column is taken by its codes)
                found = coded(values)
            self._coded[column] = found
        return found

    def factorized(self, column: str) -> tuple[np.ndarray, np.ndarray]:
        """(codes, distinct values) of the column with missing values coded -1
        (:func:`evaluator.frames.factorize_objects`), from :meth:`coded`."""
        found = self._factorized.get(column)
        if found is None:
            codes, uniques = self.coded(column)
            if _has_missing(uniques):
                codes = np.where(codes == len(uniques) - 1, -1, codes)
                uniques = uniques[:-1]
            found = self._factorized[column] = (codes, uniques)
        return found

    def truthy(self, column: str) -> np.ndarray:
        """``bool(x)`` of every value, as a boolean array ('' and None are false, NaN is true)."""
        found = self._truthy.get(column)
        if found is None:
            dtype = self.ind[column].dtype
            if dtype == bool:
                found = self.ind[column].to_numpy()
            elif column in self._coded or isinstance(dtype, pd.CategoricalDtype):
                # once per distinct value (a categorical's are its categories); the missing ones as they are
                codes, uniques = self.coded(column)
                found = np.array([bool(u) for u in uniques.tolist()], dtype=bool).take(codes)
                if _has_missing(uniques):
                    missing = codes == len(uniques) - 1
                    found[missing] = self.array(column)[missing].astype(bool)
            elif isinstance(dtype, pd.StringDtype) and dtype.na_value is np.nan:
                found = np.asarray(self.array(column) != "", dtype=bool)  # (texts, and NaN: true)
            else:
                found = self.array(column).astype(bool)
            self._truthy[column] = found
        return found

    def truthy_where(self, mask: np.ndarray, column: str) -> np.ndarray:
        """``mask & truthy(column)``, looking at the column only where ``mask`` holds (unless known)."""
        if column in self._truthy:
            return mask & self._truthy[column]
        out = mask.copy()
        rows = np.flatnonzero(mask)
        if len(rows):
            out[rows] = self.array(column)[rows].astype(bool)
        return out

    def all_empty(self, *columns: str) -> np.ndarray:
        """Row mask: is every one of ``columns`` falsy ('' or None) in the row (later columns looked at
        only where the earlier ones are)."""
        out = ~self.truthy(columns[0])
        for column in columns[1:]:
            out &= ~self.truthy_where(out, column)
        return out

    def equals(self, column: str, value: Any) -> np.ndarray:
        """Row mask: is the row's value ``value`` (``Series.isin([value])`` for a text); a text against a
        categorical column by its codes."""
        if isinstance(value, str) and isinstance(self.ind[column].dtype, pd.CategoricalDtype):
            codes, uniques = self.coded(column)
            return codes == _position(uniques, value)
        return np.asarray(self.array(column) == value, dtype=bool)

    def isin(self, column: str, values: tuple) -> np.ndarray:
        """Row mask: is the row's value one of ``values``."""
        out = self.equals(column, values[0])
        for v in values[1:]:
            out |= self.equals(column, v)
        return out

    def per_distinct(self, column: str, fn: Callable[[Any], Any], missing: Any = None,
                     dtype: Any = object) -> np.ndarray:
        """``fn`` of every row's value, called once per distinct value; a missing value gives ``missing``
        (``fn`` is not called for it)."""
        codes, uniques = self.coded(column)
        values = uniques.tolist()
        if _has_missing(uniques):
            out = [fn(u) for u in values[:-1]] + [missing]
        else:
            out = [fn(u) for u in values]
        if dtype is object:  # (one value per element, even a tuple)
            arr = np.fromiter(out, dtype=object, count=len(out))
        else:
            arr = np.array(out, dtype=dtype)
        return arr.take(codes)

    def once(self, name: str, work: Callable[[LintColumns], Any]) -> Any:
        """``work(self)``, worked out once per table for all the rules that ask for ``name``."""
        if name not in self._worked:
            self._worked[name] = work(self)
        return self._worked[name]

    def targets(self) -> tuple[np.ndarray, np.ndarray]:
        """The compiled targets numbered by their text: (codes of ``target_text`` as :meth:`coded` gives
        them, first row of each code). The reader compiles each row's target from its target text (the
        compiler gives one target per distinct text), so the rows of one text share one compiled target:
        numbering the texts, which the rules code anyway, numbers the targets (no target is hashed)."""
        if self._targets is None:
            codes, uniques = self.coded("target_text")
            first = first_rows(self.factorized("target_text")[0])
            if _has_missing(uniques):  # (the missing code is the last: its first row comes last)
                first = np.append(first, np.argmax(codes == len(uniques) - 1))
            self._targets = (codes, first)
        return self._targets


#: columns of a project (or a sheet) that hold one value along runs of rows: a project's indicators are
#: read together, so these are coded one value per run (:func:`_coded_by_runs`)
RUN_COLUMNS = frozenset(("project_id", "project", "department", "source_file", "source_sheet", "unit_hint"))


def _coded_by_runs(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`evaluator.frames.coded` of an object array, coding only the first value of each run of equal
    neighbours (the same codes and distinct values: a run holds one value, first seen at its start)."""
    starts = run_starts(values)
    if starts is None:  # values without a plain comparison (pd.NA): coded row by row
        return coded(values)
    codes, uniques = coded(values[starts])
    return np.repeat(codes, np.diff(np.append(starts, len(values)))), uniques


def _position(uniques: np.ndarray, value: str) -> int:
    """The code of ``value`` among distinct values (-2, no code, when it is none of them)."""
    at = np.flatnonzero([u == value for u in uniques.tolist()])
    return int(at[0]) if len(at) else -2


def _has_missing(uniques: np.ndarray) -> bool:
    """Do the distinct values of :func:`coded` end with the one it adds for the missing values (None;
    factorizing never keeps a None of the column's own: pandas counts it as missing)."""
    return bool(len(uniques)) and uniques[-1] is None


def label(group: str, key: str) -> str:
    """A label the lint writes (data/wording/check.toml ``[check_labels.GROUP]``)."""
    return messages()["check_labels"][group][key]


def labels(group: str) -> dict[str, str]:
    """Every label of ``[check_labels.GROUP]``, in the file's order."""
    return messages()["check_labels"][group]


def words(key: str) -> list[str]:
    """A word list the lint matches (data/wording/check.toml ``[check_words]``)."""
    return messages()["check_words"][key]
