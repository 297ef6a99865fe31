"""Start-up: `siaran --help` and `siaran check` on the sample, each its own process, as the operator
runs them.

    .venv/bin/python bench/startup.py                 # 9 runs each: min / median / max
    .venv/bin/python bench/startup.py --against ../old-checkout   # the same, alternating with another tree

Runs with byte-code files written and read (an office PC's Python writes them; a
PYTHONDONTWRITEBYTECODE=1 environment would recompile siaran's 150 modules on every command, about
0.1 s) and with warm caches (the first run of a new install fills them and is not counted). Wall and
CPU time (user + system, from ``os.wait4``). Prints figures; asserts nothing. Targets: --help
<= 0.15 s, check <= 0.4 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COMMANDS = (("siaran --help", ["--help"]), ("siaran check", ["check"]))


def measure(src: Path, root: Path, args: list[str]) -> tuple[float, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIARAN_") and k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(src)
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "siaran", "--project", str(root), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) not in (0, 1):  # check exits 1 on content errors
        raise SystemExit(f"siaran {' '.join(args)} failed")
    return time.perf_counter() - t0, usage.ru_utime + usage.ru_stime


def spread(values: list[float]) -> str:
    return f"{min(values):.3f} / {statistics.median(values):.3f} / {max(values):.3f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--against", type=Path, help="another siaran tree, measured alternately")
    args = parser.parse_args()
    trees = [("this tree", REPO)] + ([("other tree", args.against.resolve())] if args.against else [])
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; {args.runs} runs, min / median / max")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "kelurahan"
        shutil.copytree(REPO / "content", root / "content")
        shutil.copytree(REPO / "schedules", root / "schedules")
        for _, tree in trees:
            for _, cmd in COMMANDS:
                measure(tree / "src", root, cmd)  # writes byte code, fills the caches
        for label, cmd in COMMANDS:
            found: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name, _ in trees}
            for _ in range(args.runs):
                for name, tree in trees:
                    wall, cpu = measure(tree / "src", root, cmd)
                    found[name][0].append(wall)
                    found[name][1].append(cpu)
            for name, (walls, cpus) in found.items():
                print(f"  {label:<14} {name:<10} wall {spread(walls)} s   CPU {spread(cpus)} s")


if __name__ == "__main__":
    main()
