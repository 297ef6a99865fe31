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
import contextlib
import dataclasses
import itertools
import logging
from array import array
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path

from ..app import App
from ..channels import Driver, Message, make_driver, provider_name
from ..content.lists import invalid_row_errors
from ..content.model import Post
from ..content.overlaps import merged_count
from ..content.schedules import Schedule
from ..errors import ContentError, did_you_mean
from ..history import deliveries, utc, worker_id
from ..history.media import MediaCache
from ..i18n import _
from ..plan import Planned, plan
from ..reasons import dump, reason
from ..render.context import tanggal
from ..render.images import instagram_images, post_images
from . import collector, eventloop, instagram, repeats, window
from .as_sent import AsSent, as_sent
from .backoff import policy
from .engine import Broadcast, Gate
from .journal import Journal
from .pacing import pacing
from .summary import Progress, ProgressCounter, Summary

log = logging.getLogger(__name__)

__all__ = ["Progress", "Summary", "deliver", "deliver_async", "prepare", "send_planned"]


def _lists_for(app: App, post: Post, lists: Iterable[str] | None):
    names = tuple(lists) if lists else post.lists
    project = app.project
    missing = [n for n in names if n not in project.lists]
    if missing:
        raise ContentError(
            "content/lists/",
            _("no list named {names}").format(names=", ".join(map(repr, missing)))
            + did_you_mean(missing[0], project.lists),
            field="--list",
        )
    return [project.lists[n] for n in names]


def prepare(
    app: App,
    post: Post,
    channels: Iterable[str] | None,
    lists: Iterable[str] | None,
    occurrence: str | None,
    again: str = "",
) -> list[Planned]:
    channels = tuple(channels) if channels else post.channels
    for ch in channels:
        if ch not in ("whatsapp", "instagram"):
            raise ContentError(post.path.name, _("unknown channel {name!r}").format(name=ch), field="--channel")
    blists = _lists_for(app, post, lists) if "whatsapp" in channels else []
    if "whatsapp" in channels and not blists:
        raise ContentError(
            post.path.relative_to(app.root).as_posix(),
            _("this post names no broadcast list: add lists: [...] or pass --list"),
            field="lists",
        )
    return plan(post, app.project.office, channels, blists, occurrence, app.optouts(), again)


def deliver(app: App, post: Post, **options) -> Summary:
    """``deliver_async`` for synchronous callers (the CLI); same options."""
    return eventloop.run(deliver_async(app, post, **options))


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
    schedule: Schedule | None = None,
    at: datetime | None = None,
    again: bool = False,
) -> Summary:
    """``schedule`` and ``at``: the occurrence's (whoever got the post this period is left out);
    ``again``: a manual send also to whoever got the post today, once more that day (its own keys,
    named by the day: an interrupted ``--again`` run is resumed by the next one, never repeated)."""
    if not dry_run:
        app.guard_history()
    wanted = tuple(channels) if channels else post.channels
    if "instagram" in wanted and not post.wants_image and app.settings.instagram.auto_card:
        post = dataclasses.replace(post, instagram_card=True)  # Instagram needs a picture (`--channel instagram`)
    tag = app.local_now().date().isoformat() if again and occurrence is None else ""
    planned = prepare(app, post, channels, lists, occurrence, tag)
    summary = Summary(post.name, occurrence, dry_run=dry_run, planned=len(planned))
    if schedule is not None and at is not None:
        planned = repeats.skip_repeats(app, post, schedule, at, planned)
    elif occurrence is None and not again:
        planned, summary.reached = repeats.reached_today(app, post, planned)
    _skip_invalid(app, post, channels, lists, summary)
    if "whatsapp" in wanted:
        summary.merged = merged_count(_lists_for(app, post, lists))
    db = app.db
    now = app.now()
    if not dry_run:
        summary.recovered = deliveries.recover_inflight(db, now)
    existing = deliveries.statuses(db, [p.key for p in planned])
    if dry_run:
        for p in planned:
            status = existing.get(p.key, ("",))[0]
            if status and status != "queued":
                summary.already[status] += 1
            elif p.skip_reason:
                summary.skipped[p.skip_reason] += 1
            else:
                summary.left_queued += 1
        return summary

    whatsapp: list[Planned] = []
    ig: list[Planned] = []
    new: list[Planned] = []  # rows to write in history, in order
    before = array("l")  # for each new row: how many WhatsApp rows to send come before it
    for p in planned:
        found = existing.get(p.key)
        todo = ig if p.channel == "instagram" else whatsapp
        if found is None:  # new: queued, or skipped (opted out) as reserved just now
            before.append(len(whatsapp))
            new.append(p)
            summary.new += 1
            if p.skip_reason:
                summary.skipped[p.skip_reason] += 1
            else:
                todo.append(p)
        elif found[0] == "queued" or (found[0] == "uncertain" and p.channel == "instagram"):
            todo.append(p)  # left by an interrupted run; an unclear Instagram post is asked about, not resent
        elif found[0] == "skipped":
            summary.already["skipped"] += 1
        else:
            summary.already[found[0]] += 1
    del existing, planned
    # Every row is written (queued) before its message can leave; a big broadcast writes its first
    # rows, starts, and writes the rest while those go (the engine waits at the first row not written).
    rows = reservations(app, new, now)
    first = len(new) if not whatsapp else min(len(new), FIRST_RESERVE)
    deliveries.reserve_rows(db, itertools.islice(rows, first))
    gate = Gate(before[first], len(whatsapp)) if first < len(new) else None
    rest = asyncio.ensure_future(_reserve_rest(app, rows, before, first, gate)) if gate else None
    del new
    images = post_images(app.project, post, app.media_dir) if whatsapp else ()
    try:
        if whatsapp:
            await send_planned(
                app, post, whatsapp, summary, day=day, progress=progress, stop=stop, images=images, gate=gate
            )
    except BaseException:
        if rest is not None:
            rest.cancel()  # between two committed chunks: what is written stays queued for the next run
            with contextlib.suppress(BaseException):
                await rest
        raise
    if rest is not None:
        await rest
    # Instagram goes through its own queue (publish or hand off, reconcile); its rows mirror the queue.
    # It is a channel of its own: a WhatsApp provider refusing (token, spam limit) does not hold it back.
    if ig:
        if stop is not None and stop.is_set():
            summary.left_queued += len(ig)
        else:
            await instagram.deliver(app, post, ig, instagram_images(app.project, post, app.media_dir), summary)
    return summary


FIRST_RESERVE = 1_000  # rows written before the first request (the first message is not held up)
RESERVE_CHUNK = 2_000  # then one commit per this many rows (short enough not to stall the event loop)
RESERVE_GAP = 0.01  # seconds between two chunks: the requests' own steps (connect, send, read) go first


async def _reserve_rest(app: App, rows: Iterator[tuple], before, done: int, gate: Gate) -> None:
    """Write the rest of a broadcast's rows in committed chunks, opening the gate after each."""
    try:
        await gate.until_wanted()
        while chunk := list(itertools.islice(rows, RESERVE_CHUNK)):
            await asyncio.sleep(RESERVE_GAP)
            deliveries.reserve_rows(app.db, chunk)
            done += len(chunk)
            gate.release(before[done] if done < len(before) else gate.total)
    except BaseException as e:
        gate.fail(e)
        raise


def invalid_rows(app: App, post: Post, channels=None, lists=None) -> list[str]:
    """Rows of the lists this send uses whose number is not a valid mobile number, as
    ``file:line: …`` lines: they are skipped, and shown to the operator."""
    if "whatsapp" not in (tuple(channels) if channels else post.channels):
        return []
    return [
        str(problem)
        for blist in _lists_for(app, post, lists)
        for problem in invalid_row_errors(blist, app.project.list_rel(blist.name), warning=True)
    ]


def _skip_invalid(app: App, post: Post, channels, lists, summary: Summary) -> None:
    rows = invalid_rows(app, post, channels, lists)
    summary.warnings.extend(rows)
    if rows:
        summary.skipped[reason("delivery.invalid_number")] += len(rows)


async def send_planned(
    app: App,
    post: Post,
    todo: list[Planned],
    summary: Summary,
    *,
    day: date | None = None,
    progress: Progress | None = None,
    stop: asyncio.Event | None = None,
    images: tuple[Path, ...] | None = None,
    gate: Gate | None = None,
) -> None:
    """Send WhatsApp rows already reserved as ``queued`` in history (with ``gate``: the first
    ``gate.open`` of them, the rest as they are written)."""
    day = day or app.local_now().date()
    if images is None:
        images = post_images(app.project, post, app.media_dir)
    with collector.fewer_collections():
        from .http import broadcast_client  # httpx and aiohttp: only when something goes out

        async with broadcast_client(app.settings) as http:
            driver = make_driver(app.settings, http, app.clock, MediaCache(app.db))
            try:
                await _send_all(app, post, todo, driver, images, day, summary, progress, stop, gate)
            finally:
                await driver.aclose()


def reservation(app: App, p: Planned, now: datetime) -> dict:
    """The history row a planned delivery is reserved as (queued, or skipped with its reason)."""
    return dict(zip(deliveries.RESERVED, next(reservations(app, [p], now)), strict=True))


def reservations(app: App, planned: Iterable[Planned], now: datetime) -> Iterator[tuple]:
    """The history rows planned deliveries are reserved as (queued, or skipped with their reason), as
    tuples of ``deliveries.RESERVED``; what every row shares is worked out once (a broadcast reserves
    100,000 rows at once)."""
    stamp = utc(now)
    providers = {ch: provider_name(ch, app.settings) for ch in ("whatsapp", "instagram")}
    posts = app.project.posts
    hashes = {name: post.content_hash for name, post in posts.items()}
    people: dict[tuple[str, str], AsSent] = {}  # (post, channel) -> its recipients as the message names them
    for p in planned:
        why = p.skip_reason
        who = people.get((p.post, p.channel))
        if who is None:
            who = people[(p.post, p.channel)] = as_sent(app.project.renderer.used_columns(posts[p.post], p.channel))
        yield (
            p.key, p.post, p.channel, providers[p.channel], p.address, p.list, p.occurrence, hashes[p.post],
            "skipped" if why else "queued", dump(why), 0, stamp, stamp, *who(p.recipient),
        )  # fmt: skip


def message_for(
    app: App, post: Post, p: Planned, images: tuple[Path, ...], day: date, extra: dict | None = None, batch: str = ""
) -> Message:
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
        batch=batch,
        extra=_extra(post) if extra is None else extra,
    )


def _extra(post: Post) -> dict:
    """What template-based providers may fill their parameters with."""
    event = post.event
    return {
        "title": post.title,
        "summary": post.summary,
        "date": tanggal(event.date) if event.date else "",
        "time": event.time,
        "place": event.place,
    }


async def _send_all(
    app: App,
    post: Post,
    todo: list[Planned],
    driver: Driver,
    images: tuple[Path, ...],
    day: date,
    summary: Summary,
    progress: Progress | None,
    stop: asyncio.Event | None,
    gate: Gate | None = None,
) -> None:
    counter = ProgressCounter(len(todo), progress)
    limiter, concurrency = pacing(driver, app.settings)
    journal = Journal(app.db, worker_id(), app.now)
    extra = _extra(post)
    choose = window.chooser(app, post, (p.address for p in todo), extra)  # Cloud: template outside 24 h
    batch = instagram.manual_batch(app.local_now())

    def render(p: Planned) -> Message:
        return message_for(app, post, p, images, day, choose(p.address) if choose else extra, batch)

    broadcast = Broadcast(
        driver, render, app.now, summary, journal, policy(app.settings), limiter, concurrency, counter, stop, gate
    )
    await broadcast.run(todo)
