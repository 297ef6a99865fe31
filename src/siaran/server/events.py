"""What the webhook listeners pass on, one shape for every provider (the payload parsers in
cloud/fonnte/waha produce them): delivery statuses, incoming messages, changes to a contact that are
not messages (Meta's marketing stop/resume, a number change) and the provider's own error reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..history.statuses import StatusEvent

__all__ = ["ContactChange", "Incoming", "Malformed", "Parsed", "ProviderProblem", "StatusEvent", "iso"]

# Message kinds that are a person writing to the office: the menu may answer them. Reactions, edits,
# deletions, system notices, unsupported types and anything unknown are recorded and never answered.
WRITTEN = frozenset(
    {"text", "interactive", "button", "image", "video", "document", "audio", "voice", "sticker", "location",
     "contacts"}
)  # fmt: skip


class Malformed(ValueError):
    """The body is JSON but not in the provider's shape: the listener answers 400."""


@dataclass(frozen=True, slots=True)
class Incoming:
    provider: str  # cloud | fonnte | waha
    message_id: str  # the provider's id: redelivered webhooks carry the same one
    wa_id: str  # digits of the sender's number ("" when WhatsApp withholds it)
    user_id: str = ""  # Meta's business-scoped user id (2026+), or "lid:<digits>" for a WAHA @lid sender
    name: str = ""  # the sender's profile name
    text: str = ""  # the message text or caption, or the title of the button/row chosen
    choice: str = ""  # id of an interactive reply (our own "menu:2") or a quick-reply button's payload
    type: str = "text"
    at: str = ""  # ISO time (UTC) the provider gives
    group: str = ""  # the group's id when said in a group (recorded, never answered nor opted out)
    member: str = ""  # in a group: who spoke (digits, or the provider's id for them)

    @property
    def contact_id(self) -> str:
        if self.group:
            return f"group:{self.group}"
        return self.wa_id or f"user:{self.user_id}"

    @property
    def answerable(self) -> bool:
        """A person writing to the office themselves (not a group, a reaction, an edit, a notice)."""
        return not self.group and self.type in WRITTEN


@dataclass(frozen=True, slots=True)
class ContactChange:
    """``optout`` / ``optin`` (Meta's marketing stop / resume) or ``moved`` (a new number)."""

    provider: str
    action: str  # optout | optin | moved
    wa_id: str
    user_id: str = ""
    new_wa_id: str = ""  # moved: the number the person uses now
    at: str = ""
    detail: str = ""  # the provider's words, kept with the consent log entry
    ref: str = ""  # the event's own id when it has one (a number change is a message)


@dataclass(frozen=True, slots=True)
class ProviderProblem:
    """An error the provider reports outside a delivery status: for the whole webhook (``value``) or
    for one incoming message (``message``)."""

    provider: str
    scope: str  # value | message
    code: str
    title: str
    detail: str = ""
    message_id: str = ""
    contact: str = ""
    at: str = ""


@dataclass
class Parsed:
    statuses: list[StatusEvent] = field(default_factory=list)
    incoming: list[Incoming] = field(default_factory=list)
    changes: list[ContactChange] = field(default_factory=list)
    problems: list[ProviderProblem] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.statuses or self.incoming or self.changes or self.problems)


def iso(timestamp: object) -> str:
    """A provider's unix timestamp (string or number, seconds or milliseconds) as ISO UTC; "" when
    there is none or it is not a time (the writer then takes the time it arrived)."""
    if timestamp is None or isinstance(timestamp, bool):
        return ""
    try:
        value = float(str(timestamp))
    except ValueError:
        return ""
    if value > 1e11:  # milliseconds
        value /= 1000
    if not 0 < value < 4e9:  # 0 is "no time" (whatsapp-api-js sends it); beyond 2096 is not a time
        return ""
    return datetime.fromtimestamp(value, UTC).isoformat(timespec="seconds")


def text_of(value: object, limit: int = 4096) -> str:
    """A text field as the provider sent it, or "" when it is not text."""
    return value.strip()[:limit] if isinstance(value, str) else ""
