"""One connection's socket for the broadcast transport (siaran.delivery.transport): an asyncio
protocol that keeps what arrived in a buffer and lets a coroutine wait for more, or for the send
buffer to drain. A read of data already received costs no wait at all, and "did the server close
this idle connection?" is a look at a flag (anyio's streams cost a cancel scope per read and write,
and a ``poll()`` per look).
"""

from __future__ import annotations

import asyncio

HIGH_WATER = 256 * 1024  # bytes received but not read yet before the socket stops reading


def expire(future: asyncio.Future) -> None:
    """A timer's end: the waiter gets TimeoutError (unless it was settled first)."""
    if not future.done():
        future.set_exception(TimeoutError())


def _settle(future: asyncio.Future | None) -> None:
    if future is not None and not future.done():
        future.set_result(None)


class Receiver(asyncio.Protocol):
    """What arrived on one connection, and futures to wait for more (or for the send buffer)."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.eof = False
        self.error: BaseException | None = None
        self.reader: asyncio.Future | None = None
        self.paused = False  # the send buffer is full: writers wait for ``drainer``
        self.drainer: asyncio.Future | None = None
        self.reading_paused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) > HIGH_WATER and self.transport is not None and not self.reading_paused:
            self.reading_paused = True
            self.transport.pause_reading()
        _settle(self.reader)

    def eof_received(self) -> bool:
        self.eof = True
        _settle(self.reader)
        return False  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof = True
        self.error = exc
        _settle(self.reader)
        _settle(self.drainer)

    def pause_writing(self) -> None:
        self.paused = True

    def resume_writing(self) -> None:
        self.paused = False
        _settle(self.drainer)

    def take(self) -> bytes:
        """Everything received and not taken yet (the socket reads again if it had paused)."""
        data = bytes(self.buffer)
        self.buffer.clear()
        if self.reading_paused and self.transport is not None:
            self.reading_paused = False
            self.transport.resume_reading()
        return data


class Deadlines:
    """The timeouts of a pool's waits, checked by one timer every ``tick`` seconds (so a timeout ends
    up to ``tick`` late). A wait costs a dict entry instead of a timer: asyncio keeps a cancelled
    timer in its heap until its time would have come, so 30 s read timeouts at 1,000 answers a
    second kept ~30,000 of them there, each new one compared with ~15 others in Python."""

    def __init__(self, tick: float = 0.25):
        self.tick = tick
        self.waits: dict[asyncio.Future, float] = {}
        self._timer: asyncio.TimerHandle | None = None

    def add(self, future: asyncio.Future, timeout: float) -> None:
        loop = future.get_loop()
        self.waits[future] = loop.time() + timeout
        if self._timer is None:
            self._timer = loop.call_later(self.tick, self._sweep, loop)

    def discard(self, future: asyncio.Future) -> None:
        self.waits.pop(future, None)

    def _sweep(self, loop: asyncio.AbstractEventLoop) -> None:
        now = loop.time()
        for future in [f for f, at in self.waits.items() if at <= now]:
            del self.waits[future]
            expire(future)
        self._timer = loop.call_later(self.tick, self._sweep, loop) if self.waits else None


async def wait(protocol: Receiver, attr: str, timeout: float | None, deadlines: Deadlines) -> None:
    """Wait until the protocol settles its ``reader`` or ``drainer`` future; TimeoutError after ``timeout``."""
    future = asyncio.get_running_loop().create_future()
    setattr(protocol, attr, future)
    if timeout is not None:
        deadlines.add(future, timeout)
    try:
        await future
    finally:
        setattr(protocol, attr, None)
        deadlines.discard(future)
