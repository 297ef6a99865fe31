"""An asyncio network backend for httpcore (the connection layer under httpx).

httpcore reaches sockets through a pluggable backend; its default one goes through anyio, which
at 1,000 requests/s cost more CPU than the HTTP work itself: a cancel scope and a sniffio lookup
for every read and write, a ``poll()`` system call and a fresh dict of attribute getters each time
the pool asks whether an idle connection was closed, and one socket send for the request head
and another for its body. This backend speaks to asyncio's transports directly: a read of data
already received returns at once, the head and body of a request leave in one send, and "was it
closed?" is a look at the buffer. Timeouts and errors are httpcore's own, so httpx reports them as
it always does.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore

HIGH_WATER = 256 * 1024  # bytes received but not read yet before the socket stops reading
FLUSH_AT = 64 * 1024  # bytes written but not sent yet before they are sent without waiting for a read


def _expire(future: asyncio.Future) -> None:
    if not future.done():
        future.set_exception(TimeoutError())


def _settle(future: asyncio.Future | None) -> None:
    if future is not None and not future.done():
        future.set_result(None)


class _Protocol(asyncio.Protocol):
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


async def _wait(protocol: _Protocol, attr: str, timeout: float | None) -> None:
    """Wait until the protocol settles its ``reader`` or ``drainer`` future; TimeoutError after ``timeout``."""
    loop = asyncio.get_running_loop()
    future = loop.create_future()
    setattr(protocol, attr, future)
    timer = loop.call_later(timeout, _expire, future) if timeout is not None else None
    try:
        await future
    finally:
        setattr(protocol, attr, None)
        if timer is not None:
            timer.cancel()


class AsyncioStream(httpcore.AsyncNetworkStream):
    def __init__(self, transport: asyncio.Transport, protocol: _Protocol):
        self._transport = transport
        self._protocol = protocol
        self._pending: list[bytes] = []  # written, not sent yet: sent with the next read
        self._pending_size = 0

    def _flush(self) -> None:
        if self._pending:
            data = self._pending[0] if len(self._pending) == 1 else b"".join(self._pending)
            self._pending.clear()
            self._pending_size = 0
            self._transport.write(data)

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        protocol = self._protocol
        try:
            self._flush()  # the request goes out as one send, now that it is complete
            if not protocol.buffer and not protocol.eof:
                await _wait(protocol, "reader", timeout)
        except TimeoutError:
            raise httpcore.ReadTimeout("timed out waiting for the answer") from None
        except (OSError, RuntimeError) as e:
            raise httpcore.ReadError(str(e)) from e
        buffer = protocol.buffer
        if not buffer:
            if protocol.error is not None:
                raise httpcore.ReadError(str(protocol.error))
            return b""
        if len(buffer) <= max_bytes:
            data = bytes(buffer)
            buffer.clear()
        else:
            data = bytes(buffer[:max_bytes])
            del buffer[:max_bytes]
        if protocol.reading_paused and len(buffer) <= HIGH_WATER // 2:
            protocol.reading_paused = False
            self._transport.resume_reading()
        return data

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        protocol = self._protocol
        if protocol.eof or self._transport.is_closing():
            raise httpcore.WriteError("the connection is closed")
        self._pending.append(buffer)
        self._pending_size += len(buffer)
        if self._pending_size < FLUSH_AT:
            return  # a request's head waits for its body (or the read of its answer)
        try:
            self._flush()
            if protocol.paused:
                await _wait(protocol, "drainer", timeout)
        except TimeoutError:
            raise httpcore.WriteTimeout("timed out sending the request") from None
        except (OSError, RuntimeError) as e:
            raise httpcore.WriteError(str(e)) from e
        if protocol.error is not None:
            raise httpcore.WriteError(str(protocol.error))

    async def aclose(self) -> None:
        self._pending.clear()
        self._transport.close()

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        self._flush()
        loop = asyncio.get_running_loop()
        try:
            transport = await loop.start_tls(
                self._transport, self._protocol, ssl_context, server_hostname=server_hostname,
                ssl_handshake_timeout=timeout,
            )  # fmt: skip
        except TimeoutError:
            self._transport.close()
            raise httpcore.ConnectTimeout("timed out in the TLS handshake") from None
        except (OSError, ssl.SSLError, RuntimeError) as e:
            self._transport.close()
            raise httpcore.ConnectError(str(e)) from e
        if transport is None:
            raise httpcore.ConnectError("the connection closed during the TLS handshake")
        self._protocol.transport = transport  # type: ignore[assignment]
        return AsyncioStream(transport, self._protocol)  # type: ignore[arg-type]

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":  # the pool asks whether an idle connection was closed by the server
            return bool(self._protocol.buffer) or self._protocol.eof
        if info == "ssl_object":
            return self._transport.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._transport.get_extra_info("sockname")
        if info == "server_addr":
            return self._transport.get_extra_info("peername")
        if info == "socket":
            return self._transport.get_extra_info("socket")
        return None


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[tuple] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        local = (local_address, 0) if local_address else None
        return await self._connect(loop.create_connection(_Protocol, host, port, local_addr=local), timeout,
                                   socket_options)  # fmt: skip

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[tuple] | None = None
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        return await self._connect(loop.create_unix_connection(_Protocol, path), timeout, socket_options)

    async def _connect(self, connecting, timeout: float | None, socket_options) -> AsyncioStream:
        try:
            async with asyncio.timeout(timeout):
                transport, protocol = await connecting
        except TimeoutError:
            raise httpcore.ConnectTimeout("timed out connecting") from None
        except OSError as e:
            raise httpcore.ConnectError(str(e)) from e
        sock: socket.socket | None = transport.get_extra_info("socket")
        for option in socket_options or ():
            if sock is not None:
                sock.setsockopt(*option)
        return AsyncioStream(transport, protocol)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
