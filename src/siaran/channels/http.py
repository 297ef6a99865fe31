"""What every HTTP provider driver shares: turning transport failures into the error tree,
Retry-After, and keeping the token out of every message."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, TypeVar

import httpx

from ..errors import DeliveryError, PermanentError, TransientError, UncertainError

T = TypeVar("T")


def scrub(text: str, *secrets: str) -> str:
    """A provider may echo what we sent; the token never goes further than the request header."""
    for s in secrets:
        if s and len(s) >= 4:
            text = text.replace(s, "***")
    return text


def retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: rare for APIs; the backoff policy decides instead


def json_body(response: httpx.Response) -> Any:
    with contextlib.suppress(ValueError):
        return json.loads(response.content)  # providers answer UTF-8 JSON; skips charset sniffing
    return None


async def call(request: Awaitable[httpx.Response], provider: str) -> httpx.Response:
    """Await one request. Failures before the request left are transient (safe to resend);
    failures after it left make the outcome uncertain (never resent automatically)."""
    try:
        return await request
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as e:
        raise TransientError(f"cannot reach {provider}: {type(e).__name__}") from None
    except (httpx.ReadTimeout, httpx.WriteTimeout) as e:
        raise UncertainError(
            f"no answer from {provider} in time ({type(e).__name__}); the message may have arrived"
        ) from None
    except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as e:
        raise UncertainError(
            f"connection to {provider} broke before it answered ({type(e).__name__}); the message may have arrived"
        ) from None
    except httpx.HTTPError as e:
        raise DeliveryError(f"{provider}: {type(e).__name__}") from None


def http_status_error(response: httpx.Response, provider: str, detail: str = "") -> DeliveryError:
    """An answer with no provider error code we know: judge by the HTTP status."""
    text = f"{provider} answered HTTP {response.status_code}" + (f": {detail}" if detail else "")
    if response.status_code == 429 or response.status_code >= 500:
        return TransientError(text, code=response.status_code, retry_after=retry_after(response))
    return PermanentError(text, code=response.status_code)


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

    def __init__(self, connections: int, per_shard: int = 2, **kwargs: Any):
        shards = max(1, -(-connections // per_shard))
        size = -(-connections // shards)
        limits = httpx.Limits(max_connections=size, max_keepalive_connections=size)
        kwargs.setdefault("verify", httpx.create_ssl_context())  # one TLS context (25 ms each) for all
        self.pools = [httpx.AsyncHTTPTransport(limits=limits, **kwargs) for _ in range(shards)]
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


class Parts:
    """The parts of one message (slides, a long text) a provider already accepted in this run.

    A message sent as several requests that meets a passing error midway is retried by the engine;
    the retry resumes after the parts already accepted, so nobody gets a slide twice."""

    def __init__(self) -> None:
        self._accepted: dict[str, list[str]] = {}  # message key -> provider ids so far

    async def send(self, key: str, parts: Sequence[T], send_one: Callable[[int, T], Awaitable[str]]) -> list[str]:
        ids = self._accepted.setdefault(key, [])
        for n in range(len(ids), len(parts)):
            try:
                ids.append(await send_one(n, parts[n]))
            except BaseException as e:
                if not isinstance(e, TransientError):  # no retry will come for it in this run
                    del self._accepted[key]
                raise
        del self._accepted[key]
        return ids
