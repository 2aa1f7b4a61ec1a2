"""The `evaluator` command line: thin argument parsing over the library.

Each sub-command lives in its own module under ``evaluator.commands`` exposing
``register(subparsers)``; the module sets ``func`` on its parser. Errors the user
can act on are printed in Chinese without a traceback; the exit status tells
error (non-zero) from success.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys

from . import __version__
from .issues import EvaluatorError

#: sub-command modules, in the order `evaluator --help` lists them
COMMAND_MODULES = [
    "evaluator.commands.compile",
    "evaluator.commands.check",
    "evaluator.commands.template",
    "evaluator.commands.score",
    "evaluator.commands.compare",
    "evaluator.commands.batch",
    "evaluator.commands.history",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="evaluator",
        description="预算绩效自评评分引擎：编译绩效指标值、按规则包评分、逐项解释得分。",
    )
    parser.add_argument("--version", action="version", version=f"evaluator {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="命令")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except EvaluatorError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(f"错误：找不到文件 {exc.filename}", file=sys.stderr)
        return 2
    except (PermissionError, IsADirectoryError, NotADirectoryError) as exc:  # the user's paths, not an engine bug
        print(f"错误：{exc.filename or ''}: 无法读写（{'没有权限' if isinstance(exc, PermissionError) else '路径不对'}）",
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - no traceback reaches the user
        if os.environ.get("EVALUATOR_DEBUG"):
            raise
        print(f"内部错误：{type(exc).__name__}: {exc}（设置环境变量 EVALUATOR_DEBUG=1 可查看详细信息，"
              "欢迎附上输入文件报告问题）", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
