"""read_actuals gathers its issues column by column; the table is the one Issue objects give."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from evaluator.actuals import _Issues, read_actuals, write_template
from evaluator.issues import Issue, issues_frame
from evaluator.readers import read_targets

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_issue_columns_equal_issue_objects():
    issues = _Issues()
    issues.add("actual_unmatched", "error", ["a", "b"], file="f.csv", sheet=None, column="项目名称",
               cell=np.array(["x", "y" * 300], dtype=object), row=np.array([3, 7]))
    issues.add("actual_missing", "warning", ["c"], file="f.csv", project_id=np.array(["P1"], dtype=object),
               indicator_no=np.array([2]))
    issues.add("bad_number", "warning", [], row=np.array([], dtype=np.int64))  # nothing added
    issues.add("actual_duplicate", "error", ["d"], file=["f.csv"], sheet=[None], row=np.array([9]),
               project_id=np.array(["P2"], dtype=object), indicator_no=np.array([0]), cell=np.array(["95%"], dtype=object))
    expected = issues_frame([
        Issue("actual_unmatched", "error", "a", file="f.csv", column="项目名称", cell="x", row=3),
        Issue("actual_unmatched", "error", "b", file="f.csv", column="项目名称", cell="y" * 300, row=7),
        Issue("actual_missing", "warning", "c", file="f.csv", project_id="P1", indicator_no=2),
        Issue("actual_duplicate", "error", "d", file="f.csv", row=9, project_id="P2", indicator_no=0, cell="95%"),
    ])
    pd.testing.assert_frame_equal(issues.frame(), expected, check_exact=True)
    pd.testing.assert_frame_equal(_Issues().frame(), issues_frame([]), check_exact=True)


def test_a_name_repeated_in_the_project_is_not_matched(tmp_path):
    table = read_targets(next((EXAMPLES / "seed").glob("targets.*")), check=False)
    ind = table.indicators
    pid, name = ind["project_id"].iat[0], str(ind["name"].iat[0]).strip()
    # the project gets a second indicator of the same name: matching by that name is ambiguous
    table.indicators = ind.copy()
    table.indicators.loc[table.indicators.index[1], "name"] = name
    path = write_template(table, tmp_path / "template.csv")
    text = path.read_text(encoding="utf-8-sig")
    head = text.splitlines()[0].split(",")
    row = dict.fromkeys(head, "")
    row.update({head[0]: "指标", head[1]: pid, head[head.index("三级指标")]: name})
    (tmp_path / "a.csv").write_text(text + ",".join(row.values()) + "\n", encoding="utf-8")
    issues = read_actuals(tmp_path / "a.csv", table).issues
    unmatched = issues[issues["code"] == "actual_unmatched"]
    assert unmatched["message"].tolist() == [f"无法匹配：指标名称「{name}」在项目 {pid} 中重复，请填写指标序号；该行未使用"]


def test_matching_by_name_when_every_name_repeats(tmp_path):
    """No indicator name is unique in its project: a row matched by name is reported, not a crash."""
    from evaluator import evaluate

    targets = tmp_path / "t.csv"
    targets.write_text("项目名称,一级指标,二级指标,三级指标,指标值\n项目甲,产出指标,数量指标,培训人数,≥50人\n"
                       "项目甲,产出指标,数量指标,培训人数,≥60人\n", encoding="utf-8")
    actuals = tmp_path / "a.csv"
    actuals.write_text("行类型,项目名称,指标序号,三级指标,实际完成值\n指标,项目甲,,培训人数,55人\n", encoding="utf-8")
    issues = evaluate(targets, actuals).issues
    unmatched = issues[issues["code"] == "actual_unmatched"]
    assert len(unmatched) == 1 and unmatched["row"].iloc[0] == 2
    assert "在项目 P001 中重复，请填写指标序号" in unmatched["message"].iloc[0]
