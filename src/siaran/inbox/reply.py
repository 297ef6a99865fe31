"""The office's reply to a person who wrote: one delivery row in history (post ``autoreply/petugas``, so
broadcast counts and `siaran retry` leave it alone), sent through the office's provider by the same
engine as every message, its outcome and later statuses (delivered, read, failed) on that row.

On the Cloud API free text reaches a person only within 24 hours of their last message; after that only
an approved template does: ``inbox.reply_template`` when the office names one, else a refusal that says
so and what to do. Fonnte and WAHA have no such window.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from ..app import App
from ..channels import provider_name
from ..delivery import eventloop
from ..delivery.replies import Reply, reservation, send_replies
from ..delivery.window import WINDOW
from ..history import conversations, deliveries
from ..history.db import immediate
from ..i18n import _
from .chats import InboxError, find, local, zone

POST = "autoreply/petugas"
MAX_TEXT = 4096  # the Cloud API's limit for one text message
KEY_VERSION = "p1"


@dataclass(frozen=True)
class Sent:
    key: str
    phone: str
    name: str
    status: str  # the delivery row's status after sending: sent, failed, uncertain, queued
    error: str = ""
    template: str = ""  # the approved template used (outside the 24-hour window)


def check_text(text: str) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise InboxError(_("the reply is empty; nothing was sent"))
    if len(text) > MAX_TEXT:
        raise InboxError(
            _("the reply is {count} characters; WhatsApp takes at most {limit}; nothing was sent").format(
                count=len(text), limit=MAX_TEXT
            )
        )
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in text):
        raise InboxError(_("the reply holds control characters; nothing was sent"))
    return text


def template_setting(app: App) -> tuple[str, str, list[str]]:
    """(name, language, body parameters) of ``inbox.reply_template`` ("balasan_petugas:id"), or ("", "", [])."""
    spec = str(app.settings.inbox.reply_template or "").strip()
    if not spec:
        return "", "", []
    name, _colon, language = spec.partition(":")
    params = [p.strip() for p in str(app.settings.inbox.reply_template_params).split(",") if p.strip()]
    return name.strip(), language.strip() or "id", params


def plan(app: App, contact: dict, now: datetime) -> dict | None:
    """None: free text may go; else the template options. InboxError: outside the window, no template."""
    if provider_name("whatsapp", app.settings) != "cloud":
        return None
    last = contact.get("last_message_at")
    if last and now - datetime.fromisoformat(last) < WINDOW:
        return None
    name, language, params = template_setting(app)
    if name:
        return {"template": name, "language": language, "template_params": params}
    when = local(last, zone(app))
    who = contact.get("list_name") or contact.get("name") or f"+{contact.get('wa_id')}"
    raise InboxError(
        _(
            "{who} last wrote {when}, more than 24 hours ago: the WhatsApp Cloud API lets the office send free "
            "text only within 24 hours of a person's last message. Nothing was sent. Name an approved template "
            "for replies in inbox.reply_template (`siaran whatsapp templates` lists them), or call the person."
        ).format(who=who, when=when.strftime("%Y-%m-%d %H:%M") if when else "-")
    )


def prepare(app: App, number: str, text: str) -> tuple[dict, dict | None]:
    """Everything checked before anything is written: (the contact, the template options or None)."""
    text = check_text(text)
    contact = find(app, number)
    if not contact.get("wa_id"):
        raise InboxError(_("WhatsApp did not give this person's number: siaran cannot reply to them"))
    return contact, plan(app, contact, app.now())


def reply(app: App, number: str, text: str, *, via: str = "cli", nonce: str = "") -> Sent:
    """Send the office's reply to NUMBER now. ``nonce``: the page's form id, so a form sent twice is
    one reply (the CLI makes a fresh one)."""
    contact, template = prepare(app, number, text)
    text = check_text(text)
    now = app.now()
    phone = f"+{contact['wa_id']}"
    nonce = nonce or secrets.token_hex(16)
    seed = f"{contact['id']}:{nonce}".encode()
    key = f"{KEY_VERSION}:{hashlib.sha256(seed).hexdigest()[:32]}"
    name = contact.get("list_name") or contact.get("name") or ""
    message = Reply(key, POST, phone, text, template=template, name=name)
    with immediate(app.db):
        fresh = conversations.record_reply(app.db, key, contact["id"], text, via,
                                           (template or {}).get("template", ""), now)  # fmt: skip
        if fresh:
            app.db["deliveries"].insert(reservation(message, provider_name("whatsapp", app.settings), now))
    if fresh:
        eventloop.run(send_replies(app, [message]))
    status, error = (deliveries.statuses(app.db, [key]).get(key) or ("queued", None))[:2]
    if status in ("sent", "delivered", "read"):
        with immediate(app.db):
            conversations.replied(app.db, contact["id"], app.now())
    return Sent(key, phone, name, status, error or "", (template or {}).get("template", ""))
