"""Writes the illustrative three-year example of this folder (made-up figures, not real results).

Run from this folder: python make_example.py
"""
import csv

HEADER = ["行类型", "项目编号", "项目名称", "指标序号", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值",
          "上年实际值", "评定", "自评得分", "偏差原因", "全年预算数", "全年执行数", "预算执行自评得分", "自评总分"]

# (department, file prefix, project names, {year: {indicator: (target, actual)}}, {year: funds})
DEPARTMENTS = [
    ("207199天津市示例区人民法院", "court", ("安全隐患维修", "审判执行业务经费"), {
        2022: {"area": ("≥300平方米", "320平方米"), "timely": ("100%", "96%"), "staff": ("≥90%", "95%"),
               "cases": ("≥1000件", "1040件"), "mediate": ("≥80%", "82%"), "days": ("≤60天", "58天"), "sat": ("≥90%", "91%")},
        2023: {"area": ("≥400平方米", "420平方米"), "timely": ("不低于上年", "97%"), "staff": ("≥90%", "95%"),
               "cases": ("较上年增长5%", "1100件"), "mediate": ("较上年提高2个百分点", "83.5%"), "days": ("较上年下降", "58天"),
               "sat": ("逐步提高", "93%")},
        2024: {"area": ("≥400平方米", "410平方米"), "timely": ("不低于上年", "99%"), "staff": ("≥90%", "95%"),
               "cases": ("较上年增长5%", "1160件"), "mediate": ("超上年2个百分点", "86%"), "days": ("较上年下降", "55天"),
               "sat": ("逐步提高", "92%")}},
     {2022: ((20, 19.2), (150, 141)), 2023: ((20, 19.6), (160, 158)), 2024: ((22, 21.5), (165, 150))}),
    ("207188天津市示例区人民检察院", "procuratorate", ("办公楼维护", "检察业务经费"), {
        2022: {"area": ("≥200平方米", "180平方米"), "timely": ("≥95%", "93%"), "staff": ("≥90%", "92%"),
               "cases": ("≥600件", "640件"), "mediate": ("≥70%", "71%"), "days": ("≤45天", "47天"), "sat": ("≥90%", "88%")},
        2023: {"area": ("≥200平方米", "210平方米"), "timely": ("不低于上年", "96%"), "staff": ("≥90%", "94%"),
               "cases": ("较上年增长5%", "700件"), "mediate": ("较上年提高2个百分点", "74%"), "days": ("较上年下降", "44天"),
               "sat": ("逐步提高", "91%")},
        2024: {"area": ("≥200平方米", "230平方米"), "timely": ("不低于上年", "98%"), "staff": ("≥90%", "96%"),
               "cases": ("较上年增长5%", "742件"), "mediate": ("超上年2个百分点", "77%"), "days": ("较上年下降", "41天"),
               "sat": ("逐步提高", "94%")}},
     {2022: ((15, 13.9), (90, 80)), 2023: ((15, 14.8), (95, 93)), 2024: ((16, 15.9), (98, 97))}),
]

NAMES = {"area": ("产出指标", "数量指标", "维修面积"), "timely": ("产出指标", "时效指标", "资金支付及时率"),
         "staff": ("满意度指标", "服务对象满意度指标", "干警满意度"), "cases": ("产出指标", "数量指标", "审结案件数"),
         "mediate": ("产出指标", "质量指标", "案件调解率"), "days": ("产出指标", "时效指标", "平均审理天数"),
         "sat": ("满意度指标", "服务对象满意度指标", "当事人满意度")}
PROJECT_KEYS = (("area", "timely", "lasting", "staff"), ("cases", "mediate", "days", "trust", "sat"))
QUALITATIVE = {"lasting": ("效益指标", "可持续影响指标", "消除安全隐患", "持续影响"),
               "trust": ("效益指标", "社会效益指标", "司法公信力", "持续提升")}


def table(dept, projects, v, funds):
    lines = ["一级指标\t二级指标\t三级指标\t绩效指标描述\t指标值", f"{dept}\t单位:万元"]
    for name, keys, (budget, _) in zip(projects, PROJECT_KEYS, funds):
        lines += [f"项目名称\t{name}", f"预算规模及资金用途\t预算数\t{budget:.2f}\t其中:财政 资金\t{budget:.2f}\t其他资金",
                  f"用于{name}", f"绩效目标\t1.保障{name}按计划实施。", "一级指标\t二级指标\t三级指标\t绩效指标描述\t指标值"]
        last_l1 = None
        for k in keys:
            l1, l2, ind, target = QUALITATIVE[k] if k in QUALITATIVE else (*NAMES[k], v[k][0])
            lines.append("\t".join([l1 if l1 != last_l1 else "", l2, ind, ind, target]))
            last_l1 = l1
    return "\n".join(lines) + "\n"


def actuals(projects, v, funds):
    rows = [HEADER]
    for n, (name, keys, (budget, spent)) in enumerate(zip(projects, PROJECT_KEYS, funds), start=1):
        pid = f"P{n:03d}"
        rows.append(["项目资金", pid, name] + [""] * 10 + [str(budget), str(spent), "", ""])
        for no, k in enumerate(keys, start=1):
            if k in QUALITATIVE:
                l1, l2, ind, target = QUALITATIVE[k]
                rows.append(["指标", pid, name, str(no), l1, l2, ind, target, "", "", "达成"] + [""] * 6)
            else:
                l1, l2, ind = NAMES[k]
                rows.append(["指标", pid, name, str(no), l1, l2, ind, v[k][0], v[k][1]] + [""] * 8)
    return rows


for dept, prefix, projects, years, funds in DEPARTMENTS:
    for year, v in years.items():
        with open(f"targets-{prefix}-{year}.tsv", "w", encoding="utf-8") as fh:
            fh.write(table(dept, projects, v, funds[year]))
        with open(f"actuals-{prefix}-{year}.csv", "w", encoding="utf-8-sig", newline="") as fh:
            csv.writer(fh).writerows(actuals(projects, v, funds[year]))
