"""Years of history: wall time and peak RSS of the read commands at 10k / 100k / 1M delivery rows,
`check` on the sample, and a backup of the history — today's code beside an older commit's.

    .venv/bin/python bench/scale.py                              # 10k, 100k, 1M rows; 3 runs each
    .venv/bin/python bench/scale.py --sizes 1000000 --before 277a649   # and the code of that commit
    .venv/bin/python bench/scale.py --sizes 1000000 --priced           # every message priced, as on Cloud

For each size it copies the sample project, creates its siaran.db (every migration), and fills it in
one transaction: a weekly broadcast over two years (WhatsApp rows to one list, one Instagram post a
week) plus the post ``announcements/kerja-bakti`` sent once to 500 people, so ``history --post`` has
the same answer at every size. Each command runs as its own process (``python -m siaran``); its peak
RSS comes from ``os.wait4``. The first command after a content change checks the whole content
(its warnings are then remembered in the history): printed on its own line.

With ``--before COMMIT``, that commit's ``src/`` (``git archive``) runs the same commands on its own
copy of the same project and history: the two sides run alternately, run by run, so a machine
shared with other work loads both alike. Prints figures; asserts nothing. Targets:
``history --limit 50`` <= 0.5 s and <= 120 MB, ``report --weeks 52`` <= 0.5 s, flat from 10k to 1M
rows; ``check`` <= 0.4 s on the sample; a backup <= 25 % of the history's size.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from datetime import UTC, datetime, timedelta
from io import BytesIO
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
    "attempts", "provider_id", "error", "error_code", "created_at", "updated_at", "sent_at", "recipient_name",
    "pricing_category", "billable",
)  # fmt: skip


def stamp(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="seconds")


def rows(total: int, priced: bool = False):
    """``total`` delivery rows: the weekly broadcast (oldest first), then post X. ``priced``: every
    WhatsApp message that went out carries Meta's price, as the Cloud API's status webhooks leave it."""
    price = ("marketing", 1) if priced else (None, None)
    weekly = total - POST_X_PEOPLE - WEEKS
    per_week = max(1, weekly // WEEKS)
    n = 0
    for w in range(WEEKS):
        at = NOW - timedelta(weeks=WEEKS - w) + timedelta(hours=-2)
        occ = f"pengumuman-mingguan@{stamp(at)}"
        post = "announcements/jadwal-pelayanan"
        yield (f"ig:{occ}", post, "instagram", "handoff", "", None, occ, "h", "sent", 1, f"handoff-{w}", None, None,
               stamp(at), stamp(at), stamp(at), None, None, None)  # fmt: skip
        count = per_week if w < WEEKS - 1 else weekly - n
        for i in range(count):
            sent = at + timedelta(milliseconds=20 * i)
            phone = f"+62812{i + 10_000_000:08d}"
            failed = i % 50 == 7
            yield (f"wa:{occ}:{phone}", post, "whatsapp", "cloud", phone, "warga-rt01", occ, "h",
                   "failed" if failed else "sent", 1, None if failed else f"wamid.{w}.{i}",
                   "(#131026) undeliverable" if failed else None, "131026" if failed else None,
                   stamp(at), stamp(sent), None if failed else stamp(sent), f"Warga {i}",
                   *((None, None) if failed else price))  # fmt: skip
        n += count
    at = NOW - timedelta(days=3)
    for i in range(POST_X_PEOPLE):
        phone = f"+62813{i + 10_000_000:08d}"
        yield (f"wa:manual:{phone}", POST_X, "whatsapp", "cloud", phone, "warga-rt01", None, "h", "sent", 1,
               f"wamid.x.{i}", None, None, stamp(at), stamp(at), stamp(at), f"Warga {i}", *price)  # fmt: skip


def sample(root: Path, base: Path = REPO) -> None:
    """The sample project of ``base`` (this checkout, or an older commit's, which its code reads)."""
    shutil.copytree(base / "content", root / "content")
    shutil.copytree(base / "schedules", root / "schedules")


def build(root: Path, total: int, priced: bool = False) -> float:
    sample(root)
    sys.path.insert(0, str(REPO / "src"))
    from siaran.history import open_db

    open_db(root / DB).conn.close()  # the real schema, every migration applied
    t0 = time.perf_counter()
    conn = sqlite3.connect(root / DB)
    with conn:
        conn.executemany(
            f"insert into deliveries ({', '.join(COLUMNS)}) values ({', '.join('?' * len(COLUMNS))})",
            rows(total, priced),
        )
        conn.execute(
            "insert into instagram_posts (key, images, caption, planned_at, handoff, published_at) "
            "select key, '[]', 'caption', created_at, provider_id, sent_at from deliveries where channel = 'instagram'"
        )
    conn.execute("pragma wal_checkpoint(truncate)")
    conn.close()
    return time.perf_counter() - t0


def older_code(commit: str, into: Path) -> Path:
    """``src/`` and the sample project (``content/``, ``schedules/``) of ``commit`` under ``into``
    (git archive); the path of its ``src/``, for PYTHONPATH."""
    archive = ["git", "-C", str(REPO), "archive", commit, "src", "content", "schedules"]
    data = subprocess.run(archive, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def measure(
    root: Path, args: list[str], now: str = NOW.isoformat(), src: Path = REPO / "src"
) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS MB) of one CLI run in its own process."""
    # Byte code written and read, as on an office PC (PYTHONDONTWRITEBYTECODE=1 would recompile
    # siaran's modules on every command, about 0.1 s).
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIARAN_") and k != "PYTHONDONTWRITEBYTECODE"}
    env.update({"SIARAN_NOW": now, "PYTHONPATH": str(src)})
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


def figures(runs: list[tuple[float, float, float]]) -> str:
    walls, cpus = [w for w, _, _ in runs], [c for _, c, _ in runs]
    return (
        f"wall {min(walls):6.3f} / {statistics.median(walls):6.3f} s   CPU {min(cpus):6.3f} / "
        f"{statistics.median(cpus):6.3f} s   peak RSS {max(r for *_, r in runs):5.0f} MB"
    )


def side_by_side(sides: dict[str, tuple[Path, Path]], label: str, args: list[str], runs: int, **kw) -> None:
    """One unmeasured run per side, then ``runs`` runs of each, the sides taking turns."""
    found: dict[str, list] = {name: [] for name in sides}
    for root, src in sides.values():
        measure(root, args, src=src, **kw)  # byte code written: not counted
    for _ in range(runs):
        for name, (root, src) in sides.items():
            found[name].append(measure(root, args, src=src, **kw))
    for name in sides:
        print(f"  {label:<20} {name:<7} {figures(found[name])}")


def backup_figures(sides: dict[str, tuple[Path, Path]]) -> None:
    """Today's code: `history backup` (online backup, gzip). The older code copied the whole file
    inside the first command of the day (that copy is measured as it was left in .bak/)."""
    for name, (root, src) in sides.items():
        size = (root / DB).stat().st_size
        plain = list((root / f"{DB}.bak").glob("*.db"))  # none when the older code has `history backup`
        if name == "now" or not plain:
            wall, cpu, rss = measure(root, ["history", "backup"], src=src)
            (copy,) = (root / f"{DB}.bak").glob("*.db.gz")
            how = f"`history backup` {wall:.1f} s wall, {cpu:.1f} s CPU, {rss:.0f} MB, outside any other command"
        else:
            copy = max(plain, key=lambda p: p.stat().st_mtime)
            how = "copied inside the first command of the day"
        print(f"  backup  {name:<7} {copy.stat().st_size / 1e6:7.1f} MB = {100 * copy.stat().st_size / size:5.1f} % "
              f"of the {size / 1e6:.0f} MB history; {how}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--before", metavar="COMMIT", help="also run this commit's code, side by side")
    parser.add_argument("--priced", action="store_true", help="every message that went out has Meta's price (Cloud)")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; {args.runs} runs each (min / median)")
    with tempfile.TemporaryDirectory() as tmp:
        old_src = older_code(args.before, Path(tmp) / "before") if args.before else None
        sides = {"now": (Path(tmp) / "now" / "kelurahan", REPO / "src")}
        if old_src:
            sides["before"] = (Path(tmp) / "before" / "kelurahan", old_src)
        for root, src in sides.values():
            root.mkdir(parents=True)
            sample(root, src.parent)
        print("check on the sample (no history)")
        side_by_side(sides, "check", ["check"], args.runs)
        for size in args.sizes:
            for root, _src in sides.values():
                shutil.rmtree(root)
            now_root = sides["now"][0]
            took = build(now_root, size, args.priced)
            if old_src:  # the same history, with the older commit's sample content
                before = sides["before"][0]
                sample(before, old_src.parent)
                shutil.copy2(now_root / DB, before / DB)
            os.sync()  # not measured while the kernel still writes the new file back
            mb = (now_root / DB).stat().st_size / 1e6
            print(f"{size:>9,} rows (built in {took:.1f} s, {mb:.0f} MB file)")
            for name, (root, src) in sides.items():
                cold = measure(root, ["history", "--limit", "1"], src=src)  # also writes the byte code
                print(f"  first command after a content change (checks the content) {name}: {cold[0]:.3f} s, "
                      f"CPU {cold[1]:.3f} s")  # fmt: skip
            for label, cmd in COMMANDS:
                side_by_side(sides, label, cmd, args.runs)
            backup_figures(sides)


if __name__ == "__main__":
    main()
