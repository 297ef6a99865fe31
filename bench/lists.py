"""Big lists: what a 100,000-number list costs the commands that do and do not send.

    .venv/bin/python bench/lists.py                  # 100,000 numbers, 3 runs of each command
    .venv/bin/python bench/lists.py --people 20000 --runs 5

The sample project's warga-rt01 list (used by the weekly schedules) is replaced by ``--people``
numbers. The clock is a Tuesday noon with nothing due (Monday's announcement is past its grace),
so ``run --once`` is a daemon pass with nothing to send. The first pass parses the list and caches
it; the others find it in the cache. Each command runs in its own process. Prints figures; asserts
nothing. Target: a daemon pass with nothing due <= 0.5 s.
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
from scale import REPO, measure

NOW = "2026-11-24T12:00:00+08:00"  # Tuesday noon, WITA: nothing due
COMMANDS = (
    ("run --once (nothing due)", ["run", "--once"]),  # a whole process: imports and all
    ("list", ["list"]),
    ("history --limit 50", ["history", "--limit", "50"]),
)


def make_project(root: Path, people: int) -> None:
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "schedules", root / "schedules")
    with (root / "content/lists/warga-rt01.csv").open("w") as f:
        f.write("nama,nomor,rt,rw\n")
        for i in range(people):
            f.write(f"Warga {i},0812{i + 10_000_000:08d},0{i % 9 + 1},03\n")


def daemon_passes(root: Path, passes: int) -> list[tuple[float, float]]:
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
    env.update({"SIARAN_NOW": NOW, "PYTHONPATH": str(REPO / "src")})
    res = subprocess.run(
        [sys.executable, "-c", code, str(root), str(passes)], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(res.stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; {args.runs} runs each (min / median)")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "kelurahan"
        root.mkdir()
        make_project(root, args.people)
        print(f"{args.people:,} numbers on warga-rt01.csv")
        passes = daemon_passes(root, args.runs + 1)
        print(f"  daemon pass, nothing due: first {passes[0][0]:.3f} s wall / {passes[0][1]:.3f} s CPU (parses and "
              f"caches the list); then wall {min(w for w, _ in passes[1:]):.3f} / "
              f"{statistics.median(w for w, _ in passes[1:]):.3f} s, CPU {min(c for _, c in passes[1:]):.3f} / "
              f"{statistics.median(c for _, c in passes[1:]):.3f} s")  # fmt: skip
        for extra in ("siaran.db", "siaran.db-wal", "siaran.db-shm"):
            (root / extra).unlink(missing_ok=True)
        wall, cpu, rss = measure(root, ["run", "--once"], now=NOW)
        print(f"  {'first run --once':<26} wall {wall:6.3f} s   CPU {cpu:6.3f} s   peak RSS {rss:5.0f} MB  (parses)")
        for label, cmd in COMMANDS:
            runs = [measure(root, cmd, now=NOW) for _ in range(args.runs)]
            walls, cpus = [w for w, _, _ in runs], [c for _, c, _ in runs]
            print(
                f"  {label:<26} wall {min(walls):6.3f} / {statistics.median(walls):6.3f} s   "
                f"CPU {min(cpus):6.3f} / {statistics.median(cpus):6.3f} s   peak RSS {max(r for *_, r in runs):5.0f} MB"
            )


if __name__ == "__main__":
    main()
