"""WAHA webhook events → Incoming / StatusEvent, for every engine (WEBJS, NOWEB, GOWS).

``{"event": "message" | "message.any", "session", "engine", "timestamp" (ms), "payload": {"id", "from",
"fromMe", "body", "timestamp", "participant", "_data": {...}}}``, ``message.reaction``,
``message.ack`` (ack -1 ERROR, 0 PENDING, 1 SERVER, 2 DEVICE, 3 READ, 4 PLAYED).

Since 2025 every engine may name a sender ``…@lid`` instead of its number (WAHA issues #1073, #1418,
#1608, #1711, #1849). The number, when the engine knows it, is in ``_data.Info.SenderAlt`` (GOWS) or
``_data.key.remoteJidAlt`` / ``senderPn`` (NOWEB); otherwise the person is known by the lid alone.
Push names: ``_data.notifyName`` (WEBJS), ``_data.pushName`` (NOWEB), ``_data.Info.PushName`` (GOWS).
"""

from __future__ import annotations

import hashlib
from typing import Any

from ..reasons import reason
from .events import Incoming, Malformed, Parsed, StatusEvent, iso, text_of

ACK = {-1: "failed", 1: "sent", 2: "delivered", 3: "read", 4: "read"}
PERSON = ("@c.us", "@s.whatsapp.net")
NOT_A_CHAT = ("@broadcast", "@newsletter")  # status updates, broadcast lists, channels


def _id(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("_serialized") or value.get("id") or "")
    return value if isinstance(value, str) else str(value) if isinstance(value, int) else ""


def _obj(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _digits(jid: str) -> str:
    return "".join(ch for ch in jid.split("@")[0].split(":")[0] if ch.isdigit())


def _phone(p: dict, data: dict) -> str:
    """The sender's number for an @lid sender, wherever the engine put it."""
    info, key = _obj(data.get("Info")), _obj(data.get("key"))
    for jid in (info.get("SenderAlt"), key.get("remoteJidAlt"), key.get("senderPn"), key.get("participantAlt"),
                p.get("fromAlt")):  # fmt: skip
        if isinstance(jid, str) and jid.endswith(PERSON) and _digits(jid):
            return _digits(jid)
    return ""


def _name(data: dict) -> str:
    info = _obj(data.get("Info"))
    for name in (data.get("notifyName"), data.get("pushName"), info.get("PushName")):
        if text_of(name):
            return text_of(name, 200)
    return ""


def _text(p: dict, data: dict) -> str:
    """The body, or a caption / text the engine left only in its raw message."""
    if text := text_of(p.get("body")):
        return text
    raw = _obj(data.get("message")) or _obj(data.get("Message"))
    for part in (raw, _obj(raw.get("extendedTextMessage")), _obj(raw.get("imageMessage")),
                 _obj(raw.get("videoMessage")), _obj(raw.get("documentMessage"))):  # fmt: skip
        for field in ("conversation", "text", "caption"):
            if text := text_of(part.get(field)):
                return text
    return text_of(data.get("caption"))


def _message(event: str, envelope: dict, p: dict, body: bytes, arrived: float) -> Incoming | None:
    if p.get("fromMe") is True:
        return None  # our own messages (message.any carries them too)
    chat = _id(p.get("from"))
    if not chat or chat.endswith(NOT_A_CHAT):
        return None
    data = _obj(p.get("_data"))
    ident = _id(p.get("id")) or "waha:" + hashlib.sha256(body + str(int(arrived)).encode()).hexdigest()[:24]
    at = iso(p.get("timestamp")) or iso(envelope.get("timestamp"))
    kind = "reaction" if event == "message.reaction" else "image" if p.get("hasMedia") is True else "text"
    text = text_of(_obj(p.get("reaction")).get("text")) if event == "message.reaction" else _text(p, data)
    if chat.endswith("@g.us"):  # said in a group: recorded, never answered
        member = _id(p.get("participant")) or _id(_obj(data.get("key")).get("participant"))
        return Incoming("waha", ident, "", "", _name(data), text, "", kind, at, group=chat.split("@")[0],
                        member=_digits(member) or member)  # fmt: skip
    wa_id, user_id = (_digits(chat), "") if chat.endswith(PERSON) else (_phone(p, data), f"lid:{_digits(chat)}")
    if not wa_id and not _digits(chat):
        return None
    return Incoming("waha", ident, wa_id, user_id, _name(data), text, "", kind, at)


def _ack(envelope: dict, p: dict) -> StatusEvent | None:
    try:
        status = ACK.get(int(p.get("ack")))
    except (TypeError, ValueError):
        return None
    if not status or not _id(p.get("id")):
        return None
    error = reason("waha.status_failed") if status == "failed" else None
    # NOWEB's ack carries no time of its own: the event envelope's is when it happened
    at = iso(p.get("timestamp")) or iso(envelope.get("timestamp"))
    return StatusEvent(_id(p["id"]), status, at, "", error)


def parse(payload: Any, body: bytes = b"", arrived: float = 0.0) -> Parsed:
    if not isinstance(payload, dict):
        raise Malformed("the body is not an object")
    if payload.get("payload") is not None and not isinstance(payload.get("payload"), dict):
        raise Malformed("payload is not an object")
    event, p = payload.get("event"), _obj(payload.get("payload"))
    if event == "message.ack":
        status = _ack(payload, p)
        return Parsed(statuses=[status] if status else [])
    if event in ("message", "message.any", "message.reaction"):
        message = _message(event, payload, p, body, arrived)
        return Parsed(incoming=[message] if message else [])
    return Parsed()  # session.status and the rest: not a message
