"""Replies to people who wrote (BERHENTI confirmations, the auto-reply menu): each one a delivery row
(channel whatsapp, post ``autoreply/…``, key from the incoming message id), sent by the same engine
as broadcasts, so a reply that fails transiently is retried by the same rules and a redelivered
webhook can never produce a second reply (same key)."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from ..app import App
from ..channels import Message, make_driver, provider_name
from ..content.model import Recipient
from ..history import deliveries, utc, worker_id
from ..history.media import MediaCache
from ..plan import Planned
from .backoff import policy
from .engine import Broadcast
from .journal import Journal
from .pacing import pacing
from .summary import ProgressCounter, Summary

log = logging.getLogger(__name__)

KEY_VERSION = "r1"


def reply_key(provider: str, message_id: str) -> str:
    return f"{KEY_VERSION}:{hashlib.sha256(f'{provider}:{message_id}'.encode()).hexdigest()[:32]}"


@dataclass(frozen=True)
class Reply:
    key: str
    post: str  # autoreply/berhenti, autoreply/menu, autoreply/2, ...
    recipient: str  # E.164
    text: str  # always complete on its own (the numbered menu): Fonnte, WAHA and the outbox send this
    images: tuple[str, ...] = ()
    interactive: dict | None = field(default=None)  # Cloud API interactive object (list or buttons)
    # Cloud API outside the 24-hour window: {"template": name, "language": code, "template_params": [...]}
    template: dict | None = field(default=None)
    name: str = ""  # the person's name, for a template's ``name`` parameter

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Reply:
        data = json.loads(text)
        data["images"] = tuple(data.get("images") or ())
        return cls(**data)


def reservation(reply: Reply, provider: str, now: datetime) -> dict:
    return {
        "key": reply.key, "post": reply.post, "channel": "whatsapp", "provider": provider,
        "recipient": reply.recipient, "list": "", "occurrence": None, "content_hash": None, "status": "queued",
        "attempts": 0, "created_at": utc(now), "updated_at": utc(now),
    }  # fmt: skip


def reserve(app: App, db, reply: Reply, now: datetime) -> None:
    deliveries.reserve(db, [reservation(reply, provider_name("whatsapp", app.settings), now)])


async def send_replies(app: App, replies: list[Reply]) -> Summary:
    """Send replies already reserved as ``queued`` (a key no longer queued is left alone)."""
    summary = Summary("autoreply", None, planned=len(replies))
    by_key = {r.key: r for r in replies}
    todo = [
        Planned(r.key, r.post, "whatsapp", r.recipient, "", None, Recipient(r.recipient))
        for r in replies
        if deliveries.statuses(app.db, [r.key]).get(r.key, ("",))[0] == "queued"
    ]
    if not todo:
        return summary

    def render(p: Planned) -> Message:
        r = by_key[p.key]
        # A reply is free text inside the person's 24-hour window, never the broadcasts' template.
        extra: dict = {"template": "", **(r.template or {})}
        if r.interactive:
            extra["interactive"] = r.interactive
        images = tuple(Path(i) for i in r.images)
        return Message(
            p.key, r.post, "whatsapp", r.recipient, r.text, images,
            recipient_name=r.name, batch="autoreply", extra=extra,
        )  # fmt: skip

    from .http import broadcast_client  # httpx and aiohttp: only when a reply goes out

    async with broadcast_client(app.settings) as http:
        driver = make_driver(app.settings, http, app.clock, MediaCache(app.db))
        try:
            limiter, concurrency = pacing(driver, app.settings)
            journal = Journal(app.db, worker_id(), app.now)
            counter = ProgressCounter(len(todo), None)
            # A person's replies go in the order they wrote: each wave holds at most one reply per
            # person, and a wave starts when the one before it is answered.
            for wave in _waves(todo):
                engine = Broadcast(
                    driver, render, app.now, summary, journal, policy(app.settings), limiter, concurrency, counter, None
                )
                await engine.run(wave)
        finally:
            await driver.aclose()
    if summary.failed or summary.stopped:
        log.warning("auto-replies: %d sent, failed: %s %s", summary.sent, dict(summary.failed), summary.stopped)
    return summary


def _waves(todo: list[Planned]) -> list[list[Planned]]:
    waves: list[list[Planned]] = []
    seen: dict[str, int] = {}
    for p in todo:
        n = seen.get(p.address, 0)
        seen[p.address] = n + 1
        if n == len(waves):
            waves.append([])
        waves[n].append(p)
    return waves
