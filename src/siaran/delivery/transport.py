"""The broadcast client's transport: httpx's client on top, h11 on asyncio sockets underneath,
and a connection pool that costs O(1) per request.

httpx's default transport is httpcore's pool, which re-examines every connection when a request
starts or ends (O(connections²) at the 100+ connections of a 1,000 msg/s broadcast) and takes
several anyio locks per request. A broadcast runs on one event loop and needs none of that: idle
connections wait in a deque per origin, a request beyond the limit waits on a future, and h11
(the HTTP/1.1 state machine httpcore uses too) reads and writes the bytes.

Errors keep httpx's meaning, which siaran.channels.http relies on: ``ConnectError``,
``ConnectTimeout`` and ``PoolTimeout`` before anything was written (safe to resend);
``WriteError``, ``WriteTimeout``, ``ReadError``, ``ReadTimeout`` and ``RemoteProtocolError`` once
the request may have left (uncertain). An idle connection the server has closed is seen (its end
of file arrived on the event loop) and dropped before it is reused, so it never makes a message
uncertain.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from collections import deque
from collections.abc import AsyncIterator

import h11
import httpx

from .sockets import Receiver, wait

KEEPALIVE = 5.0  # seconds an idle connection is kept (httpx's default keep-alive expiry)
FLUSH_AT = 64 * 1024  # request bytes gathered before they are written without waiting for the rest
Origin = tuple[str, str, int]


class _Connection:
    __slots__ = ("origin", "transport", "receiver", "h11", "expires")

    def __init__(self, origin: Origin, transport: asyncio.Transport, receiver: Receiver):
        self.origin, self.transport, self.receiver = origin, transport, receiver
        self.h11 = h11.Connection(h11.CLIENT)
        self.expires = 0.0

    def usable(self, now: float) -> bool:
        """Idle and still open: no end of file, no stray bytes (a 408 or a goodbye), not expired."""
        r = self.receiver
        return not (r.eof or r.buffer or self.transport.is_closing() or now >= self.expires)

    def close(self) -> None:
        self.transport.close()

    async def write(self, data: bytes, timeout: float | None) -> None:
        r = self.receiver
        if r.eof or self.transport.is_closing():
            raise httpx.WriteError("the connection closed while the request was being sent")
        self.transport.write(data)
        if r.paused:  # the send buffer is full: wait for the socket to take it
            try:
                await wait(r, "drainer", timeout)
            except TimeoutError:
                raise httpx.WriteTimeout("timed out sending the request") from None
            if r.error is not None:
                raise httpx.WriteError(str(r.error))

    async def send(self, request: httpx.Request, timeout: float | None) -> None:
        """The request's head and body, written as one send unless the body is large."""
        h = self.h11
        try:
            head = h11.Request(method=request.method, target=request.url.raw_path, headers=request.headers.raw)
        except h11.LocalProtocolError as e:
            raise httpx.LocalProtocolError(str(e)) from None
        parts = [h.send(head)]
        size = len(parts[0])
        stream = request.stream
        if isinstance(stream, httpx.ByteStream):  # bytes given up front: the messages of a broadcast
            body = stream._stream  # type: ignore[attr-defined]
            if body:
                parts.append(h.send(h11.Data(data=body)))
        else:  # a stream (file uploads): written as it comes
            async for chunk in stream:  # type: ignore[union-attr]
                if chunk:
                    parts.append(h.send(h11.Data(data=chunk)))
                    size += len(chunk)
                    if size >= FLUSH_AT:
                        await self.write(b"".join(parts), timeout)
                        parts, size = [], 0
        parts.append(h.send(h11.EndOfMessage()))
        await self.write(b"".join(parts), timeout)

    async def event(self, timeout: float | None) -> h11.Event:
        """The next thing the server said; waits for data when h11 needs more."""
        h, r = self.h11, self.receiver
        while True:
            try:
                event = h.next_event()
            except h11.RemoteProtocolError as e:
                raise httpx.RemoteProtocolError(str(e)) from None
            if event is not h11.NEED_DATA:
                return event  # type: ignore[return-value]
            if not r.buffer and not r.eof:
                try:
                    await wait(r, "reader", timeout)
                except TimeoutError:
                    raise httpx.ReadTimeout("timed out waiting for the answer") from None
            if r.buffer:
                h.receive_data(r.take())
            elif r.error is not None:
                raise httpx.ReadError(str(r.error))
            elif h.their_state is h11.SEND_RESPONSE:
                raise httpx.RemoteProtocolError("the server closed the connection without answering")
            else:
                h.receive_data(b"")

    async def response(self, timeout: float | None) -> h11.Response:
        while True:
            event = await self.event(timeout)
            if isinstance(event, h11.Response):
                return event
            if not isinstance(event, h11.InformationalResponse):  # 100 Continue: the real answer follows
                raise httpx.RemoteProtocolError(f"unexpected {type(event).__name__} before the answer")


class _Body(httpx.AsyncByteStream):
    """A response body read from its connection, which goes back to the pool once it is read whole."""

    def __init__(self, pool: LeanTransport, connection: _Connection, timeout: float | None):
        self.pool, self.connection, self.timeout = pool, connection, timeout
        self.complete = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        connection = self.connection
        if connection is None:
            raise httpx.StreamClosed()
        while True:
            event = await connection.event(self.timeout)
            if isinstance(event, h11.Data):
                yield bytes(event.data)
            elif isinstance(event, h11.EndOfMessage):
                self.complete = True
                return
            else:
                raise httpx.RemoteProtocolError(f"unexpected {type(event).__name__} in the answer")

    async def aclose(self) -> None:
        connection, self.connection = self.connection, None
        if connection is not None:
            self.pool.finished(connection, self.complete)


class LeanTransport(httpx.AsyncBaseTransport):
    """At most ``limit`` connections (HTTP/1.1, one request each at a time), reused most recent first."""

    def __init__(self, limit: int, tls: ssl.SSLContext, keepalive: float = KEEPALIVE):
        self.limit, self.tls, self.keepalive = max(1, limit), tls, keepalive
        self.idle: dict[Origin, deque[_Connection]] = {}
        self.open: set[_Connection] = set()  # busy and idle
        self.connecting = 0
        self.waiters: deque[asyncio.Future] = deque()  # requests waiting for a free connection
        self.closed = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeouts = request.extensions.get("timeout") or {}
        url = request.url
        if url.scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol(f"unsupported URL scheme {url.scheme!r}")
        origin = (url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80))
        # No await between finding the connection usable and writing to it: nothing the event loop
        # learns about it (an end of file) can fall in between.
        connection = await self._acquire(origin, timeouts)
        try:
            await connection.send(request, timeouts.get("write"))
            head = await connection.response(timeouts.get("read"))
        except BaseException:
            self._drop(connection)
            raise
        return httpx.Response(
            head.status_code,
            headers=head.headers.raw_items(),
            stream=_Body(self, connection, timeouts.get("read")),
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": head.reason},
        )

    async def _acquire(self, origin: Origin, timeouts: dict) -> _Connection:
        loop = asyncio.get_running_loop()
        deadline = None if timeouts.get("pool") is None else loop.time() + timeouts["pool"]
        while True:
            if self.closed:
                raise httpx.PoolTimeout("the client is closed")
            idle = self.idle.get(origin)
            if idle:
                now = time.monotonic()
                while idle:
                    connection = idle.pop()
                    if connection.usable(now):
                        return connection
                    self._drop(connection)
            if len(self.open) + self.connecting >= self.limit:
                self._close_an_idle_one()
            if len(self.open) + self.connecting < self.limit:
                return await self._connect(origin, timeouts.get("connect"))
            await self._wait_for_room(loop, deadline)

    async def _wait_for_room(self, loop: asyncio.AbstractEventLoop, deadline: float | None) -> None:
        future = loop.create_future()
        self.waiters.append(future)
        timer = None if deadline is None else loop.call_at(deadline, _expire, future)
        try:
            await future
        except TimeoutError:
            raise httpx.PoolTimeout("timed out waiting for a free connection") from None
        except BaseException:  # cancelled: a wake-up meant for this request goes to the next one
            if future.done() and not future.cancelled() and future.exception() is None:
                self._wake_one()
            raise
        finally:
            if timer is not None:
                timer.cancel()
            if not future.done() or future.cancelled() or future.exception() is not None:
                with contextlib.suppress(ValueError):
                    self.waiters.remove(future)

    def _wake_one(self) -> None:
        while self.waiters:
            future = self.waiters.popleft()
            if not future.done():
                future.set_result(None)
                return

    def _close_an_idle_one(self) -> None:
        """At the limit with another origin's connections idle: close the one idle longest."""
        for connections in self.idle.values():
            if connections:
                self._drop(connections.popleft())
                return

    async def _connect(self, origin: Origin, timeout: float | None) -> _Connection:
        scheme, host, port = origin
        tls = self.tls if scheme == "https" else None
        loop = asyncio.get_running_loop()
        self.connecting += 1
        try:
            async with asyncio.timeout(timeout):
                transport, receiver = await loop.create_connection(
                    Receiver, host, port, ssl=tls, server_hostname=host if tls else None
                )
        except TimeoutError:
            raise httpx.ConnectTimeout(f"timed out connecting to {host}") from None
        except OSError as e:  # refused, unreachable, DNS, certificate (ssl.SSLError is an OSError)
            raise httpx.ConnectError(str(e) or type(e).__name__) from None
        finally:
            self.connecting -= 1
            if len(self.open) + self.connecting < self.limit:
                self._wake_one()  # a failed connect frees its room
        connection = _Connection(origin, transport, receiver)  # type: ignore[arg-type]
        self.open.add(connection)
        return connection

    def finished(self, connection: _Connection, complete: bool) -> None:
        """A response was read (``complete``) or abandoned: keep the connection if HTTP allows."""
        h = connection.h11
        if complete and h.our_state is h11.DONE and h.their_state is h11.DONE and not self.closed:
            h.start_next_cycle()
            connection.expires = time.monotonic() + self.keepalive
            self.idle.setdefault(connection.origin, deque()).append(connection)
            self._wake_one()
        else:
            self._drop(connection)

    def _drop(self, connection: _Connection) -> None:
        connection.close()
        if connection in self.open:
            self.open.discard(connection)
            self._wake_one()

    async def aclose(self) -> None:
        self.closed = True
        for connection in list(self.open):
            connection.close()
        self.open.clear()
        self.idle.clear()
        while self.waiters:
            future = self.waiters.popleft()
            if not future.done():
                future.set_result(None)


def _expire(future: asyncio.Future) -> None:
    if not future.done():
        future.set_exception(TimeoutError())
