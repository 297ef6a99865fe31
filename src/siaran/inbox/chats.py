"""What the inbox shows: conversations (one per person) and one person's messages and replies in order,
with names from the office's lists or the person's profile and times in office time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from ..app import App
from ..content.phones import normalise_phone
from ..errors import SiaranError
from ..history import conversations, tickets
from ..history.db import immediate
from ..i18n import N_, _

STATE_LABELS = {"baru": N_("new"), "dibalas": N_("replied"), "selesai": N_("closed")}
KIND_LABELS = {"image": N_("picture"), "video": N_("video"), "audio": N_("voice note"), "voice": N_("voice note"),
               "document": N_("document"), "sticker": N_("sticker"), "location": N_("location"),
               "contacts": N_("contact card")}  # fmt: skip


class InboxError(SiaranError):
    """An inbox command that cannot be done: nothing was sent or changed."""


@dataclass
class Chat:
    contact: str  # contacts.id: the number's digits, or user:<id> when WhatsApp withholds the number
    phone: str  # E.164, "" when unknown
    name: str
    state: str  # baru | dibalas | selesai
    at: datetime | None  # the oldest message waiting (new) or the last message, office time
    waiting: int
    out_of_hours: bool
    last_text: str
    tickets: list[dict] = field(default_factory=list)

    @property
    def state_label(self) -> str:
        return _(STATE_LABELS.get(self.state, self.state))

    @property
    def open_tickets(self) -> list[dict]:
        return [t for t in self.tickets if not t["closed_at"]]


def zone(app: App) -> ZoneInfo:
    try:
        return app.project.office.timezone
    except SiaranError:  # the inbox must stay readable while a content file is broken
        return ZoneInfo("Asia/Jakarta")


def local(stamp: str | None, tz: ZoneInfo) -> datetime | None:
    return datetime.fromisoformat(stamp).astimezone(tz) if stamp else None


def describe(text: str, kind: str) -> str:
    """A message as one line: its text, or what it was ("[gambar] caption")."""
    label = KIND_LABELS.get(kind or "text")
    words = " ".join((text or "").split())
    return f"[{_(label)}] {words}".strip() if label else words


def chats(app: App, everything: bool = False) -> list[Chat]:
    tz = zone(app)
    out = []
    for r in conversations.listing(app.db, everything):
        phone = f"+{r['wa_id']}" if r["wa_id"] else ""
        at = r["waiting_since"] if r["state"] == conversations.NEW else r["last_message_at"]
        out.append(
            Chat(r["id"], phone, r["list_name"] or r["name"] or "", r["state"], local(at, tz), r["waiting_count"] or 0,
                 bool(r["out_of_hours"]), describe(r["last_text"] or "", r["last_type"] or ""), r["tickets"])
        )  # fmt: skip
    return out


def find(app: App, number: str) -> dict:
    """The contact row of NOMOR (any Indonesian form, or user:<id>); InboxError when nobody wrote from it."""
    raw = number.strip()
    if raw.startswith("user:"):
        key = raw
    else:
        try:
            region = app.project.office.region
        except SiaranError:
            region = "ID"
        phone, reason = normalise_phone(raw, region)
        if not phone:
            raise InboxError(_("{number} is not a phone number: {reason}").format(number=raw[:40], reason=reason))
        key = phone.lstrip("+")
    row = conversations.contact(app.db, key)
    if row is None:
        raise InboxError(
            _("nobody wrote to the office from {number}; `siaran inbox --all` lists every conversation").format(
                number=raw[:40]
            )
        )
    return row


def close(app: App, number: str) -> tuple[dict, list[str]]:
    """Close NUMBER's conversation and its open tickets; a new message from them opens it again."""
    row = find(app, number)
    with immediate(app.db):
        conversations.close(app.db, row["id"], app.now())
        closed = tickets.close_for(app.db, row["id"], app.now())
    return row, closed


def lines(app: App, contact_id: str) -> list[dict]:
    """One person's conversation in order, each line's time in office time."""
    tz = zone(app)
    found = conversations.lines(app.db, contact_id)
    for line in found:
        line["when"] = local(line["at"], tz)
        if line["kind"] == "in":
            line["shown"] = describe(line["text"], line["type"])
    return found


def export(app: App, number: str) -> dict:
    """One person's conversation for their access request (UU PDP): who, tickets, every message kept."""
    row = find(app, number)
    tz = zone(app)
    found = lines(app, row["id"])
    return {
        "number": f"+{row['wa_id']}" if row["wa_id"] else "",
        "user_id": row["user_id"] or "",
        "name": row["name"] or "",
        "list_name": row["list_name"] or "",
        "first_seen": _iso(row["first_seen_at"], tz),
        "state": row["state"] or "",
        "tickets": [
            {**t, "opened_at": _iso(t["opened_at"], tz), "closed_at": _iso(t["closed_at"], tz)}
            for t in conversations.tickets_of(app.db, row["id"])
        ],
        "messages": [_exported(x, tz) for x in found],
    }


def _exported(line: dict, tz: ZoneInfo) -> dict:
    out = {"from": {"in": "person", "auto": "siaran", "office": "office"}[line["kind"]], "at": _iso(line["at"], tz),
           "type": line.get("type", "text"), "text": line["text"]}  # fmt: skip
    for extra in ("ticket", "status"):
        if line.get(extra):
            out[extra] = line[extra]
    return out


def _iso(stamp: str | None, tz: ZoneInfo) -> str:
    when = local(stamp, tz)
    return when.isoformat(timespec="seconds") if when else ""
