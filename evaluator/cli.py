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
from .wording import message, messages

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

#: argparse's messages in Chinese (the msgids of Python 3.11–3.13's argparse; data/wording/cli.toml)
ARGPARSE_ZH: dict[str, str] = dict(messages()["cli_argparse"])
#: type names in "invalid %(type)s value"
TYPE_NAMES: dict[str, str] = dict(messages()["cli_argparse_types"])


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
                raise argparse.ArgumentError(action, message("cli", "invalid_number", type=TYPE_NAMES[name],
                                                                     value=arg_string)) from exc
            raise

    def error(self, message: str) -> Any:  # noqa: D102 - argparse's contract: print usage and exit 2
        with chinese_argparse():
            self.print_usage(sys.stderr)
            self.exit(2, _zh("%(prog)s: error: %(message)s\n") % {"prog": self.prog, "message": message})


def build_parser() -> argparse.ArgumentParser:
    with chinese_argparse():
        parser = ChineseParser(
            prog="evaluator",
            description=message("cli", "description"),
        )
        parser.add_argument("--version", action="version", version=f"evaluator {__version__}", help=message("cli", "version_help"))
        sub = parser.add_subparsers(dest="command", metavar=message("cli", "command_metavar"))
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
    shown = str(name) if name is not None else message("cli", "unknown_file")
    try:
        reading = name is not None and str(Path(str(name)).resolve()) in inputs
    except OSError:
        reading = False
    if reading:
        if exc.errno in (errno.EACCES, errno.EPERM):
            return message("cli", "read_denied", file=shown)
        return message("cli", "read_failed", file=shown, reason=exc.strerror or exc)
    if exc.errno in (errno.EACCES, errno.EPERM):
        return message("cli", "write_denied", file=shown)
    if exc.errno == errno.EROFS:
        return message("cli", "write_read_only", file=shown)
    if exc.errno == errno.EISDIR:
        return message("cli", "write_is_dir", file=shown)
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):
        return message("cli", "write_blocked", file=shown)
    if exc.errno == errno.ENOSPC:
        return message("cli", "write_disk_full", file=shown)
    return message("cli", "write_failed", file=shown, reason=exc.strerror or exc)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except EvaluatorError as exc:
        print(message("cli", "failure", message=exc), file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(message("cli", "file_not_found", file=exc.filename), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:  # permissions, read-only folders, a file where a folder should be, a full disk
        if os.environ.get("EVALUATOR_DEBUG"):
            raise
        print(message("cli", "failure", message=os_error_message(exc, _inputs(args))), file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - no traceback reaches the user
        if os.environ.get("EVALUATOR_DEBUG"):
            raise
        print(message("cli", "internal_error", kind=type(exc).__name__, error=exc), file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
