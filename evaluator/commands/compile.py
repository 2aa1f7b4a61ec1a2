"""`evaluator compile TEXT…`: show how target texts compile."""
from __future__ import annotations

import argparse
import json

from ..compiler import compile_target
from ..target import Target

KIND_NAMES = {
    "compare": "比较", "range": "区间", "all": "多项", "zero": "零事件", "trend": "趋势",
    "done": "完成类", "formula": "公式", "qualitative": "定性", "empty": "空",
}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compile", help="编译指标值文本，显示比较符、数值和单位",
                       description="把指标值文本编译为比较式（例如「不少于10场」→ ≥10场）。")
    p.add_argument("texts", nargs="+", metavar="TEXT", help="指标值文本；用 - 表示从标准输入逐行读取")
    p.add_argument("--json", action="store_true", help="每行输出一个 JSON 对象（契约格式）")
    p.set_defaults(func=run)


def describe(target: Target) -> str:
    """One readable Chinese line for a compiled target."""
    kind = KIND_NAMES.get(target.kind, target.kind)
    if target.kind == "all":
        return f"{kind}：" + "；".join(describe(c) for c in target.clauses)
    if target.kind in ("compare", "range", "zero"):
        line = f"{kind} {target.canonical}"
        if target.kind == "compare" and target.op is None:
            line += "（未写比较方向，评分时按指标名称和规则包推断）"
        return line
    return f"{kind}：{target.reason or target.canonical}"


def _texts(args: argparse.Namespace) -> list[str]:
    import sys

    out: list[str] = []
    for t in args.texts:
        if t == "-":
            out.extend(line.rstrip("\n") for line in sys.stdin)
        else:
            out.append(t)
    return out


def run(args: argparse.Namespace) -> int:
    for text in _texts(args):
        target = compile_target(text)
        if args.json:
            print(json.dumps(target.to_dict(), ensure_ascii=False))
        else:
            print(f"{text}\t→ {describe(target)}")
    return 0
