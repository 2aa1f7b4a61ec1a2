"""Embed the CJK glyphs an HTML report uses, so it reads the same on a machine without Chinese fonts.

When the machine *generating* the report has a CJK font (Noto Sans CJK / Source Han / WenQuanYi on
Linux, Microsoft YaHei / SimHei / SimSun on Windows, PingFang / Hiragino / STHeiti on macOS), the
characters of the page are cut out of it with fontTools and put in the page as a WOFF ``data:`` URL
in an ``@font-face`` rule: one file, no network, every character a glyph rather than a box.

``EVALUATOR_CJK_FONT`` names a font file to use (``.ttf``/``.otf``/``.ttc``), or ``none`` to embed
nothing. When no font is found the report falls back to the reader's own fonts and the command line
says so (:func:`missing_font_note`). The subset of the same font for the same page is the same bytes,
so reports stay byte-identical run to run on one machine.
"""
from __future__ import annotations

import base64
import functools
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

from ..wording import message

#: family name the page uses for the embedded subset (first in the CSS font stack)
FAMILY = "EvaluatorCJK"

#: well-known font files, best first: simplified-Chinese faces of common fonts on each platform
CANDIDATES = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/adobe-source-han-sans/SourceHanSansSC-Regular.otf",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "C:/Windows/Fonts/msyh.ttc", "C:/Windows/Fonts/msyh.ttf", "C:/Windows/Fonts/simhei.ttf",
    "C:/Windows/Fonts/simsun.ttc", "C:/Windows/Fonts/Deng.ttf",
    "/System/Library/Fonts/PingFang.ttc", "/System/Library/Fonts/STHeiti Light.ttc",
    "/System/Library/Fonts/Hiragino Sans GB.ttc", "/Library/Fonts/Arial Unicode.ttf",
]
#: a face of a collection whose name says simplified Chinese is preferred
SC_MARKS = (" SC", "SC ", "CN", "GB", "Micro Hei", "YaHei", "SimSun", "SimHei", "PingFang SC")
#: characters that must be in the font for it to count as a Chinese font
PROBE = message("reports_fonts", "probe")


@functools.lru_cache(maxsize=1)
def find_cjk_font() -> tuple[str, int] | None:
    """(font file, face number) of a CJK font on this machine, or None."""
    env = os.environ.get("EVALUATOR_CJK_FONT", "").strip()
    if env.lower() in ("none", "0", "off", "no"):
        return None
    candidates = [env] if env else []
    candidates += [p for p in CANDIDATES if os.path.isfile(p)]
    windir = os.environ.get("WINDIR")
    if windir:
        candidates += [str(Path(windir) / "Fonts" / n) for n in ("msyh.ttc", "msyh.ttf", "simhei.ttf", "simsun.ttc")]
    if not env:
        candidates += _fontconfig()
    for path in dict.fromkeys(candidates):
        face = _usable_face(path)
        if face is not None:
            return path, face
    return None


def _fontconfig() -> list[str]:
    """Chinese fonts fontconfig knows of (Linux and other Unix), regular weight first."""
    if not shutil.which("fc-list"):
        return []
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "file", "style"], capture_output=True, text=True,
                             timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    files = []
    for line in sorted(out.splitlines()):
        path, _, style = line.partition(":")
        if path.lower().endswith((".ttf", ".otf", ".ttc", ".otc")):
            files.append((0 if "regular" in style.lower() or not style.strip() else 1, path.strip()))
    return [p for _, p in sorted(files)]


def _usable_face(path: str) -> int | None:
    """The face of ``path`` to embed (simplified Chinese if the file holds several), or None when
    the file cannot be read by fontTools or lacks Chinese characters."""
    try:
        from fontTools.ttLib import TTCollection, TTFont
    except ImportError:  # pragma: no cover - fontTools is a dependency
        return None
    try:
        if path.lower().endswith((".ttc", ".otc")):
            fonts = TTCollection(path, lazy=True).fonts
        else:
            fonts = [TTFont(path, lazy=True)]
        best = None
        for i, font in enumerate(fonts):
            cmap = font.getBestCmap() or {}
            if not all(ord(c) in cmap for c in PROBE):
                continue
            name = str(font["name"].getDebugName(4) or font["name"].getDebugName(1) or "")
            if "Mono" in name:
                continue
            if best is None:
                best = i
            if any(m in name for m in SC_MARKS):
                return i
        return best
    except Exception:  # noqa: BLE001 - a broken font file is just not used
        return None


def font_face_css(text: str) -> str:
    """An ``@font-face`` rule holding the glyphs of ``text`` from this machine's CJK font, or ""."""
    found = find_cjk_font()
    if found is None:
        return ""
    chars = "".join(sorted({c for c in text if ord(c) >= 0x20}))
    data = _subset(found[0], found[1], chars)
    if not data:
        return ""
    return ("@font-face { font-family: \"%s\"; font-style: normal; font-weight: normal; "
            "src: url(data:font/woff;base64,%s) format(\"woff\"); }" % (FAMILY, base64.b64encode(data).decode("ascii")))


@functools.lru_cache(maxsize=16)
def _subset(path: str, face: int, chars: str) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    try:
        # recalcTimestamp=False: the font keeps its own date, so the same report is the same bytes every run
        font = TTFont(path, fontNumber=face, lazy=True, recalcTimestamp=False)
        opts = subset.Options()
        opts.flavor = "woff"          # zlib-compressed; WOFF2 would need brotli
        opts.layout_features = []     # plain glyphs: no vertical forms or ligatures in a report
        opts.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx", "DSIG", "JSTF", "MATH"]
        opts.name_IDs = [0, 1, 2, 3, 4, 5, 6]
        subsetter = subset.Subsetter(opts)
        subsetter.populate(text=chars)
        subsetter.subset(font)
        buf = io.BytesIO()
        font.flavor = "woff"
        font.save(buf)
        return buf.getvalue()
    except Exception:  # noqa: BLE001 - no embedded font is better than no report
        return b""


def missing_font_note() -> str | None:
    """The terminal note when no CJK font can be embedded, else None."""
    if os.environ.get("EVALUATOR_CJK_FONT", "").strip().lower() in ("none", "0", "off", "no"):
        return None
    if find_cjk_font() is not None:
        return None
    hint = message("reports_fonts", "hint") if sys.platform != "darwin" else ""
    return message("reports_fonts", "missing", hint=hint)
