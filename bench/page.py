"""Operator page answer time with 1,000,000 delivery rows in history. Target: <= 100 ms per page.

The sample project with two years of history: every Monday's announcement and Wednesday's SOP
(and holiday greetings) sent to ~4,000 numbers, about 2 % failed for a few reasons, some uncertain,
one Instagram row per occurrence, and manual sends. The page is served by uvicorn on 127.0.0.1 and
asked over HTTP (keep-alive), as the browser does; the first request (loading and checking the
project) is shown apart. Measured twice: with the indexes history has today, and with the
(post, occurrence, status) index the performance work adds.

    PYTHONPATH=src python bench/page.py [--rows 1000000] [--runs 20]
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import httpx

from siaran.app import App
from siaran.clock import FixedClock, parse_instant
from siaran.history import open_db, utc
from siaran.server import Running, start_in_thread

ROOT = Path(__file__).resolve().parent.parent
NOW = parse_instant("2026-11-23T09:00:00+08:00")
SOPS = ["sop/kartu-keluarga", "sop/ktp-el", "sop/surat-pengantar-nikah", "sop/surat-keterangan-usaha"]
REASONS = [
    ("131026", "nomor tidak terdaftar di WhatsApp"),
    ("131047", "di luar jendela 24 jam"),
    ("131050", "penerima menghentikan pesan pemasaran"),
]
INDEX = "create index if not exists deliveries_post_occurrence_status on deliveries (post, occurrence, status)"

DB = "siaran-rehearsal.db"  # the app runs on a FixedClock, a rehearsal: it reads its own history


def occurrences(total_rows: int) -> list[tuple[str, str, str, datetime, int]]:
    """(id, schedule, post, at, recipients): weekly Monday/Wednesday posts back from NOW, plus greetings."""
    found = []
    monday = datetime(2026, 11, 23, 7, 30, tzinfo=NOW.tzinfo)
    for week in range(104):
        mon = monday - timedelta(weeks=week)
        wed = mon - timedelta(days=5, hours=-1, minutes=30)  # the Wednesday before, 09:00
        found.append(
            (f"pengumuman-mingguan@{mon.isoformat()}", "pengumuman-mingguan", "announcements/jadwal-pelayanan", mon)
        )
        found.append((f"seri-sop-mingguan@{wed.isoformat()}", "seri-sop-mingguan", SOPS[week % len(SOPS)], wed))
        if week % 4 == 0:
            day = mon - timedelta(days=2, hours=1, minutes=30)
            found.append(
                (f"ucapan-hari-besar@{day.isoformat()}#greetings/natal", "ucapan-hari-besar", "greetings/natal", day)
            )
    per = total_rows * 96 // 100 // len(found)  # 4 % go to manual sends
    return [(*o, per) for o in found]


def build(db_path: Path, total_rows: int) -> int:
    db = open_db(db_path)
    conn = db.conn
    occs = occurrences(total_rows)
    stamp = utc(NOW)
    rows = []
    ig_posts = []
    occ_rows = []
    n = 0
    for occ_id, schedule, post, at, per in occs:
        sent = utc(at)
        occ_rows.append((occ_id, schedule, post, sent, "done", "", sent, sent))
        for i in range(per):
            status, code, error = "sent", None, None
            if i % 50 == 7:
                status, (code, error) = "failed", REASONS[i % len(REASONS)]
            elif i % 500 == 3:
                status, error = "uncertain", "jawaban tidak datang"
            phone = f"+62812{i:08d}"
            rows.append((f"b1:{occ_id}:{i}", post, "whatsapp", "cloud", phone, "warga", occ_id, "h", status, 1,
                         error, code, sent, sent, sent if status == "sent" else None))  # fmt: skip
        key = f"b1:{occ_id}:ig"
        rows.append((key, post, "instagram", "handoff", "kel.sungairapakindah", "", occ_id, "h", "sent", 1,
                     None, None, sent, sent, sent))  # fmt: skip
        ig_posts.append((key, "[]", "caption", sent, f"outbox/instagram/{at:%Y-%m-%d}/"))
        n += per + 1
    manual = ["announcements/posyandu", "announcements/kerja-bakti"]
    for j in range(total_rows - n):
        post = manual[j % 2]
        rows.append((f"b1:manual:{j}", post, "whatsapp", "cloud", f"+62813{j:08d}", "warga", None, "h", "sent", 1,
                     None, None, stamp, stamp, stamp))  # fmt: skip
    with conn:
        conn.executemany(
            "insert into deliveries (key, post, channel, provider, recipient, list, occurrence, content_hash, "
            "status, attempts, error, error_code, created_at, updated_at, sent_at) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        conn.executemany(
            "insert into instagram_posts (key, images, caption, planned_at, handoff) values (?, ?, ?, ?, ?)", ig_posts
        )
        conn.executemany(
            "insert into occurrences (id, schedule, post, scheduled_for, status, reason, started_at, finished_at) "
            "values (?, ?, ?, ?, ?, ?, ?, ?)",
            occ_rows,
        )
    count = conn.execute("select count(*) from deliveries").fetchone()[0]
    conn.close()
    return count


def serve(project: Path) -> tuple[Running, str]:
    """The page listener exactly as `siaran serve` runs it (uvicorn, uvloop where present), webhooks off."""
    app = App.open(project, FixedClock(at=NOW), {"SIARAN_SERVER_PAGE_PORT": "0"})
    running = start_in_thread(app, webhook=False)
    return running, f"http://127.0.0.1:{running.ports['page']}"


PAGES = [
    "/",
    "/riwayat",
    "/riwayat?hari=365",
    "/riwayat/rincian?post=announcements/jadwal-pelayanan&occ=pengumuman-mingguan@2026-11-23T07:30:00%2B08:00"
    "&status=failed",
    "/masalah",
    "/instagram",
    "/pratinjau/announcements/jadwal-pelayanan",
]


def stats(times: list[float]) -> str:
    times = sorted(times)
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    return f"median {statistics.median(times):6.1f} ms  p95 {p95:6.1f} ms"


def measure(url: str, db_path: Path, runs: int) -> None:
    """Each page: with history unchanged since the last answer (counts kept), and right after another
    process committed (as the daemon or a status webhook does: everything counted anew)."""
    writer = sqlite3.connect(db_path)
    writer.execute("PRAGMA busy_timeout = 10000")

    def touch() -> None:
        writer.execute("update deliveries set attempts = attempts + 1 where id = 1")  # a real change
        writer.commit()

    with httpx.Client(base_url=url, timeout=120) as client:
        start = time.perf_counter()
        first = client.get("/")
        print(f"  first request (loads and checks the project): {(time.perf_counter() - start) * 1000:7.1f} ms")
        assert first.status_code == 200, first.text[:500]
        print(f"  {'page':<44} {'history unchanged':<30} {'history just changed':<30} size")
        for page in PAGES:
            client.get(page).raise_for_status()  # warm: rendered images cached, templates compiled
            found: dict[bool, list[float]] = {False: [], True: []}
            for _ in range(runs):
                for changed in (False, True):
                    if changed:
                        touch()
                    start = time.perf_counter()
                    r = client.get(page)
                    found[changed].append((time.perf_counter() - start) * 1000)
                    r.raise_for_status()
            label = page if len(page) < 44 else page[:41] + "..."
            print(f"  {label:<44} {stats(found[False]):<30} {stats(found[True]):<30} {len(r.content):>6} B")
    writer.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    project = Path(tempfile.mkdtemp(prefix="siaran-bench-page-"))
    try:
        shutil.copytree(ROOT / "content", project / "content")
        shutil.copytree(ROOT / "schedules", project / "schedules")
        start = time.perf_counter()
        count = build(project / DB, args.rows)
        print(f"history: {count:,} delivery rows built in {time.perf_counter() - start:.1f} s")
        passes = (
            ("indexes of today's schema", None, min(args.runs, 3)),
            ("plus index (post, occurrence, status)", INDEX, args.runs),
        )
        for label, sql, runs in passes:
            if sql:
                db = open_db(project / DB)
                db.execute(sql)
                db.conn.commit()
                db.conn.close()
            print(f"{label} ({runs} runs per page):")
            running, url = serve(project)
            try:
                measure(url, project / DB, runs)
            finally:
                running.stop.set()
                running.thread.join(10)
    finally:
        shutil.rmtree(project, ignore_errors=True)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
