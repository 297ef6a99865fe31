"""The WhatsApp broadcast engine: one post to many people over one driver.

Small batches follow the rate limiter's schedule; each batch is claimed (``sending``, committed)
before its requests leave; every answer is classified and recorded; transient ones are retried
with backoff (a throttled recipient alone waits longer; a throttled account slows everybody down),
a fatal one stops everything and leaves the rest ``queued``. Which is which is the driver's call
(``DeliveryError.scope``): no provider's codes here. siaran.delivery.deliver plans and reserves the rows and calls this.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..channels import Driver, Message
from ..errors import DeliveryError, FatalError, PermanentError, TransientError, UncertainError
from ..history import utc
from ..plan import Planned
from ..reasons import Reason, reason
from .backoff import RetryPolicy
from .journal import Journal
from .pacing import RateLimiter
from .summary import CLAIMED, ProgressCounter, Summary, count_answer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DriverAnswer:
    status: str  # sent | failed | uncertain | queued (retry later)
    provider_id: str = ""
    error: Reason | None = None
    code: str = ""
    retry_after: float | None = None
    fatal: bool = False  # stop the whole broadcast (the message itself did not go)
    scope: str = "message"  # whom a transient error concerns: account | recipient | message


async def attempt(driver: Driver, message: Message) -> DriverAnswer:
    """One call to one driver, its answer classified. Transient errors come back as ``queued``;
    fatal ones too (the message did not go), with ``fatal`` set so the broadcast stops."""
    try:
        receipt = await driver.send(message)
    except UncertainError as e:
        return DriverAnswer("uncertain", error=e.reason, code=e.code or "")
    except PermanentError as e:
        return DriverAnswer("failed", error=e.reason, code=e.code or "")
    except FatalError as e:
        return DriverAnswer("queued", error=e.reason, code=e.code or "", fatal=True)
    except TransientError as e:
        return DriverAnswer("queued", error=e.reason, code=e.code or "", retry_after=e.retry_after, scope=e.scope)
    except DeliveryError as e:  # an unclassified driver error: do not guess it went
        return DriverAnswer("failed", error=e.reason, code=e.code or "")
    except Exception as e:  # a driver bug after the request may have left: never resend blindly
        log.exception("driver %s crashed on %s", driver.name, message.key)
        return DriverAnswer("uncertain", error=reason("delivery.internal_error", error=type(e).__name__))
    return DriverAnswer("sent", provider_id=receipt.provider_id)

# How many rows one commit claims: 25 ms of the rate limit, but at low rates up to 16 messages or
# 200 ms of the rate, whichever is fewer. A commit's cost hardly grows with its rows (the rows' index
# entries move with their status, a page or so each), so fewer, larger commits keep SQLite a small
# part of a broadcast (figures: docs/development/performance.md). A crash leaves at most one claim of
# rows ``sending`` that had not left yet: they become ``uncertain``, never resent.
BATCH_WINDOW = 0.025
LOW_RATE_BATCH, LOW_RATE_WINDOW = 16, 0.2
IDLE_WAKE = 0.2  # seconds: the dispatcher looks at ``stop`` at least this often while waiting


def _settle(future: asyncio.Future) -> None:
    if not future.done():
        future.set_result(None)


def _nothing() -> None:
    return None


class Gate:
    """How many of a broadcast's rows, from the front, are written in history (``queued``) and may be
    claimed: a big broadcast starts with its first rows while the rest are still being written."""

    def __init__(self, open_: int, total: int):
        self.open, self.total = open_, total
        self.error: BaseException | None = None
        self.changed: Callable[[], None] = _nothing
        self.wanted = False  # the writer waits for this: the first answer, or the engine at the gate
        self._waiter: asyncio.Future | None = None

    def want(self) -> None:
        if not self.wanted:
            self.wanted = True
            if self._waiter is not None:
                _settle(self._waiter)

    async def until_wanted(self) -> None:
        """Writing the rest blocks the event loop in bursts: it waits until the first request has
        been answered (or the engine needs more rows), so the first message is not held up."""
        if not self.wanted:
            self._waiter = asyncio.get_running_loop().create_future()
            await self._waiter

    def release(self, n: int) -> None:
        self.open = n
        self.changed()

    def fail(self, error: BaseException) -> None:
        self.error = error
        self.changed()


@dataclass(slots=True)
class _Job:
    planned: Planned
    attempts: int = 0


class Broadcast:
    """One post to many recipients over one driver: paced, concurrent, every answer recorded."""

    def __init__(
        self, driver: Driver, render: Callable[[Planned], Message], now: Callable[[], datetime], summary: Summary,
        journal: Journal, policy: RetryPolicy, limiter: RateLimiter, concurrency: int, counter: ProgressCounter,
        stop: asyncio.Event | None, gate: Gate | None = None,
    ):  # fmt: skip
        self.driver, self.render, self.now = driver, render, now
        self.gate = gate
        self.summary, self.journal, self.policy, self.limiter = summary, journal, policy, limiter
        self.concurrency, self.counter, self.stop = concurrency, counter, stop
        self.delayed: list[tuple[float, int, _Job]] = []  # (due, seq, job): retry later
        self.fatal: DriverAnswer | None = None
        self.crash: BaseException | None = None
        self._seq = 0
        # What the dispatcher sleeps on: a bare future and a timer, not asyncio.wait_for (a new task
        # and a cancellation on every wake, which at full rate is every message).
        self._waiter: asyncio.Future | None = None
        self._pauser: asyncio.Future | None = None

    def _wake(self) -> None:
        if self._waiter is not None:
            _settle(self._waiter)

    def _wake_all(self) -> None:
        self._wake()
        if self._pauser is not None:
            _settle(self._pauser)

    async def _sleep(self, seconds: float, *, pause: bool = False) -> None:
        """Sleep ``seconds``; a finished request (unless ``pause``) or ``stop`` ends it early."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        if pause:
            self._pauser = future
        else:
            self._waiter = future
        timer = loop.call_later(seconds, _settle, future)
        try:
            await future
        finally:
            timer.cancel()
            if pause:
                self._pauser = None
            else:
                self._waiter = None

    def halted(self) -> bool:
        if self.gate is not None and self.gate.error is not None and self.crash is None:
            self.crash = self.gate.error  # the rest could not be written: stop as on any crash
        return bool(self.fatal or self.crash or (self.stop is not None and self.stop.is_set()))

    async def run(self, planned: list[Planned]) -> None:
        """Dispatch in small batches that follow the limiter's schedule: reserve k slots, mark the
        k rows ``sending`` in ONE commit, then let the k requests go. At 1,000 msg/s that is one
        commit per ~25 ms instead of one per message, and still nothing leaves before its mark
        is on disk."""
        ready = deque(_Job(p) for p in planned)
        tasks: set[asyncio.Task] = set()
        if self.limiter.interval:
            rate = 1.0 / self.limiter.interval
            batch = max(1, round(rate * BATCH_WINDOW), min(LOW_RATE_BATCH, round(rate * LOW_RATE_WINDOW)))
            # Outcomes wait for the next claim's commit instead of a commit of their own in between.
            self.journal.linger = max(self.journal.linger, min(LOW_RATE_WINDOW, batch / rate))
        else:
            batch = 64
        if self.limiter.spread:
            batch = 1  # human-paced gateways: one message, one gap

        def done(task: asyncio.Task) -> None:
            tasks.discard(task)
            if not task.cancelled() and task.exception() is not None:
                self.crash = task.exception()
            self._wake()

        gate = self.gate
        fresh = 0  # jobs taken from the front of ``planned`` (retries come back behind them)
        if gate is not None:
            gate.changed = self._wake
        watch = asyncio.ensure_future(self._watch_stop()) if self.stop is not None else None
        try:
            while not self.halted():
                now = time.monotonic()
                while self.delayed and self.delayed[0][0] <= now:
                    ready.append(heapq.heappop(self.delayed)[2])
                free = self.concurrency - len(tasks)
                if not ready or free <= 0:
                    if not ready and not tasks and not self.delayed:
                        break
                    # Wake when a request finishes, a retry falls due, or stop is asked.
                    timeout = (
                        IDLE_WAKE
                        if free <= 0 or not self.delayed
                        else min(IDLE_WAKE, max(0.0, self.delayed[0][0] - now))
                    )
                    await self._sleep(timeout)
                    continue
                k = min(free, len(ready), batch)
                if gate is not None and fresh < gate.total and ready[0].attempts == 0:
                    k = min(k, gate.open - fresh)
                    if k <= 0:  # the next rows are not written yet
                        gate.want()
                        await self._sleep(IDLE_WAKE)
                        continue
                wait = self.limiter.reserve(k)
                if wait > 0:
                    await self._pause(wait)
                if self.halted():
                    break
                jobs = [ready.popleft() for _ in range(k)]
                fresh += sum(1 for j in jobs if j.attempts == 0)
                messages = [self.render(j.planned) for j in jobs]
                lost = self.journal.claim([j.planned.key for j in jobs])
                for job, message in zip(jobs, messages, strict=True):
                    if job.planned.key in lost:
                        self.summary.already[CLAIMED] += 1
                        self.counter.tick()
                        continue
                    task = asyncio.create_task(self.one(job, message))
                    tasks.add(task)
                    task.add_done_callback(done)
            if tasks:  # what already left is answered and recorded, even when stopping
                await asyncio.wait(set(tasks))
        finally:
            if gate is not None:
                gate.want()
            if watch is not None:
                watch.cancel()
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
            self.summary.stopped = reason("delivery.stopped_on_request")

    async def _pause(self, seconds: float) -> None:
        """Sleep until the next slot, but wake at once on ``stop`` (a Fonnte gap lasts seconds)."""
        if self.stop is None:
            await asyncio.sleep(seconds)
        elif not self.stop.is_set():
            await self._sleep(seconds, pause=True)

    async def _watch_stop(self) -> None:
        """One waiter for the whole broadcast: ``stop`` wakes whatever the dispatcher sleeps on."""
        assert self.stop is not None
        await self.stop.wait()
        self._wake_all()

    async def one(self, job: _Job, message: Message) -> None:
        p = job.planned
        try:
            outcome = await attempt(self.driver, message)
        except BaseException:  # cancelled mid-call (Ctrl-C, shutdown): the request may have left
            self.journal.outcome(p.key, "uncertain", error=reason("delivery.interrupted"))
            raise
        job.attempts += 1
        if self.gate is not None:
            self.gate.want()
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
        count_answer(self.summary, outcome)
        self.counter.tick()

    def _retry_later(self, job: _Job, outcome: DriverAnswer) -> None:
        p = job.planned
        if not self.policy.should_retry(job.attempts):
            why = reason("delivery.gave_up", error=outcome.error, attempts=job.attempts)
            self.journal.outcome(p.key, "failed", error=why, code=outcome.code)
            count_answer(self.summary, DriverAnswer("failed", error=why))
            self.counter.tick()
            return
        if outcome.scope == "recipient":  # only this person is messaged too often: only they wait
            wait = max(self.policy.pair_wait, self.policy.delay(job.attempts, outcome.retry_after))
        else:
            wait = self.policy.delay(job.attempts, outcome.retry_after)
            if outcome.scope == "account":  # the account is over its throughput: everybody slows down
                self.limiter.hold(wait)
        not_before = utc(self.now() + timedelta(seconds=wait))
        self.journal.outcome(p.key, "queued", error=outcome.error, code=outcome.code, not_before=not_before)
        self._seq += 1
        heapq.heappush(self.delayed, (time.monotonic() + wait, self._seq, job))
        self._wake()


def stopped_message(provider: str, fatal: DriverAnswer) -> Reason:
    if fatal.code:
        return reason("delivery.provider_stopped_code", provider=provider, code=fatal.code, error=fatal.error)
    return reason("delivery.provider_stopped", provider=provider, error=fatal.error)
