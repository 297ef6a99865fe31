"""What the webhook listeners pass on: delivery statuses and incoming messages, one shape for every
provider (the payload parsers in cloud/fonnte/waha produce them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from ..history.statuses import StatusEvent

__all__ = ["Incoming", "StatusEvent", "iso"]


@dataclass(frozen=True, slots=True)
class Incoming:
    provider: str  # cloud | fonnte | waha
    message_id: str  # the provider's id: redelivered webhooks carry the same one
    wa_id: str  # digits of the sender's number ("" when WhatsApp withholds it)
    user_id: str = ""  # Meta's business-scoped user id (2026+), when present
    name: str = ""  # the sender's profile name
    text: str = ""  # the message text, or the title of the button/row chosen
    choice: str = ""  # id of an interactive reply (our own "menu:2"), when one was tapped
    type: str = "text"
    at: str = ""  # ISO time (UTC) the provider gives

    @property
    def contact_id(self) -> str:
        return self.wa_id or f"user:{self.user_id}"


def iso(timestamp: object) -> str:
    """A provider's unix timestamp (string or number, seconds or milliseconds) as ISO UTC."""
    try:
        value = float(str(timestamp))
    except ValueError:
        return ""
    if value > 1e11:  # milliseconds
        value /= 1000
    return datetime.fromtimestamp(value, UTC).isoformat(timespec="seconds")
