"""Many tables in one run (`evaluator batch`): one set of CSVs, in input order, the same bytes with
one or two worker processes, each distinct target text compiled once, bad tables listed not lost."""
from __future__ import annotations

import io
import os
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pandas as pd
import pytest

from evaluator import batch, compiler
from evaluator.actuals import read_actuals
from evaluator.cli import main
from evaluator.evaluate import evaluate
from evaluator.readers import read_targets
from evaluator.reports.writer import append_results_csv

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
NAMES = {"seed": "targets.txt", "sichuan-mata-zhen": "targets.tsv", "tianjin-hebei-court": "targets.tsv"}
OUT_FILES = ("indicators.csv", "projects.csv", "issues.csv", "departments.csv", "tables.csv")


@pytest.fixture()
def province(tmp_path: Path) -> Path:
    """Three departments' target tables and, under another extension, their actuals."""
    (tmp_path / "targets").mkdir()
    (tmp_path / "actuals").mkdir()
    for i, (example, name) in enumerate(NAMES.items()):
        stem = f"{i:02d}-{example}"
        shutil.copy(EXAMPLES / example / name, tmp_path / "targets" / (stem + Path(name).suffix))
        shutil.copy(EXAMPLES / example / "actuals.csv", tmp_path / "actuals" / (stem + ".csv"))
    return tmp_path


def _cold() -> None:
    """Empty the caches that hold compiled targets, as in a fresh process."""
    from evaluator import values
    from evaluator.readers import tidy
    for cached in (compiler._compile_cached, tidy._scored_target, values.parse_actual):
        cached.cache_clear()


def _run(province: Path, out: Path, jobs: int, **kw) -> batch.BatchResult:
    tasks = batch.pair_actuals(batch.find_tables([province / "targets"]), province / "actuals")
    return batch.score_batch(tasks, out, jobs=jobs, **kw)


def test_two_workers_write_the_same_bytes_as_one(province: Path, tmp_path: Path) -> None:
    _cold()
    two = _run(province, tmp_path / "two", jobs=2)
    one = _run(province, tmp_path / "one", jobs=1)
    for name in OUT_FILES:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name
    assert one.failed == two.failed == []
    assert two.jobs == 2 and one.jobs == 1
    tables = pd.read_csv(tmp_path / "two" / "tables.csv", encoding="utf-8-sig")
    assert tables["source_file"].tolist() == ["00-seed.txt", "01-sichuan-mata-zhen.tsv", "02-tianjin-hebei-court.tsv"]
    assert tables["actuals_file"].tolist() == ["00-seed.csv", "01-sichuan-mata-zhen.csv", "02-tianjin-hebei-court.csv"]
    assert (tables["status"] == "已评分").all()
    assert tables.loc[0, "indicators_out"] == 84 and tables.loc[0, "projects"] == 28
    indicators = pd.read_csv(tmp_path / "two" / "indicators.csv", encoding="utf-8-sig")
    assert len(indicators) == tables["indicators_out"].sum() == one.indicators
    # in input order: the seed's 84 rows first, then the next table's
    assert (indicators["source_file"].iloc[:84] == "00-seed.txt").all()
    assert indicators["source_file"].iloc[84] == "01-sichuan-mata-zhen.tsv"


def test_batch_rows_are_those_of_scoring_each_table(province: Path, tmp_path: Path) -> None:
    _run(province, tmp_path / "batch", jobs=2)
    for targets in sorted((province / "targets").iterdir()):
        table = read_targets(targets)
        append_results_csv(evaluate(table, read_actuals(province / "actuals" / (targets.stem + ".csv"), table)),
                           tmp_path / "single")
    for name in ("indicators.csv", "projects.csv", "issues.csv"):
        assert (tmp_path / "batch" / name).read_bytes() == (tmp_path / "single" / name).read_bytes(), name
    deps = pd.read_csv(tmp_path / "batch" / "departments.csv", encoding="utf-8-sig")
    assert len(deps) == 3 and deps["source_file"].nunique() == 3


def test_a_table_that_cannot_be_read_is_listed_and_the_rest_scored(province: Path, tmp_path: Path) -> None:
    (province / "targets" / "00a-broken.xlsx").write_bytes(b"not a workbook")
    out = tmp_path / "out"
    stdout, stderr = io.StringIO(), io.StringIO()
    with redirect_stdout(stdout), redirect_stderr(stderr):
        rc = main(["batch", str(province / "targets"), "--actuals", str(province / "actuals"), "-o", str(out), "-j", "2",
                   "--headers", "en"])
    assert rc == 1
    tables = pd.read_csv(out / "tables.csv", encoding="utf-8-sig", keep_default_na=False)
    assert tables["source_file"].tolist()[1] == "00a-broken.xlsx"
    assert tables["status"].tolist() == ["已评分", "未能评分", "已评分", "已评分"]
    assert "Excel 文件已损坏" in tables.loc[1, "reason"]
    issues = pd.read_csv(out / "issues.csv", encoding="utf-8-sig", keep_default_na=False)
    failed = issues[issues["code"] == "table_not_scored"]
    assert failed["file"].tolist() == ["00a-broken.xlsx"] and failed["severity"].tolist() == ["error"]
    assert "共 4 张表，已评分 3 张" in stdout.getvalue()
    assert "未能评分：00a-broken.xlsx" in stdout.getvalue()
    assert "[4/4]" in stderr.getvalue()
    assert len(pd.read_csv(out / "indicators.csv", encoding="utf-8-sig")) == tables["indicators_out"].sum() > 84


def test_a_worker_that_dies_is_reported_and_the_run_goes_on(province: Path, tmp_path: Path, monkeypatch) -> None:
    real = batch.score_table

    def dies_on_sichuan(task, rules, check=True):
        if "sichuan" in task.targets.name:
            os._exit(3)  # as if the process were killed (out of memory)
        return real(task, rules, check)

    monkeypatch.setattr(batch, "score_table", dies_on_sichuan)
    result = _run(province, tmp_path / "out", jobs=2)
    assert result.failed == ["01-sichuan-mata-zhen.tsv"]
    assert "退出码 3" in result.tables.loc[1, "reason"]
    assert result.tables["status"].tolist() == ["已评分", "未能评分", "已评分"]
    indicators = pd.read_csv(tmp_path / "out" / "indicators.csv", encoding="utf-8-sig")
    assert set(indicators["source_file"]) == {"00-seed.txt", "02-tianjin-hebei-court.tsv"}


def test_tables_without_actuals_use_their_own_columns(province: Path, tmp_path: Path) -> None:
    tasks = batch.pair_actuals(batch.find_tables([province / "targets" / "00-seed.txt"]), None)
    assert tasks[0].actuals is None
    result = batch.score_batch(tasks, tmp_path / "out")
    assert result.tables["status"].tolist() == ["已评分"] and result.tables["actuals_file"].tolist() == [""]
    assert result.indicators == 84


def test_cli_names_missing_inputs(tmp_path: Path) -> None:
    err = io.StringIO()
    with redirect_stderr(err):
        rc = main(["batch", str(tmp_path / "nope.csv"), "-o", str(tmp_path / "out")])
    assert rc == 2 and "找不到目标表" in err.getvalue() and "nope.csv" in err.getvalue()


def test_an_unexpected_error_in_a_worker_is_said_and_the_worker_goes_on(province: Path, tmp_path: Path,
                                                                        monkeypatch) -> None:
    real = batch.score_table

    def fails_on_seed(task, rules, check=True):
        if "seed" in task.targets.name:
            raise RuntimeError("意外")
        return real(task, rules, check)

    monkeypatch.setattr(batch, "score_table", fails_on_seed)
    result = _run(province, tmp_path / "out", jobs=2)
    assert result.tables["status"].tolist() == ["未能评分", "已评分", "已评分"]
    assert result.tables.loc[0, "reason"] == "RuntimeError: 意外"


def test_cli_warns_of_tables_with_the_same_file_name(province: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(province / "targets" / "00-seed.txt", other / "00-seed.txt")
    err = io.StringIO()
    with redirect_stdout(io.StringIO()), redirect_stderr(err):
        rc = main(["batch", str(province / "targets" / "00-seed.txt"), str(other), "-o", str(tmp_path / "out"),
                   "--headers", "en"])
    assert rc == 0 and "同名的目标表（00-seed.txt）" in err.getvalue()
    tables = pd.read_csv(tmp_path / "out" / "tables.csv", encoding="utf-8-sig")
    assert tables["source_file"].tolist() == ["00-seed.txt", "00-seed.txt"]  # both scored, none dropped


def test_workers_do_not_run_far_ahead_of_a_slow_table(province: Path, tmp_path: Path, monkeypatch) -> None:
    """Results are written in input order; while the first table is slow, the other worker may score
    only LOOKAHEAD x jobs tables past it (their results wait in memory)."""
    import time

    targets = province / "targets"
    for i in range(3, 20):  # many small tables after a slow first one
        shutil.copy(targets / "01-sichuan-mata-zhen.tsv", targets / f"{i:02d}-small.tsv")
    log = tmp_path / "log.txt"
    real = batch.score_table

    def slow_first(task, rules, check=True):
        if task.index == 0:
            time.sleep(1.5)
        outcome = real(task, rules, check)
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"{task.index}\n")
        return outcome

    monkeypatch.setattr(batch, "score_table", slow_first)
    monkeypatch.setattr(batch, "LOOKAHEAD", 2)
    result = _run(province, tmp_path / "out", jobs=2)
    done = [int(x) for x in log.read_text().split()]
    assert sorted(done) == list(range(20)) and result.failed == []
    before_first = done[:done.index(0)]
    assert before_first and max(before_first) < 2 * 2  # the window: tables 1..3 at most
    indicators = pd.read_csv(tmp_path / "out" / "indicators.csv", encoding="utf-8-sig")
    assert indicators["source_file"].iloc[0] == "00-seed.txt"  # still in input order
