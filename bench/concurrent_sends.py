"""Two `siaran send` processes started at once on a fresh project, N trials: how many crash
(``database is locked`` or any traceback), how many finish, and how long the pair takes.

    PYTHONPATH=src python bench/concurrent_sends.py --trials 18

The issue that asked for it saw 12 crashes in 18 trials. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=18)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIARAN_")}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), env.get("PYTHONPATH", "")])
    crashed = finished = told_other = 0
    seconds = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.trials):
            root = Path(tmp) / "proyek"
            shutil.rmtree(root, ignore_errors=True)
            shutil.copytree(REPO / "content", root / "content")
            shutil.copytree(REPO / "schedules", root / "schedules")
            cmd = [sys.executable, "-m", "siaran", "--project", str(root), "send", "announcements/posyandu", "--now"]
            start = time.perf_counter()
            procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                     for _ in range(2)]  # fmt: skip
            for p in procs:
                out, err = p.communicate(timeout=300)
                if "Traceback" in err or "locked" in err:
                    crashed += 1
                elif p.returncode in (0, 2):
                    finished += 1
                    told_other += "proses siaran lain" in out
            seconds.append(time.perf_counter() - start)
    print(f"trials: {args.trials} (2 processes each)")
    print(f"processes crashed: {crashed}; finished: {finished} (said another was sending: {told_other})")
    print(f"seconds per pair: median {sorted(seconds)[len(seconds) // 2]:.2f}, max {max(seconds):.2f}")


if __name__ == "__main__":
    main()
