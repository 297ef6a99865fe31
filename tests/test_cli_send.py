"""End to end through the CLI on a copy of the sample pack, outbox channel."""

from __future__ import annotations

import json
from pathlib import Path

import sqlite_utils

NOW = {"SIARAN_NOW": "2026-11-23T10:00:00+08:00"}


def deliveries(project: Path) -> list[dict]:
    return list(sqlite_utils.Database(project / "siaran-rehearsal.db")["deliveries"].rows)


def test_check_passes_on_sample_pack(run):
    res = run("check", env=NOW)
    assert res.exit_code == 0, res.all
    assert "18 posts" in res.output


def test_list_names_every_post_first(run, project):
    res = run("list")
    names = [line.split("\t")[0] for line in res.output.splitlines()]
    assert "announcements/posyandu" in names
    assert "sop/kartu-keluarga" in names
    assert "greetings/natal" in names
    assert len(names) == len(list((project / "content").glob("*/*.md"))) + len(
        list((project / "content/sop").glob("*.yaml"))
    )


def test_send_writes_outbox_and_history_once(run, project):
    res = run("send", "announcements/posyandu", "--now", env=NOW)
    assert res.exit_code == 0, res.all
    rows = deliveries(project)
    wa = [r for r in rows if r["channel"] == "whatsapp"]
    # warga-rt01 (6) + kader-posyandu (4) share Siti Aminah, written two ways: 9 people.
    assert len(wa) == 9
    assert {r["status"] for r in rows} == {"sent"}
    # One folder per send: the manual send started at 10:00 office time (WITA).
    [folder] = (project / "outbox-rehearsal/whatsapp/2026-11-23-announcements-posyandu").iterdir()
    assert folder.name == "manual-1000"
    files = sorted(p.name for p in folder.glob("*.txt"))
    assert len(files) == 9
    text = (folder / "6281355501122.txt").read_text()
    assert "Posyandu Melati" in text and "Sabtu, 5 Desember 2026" in text
    assert (project / "outbox-rehearsal/instagram/2026-11-23-announcements-posyandu/manual-1000/caption.txt").exists()

    again = run("send", "announcements/posyandu", "--now", env=NOW)
    assert again.exit_code == 0
    assert "Nothing new" in again.output
    assert len(deliveries(project)) == len(rows)


def test_send_dry_run_changes_nothing(run, project):
    res = run("send", "announcements/kerja-bakti", "--dry-run", env=NOW)
    assert res.exit_code == 0, res.all
    assert "6 would be sent" in res.output or "7 would be sent" in res.output
    assert not (project / "outbox-rehearsal").exists()
    assert deliveries(project) == []


def test_send_one_list_one_channel(run, project):
    res = run("send", "announcements/posyandu", "--now", "--list", "kader-posyandu", "--channel", "whatsapp", env=NOW)
    assert res.exit_code == 0, res.all
    rows = deliveries(project)
    assert len(rows) == 4
    assert {r["list"] for r in rows} == {"kader-posyandu"}


def test_history_json_fields(run):
    run("send", "sop/ktp-el", "--now", "--channel", "whatsapp", env=NOW)
    res = run("history", "--json", "--post", "sop/ktp-el", env=NOW)
    data = json.loads(res.output)
    assert len(data) == 6
    for row in data:
        for key in ("post", "channel", "recipient", "status", "occurrence", "sent_at", "error"):
            assert key in row
        assert row["occurrence"] is None
        assert row["recipient"].startswith("+62")


def test_send_requires_now(run, project):
    res = run("send", "announcements/posyandu")
    assert res.exit_code != 0
    assert "--now" in res.all
    assert not (project / "outbox-rehearsal").exists()


def test_preview_shows_each_channel_and_writes_out(run, project, tmp_path):
    out = tmp_path / "pratinjau"
    res = run("preview", "sop/kartu-keluarga", "--out", str(out), env=NOW)
    assert res.exit_code == 0, res.all
    assert "WhatsApp text" in res.output and "Instagram caption" in res.output
    wa = (out / "whatsapp.txt").read_text()
    assert "*Persyaratan:*" in wa and "3 hari kerja" in wa and "Yth." not in wa.split("\n")[0]
    ig = (out / "instagram.txt").read_text()
    assert "#KartuKeluarga" in ig and "*" not in ig
    assert not (project / "siaran-rehearsal.db").exists() or run("history", "--json").output.strip() == "[]"


def test_preview_unknown_post(run):
    res = run("preview", "announcements/tidak-ada")
    assert res.exit_code == 1
    assert "no post named 'announcements/tidak-ada'" in res.stderr


def test_history_limit_is_the_newest_rows_oldest_first(run):
    run("send", "sop/ktp-el", "--now", "--channel", "whatsapp", env=NOW)
    everything = json.loads(run("history", "--json", env=NOW).output)
    newest = json.loads(run("history", "--json", "--limit", "2", env=NOW).output)
    assert newest == everything[-2:] and len(everything) == 6
    text = run("history", "--limit", "2", "--rows", env=NOW).output.splitlines()
    assert len(text) == 2 and newest[-1]["recipient"] in text[-1]
