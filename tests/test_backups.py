"""History backups: taken by the daemon when idle or by `siaran history backup`, never inside an
operator's command; online backup API then gzip; kept within a disk budget; `history restore`."""

from __future__ import annotations

import gzip
import sqlite3
from datetime import date, timedelta

import pytest

from siaran.app import App
from siaran.clock import FixedClock, parse_instant
from siaran.daemon import Daemon
from siaran.history import backups
from siaran.history.safety import daily_backups

NOW = {"SIARAN_NOW": "2026-11-23T10:00:00+08:00"}
DB = "siaran-rehearsal.db"


def count(project) -> int:
    with sqlite3.connect(project / DB) as conn:
        n = conn.execute("select count(*) from deliveries").fetchone()[0]
    conn.close()
    return n


def test_backup_then_restore_through_the_cli(run, project):
    assert run("send", "announcements/posyandu", "--now", "--channel", "whatsapp", env=NOW).exit_code == 0
    assert not (project / f"{DB}.bak").exists()  # an operator's command never takes a backup
    first = count(project)
    res = run("history", "backup", env=NOW)
    assert res.exit_code == 0, res.all
    (taken,) = daily_backups(project / DB)
    assert taken.name == "2026-11-23.db.gz" and str(taken) in res.output
    with gzip.open(taken) as f:
        assert f.read(16) == b"SQLite format 3\x00"
    assert "Last backup: 2026-11-23.db.gz" in run("status", env=NOW).output

    assert run("send", "announcements/kerja-bakti", "--now", "--channel", "whatsapp", env=NOW).exit_code == 0
    later = count(project)
    assert later > first
    assert run("history", "restore", str(taken), env=NOW).exit_code == 2  # --yes is required
    res = run("history", "restore", str(taken), "--yes", env=NOW)
    assert res.exit_code == 0, res.all
    assert count(project) == first
    (safety,) = (project / f"{DB}.bak").glob("before-restore-*.db.gz")
    assert str(safety) in res.output
    res = run("history", "restore", str(safety), "--yes", env=NOW)  # and back again
    assert res.exit_code == 0 and count(project) == later
    assert "kerja-bakti" in run("history", env=NOW).output

    bogus = project / "bukan.db.gz"
    bogus.write_bytes(gzip.compress(b"not a database" * 100))
    res = run("history", "restore", str(bogus), "--yes", env=NOW)
    assert res.exit_code != 0 and "not a siaran history backup" in res.all and "Traceback" not in res.all
    assert count(project) == later


def test_backups_stay_within_the_count_and_the_disk_budget(tmp_path):
    db = tmp_path / "siaran.db"
    with sqlite3.connect(db) as conn:
        conn.execute("create table deliveries (x text)")
        conn.executemany("insert into deliveries values (?)", [(f"warga {i} " * 20,) for i in range(3000)])
    conn.close()
    day = date(2026, 11, 1)
    for n in range(5):
        backups.take(db, day + timedelta(days=n), keep=3)
    assert [p.name for p in daily_backups(db)] == ["2026-11-03.db.gz", "2026-11-04.db.gz", "2026-11-05.db.gz"]
    one = daily_backups(db)[-1].stat().st_size
    assert one < db.stat().st_size / 4
    taken = backups.take(db, day + timedelta(days=5), keep=30, budget_mb=2.5 * one / 1e6)
    assert [p.name for p in daily_backups(db)] == ["2026-11-05.db.gz", "2026-11-06.db.gz"]
    assert [p.name for p in taken.removed] == ["2026-11-03.db.gz", "2026-11-04.db.gz"]
    backups.take(db, day + timedelta(days=6), keep=30, budget_mb=0.000001)  # the newest is always kept
    assert [p.name for p in daily_backups(db)] == ["2026-11-07.db.gz"]
    assert not backups.due(db, day + timedelta(days=6), keep=3) and backups.due(db, day + timedelta(days=7), keep=3)


@pytest.mark.parametrize("foreground", [True, False])
def test_the_daemon_backs_up_when_idle_and_run_once_never(run, project, foreground):
    assert run("send", "announcements/posyandu", "--now", "--channel", "whatsapp", env=NOW).exit_code == 0
    clock = FixedClock(at=parse_instant("2026-11-24T12:00:00+08:00"))  # Tuesday noon: nothing due
    app = App.open(project, clock)
    daemon = Daemon(project, app.settings, clock)
    daemon.backups = foreground  # what serve() sets; run --once leaves it off
    results, wait = daemon.tick()
    assert not results and wait >= timedelta(minutes=2)
    if daemon._backup is not None:
        daemon._backup.join(30)
    assert [p.name for p in daily_backups(project / DB)] == (["2026-11-24.db.gz"] if foreground else [])
