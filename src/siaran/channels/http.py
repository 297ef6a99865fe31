"""What every HTTP provider driver shares: turning transport failures into the error tree,
Retry-After, and keeping the token out of every message."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import httpx
import orjson

from ..errors import DeliveryError, PermanentError, TransientError, UncertainError
from ..reasons import reason

T = TypeVar("T")
_READ = httpx.ByteStream(b"")


def retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: rare for APIs; the backoff policy decides instead


def json_body(response: httpx.Response) -> Any:
    """The answer's JSON, or None. Providers answer UTF-8 JSON: no charset sniffing."""
    with contextlib.suppress(orjson.JSONDecodeError):
        return orjson.loads(response.content)
    return None


def json_bytes(value: Any) -> bytes:
    """A request's JSON body: compact UTF-8, as ``json.dumps(ensure_ascii=False)`` would write it."""
    return orjson.dumps(value)


async def call(request: Awaitable[httpx.Response], provider: str) -> httpx.Response:
    """Await one request (its answer read whole). Failures before the request left are transient
    (safe to resend); failures after it left make the outcome uncertain (never resent automatically)."""
    try:
        response = await request
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError) as e:
        raise TransientError(reason("http.unreachable", provider=provider, error=type(e).__name__)) from None
    except (httpx.ReadTimeout, httpx.WriteTimeout) as e:
        raise UncertainError(reason("http.no_answer", provider=provider, error=type(e).__name__)) from None
    except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as e:
        raise UncertainError(reason("http.broken", provider=provider, error=type(e).__name__)) from None
    except httpx.HTTPError as e:
        raise DeliveryError(reason("http.failed", provider=provider, error=type(e).__name__)) from None
    # httpx links a response and its stream both ways (BoundAsyncStream): a cycle that only the
    # garbage collector frees, for every message of a broadcast. Read whole and closed, the answer
    # no longer needs its stream.
    response.stream = _READ
    return response


def http_status_error(response: httpx.Response, provider: str, detail: str = "") -> DeliveryError:
    """An answer with no provider error code we know: judge by the HTTP status."""
    status = response.status_code
    text = (
        reason("http.status_said", provider=provider, status=status, said=detail)
        if detail
        else reason("http.status", provider=provider, status=status)
    )
    if response.status_code == 429 or response.status_code >= 500:
        return TransientError(text, code=response.status_code, retry_after=retry_after(response))
    return PermanentError(text, code=response.status_code)


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
