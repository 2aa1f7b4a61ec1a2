"""Byte-identity guard: run one checkout on fixed inputs, then compare two output folders.

    # outputs of a checkout (uses CHECKOUT/.venv/bin/python unless --python is given)
    python3 benchmarks/identity.py run /work/wt/ref /work/ref-out          # the reference
    python3 benchmarks/identity.py run . /tmp/mine                         # your worktree
    python3 benchmarks/identity.py cmp /work/ref-out /tmp/mine             # exit 1 on any difference

    python3 benchmarks/identity.py run . /tmp/mine --sizes 100000,1000000  # add the 1M province
    python3 benchmarks/identity.py run . /tmp/mine --sizes 0               # examples only (seconds)

What ``run`` writes under OUTDIR, each through the command-line interface only (so the
guard works across refactorings of the Python API):

* ``seed/``, ``tianjin-hebei-court/``, ``sichuan-mata-zhen/``: ``evaluator score TABLE
  ACTUALS -o …`` for the three examples (every report format);
* ``compare/``: ``evaluator compare`` of the three examples;
* ``nN-j1/``, ``nN-j2/``: the synthetic province of N indicators (``benchmarks/generate.py``,
  seed 2024) through ``evaluator batch -j 1`` (one process) and ``-j 2`` (two workers);
* ``NAME.stdout``: what each command printed (OUTDIR replaced by ``OUT``, elapsed time by
  ``…``), and its exit code.

Inputs are given as relative paths (examples from the checkout, the province from
``--data``, generated there if missing, default ``benchmarks/data/`` of *this* script's
checkout), so output files do not depend on where the checkout or OUTDIR is.
``cmp`` compares every file of the two folders byte for byte and prints, for a differing
text file, its first differing line.
"""
from __future__ import annotations

import argparse
import filecmp
import os
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXAMPLES = [("seed", "examples/seed/targets.txt"), ("tianjin-hebei-court", "examples/tianjin-hebei-court/targets.tsv"),
            ("sichuan-mata-zhen", "examples/sichuan-mata-zhen/targets.tsv")]


def _run(name: str, cmd: list[str], cwd: Path, out: Path) -> None:
    t0 = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    text = re.sub(r"用时 [0-9.]+ 秒", "用时 … 秒", (p.stdout + p.stderr).replace(str(out), "OUT"))
    (out / f"{name}.stdout").write_text(f"{text}\nexit {p.returncode}\n", encoding="utf-8")
    print(f"{name:<24} exit {p.returncode}  {time.perf_counter() - t0:6.1f} s", flush=True)


def province(size: int, data: Path) -> Path:
    folder = data / f"n{size}_s2024"
    if not (folder / "meta.json").exists():
        subprocess.run([sys.executable, str(HERE / "generate.py"), "--indicators", str(size), "--out", str(folder)],
                       check=True, stdout=subprocess.DEVNULL)
    return folder


def run(checkout: Path, out: Path, python: str | None, sizes: list[int], data: Path) -> None:
    checkout = checkout.resolve()
    out.mkdir(parents=True, exist_ok=True)
    python = os.path.abspath(python) if python and "/" in python else python  # (not resolve(): a venv's link)
    ev = [python or str(checkout / ".venv" / "bin" / "python"), "-m", "evaluator"]
    for name, table in EXAMPLES:
        actuals = str(Path(table).parent / "actuals.csv")
        _run(name, [*ev, "score", table, actuals, "-o", str(out / name)], checkout, out)
    depts = [a for _, t in EXAMPLES for a in ("--dept", t, str(Path(t).parent / "actuals.csv"))]
    _run("compare", [*ev, "compare", *depts, "-o", str(out / "compare")], checkout, out)
    for size in sizes:
        folder = province(size, data)
        for jobs in (1, 2):
            name = f"n{size}-j{jobs}"
            _run(name, [*ev, "batch", "targets", "--actuals", "actuals", "-o", str(out / name), "-j", str(jobs)],
                 folder, out)


def compare(a: Path, b: Path) -> int:
    files = sorted({p.relative_to(a) for p in a.rglob("*") if p.is_file()}
                   | {p.relative_to(b) for p in b.rglob("*") if p.is_file()})
    bad = 0
    for rel in files:
        pa, pb = a / rel, b / rel
        if not pa.exists() or not pb.exists():
            print(f"MISSING in {'first' if not pa.exists() else 'second'}: {rel}")
            bad += 1
        elif not filecmp.cmp(pa, pb, shallow=False):
            bad += 1
            msg = ""
            if rel.suffix in (".csv", ".stdout", ".json", ".html"):
                la = pa.read_text(encoding="utf-8", errors="replace").splitlines()
                lb = pb.read_text(encoding="utf-8", errors="replace").splitlines()
                for i, (x, y) in enumerate(zip(la, lb)):
                    if x != y:
                        msg = f"\n  line {i + 1}:\n  - {x[:300]}\n  + {y[:300]}"
                        break
                else:
                    msg = f"\n  lines {len(la)} vs {len(lb)}"
            print(f"DIFFERS: {rel}{msg}")
    print(f"{len(files)} files, {bad} differ" if bad else f"{len(files)} files, all identical")
    return 1 if bad else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("checkout", type=Path)
    r.add_argument("outdir", type=Path)
    r.add_argument("--python", help="interpreter with the checkout installed (default CHECKOUT/.venv/bin/python)")
    r.add_argument("--sizes", default="100000", help="province sizes, comma-separated; 0 for none")
    r.add_argument("--data", type=Path, default=HERE / "data")
    c = sub.add_parser("cmp")
    c.add_argument("first", type=Path)
    c.add_argument("second", type=Path)
    args = ap.parse_args()
    if args.cmd == "cmp":
        return compare(args.first, args.second)
    sizes = [int(s) for s in args.sizes.split(",") if int(s) > 0]
    run(args.checkout, args.outdir.resolve(), args.python, sizes, args.data.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
