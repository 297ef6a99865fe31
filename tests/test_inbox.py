"""The office's inbox end to end: signed Cloud API webhooks into the real listener, `siaran inbox` to
list, reply (through the fake Cloud API on 127.0.0.1), close, export; aduan tickets; the morning alert."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from conftest import whatsapp_env
from fakes import meta_webhooks as meta
from fakes.alert_receiver import alert_receiver
from test_webhooks import BUDI, Server, db, settings_env

NOW = "2026-11-23T10:00:00+08:00"  # Monday, office open (WITA)
T_NOW = int(datetime.fromisoformat(NOW).timestamp())
QUESTION = "Pak, apakah KTP-el saya sudah jadi?"
WARGA = "6281299990001"  # not on any list: the inbox shows their WhatsApp profile name


def _bodies(cloud, number: str) -> list[dict]:
    return [b for b in cloud.bodies if b["to"] == number]


def _text(body: dict) -> str:
    return json.dumps(body, ensure_ascii=False)


@pytest.fixture
def server(project, cloud, run):
    s = Server(project, settings_env(cloud))
    yield s
    s.close()


def test_a_question_is_listed_answered_closed_and_opened_again(server, project, cloud, run):
    env = settings_env(cloud, now="2026-11-23T10:05:00+08:00")  # the office answers 5 minutes later
    assert server.cloud(meta.text_message(BUDI, QUESTION, "wamid.q1", timestamp=T_NOW)).status_code == 200
    server.cloud(meta.text_message(WARGA, "Selamat pagi", "wamid.g1", name="Pak Darto", timestamp=T_NOW))
    server.settle()
    listed = run("inbox", env=env)
    assert listed.exit_code == 0, listed.all
    assert "1 conversation(s) waiting" in listed.output  # a greeting alone waits for nobody
    (line,) = [x for x in listed.output.splitlines() if "+6281234567801" in x]
    assert line.startswith("NEW") and "Budi Santoso" in line and "2026-11-23 10:00 WITA" in line
    assert "outside office hours" not in line and QUESTION in listed.output
    assert "6281299990001" not in listed.output

    answer = "Selamat pagi Pak Budi, KTP-el Bapak sudah jadi dan bisa diambil di loket 2."
    sent = run("inbox", "reply", "0812-3456-7801", answer, env=env)
    assert sent.exit_code == 0, sent.all
    assert "Reply sent to Budi Santoso (+6281234567801)" in sent.output
    body = _bodies(cloud, BUDI)[-1]
    assert body["type"] == "text" and body["text"]["body"] == answer  # free text: inside the 24-hour window
    d = db(project)
    row = next(d["deliveries"].rows_where("post = 'autoreply/petugas'"))
    assert (row["status"], row["recipient"], row["attempts"]) == ("sent", "+" + BUDI, 1)
    server.cloud(meta.statuses(meta.status(row["provider_id"], "read", BUDI)))  # the statuses reach the row
    server.settle()
    assert d["deliveries"].get(row["id"])["status"] == "read"
    assert "REPLIED" in run("inbox", env=env).output

    assert run("inbox", "done", "+62 812 3456 7801", env=env).exit_code == 0
    assert "Nobody is waiting" in run("inbox", env=env).output
    everything = run("inbox", "--semua", env=env).output
    assert "CLOSED" in everything and "Budi Santoso" in everything and "Pak Darto" not in everything

    server.close()  # each rehearsed clock starts at its own SIARAN_NOW: Budi writes again at 10:10
    again = Server(project, settings_env(cloud, now="2026-11-23T10:10:00+08:00"))
    try:
        again.cloud(meta.text_message(BUDI, "Terima kasih, kalau KK juga bisa sekalian?", "wamid.q2",
                                      timestamp=T_NOW + 600))  # fmt: skip
        again.settle()
    finally:
        again.close()
    assert "NEW" in run("inbox", env=env).output  # a new message opens it again

    exported = json.loads(run("inbox", "export", BUDI, "--json", env=env).output)
    texts = [(m["from"], m["text"]) for m in exported["messages"]]
    assert texts[0] == ("person", QUESTION) and ("office", answer) in texts and texts[-2][0] == "person"
    assert [m["from"] for m in exported["messages"]].count("siaran") == 2  # the menu's own answers, in order
    out = project / "ekspor-budi.txt"
    assert run("inbox", "export", BUDI, "--out", str(out), env=env).exit_code == 0
    assert QUESTION in out.read_text(encoding="utf-8") and (out.stat().st_mode & 0o077) == 0

    status = run("status", env=env)
    assert "Inbox: 1 conversation(s) waiting" in status.output and status.exit_code == 2


def test_after_24_hours_the_cloud_api_needs_a_template(server, project, cloud, run):
    two_days_ago = T_NOW - 2 * 86400
    server.cloud(meta.text_message(BUDI, QUESTION, "wamid.old", timestamp=two_days_ago))
    server.settle()
    before = len(cloud.bodies)
    refused = run("inbox", "reply", BUDI, "Sudah jadi, Pak.", env=settings_env(cloud))
    assert refused.exit_code == 1
    assert "more than 24 hours ago" in refused.stderr and "inbox.reply_template" in refused.stderr
    assert len(cloud.bodies) == before and db(project)["inbox_replies"].count == 0
    assert not list(db(project)["deliveries"].rows_where("post = 'autoreply/petugas'"))

    env = settings_env(cloud, SIARAN_INBOX_REPLY_TEMPLATE="balasan_petugas:id")
    sent = run("inbox", "reply", BUDI, "Sudah jadi,\nsilakan ambil.", env=env)
    assert sent.exit_code == 0, sent.all
    template = _bodies(cloud, BUDI)[-1]["template"]
    assert template["name"] == "balasan_petugas" and template["language"] == {"code": "id"}
    flat = [{"type": "text", "text": "Sudah jadi, silakan ambil."}]  # template parameters hold no line breaks
    assert template["components"] == [{"type": "body", "parameters": flat}]


def test_fonnte_has_no_window(project, run):
    from fakes.fonnte import TOKEN, FakeFonnte
    from siaran.history import contacts, open_db

    d = open_db(project / "siaran-rehearsal.db")  # Budi wrote through Fonnte three days ago
    contacts.touch(d, BUDI, wa_id=BUDI, user_id="", name="Budi", provider="fonnte",
                   at=datetime.fromtimestamp(T_NOW - 3 * 86400).astimezone())  # fmt: skip
    d.conn.commit()
    fake = FakeFonnte()
    with fake.serve() as base:
        sent = run("inbox", "reply", BUDI, "Sudah jadi, Pak.", env=whatsapp_env(NOW, "fonnte", base, TOKEN, delay="0"))
    assert sent.exit_code == 0, sent.all
    assert any(f["message"] == "Sudah jadi, Pak." and f["target"] == BUDI for f in fake.forms)


def test_waha_replies_as_a_text_to_the_chat(project, run):
    from fakes.waha import API_KEY, FakeWaha
    from siaran.history import contacts, open_db

    d = open_db(project / "siaran-rehearsal.db")  # Budi wrote through the office's WAHA yesterday
    contacts.touch(d, BUDI, wa_id=BUDI, user_id="", name="Budi", provider="waha",
                   at=datetime.fromtimestamp(T_NOW - 86400).astimezone())  # fmt: skip
    d.conn.commit()
    fake = FakeWaha()
    with fake.serve() as base:
        sent = run("inbox", "reply", BUDI, "Sudah jadi, Pak.", env=whatsapp_env(NOW, "waha", base, API_KEY))
    assert sent.exit_code == 0, sent.all
    assert fake.texts == [{"chatId": f"{BUDI}@c.us", "text": "Sudah jadi, Pak."}]
    exported = json.loads(run("inbox", "export", BUDI, "--json", env={"SIARAN_NOW": NOW}).output)
    assert "Sudah jadi, Pak." in json.dumps(exported, ensure_ascii=False)  # the reply is kept with the conversation


def test_an_aduan_gets_a_number_and_is_reported(server, project, cloud, run):
    env = settings_env(cloud)
    server.cloud(meta.text_message(BUDI, "halo", "wamid.h", timestamp=T_NOW))
    server.cloud(meta.interactive_reply(BUDI, "menu:3", "Pengaduan", "wamid.p", timestamp=T_NOW))
    server.cloud(meta.text_message(BUDI, "Lampu jalan di RT 01 mati sejak Sabtu.", "wamid.l", timestamp=T_NOW))
    server.cloud(meta.text_message(BUDI, "apa kabar", "wamid.k", timestamp=T_NOW))  # no longer an aduan
    server.settle()
    texts = [_text(b) for b in _bodies(cloud, BUDI)]
    assert "satu pesan berikutnya" in texts[1]
    assert "Nomor aduan Anda ADU-2026-0001" in texts[2] and "belum memahami" in texts[3]
    listed = run("inbox", env=env).output
    assert "ADU-2026-0001 (aduan)" in listed
    assert run("inbox", "done", BUDI, env=env).output.count("ADU-2026-0001") == 1
    report = run("report", env=settings_env(cloud, SIARAN_LANG="id"))
    assert report.exit_code == 0, report.all
    assert "2026-11" in report.output and "aduan" in report.output
    (month,) = [x for x in report.output.splitlines() if x.startswith("2026-11")]
    assert month.split()[1:] == ["aduan", "1", "1"]


def test_an_out_of_hours_question_says_when_and_alerts_the_next_morning(project, cloud, run):
    evening = "2026-11-23T20:00:00+08:00"
    s = Server(project, settings_env(cloud, now=evening))
    try:
        at = int(datetime.fromisoformat(evening).timestamp())
        s.cloud(meta.text_message(BUDI, QUESTION, "wamid.e1", timestamp=at))
        s.settle()
    finally:
        s.close()
    (away,) = _bodies(cloud, BUDI)
    assert "besok pukul 08.00 WITA" in away["interactive"]["body"]["text"]
    assert "outside office hours" in run("inbox", env=settings_env(cloud, now=evening)).output

    with alert_receiver() as (port, received):
        alerting = {"SIARAN_ALERTS_URLS": f"json://127.0.0.1:{port}/alert",
                    "SIARAN_WHATSAPP_OPERATOR": "0812-0000-1111"}  # fmt: skip
        run("run", "--once", env=settings_env(cloud, now="2026-11-24T07:00:00+08:00", **alerting))
        assert not [m for m in received if "conversation" in m["message"]]  # not before the office opens
        for moment in ("2026-11-24T08:01:00+08:00", "2026-11-24T09:30:00+08:00"):
            run("run", "--once", env=settings_env(cloud, now=moment, **alerting))
    (alert,) = [m["message"] for m in received if "conversation" in m["message"]]  # once that morning
    assert "1 conversation on WhatsApp waits" in alert and "2026-11-23 20:00 WITA" in alert and "Budi Santoso" in alert
    operator = [_text(b) for b in _bodies(cloud, "6281200001111")]
    assert any("waits for an answer" in t for t in operator)


def test_a_picture_waits_and_old_messages_are_deleted(server, project, cloud, run):
    published = Path(__file__).parent / "data/webhooks/cloud/courier/image.json"  # nyaruka/courier's capture
    assert server.cloud(json.loads(published.read_text(encoding="utf-8"))).status_code == 200
    server.cloud(meta.text_message(BUDI, QUESTION, "wamid.r1", timestamp=T_NOW))
    server.settle()
    listed = run("inbox", env=settings_env(cloud)).output
    assert "Kerry Fisher" in listed and "[picture] Check out my new phone!" in listed and "+5678" in listed
    later = "2027-01-10T09:00:00+08:00"
    run("run", "--once", env=settings_env(cloud, now=later, SIARAN_INBOX_RETENTION_DAYS="30"))
    assert db(project)["inbound"].count == 0
