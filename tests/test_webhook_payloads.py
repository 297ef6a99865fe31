"""Provider payloads → statuses and incoming messages (pure parsing), and the signature checks."""

from __future__ import annotations

import pytest

from fakes import meta_webhooks as meta
from siaran.server import cloud, fonnte, signatures, waha
from siaran.server.events import Malformed, Parsed


def test_cloud_statuses_with_pricing_and_errors():
    payload = meta.statuses(
        meta.status("wamid.A", "delivered", "6281"), meta.status("wamid.B", "failed", "6282", code=131047),
        {"id": "wamid.C", "status": "played", "timestamp": "1795000000", "recipient_id": "6283"},
        {"id": "wamid.D", "status": "deleted", "timestamp": "1795000000"},
    )  # fmt: skip
    parsed = cloud.parse(payload)
    statuses = parsed.statuses
    assert not parsed.incoming
    assert [(s.message_id, s.status) for s in statuses] == [("wamid.A", "delivered"), ("wamid.B", "failed"),
                                                            ("wamid.C", "read")]  # fmt: skip
    failed = statuses[1]
    assert failed.error_code == "131047" and "24 hours" in failed.error and failed.at == "2026-11-18T11:06:40+00:00"


def test_cloud_text_and_interactive_messages_carry_the_contact():
    (text,) = cloud.parse(meta.text_message("6281234567801", " Halo ", "wamid.T", user_id="ID.1")).incoming
    assert (text.wa_id, text.user_id, text.name, text.text, text.choice) == (
        "6281234567801", "ID.1", "Budi Santoso", "Halo", "")  # fmt: skip
    (tap,) = cloud.parse(meta.interactive_reply("6281234567801", "menu:2", "Informasi", "wamid.I")).incoming
    assert (tap.type, tap.text, tap.choice) == ("interactive", "Informasi", "menu:2")
    (button,) = cloud.parse(meta.interactive_reply("6281", "menu:1", "Ya", "wamid.J", kind="button_reply")).incoming
    assert button.choice == "menu:1"
    assert not cloud.parse({"object": "whatsapp_business_account", "entry": [{"changes": [{"value": None}]}]})
    with pytest.raises(Malformed):
        cloud.parse(["not", "a", "dict"])


def test_fonnte_incoming_status_and_device_events():
    (m,) = fonnte.parse(meta.fonnte_message("6281234567801", "BERHENTI", "991")).incoming
    assert (m.provider, m.message_id, m.wa_id, m.text) == ("fonnte", "991", "6281234567801", "BERHENTI")
    (s,) = fonnte.parse({"id": "80012345", "status": "read", "timestamp": 1795000000}).statuses
    assert (s.message_id, s.status) == ("80012345", "read")
    assert fonnte.parse({"device": "6281154002727", "status": "disconnect", "reason": "logout"}) == Parsed()


def test_waha_ignores_groups_and_own_messages():
    group = meta.waha_message("1203630@g", "halo", "false_1")
    group["payload"]["from"] = "120363040000000000@g.us"
    (g,) = waha.parse(group).incoming
    assert g.group and not g.answerable  # recorded, never answered
    own = meta.waha_message("6281", "halo", "true_1")
    own["payload"]["fromMe"] = True
    assert waha.parse(own) == Parsed()
    (s,) = waha.parse(meta.waha_ack("true_6281@c.us_X", -1)).statuses
    assert s.status == "failed" and s.error


def test_signatures_are_checked_on_the_exact_bytes():
    body = meta.encode(meta.text_message("6281", "halo", "wamid.S"))
    assert signatures.cloud_ok(meta.APP_SECRET, body, meta.sign(body))
    assert not signatures.cloud_ok(meta.APP_SECRET, body + b" ", meta.sign(body))
    assert not signatures.cloud_ok("", body, meta.sign(body, ""))  # no secret set: nothing is trusted
    assert not signatures.cloud_ok(meta.APP_SECRET, body, meta.sign(body)[len("sha256=") :])
    assert not signatures.same_secret("", "")


def test_a_stopped_inbox_makes_the_listener_answer_503(tmp_path):
    """Nothing is kept only in memory: without its writer the listener asks Meta to send again."""
    import asyncio
    from datetime import UTC, datetime

    import httpx

    from siaran.config import load_settings
    from siaran.history import open_db
    from siaran.server.inbox import Inbox
    from siaran.server.webhook import webhook_app

    settings = load_settings(tmp_path, {"SIARAN_WHATSAPP_APP_SECRET": meta.APP_SECRET})
    inbox = Inbox(lambda: open_db(tmp_path / "h.db"), lambda: datetime(2026, 11, 23, tzinfo=UTC))
    body = meta.encode(meta.statuses(meta.status("wamid.A", "read", "6281")))
    headers = {"X-Hub-Signature-256": meta.sign(body)}
    transport = httpx.ASGITransport(app=webhook_app(settings.whatsapp, inbox))

    async def post() -> int:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return (await client.post("/webhook/whatsapp", content=body, headers=headers)).status_code

    assert asyncio.run(post()) == 503
    inbox.start()
    try:
        assert asyncio.run(post()) == 200
        inbox.drain()
        assert inbox.waiting == 1  # an id no send has recorded yet: kept
    finally:
        inbox.stop()


def test_waha_ack_without_its_own_time_takes_the_envelopes_and_lid_senders_their_number():
    import json
    from pathlib import Path

    events = json.loads((Path(__file__).parent / "data/webhooks/waha/events.json").read_text(encoding="utf-8"))
    (ack,) = waha.parse(events["ack_device_envelope_time_only"]).statuses
    assert (ack.status, ack.at) == ("delivered", "2025-09-28T03:47:20+00:00")  # envelope 1759031240123 ms
    (gows,) = waha.parse(events["gows_lid_senderalt"]).incoming
    assert (gows.wa_id, gows.user_id, gows.name) == ("6281234567812", "lid:265781216567410", "Pak Kades")
    (noweb,) = waha.parse(events["noweb_lid_with_remoteJidAlt"]).incoming
    assert (noweb.wa_id, noweb.name, noweb.text) == ("6281234567811", "Sri Wahyuni", "BERHENTI")
