"""The report column registry (evaluator/reports/columns.py): every written column declared, documented
in docs/reports.md, and written under its Chinese header by default on the command line."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from evaluator.cli import main
from evaluator.evaluate import evaluate
from evaluator.reports import write_reports
from evaluator.reports.columns import TABLES, chinese, dictionary_markdown
from evaluator.reports.writer import FILES

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "seed"


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("cols")
    ev = evaluate(SEED / "targets.txt", SEED / "actuals.csv")
    return write_reports(ev, out, formats=("csv",))


@pytest.mark.parametrize("table", [t for t in TABLES if t in FILES])
def test_every_written_column_is_declared(written, table):
    header = pd.read_csv(written[table], encoding="utf-8-sig", nrows=0).columns
    declared = {c.name for c in TABLES[table]}
    assert set(header) - declared == set()


def test_registry_is_consistent():
    for table, cols in TABLES.items():
        names = [c.name for c in cols]
        assert len(names) == len(set(names)), table
        zh = [c.zh for c in cols]
        assert len(zh) == len(set(zh)), (table, [z for z in zh if zh.count(z) > 1])
        assert all(c.dtype in {"text", "int", "number", "share", "bool", "code"} for c in cols)


def test_data_dictionary_in_docs_is_current():
    docs = (ROOT / "docs" / "reports.md").read_text(encoding="utf-8")
    assert dictionary_markdown() in docs, "regenerate: python -m evaluator.reports.columns docs/reports.md"


def test_chinese_headers_labels_beside_codes():
    frame = pd.DataFrame({"status": ["scored", "pending"], "method": ["auto", "review"], "points": [1.0, None]})
    out = chinese("indicators", frame)
    assert list(out.columns) == ["状态", "状态代码", "计分方式", "计分方式代码", "得分"]
    from evaluator.reports.labels import STATUS
    assert list(out["状态"]) == [STATUS["scored"], STATUS["pending"]]
    assert list(out["计分方式"]) == ["自动计分", "评审评定"]


def test_cli_writes_every_table_with_chinese_headers(tmp_path, capsys):
    assert main(["score", str(SEED / "targets.txt"), str(SEED / "actuals.csv"), "-o", str(tmp_path)]) == 0
    capsys.readouterr()
    for table in [t for t in TABLES if t in FILES]:
        header = list(pd.read_csv(tmp_path / FILES[table], encoding="utf-8-sig", nrows=0).columns)
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in h) for h in header), (table, header)
