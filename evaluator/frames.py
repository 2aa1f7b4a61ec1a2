"""Small DataFrame helpers shared by the lint, the scorer and the reports."""
from __future__ import annotations

from typing import Any, Iterable

import pandas as pd


def records(df: pd.DataFrame, columns: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Rows as plain dicts, built from column arrays.

    Several times faster than ``DataFrame.to_dict("records")`` (no per-cell boxing) and
    far faster than ``iterrows``; values keep their numpy/pandas types.
    """
    cols = [c for c in (columns if columns is not None else df.columns) if c in df.columns]
    if not cols:
        return [{} for _ in range(len(df))]
    arrays = [df[c].to_numpy(dtype=object) for c in cols]
    return [dict(zip(cols, values)) for values in zip(*arrays)]
