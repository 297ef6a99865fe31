"""Fonnte webhook payloads → Incoming / StatusEvent.

Incoming messages (docs.fonnte.com, "webhook get message"): ``device, sender, message, text, member,
name, location, timestamp, inboxid`` (+ ``url, filename, extension`` on higher plans), JSON or form.
``inboxid`` and ``timestamp`` are not always there (one published payload has ``messageTimestamp``).
A group message carries the group as ``sender`` (``…@g.us`` or digits) and the speaker as ``member``.

Status script ("webhook update status"): first ``{device, id, stateid, status, state}``, later
``{device, stateid, state}`` only. Device status ("webhook device status": ``device, status
connect|disconnect, token, timestamp, reason``) is not a message and changes nothing here.
"""

from __future__ import annotations

import hashlib
from typing import Any

from .events import Incoming, Malformed, Parsed, StatusEvent, iso, text_of

STATUS = {"sent": "sent", "delivered": "delivered", "read": "read", "played": "read"}
# Fonnte's words for a message that will not go out (its status list: invalid target, expired
# after 7 days of a disconnected device, media URL unreachable, failed).
FAILED = frozenset({"failed", "invalid", "expired", "url unreachable", "rejected"})
MEDIA = {"jpg": "image", "jpeg": "image", "png": "image", "webp": "image", "mp4": "video", "pdf": "document"}


def _s(value: Any) -> str:
    return str(value).strip() if isinstance(value, str | int | float) and not isinstance(value, bool) else ""


def _digits(value: str) -> str:
    return "".join(ch for ch in value.split("@")[0] if ch.isdigit())


def identity(payload: dict, sender: str, body: bytes, arrived: float) -> str:
    """``inboxid``; else the sender and the message's time; else the body and the second it came in.
    Never the sender alone: that made every later message look like a redelivery of the first."""
    if inbox := _s(payload.get("inboxid")):
        return inbox
    when = _s(payload.get("timestamp")) or _s(payload.get("messageTimestamp"))
    if when:
        return f"{sender}:{when}"
    digest = hashlib.sha256(body or repr(sorted(payload.items())).encode()).hexdigest()[:24]
    return f"{sender}:{int(arrived)}:{digest}"


def _incoming(payload: dict, body: bytes, arrived: float) -> Incoming:
    raw_sender, member = _s(payload.get("sender")), _s(payload.get("member"))
    is_group = raw_sender.endswith("@g.us") or bool(member and _digits(member) != _digits(raw_sender))
    sender = raw_sender.split("@")[0] if is_group else _digits(raw_sender)
    text = text_of(payload.get("message")) or text_of(payload.get("text"))
    kind = MEDIA.get(_s(payload.get("extension")).lower(), "document") if _s(payload.get("url")) else "text"
    at = iso(payload.get("timestamp")) or iso(payload.get("messageTimestamp"))
    return Incoming("fonnte", identity(payload, sender, body, arrived), "" if is_group else sender, "",
                    text_of(payload.get("name"), 200), text, "", kind, at,
                    group=sender if is_group else "", member=_digits(member) or member if is_group else "")  # fmt: skip


def _status(payload: dict) -> StatusEvent | None:
    words = [_s(payload.get(k)).lower() for k in ("status", "state")]
    message_id, state_id = _s(payload.get("id")), _s(payload.get("stateid"))
    if not (message_id or state_id):
        return None
    failed = next((w for w in words if w in FAILED), "")
    if failed:
        reason = text_of(payload.get("reason"), 500) or failed
        return StatusEvent(message_id, "failed", iso(payload.get("timestamp")), failed, reason, state_id=state_id)
    order = ("sent", "delivered", "read")
    found = [STATUS[w] for w in words if w in STATUS]
    if not found:
        return None  # pending, waiting, processing: nothing has happened yet
    status = max(found, key=order.index)  # the first call says status "sent" and state "delivered" at once
    return StatusEvent(message_id, status, iso(payload.get("timestamp")), state_id=state_id)


def parse(payload: Any, body: bytes = b"", arrived: float = 0.0) -> Parsed:
    if not isinstance(payload, dict):
        raise Malformed("the body is not an object")
    if payload.get("sender") and ("message" in payload or "text" in payload):
        return Parsed(incoming=[_incoming(payload, body, arrived)])
    if "stateid" in payload or ("id" in payload and ("status" in payload or "state" in payload)):
        status = _status(payload)
        return Parsed(statuses=[status] if status else [])
    return Parsed()  # device connect / disconnect, or a shape Fonnte has not documented
