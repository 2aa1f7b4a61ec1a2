"""read_actuals reads a text file column-wise (load_text_grid); the result is the one the row route gives."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from evaluator.actuals import read_actuals, write_template
from evaluator.readers import io as rio
from evaluator.readers import read_targets

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _by_rows(monkeypatch, path, table):
    with monkeypatch.context() as m:
        m.setattr(rio, "load_text_grid", lambda p: None)
        return read_actuals(path, table)


def assert_same(a, b):
    for x, y in ((a.indicators, b.indicators), (a.projects, b.projects), (a.issues, b.issues)):
        pd.testing.assert_frame_equal(x, y, check_exact=True)


def _variants(text: str) -> dict[str, str]:
    """The filled template with the mistakes users make: duplicates, blanks, unknown ids, bad numbers…"""
    head, *rows = text.splitlines()
    cells = [r.split(",") for r in rows]

    def edit(col: int, value: str, every: int = 3, also: dict[int, str] | None = None) -> str:
        new = {col: value, **(also or {})}
        return "\n".join([head] + [",".join(new.get(j, c) if i % every == 1 else c for j, c in enumerate(r))
                                   for i, r in enumerate(cells)])
    return {
        "as is": text,
        "duplicates": "\n".join([head] + rows + rows[:5]),
        "blank lines and CRLF": "\r\n\r\n".join([head] + rows),
        "unknown project id": edit(1, "P999"),
        "no project id": edit(1, ""),
        "unknown indicator": edit(3, "99"),
        "unknown indicator and name": edit(3, "99", also={6: "没有的指标"}),
        "unknown project and name": edit(1, "P999", also={2: "没有的项目"}),
        "no indicator number": edit(3, ""),
        "other name": edit(6, "别的指标"),
        "bad score": edit(11, "九十"),
        "bad budget": edit(13, "一百万"),
        "money written many ways": "\n".join([head] + [",".join(c if j != 13 else
                                                              ["\"1,200\"", "265000元", ".5", "5.", "１２", "-3", "1.2.3", ""][i % 8]
                                                              for j, c in enumerate(r)) for i, r in enumerate(cells)]),
        "html and spaces": edit(8, " <p>95%</p> "),
        "rows dropped": "\n".join([head] + rows[::2]),
        "ragged": "\n".join([head] + [r + ",,,extra" if i % 4 == 0 else r.rstrip(",") for i, r in enumerate(rows)]),
    }


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.iterdir() if (p / "actuals.csv").exists()))
def test_examples_and_variants(tmp_path, monkeypatch, example):
    folder = EXAMPLES / example
    table = read_targets(next(folder.glob("targets.*")), check=False)
    assert_same(read_actuals(folder / "actuals.csv", table), _by_rows(monkeypatch, folder / "actuals.csv", table))
    template = write_template(table, tmp_path / "template.csv")
    for name, text in _variants(template.read_text(encoding="utf-8-sig")).items():
        for encoding in ("utf-8-sig", "gb18030"):
            path = tmp_path / "actuals.csv"
            path.write_text(text, encoding=encoding)
            assert_same(read_actuals(path, table), _by_rows(monkeypatch, path, table)), name


def test_text_file_takes_the_columnar_route(tmp_path, monkeypatch):
    folder = EXAMPLES / "seed"
    table = read_targets(next(folder.glob("targets.*")), check=False)
    path = write_template(table, tmp_path / "template.csv")
    expected = read_actuals(path, table)
    monkeypatch.setattr(rio, "load_rows", lambda p: pytest.fail("read row by row"))
    assert_same(read_actuals(path, table), expected)


def test_plain_amounts_are_what_the_pattern_matches():
    import random

    from evaluator.actuals import _PLAIN_AMOUNT, _plain_amounts

    rnd = random.Random(7)
    texts = ["", "5", ".5", "5.", ".", "1.2.3", "0.0", "１２", "²", "12元", " 12", "1,200", "-5", "1e5", "5\n"]
    texts += ["".join(rnd.choice("0123456789.. ,元a１\n-") for _ in range(rnd.randint(0, 6))) for _ in range(3000)]
    expected = [_PLAIN_AMOUNT.fullmatch(t) is not None for t in texts]
    assert _plain_amounts(texts).tolist() == expected
    assert _plain_amounts(texts + [None]).tolist() == expected + [False]  # not only texts: one at a time
    assert _plain_amounts([]).tolist() == [] and _plain_amounts([""]).tolist() == [False]
