"""The one small interface every channel driver implements.

A driver sends ONE message to ONE recipient and returns a Receipt, or raises one of
TransientError / PermanentError / FatalError / UncertainError (siaran.errors). Pacing, retries,
concurrency and history belong to the delivery engine (siaran.send), not to drivers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import ClassVar, Protocol


@dataclass(frozen=True)
class Message:
    key: str  # idempotency key of the delivery row
    post: str  # post name, e.g. announcements/posyandu
    channel: str  # whatsapp | instagram
    recipient: str  # E.164 phone (+62…) for WhatsApp, @handle for Instagram
    text: str
    images: tuple[Path, ...] = ()
    recipient_name: str = ""
    occurrence: str | None = None
    day: date | None = None  # the office-local day this message belongs to (outbox folder names)
    extra: dict = field(default_factory=dict)  # per-post provider options (e.g. template parameters)


@dataclass(frozen=True)
class Receipt:
    provider_id: str = ""  # e.g. wamid…, Fonnte id, outbox file name
    detail: str = ""


class Driver(Protocol):
    name: ClassVar[str]  # provider name as configured: outbox, cloud, fonnte, waha, handoff, graph
    channel: ClassVar[str]  # whatsapp | instagram
    max_text: ClassVar[int]  # longest text the provider accepts
    supports_images: ClassVar[bool]

    async def send(self, message: Message) -> Receipt: ...

    async def aclose(self) -> None: ...
