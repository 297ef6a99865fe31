"""The one place HTTP clients are made: explicit timeouts, and a connection pool shaped for
broadcasts. Channels are given a client, never build their own."""

from __future__ import annotations

import functools
import ssl
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpcore
import httpx

from ..config import Settings
from .sockets import AsyncioBackend


def broadcast_client(settings: Settings) -> httpx.AsyncClient:
    """The client of a WhatsApp broadcast: every driver shares its connection pool."""
    return broadcast_client_for(settings.whatsapp.concurrency, settings.whatsapp.timeout)


def broadcast_client_for(concurrency: int, timeout: float) -> httpx.AsyncClient:
    return ProviderClient(
        timeout=httpx.Timeout(timeout, connect=10.0, pool=None),
        transport=ShardedTransport(max(1, concurrency) + 4),
    )


def instagram_client() -> httpx.AsyncClient:
    """Instagram: a few calls per post, some slow (container processing)."""
    return httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=10.0))


class _CountedStream(httpx.AsyncByteStream):
    """A response body that tells its shard when it is done with the connection."""

    def __init__(self, inner: httpx.AsyncByteStream, done: Callable[[], None]):
        self.inner, self.done = inner, done

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self.inner:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self.inner.aclose()
        finally:
            done, self.done = self.done, _nothing
            done()


def _nothing() -> None:
    return None


class ShardedTransport(httpx.AsyncBaseTransport):
    """Several small connection pools behind one client.

    httpcore's pool re-examines every connection — and, for each idle one, counts the idle ones
    again — whenever a request starts or ends: O(connections²) per request. At the 100+
    connections a 1,000 msg/s broadcast needs, that alone costs milliseconds of CPU per message.
    Pools of at most ``per_shard`` connections keep it negligible; each request goes to the
    shard with the fewest requests in flight.
    """

    def __init__(self, connections: int, per_shard: int = 2):
        shards = max(1, -(-connections // per_shard))
        size = -(-connections // shards)
        limits = httpx.Limits(max_connections=size, max_keepalive_connections=size)
        self.pools = [_asyncio_transport(limits, _tls_context()) for _ in range(shards)]
        self.busy = [0] * shards

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        busy = self.busy
        i = busy.index(min(busy))
        busy[i] += 1

        def done() -> None:
            busy[i] -= 1

        try:
            response = await self.pools[i].handle_async_request(request)
        except BaseException:
            done()
            raise
        response.stream = _CountedStream(response.stream, done)  # type: ignore[arg-type]
        return response

    async def aclose(self) -> None:
        for pool in self.pools:
            await pool.aclose()


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One TLS context for every pool and every broadcast of the process: loading the certificate
    store takes 25-60 ms each time."""
    return httpx.create_ssl_context()


def _asyncio_transport(limits: httpx.Limits, verify: ssl.SSLContext) -> httpx.AsyncHTTPTransport:
    """httpx's transport over a connection pool whose sockets are asyncio's own (siaran.delivery.sockets),
    not anyio's: a fifth less CPU per message at 1,000 messages/s. httpx 0.28 takes no network
    backend, so the pool it made is replaced by the same one with that backend."""
    transport = httpx.AsyncHTTPTransport(limits=limits, verify=verify)
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=verify,
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=AsyncioBackend(),
    )
    return transport


class _NoCookies(httpx.Cookies):
    """Provider APIs authenticate with a header and set no cookie worth keeping; parsing every
    answer's headers for cookies cost ~6% of a broadcast's CPU at 1,000 messages/s."""

    def extract_cookies(self, response: httpx.Response) -> None:
        return None


class ProviderClient(httpx.AsyncClient):
    """httpx.AsyncClient without a cookie jar: every answer skips cookie extraction."""

    @property
    def cookies(self) -> httpx.Cookies:
        return _NO_COOKIES  # stays empty: nothing is ever added to it

    @cookies.setter
    def cookies(self, value: Any) -> None:
        return None


_NO_COOKIES = _NoCookies()
