"""Channel drivers, registered by name in literal tables (no scanning, no singletons).

Each entry points at a module's ``make(settings, http, clock) -> Driver`` factory; the module is
imported only when that provider is configured. Instagram is not a one-message channel: its posts go
through the Instagram queue (siaran.instagram), whose publishers are chosen by ``instagram.publisher``.
"""

from __future__ import annotations

import importlib

import httpx

from ..clock import Clock
from ..config import Settings
from ..errors import ConfigError
from .base import Driver, Message, Receipt

PROVIDERS: dict[str, dict[str, str]] = {
    "whatsapp": {
        "outbox": "siaran.channels.outbox",
        "cloud": "siaran.channels.whatsapp_cloud",
        "fonnte": "siaran.channels.fonnte",
        "waha": "siaran.channels.waha",
    },
}
SETTING = {"whatsapp": "provider", "instagram": "publisher"}

__all__ = ["PROVIDERS", "Driver", "Message", "Receipt", "make_driver", "provider_name"]


def provider_name(channel: str, settings: Settings) -> str:
    return settings.sections[channel][SETTING[channel]]


def make_driver(channel: str, settings: Settings, http: httpx.AsyncClient | None, clock: Clock) -> Driver:
    name = provider_name(channel, settings)
    table = PROVIDERS.get(channel)
    if table is None:
        raise LookupError(f"unknown channel {channel!r}")
    if name not in table:
        raise ConfigError(
            f"{channel}.{SETTING[channel]} = {name!r} is not a known provider; choose one of {', '.join(table)}"
        )
    module = importlib.import_module(table[name])
    return module.make(settings, http, clock)
