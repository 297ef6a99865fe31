"""The delivery engine: plan → reserve in history → send through the channel driver → record.

Guarantees, whatever happens (crash, kill -9, network loss):
- a row is written (queued) before its message can leave, and moved to ``sending`` right before;
- a key already sent, failed, uncertain or skipped is never sent again by a rerun;
- a queued row left by an interrupted run is sent by the next run of the same send;
- a ``sending`` row whose process died becomes ``uncertain`` and waits for the operator
  (``siaran retry --uncertain``).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import httpx

from . import history
from .app import App
from .channels import Driver, Message, make_driver, provider_name
from .content.model import Post
from .errors import ContentError, DeliveryError, FatalError, PermanentError, TransientError, UncertainError
from .instagram import queue as instagram_queue
from .plan import Planned, plan
from .render.images import post_images

log = logging.getLogger(__name__)


@dataclass
class Summary:
    post: str
    occurrence: str | None
    dry_run: bool = False
    planned: int = 0
    new: int = 0  # rows this run added to history
    already: Counter = field(default_factory=Counter)  # status of rows an earlier run already settled
    sent: int = 0
    failed: Counter = field(default_factory=Counter)  # reason -> count
    uncertain: int = 0
    skipped: Counter = field(default_factory=Counter)  # reason -> count
    left_queued: int = 0  # stopped (fatal error or shutdown) before these were attempted
    stopped: str = ""  # why the broadcast stopped early
    warnings: list[str] = field(default_factory=list)

    @property
    def nothing_new(self) -> bool:
        return not (self.sent or self.failed or self.uncertain or self.new)


@dataclass(frozen=True)
class Outcome:
    status: str  # sent | failed | uncertain | queued (retry later)
    provider_id: str = ""
    error: str = ""
    code: str = ""


Progress = Callable[[int, int], None]  # (done, total)


def optouts(app: App) -> set[str]:
    return {r["phone"] for r in app.db.query("select phone from optouts")}


def _lists_for(app: App, post: Post, lists: Iterable[str] | None):
    names = tuple(lists) if lists else post.lists
    project = app.project
    missing = [n for n in names if n not in project.lists]
    if missing:
        raise ContentError("content/lists/", f"no list named {', '.join(map(repr, missing))}", field="--list")
    return [project.lists[n] for n in names]


def prepare(
    app: App, post: Post, channels: Iterable[str] | None, lists: Iterable[str] | None, occurrence: str | None
) -> list[Planned]:
    channels = tuple(channels) if channels else post.channels
    for ch in channels:
        if ch not in ("whatsapp", "instagram"):
            raise ContentError(post.path.name, f"unknown channel {ch!r}", field="--channel")
    blists = _lists_for(app, post, lists) if "whatsapp" in channels else []
    if "whatsapp" in channels and not blists:
        raise ContentError(
            post.path.relative_to(app.root).as_posix(),
            "this post names no broadcast list: add lists: [...] or pass --list",
            field="lists",
        )
    return plan(post, app.project.office, channels, blists, occurrence, optouts(app))


def deliver(
    app: App,
    post: Post,
    *,
    channels: Iterable[str] | None = None,
    lists: Iterable[str] | None = None,
    occurrence: str | None = None,
    day: date | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    stop: asyncio.Event | None = None,
) -> Summary:
    return asyncio.run(
        deliver_async(
            app,
            post,
            channels=channels,
            lists=lists,
            occurrence=occurrence,
            day=day,
            dry_run=dry_run,
            progress=progress,
            stop=stop,
        )
    )


async def deliver_async(
    app: App,
    post: Post,
    *,
    channels: Iterable[str] | None = None,
    lists: Iterable[str] | None = None,
    occurrence: str | None = None,
    day: date | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    stop: asyncio.Event | None = None,
) -> Summary:
    planned = prepare(app, post, channels, lists, occurrence)
    summary = Summary(post.name, occurrence, dry_run=dry_run, planned=len(planned))
    db = app.db
    now = app.now()
    existing = history.by_keys(db, [p.key for p in planned])
    if dry_run:
        for p in planned:
            row = existing.get(p.key)
            if row and row["status"] != "queued":
                summary.already[row["status"]] += 1
            elif p.skip_reason:
                summary.skipped[p.skip_reason] += 1
            else:
                summary.left_queued += 1
        return summary

    history.recover_inflight(db, now)
    history.reserve(db, (_row(app, p, now) for p in planned if p.key not in existing))
    summary.new = sum(1 for p in planned if p.key not in existing)
    rows = history.by_keys(db, [p.key for p in planned])
    todo: list[Planned] = []
    for p in planned:
        status = rows[p.key]["status"]
        if p.key in existing and status != "queued":
            summary.already[status] += 1
        elif status == "skipped":
            summary.skipped[rows[p.key]["error"] or "skipped"] += 1
        elif status == "queued":
            todo.append(p)
    images = post_images(app.project, post, app.media_dir) if todo else ()
    # Instagram goes through its own queue (publish or hand off, reconcile); its rows mirror the queue.
    if instagram := [p for p in todo if p.channel == "instagram"]:
        await instagram_queue.deliver(app, post, instagram, images, summary)
        todo = [p for p in todo if p.channel != "instagram"]
    if not todo:
        return summary

    day = day or app.local_now().date()
    async with httpx.AsyncClient(timeout=httpx.Timeout(app.settings.whatsapp.timeout, connect=10.0)) as http:
        drivers = {ch: make_driver(ch, app.settings, http, app.clock) for ch in {p.channel for p in todo}}
        try:
            await _send_all(app, post, todo, drivers, images, day, summary, progress, stop)
        finally:
            for d in drivers.values():
                await d.aclose()
    return summary


def _row(app: App, p: Planned, now: datetime) -> dict:
    return {
        "key": p.key, "post": p.post, "channel": p.channel, "provider": provider_name(p.channel, app.settings),
        "recipient": p.address, "list": p.list, "occurrence": p.occurrence,
        "content_hash": app.project.posts[p.post].content_hash,
        "status": "skipped" if p.skip_reason else "queued", "error": p.skip_reason or None,
        "attempts": 0, "created_at": history.utc(now), "updated_at": history.utc(now),
    }  # fmt: skip


def message_for(app: App, post: Post, p: Planned, images: tuple[Path, ...], day: date) -> Message:
    text = app.project.renderer.render(post, p.channel, p.recipient)
    return Message(
        key=p.key,
        post=post.name,
        channel=p.channel,
        recipient=p.address,
        text=text,
        images=images,
        recipient_name=p.recipient.name if p.recipient else "",
        occurrence=p.occurrence,
        day=day,
    )


async def attempt(driver: Driver, message: Message) -> Outcome:
    """One call to one driver, its answer classified. Transient errors come back as ``queued``."""
    try:
        receipt = await driver.send(message)
    except UncertainError as e:
        return Outcome("uncertain", error=e.reason, code=e.code or "")
    except (PermanentError, FatalError) as e:
        return Outcome("failed", error=e.reason, code=e.code or "")
    except TransientError as e:
        return Outcome("queued", error=e.reason, code=e.code or "")
    except DeliveryError as e:  # an unclassified driver error: do not guess it went
        return Outcome("failed", error=e.reason, code=e.code or "")
    return Outcome("sent", provider_id=receipt.provider_id)


async def _send_all(
    app: App,
    post: Post,
    todo: list[Planned],
    drivers: dict[str, Driver],
    images: tuple[Path, ...],
    day: date,
    summary: Summary,
    progress: Progress | None,
    stop: asyncio.Event | None,
) -> None:
    db = app.db
    worker = history.worker_id()
    for i, p in enumerate(todo):
        if stop is not None and stop.is_set():
            summary.left_queued += len(todo) - i
            summary.stopped = summary.stopped or "stopped on request; the rest stays queued"
            return
        message = message_for(app, post, p, images, day)
        history.update(db, p.key, app.now(), status="sending", worker=worker)
        try:
            outcome = await attempt(drivers[p.channel], message)
        except BaseException:
            # Interrupted mid-call (Ctrl-C): the request may have left.
            history.update(db, p.key, app.now(), status="uncertain", error="interrupted while sending")
            raise
        _record(app, p, outcome, summary)
        if progress:
            progress(i + 1, len(todo))


def _record(app: App, p: Planned, outcome: Outcome, summary: Summary) -> None:
    now = app.now()
    values: dict = {"status": outcome.status, "error": outcome.error or None, "error_code": outcome.code or None}
    if outcome.status == "sent":
        values.update(provider_id=outcome.provider_id, sent_at=history.utc(now))
        summary.sent += 1
    elif outcome.status == "failed":
        summary.failed[outcome.error] += 1
    elif outcome.status == "uncertain":
        summary.uncertain += 1
    else:
        summary.left_queued += 1
    app.db.execute("update deliveries set attempts = attempts + 1 where key = ?", [p.key])
    history.update(app.db, p.key, now, **values)
