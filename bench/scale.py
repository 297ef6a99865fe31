"""Years of history: wall time and peak RSS of the read commands at 10k / 100k / 1M delivery rows.

    .venv/bin/python bench/scale.py                  # 10k, 100k, 1M rows; 3 runs of each command
    .venv/bin/python bench/scale.py --sizes 1000000 --runs 5

For each size it copies the sample project, creates its siaran.db (every migration), and fills it in
one transaction: a weekly broadcast over two years (WhatsApp rows to one list, one Instagram post a
week) plus the post ``announcements/kerja-bakti`` sent once to 500 people, so ``history --post`` has
the same answer at every size. Each command runs as its own process (``python -m siaran``); its peak
RSS comes from ``os.wait4``. The first command after a content change checks the whole content
(its warnings are then remembered in the history): printed on its own line. Prints figures;
asserts nothing. Targets: <= 0.5 s and <= 120 MB, flat
from 10k to 1M rows.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # a Monday, 10:00 WITA
WEEKS = 104
POST_X = "announcements/kerja-bakti"
POST_X_PEOPLE = 500
DB = "siaran-rehearsal.db"  # the commands run with SIARAN_NOW: a rehearsal reads its own history
COMMANDS = (
    ("history --limit 50", ["history", "--limit", "50"]),
    ("history --post X", ["history", "--post", POST_X]),
    ("report --weeks 52", ["report", "--weeks", "52"]),
)
COLUMNS = (
    "key", "post", "channel", "provider", "recipient", "list", "occurrence", "content_hash", "status",
    "attempts", "provider_id", "error", "error_code", "created_at", "updated_at", "sent_at",
)  # fmt: skip


def stamp(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="seconds")


def rows(total: int):
    """``total`` delivery rows: the weekly broadcast (oldest first), then post X."""
    weekly = total - POST_X_PEOPLE - WEEKS
    per_week = max(1, weekly // WEEKS)
    n = 0
    for w in range(WEEKS):
        at = NOW - timedelta(weeks=WEEKS - w) + timedelta(hours=-2)
        occ = f"pengumuman-mingguan@{stamp(at)}"
        post = "announcements/jadwal-pelayanan"
        yield (f"ig:{occ}", post, "instagram", "handoff", "", None, occ, "h", "sent", 1, f"handoff-{w}", None, None,
               stamp(at), stamp(at), stamp(at))  # fmt: skip
        count = per_week if w < WEEKS - 1 else weekly - n
        for i in range(count):
            sent = at + timedelta(milliseconds=20 * i)
            phone = f"+62812{i + 10_000_000:08d}"
            failed = i % 50 == 7
            yield (f"wa:{occ}:{phone}", post, "whatsapp", "cloud", phone, "warga-rt01", occ, "h",
                   "failed" if failed else "sent", 1, None if failed else f"wamid.{w}.{i}",
                   "(#131026) undeliverable" if failed else None, "131026" if failed else None,
                   stamp(at), stamp(sent), None if failed else stamp(sent))  # fmt: skip
        n += count
    at = NOW - timedelta(days=3)
    for i in range(POST_X_PEOPLE):
        phone = f"+62813{i + 10_000_000:08d}"
        yield (f"wa:manual:{phone}", POST_X, "whatsapp", "cloud", phone, "warga-rt01", None, "h", "sent", 1,
               f"wamid.x.{i}", None, None, stamp(at), stamp(at), stamp(at))  # fmt: skip


def build(root: Path, total: int) -> float:
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "schedules", root / "schedules")
    sys.path.insert(0, str(REPO / "src"))
    from siaran.history import open_db

    open_db(root / DB).conn.close()  # the real schema, every migration applied
    t0 = time.perf_counter()
    conn = sqlite3.connect(root / DB)
    with conn:
        conn.executemany(
            f"insert into deliveries ({', '.join(COLUMNS)}) values ({', '.join('?' * len(COLUMNS))})", rows(total)
        )
        conn.execute(
            "insert into instagram_posts (key, images, caption, planned_at, handoff, published_at) "
            "select key, '[]', 'caption', created_at, provider_id, sent_at from deliveries where channel = 'instagram'"
        )
    conn.close()
    return time.perf_counter() - t0


def measure(root: Path, args: list[str], now: str = NOW.isoformat()) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS MB) of one CLI run in its own process."""
    # Byte code written and read, as on an office PC (PYTHONDONTWRITEBYTECODE=1 would recompile
    # siaran's modules on every command, about 0.1 s).
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIARAN_") and k != "PYTHONDONTWRITEBYTECODE"}
    env.update({"SIARAN_NOW": now, "PYTHONPATH": str(REPO / "src")})
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "siaran", "--project", str(root), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"siaran {' '.join(args)} failed: {proc.stderr.read().decode()}")
    proc.stderr.close()
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; {args.runs} runs each (min / median)")
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "kelurahan"
            root.mkdir()
            took = build(root, size)
            os.sync()  # not measured while the kernel still writes the new file back
            mb = (root / DB).stat().st_size / 1e6
            print(f"{size:>9,} rows (built in {took:.1f} s, {mb:.0f} MB file)")
            cold = measure(root, ["history", "--limit", "1"])  # also writes the byte code
            print(f"  first command after a content change (checks the content): {cold[0]:.3f} s, CPU {cold[1]:.3f} s")
            for label, cmd in COMMANDS:
                measure(root, cmd)  # its own modules' byte code written: not counted
                runs = [measure(root, cmd) for _ in range(args.runs)]
                walls, cpus = [w for w, _, _ in runs], [c for _, c, _ in runs]
                print(
                    f"  {label:<20} wall {min(walls):6.3f} / {statistics.median(walls):6.3f} s   "
                    f"CPU {min(cpus):6.3f} / {statistics.median(cpus):6.3f} s   "
                    f"peak RSS {max(r for _, _, r in runs):5.0f} MB"
                )


if __name__ == "__main__":
    main()
