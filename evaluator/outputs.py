"""Output files written whole or not at all, into a folder one run owns at a time.

* Every file is written under a temporary name in its folder and moved over the final name
  with :func:`os.replace`: a run killed mid-write leaves the previous complete file (or none),
  never a truncated one. The final name is never opened for writing, so a symbolic link
  planted there is replaced by a regular file, and its target is left untouched.
* Inside :func:`locked_output` the finished files are moved into place together when the run
  ends: a run killed half way leaves every file of the previous run as it was (its
  ``provenance.json`` still names the inputs of its own reports).
* :func:`locked_output` holds a lock on OUT for the run: a second run into the same OUT
  stops with a clear message instead of mixing its files with the first one's. The lock is
  an OS file lock (released by the OS when the process dies), so a killed run leaves no lock.
* The names a run wrote are recorded in ``OUT/.evaluator-files``; the next run into OUT
  removes the files of that list it does not write again (``tables.csv`` of an earlier batch,
  ``comparison_*.csv`` of an earlier compare) and names them, so no stale file sits beside
  fresh ones. Files the engine did not write are never removed.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> write_atomic(d / "a.csv", b"x").read_bytes()
b'x'
"""
from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Iterator

from .issues import InputError, issue_message
from .wording import message

#: the lock file of an output folder (kept: removing it would race with a run waiting to lock it)
LOCK_NAME = ".evaluator.lock"
#: the files the last run wrote into the folder, one name a line
MANIFEST_NAME = ".evaluator-files"

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)

#: inside :func:`locked_output`: the finished temporary files and their final names, moved into place
#: together when the run ends (a run killed half way changes none of the previous run's files)
_PENDING: list[tuple[Path, Path]] | None = None


def prepare_dir(out: str | Path) -> Path:
    """Create the output folder; refuse (exit 2, Chinese message) a path that is a file or cannot be written."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(issue_message("output_not_dir", "folder"), file=str(out),
                         code="output_not_dir")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(issue_message("output_unwritable", "create", reason=exc.strerror or type(exc).__name__), file=str(out),
                         code="output_unwritable") from exc
    if not os.access(out, os.W_OK | os.X_OK):
        raise InputError(issue_message("output_unwritable", "not_writable"), file=str(out), code="output_unwritable")
    return out


def _temp_for(path: Path) -> tuple[int, Path]:
    """A new temporary file beside ``path`` (created exclusively, never through a link)."""
    for n in range(100):
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{n}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | getattr(os, "O_BINARY", 0), 0o644)
        except FileExistsError:
            continue
        return fd, tmp
    raise InputError(issue_message("output_unwritable", "no_temp_file"), file=str(path.parent), code="output_unwritable")


def write_atomic(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` whole: a temporary file in the same folder, then :func:`os.replace`."""
    path = Path(path)
    with AtomicFile(path) as fh:
        fh.write(data)
    return path


class AtomicFile:
    """A binary file written under a temporary name; :meth:`commit` (or leaving the ``with`` block
    without an error) moves it over ``path``; :meth:`discard` (or an error) removes it."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            fd, self.tmp = _temp_for(self.path)
        except OSError as exc:
            raise InputError(issue_message("output_unwritable", "write", reason=exc.strerror or type(exc).__name__), file=str(self.path),
                             code="output_unwritable") from exc
        self._fh = os.fdopen(fd, "wb")

    def write(self, data: bytes) -> int:
        return self._fh.write(data)

    def flush(self) -> None:
        self._fh.flush()

    def commit(self) -> Path:
        if not self._fh.closed:
            self._fh.close()
            if _PENDING is not None:
                _PENDING.append((self.tmp, self.path))
            else:
                os.replace(self.tmp, self.path)
        return self.path

    def discard(self) -> None:
        if not self._fh.closed:
            self._fh.close()
            with contextlib.suppress(OSError):
                os.unlink(self.tmp)

    close = commit

    def __enter__(self) -> AtomicFile:
        return self

    def __exit__(self, kind, value, tb) -> None:
        if kind is None:
            self.commit()
        else:
            self.discard()


@contextlib.contextmanager
def locked_output(out: str | Path) -> Iterator[Path]:
    """Hold OUT for one run: a second run into the same folder gets a clear message (exit 2)."""
    out = prepare_dir(out)
    lock = out / LOCK_NAME
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | _NOFOLLOW, 0o644)
    except OSError as exc:
        raise InputError(issue_message("output_unwritable", "lock", reason=exc.strerror or type(exc).__name__), file=str(out),
                         code="output_unwritable") from exc
    global _PENDING
    try:
        _lock(fd, out)
        _PENDING = pending = []
        try:
            yield out
        except BaseException:
            for tmp, _ in pending:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
            raise
        finally:
            _PENDING = None
        for tmp, path in pending:  # every file of the run into place at once, at its end
            os.replace(tmp, path)
    finally:
        os.close(fd)  # (releases the lock)


def _lock(fd: int, out: Path) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError as exc:
            raise _busy(out) from exc
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as exc:
        raise _busy(out) from exc


def _busy(out: Path) -> InputError:
    return InputError(issue_message("output_locked"), file=str(out), code="output_locked")


def finish_run(out: str | Path, written: list[Path] | dict[str, Path] | tuple[Path, ...]) -> list[str]:
    """Record the files this run wrote; remove the ones an earlier run wrote and this one did not.

    Returns the names removed (also printed as a warning on stderr).
    """
    out = Path(out)
    paths = list(written.values()) if isinstance(written, dict) else list(written)
    names = sorted({Path(p).name for p in paths if Path(p).parent.resolve() == out.resolve()})
    manifest = out / MANIFEST_NAME
    before: list[str] = []
    if manifest.is_file() and not manifest.is_symlink():
        before = [n for n in manifest.read_text(encoding="utf-8", errors="replace").splitlines() if n]
    removed = []
    for name in before:
        if name in names or "/" in name or "\\" in name or name.startswith("."):
            continue
        stale = out / name
        if stale.is_file() or stale.is_symlink():
            with contextlib.suppress(OSError):
                stale.unlink()
                removed.append(name)
    write_atomic(manifest, ("\n".join(names) + "\n").encode("utf-8"))
    if removed:
        print(message("output_folder", "removed_stale", names=_listed(removed)), file=sys.stderr)
    older = sorted(p.name for p in out.iterdir() if p.name not in names and p.name not in before and _engine_name(p.name))
    if older:  # written by an engine run without a manifest (an earlier version): named, not removed
        print(message("output_folder", "older_results", names=_listed(older)), file=sys.stderr)
    return removed


def _listed(names: list[str]) -> str:
    return message("output_writer", "list_separator").join(names)


def _engine_name(name: str) -> bool:
    """A file name the engine's reports use (report.*, the result CSVs, comparison_*, provenance.json)."""
    return name in {"report.xlsx", "report.html", "report.json", "indicators.csv", "projects.csv", "departments.csv",
                    "issues.csv", "boundary_warnings.csv", "tables.csv", "provenance.json"} or \
        name.startswith("comparison") and name.endswith((".csv", ".xlsx", ".html", ".json"))


def inside(path: str | Path, folder: str | Path) -> bool:
    """True when ``path`` is ``folder`` or lies inside it (links resolved)."""
    p, f = Path(path).resolve(), Path(folder).resolve()
    return p == f or f in p.parents
