"""Fonnte webhook payloads → Incoming / StatusEvent.

Incoming messages: ``device, sender, message, text, member, name, location, timestamp, inboxid``
(JSON or form). Message status updates: ``id`` (the id Fonnte answered the send with), ``status``
/ ``state``. Device status (``status: connect|disconnect`` without a message id) is ignored here.
"""

from __future__ import annotations

from typing import Any

from .events import Incoming, StatusEvent, iso

STATUS = {"sent": "sent", "delivered": "delivered", "read": "read", "failed": "failed", "invalid": "failed"}


def parse(payload: Any) -> tuple[list[StatusEvent], list[Incoming]]:
    if not isinstance(payload, dict):
        return [], []
    if payload.get("sender") and ("message" in payload or "text" in payload):
        sender = "".join(ch for ch in str(payload["sender"]) if ch.isdigit())
        ident = str(payload.get("inboxid") or payload.get("id") or f"{sender}:{payload.get('timestamp')}")
        text = str(payload.get("message") or payload.get("text") or "")
        return [], [Incoming("fonnte", ident, sender, "", str(payload.get("name") or ""), text.strip(), "",
                             "text", iso(payload.get("timestamp")))]  # fmt: skip
    status = STATUS.get(str(payload.get("status") or payload.get("state") or "").lower())
    if status and payload.get("id"):
        reason = str(payload.get("reason") or "") if status == "failed" else ""
        return [StatusEvent(str(payload["id"]), status, iso(payload.get("timestamp")), "", reason)], []
    return [], []
