"""Reports: the files people open — Excel 自评表, offline HTML, CSV and JSON tables.

``write_reports(evaluation, outdir)`` writes every format for one department;
``write_comparison(comparison, outdir)`` does the same for several departments.
Every writer is deterministic: the same inputs give byte-identical files.
"""
from __future__ import annotations

from .writer import write_comparison, write_reports

__all__ = ["write_reports", "write_comparison"]
