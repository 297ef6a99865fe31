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
import heapq
import logging
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import httpx

from . import history, optout
from .app import App
from .channels import Driver, Message, make_driver, provider_name
from .channels.http import ShardedTransport
from .content.model import Post, Recipient
from .errors import ContentError, DeliveryError, FatalError, PermanentError, TransientError, UncertainError
from .journal import Journal
from .plan import Planned, plan
from .ratelimit import RateLimiter
from .render.images import post_images
from .render.text import tanggal
from .retry import RetryPolicy

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
    recovered: int = 0  # rows an interrupted earlier run left in flight, now uncertain
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
    retry_after: float | None = None
    fatal: bool = False  # stop the whole broadcast (the message itself did not go)


Progress = Callable[[int, int], None]  # (done, total)


def optouts(app: App) -> set[str]:
    return optout.numbers(app.db)


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
    _skip_invalid(app, post, channels, lists, summary)
    db = app.db
    now = app.now()
    keys = [p.key for p in planned]
    existing = history.by_keys(db, keys, "key, status")
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

    summary.recovered = history.recover_inflight(db, now)
    history.reserve(db, (_row(app, p, now) for p in planned if p.key not in existing))
    summary.new = sum(1 for p in planned if p.key not in existing)
    rows = history.by_keys(db, keys, "key, status, error")
    todo: list[Planned] = []
    for p in planned:
        status = rows[p.key]["status"]
        if p.key in existing and status != "queued":
            summary.already[status] += 1
        elif status == "skipped":
            summary.skipped[rows[p.key]["error"] or "skipped"] += 1
        elif status == "queued":
            todo.append(p)
    del rows, existing, keys, planned
    if not todo:
        return summary
    await send_planned(app, post, todo, summary, day=day, progress=progress, stop=stop)
    return summary


def _skip_invalid(app: App, post: Post, channels, lists, summary: Summary) -> None:
    """Rows of the lists whose number is not a valid mobile number: skipped, and shown."""
    if "whatsapp" not in (tuple(channels) if channels else post.channels):
        return
    for blist in _lists_for(app, post, lists):
        rel = app.project.list_rel(blist.name)
        for line, raw, reason in blist.invalid:
            summary.skipped["invalid number"] += 1
            summary.warnings.append(f"{rel}:{line}: [nomor] invalid phone number {raw!r}: {reason} (skipped)")


def retry(app: App, status: str, *, post: str | None = None, progress: Progress | None = None) -> list[Summary]:
    return asyncio.run(retry_async(app, status, post=post, progress=progress))


async def retry_async(
    app: App,
    status: str,
    *,
    post: str | None = None,
    progress: Progress | None = None,
    stop: asyncio.Event | None = None,
) -> list[Summary]:
    """Send again the WhatsApp deliveries in ``status`` (uncertain or failed), on the operator's
    word: they go back to ``queued`` and through the engine like any other; opted-out numbers
    become ``skipped``. One Summary per post and occurrence."""
    if status not in ("uncertain", "failed"):
        raise ValueError(status)
    db = app.db
    history.recover_inflight(db, app.now())
    sql = "select key, post, recipient, list, occurrence from deliveries where status = ? and channel = 'whatsapp'"
    args = [status]
    if post:
        sql += " and post = ?"
        args.append(app.project.post(post).name)
    groups: dict[tuple[str, str | None], list[dict]] = {}
    for row in db.query(sql + " order by id", args):
        groups.setdefault((row["post"], row["occurrence"]), []).append(row)
    people = {r.phone: r for blist in app.project.lists.values() for r in blist.recipients}
    opted = optout.numbers(db)
    summaries = []
    for (name, occurrence), found in groups.items():
        the_post = app.project.post(name)
        summary = Summary(name, occurrence, planned=len(found))
        todo, skip = [], []
        for r in found:
            if r["recipient"] in opted:
                skip.append(r["key"])
                summary.skipped["opted out"] += 1
                continue
            who = people.get(r["recipient"]) or Recipient(phone=r["recipient"], list=r["list"] or "")
            todo.append(Planned(r["key"], name, "whatsapp", r["recipient"], r["list"] or "", occurrence, who))
        now = history.utc(app.now())
        with db.atomic():
            db.conn.executemany(
                "update deliveries set status = ?, error = ?, updated_at = ? where key = ? and status = ?",
                [("skipped", "opted out", now, k, status) for k in skip]
                + [("queued", None, now, p.key, status) for p in todo],
            )
        if todo:
            await send_planned(app, the_post, todo, summary, progress=progress, stop=stop)
        summaries.append(summary)
        if summary.stopped:
            break
    return summaries


def http_client(settings) -> httpx.AsyncClient:
    """The one HTTP client of a broadcast: every driver shares its connection pool."""
    wa = settings.whatsapp
    connections = max(1, wa.concurrency) + 4
    return httpx.AsyncClient(
        timeout=httpx.Timeout(wa.timeout, connect=10.0, pool=None),
        transport=ShardedTransport(connections),
    )


async def send_planned(
    app: App,
    post: Post,
    todo: list[Planned],
    summary: Summary,
    *,
    day: date | None = None,
    progress: Progress | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Send rows already reserved as ``queued`` in history."""
    day = day or app.local_now().date()
    images = post_images(app.project, post, app.media_dir)
    async with http_client(app.settings) as http:
        drivers = {ch: make_driver(ch, app.settings, http, app.clock) for ch in {p.channel for p in todo}}
        try:
            await _send_all(app, post, todo, drivers, images, day, summary, progress, stop)
        finally:
            for d in drivers.values():
                await d.aclose()


def _row(app: App, p: Planned, now: datetime) -> dict:
    return {
        "key": p.key, "post": p.post, "channel": p.channel, "provider": provider_name(p.channel, app.settings),
        "recipient": p.address, "list": p.list, "occurrence": p.occurrence,
        "content_hash": app.project.posts[p.post].content_hash,
        "status": "skipped" if p.skip_reason else "queued", "error": p.skip_reason or None,
        "attempts": 0, "created_at": history.utc(now), "updated_at": history.utc(now),
    }  # fmt: skip


def message_for(
    app: App, post: Post, p: Planned, images: tuple[Path, ...], day: date, extra: dict | None = None
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


async def attempt(driver: Driver, message: Message) -> Outcome:
    """One call to one driver, its answer classified. Transient errors come back as ``queued``;
    fatal ones too (the message did not go), with ``fatal`` set so the broadcast stops."""
    try:
        receipt = await driver.send(message)
    except UncertainError as e:
        return Outcome("uncertain", error=e.reason, code=e.code or "")
    except PermanentError as e:
        return Outcome("failed", error=e.reason, code=e.code or "")
    except FatalError as e:
        return Outcome("queued", error=e.reason, code=e.code or "", fatal=True)
    except TransientError as e:
        return Outcome("queued", error=e.reason, code=e.code or "", retry_after=e.retry_after)
    except DeliveryError as e:  # an unclassified driver error: do not guess it went
        return Outcome("failed", error=e.reason, code=e.code or "")
    except Exception as e:  # a driver bug after the request may have left: never resend blindly
        log.exception("driver %s crashed on %s", driver.name, message.key)
        return Outcome("uncertain", error=f"internal error while sending: {type(e).__name__}")
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
    total = len(todo)
    counter = _Counter(total, progress)
    whatsapp = [p for p in todo if p.channel != "instagram"]
    if whatsapp:
        driver = drivers[whatsapp[0].channel]
        limiter, concurrency = pacing(driver, app.settings)
        journal = Journal(app.db, history.worker_id(), app.now)
        broadcast = Broadcast(
            app, post, driver, images, day, summary, journal, policy(app.settings), limiter, concurrency,
            counter, stop,
        )  # fmt: skip
        await broadcast.run(whatsapp)
    instagram = [p for p in todo if p.channel == "instagram"]
    if instagram and not summary.stopped:
        await _send_instagram(app, post, instagram, drivers["instagram"], images, day, summary, counter, stop)
    elif instagram:
        summary.left_queued += len(instagram)


class _Counter:
    def __init__(self, total: int, progress: Progress | None):
        self.total, self.done, self.progress = total, 0, progress

    def tick(self) -> None:
        self.done += 1
        if self.progress:
            self.progress(self.done, self.total)


def policy(settings) -> RetryPolicy:
    wa = settings.whatsapp
    return RetryPolicy(max_attempts=max(1, wa.max_attempts), base=wa.backoff, pair_wait=PAIR_WAIT * min(1, wa.backoff))


def pacing(driver: Driver, settings) -> tuple[RateLimiter, int]:
    """How fast this provider may go: Cloud API at ``whatsapp.mps`` with many requests in flight;
    linked-device gateways (Fonnte, WAHA) one at a time with a human-looking random gap."""
    spread = getattr(driver, "spread", None)
    if spread:
        return RateLimiter(0, spread=spread), 1
    if not getattr(driver, "concurrent", False):
        return RateLimiter(0), 1
    return RateLimiter(settings.whatsapp.mps), max(1, settings.whatsapp.concurrency)


# Meta: the whole number is over its throughput (130429) or the app/account is (4, 80007):
# everybody slows down. 131056 is one recipient messaged too often: only that one waits.
THROUGHPUT_CODES = frozenset({"130429", "4", "80007"})
PAIR_CODES = frozenset({"131056"})
PAIR_WAIT = 6.0  # Meta allows about one message per 6 s to the same person
BATCH_WINDOW = 0.01  # seconds of the rate limit claimed (and committed) at once


@dataclass
class _Job:
    planned: Planned
    attempts: int = 0


class Broadcast:
    """One post to many recipients over one driver: paced, concurrent, every answer recorded."""

    def __init__(
        self, app: App, post: Post, driver: Driver, images: tuple[Path, ...], day: date, summary: Summary,
        journal: Journal, policy: RetryPolicy, limiter: RateLimiter, concurrency: int, counter: _Counter,
        stop: asyncio.Event | None,
    ):  # fmt: skip
        self.app, self.post, self.driver, self.images, self.day = app, post, driver, images, day
        self.summary, self.journal, self.policy, self.limiter = summary, journal, policy, limiter
        self.concurrency, self.counter, self.stop = concurrency, counter, stop
        self.delayed: list[tuple[float, int, _Job]] = []  # (due, seq, job): retry later
        self.fatal: Outcome | None = None
        self.crash: BaseException | None = None
        self._seq = 0
        self._wake = asyncio.Event()
        self._extra = _extra(post)

    def halted(self) -> bool:
        return bool(self.fatal or self.crash or (self.stop is not None and self.stop.is_set()))

    async def run(self, planned: list[Planned]) -> None:
        """Dispatch in small batches that follow the limiter's schedule: reserve k slots, mark the
        k rows ``sending`` in ONE commit, then let the k requests go. At 1,000 msg/s that is one
        commit per ~10 ms instead of one per message, and still nothing leaves before its mark
        is on disk."""
        ready = deque(_Job(p) for p in planned)
        tasks: set[asyncio.Task] = set()
        batch = max(1, round(1.0 / self.limiter.interval * BATCH_WINDOW)) if self.limiter.interval else 64
        if self.limiter.spread:
            batch = 1  # human-paced gateways: one message, one gap

        def done(task: asyncio.Task) -> None:
            tasks.discard(task)
            if not task.cancelled() and task.exception() is not None:
                self.crash = task.exception()
            self._wake.set()

        try:
            while not self.halted():
                now = time.monotonic()
                while self.delayed and self.delayed[0][0] <= now:
                    ready.append(heapq.heappop(self.delayed)[2])
                free = self.concurrency - len(tasks)
                if not ready or free <= 0:
                    if not ready and not tasks and not self.delayed:
                        break
                    self._wake.clear()
                    # Wake when a request finishes, a retry falls due, or at least every 0.2 s (stop).
                    timeout = 0.2 if free <= 0 or not self.delayed else min(0.2, max(0.0, self.delayed[0][0] - now))
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), timeout)
                    continue
                k = min(free, len(ready), batch)
                wait = self.limiter.reserve(k)
                if wait > 0:
                    await asyncio.sleep(wait)
                if self.halted():
                    break
                jobs = [ready.popleft() for _ in range(k)]
                messages = [message_for(self.app, self.post, j.planned, self.images, self.day, self._extra)
                            for j in jobs]  # fmt: skip
                lost = self.journal.claim([j.planned.key for j in jobs])
                for job, message in zip(jobs, messages, strict=True):
                    if job.planned.key in lost:
                        self.summary.already["claimed by another run"] += 1
                        self.counter.tick()
                        continue
                    task = asyncio.create_task(self.one(job, message))
                    tasks.add(task)
                    task.add_done_callback(done)
            if tasks:  # what already left is answered and recorded, even when stopping
                await asyncio.wait(set(tasks))
        finally:
            for task in list(tasks):
                task.cancel()
            if tasks:
                await asyncio.wait(set(tasks))
            self.journal.flush()
        if self.crash is not None:
            raise self.crash
        left = len(ready) + len(self.delayed)
        self.summary.left_queued += left
        if self.fatal is not None:
            self.summary.stopped = stopped_message(self.driver.name, self.fatal)
        elif left and self.stop is not None and self.stop.is_set():
            self.summary.stopped = "stopped on request; the rest stays queued"

    async def one(self, job: _Job, message: Message) -> None:
        p = job.planned
        try:
            outcome = await attempt(self.driver, message)
        except BaseException:  # cancelled mid-call (Ctrl-C, shutdown): the request may have left
            self.journal.outcome(p.key, "uncertain", error="interrupted while sending; it may have arrived")
            raise
        job.attempts += 1
        if outcome.fatal:
            self.journal.outcome(p.key, "queued", error=outcome.error, code=outcome.code)
            if self.fatal is None:
                self.fatal = outcome
            self.summary.left_queued += 1
            return
        if outcome.status == "queued":
            self._retry_later(job, outcome)
            return
        self.journal.outcome(
            p.key, outcome.status, error=outcome.error, code=outcome.code, provider_id=outcome.provider_id
        )
        _count(self.summary, outcome)
        self.counter.tick()

    def _retry_later(self, job: _Job, outcome: Outcome) -> None:
        p = job.planned
        if not self.policy.should_retry(job.attempts):
            reason = f"{outcome.error} (gave up after {job.attempts} attempts)"
            self.journal.outcome(p.key, "failed", error=reason, code=outcome.code)
            _count(self.summary, Outcome("failed", error=reason))
            self.counter.tick()
            return
        if outcome.code in PAIR_CODES:
            wait = max(self.policy.pair_wait, self.policy.delay(job.attempts, outcome.retry_after))
        else:
            wait = self.policy.delay(job.attempts, outcome.retry_after)
            if outcome.code in THROUGHPUT_CODES:
                self.limiter.hold(wait)
        not_before = history.utc(self.app.now() + timedelta(seconds=wait))
        self.journal.outcome(p.key, "queued", error=outcome.error, code=outcome.code, not_before=not_before)
        self._seq += 1
        heapq.heappush(self.delayed, (time.monotonic() + wait, self._seq, job))
        self._wake.set()


def stopped_message(provider: str, fatal: Outcome) -> str:
    code = f" (code {fatal.code})" if fatal.code else ""
    return f"{provider} refused to continue{code}: {fatal.error}. The rest stays queued; run the same command again."


def _count(summary: Summary, outcome: Outcome) -> None:
    if outcome.status == "sent":
        summary.sent += 1
    elif outcome.status == "failed":
        summary.failed[outcome.error] += 1
    elif outcome.status == "uncertain":
        summary.uncertain += 1


async def _send_instagram(
    app: App,
    post: Post,
    todo: list[Planned],
    driver: Driver,
    images: tuple[Path, ...],
    day: date,
    summary: Summary,
    counter: _Counter,
    stop: asyncio.Event | None,
) -> None:
    """Instagram rows: one at a time, kept apart from the WhatsApp engine (its own queue lives elsewhere)."""
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
            outcome = await attempt(driver, message)
        except BaseException:
            history.update(db, p.key, app.now(), status="uncertain", error="interrupted while sending")
            raise
        _record(app, p, outcome, summary)
        counter.tick()


def _record(app: App, p: Planned, outcome: Outcome, summary: Summary) -> None:
    now = app.now()
    values: dict = {"status": outcome.status, "error": outcome.error or None, "error_code": outcome.code or None}
    if outcome.status == "sent":
        values.update(provider_id=outcome.provider_id, sent_at=history.utc(now))
    elif outcome.status == "queued":
        summary.left_queued += 1
    _count(summary, outcome)
    app.db.execute("update deliveries set attempts = attempts + 1 where key = ?", [p.key])
    history.update(app.db, p.key, now, **values)
