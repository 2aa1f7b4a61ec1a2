"""Deterministic generator of province-scale synthetic inputs for the benchmark.

A province is written as one row-per-indicator target table per city (the layout a
finance bureau's budget system exports: 部门名称 | 项目名称 | money | 年度目标 |
一级/二级/三级指标 | 实施周期指标值 | 年度指标值; the project cells are printed on the
project's first row only, as merged Excel cells are saved to CSV —
``--repeat-project-cells`` repeats them on every row instead)
plus, per city, the matching actuals CSV in the actuals template's columns
(indicator rows and 项目资金 rows in one file, told apart by 行类型).

Phrasings come from real published tables: ``benchmarks/phrases.csv`` is built from
``../shared/corpus/`` and the seed table (``--refresh-phrases``) and committed, so the
generator runs without the shared folder. Texts repeat as in real tables (a Zipf-like
distribution over the real phrasings and a few common numeric variants of each) plus
a long tail of distinct texts with other numbers, so that distinct target texts are a
few per cent of rows at province scale.

Usage::

    .venv/bin/python benchmarks/generate.py --indicators 100000 [--seed 2024] [--out DIR]

Output (``benchmarks/data/n100000_s2024/`` by default)::

    targets/city_01.csv …   row-per-indicator target tables (UTF-8 with BOM)
    actuals/city_01.csv …   actuals, same file names
    meta.json               counts: indicators, projects, classified projects,
                            distinct target texts, files, generator version
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import re
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
PHRASES = HERE / "phrases.csv"
DATA = HERE / "data"
GENERATOR_VERSION = 7

#: rows per target file at most (one file per city; readers cap a sheet at 200 000 rows)
ROWS_PER_FILE = 50_000

TARGET_COLUMNS = ["部门名称", "项目名称", "总计", "财政拨款", "财政专户拨款", "其他资金", "年度目标",
                  "一级指标", "二级指标", "三级指标", "实施周期指标值", "年度指标值"]
#: the actuals template's columns (evaluator/data/actuals.toml [headers], first spelling)
ACTUAL_COLUMNS = ["行类型", "项目编号", "项目名称", "指标序号", "一级指标", "二级指标", "三级指标",
                  "年度指标值", "实际完成值", "上年实际值", "评定", "自评得分", "偏差原因",
                  "全年预算数", "全年执行数"]

LEVEL1 = {"1": "产出指标", "2": "效益指标", "3": "满意度指标", "4": "成本指标"}

CITIES = ["长沙市", "株洲市", "湘潭市", "衡阳市", "邵阳市", "岳阳市", "常德市", "张家界市", "益阳市",
          "郴州市", "永州市", "怀化市", "娄底市", "湘西州", "黄石市", "十堰市", "宜昌市", "襄阳市",
          "鄂州市", "荆门市", "孝感市", "荆州市", "黄冈市", "咸宁市", "随州市", "恩施州", "遂宁市",
          "广元市", "乐山市", "绵阳市", "南充市", "宜宾市", "达州市", "巴中市", "雅安市", "眉山市"]
DEPARTMENTS = ["教育局", "财政局", "卫生健康委员会", "民政局", "人力资源和社会保障局", "农业农村局",
               "林业局", "水利局", "交通运输局", "住房和城乡建设局", "城市管理和综合执法局", "生态环境局",
               "文化旅游体育局", "市场监督管理局", "应急管理局", "退役军人事务局", "公安局", "司法局",
               "人民法院", "人民检察院", "委员会政法委员会", "委党校", "乡村振兴局", "自然资源和规划局",
               "商务局", "科学技术局", "统计局", "审计局", "医疗保障局", "机关事务服务中心", "档案馆",
               "融媒体中心", "疾病预防控制中心", "妇幼保健院", "第一中学", "实验小学", "职业技术学院",
               "图书馆", "博物馆", "环境卫生管理处"]
PROJECT_SUFFIXES = ["", "专项经费", "补助资金", "工作经费", "运行维护经费", "建设项目", "购买服务经费",
                    "（续建）", "（一期）", "（二期）", "配套资金", "奖补资金"]
GOALS = [
    "按期完成年度工作任务，提升公共服务水平，服务对象满意度达到90%以上。",
    "保障项目顺利实施，资金使用规范，切实发挥财政资金使用效益。",
    "加强管理，确保设施设备正常运行，群众获得感、幸福感不断提升。",
    "完成年度建设任务，工程质量验收合格，促进区域经济社会协调发展。",
    "落实各项补助政策，补助资金及时足额发放到位，受益对象满意。",
]
DEFAULT_PROJECTS = ["办公设备购置", "信息化系统运维", "业务培训", "宣传活动", "专项督查", "课题研究"]


# --------------------------------------------------------------------------------------
# Phrases: real (level1, level2, name, target text) quadruples
# --------------------------------------------------------------------------------------

_L2 = [("数量", "数量指标", "1"), ("质量", "质量指标", "1"), ("时效", "时效指标", "1"),
       ("成本", "成本指标", "1"), ("经济", "经济效益指标", "2"), ("社会", "社会效益指标", "2"),
       ("生态", "生态效益指标", "2"), ("可持续", "可持续影响指标", "2"), ("满意", "服务对象满意度指标", "3")]


def _level2(raw: str) -> tuple[str, str] | None:
    for key, name, l1 in _L2:
        if key in raw:
            return name, l1
    return None


def _level1(raw: str) -> str | None:
    raw = raw.replace(" ", "")
    if "满意" in raw:
        return "3"
    if "效益" in raw:
        return "2"
    if "产出" in raw or "完成" in raw or "(50分)" in raw:
        return "1"
    if "成本" in raw:
        return "4"
    return None


_SEED_INDICATOR = re.compile(
    r"(\d+)、(\d)-([^：；:;]+)[：；:;](?:(\d\d)-([^：；:;]+)[：；:;])?(.*?)[；;]"
    r"实施周期指标值[：:](.*?)[；;]年度指标值[：:](.*?)。(?=\d+、|$)")


def refresh_phrases(shared: Path) -> int:
    """Rebuild ``benchmarks/phrases.csv`` from the shared corpus and seed table."""
    out: list[dict[str, str]] = []
    projects: list[str] = []
    with (shared / "corpus" / "targets_visible.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            text = r["target_text"].strip()
            if not text:
                continue
            nature = r["nature_column"].strip()
            unit = r["unit_column"].strip()
            if nature in ("≥", "≤", "=", ">", "<", "＞", "＜", "≧", "═", "﹦"):
                text = nature + text
            if unit and not text.endswith(unit):
                text = text + unit
            l2 = _level2(r["level2"])
            l1 = _level1(r["level1"]) or (l2[1] if l2 else None)
            if l2 is None:
                l2 = {"1": ("数量指标", "1"), "2": ("社会效益指标", "2"), "3": ("服务对象满意度指标", "3"),
                      "4": ("成本指标", "4")}.get(l1 or "1")
            out.append({"source": r["doc_id"], "level1_code": l1 or "1", "level2": l2[0],
                        "name": r["indicator"].strip() or "指标", "target_text": text,
                        "period_text": r["period_target_text"].strip(), "actual_text": r["actual_text"].strip(),
                        "project": r["project"].strip()})
    for path in sorted((shared / "seed").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            cells = line.split("\t")
            if len(cells) < 7 or "年度指标值" not in cells[-1]:
                continue
            projects.append(cells[0].strip())
            for m in _SEED_INDICATOR.findall(cells[-1]):
                _, l1, _, _, l2raw, name, period, annual = m
                l2 = _level2(l2raw) or ("数量指标", l1)
                out.append({"source": path.stem, "level1_code": l1, "level2": l2[0], "name": name.strip(),
                            "target_text": annual.strip(), "period_text": period.strip(), "actual_text": "",
                            "project": cells[0].strip()})
    # seed_targets.jsonl / targets_visible.jsonl: texts not already present
    have = {p["target_text"] for p in out}
    for name in ("seed_targets.jsonl", "targets_visible.jsonl"):
        for line in (shared / "corpus" / name).read_text(encoding="utf-8").splitlines():
            t = json.loads(line)["text"].strip()
            if t and t not in have:
                have.add(t)
                out.append({"source": name, "level1_code": "1", "level2": "数量指标", "name": "完成情况",
                            "target_text": t, "period_text": "", "actual_text": "", "project": ""})
    with PHRASES.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(out[0]))
        w.writeheader()
        w.writerows(out)
    return len(out)


def load_phrases() -> list[dict[str, str]]:
    with PHRASES.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


# --------------------------------------------------------------------------------------
# Text variants: same phrasing, other numbers
# --------------------------------------------------------------------------------------

# a number that is not part of a date (2023年, 2024.01, 12月) nor a code
_NUM = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)(?![\d.]*\s*[年月日号])")


def _number_spans(text: str) -> list[tuple[int, int, str]]:
    spans = []
    for m in _NUM.finditer(text):
        s = m.group(1)
        if re.fullmatch(r"(19|20)\d\d", s):
            continue
        spans.append((m.start(1), m.end(1), s))
    return spans


def _fmt(v: float, decimals: int) -> str:
    if decimals <= 0:
        return str(int(round(v)))
    return f"{v:.{decimals}f}"


def variant(text: str, rng: np.random.Generator, wide: bool = False) -> str:
    """The phrasing of ``text`` with its first number changed (text unchanged if none).

    ``wide``: the long tail — numbers spread further and with decimals more often,
    so that most such texts are distinct.
    """
    spans = _number_spans(text)
    if not spans:
        return text
    a, b, s = spans[0]
    v = float(s)
    decimals = len(s.split(".")[1]) if "." in s else 0
    percent = text[b:b + 1] in ("%", "％") or text[b:b + 3] == "百分比"
    if percent and v >= 50:
        new = rng.uniform(50 if wide else 60, 100)
        decimals = max(decimals, int(rng.random() < (0.7 if wide else 0.3)))
    elif v == 0:
        return text
    else:
        new = v * math.exp(rng.uniform(-2.5, 2.5) if wide else rng.uniform(-1.2, 1.2))
        if wide and v >= 1 and rng.random() < 0.3:
            decimals = max(decimals, 1)
        if decimals == 0:
            new = max(1, new)
    out = _fmt(new, decimals)
    if out == s:
        out = _fmt(new + 1, decimals)
    return text[:a] + out + text[b:]


# --------------------------------------------------------------------------------------
# Actual values consistent with a compiled target
# --------------------------------------------------------------------------------------

def _num(v: float) -> str:
    if abs(v - round(v)) < 1e-9:
        return str(int(round(v)))
    return f"{v:.2f}".rstrip("0").rstrip(".")


def _unit_str(unit, per) -> str:
    u = unit or ""
    if per:
        u = f"{u}/{per}" if u else f"次/{per}"
    return u


_DONE_YES = ["是", "已完成", "完成", "按期完成", "达到预期"]


def actual_for(t: dict, rng: np.random.Generator) -> tuple[str, str, str]:
    """(实际完成值, 上年实际值, 评定) for a target (``Target.to_dict()``) — a plausible year end."""
    kind = t.get("kind")
    r = rng.random()
    if r < 0.03:
        return "", "", ""  # not filled in yet
    if kind == "compare":
        v = t.get("value") or 0.0
        op = t.get("op")
        if op in ("<=", "<"):
            f = rng.uniform(0.6, 1.0) if r < 0.85 else rng.uniform(1.0, 1.3)
        else:
            f = rng.uniform(1.0, 1.12) if r < 0.75 else (rng.uniform(0.7, 1.0) if r < 0.93 else rng.uniform(1.2, 1.6))
        a = v * f
        if t.get("unit") == "%" and v <= 100 and op not in ("<=", "<"):
            a = min(a, 100.0)
        if rng.random() < 0.7:
            a = round(a, 1 if t.get("unit") == "%" else 0) if v >= 1 else round(a, 3)
        unit = _unit_str(t.get("unit"), t.get("per"))
        return _num(a) + (unit if rng.random() < 0.75 else ""), "", ""
    if kind == "range":
        lo, hi = t.get("low") or 0.0, t.get("high") or 0.0
        a = rng.uniform(lo, hi) if r < 0.9 else hi * 1.1
        return _num(round(a, 1)) + _unit_str(t.get("unit"), t.get("per")), "", ""
    if kind == "all":
        parts = []
        for c in t.get("clauses") or []:
            a, _, _ = actual_for(dict(c), rng)
            parts.append(a or "0")
        return "；".join(parts), "", ""
    if kind == "zero":
        return ("0" if r < 0.95 else "1"), "", ""
    if kind == "trend":
        prior = rng.uniform(60, 95)
        d = t.get("direction")
        cur = prior * (rng.uniform(1.0, 1.05) if d != "down" else rng.uniform(0.9, 1.0))
        if r > 0.9:
            cur = prior * (0.97 if d != "down" else 1.03)
        return f"{cur:.1f}%", f"{prior:.1f}%", ""
    if kind == "done":
        return (_DONE_YES[int(rng.integers(len(_DONE_YES)))] if r < 0.93 else "未完成"), "", ""
    # formula, qualitative, empty: a reviewer's rating
    rating = "达成" if r < 0.75 else ("部分达成" if r < 0.9 else ("未达成" if r < 0.94 else ""))
    return ("达到预期" if rating == "达成" else ""), "", rating


def _compile_dict(text: str) -> dict:
    try:
        from evaluator import compile_target
    except ImportError:  # pragma: no cover - the benchmark needs the package anyway
        return {"kind": "qualitative"}
    return compile_target(text).to_dict()


# --------------------------------------------------------------------------------------
# The province
# --------------------------------------------------------------------------------------

class _Draws:
    """Draws from a fixed distribution, made in bulk (``rng.choice`` per row is slow)."""

    def __init__(self, rng: np.random.Generator, n: int, p: np.ndarray | None = None, chunk: int = 65536):
        self.rng, self.n, self.p, self.chunk = rng, n, p, chunk
        self.buf: np.ndarray = np.empty(0, dtype=np.int64)
        self.i = 0

    def __call__(self) -> int:
        if self.i >= len(self.buf):
            self.buf = self.rng.choice(self.n, size=self.chunk, p=self.p)
            self.i = 0
        self.i += 1
        return int(self.buf[self.i - 1])


class _Uniform:
    def __init__(self, rng: np.random.Generator, chunk: int = 65536):
        self.rng, self.chunk = rng, chunk
        self.buf: np.ndarray = np.empty(0)
        self.i = 0

    def __call__(self) -> float:
        if self.i >= len(self.buf):
            self.buf = self.rng.random(self.chunk)
            self.i = 0
        self.i += 1
        return float(self.buf[self.i - 1])


def _zipf_weights(n: int, s: float) -> np.ndarray:
    w = 1.0 / np.arange(1, n + 1) ** s
    return w / w.sum()


def generate(n_indicators: int, seed: int = 2024, out: Path | None = None, rows_per_file: int = ROWS_PER_FILE,
             tail: float = 0.05, common_variants: float = 0.3, classified: float = 0.003,
             repeat_project_cells: bool = False, quiet: bool = False) -> Path:
    """Write the province; return its directory. Same arguments → byte-identical files."""
    t0 = time.perf_counter()
    out = out or DATA / f"n{n_indicators}_s{seed}"
    rng = np.random.default_rng(seed)
    phrases = load_phrases()
    by_block: dict[str, list[dict]] = {"1": [], "2": [], "3": []}
    for p in phrases:
        by_block["1" if p["level1_code"] == "4" else p["level1_code"]].append(p)
    # popularity: a fixed random rank per phrase, Zipf over ranks
    pick = {}
    numeric: dict[str, list[int]] = {}
    pick_numeric = {}
    for b, lst in by_block.items():
        order = rng.permutation(len(lst))
        lst[:] = [lst[i] for i in order]
        pick[b] = _Draws(rng, len(lst), _zipf_weights(len(lst), 1.05))
        numeric[b] = [i for i, p in enumerate(lst) if _number_spans(p["target_text"])]
        pick_numeric[b] = _Draws(rng, len(numeric[b]))
    variants_k = 40
    pick_variant = _Draws(rng, variants_k, _zipf_weights(variants_k, 1.0))
    uniform = _Uniform(rng)
    common: dict[tuple[str, int, int], str] = {}

    project_names = sorted({p["project"] for p in phrases if p["project"]}) + DEFAULT_PROJECTS
    # ---- projects: sizes until n_indicators are placed
    indicators: list[tuple] = []  # (city, dept, project_idx, block, phrase, text, period)
    projects: list[dict] = []
    city_rows: list[int] = []
    city = -1
    dept_left = 0
    dept_name = ""
    n = 0
    seen_names: set[tuple[int, str]] = set()
    while n < n_indicators:
        if city < 0 or city_rows[city] >= rows_per_file:
            city += 1
            city_rows.append(0)
            dept_left = 0
        if dept_left <= 0:
            dept_left = int(rng.lognormal(math.log(120), 0.8)) + 3
            cname = CITIES[city % len(CITIES)] + (f"第{city // len(CITIES) + 1}区" if city >= len(CITIES) else "")
            dept_name = cname + DEPARTMENTS[int(rng.integers(len(DEPARTMENTS)))]
        dept_left -= 1
        base = project_names[int(rng.integers(len(project_names)))]
        name = base + PROJECT_SUFFIXES[int(rng.integers(len(PROJECT_SUFFIXES)))]
        k = 2
        while (city, dept_name + name) in seen_names:
            name = f"{base}（{k}）"
            k += 1
        seen_names.add((city, dept_name + name))
        budget = float(np.round(rng.lognormal(math.log(40), 1.2), 2))
        proj = {"city": city, "department": dept_name, "project": name, "budget": budget,
                "goal": GOALS[int(rng.integers(len(GOALS)))], "classified": False, "n": 0,
                "execution": float(min(1.0, rng.beta(12, 1.2)))}
        if rng.random() < classified:
            proj.update(project="涉密项目", classified=True, goal="涉密内容。")
            projects.append(proj)
            city_rows[city] += 1
            continue
        n_out = int(rng.integers(2, 7))
        n_ben = int(rng.integers(1, 4))
        n_sat = 1 if rng.random() < 0.9 else 0
        take = min(n_out + n_ben + n_sat, n_indicators - n)
        blocks = (["1"] * n_out + ["2"] * n_ben + ["3"] * n_sat)[:take]
        used: set[str] = set()
        for b in blocks:
            lst = by_block[b]
            for _ in range(8):  # the same indicator twice in a project is a table error, not a repeat
                i = pick[b]()
                ph = lst[i]
                if ph["name"] not in used:
                    break
            used.add(ph["name"])
            text = ph["target_text"]
            u = uniform()
            if u < tail:
                # the long tail: a numeric phrasing with its own numbers
                i = numeric[b][pick_numeric[b]()]
                ph = lst[i]
                text = variant(ph["target_text"], rng, wide=True)
            elif u < tail + common_variants:
                j = pick_variant()
                key = (b, i, j)
                if key not in common:
                    common[key] = variant(text, np.random.default_rng([seed, int(b), i, j]))
                text = common[key]
            period = text if uniform() < 0.8 else ph["period_text"]
            indicators.append((len(projects), ph, text, period))
        proj["n"] = len(blocks)
        projects.append(proj)
        n += len(blocks)
        city_rows[city] += len(blocks)

    # ---- actuals: compile each distinct text once (to choose plausible results)
    distinct = sorted({t for _, _, t, _ in indicators})
    compiled = {t: _compile_dict(t) for t in distinct}

    (out / "targets").mkdir(parents=True, exist_ok=True)
    (out / "actuals").mkdir(parents=True, exist_ok=True)
    for old in list((out / "targets").glob("*.csv")) + list((out / "actuals").glob("*.csv")):
        old.unlink()
    by_project: dict[int, list] = {}
    for pi, ph, text, period in indicators:
        by_project.setdefault(pi, []).append((ph, text, period))
    files = []
    n_cities = city + 1
    writers = {}
    handles = []
    for c in range(n_cities):
        fname = f"city_{c + 1:02d}.csv"
        files.append(fname)
        ft = (out / "targets" / fname).open("w", encoding="utf-8-sig", newline="")
        fa = (out / "actuals" / fname).open("w", encoding="utf-8-sig", newline="")
        handles += [ft, fa]
        wt, wa = csv.writer(ft), csv.writer(fa)
        wt.writerow(TARGET_COLUMNS)
        wa.writerow(ACTUAL_COLUMNS)
        writers[c] = (wt, wa, [0])
    for pi, proj in enumerate(projects):
        wt, wa, counter = writers[proj["city"]]
        counter[0] += 1
        pid = f"P{counter[0]:03d}"
        money = [_num(proj["budget"]), _num(proj["budget"]), "", ""]
        head = [proj["department"], proj["project"], *money, proj["goal"]]
        if proj["classified"]:
            wt.writerow(head + ["", "", "涉密内容", "", "涉密内容"])
            continue
        blank = ["", "", "", "", "", "", ""] if not repeat_project_cells else head
        for no, (ph, text, period) in enumerate(by_project.get(pi, []), start=1):
            l1 = ph["level1_code"]
            wt.writerow((head if no == 1 else blank) + [LEVEL1[l1], ph["level2"], ph["name"], period, text])
            actual, prior, rating = actual_for(compiled[text], rng)
            wa.writerow(["指标", pid, proj["project"], no, LEVEL1[l1], ph["level2"], ph["name"], text,
                         actual, prior, rating, "", "", "", ""])
        spent = proj["budget"] * proj["execution"]
        wa.writerow(["项目资金", pid, proj["project"], "", "", "", "", "", "", "", "", "", "",
                     _num(proj["budget"]), _num(round(spent, 2))])
    for h in handles:
        h.close()
    meta = {
        "generator_version": GENERATOR_VERSION, "seed": seed, "indicators": len(indicators),
        "projects": len(projects), "classified_projects": sum(p["classified"] for p in projects),
        "departments": len({(p["city"], p["department"]) for p in projects}),
        "distinct_target_texts": len(distinct),
        "distinct_share": round(len(distinct) / max(1, len(indicators)), 4),
        "files": files, "rows_per_file": rows_per_file, "repeat_project_cells": repeat_project_cells,
        "target_bytes": sum((out / "targets" / f).stat().st_size for f in files),
        "actual_bytes": sum((out / "actuals" / f).stat().st_size for f in files),
        "seconds": round(time.perf_counter() - t0, 2),
    }
    (out / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    if not quiet:
        print(json.dumps(meta, ensure_ascii=False), file=sys.stderr)
    return out


def ensure(n_indicators: int, seed: int = 2024, quiet: bool = False) -> Path:
    """The province for this size and seed, generated unless already on disk."""
    out = DATA / f"n{n_indicators}_s{seed}"
    meta = out / "meta.json"
    if meta.exists():
        m = json.loads(meta.read_text(encoding="utf-8"))
        if m.get("generator_version") == GENERATOR_VERSION and m.get("indicators") == n_indicators:
            return out
    return generate(n_indicators, seed, out, quiet=quiet)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--indicators", "-n", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--rows-per-file", type=int, default=ROWS_PER_FILE)
    ap.add_argument("--repeat-project-cells", action="store_true",
                    help="print department/project/money/goal on every indicator row (default: on the "
                         "project's first row only, as merged cells are saved to CSV)")
    ap.add_argument("--refresh-phrases", type=Path, metavar="SHARED",
                    help="rebuild benchmarks/phrases.csv from SHARED/corpus and SHARED/seed, then exit")
    a = ap.parse_args(argv)
    if a.refresh_phrases:
        print(f"{refresh_phrases(a.refresh_phrases)} phrases → {PHRASES}")
        return 0
    print(generate(a.indicators, a.seed, a.out, a.rows_per_file, repeat_project_cells=a.repeat_project_cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
