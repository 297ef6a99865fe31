"""The webhook listener end to end: a real uvicorn server on 127.0.0.1, Meta's signed payloads posted
over HTTP, the history and the fake Cloud API (replies) looked at afterwards."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import sqlite_utils

from conftest import whatsapp_env
from fakes import meta_webhooks as meta
from fakes.whatsapp_cloud import PHONE_ID, TOKEN, FakeCloud
from siaran.app import App
from siaran.clock import clock_from_env
from siaran.reasons import say
from siaran.server import start_in_thread

NOW = "2026-11-23T10:00:00+08:00"  # a Monday, inside office hours (WITA)
BUDI = "6281234567801"
SITI = "6281355501122"


def settings_env(cloud: FakeCloud, now: str = NOW, **extra: str) -> dict[str, str]:
    secrets = {"app_secret": meta.APP_SECRET, "verify_token": meta.VERIFY_TOKEN, "webhook_secret": meta.WEBHOOK_SECRET}
    return {
        **whatsapp_env(now, "cloud", cloud.base_url, TOKEN, phone_number_id=PHONE_ID, mps="0", **secrets),
        "SIARAN_SERVER_WEBHOOK_PORT": "0",
        "SIARAN_SERVER_PAGE_PORT": "0",
        **extra,
    }


class Server:
    def __init__(self, project: Path, env: dict[str, str]):
        self.app = App.open(project, clock_from_env(env), env)
        self.running = start_in_thread(self.app)
        self.url = f"http://127.0.0.1:{self.running.ports['webhook']}"
        self.page = f"http://127.0.0.1:{self.running.ports['page']}"
        self.http = httpx.Client(timeout=10)

    def cloud(self, payload: dict, secret: str | None = meta.APP_SECRET) -> httpx.Response:
        return meta.post_cloud(self.http, f"{self.url}/webhook/whatsapp", payload, secret)

    def settle(self) -> None:
        """Wait until the inbox wrote everything and the replier sent what it had."""
        self.running.inbox.drain()
        self.running.replier.drain()

    def close(self) -> None:
        self.http.close()
        self.running.stop.set()
        self.running.thread.join(10)


@pytest.fixture
def server(project, cloud, run):
    s = Server(project, settings_env(cloud))
    yield s
    s.close()


def db(project: Path) -> sqlite_utils.Database:
    return sqlite_utils.Database(project / "siaran-rehearsal.db")


def history(run, cloud) -> dict[str, dict]:
    result = run("history", "--json", "--channel", "whatsapp", env=settings_env(cloud))
    return {r["recipient"].lstrip("+"): r for r in json.loads(result.output)}


# ── the door: handshake, signatures, size ──


def test_handshake_echoes_the_challenge_only_for_the_right_token(server):
    params = {"hub.mode": "subscribe", "hub.verify_token": meta.VERIFY_TOKEN, "hub.challenge": "1158201444"}
    ok = server.http.get(f"{server.url}/webhook/whatsapp", params=params)
    assert (ok.status_code, ok.text) == (200, "1158201444")
    wrong = {**params, "hub.verify_token": "wrong", "hub.challenge": "1"}
    unsubscribe = {**params, "hub.mode": "unsubscribe", "hub.challenge": "1"}
    for bad_params in (wrong, unsubscribe, {}):
        bad = server.http.get(f"{server.url}/webhook/whatsapp", params=bad_params)
        assert bad.status_code == 403 and "1" not in bad.text


def test_only_the_three_webhook_paths_are_served(server):
    assert server.http.get(f"{server.url}/").status_code == 404
    assert server.http.post(f"{server.url}/webhook/other", content=b"{}").status_code == 404


def test_unsigned_or_wrongly_signed_posts_change_nothing(server, project):
    payload = meta.text_message(BUDI, "BERHENTI", "wamid.unsigned")
    assert server.cloud(payload, secret=None).status_code == 401
    assert server.cloud(payload, secret="not-the-app-secret").status_code == 403
    body = meta.encode(payload)
    tampered = body.replace(b"BERHENTI", b"MULAI!!!")
    headers = {"X-Hub-Signature-256": meta.sign(body), "Content-Type": "application/json"}
    assert server.http.post(f"{server.url}/webhook/whatsapp", content=tampered, headers=headers).status_code == 403
    waha = meta.waha_message(BUDI, "BERHENTI", "false_x@c.us_1")
    assert meta.post_waha(server.http, f"{server.url}/webhook/waha", waha, key="wrong").status_code == 403
    assert meta.post_waha(server.http, f"{server.url}/webhook/waha", waha, key=None).status_code == 401
    fonnte = meta.fonnte_message(BUDI, "BERHENTI", "77")
    assert server.http.post(f"{server.url}/webhook/fonnte", json=fonnte).status_code == 401
    assert server.http.post(f"{server.url}/webhook/fonnte?secret=nope", json=fonnte).status_code == 403
    server.settle()
    d = db(project)
    assert d["inbound"].count == 0 and d["contacts"].count == 0 and d["optouts"].count == 0


def test_a_body_over_the_cap_is_refused(server, project):
    """Meta documents webhooks of up to 3 MB: a 1.2 MB batch is taken, 3.2 MB is not."""
    batch = meta.statuses(*(meta.status(f"wamid.{i:07d}", "read", "6281") for i in range(8000)))
    assert len(meta.encode(batch)) > 1_200_000
    assert server.cloud(batch).status_code == 200
    big = meta.text_message(BUDI, "x" * 3_200_000, "wamid.big")
    assert server.cloud(big).status_code == 413
    server.settle()
    assert db(project)["inbound"].count == 0


# ── statuses ──


def _broadcast(run, cloud) -> dict[str, str]:
    result = run("send", "announcements/posyandu", "--now", "--channel", "whatsapp", env=settings_env(cloud))
    assert result.exit_code == 0, result.all
    return {number: row["provider_id"] for number, row in history(run, cloud).items()}


def test_statuses_move_forward_only_and_failures_keep_their_code(server, run, cloud):
    ids = _broadcast(run, cloud)
    yohanes = "6285210002001"
    assert server.cloud(meta.statuses(meta.status(ids[BUDI], "delivered", BUDI))).status_code == 200
    server.cloud(meta.statuses(meta.status(ids[BUDI], "read", BUDI), meta.status(ids[SITI], "read", SITI)))
    # out of order and duplicated: Siti's "delivered" and "sent" come after her "read"
    server.cloud(meta.statuses(meta.status(ids[SITI], "delivered", SITI), meta.status(ids[SITI], "sent", SITI)))
    server.cloud(meta.statuses(meta.status(ids[yohanes], "failed", yohanes, code=131049)))
    server.cloud(meta.statuses(meta.status(ids[yohanes], "delivered", yohanes)))  # never after failed
    server.settle()
    rows = history(run, cloud)
    assert rows[BUDI]["status"] == "read" and rows[SITI]["status"] == "read"
    assert rows[yohanes]["status"] == "failed" and rows[yohanes]["error_code"] == "131049"
    assert "healthy ecosystem engagement" in say(rows[yohanes]["error"])
    others = [r for n, r in rows.items() if n not in (BUDI, SITI, yohanes)]
    assert others and all(r["status"] == "sent" for r in others)
    report = json.loads(run("report", "--json", env=settings_env(cloud)).output)
    week = report["weeks"][-1] if isinstance(report, dict) else report[-1]
    assert week["whatsapp_failed_later"] == 1
    assert week["whatsapp_sent"] == len(rows) - 1  # read and delivered messages went out too
    assert (week["whatsapp_read"], week["whatsapp_delivered"]) == (2, 2)
    text = run("report", env=settings_env(cloud)).output  # Meta's price of each message, per month
    assert re.search(r"2026-11\s+marketing\s+3\s+3", text), text


def test_a_status_before_the_send_answer_waits_and_is_applied_when_the_answer_lands(project, cloud, run):
    from siaran.history import open_db, statuses
    from siaran.history.deliveries import commit_batch, reserve

    app = App.open(project, clock_from_env(settings_env(cloud)), settings_env(cloud))
    d = open_db(project / "siaran-rehearsal.db")
    now = app.now()
    reserve(d, [{"key": "k1", "post": "p", "channel": "whatsapp", "recipient": "+1", "status": "queued"}])
    commit_batch(d, "me", "t", ["k1"], [])  # claimed: the request is in flight
    ev = [statuses.StatusEvent("wamid.early", "read", "2026-11-23T02:00:05+00:00"),
          statuses.StatusEvent("wamid.early", "delivered", "2026-11-23T02:00:04+00:00")]  # fmt: skip
    assert statuses.record(d, ev, now) == (0, 2)
    assert d["deliveries"].get(1)["status"] == "sending"
    commit_batch(d, "me", "t", [], [("sent", None, None, "wamid.early", "t", None, "t", "k1")])
    row = d["deliveries"].get(1)
    assert (row["status"], row["read_at"], row["delivered_at"]) == ("read", ev[0].at, ev[1].at)
    assert statuses.pending_count(d) == 0


# ── incoming messages ──


def _replies(cloud: FakeCloud, number: str) -> list[dict]:
    return [b for b in cloud.bodies if b["to"] == number]


def test_berhenti_opts_out_at_once_and_replies_once_even_when_redelivered(server, project, cloud, run):
    payload = meta.text_message(BUDI, "  berhenti \n", "wamid.stop1")
    for _ in range(3):  # Meta redelivers
        assert server.cloud(payload).status_code == 200
    server.settle()
    d = db(project)
    opt = d["optouts"].get("+" + BUDI)
    assert opt["source"] == "whatsapp:cloud" and opt["created_at"]
    assert [r["action"] for r in d["consent_log"].rows] == ["optout"]
    replies = _replies(cloud, BUDI)
    assert len(replies) == 1 and "MULAI" in replies[0]["text"]["body"]
    reply_row = next(d["deliveries"].rows_where("post = 'autoreply/berhenti'"))
    assert reply_row["status"] == "sent" and reply_row["recipient"] == "+" + BUDI
    # the next broadcast skips Budi
    run("send", "announcements/posyandu", "--now", "--channel", "whatsapp", env=settings_env(cloud))
    assert not [b for b in _replies(cloud, BUDI) if b.get("type") != "text" or "MULAI" not in str(b)]
    assert history(run, cloud)[BUDI]["status"] == "skipped"

    server.cloud(meta.text_message(BUDI, "Mulai", "wamid.start1"))
    server.settle()
    assert d["optouts"].count == 0
    assert [r["action"] for r in d["consent_log"].rows] == ["optout", "optin"]
    assert "BERHENTI" in _replies(cloud, BUDI)[-1]["text"]["body"]


def test_only_a_whole_message_stops(server, project):
    server.cloud(meta.text_message(BUDI, "tolong jangan berhenti kirim info", "wamid.no-stop"))
    server.settle()
    assert db(project)["optouts"].count == 0


def test_contacts_keep_the_user_id_and_the_last_message_time(server, project):
    server.cloud(meta.text_message(BUDI, "halo", "wamid.c1", user_id="ID.1234567890", timestamp=1795000000))
    server.cloud(meta.text_message(BUDI, "halo lagi", "wamid.c2", user_id="ID.1234567890", timestamp=1795000600))
    server.settle()
    c = db(project)["contacts"].get(BUDI)
    assert (c["user_id"], c["name"]) == ("ID.1234567890", "Budi Santoso")
    assert c["last_message_at"] == datetime.fromtimestamp(1795000600, UTC).isoformat()  # the 24-hour window


# ── the menu ──


def test_first_contact_gets_the_welcome_and_the_menu_as_a_list(server, cloud):
    server.cloud(meta.text_message(BUDI, "Selamat pagi", "wamid.m1"))
    server.settle()
    (reply,) = _replies(cloud, BUDI)
    assert reply["type"] == "interactive" and reply["interactive"]["type"] == "list"
    rows = reply["interactive"]["action"]["sections"][0]["rows"]
    assert [r["id"] for r in rows] == ["menu:1", "menu:2", "menu:3", "menu:4"]
    assert all(len(r["title"]) <= 24 for r in rows) and len(reply["interactive"]["action"]["button"]) <= 20
    assert "Selamat datang" in reply["interactive"]["body"]["text"]


def test_a_number_or_a_tapped_row_gets_its_answer_and_anything_else_the_fallback(server, cloud):
    server.cloud(meta.text_message(BUDI, "halo", "wamid.n0"))
    server.cloud(meta.text_message(BUDI, "2", "wamid.n1"))
    server.cloud(meta.text_message(BUDI, "apa kabar", "wamid.n2"))
    server.cloud(meta.interactive_reply(BUDI, "menu:3", "Pengaduan", "wamid.n3"))
    server.cloud(meta.text_message(BUDI, "MENU", "wamid.n4"))  # a menu word is never taken as the aduan
    server.settle()
    replies = _replies(cloud, BUDI)
    texts = [r.get("text", {}).get("body", "") for r in replies]
    assert "Jam layanan" in texts[1] and "belum memahami" in texts[2] and "pengaduan" in texts[3].lower()
    assert replies[4]["type"] == "interactive"


def test_an_sop_answer_sends_its_infographic(server, cloud):
    server.cloud(meta.text_message(BUDI, "halo", "wamid.s0"))
    server.cloud(meta.text_message(BUDI, "4", "wamid.s1"))
    server.settle()
    replies = _replies(cloud, BUDI)[1:]
    assert replies[0]["type"] == "image" and cloud.uploads
    assert "KTP" in json.dumps(replies, ensure_ascii=False)


def test_the_away_message_goes_once_a_day_outside_office_hours(project, cloud, run):
    s = Server(project, settings_env(cloud, now="2026-11-23T20:00:00+08:00"))
    try:
        s.cloud(meta.text_message(BUDI, "halo", "wamid.a1"))
        s.cloud(meta.text_message(BUDI, "2", "wamid.a2"))
        s.settle()
    finally:
        s.close()
    first, second = _replies(cloud, BUDI)
    assert "di luar jam kerja" in first["interactive"]["body"]["text"]
    assert "di luar jam kerja" not in second["text"]["body"]


def test_waha_messages_and_acks(project, cloud, run):
    env = settings_env(cloud)
    s = Server(project, env)
    try:
        waha = f"{s.url}/webhook/waha"
        assert meta.post_waha(s.http, waha, meta.waha_message(BUDI, "stop", "false_1@c.us_A")).status_code == 200
        s.settle()
        assert db(project)["optouts"].get("+" + BUDI)["source"] == "whatsapp:waha"
        fonnte = meta.fonnte_message(SITI, "UNREG", "991")
        assert s.http.post(f"{s.url}/webhook/fonnte?secret={meta.WEBHOOK_SECRET}", json=fonnte).status_code == 200
        s.settle()
        assert db(project)["optouts"].get("+" + SITI)["source"] == "whatsapp:fonnte"
    finally:
        s.close()


def test_the_page_listener_answers_on_localhost(server):
    page = server.http.get(server.page)
    assert page.status_code == 200 and "siaran" in page.text


def test_a_reply_that_fails_transiently_is_retried_by_the_engine(server, cloud, project):
    cloud.fail(BUDI, 131000, times=2)  # Meta's transient server error, twice
    server.cloud(meta.text_message(BUDI, "BERHENTI", "wamid.retry"))
    server.settle()
    assert cloud.requests[BUDI] == 3 and cloud.delivered[BUDI] == 1
    row = next(db(project)["deliveries"].rows_where("post = 'autoreply/berhenti'"))
    assert (row["status"], row["attempts"]) == ("sent", 3)


def test_statuses_from_waha_acks_move_the_delivery(project, cloud, run):
    from siaran.history import open_db
    from siaran.history.deliveries import commit_batch, reserve

    d = open_db(project / "siaran-rehearsal.db")
    reserve(d, [{"key": "k1", "post": "p", "channel": "whatsapp", "recipient": "+" + BUDI, "status": "queued"}])
    commit_batch(d, "me", "t", ["k1"], [])
    commit_batch(d, "me", "t", [], [("sent", None, None, "true_628@c.us_ABC", "t", None, "t", "k1")])
    s = Server(project, settings_env(cloud))
    try:
        url = f"{s.url}/webhook/waha"
        assert meta.post_waha(s.http, url, meta.waha_ack("true_628@c.us_ABC", 3)).status_code == 200
        assert meta.post_waha(s.http, url, meta.waha_ack("true_628@c.us_ABC", 2)).status_code == 200
        s.settle()
    finally:
        s.close()
    assert d["deliveries"].get(1)["status"] == "read"


def test_a_sender_without_a_phone_number_opts_out_by_user_id_and_is_not_answered(server, project, cloud):
    payload = meta.envelope(
        {
            "contacts": [{"profile": {"name": "Warga"}, "user_id": "ID.998877665544"}],
            "messages": [{"from_user_id": "ID.998877665544", "id": "wamid.nophone", "timestamp": "1795000000",
                          "type": "text", "text": {"body": "BERHENTI"}}],
        }
    )  # fmt: skip
    assert server.cloud(payload).status_code == 200
    server.settle()
    d = db(project)
    (c,) = list(d["contacts"].rows)
    assert (c["id"], c["user_id"], c["wa_id"]) == ("user:ID.998877665544", "ID.998877665544", None)
    assert [r["phone"] for r in d["optouts"].rows] == ["user:ID.998877665544"] and not cloud.bodies  # no number
    # the same person later writes with their number: contact and opt-out follow it
    later = meta.text_message(BUDI, "halo", "wamid.withphone", user_id="ID.998877665544")
    assert server.cloud(later).status_code == 200
    server.settle()
    assert [r["phone"] for r in d["optouts"].rows] == [f"+{BUDI}"]
    assert [r["id"] for r in d["contacts"].rows] == [BUDI]


def test_serve_refuses_a_busy_port_with_a_clear_message(run, cloud, monkeypatch):
    import socket

    monkeypatch.setenv("SIARAN_LANG", "id")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        result = run("serve", env=settings_env(cloud, SIARAN_SERVER_WEBHOOK_PORT=port))
    assert result.exit_code == 1 and f"127.0.0.1:{port}" in result.stderr and "server.webhook_port" in result.stderr
    assert "port itu sudah dipakai" in result.stderr and "Address already in use" not in result.stderr


def test_run_starts_the_webhook_listener_when_a_secret_is_set(project):
    """`siaran run` as a real process: the same listener answers Meta's handshake; SIGTERM stops both."""
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIARAN_")}
    env.update({"SIARAN_WHATSAPP_APP_SECRET": meta.APP_SECRET, "SIARAN_WHATSAPP_VERIFY_TOKEN": meta.VERIFY_TOKEN,
                "SIARAN_SERVER_WEBHOOK_PORT": str(port), "SIARAN_SERVER_PAGE_PORT": "0",
                "PYTHONPATH": str(Path(__file__).parent.parent / "src"),
                "SIARAN_NOW": "2026-11-24T12:00:00+08:00"})  # fmt: skip
    # SIARAN_NOW: a moment with nothing due, so SIGTERM never waits for a long first pass
    proc = subprocess.Popen([sys.executable, "-m", "siaran", "--project", str(project), "run"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        params = {"hub.mode": "subscribe", "hub.verify_token": meta.VERIFY_TOKEN, "hub.challenge": "777"}
        answer = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and answer is None:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/webhook/whatsapp", params=params, timeout=2)
            except httpx.TransportError:
                time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert answer is not None and answer.text == "777", err
    assert proc.returncode == 0, err
    assert f"127.0.0.1:{port}/webhook/" in out


def test_without_autoreply_hours_the_office_hours_decide_the_away_message(project, cloud, run):
    auto = project / "content/autoreply.yaml"
    text = auto.read_text(encoding="utf-8")
    start = text.index("\nhours:")
    auto.write_text(text[:start] + text[text.index("\naway:") :], encoding="utf-8")  # office.yaml hours apply
    s = Server(project, settings_env(cloud, now="2026-11-27T13:00:00+08:00"))  # Friday 13.00: closed at 11.00
    try:
        s.cloud(meta.text_message(BUDI, "halo", "wamid.b1"))
        s.settle()
    finally:
        s.close()
    (first,) = _replies(cloud, BUDI)
    assert "di luar jam kerja" in first["interactive"]["body"]["text"]
