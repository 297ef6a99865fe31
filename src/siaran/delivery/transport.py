"""The broadcast client's transport: httpx's client on top, HTTP/1.1 on asyncio sockets underneath
(answers parsed by httptools, llhttp's C parser), and a connection pool that costs O(1) per request.

httpx's default transport is httpcore's pool, which re-examines every connection when a request
starts or ends (O(connections²) at the 100+ connections of a 1,000 msg/s broadcast) and takes
several anyio locks per request; under it h11 spends ~120 µs per request and answer on this
machine (its event machine and header validation, in Python), httptools ~4 µs. A broadcast runs
on one event loop and needs none of the locks: idle connections wait in a deque per origin, and a
request beyond the limit waits on a future. The request's head is httpx's own encoded headers,
joined (refused if one holds a line break).

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
from collections.abc import AsyncIterator, Callable

import httptools
import httpx

from .sockets import Deadlines, Receiver, expire, wait

KEEPALIVE = 5.0  # seconds an idle connection is kept (httpx's default keep-alive expiry)
FLUSH_AT = 64 * 1024  # request bytes gathered before they are written without waiting for the rest
Origin = tuple[str, str, int]


class _Answer:
    """The response being read on one connection, as httptools parses it (its parser calls these
    methods). One parser per connection, for every response on it: making one costs ~10 µs."""

    __slots__ = ("chunks", "complete", "headers", "headers_done", "parser", "reason", "reusable", "status")

    def __init__(self) -> None:
        self.parser: httptools.HttpResponseParser | None = httptools.HttpResponseParser(self)
        self.reset()

    def reset(self) -> None:
        self.reason = b""
        self.headers: list[tuple[bytes, bytes]] = []
        self.chunks: deque[bytes] = deque()
        self.status = 0
        self.headers_done = self.complete = self.reusable = False

    def on_message_begin(self) -> None:
        if self.complete:  # bytes after the answer: nothing was asked, so the connection is not trusted
            self.reusable = False

    def on_status(self, reason: bytes) -> None:
        self.reason += reason

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        status = self.parser.get_status_code()  # type: ignore[union-attr]
        if status >= 200:
            self.status, self.headers_done = status, True
        else:  # 100 Continue and the like: the real answer follows
            self.reason, self.headers = b"", []

    def on_body(self, body: bytes) -> None:
        self.chunks.append(body)

    def on_message_complete(self) -> None:
        if self.headers_done and not self.complete:
            self.complete = True
            self.reusable = self.parser.should_keep_alive()  # type: ignore[union-attr]

    def framed(self) -> bool:
        """Whether the answer says where its body ends (else the end of the connection ends it)."""
        return any(n.lower() in (b"content-length", b"transfer-encoding") for n, _ in self.headers)


class _Connection:
    __slots__ = ("answer", "deadlines", "expires", "origin", "receiver", "transport")

    def __init__(self, origin: Origin, transport: asyncio.Transport, receiver: Receiver, deadlines: Deadlines):
        self.origin, self.transport, self.receiver, self.deadlines = origin, transport, receiver, deadlines
        self.answer = _Answer()
        self.expires = 0.0

    def usable(self, now: float) -> bool:
        """Idle and still open: no end of file, no stray bytes (a 408 or a goodbye), not expired."""
        r = self.receiver
        return not (r.eof or r.buffer or self.transport.is_closing() or now >= self.expires)

    def close(self) -> None:
        self.transport.close()
        self.answer.parser = None  # the parser holds the answer's methods: no cycle left for the GC

    async def write(self, data: bytes, timeout: float | None) -> None:
        r = self.receiver
        if r.eof or self.transport.is_closing():
            raise httpx.WriteError("the connection closed while the request was being sent")
        self.transport.write(data)
        if r.paused:  # the send buffer is full: wait for the socket to take it
            try:
                await wait(r, "drainer", timeout, self.deadlines)
            except TimeoutError:
                raise httpx.WriteTimeout("timed out sending the request") from None
            if r.error is not None:
                raise httpx.WriteError(str(r.error))

    async def send(self, request: httpx.Request, timeout: float | None) -> None:
        """The request's head and body, written as one send unless the body is large."""
        self.answer.reset()
        head, chunked = _head(request)
        stream = request.stream
        if isinstance(stream, httpx.ByteStream):  # bytes given up front: the messages of a broadcast
            body = b"".join(stream)
            if chunked:
                body = (b"%x\r\n%s\r\n" % (len(body), body) if body else b"") + b"0\r\n\r\n"
            await self.write(head + body, timeout)
            return
        parts, size = [head], len(head)
        async for chunk in stream:  # type: ignore[union-attr]  # a stream (file uploads): written as it comes
            if chunk:
                parts.append(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
                size += len(chunk)
                if size >= FLUSH_AT:
                    await self.write(b"".join(parts), timeout)
                    parts, size = [], 0
        if chunked:
            parts.append(b"0\r\n\r\n")
        await self.write(b"".join(parts), timeout)

    async def more(self, timeout: float | None) -> None:
        """Wait for more of the answer and parse it; the end of the connection ends a body whose
        length was not given, and is an error anywhere else."""
        r, answer = self.receiver, self.answer
        if not r.buffer and not r.eof:
            try:
                await wait(r, "reader", timeout, self.deadlines)
            except TimeoutError:
                raise httpx.ReadTimeout("timed out waiting for the answer") from None
        if r.buffer:
            if answer.complete or answer.parser is None:  # bytes after a whole answer: nothing was asked
                answer.reusable = False
                r.take()
                return
            try:
                answer.parser.feed_data(r.take())
            except httptools.HttpParserError as e:
                if not answer.complete:
                    raise httpx.RemoteProtocolError(f"the server's answer is not valid HTTP ({e})") from None
                answer.reusable = False  # garbage after a whole answer
        elif r.error is not None:
            raise httpx.ReadError(str(r.error))
        elif answer.headers_done and not answer.framed():
            answer.complete, answer.reusable = True, False
        elif answer.headers_done:
            raise httpx.RemoteProtocolError("the server closed the connection before the answer was complete")
        else:
            raise httpx.RemoteProtocolError("the server closed the connection without answering")


def _head(request: httpx.Request) -> tuple[bytes, bool]:
    """The request line and headers as they go on the wire, and whether the body goes chunked. httpx
    has already encoded the headers; a line break inside one would forge another header or request."""
    lines = [b"%s %s HTTP/1.1" % (request.method.encode("ascii"), request.url.raw_path)]
    chunked = False
    for name, value in request.headers.raw:
        lines.append(name + b": " + value)
        if value == b"chunked" and name.lower() == b"transfer-encoding":
            chunked = True
    head = b"\r\n".join(lines) + b"\r\n\r\n"
    if head.count(b"\n") != len(lines) + 1 or head.count(b"\r") != len(lines) + 1 or b"\0" in head:
        raise httpx.LocalProtocolError("a request header holds a line break or a NUL")
    return head, chunked


class _Body(httpx.AsyncByteStream):
    """A response body read from its connection, which goes back to the pool once it is read whole."""

    def __init__(self, pool: LeanTransport, connection: _Connection, timeout: float | None):
        self.pool, self.connection, self.timeout = pool, connection, timeout

    async def __aiter__(self) -> AsyncIterator[bytes]:
        connection = self.connection
        if connection is None:
            raise httpx.StreamClosed()
        answer = connection.answer
        while True:
            while answer.chunks:
                yield answer.chunks.popleft()
            if answer.complete:
                return
            await connection.more(self.timeout)

    async def aclose(self) -> None:
        connection, self.connection = self.connection, None
        if connection is not None:
            self.pool.finished(connection)


class LeanTransport(httpx.AsyncBaseTransport):
    """At most ``limit`` connections (HTTP/1.1, one request each at a time), reused most recent first."""

    def __init__(self, limit: int, tls: Callable[[], ssl.SSLContext], keepalive: float = KEEPALIVE):
        """``tls`` makes (or returns) the TLS context, asked for on the first https connection:
        loading the certificate store costs 30-130 ms, wasted on a plain-http provider."""
        self.limit, self.tls, self.keepalive = max(1, limit), tls, keepalive
        self.idle: dict[Origin, deque[_Connection]] = {}
        self.open: set[_Connection] = set()  # busy and idle
        self.connecting = 0
        self.waiters: deque[asyncio.Future] = deque()  # requests waiting for a free connection
        self.deadlines = Deadlines()  # read and write timeouts
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
        read = timeouts.get("read")
        try:
            await connection.send(request, timeouts.get("write"))
            answer = connection.answer
            while not answer.headers_done:
                await connection.more(read)
        except BaseException:
            self._drop(connection)
            raise
        if request.method == "HEAD":  # no body follows, whatever the headers say
            answer.complete, answer.reusable = True, False
        extensions = {"http_version": b"HTTP/1.1", "reason_phrase": answer.reason}
        if answer.complete:
            # The whole answer came with its head (a provider's small JSON): the connection goes back
            # at once, and httpx is handed the body read, not a stream to iterate (its async
            # generators took ~10% of a broadcast's CPU reading bodies that had already arrived).
            body = b"".join(answer.chunks)
            answer.chunks.clear()
            self.finished(connection)
            return httpx.Response(answer.status, headers=answer.headers, content=body, extensions=extensions)
        return httpx.Response(
            answer.status, headers=answer.headers, stream=_Body(self, connection, read), extensions=extensions
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
        timer = None if deadline is None else loop.call_at(deadline, expire, future)
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
        tls = self.tls() if scheme == "https" else None
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
        connection = _Connection(origin, transport, receiver, self.deadlines)  # type: ignore[arg-type]
        self.open.add(connection)
        return connection

    def finished(self, connection: _Connection) -> None:
        """A response was read whole or abandoned: keep the connection if HTTP allows."""
        answer = connection.answer
        if answer.complete and answer.reusable and not answer.chunks and not self.closed:
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
