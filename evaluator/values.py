"""Reading actual values (实际完成值) with the same vocabulary as targets.

``parse_actual("2500毫秒")`` → a number with unit 毫秒; ``parse_actual("96%;99%")`` →
two clauses; ``parse_actual("达成预期指标")`` → yes; ``parse_actual("一般=10;满意=50")``
→ named components for a formula target. Each distinct text is parsed once (cached).
"""
from __future__ import annotations

import ast
import operator
import re
import tomllib
from dataclasses import dataclass, fields
from functools import lru_cache
from importlib import resources
from operator import attrgetter, itemgetter
from typing import Any

import numpy as np

from .compiler import _CODES, _DATE_SPAN, _PUNCT, _RATIO, compile_target
from .lexicon import lexicon, normalize

ACTUAL_KINDS = ("empty", "number", "clauses", "yes", "partial", "no", "none", "na", "components", "trend", "unreadable")


@dataclass(frozen=True)
class ActualValue:
    """One parsed actual cell.

    ``none`` is a no-word that also means "zero occurrences" (无, 没有, 未发生).
    """

    kind: str
    raw: str
    value: float | None = None
    unit: str | None = None
    per: str | None = None
    clauses: tuple[tuple[float, str | None, str | None], ...] = ()
    components: tuple[tuple[str, float], ...] = ()
    #: for a stated trend (实际: 逐步提高): up / down / stable; for a number written with a change
    #: verb (下降1%, 提高2%): up / down, the way the amount went
    direction: str | None = None


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, Any]:
    """The actuals vocabulary (``data/actuals.toml``)."""
    text = resources.files("evaluator").joinpath("data/actuals.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _word_sets() -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str], frozenset[str]]:
    w = vocabulary()["words"]
    return (frozenset(w["yes"]), frozenset(w["no"]), frozenset(w["none"]), frozenset(w["not_applicable"]),
            frozenset(w["partial"]))


_STRIP = " \t\r\n。.，,；;！!"
_COMPONENT = re.compile(r"^\s*([^\d=＝:：;；,，\s][^=＝:：;；,，]*?)\s*[=＝:：]\s*(-?\d[\d,]*(?:\.\d+)?)\s*$")
_SPLIT = re.compile(r"[;；,，、\n]")


def _components(text: str) -> tuple[tuple[str, float], ...] | None:
    parts = [p for p in _SPLIT.split(text) if p.strip()]
    if len(parts) < 2:
        return None
    out = []
    for part in parts:
        m = _COMPONENT.match(part)
        if not m:
            return None
        out.append((m.group(1).strip(), float(m.group(2).replace(",", ""))))
    return tuple(out)


_SIMPLE = re.compile(r"(-?\d+(?:\.\d+)?)\s*([^\d\s.,;:/()\-]{0,4})")


def _simple_number(core: str, raw: str) -> ActualValue | None:
    """Fast path for the common cell: a plain number and a known unit (97%, 46个, 2500毫秒)."""
    m = _SIMPLE.fullmatch(core)
    if m is None:
        return None
    unit = m.group(2)
    spellings = lexicon().unit_spellings
    if unit and unit not in spellings:
        return None
    return ActualValue("number", raw, value=float(m.group(1)), unit=spellings[unit] if unit else None)


#: digits with spaces between them (6 500份, 26 5); thin and no-break spaces too
_SPACED = re.compile(r"(?<![\d.])\d+(?:[ \u00a0\u2009\u202f]+\d+)+")
#: … where each space is a thousands separator: groups of three digits after the first
_THOUSANDS = re.compile(r"\d{1,3}(?:[ \u00a0\u2009\u202f]\d{3})+")


def _spaced_number(core: str) -> str | None:
    """``core`` with thousands-separator spaces taken out (6 500份 → 6500份); None when a space splits a
    number any other way (26 5): never read as half a number."""
    out, at = [], 0
    for m in _SPACED.finditer(core):
        if not _THOUSANDS.fullmatch(m.group()):
            return None
        out += [core[at:m.start()], re.sub(r"\s", "", m.group())]
        at = m.end()
    return "".join(out) + core[at:]


@lru_cache(maxsize=65536)
def parse_actual(text: str | None) -> ActualValue:
    """Parse one actual cell.

    >>> parse_actual("5.2万份").value
    52000.0
    """
    raw = "" if text is None else str(text)
    core = raw.strip().strip(_STRIP)
    if not core:
        return ActualValue("empty", raw)
    yes, no, none, na, partial = _word_sets()
    if core in na:
        return ActualValue("na", raw)
    if core in partial:
        return ActualValue("partial", raw)
    if core in none:
        return ActualValue("none", raw, value=0.0)
    if core in yes:
        return ActualValue("yes", raw)
    if core in no:
        return ActualValue("no", raw)
    if core[0] in "=＝" and re.search(r"[A-Za-z]", core):  # =A1*2, =SUM(B2:B9): a spreadsheet formula typed as text
        return ActualValue("unreadable", raw)
    if re.search(r"\d\s+\d", core):
        spaced = _spaced_number(core)
        if spaced is None:
            return ActualValue("unreadable", raw)
        core = spaced
    simple = _simple_number(core, raw)
    if simple is not None:
        return simple
    comps = _components(core)
    if comps:
        return ActualValue("components", raw, components=comps)
    target = compile_target(_none_as_zero(core, none))
    if target.kind == "zero":
        return ActualValue("number", raw, value=0.0, unit=target.unit, per=target.per)
    if target.kind == "compare" and target.value is not None:
        # 下降1% is a change of -1 %: the change verb gives the sign (scoring compares it with the
        # target's own verb: a fall of 6 % against 下降5% is 6 of the 5 asked for)
        value = -float(target.value) if target.direction == "down" else float(target.value)
        return ActualValue("number", raw, value=value, unit=target.unit, per=target.per,
                           direction=target.direction)
    if target.kind == "all" and target.clauses and all(
            c.kind == "zero" or (c.kind == "compare" and c.value is not None) for c in target.clauses):
        clauses = tuple((float(c.value or 0.0), c.unit, c.per) for c in target.clauses)
        numbers = [c for c in target.clauses if "zero_phrase" not in c.notes]
        if len(numbers) == 1 and numbers[0].kind == "compare":
            # 未发生安全事故，完好率97%: one number beside zero-event statements; the number against a
            # one-number target, every clause against a target with a zero clause
            n = numbers[0]
            return ActualValue("number", raw, value=float(n.value), unit=n.unit, per=n.per, clauses=clauses,
                               direction=n.direction)
        return ActualValue("clauses", raw, clauses=clauses)
    if target.kind == "done":
        return ActualValue("no" if target.canonical in no else "yes", raw)
    if target.kind == "trend":
        return ActualValue("trend", raw, direction=target.direction)
    return ActualValue("unreadable", raw)


_PARTS = re.compile(r"([;；,，、])")


def _none_as_zero(core: str, none: frozenset[str]) -> str:
    """``无;98%`` → ``0;98%``: a no-word standing as one of several answers is a count of zero."""
    if not _PARTS.search(core):
        return core
    parts = _PARTS.split(core)
    words = {w for w in none if not any(c.isdigit() for c in w)}  # 0次 keeps its unit
    if not any(p.strip() in words for p in parts[::2]):
        return core
    return "".join("0" if i % 2 == 0 and p.strip() in words else p for i, p in enumerate(parts))


#: distinct cells already read by :func:`actual_columns` (oldest half dropped when full), each as its row
_READ: dict[str, tuple[Any, ...]] = {}
_READ_MAX = 65536


def _word_kinds() -> dict[str, str]:
    """Vocabulary word → its kind, in the order :func:`parse_actual` tries the word lists."""
    yes, no, none, na, partial = _word_sets()
    kinds: dict[str, str] = {}
    for kind, words in (("na", na), ("partial", partial), ("none", none), ("yes", yes), ("no", no)):
        for w in words:
            kinds.setdefault(w, kind)
    return kinds


#: a cell of plain numbers each followed by a unit made of Chinese characters, / and %
#: (1723元/亩, 2.19次/月, 6篇；50439份, 12；0): the numbers and what stands between them
_SHAPED = re.compile(r"([0-9]+(?:\.[0-9]+)?)([\u4e00-\u9fff/%]*)(?:[;；]([0-9]+(?:\.[0-9]+)?)([\u4e00-\u9fff/%]*))*")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
#: the units of each shape (the cell with its numbers replaced by 1), None where it is not read by shape
_SHAPES: dict[str, tuple[tuple[str | None, str | None], ...] | None] = {}


def _shape_units(shape: str, count: int) -> tuple[tuple[str | None, str | None], ...] | None:
    """(unit, per) of each number of the cells shaped ``shape``, read by compiling ``shape`` itself;
    None unless every number is one plain quantity (no comparator, range or multiplier)."""
    target = compile_target(shape)
    clauses = target.clauses if target.kind == "all" else (target,)
    if len(clauses) != count or any(
            c.kind != "compare" or c.value != 1.0 or c.op is not None or c.low is not None or c.high is not None
            for c in clauses):
        return None
    return tuple((c.unit, c.per) for c in clauses)


def _masked(s: str, lex: Any) -> bool:
    """Whether the compiler would blank out a part of ``s`` (a date, a ratio, a code, a phrase never a number)."""
    return bool(_DATE_SPAN.search(s) or _RATIO.search(s) or _CODES.search(s) or lex.not_numbers_re.search(s))


def _by_shape(raw: str, core: str) -> tuple[Any, ...] | None:
    """:func:`parse_actual` of a cell of plain numbers with units (``core``: the cell stripped), as its row, read
    from the compiled cell of the same shape with the numbers replaced by 1; None for any other cell.

    The compiler reads such a cell the same whatever its numbers (no sign, thousands separator,
    multiplier, range or comparator can be written in it), except where a number is part of a date
    or of a phrase that is never a number (2019.5, 24小时服务): those cells are not read here.
    A number read as 0 is a ``zero`` target, which :func:`parse_actual` reads as the number 0 too.
    """
    if _SHAPED.fullmatch(core) is None:
        return None
    lex = lexicon()
    s = core.replace("；", ";")
    if normalize(core) != s or s in lex.empty_exact or s.strip(_PUNCT) in lex.empty_exact:
        return None
    if _masked(s, lex):
        return None
    numbers = _NUMBER.findall(core)
    shape = _NUMBER.sub("1", core)
    units = _SHAPES.get(shape, ())
    if units == ():
        if len(_SHAPES) >= 4096:
            _SHAPES.clear()
        probe = shape.replace("；", ";")
        plain = normalize(shape) == probe and not _masked(probe, lex)
        units = _SHAPES[shape] = _shape_units(shape, len(numbers)) if plain else None
    if units is None:
        return None
    if len(units) == 1:
        return _cell("number", raw, value=float(numbers[0]), unit=units[0][0], per=units[0][1])
    return _cell("clauses", raw, clauses=tuple((float(n), u, p) for n, (u, p) in zip(numbers, units)))


#: the fields of :class:`ActualValue`, in order: a cell read is kept as a plain tuple of them (its row)
FIELDS = tuple(f.name for f in fields(ActualValue))
_row = attrgetter(*FIELDS)


def _cell(kind: str, raw: str, value: float | None = None, unit: str | None = None, per: str | None = None,
          clauses: tuple[tuple[float, str | None, str | None], ...] = ()) -> tuple[Any, ...]:
    """The row of an :class:`ActualValue` with only these fields given."""
    return kind, raw, value, unit, per, clauses, (), None


def _rows(texts: Any) -> list[tuple[Any, ...]]:
    """The row of each cell of ``texts``, as :func:`parse_actual` reads it.

    The common cells (empty, a vocabulary word, a plain number with a known unit: 52个, 98.5%)
    are read here in one pass with the word lists and the unit table looked up once; the rest
    goes through :func:`parse_actual` (the compiler). Cells already read are remembered.
    """
    words = _word_kinds()
    spellings = lexicon().unit_spellings
    match = _SIMPLE.fullmatch
    read = _READ
    known = read.pop  # a cell read again moves to the end: the oldest cells are dropped first
    out: list[tuple[Any, ...]] = []
    append = out.append
    for raw in texts:
        row = known(raw, None) if type(raw) is str else None
        if row is not None:
            read[raw] = row
            append(row)
            continue
        if type(raw) is not str:
            append(_row(parse_actual(raw)))
            continue
        core = raw.strip().strip(_STRIP)
        if not core:
            row = _cell("empty", raw)
        else:
            kind = words.get(core)
            if kind is not None:
                row = _cell(kind, raw, 0.0 if kind == "none" else None)
            else:
                m = match(core)
                unit = m.group(2) if m is not None else None
                if m is None or (unit and unit not in spellings):
                    row = _by_shape(raw, core) or _row(parse_actual(raw))
                else:
                    row = _cell("number", raw, float(m.group(1)), spellings[unit] if unit else None)
        if len(read) >= _READ_MAX:
            for old in list(read)[:_READ_MAX // 2]:
                read.pop(old, None)
        read[raw] = row
        append(row)
    return out


def parse_actuals(texts: Any) -> list[ActualValue]:
    """``[parse_actual(t) for t in texts]`` (equal values), for many distinct cells at once."""
    return [ActualValue(*row) for row in _rows(texts)]


@dataclass(frozen=True)
class ActualColumns:
    """Distinct cells read as :func:`parse_actual` reads them, one array per field of
    :class:`ActualValue` (position k: the k-th cell), and ``number``: ``value`` as floats (NaN for
    none). Whole columns for the scorer; an :class:`ActualValue` is made only where one is asked
    for (:meth:`at`), not one per distinct cell."""

    kind: np.ndarray
    raw: np.ndarray
    value: np.ndarray
    unit: np.ndarray
    per: np.ndarray
    clauses: np.ndarray
    components: np.ndarray
    direction: np.ndarray
    number: np.ndarray

    def __len__(self) -> int:
        return len(self.kind)

    def at(self, k: int) -> ActualValue:
        """The k-th cell as :func:`parse_actual` returns it."""
        return ActualValue(*(getattr(self, name)[k] for name in FIELDS))


def actual_columns(texts: Any) -> ActualColumns:
    """:func:`parse_actuals` of ``texts`` as columns (:class:`ActualColumns`)."""
    rows = _rows(texts)
    # one field at a time (zip(*rows) would keep an iterator per row alive, each tracked by the collector)
    columns = [np.fromiter(map(itemgetter(j), rows), dtype=object, count=len(rows)) for j in range(len(FIELDS))]
    return ActualColumns(*columns, number=np.array(columns[FIELDS.index("value")].tolist(), dtype=float))


_clear_parsed = parse_actual.cache_clear


def _forget_all() -> None:
    """Forget every cell read (by :func:`parse_actual` and :func:`actual_columns`) and every shape, as in a
    fresh process: ``parse_actual.cache_clear()``."""
    _clear_parsed()
    _READ.clear()
    _SHAPES.clear()


parse_actual.cache_clear = _forget_all  # type: ignore[attr-defined]


# --- formulas ----------------------------------------------------------------
_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}
_FOLD = str.maketrans({"（": "(", "）": ")", "＋": "+", "－": "-", "×": "*", "＊": "*", "÷": "/", "／": "/",
                       "＝": "=", "[": "(", "]": ")"})


def _eval_node(root: ast.AST) -> float:
    """The value of an arithmetic tree, walked with an explicit stack: a formula of a thousand terms is a
    tree a thousand deep, past Python's recursion limit."""
    stack: list[tuple[ast.AST, bool]] = [(root, False)]
    values: list[float] = []
    while stack:
        node, done = stack.pop()
        if isinstance(node, ast.Expression):
            stack.append((node.body, False))
        elif isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            values.append(float(node.value))
        elif isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            if done:
                right = values.pop()
                values.append(_OPS[type(node.op)](values.pop(), right))
            else:
                stack += [(node, True), (node.right, False), (node.left, False)]
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            if done:
                values.append(-values.pop())
            else:
                stack += [(node, True), (node.operand, False)]
        else:
            raise ValueError("unsupported")
    return values[-1]


def evaluate_formula(formula: str, components: tuple[tuple[str, float], ...]) -> float | None:
    """Value of ``满意度=(一般+满意+非常满意)/评价数量`` given named components; None if it can't.

    Only arithmetic on numbers is evaluated (parsed with :mod:`ast`, never executed).
    """
    text = formula.translate(_FOLD)
    rhs = text.split("=", 1)[1] if "=" in text else text
    names = sorted((n for n, _ in components), key=len, reverse=True)
    values = dict(components)
    # replace longest names first so 非常满意 is not read as 非常 + 满意
    pattern = re.compile("|".join(re.escape(n) for n in names)) if names else None
    if pattern is None:
        return None
    expr = pattern.sub(lambda m: f"({values[m.group(0)]!r})", rhs)
    expr = re.sub(r"[×]", "*", expr).strip().rstrip("。.")
    try:
        value = _eval_node(ast.parse(expr, mode="eval"))
    except (SyntaxError, ValueError, ZeroDivisionError, TypeError, OverflowError, RecursionError, MemoryError):
        return None
    return value if value == value and abs(value) != float("inf") else None  # NaN or infinite: no value
