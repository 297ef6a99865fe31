"""The daemon keeps its promises with nobody watching (issue 10): a broken file holds back only what
needs it, failures give a non-zero exit, catch-up sends at most the latest missed occurrence, days
off move weekly posts, a timezone edit resends nothing. Through the CLI with SIARAN_NOW."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils

from fakes.alert_receiver import alert_receiver
from siaran.history import open_db
from siaran.reasons import say

SOP = "seri-sop-mingguan"
WEEKLY = "pengumuman-mingguan"
BEFORE_M003 = Path(__file__).parent / "data" / "history-before-m003.db"


def at(moment: str, **extra: str) -> dict[str, str]:
    return {"SIARAN_NOW": moment, **extra}


def db_path(project: Path) -> Path:
    return project / "siaran-rehearsal.db"


def occurrences(project: Path) -> dict[str, dict]:
    return {r["slot"]: r for r in sqlite_utils.Database(db_path(project))["occurrences"].rows}


def edit(project: Path, rel: str, old: str, new: str) -> None:
    path = project / rel
    text = path.read_text()
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new, 1))


# ── isolation ────────────────────────────────────────────────────────────────


def test_a_broken_post_holds_back_only_its_own_occurrence_until_fixed(run, project):
    edit(project, "content/sop/ktp-el.yaml", "requirements:", "syarat:")  # the series' second post
    edit(project, "content/announcements/kerja-bakti.md", "\n---\n", "\n---\nHubungi {{ recipient.alamat }}.\n")
    checked = run("check", env=at("2026-11-18T09:01:00+08:00"))
    assert checked.exit_code == 1 and "content/sop/ktp-el.yaml" in checked.stderr

    first = run("run", "--once", env=at("2026-11-18T09:01:00+08:00"))
    assert first.exit_code == 0, first.all
    assert f"done     {SOP}@2026-11-18T09:00  sop/kartu-keluarga" in first.output
    monday = run("run", "--once", env=at("2026-11-23T07:31:00+08:00"))
    assert monday.exit_code == 0 and f"done     {WEEKLY}@2026-11-23T07:30" in monday.output

    held = run("run", "--once", env=at("2026-11-25T09:01:00+08:00"))
    assert held.exit_code == 2, held.all
    assert f"held     {SOP}@2026-11-25T09:00  sop/ktp-el" in held.output
    assert "content/sop/ktp-el.yaml" in held.output and "syarat" in held.output
    assert occurrences(project)[f"{SOP}@2026-11-25T09:00"]["status"] == "held"
    again = run("run", "--once", env=at("2026-11-25T10:00:00+08:00"))  # tried again on every pass
    assert again.exit_code == 2 and "held     " in again.output

    # Read-only commands work meanwhile and show the problems as warnings.
    history = run("history", env=at("2026-11-25T10:05:00+08:00"))
    assert history.exit_code == 0, history.all
    assert "Warning" in history.stderr and "content/announcements/kerja-bakti.md" in history.stderr
    past = run("schedule", "--past", "2", "--days", "1", env=at("2026-11-25T10:05:00+08:00"))
    assert past.exit_code == 0 and f"{SOP}  sop/ktp-el  held" in past.output
    for args in (("report",), ("holidays", "2026"), ("optout", "list")):
        assert run(*args, env=at("2026-11-25T10:05:00+08:00")).exit_code == 0, args

    edit(project, "content/sop/ktp-el.yaml", "syarat:", "requirements:")  # fixed within its grace
    fixed = run("run", "--once", env=at("2026-11-25T11:00:00+08:00"))
    assert fixed.exit_code == 0, fixed.all
    assert f"done     {SOP}@2026-11-25T09:00  sop/ktp-el" in fixed.output
    assert occurrences(project)[f"{SOP}@2026-11-25T09:00"]["status"] == "done"


def test_a_held_occurrence_past_its_grace_is_skipped_and_keeps_the_series_place(run, project):
    run("run", "--once", env=at("2026-11-18T09:01:00+08:00"))
    edit(project, "content/sop/ktp-el.yaml", "requirements:", "syarat:")
    assert run("run", "--once", env=at("2026-11-25T09:01:00+08:00")).exit_code == 2
    late = run("run", "--once", env=at("2026-11-28T10:00:00+08:00"))  # 3 days later: beyond its 2-day grace
    assert f"skipped  {SOP}@2026-11-25T09:00" in late.output
    row = occurrences(project)[f"{SOP}@2026-11-25T09:00"]
    assert row["status"] == "skipped" and "more than its grace" in say(row["reason"])


def test_a_broken_greeting_is_held_on_its_day_not_silently_missing(run, project):
    edit(project, "content/greetings/natal.md", "\n---\n", "\n---\n{{ office.faks }}\n")
    res = run("run", "--once", env=at("2026-12-25T06:05:00+08:00"))
    assert res.exit_code == 2, res.all
    assert "held     ucapan-hari-besar@2026-12-25T06:00#greetings/natal" in res.output
    assert "content/greetings/natal.md" in res.output and "faks" in res.output


def test_run_start_up_failure_goes_to_the_log_file(run, project):
    (project / "siaran.toml").write_text("[whatsapp]\nprovder = 'cloud'\n")
    res = run("run", "--once", env=at("2026-11-25T09:01:00+08:00"))
    assert res.exit_code == 1
    log = (project / "siaran.log").read_text()
    assert "cannot start" in log and "unknown setting whatsapp.provder" in log


# ── exit codes ───────────────────────────────────────────────────────────────

UNREACHABLE = {
    "SIARAN_WHATSAPP_PROVIDER": "cloud",
    "SIARAN_WHATSAPP_BASE_URL": "http://127.0.0.1:9",  # nothing listens on the discard port
    "SIARAN_WHATSAPP_PHONE_NUMBER_ID": "123",
    "SIARAN_WHATSAPP_TOKEN": "token-for-tests",
    "SIARAN_WHATSAPP_BACKOFF": "0",
    "SIARAN_WHATSAPP_MAX_ATTEMPTS": "1",
}


def test_send_and_run_once_exit_non_zero_when_the_provider_is_unreachable(run, project):
    sent = run("send", "announcements/kerja-bakti", "--now", "--channel", "whatsapp", env=at(
        "2026-11-23T10:00:00+08:00", **UNREACHABLE))  # fmt: skip
    assert sent.exit_code == 2, sent.all
    assert "failed 6" in sent.output
    retried = run("retry", "--failed", env=at("2026-11-23T10:05:00+08:00", **UNREACHABLE))
    assert retried.exit_code == 2, retried.all

    res = run("run", "--once", env=at("2026-11-25T09:01:00+08:00", **UNREACHABLE))
    assert res.exit_code == 2, res.all
    assert f"failed   {SOP}@2026-11-25T09:00" in res.output and "not everything went out" in res.output
    ok = run("send", "announcements/posyandu", "--now", env=at("2026-11-23T10:00:00+08:00"))
    assert ok.exit_code == 0, ok.all


# ── catch-up ─────────────────────────────────────────────────────────────────

DAILY = "posyandu-harian"


def add_daily(project: Path) -> None:
    (project / f"schedules/{DAILY}.yaml").write_text(
        'cron: "0 7 * * mon-fri"\npost: announcements/posyandu\nchannels: [whatsapp]\ngrace: 2 hari\n'
    )


def test_catch_up_sends_only_the_latest_missed_occurrence(run, project):
    add_daily(project)
    assert run("run", "--once", env=at("2026-11-23T07:05:00+08:00")).exit_code == 0  # Monday
    res = run("run", "--once", env=at("2026-11-25T07:05:00+08:00"))  # the PC was off on Tuesday
    assert res.exit_code == 0, res.all
    assert f"skipped  {DAILY}@2026-11-24T07:00" in res.output
    assert "only the latest missed occurrence is sent (2026-11-25 07:00)" in res.output
    assert f"done     {DAILY}@2026-11-25T07:00" in res.output
    outbox = sorted(p.name for p in (project / "outbox-rehearsal/whatsapp").iterdir() if "posyandu" in p.name)
    assert outbox == ["2026-11-23-announcements-posyandu", "2026-11-25-announcements-posyandu"]
    past = run("schedule", "--past", "3", "--days", "1", env=at("2026-11-25T07:10:00+08:00")).output
    assert f"2026-11-24 Tue 07:00 WITA  {DAILY}  announcements/posyandu  skipped  (missed; only the latest" in past


def test_months_off_are_recorded_as_skipped_with_one_summary_row_for_the_oldest(run, project):
    add_daily(project)
    run("run", "--once", env=at("2026-11-23T07:05:00+08:00"))
    res = run("run", "--once", env=at("2027-04-01T07:05:00+08:00"))  # a Thursday, 129 days later
    assert res.exit_code == 0, res.all
    rows = occurrences(project)
    ran = [s for s, r in rows.items() if s.startswith(DAILY) and r["status"] == "done"]
    assert ran == [f"{DAILY}@2026-11-23T07:00"]
    # The latest one would run, but the posyandu of 5 December is long over (issue 24).
    assert say(rows[f"{DAILY}@2027-04-01T07:00"]["reason"]) == "the event is over (2026-12-05)"
    [gap] = [r for s, r in rows.items() if "@gap:" in s]
    assert gap["status"] == "skipped" and "missed between 2026-11-23 07:00" in say(gap["reason"])
    singles = [r for s, r in rows.items() if s.startswith(DAILY) and "@gap" not in s and r["status"] == "skipped"]
    assert len(singles) > 50  # every weekday of the last 92 days on its own row
    again = run("run", "--once", env=at("2027-04-01T07:10:00+08:00")).output
    assert "done" not in again and "skipped" not in again  # recorded once, never again
    assert f"waiting  {SOP}@2027-03-31T09:00" in again  # Wednesday's SOP, caught up when the office opens


# ── days off ─────────────────────────────────────────────────────────────────


def test_weekly_post_moves_past_a_public_holiday_to_the_next_workday(run, project):
    listing = run("schedule", "--days", "3", env=at("2026-08-16T12:00:00+08:00"))
    assert f"2026-08-18 Tue 07:30 WITA  {WEEKLY}  announcements/jadwal-pelayanan" in listing.output
    monday = run("run", "--once", env=at("2026-08-17T07:35:00+08:00"))  # Hari Kemerdekaan
    assert WEEKLY not in monday.output
    tuesday = run("run", "--once", env=at("2026-08-18T07:31:00+08:00"))
    assert f"done     {WEEKLY}@2026-08-17T07:30" in tuesday.output


def test_on_holiday_skip_and_send(run, project):
    edit(project, f"schedules/{WEEKLY}.yaml", "grace: 1 hari", "grace: 1 hari\non_holiday: skip")
    res = run("run", "--once", env=at("2026-08-17T07:35:00+08:00"))
    assert f"skipped  {WEEKLY}@2026-08-17T07:30" in res.output and "Hari Kemerdekaan" in res.output
    edit(project, f"schedules/{WEEKLY}.yaml", "on_holiday: skip", "on_holiday: send")
    res = run("run", "--once", env=at("2026-03-23T07:35:00+08:00"))  # cuti bersama Idul Fitri
    assert f"done     {WEEKLY}@2026-03-23T07:30" in res.output
    edit(project, f"schedules/{WEEKLY}.yaml", "on_holiday: send", "on_holiday: kadang")
    assert "on_holiday" in run("check", env=at("2026-03-23T07:35:00+08:00")).stderr


def test_cuti_bersama_counts_as_a_day_off(run, project):
    res = run("run", "--once", env=at("2026-03-23T07:35:00+08:00"))  # Monday, cuti bersama Idul Fitri
    assert WEEKLY not in res.output
    listing = run("schedule", "--days", "7", env=at("2026-03-23T07:40:00+08:00"))
    # 24 Mar is cuti bersama too; the next workday is Wednesday 25 Mar.
    assert f"2026-03-25 Wed 07:30 WITA  {WEEKLY}  announcements/jadwal-pelayanan" in listing.output


# ── stable occurrence ids ────────────────────────────────────────────────────


def test_a_timezone_edit_resends_nothing(run, project):
    assert "done" in run("run", "--once", env=at("2026-11-25T09:01:00+08:00")).output
    office = project / "content/office.yaml"
    office.write_text(office.read_text().replace("timezone: Asia/Makassar", "timezone: Asia/Jakarta"))
    res = run("run", "--once", env=at("2026-11-25T09:05:00+07:00"))
    assert "Nothing due" in res.output, res.output
    office.write_text(office.read_text().replace("timezone: Asia/Jakarta", "timezone: Asia/Jayapura"))
    assert "Nothing due" in run("run", "--once", env=at("2026-11-25T09:30:00+09:00")).output
    assert len(list((project / "outbox-rehearsal/whatsapp").iterdir())) == 1


def test_m004_keeps_old_occurrence_ids_and_finds_them_by_local_slot(run, project):
    path = db_path(project)
    shutil.copy(BEFORE_M003, path)
    with sqlite3.connect(path) as conn:  # an old history: its own rows are not this test's concern
        conn.execute("delete from instagram_queue")
        conn.execute("delete from deliveries")
        conn.execute(
            "insert into occurrences (id, schedule, post, scheduled_for, status) values (?, ?, ?, ?, 'done')",
            [f"{SOP}@2026-11-25T09:00:00+08:00", SOP, "sop/kartu-keluarga", "2026-11-25T01:00:00+00:00"],
        )
    conn.close()
    db = open_db(path)
    [row] = db["occurrences"].rows
    assert row["id"] == f"{SOP}@2026-11-25T09:00:00+08:00" and row["slot"] == f"{SOP}@2026-11-25T09:00"
    db.close()
    assert "Nothing due" in run("run", "--once", env=at("2026-11-25T09:30:00+08:00")).output


# ── rehearsal kept apart ─────────────────────────────────────────────────────


def test_a_rehearsal_keeps_its_own_history_and_outbox(run, project):
    assert run("optout", "add", "0812-3456-7801").exit_code == 0  # a real opt-out, in the real history
    res = run("run", "--once", env=at("2026-12-25T06:05:00+08:00"))
    assert res.exit_code == 0, res.all
    assert "done     ucapan-hari-besar@2026-12-25T06:00#greetings/natal" in res.output
    assert (project / "siaran-rehearsal.db").exists() and (project / "outbox-rehearsal/whatsapp").is_dir()
    assert not (project / "outbox").exists()
    real = sqlite_utils.Database(project / "siaran.db")
    assert real["occurrences"].count == 0 and real["deliveries"].count == 0  # Christmas is still to come
    real_history = run("history").output
    assert "No deliveries yet" in real_history and "siaran-rehearsal.db" in real_history
    rehearsed = run("history", "--json", env=at("2026-12-25T06:10:00+08:00")).output
    assert "greetings/natal" in rehearsed
    assert not list((project / "outbox-rehearsal/whatsapp").rglob("6281234567801.txt"))  # real opt-outs hold


# ── operator alerts and status ───────────────────────────────────────────────


@pytest.fixture
def receiver():
    with alert_receiver() as (port, received):
        yield f"json://127.0.0.1:{port}/alert", received


def test_a_held_post_alerts_the_operator_once_a_day_through_apprise(run, project, receiver):
    url, received = receiver
    run("run", "--once", env=at("2026-11-18T09:01:00+08:00"))
    edit(project, "content/sop/ktp-el.yaml", "requirements:", "syarat:")
    alerting = {"SIARAN_ALERTS_URLS": f"{url},json://127.0.0.1:9/mati"}  # the second one is unreachable
    res = run("run", "--once", env=at("2026-11-25T09:01:00+08:00", **alerting))
    assert res.exit_code == 2, res.all
    texts = [m["message"] for m in received]
    held = [t for t in texts if "is HELD" in t]
    assert len(held) == 1 and "sop/ktp-el" in held[0] and SOP in held[0] and "content/sop/ktp-el.yaml" in held[0]
    assert any(re.search(r"problems? in content/sop/ktp-el.yaml", t) for t in texts)
    again = run("run", "--once", env=at("2026-11-25T09:30:00+08:00", **alerting))
    assert again.exit_code == 2 and len(received) == len(texts)  # one alert per problem per day
    rows = list(sqlite_utils.Database(db_path(project))["alerts"].rows)
    assert {r["problem"] for r in rows} >= {f"held:{SOP}@2026-11-25T09:00", "content:content/sop/ktp-el.yaml"}
    assert all(r["delivered"] == 0 and "Apprise" in say(r["error"]) for r in rows)  # one URL was unreachable
    assert "not delivered" in (project / "siaran.log").read_text()

    status = run("status", env=at("2026-11-25T09:31:00+08:00", SIARAN_LANG="id"))  # the operator's default
    assert status.exit_code == 2
    # A one-off pass is told as one: never "berjalan", never a next time (it has none).
    assert "Daemon: tidak berjalan. Putaran sekali (`siaran run --once`) pada 2026-11-25 09:30 WITA (1 tertahan)" in (
        status.output
    )
    assert "berikutnya" not in status.output and "Tidak ada yang menjalankan jadwal" not in status.output
    assert "Tertahan: 1" in status.output and "sop/ktp-el" in status.output
    later = run("status", env=at("2026-11-25T10:30:00+08:00"))  # no pass for an hour
    assert "Nothing is running the schedules" in later.output and later.exit_code == 2


def test_an_undeliverable_alert_never_stops_the_daemon(run, project):
    edit(project, "content/sop/ktp-el.yaml", "requirements:", "syarat:")
    env = at(
        "2026-11-23T07:31:00+08:00", SIARAN_ALERTS_URLS="json://127.0.0.1:9/x,bukan-url",
        SIARAN_WHATSAPP_OPERATOR="0812-0000-1111",
    )  # fmt: skip
    res = run("run", "--once", env=env)
    assert res.exit_code == 0, res.all
    assert f"done     {WEEKLY}@2026-11-23T07:30" in res.output
    # The operator's own WhatsApp still gets it, through the office's provider (here the outbox).
    alerts = (project / "outbox-rehearsal/whatsapp").glob("*peringatan*/alert/6281200001111.txt")
    copies = [p.read_text() for p in alerts]
    assert len(copies) >= 2 and any(re.search(r"problems? in content/sop/ktp-el.yaml", c) for c in copies)


def test_status_shows_failures_of_the_last_seven_days(run, project):
    run("send", "announcements/kerja-bakti", "--now", "--channel", "whatsapp", env=at(
        "2026-11-23T10:00:00+08:00", **UNREACHABLE))  # fmt: skip
    res = run("status", env=at("2026-11-24T10:00:00+08:00"))
    assert "Daemon: not started yet" in res.output
    assert "Failed or uncertain, last 7 days: 6" in res.output and "announcements/kerja-bakti" in res.output
    assert res.exit_code == 2


# ── durable history ──────────────────────────────────────────────────────────


def _outbox_files(project: Path) -> int:
    return len([p for p in (project / "outbox-rehearsal").rglob("*.txt") if "peringatan" not in str(p)])


def test_a_vanished_or_emptied_history_is_refused_before_anything_is_sent(run, project):
    now = at("2026-11-23T10:00:00+08:00")
    assert run("send", "announcements/posyandu", "--now", env=now).exit_code == 0
    sent = _outbox_files(project)
    for damage in ("delete", "empty"):
        for suffix in ("", "-wal", "-shm"):
            (project / f"siaran-rehearsal.db{suffix}").unlink(missing_ok=True)
        if damage == "empty":
            (project / "siaran-rehearsal.db").write_bytes(b"")
        res = run("send", "announcements/posyandu", "--now", env=now)
        assert res.exit_code == 1, res.all
        assert "missing, empty or replaced" in res.stderr and "siaran history reset --yes" in res.stderr
        assert _outbox_files(project) == sent
        daemon = run("run", "--once", env=at("2026-11-25T09:01:00+08:00", SIARAN_WHATSAPP_OPERATOR="0812-0000-1111"))
        assert daemon.exit_code == 1 and "siaran history reset --yes" in daemon.stderr
        [alert] = (project / "outbox-rehearsal/whatsapp").glob("*peringatan*/alert/6281200001111.txt")  # told at once
        assert "siaran sent nothing: the history" in alert.read_text()
        alert.unlink()
        assert _outbox_files(project) == sent
    emptied = run("history", env=now)  # an emptied file is never migrated over: it says so, changes nothing
    assert emptied.exit_code == 1 and "siaran history reset --yes" in emptied.all

    reset = run("history", "reset", env=now)
    assert reset.exit_code != 0 and "--yes" in reset.all
    reset = run("history", "reset", "--yes", env=now)
    assert reset.exit_code == 0, reset.all
    assert list(project.glob("siaran-rehearsal.db.*.bak"))
    again = run("send", "announcements/posyandu", "--now", env=now)  # deliberately from scratch
    assert again.exit_code == 0 and "sent 10" in again.output


def test_two_sends_at_once_never_crash_on_a_locked_database(project):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIARAN_")}
    env["SIARAN_NOW"] = "2026-11-23T10:00:00+08:00"
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).parent.parent / "src"), env.get("PYTHONPATH", "")])
    args = [sys.executable, "-m", "siaran", "--project", str(project), "send", "announcements/posyandu", "--now"]
    for _ in range(3):
        for name in ("siaran-rehearsal.db", "siaran-rehearsal.db-wal", "siaran-rehearsal.db-shm",
                     "siaran-rehearsal.db.marker"):  # fmt: skip
            (project / name).unlink(missing_ok=True)
        procs = [subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]  # fmt: skip
        outs = [p.communicate(timeout=120) for p in procs]
        for p, (out, err) in zip(procs, outs, strict=True):
            assert "locked" not in err and "Traceback" not in err
            # Both finish; one may find the other at work and say so (exit 2: not all sent by it).
            assert p.returncode == 0 or (p.returncode == 2 and "proses siaran lain" in out), out + err
        rows = list(sqlite_utils.Database(db_path(project))["deliveries"].rows)
        assert len(rows) == 10 and {r["status"] for r in rows} == {"sent"}
        assert {r["attempts"] for r in rows} == {1}  # nobody got it twice


# ── provider limits (pure) ───────────────────────────────────────────────────


def test_split_text_keeps_paragraphs_whole_and_every_part_within_the_limit():
    from siaran.channels.limits import plan_parts, split_text

    assert split_text("pendek", 4096) == ["pendek"]
    text = "\n\n".join(f"Paragraf {i}. " + "kata " * 150 for i in range(12))
    parts = split_text(text, 4096)
    assert len(parts) == 3 and all(len(p) <= 4096 for p in parts)
    assert [p.split("\n", 1)[0] for p in parts] == ["(1/3)", "(2/3)", "(3/3)"]
    assert all(p.split("\n", 1)[1].startswith("Paragraf") for p in parts)
    assert "".join(p.split("\n", 1)[1] for p in parts).count("Paragraf") == 12
    one_line = split_text("kata " * 2000, 1000)  # no paragraph or line to cut at: between words
    assert all(len(p) <= 1000 for p in one_line) and not any(p.endswith("kat") for p in one_line)
    image = Path("slide-1.jpg")
    assert plan_parts("singkat", [image], 4096, 1024) == [(image, "singkat")]
    assert plan_parts("x" * 2000, [image], 4096, 1024) == [(image, ""), (None, "x" * 2000)]


# ── office hours ─────────────────────────────────────────────────────────────
# The sample office opens Senin–Kamis 08.00–15.30, Jumat 08.00–11.00 WITA.


def test_a_late_catch_up_waits_for_office_hours_and_an_urgent_post_does_not(run, project):
    evening = run("run", "--once", env=at("2026-11-18T20:00:00+08:00"))  # Wednesday's 09:00 SOP, PC on at 20:00
    assert evening.exit_code == 0, evening.all  # waiting is the plan, not a failure
    assert f"waiting  {SOP}@2026-11-18T09:00" in evening.output
    assert "2026-11-19 08:00" in evening.output  # Thursday, when the office opens
    assert f"{SOP}@2026-11-18T09:00" not in occurrences(project)  # not recorded: looked at again
    assert not (project / "outbox-rehearsal").exists()

    early = run("run", "--once", env=at("2026-11-19T07:59:00+08:00"))
    assert "waiting" in early.output and "done" not in early.output
    opened = run("run", "--once", env=at("2026-11-19T08:01:00+08:00"))
    assert f"done     {SOP}@2026-11-18T09:00  sop/kartu-keluarga" in opened.output

    # Monday's 07:30 announcement found at 07:50, before the 08.00 opening: it waits...
    monday = run("run", "--once", env=at("2026-11-23T07:50:00+08:00"))
    assert f"waiting  {WEEKLY}@2026-11-23T07:30" in monday.output
    # ...unless the post says it is urgent.
    edit(project, "content/announcements/jadwal-pelayanan.md", "---\n", "---\nurgent: true\n")
    urgent = run("run", "--once", env=at("2026-11-23T07:51:00+08:00"))
    assert f"done     {WEEKLY}@2026-11-23T07:30" in urgent.output


def test_a_catch_up_whose_grace_ends_before_the_office_opens_is_skipped(run, project):
    res = run("run", "--once", env=at("2026-11-23T20:00:00+08:00"))  # grace 1 day; opens Tuesday 08.00
    assert res.exit_code == 0, res.all
    assert f"skipped  {WEEKLY}@2026-11-23T07:30" in res.output
    assert say(occurrences(project)[f"{WEEKLY}@2026-11-23T07:30"]["reason"]) == (
        "missed; the office is closed until 2026-11-24 08:00, after its grace of 1 d"
    )


def test_on_time_sends_and_greetings_never_wait_for_office_hours(run, project):
    # Natal is a day off and the office is closed; its greeting, three hours late, still goes out.
    res = run("run", "--once", env=at("2026-12-25T09:00:00+08:00"))
    assert "done     ucapan-hari-besar@2026-12-25T06:00#greetings/natal" in res.output, res.all
    # Monday's 07:30 announcement found on time (within 15 minutes) goes out before opening.
    res = run("run", "--once", env=at("2026-11-23T07:40:00+08:00"))
    assert f"done     {WEEKLY}@2026-11-23T07:30" in res.output


def test_the_daemon_wakes_when_the_office_opens_for_a_waiting_catch_up(project):
    from datetime import timedelta

    from siaran.clock import FixedClock, parse_instant
    from siaran.config import load_settings, rehearsal
    from siaran.daemon import Daemon

    clock = FixedClock(at=parse_instant("2026-11-19T07:58:30+08:00"))  # Wednesday's SOP not sent yet
    daemon = Daemon(project, rehearsal(load_settings(project, {})), clock)
    results, wait = daemon.tick()
    assert [(r.occurrence, r.status) for r in results] == [(f"{SOP}@2026-11-18T09:00", "waiting")]
    assert wait == timedelta(seconds=90)  # at 08.00 sharp, not at the next five-minute idle pass


def test_read_only_commands_warn_from_problems_remembered_until_a_file_changes(run, project):
    when = at("2026-11-25T09:01:00+08:00")
    assert run("run", "--once", env=when).exit_code == 0  # a history exists: the cache lives in it
    assert "kerja-bakti" not in run("history", env=when).stderr
    post = "content/announcements/kerja-bakti.md"
    edit(project, post, "\n---\n", "\n---\nHubungi {{ recipient.alamat }}.\n")
    assert post in run("history", env=when).stderr  # the edit is noticed at once

    # The next command reads the remembered problems, not the files...
    db = sqlite_utils.Database(db_path(project))
    (key,) = db.execute("select key from content_checks order by rowid desc limit 1").fetchone()  # history's
    db["content_checks"].update(key, {"problems": json.dumps(["remembered problem"])})
    db.conn.close()
    assert "remembered problem" in run("report", env=when).stderr
    # ...until any content file changes again (here: the fix).
    edit(project, post, "Hubungi {{ recipient.alamat }}.\n", "")
    fixed = run("history", env=when)
    assert "remembered problem" not in fixed.stderr and post not in fixed.stderr


def test_without_alert_targets_the_alert_is_recorded_not_shouted_on_every_run(run, project):
    edit(project, "content/sop/kartu-keluarga.yaml", "requirements:", "syarat:")  # holds Wednesday's SOP
    res = run("run", "--once", env=at("2026-11-18T09:01:00+08:00"))
    assert res.exit_code == 2 and "held" in res.output
    assert "not delivered" not in res.stderr  # the operator chose no target: no warning on the terminal
    rows = list(sqlite_utils.Database(db_path(project))["alerts"].rows)
    assert rows and all(r["delivered"] == 0 and "no alert target" in say(r["error"]) for r in rows)
