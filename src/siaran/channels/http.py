"""What every HTTP provider driver shares: turning transport failures into the error tree,
Retry-After, and keeping the token out of every message."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable
from typing import Any

import httpx

from ..errors import DeliveryError, PermanentError, TransientError, UncertainError


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
        return response.json()
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
