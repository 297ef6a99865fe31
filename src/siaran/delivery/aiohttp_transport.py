"""httpx's API over aiohttp's connection pool: the transport of every HTTP client siaran makes.

aiohttp brings the pool (O(1) per request at the 100+ connections of a 1,000 msg/s broadcast),
llhttp's parser, Happy Eyeballs (a broken IPv6 route does not stall each new connection), proxies
(plain forwarding and CONNECT tunnels) and TLS verification. This module only delegates, and maps
aiohttp's exceptions onto the meaning siaran.channels.http gives httpx's:

- ``ConnectError``, ``ConnectTimeout``, ``ProxyError``: nothing of the request was written (safe to
  resend). The line is the connector: whatever fails while a connection is being obtained (waiting
  for a free one, DNS, TCP, the proxy's tunnel, the TLS handshake) failed before the request's
  first byte. aiohttp hands out an idle connection only while it is still open.
- ``ReadTimeout``, ``RemoteProtocolError``, ``ReadError``: the request may have left (uncertain).

httpx-aiohttp's ``AiohttpTransport`` maps every ``ClientConnectionError``, a server closing the
connection after reading the request included, to ``ConnectTimeout``: a resend, hence this module.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from ssl import SSLContext

import aiohttp
import httpx
from yarl import URL

MAX_ANSWER = 8 * 1024 * 1024  # bytes of one answer: providers answer small JSON
KEEPALIVE = 5.0  # seconds an idle connection is kept (httpx's default)
Proxy = tuple[URL, dict[str, str]] | None  # the proxy, and the headers it is given (its credentials)


class _NotSent(Exception):
    """Getting a connection failed: no byte of the request was written."""

    def __init__(self, error: BaseException):
        super().__init__(str(error))
        self.error = error


class _Connector(aiohttp.TCPConnector):
    """aiohttp's connector, marking what failed while a connection was being obtained. A timeout
    passes through: aiohttp turns it into ``ConnectionTimeoutError``, which nothing else raises."""

    async def connect(self, req, traces, timeout):  # type: ignore[no-untyped-def]
        try:
            return await super().connect(req, traces, timeout)
        except TimeoutError:
            raise
        except Exception as e:
            raise _NotSent(e) from e


class AiohttpTransport(httpx.AsyncBaseTransport):
    """At most ``limit`` connections, kept alive ``KEEPALIVE`` seconds. ``proxy_for(scheme, host)``
    names the proxy of an origin (asked once per origin); ``tls()`` gives the TLS context, asked for
    on the first https request."""

    def __init__(self, limit: int, proxy_for: Callable[[str, str], Proxy], tls: Callable[[], SSLContext]):
        self.limit, self.proxy_for, self.tls = max(1, limit), proxy_for, tls
        self.session: aiohttp.ClientSession | None = None
        self.proxies: dict[tuple[str, str, int | None], Proxy] = {}
        self.timeouts: dict[tuple, aiohttp.ClientTimeout] = {}
        self.urls: dict[str, URL] = {}

    def _session(self) -> aiohttp.ClientSession:
        # Made inside the running event loop, on the first request.
        self.session = aiohttp.ClientSession(
            connector=_Connector(limit=self.limit, keepalive_timeout=KEEPALIVE),
            cookie_jar=aiohttp.DummyCookieJar(),  # providers authenticate with a header
            auto_decompress=False,  # httpx decodes the body
            trust_env=False,  # proxies come from proxy_for (aiohttp would look them up in a thread per request)
        )
        return self.session

    def _timeout(self, timeouts: dict) -> aiohttp.ClientTimeout:
        key = (timeouts.get("pool"), timeouts.get("connect"), timeouts.get("read"))
        found = self.timeouts.get(key)
        if found is None:  # connect: waiting for a free connection; sock_connect: TCP and TLS
            found = self.timeouts[key] = aiohttp.ClientTimeout(
                total=None, connect=key[0], sock_connect=key[1], sock_read=key[2]
            )
        return found

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        if url.scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol(f"unsupported URL scheme {url.scheme!r}")
        headers = []
        for name, value in request.headers.raw:
            if b"\r" in value or b"\n" in value or b"\0" in value:  # would forge a header or a request
                raise httpx.LocalProtocolError("a request header holds a line break or a NUL")
            if name.lower() != b"transfer-encoding":  # the body goes whole, with its length
                headers.append((name.decode("latin-1"), value.decode("latin-1")))
        body = await request.aread()
        origin = (url.scheme, url.host, url.port)
        if origin not in self.proxies:
            self.proxies[origin] = self.proxy_for(url.scheme, url.host)
        proxy = self.proxies[origin]
        session = self.session or self._session()
        target = self.urls.get(text := str(url))
        if target is None:  # a broadcast posts to one URL: parsed once
            if len(self.urls) >= 256:
                self.urls.clear()
            target = self.urls[text] = URL(text, encoded=True)
        try:
            response = await session.request(
                request.method,
                target,
                headers=headers,
                data=body or None,
                allow_redirects=False,
                timeout=self._timeout(request.extensions.get("timeout") or {}),
                ssl=self.tls() if url.scheme == "https" else True,
                proxy=proxy[0] if proxy else None,
                proxy_headers=proxy[1] if proxy else None,
                server_hostname=request.extensions.get("sni_hostname"),
            )
            try:
                content = await _read(response)
            except BaseException:
                response.close()  # a half-read answer: its connection is not reused
                raise
        except _NotSent as e:
            if isinstance(e.error, aiohttp.ClientProxyConnectionError | aiohttp.ClientHttpProxyError):
                raise httpx.ProxyError(f"{type(e.error).__name__}: {e.error}") from None
            raise httpx.ConnectError(f"{type(e.error).__name__}: {e.error}") from None
        except aiohttp.ConnectionTimeoutError as e:
            raise httpx.ConnectTimeout(str(e)) from None
        except (aiohttp.ServerTimeoutError, TimeoutError) as e:
            raise httpx.ReadTimeout(str(e) or "timed out waiting for the answer") from None
        except (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError, aiohttp.ClientResponseError) as e:
            raise httpx.RemoteProtocolError(f"{type(e).__name__}: {e}") from None
        except (aiohttp.ClientError, OSError) as e:
            raise httpx.ReadError(f"{type(e).__name__}: {e}") from None
        extensions = {"http_version": b"HTTP/1.1", "reason_phrase": (response.reason or "").encode("latin-1")}
        # The answer is handed over read: its connection is already back in the pool.
        return httpx.Response(response.status, headers=response.raw_headers, content=content, extensions=extensions)

    async def aclose(self) -> None:
        if self.session is not None:
            await self.session.close()
            await asyncio.sleep(0)  # let the closed connections' transports finish closing


async def _read(response: aiohttp.ClientResponse) -> bytes:
    """The whole answer, at most ``MAX_ANSWER`` bytes."""
    if response.content_length is not None and response.content_length <= MAX_ANSWER:
        return await response.read()
    parts, size = [], 0
    async for chunk in response.content.iter_any():
        size += len(chunk)
        if size > MAX_ANSWER:
            raise httpx.ReadError(f"the answer is larger than {MAX_ANSWER} bytes")
        parts.append(chunk)
    return b"".join(parts)
