"""Big lists: what a 100,000-number list costs the commands that do and do not send, a new history's
first passes, and the first command after one row is added to the list.

    .venv/bin/python bench/lists.py                              # 100,000 numbers, 3 runs of each
    .venv/bin/python bench/lists.py --people 20000 --runs 5 --before 277a649   # beside that commit

The sample project's warga-rt01 list (used by the weekly schedules) is replaced by ``--people``
numbers. The clock is a Tuesday noon with nothing due (Monday's announcement is past its grace),
so ``run --once`` is a daemon pass with nothing to send. Each command runs in its own process. With
``--before COMMIT``, that commit's ``src/`` runs the same steps on its own copy of the project: the
sides take turns, step by step, so a machine shared with other work loads both alike. Prints
figures; asserts nothing. Targets: a daemon pass with nothing due <= 0.5 s; the first command after
adding a row to a 100,000-number list <= 2 s.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale import REPO, figures, measure, older_code, side_by_side

NOW = "2026-11-24T12:00:00+08:00"  # Tuesday noon, WITA: nothing due
COMMANDS = (
    ("run --once (nothing due)", ["run", "--once"]),  # a whole process: imports and all
    ("list", ["list"]),
    ("history --limit 50", ["history", "--limit", "50"]),
)
AFTER_EDIT = (
    ("run --once", ["run", "--once"]),
    ("check", ["check"]),
    ("history --limit 50", ["history", "--limit", "50"]),
)
LIST = "content/lists/warga-rt01.csv"


def make_project(root: Path, people: int, base: Path = REPO) -> None:
    shutil.copytree(base / "content", root / "content")
    shutil.copytree(base / "schedules", root / "schedules")
    with (root / LIST).open("w") as f:
        f.write("nama,nomor,rt,rw\n")
        for i in range(people):
            f.write(f"Warga {i},0812{i + 10_000_000:08d},0{i % 9 + 1},03\n")


def daemon_passes(root: Path, passes: int, src: Path) -> list[tuple[float, float]]:
    """(wall, CPU) of each pass of one long-running daemon process (imports paid once, before)."""
    code = (
        "import json, sys, time; from pathlib import Path; from siaran.app import App; "
        "from siaran.clock import clock_from_env; from siaran.daemon import Daemon; "
        "root = Path(sys.argv[1]); app = App.open(root, clock_from_env()); "
        "d = Daemon(root, app.settings, app.clock); out = []\n"
        "for _ in range(int(sys.argv[2])):\n"
        "    w, c = time.perf_counter(), time.process_time(); results, _ = d.tick()\n"
        "    assert not results, results\n"
        "    out.append((time.perf_counter() - w, time.process_time() - c))\n"
        "print(json.dumps(out))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIARAN_")}
    env.update({"SIARAN_NOW": NOW, "PYTHONPATH": str(src)})
    res = subprocess.run(
        [sys.executable, "-c", code, str(root), str(passes)], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(res.stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--before", metavar="COMMIT", help="also run this commit's code, side by side")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; {args.runs} runs each (min / median)")
    with tempfile.TemporaryDirectory() as tmp:
        sides = {"now": (Path(tmp) / "now" / "kelurahan", REPO / "src")}
        if args.before:
            sides["before"] = (Path(tmp) / "before" / "kelurahan", older_code(args.before, Path(tmp) / "before"))
        for root, src in sides.values():
            root.mkdir(parents=True)
            make_project(root, args.people, src.parent)  # each side with its own commit's sample
        print(f"{args.people:,} numbers on warga-rt01.csv")
        print("  a new history: its first passes (run --once each)")
        for n in (1, 2, 3):
            for name, (root, src) in sides.items():
                print(f"    pass {n} {name:<7} {figures([measure(root, ['run', '--once'], now=NOW, src=src)])}")
        for name, (root, src) in sides.items():
            passes = daemon_passes(root, args.runs + 1, src)
            walls, cpus = [w for w, _ in passes[1:]], [c for _, c in passes[1:]]
            print(f"  daemon pass, nothing due, {name:<7} wall {min(walls):.3f} / {statistics.median(walls):.3f} s, "
                  f"CPU {min(cpus):.3f} / {statistics.median(cpus):.3f} s (first pass of the process "
                  f"{passes[0][0]:.3f} s)")  # fmt: skip
        for label, cmd in COMMANDS:
            side_by_side(sides, label, cmd, args.runs, now=NOW)
        print("  the first command after one row is added to the list")
        added = 0
        for label, cmd in AFTER_EDIT:
            runs: dict[str, list] = {name: [] for name in sides}
            for _ in range(args.runs):
                added += 1
                for name, (root, src) in sides.items():
                    with (root / LIST).open("a") as f:
                        f.write(f"Warga Baru {added},0813{added + 20_000_000:08d},01,03\n")
                    runs[name].append(measure(root, cmd, now=NOW, src=src))
            for name in sides:
                print(f"    {label:<20} {name:<7} {figures(runs[name])}")


if __name__ == "__main__":
    main()
