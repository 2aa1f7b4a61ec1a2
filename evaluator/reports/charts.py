"""Inline SVG charts, generated here so the report needs no script library and no network.

Text in the charts is real SVG ``<text>`` in the page's CJK font stack, so Chinese
renders with whatever CJK font the reader's system has. Every label is escaped.
"""
from __future__ import annotations

import math
from html import escape
from typing import Any, Sequence

from ..wording import fixed, message
from .labels import points

#: grade band colours, best first (优 良 中 差)
BAND_COLOURS = ("#d8f0dc", "#e3efd2", "#fbf1cf", "#f8d9d4")
SERIES_COLOURS = ("#3b6fb6", "#e08a2e", "#4a9b5e", "#b0476b", "#7a5ab8", "#6b7b8c", "#2a9d8f", "#c9a227",
                  "#8c564b", "#17a2b8")
FONT = '"EvaluatorCJK","Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei","Microsoft YaHei","PingFang SC",sans-serif'


def _e(text: Any) -> str:
    return escape(str(text), quote=True)


def _f(x: float) -> str:
    return f"{x:.1f}"


def _short(text: str, n: int = 18) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _svg(width: int, height: int, body: list[str], label: str) -> str:
    # inline SVG in HTML5 needs no xmlns: the report then holds no URL at all
    return (f'<svg role="img" aria-label="{_e(label)}" '
            f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f"style=\"font-family:{_e(FONT)};font-size:12px\">" + "".join(body) + "</svg>")


def score_bars(rows: Sequence[dict[str, Any]], bands: Sequence[tuple[float, str]], title: str,
               width: int = 980, label_width: int = 240, value_width: int = 210) -> str:
    """Horizontal bars on a 0–100 scale over coloured grade bands.

    ``rows``: dicts with ``label``, ``value`` and optional ``low``/``high`` (the interval
    still reachable, drawn as a whisker). ``bands``: (lower bound, grade) best first.
    """
    bar_h, gap, top = 18, 8, 48
    height = top + len(rows) * (bar_h + gap) + 30
    plot_w = width - label_width - value_width
    x0 = label_width

    def x(v: float) -> float:
        return x0 + max(0.0, min(100.0, v)) / 100 * plot_w

    body = [f'<text x="0" y="14" font-weight="bold" font-size="14">{_e(title)}</text>']
    upper = 100.0
    for i, (low, grade) in enumerate(bands):
        colour = BAND_COLOURS[min(i, len(BAND_COLOURS) - 1)]
        body.append(f'<rect x="{_f(x(low))}" y="{top - 6}" width="{_f(x(upper) - x(low))}" '
                    f'height="{height - top - 18}" fill="{colour}"/>')
        wide = x(upper) - x(low) > 70
        label = message("reports_charts", "band", grade=grade, low=low) if low > 0 and wide else grade
        body.append(f'<text x="{_f((x(low) + x(upper)) / 2)}" y="{top - 10}" text-anchor="middle" '
                    f'fill="#555">{_e(label)}</text>')
        upper = low
    for i, row in enumerate(rows):
        y = top + i * (bar_h + gap)
        v = row.get("value")
        body.append(f'<text x="{label_width - 8}" y="{y + 13}" text-anchor="end">'
                    f'<title>{_e(row["label"])}</title>{_e(_short(str(row["label"])))}</text>')
        if v is None or (isinstance(v, float) and math.isnan(v)):
            body.append(f'<text x="{x0 + 4}" y="{y + 13}" fill="#888">{_e(message("reports_charts", "no_score"))}</text>')
            continue
        colour = row.get("colour", SERIES_COLOURS[0])
        body.append(f'<rect x="{x0}" y="{y}" width="{_f(x(v) - x0)}" height="{bar_h}" fill="{colour}" rx="2"/>')
        lo, hi = row.get("low"), row.get("high")
        if lo is not None and hi is not None and not math.isnan(lo) and not math.isnan(hi) and hi - lo > 1e-9:
            cy = y + bar_h / 2
            body.append(f'<line x1="{_f(x(lo))}" x2="{_f(x(hi))}" y1="{_f(cy)}" y2="{_f(cy)}" stroke="#222" stroke-width="2"/>'
                        f'<line x1="{_f(x(hi))}" x2="{_f(x(hi))}" y1="{y + 3}" y2="{y + bar_h - 3}" stroke="#222" stroke-width="2"/>'
                        f'<line x1="{_f(x(lo))}" x2="{_f(x(lo))}" y1="{y + 3}" y2="{y + bar_h - 3}" stroke="#222" stroke-width="2"/>')
            text = message("reports_charts", "interval", value=points(v), low=points(lo), high=points(hi))
            tx = max(x(hi), x(v))
        else:
            text, tx = points(v), x(v)
        body.append(f'<text x="{_f(tx + 4)}" y="{y + 13}">{_e(text)}</text>')
    axis_y = height - 22
    for tick in range(0, 101, 20):
        body.append(f'<line x1="{_f(x(tick))}" x2="{_f(x(tick))}" y1="{axis_y}" y2="{axis_y + 4}" stroke="#666"/>'
                    f'<text x="{_f(x(tick))}" y="{axis_y + 16}" text-anchor="middle" fill="#666">{tick}</text>')
    body.append(f'<line x1="{x0}" x2="{_f(x(100))}" y1="{axis_y}" y2="{axis_y}" stroke="#666"/>')
    return _svg(width, height, body, title)


def grouped_bars(categories: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], title: str,
                 width: int = 860, height: int = 280, colours: Sequence[str] | None = None) -> str:
    """Vertical grouped bars of shares (0–1) per category, one colour per series, with a legend.

    ``colours``: the colour of each series (a department keeps its colour across charts); by default
    the series colours in order."""
    colours = list(colours) if colours else [SERIES_COLOURS[i % len(SERIES_COLOURS)] for i in range(len(series))]
    left, top, bottom = 50, 40, 50
    plot_h = height - top - bottom
    plot_w = width - left - 20
    group_w = plot_w / max(len(categories), 1)
    n = max(len(series), 1)
    bar_w = min(40.0, group_w * 0.8 / n)
    body = [f'<text x="0" y="14" font-weight="bold" font-size="14">{_e(title)}</text>']
    for tick in range(0, 101, 25):
        y = top + plot_h * (1 - tick / 100)
        body.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{_f(y)}" y2="{_f(y)}" stroke="#ddd"/>'
                    f'<text x="{left - 6}" y="{_f(y + 4)}" text-anchor="end" fill="#666">{tick}%</text>')
    for ci, cat in enumerate(categories):
        gx = left + ci * group_w + (group_w - bar_w * n) / 2
        for si, (_, values) in enumerate(series):
            v = values[ci] if ci < len(values) else math.nan
            colour = colours[si]
            bx = gx + si * bar_w
            if v is None or math.isnan(v):
                body.append(f'<text x="{_f(bx + bar_w / 2)}" y="{top + plot_h - 4}" text-anchor="middle" fill="#999" font-size="10">{_e(message("reports_charts", "no_value"))}</text>')
                continue
            h = plot_h * max(0.0, min(1.0, v))
            body.append(f'<rect x="{_f(bx)}" y="{_f(top + plot_h - h)}" width="{_f(bar_w - 2)}" height="{_f(h)}" fill="{colour}">'
                        f'<title>{_e(series[si][0])} {_e(cat)} {fixed(v * 100, 1)}%</title></rect>'
                        f'<text x="{_f(bx + bar_w / 2)}" y="{_f(top + plot_h - h - 3)}" text-anchor="middle" font-size="10">{fixed(v * 100, 0)}</text>')
        body.append(f'<text x="{_f(left + ci * group_w + group_w / 2)}" y="{top + plot_h + 18}" text-anchor="middle">{_e(cat)}</text>')
    lx = left
    for si, (name, _) in enumerate(series):
        colour = colours[si]
        body.append(f'<rect x="{_f(lx)}" y="{height - 16}" width="12" height="12" fill="{colour}"/>'
                    f'<text x="{_f(lx + 16)}" y="{height - 6}">{_e(_short(name, 20))}</text>')
        lx += 30 + 13 * min(len(name), 20)
    return _svg(width, height, body, title)
