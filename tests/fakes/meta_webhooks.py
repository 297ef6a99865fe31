"""Meta's side of the Cloud API webhooks: payloads shaped exactly like the documented ones
(webhooks/reference/messages and .../status), signed like Meta signs them, posted over real HTTP.
Also WAHA's and Fonnte's webhook bodies."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import httpx

APP_SECRET = "meta-app-secret-0123456789abcdef"
VERIFY_TOKEN = "siaran-verify-token"
WEBHOOK_SECRET = "gateway-webhook-secret"
WABA_ID = "102290129340398"
PHONE_ID = "106540352242922"
DISPLAY = "6281154002727"

ERRORS = {
    131026: ("Message undeliverable", "Unable to deliver message. Reasons can include: the recipient phone number is "
             "not a WhatsApp phone number."),
    131047: ("Re-engagement message", "Message failed to send because more than 24 hours have passed since the "
             "customer last replied to this number."),
    131049: ("This message was not delivered to maintain healthy ecosystem engagement.",
             "In order to maintain a healthy ecosystem engagement, the message failed to be delivered."),
    131050: ("Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on "
             "WhatsApp from your business.", "Unable to deliver the message."),
}  # fmt: skip


def envelope(value: dict[str, Any]) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": WABA_ID,
                "changes": [
                    {
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": DISPLAY, "phone_number_id": PHONE_ID},
                            **value,
                        },
                        "field": "messages",
                    }
                ],
            }
        ],
    }


def status(wamid: str, state: str, recipient: str, timestamp: int = 1795000000, code: int | None = None) -> dict:
    s: dict[str, Any] = {"id": wamid, "status": state, "timestamp": str(timestamp), "recipient_id": recipient}
    if state in ("sent", "delivered", "read"):
        s["pricing"] = {"billable": True, "pricing_model": "PMP", "category": "marketing", "type": "regular"}
    if state == "failed":
        title, details = ERRORS.get(code or 131026, ("Error", "Error"))
        s["errors"] = [
            {
                "code": code or 131026,
                "title": title,
                "message": title,
                "error_data": {"details": details},
                "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
            }
        ]
    return s


def statuses(*items: dict) -> dict:
    return envelope({"statuses": list(items)})


def contact(wa_id: str, name: str = "Budi Santoso", user_id: str | None = None) -> dict:
    c: dict[str, Any] = {"profile": {"name": name}, "wa_id": wa_id}
    c["user_id"] = user_id or f"ID.{abs(hash(wa_id)) % 10**19}"
    return c


def text_message(wa_id: str, body: str, wamid: str, *, name: str = "Budi Santoso", timestamp: int = 1795000000,
                 user_id: str | None = None) -> dict:  # fmt: skip
    return envelope(
        {
            "contacts": [contact(wa_id, name, user_id)],
            "messages": [{"from": wa_id, "id": wamid, "timestamp": str(timestamp), "type": "text",
                          "text": {"body": body}}],
        }
    )  # fmt: skip


def interactive_reply(wa_id: str, reply_id: str, title: str, wamid: str, *, kind: str = "list_reply",
                      timestamp: int = 1795000000) -> dict:  # fmt: skip
    reply: dict[str, Any] = {"id": reply_id, "title": title}
    if kind == "list_reply":
        reply["description"] = "Jam layanan, alamat dan kegiatan kelurahan"
    return envelope(
        {
            "contacts": [contact(wa_id)],
            "messages": [
                {
                    "context": {"from": DISPLAY, "id": "wamid.menu-message"},
                    "from": wa_id,
                    "id": wamid,
                    "timestamp": str(timestamp),
                    "type": "interactive",
                    "interactive": {"type": kind, kind: reply},
                }
            ],
        }
    )


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def encode(payload: dict) -> bytes:
    # Meta sends compact JSON with non-ASCII escaped; the signature covers these exact bytes.
    return json.dumps(payload, separators=(",", ":")).encode()


def post_cloud(client: httpx.Client, url: str, payload: dict, secret: str | None = APP_SECRET) -> httpx.Response:
    body = encode(payload)
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Hub-Signature-256"] = sign(body, secret)
    return client.post(url, content=body, headers=headers)


def waha_message(number: str, body: str, message_id: str, name: str = "Budi") -> dict:
    return {
        "id": "evt_01",
        "timestamp": 1795000000000,
        "event": "message",
        "session": "default",
        "payload": {
            "id": message_id,
            "timestamp": 1795000000,
            "from": f"{number}@c.us",
            "fromMe": False,
            "to": f"{DISPLAY}@c.us",
            "body": body,
            "hasMedia": False,
            "_data": {"notifyName": name},
        },
    }


def waha_ack(message_id: str, ack: int) -> dict:
    names = {-1: "ERROR", 0: "PENDING", 1: "SERVER", 2: "DEVICE", 3: "READ", 4: "PLAYED"}
    return {"event": "message.ack", "session": "default",
            "payload": {"id": message_id, "from": f"{DISPLAY}@c.us", "ack": ack, "ackName": names[ack]}}  # fmt: skip


def post_waha(client: httpx.Client, url: str, payload: dict, key: str | None = WEBHOOK_SECRET) -> httpx.Response:
    body = encode(payload)
    headers = {"Content-Type": "application/json", "X-Webhook-Request-Id": "req-1", "X-Webhook-Timestamp": "1"}
    if key is not None:
        headers["X-Webhook-Hmac"] = hmac.new(key.encode(), body, hashlib.sha512).hexdigest()
        headers["X-Webhook-Hmac-Algorithm"] = "sha512"
    return client.post(url, content=body, headers=headers)


def fonnte_message(number: str, text: str, inboxid: str, name: str = "Budi") -> dict:
    return {"device": DISPLAY, "sender": number, "message": text, "text": "", "member": "", "name": name,
            "location": "", "timestamp": 1795000000, "inboxid": inboxid}  # fmt: skip
