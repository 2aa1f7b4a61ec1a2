"""The results store across years (evaluator.history) and trend targets scored from it
(evaluator.trends), on the illustrative example in examples/history."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from evaluator import evaluate
from evaluator.cli import main
from evaluator.history import Priors, match_years, open_store, record_evaluation
from evaluator.history.store import SCHEMA_VERSION, TABLES_SQL, VIEWS_SQL, HistoryError
from evaluator.trends import stated_change

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "history"
ROOT = EXAMPLE.parent.parent


def _files(dept: str, year: int) -> tuple[Path, Path]:
    return EXAMPLE / f"targets-{dept}-{year}.tsv", EXAMPLE / f"actuals-{dept}-{year}.csv"


def _score(db: Path, dept: str, year: int):
    table, actuals = _files(dept, year)
    ev = evaluate(table, actuals, history=Priors(db, year) if db.exists() else None)
    record_evaluation(db, ev, year, "test")
    return ev


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> tuple[Path, dict]:
    db = tmp_path_factory.mktemp("history") / "绩效历史.duckdb"
    evs = {}
    for dept in ("court", "procuratorate"):
        for year in (2022, 2023, 2024):
            evs[dept, year] = _score(db, dept, year)
    return db, evs


def _row(ev, name: str) -> pd.Series:
    ind = ev.indicators
    return ind[ind["name"] == name].iloc[0]


# (year, indicator, rule, points) — court example: 1040件 → 1100件 is +5.77% against 较上年增长5%;
# 82% → 83.5% is +1.5 points against 较上年提高2个百分点 (short: 1.5/2 of 16.67); 58天 → 58天 flat on
# 较上年下降 (部分达成 0.7); 91% → 93% up on 逐步提高; 93% → 92% down (未达成 0.3); 83.5% → 86% +2.5 points
TREND_CASES = [
    (2023, "审结案件数", "trend_change_met", 16.67),
    (2023, "案件调解率", "trend_change_short", 12.5),
    (2023, "平均审理天数", "trend_flat", 11.67),
    (2023, "当事人满意度", "trend_met", 10.0),
    (2023, "资金支付及时率", "trend_stable_met", 25.0),
    (2024, "当事人满意度", "trend_wrong", 3.0),
    (2024, "案件调解率", "trend_change_met", 16.67),
    (2024, "平均审理天数", "trend_met", 16.67),
]


@pytest.mark.parametrize("year,name,rule,points", TREND_CASES)
def test_trend_targets_scored_from_the_store(store, year, name, rule, points):
    _, evs = store
    row = _row(evs["court", year], name)
    assert row["status"] == "scored"
    assert row["rule"] == rule
    assert row["points"] == pytest.approx(points, abs=0.01)
    # the explanation names last year, its value and where it came from
    assert f"{year - 1}年" in row["explanation"] and "绩效历史库" in row["explanation"]


def test_no_needs_last_year_note_where_the_store_gave_last_year(store):
    """The lint's 需要上年实际值 note is dropped for the rows scored from the store, kept elsewhere."""
    _, evs = store
    ev = evs["court", 2023]
    issues = ev.issues[ev.issues["code"] == "not_measurable"]
    scored = ev.indicators[ev.indicators["rule"].astype(str).str.startswith("trend")]
    assert len(scored) >= 5
    flagged = set(zip(issues["project_id"].astype(str), issues["indicator_no"].astype(float)))
    for r in scored.itertuples():
        assert (str(r.project_id), float(r.indicator_no)) not in flagged, r.name
    first = evs["court", 2022]  # no earlier year in the store: the note stays
    assert (first.issues["code"] == "not_measurable").any()


# (target text, sign, amount, how) — phrasings seen in ../shared/corpus; None: no stated change
STATED = [
    ("较上年超3%", 1, 3.0, "relative"),
    ("较上年提高5个百分点", 1, 5.0, "points"),
    ("较上年减少10%以上", -1, 10.0, "relative"),
    ("超去年10%", 1, 10.0, "relative"),
    ("超上年5个百分点", 1, 5.0, "points"),
    ("同比增长10%", 1, 10.0, "relative"),
    ("较上年提升（新增指标）", None, None, None),   # no number: a plain trend
    ("超上年水平", None, None, None),
    ("≥85%(2023年:82%)", None, None, None),       # a level with last year's value beside it
]


@pytest.mark.parametrize("text,sign,amount,how", STATED)
def test_stated_change_cases(text, sign, amount, how):
    got = stated_change(text)
    assert (got.sign, got.amount, got.how) == (sign, amount, how) if sign else got is None


def test_percent_points_and_relative_change_read_as_written():
    assert stated_change("较上年提高2个百分点").how == "points"
    assert stated_change("较上年提高2%").how == "relative"
    assert stated_change("超上年2个百分点").sign == 1
    assert stated_change("比去年减少3%").sign == -1
    assert stated_change("≥85%") is None


def test_relative_target_on_a_rate_is_not_points(tmp_path):
    # 82% → 83.5% is +1.83 % relative: 较上年提高2% is short by relative change, 较上年提高1个百分点 is met
    db = tmp_path / "h.duckdb"
    _score(db, "court", 2022)
    table, actuals = _files("court", 2023)
    text = table.read_text(encoding="utf-8").replace("较上年提高2个百分点", "较上年提高2%")
    (tmp_path / "targets-court-2023.tsv").write_text(text, encoding="utf-8")
    ev = evaluate(tmp_path / "targets-court-2023.tsv", actuals, history=Priors(db, 2023))
    row = _row(ev, "案件调解率")
    assert row["rule"] == "trend_change_short"
    assert row["ratio"] == pytest.approx((83.5 / 82 - 1) * 100 / 2, abs=1e-6)


def test_stated_change_without_prior_is_pending_not_scored_against_the_bare_number():
    table, actuals = _files("court", 2023)
    ev = evaluate(table, actuals)
    row = _row(ev, "审结案件数")  # 较上年增长5% against 1100件: no last year → pending, not "unit mismatch"
    assert row["status"] == "pending"
    assert not (ev.issues["code"] == "unit_mismatch").any()


def test_re_adding_a_year_keeps_every_run_but_never_duplicates_current_figures(tmp_path):
    db = tmp_path / "h.duckdb"
    for _ in range(2):
        _score(db, "court", 2022)
    with open_store(db) as s:
        assert s.query("SELECT COUNT(*) AS n FROM runs")["n"].iat[0] == 2
        assert s.query("SELECT COUNT(*) AS n FROM indicators")["n"].iat[0] == 18
        assert s.query("SELECT COUNT(*) AS n FROM current_indicators")["n"].iat[0] == 9
        assert s.query("SELECT MAX(run_id) AS r FROM latest_runs")["r"].iat[0] == 2


def test_unmatched_indicators_listed_and_mapping_csv(tmp_path):
    db = tmp_path / "h.duckdb"
    _score(db, "court", 2022)
    table, actuals = _files("court", 2023)
    renamed = tmp_path / "targets-court-2023.tsv"
    renamed.write_text(table.read_text(encoding="utf-8").replace("当事人满意度", "群众满意度"), encoding="utf-8")
    acts = tmp_path / "actuals-court-2023.csv"
    acts.write_text(actuals.read_text(encoding="utf-8-sig").replace("当事人满意度", "群众满意度"), encoding="utf-8-sig")
    ev = evaluate(renamed, acts, history=Priors(db, 2023))
    assert _row(ev, "群众满意度")["status"] == "pending"  # 逐步提高 with no matched prior
    record_evaluation(db, ev, 2023, "test")
    with open_store(db) as s:
        m = match_years(s, "207199天津市示例区人民法院", 2023)
        assert list(m["disappeared"]["name_prior"]) == ["当事人满意度"]
        assert list(m["new"]["name"]) == ["群众满意度"]
        assert len(m["matched"]) == 8
    mapping = tmp_path / "map.csv"
    mapping.write_text("旧项目,旧指标,新项目,新指标\n审判执行业务经费,当事人满意度,审判执行业务经费,群众满意度\n",
                       encoding="utf-8")
    with open_store(db) as s:
        assert len(match_years(s, "207199天津市示例区人民法院", 2023, mapping)["matched"]) == 9
    ev = evaluate(renamed, acts, history=Priors(db, 2023, mapping))
    assert _row(ev, "群众满意度")["rule"] == "trend_met"


WRITER = textwrap.dedent("""
    import sys, time
    from evaluator import evaluate
    from evaluator.history import store as st, record_evaluation
    real = st.Store._insert
    def slow(self, table, frame):
        real(self, table, frame)
        if table == "indicators":
            print("inside", flush=True)
            time.sleep(float(sys.argv[3]))
    st.Store._insert = slow
    ev = evaluate(sys.argv[2] + "/targets-court-2023.tsv", sys.argv[2] + "/actuals-court-2023.csv")
    record_evaluation(sys.argv[1], ev, 2023, "test", wait=0.5)
    print("done", flush=True)
""")


def _writer(db: Path, pause: float) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(EXAMPLE), str(pause)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stdout.readline().strip() == "inside"
    return proc


def test_killed_writer_leaves_the_store_as_it_was(tmp_path):
    db = tmp_path / "h.duckdb"
    _score(db, "court", 2022)
    proc = _writer(db, 60)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    with open_store(db) as s:
        assert s.query("SELECT COUNT(*) AS n FROM runs")["n"].iat[0] == 1
        assert s.query("SELECT COUNT(*) AS n FROM indicators")["n"].iat[0] == 9
    _score(db, "court", 2023)  # and the store still takes writes
    with open_store(db) as s:
        assert s.years() == [2022, 2023]


def test_two_writers_one_waits_or_gets_a_clear_message(tmp_path):
    db = tmp_path / "h.duckdb"
    _score(db, "court", 2022)
    proc = _writer(db, 3)
    table, actuals = _files("court", 2024)
    ev = evaluate(table, actuals)
    with pytest.raises(HistoryError, match="正被另一个程序写入"):
        record_evaluation(db, ev, 2024, "test", wait=0.3)
    # a writer that waits long enough gets in after the first one commits
    record_evaluation(db, ev, 2024, "test", wait=60)
    assert proc.wait(timeout=60) == 0
    with open_store(db) as s:
        assert s.years() == [2022, 2023, 2024]
        assert s.query("SELECT COUNT(*) AS n FROM current_indicators")["n"].iat[0] == 27


def _old_store(path: Path, version: int | None) -> None:
    con = duckdb.connect(str(path))
    con.execute(TABLES_SQL.replace("    year_source       VARCHAR NOT NULL,\n", ""))
    con.execute(VIEWS_SQL)
    if version is None:
        con.execute("DROP TABLE schema_version")
    else:
        con.execute("INSERT INTO schema_version VALUES (?, '0.0.1', TIMESTAMP '2024-01-01 00:00:00')", [version])
    con.execute("INSERT INTO runs (run_id, year, department, recorded_at) VALUES (1, 2022, '某部门', TIMESTAMP '2024-01-01 00:00:00')")
    con.close()


def test_old_schema_migrated_newer_refused_unknown_refused(tmp_path):
    old = tmp_path / "v1.duckdb"
    _old_store(old, 1)
    with pytest.raises(HistoryError, match="库结构版本为 1"):
        with open_store(old):
            pass
    with open_store(old, write=True) as s:
        assert s.query("SELECT MAX(version) AS v FROM schema_version")["v"].iat[0] == SCHEMA_VERSION
        assert s.query("SELECT year_source FROM runs")["year_source"].tolist() == ["未记录"]
        assert s.years() == [2022]
    newer = tmp_path / "v9.duckdb"
    _old_store(newer, 9)
    with pytest.raises(HistoryError, match="更新版本的引擎"):
        with open_store(newer, write=True):
            pass
    unknown = tmp_path / "x.duckdb"
    _old_store(unknown, None)
    with pytest.raises(HistoryError, match="不是本引擎写入"):
        with open_store(unknown, write=True):
            pass


def test_cli_history_add_report_compare(store, tmp_path, capsys):
    db, evs = store
    out = tmp_path / "out-2022"
    assert main(["score", *map(str, _files("court", 2022)), "-o", str(out)]) == 0
    db2 = tmp_path / "h.duckdb"
    assert main(["history", "add", str(out), "--db", str(db2)]) == 0  # year from the targets' file name
    assert "2022 年" in capsys.readouterr().out
    with open_store(db2) as s:
        assert s.query("SELECT COUNT(*) AS n FROM current_indicators")["n"].iat[0] == 9
    assert main(["history", "report", "--db", str(db), "-o", str(tmp_path / "rep")]) == 0
    sheets = pd.read_excel(tmp_path / "rep" / "history.xlsx", sheet_name=None)
    deps = sheets["部门历年得分"]
    assert sorted(deps["年度"].unique()) == [2022, 2023, 2024] and len(deps) == 6
    worse = sheets["变差的指标"]
    assert "当事人满意度" in set(worse["指标"])  # 93% → 92% in 2024
    assert "<svg" in (tmp_path / "rep" / "history.html").read_text(encoding="utf-8")
    assert main(["compare", "--history", str(db), "--years", "2022-2024", "-o", str(tmp_path / "cmp")]) == 0
    text = capsys.readouterr().out
    assert "名次变动：上升 1 名" in text and "名次变动：下降 1 名" in text
    # department names as in the compare reports: without the code the table prints in front
    assert "  天津市示例区人民检察院：" in text and "207188" not in text
    shown = pd.read_csv(tmp_path / "cmp" / "history_comparison.csv")
    assert "天津市示例区人民法院" in set(shown["部门"])


def test_year_must_be_known(tmp_path, capsys):
    table, actuals = _files("court", 2022)
    plain = tmp_path / "targets.tsv"
    plain.write_text(table.read_text(encoding="utf-8"), encoding="utf-8")
    code = main(["score", str(plain), str(actuals), "-o", str(tmp_path / "o"), "--history", str(tmp_path / "h.duckdb")])
    assert code == 2 and "--year" in capsys.readouterr().err
    code = main(["score", str(table), str(actuals), "-o", str(tmp_path / "o"), "--history", str(tmp_path / "h.duckdb"),
                 "--year", "2021"])
    assert code == 2 and "年度不一致" in capsys.readouterr().err


def test_check_history_warns_low_targets_and_disappeared_indicators(store, tmp_path, capsys):
    db, _ = store
    table, _ = _files("court", 2024)
    renamed = tmp_path / "targets-court-2024.tsv"
    renamed.write_text(table.read_text(encoding="utf-8").replace("当事人满意度", "群众满意度"), encoding="utf-8")
    assert main(["check", str(renamed), "--history", str(db), "-o", str(tmp_path / "issues.csv")]) == 0
    issues = pd.read_csv(tmp_path / "issues.csv", encoding="utf-8-sig")
    low = issues[issues["代码"] == "target_below_prior"]
    # ≥400平方米 against 420平方米 in 2023, ≥90% against 95%; 较上年增长5% is a change, not a level
    assert sorted(low["单元格内容"]) == ["≥400平方米", "≥90%"]
    gone = issues[issues["代码"] == "indicator_disappeared"]
    assert list(gone["单元格内容"]) == ["当事人满意度"]


def test_docs_show_the_schema_the_code_creates():
    doc = (ROOT / "docs" / "history.md").read_text(encoding="utf-8")
    assert TABLES_SQL.strip() in doc and VIEWS_SQL.strip() in doc


class _PrintedPrior:
    """A compiled target carrying the compiler's ``prior`` field (``≥85%(2023年:82%)``)."""
    kind, raw = "trend", "逐步提高(2023年:82%)"
    prior = {"text": "82%", "year": 2023}


def test_prior_printed_in_the_target_used_when_the_store_has_none():
    from evaluator.rules import load_rule_pack
    from evaluator.trends import apply_trends
    pack = load_rule_pack("national-2020")
    ind = pd.DataFrame({"target_text": ["逐步提高(2023年:82%)", "逐步提高"], "t_kind": ["trend", "trend"],
                        "t_direction": ["up", "up"], "status": ["pending", "pending"],
                        "pending_reason": ["prior", "prior"], "prior_text": ["", ""],
                        "target": [_PrintedPrior(), None], "actual_text": ["85%", "85%"], "ratio": [float("nan")] * 2,
                        "rule": ["", ""], "method": ["", ""], "flag": [None, None], "reason_args": [{}, {}],
                        "op_used": ["", ""], "points": [10.0, float("nan")], "weight_points": [10.0, 10.0],
                        "explanation": ["", ""]})
    out, res = apply_trends(ind, pack, None)
    assert out["status"].tolist() == ["scored", "pending"]
    assert out["rule"].iat[0] == "trend_met" and out["ratio"].iat[0] == 1.0
    text = res.explain(out, pack)["explanation"].iat[0]
    assert "2023年" in text and "82%" in text and "目标值中写明的上年数" in text


def test_batch_history_records_one_run_per_department(tmp_path, capsys):
    tables, acts = tmp_path / "t", tmp_path / "a"
    tables.mkdir(), acts.mkdir()
    for dept in ("court", "procuratorate"):
        table, actuals = _files(dept, 2023)
        (tables / f"{dept}-2023.tsv").write_bytes(table.read_bytes())
        (acts / f"{dept}-2023.csv").write_bytes(actuals.read_bytes())
    db = tmp_path / "h.duckdb"
    assert main(["batch", str(tables), "--actuals", str(acts), "-o", str(tmp_path / "out"), "--history", str(db)]) == 0
    assert "2023 年" in capsys.readouterr().out
    with open_store(db) as s:
        runs = s.query("SELECT department, year, n_indicators FROM runs ORDER BY department")
        assert runs["department"].tolist() == ["207188天津市示例区人民检察院", "207199天津市示例区人民法院"]
        assert runs["n_indicators"].tolist() == [9, 9] and set(runs["year"]) == {2023}
    # the same folder again: every run kept, current figures not doubled
    assert main(["history", "add", str(tmp_path / "out"), "--db", str(db), "--year", "2023"]) == 0
    with open_store(db) as s:
        assert s.query("SELECT COUNT(*) AS n FROM runs")["n"].iat[0] == 4
        assert s.query("SELECT COUNT(*) AS n FROM current_indicators")["n"].iat[0] == 18


def test_rank_interval_widened_by_pending_items():
    from evaluator.history.report import rank_intervals
    f = pd.DataFrame({"department": ["甲", "乙", "丙"], "score": [90.0, 88.0, 70.0],
                      "score_min": [85.0, 88.0, 70.0], "score_max": [95.0, 88.0, 70.0]})
    r = rank_intervals(f)
    # 甲 may fall below 乙 (85 < 88) and 乙 may rise above 甲; 丙 is third whatever happens
    assert r["rank"].tolist() == [1, 2, 3]
    assert r["rank_best"].tolist() == [1, 1, 3]
    assert r["rank_worst"].tolist() == [2, 2, 3]
