"""Every published webhook payload in tests/data/webhooks (sources in its SOURCES.md), replayed through
the real listener (webhook.py's app, signed as each provider signs), the real inbox and the real
conversation, each case on its own copy of a history; the table says what each must do.

Effects: ``reply:<post>`` answered with that auto-reply; ``noreply`` recorded, not answered;
``group`` recorded as said in a group by ``member``, never answered nor opted out;
``optout:<key>`` / ``optin:<key>``; ``status:<status>`` / ``failed:<code>`` on the seeded delivery of
that message id (its times never empty); ``price:<category>:<billable>``; ``problem:<code>`` stored;
``moved:<old>:<new>``; ``contact:<id>[=<name>]``; ``inbound:<n>``; ``nothing`` changed; ``http:<code>``.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
import sqlite_utils

from conftest import whatsapp_env
from fakes import meta_webhooks as meta
from siaran.app import App
from siaran.clock import clock_from_env
from siaran.history import open_db
from siaran.history.deliveries import commit_batch, reserve
from siaran.server.conversation import Conversation
from siaran.server.inbox import Inbox
from siaran.server.webhook import webhook_app

DATA = Path(__file__).parent / "data" / "webhooks"
NOW = "2026-11-23T10:00:00+08:00"
SEEDED = [  # message ids of deliveries already sent, so statuses have a row to move
    "wamid.xyzxyz", "external_id", "wamid.HBgNNjI4MTIzNDU2NzgyMhUCABEYEjA1", "wamid.HBgNNjI4MTIzNDU2NzgyMhUCABEYEjA2",
    "80012345", "80012346", "80012347", "true_6281234567816@c.us_3EB0B6F646127B8BBC", "true_11111111111@c.us_AAAA",
    "true_6281234567817@c.us_3EB0ERR",
]  # fmt: skip


@dataclass
class Case:
    provider: str  # cloud | fonnte | waha
    file: str  # under tests/data/webhooks/
    examples: tuple[str, ...]  # replayed in order into one history ("-" for a file that is one payload)
    expect: tuple[str, ...]
    given: tuple[str, ...] = field(default=())  # opt-outs in history before the replay


def case(provider: str, file: str, examples: str, *expect: str, given: tuple[str, ...] = ()) -> Case:
    return Case(provider, file, tuple(examples.split(",")), expect, given)


PYWA, COURIER, META = "cloud/pywa", "cloud/courier", "cloud/meta/reference.json"
CASES = [
    # Cloud API: people writing (pywa's tests/data/updates)
    case("cloud", f"{PYWA}/message.json", "text", "reply:autoreply/welcome", "contact:972987654321=Test Name"),
    *(
        case("cloud", f"{PYWA}/message.json", kind, "reply:autoreply/welcome")
        for kind in (
            "image",
            "media_with_url",
            "video",
            "document",
            "audio",
            "voice",
            "static_sticker",
            "current_location",
            "contacts",
            "reply",
            "forwarded",
            "referral",
        )
    ),
    *(
        case("cloud", f"{PYWA}/message.json", kind, "noreply", "inbound:1")
        for kind in ("reaction", "unreaction_empty", "unreaction_no_emoji", "order")
    ),
    case("cloud", f"{PYWA}/message.json", "unsupported", "noreply", "problem:131051"),
    case("cloud", f"{PYWA}/message.json", "interactive_message_with_err", "problem:131000"),
    case("cloud", f"{PYWA}/callback_button.json", "quick_reply", "reply:autoreply/welcome"),
    case("cloud", f"{PYWA}/callback_selection.json", "callback", "reply:autoreply/welcome"),
    case("cloud", f"{PYWA}/deleted_message.json", "revoke", "noreply", "inbound:1"),
    case("cloud", f"{PYWA}/edited_message.json", "image", "noreply", "inbound:1"),
    case("cloud", f"{PYWA}/system.json", "identity_change", "noreply", "inbound:1"),
    case(
        "cloud",
        f"{PYWA}/system.json",
        "phone_number_change",
        "noreply",
        "moved:972987654321:972912345678",
        given=("+972987654321",),
    ),
    case("cloud", f"{PYWA}/user_marketing_preferences.json", "resume", "optin:+16505551234", given=("+16505551234",)),
    case("cloud", f"{PYWA}/user_marketing_preferences.json", "signup", "optin:+16505551234"),
    case("cloud", f"{PYWA}/message_status.json", "sent,delivered,read", "status:read", "price:service:1"),
    case("cloud", f"{PYWA}/message_status.json", "played", "status:read"),
    case("cloud", f"{PYWA}/message_status.json", "failed", "failed:130472"),
    case("cloud", f"{PYWA}/message_status.json", "with_tracker,group", "status:sent"),
    # Cloud API: nyaruka/courier handlers/meta/testdata/wac
    case("cloud", f"{COURIER}/hello.json", "-", "reply:autoreply/welcome", "contact:5678=Kerry Fisher"),
    case("cloud", f"{COURIER}/duplicate.json", "-", "reply:autoreply/welcome", "inbound:1"),
    case("cloud", f"{COURIER}/button.json", "-", "reply:autoreply/welcome"),
    case("cloud", f"{COURIER}/button_reply.json", "-", "reply:autoreply/welcome"),
    case("cloud", f"{COURIER}/list_reply.json", "-", "reply:autoreply/welcome"),
    case("cloud", f"{COURIER}/nfm_reply.json", "-", "reply:autoreply/welcome"),
    case("cloud", f"{COURIER}/nfm_reply_non_object.json", "-", "reply:autoreply/welcome"),
    *(
        case("cloud", f"{COURIER}/{kind}.json", "-", "reply:autoreply/welcome")
        for kind in (
            "image",
            "video",
            "document",
            "audio",
            "voice",
            "location",
            "hello_user_id",
            "hello_invalid_user_id",
        )
    ),
    case("cloud", f"{COURIER}/hello_from_bsuid.json", "-", "noreply", "contact:user:US.1234=Kerry Fisher"),
    case("cloud", f"{COURIER}/hello_bsuid_in_from.json", "-", "noreply", "contact:user:US.1234"),
    case("cloud", f"{COURIER}/invalid_from.json", "-", "noreply", "contact:user:bla"),
    case("cloud", f"{COURIER}/invalid_timestamp.json", "-", "noreply", "inbound:1"),
    case("cloud", f"{COURIER}/no_from.json", "-", "nothing"),
    case("cloud", f"{COURIER}/group_message.json", "-", "group:555555555:5678"),
    case("cloud", f"{COURIER}/error_msg.json", "-", "noreply", "problem:131051"),
    case("cloud", f"{COURIER}/error_errors.json", "-", "problem:0"),
    case("cloud", f"{COURIER}/error_status.json", "-", "failed:131014", "price:referral_conversion:0"),
    case("cloud", f"{COURIER}/valid_status.json", "-", "status:sent", "price:referral_conversion:0"),
    case("cloud", f"{COURIER}/ignore_status.json", "-", "nothing", "status:sent"),
    case("cloud", f"{COURIER}/invalid_status.json", "-", "nothing", "status:sent"),
    # Cloud API: Meta's reference pages (placeholders filled by hand, see SOURCES.md)
    case("cloud", META, "user_preferences_stop", "optout:+6281234567821", "inbound:0"),
    case("cloud", META, "user_preferences_stop,user_preferences_resume", "optin:+6281234567821"),
    case("cloud", META, "status_delivered_pmp_marketing", "status:delivered", "price:marketing:1"),
    case("cloud", META, "status_read_pmp_utility_free", "status:read", "price:utility:0"),
    case("cloud", META, "value_errors_130429", "problem:130429"),
    # Cloud API: whatsapp-api-js test mocks; and shapes that are not Meta's (hand-written)
    case("cloud", "cloud/whatsapp-api-js/mocks.json", "valid_message_mock", "reply:autoreply/welcome"),
    case("cloud", "cloud/whatsapp-api-js/mocks.json", "valid_status_mock,missing_data_mock", "nothing"),
    *(
        case("cloud", "cloud/malformed.json", bad, "http:400", "nothing")
        for bad in ("entry_list_of_lists", "statuses_strings", "entry_string", "messages_object", "text_body_number")
    ),
    # Fonnte (docs.fonnte.com field lists; values hand-written)
    case("fonnte", "fonnte/incoming.json", "personal_text", "optout:+6281234567801", "reply:autoreply/berhenti"),
    case(
        "fonnte",
        "fonnte/incoming.json",
        "personal_no_inboxid_no_timestamp_1,personal_no_inboxid_no_timestamp_2",
        "inbound:2",
        "optin:+6281234567802",
        "reply:autoreply/mulai",
        "reply:autoreply/berhenti",
    ),
    case("fonnte", "fonnte/incoming.json", "personal_message_timestamp", "reply:autoreply/welcome"),
    case("fonnte", "fonnte/incoming.json", "group_at_g_us", "group:120363040000000000:6281234567804"),
    case("fonnte", "fonnte/incoming.json", "group_digits_with_member", "group:120363040000000001:6281234567805"),
    case("fonnte", "fonnte/incoming.json", "image_with_caption", "optout:+6281234567806"),
    case("fonnte", "fonnte/incoming.json", "with_secret_in_body", "reply:autoreply/mulai"),
    case("fonnte", "fonnte/status.json", "first_call_sent,later_delivered,later_read", "status:read"),
    case("fonnte", "fonnte/status.json", "later_delivered,first_call_sent", "status:delivered"),
    case("fonnte", "fonnte/status.json", "invalid_target", "failed:invalid"),
    case("fonnte", "fonnte/status.json", "url_unreachable", "failed:url unreachable"),
    case("fonnte", "fonnte/device.json", "disconnect,connect", "nothing"),
    # WAHA (captures from WAHA's issues and docs; see SOURCES.md for what was completed by hand)
    case("waha", "waha/events.json", "noweb_lid_issue_1418", "noreply", "contact:user:lid:176369157804064"),
    case(
        "waha",
        "waha/events.json",
        "noweb_lid_with_remoteJidAlt",
        "optout:+6281234567811",
        "reply:autoreply/berhenti",
        "contact:6281234567811=Sri Wahyuni",
    ),
    case("waha", "waha/events.json", "webjs_lid_issue_1849", "inbound:1", "contact:user:lid:245896994390182"),
    case(
        "waha",
        "waha/events.json",
        "gows_lid_senderalt",
        "optin:+6281234567812",
        "reply:autoreply/mulai",
        "contact:6281234567812=Pak Kades",
        given=("+6281234567812",),
    ),
    case("waha", "waha/events.json", "gows_broadcast_issue_whatsmeow_1262", "nothing"),
    case(
        "waha", "waha/events.json", "webjs_c_us_notifyName", "reply:autoreply/welcome", "contact:6281234567813=Bu Lurah"
    ),
    case("waha", "waha/events.json", "webjs_image_caption", "optout:+6281234567814"),
    case("waha", "waha/events.json", "noweb_own_message_issue_1379", "nothing"),
    case("waha", "waha/events.json", "group_message", "group:120363040000000000:6281234567815"),
    case("waha", "waha/events.json", "ack_device_envelope_time_only", "status:delivered"),
    case("waha", "waha/events.json", "ack_read_wawp_docs", "status:read"),
    case("waha", "waha/events.json", "ack_error", "failed:"),
    case("waha", "waha/events.json", "reaction_docs", "noreply", "inbound:1"),
    case("waha", "waha/events.json", "session_status_issue_409", "nothing"),
]


def _load(file: str, example: str) -> dict:
    data = json.loads((DATA / file).read_text(encoding="utf-8"))
    return data if example == "-" else data[example]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """One project and one history template (migrated, deliveries seeded); each case copies it."""
    root = tmp_path_factory.mktemp("replay") / "kelurahan"
    repo = Path(__file__).resolve().parent.parent
    shutil.copytree(repo / "content", root / "content")
    shutil.copytree(repo / "schedules", root / "schedules")
    env = {**whatsapp_env(NOW, "cloud", "http://127.0.0.1:9", "token", app_secret=meta.APP_SECRET,
                          webhook_secret=meta.WEBHOOK_SECRET)}  # fmt: skip
    app = App.open(root, clock_from_env(env), env)
    template = root.parent / "template.db"
    db = open_db(template)
    stamp = "2026-11-22T02:00:00+00:00"
    rows = [{"key": f"k{i}", "post": "announcements/posyandu", "channel": "whatsapp", "provider": "cloud",
             "recipient": mid, "list": "warga", "status": "queued", "created_at": stamp}
            for i, mid in enumerate(SEEDED)]  # fmt: skip
    reserve(db, rows)
    keys = [r["key"] for r in rows]
    commit_batch(db, "replay", stamp, keys, [])
    commit_batch(db, "replay", stamp, [], [("sent", None, None, r["recipient"], stamp, None, stamp, r["key"])
                                           for r in rows])  # fmt: skip
    db.close()
    return app, template, Conversation(app)


async def _post(client: httpx.AsyncClient, provider: str, payload: dict) -> httpx.Response:
    body = json.dumps(payload, ensure_ascii=False).encode()
    if provider == "cloud":
        return await client.post("/webhook/whatsapp", content=body, headers={"X-Hub-Signature-256": meta.sign(body)})
    if provider == "waha":
        sig = meta.hmac.new(meta.WEBHOOK_SECRET.encode(), body, "sha512").hexdigest()
        return await client.post("/webhook/waha", content=body,
                           headers={"X-Webhook-Hmac": sig, "X-Webhook-Hmac-Algorithm": "sha512"})  # fmt: skip
    query = "" if "secret" in payload else "?" + urlencode({"secret": meta.WEBHOOK_SECRET})
    return await client.post(f"/webhook/fonnte{query}", content=body, headers={"Content-Type": "application/json"})


@pytest.mark.parametrize("c", CASES, ids=lambda c: f"{c.file.removesuffix('.json')}:{'+'.join(c.examples)}")
def test_published_payload_has_its_stated_effect(c: Case, world, tmp_path):
    app, template, conversation = world
    path = tmp_path / "history.db"
    shutil.copy(template, path)
    with sqlite_utils.Database(path) as seed:
        for key in c.given:
            seed["optouts"].insert({"phone": key, "reason": "BERHENTI", "source": "test", "created_at": NOW})
    found: list = []
    now = datetime(2026, 11, 23, 2, tzinfo=UTC)
    inbox = Inbox(lambda: sqlite_utils.Database(path), lambda: now, conversation, None, found.extend).start()
    transport = httpx.ASGITransport(app=webhook_app(app.settings.whatsapp, inbox))

    async def replay() -> list[int]:
        async with httpx.AsyncClient(transport=transport, base_url="http://listener") as client:
            return [(await _post(client, c.provider, _load(c.file, e))).status_code for e in c.examples]

    try:
        codes = asyncio.run(replay())
        inbox.drain()
    finally:
        inbox.stop()
    _check(c, sqlite_utils.Database(path), codes, found)


def _check(c: Case, db: sqlite_utils.Database, codes: list[int], alerted: list) -> None:
    inbound = list(db["inbound"].rows)
    replies = [r for r in db["deliveries"].rows if r["post"].startswith("autoreply/")]
    optouts = {r["phone"] for r in db["optouts"].rows} - set(c.given)
    consent = [(r["phone"], r["action"]) for r in db["consent_log"].rows]
    seeded = {r["recipient"]: r for r in db["deliveries"].rows if not r["post"].startswith("autoreply/")}
    moved = [r for r in seeded.values() if r["status"] != "sent"]
    problems = list(db["webhook_problems"].rows)
    contacts = {r["id"]: r for r in db["contacts"].rows}
    expected_http = next((int(e.split(":")[1]) for e in c.expect if e.startswith("http:")), 200)
    assert codes == [expected_http] * len(c.examples)
    for effect in c.expect:
        what, _, arg = effect.partition(":")
        if what == "reply":
            assert arg in {r["post"] for r in replies}, effect
            assert all(i["reply_key"] for i in inbound if i["type"] != "reaction"), effect
        elif what == "noreply":
            assert inbound and not replies and not any(i["reply_key"] for i in inbound), effect
        elif what == "group":
            group, member = arg.split(":")
            assert [(i["group_id"], i["member"]) for i in inbound] == [(group, member)], effect
            assert not replies and not optouts and not contacts, effect
        elif what == "optout":
            assert arg in optouts and (arg, "optout") in consent, effect
        elif what == "optin":
            assert arg not in {r["phone"] for r in db["optouts"].rows} and (arg, "optin") in consent, effect
        elif what in ("status", "failed"):
            rows = [r for r in seeded.values() if r["status"] != "sent"] or list(seeded.values())
            status = arg if what == "status" else "failed"
            hit = [r for r in rows if r["status"] == status]
            assert hit, (effect, [(r["recipient"], r["status"]) for r in rows])
            for r in hit:
                assert r[{"delivered": "delivered_at", "read": "read_at", "failed": "failed_at"}.get(status, "sent_at")]
                if what == "failed" and arg:
                    assert r["error_code"] == arg and r["error"], effect
        elif what == "price":
            category, billable = arg.split(":")
            assert [(r["pricing_category"], r["billable"]) for r in seeded.values() if r["pricing_category"]] == [
                (category, int(billable))], effect  # fmt: skip
        elif what == "problem":
            assert arg in {p["code"] for p in problems} and alerted, effect
        elif what == "moved":
            old, new = arg.split(":")
            assert f"+{new}" in {r["phone"] for r in db["optouts"].rows} and f"+{old}" not in optouts, effect
        elif what == "contact":
            key, _, name = arg.partition("=")
            assert key in contacts, (effect, list(contacts))
            assert not name or contacts[key]["name"] == name, effect
        elif what == "inbound":
            assert len(inbound) == int(arg), effect
        elif what == "nothing":
            assert not inbound and not replies and not optouts and not problems and not moved, effect
