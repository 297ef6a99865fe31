"""The one place HTTP clients are made: explicit timeouts, the office's proxy, TLS verification,
and aiohttp's pool under httpx's API (siaran.delivery.aiohttp_transport). Channels, alerts and
commands are given a client, never build their own.

The proxy of a request: ``network.proxy`` when set, else the environment's ``HTTPS_PROXY`` /
``HTTP_PROXY`` (on Windows also the system's proxy setting, as the standard library reads it);
hosts named in ``NO_PROXY`` are reached directly.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import os
import ssl
import urllib.request
from collections.abc import Iterator
from typing import Any

import httpx
from yarl import URL

from ..config import Settings
from ..errors import ConfigError
from ..i18n import _
from .aiohttp_transport import AiohttpTransport, Proxy

PROXY_SCHEMES = ("http", "https")


def broadcast_client(settings: Settings) -> httpx.AsyncClient:
    """The client of a WhatsApp broadcast: every driver shares its connection pool."""
    wa = settings.whatsapp
    return client(settings, connections=max(1, wa.concurrency) + 4, timeout=wa.timeout)


def instagram_client(settings: Settings) -> httpx.AsyncClient:
    """Instagram: a few calls per post, some slow (container processing)."""
    return client(settings, connections=8, timeout=30.0)


def account_client(settings: Settings) -> httpx.AsyncClient:
    """A command reading the provider's account (its WhatsApp templates)."""
    return client(settings, connections=2, timeout=30.0)


def client(settings: Settings, *, connections: int, timeout: float) -> httpx.AsyncClient:
    proxy_for = proxy_resolver(settings.network.proxy)
    return ProviderClient(
        timeout=httpx.Timeout(timeout, connect=10.0, pool=None),
        transport=AiohttpTransport(connections, proxy_for, tls_context),
        trust_env=False,  # the transport has the proxy; httpx would only look for a .netrc
    )


def proxy_resolver(configured: str):
    """``proxy_for(scheme, host)`` for the transport; a malformed ``network.proxy`` is refused here,
    before anything is sent."""
    configured = configured.strip()
    if configured:
        _parse(configured, "network.proxy")

    def proxy_for(scheme: str, host: str) -> Proxy:
        if urllib.request.proxy_bypass(host):  # NO_PROXY
            return None
        if configured:
            return _parse(configured, "network.proxy")
        found = urllib.request.getproxies().get(scheme)
        return _parse(found, f"{scheme.upper()}_PROXY") if found else None

    return proxy_for


PROXY_VARIABLES = ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy")


@contextlib.contextmanager
def proxy_environment(configured: str) -> Iterator[None]:
    """For the libraries that find their proxy in the environment only (Apprise's and instaloader's
    requests): ``network.proxy``, when set, is their HTTPS_PROXY and HTTP_PROXY while they run
    (both spellings: the lower-case one wins where both are set). NO_PROXY is left as it is."""
    configured = configured.strip()
    if not configured:
        yield
        return
    _parse(configured, "network.proxy")  # refused as the transport refuses it
    address = _with_scheme(configured)  # credentials included
    saved = {name: os.environ.get(name) for name in PROXY_VARIABLES}
    os.environ.update(dict.fromkeys(PROXY_VARIABLES, address))
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _with_scheme(value: str) -> str:
    return value if "://" in value else f"http://{value}"  # "proxy:8080", as often written


def _parse(value: str, name: str) -> Proxy:
    url = URL(_with_scheme(value))
    if url.scheme not in PROXY_SCHEMES or not url.host:
        raise ConfigError(
            _("{name} = {value!r} is not a proxy address such as http://proxy.kantor:8080").format(
                name=name, value=str(url.with_password(None) if url.password else url)
            )
        )
    headers = {}
    if url.user:  # http://user:password@proxy:3128
        token = base64.b64encode(f"{url.user}:{url.password or ''}".encode()).decode("ascii")
        headers["Proxy-Authorization"] = f"Basic {token}"
    return url.with_user(None), headers


def tls_context() -> ssl.SSLContext:
    """The TLS context of every client of the process, made on the first https request; a new one
    when ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` change (an office proxy's own authority, or tests)."""
    return _tls_context(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))


@functools.cache
def _tls_context(cert_file: str | None, cert_dir: str | None) -> ssl.SSLContext:
    """httpx's choice: certifi's authorities, or the files the environment names."""
    context = httpx.create_ssl_context()
    context.set_alpn_protocols(["http/1.1"])
    return context


class _NoCookies(httpx.Cookies):
    """Provider APIs authenticate with a header and set no cookie worth keeping; parsing every
    answer's headers for cookies is work each message would pay for nothing."""

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
