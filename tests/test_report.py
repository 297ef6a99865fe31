"""`siaran report`: posts per ISO week on each channel, failures, follower trend, flagged weeks."""

from __future__ import annotations

import json
from pathlib import Path

import sqlite_utils

from siaran.delivery import profile_sync as sync
from siaran.history import instagram

NOW = {"SIARAN_NOW": "2026-11-23T10:00:00+08:00"}  # Monday of ISO week 2026-W48


def at(stamp: str) -> dict[str, str]:
    return {"SIARAN_NOW": stamp}


def snapshot_source(followers: int, captions: dict[str, str] | None = None):
    def source(req: sync.SyncRequest) -> sync.ProfileData:
        recent = tuple(
            sync.RecentPost(code, caption, req.since.replace(year=2026, month=11, day=23, hour=5))
            for code, caption in (captions or {}).items()
        )
        return sync.ProfileData("kel.sungairapakindah", 200, followers, 80, recent)

    return source


def test_report_weeks_channels_followers_and_flags(run, project: Path, monkeypatch):
    # W46: a WhatsApp + Instagram post, handed off but never seen on the profile; a follower snapshot.
    assert run("send", "announcements/posyandu", "--now", env=at("2026-11-10T09:00:00+08:00")).exit_code == 0
    monkeypatch.setattr(sync, "instaloader_source", snapshot_source(1500))
    assert run("instagram", "sync", env=at("2026-11-12T09:00:00+08:00")).exit_code == 0
    # W47: WhatsApp only, one message failed.
    run("send", "announcements/kerja-bakti", "--now", "--channel", "whatsapp", env=at("2026-11-17T09:00:00+08:00"))
    db = sqlite_utils.Database(project / "siaran-rehearsal.db")
    db.execute("update deliveries set status = 'failed' where id = (select max(id) from deliveries)")
    db.conn.commit()
    # W48: an Instagram post confirmed on the profile, followers up.
    run("send", "announcements/jadwal-pelayanan", "--now", "--channel", "instagram", env=NOW)
    caption = next(r["caption"] for r in instagram.rows(db) if r["post"] == "announcements/jadwal-pelayanan")
    monkeypatch.setattr(sync, "instaloader_source", snapshot_source(1523, {"DSaaa111": caption}))
    assert run("instagram", "sync", env=NOW).exit_code == 0

    data = json.loads(run("report", "--weeks", "3", "--json", env=NOW).output)
    assert [w["label"] for w in data] == ["2026-W46", "2026-W47", "2026-W48"]
    w46, w47, w48 = data
    assert (w46["whatsapp_posts"], w46["whatsapp_sent"], w46["whatsapp_failed"]) == (1, 9, 0)
    assert (w46["instagram_posts"], w46["instagram_handed_off"], w46["followers"]) == (0, 1, 1500)
    assert w46["flags"] == ["no Instagram post this week (1 handed off, not seen on the profile)"]
    assert (w47["whatsapp_posts"], w47["whatsapp_sent"], w47["whatsapp_failed"]) == (1, 5, 1)
    assert w47["flags"] == ["no Instagram post this week"] and w47["followers"] is None
    assert (w48["instagram_posts"], w48["followers"], w48["followers_change"]) == (1, 1523, 23)
    assert w48["flags"] == [] and w48["current"]

    text = run("report", "--weeks", "3", env=NOW)
    assert text.exit_code == 0, text.all
    lines = text.output.splitlines()
    assert lines[0] == "Kelurahan Sungai Rapak Indah: the last 3 week(s), WITA"
    assert any(line.startswith("Nov 23 – 29, 2026") and "1,523 (+23)" in line for line in lines)
    assert "-W4" not in text.output and "later" not in lines[1]  # weeks as dates; no "later" column
    assert "! no Instagram post this week" in text.output
    assert "2 week(s) without an Instagram post" in text.output


def test_report_on_empty_history_flags_every_week(run, monkeypatch):
    monkeypatch.setenv("SIARAN_LANG", "id")
    res = run("report", "--weeks", "2", env=NOW)
    assert res.output.splitlines()[2].startswith("16–22 Nov 2026")
    assert "minggu" in res.output.splitlines()[1] and "nanti" not in res.output
    monkeypatch.setenv("SIARAN_LANG", "en")
    res = run("report", "--weeks", "2", env=NOW)
    assert res.exit_code == 0, res.all
    assert res.output.count("! no Instagram post this week") == 2
    assert "yet" in res.output  # the current week is still in progress


def test_report_counts_by_office_week_in_sql(run, project: Path):
    """Week boundaries are Mondays 00:00 office time (WITA, UTC+8), not UTC: a message sent on Sunday
    23:30 WITA belongs to the week before one sent on Monday 00:30 WITA, though both are Sunday in UTC."""
    run("report", "--weeks", "1", env=NOW)  # creates the history (a SIARAN_NOW rehearsal keeps its own)
    db = sqlite_utils.Database(project / "siaran-rehearsal.db")
    rows = [  # (key, post, occurrence, status, sent_at, updated_at)
        ("a", "p1", "o1", "sent", "2026-11-22T15:30:00+00:00", "2026-11-22T15:30:00+00:00"),  # Sun 23:30 WITA
        ("b", "p1", "o1", "sent", "2026-11-22T16:30:00+00:00", "2026-11-22T16:30:00+00:00"),  # Mon 00:30 WITA
        ("c", "p2", None, "sent", "2026-11-23T01:00:00+00:00", "2026-11-23T01:00:00+00:00"),
        ("d", "p2", None, "failed", None, "2026-11-22T16:00:00+00:00"),  # Mon 00:00 WITA
        ("e", "p2", None, "uncertain", None, "2026-11-22T15:59:59+00:00"),  # Sun 23:59:59 WITA
        ("f", "p1", "o1", "sent", "2026-11-01T01:00:00+00:00", "2026-11-01T01:00:00+00:00"),  # too old
    ]
    db["deliveries"].insert_all(
        {"key": k, "post": p, "occurrence": o, "status": s, "sent_at": sa, "updated_at": ua, "created_at": ua,
         "channel": "whatsapp", "recipient": "+6281200000001"}
        for k, p, o, s, sa, ua in rows
    )  # fmt: skip
    db.conn.commit()
    w47, w48 = json.loads(run("report", "--weeks", "2", "--json", env=NOW).output)
    assert (w47["whatsapp_sent"], w47["whatsapp_posts"], w47["whatsapp_failed"], w47["whatsapp_uncertain"]) == (
        1, 1, 0, 1
    )  # fmt: skip
    assert (w48["whatsapp_sent"], w48["whatsapp_posts"], w48["whatsapp_failed"], w48["whatsapp_uncertain"]) == (
        2, 2, 1, 0
    )  # fmt: skip


def test_report_counts_priced_messages_per_office_month(run, project: Path):
    """Meta's pricing per office month (WITA): 16:30 UTC on 31 October is November in the office; the
    hour before belongs to October, before the report's first month. Auto-replies are billed too."""
    run("report", "--weeks", "1", env=NOW)
    db = sqlite_utils.Database(project / "siaran-rehearsal.db")
    rows = [  # (key, post, sent_at, category, billable)
        ("a", "p1", "2026-10-31T15:30:00+00:00", "marketing", 1),  # 31 Oct 23:30 WITA: not counted
        ("b", "p1", "2026-10-31T16:30:00+00:00", "marketing", 1),  # 1 Nov 00:30 WITA
        ("c", "p1", "2026-11-20T01:00:00+00:00", "utility", None),
        ("d", "autoreply/menu", "2026-11-21T01:00:00+00:00", "service", 0),
        ("e", "p1", None, "marketing", 1),  # never went out: not counted
    ]
    db["deliveries"].insert_all(
        {"key": k, "post": p, "status": "sent" if sa else "failed", "sent_at": sa, "channel": "whatsapp",
         "created_at": "2026-10-31T00:00:00+00:00", "recipient": "+6281200000001"}
        for k, p, sa, _c, _b in rows
    )  # fmt: skip
    db.conn.commit()
    for k, _p, _sa, category, billable in rows:  # from the status webhooks, after the send
        db.execute("update deliveries set pricing_category = ?, billable = ? where key = ?", [category, billable, k])
    db.conn.commit()
    lines = run("report", "--weeks", "2", env=NOW).output.splitlines()
    table = lines[lines.index("WhatsApp messages per month and Meta pricing category:") + 2 :][:3]
    assert [line.split() for line in table] == [
        ["2026-11", "marketing", "1", "1"],
        ["2026-11", "service", "1", "0"],
        ["2026-11", "utility", "1", "0"],
    ]


def test_report_weeks_are_written_by_babel_once_then_read_from_the_cache_folder(tmp_path, monkeypatch):
    from datetime import date

    from siaran.cli import report as cli_report
    from siaran.i18n import format_week

    monkeypatch.setenv("SIARAN_CACHE_DIR", str(tmp_path))
    mondays = [date(2026, 11, 23), date(2026, 12, 28)]
    expected = {m: format_week(m) for m in mondays}
    assert cli_report._weeks_as_text(mondays) == expected
    (kept,) = tmp_path.glob("weeks-*.json")
    calls = []
    monkeypatch.setattr(cli_report, "format_week", lambda m: calls.append(m) or format_week(m))
    assert cli_report._weeks_as_text(mondays) == expected and calls == []  # Babel not asked again
    assert cli_report._weeks_as_text([date(2027, 1, 4)]) and calls == [date(2027, 1, 4)]
    kept.write_text("not json")
    assert cli_report._weeks_as_text(mondays) == expected  # a damaged file is written again
