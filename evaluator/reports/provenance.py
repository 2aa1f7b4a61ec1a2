"""Provenance: what a reviewer needs to reproduce a report.

Engine version, rule pack (name, version, content hash) and every input file (base
name and sha256). No wall-clock time goes into an output unless the caller passes
one (``generated_at``) or sets ``SOURCE_DATE_EPOCH`` (the reproducible-builds
convention), so the same inputs give byte-identical files.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import os
from pathlib import Path
from typing import Any, Iterable

from .. import __version__
from ..wording import messages

#: timestamp written where a file format insists on one (xlsx core properties, zip entries)
FIXED_TIME = _dt.datetime(2000, 1, 1, 0, 0, 0)

#: field labels shown in reports, in display order
LABELS = dict(messages()["reports_provenance"])


def file_record(path: str | os.PathLike[str], role: str = "") -> dict[str, str]:
    """``{"role", "name", "sha256"}`` for one input file (base name only: outputs must not
    depend on where the files sit)."""
    p = Path(path)
    digest = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else ""
    return {"role": role, "name": p.name, "sha256": digest}


def report_time(generated_at: _dt.datetime | str | None = None) -> _dt.datetime:
    """The timestamp for formats that need one: the caller's, else SOURCE_DATE_EPOCH, else fixed."""
    if isinstance(generated_at, _dt.datetime):
        return generated_at.replace(tzinfo=None, microsecond=0)
    if isinstance(generated_at, str) and generated_at:
        return _dt.datetime.fromisoformat(generated_at).replace(tzinfo=None, microsecond=0)
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), tz=_dt.timezone.utc).replace(tzinfo=None)
    return FIXED_TIME


def _inputs_from(prov: dict[str, Any]) -> list[dict[str, str]]:
    """Input records from an evaluation's provenance, whatever shape the scorer used."""
    raw = prov.get("inputs") or prov.get("input_files") or []
    if isinstance(raw, dict):
        raw = [{"role": k, **(v if isinstance(v, dict) else {"name": str(v)})} for k, v in raw.items()]
    out = []
    for item in raw:
        if isinstance(item, dict):
            out.append({"role": str(item.get("role", "")),
                        "name": Path(str(item.get("name") or item.get("file") or item.get("path") or "")).name,
                        "sha256": str(item.get("sha256", ""))})
        else:
            out.append(file_record(item))
    # older shape: flat keys such as targets_file / targets_sha256
    for role in ("targets", "actuals"):
        name = prov.get(f"{role}_file") or prov.get(role)
        if isinstance(name, str) and name and not any(i["role"] == role for i in out):
            out.append({"role": role, "name": Path(name).name, "sha256": str(prov.get(f"{role}_sha256", ""))})
    return out


def build_provenance(evaluation: Any, department: str = "",
                     generated_at: _dt.datetime | str | None = None) -> dict[str, Any]:
    """Provenance of one department's evaluation, as plain JSON types in a stable order."""
    prov = dict(getattr(evaluation, "provenance", None) or {})
    pack = getattr(evaluation, "rule_pack", None)
    pack_info = pack.provenance() if hasattr(pack, "provenance") else {}
    out: dict[str, Any] = {
        "engine": "evaluator",
        "engine_version": str(prov.get("engine_version") or __version__),
        "rule_pack": str(pack_info.get("rule_pack") or prov.get("rule_pack", "")),
        "rule_pack_version": str(pack_info.get("rule_pack_version") or prov.get("rule_pack_version", "")),
        "rule_pack_sha256": str(pack_info.get("rule_pack_sha256") or prov.get("rule_pack_sha256", "")),
        "rule_pack_source": str(pack_info.get("rule_pack_source") or prov.get("rule_pack_source", "")),
    }
    if department:
        out["department"] = department
    out["inputs"] = _inputs_from(prov)
    if generated_at is not None:
        out["generated_at"] = report_time(generated_at).isoformat()
    return out


def merge_provenance(records: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Provenance of a comparison: shared engine/pack fields once, inputs of every department."""
    records = list(records)
    if not records:
        return {"engine": "evaluator", "engine_version": __version__, "inputs": []}
    first = records[0]
    out = {k: v for k, v in first.items() if k not in ("inputs", "department")}
    packs = sorted({(r.get("rule_pack", ""), r.get("rule_pack_version", ""), r.get("rule_pack_sha256", ""))
                    for r in records})
    if len(packs) > 1:
        out["rule_pack"] = "、".join(p[0] for p in packs)
        out["rule_pack_version"] = "、".join(p[1] for p in packs)
        out["rule_pack_sha256"] = "、".join(p[2] for p in packs)
    out["inputs"] = [dict(i, department=r.get("department", "")) for r in records for i in r.get("inputs", [])]
    return out


def provenance_rows(prov: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) pairs for display in xlsx and html."""
    rows = [(LABELS[k], str(prov[k])) for k in LABELS if prov.get(k)]
    for item in prov.get("inputs", []):
        who = f"{item.get('department', '')} " if item.get("department") else ""
        roles = messages()["reports_provenance_roles"]
        role = roles.get(item.get("role", ""), item.get("role", "") or roles["unnamed"])
        rows.append((f"{who}{role}", f"{item.get('name', '')}  sha256={item.get('sha256', '')}"))
    return rows
