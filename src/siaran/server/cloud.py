"""Meta's WhatsApp Cloud API webhook payloads → StatusEvent / Incoming.

Envelope: ``{"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages",
"value": {...}}]}]}``; ``value.statuses[]`` (id, status, timestamp, recipient_id, pricing, errors[])
and ``value.contacts[]`` (profile.name, wa_id, user_id) with ``value.messages[]`` (from, id,
timestamp, type, text.body | interactive.button_reply/list_reply | button).
"""

from __future__ import annotations

from typing import Any

from .events import Incoming, StatusEvent, iso

STATUS = {"sent": "sent", "delivered": "delivered", "read": "read", "played": "read", "failed": "failed"}


def _error(errors: Any) -> tuple[str, str]:
    if not isinstance(errors, list) or not errors or not isinstance(errors[0], dict):
        return "", ""
    e = errors[0]
    details = (e.get("error_data") or {}).get("details") if isinstance(e.get("error_data"), dict) else None
    words = [str(w) for w in (e.get("title"), details or e.get("message")) if w]
    return str(e.get("code") or ""), ": ".join(dict.fromkeys(words))[:500]


def _text(m: dict) -> tuple[str, str]:
    """(text, choice id) of one message."""
    kind = m.get("type")
    if kind == "text":
        return str((m.get("text") or {}).get("body") or ""), ""
    if kind == "interactive":
        inter = m.get("interactive") or {}
        reply = inter.get("button_reply") or inter.get("list_reply") or {}
        return str(reply.get("title") or ""), str(reply.get("id") or "")
    if kind == "button":  # a template's quick-reply button
        button = m.get("button") or {}
        return str(button.get("text") or ""), str(button.get("payload") or "")
    return "", ""


def parse(payload: Any) -> tuple[list[StatusEvent], list[Incoming]]:
    statuses: list[StatusEvent] = []
    incoming: list[Incoming] = []
    if not isinstance(payload, dict):
        return statuses, incoming
    for entry in payload.get("entry") or ():
        for change in (entry or {}).get("changes") or ():
            value = (change or {}).get("value") or {}
            if not isinstance(value, dict):
                continue
            for s in value.get("statuses") or ():
                status = STATUS.get(str(s.get("status")))
                if not status or not s.get("id"):
                    continue
                code, text = _error(s.get("errors")) if status == "failed" else ("", "")
                statuses.append(
                    StatusEvent(
                        str(s["id"]), status, iso(s.get("timestamp")), code, text, str(s.get("recipient_id") or "")
                    )
                )
            people = {}
            for c in value.get("contacts") or ():
                if isinstance(c, dict):
                    person = (str((c.get("profile") or {}).get("name") or ""), str(c.get("user_id") or ""))
                    people[str(c.get("wa_id") or c.get("user_id") or "")] = person
            for m in value.get("messages") or ():
                if not isinstance(m, dict) or not m.get("id"):
                    continue
                sender = str(m.get("from") or "")
                name, user_id = people.get(sender) or (next(iter(people.values())) if len(people) == 1 else ("", ""))
                if not sender.isdigit():  # a user with a username only: no phone number in the webhook
                    user_id = user_id or str(m.get("from_user_id") or sender)
                    sender = ""
                text, choice = _text(m)
                incoming.append(
                    Incoming("cloud", str(m["id"]), sender, user_id, name, text.strip(), choice,
                             str(m.get("type") or ""), iso(m.get("timestamp")))
                )  # fmt: skip
    return statuses, incoming
