"""The `evaluator` command line: thin argument parsing over the library.

Each sub-command lives in its own module under ``evaluator.commands`` exposing
``register(subparsers)``; the module sets ``func`` on its parser. Errors the user
can act on are printed in Chinese without a traceback; the exit status tells
error (non-zero) from success: 0 success, 1 ``--strict`` with error-level issues,
2 input that cannot be read, an output that cannot be written or a wrong argument,
3 an internal error.

Help and argument errors are Chinese too: argparse's own words (``usage:``,
``positional arguments``, ``the following arguments are required``) go through
:data:`ARGPARSE_ZH` while the parser is built and used.
"""
from __future__ import annotations

import argparse
import contextlib
import errno
import importlib
import os
import re
import sys
from pathlib import Path
from typing import Any, Iterator

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

#: argparse's messages in Chinese (the msgids of Python 3.11–3.13's argparse)
ARGPARSE_ZH = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "optional arguments": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "show program's version number and exit": "显示版本号并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择：%(value)r（可选：%(choices)s）",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多一个值",
    "expected at least one argument": "至少需要一个值",
    "expected %s argument": "需要 %s 个值",
    "expected %s arguments": "需要 %s 个值",
    "invalid %(type)s value: %(value)r": "%(type)s无效：%(value)r",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "ignored explicit argument %r": "多余的值 %r",
    "one of the arguments %s is required": "必须给出参数 %s 之一",
    "ambiguous option: %(option)s could match %(matches)s": "有歧义的选项：%(option)s 可以是 %(matches)s",
    "unexpected option string: %s": "意外的选项：%s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "没有命令 %(parser_name)r（可选：%(choices)s）",
    "can't open '%(filename)s': %(error)s": "无法打开「%(filename)s」：%(error)s",
}
#: type names in "invalid %(type)s value"
TYPE_NAMES = {"int": "整数", "float": "数值"}


def _zh(message: str) -> str:
    return ARGPARSE_ZH.get(message, message)


def _zh_n(singular: str, plural: str, n: int) -> str:
    return _zh(singular if n == 1 else plural)


@contextlib.contextmanager
def chinese_argparse() -> Iterator[None]:
    """argparse speaks Chinese inside this block (its module-level gettext hooks, restored after)."""
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = _zh, _zh_n  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


class ChineseParser(argparse.ArgumentParser):
    """An ArgumentParser whose help, usage and errors are Chinese (sub-command parsers are of this class too)."""

    def parse_args(self, args: Any = None, namespace: Any = None) -> Any:  # type: ignore[override]
        with chinese_argparse():
            return super().parse_args(args, namespace)

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        with chinese_argparse():
            return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        with chinese_argparse():
            return super().format_usage()

    def format_help(self) -> str:
        with chinese_argparse():
            text = super().format_help()
        return re.sub(r"(?m)^(\S[^\n]*?):$", r"\1：", text)  # section headings: 选项：

    def _get_value(self, action: argparse.Action, arg_string: str) -> Any:
        try:
            return super()._get_value(action, arg_string)
        except argparse.ArgumentError as exc:
            name = getattr(action.type, "__name__", "")
            if name in TYPE_NAMES:
                raise argparse.ArgumentError(action, f"应为{TYPE_NAMES[name]}，而不是 {arg_string!r}") from exc
            raise

    def error(self, message: str) -> Any:  # noqa: D102 - argparse's contract: print usage and exit 2
        with chinese_argparse():
            self.print_usage(sys.stderr)
            self.exit(2, _zh("%(prog)s: error: %(message)s\n") % {"prog": self.prog, "message": message})


def build_parser() -> argparse.ArgumentParser:
    with chinese_argparse():
        parser = ChineseParser(
            prog="evaluator",
            description="预算绩效自评评分引擎：编译绩效指标值、按规则包评分、逐项解释得分。",
        )
        parser.add_argument("--version", action="version", version=f"evaluator {__version__}", help="显示版本号并退出")
        sub = parser.add_subparsers(dest="command", metavar="命令")
        for name in COMMAND_MODULES:
            importlib.import_module(name).register(sub)
    return parser


def _inputs(args: argparse.Namespace) -> set[str]:
    """The input files named on the command line (to tell a read failure from a write failure)."""
    names: list[Any] = []
    for key in ("table", "actuals", "tables", "rules", "dept", "texts"):
        value = getattr(args, key, None)
        if isinstance(value, (list, tuple)):
            for v in value:
                names.extend(v if isinstance(v, (list, tuple)) else [v])
        elif value:
            names.append(value)
    out = set()
    for n in names:
        try:
            out.add(str(Path(str(n)).resolve()))
        except OSError:
            pass
    return out


def os_error_message(exc: OSError, inputs: set[str] = frozenset()) -> str:  # type: ignore[assignment]
    """A Chinese message for a file that could not be read or written: which file, and the likely reason."""
    name = exc.filename2 or exc.filename  # os.replace(tmp, target) names the target second
    shown = str(name) if name is not None else "（未知文件）"
    try:
        reading = name is not None and str(Path(str(name)).resolve()) in inputs
    except OSError:
        reading = False
    if reading:
        if exc.errno in (errno.EACCES, errno.EPERM):
            return f"无法读取 {shown}：没有读取权限（文件是否被其他程序独占打开？）"
        return f"无法读取 {shown}：{exc.strerror or exc}"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return (f"无法写入 {shown}：没有写入权限（文件是否在 Excel 或 WPS 中打开？请关闭后重试；"
                "或输出文件夹是只读的，请用 -o 换一个文件夹）")
    if exc.errno == errno.EROFS:
        return f"无法写入 {shown}：所在的磁盘或文件夹是只读的，请用 -o 换一个文件夹"
    if exc.errno == errno.EISDIR:
        return f"无法写入 {shown}：这是一个文件夹，不是文件"
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):
        return f"无法写入 {shown}：路径中有一个同名的文件挡住了输出文件夹（-o 应指向文件夹）"
    if exc.errno == errno.ENOSPC:
        return f"无法写入 {shown}：磁盘空间不足"
    return f"无法写入 {shown}：{exc.strerror or exc}"


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
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:  # permissions, read-only folders, a file where a folder should be, a full disk
        if os.environ.get("EVALUATOR_DEBUG"):
            raise
        print(f"错误：{os_error_message(exc, _inputs(args))}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - no traceback reaches the user
        if os.environ.get("EVALUATOR_DEBUG"):
            raise
        print(f"内部错误：{type(exc).__name__}: {exc}（设置环境变量 EVALUATOR_DEBUG=1 可查看详细信息，"
              "欢迎附上输入文件报告问题）", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
