"""Builders for binary broken inputs, written into a test's tmp_path (nothing binary is committed).

Text fixtures sit beside this file (``targets_ok.csv``, ``actuals_ok.csv``); the broken
variants are small edits of them, so every case differs from a good file in one way.
"""
from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent
TARGETS_OK = HERE / "targets_ok.csv"
ACTUALS_OK = HERE / "actuals_ok.csv"

ENDOFCHAIN, FREESECT, FATSECT, NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF


def ok_text() -> str:
    """The well-formed target table every broken case starts from."""
    return TARGETS_OK.read_text(encoding="utf-8")


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    """``text`` saved as ``tmp_path/name`` in ``encoding``."""
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def ok_rows() -> list[list[str]]:
    """The good target table as rows of cells."""
    return [line.split(",") for line in TARGETS_OK.read_text(encoding="utf-8").splitlines()]


def write_xlsx(path: Path, rows: list[list[object]], merged: tuple[str, ...] = (), title: str = "目标表") -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    for ref in merged:
        ws.merge_cells(ref)
    wb.save(path)
    return path


def truncated_xlsx(path: Path) -> Path:
    """A good .xlsx cut in half (an interrupted download or e-mail attachment)."""
    good = write_xlsx(path.with_name("good_" + path.name), ok_rows())
    data = good.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def ole_file(path: Path, streams: dict[str, bytes]) -> Path:
    """A minimal valid OLE compound file (CFB v3) holding ``streams``.

    Password-protected .xlsx files are OLE files with ``EncryptionInfo`` and
    ``EncryptedPackage`` streams; old .xls files are OLE files with a ``Workbook`` stream.
    Streams are padded to 4096 bytes so no mini stream is needed.
    """
    names = list(streams)
    data = [streams[n].ljust(4096, b"\0") for n in names]
    n_dir = (len(names) + 1 + 3) // 4
    sectors_per = [len(d) // 512 for d in data]
    first = 1 + n_dir
    fat = [FATSECT] + [i + 2 if i + 1 < n_dir else ENDOFCHAIN for i in range(n_dir)]
    starts = []
    pos = first
    for count in sectors_per:
        starts.append(pos)
        fat += [pos + i + 1 if i + 1 < count else ENDOFCHAIN for i in range(count)]
        pos += count
    assert len(fat) <= 128, "one FAT sector is enough for these small files"
    fat += [FREESECT] * (128 - len(fat))
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\0" * 6 + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, ENDOFCHAIN, 0, ENDOFCHAIN, 0)
              + struct.pack("<I", 0) + struct.pack("<I", FREESECT) * 108)
    assert len(header) == 512

    def entry(name: str, kind: int, left: int, right: int, child: int, start: int, size: int) -> bytes:
        raw = (name + "\0").encode("utf-16-le")
        return (raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), kind, 1) + struct.pack("<III", left, right, child)
                + b"\0" * 16 + b"\0" * 4 + b"\0" * 16 + struct.pack("<IIII", start, size, 0, 0)[:8]
                + struct.pack("<I", 0))

    entries = [entry("Root Entry", 5, NOSTREAM, NOSTREAM, 1, ENDOFCHAIN, 0)]
    for k, (name, d) in enumerate(zip(names, data), start=1):
        right = k + 1 if k < len(names) else NOSTREAM
        entries.append(entry(name, 2, NOSTREAM, right, NOSTREAM, starts[k - 1], len(streams[name])))
    directory = b"".join(entries).ljust(512 * n_dir, b"\0")
    path.write_bytes(header + struct.pack("<128I", *fat) + directory + b"".join(data))
    return path


def encrypted_xlsx(path: Path) -> Path:
    """What Excel writes for 文件 → 信息 → 用密码进行加密 (agile encryption)."""
    info = b"\x04\x00\x04\x00\x40\x00\x00\x00" + b'<?xml version="1.0"?><encryption/>'
    return ole_file(path, {"EncryptionInfo": info, "EncryptedPackage": b"\x10\x00" * 64})


def biff_xls(path: Path) -> Path:
    """An Excel 97-2003 workbook: an OLE file with a BIFF8 ``Workbook`` stream."""
    bof = struct.pack("<HHHHHHII", 0x0809, 16, 0x0600, 0x0005, 0, 0, 0, 0)
    return ole_file(path, {"Workbook": bof + struct.pack("<HH", 0x000A, 0)})


def _rewrite(src: Path, dst: Path, replace: dict[str, bytes], extra: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item.filename, replace.get(item.filename, zin.read(item.filename)))
        for name, data in (extra or {}).items():
            zout.writestr(name, data)
    return dst


LAUGHS = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
"""


def billion_laughs_xlsx(path: Path, part: str = "xl/workbook.xml") -> Path:
    """A good .xlsx whose ``part`` declares the "billion laughs" entities and uses them."""
    good = write_xlsx(path.with_name("good_" + path.name), ok_rows())
    with zipfile.ZipFile(good) as z:
        original = z.read(part)
    body = original.split(b"?>", 1)[1] if original.startswith(b"<?xml") else original
    close = body.index(b">") + 1  # end of the root element's start tag
    bomb = LAUGHS + body[:close] + b"<lol>&lol9;</lol>" + body[close:]
    return _rewrite(good, path, {part: bomb})


def zip_bomb_xlsx(path: Path, megabytes: int = 8) -> Path:
    """A good .xlsx plus a member of ``megabytes`` MB of zeros (deflates about 1000:1)."""
    good = write_xlsx(path.with_name("good_" + path.name), ok_rows())
    return _rewrite(good, path, {}, {"xl/media/image1.bin": b"\0" * (megabytes * 2**20)})


def lying_sizes_xlsx(path: Path, declared: int = 2**31) -> Path:
    """A good .xlsx whose central directory claims one member unpacks to ``declared`` bytes."""
    good = write_xlsx(path.with_name("good_" + path.name), ok_rows())
    data = bytearray(good.read_bytes())
    at = data.index(b"PK\x01\x02")  # first central directory entry
    struct.pack_into("<I", data, at + 24, declared)
    path.write_bytes(bytes(data))
    return path


def many_members_xlsx(path: Path, count: int) -> Path:
    good = write_xlsx(path.with_name("good_" + path.name), ok_rows())
    return _rewrite(good, path, {}, {f"customXml/item{i}.xml": b"" for i in range(count)})


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    buf = io.BytesIO()
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(buf)
    return buf.getvalue()
