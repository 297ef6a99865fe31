"""Schedules through the CLI with a rehearsed clock (SIARAN_NOW): `siaran run --once` as the office PC
that is switched on and off, `siaran run` as a real foreground process, the lock, the calendar."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import filelock
import pytest
import sqlite_utils

from siaran.channels import WHATSAPP
from siaran.channels.base import Message, Receipt
from siaran.channels.outbox import OutboxDriver
from siaran.clock import FixedClock, parse_instant
from siaran.config import load_settings, rehearsal
from siaran.daemon import Daemon
from siaran.reasons import say

SOP = "seri-sop-mingguan"
SERIES = ["sop/kartu-keluarga", "sop/ktp-el", "sop/surat-pengantar-nikah"]


REHEARSAL = {"SIARAN_NOW": "2026-11-01T00:00:00+08:00"}  # any rehearsed moment reads the rehearsal history


def at(moment: str) -> dict[str, str]:
    return {"SIARAN_NOW": moment}


def occurrences(project: Path) -> dict[str, dict]:
    db = sqlite_utils.Database(project / "siaran-rehearsal.db")
    return {r["id"]: r for r in db["occurrences"].rows}


def history(run) -> list[dict]:
    res = run("history", "--json", env=REHEARSAL)
    assert res.exit_code == 0, res.all
    return json.loads(res.output)


def once(run, moment: str):
    res = run("run", "--once", env=at(moment))
    assert res.exit_code == 0, res.all
    return res


def set_timezone(project: Path, tz: str) -> None:
    office = project / "content/office.yaml"
    office.write_text(office.read_text().replace("timezone: Asia/Makassar", f"timezone: {tz}"))


@pytest.mark.parametrize(
    ("tz", "label", "offset"),
    [("Asia/Jakarta", "WIB", "+07:00"), ("Asia/Makassar", "WITA", "+08:00"), ("Asia/Jayapura", "WIT", "+09:00")],
)
def test_weekly_occurrence_in_each_office_timezone(run, project, tz, label, offset):
    set_timezone(project, tz)
    listing = run("schedule", "--days", "3", env=at(f"2026-11-23T10:00:00{offset}"))
    assert listing.exit_code == 0, listing.all
    assert f"2026-11-25 Wed 09:00 {label}  {SOP}  sop/kartu-keluarga  [whatsapp,instagram]  [warga-rt01]" in (
        listing.output
    )
    assert "Nothing due" in once(run, f"2026-11-25T08:59:00{offset}").output  # one minute early, local time
    res = once(run, f"2026-11-25T09:01:00{offset}")
    occ = f"{SOP}@2026-11-25T09:00"
    assert f"done     {occ}" in res.output
    rows = history(run)
    assert len(rows) == 7  # 6 WhatsApp numbers on warga-rt01 + Instagram
    assert {r["occurrence"] for r in rows} == {occ}
    assert {r["post"] for r in rows} == {"sop/kartu-keluarga"}


def test_schedule_lists_due_catch_up_first_and_continues_the_series_after_it(run):
    res = run("schedule", "--days", "7", env=at("2026-11-26T10:00:00+08:00"))
    lines = res.output.splitlines()
    assert lines[0].startswith(f"2026-11-25 Wed 09:00 WITA  {SOP}  sop/kartu-keluarga")
    assert "due now" in lines[0]
    assert lines[-1].startswith(f"2026-12-02 Wed 09:00 WITA  {SOP}  sop/ktp-el")
    assert "2026-11-30 Mon 07:30 WITA  pengumuman-mingguan  announcements/jadwal-pelayanan" in res.output


def test_catch_up_after_three_days_off_within_grace_and_rotation_across_restarts(run, project):
    once(run, "2026-11-18T09:01:00+08:00")  # Wednesday: the series starts
    once(run, "2026-11-24T17:00:00+08:00")  # Tuesday evening, then the PC is off for three days
    res = once(run, "2026-11-27T08:00:00+08:00")  # Friday: Wednesday 09:00 is 47 h late, grace 2 days
    assert f"done     {SOP}@2026-11-25T09:00  sop/ktp-el" in res.output
    once(run, "2026-12-02T09:00:30+08:00")
    by_occ: dict[str, set[str]] = {}
    for r in history(run):
        if r["occurrence"].startswith(SOP):
            by_occ.setdefault(r["occurrence"], set()).add(r["post"])
    assert by_occ == {
        f"{SOP}@2026-11-18T09:00": {SERIES[0]},
        f"{SOP}@2026-11-25T09:00": {SERIES[1]},
        f"{SOP}@2026-12-02T09:00": {SERIES[2]},
    }
    # The Friday catch-up wrote its outbox under the occurrence's day, not the day it went out.
    assert (project / "outbox-rehearsal/whatsapp/2026-11-25-sop-ktp-el").is_dir()


def test_missed_beyond_grace_is_skipped_not_sent_late_and_keeps_its_series_place(run, project, monkeypatch):
    once(run, "2026-11-18T09:01:00+08:00")
    once(run, "2026-11-24T17:00:00+08:00")
    res = once(run, "2026-11-28T10:00:00+08:00")  # Saturday: 73 h late, more than 2 days
    occ = f"{SOP}@2026-11-25T09:00"
    assert f"skipped  {occ}" in res.output
    row = occurrences(project)[occ]
    assert row["status"] == "skipped" and "more than its grace" in say(row["reason"])
    assert not [r for r in history(run) if r["occurrence"] == occ]
    past = run("schedule", "--past", "14", "--days", "1", env=at("2026-11-28T10:05:00+08:00")).output
    assert f"2026-11-18 Wed 09:00 WITA  {SOP}  sop/kartu-keluarga  done" in past
    assert f"2026-11-25 Wed 09:00 WITA  {SOP}  sop/ktp-el  skipped  (missed by 3 d 1 h" in past
    once(run, "2026-12-02T09:05:00+08:00")
    assert {r["post"] for r in history(run) if r["occurrence"] == f"{SOP}@2026-12-02T09:00"} == {SERIES[1]}
    monkeypatch.setenv("SIARAN_LANG", "id")  # weekday and duration in the operator's language; history keeps data
    past = run("schedule", "--past", "14", "--days", "1", env=at("2026-11-28T10:05:00+08:00")).output
    assert f"2026-11-25 Rab 09:00 WITA  {SOP}  sop/ktp-el  dilewati  (terlambat 3 hari 1 jam, melewati batas" in past
    assert "melewati batas tenggangnya 2 hari" in say(occurrences(project)[occ]["reason"])


def test_a_rehearsed_future_run_does_not_hide_what_is_due_today(run):
    once(run, "2027-03-10T09:05:00+08:00")  # rehearsal of a future Wednesday in the same folder
    res = once(run, "2026-11-25T09:01:00+08:00")
    assert f"done     {SOP}@2026-11-25T09:00" in res.output


def test_no_double_run_across_restarts(run, project):
    once(run, "2026-11-25T09:01:00+08:00")
    first = history(run)
    for moment in ("2026-11-25T09:01:00+08:00", "2026-11-25T09:30:00+08:00", "2026-11-26T09:00:00+08:00"):
        assert "Nothing due" in once(run, moment).output
    assert history(run) == first
    assert len(list((project / "outbox-rehearsal/whatsapp/2026-11-25-sop-kartu-keluarga").glob("*/*.txt"))) == 6
    assert [r["status"] for r in occurrences(project).values()] == ["done"]


# A driver that asks the daemon to stop after its second message, as Ctrl-C in the middle of a
# broadcast would; registered as a WhatsApp provider for the test (WHATSAPP is a literal table).
STOP_AFTER = 2


class StoppingDriver(OutboxDriver):
    daemon: Daemon | None = None

    def __init__(self, root: Path):
        super().__init__(root)
        self.count = 0

    async def send(self, message: Message) -> Receipt:
        receipt = await super().send(message)
        self.count += 1
        if self.count == STOP_AFTER and StoppingDriver.daemon is not None:
            StoppingDriver.daemon.request_stop()
            await asyncio.sleep(0)  # let the loop see it
        return receipt


def make(settings, http, clock, **context):
    return StoppingDriver(settings.path("outbox"))


def test_stop_mid_broadcast_leaves_rest_queued_and_next_start_resumes_without_resending(run, project, monkeypatch):
    monkeypatch.setitem(WHATSAPP, "stopping", __name__)
    clock = FixedClock(at=parse_instant("2026-11-25T09:00:10+08:00"))
    settings = rehearsal(load_settings(project, {"SIARAN_WHATSAPP_PROVIDER": "stopping"}))
    daemon = StoppingDriver.daemon = Daemon(project, settings, clock)
    try:
        results, _ = daemon.tick()
    finally:
        StoppingDriver.daemon = None
    occ = f"{SOP}@2026-11-25T09:00"
    assert [(r.occurrence, r.status) for r in results] == [(occ, "running")]
    assert occurrences(project)[occ]["status"] == "running"
    # Instagram goes through its own queue (handed off at once); the WhatsApp broadcast stopped midway.
    statuses = [r["status"] for r in history(run) if r["channel"] == "whatsapp"]
    assert statuses.count("sent") == STOP_AFTER and statuses.count("queued") == 6 - STOP_AFTER

    res = once(run, "2026-11-25T09:20:00+08:00")  # a new process: resumes, sends only what is queued
    assert f"done     {occ}  sop/kartu-keluarga (resumed)" in res.output
    rows = history(run)
    assert len(rows) == 7 and {r["status"] for r in rows} == {"sent"}
    assert {r["attempts"] for r in rows} == {1}
    assert occurrences(project)[occ]["status"] == "done"


def test_holiday_override_moves_the_greeting(run, project):
    calendar = project / "content/calendar.yaml"
    before = run("holidays", "2027")
    estimated = "2027-03-10  Wed  national holiday  Hari Raya Idul Fitri (estimated)  →  greetings/idul-fitri"
    assert estimated in before.output
    calendar.write_text(
        calendar.read_text().replace(
            "overrides:\n", "overrides:\n  - name: Hari Raya Idul Fitri\n    date: 2027-03-09\n", 1
        )
    )
    after = run("holidays", "2027")
    assert "2027-03-09  Tue  national holiday  Hari Raya Idul Fitri  →  greetings/idul-fitri" in after.output
    assert "2027-03-10  Wed  national holiday  Hari Raya Idul Fitri" not in after.output

    listing = run("schedule", "--days", "5", env=at("2027-03-07T12:00:00+08:00"))
    assert "2027-03-09 Tue 06:00 WITA  ucapan-hari-besar  greetings/idul-fitri (Hari Raya Idul Fitri)" in listing.output
    res = once(run, "2027-03-09T06:05:00+08:00")
    occ = "ucapan-hari-besar@2027-03-09T06:00#greetings/idul-fitri"
    assert f"done     {occ}" in res.output
    assert {r["occurrence"] for r in history(run) if r["post"] == "greetings/idul-fitri"} == {occ}
    assert "ucapan-hari-besar" not in once(run, "2027-03-10T06:05:00+08:00").output


def test_greeting_already_sent_is_not_resent_when_an_override_moves_the_day_later(run, project):
    once(run, "2027-03-10T06:05:00+08:00")  # the computed date
    calendar = project / "content/calendar.yaml"
    calendar.write_text(
        calendar.read_text().replace(
            "overrides:\n", "overrides:\n  - name: Hari Raya Idul Fitri\n    date: 2027-03-11\n", 1
        )
    )
    res = once(run, "2027-03-11T06:05:00+08:00")
    assert "skipped  ucapan-hari-besar@2027-03-11T06:00#greetings/idul-fitri" in res.output
    assert "already sent" in res.output
    greeted = {r["occurrence"] for r in history(run) if r["post"] == "greetings/idul-fitri"}
    assert greeted == {"ucapan-hari-besar@2027-03-10T06:00#greetings/idul-fitri"}


def test_second_daemon_is_refused_by_the_lock(run, project):
    held = filelock.FileLock(project / "siaran.lock", timeout=0)
    with held:
        res = run("run", "--once", env=at("2026-11-25T09:01:00+08:00"))
        assert res.exit_code == 1
        assert "another siaran daemon is already running" in res.stderr
        assert not (project / "outbox-rehearsal").exists()
    assert "done" in once(run, "2026-11-25T09:01:00+08:00").output


def test_check_warns_about_a_holiday_without_greeting_but_passes(run):
    res = run("check", env=at("2026-10-10T10:00:00+08:00"))
    assert res.exit_code == 0, res.all
    assert "Hari Santri Nasional on 2026-10-22 (12 days from now) has no greeting" in res.stderr
    quiet = run("check", env=at("2026-11-23T10:00:00+08:00"))  # Hari Ibu and Natal both have one
    assert quiet.exit_code == 0 and "no greeting" not in quiet.stderr


def test_service_print(run, project):
    unit = run("service", "print", "systemd")
    assert unit.exit_code == 0, unit.all
    assert "Restart=on-failure" in unit.output
    assert f"--project {project} run" in unit.output and "ExecStart=" in unit.output
    task = run("service", "print", "windows")
    root = ET.fromstring(task.output.split("?>", 1)[1])
    ns = {"t": "http://schemas.microsoft.com/windows/2004/02/mit/task"}
    assert root.find("t:Triggers/t:LogonTrigger/t:UserId", ns).text  # that user's logon, not anyone's
    assert root.find("t:Settings/t:RestartOnFailure/t:Count", ns).text == "999"
    assert root.find("t:Actions/t:Exec/t:Arguments", ns).text == f'--project "{project}" run'
    assert root.find("t:Actions/t:Exec/t:Command", ns).text.endswith(("siaran", "siaran.exe"))
    out = project / "siaran-task.xml"
    assert run("service", "print", "windows", "--out", str(out)).exit_code == 0
    assert out.read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")  # UTF-16 with BOM, as schtasks wants


def test_foreground_daemon_sends_on_time_and_stops_on_sigterm(project, run):
    """`siaran run` as a real process, rehearsed two seconds before Wednesday 09:00 WITA."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIARAN_") or k == "SIARAN_LANG"}
    env["SIARAN_NOW"] = "2026-11-25T08:59:58+08:00"
    env["SIARAN_LANG"] = "id"  # the console as the operator reads it; the log file stays English
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).parent.parent / "src"), env.get("PYTHONPATH", "")])
    proc = subprocess.Popen(
        [sys.executable, "-m", "siaran", "--project", str(project), "run"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    occ = f"{SOP}@2026-11-25T09:00"
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if (project / "siaran-rehearsal.db").exists() and occurrences(project).get(occ, {}).get("status") == "done":
                break
            time.sleep(0.2)
        alive = run("status", env={"SIARAN_NOW": "2026-11-25T09:00:30+08:00"})
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert occurrences(project)[occ]["status"] == "done", err
    assert "Daemon: running since 2026-11-25 08:59 WITA. Last pass 2026-11-25 09:00 WITA" in alive.output, alive.all
    stopped = run("status", env={"SIARAN_NOW": "2026-11-25T09:00:40+08:00"})
    assert "Daemon: NOT running; it stopped after its last pass at 2026-11-25 09:00 WITA" in stopped.output
    assert stopped.exit_code == 2
    assert proc.returncode == 0, err
    assert "siaran berjalan untuk Kelurahan Sungai Rapak Indah (WITA)" in out
    assert re.search(rf"^09:00  selesai  {re.escape(occ)}  ", out, re.MULTILINE), out
    assert "siaran berhenti;" in out and "INFO" not in out + err and "siaran.daemon" not in out + err
    log = (project / "siaran.log").read_text()
    assert f"running occurrence {occ}" in log and "siaran daemon stopped" in log


def test_editing_the_series_list_keeps_the_rotation_after_the_last_post_sent(run, project):
    once(run, "2026-11-18T09:01:00+08:00")  # kartu-keluarga; the stored position is now 1
    sched = project / "schedules/seri-sop-mingguan.yaml"
    text = sched.read_text().replace("  - sop/surat-keterangan-usaha\n", "")
    sched.write_text(text.replace("series:\n", "series:\n  - sop/surat-keterangan-usaha\n"))
    res = once(run, "2026-11-25T09:01:00+08:00")
    assert f"done     {SOP}@2026-11-25T09:00  sop/ktp-el" in res.output


def test_each_pass_publishes_instagram_posts_left_waiting(run, project):
    """A post held back earlier (e.g. the daily publishing limit) goes out on the daemon's next pass."""
    from siaran.app import App
    from siaran.delivery import instagram as queue
    from siaran.delivery.deliver import reservation
    from siaran.history import deliveries
    from siaran.plan import plan
    from siaran.render.images import post_images

    app = App.open(project, FixedClock(at=parse_instant("2026-11-27T10:00:00+08:00")), env={})
    post = app.project.post("announcements/kerja-bakti")
    planned = plan(post, app.project.office, ["instagram"], [], "manual-test@2026-11-27T10:00:00+08:00")
    deliveries.reserve(app.db, [reservation(app, p, app.now()) for p in planned])
    [key] = queue.enqueue(app, post, planned, post_images(app.project, post, app.media_dir))
    app.db.conn.close()

    res = once(run, "2026-11-27T10:05:00+08:00")  # Friday: no schedule is due
    assert res.exit_code == 0, res.all
    listing = run("instagram", "queue", env=REHEARSAL)
    assert "handed_off" in listing.output and "announcements/kerja-bakti" in listing.output
    assert (project / "outbox-rehearsal/instagram").is_dir()
    assert key
