"""Start-up: `siaran --help` and `siaran check` on the sample, each its own process, as the operator
runs them; `check` also in a copy of the sample with a history (every real office has one).

    .venv/bin/python bench/startup.py                 # 9 runs each: min / median / max
    .venv/bin/python bench/startup.py --against ../old-checkout   # the same, alternating with another tree
    .venv/bin/python bench/startup.py --against ../old-checkout --instructions   # and instructions counted

Runs with byte-code files written and read (an office PC's Python writes them; a
PYTHONDONTWRITEBYTECODE=1 environment would recompile siaran's 150 modules on every command, about
0.1 s) and with warm caches (the first run of a new install fills them and is not counted). Wall and
CPU time (user + system, from ``os.wait4``). The history is made as the README's quick start makes
one: ``siaran run --once`` rehearsed (``SIARAN_NOW``), then for real; each tree makes its own.
``check`` also right after an edit of one post (in the copy with a history): a line added to its
body, or a hashtag to its front matter; each run edits it anew.
``--instructions``: each command once more under valgrind (callgrind), whose count of executed
instructions does not depend on what else loads the machine (valgrind must be installed). Prints
figures; asserts nothing. Targets: --help <= 0.15 s, check <= 0.4 s.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# (label, arguments, in the copy with a history, what is edited before each run)
COMMANDS = (
    ("siaran --help", ["--help"], False, ""),
    ("siaran check", ["check"], False, ""),
    ("check, history", ["check"], True, ""),
    ("body edited", ["check"], True, "body"),
    ("front matter", ["check"], True, "front matter"),
)
EDITED = Path("content/announcements/posyandu.md")
REHEARSAL = "2026-11-30T08:20:00+07:00"  # a Monday: the sample's weekly announcement is due


def environment(src: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIARAN_") and k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPATH": str(src), **extra}


def measure(src: Path, root: Path, args: list[str]) -> tuple[float, float]:
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "siaran", "--project", str(root), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=environment(src),
    )
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) not in (0, 1):  # check exits 1 on content errors
        raise SystemExit(f"siaran {' '.join(args)} failed")
    return time.perf_counter() - t0, usage.ru_utime + usage.ru_stime


def instructions(src: Path, root: Path, args: list[str]) -> int:
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, "-m", "siaran"]
    done = subprocess.run([*command, "--project", str(root), *args], env=environment(src), capture_output=True)
    found = re.search(r"Collected : (\d+)", done.stderr.decode(errors="replace"))
    if not found:
        raise SystemExit(f"valgrind counted nothing: {done.stderr.decode(errors='replace')[-500:]}")
    return int(found[1])


def edit(root: Path, what: str, counter: list[int]) -> None:
    """A new edit of one post, as the operator makes before running check: a line added to its
    body, or a hashtag added to its front matter (the post's card stays the same). Each edit is a
    text no earlier run of this script has seen (``counter`` starts at the clock)."""
    if not what:
        return
    counter[0] += 1
    path = root / EDITED
    original = (REPO / EDITED).read_text(encoding="utf-8")
    if what == "body":
        text = original + f"\nCatatan {counter[0]}.\n"
    else:
        text = original.replace("hashtags: [", f"hashtags: [Catatan{counter[0]}, ", 1)
    path.write_text(text, encoding="utf-8")


def make_history(src: Path, root: Path) -> None:
    for extra in ({"SIARAN_NOW": REHEARSAL}, {}):
        run = [sys.executable, "-m", "siaran", "--project", str(root), "run", "--once"]
        subprocess.run(run, env=environment(src, **extra), capture_output=True, check=True)


def spread(values: list[float]) -> str:
    return f"{min(values):.3f} / {statistics.median(values):.3f} / {max(values):.3f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--against", type=Path, help="another siaran tree, measured alternately")
    parser.add_argument("--instructions", action="store_true", help="also count instructions (valgrind)")
    args = parser.parse_args()
    trees = [("this tree", REPO)] + ([("other tree", args.against.resolve())] if args.against else [])
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; {args.runs} runs, min / median / max")
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "kelurahan"
        shutil.copytree(REPO / "content", bare / "content")
        shutil.copytree(REPO / "schedules", bare / "schedules")
        kept = {}
        for name, tree in trees:
            kept[name] = Path(tmp) / f"with-history-{len(kept)}"
            shutil.copytree(bare, kept[name])
            make_history(tree / "src", kept[name])
            for _, cmd, history, _edit in COMMANDS:
                measure(tree / "src", kept[name] if history else bare, cmd)  # writes byte code, fills the caches
        counter = [time.time_ns()]
        for label, cmd, history, what in COMMANDS:
            found: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name, _ in trees}
            for _ in range(args.runs):
                for name, tree in trees:
                    edit(kept[name], what, counter)
                    wall, cpu = measure(tree / "src", kept[name] if history else bare, cmd)
                    found[name][0].append(wall)
                    found[name][1].append(cpu)
            for name, (walls, cpus) in found.items():
                print(f"  {label:<14} {name:<10} wall {spread(walls)} s   CPU {spread(cpus)} s")
        if args.instructions:
            for label, cmd, history, what in COMMANDS:
                for name, tree in trees:
                    edit(kept[name], what, counter)
                    count = instructions(tree / "src", kept[name] if history else bare, cmd)
                    print(f"  {label:<14} {name:<10} {count / 1e6:,.0f} million instructions")


if __name__ == "__main__":
    main()
