"""WAHA webhook events → Incoming / StatusEvent.

``{"event": "message", "session": ..., "payload": {"id", "from": "628…@c.us", "fromMe", "body",
"timestamp", "_data": {"notifyName"}}}`` and ``{"event": "message.ack", "payload": {"id", "ack"}}``
with ack -1 ERROR, 0 PENDING, 1 SERVER, 2 DEVICE, 3 READ, 4 PLAYED.
"""

from __future__ import annotations

from typing import Any

from ..i18n import N_
from .events import Incoming, StatusEvent, iso

ACK = {-1: "failed", 1: "sent", 2: "delivered", 3: "read", 4: "read"}


def _id(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("_serialized") or value.get("id") or "")
    return str(value or "")


def parse(payload: Any) -> tuple[list[StatusEvent], list[Incoming]]:
    if not isinstance(payload, dict) or not isinstance(payload.get("payload"), dict):
        return [], []
    event, p = payload.get("event"), payload["payload"]
    if event == "message.ack":
        try:
            status = ACK.get(int(p.get("ack")))
        except (TypeError, ValueError):
            status = None
        if status and _id(p.get("id")):
            error = N_("WhatsApp reported an error for this message") if status == "failed" else ""
            return [StatusEvent(_id(p["id"]), status, iso(p.get("timestamp")), "", error)], []
        return [], []
    if event == "message" and not p.get("fromMe") and _id(p.get("id")):
        chat = str(p.get("from") or "")
        if not chat.endswith("@c.us"):  # groups, channels, status broadcasts: not a person writing
            return [], []
        name = str((p.get("_data") or {}).get("notifyName") or "") if isinstance(p.get("_data"), dict) else ""
        text = str(p.get("body") or "").strip()
        return [], [Incoming("waha", _id(p["id"]), chat.split("@")[0], "", name, text, "", "text",
                             iso(p.get("timestamp")))]  # fmt: skip
    return [], []
