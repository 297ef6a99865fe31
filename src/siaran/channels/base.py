"""The small interfaces every channel module implements.

A WhatsApp ``Driver`` sends ONE message to ONE recipient and returns a Receipt, or raises one of
TransientError / PermanentError / FatalError / UncertainError (siaran.errors). It declares how the
engine may pace it; retries, concurrency and history belong to the delivery engine (siaran.delivery).

An Instagram ``Publisher`` makes ONE post appear (Graph API) or hands it to the operator, and can
``reconcile`` a post whose earlier attempt ended unclear, asking instead of publishing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar, Protocol

from ..errors import FatalError, TransientError
from ..reasons import Reason


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
    batch: str = ""  # a manual send's own name ("manual-0820"): its outbox folder, apart from other sends
    extra: dict = field(default_factory=dict)  # per-post provider options (e.g. template parameters)


@dataclass(frozen=True)
class Receipt:
    provider_id: str = ""  # e.g. wamid…, Fonnte id, outbox file name
    detail: str = ""


class Driver(Protocol):
    name: ClassVar[str]  # provider name as configured: outbox, cloud, fonnte, waha
    concurrent: ClassVar[bool]  # many requests in flight (paced by whatsapp.mps), or one at a time
    spread: tuple[float, float] | None  # one at a time with a random human-looking gap (min, max s)
    # Provider limits (0 = none), enforced by the driver (channels.limits): a longer text goes as
    # numbered parts split at paragraphs; a text over max_caption follows the images instead.
    max_text: ClassVar[int]
    max_caption: ClassVar[int]

    async def send(self, message: Message) -> Receipt: ...

    async def aclose(self) -> None: ...


class MediaStore(Protocol):
    """Where a driver keeps provider media ids between runs (siaran.history.media.MediaCache)."""

    def get(self, key: str) -> tuple[str, datetime] | None: ...

    def put(self, key: str, provider: str, media_id: str, now: datetime) -> None: ...


@dataclass
class InstagramPost:
    """An Instagram delivery as a publisher sees it (the delivery row and its Instagram state)."""

    id: int
    key: str
    post: str
    occurrence: str | None
    images: list[Path]
    caption: str
    status: str
    publisher: str
    container_id: str = ""
    children: list[str] = field(default_factory=list)
    planned_at: str = ""
    day: date | None = None  # the office-local day it belongs to (outbox folder name)
    batch: str = ""  # a manual send's own name ("manual-0820", outbox folder)


@dataclass
class Publication:
    """What a publisher reports for one post: a delivery status (sent | queued | failed | uncertain),
    and Instagram state to record (media_id, permalink, handoff, ...)."""

    status: str
    error: Reason | None = None
    values: dict[str, Any] = field(default_factory=dict)


Save = Callable[..., None]  # records Instagram state at once (container ids before the next step)


class Publisher(Protocol):
    name: ClassVar[str]  # handoff | graph

    async def publish(self, post: InstagramPost, save: Save) -> Publication: ...

    async def reconcile(self, post: InstagramPost, save: Save) -> Publication: ...


class TokenError(FatalError):
    """Instagram's code 190: the token expired or was revoked. Stop; the operator must make a new one."""


class LimitReached(TransientError):
    """The account's posts-per-24-h limit: everything stays queued until the window moves on."""
