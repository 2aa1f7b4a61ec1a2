"""report.html and comparison.html in a real browser: headless Chromium at 1366 and 1024 px.

Chromium runs with a font configuration that holds no CJK font at all (DejaVu/Liberation only), as
on a reader's machine without Chinese fonts: every Chinese character that renders as a glyph rather
than a box comes from the subset the report embeds (evaluator.reports.fonts). Asserted per page and
width: no console error, no network request, no horizontal scroll, CJK glyphs drawn (not the box a
missing glyph gets), charts present, project names on at most two lines.

This test does not skip: .ci/run installs chromium and fonts-noto-cjk when they are missing.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from browser import Browser, chromium_path
from evaluator.compare import compare_files
from evaluator.evaluate import evaluate
from evaluator.reports import write_comparison, write_reports
from evaluator.reports.fonts import FAMILY, find_cjk_font

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
WIDTHS = (1366, 1024)

#: evaluated in the page: layout facts and a glyph test on a canvas in the page's own font stack
PAGE_FACTS = r"""
(() => {
  const font = getComputedStyle(document.body).fontFamily;
  const ink = (text) => {
    const c = document.createElement('canvas'); c.width = 64; c.height = 64;
    const g = c.getContext('2d'); g.fillStyle = '#fff'; g.fillRect(0, 0, 64, 64);
    g.fillStyle = '#000'; g.font = '48px ' + font; g.textBaseline = 'top'; g.fillText(text, 4, 4);
    const d = g.getImageData(0, 0, 64, 64).data; let s = '', n = 0;
    for (let i = 0; i < d.length; i += 4) { const on = d[i] < 128; s += on ? '1' : '0'; n += on; }
    return {bits: s, ink: n};
  };
  // a private-use code point is in no font: what the browser draws for a missing glyph
  const chars = ['部', '门', '绩', '效'].map(ink);
  const box = ink('\uE83A');
  const nameCells = [...document.querySelectorAll('table.projects td.name')];
  const lines = nameCells.map(td => {
    const lh = parseFloat(getComputedStyle(td).lineHeight) || 20;
    const pad = parseFloat(getComputedStyle(td).paddingTop) + parseFloat(getComputedStyle(td).paddingBottom);
    return Math.round((td.clientHeight - pad) / lh);
  });
  const oneCharWide = nameCells.filter(td => td.textContent.length > 2 && td.clientWidth < 40).length;
  return {
    scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
    chars, box, charts: [...document.querySelectorAll('svg')].map(s => ({w: s.getBoundingClientRect().width,
      rects: s.querySelectorAll('rect').length})),
    nameLines: Math.max(0, ...lines), nameCells: nameCells.length, oneCharWide,
    resources: performance.getEntriesByType('resource').map(e => e.name),
    fontFaces: [...document.fonts].map(f => f.family + ':' + f.status),
  };
})()
"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("browser")
    seed = EXAMPLES / "seed"
    ev = evaluate(seed / "targets.txt", seed / "actuals.csv")
    report = write_reports(ev, out / "one", formats=("html",))["html"]
    pairs = [(EXAMPLES / "seed" / "targets.txt", EXAMPLES / "seed" / "actuals.csv"),
             (EXAMPLES / "tianjin-hebei-court" / "targets.tsv", EXAMPLES / "tianjin-hebei-court" / "actuals.csv"),
             (EXAMPLES / "sichuan-mata-zhen" / "targets.tsv", EXAMPLES / "sichuan-mata-zhen" / "actuals.csv")]
    comparison = write_comparison(compare_files(pairs, all_packs=False), out / "cmp", formats=("html",))["html"]
    return {"report.html": report, "comparison.html": comparison}


def _no_cjk_fontconfig(tmp: Path) -> dict[str, str]:
    """Environment for Chromium with Latin fonts only (no CJK font is visible to it)."""
    dirs = [d for d in ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/liberation") if os.path.isdir(d)]
    conf = tmp / "fonts.conf"
    conf.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
                    + "".join(f"  <dir>{d}</dir>\n" for d in dirs)
                    + f"  <cachedir>{tmp / 'fc-cache'}</cachedir>\n</fontconfig>\n", encoding="utf-8")
    env = dict(os.environ)
    env["FONTCONFIG_FILE"] = str(conf)
    env.pop("FONTCONFIG_PATH", None)
    return env


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    assert chromium_path(), "chromium is not installed: apt-get install -y chromium (.ci/run does this)"
    with Browser(env=_no_cjk_fontconfig(tmp_path_factory.mktemp("fonts"))) as b:
        yield b


def test_generating_machine_has_a_cjk_font():
    # without one the report cannot embed glyphs; .ci/run installs fonts-noto-cjk
    assert find_cjk_font() is not None, "no CJK font found: apt-get install -y fonts-noto-cjk"


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("page", ["report.html", "comparison.html"])
def test_page_in_chromium(pages, browser, page, width):
    seen = browser.open(pages[page], width, script=PAGE_FACTS)
    facts = seen["value"]
    assert seen["errors"] == [], seen["errors"]
    # only the page itself is loaded: no request anywhere else (the font is a data: URL)
    assert [u for u in seen["requests"] if not u.startswith(("file:", "data:"))] == []
    assert [u for u in facts["resources"] if not u.startswith("data:")] == []
    assert facts["scrollWidth"] <= facts["innerWidth"], (facts["scrollWidth"], facts["innerWidth"])
    assert f"{FAMILY}:loaded" in facts["fontFaces"]
    # CJK glyphs rendered: each character has ink, differs from the others and from the missing-glyph box
    bits = [c["bits"] for c in facts["chars"]]
    assert all(c["ink"] > 40 for c in facts["chars"])
    assert len(set(bits)) == len(bits)
    assert facts["box"]["bits"] not in bits
    # charts: inline SVG with bars, laid out at a real size
    charts = facts["charts"]
    assert len(charts) >= (2 if page == "report.html" else 4)
    assert all(c["w"] > 300 and c["rects"] >= 3 for c in charts)
    # project names readable: never one character per line, at most two lines
    assert facts["nameCells"] > 0
    assert facts["oneCharWide"] == 0
    assert facts["nameLines"] <= 2, facts["nameLines"]
