"""The one place HTTP clients are made: explicit timeouts, and a transport shaped for broadcasts
(siaran.delivery.transport). Channels are given a client, never build their own."""

from __future__ import annotations

import functools
import ssl
from typing import Any

import httpx

from ..config import Settings
from .transport import LeanTransport


def broadcast_client(settings: Settings) -> httpx.AsyncClient:
    """The client of a WhatsApp broadcast: every driver shares its connection pool."""
    return broadcast_client_for(settings.whatsapp.concurrency, settings.whatsapp.timeout)


def broadcast_client_for(concurrency: int, timeout: float) -> httpx.AsyncClient:
    return ProviderClient(
        timeout=httpx.Timeout(timeout, connect=10.0, pool=None),
        transport=LeanTransport(max(1, concurrency) + 4, _tls),
    )


def instagram_client() -> httpx.AsyncClient:
    """Instagram: a few calls per post, some slow (container processing)."""
    return httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=10.0))


def _tls() -> ssl.SSLContext:
    return _tls_context()  # looked up when asked: tests swap the context


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One TLS context for every pool and every broadcast of the process: loading the certificate
    store takes 25-60 ms each time."""
    context = httpx.create_ssl_context()
    context.set_alpn_protocols(["http/1.1"])
    return context


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
